"""Days: the feed date a user types, dates in file names, and the days a story speaks of.

Finding a story's dates must keep up with ingest, so it never runs dateparser: one fast scan
finds anchor words (month and weekday names, years, "yesterday", "week", "ago", 年/月/日 ...),
and small regular expressions read the words just before and after each anchor. dateparser is
only the fallback of `parse_when`, imported inside it, so start-up never pays for it.

How phrases resolve against the feed date:

- A weekday alone or with "on" ("on Friday", "Friday's") is the most recent such day before the
  feed date, or the feed date itself when it is that weekday (wire copy filed on a Monday says
  "on Monday" for that day). When its clause says the event is still to come ("will", "is due",
  "ahead of", "ends on", "by Friday", 將), it is the next such day instead.
- "last Friday" is the most recent Friday strictly before the feed date, "next Friday" the first
  one strictly after it, "this Friday" the one in the feed date's Monday-to-Sunday week; 上週五,
  本週五, 下週五 are the Friday of the previous, the same and the next Monday-to-Sunday week.
- A day or a month without a year ("April 28", "in March") falls in the year that puts it at
  most about two months after the feed date, otherwise in the past; a "will" clause moves it to
  its next occurrence.
- A numeric date whose first two parts could both be the month (04/05/2024) is read the way
  that lands nearer the feed date, and as day/month when both are equally near.
- Ranges: "last week" is Monday to Sunday of the previous week, "this month" the calendar
  month, "in 2019" the calendar year, "earlier this month" the first of the month to the feed
  date, "over the weekend" the last Saturday and Sunday.
- "a year ago", "two days ago", 三天前 are single days.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from newsarc.errors import UsageError
from newsarc.models import Mention

__all__ = ["date_from_filename", "extract_mentions", "parse_when"]

# ---------------------------------------------------------------------------------------------
# Vocabulary

_MONTH_NUMBERS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAY_NUMBERS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2,
}  # fmt: skip
_CN_DIGITS: dict[str, int] = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
    "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_NUMERALS = frozenset("〇零一二三四五六七八九十廿兩两")
_CN_WEEKDAYS: dict[str, int] = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
}  # fmt: skip
_SHIFTS: dict[str, int] = {"last": -1, "this": 0, "next": 1}

_MONTH_FULL = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_MONTH_ANY = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b|(?:Sept|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:\.|\b))"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?:19|20)\d\d"
# The end of a day of the month: not part of a larger number, a time, a decimal or a quantity.
_DAY_END = (
    r"(?:st|nd|rd|th)?\b(?![.,:/]?\d|-\d{3}|%|\s*(?:percent|per\s+cent|million|billion|trillion"
    r"|thousand|hundred|am|pm|a\.m\.|p\.m\.|km|miles|kg|tons?|tonnes|people|points?)\b)"
)
_YEAR_END = r"(?![.,/:-]?\d|s\b|\w|%)"
_UNIT_AFTER_YEAR = re.compile(
    r"\s*(?:percent|per\s+cent|people|units|cars|homes|members|workers|jobs|troops)\b"
)

# The scan. Every alternative starts with a literal, so the regex engine skips ahead on its
# first character instead of trying every position (about a hundred times faster).
_MONTH_WORDS = (
    "Jan(?:uary)? Feb(?:ruary)? Mar(?:ch)? Apr(?:il)? May June? July? Aug(?:ust)?"
    " Sep(?:t|tember)? Oct(?:ober)? Nov(?:ember)? Dec(?:ember)?"
)
# (pattern, reader, characters from the anchor back to the start of its word)
_ANCHORS: list[tuple[str, str, int]] = [
    *((word + r"\b", "month", 0) for word in _MONTH_WORDS.split()),
    *((day + r"day\b", "weekday", 0) for day in "Mon Tues Wednes Thurs Fri Satur Sun".split()),
    (r"19\d\d(?!\d)", "year", 0),
    (r"20\d\d(?!\d)", "year", 0),
    (r"y(?<=[Tt]oday)", "relative", 4),
    (r"y(?<=[Yy]esterday)", "relative", 8),
    (r"w(?<=[Tt]omorrow)", "relative", 7),
    (r"g(?<=[Tt]onig)", "relative", 4),
    (r"g(?<=[Ll]ast nig)", "unit", 2),
    (r"g(?<=[Tt]his morning)", "unit", 6),
    (r"g(?<=[Tt]his evening)", "unit", 6),
    (r"week(?:(?<=[Ll]ast week|[Tt]his week|[Nn]ext week)|(?<=the week)(?=end))", "unit", 0),
    (r"month(?<=[Ll]ast month|[Tt]his month|[Nn]ext month)", "unit", 0),
    (r"year(?<=[Ll]ast year|[Tt]his year|[Nn]ext year)", "unit", 0),
    (r"g(?=o\b)(?<=[sryhke] ag)", "ago", 1),
    *((char, "cjk", 0) for char in "年月日天週周星禮礼今昨明前後后去本這这上下"),
]
# The scan. Every alternative starts with a literal character (checks that need the words
# around it come after), so the regex engine skips straight to the few places worth a look
# instead of trying each alternative at every position. The empty group names the alternative.
# ("this afternoon" has no rare letter to anchor on and is left out: it would cost a tenth.)
_ANCHOR_RE = re.compile("|".join(pattern + "()" for pattern, _, _ in _ANCHORS))
_ANCHOR_READERS = [(reader, back) for _, reader, back in _ANCHORS]
# Without the CJK characters the engine can test each position against a small bitmap; the
# CJK alternatives come last, so a match's group number means the same in both.
_ANCHOR_RE_ASCII = re.compile(
    "|".join(pattern + "()" for pattern, reader, _ in _ANCHORS if reader != "cjk")
)

_MONTH_AFTER = re.compile(
    r"\b(?P<m>" + _MONTH_ANY + r")"
    r"(?:\s?(?P<d>[0-3]?\d)" + _DAY_END + r"(?:[-–](?P<e>[0-3]?\d)\b(?![.,:/-]?\d))?)?"
    r"(?:,?\s+(?:of\s+)?(?P<y>" + _YEAR + r")" + _YEAR_END + r")?"
    r"(?:,?\s+(?:of\s+)?(?P<r>last|this|next)\s+year\b)?"
)
_MAY_AS_NAME = re.compile(
    r"\s+(?:[a-z]+ed|said|says|told|was|is|will|would|has|had|won|lost|met|became|took|made"
    r"|gave|spoke|who)\b"
)
_WEEKDAY_AFTER = re.compile(
    r"\b(?P<n>" + _WEEKDAY + r")\b(?!-\w)(?:\s+(?P<w>last|next|this)\s+week\b)?"
)
_WEEKDAY_NAME_AFTER = re.compile(
    r"\s*(?:Times|Telegraph|Post|Express|Mirror|Herald|Mail|Independent|Morning\s+Post"
    r"|Agreement|[Ss]chool|(?:through|to|[-–])\s*" + _WEEKDAY + r")\b"
)
_ISO_AFTER = re.compile(
    r"(?P<y>" + _YEAR + r")(?P<s>[-/.])(?P<m>[01]?\d)(?P=s)(?P<d>[0-3]?\d)(?!\d|[-/.]\d)"
)
_REL_AFTER = re.compile(r"\b(?:[Yy]esterday|[Tt]oday|[Tt]omorrow|[Tt]onight)\b")
_UNIT_AFTER = re.compile(r"(?P<u>week(?:end)?|month|year|morning|evening|night)\b(?!-\w)")


def _back(words: str) -> str:
    """An alternation of |-separated words and phrases spelled backwards, longest first."""
    phrases = [r"\s+".join(word[::-1] for word in reversed(p.split())) for p in words.split("|")]
    return "|".join(sorted(phrases, key=len, reverse=True))


# The words before an anchor are read right to left: each pattern below is matched against the
# reversed text just before the anchor, so it is tried once instead of at every position.
_MONTH_BEFORE = re.compile(
    r"\s+(?:fo\s+)?(?P<d>(?:ts|dn|dr|ht)?\d[0-3]?)(?![\d.,:/$-])"
    r"|\s+(?P<p>(?i:"
    + _back(
        "the end of|end of|the beginning of|beginning of|the start of|start of|the middle of"
        "|middle of|the month of|month of|the first half of|first half of|the second half of"
        "|second half of|the rest of|rest of|in|since|by|until|till|through|from|during|before"
        "|after|of|early|mid|late|last|this|next|between"
    )
    + r"))\b|(?P<h>-(?i:dim|dne))\b"
)
_WEEKDAY_BEFORE = re.compile(
    r"\s+(?P<p>(?i:no(?:\s+(?:ylrae|etal))?|"
    + _back("last|next|this|by|early|late|since|until|from|before|after")
    + r"))\b"
)
# Words before a weekday that make it a name, a habit or a day of someone else's narrative.
_WEEKDAY_NAME_BEFORE = re.compile(
    r"\s+(?:"
    + _back(
        "Good|Black|Cyber|Super|Bloody|Easter|Palm|Ash|Holy|Maundy|Ruby|Giving|Fox News|Mail on"
        "|every|Every|each|Each|that|That|previous|Previous|following|Following|same|Same|the"
        "|The|a"
    )
    + r")\b"
)
_NUMERIC_BEFORE = re.compile(r"(?P<s>[-/.])(?P<b>\d[0-3]?)(?P=s)(?P<a>\d[0-3]?)(?![\d.,/-])")
_YEAR_BEFORE = re.compile(
    r"(?:\s+(?P<p>(?i:"
    + _back(
        "in|since|by|until|till|through|during|before|after|from|of|early|late|fiscal|between"
        "|mid|and|or|to"
    )
    + r"))|-(?i:dim))\b"
)
_REL_BEFORE = re.compile(
    r"\s+(?:(?P<dd>(?i:erofeb|retfa)\s+(?i:yad\s+eht))|(?i:"
    + _back("late|early|earlier|later")
    + r"))\b"
)
_TODAY_NAME_BEFORE = re.compile(
    r"\s+(?:(?:" + _back("USA|China|Russia|India|Psychology|NBC's|NBC’s") + r")\b|[a-z,])"
)
_UNIT_BEFORE = re.compile(
    r"\s+(?:(?P<w>(?i:tsal|siht|txen))(?:\s+(?P<q>(?i:"
    + _back("earlier|later|early|late|mid")
    + r")))?|(?P<o>(?i:eht\s+(?:revo|ta|gnirud))))\b"
    r"(?P<the>\s+(?i:eht)\b)?"
)
_AGO_BEFORE = re.compile(
    r"\s+s?(?P<u>(?i:yad|keew|htnom|raey|edaced))\s+(?P<n>\d{1,3}(?![\d,.])|(?i:"
    + _back(
        "a couple of|an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
        "|fifteen|twenty|thirty|forty|fifty"
    )
    + r")\b)"
)
_CNUM = r"(?:\d{1,2}|[一二三四五六七八九十廿兩两]{1,3})"
_CYEAR = r"(?:\d{4}|[〇零一二三四五六七八九]{4})"
_CJK_RE = re.compile(
    "|".join(
        [
            # 2024年4月28日 / 4月28日 / 4月 / 2024年4月
            r"(?P<zf>(?<![\d〇零一二三四五六七八九])(?:(?P<zf_y>"
            + _CYEAR
            + r")年)?(?P<zf_m>"
            + _CNUM
            + r")月(?:(?P<zf_d>"
            + _CNUM
            + r")[日號号])?(?![\d份個个天])"
            r"|(?<!\d)(?P<zf_yo>" + _YEAR + r")年(?![代\d]))",
            # 28日: a day of the feed's month
            r"(?P<zd>(?<![\d月.])(?P<zd_d>[0-3]?\d)日(?![內内遊游後后間间]|以[內内]))",
            # 週五 / 上週五 / 本週五 / 下星期一
            r"(?P<zw>(?<!每)(?P<zw_p>[上下本這这]?)(?:個|个)?(?:週|周|星期|禮拜|礼拜)"
            r"(?P<zw_d>[一二三四五六日天])(?![年刊報报末]))",
            # 昨天 / 上個月 / 今年 ...
            r"(?P<zr>大前天|前天|昨天|昨日|昨晚|昨晨|昨夜|今天|今日(?!頭條|头条)|今晨|今早|今晚|明天"
            r"|明日|後天|后天|今年|去年|明年|前年|本月|這個月|这个月|上個月|上个月|上月|下個月|下个月"
            r"|下月|本週|本周|這週|这周|上週|上周|上星期|上禮拜|上礼拜|下週|下周|下星期|下禮拜|下礼拜)",
            # 三天前 / 一年前 / 兩週前
            r"(?P<zago>(?<![\d一二三四五六七八九十])(?P<zago_n>\d{1,3}|[一二三四五六七八九十兩两]{1,3})"
            r"(?P<zago_u>天|日|週|周|個月|个月|年)前)",
        ]
    )
)
# Words in the clause before a date that say it is still to come. Checked as a set of words
# rather than one big regular expression: this runs for most weekdays and months.
_CUE_WORDS = frozenset(
    "will shall won't wont upcoming begins begin ends starts opens closes resumes resume expires"
    " scheduled slated".split()
)
_CUE_PAIRS = frozenset(
    tuple(pair.split())
    for pair in (
        "is to|are to|is due|are due|due on|due for|is set|are set|set for|is expected|are expected"
        "|going to|ahead of|plans to|plan to|intends to|intend to|kicks off|kick off|takes place"
        "|take place|planned for"
    ).split("|")
)
_CUE_CJK = ("將", "将", "預計", "预计", "擬", "拟", "定於", "定于", "計劃", "计划", "計畫")
_CUE_LAST = frozenset("due set planned".split())
_PAST_WORDS = frozenset("was were had did".split())
_CLAUSE_BREAK_BACK = re.compile(r"[.!?;:\"“”「」。，！？；,\n]")
_REPORTING_WORDS = frozenset("said says told added".split())
_FAMOUS_DAYS: dict[tuple[int, int], int] = {(9, 11): 2001, (1, 6): 2021, (10, 7): 2023}
_FAMOUS_AFTER = re.compile(r",?\s+(?:\d{4}\s+)?(?:attacks?|riots?|insurrection|massacre)\b")
_JOINABLE_GAP = re.compile(r"[\s,(]{1,3}")
_ENDS_WITH_WEEKDAY = re.compile(_WEEKDAY + r"\Z")

# ---------------------------------------------------------------------------------------------
# Calendar arithmetic


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _add_years(day: date, years: int) -> date:
    return _add_months(day, 12 * years)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not (1 <= month <= 12) or not (1 <= day <= 31) or not (1 <= year <= 9999):
        return None
    if day > calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _nearest_year(month: int, day: int, feed: date, future: bool, future_days: int) -> date | None:
    """The month-day nearest the feed date, preferring the past beyond `future_days` ahead."""
    candidates = [
        d for y in (feed.year - 1, feed.year, feed.year + 1) if (d := _safe_date(y, month, day))
    ]
    if not candidates:
        return None
    if future:  # "will be held on Jan. 28": the next one, unless that is half a year away
        ahead = [d for d in candidates if feed <= d <= feed + timedelta(days=183)]
        if ahead:
            return min(ahead)

    def cost(d: date) -> int:
        delta = (d - feed).days
        if delta <= 0:
            return -delta
        return delta if delta <= future_days else delta * 6 + 10_000

    return min(candidates, key=cost)


def _nearest_month(month: int, feed: date, future: bool, future_months: int) -> tuple[date, date]:
    ahead = (month - feed.month) % 12
    if ahead == 0:
        year = feed.year
    elif ahead <= (8 if future else future_months):
        year = feed.year + (1 if month < feed.month else 0)
    else:
        year = feed.year - (1 if month > feed.month else 0)
    return date(year, month, 1), _month_end(year, month)


def _weekday_near(weekday: int, feed: date, how: str, future: bool) -> date:
    """Resolve a weekday name; `how` is "", "last", "next" or "this"."""
    back = (feed.weekday() - weekday) % 7
    if how == "last":
        return feed - timedelta(days=back or 7)
    if how == "next":
        return feed + timedelta(days=(weekday - feed.weekday()) % 7 or 7)
    if how == "this":
        return _week_start(feed) + timedelta(days=weekday)
    if future:
        return feed + timedelta(days=(weekday - feed.weekday()) % 7)
    return feed - timedelta(days=back)


def _span(unit: str, shift: int, feed: date) -> tuple[date, date]:
    """The calendar week, month or year `shift` units away from the feed date's."""
    if unit == "week":
        start = _week_start(feed) + timedelta(days=7 * shift)
        return start, start + timedelta(days=6)
    if unit == "month":
        start = _add_months(feed.replace(day=1), shift)
        return start, _month_end(start.year, start.month)
    year = feed.year + shift
    return date(year, 1, 1), date(year, 12, 31)


def _weekend(feed: date, how: str, future: bool) -> tuple[date, date]:
    saturday = _week_start(feed) + timedelta(days=5)
    weekday = feed.weekday()
    if how == "next":
        start = saturday + timedelta(days=7 if weekday >= 5 else 0)
    elif how == "this" or (future and weekday < 5) or weekday >= 5 and how != "last":
        start = saturday
    else:  # last, or "over the weekend" told after it
        start = saturday - timedelta(days=7)
    return start, start + timedelta(days=1)


def _cn_int(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" not in text and "廿" not in text:
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    text = text.replace("廿", "二十")
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _clause_before(text: str, start: int) -> list[str]:
    """The words of the clause leading up to `start` (at most 90 characters), lower case."""
    back = text[max(0, start - 90) : start][::-1]
    cut = _CLAUSE_BREAK_BACK.search(back)
    words = (back[: cut.start()] if cut else back)[::-1].lower().split()
    for i in range(len(words) - 1, -1, -1):
        if words[i] in _REPORTING_WORDS:  # "he said on Friday": the clause starts after "said"
            return words[i + 1 :]
    return words


def _is_future(text: str, start: int) -> bool:
    """Whether the clause leading up to `start` speaks of something still to come."""
    words = _clause_before(text, start)
    if not words:
        return False
    if words[-1] in _CUE_LAST or not _CUE_WORDS.isdisjoint(words):
        return True  # "data due on Friday", "the vote set for Sunday"
    if not _CUE_PAIRS.isdisjoint(zip(words, words[1:], strict=False)):
        return True
    if any(w.endswith(("'ll", "’ll")) for w in words):
        return True
    return any(cue in w for w in words if not w.isascii() for cue in _CUE_CJK)


def _is_past(words: list[str]) -> bool:
    return any(w in _PAST_WORDS or (len(w) > 4 and w.endswith("ed")) for w in words)


# ---------------------------------------------------------------------------------------------
# Reading the words around one anchor. Each reader returns (start, end, first day, last day).

_Found = tuple[int, int, date, date] | None


class _Reader:
    """The text being read, its feed date and how far ahead a year-less date may reach."""

    __slots__ = ("feed", "future_days", "text")

    def __init__(self, text: str, feed: date, future_days: int) -> None:
        self.text = text
        self.feed = feed
        self.future_days = future_days

    def back(self, pattern: re.Pattern[str], at: int, floor: int) -> re.Match[str] | None:
        """Read the words just before `at` (not before `floor`) with a backwards pattern."""
        return pattern.match(self.text[max(floor, at - 48) : at][::-1])

    def month(self, at: int, floor: int) -> _Found:
        text, feed = self.text, self.feed
        m = _MONTH_AFTER.match(text, at)
        if m is None:
            return None
        month = _MONTH_NUMBERS[m["m"].rstrip(".").lower()]
        b = self.back(_MONTH_BEFORE, at, floor)
        year = int(m["y"]) if m["y"] else None
        if year is None and m["r"]:
            year = feed.year + _SHIFTS[m["r"]]
        if m["d"] is not None or (b is not None and b["d"] is not None):
            if m["d"] is not None:
                start, day = at, int(m["d"])
            else:
                assert b is not None
                start, day = at - b.end(), int(b["d"][::-1].rstrip("stndrh"))
            if year is None and (month, day) in _FAMOUS_DAYS and _FAMOUS_AFTER.match(text, m.end()):
                year = _FAMOUS_DAYS[(month, day)]
            if year is None:
                first = _nearest_year(month, day, feed, _is_future(text, start), self.future_days)
            else:
                first = _safe_date(year, month, day)
            if first is None:
                return None
            last = first
            if m["e"]:
                last = _safe_date(first.year, month, int(m["e"])) or first
                if last <= first:
                    return None
            return start, m.end(), first, last
        start = at - b.end() if b is not None else at
        if m["y"]:
            assert year is not None
            return start, m.end(), *_month_span(year, month)
        if not _MONTH_FULL_RE.fullmatch(m["m"]):
            return None
        if year is not None:  # September last year
            return start, m.end(), *_month_span(year, month)
        if b is None:
            return None
        if month == 5 and _MAY_AS_NAME.match(text, m.end()):
            return None
        prep = (b["p"] or "mid")[::-1].split()[0].lower()
        if prep == "last":
            return start, m.end(), *_month_span(feed.year - (month >= feed.month), month)
        if prep == "next":
            return start, m.end(), *_month_span(feed.year + (month <= feed.month), month)
        if prep == "this":
            return start, m.end(), *_month_span(feed.year, month)
        future = _is_future(text, start)
        return start, m.end(), *_nearest_month(month, feed, future, 2 if self.future_days else 0)

    def weekday(self, at: int, floor: int) -> _Found:
        text, feed = self.text, self.feed
        m = _WEEKDAY_AFTER.match(text, at)
        if m is None:
            return None
        if self.back(_WEEKDAY_NAME_BEFORE, at, 0) or _WEEKDAY_NAME_AFTER.match(text, m.end("n")):
            return None
        weekday = _WEEKDAY_NUMBERS[m["n"].lower()]
        b = self.back(_WEEKDAY_BEFORE, at, floor)
        start = at - b.end() if b else at
        words = b["p"][::-1].lower().split() if b else []
        if m["w"]:
            day = _week_start(feed) + timedelta(days=7 * _SHIFTS[m["w"]] + weekday)
            return start, m.end(), day, day
        how = words[0] if words and words[0] in _SHIFTS else ""
        if words[-1:] == ["by"]:  # "must reply by Friday", but "was over by Friday"
            future = not _is_past(_clause_before(text, start))
        else:
            future = _is_future(text, start)
        day = _weekday_near(weekday, feed, how, future)
        return start, m.end(), day, day

    def year(self, at: int, floor: int) -> _Found:
        text = self.text
        end = at + 4
        if end < len(text) and text[end] == "年":
            return self.cjk(at, floor)
        if at > 0 and (text[at - 1].isalnum() or text[at - 1] == "_"):
            return None
        iso = _ISO_AFTER.match(text, at)
        if iso is not None:
            if at > 0 and text[at - 1] in ".,/-":
                return None
            day = _safe_date(int(iso["y"]), int(iso["m"]), int(iso["d"]))
            return (at, iso.end(), day, day) if day else None
        year = int(text[at:end])
        numeric = self.back(_NUMERIC_BEFORE, at, floor)
        if numeric is not None:
            if _DIGITS_GO_ON.match(text, end):
                return None
            a, b = int(numeric["a"][::-1]), int(numeric["b"][::-1])
            day = _numeric_day(a, b, year, self.feed)
            return (at - numeric.end(), end, day, day) if day else None
        if _YEAR_GOES_ON.match(text, end) or _UNIT_AFTER_YEAR.match(text, end):
            return None
        prep = self.back(_YEAR_BEFORE, at, floor)
        if prep is None:
            return None
        if prep["p"] and prep["p"].lower() in ("dna", "ro", "ot") and at - prep.end() > floor + 2:
            return None  # "and 2021" only continues a list of years: "in 2019 and 2021"
        return at - prep.end(), end, date(year, 1, 1), date(year, 12, 31)

    def relative(self, at: int, floor: int) -> _Found:
        text, feed = self.text, self.feed
        m = _REL_AFTER.match(text, at)
        if m is None:
            return None
        word = m.group(0).lower()
        b = self.back(_REL_BEFORE, at, floor)
        if b is not None and b["dd"]:
            two_back = b["dd"].lower().startswith("erofeb")
            if word == ("yesterday" if two_back else "tomorrow"):
                day = feed + timedelta(days=-2 if two_back else 2)
                return at - b.end(), m.end(), day, day
            b = None
        if word == "today" and b is None and text[at] == "T":
            if self.back(_TODAY_NAME_BEFORE, at, 0):
                return None  # USA Today, NBC's Today show: a name in mid-sentence
        day = feed + timedelta(days=_REL_DAYS[word])
        return (at - b.end() if b else at), m.end(), day, day

    def unit(self, at: int, floor: int) -> _Found:
        text, feed = self.text, self.feed
        m = _UNIT_AFTER.match(text, at)
        if m is None or (at > 0 and text[at - 1].isalnum()):
            return None
        b = self.back(_UNIT_BEFORE, at, floor)
        if b is None:
            return None
        unit = m["u"]
        start = at - b.start("the") if b["the"] else at - b.end()
        if unit == "weekend":
            how = (b["w"] or b["o"])[::-1].split()[0].lower()
            future = how in ("over", "at", "during") and _is_future(text, start)
            return start, m.end(), *_weekend(feed, how, future)
        if b["w"] is None or b["the"]:
            return None  # "over the last year" is a duration, not a calendar year
        which = b["w"][::-1].lower()
        if unit in ("morning", "evening", "night"):
            if which == "next" or (which == "last" and unit != "night"):
                return None
            day = feed - timedelta(days=1) if which == "last" else feed
            return start, m.end(), day, day
        shift = _SHIFTS[which]
        first, last = _span(unit, shift, feed)
        qualifier = (b["q"] or "")[::-1].lower()
        if shift == 0 and qualifier == "earlier":
            last = max(first, min(last, feed))
        elif shift == 0 and qualifier == "later":
            first = min(last, max(first, feed))
        return start, m.end(), first, last

    def ago(self, at: int, floor: int) -> _Found:
        feed = self.feed
        b = self.back(_AGO_BEFORE, at, floor)
        if b is None:
            return None
        words = " ".join(b["n"][::-1].lower().split())
        n = int(words) if words.isdigit() else _NUMBER_WORDS[words]
        unit = b["u"][::-1].lower()
        if unit == "day":
            day = feed - timedelta(days=n)
        elif unit == "week":
            day = feed - timedelta(days=7 * n)
        elif unit == "month":
            day = _add_months(feed, -n)
        else:
            years = n * (10 if unit == "decade" else 1)
            if years >= feed.year:
                return None
            day = _add_years(feed, -years)
        return at - b.end(), at + 3, day, day

    def cjk(self, at: int, floor: int) -> _Found:
        text = self.text
        start = at
        while start > max(floor, at - 8) and (
            text[start - 1].isdigit() or text[start - 1] in _CN_NUMERALS
        ):
            start -= 1
        m = _CJK_RE.match(text, start)
        if m is None and start != at:
            m = _CJK_RE.match(text, at)
        if m is None:
            return None
        try:
            found = self.resolve_cjk(m)
        except (KeyError, ValueError, OverflowError):
            return None
        return (m.start(), m.end(), *found) if found else None

    def resolve_cjk(self, m: re.Match[str]) -> tuple[date, date] | None:
        feed = self.feed
        kind = m.lastgroup
        if kind == "zf":
            if m["zf_yo"]:
                return _year_span(int(m["zf_yo"]))
            month = _cn_int(m["zf_m"])
            if not 1 <= month <= 12:
                return None
            year = _cn_int(m["zf_y"]) if m["zf_y"] else None
            if year is not None and not 1900 <= year <= 2100:
                return None
            future = _is_future(self.text, m.start())
            if m["zf_d"] is None:
                if year is not None:
                    return _month_span(year, month)
                return _nearest_month(month, feed, future, 2 if self.future_days else 0)
            day = _cn_int(m["zf_d"])
            if year is not None:
                found = _safe_date(year, month, day)
            else:
                found = _nearest_year(month, day, feed, future, self.future_days)
            return (found, found) if found else None
        if kind == "zd":
            day = int(m["zd_d"])
            this_month = _safe_date(feed.year, feed.month, day)
            previous = _add_months(feed.replace(day=1), -1)
            ahead = 7 if self.future_days else 0
            if this_month and (
                this_month <= feed + timedelta(days=ahead) or _is_future(self.text, m.start())
            ):
                return this_month, this_month
            found = _safe_date(previous.year, previous.month, day)
            return (found, found) if found else None
        if kind == "zw":
            weekday = _CN_WEEKDAYS[m["zw_d"]]
            prefix = m["zw_p"]
            if prefix:
                shift = {"上": -1, "下": 1}.get(prefix, 0)
                found = _week_start(feed) + timedelta(days=7 * shift + weekday)
            else:
                found = _weekday_near(weekday, feed, "", _is_future(self.text, m.start()))
            return found, found
        if kind == "zr":
            word = m["zr"]
            if word in _ZR_DAYS:
                found = feed + timedelta(days=_ZR_DAYS[word])
                return found, found
            unit, shift = _ZR_SPANS[word]
            return _span(unit, shift, feed)
        if kind == "zago":
            n = _cn_int(m["zago_n"])
            unit = m["zago_u"]
            if unit in ("天", "日"):
                found = feed - timedelta(days=n)
            elif unit in ("週", "周"):
                found = feed - timedelta(days=7 * n)
            elif unit in ("個月", "个月"):
                found = _add_months(feed, -n)
            elif n < feed.year:
                found = _add_years(feed, -n)
            else:
                return None
            return found, found
        return None  # pragma: no cover - every alternative is named


_MONTH_FULL_RE = re.compile(_MONTH_FULL)
_DIGITS_GO_ON = re.compile(r"[-/.]?\d")
_YEAR_GOES_ON = re.compile(r"[.,/:-]?\d|s\b|\w|%")
_REL_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0}
_ZR_DAYS = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "昨晨": -1, "昨夜": -1,
    "今天": 0, "今日": 0, "今晨": 0, "今早": 0, "今晚": 0, "明天": 1, "明日": 1, "後天": 2,
    "后天": 2,
}  # fmt: skip
_ZR_SPANS = {
    "今年": ("year", 0), "去年": ("year", -1), "明年": ("year", 1), "前年": ("year", -2),
    "本月": ("month", 0), "這個月": ("month", 0), "这个月": ("month", 0),
    "上個月": ("month", -1), "上个月": ("month", -1), "上月": ("month", -1),
    "下個月": ("month", 1), "下个月": ("month", 1), "下月": ("month", 1),
    "本週": ("week", 0), "本周": ("week", 0), "這週": ("week", 0), "这周": ("week", 0),
    "上週": ("week", -1), "上周": ("week", -1), "上星期": ("week", -1), "上禮拜": ("week", -1),
    "上礼拜": ("week", -1), "下週": ("week", 1), "下周": ("week", 1), "下星期": ("week", 1),
    "下禮拜": ("week", 1), "下礼拜": ("week", 1),
}  # fmt: skip


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), _month_end(year, month)


def _year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _numeric_day(a: int, b: int, year: int, feed: date) -> date | None:
    """28/04/2024 or 04/28/2024; if both can be read, the nearer the feed date (tie: d/m)."""
    day_month = _safe_date(year, b, a)
    month_day = _safe_date(year, a, b)
    if day_month and month_day and abs((month_day - feed).days) < abs((day_month - feed).days):
        return month_day
    return day_month or month_day


def _extract(text: str, feed_date: date, future_days: int) -> list[Mention]:
    reader = _Reader(text, feed_date, future_days)
    mentions: list[Mention] = []
    floor = 0
    for anchor in (_ANCHOR_RE_ASCII if text.isascii() else _ANCHOR_RE).finditer(text):
        kind, back = _ANCHOR_READERS[(anchor.lastindex or 1) - 1]
        at = anchor.start() - back
        if at < floor:
            continue
        try:
            found = getattr(reader, kind)(at, floor)
        except (ValueError, OverflowError):
            found = None
        if found is None:
            continue
        start, end, first, last = found
        previous = mentions[-1] if mentions else None
        if (
            previous is not None
            and first == last
            and previous.day == previous.end
            and _JOINABLE_GAP.fullmatch(text, previous.offset + len(previous.phrase), start)
            and _ENDS_WITH_WEEKDAY.search(previous.phrase)
            and kind in ("month", "year")
        ):
            # "Monday, April 29": one mention, and the printed date wins over the weekday rule
            mentions.pop()
            start = previous.offset
        mentions.append(Mention(day=first, end=last, phrase=text[start:end], offset=start))
        floor = end
    return mentions


def extract_mentions(text: str, feed_date: date) -> list[Mention]:
    """The days a story speaks of, resolved against the day its feed was collected."""
    return _extract(text, feed_date, 60)


# ---------------------------------------------------------------------------------------------
# Days typed by users and found in file names

_BAD_WHEN = "cannot read {!r} as a date (try 2024-04-29, yesterday, 'last friday')"
_COMPACT_RE = re.compile(r"(\d{4})(\d\d)(\d\d)")
_NAMES_RE = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
_WHEN_SPAN_RE = re.compile(r"(?P<w>last|this|next)\s+(?P<u>week|month|year)", re.IGNORECASE)


def parse_when(value: str, *, today: date | None = None) -> date:
    """A day typed on the command line (--date, --since), relative to `today`."""
    return parse_span(value, today=today)[0]


def parse_span(value: str, *, today: date | None = None) -> tuple[date, date]:
    """The first and last day of what was typed: `last month` is all of it, for --until."""
    base = today if today is not None else date.today()
    text = " ".join(value.split())
    if not text:
        raise UsageError(_BAD_WHEN.format(value))
    compact = _COMPACT_RE.fullmatch(text)
    if compact:
        day = _safe_date(*(int(g) for g in compact.groups()))
        if day is None:
            raise UsageError(_BAD_WHEN.format(value))
        return day, day
    normal = _NAMES_RE.sub(lambda m: m.group(0).capitalize(), text)
    span = _WHEN_SPAN_RE.fullmatch(text)
    if span:
        shift = {"last": -1, "this": 0, "next": 1}[span["w"].lower()]
        return _span(span["u"].lower(), shift, base)
    month = _MONTH_YEAR_RE.fullmatch(text)
    if month and month["m"].lower().rstrip(".") in _MONTH_NUMBERS:
        number = _MONTH_NUMBERS[month["m"].lower().rstrip(".")]
        year = int(month["y"]) if month["y"] else base.year
        if not month["y"] and number > base.month:
            year -= 1  # "april" typed in March means last April
        return date(year, number, 1), _month_end(year, number)
    year_only = re.fullmatch(r"(?:19|20)\d\d", text)
    if year_only:
        return date(int(text), 1, 1), date(int(text), 12, 31)
    found = _extract(normal, base, 0)
    if len(found) == 1 and found[0].phrase.strip(" ,.") == normal.strip(" ,."):
        return found[0].day, found[0].end
    if re.fullmatch(r"[\d\s./-]+", text) and re.search(r"\d{4}", text):
        raise UsageError(_BAD_WHEN.format(value))  # digits that are not a real day
    day = _dateparser_day(text, base, value)
    return day, day


_MONTH_YEAR_RE = re.compile(r"(?P<m>[A-Za-z]+\.?)(?:,?\s+(?P<y>(?:19|20)\d\d))?")


def _dateparser_day(text: str, base: date, value: str) -> date:
    from datetime import datetime

    import dateparser  # slow to import: only when the fast paths above cannot read the value

    try:
        parsed = dateparser.parse(
            text,
            languages=["en", "zh"],
            settings={
                "PREFER_DATES_FROM": "past",
                "RELATIVE_BASE": datetime(base.year, base.month, base.day),
            },
        )
    except (ValueError, OverflowError, TypeError):
        parsed = None
    if parsed is None:
        raise UsageError(_BAD_WHEN.format(value))
    return parsed.date()


_FILENAME_RE = re.compile(
    r"(?<!\d)(?:(?P<y>(?:19|20)\d\d)(?P<s>[-_.]?)(?P<m>\d\d)(?P=s)(?P<d>\d\d)"
    r"|(?P<d2>\d\d)(?P<s2>[-_.])(?P<m2>\d\d)(?P=s2)(?P<y2>(?:19|20)\d\d))(?!\d)"
)


def date_from_filename(name: str) -> date | None:
    """The day a feed file's name carries ("2024-04-29-wire.txt", "feed_20240429.txt")."""
    base = re.split(r"[\\/]", name)[-1]
    for m in _FILENAME_RE.finditer(base):
        if m["y"]:
            day = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        else:
            day = _safe_date(int(m["y2"]), int(m["m2"]), int(m["d2"]))
        if day is not None and 1990 <= day.year <= 2100:
            return day
    return None
