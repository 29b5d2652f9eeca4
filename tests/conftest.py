"""Shared fixtures: a temporary archive and a runner that goes through the real CLI."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from newsarc.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

# Hypothesis's default 200 ms deadline turns a busy machine into a failing test: the
# invariants are what the property tests check, not speed (that is python -m bench's job).
# In CI the examples are derandomized, so a failure there is reproducible here.
settings.register_profile("newsarc", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("newsarc")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


class Newsarc:
    """Runs `newsarc ARGS` in-process with a temporary NEWSARC_DB, colour off, 100 columns."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None) -> Result:
        env = {"NEWSARC_DB": str(self.db), "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
        result = self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)


def dump(db: Path) -> list[str]:
    """The archive as SQL text: equal dumps mean byte-for-byte equal content."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def newsarc(db: Path) -> Iterator[Newsarc]:
    old = os.environ.get("NEWSARC_DB")
    yield Newsarc(db)
    if old is not None:
        os.environ["NEWSARC_DB"] = old


@pytest.fixture
def sample_files() -> list[Path]:
    return sorted(SAMPLE.glob("*.txt"))
