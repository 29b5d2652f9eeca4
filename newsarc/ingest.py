"""A feed file to stored stories: decode, split, date, de-duplicate, store; one batch per file."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newsarc.errors import NewsarcError
from newsarc.models import Mention, Story
from newsarc.parallel import SplitFeed, split_feed
from newsarc.store import Archive, StoryRow

# Stories are written in chunks so memory stays flat however long the feed is.
CHUNK = 2000
# A long file commits its (still invisible) batch this often, so other writers get a turn.
CHECKPOINT_SECONDS = float(os.environ.get("NEWSARC_CHECKPOINT_SECONDS", "1.0"))

Progress = Callable[[int, int | None, int], None]  # bytes read, bytes total, stories found

_QUOTES = (("‘", "'"), ("’", "'"), ("‚", "'"), ("“", '"'), ("”", '"'), ("„", '"'), ("′", "'"))


def content_hash(text: str) -> str:
    """The identity of a story's text: case, spacing and quote style do not make it new."""
    if not text.isascii():  # curly quotes are the only thing to fold; str.replace is fast
        for curly, straight in _QUOTES:
            text = text.replace(curly, straight)
    key = " ".join(text.casefold().split())
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def fallback_title(text: str, width: int = 100) -> str:
    """A title for a story the splitter could not name: its opening words."""
    first = text.strip().split("\n", 1)[0]
    if len(first) <= width:
        return first
    return first[:width].rsplit(" ", 1)[0] + "…"


@dataclass(slots=True)
class IngestOptions:
    feed_date: date | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    encoding: str | None = None
    dry_run: bool = False
    mentions: bool = True


@dataclass(slots=True)
class FileReport:
    """What happened to one input file; the CLI prints it on stderr."""

    name: str
    found: int = 0
    new: int = 0
    batch_id: int | None = None
    encoding: str = ""
    feed_date: str = ""
    date_source: str = ""
    repaired: int = 0
    fallback_lines: int = 0
    error: NewsarcError | None = None

    @property
    def duplicates(self) -> int:
        return self.found - self.new


def feed_day(path: str, given: date | None) -> tuple[date, str]:
    """The day a feed was collected: --date, else a date in the file name, else today."""
    if given is not None:
        return given, "option"
    from newsarc.dates import date_from_filename

    from_name = date_from_filename(Path(path).name) if path != "-" else None
    if from_name is not None:
        return from_name, "filename"
    return date.today(), "ingest"


def _rows(stories: Iterable[Story], source: str, file: str, day: str) -> Iterator[StoryRow]:
    from newsarc.query import cjk_bigrams

    for story in stories:
        text = story.text
        title = story.title or fallback_title(text)
        yield StoryRow(
            source=source,
            feed_date=day,
            kind=story.kind,
            cut_off=story.cut_off,
            title=title,
            text=text,
            kicker=story.kicker,
            dateline=story.dateline,
            captions=list(story.captions),
            signoff=story.signoff,
            aliases=list(story.aliases),
            file=file,
            start_line=story.start_line,
            end_line=story.end_line,
            content_hash=content_hash(text),
            cjk=cjk_bigrams(f"{title}\n{text}"),
            mentions=story.mentions,
        )


def _chunks(rows: Iterable[StoryRow], size: int) -> Iterator[list[StoryRow]]:
    chunk: list[StoryRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest_file(
    archive: Archive | None,
    path: str,
    options: IngestOptions,
    *,
    progress: Progress | None = None,
) -> FileReport:
    """Ingest one file as one batch: all of its new stories are stored, or none are.

    With ``dry_run`` (or no archive yet) nothing is written; duplicates are still counted
    against the archive when there is one.
    """
    report = FileReport(name="<stdin>" if path == "-" else path)
    day, report.date_source = feed_day(path, options.feed_date)
    report.feed_date = day.isoformat()
    writing = archive is not None and not options.dry_run
    mention_day = day if writing and options.mentions else None
    with split_feed(path, options.encoding, mention_day) as feed:
        report.encoding = feed.encoding
        source = options.source or ("stdin" if path == "-" else Path(path).name)
        rows = _rows(feed.stories(), source, report.name, report.feed_date)
        if writing:
            assert archive is not None
            _store(archive, feed, rows, day, options, report, progress)
        else:
            _count_only(archive, feed, rows, report, progress)
        report.repaired = feed.repaired
        report.fallback_lines = feed.fallback_lines
    return report


def _store(
    archive: Archive,
    feed: SplitFeed,
    rows: Iterable[StoryRow],
    day: date,
    options: IngestOptions,
    report: FileReport,
    progress: Progress | None,
) -> None:
    """Write the batch in one transaction; roll back on any error, or when nothing is new.

    Splitting and dating run here while a writer thread stores the previous chunk: SQLite
    releases the GIL while it indexes, so the two overlap on two cores.
    """
    extract = _mention_finder(options)
    archive.clean_abandoned()
    writer = _BatchWriter(archive, report, feed.encoding, options.tags)
    writer.start()
    try:
        for chunk in _chunks(rows, CHUNK):
            mentions = (
                {
                    row.content_hash: row.mentions
                    if row.mentions is not None
                    else extract(row.text, day)
                    for row in chunk
                }
                if extract
                else {}
            )
            writer.put((chunk, mentions))
            report.found += len(chunk)
            if progress is not None:
                progress(feed.bytes_read, feed.size, report.found)
        writer.finish()
    except BaseException:
        writer.abort()
        raise


_Work = tuple[list[StoryRow], dict[str, list[Mention]]]


class _BatchWriter(threading.Thread):
    """Owns the batch's transaction: begins it with the first chunk, commits at the end."""

    def __init__(
        self, archive: Archive, report: FileReport, encoding: str, tags: list[str]
    ) -> None:
        super().__init__(name="newsarc-writer", daemon=True)
        self.archive = archive
        self.report = report
        self.encoding = encoding
        self.tags = tags
        self.work: queue.Queue[_Work | None] = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        # Set by run() as its very last act. Thread.join()/is_alive() are not used to wait:
        # on Python 3.11 a Ctrl-C inside join() can mark a running thread as stopped, and the
        # connection would then be closed under it.
        self.done = threading.Event()
        self.undoing = threading.Event()  # from here on, no more interrupts
        self.error: BaseException | None = None

    def put(self, item: _Work | None) -> None:
        """Hand over a chunk (None: the end), raising the writer's error instead of blocking."""
        while True:
            if self.error is not None:
                raise self.archive.explain(self.error)
            if self.done.is_set():
                raise NewsarcError("the writer stopped unexpectedly")
            try:
                self.work.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        self.put(None)
        while not self.done.wait(0.1):
            pass
        if self.error is not None:
            raise self.archive.explain(self.error)

    def abort(self) -> None:
        """Stop the writer and wait until it has undone its batch, whatever it was doing."""
        self.stop.set()
        self.archive.conn.interrupt()  # a statement or a wait for the lock ends at once
        while not self.done.wait(0.1):
            try:  # unblock the writer if it waits for work
                self.work.put_nowait(None)
            except queue.Full:
                pass
            if not self.undoing.is_set():
                self.archive.conn.interrupt()

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.done.set()

    def _run(self) -> None:
        archive, report = self.archive, self.report
        batch_id: int | None = None
        checkpointed = False
        last_commit = time.monotonic()
        try:
            while not self.stop.is_set():
                item = self.work.get()
                if item is None or self.stop.is_set():
                    break
                chunk, mentions = item
                if batch_id is None:
                    # The write lock is taken only once there is something to write.
                    archive.begin(self.stop.is_set)
                    batch_id = archive.add_batch(
                        source=chunk[0].source,
                        file=report.name,
                        feed_date=report.feed_date,
                        date_source=report.date_source,
                        encoding=self.encoding,
                    )
                inserted = archive.insert_stories(batch_id, chunk)
                report.new += len(inserted)
                archive.insert_mentions(
                    (story_id, m.day.isoformat(), m.end.isoformat(), m.phrase, m.offset)
                    for story_id, digest in inserted
                    for m in mentions.get(digest, ())
                )
                if time.monotonic() - last_commit > CHECKPOINT_SECONDS:
                    # A long file lets other writers in between chunks; its batch stays
                    # invisible (incomplete) until the last commit below.
                    archive.checkpoint(self.stop.is_set)
                    checkpointed = True
                    last_commit = time.monotonic()
            if batch_id is None:
                return
            if self.stop.is_set() or report.new == 0:
                # Re-ingesting a file adds nothing, not even an empty batch.
                self._undo(batch_id, checkpointed)
                return
            # report.found is final: the main thread counts a chunk before it sends the end.
            archive.finish_batch(batch_id, found=report.found, new=report.new)
            if self.tags:
                archive.apply_tags(archive.batch_ids(batch_id), self.tags)
            archive.commit()
            report.batch_id = batch_id
        except BaseException as exc:
            self.error = exc
            if batch_id is not None:
                try:
                    self._undo(batch_id, checkpointed)
                except BaseException:  # the archive itself failed; the next ingest cleans up
                    pass
            else:
                archive.rollback()

    def _undo(self, batch_id: int, checkpointed: bool) -> None:
        self.undoing.set()
        self.archive.rollback()
        if checkpointed:
            self.archive.discard_batch(batch_id)


def _count_only(
    archive: Archive | None,
    feed: SplitFeed,
    rows: Iterable[StoryRow],
    report: FileReport,
    progress: Progress | None,
) -> None:
    seen: set[str] = set()
    for chunk in _chunks(rows, CHUNK):
        known = archive.known_hashes([r.content_hash for r in chunk]) if archive else set()
        for row in chunk:
            report.found += 1
            if row.content_hash not in known and row.content_hash not in seen:
                report.new += 1
            seen.add(row.content_hash)
        if progress is not None:
            progress(feed.bytes_read, feed.size, report.found)


def _mention_finder(options: IngestOptions) -> Callable[[str, date], list[Mention]] | None:
    if not options.mentions:
        return None
    from newsarc.dates import extract_mentions

    return extract_mentions
