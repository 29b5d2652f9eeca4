"""Plain data passed between the stages; no I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Private-use characters that mark matches in a search snippet, from store to render.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True, slots=True)
class Line:
    """One decoded line of a feed: 1-based number and its text (CRLF, BOM, NBSP handled)."""

    number: int
    text: str


@dataclass(slots=True)
class Story:
    """A story cut out of a feed by the splitter.

    ``lines`` holds the story's non-blank lines in order (captions and kicker included, so no
    text is lost); the other fields are what the splitter learned about them.
    """

    start_line: int
    end_line: int
    lines: list[str]
    kind: str = "full"  # "full" or "teaser"
    cut_off: bool = False
    kicker: str | None = None
    dateline: str | None = None
    captions: list[str] = field(default_factory=list)
    signoff: str | None = None
    title: str = ""
    aliases: list[tuple[str, str]] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)  # why a story starts here (split --explain)
    mentions: list[Mention] | None = None  # days it speaks of, when found while splitting

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Mention:
    """A day (or a range of days) a story speaks of, with the phrase and its offset in the text."""

    day: date
    end: date
    phrase: str
    offset: int



@dataclass(slots=True)
class Filters:
    """What `list` and `search` narrow stories by; every value reaches SQL as a bound parameter."""

    since: date | None = None
    until: date | None = None
    day: date | None = None
    tags: list[str] = field(default_factory=list)
    source: str | None = None
    kind: str | None = None
    mentions_day: date | None = None
    mentions_since: date | None = None
    mentions_until: date | None = None
