"""Schema changes keep existing data: an archive made by an older newsarc is upgraded in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newsarc.migrations import APPLICATION_ID, LATEST, MIGRATIONS
from tests.conftest import Newsarc


def make_version_1(path: Path) -> None:
    """An archive as the first release wrote it: migration 1 only, one story in one batch."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(
        "INSERT INTO batches (id, source, file, feed_date, date_source, encoding, ingested_at, "
        "stories_found, stories_new) VALUES (1, 'old', 'old.txt', '2024-01-02', 'option', "
        "'utf-8', '2024-01-02T00:00:00', 1, 1)"
    )
    conn.execute(
        "INSERT INTO stories (id, batch_id, source, feed_date, kind, title, text, file, "
        "start_line, end_line, content_hash) VALUES (1, 1, 'old', '2024-01-02', 'full', "
        "'Lighthouse keepers return', 'Lighthouse keepers returned to the island.', "
        "'old.txt', 1, 1, 'abc')"
    )
    conn.execute(
        "INSERT INTO stories_fts (rowid, title, text, cjk) VALUES (1, 'Lighthouse keepers return', 'Lighthouse keepers returned to the island.', '')"
    )
    conn.execute("COMMIT")
    conn.close()


def test_old_archive_is_upgraded_and_keeps_its_stories(newsarc: Newsarc, db: Path) -> None:
    make_version_1(db)
    assert LATEST > 1
    found = newsarc("search", "lighthouse", "--format", "ids")
    assert found.exit_code == 0, found.stderr
    assert found.stdout.split() == ["1"]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert conn.execute("SELECT complete FROM batches WHERE id = 1").fetchone()[0] == 1
    conn.close()


def test_migrations_are_all_or_nothing(db: Path) -> None:
    from newsarc.migrations import migrate

    make_version_1(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("ALTER TABLE batches ADD COLUMN owner TEXT")  # makes step 2 fail half-way
    try:
        migrate(conn)
    except sqlite3.OperationalError:
        pass
    else:
        raise AssertionError("migration 2 should have failed")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(batches)")}
    assert "complete" not in columns, "the failed step left nothing behind"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
