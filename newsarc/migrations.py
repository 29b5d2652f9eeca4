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
    # sqlite-utils owns the FTS configuration so `sqlite-utils search` and datasette see it.
    # No triggers: text never changes after ingest, and the store fills the index per batch,
    # which is about twice as fast as row-by-row triggers. enable_fts commits on its own, so
    # this step is written to be safe to re-run (IF NOT EXISTS, detect_fts).
    import sqlite_utils

    table = sqlite_utils.Database(conn).table("stories")
    if not table.detect_fts():
        table.enable_fts(["title", "text", "cjk"], create_triggers=False)


_INITIAL = """
        CREATE TABLE IF NOT EXISTS batches (
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
        CREATE TABLE IF NOT EXISTS stories (
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
        CREATE INDEX IF NOT EXISTS idx_stories_feed_date ON stories (feed_date, id);
        CREATE INDEX IF NOT EXISTS idx_stories_batch ON stories (batch_id);
        CREATE TABLE IF NOT EXISTS tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS story_tags (
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (story_id, tag_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS idx_story_tags_tag ON story_tags (tag_id, story_id);
        CREATE TABLE IF NOT EXISTS mentions (
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            end_day TEXT NOT NULL,
            phrase TEXT NOT NULL,
            offset INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_mentions_day ON mentions (day, end_day, story_id);
        CREATE INDEX IF NOT EXISTS idx_mentions_story ON mentions (story_id);
"""


MIGRATIONS: list[Migration] = [m001_initial]
LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring an archive up to LATEST; each step is recorded in user_version once it is done."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        step(conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {number}")
