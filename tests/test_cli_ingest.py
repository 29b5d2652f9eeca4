"""`newsarc ingest` and `newsarc split` through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsarc import ingest as ingest_module
from newsarc import store as store_module
from tests.conftest import SAMPLE, Newsarc, dump

SPLITS = json.loads((Path(__file__).parent / "data" / "sample_splits.json").read_text("utf-8"))


def count(db: Path, table: str = "stories") -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_split_sample_files_exactly(newsarc: Newsarc, name: str) -> None:
    result = newsarc("split", str(SAMPLE / name), "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    got = [json.loads(line) for line in result.stdout.splitlines()]
    want = SPLITS[name]
    assert [(s["start_line"], s["end_line"]) for s in got] == [
        (s["start_line"], s["end_line"]) for s in want
    ]
    assert [s["kind"] for s in got] == [s["kind"] for s in want]
    for g, w in zip(got, want, strict=True):
        if w.get("kicker"):
            assert g["kicker"] == w["kicker"]
        assert g["title"], "every story gets a title"


def test_split_stores_nothing(newsarc: Newsarc, db: Path) -> None:
    result = newsarc("split", str(SAMPLE / "tech-teasers.txt"), "--format", "tsv")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == len(SPLITS["tech-teasers.txt"])
    assert not db.exists()


def test_ingest_samples_then_again_adds_nothing(
    newsarc: Newsarc, db: Path, sample_files: list[Path]
) -> None:
    # 2024-04-30 opens with the last teaser of 2024-04-29 again, as re-fed wires do.
    total = sum(len(v) for v in SPLITS.values()) - 1
    first = newsarc("ingest", *map(str, sample_files))
    assert first.exit_code == 0, first.stderr
    assert count(db) == total
    assert "2024-04-30-wire.txt: 8 stories found, 7 new, 1 duplicate;" in first.stderr
    assert "new" in first.stderr and "batch" in first.stderr
    assert first.stdout == "", "reports go to stderr, stdout is for data"
    before = dump(db)
    second = newsarc("ingest", *map(str, sample_files))
    assert second.exit_code == 0
    assert count(db) == total
    assert f"{len(SPLITS['tech-teasers.txt'])} duplicates" in second.stderr
    assert "0 new" in second.stderr
    assert dump(db) == before, "a re-ingest must not even add an empty batch"


def test_ingest_records_metadata(newsarc: Newsarc, db: Path) -> None:
    path = SAMPLE / "2024-04-29-wire.txt"
    result = newsarc("ingest", str(path), "--source", "wire", "--tag", "Asia", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(SPLITS[path.name])
    first = rows[0]
    assert first["source"] == "wire"
    assert first["feed_date"] == "2024-04-29", "the date comes from the file name"
    assert first["tags"] == ["Asia"]
    assert first["start_line"] == 1 and first["file"].endswith(path.name)
    assert len(first["content_hash"]) == 32
    assert any(r["captions"] for r in rows if r["kind"] == "full")
    assert all(
        r["cut_off"] for r in rows if r["kind"] == "teaser" and r["text"][-1] not in '.!?"”’'
    )
    conn = sqlite3.connect(db)
    (batch,) = conn.execute("SELECT date_source, stories_new FROM batches").fetchall()
    assert batch == ("filename", len(rows))


def test_ingest_date_option_and_dry_run(newsarc: Newsarc, db: Path) -> None:
    path = str(SAMPLE / "tech-teasers.txt")
    dry = newsarc("ingest", path, "--dry-run", "--date", "2024-03-01")
    assert dry.exit_code == 0
    assert "dry run" in dry.stderr
    assert not db.exists(), "a dry run creates nothing"
    real = newsarc("ingest", path, "--date", "2024-03-01", "--format", "ids")
    ids = real.stdout.split()
    assert len(ids) == len(SPLITS["tech-teasers.txt"]) and all(i.isdigit() for i in ids)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT DISTINCT feed_date FROM stories").fetchall() == [("2024-03-01",)]
    again = newsarc("ingest", path, "--dry-run")
    assert f"0 new, {len(ids)} duplicates" in again.stderr


def test_ingest_from_stdin(newsarc: Newsarc, db: Path) -> None:
    data = (SAMPLE / "tech-teasers.txt").read_bytes()
    result = newsarc("ingest", "-", "--source", "clipboard", input=data)
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT DISTINCT source FROM stories").fetchall() == [("clipboard",)]


def test_duplicates_ignore_case_spacing_and_quotes(
    newsarc: Newsarc, db: Path, tmp_path: Path
) -> None:
    story = "Officials said on Monday that the “new bridge” would open next year, ahead of plan"
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(story, encoding="utf-8")
    b.write_text(story.upper().replace("“", '"').replace("”", '"').replace(" ", "  "), "utf-8")
    assert newsarc("ingest", str(a)).exit_code == 0
    result = newsarc("ingest", str(b))
    assert "0 new, 1 duplicate" in result.stderr
    assert count(db) == 1


def test_failed_ingest_leaves_archive_as_it_was(
    newsarc: Newsarc, db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert newsarc("ingest", str(SAMPLE / "tech-teasers.txt")).exit_code == 0
    before = dump(db)
    monkeypatch.setattr(ingest_module, "CHUNK", 3)
    calls = {"n": 0}
    real = store_module.Archive.insert_stories

    def failing(self: store_module.Archive, batch_id: int, rows: list[store_module.StoryRow]):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("simulated failure half-way")
        return real(self, batch_id, rows)

    monkeypatch.setattr(store_module.Archive, "insert_stories", failing)
    result = newsarc("ingest", str(SAMPLE / "politics-blank-lines.txt"))
    assert calls["n"] == 3, "the failure happened after two chunks were written"
    assert result.exit_code == 1
    assert result.stderr.startswith("newsarc: error:") and "Traceback" not in result.stderr
    assert dump(db) == before


def test_missing_file_is_exit_3_and_others_still_ingest(newsarc: Newsarc, db: Path) -> None:
    result = newsarc("ingest", "/nonexistent/feed.txt", str(SAMPLE / "tech-teasers.txt"))
    assert result.exit_code == 3
    assert "/nonexistent/feed.txt" in result.stderr
    assert count(db) == len(SPLITS["tech-teasers.txt"])


def test_read_command_on_missing_archive(newsarc: Newsarc, db: Path) -> None:
    result = newsarc("list")
    assert result.exit_code == 3
    assert result.stderr.startswith("newsarc: error: no archive at")
    assert result.stderr.count("\n") == 1
    assert not db.exists()


def test_archive_file_is_private(newsarc: Newsarc, db: Path) -> None:
    assert newsarc("ingest", str(SAMPLE / "tech-teasers.txt")).exit_code == 0
    assert db.stat().st_mode & 0o777 == 0o600


def test_archive_opens_in_sqlite_utils(newsarc: Newsarc, db: Path) -> None:
    import sqlite_utils

    assert newsarc("ingest", str(SAMPLE / "2024-04-29-wire.txt")).exit_code == 0
    database = sqlite_utils.Database(db)
    assert database["stories"].detect_fts() == "stories_fts"
    hits = list(database["stories"].search("Tesla"))
    assert hits and all("Tesla" in h["text"] or "Tesla" in h["title"] for h in hits)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_split_formats(newsarc: Newsarc) -> None:
    import csv
    import io

    path = str(SAMPLE / "tech-teasers.txt")
    want = len(SPLITS["tech-teasers.txt"])
    rows = list(csv.DictReader(io.StringIO(newsarc("split", path, "-f", "csv").stdout)))
    assert len(rows) == want and rows[0]["start_line"] == "1"
    assert len(json.loads(newsarc("split", path, "-f", "json").stdout)) == want
    assert newsarc("split", path, "-f", "ids").stdout.splitlines()[0] == "1-1"
    explained = newsarc("split", path, "--explain", "-f", "tsv").stdout.splitlines()
    assert explained[1].split("\t")[-1].startswith("previous line cut off")


def test_report_counts_lines_decoded_with_a_fallback(newsarc: Newsarc, tmp_path: Path) -> None:
    # Two sources pasted together: UTF-8 stories, and one line saved as cp1252.
    utf8 = ("Harbor Robotics Corp chairman Daniel Wu (吳丹尼) said yesterday the company would "
            "open a “smart” plant in Kaohsiung.\n").encode()
    cp1252 = "The caf\u00e9 chain Bean There Ltd said on Monday it would close 12 shops.\n"
    feed = tmp_path / "mixed.txt"
    feed.write_bytes(utf8 * 3 + cp1252.encode("cp1252") + utf8)
    result = newsarc("ingest", str(feed))
    assert result.exit_code == 0, result.stderr
    assert "1 line not valid utf-8, decoded with a fallback" in result.stderr
    found = newsarc("search", "café", "--format", "ids")
    assert found.stdout.strip(), "the fallback-decoded line is stored and searchable"
    clean = tmp_path / "clean.txt"
    clean.write_bytes(utf8)
    assert "fallback" not in newsarc("ingest", str(clean)).stderr
