"""`list`, `search`, `show`, `tag` and `tags` through the real CLI, in every output format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Newsarc

FEED = """\
Premier Li Qiang (李強) met Tesla Inc chief executive Elon Musk in Beijing yesterday to discuss self-driving software approvals, state media reported.
Li said foreign carmakers were welcome to expand research in China, according to the official account of the meeting.
Photo: Reuters
Tesla did not comment on whether data transfer rules were raised during the talks.
TRADE TALKS: Officials from both sides met for a third round Exporters of machine tools said on Friday that new export curbs on precision bearings had delayed shipments worth about US$40 million, and that customers in Europe had started to look for other suppliers while the rules
Harbor Semiconductor Corp (海港半導體) chief executive Lena Ortiz said the company would double output of its AT&T-certified modem chips by next year, as demand from network operators recovered faster than expected after a weak first quarter and inventories at customers fell back to normal levels, she told
City officials in Kaohsiung opened a new light-rail extension on Sunday, adding four stations along the harbor and closing a loop that planners first proposed more than a decade ago, although ridership targets were cut after delays pushed the budget up by a third and the contractor
"""


@pytest.fixture
def filled(newsarc: Newsarc, tmp_path: Path) -> Newsarc:
    feed = tmp_path / "2024-04-29-feed.txt"
    feed.write_text(FEED, encoding="utf-8")
    result = newsarc("ingest", str(feed))
    assert result.exit_code == 0, result.stderr
    assert "4 stories found" in result.stderr
    return newsarc


def ids(result_stdout: str) -> list[int]:
    return [int(x) for x in result_stdout.split()]


def test_list_tsv_when_piped(filled: Newsarc) -> None:
    result = filled("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    cells = lines[0].split("\t")
    assert cells[0].isdigit() and cells[1] == "2024-04-29"
    assert cells[2] == "2024-04-29-feed.txt"
    assert [line.split("\t")[0] for line in lines] == ["4", "3", "2", "1"], "newest first"


def test_list_formats(filled: Newsarc) -> None:
    as_json = json.loads(filled("list", "--format", "json").stdout)
    assert len(as_json) == 4 and {"text", "mentions", "feed_date", "tags"} <= set(as_json[0])
    lines = filled("list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in as_json]
    rows = list(csv.reader(io.StringIO(filled("list", "--format", "csv").stdout)))
    assert rows[0] == ["id", "feed_date", "source", "kind", "tags", "title"]
    assert len(rows) == 5
    assert ids(filled("list", "--format", "ids").stdout) == [4, 3, 2, 1]
    table = filled("list", "--format", "table")
    assert "id" in table.stdout and "\x1b[" not in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 100
    assert filled("list", "--format", "yaml").exit_code == 2


def test_list_filters(filled: Newsarc) -> None:
    assert ids(filled("list", "--kind", "teaser", "--format", "ids").stdout) == [4, 3, 2]
    assert ids(filled("list", "--since", "2024-04-29", "--format", "ids").stdout) == [4, 3, 2, 1]
    assert filled("list", "--until", "2024-04-28", "--format", "ids").stdout == ""
    assert ids(filled("list", "--limit", "2", "--format", "ids").stdout) == [4, 3]
    bad = filled("list", "--since", "the twelfth of never")
    assert bad.exit_code == 2 and "twelfth of never" in bad.stderr
    assert filled("list", "--kind", "opinion").exit_code == 2


def test_search_ranks_and_snippets(filled: Newsarc) -> None:
    result = filled("search", "export curbs", "--format", "jsonl")
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert [h["id"] for h in hits] == [2]
    assert "export" in hits[0]["snippet"] and "\ue000" not in hits[0]["snippet"]
    tsv = filled("search", "Tesla").stdout.splitlines()
    assert [int(line.split("\t")[0]) for line in tsv] == [1]
    assert filled("search", "zeppelin").stdout == ""
    assert filled("search", "zeppelin").exit_code == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("李強", [1]),
        ("Li Qiang", [1]),
        ("李強 Tesla", [1]),
        ("海港半導體", [3]),
        ("半導", [3]),
        ("李明", []),
        ('"export curbs"', [2]),
        ('"curbs export"', []),
        ("Tesla -Beijing", []),
        ("light-rail OR bearings", [2, 4]),
        ("Kaohs*", [4]),
        ("AT&T", [3]),
    ],
)
def test_search_language(filled: Newsarc, query: str, expected: list[int]) -> None:
    result = filled("search", query, "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert sorted(ids(result.stdout)) == expected


def test_raw_search(filled: Newsarc) -> None:
    assert ids(filled("search", "--raw", "NEAR(bearings shipments, 12)", "-f", "ids").stdout) == [2]
    bad = filled("search", "--raw", "AND AND (")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("newsarc: error: invalid search query")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(min_size=0, max_size=80))
def test_any_query_runs(filled: Newsarc, query: str) -> None:
    if query.startswith("-") and len(query) > 1:
        query = " " + query  # a leading dash would be read as an option by any CLI
    result = filled("search", query, "--format", "ids")
    assert result.exit_code == 0, result.stderr


def test_hostile_queries(filled: Newsarc) -> None:
    for query in [
        "'; DROP TABLE stories; --",
        "NEAR(",
        '"unbalanced',
        "C++",
        "(",
        "^",
        ":",
        "x" * 10000,
        "🚀",
    ]:
        assert filled("search", query).exit_code == 0
    assert len(ids(filled("list", "-f", "ids").stdout)) == 4


def test_show(filled: Newsarc) -> None:
    result = filled("show", "1")
    assert result.exit_code == 0
    assert "id: 1" in result.stdout and "caption: Photo: Reuters" in result.stdout
    assert "alias: Li Qiang = 李強" in result.stdout
    assert result.stdout.rstrip().endswith("raised during the talks.")
    kicker = filled("show", "2").stdout
    assert "kicker: TRADE TALKS" in kicker
    data = json.loads(filled("show", "2", "--format", "json").stdout)
    assert data[0]["kicker"] == "TRADE TALKS"
    missing = filled("show", "99")
    assert missing.exit_code == 3 and "99" in missing.stderr


def test_tag_and_tags(filled: Newsarc) -> None:
    assert filled("tag", "1", "2", "--add", "China").exit_code == 0
    assert filled("tag", "2", "--add", " china ").exit_code == 0, "same tag, other case"
    assert filled("tags").stdout == "China\t2\n"
    assert ids(filled("list", "--tag", "CHINA", "-f", "ids").stdout) == [2, 1]
    assert filled("tag", "1", "--remove", "china").exit_code == 0
    assert filled("tags", "-f", "jsonl").stdout == '{"tag": "China", "stories": 1}\n'
    assert filled("tags", "rename", "China", "asia").exit_code == 0
    assert filled("tags").stdout == "asia\t1\n"
    assert filled("tags", "delete", "asia").exit_code == 0
    assert filled("tags").stdout == ""
    assert filled("tags", "delete", "asia").exit_code == 3
    assert filled("tag", "99", "--add", "x").exit_code == 3
    assert filled("tag", "1").exit_code == 2


def test_ids_from_stdin_in_every_listing_format(filled: Newsarc) -> None:
    for fmt in ("ids", "tsv", "csv", "json", "jsonl"):
        listing = filled("search", "Tesla OR bearings", "--format", fmt).stdout
        result = filled("tag", "-", "--add", f"via-{fmt}", input=listing)
        assert result.exit_code == 0, (fmt, result.stderr)
        tagged = filled("list", "--tag", f"via-{fmt}", "-f", "ids").stdout
        assert sorted(ids(tagged)) == [1, 2], fmt
    piped = filled("show", "-", input=filled("list", "--kind", "full").stdout)
    assert piped.stdout.startswith("id: 1\n")


def test_hostile_text_is_inert_on_terminal(newsarc: Newsarc, tmp_path: Path) -> None:
    feed = tmp_path / "evil.txt"
    feed.write_text(
        "Hackers planted \x1b]0;pwned\x07 and \x1b[31mred[/] [bold red]markup[/bold red] in a "
        "story that mentions Tesla and \u202eevil reversed text in one line today.\n",
        encoding="utf-8",
    )
    assert newsarc("ingest", str(feed)).exit_code == 0
    table = newsarc("list", "--format", "table").stdout
    assert "\x1b" not in table and "\u202e" not in table
    assert "␛" in table and "markup[/bold red]" in table
    shown = newsarc("show", "1", "--format", "table").stdout
    assert "\x1b" not in shown and "markup[/bold red]" in shown
    raw = json.loads(newsarc("show", "1", "--format", "json").stdout)
    assert "\x1b]0;pwned\x07" in raw[0]["text"], "JSON keeps the exact text"
    tsv = newsarc("list", "--format", "tsv").stdout
    assert tsv.count("\n") == 1 and "\x1b" not in tsv


def test_usage_errors_are_one_line_exit_2(filled: Newsarc) -> None:
    for args in (["list", "--bogus"], ["show"], ["search"], ["list", "--limit", "x"]):
        result = filled(*args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("newsarc: error:"), args
        assert result.stderr.count("\n") == 1, args
        assert "Traceback" not in result.stderr


def test_version(newsarc: Newsarc) -> None:
    from newsarc import __version__

    result = newsarc("--version")
    assert result.exit_code == 0
    assert result.stdout == f"newsarc {__version__}\n"


def test_review_fixes(filled: Newsarc, db: Path, tmp_path: Path) -> None:
    for raw in ("*", "NEAR(a b, x)"):
        bad = filled("search", "--raw", raw)
        assert bad.exit_code == 2, (raw, bad.stderr)
        assert bad.stderr.startswith("newsarc: error: invalid search query")
    partial = filled("show", "1", "999", "--format", "json")
    assert partial.exit_code == 3 and partial.stdout == "", "no half a JSON document"
    assert filled("ingest", str(db), "--format", "json").exit_code == 2
    assert filled("ingest", str(db), "--tag", " ").exit_code == 2
    evil = filled("show", "\x1b[31m1")
    assert "\x1b" not in evil.stderr and evil.exit_code == 2


def test_empty_file_is_not_an_archive_for_readers(newsarc: Newsarc, db: Path) -> None:
    db.write_bytes(b"")
    result = newsarc("list")
    assert result.exit_code == 3 and "no archive" in result.stderr
    assert db.read_bytes() == b"", "a read does not write"


def test_foreign_database_with_a_version_is_refused(newsarc: Newsarc, db: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (x)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    result = newsarc("list")
    assert result.exit_code == 1 and "not a newsarc archive" in result.stderr


def _many_teasers(n: int) -> str:
    """n one-line teasers, each naming the harbour only after its opening, cut off."""
    lines = []
    for i in range(n):
        lines.append(
            f"Council member Avery Number{i} said on Friday that the district would repave "
            f"{i + 3} streets this year. Residents had asked for the work since the spring floods. "
            "Contractors said the schedule was tight but possible with two crews working at "
            "night and at weekends. Shops along the route said they would stay open. The last "
            f"stretch runs down to the old harbour wall, where crews will start in week {i % 7} "
            "and finish before the ferry season, the council said, adding that the budget had"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("candidates", [1000, 55])  # all matches ranked; more than candidates
@pytest.mark.parametrize("limit", [None, "52", "80"])
def test_every_hit_gets_its_own_snippet_on_every_page(
    newsarc: Newsarc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    candidates: int, limit: str | None,
) -> None:
    # More hits than one page of snippets (50), in both ways _ranked can order them.
    monkeypatch.setattr("newsarc.store.CANDIDATES", candidates)
    feed = tmp_path / "2024-05-02-council.txt"
    feed.write_text(_many_teasers(120), encoding="utf-8")
    assert "120 stories found" in newsarc("ingest", str(feed)).stderr
    args = ["search", "harbour", "--format", "jsonl"] + (["--limit", limit] if limit else [])
    hits = [json.loads(line) for line in newsarc(*args).stdout.splitlines()]
    assert len(hits) == (int(limit) if limit else 120), "a limit above the candidates too"
    assert len({h["id"] for h in hits}) == len(hits)
    for hit in hits:
        # The snippet is the story's own passage around the match, not its opening.
        assert "harbour" in hit["snippet"], hit["snippet"]
        assert hit["snippet"] in hit["text"].replace("\n", " ") or "…" in hit["snippet"]
        assert f"week {(int(hit['title'].split('Number')[1].split()[0])) % 7}" in hit["snippet"]
