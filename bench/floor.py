"""The SQLite floor for ingest: the same story texts, split already done, into FTS5.

Run as a script so it is timed like ``newsarc ingest``, as a whole process::

    python bench/floor.py triggers|bulk DB FEED

It reads FEED and the true split beside it (FEED with suffix ``.stories``, written by
bench/synth.py), and stores each story (kind, title = its first 100 characters, text) in one
transaction: ``triggers`` fills an external-content FTS5 index row by row from an AFTER INSERT
trigger; ``bulk`` inserts all rows, then indexes them with one INSERT INTO fts SELECT. Nothing
else: no de-duplication, no metadata, default pragmas.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

SCHEMA = """
CREATE TABLE stories (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL,
                      text TEXT NOT NULL);
CREATE VIRTUAL TABLE stories_fts USING fts5(title, text, content='stories', content_rowid='id');
"""
TRIGGER = """
CREATE TRIGGER stories_ai AFTER INSERT ON stories BEGIN
  INSERT INTO stories_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
"""


def stories(feed: Path) -> Iterator[tuple[str, str, str]]:
    with open(feed, encoding="utf-8", newline="") as text, open(
        feed.with_suffix(".stories"), encoding="ascii"
    ) as split:
        lines = (line.rstrip("\n") for line in text)
        for row in split:
            kind, n = row.split("\t")
            body = "\n".join([next(lines) for _ in range(int(n))])
            yield kind, body[:100], body


def main(argv: list[str]) -> int:
    mode, db, feed = argv
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(SCHEMA + (TRIGGER if mode == "triggers" else ""))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO stories (kind, title, text) VALUES (?, ?, ?)", stories(Path(feed))
    )
    if mode == "bulk":
        conn.execute(
            "INSERT INTO stories_fts (rowid, title, text) SELECT id, title, text FROM stories"
        )
    conn.execute("COMMIT")
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
