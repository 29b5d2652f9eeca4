"""Real shell pipelines and a real terminal (a pty), which CliRunner never sees."""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE

ROOT = Path(__file__).resolve().parent.parent
NEWSARC = f"{shlex.quote(sys.executable)} -m newsarc"


def shell(db: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NEWSARC_DB": str(db), **env}
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", script.replace("newsarc", NEWSARC)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    result = shell(path, f"newsarc ingest {SAMPLE}/*.txt --quiet")
    assert result.returncode == 0, result.stderr
    return path


def test_search_ids_into_tag(db: Path) -> None:
    result = shell(db, 'newsarc search "export curbs" --format ids | newsarc tag --add trade -')
    assert result.returncode == 0, result.stderr
    found = shell(db, 'newsarc search "export curbs" --format ids').stdout.split()
    tagged = shell(db, "newsarc list --tag trade --format ids").stdout.split()
    assert found and sorted(found) == sorted(tagged)


def test_list_into_show(db: Path) -> None:
    result = shell(db, "newsarc list --kind full | newsarc show -")
    assert result.returncode == 0, result.stderr
    fulls = shell(db, "newsarc list --kind full --format ids").stdout.split()
    assert result.stdout.count("\nkind: full") == len(fulls) > 0


def test_head_closes_the_pipe_quietly(db: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(
        "\n".join(
            f"Story {i}: the council in ward {i} voted on a plan to repair roads and bridges "
            f"before the rainy season, and residents said the delay had cost them dearly because"
            for i in range(20000)
        ),
        encoding="utf-8",
    )
    assert shell(db, f"newsarc ingest {big} --quiet").returncode == 0
    for script in (
        "newsarc list | head -1",
        "newsarc search council | head -1",
        "newsarc list --format jsonl | head -1",
    ):
        result = shell(db, script)
        assert result.returncode == 0, (script, result.stderr)
        assert result.stderr == "", script
        assert result.stdout.count("\n") == 1


def test_tsv_survives_cut_and_jsonl_survives_a_json_parser(db: Path) -> None:
    cut = shell(db, "newsarc list | cut -f1")
    ids = cut.stdout.split()
    assert ids and all(i.isdigit() for i in ids)
    result = shell(
        db,
        "newsarc list --format jsonl | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]; print(\"ok\")'",
    )
    assert result.stdout.strip() == "ok"


def run_in_pty(db: Path, args: list[str], **env: str) -> str:
    """Run newsarc with stdout on a pseudo-terminal 80 columns wide; return what it drew."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: newsarc, attached to the terminal
        os.environ.update(
            {"NEWSARC_DB": str(db), "COLUMNS": "80", "LINES": "50", "TERM": "xterm-256color", **env}
        )
        if "NO_COLOR" not in env:
            os.environ.pop("NO_COLOR", None)
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "newsarc", *args])
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace")


def test_terminal_gets_a_coloured_table_that_fits(db: Path) -> None:
    screen = run_in_pty(db, ["search", "export curbs"])
    assert "\x1b[" in screen, "colour and highlighting on a terminal"
    assert "\x1b[1m\x1b[33mexport" in screen or "\x1b[1;33mexport" in screen
    plain = run_in_pty(db, ["search", "export curbs"], NO_COLOR="1")
    assert "\x1b" not in plain, "NO_COLOR: no escape codes at all"
    visible = re.sub(r"\x1b\[[0-9;]*m", "", plain).replace("\r", "")
    lines = [line for line in visible.split("\n") if line]
    assert "story" in lines[0] and lines[1].startswith("─")
    assert max(len(line) for line in lines) <= 80


def test_terminal_list_defaults_to_twenty_rows(db: Path, tmp_path: Path) -> None:
    total = len(shell(db, "newsarc list --format ids").stdout.split())
    assert total > 20
    screen = run_in_pty(db, ["list"], NO_COLOR="1")
    rows = [line for line in screen.replace("\r", "").split("\n") if line[:5].strip().isdigit()]
    assert len(rows) == 20


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(
        "\n".join(
            f"Officials in ward {i} said the council would repair {i % 90} bridges before the "
            f"rains, though residents said the plan numbered {i} had been delayed twice and the "
            f"budget was still unclear to the engineers hired to carry out the work on the"
            for i in range(30000)
        ),
        encoding="utf-8",
    )
    assert big.stat().st_size > 4_000_000
    screen = run_in_pty(tmp_path / "a.db", ["ingest", str(big)])
    assert "stories" in screen and "━" in screen, "a bar with the stories found"
    assert "30000 stories found" in screen.replace("\r", "")
    piped = shell(tmp_path / "b.db", f"newsarc ingest {big}")
    assert piped.returncode == 0
    assert "━" not in piped.stderr, "no bar when stderr is not a terminal"
    quiet = run_in_pty(tmp_path / "c.db", ["ingest", str(big), "--quiet"])
    assert "━" not in quiet and "stories found" not in quiet
