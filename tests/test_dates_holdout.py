"""The date extractor on sentences written apart from it, by someone who never read its code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from newsarc.dates import extract_mentions

HOLDOUT = Path(__file__).parent / "data" / "date_mentions_holdout.jsonl"


def score() -> tuple[int, int, int]:
    """True positives, false positives, misses: a hit overlaps a labelled phrase, same days."""
    tp = fp = fn = 0
    for line in HOLDOUT.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        text = case["text"]
        gold = []
        for m in case["mentions"]:
            start = text.index(m["phrase"])
            gold.append((start, start + len(m["phrase"]), m["day"], m.get("end", m["day"])))
        used: set[int] = set()
        for found in extract_mentions(text, date.fromisoformat(case["feed_date"])):
            lo, hi = found.offset, found.offset + len(found.phrase)
            match = next(
                (
                    i
                    for i, (g_lo, g_hi, day, end) in enumerate(gold)
                    if i not in used
                    and lo < g_hi
                    and g_lo < hi
                    and (found.day.isoformat(), found.end.isoformat()) == (day, end)
                ),
                None,
            )
            if match is None:
                fp += 1
            else:
                used.add(match)
                tp += 1
        fn += len(gold) - len(used)
    return tp, fp, fn


def test_holdout_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    tp, fp, fn = score()
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    message = (
        f"held-out date mentions: precision {precision:.3f} ({tp}/{tp + fp}), "
        f"recall {recall:.3f} ({tp}/{tp + fn})"
    )
    with capsys.disabled():
        print(f"\n{message}")
    assert tp + fn >= 150, "the held-out set is complete"
    assert precision >= 0.95, message
    assert recall >= 0.85, message
