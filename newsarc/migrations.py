"""Numbered schema steps, append-only: never edit a released step, add a new one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# 'NARC' in ASCII: marks a file as a newsarc archive for `file(1)` and for us.
APPLICATION_ID = 0x4E415243

Migration = Callable[[sqlite3.Connection], None]


def m001_initial(conn: sqlite3.Connection) -> None:
    """Batches, stories, tags, mentioned days, and FTS5 configured the way sqlite-utils does it."""
    for statement in _INITIAL.split(";"):
        if statement.strip():
            conn.execute(statement)
    # sqlite-utils owns the FTS configuration, so `sqlite-utils search` and datasette see it.
    # Its enable_fts commits on its own, so it configures a scratch copy of the table and the
    # resulting statement is replayed here, inside this migration's transaction. No triggers:
    # text never changes after ingest, and the store indexes each chunk with one statement.
    conn.execute(_fts_sql("stories", ["title", "text", "cjk"]))


def _fts_sql(table: str, columns: list[str]) -> str:
    """The CREATE VIRTUAL TABLE statement sqlite-utils makes for full-text search on a table."""
    import sqlite3

    import sqlite_utils

    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(f"CREATE TABLE [{table}] ({', '.join(f'[{c}] TEXT' for c in columns)})")
        sqlite_utils.Database(scratch).table(table).enable_fts(columns, create_triggers=False)
        (sql,) = scratch.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (f"{table}_fts",)
        ).fetchone()
        return str(sql)
    finally:
        scratch.close()


_INITIAL = """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            file TEXT NOT NULL,
            feed_date TEXT NOT NULL,
            date_source TEXT NOT NULL,
            encoding TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            stories_found INTEGER NOT NULL DEFAULT 0,
            stories_new INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            source TEXT NOT NULL,
            feed_date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('full', 'teaser')),
            cut_off INTEGER NOT NULL DEFAULT 0,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            kicker TEXT,
            dateline TEXT,
            captions TEXT NOT NULL DEFAULT '[]',
            signoff TEXT,
            aliases TEXT NOT NULL DEFAULT '[]',
            file TEXT NOT NULL,
            start_line INTEGER NOT NULL,
            end_line INTEGER NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            cjk TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX idx_stories_feed_date ON stories (feed_date, id);
        CREATE INDEX idx_stories_batch ON stories (batch_id);
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE
        );
        CREATE TABLE story_tags (
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (story_id, tag_id)
        ) WITHOUT ROWID;
        CREATE INDEX idx_story_tags_tag ON story_tags (tag_id, story_id);
        CREATE TABLE mentions (
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            end_day TEXT NOT NULL,
            phrase TEXT NOT NULL,
            offset INTEGER NOT NULL
        );
        CREATE INDEX idx_mentions_day ON mentions (day, end_day, story_id);
        CREATE INDEX idx_mentions_story ON mentions (story_id);
"""


def m002_batch_state(conn: sqlite3.Connection) -> None:
    """A batch can span several transactions: it is invisible until `complete` is set.

    `owner` (host:pid) lets a later ingest clean up after one that was killed half-way.
    Batches that exist already were written in one transaction, so they are complete.
    """
    conn.execute("ALTER TABLE batches ADD COLUMN complete INTEGER NOT NULL DEFAULT 1")
    conn.execute("ALTER TABLE batches ADD COLUMN owner TEXT")
    conn.execute("CREATE INDEX idx_batches_incomplete ON batches (id) WHERE complete = 0")


MIGRATIONS: list[Migration] = [m001_initial, m002_batch_state]
LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring an archive up to LATEST in one transaction: every step, or none of them.

    The version is read again under the write lock, so two processes opening a new archive
    at once do not both run the same step.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            step(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
