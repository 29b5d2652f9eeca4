"""Feed dates, mentioned days and the date filters, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import Newsarc

STORY = (
    "Harbor Works Corp chief executive Ada Lin said yesterday that the shipyard had won an "
    "order for four ferries, after talks that began on Friday ran late into the night.\n"
    "Lin said the company expected to deliver the first vessel by March 2025.\n"
    "The shares rose 3.5 percent, the biggest gain since the 1990s, as 737 orders lifted "
    "the mood."
)


def ids(stdout: str) -> list[int]:
    return [int(x) for x in stdout.split()]


def test_mentions_resolved_against_feed_date(newsarc: Newsarc, tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text(STORY, encoding="utf-8")
    result = newsarc("ingest", str(feed), "--date", "2024-04-29", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    story = json.loads(result.stdout)
    assert story["feed_date"] == "2024-04-29"
    days = {(m["phrase"], m["day"]) for m in story["mentions"]}
    assert ("yesterday", "2024-04-28") in days
    assert ("on Friday", "2024-04-26") in days
    phrases = [m["phrase"] for m in story["mentions"]]
    assert not any("3.5" in p or "1990" in p or "737" in p for p in phrases)
    for mention in story["mentions"]:
        assert story["text"][mention["offset"] :].startswith(mention["phrase"])
    assert ids(newsarc("list", "--mentions-date", "2024-04-28", "-f", "ids").stdout) == [1]
    assert ids(newsarc("list", "--mentions-date", "2024-04-26", "-f", "ids").stdout) == [1]
    assert newsarc("list", "--mentions-date", "2024-03-01", "-f", "ids").stdout == ""
    assert ids(
        newsarc("search", "ferries", "--mentions-since", "2025-03-01", "-f", "ids").stdout
    ) == [1]
    assert newsarc("list", "--mentions-until", "2024-01-01", "-f", "ids").stdout == ""
    shown = newsarc("show", "1").stdout
    assert "mentions: 2024-04-28 ('yesterday')" in shown


def test_feed_date_sources(newsarc: Newsarc, tmp_path: Path, db: Path) -> None:
    import sqlite3

    named = tmp_path / "wire_20240315.txt"
    named.write_text(
        "Officials opened the new port terminal on Friday, the ministry said.", "utf-8"
    )
    plain = tmp_path / "wire.txt"
    plain.write_text("A storm closed schools across the island, officials said.", "utf-8")
    given = tmp_path / "given.txt"
    given.write_text("The council approved the budget after a long debate.", "utf-8")
    assert newsarc("ingest", str(named), str(plain)).exit_code == 0
    assert newsarc("ingest", str(given), "--date", "yesterday").exit_code == 0
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT file, feed_date, date_source FROM batches ORDER BY id").fetchall()
    today = date.today()
    assert rows[0][1:] == ("2024-03-15", "filename")
    assert rows[1][1:] == (today.isoformat(), "ingest")
    assert rows[2][1:] == ((today - timedelta(days=1)).isoformat(), "option")
    assert ids(newsarc("list", "--date", "2024-03-15", "-f", "ids").stdout) == [1]
    assert ids(newsarc("list", "--since", "yesterday", "-f", "ids").stdout) == [2, 3]
    assert ids(newsarc("list", "--until", "2024-12-31", "-f", "ids").stdout) == [1]
    bad = newsarc("ingest", str(given), "--date", "when pigs fly")
    assert bad.exit_code == 2 and "when pigs fly" in bad.stderr


def test_help_and_list_do_not_import_heavy_modules(newsarc: Newsarc, tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text(STORY, encoding="utf-8")
    assert newsarc("ingest", str(feed), "--date", "2024-04-29").exit_code == 0
    for args in (["--help"], ["list", "--limit", "1"], ["search", "ferries"], ["show", "1"]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "newsarc", *args],
            capture_output=True,
            text=True,
            env={"NEWSARC_DB": str(newsarc.db), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert result.returncode == 0, result.stderr[-500:]
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
        for heavy in ("dateparser", "charset_normalizer", "sqlite_utils"):
            assert heavy not in imported, f"{args} imported {heavy}"
    help_run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newsarc", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    imported = {line.split("|")[-1].strip() for line in help_run.stderr.splitlines()}
    assert "newsarc.store" not in imported


def test_until_a_month_includes_all_of_it(newsarc: Newsarc, tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text(STORY, encoding="utf-8")
    assert newsarc("ingest", str(feed), "--date", "2024-04-29").exit_code == 0
    assert ids(newsarc("list", "--until", "April 2024", "-f", "ids").stdout) == [1]
    assert ids(
        newsarc("list", "--since", "April 2024", "--until", "April 2024", "-f", "ids").stdout
    ) == [1]
    assert newsarc("list", "--until", "March 2024", "-f", "ids").stdout == ""
