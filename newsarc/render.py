"""Stories, hits and tags to table, tsv, csv, json, jsonl or ids: every output format lives here.

Feed text is untrusted. On a terminal it is made inert (escape sequences and other controls
shown as visible symbols, bidi overrides dropped) and handed to rich as ``Text``, never as
markup. TSV escapes tab, newline and backslash so each row stays one line; JSON keeps the exact
text.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from newsarc.models import MARK_CLOSE, MARK_OPEN, Story

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


Row = dict[str, Any]

# C0 controls but newline, DEL, C1 controls: shown as visible symbols on a terminal.
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates can reorder what a terminal shows: dropped.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_TSV_ESCAPES = re.compile(r"[\\\t\n\r\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TSV_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL...
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def inert(text: str) -> str:
    """Text that cannot move the cursor, change colours, set titles or reorder a line."""
    return _BIDI.sub("", _CONTROLS.sub(_control_picture, text))


def tsv_field(value: Any) -> str:
    """One TSV cell: escapes keep a story on one line and make every byte visible."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return _TSV_ESCAPES.sub(
        lambda m: _TSV_NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), str(value)
    )


def strip_marks(text: str) -> str:
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def resolve_format(fmt: str, stdout_is_terminal: bool) -> str:
    """`auto` is a table for people and tab-separated rows for programs, like gh."""
    if fmt == "auto":
        return "table" if stdout_is_terminal else "tsv"
    return fmt


def _plain() -> bool:
    """NO_COLOR (no-color.org) means no escape codes at all: no bold or dim either."""
    return bool(os.environ.get("NO_COLOR"))


def stdout_console() -> Console:
    from rich.console import Console

    if _plain():
        return Console(highlight=False, soft_wrap=False, color_system=None)
    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    from rich.console import Console

    if _plain():
        return Console(stderr=True, highlight=False, color_system=None)
    return Console(stderr=True, highlight=False)


# -- stories ------------------------------------------------------------------------------

LIST_COLUMNS = ("id", "feed_date", "source", "kind", "tags", "title")
SEARCH_COLUMNS = (*LIST_COLUMNS, "snippet")
ALL_FIELDS = (
    "id",
    "feed_date",
    "source",
    "kind",
    "cut_off",
    "title",
    "text",
    "kicker",
    "dateline",
    "captions",
    "signoff",
    "aliases",
    "tags",
    "mentions",
    "batch_id",
    "file",
    "start_line",
    "end_line",
    "content_hash",
)


def json_story(row: Row) -> Row:
    """Every field of a story, in a stable order, with snippet marks removed."""
    out = {key: row.get(key) for key in ALL_FIELDS if key in row}
    if "snippet" in row:
        out["snippet"] = strip_marks(row["snippet"])
        out["score"] = row.get("score")
    return out


def write_stories(
    rows: Iterable[Row],
    fmt: str,
    *,
    out: IO[str] | None = None,
    search: bool = False,
    terms: list[str] | None = None,
) -> int:
    """Write stories in one format, streaming row by row; returns how many were written."""
    stream = out if out is not None else sys.stdout
    columns = SEARCH_COLUMNS if search else LIST_COLUMNS
    if fmt == "table":
        return _story_table(rows, search=search, terms=terms or [])
    count = 0
    if fmt == "ids":
        for row in rows:
            stream.write(f"{row['id']}\n")
            count += 1
    elif fmt == "tsv":
        for row in rows:
            cells = (strip_marks(row[c]) if c == "snippet" else row.get(c) for c in columns)
            stream.write("\t".join(tsv_field(c) for c in cells) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                ",".join(row[c])
                if c == "tags"
                else strip_marks(row[c])
                if c == "snippet"
                else row.get(c)
                for c in columns
            )
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            stream.write(json.dumps(json_story(row), ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "json":
        count = _json_array((json_story(r) for r in rows), stream)
    else:  # pragma: no cover - the CLI validates formats
        raise ValueError(fmt)
    return count


def _json_array(items: Iterator[Row], stream: IO[str]) -> int:
    """A JSON array written item by item, so memory does not grow with the output."""
    count = 0
    stream.write("[")
    for item in items:
        stream.write(",\n " if count else "\n ")
        stream.write(json.dumps(item, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def _marked_text(text: str, style: str = "bold yellow") -> Text:
    """Snippet text with FTS match marks turned into highlighting."""
    from rich.text import Text

    result = Text()
    for i, part in enumerate(re.split(f"[{MARK_OPEN}{MARK_CLOSE}]", inert(text))):
        result.append(part, style=style if i % 2 else "")
    return result


def _story_table(rows: Iterable[Row], *, search: bool, terms: list[str]) -> int:
    """id, day, and one cell per story: title, a dim line of source/kind/tags, the snippet."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("id", justify="right", style="cyan", no_wrap=True)
    table.add_column("date", no_wrap=True, style="green")
    table.add_column("story", ratio=1)
    count = 0
    for row in rows:
        title = Text(inert(row["title"]), style="bold", no_wrap=True, overflow="ellipsis")
        if terms:
            title.highlight_words(terms, style="bold yellow", case_sensitive=False)
        about = [inert(row["source"]), row["kind"] + (" (cut off)" if row["cut_off"] else "")]
        about += [f"#{inert(t)}" for t in row["tags"]]
        parts: list[Text] = [title, Text(" · ".join(about), style="dim", no_wrap=True)]
        if search and row.get("snippet"):
            parts.append(_marked_text(row["snippet"]))
        table.add_row(str(row["id"]), row["feed_date"], Group(*parts))
        count += 1
    if count:
        console.print(table)
    return count


# -- one story in full --------------------------------------------------------------------


def write_show(rows: Iterable[Row], fmt: str, *, out: IO[str] | None = None) -> int:
    """Whole stories: a panel on a terminal, headers then text when piped, or JSON."""
    stream = out if out is not None else sys.stdout
    if fmt in ("json", "jsonl", "ids", "tsv", "csv"):
        return write_stories(rows, fmt, out=stream)
    count = 0
    for row in rows:
        if fmt == "table":
            _show_panel(row)
        else:
            if count:
                stream.write("\n")
            for label, value in _show_fields(row):
                stream.write(f"{label}: {tsv_field(value)}\n")
            text = inert(row["text"]) if stream.isatty() else row["text"]
            stream.write("\n" + text + "\n")
        count += 1
    return count


def _show_fields(row: Row) -> list[tuple[str, str]]:
    fields = [
        ("id", str(row["id"])),
        ("title", row["title"]),
        ("kind", row["kind"] + (" (cut off)" if row["cut_off"] else "")),
        ("source", row["source"]),
        ("feed date", row["feed_date"]),
        ("tags", ", ".join(row["tags"]) or "-"),
        ("batch", str(row["batch_id"])),
        ("from", f"{row['file']}, lines {row['start_line']}-{row['end_line']}"),
    ]
    for key, label in (("kicker", "kicker"), ("dateline", "dateline"), ("signoff", "sign-off")):
        if row.get(key):
            fields.append((label, row[key]))
    for caption in row.get("captions") or []:
        fields.append(("caption", caption))
    for latin, native in row.get("aliases") or []:
        fields.append(("alias", f"{latin} = {native}"))
    for mention in row.get("mentions") or []:
        day = (
            mention["day"]
            if mention["end"] == mention["day"]
            else (f"{mention['day']}..{mention['end']}")
        )
        fields.append(("mentions", f"{day} ({mention['phrase']!r})"))
    return fields


def _show_panel(row: Row) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="dim", no_wrap=True)
    meta.add_column()
    for label, value in _show_fields(row)[2:]:
        meta.add_row(label, Text(inert(value)))
    captions = set(row.get("captions") or [])
    body = Text()
    for i, line in enumerate(row["text"].split("\n")):
        if i:
            body.append("\n\n")
        style = "italic dim" if line in captions else ""
        body.append(inert(line), style=style)
    if row.get("kicker"):
        body.highlight_words([row["kicker"]], style="bold red")
    title = Text(f"#{row['id']} ", style="cyan")
    title.append(inert(row["title"]), style="bold")
    from rich.console import Group

    console.print(Panel(Group(meta, Text(""), body), title=title, title_align="left"))


# -- tags ---------------------------------------------------------------------------------


def write_tags(rows: Iterable[Row], fmt: str, *, out: IO[str] | None = None) -> int:
    stream = out if out is not None else sys.stdout
    count = 0
    if fmt == "table":
        from rich.table import Table
        from rich.text import Text

        table = Table("tag", "stories", show_edge=False)
        for row in rows:
            table.add_row(Text(inert(row["tag"])), str(row["stories"]))
            count += 1
        if count:
            stdout_console().print(table)
        return count
    if fmt == "json":
        return _json_array(iter(rows), stream)
    for row in rows:
        if fmt == "jsonl":
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "ids":
            stream.write(tsv_field(row["tag"]) + "\n")
        elif fmt == "csv":
            if not count:
                stream.write("tag,stories\n")
            csv.writer(stream, lineterminator="\n").writerow([row["tag"], row["stories"]])
        else:
            stream.write(f"{tsv_field(row['tag'])}\t{row['stories']}\n")
        count += 1
    return count


# -- the splitter's view ------------------------------------------------------------------


def split_row(story: Story) -> Row:
    return {
        "start_line": story.start_line,
        "end_line": story.end_line,
        "kind": story.kind,
        "cut_off": story.cut_off,
        "title": story.title,
        "kicker": story.kicker,
        "dateline": story.dateline,
        "captions": story.captions,
        "signoff": story.signoff,
        "aliases": [list(a) for a in story.aliases],
        "lines": len(story.lines),
        "chars": sum(len(line) for line in story.lines),
        "cues": story.cues,
    }


def write_split(
    stories: Iterable[Story], fmt: str, *, explain: bool = False, out: IO[str] | None = None
) -> int:
    """How a feed would be cut: one row per story, with the cues when asked to explain."""
    stream = out if out is not None else sys.stdout
    rows = (split_row(s) for s in stories)
    count = 0
    if fmt == "table":
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("lines", justify="right", no_wrap=True, style="cyan")
        table.add_column("kind", no_wrap=True)
        table.add_column("title", ratio=1, overflow="fold")
        if explain:
            table.add_column("why a story starts here", ratio=1, style="dim")
        for row in rows:
            kind = row["kind"] + (" ✂" if row["cut_off"] else "")
            title = Text(inert(row["title"]))
            if row["kicker"]:
                title = Text.assemble((inert(row["kicker"]) + ": ", "bold red"), title)
            cells: list[Any] = [f"{row['start_line']}-{row['end_line']}", kind, title]
            if explain:
                cells.append(Text(inert("; ".join(row["cues"]))))
            table.add_row(*cells)
            count += 1
        stdout_console().print(table)
        return count
    if fmt == "json":
        return _json_array(rows, stream)
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["start_line", "end_line", "kind", "cut_off", "kicker", "title"])
        for row in rows:
            writer.writerow(
                [row[k] for k in ("start_line", "end_line", "kind", "cut_off")]
                + [row["kicker"] or "", row["title"]]
            )
            count += 1
        return count
    for row in rows:
        if fmt == "jsonl":
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "ids":
            stream.write(f"{row['start_line']}-{row['end_line']}\n")
        else:
            cells = [row["start_line"], row["end_line"], row["kind"], row["title"]]
            if explain:
                cells.append("; ".join(row["cues"]))
            stream.write("\t".join(tsv_field(c) for c in cells) + "\n")
        count += 1
    return count
