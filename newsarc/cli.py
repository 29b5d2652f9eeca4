"""The `newsarc` command: options and wiring only; the work happens in ingest, store and render."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from newsarc.errors import ExitCode, NewsarcError, NotFound, UsageError
from newsarc.models import Filters

if TYPE_CHECKING:
    from newsarc.ingest import FileReport
    from newsarc.store import Archive

# -- error boundary -----------------------------------------------------------------------


def _fail(message: str, code: int) -> NoReturn:
    from newsarc.render import inert  # a file name or a query may carry escape codes

    sys.stderr.write(f"newsarc: error: {inert(message)}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def _quiet_broken_pipe() -> NoReturn:
    """`newsarc ... | head` closed our stdout: stop quietly, like other Unix tools."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise SystemExit(0)


def _is_usage_error(exc: Exception) -> bool:
    """Click's usage errors, whether typer vendors click (0.27 and later) or not."""
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


class NewsarcGroup(TyperGroup):
    """Every run ends here: known errors become one line and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # before click turns it into exit 1
            _quiet_broken_pipe()

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        debug = os.environ.get("NEWSARC_DEBUG") == "1"
        try:
            result = super().main(*args, **kwargs)
            sys.stdout.flush()
        except typer.Exit as exc:
            raise SystemExit(exc.exit_code) from None
        except typer.Abort:
            _fail("interrupted", ExitCode.INTERRUPTED)
        except NewsarcError as exc:
            if debug:
                raise
            _fail(exc.message, exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; nothing was left half-written", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except SystemExit:
            raise
        except Exception as exc:
            if _is_usage_error(exc):
                code = int(getattr(exc, "exit_code", ExitCode.USAGE))
                if not exc.format_message():  # type: ignore[attr-defined]  # `newsarc` alone
                    raise SystemExit(code) from None
                ctx = getattr(exc, "ctx", None)
                hint = (
                    f" (see '{ctx.command_path} --help')" if code == ExitCode.USAGE and ctx else ""
                )
                _fail(f"{exc.format_message()}{hint}", code)  # type: ignore[attr-defined]
            if debug:
                raise
            _fail(
                f"unexpected {type(exc).__name__}: {exc} (NEWSARC_DEBUG=1 shows the traceback)",
                ExitCode.ERROR,
            )
        if result == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
            _fail("interrupted; nothing was left half-written", ExitCode.INTERRUPTED)
        if isinstance(result, int) and result:
            raise SystemExit(result)
        raise SystemExit(0)


app = typer.Typer(
    cls=NewsarcGroup,
    help="A command-line archive for raw news feeds: split, store, search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
tags_app = typer.Typer(help="List, rename and delete tags.", invoke_without_command=True)
app.add_typer(tags_app, name="tags")


def main() -> None:
    app(prog_name="newsarc")


def _show_version(value: bool) -> None:
    if value:
        from newsarc import __version__

        sys.stdout.write(f"newsarc {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """A command-line archive for raw news feeds: split, store, search."""


# -- shared options -----------------------------------------------------------------------

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="NEWSARC_DB",
        help="Archive file [default: archive.db in the user data dir; env NEWSARC_DB].",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="auto (table on a terminal, tsv when piped), table, tsv, csv, json, jsonl, ids.",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No reports on stderr.")]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Feed day on or after WHEN (e.g. 'last week').")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Feed day on or before WHEN (e.g. yesterday).")
]
DayOption = Annotated[str | None, typer.Option("--date", help="One feed day.")]
TagFilter = Annotated[
    list[str] | None, typer.Option("--tag", "-t", help="Has this tag (repeat: all must match).")
]
SourceOption = Annotated[str | None, typer.Option("--source", help="From this source.")]
KindOption = Annotated[str | None, typer.Option("--kind", help="full or teaser.")]
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit", "-n", help="At most N rows [default: 20 on a terminal, all when piped]."
    ),
]
MentionsDay = Annotated[str | None, typer.Option("--mentions-date", help="Speaks of this day.")]
MentionsSince = Annotated[
    str | None, typer.Option("--mentions-since", help="Speaks of a day on or after WHEN.")
]
MentionsUntil = Annotated[
    str | None, typer.Option("--mentions-until", help="Speaks of a day on or before WHEN.")
]


def _db_path(db: Path | None) -> Path:
    if db is not None:
        return db.expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsarc")) / "archive.db"


def _open(db: Path | None, *, create: bool = False) -> Archive:
    from newsarc.store import Archive

    return Archive.open(_db_path(db), create=create)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


# the output formats of split, list, search and tags
_STORY_FORMATS = ("auto", "table", "tsv", "csv", "json", "jsonl", "ids")


def _format(fmt: str, allowed: tuple[str, ...]) -> str:
    from newsarc.render import resolve_format

    if fmt not in allowed:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(allowed)}")
    return resolve_format(fmt, _stdout_is_terminal())


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    from newsarc.dates import parse_when

    return parse_when(value)


def _last_day(value: str | None) -> date | None:
    """The end of what was typed: `--until "last month"` includes all of last month."""
    if value is None:
        return None
    from newsarc.dates import parse_span

    return parse_span(value)[1]


def _filters(
    since: str | None,
    until: str | None,
    day: str | None,
    tags: list[str] | None,
    source: str | None,
    kind: str | None,
    mentions_day: str | None,
    mentions_since: str | None,
    mentions_until: str | None,
) -> Filters:
    if kind is not None and kind not in ("full", "teaser"):
        raise UsageError(f"--kind must be full or teaser, not {kind!r}")
    return Filters(
        since=_day(since),
        until=_last_day(until),
        day=_day(day),
        tags=list(tags or []),
        source=source,
        kind=kind,
        mentions_day=_day(mentions_day),
        mentions_since=_day(mentions_since),
        mentions_until=_last_day(mentions_until),
    )


def _limit(limit: int | None) -> int | None:
    if limit is None:
        return 20 if _stdout_is_terminal() else None
    if limit < 0:
        raise UsageError("--limit must be 0 (no limit) or more")
    return None if limit == 0 else limit


def _note(message: str, quiet: bool, bar: Any = None) -> None:
    """A report on stderr; above the progress bar while one is showing."""
    if quiet:
        return
    from newsarc.render import inert

    if bar is not None:
        from rich.text import Text

        bar.console.print(Text(inert(message)), soft_wrap=True)
    else:
        sys.stderr.write(inert(message) + "\n")


def read_ids(args: list[str], stdin: Any = None) -> list[int]:
    """Story ids from arguments, or from stdin for `-`: ids, TSV/CSV rows or JSON lines."""
    ids: list[int] = []
    for arg in args:
        if arg != "-":
            parsed = _id_from_line(arg)
            if parsed is None:
                raise UsageError(f"not a story id: {arg!r}")
            ids.append(parsed)
            continue
        stream = stdin if stdin is not None else sys.stdin
        if stream.isatty():
            raise UsageError("'-' reads story ids from a pipe, e.g. newsarc search X -f ids | ...")
        first = stream.readline()
        if first.startswith("id,"):
            import csv  # a CSV listing: quoted fields may span lines

            ids.extend(int(row[0]) for row in csv.reader(stream) if row and row[0].isdigit())
            continue
        for line in (first, *stream) if first else ():
            parsed = _id_from_line(line)
            if parsed is not None:
                ids.append(parsed)
    return list(dict.fromkeys(ids))


def _id_from_line(line: str) -> int | None:
    text = line.strip().rstrip(",")
    if not text or text in ("[", "]", "id"):
        return None
    if text.startswith("{"):
        import json

        try:
            value = json.loads(text).get("id")
        except (ValueError, AttributeError):
            raise UsageError(f"not a JSON story line: {text[:60]!r}") from None
        if isinstance(value, int):
            return value
        raise UsageError(f"JSON line without an integer id: {text[:60]!r}")
    first = text.split(None, 1)[0].split(",", 1)[0]
    if first == "id":
        return None  # a CSV header
    if not first.isdigit():
        raise UsageError(f"not a story id: {first[:60]!r}")
    return int(first)


# -- ingest -------------------------------------------------------------------------------


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Any]:
    """A progress bar on stderr for long input on a terminal; nothing otherwise."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from newsarc.render import stderr_console

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[stories]} stories"),
        TimeRemainingColumn(),
        console=stderr_console(),
        transient=True,
    ) as bar:
        yield bar


def _is_large(path: str) -> bool:
    """Input worth a progress bar: stdin (size unknown) or a file of several megabytes."""
    if path == "-":
        return True
    try:
        return os.path.getsize(path) > 4_000_000
    except OSError:
        return False


def _report_line(report: FileReport, dry_run: bool) -> str:
    parts = [
        f"{report.found} {'story' if report.found == 1 else 'stories'} found",
        f"{report.new} new",
        f"{report.duplicates} duplicate{'' if report.duplicates == 1 else 's'}",
    ]
    if dry_run:
        where = "dry run, nothing stored"
    elif report.batch_id is not None:
        where = f"batch {report.batch_id}"
    else:
        where = "nothing stored" if report.found else "no stories in it"
    extra = []
    if not report.encoding.startswith("utf-8") and report.encoding not in ("ascii",):
        extra.append(f"decoded as {report.encoding}")
    if report.repaired:
        extra.append(f"{report.repaired} mojibake lines repaired")
    if report.fallback_lines:
        n = report.fallback_lines
        extra.append(f"{n} line{'' if n == 1 else 's'} not valid {report.encoding}, "
                     "decoded with a fallback")
    extra.append(f"feed date {report.feed_date} ({report.date_source})")
    return f"{report.name}: {', '.join(parts)}; {where}; {'; '.join(extra)}"


@app.command()
def ingest(
    files: Annotated[
        list[str] | None, typer.Argument(help="Feed files; '-' or nothing reads stdin.")
    ] = None,
    when: Annotated[
        str | None,
        typer.Option("--date", help="Day the feed was collected: 2024-04-29, yesterday, ..."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source name [default: file name].")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag every story.")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Force an encoding (cp1252, big5, ...).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Split and count; store nothing.")
    ] = False,
    no_mentions: Annotated[
        bool, typer.Option("--no-mentions", help="Skip finding the days stories speak of.")
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Print the stored stories: ids, tsv or jsonl."),
    ] = None,
    quiet: QuietOption = False,
    db: DbOption = None,
) -> None:
    """Split feeds into stories and store the new ones, one batch per file."""
    from newsarc.ingest import IngestOptions, ingest_file
    from newsarc.render import write_stories

    # Formats that stay one valid stream across several files.
    out_format = _format(fmt, ("ids", "tsv", "jsonl")) if fmt else None
    if any(not t.strip() for t in tag or []):
        raise UsageError("a tag cannot be empty")
    options = IngestOptions(
        feed_date=_day(when),
        source=source,
        tags=list(tag or []),
        encoding=encoding,
        dry_run=dry_run,
        mentions=not no_mentions,
    )
    if not files and sys.stdin.isatty():
        raise UsageError("nothing to ingest: name feed files, or pipe a feed in (or pass '-')")
    paths = files or ["-"]
    path = _db_path(db)
    archive = None
    if not dry_run:
        archive = _open(db, create=True)
    elif path.exists():
        try:
            archive = _open(db)
        except NotFound:  # an empty file: nothing to compare against yet
            archive = None
    worst = 0
    show_bar = not quiet and sys.stderr.isatty() and any(_is_large(p) for p in paths)
    try:
        with _progress_bar(show_bar) as bar:
            for name in paths:
                task = None
                if bar is not None:
                    task = bar.add_task(Path(name).name, total=None, stories=0)

                def progress(done: int, total: int | None, stories: int, task: Any = task) -> None:
                    if bar is not None:
                        bar.update(task, completed=done, total=total, stories=stories)

                try:
                    report = ingest_file(archive, name, options, progress=progress)
                except NewsarcError as exc:
                    _note(f"newsarc: error: {exc.message}", False, bar)
                    worst = max(worst, int(exc.exit_code))
                    continue
                finally:
                    if bar is not None and task is not None:
                        bar.remove_task(task)
                _note(_report_line(report, dry_run), quiet, bar)
                if report.found == 0:
                    _note(f"{report.name}: note: no text to ingest", quiet, bar)
                if out_format and archive is not None and report.batch_id is not None:
                    write_stories(archive.batch_stories(report.batch_id, details=True), out_format)
    finally:
        if archive is not None:
            archive.close()
    if worst:
        raise SystemExit(worst)


# -- split --------------------------------------------------------------------------------


@app.command()
def split(
    file: Annotated[str, typer.Argument(help="A feed file, or '-' for stdin.")] = "-",
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the cues behind each cut.")
    ] = False,
    encoding: Annotated[str | None, typer.Option(help="Force an encoding.")] = None,
    fmt: FormatOption = "auto",
) -> None:
    """Show how a feed would be cut into stories; nothing is stored."""
    from newsarc.decode import open_feed
    from newsarc.render import write_split
    from newsarc.segment import segment

    out_format = _format(fmt, _STORY_FORMATS)
    if file == "-" and sys.stdin.isatty():
        raise UsageError("nothing to split: name a feed file, or pipe a feed in")
    with open_feed(file, encoding=encoding) as feed:
        write_split(segment(feed.lines()), out_format, explain=explain)


# -- list and search ----------------------------------------------------------------------


@app.command("list")
def list_(
    since: SinceOption = None,
    until: UntilOption = None,
    day: DayOption = None,
    tag: TagFilter = None,
    source: SourceOption = None,
    kind: KindOption = None,
    mentions_date: MentionsDay = None,
    mentions_since: MentionsSince = None,
    mentions_until: MentionsUntil = None,
    limit: LimitOption = None,
    fmt: FormatOption = "auto",
    db: DbOption = None,
) -> None:
    """Stories, newest first."""
    from newsarc.render import write_stories

    out_format = _format(fmt, _STORY_FORMATS)
    filters = _filters(
        since, until, day, tag, source, kind, mentions_date, mentions_since, mentions_until
    )
    with _open(db) as archive:
        details = out_format in ("json", "jsonl")
        rows = archive.list_stories(filters, _limit(limit), details=details)
        if not write_stories(rows, out_format) and out_format == "table":
            _note("no stories match", False)


@app.command()
def search(
    words: Annotated[
        list[str], typer.Argument(help='Words, "a phrase", -exclude, OR, prefix* (one or more).')
    ],
    raw: Annotated[bool, typer.Option("--raw", help="QUERY is SQLite FTS5 syntax.")] = False,
    since: SinceOption = None,
    until: UntilOption = None,
    day: DayOption = None,
    tag: TagFilter = None,
    source: SourceOption = None,
    kind: KindOption = None,
    mentions_date: MentionsDay = None,
    mentions_since: MentionsSince = None,
    mentions_until: MentionsUntil = None,
    limit: LimitOption = None,
    fmt: FormatOption = "auto",
    db: DbOption = None,
) -> None:
    """Ranked full-text search with highlighted snippets."""
    query = " ".join(words)
    from newsarc.query import check_raw, highlight_terms, to_fts
    from newsarc.render import write_stories

    out_format = _format(fmt, _STORY_FORMATS)
    filters = _filters(
        since, until, day, tag, source, kind, mentions_date, mentions_since, mentions_until
    )
    with _open(db) as archive:
        expression = check_raw(query) if raw else to_fts(query)
        if not expression:
            return
        details = out_format in ("json", "jsonl")
        hits = archive.search(expression, filters, _limit(limit), details=details, raw=raw)
        terms = [] if raw else highlight_terms(query)
        if not write_stories(hits, out_format, search=True, terms=terms) and out_format == "table":
            _note(f"no stories match {query!r}", False)


# -- show and tag -------------------------------------------------------------------------


@app.command()
def show(
    ids: Annotated[list[str], typer.Argument(help="Story ids, or '-' to read them from stdin.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="auto (panel on a terminal, text when piped), json, jsonl."
        ),
    ] = "auto",
    db: DbOption = None,
) -> None:
    """Whole stories with everything known about them."""
    from newsarc.render import write_show

    if fmt not in ("auto", "table", "text", "json", "jsonl"):
        raise UsageError(f"unknown format {fmt!r}; choose one of auto, table, text, json, jsonl")
    out_format = fmt if fmt != "auto" else ("table" if _stdout_is_terminal() else "text")
    story_ids = read_ids(ids)
    with _open(db) as archive:
        archive.existing_ids(story_ids)  # all or nothing, so JSON output is never cut short
        write_show(archive.get_stories(story_ids), out_format)


@app.command()
def tag(
    ids: Annotated[list[str], typer.Argument(help="Story ids, or '-' to read them from stdin.")],
    add: Annotated[list[str] | None, typer.Option("--add", "-a", help="Tag to add.")] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", "-r", help="Tag to remove.")
    ] = None,
    quiet: QuietOption = False,
    db: DbOption = None,
) -> None:
    """Add and remove tags on stories."""
    if not add and not remove:
        raise UsageError("nothing to do: give --add TAG and/or --remove TAG")
    story_ids = read_ids(ids)
    if not story_ids:
        _note("no story ids given; nothing changed", quiet)
        return
    with _open(db) as archive:
        changed = archive.change_tags(story_ids, add or [], remove or [])
    _note(
        f"{len(story_ids)} {'story' if len(story_ids) == 1 else 'stories'}, {changed} tag changes",
        quiet,
    )


@tags_app.callback()
def tags_list(
    ctx: typer.Context,
    fmt: FormatOption = "auto",
    db: DbOption = None,
) -> None:
    """Tags with how many stories carry each."""
    if ctx.invoked_subcommand is not None:
        return
    from newsarc.render import write_tags

    out_format = _format(fmt, _STORY_FORMATS)
    with _open(db) as archive:
        write_tags(archive.tags(), out_format)


@tags_app.command("rename")
def tags_rename(
    old: Annotated[str, typer.Argument()],
    new: Annotated[str, typer.Argument()],
    quiet: QuietOption = False,
    db: DbOption = None,
) -> None:
    """Rename a tag (merging into NEW if it exists)."""
    if not new.strip():
        raise UsageError("the new tag name cannot be empty")
    with _open(db) as archive:
        count = archive.rename_tag(old, new)
    _note(f"renamed {old!r} to {new!r} ({count} stories)", quiet)


@tags_app.command("delete")
def tags_delete(
    name: Annotated[str, typer.Argument()],
    quiet: QuietOption = False,
    db: DbOption = None,
) -> None:
    """Remove a tag from every story."""
    with _open(db) as archive:
        count = archive.delete_tag(name)
    _note(f"deleted tag {name!r} from {count} stories", quiet)
