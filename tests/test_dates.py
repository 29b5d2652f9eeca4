"""Dates: the feed date users type, dates in file names, and the days stories speak of."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarc.dates import date_from_filename, extract_mentions, parse_when
from newsarc.errors import UsageError
from newsarc.models import Mention

LABELLED = Path(__file__).parent / "data" / "date_mentions.jsonl"
MONDAY = date(2024, 4, 29)


def days(text: str, feed: date = MONDAY) -> list[tuple[str, str, str]]:
    return [(m.phrase, m.day.isoformat(), m.end.isoformat()) for m in extract_mentions(text, feed)]


# --- the labelled set ------------------------------------------------------------------------


@dataclass
class Score:
    true_pos: int = 0
    predicted: int = 0
    labelled: int = 0
    found: int = 0

    @property
    def precision(self) -> float:
        return self.true_pos / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


def _labels(row: dict[str, object]) -> list[tuple[int, int, date, date]]:
    text = str(row["text"])
    out = []
    seen: dict[str, int] = {}
    for label in row["mentions"]:  # type: ignore[attr-defined]
        phrase = label["phrase"]
        start = text.index(phrase, seen.get(phrase, 0))
        seen[phrase] = start + 1
        first = date.fromisoformat(label["day"])
        last = date.fromisoformat(label.get("end", label["day"]))
        out.append((start, start + len(phrase), first, last))
    return out


def _agrees(m: Mention, label: tuple[int, int, date, date]) -> bool:
    start, end, first, last = label
    overlaps = m.offset < end and start < m.offset + len(m.phrase)
    return overlaps and (m.day, m.end) == (first, last)


def score_labelled_set() -> tuple[Score, list[str]]:
    score = Score()
    errors: list[str] = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels = _labels(row)
        predicted = extract_mentions(row["text"], date.fromisoformat(row["feed_date"]))
        score.predicted += len(predicted)
        score.labelled += len(labels)
        for m in predicted:
            if any(_agrees(m, label) for label in labels):
                score.true_pos += 1
            else:
                errors.append(f"wrong: {m.phrase!r} {m.day}..{m.end} in {row['text']!r}")
        for label in labels:
            if any(_agrees(m, label) for m in predicted):
                score.found += 1
            else:
                phrase = row["text"][label[0] : label[1]]
                errors.append(f"missed: {phrase!r} {label[2]}..{label[3]} in {row['text']!r}")
    return score, errors


def test_labelled_set_is_big_enough_and_mixed() -> None:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    chinese = [r for r in rows if any("\u4e00" <= ch <= "\u9fff" for ch in r["text"])]
    assert len(rows) >= 80
    assert len(chinese) >= 15
    assert sum(1 for r in rows if not r["mentions"]) >= 15  # traps with no date at all
    assert len({r["feed_date"] for r in rows}) >= 8


def test_precision_and_recall_on_labelled_set(capsys: pytest.CaptureFixture[str]) -> None:
    score, errors = score_labelled_set()
    report = (
        f"date mentions: precision {score.precision:.3f} ({score.true_pos}/{score.predicted}), "
        f"recall {score.recall:.3f} ({score.found}/{score.labelled})"
    )
    with capsys.disabled():
        print(f"\n{report}")
        for error in errors:
            print(f"  {error}")
    assert score.precision >= 0.95, report + "\n" + "\n".join(errors)
    assert score.recall >= 0.85, report + "\n" + "\n".join(errors)


# --- extract_mentions: the examples and traps -----------------------------------------


def test_acceptance_example_monday_feed() -> None:
    text = "The minister arrived yesterday. Talks began on Friday."
    assert days(text) == [
        ("yesterday", "2024-04-28", "2024-04-28"),
        ("on Friday", "2024-04-26", "2024-04-26"),
    ]


def test_offsets_point_at_the_phrase() -> None:
    text = "Officials said on Friday that 昨天 and April 28 were busy."
    for m in extract_mentions(text, MONDAY):
        assert text[m.offset : m.offset + len(m.phrase)] == m.phrase
    assert [m.offset for m in extract_mentions(text, MONDAY)] == [15, 30, 37]


@pytest.mark.parametrize(
    "text",
    [
        "Output rose to 3.5 million units.",
        "A Boeing 737 landed safely.",
        "Growth in the 1990s was faster.",
        "May said the vote would go ahead.",
        "The Model 3 sold well.",
        "Prices rose 10 percent.",
        "COVID-19 spread quickly.",
        "They march to the square.",
        "Doors open at 8:30.",
        "The home side won 3-1.",
        "Gold hit US$5,600 an ounce.",
        "See page 12, section 4.",
        "Support is available 24/7.",
        "Markets are closed on Fridays.",
        "He always works every Monday.",
        "USA Today first reported the story.",
        "The Good Friday Agreement holds.",
        "Over the last year prices doubled.",
        "每週一開會，為期30日內。",
        "1990年代的經濟奇蹟。",
        "",
    ],
)
def test_traps_are_not_dates(text: str) -> None:
    assert days(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Friday's meeting ended early.", [("Friday", "2024-04-26", "2024-04-26")]),
        ("It happened on Monday.", [("on Monday", "2024-04-29", "2024-04-29")]),
        ("It happened last Monday.", [("last Monday", "2024-04-22", "2024-04-22")]),
        ("They will meet on Friday.", [("on Friday", "2024-05-03", "2024-05-03")]),
        (
            "The fair opened last week and ends on Saturday.",
            [
                ("last week", "2024-04-22", "2024-04-28"),
                ("on Saturday", "2024-05-04", "2024-05-04"),
            ],
        ),
        ("It rained over the weekend.", [("over the weekend", "2024-04-27", "2024-04-28")]),
        ("Late yesterday the deal closed.", [("Late yesterday", "2024-04-28", "2024-04-28")]),
        (
            "It was signed in September last year.",
            [("in September last year", "2023-09-01", "2023-09-30")],
        ),
        ("Sept. 3 was the date.", [("Sept. 3", "2023-09-03", "2023-09-03")]),
        ("Apr. 28 was the date.", [("Apr. 28", "2024-04-28", "2024-04-28")]),
        ("The vote is on June 20.", [("June 20", "2024-06-20", "2024-06-20")]),
        ("The vote was on 04/05/2024.", [("04/05/2024", "2024-05-04", "2024-05-04")]),
        ("Filed on 04/28/2024.", [("04/28/2024", "2024-04-28", "2024-04-28")]),
        (
            "On Monday, April 22, the board met.",
            [("On Monday, April 22", "2024-04-22", "2024-04-22")],
        ),
        ("The fair runs April 28-30.", [("April 28-30", "2024-04-28", "2024-04-30")]),
        ("It began in 2019.", [("in 2019", "2019-01-01", "2019-12-31")]),
        ("Profit fell in mid-2023.", [("mid-2023", "2023-01-01", "2023-12-31")]),
        ("It rose this week.", [("this week", "2024-04-29", "2024-05-05")]),
        ("It rose last year.", [("last year", "2023-01-01", "2023-12-31")]),
        ("It opened a week ago.", [("a week ago", "2024-04-22", "2024-04-22")]),
        ("He left last night.", [("last night", "2024-04-28", "2024-04-28")]),
        ("The law passes tonight.", [("tonight", "2024-04-29", "2024-04-29")]),
        (
            "It happened the day before yesterday.",
            [("the day before yesterday", "2024-04-27", "2024-04-27")],
        ),
        ("The report is due late this month.", [("late this month", "2024-04-01", "2024-04-30")]),
        (
            "昨日與上周五、本月和上個月",
            [
                ("昨日", "2024-04-28", "2024-04-28"),
                ("上周五", "2024-04-26", "2024-04-26"),
                ("本月", "2024-04-01", "2024-04-30"),
                ("上個月", "2024-03-01", "2024-03-31"),
            ],
        ),
        ("二〇二四年四月二十八日", [("二〇二四年四月二十八日", "2024-04-28", "2024-04-28")]),
    ],
)
def test_news_phrases(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert days(text) == expected


def test_year_rolls_over_in_january() -> None:
    feed = date(2025, 1, 2)
    assert days("It closed on Dec. 30.", feed) == [("Dec. 30", "2024-12-30", "2024-12-30")]
    assert days("It opens on Jan. 20.", feed) == [("Jan. 20", "2025-01-20", "2025-01-20")]
    assert days("Sales rose in December.", feed) == [("in December", "2024-12-01", "2024-12-31")]
    assert days("The talks ended last week.", feed) == [("last week", "2024-12-23", "2024-12-29")]


def test_weekday_on_the_feed_day_is_the_feed_day() -> None:
    saturday = date(2024, 10, 12)
    assert days("Crowds rallied on Saturday.", saturday)[0][1] == "2024-10-12"
    assert days("Crowds rallied last Saturday.", saturday)[0][1] == "2024-10-05"


_PIECES = [
    *"abcdefghijklmnopqrstuvwxyz ABCDEFJMNOSTWY0123456789.,/-:'’()\n",
    *["May ", "on Friday", "last ", "week", " ago", "yesterday", "April 2", "2024", "年", "月"],
    *["日", "上週", "五", "三", "天前", "Sept. ", "in ", "the day before ", "two days", "Today"],
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=60).map("".join),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)),
)
def test_extract_never_raises_and_offsets_hold(text: str, feed: date) -> None:
    found = extract_mentions(text, feed)
    assert [m.offset for m in found] == sorted(m.offset for m in found)
    for m in found:
        assert 0 <= m.offset <= len(text) - len(m.phrase)
        assert text[m.offset : m.offset + len(m.phrase)] == m.phrase
        assert m.day <= m.end


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.dates())
def test_extract_survives_any_unicode(text: str, feed: date) -> None:
    for m in extract_mentions(text, feed):
        assert text[m.offset : m.offset + len(m.phrase)] == m.phrase


# --- parse_when --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-29", "2024-04-29"),
        ("2024-4-9", "2024-04-09"),
        ("20240429", "2024-04-29"),
        ("today", "2024-04-29"),
        ("Today", "2024-04-29"),
        ("yesterday", "2024-04-28"),
        ("last friday", "2024-04-26"),
        ("Last Friday", "2024-04-26"),
        ("friday", "2024-04-26"),
        ("monday", "2024-04-29"),
        ("29 April", "2024-04-29"),
        ("april 28", "2024-04-28"),
        ("May 3", "2023-05-03"),
        ("April 28, 2024", "2024-04-28"),
        ("3 days ago", "2024-04-26"),
        ("two weeks ago", "2024-04-15"),
        ("last week", "2024-04-22"),
        ("this month", "2024-04-01"),
        ("last year", "2023-01-01"),
        ("  2024-04-01 ", "2024-04-01"),
        ("昨天", "2024-04-28"),
    ],
)
def test_parse_when_fast_forms(value: str, expected: str) -> None:
    assert parse_when(value, today=MONDAY).isoformat() == expected


def test_parse_when_falls_back_to_dateparser() -> None:
    assert parse_when("2 weeks ago", today=MONDAY) == date(2024, 4, 15)
    assert parse_when("the 1st of March 2024", today=MONDAY) == date(2024, 3, 1)


@pytest.mark.parametrize("value", ["", "   ", "soon-ish", "2024-02-30", "20241399", "blorp 12"])
def test_parse_when_rejects_nonsense(value: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_when(value, today=MONDAY)
    assert repr(value) in info.value.message
    assert "try 2024-04-29" in info.value.message
    assert info.value.exit_code == 2


def test_parse_when_defaults_to_today() -> None:
    assert parse_when("today") == date.today()


def test_fast_paths_do_not_import_dateparser() -> None:
    code = (
        "import sys; from datetime import date; from newsarc.dates import parse_when;"
        "[parse_when(v, today=date(2024, 4, 29)) for v in "
        "('2024-04-29', '20240429', 'yesterday', 'last friday', '3 days ago', 'April 28, 2024')];"
        "print('dateparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_dates_does_not_import_dateparser() -> None:
    code = "import sys, newsarc.dates; print('dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- date_from_filename ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2024-04-29-wire.txt", date(2024, 4, 29)),
        ("feed_20240429.txt", date(2024, 4, 29)),
        ("2024_04_29.txt", date(2024, 4, 29)),
        ("/data/feeds/2023.11.05 evening.txt", date(2023, 11, 5)),
        ("wire-29-04-2024.txt", date(2024, 4, 29)),
        ("dir/2024-04-29/feed.txt", None),
        ("feed.txt", None),
        ("feed_20241399.txt", None),
        ("feed_18991231.txt", None),
        ("report_123456789.txt", None),
        ("v2024.txt", None),
    ],
)
def test_date_from_filename(name: str, expected: date | None) -> None:
    assert date_from_filename(name) == expected


def test_parse_span_covers_what_was_typed() -> None:
    from newsarc.dates import parse_span

    today = date(2024, 5, 15)
    assert parse_span("last month", today=today) == (date(2024, 4, 1), date(2024, 4, 30))
    assert parse_span("april", today=today) == (date(2024, 4, 1), date(2024, 4, 30))
    assert parse_span("June", today=today) == (date(2023, 6, 1), date(2023, 6, 30))
    assert parse_span("2023", today=today) == (date(2023, 1, 1), date(2023, 12, 31))
    assert parse_span("last week", today=today) == (date(2024, 5, 6), date(2024, 5, 12))
    assert parse_span("yesterday", today=today) == (date(2024, 5, 14), date(2024, 5, 14))
    assert parse_when("april", today=today) == date(2024, 4, 1)
