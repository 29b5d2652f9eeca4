"""A person's search query turned into a safe SQLite FTS5 expression, plus CJK indexing.

The query language (CLI.md): words all match, ``"a phrase"``, ``-word`` / ``-"a phrase"``
exclude, ``OR`` (uppercase) between words, ``word*`` prefix. Every other character is text:
each term reaches FTS5 as a double-quoted string, so FTS5 operators typed by a person are inert
and ``MATCH`` never fails on what they type.

The FTS table is ``stories_fts(title, text, cjk)`` with the default unicode61 tokenizer. That
tokenizer keeps a run of CJK characters as one token, so ``李強`` inside ``總理李強表示`` is
never found in ``text``. The ``cjk`` column therefore holds the overlapping character bigrams
of every CJK run (see :func:`cjk_bigrams`) and a CJK query becomes a phrase of bigrams on it.

Decisions:

* Latin (non-CJK) terms are not column-filtered: the ``cjk`` column holds only CJK characters,
  so a non-CJK token can never match there and "all columns" equals ``{title text}``.
* A lone CJK character (a run of one) becomes ``cjk : "李" *``: in the bigram column it can only
  be the start of a bigram or a lone token. So it misses the character when it is the last one
  of a longer run; a single Han character is rarely a useful search anyway.
* A query with nothing to match (empty, punctuation only, or only ``-excluded`` terms) gives
  ``None``: FTS5's NOT needs a left operand, and "everything except X" is not a search.
* A phrase mixing CJK and other text (``"特斯拉 CEO"``) becomes its parts ANDed: the parts live
  in different columns, so word order between them cannot be asked of FTS5.
* Terms are joined by FTS5's implicit AND (juxtaposition), which skips a term that turns out to
  hold no token, where an explicit ``AND`` would match nothing. ``AND`` is used only next to a
  parenthesised ``OR`` group, where FTS5's grammar requires it.
* At most :data:`MAX_TERMS` phrases are emitted and each phrase holds at most
  :data:`MAX_PHRASE_TOKENS` tokens; the rest of a pasted wall of text is ignored.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from newsarc.errors import UsageError

MAX_TERMS = 64
MAX_PHRASE_TOKENS = 64
CJK_COLUMN = "cjk"

# Letters only (no CJK punctuation such as 、。「」・), so every character here is a token
# character for unicode61 and a bigram of two of them is exactly one token.
_CJK_CHARS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3021-\u3029\u3038-\u303b"  # Hangzhou numerals, 〸〹〺〻
    "\u3041-\u3096\u309d-\u309f"  # Hiragana (not the sound marks ゛゜)
    "\u30a1-\u30fa\u30fc-\u30ff"  # Katakana (not the middle dot ・)
    "\u3131-\u318e"  # Hangul Compatibility Jamo
    "\u31f0-\u31ff"  # Katakana Phonetic Extensions
    "\u3400-\u4dbf"  # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\ua960-\ua97c"  # Hangul Jamo Extended-A
    "\uac00-\ud7a3"  # Hangul Syllables
    "\ud7b0-\ud7fb"  # Hangul Jamo Extended-B
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\uff66-\uff9f"  # Halfwidth Katakana
    "\uffa0-\uffdc"  # Halfwidth Hangul
    "\U0001b000-\U0001b16f"  # Kana Supplement, Kana Extended-A, Small Kana Extension
    "\U00020000-\U000323af"  # CJK Unified Ideographs Extensions B-H, Compatibility Supplement
)
CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
# Characters below the first CJK letter or between Hangul Jamo and 々: never CJK. Two plain
# ranges make a possessive loop that is several times faster than scanning with CJK_RUN.
_NOT_CJK = re.compile("(?:[\x00-\u10ff]|[\u1200-\u3004])*+")
_CJK_SPLIT = re.compile(f"([{_CJK_CHARS}]+)")

# What unicode61 (categories L* N* Co) keeps as a token, approximated with Python's Unicode data.
_TOKEN = re.compile(r"(?:[^\W_]|[\ue000-\uf8ff\U000f0000-\U0010fffd])+")

# Control characters end the FTS5 string at NUL; lone surrogates (from undecodable argv bytes)
# cannot be encoded for SQLite. Both are separators for unicode61 anyway.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

_UNSENDABLE = re.compile("[\x00\ud800-\udfff]")

# One item of a query: an optional '-' (only when glued to what follows), then a quoted phrase
# (the closing quote may be missing: the phrase runs to the end) with optional '*', or a word.
_ITEM = re.compile(r'(?P<neg>-(?=\S))?(?:"(?P<phrase>[^"]*)"?(?P<star>\*+)?|(?P<word>\S+))')


def cjk_bigrams(text: str) -> str:
    """Overlapping bigrams of each CJK run, space-separated, so unicode61 indexes each as a token.

    A run of one character is kept as itself; text without CJK gives "". For stories, pass the
    title and text joined by a newline so no bigram spans the two. Called on every story at
    ingest, so the text between runs is skipped with a regex that SRE runs at memory speed.
    """
    if text.isascii():
        return ""
    parts: list[str] = []
    pos, end = 0, len(text)
    while (pos := _NOT_CJK.match(text, pos).end()) < end:  # type: ignore[union-attr]
        run = CJK_RUN.match(text, pos)
        if run is None:  # a character above U+3004 that is not CJK (emoji, fullwidth comma)
            pos += 1
            continue
        chars = run.group()
        parts.append(chars if len(chars) == 1 else " ".join(map(operator.add, chars, chars[1:])))
        pos = run.end()
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class _Term:
    """One word or phrase of a person's query, before it becomes FTS5 syntax."""

    text: str
    negated: bool = False
    prefix: bool = False
    quoted: bool = False


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _clip_tokens(text: str) -> str:
    """The text up to the end of its MAX_PHRASE_TOKENS-th token."""
    for count, match in enumerate(_TOKEN.finditer(text), start=1):
        if count == MAX_PHRASE_TOKENS:
            return text[: match.end()]
    return text


def _segments(term: _Term) -> list[tuple[str, bool]]:
    """The searchable parts of a term, (text, is_cjk), in order; punctuation-only parts dropped."""
    parts: list[tuple[str, bool]] = []
    for i, part in enumerate(_CJK_SPLIT.split(term.text)):
        if i % 2:
            parts.append((part[: MAX_PHRASE_TOKENS + 1], True))
        elif _TOKEN.search(part):
            parts.append((_clip_tokens(part.strip()), False))
    return parts


def _units(term: _Term) -> list[str]:
    """The FTS5 phrases for one term; its prefix '*' goes to the last one."""
    segments = _segments(term)
    units: list[str] = []
    for i, (text, is_cjk) in enumerate(segments):
        last = i == len(segments) - 1
        if not is_cjk:
            units.append(_quote(text) + (" *" if term.prefix and last else ""))
        elif len(text) == 1:
            units.append(f"{CJK_COLUMN} : {_quote(text)} *")
        else:
            units.append(f"{CJK_COLUMN} : {_quote(cjk_bigrams(text))}")
    return units


def _parse(query: str) -> list[_Term | None]:
    """Terms in order, None standing for a bare uppercase OR; unsearchable terms dropped."""
    items: list[_Term | None] = []
    for match in _ITEM.finditer(_UNSAFE.sub(" ", query)):
        negated = match["neg"] is not None
        word = match["word"]
        if word is None:
            term = _Term(match["phrase"], negated, match["star"] is not None, quoted=True)
        elif word == "OR" and not negated:
            items.append(None)
            continue
        else:
            stripped = word.rstrip("*")
            term = _Term(stripped, negated, prefix=stripped != word)
        if _segments(term):
            items.append(term)
    return items


def _positive(item: _Term | None) -> bool:
    return item is not None and not item.negated


def _groups(query: str) -> tuple[list[list[_Term]], list[_Term]]:
    """Positive terms grouped by OR (groups are ANDed), and the excluded terms."""
    items = _parse(query)
    groups: list[list[_Term]] = []
    excluded: list[_Term] = []
    joined = False
    for i, item in enumerate(items):
        if item is None:
            before = items[i - 1] if i > 0 else None
            after = items[i + 1] if i + 1 < len(items) else None
            if _positive(before) and _positive(after):
                joined = True
                continue
            item = _Term("OR")  # an OR with no positive term on each side is the word "or"
        if item.negated:
            excluded.append(item)
        elif joined:
            groups[-1].append(item)
        else:
            groups.append([item])
        joined = False
    return groups, excluded


class _Budget:
    """Counts emitted phrases so a 10,000-character query stays a bounded expression."""

    def __init__(self) -> None:
        self.left = MAX_TERMS

    def take(self, units: list[str]) -> list[str]:
        units = units[: self.left]
        self.left -= len(units)
        return units


def _term_expr(units: list[str]) -> str:
    return units[0] if len(units) == 1 else "(" + " ".join(units) + ")"


def to_fts(query: str) -> str | None:
    """The FTS5 MATCH expression for a person's query; None when it has nothing to match."""
    groups, excluded = _groups(query)
    budget = _Budget()
    chain: list[str] = []  # implicit AND: skips phrases that hold no token
    ors: list[str] = []  # parenthesised OR groups, joined with explicit AND
    for group in groups:
        if len(group) == 1:
            chain.extend(budget.take(_units(group[0])))
            continue
        alternatives = [_term_expr(u) for u in (budget.take(_units(t)) for t in group) if u]
        if len(alternatives) == 1:
            chain.append(alternatives[0])
        elif alternatives:
            ors.append("(" + " OR ".join(alternatives) + ")")
    pieces = ([" ".join(chain)] if chain else []) + ors
    if not pieces:
        return None
    positive = " AND ".join(pieces)
    negatives = [_term_expr(u) for u in (budget.take(_units(t)) for t in excluded) if u]
    if not negatives:
        return positive
    if len(chain) + len(ors) > 1:
        positive = f"({positive})"
    negative = negatives[0] if len(negatives) == 1 else "(" + " OR ".join(negatives) + ")"
    return f"{positive} NOT {negative}"


def highlight_terms(query: str) -> list[str]:
    """The words, phrases and prefixes asked for (not excluded ones), to mark in titles."""
    groups, _excluded = _groups(query)
    terms: list[str] = []
    seen: set[str] = set()
    for group in groups:
        for term in group:
            for text, is_cjk in _segments(term):
                plain = text if is_cjk else " ".join(text.split()).strip("\"'()[]{}<>,.;:!?")
                if plain and plain.casefold() not in seen and len(terms) < MAX_TERMS:
                    seen.add(plain.casefold())
                    terms.append(plain)
    return terms


def check_raw(expr: str) -> str:
    """A --raw query as SQLite should get it; FTS5 itself judges the syntax when it runs.

    Raises UsageError for what SQLite cannot be handed at all: an empty query, a NUL (which
    silently ends the query) or an unencodable lone surrogate.
    """
    stripped = expr.strip()
    if not stripped:
        raise UsageError("empty raw query: give an FTS5 expression, e.g. 'tesla NOT musk'")
    if _UNSENDABLE.search(stripped):
        raise UsageError("raw query contains a NUL or undecodable character: remove it")
    return stripped
