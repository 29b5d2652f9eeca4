"""The archive: all SQL newsarc runs lives here, and every value is a bound parameter."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsarc.errors import NewsarcError, NotFound, UsageError
from newsarc.migrations import APPLICATION_ID, LATEST, migrate
from newsarc.models import MARK_CLOSE, MARK_OPEN, Filters, Mention

# How long a writer waits for another writer before giving up (cron jobs run side by side).
BUSY_TIMEOUT_S = float(os.environ.get("NEWSARC_BUSY_TIMEOUT", "600"))
# Above this many matches, search ranks the most recent candidates only (see search()).
CANDIDATES = 2000

Row = dict[str, Any]

_STORY_COLUMNS = (
    "s.id, s.feed_date, s.source, s.kind, s.cut_off, s.title, s.text, s.kicker, s.dateline, "
    "s.captions, s.signoff, s.aliases, s.batch_id, s.file, s.start_line, s.end_line, "
    "s.content_hash"
)
_TAGS = (
    "(SELECT json_group_array(name) FROM (SELECT t.name FROM story_tags st "
    "JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id ORDER BY t.key)) AS tags"
)
_MENTIONS = (
    "(SELECT json_group_array(json_object('day', day, 'end', end_day, 'phrase', phrase, "
    "'offset', offset)) FROM (SELECT * FROM mentions m WHERE m.story_id = s.id "
    "ORDER BY m.offset)) AS mentions"
)


class ArchiveError(NewsarcError):
    """The file is not an archive we can use (corrupt, foreign, newer, read-only, full)."""


@dataclass(slots=True)
class StoryRow:
    """A story ready to insert: the splitter's result plus where and when it came from."""

    source: str
    feed_date: str
    kind: str
    cut_off: bool
    title: str
    text: str
    kicker: str | None
    dateline: str | None
    captions: list[str]
    signoff: str | None
    aliases: list[tuple[str, str]]
    file: str
    start_line: int
    end_line: int
    content_hash: str
    cjk: str
    mentions: list[Mention] | None = None  # found early by the splitting process, if it did


def _sqlite_message(exc: sqlite3.Error, path: Path) -> str:
    """Turn SQLite's error into a sentence that names the file and what to do."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"{path}: the archive is read-only (check its permissions)"
    if "disk is full" in text or "database or disk is full" in text:
        return f"{path}: the disk is full; nothing was written"
    if "locked" in text or "busy" in text:
        return f"{path}: the archive stayed locked by another newsarc for {BUSY_TIMEOUT_S:.0f}s"
    if "not a database" in text or "malformed" in text:
        return f"{path}: not a newsarc archive (the file is not a usable SQLite database)"
    if "unable to open" in text:
        return f"{path}: cannot open the archive (check the directory exists and is writable)"
    return f"{path}: {text}"


class Archive:
    """An open archive; use as a context manager so the connection is always closed."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Archive:
        """Open (and for writers create and migrate) the archive; never creates on a read."""
        if not path.exists():
            if not create:
                raise NotFound(
                    f"no archive at {path} (ingest a feed first, or pass --db / set NEWSARC_DB)"
                )
            _create_private_file(path)
        elif path.is_dir():
            raise NotFound(f"{path} is a directory, not an archive")
        try:
            conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise ArchiveError(_sqlite_message(exc, path)) from exc
        archive = cls(conn, path)
        try:
            archive._check_and_prepare(create=create)
        except sqlite3.Error as exc:
            conn.close()
            raise ArchiveError(_sqlite_message(exc, path)) from exc
        except BaseException:
            conn.close()
            raise
        return archive

    def _check_and_prepare(self, *, create: bool) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if not has_tables and not create:
            raise NotFound(f"no archive at {self.path} (the file is empty; ingest a feed first)")
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and has_tables):
            raise ArchiveError(f"{self.path}: not a newsarc archive; refusing to touch it")
        if version > LATEST:
            raise ArchiveError(
                f"{self.path}: made by a newer newsarc (schema {version}, this one knows "
                f"{LATEST}); upgrade newsarc"
            )
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            if not create and version == LATEST:
                pass  # a reader must not need write access to switch modes
            else:
                conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MB page cache for big batches
        max_pages = os.environ.get("NEWSARC_MAX_PAGE_COUNT")  # tests simulate a full disk
        if max_pages and max_pages.isdigit():
            conn.execute(f"PRAGMA max_page_count = {int(max_pages)}")
        if version < LATEST:
            migrate(conn)

    def close(self) -> None:
        self.conn.close()

    def explain(self, exc: BaseException) -> BaseException:
        """SQLite's error while writing, as a one-line ArchiveError naming the archive."""
        if isinstance(exc, sqlite3.Error):
            return ArchiveError(_sqlite_message(exc, self.path))
        return exc

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def begin(self, cancelled: Callable[[], bool] | None = None) -> None:
        """Take the write lock now, so a batch is all-or-nothing and waits instead of failing.

        With ``cancelled``, wait in short steps and give up as soon as it says so: SQLite's
        own busy wait cannot be interrupted, and Ctrl-C must not wait for another writer.
        """
        if cancelled is None:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        self.conn.execute("PRAGMA busy_timeout = 100")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    text = str(exc)
                    if "locked" not in text and "busy" not in text:
                        raise
                    if cancelled():
                        message = f"{self.path}: stopped while waiting for the archive"
                        raise ArchiveError(message) from None
                    if time.monotonic() > deadline:
                        raise
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def checkpoint(self, cancelled: Callable[[], bool] | None = None) -> None:
        """Commit what is written so far and take the lock again, so other writers get a turn.

        The batch stays incomplete, so readers do not see its stories until finish_batch.
        """
        self.conn.execute("COMMIT")
        self.begin(cancelled)

    def add_batch(
        self, *, source: str, file: str, feed_date: str, date_source: str, encoding: str
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO batches (source, file, feed_date, date_source, encoding, ingested_at, "
            "complete, owner) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
            (
                source,
                file,
                feed_date,
                date_source,
                encoding,
                datetime.now(UTC).isoformat(timespec="seconds"),
                _owner(),
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_batch(self, batch_id: int, *, found: int, new: int) -> None:
        self.conn.execute(
            "UPDATE batches SET stories_found = ?, stories_new = ?, duplicates = ?, complete = 1 "
            "WHERE id = ?",
            (found, new, found - new, batch_id),
        )

    def discard_batch(self, batch_id: int) -> None:
        """Remove an incomplete batch and everything it wrote, in one transaction."""
        self.begin()
        try:
            self.conn.execute(
                "INSERT INTO stories_fts (stories_fts, rowid, title, text, cjk) "
                "SELECT 'delete', id, title, text, cjk FROM stories WHERE batch_id = ?",
                (batch_id,),
            )
            for table in ("mentions", "story_tags"):
                self.conn.execute(
                    f"DELETE FROM {table} WHERE story_id IN "
                    "(SELECT id FROM stories WHERE batch_id = ?)",
                    (batch_id,),
                )
            self.conn.execute("DELETE FROM stories WHERE batch_id = ?", (batch_id,))
            self.conn.execute("DELETE FROM batches WHERE id = ? AND complete = 0", (batch_id,))
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def clean_abandoned(self) -> int:
        """Discard incomplete batches whose ingest died (same host, process gone)."""
        host = socket.gethostname()
        abandoned = []
        for batch_id, owner in self.conn.execute(
            "SELECT id, owner FROM batches WHERE complete = 0"
        ).fetchall():
            owner_host, _, pid = (owner or "").rpartition(":")
            if owner_host == host and pid.isdigit() and not _alive(int(pid)):
                abandoned.append(int(batch_id))
        for batch_id in abandoned:
            self.discard_batch(batch_id)
        return len(abandoned)

    def max_story_id(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM stories").fetchone()[0])

    def insert_stories(self, batch_id: int, rows: Sequence[StoryRow]) -> list[tuple[int, str]]:
        """Insert what is new (duplicates by content hash are skipped); index it; return (id, hash).

        The FTS rows are added with one INSERT ... SELECT over the new id range, which is the
        fastest way SQLite offers to index a batch (no per-row triggers, no full rebuild).
        """
        before = self.max_story_id()
        self.conn.executemany(
            "INSERT OR IGNORE INTO stories (batch_id, source, feed_date, kind, cut_off, title, "
            "text, kicker, dateline, captions, signoff, aliases, file, start_line, end_line, "
            "content_hash, cjk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    batch_id,
                    r.source,
                    r.feed_date,
                    r.kind,
                    int(r.cut_off),
                    r.title,
                    r.text,
                    r.kicker,
                    r.dateline,
                    json.dumps(r.captions, ensure_ascii=False),
                    r.signoff,
                    json.dumps([list(a) for a in r.aliases], ensure_ascii=False),
                    r.file,
                    r.start_line,
                    r.end_line,
                    r.content_hash,
                    r.cjk,
                )
                for r in rows
            ),
        )
        self.conn.execute(
            "INSERT INTO stories_fts (rowid, title, text, cjk) "
            "SELECT id, title, text, cjk FROM stories WHERE id > ?",
            (before,),
        )
        return [
            (int(i), str(h))
            for i, h in self.conn.execute(
                "SELECT id, content_hash FROM stories WHERE id > ? ORDER BY id", (before,)
            )
        ]

    def insert_mentions(self, rows: Iterable[tuple[int, str, str, str, int]]) -> None:
        self.conn.executemany(
            "INSERT INTO mentions (story_id, day, end_day, phrase, offset) VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    def known_hashes(self, hashes: Sequence[str]) -> set[str]:
        """Which of these content hashes the archive already holds (one indexed lookup each)."""
        found: set[str] = set()
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                h
                for (h,) in self.conn.execute(
                    f"SELECT content_hash FROM stories WHERE content_hash IN ({marks})", chunk
                )
            )
        return found

    # -- reading ---------------------------------------------------------------------------

    def _where(self, filters: Filters, alias: str = "s") -> tuple[list[str], list[Any]]:
        clauses: list[str] = [_visible(alias)]
        params: list[Any] = []
        if filters.since:
            clauses.append(f"{alias}.feed_date >= ?")
            params.append(filters.since.isoformat())
        if filters.until:
            clauses.append(f"{alias}.feed_date <= ?")
            params.append(filters.until.isoformat())
        if filters.day:
            clauses.append(f"{alias}.feed_date = ?")
            params.append(filters.day.isoformat())
        if filters.source:
            clauses.append(f"{alias}.source = ?")
            params.append(filters.source)
        if filters.kind:
            clauses.append(f"{alias}.kind = ?")
            params.append(filters.kind)
        for tag in filters.tags:
            clauses.append(
                f"{alias}.id IN (SELECT st.story_id FROM story_tags st JOIN tags t "
                "ON t.id = st.tag_id WHERE t.key = ?)"
            )
            params.append(tag_key(tag))
        mention_clauses: list[str] = []
        if filters.mentions_day:
            # The day itself, or a span of up to a week around it ("last week"); a story that
            # says "this year" is not about any one day of it.
            mention_clauses.append(
                "m.day <= ? AND m.end_day >= ? AND m.end_day <= date(m.day, '+6 days')"
            )
            params += [filters.mentions_day.isoformat()] * 2
        if filters.mentions_since:
            mention_clauses.append("m.end_day >= ?")
            params.append(filters.mentions_since.isoformat())
        if filters.mentions_until:
            mention_clauses.append("m.day <= ?")
            params.append(filters.mentions_until.isoformat())
        if mention_clauses:
            clauses.append(
                f"{alias}.id IN (SELECT m.story_id FROM mentions m WHERE "
                + " AND ".join(mention_clauses)
                + ")"
            )
        return clauses, params

    def list_stories(
        self, filters: Filters, limit: int | None, *, details: bool = False
    ) -> Iterator[Row]:
        """Stories newest first (by feed day, then by id), streamed row by row."""
        clauses, params = self._where(filters)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        extra = f", {_MENTIONS}" if details else ""
        sql = (
            f"SELECT {_STORY_COLUMNS}, {_TAGS}{extra} FROM stories s {where} "
            "ORDER BY s.feed_date DESC, s.id DESC LIMIT ?"
        )
        yield from self._rows(sql, [*params, -1 if limit is None else limit])

    def search(
        self,
        expression: str,
        filters: Filters,
        limit: int | None,
        *,
        details: bool = False,
        raw: bool = False,
    ) -> Iterator[Row]:
        """Ranked full-text search with a snippet per hit; see _ranked for the ranking."""
        try:
            ranked = self._ranked(expression, filters, limit)
        except sqlite3.OperationalError as exc:
            # A person's query is always valid FTS5 (query.to_fts); a raw one may not be.
            if raw or "fts5" in str(exc) or "syntax" in str(exc):
                raise UsageError(f"invalid search query: {exc}") from exc
            raise
        # With a limit, every page's rowid range holds at most CANDIDATES + 1 matches (see
        # _ranked); without one, a page of a common word's hits may span the whole archive.
        bounded = (limit is not None and limit <= CANDIDATES) or len(ranked) <= CANDIDATES
        yield from self._hits(expression, ranked, details, bounded)

    def _ranked(
        self, expression: str, filters: Filters, limit: int | None
    ) -> list[tuple[int, float | None]]:
        """Hit ids, best first: bm25 (title weighted 10x text) when it is affordable.

        FTS5's bm25() counts every match of every term in the whole archive before it ranks
        anything, so its cost grows with how common the words are, whatever the LIMIT. Two
        stages keep common words fast: first the CANDIDATES newest matches are found by
        walking the index in rowid order (cheap, no bm25). When that is all the matches, they
        are ranked exactly by bm25. When there are more (a very common word on a big archive),
        bm25 would cost tens of milliseconds, so the newest CANDIDATES matches are ordered
        with the stories that match in the title first, newest first; their score is None.
        Without a limit (piped output), or with one above CANDIDATES, every match is ranked
        by bm25.
        """
        clauses, params = self._where(filters)
        where = " AND ".join(clauses)
        join = (
            "FROM stories_fts f JOIN stories s ON s.id = f.rowid "
            f"WHERE stories_fts MATCH ? AND {where}"
        )
        bm25 = (
            f"SELECT f.rowid, bm25(stories_fts, 10.0, 1.0, 1.0) AS score {join} "
            "ORDER BY score, f.rowid DESC LIMIT ?"
        )
        if limit is None or limit > CANDIDATES:  # asked for more than the candidates
            rows = self.conn.execute(bm25, [expression, *params, -1 if limit is None else limit])
            return [(int(i), float(score)) for i, score in rows]
        if len(clauses) == 1 and not self._writing_elsewhere():
            # No filter to apply and no hidden batch: the index alone answers (no join).
            newest_sql = (
                "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?"
            )
            newest_params: list[Any] = [expression, CANDIDATES + 1]
        else:
            newest_sql = f"SELECT f.rowid {join} ORDER BY f.rowid DESC LIMIT ?"
            newest_params = [expression, *params, CANDIDATES + 1]
        newest = [int(i) for (i,) in self.conn.execute(newest_sql, newest_params)]
        if len(newest) <= CANDIDATES:
            rows = self.conn.execute(bm25, [expression, *params, limit])
            return [(int(i), float(score)) for i, score in rows]
        newest = newest[:CANDIDATES]
        try:
            in_title = {
                int(i)
                for (i,) in self.conn.execute(
                    "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? AND rowid >= ?",
                    [f"{{title}} : ({expression})", newest[-1]],
                )
            }
        except sqlite3.OperationalError:
            in_title = set()  # a raw expression that cannot take a column filter
        newest.sort(key=lambda i: (i not in in_title, -i))
        return [(i, None) for i in newest[:limit]]

    def _hits(
        self,
        expression: str,
        ranked: list[tuple[int, float | None]],
        details: bool,
        bounded: bool = True,
    ) -> Iterator[Row]:
        """The ranked stories with their snippets, fetched a page at a time, in rank order.

        FTS5 answers ``rowid IN (...)`` with one index seek per id, each a walk into every
        term's doclist (0.1-0.7 ms for a common word). When the page's rowid range holds few
        matches (``bounded``), one pass over that stretch of the doclists is cheaper, with
        the snippet made only for the page's ids; otherwise the seeks are.
        """
        extra = f", {_MENTIONS}" if details else ""
        make_snippet = f"snippet(stories_fts, 1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24)"
        for start in range(0, len(ranked), 50):
            page = ranked[start : start + 50]
            ids = [i for i, _ in page]
            marks = ",".join("?" * len(ids))
            if bounded:
                sql = (
                    f"SELECT rowid, CASE WHEN rowid IN ({marks}) THEN {make_snippet} END "
                    "FROM stories_fts WHERE stories_fts MATCH ? AND rowid BETWEEN ? AND ?"
                )
                params: list[Any] = [*ids, expression, min(ids), max(ids)]
            else:
                sql = (
                    f"SELECT rowid, {make_snippet} FROM stories_fts WHERE stories_fts MATCH ? "
                    f"AND rowid BETWEEN ? AND ? AND rowid IN ({marks})"
                )
                params = [expression, min(ids), max(ids), *ids]
            snippets = {i: text for i, text in self.conn.execute(sql, params) if text is not None}
            rows = {
                row["id"]: row
                for row in self._rows(
                    f"SELECT {_STORY_COLUMNS}, {_TAGS}{extra} FROM stories s "
                    f"WHERE s.id IN ({marks}) AND {_visible('s')}",
                    ids,
                )
            }
            for story_id, score in page:
                row = rows.get(story_id)
                if row is None:
                    continue
                row["score"] = None if score is None else round(score, 4)
                snippet = snippets.get(story_id, "")
                # A match only in the title or the CJK column: show the opening instead.
                row["snippet"] = snippet if MARK_OPEN in snippet else _opening(row["text"])
                yield row

    def _writing_elsewhere(self) -> bool:
        """Whether some batch is incomplete (being written, or left by a killed ingest)."""
        return (
            self.conn.execute("SELECT 1 FROM batches WHERE complete = 0 LIMIT 1").fetchone()
            is not None
        )

    def get_stories(self, ids: Sequence[int]) -> Iterator[Row]:
        """Stories by id, in the order asked; an unknown id is NotFound."""
        for story_id in ids:
            rows = list(
                self._rows(
                    f"SELECT {_STORY_COLUMNS}, {_TAGS}, {_MENTIONS} FROM stories s "
                    f"WHERE s.id = ? AND {_visible('s')}",
                    [story_id],
                )
            )
            if not rows:
                raise NotFound(f"no story with id {story_id}")
            yield rows[0]

    def batch_stories(self, batch_id: int, *, details: bool = False) -> Iterator[Row]:
        extra = f", {_MENTIONS}" if details else ""
        yield from self._rows(
            f"SELECT {_STORY_COLUMNS}, {_TAGS}{extra} FROM stories s WHERE s.batch_id = ? "
            "ORDER BY s.id",
            [batch_id],
        )

    def batch_ids(self, batch_id: int) -> list[int]:
        return [
            int(i)
            for (i,) in self.conn.execute("SELECT id FROM stories WHERE batch_id = ?", (batch_id,))
        ]

    def _rows(self, sql: str, params: Sequence[Any]) -> Iterator[Row]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        for values in cur:
            row = dict(zip(names, values, strict=True))
            for key in ("captions", "aliases", "tags", "mentions"):
                if key in row and isinstance(row[key], str):
                    row[key] = json.loads(row[key])
            if "cut_off" in row:
                row["cut_off"] = bool(row["cut_off"])
            yield row

    def existing_ids(self, ids: Sequence[int]) -> None:
        """Raise NotFound naming the first id that is not in the archive."""
        for story_id in ids:
            found = self.conn.execute(
                f"SELECT 1 FROM stories s WHERE s.id = ? AND {_visible('s')}", (story_id,)
            ).fetchone()
            if found is None:
                raise NotFound(f"no story with id {story_id}")

    # -- tags ------------------------------------------------------------------------------

    def change_tags(self, ids: Sequence[int], add: Sequence[str], remove: Sequence[str]) -> int:
        """Add and remove tags on stories in one transaction; returns links changed."""
        self.begin()
        try:
            self.existing_ids(ids)
            changed = self.apply_tags(ids, add, remove)
            self.commit()
            return changed
        except BaseException:
            self.rollback()
            raise

    def apply_tags(self, ids: Sequence[int], add: Sequence[str], remove: Sequence[str] = ()) -> int:
        """Tag changes inside the caller's transaction (ingest --tag uses the batch's)."""
        changed = 0
        for name in add:
            if not tag_key(name):
                raise UsageError("a tag cannot be empty")
            tag_id = self._tag_id(name, create=True)
            cur = self.conn.executemany(
                "INSERT OR IGNORE INTO story_tags (story_id, tag_id) VALUES (?, ?)",
                [(i, tag_id) for i in ids],
            )
            changed += cur.rowcount
        for name in remove:
            found = self._tag_id(name, create=False)
            if found is None:
                continue
            cur = self.conn.executemany(
                "DELETE FROM story_tags WHERE story_id = ? AND tag_id = ?",
                [(i, found) for i in ids],
            )
            changed += cur.rowcount
        if remove:
            self.conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM story_tags)")
        return changed

    def _tag_id(self, name: str, *, create: bool) -> int | None:
        key = tag_key(name)
        row = self.conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
        if not create:
            return None
        cur = self.conn.execute("INSERT INTO tags (name, key) VALUES (?, ?)", (name.strip(), key))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def tags(self) -> Iterator[Row]:
        yield from self._rows(
            "SELECT t.name AS tag, count(st.story_id) AS stories FROM tags t "
            "LEFT JOIN story_tags st ON st.tag_id = t.id "
            "GROUP BY t.id ORDER BY stories DESC, t.key",
            [],
        )

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag, merging into NEW if it exists; returns the stories it now covers."""
        self.begin()
        try:
            old_id = self._tag_id(old, create=False)
            if old_id is None:
                raise NotFound(f"no tag {old!r}")
            new_id = self._tag_id(new, create=False)
            if new_id is None or new_id == old_id:
                self.conn.execute(
                    "UPDATE tags SET name = ?, key = ? WHERE id = ?",
                    (new.strip(), tag_key(new), old_id),
                )
                new_id = old_id
            else:
                self.conn.execute(
                    "INSERT OR IGNORE INTO story_tags (story_id, tag_id) "
                    "SELECT story_id, ? FROM story_tags WHERE tag_id = ?",
                    (new_id, old_id),
                )
                self.conn.execute("DELETE FROM tags WHERE id = ?", (old_id,))
            count = int(
                self.conn.execute(
                    "SELECT count(*) FROM story_tags WHERE tag_id = ?", (new_id,)
                ).fetchone()[0]
            )
            self.commit()
            return count
        except BaseException:
            self.rollback()
            raise

    def delete_tag(self, name: str) -> int:
        self.begin()
        try:
            tag_id = self._tag_id(name, create=False)
            if tag_id is None:
                raise NotFound(f"no tag {name!r}")
            count = int(
                self.conn.execute(
                    "SELECT count(*) FROM story_tags WHERE tag_id = ?", (tag_id,)
                ).fetchone()[0]
            )
            self.conn.execute("DELETE FROM story_tags WHERE tag_id = ?", (tag_id,))
            self.conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))
            self.commit()
            return count
        except BaseException:
            self.rollback()
            raise


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def tag_key(name: str) -> str:
    """Tags match case-insensitively and ignore surrounding space; shown as first written."""
    return " ".join(name.split()).casefold()


def _visible(alias: str) -> str:
    """Stories of a batch still being written (or abandoned half-way) are not shown."""
    return f"{alias}.batch_id NOT IN (SELECT id FROM batches WHERE complete = 0)"


def _opening(text: str, width: int = 160) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= width else first[:width].rsplit(" ", 1)[0] + "…"


def _create_private_file(path: Path) -> None:
    """Create the archive file readable by its owner only, like other personal data."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ArchiveError(f"cannot create the archive at {path}: {exc.strerror}") from exc
