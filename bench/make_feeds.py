"""Compose labelled raw feeds from the story pool, for scoring the splitter.

Usage:
    python -m bench.make_feeds --set dev --seed 1 --out bench/splits/dev [--check]
    python -m bench.make_feeds --check --out bench/splits/dev      (verify only)

The pool is ``bench/corpus/<set>/<topic>/<n>.txt``: one story per file, one paragraph per
line, optional ``# kicker: WORD`` / ``# dek: ...`` header lines (see bench/corpus/README.md).

Each feed is ``NAME.txt`` (the raw feed, in the shape users have) and ``NAME.labels.json``:
``{"stories": [{"start_line": a, "end_line": b, "kind": "full"|"teaser", "source": ...}]}``.
Lines are numbered from 1 after decoding UTF-8, dropping a BOM, splitting on "\\n" and
stripping one trailing "\\r"; a range runs from the story's first to its last non-blank line.

Everything is drawn from one ``random.Random(seed)``, so a given pool and seed always give
the same feeds. Every story of the pool is used at most once per set.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"

MIN_STORIES, MAX_STORIES = 5, 14
TEASER_MIN, TEASER_MAX = 550, 900
NBSP = "\u00a0"
BOM = "\ufeff"

# Lines of a story that are not paragraphs of its text: captions, bylines, sign-offs.
_NONBODY = re.compile(
    r"^(?:"
    r"(?:photo|photos|picture|image|file photo|graphic|video)\b.{0,120}"
    r"|[—–-]{1,2}\s*\S.{0,120}"
    r"|by [A-Z][^.!?]{0,80}"
    r"|(?:additional )?reporting by\b.{0,200}"
    r"|(?:editing|writing|compiled|translated) by\b.{0,200}"
    r")$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…][\"”’')\]]*$|[\"”’]$")
# `TAIPEI, March 3 (CNA) — `, `SINGAPORE (Reuters) - `, `DES MOINES, Iowa — `
_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’-]{1,40}(?:, [A-Z][A-Za-z.]*(?: \d{1,2})?)?(?: \([A-Za-z. ]+\))? [—–-] "
)
_ABBREV = {
    "corp",
    "inc",
    "co",
    "ltd",
    "mr",
    "mrs",
    "ms",
    "dr",
    "no",
    "st",
    "jan",
    "feb",
    "aug",
    "sept",
    "sep",
    "oct",
    "nov",
    "dec",
    "vs",
    "gov",
    "sen",
    "rep",
    "gen",
    "jr",
    "sr",
    "u.s",
}


Labels = list[dict[str, object]]
Feed = tuple[str, Labels, dict[str, object]]


@dataclass
class Story:
    """One story of the pool."""

    source: str  # "<set>/<topic>/<n>.txt"
    topic: str
    lines: list[str]  # one paragraph (or caption/byline/sign-off) per entry
    kicker: str | None = None
    dek: str | None = None

    def body(self) -> list[str]:
        """The paragraphs a teaser is made from: no captions, bylines or sign-offs."""
        return [ln for ln in self.lines if not is_nonbody(ln)]

    def teaser_source(self) -> str:
        text = " ".join(self.body())
        if self.kicker:
            lead = f"{self.kicker}: {self.dek} " if self.dek else f"{self.kicker}: "
            text = lead + text
        return text

    def can_tease(self) -> bool:
        return len(self.teaser_source()) > TEASER_MIN + 40


@dataclass
class Placed:
    """A story as it appears in a feed: its lines and what kind it is."""

    story: Story
    kind: str  # "full" | "teaser"
    lines: list[str]


@dataclass
class Variant:
    """How one feed's text is laid out, beyond its stories."""

    blank_between_stories: bool = False
    blank_between_all: bool = False
    crlf: bool = False
    bom: bool = False
    no_trailing_newline: bool = False
    whitespace_noise: bool = False

    def tags(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name)]


def is_nonbody(line: str) -> bool:
    s = line.strip()
    if _NONBODY.match(s) and not _TERMINAL.search(s):
        return True
    # A short line without terminal punctuation is a caption or a sign-off, not a paragraph.
    return len(s) < 90 and not _TERMINAL.search(s)


def load_story(path: Path, root: Path) -> Story:
    raw = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    kicker: str | None = None
    dek: str | None = None
    lines: list[str] = []
    header = True
    for line in raw.split("\n"):
        if header and line.startswith("# "):
            key, _, value = line[2:].partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "kicker":
                kicker = value or None
            elif key == "dek":
                dek = value.rstrip(".") or None
            continue
        header = False
        if line.strip():
            lines.append(line.strip())
    rel = path.relative_to(root).as_posix()
    return Story(source=rel, topic=path.parent.name, lines=lines, kicker=kicker, dek=dek)


def load_pool(root: Path, set_name: str) -> list[Story]:
    base = root / set_name
    paths = sorted(base.glob("*/*.txt"), key=lambda p: (p.parent.name, _num_key(p.stem)))
    stories = [load_story(p, root) for p in paths]
    return [s for s in stories if s.lines]


def _num_key(stem: str) -> tuple[int, str]:
    return (int(stem), "") if stem.isdigit() else (10**9, stem)


# ---------------------------------------------------------------------------------------
# Teasers


def _mid_sentence_cuts(text: str, lo: int, hi: int) -> list[int]:
    """Cut points i (text[:i] is the teaser) at a word boundary, mid-sentence."""
    out = []
    for m in re.finditer(r" ", text):
        i = m.start()
        if i < lo or i > hi or i >= len(text) - 1:
            continue
        if text[i - 1].isalnum() and text[i + 1] not in "—–-":
            out.append(i)
    return out


def _sentence_end_cuts(text: str, lo: int, hi: int) -> list[int]:
    """Cut points right after a full stop (or ?/!), before more text follows."""
    out = []
    for m in re.finditer(r"([.!?])([\"”’]?) (?=[A-Z“\"])", text):
        i = m.end() - 1
        if i < lo or i > hi:
            continue
        word = re.search(r"(\S+)$", text[: m.start()])
        w = word.group(1).lower().lstrip('(“"') if word else ""
        if m.group(1) == "." and (w in _ABBREV or len(w) == 1 or "." in w):
            continue
        out.append(i)
    return out


def make_teaser(story: Story, rng: random.Random, sentence_end: bool) -> str:
    text = story.teaser_source()
    hi = min(TEASER_MAX, len(text) - 1)
    lo = TEASER_MIN
    if story.kicker:
        # never cut inside the kicker and dek
        lo = max(lo, len(story.kicker) + len(story.dek or "") + 40)
    if sentence_end:
        cuts = _sentence_end_cuts(text, lo, hi)
        if cuts:
            return text[: rng.choice(cuts)]
    cuts = _mid_sentence_cuts(text, lo, hi)
    if not cuts:
        raise ValueError(f"{story.source}: too short for a teaser")
    # aim for a uniform length, then take the nearest word boundary below it
    target = rng.randint(cuts[0], cuts[-1])
    i = max(c for c in cuts if c <= target)
    return text[:i]


def strip_dateline(text: str) -> str:
    m = _DATELINE.match(text)
    return text[m.end() :] if m else text


# ---------------------------------------------------------------------------------------
# Composing feeds


PATTERNS = ("seed", "alternate", "teasers", "articles", "mixed")


def pick_stories(pool: list[Story], n: int, rng: random.Random) -> list[Story]:
    """Take n stories off the pool, often keeping neighbours from the same topic."""
    chosen: list[Story] = []
    while pool and len(chosen) < n:
        prev = chosen[-1] if chosen else None
        same = [s for s in pool if prev is not None and s.topic == prev.topic]
        if same and rng.random() < 0.45:
            s = rng.choice(same)
        else:
            s = rng.choice(pool)
        pool.remove(s)
        chosen.append(s)
    return chosen


def plan_kinds(stories: Sequence[Story], rng: random.Random) -> tuple[str, list[str]]:
    """Which stories become teasers, following one of a few shapes of real feeds."""
    n = len(stories)
    pattern = rng.choice(PATTERNS)
    want: list[str]
    if pattern == "seed":  # a few articles, then a run of teasers
        k = rng.randint(1, max(1, min(3, n - 2)))
        want = ["full"] * k + ["teaser"] * (n - k)
    elif pattern == "alternate":  # teasers between articles
        want = []
        while len(want) < n:
            want += ["full"] + ["teaser"] * rng.randint(1, 3)
        want = want[:n]
    elif pattern == "teasers":  # a run of teasers only (maybe one article)
        want = ["teaser"] * n
        if rng.random() < 0.3:
            want[rng.randrange(n)] = "full"
    elif pattern == "articles":  # several full articles back to back
        want = ["full"] * n
        for _ in range(rng.randint(0, 2)):
            want[rng.randrange(n)] = "teaser"
    else:
        want = [rng.choice(("full", "teaser")) for _ in range(n)]
    kinds = [
        w if w == "full" or s.can_tease() else "full" for w, s in zip(want, stories, strict=True)
    ]
    return pattern, kinds


def place(story: Story, kind: str, rng: random.Random) -> Placed:
    if kind == "teaser":
        sentence_end = rng.random() < 0.15
        if story.kicker is None and rng.random() < 0.5:
            # wire teasers often lose the dateline; try on a copy of the story
            body = story.lines[:]
            for j, ln in enumerate(body):
                if not is_nonbody(ln):
                    body[j] = strip_dateline(ln)
                    break
            story_for_teaser = Story(story.source, story.topic, body, story.kicker, story.dek)
        else:
            story_for_teaser = story
        try:
            text = make_teaser(story_for_teaser, rng, sentence_end)
        except ValueError:
            text = make_teaser(story, rng, sentence_end)
        return Placed(story, "teaser", [text])
    lines = story.lines[:]
    if story.kicker and rng.random() < 0.35 and not is_nonbody(lines[0]):
        lead = f"{story.kicker}: {story.dek} " if story.dek else f"{story.kicker}: "
        lines[0] = lead + lines[0]
    return Placed(story, "full", lines)


def pick_variant(rng: random.Random) -> Variant:
    return Variant(
        blank_between_stories=rng.random() < 0.20,
        blank_between_all=rng.random() < 0.10,
        crlf=rng.random() < 0.10,
        bom=rng.random() < 0.10,
        no_trailing_newline=rng.random() < 0.25,
        whitespace_noise=rng.random() < 0.20,
    )


def cover_variants(variants: Sequence[Variant], rng: random.Random) -> None:
    """Make sure every layout quirk shows up in at least one feed of the set."""
    if len(variants) < 2:
        return
    for f in fields(Variant):
        if not any(getattr(v, f.name) for v in variants):
            setattr(rng.choice(variants), f.name, True)


def _noisy(line: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.10:
        line += rng.choice((" ", "  ", NBSP, " " + NBSP, "\t"))
    elif r < 0.16:
        # a non-breaking space inside the line, after a number
        spots = [m.start() for m in re.finditer(r"(?<=\d) (?=[a-zA-Z])", line)]
        if spots:
            i = rng.choice(spots)
            line = line[:i] + NBSP + line[i + 1 :]
    return line


def render(placed: Sequence[Placed], v: Variant, rng: random.Random) -> tuple[str, Labels]:
    """The feed's text and its labels."""
    out: list[str] = []
    labels: Labels = []
    for k, p in enumerate(placed):
        if k > 0 and (v.blank_between_stories or v.blank_between_all):
            out.extend([""] * (2 if rng.random() < 0.2 else 1))
        start = len(out) + 1
        for j, line in enumerate(p.lines):
            if j > 0 and v.blank_between_all:
                out.append("")
            out.append(_noisy(line, rng) if v.whitespace_noise else line)
        labels.append(
            {
                "start_line": start,
                "end_line": len(out),
                "kind": p.kind,
                "source": p.story.source,
                "kicker": p.story.kicker
                if p.kind == "teaser" or p.lines[0] != p.story.lines[0]
                else None,
            }
        )
    if v.blank_between_all and rng.random() < 0.3:
        out.append("")  # a stray blank line at the end
    nl = "\r\n" if v.crlf else "\n"
    text = nl.join(out) + ("" if v.no_trailing_newline else nl)
    if v.bom:
        text = BOM + text
    return text, labels


def compose(pool: list[Story], seed: int, max_feeds: int | None) -> list[Feed]:
    rng = random.Random(seed)
    remaining = pool[:]
    plans: list[tuple[str, list[Placed], Variant]] = []
    while len(remaining) >= MIN_STORIES and (max_feeds is None or len(plans) < max_feeds):
        # skewed towards short feeds (mean about 8), like real daily pulls
        n = round(rng.triangular(MIN_STORIES, MAX_STORIES + 0.49, 6))
        n = min(MAX_STORIES, max(MIN_STORIES, n))
        if len(remaining) - n < MIN_STORIES and len(remaining) <= MAX_STORIES:
            n = len(remaining)  # do not strand a last handful of stories
        stories = pick_stories(remaining, n, rng)
        pattern, kinds = plan_kinds(stories, rng)
        placed = [place(s, k, rng) for s, k in zip(stories, kinds, strict=True)]
        plans.append((pattern, placed, pick_variant(rng)))
    cover_variants([v for _, _, v in plans], rng)
    feeds: list[Feed] = []
    for pattern, placed, v in plans:
        text, labels = render(placed, v, rng)
        meta: dict[str, object] = {"pattern": pattern, "variant": v.tags()}
        feeds.append((text, labels, meta))
    return feeds


def write_feeds(out: Path, set_name: str, feeds: Sequence[Feed]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob(f"{set_name}_*.txt")) + list(out.glob(f"{set_name}_*.labels.json")):
        old.unlink()
    for i, (text, labels, meta) in enumerate(feeds):
        name = f"{set_name}_{i:03d}"
        (out / f"{name}.txt").write_bytes(text.encode("utf-8"))
        doc = {"stories": labels, "feed": meta}
        (out / f"{name}.labels.json").write_text(
            json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )


# ---------------------------------------------------------------------------------------
# Checking


def read_lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8")
    text = text.removeprefix(BOM)
    return [ln.removesuffix("\r") for ln in text.split("\n")]


def _norm(s: str) -> str:
    return " ".join(s.replace(NBSP, " ").split())


def check_dir(out: Path, root: Path) -> list[str]:
    """Re-read every feed in out and verify its labels; return the problems found."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    pairs = sorted(out.glob("*.labels.json"))
    if not pairs:
        problems.append(f"{out}: no labelled feeds")
    cache: dict[str, Story] = {}
    for lab in pairs:
        name = lab.name[: -len(".labels.json")]
        txt = lab.with_name(name + ".txt")
        if not txt.exists():
            problems.append(f"{name}: missing .txt")
            continue
        lines = read_lines(txt)
        stories = json.loads(lab.read_text(encoding="utf-8"))["stories"]
        if not MIN_STORIES <= len(stories) <= MAX_STORIES:
            problems.append(f"{name}: {len(stories)} stories")
        prev_end = 0
        for st in stories:
            a, b, kind = int(st["start_line"]), int(st["end_line"]), st["kind"]
            where = f"{name}:{a}-{b}"
            if not (prev_end < a <= b <= len(lines)):
                problems.append(f"{where}: bad range (previous ends at {prev_end})")
                continue
            if any(ln.strip() for ln in lines[prev_end : a - 1]):
                problems.append(f"{where}: unlabelled text before the story")
            if not lines[a - 1].strip() or not lines[b - 1].strip():
                problems.append(f"{where}: range does not start and end on text")
            prev_end = b
            body = [ln for ln in lines[a - 1 : b] if ln.strip()]
            src = str(st.get("source", ""))
            if src in seen:
                problems.append(f"{where}: {src} already used in {seen[src]}")
            seen[src] = where
            if kind == "teaser":
                t = body[0].rstrip(" \t" + NBSP)
                if len(body) != 1:
                    problems.append(f"{where}: teaser spans {len(body)} lines")
                if not TEASER_MIN <= len(t) <= TEASER_MAX:
                    problems.append(f"{where}: teaser of {len(t)} chars")
            elif kind != "full":
                problems.append(f"{where}: kind {kind!r}")
            path = root / src
            if not src or not path.exists():
                problems.append(f"{where}: unknown source {src!r}")
                continue
            story = cache.get(src) or load_story(path, root)
            cache[src] = story
            got = [_norm(ln) for ln in body]
            if kind == "full":
                want = [_norm(ln) for ln in story.lines]
                if got[1:] != want[1:] or not got[0].endswith(want[0]):
                    problems.append(f"{where}: text differs from {src}")
            else:
                full = _norm(story.teaser_source())
                alt = _norm(
                    " ".join(strip_dateline(x) if i == 0 else x for i, x in enumerate(story.body()))
                )
                if not (full.startswith(got[0]) or alt.startswith(got[0])):
                    problems.append(f"{where}: teaser is not the opening of {src}")
                if got[0] in (full, alt):
                    problems.append(f"{where}: teaser is the whole story")
        if any(ln.strip() for ln in lines[prev_end:]):
            problems.append(f"{name}: unlabelled text after the last story")
    return problems


def summarize(out: Path) -> str:
    feeds = sorted(out.glob("*.labels.json"))
    kinds: dict[str, int] = {}
    for lab in feeds:
        for st in json.loads(lab.read_text(encoding="utf-8"))["stories"]:
            kinds[st["kind"]] = kinds.get(st["kind"], 0) + 1
    total = sum(kinds.values())
    return (
        f"{out}: {len(feeds)} feeds, {total} stories ({kinds.get('full', 0)} full, "
        f"{kinds.get('teaser', 0)} teasers)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.make_feeds", description=(__doc__ or "").split("\n")[0]
    )
    ap.add_argument("--set", dest="set_name", help="pool to draw from: dev or test")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, help="output directory (default bench/splits/<set>)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="pool root (default bench/corpus)")
    ap.add_argument("--max-feeds", type=int, default=None, help="stop after this many feeds")
    ap.add_argument("--check", action="store_true", help="re-read the feeds and verify the labels")
    args = ap.parse_args(argv)
    root: Path = args.corpus
    if args.set_name is None and not args.check:
        ap.error("give --set, or --check with --out")
    out: Path | None = args.out
    if out is None:
        if args.set_name is None:
            ap.error("--check without --set needs --out")
        out = Path(__file__).resolve().parent / "splits" / args.set_name
    if args.set_name is not None:
        pool = load_pool(root, args.set_name)
        if len(pool) < MIN_STORIES:
            print(
                f"pool {root / args.set_name} has {len(pool)} stories; need {MIN_STORIES}",
                file=sys.stderr,
            )
            return 1
        feeds = compose(pool, args.seed, args.max_feeds)
        write_feeds(out, args.set_name, feeds)
        used = sum(len(f[1]) for f in feeds)
        print(f"pool {args.set_name}: {len(pool)} stories, {used} used")
    if args.check:
        problems = check_dir(out, root)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print(f"{len(problems)} problems", file=sys.stderr)
            return 1
        print("check ok")
    print(summarize(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
