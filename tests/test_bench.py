"""The benchmark's synthetic feeds have the seed's shape, and `python -m bench --quick` runs.

Nothing here is timed: the figures live in docs/benchmarks.md, not in assertions.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench import synth
from bench.run import GOAL_NAMES

ROOT = Path(__file__).resolve().parent.parent
_FINAL = re.compile(r"[.!?…:;][\"”’')\]]*$|[\"”’]$")
_ATTACHED = re.compile(r"^(?:Photo|By |— )")


def test_same_seed_same_feed_other_seed_other_feed(tmp_path: Path) -> None:
    a = synth.write_feed(tmp_path / "a.txt", 7, 200_000)
    b = synth.write_feed(tmp_path / "b.txt", 7, 200_000)
    c = synth.write_feed(tmp_path / "c.txt", 8, 200_000)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.split_path.read_bytes() == b.split_path.read_bytes()
    assert a.path.read_bytes() != c.path.read_bytes()
    assert a.bytes == a.path.stat().st_size >= 200_000


def test_feed_has_the_seed_shape(tmp_path: Path) -> None:
    info = synth.write_feed(tmp_path / "f.txt", 3, None, stories=400)
    raw = info.path.read_text(encoding="utf-8")
    assert not raw.endswith("\n")  # no trailing newline, like the seed
    assert "\n\n" not in raw  # no blank lines, no separator between stories
    stories = list(synth.read_split(info.path))
    assert len(stories) == info.stories == 400
    assert sum(len(lines) for _, lines in stories) == len(raw.split("\n")) == info.lines
    teasers = [lines for kind, lines in stories if kind == "teaser"]
    articles = [lines for kind, lines in stories if kind == "full"]
    assert len(teasers) > 100 and len(articles) > 50
    for lines in teasers:
        assert len(lines) == 1  # one line: paragraphs run together
        text = lines[0]
        assert synth.TEASER_MIN - 40 <= len(text) <= synth.TEASER_MAX, len(text)
        assert not _FINAL.search(text), text[-40:]  # cut off mid-sentence
        assert '"' not in text  # curly quotes, unlike the articles
    captions = 0
    for lines in articles:
        assert len(lines) >= 6
        assert not lines[0].startswith("Photo")
        for line in lines:
            if _ATTACHED.match(line):
                captions += line.startswith("Photo")
                continue
            assert _FINAL.search(line), line[-40:]  # every paragraph ends a sentence
    assert captions >= len(articles)  # at least one caption per article
    # Names recur across stories (Zipf popularity), so searches for them are realistic.
    first_names = [re.match(r"(?:[A-Z ,.]+\([A-Za-z]+\) — )?(\w+ \w+)", s[1][0]) for s in stories]
    seen = [m.group(1) for m in first_names if m]
    assert len(set(seen)) < len(seen)


def test_quick_run_writes_a_report_with_every_goal(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--work",
         str(tmp_path / "work")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    assert "| SQLite | " in report and "| Python | " in report
    rows = [line for line in report.splitlines() if line.startswith("| ")]
    for name in GOAL_NAMES:
        matching = [r for r in rows if r.startswith(f"| {name}")]
        assert matching, f"no goal row for {name!r}"
        assert all(("PASS" in r) or ("MISS" in r) for r in matching)
