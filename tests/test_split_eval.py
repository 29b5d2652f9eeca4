"""The splitter's scorer counts what it says, keeps the held-out set's text out of sight,
and the committed labelled feeds agree with their story pools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import make_feeds, split_eval

SPLITS = Path(__file__).resolve().parent.parent / "bench" / "splits"
CORPUS = Path(__file__).resolve().parent.parent / "bench" / "corpus"

FULL = [
    "Harbor Robotics Corp chairman Daniel Wu said yesterday the company would open a plant "
    "in Kaohsiung next year to build warehouse robots for Asian ports.",
    "Wu said the plant would employ about 400 engineers.",
    "He declined to say how much the company would invest.",
    "The Rotterdam-based company sells most of its robots in Europe.",
]
TEASER = (
    "Greenfield Foods Co president Anna Kuo said yesterday the company would build a cold "
    "storage center in Taichung to cut waste in its fresh produce business, as rising "
    "summer temperatures spoil more vegetables before they reach supermarket shelves, and "
    "the company expects the center to open in 2027 and employ about 300 people from the"
)


def _feed(directory: Path, name: str, stories: list[tuple[int, int]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.txt").write_text("\n".join([*FULL, TEASER]), encoding="utf-8")
    labels = {"stories": [{"start_line": a, "end_line": b, "kind": "full"} for a, b in stories]}
    (directory / f"{name}.labels.json").write_text(json.dumps(labels), encoding="utf-8")


def test_exact_story_counts(tmp_path: Path) -> None:
    _feed(tmp_path / "dev", "right", [(1, 4), (5, 5)])
    _feed(tmp_path / "dev", "wrong", [(1, 2), (3, 4), (5, 5)])  # one true cut it misses
    report = split_eval.evaluate(tmp_path / "dev")
    assert report["feeds"] == 2 and report["perfect"] == 1
    # predicted 2 + 2 stories; true 2 + 3; exact matches 2 + 1
    assert report["stories"] == {"precision": 0.75, "recall": 0.6, "f1": 0.6667}
    [worst] = report["worst"]
    assert worst["feed"] == "wrong" and worst["missed"] == [3] and worst["spurious"] == []
    assert "Wu said the plant" in "\n".join(worst["context"]["3"])


def test_held_out_text_is_never_shown_nor_fitted(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    held = tmp_path / split_eval.HELD_OUT[-1]
    _feed(held, "one", [(1, 2), (3, 4), (5, 5)])
    assert split_eval.main([str(held), "--json"]) == 0
    out = capsys.readouterr().out
    assert "(held out)" in out and "Wu said" not in out
    with pytest.raises(SystemExit) as exc:
        split_eval.main(["--fit", str(held)])
    assert exc.value.code == 2


@pytest.mark.parametrize(
    "name",
    ["dev", "test", "fresh", "extra", "grow", "asia", "mix", "wide", "holdout", "holdout2",
     "holdout3", "holdout4", "holdout5", "taipei", "wires", "sci", "metro", "sasia", "biz"],
)
def test_committed_feeds_match_their_pools(name: str) -> None:
    out = SPLITS / name
    assert sorted(out.glob("*.labels.json")), f"no labelled feeds in {out}"
    assert make_feeds.check_dir(out, CORPUS) == []
