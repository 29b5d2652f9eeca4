"""Hard input and hard conditions, through the real CLI in subprocesses (issue: nothing lost)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLE, Newsarc, dump

ROOT = Path(__file__).resolve().parent.parent
SPLITS_29 = json.loads((ROOT / "tests" / "data" / "sample_splits.json").read_text("utf-8"))[
    "2024-04-29-wire.txt"
]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(
    db: Path, *args: str, input: bytes | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NEWSARC_DB": str(db), "NO_COLOR": "1", **env}
    environment.pop("NEWSARC_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "newsarc", *args],
        input=input.decode("latin-1") if input is not None else None,
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=300,
    )


def spawn(db: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """Start newsarc in the background, its output captured, to kill or interrupt it."""
    return subprocess.Popen(
        [sys.executable, "-m", "newsarc", *args],
        env={**os.environ, "NEWSARC_DB": str(db), **env},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def one_error_line(stderr: str) -> None:
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("newsarc: error:")]
    assert len(errors) == 1, stderr


def split_count(path: Path) -> int:
    """How many stories newsarc finds in a file (the splitter decides, not this test)."""
    result = run(path.with_suffix(".unused.db"), "split", str(path), "--format", "ids")
    assert result.returncode == 0, result.stderr
    return len(result.stdout.split())


def synthetic_feed(path: Path, stories: int, seed: int = 0) -> int:
    """A feed of unique teasers and short articles, quick to write and slow enough to kill."""
    lines: list[str] = []
    for i in range(stories):
        n = seed * 1_000_000 + i
        if i % 3:
            lines.append(
                f"Officials in district {n} said on Monday that the plan numbered {n} would add "
                f"{n % 97} new bus routes by next year, though residents have complained that the "
                f"consultation was rushed and that the budget of NT${n} had not been explained "
                f"to the council, which is expected to vote on the proposal before the"
            )
        else:
            lines += [
                f"Harbor Works Corp chief executive Ada Lin said yesterday that order {n} would "
                f"keep its yard busy until 2027.",
                f"Lin said the company had hired {n % 500} welders this year.",
                f"The shares rose {n % 7} percent in Taipei trading.",
            ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return stories


@pytest.fixture
def archive_with_samples(newsarc: Newsarc, db: Path) -> Path:
    assert newsarc("ingest", str(SAMPLE / "tech-teasers.txt")).exit_code == 0
    return db


# -- encodings and odd text ----------------------------------------------------------------


def test_cp1252_and_big5_are_found(newsarc: Newsarc, tmp_path: Path) -> None:
    cp = tmp_path / "cp.txt"
    cp.write_bytes(
        "The café on the corner said “prices will rise” next month, the owner told reporters "
        "at the weekend, as the cost of beans and milk kept climbing across Europe.".encode(
            "cp1252"
        )
    )
    big5 = tmp_path / "big5.txt"
    big5.write_bytes(
        "台北市政府昨天表示，捷運環狀線第二階段工程將於明年底前完工，屆時將可紓解新北市的交通壅塞。"
        "市府官員指出，新路線每日預估運量約為十二萬人次，票價將與現有路線相同。".encode("big5")
    )
    result = newsarc("ingest", str(cp), str(big5))
    assert result.exit_code == 0, result.stderr
    assert "cp1252" in result.stderr or "windows-1252" in result.stderr
    assert "big5" in result.stderr.lower()
    assert newsarc("search", "café", "-f", "ids").stdout.split() == ["1"]
    assert newsarc("search", "捷運", "-f", "ids").stdout.split() == ["2"]


def test_forced_encoding(newsarc: Newsarc, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Señora Núñez said the olive harvest was poor".encode("latin-1"))
    result = newsarc("ingest", str(path), "--encoding", "latin-1", "--format", "jsonl")
    assert result.exit_code == 0
    assert "Señora Núñez" in result.stdout
    bad = newsarc("ingest", str(path), "--encoding", "no-such-codec")
    assert bad.exit_code == 2 and "no-such-codec" in bad.stderr


def test_odd_line_ends_and_spaces(newsarc: Newsarc, tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(
        b"\xef\xbb\xbfFirst story opens here with\xc2\xa0a no-break space and it ends.\r\n"
        b"\r\n"
        b"Second line\tof the story\x0c with a form feed.   \r\n"
    )
    result = newsarc("split", str(path), "--format", "jsonl")
    assert result.exit_code == 0
    assert '"start_line": 1' in result.stdout and '"end_line": 3' in result.stdout


def test_one_huge_line_is_handled(newsarc: Newsarc, tmp_path: Path) -> None:
    path = tmp_path / "one-line.txt"
    path.write_text("word " * 2_000_000, encoding="utf-8")  # 10 MB, no newline at all
    result = newsarc("ingest", str(path))
    assert result.exit_code == 0
    assert "1 story found" in result.stderr


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (b"some text\x00\x00\x00 with NUL bytes in it", "not text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not text"),
        (gzip.compress(b"a feed that was compressed " * 50), "not text"),
        (bytes(range(1, 32)) * 40, "not text"),
    ],
)
def test_binary_input_is_refused_and_archive_untouched(
    archive_with_samples: Path, tmp_path: Path, payload: bytes, why: str
) -> None:
    before = dump(archive_with_samples)
    path = tmp_path / "blob.txt"
    path.write_bytes(payload)
    result = run(archive_with_samples, "ingest", str(path))
    assert result.returncode == 4
    assert f"{path} is {why}" in result.stderr
    one_error_line(result.stderr)
    assert dump(archive_with_samples) == before


def test_empty_and_blank_files(archive_with_samples: Path, tmp_path: Path) -> None:
    before = dump(archive_with_samples)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"\n  \r\n\t\n")
    result = run(archive_with_samples, "ingest", str(empty), str(blank))
    assert result.returncode == 0
    assert result.stderr.count("no text to ingest") == 2
    assert dump(archive_with_samples) == before


def test_missing_and_directory_inputs(archive_with_samples: Path, tmp_path: Path) -> None:
    before = dump(archive_with_samples)
    missing = run(archive_with_samples, "ingest", str(tmp_path / "nope.txt"))
    assert missing.returncode == 3 and "nope.txt" in missing.stderr
    one_error_line(missing.stderr)
    directory = run(archive_with_samples, "ingest", str(tmp_path))
    assert directory.returncode == 3 and str(tmp_path) in directory.stderr
    assert dump(archive_with_samples) == before


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
def test_unreadable_input(archive_with_samples: Path, tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("A story nobody may read.", encoding="utf-8")
    path.chmod(0)
    result = run(archive_with_samples, "ingest", str(path))
    assert result.returncode == 3 and "secret.txt" in result.stderr


def test_several_files_one_bad(newsarc: Newsarc, db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    good = SAMPLE / "tech-teasers.txt"
    result = run(db, "ingest", str(good), str(bad), str(SAMPLE / "2024-04-29-wire.txt"))
    assert result.returncode == 4
    assert result.stderr.count("batch ") == 2
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM batches").fetchone()[0] == 2


def test_foreign_corrupt_and_newer_databases_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.commit()
    conn.close()
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA application_id = {0x4E415243}")
    conn.execute("PRAGMA user_version = 999")
    conn.execute("CREATE TABLE future (x)")
    conn.commit()
    conn.close()
    for path, words in ((foreign, "not a newsarc archive"), (newer, "newer newsarc")):
        before = path.read_bytes()
        for args in (["ingest", str(SAMPLE / "tech-teasers.txt")], ["list"]):
            result = run(path, *args)
            assert result.returncode == 1, result.stderr
            assert words in result.stderr
            one_error_line(result.stderr)
        assert path.read_bytes() == before
    before = corrupt.read_bytes()
    result = run(corrupt, "ingest", str(SAMPLE / "tech-teasers.txt"))
    assert result.returncode == 1
    one_error_line(result.stderr)
    assert corrupt.read_bytes() == before


def test_full_disk_leaves_nothing_half_written(archive_with_samples: Path) -> None:
    before = dump(archive_with_samples)
    pages = sqlite3.connect(archive_with_samples).execute("PRAGMA page_count").fetchone()[0]
    result = run(
        archive_with_samples,
        "ingest",
        str(SAMPLE / "politics-blank-lines.txt"),
        NEWSARC_MAX_PAGE_COUNT=str(pages + 2),
    )
    assert result.returncode == 1
    assert "disk is full" in result.stderr
    one_error_line(result.stderr)
    assert dump(archive_with_samples) == before


@pytest.mark.skipif(IS_ROOT, reason="root writes files whatever their mode")
def test_read_only_archive(archive_with_samples: Path) -> None:
    before = dump(archive_with_samples)
    archive_with_samples.chmod(0o400)
    result = run(archive_with_samples, "ingest", str(SAMPLE / "2024-04-29-wire.txt"))
    assert result.returncode == 1 and "read-only" in result.stderr
    assert run(archive_with_samples, "list").returncode == 0
    archive_with_samples.chmod(0o600)
    assert dump(archive_with_samples) == before


# -- interrupted and parallel work -----------------------------------------------------------


def survivors(feed: Path, wait: float = 5.0) -> list[int]:
    """Processes still running with this feed on their command line, after a grace period."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if str(feed).encode() in (entry / "cmdline").read_bytes():
                        found.append(int(entry.name))
                except OSError:
                    continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def check_consistent(db: Path) -> int:
    """Integrity, complete batches whole, index in step; returns the stories readers see."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for batch_id, new in conn.execute("SELECT id, stories_new FROM batches WHERE complete"):
            stored = conn.execute(
                "SELECT count(*) FROM stories WHERE batch_id = ?", (batch_id,)
            ).fetchone()[0]
            assert stored == new, "a batch is all there or not at all"
        fts = conn.execute("SELECT count(*) FROM stories_fts").fetchone()[0]
        stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        assert fts == stories
    finally:
        conn.close()
    listed = run(db, "list", "--format", "ids")
    assert listed.returncode == 0, listed.stderr
    return len(listed.stdout.split())


def wait_for_open_batch(db: Path, proc: subprocess.Popen[str]) -> None:
    """Until the ingest has committed part of its batch (or has ended)."""
    deadline = time.monotonic() + 60
    while incomplete_batches(db) == 0 and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def incomplete_batches(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM batches WHERE NOT complete").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.6])
def test_kill_9_mid_ingest_then_rerun(tmp_path: Path, delay: float) -> None:
    db = tmp_path / "archive.db"
    feed = tmp_path / "big.txt"
    synthetic_feed(feed, 60_000)
    expected = split_count(feed)
    assert expected > 30_000
    small = SAMPLE / "tech-teasers.txt"
    assert run(db, "ingest", str(small)).returncode == 0
    base = check_consistent(db)
    proc = spawn(db, "ingest", str(feed), "--quiet", NEWSARC_CHECKPOINT_SECONDS="0.2")
    time.sleep(delay)
    proc.kill()
    proc.wait()
    assert not survivors(feed), "a forked splitter must not outlive a killed ingest"
    after_kill = check_consistent(db)
    assert after_kill in (base, base + expected)
    rerun = run(db, "ingest", str(feed), "--quiet")
    assert rerun.returncode == 0, rerun.stderr
    assert check_consistent(db) == base + expected
    assert incomplete_batches(db) == 0, "the rerun cleaned up after the killed ingest"


def test_long_ingest_lets_other_writers_in_and_stays_invisible(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    feed = tmp_path / "big.txt"
    synthetic_feed(feed, 60_000)
    expected = split_count(feed)
    assert run(db, "ingest", str(SAMPLE / "tech-teasers.txt")).returncode == 0
    base = check_consistent(db)
    proc = spawn(db, "ingest", str(feed), NEWSARC_CHECKPOINT_SECONDS="0.2")
    wait_for_open_batch(db, proc)
    assert proc.poll() is None, "the big ingest is still running"
    other = run(db, "ingest", str(SAMPLE / "2024-04-29-wire.txt"))
    assert other.returncode == 0, other.stderr
    assert proc.poll() is None, "the other writer finished while the big batch was open"
    added = len(SPLITS_29)
    assert check_consistent(db) == base + added, "the unfinished batch is invisible"
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert check_consistent(db) == base + added + expected
    assert incomplete_batches(db) == 0


def test_ctrl_c_exits_130_and_rolls_back(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    feed = tmp_path / "big.txt"
    synthetic_feed(feed, 60_000)
    assert run(db, "ingest", str(SAMPLE / "tech-teasers.txt")).returncode == 0
    before = content(db)
    proc = spawn(db, "ingest", str(feed), NEWSARC_CHECKPOINT_SECONDS="0.2")
    wait_for_open_batch(db, proc)
    time.sleep(0.5)  # interrupt a batch that has already committed some chunks
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr.strip().splitlines()[-1].startswith("newsarc: error: interrupted")
    assert "Traceback" not in stderr
    assert incomplete_batches(db) == 0, "the interrupted batch was removed"
    assert content(db) == before
    assert not survivors(feed)


def content(db: Path) -> list[str]:
    """The dump without FTS5's own shadow tables, whose pages differ after a delete."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO stories_fts (stories_fts) VALUES ('integrity-check')")
    finally:
        conn.close()
    return [line for line in dump(db) if "stories_fts_" not in line]


def test_four_writers_and_readers_at_once(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    feeds = []
    for i in range(4):
        feed = tmp_path / f"feed{i}.txt"
        synthetic_feed(feed, 3000, seed=i + 1)
        feeds.append(feed)
    # The same first file twice: two writers race to store the same stories.
    feeds.append(feeds[0])
    assert run(db, "ingest", str(SAMPLE / "tech-teasers.txt")).returncode == 0
    writers = [spawn(db, "ingest", str(f)) for f in feeds]
    reader_results = []
    while any(w.poll() is None for w in writers):
        reader_results.append(run(db, "list", "--limit", "5"))
        reader_results.append(run(db, "search", "district"))
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr
        assert "locked" not in stderr
    assert reader_results, "readers ran while writers were busy"
    for result in reader_results:
        assert result.returncode == 0, result.stderr
    assert check_consistent(db) == 10 + sum(split_count(f) for f in feeds[:4])


# -- hostile text and arguments -------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(payload=st.binary(min_size=0, max_size=3000))
def test_random_bytes_never_traceback(
    archive_with_samples: Path, tmp_path: Path, payload: bytes
) -> None:
    before = dump(archive_with_samples)
    path = tmp_path / "random.bin"
    path.write_bytes(payload)
    result = run(archive_with_samples, "ingest", str(path))
    assert result.returncode in (0, 4), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 4:
        one_error_line(result.stderr)
        assert dump(archive_with_samples) == before


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(min_size=1, max_size=60).filter(lambda t: not t.startswith("-")))
def test_random_arguments_never_traceback(newsarc: Newsarc, db: Path, text: str) -> None:
    if not db.exists():
        assert newsarc("ingest", str(SAMPLE / "tech-teasers.txt")).exit_code == 0
    before = dump(db)
    for args in (
        ["search", text],
        ["list", "--source", text, "--tag", text],
        ["list", "--since", text],
        ["tag", "999999", "--add", text],
        ["tags", "rename", text, "y"],
        *([["tag", text, "--add", "x"]] if not text.strip()[:1].isdigit() else []),
    ):
        result = newsarc(*args)
        assert result.exit_code in (0, 2, 3), (args, result.stderr)
        assert "Traceback" not in result.stderr
        if result.exit_code:
            assert result.stderr.startswith("newsarc: error:")
    assert dump(db) == before


@contextlib.contextmanager
def locked_archive(tmp_path: Path) -> Iterator[tuple[Path, Path, list[str]]]:
    """An archive and a 12,000-story feed, while another writer holds the lock and never lets go."""
    db = tmp_path / "archive.db"
    feed = tmp_path / "big.txt"
    synthetic_feed(feed, 12_000)
    assert run(db, "ingest", str(SAMPLE / "tech-teasers.txt")).returncode == 0
    before = content(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield db, feed, before
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_writer_failure_is_one_line_not_a_hang(tmp_path: Path) -> None:
    with locked_archive(tmp_path) as (db, feed, before):
        result = run(db, "ingest", str(feed), NEWSARC_BUSY_TIMEOUT="1")
    assert result.returncode == 1
    one_error_line(result.stderr)
    assert "locked by another newsarc" in result.stderr
    assert content(db) == before


def test_ctrl_c_while_waiting_for_the_lock(tmp_path: Path) -> None:
    with locked_archive(tmp_path) as (db, feed, _):
        proc = spawn(db, "ingest", str(feed))
        time.sleep(3)  # split the first chunk, then wait for the lock
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        waited = time.monotonic() - started
    assert proc.returncode == 130, stderr
    assert waited < 10, "Ctrl-C does not wait for the other writer"
    assert "Traceback" not in stderr
    assert incomplete_batches(db) == 0
