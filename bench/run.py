"""Measure newsarc against its floors, side by side in one run, and write docs/benchmarks.md.

Stages (each a function below, each returning plain figures):

1. ingest: ``newsarc ingest`` as a process vs the SQLite floor (bench/floor.py, the faster of
   triggers and one bulk INSERT ... SELECT) vs ``grep -c .`` over the same bytes;
2. split alone: ``newsarc split`` as a process, and decode / segment in-process;
3. ingest into a big archive: the same feed into an empty archive and into a copy of one
   that already holds the big archive's stories;
4. search: in-process ``Archive.search``, the ``newsarc search`` process, the raw FTS5 query
   and a LIKE scan, for rare, medium and common query groups, at two archive sizes;
5. start-up: ``newsarc --help`` and ``newsarc list`` vs ``python -c pass`` and a minimal typer
   app (bench/typer_minimal.py);
6. memory and size: peak RSS of each ingest process; archive bytes per MB of text.

Feeds and archives are cached under the work directory (bench/out/, git-ignored), keyed by
the synthetic generator's version and the archive schema, so a second run skips building.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import platform
import pstats
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench import synth

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
NEWSARC = str(Path(sys.executable).with_name("newsarc"))
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
ENV.pop("NEWSARC_DB", None)

MB = 1_000_000
GROUPS = ("rare", "medium", "common")
# Document-frequency bands of the query groups (share of stories holding the term).
BANDS = {"rare": (0.0, 0.001, 0.0004), "medium": (0.005, 0.02, 0.01), "common": (0.1, 0.6, 0.2)}


# -- settings ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Settings:
    quick: bool
    out: Path
    work: Path
    sizes: list[float]  # feed sizes in MB
    mid: int  # stories in the smaller search archive
    big: int  # stories in the big archive
    reps: int  # repetitions of small ingest runs
    search_reps: int
    process_reps: int
    startup_reps: int
    profile: bool
    rebuild: bool

    @classmethod
    def from_args(cls, argv: Sequence[str] | None = None) -> Settings:
        p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
        p.add_argument("--quick", action="store_true", help="tiny sizes, under a minute")
        p.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
        p.add_argument("--work", type=Path, default=None, help="cache dir [bench/out]")
        p.add_argument("--sizes", default=None, help="feed sizes in MB, e.g. 10,100,500")
        p.add_argument("--big", type=int, default=None, help="stories in the big archive")
        p.add_argument("--mid", type=int, default=None, help="stories in the mid archive")
        p.add_argument("--skip-big", action="store_true", help="search and ingest at --mid only")
        p.add_argument("--no-profile", action="store_true", help="skip the cProfile section")
        p.add_argument("--rebuild", action="store_true", help="rebuild cached archives")
        a = p.parse_args(argv)
        quick = bool(a.quick)
        sizes = [float(s) for s in a.sizes.split(",")] if a.sizes else (
            [0.5, 1.0] if quick else [10.0, 100.0, 500.0]
        )
        mid = a.mid or (1000 if quick else 100_000)
        big = a.big or (5000 if quick else 1_000_000)
        if a.skip_big:
            big = mid
        work = a.work or (BENCH / "out" / ("quick" if quick else "full"))
        return cls(
            quick=quick,
            out=a.out,
            work=work,
            sizes=sorted(sizes),
            mid=min(mid, big),
            big=big,
            reps=1 if quick else 3,
            search_reps=3 if quick else 10,
            process_reps=1 if quick else 3,
            startup_reps=3 if quick else 20,
            profile=not a.no_profile and not quick,
            rebuild=bool(a.rebuild),
        )


# -- timing helpers ---------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    seconds: float
    maxrss_mb: float  # the largest single process (wait4)
    code: int
    stderr: str
    cpu_s: float = 0.0  # user + system, the process and the children it waited for
    tree_rss_mb: float = 0.0  # peak of the summed RSS of the process and its children


def _tree_rss_kb(pid: int) -> int:
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as f:
                pids += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def _sample_tree(pid: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.wait(0.05):
        peak[0] = max(peak[0], _tree_rss_kb(pid))


def run(cmd: Sequence[str], *, stdout: Any = subprocess.DEVNULL, sample: bool = False) -> Run:
    """Run a process: wall time, CPU time, peak RSS of the largest process (wait4) and, with
    ``sample``, the peak of the process tree's summed RSS (sampled every 50 ms)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=stdout, stderr=err, env=ENV)
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak))
        if sample:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        stop.set()
        if sample:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {text[-2000:]}")
    return Run(
        seconds,
        usage.ru_maxrss / 1024,
        proc.returncode,
        text,
        usage.ru_utime + usage.ru_stime,
        max(peak[0], usage.ru_maxrss) / 1024,
    )


def best(runs: Sequence[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def db_bytes(path: Path) -> int:
    return sum(
        q.stat().st_size for q in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if q.exists()
    )


def remove_db(path: Path) -> None:
    for q in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        q.unlink(missing_ok=True)


def stories_found(stderr: str) -> int:
    m = re.search(r"(\d+) stor(?:y|ies) found", stderr)
    if not m:
        raise RuntimeError(f"no report from newsarc ingest: {stderr[-500:]}")
    return int(m.group(1))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- 1. ingest vs floor -----------------------------------------------------------------------


@dataclass(slots=True)
class IngestRow:
    mb: float
    stories: int  # true stories in the feed
    found: int  # stories newsarc found
    newsarc: Run
    floor: Run
    floor_mode: str
    floor_other: Run
    grep: Run
    newsarc_bytes: int
    floor_bytes: int

    @property
    def ratio(self) -> float:
        return self.floor.seconds / self.newsarc.seconds


def feed_for(s: Settings, mb: float) -> synth.FeedInfo:
    size = int(mb * MB)
    return synth.cached_feed(s.work / "feeds", f"feed{size // 1000}k", 100 + size % 997, size)


def measure_ingest(s: Settings, feed: synth.FeedInfo, keep: Path | None = None) -> IngestRow:
    dbdir = s.work / "db"
    dbdir.mkdir(parents=True, exist_ok=True)
    reps = s.reps if feed.mb <= 20 else 1
    grep = best([run(["grep", "-c", ".", str(feed.path)]) for _ in range(reps)])
    floors: dict[str, Run] = {}
    floor_bytes: dict[str, int] = {}
    for mode in ("triggers", "bulk"):
        db = dbdir / f"floor-{mode}.db"
        runs = []
        for _ in range(reps):
            remove_db(db)
            runs.append(run([PYTHON, str(BENCH / "floor.py"), mode, str(db), str(feed.path)]))
        floors[mode] = best(runs)
        floor_bytes[mode] = db_bytes(db)
        remove_db(db)
    mode = min(floors, key=lambda m: floors[m].seconds)
    other = "bulk" if mode == "triggers" else "triggers"
    db = dbdir / "newsarc.db"
    runs = []
    for _ in range(reps):
        remove_db(db)
        runs.append(run([NEWSARC, "ingest", str(feed.path), "--db", str(db)], sample=True))
    size = db_bytes(db)
    if keep is not None:
        shutil.copyfile(db, keep)  # for the start-up measurement
    remove_db(db)
    r = best(runs)
    return IngestRow(
        mb=feed.mb,
        stories=feed.stories,
        found=stories_found(r.stderr),
        newsarc=r,
        floor=floors[mode],
        floor_mode=mode,
        floor_other=floors[other],
        grep=grep,
        newsarc_bytes=size,
        floor_bytes=floor_bytes[mode],
    )


# -- 2. split alone ---------------------------------------------------------------------------


@dataclass(slots=True)
class SplitRow:
    mb: float
    process: Run
    decode_s: float
    segment_s: float
    stories: int
    dates_s: float = math.inf  # extract_mentions over every story's text, in-process


def measure_split(s: Settings, feed: synth.FeedInfo) -> SplitRow:
    from newsarc.decode import open_feed
    from newsarc.segment import segment

    proc = best(
        [
            run([NEWSARC, "split", str(feed.path), "--format", "jsonl"])
            for _ in range(s.reps)
        ]
    )
    from newsarc.dates import extract_mentions

    decode_s, segment_s, dates_s, n = math.inf, math.inf, math.inf, 0
    day = date(2024, 4, 29)
    for _ in range(s.reps):
        t0 = time.perf_counter()
        with open_feed(str(feed.path)) as f:
            lines = list(f.lines())
        t1 = time.perf_counter()
        texts = [story.text for story in segment(lines)]
        t2 = time.perf_counter()
        for text in texts:
            extract_mentions(text, day)
        t3 = time.perf_counter()
        n = len(texts)
        decode_s, segment_s = min(decode_s, t1 - t0), min(segment_s, t2 - t1)
        dates_s = min(dates_s, t3 - t2)
    return SplitRow(feed.mb, proc, decode_s, segment_s, n, dates_s)


# -- 3. big archives --------------------------------------------------------------------------


PART_SEED = 5000


def part_size(s: Settings) -> int:
    return min(s.mid, 100_000)


def build_archives(s: Settings) -> tuple[Path, int, Path, int]:
    """The mid and big archives (cached): newsarc ingest of generated feeds, part by part.

    Part 0 holds ``mid`` true stories; the archive is copied aside after it. The next part is
    generated while newsarc ingests the current one.
    """
    from newsarc.migrations import LATEST

    adir = s.work / "archives"
    adir.mkdir(parents=True, exist_ok=True)
    tag = f"v{synth.VERSION}-m{LATEST}"
    mid_db, big_db = adir / f"arc-{s.mid}-{tag}.db", adir / f"arc-{s.big}-{tag}.db"
    if not s.rebuild and mid_db.exists() and big_db.exists():
        return mid_db, count_stories(mid_db), big_db, count_stories(big_db)
    part_stories = part_size(s)
    building = adir / "building.db"
    remove_db(building)
    lex = synth.Lexicon.make()

    def part(i: int) -> synth.FeedInfo:
        path = adir / f"part{i:03d}.txt"
        return synth.write_feed(path, PART_SEED + i, None, lex, stories=part_stories)

    total, i, nxt = 0, 0, part(0)
    have_mid = False
    while total < s.big:
        cur = nxt
        log(f"big archive: ingesting part {i} ({cur.stories} stories, {cur.mb:.0f} MB)")
        proc = subprocess.Popen(
            [NEWSARC, "ingest", str(cur.path), "--db", str(building), "--no-mentions"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=ENV,
        )
        nxt = part(i + 1) if total + cur.stories < s.big else cur
        _, err = proc.communicate()
        if proc.returncode:
            raise RuntimeError(f"ingest of {cur.path} failed: {err.decode()[-2000:]}")
        total += stories_found(err.decode())
        if nxt is not cur:
            cur.path.unlink()
            cur.split_path.unlink()
        i += 1
        if not have_mid and total >= s.mid:
            checkpoint(building)
            shutil.copyfile(building, mid_db)
            have_mid = True
    checkpoint(building)
    for leftover in adir.glob("part*"):
        leftover.unlink()
    building.replace(big_db)
    return mid_db, count_stories(mid_db), big_db, count_stories(big_db)


def checkpoint(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def count_stories(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    conn.close()
    return n


@dataclass(slots=True)
class BigIngest:
    feed_mb: float
    archive_stories: int
    empty: Run
    empty_found: int
    big: Run
    big_found: int

    @property
    def empty_us(self) -> float:
        return self.empty.seconds / self.empty_found * 1e6

    @property
    def big_us(self) -> float:
        return self.big.seconds / self.big_found * 1e6


def measure_big_ingest(
    s: Settings, feed: synth.FeedInfo, big_db: Path, big_n: int
) -> BigIngest:
    db = s.work / "db" / "into.db"
    empties, bigs = [], []
    for _ in range(s.reps):
        remove_db(db)
        empties.append(run([NEWSARC, "ingest", str(feed.path), "--db", str(db)]))
    for _ in range(2 if big_n > 200_000 else s.reps):
        remove_db(db)
        shutil.copyfile(big_db, db)
        os.sync()  # the copy's dirty pages must not be written back during the timed run
        bigs.append(run([NEWSARC, "ingest", str(feed.path), "--db", str(db)]))
    remove_db(db)
    e, b = best(empties), best(bigs)
    return BigIngest(feed.mb, big_n, e, stories_found(e.stderr), b, stories_found(b.stderr))


# -- 4. search --------------------------------------------------------------------------------


@dataclass(slots=True)
class Query:
    group: str
    shape: str  # "word", "two words", "phrase"
    text: str


_TOKEN = re.compile(r"\w+")


def pick_queries(
    sample: Iterable[str], names: set[str], n_words: int = 3, n_pairs: int = 2
) -> list[Query]:
    """Queries per group, chosen by their document frequency in a sample of the corpus.

    Rare queries are names (a surname; a first name and surname), as people search for them;
    medium and common ones are words and two-word terms that are not function words.
    """
    stop = set(synth.FUNCTION_WORDS[:60])
    docs = 0
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    token_sets: list[set[str]] = []
    for text in sample:
        docs += 1
        seen: set[tuple[str, str]] = set()
        for line in text.split("\n"):
            toks = _TOKEN.findall(line)
            seen.update(zip(toks, toks[1:], strict=False))
        pairs.update(seen)
        lowered = {t.lower() for t in _TOKEN.findall(text)}
        words.update(lowered)
        token_sets.append(lowered)

    def together(a: str, b: str) -> int:
        """Stories holding both words anywhere: what a two-word query matches."""
        a, b = a.lower(), b.lower()
        return sum(1 for t in token_sets if a in t and b in t)

    queries: list[Query] = []
    for group in GROUPS:
        lo, hi, target = BANDS[group]

        def ok(count: int, lo: float = lo, hi: float = hi) -> bool:
            return lo < count / docs <= hi and count >= 2

        def fits(word: str, group: str = group) -> bool:
            if group == "rare":
                return word in names
            return word.isalpha() and word.lower() not in stop and len(word) > 2

        def key(count: int, target: float = target) -> float:
            return abs(math.log(count / docs / target))

        ws = sorted((key(c), w) for w, c in words.items() if ok(c) and fits(w.capitalize()
                    if group == "rare" else w))
        chosen = [w.capitalize() if group == "rare" else w for _, w in ws[:n_words]]
        queries += [Query(group, "word", w) for w in chosen]
        ps = sorted(
            (key(c), a, b)
            for (a, b), c in pairs.items()
            if ok(c) and fits(a) and fits(b) and a.lower() != b.lower()
        )
        used = {w.lower() for w in chosen}
        twos: list[tuple[str, str]] = []
        phrase: tuple[str, str] | None = None
        for _, a, b in ps[:200]:
            if a.lower() in used or b.lower() in used:
                continue
            if phrase is None:
                phrase = (a, b)
            elif len(twos) < n_pairs and ok(together(a, b)):
                twos.append((a, b))
            else:
                continue
            used |= {a.lower(), b.lower()}
            if phrase and len(twos) == n_pairs:
                break
        queries += [Query(group, "two words", f"{a} {b}") for a, b in twos]
        if phrase:
            queries.append(Query(group, "phrase", f'"{phrase[0]} {phrase[1]}"'))
    return queries


def sample_texts(db: Path, n: int) -> list[str]:
    """The first ``n`` stories of an archive: the text the queries will search."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [t for (t,) in conn.execute("SELECT text FROM stories ORDER BY id LIMIT ?", (n,))]
    finally:
        conn.close()


def name_tokens() -> set[str]:
    lex = synth.Lexicon.make()
    return {p.first for p in lex.people} | {p.last for p in lex.people}


@dataclass(slots=True)
class SearchStats:
    stories: int
    df: dict[str, float] = field(default_factory=dict)  # query -> share of stories matching
    inproc: dict[str, list[float]] = field(default_factory=dict)  # query -> ms
    process: dict[str, list[float]] = field(default_factory=dict)
    raw: dict[str, list[float]] = field(default_factory=dict)
    like: dict[str, list[float]] = field(default_factory=dict)


def _like_sql(q: Query) -> tuple[str, list[str]]:
    if q.shape == "two words":
        a, b = q.text.split()
        return "SELECT id, title FROM stories WHERE text LIKE ? AND text LIKE ? LIMIT 20", [
            f"%{a}%",
            f"%{b}%",
        ]
    words = q.text.strip('"')
    return "SELECT id, title FROM stories WHERE text LIKE ? LIMIT 20", [f"%{words}%"]


RAW_SQL = (
    "SELECT rowid, snippet(stories_fts, 1, '[', ']', '…', 24) FROM stories_fts "
    "WHERE stories_fts MATCH ? ORDER BY rank LIMIT 20"
)


def measure_search(s: Settings, db: Path, n: int, queries: list[Query], big: bool) -> SearchStats:
    from newsarc.models import Filters
    from newsarc.query import to_fts
    from newsarc.store import Archive

    stats = SearchStats(n)
    exprs = {q.text: to_fts(q.text) or "" for q in queries}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for q in queries:
        count = conn.execute(
            "SELECT count(*) FROM stories_fts WHERE stories_fts MATCH ?", (exprs[q.text],)
        ).fetchone()[0]
        stats.df[q.text] = count / n
    archive = Archive.open(db)
    try:
        for q in queries:  # warm the page cache; not counted
            list(archive.search(exprs[q.text], Filters(), limit=20))
        for _ in range(s.search_reps):
            for q in queries:
                t0 = time.perf_counter()
                list(archive.search(exprs[q.text], Filters(), limit=20))
                ms = (time.perf_counter() - t0) * 1000
                stats.inproc.setdefault(q.text, []).append(ms)
    finally:
        archive.close()
    raw_reps = 1 if big and not s.quick else s.process_reps
    for _ in range(raw_reps):
        for q in queries:
            t0 = time.perf_counter()
            conn.execute(RAW_SQL, (exprs[q.text],)).fetchall()
            ms = (time.perf_counter() - t0) * 1000
            stats.raw.setdefault(q.text, []).append(ms)
    for q in queries:
        sql, params = _like_sql(q)
        t0 = time.perf_counter()
        conn.execute(sql, params).fetchall()
        ms = (time.perf_counter() - t0) * 1000
        stats.like.setdefault(q.text, []).append(ms)
    conn.close()
    for _ in range(s.process_reps):
        for q in queries:
            r = run([NEWSARC, "search", q.text, "--db", str(db), "--limit", "20", "-f", "tsv"])
            stats.process.setdefault(q.text, []).append(r.seconds * 1000)
    return stats


# -- 5. start-up ------------------------------------------------------------------------------


def measure_startup(s: Settings, small_db: Path) -> dict[str, float]:
    """Median wall time (ms) of each command, each run the same way, interleaved."""
    cmds = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "minimal typer app --help": [PYTHON, str(BENCH / "typer_minimal.py"), "--help"],
        "newsarc --help": [NEWSARC, "--help"],
        "newsarc list --limit 1": [
            NEWSARC, "list", "--limit", "1", "--db", str(small_db), "-f", "tsv"
        ],
    }
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for cmd in cmds.values():
        run(cmd)  # warm-up
    for _ in range(s.startup_reps):
        for name, cmd in cmds.items():
            times[name].append(run(cmd).seconds * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


# -- profiles ---------------------------------------------------------------------------------


def _top(stats: pstats.Stats, n: int) -> list[tuple[str, float, float, int]]:
    """(function, own seconds, cumulative seconds, calls), by own time."""
    rows = []
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (file, line, func), (_cc, nc, tt, ct, _callers) in raw.items():
        short = file.replace(str(ROOT) + "/", "")
        short = re.sub(r".*/site-packages/", "", short)
        rows.append((f"{short}:{line}({func})", tt, ct, nc))
    rows.sort(key=lambda r: -r[1])
    return rows[:n]


def profile_ingest(s: Settings, feed: synth.FeedInfo) -> tuple[float, list[Any]]:
    out = s.work / "ingest.prof"
    db = s.work / "db" / "prof.db"
    remove_db(db)
    run([PYTHON, "-m", "cProfile", "-o", str(out), NEWSARC, "ingest", str(feed.path), "--db",
         str(db)])
    remove_db(db)
    st = pstats.Stats(str(out), stream=io.StringIO())
    total: float = st.total_tt  # type: ignore[attr-defined]
    return total, _top(st, 18)


def profile_search(db: Path, queries: list[Query]) -> tuple[float, list[Any]]:
    from newsarc.models import Filters
    from newsarc.query import to_fts
    from newsarc.store import Archive

    archive = Archive.open(db)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        for q in queries:
            list(archive.search(to_fts(q.text) or "", Filters(), limit=20))
    prof.disable()
    archive.close()
    st = pstats.Stats(prof, stream=io.StringIO())
    total: float = st.total_tt  # type: ignore[attr-defined]
    return total, _top(st, 12)


# -- the report -------------------------------------------------------------------------------


@dataclass(slots=True)
class Goal:
    name: str
    target: str
    measured: str
    ratio: float | None
    passed: bool
    reason: str = ""


@dataclass(slots=True)
class Results:
    settings: Settings
    started: datetime
    seconds: float = 0.0
    ingest: list[IngestRow] = field(default_factory=list)
    split: SplitRow | None = None
    big_ingest: BigIngest | None = None
    queries: list[Query] = field(default_factory=list)
    search: list[SearchStats] = field(default_factory=list)
    startup: dict[str, float] = field(default_factory=dict)
    ingest_profile: tuple[float, list[Any]] | None = None
    search_profile: tuple[float, list[Any]] | None = None


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    try:
        commit = os.environ.get("BENCH_COMMIT") or subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True, text=True, check=False,
        ).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    return [
        ("Machine", f"{platform.machine()}, {cpu}, {os.cpu_count()} CPUs, {mem} RAM"),
        ("OS", platform.platform()),
        ("Python", sys.version.split()[0]),
        ("SQLite", sqlite3.sqlite_version),
        ("newsarc commit", commit),
    ]


def _group_ms(st: SearchStats, queries: list[Query], group: str | None, kind: str) -> list[float]:
    data: dict[str, list[float]] = getattr(st, kind)
    return [ms for q in queries if group in (None, q.group) for ms in data.get(q.text, [])]


def goals(r: Results) -> list[Goal]:
    out: list[Goal] = []
    split = r.split
    for row in r.ingest:
        reason = ""
        if row.ratio < 0.5 and split is not None:
            reason = (
                f"per MB newsarc takes {row.newsarc.seconds / row.mb:.2f} s wall, "
                f"{row.newsarc.cpu_s / row.mb:.2f} s CPU; in-process the splitter alone takes "
                f"{split.segment_s / split.mb:.2f} s/MB and decoding "
                f"{split.decode_s / split.mb:.2f} s/MB; the floor's whole cost is "
                f"{row.floor.seconds / row.mb:.2f} s/MB"
            )
        out.append(Goal(
            f"Ingest {row.mb:.3g} MB feed vs SQLite floor",
            ">= 0.5x floor",
            f"{row.mb / row.newsarc.seconds:.2f} MB/s vs {row.mb / row.floor.seconds:.2f} MB/s",
            row.ratio,
            row.ratio >= 0.5,
            reason,
        ))
    if split is not None:
        seg = split.mb / split.segment_s
        proc = split.mb / split.process.seconds
        out.append(Goal(
            "Split alone (segment in-process)", ">= 20 MB/s", f"{seg:.1f} MB/s", seg / 20,
            seg >= 20, "" if seg >= 20 else "the splitter's per-paragraph cue features and "
            "window scoring are pure Python (see the ingest profile)",
        ))
        out.append(Goal(
            "Split alone (`newsarc split` process)", ">= 20 MB/s", f"{proc:.1f} MB/s", proc / 20,
            proc >= 20, "" if proc >= 20 else f"segment alone {seg:.1f} MB/s, decode "
            f"{split.mb / split.decode_s:.1f} MB/s, plus JSON output and start-up",
        ))
    b = r.big_ingest
    if b is not None:
        ratio = b.big_us / b.empty_us
        out.append(Goal(
            f"Cost per story into a {b.archive_stories:,}-story archive vs empty",
            "<= 1.5x",
            f"{b.big_us:.0f} us vs {b.empty_us:.0f} us per story",
            ratio,
            ratio <= 1.5,
            "" if ratio <= 1.5 else "per-batch work grows with the archive (see the report)",
        ))
    if r.search:
        st = r.search[-1]
        allms = _group_ms(st, r.queries, None, "inproc")
        p50, p95 = pct(allms, 0.5), pct(allms, 0.95)
        worst = max(GROUPS, key=lambda g: pct(_group_ms(st, r.queries, g, "inproc"), 0.5))
        why = f"slowest group: {worst}"
        out.append(Goal(f"Search p50 in-process at {st.stories:,} stories", "<= 5 ms",
                        f"{p50:.2f} ms", p50 / 5, p50 <= 5, "" if p50 <= 5 else why))
        out.append(Goal(f"Search p95 in-process at {st.stories:,} stories", "<= 50 ms",
                        f"{p95:.2f} ms", p95 / 50, p95 <= 50, "" if p95 <= 50 else why))
        rare = pct(_group_ms(st, r.queries, "rare", "inproc"), 0.5)
        common = pct(_group_ms(st, r.queries, "common", "inproc"), 0.5)
        ratio = common / rare
        out.append(Goal(
            f"Search common vs rare words (p50) at {st.stories:,} stories", "<= 3x",
            f"{common:.2f} ms vs {rare:.2f} ms", ratio, ratio <= 3,
            "" if ratio <= 3 else "bm25() counts every match of each phrase for its IDF (a "
            "scan of the whole doclist per query), however few candidates are ranked; raw FTS5 "
            f"ORDER BY rank: {pct(_group_ms(st, r.queries, 'common', 'raw'), 0.5):.0f} ms",
        ))
    if r.startup:
        base = r.startup["minimal typer app --help"]
        for name in ("newsarc --help", "newsarc list --limit 1"):
            ms = r.startup[name]
            out.append(Goal(
                f"Start-up `{name}` vs minimal typer app `--help`", "<= 1.3x",
                f"{ms:.0f} ms vs {base:.0f} ms", ms / base, ms / base <= 1.3,
                "" if ms / base <= 1.3 else "imports beyond typer at start-up "
                "(`python -X importtime` shows which)",
            ))
    if r.ingest:
        last = r.ingest[-1]
        rss = last.newsarc.tree_rss_mb
        out.append(Goal(f"Peak memory ingesting {last.mb:.3g} MB", "<= 250 MB", f"{rss:.0f} MB",
                        rss / 250, rss <= 250, "" if rss <= 250 else "see the memory table"))
        if len(r.ingest) > 1:
            prev = r.ingest[-2]
            ratio = rss / prev.newsarc.tree_rss_mb
            out.append(Goal(
                f"Peak memory flat: {last.mb:.3g} MB feed vs {prev.mb:.3g} MB feed", "<= 1.25x",
                f"{rss:.0f} MB vs {prev.newsarc.tree_rss_mb:.0f} MB", ratio, ratio <= 1.25,
                "" if ratio <= 1.25 else "memory grows with the file",
            ))
        ratio = last.newsarc_bytes / last.floor_bytes
        out.append(Goal(
            f"Archive size vs floor database ({last.mb:.3g} MB feed)", "<= 1.2x",
            f"{last.newsarc_bytes / MB / last.mb:.2f} MB vs "
            f"{last.floor_bytes / MB / last.mb:.2f} MB per MB of text",
            ratio, ratio <= 1.2,
            "" if ratio <= 1.2 else "extra columns (cjk bigrams, JSON captions), the "
            "content-hash index and the mentions table",
        ))
    return out


GOAL_NAMES = (
    "Ingest", "Split alone (segment", "Split alone (`newsarc split`", "Cost per story",
    "Search p50", "Search p95", "Search common vs rare", "Start-up `newsarc --help`",
    "Start-up `newsarc list", "Peak memory ingesting", "Peak memory flat", "Archive size",
)


def _ms(values: list[float]) -> str:
    return f"{pct(values, 0.5):.2f} / {pct(values, 0.95):.2f}" if values else "-"


def render(r: Results) -> str:
    s = r.settings
    lines = [
        "# newsarc benchmarks",
        "",
        f"Written by `python -m bench{' --quick' if s.quick else ''}` on "
        f"{r.started:%Y-%m-%d %H:%M} UTC in {r.seconds / 60:.1f} minutes"
        f"{' (quick mode: tiny sizes, figures are noisy)' if s.quick else ''}. "
        "Synthetic feeds from `bench/synth.py` (invented words with Zipf frequencies, "
        "recurring invented names, full articles with captions and one-line teasers cut "
        "mid-sentence at 600-850 characters). Every figure below comes from this one run, on "
        "this machine. Regenerate with `python -m bench` (or `--quick` to check it runs).",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine()],
        "",
        "Commands: `python -m bench` (the full run: 10/100/500 MB feeds, 100,000 and "
        "1,000,000-story archives; 20-40 minutes and about 12 GB under bench/out/ the first "
        "time, feeds and archives are cached), `python -m bench --quick --out /tmp/x.md` (under a "
        "minute, checks it runs), `python -m bench --sizes 10,100 --skip-big` (no big "
        "archive), `--rebuild` (rebuild cached archives), `--no-profile`.",
        "",
        "## Goals",
        "",
        "| Goal | Target | Measured | Ratio | Result | Why (for a miss) |",
        "|---|---|---|---|---|---|",
    ]
    for goal in goals(r):
        shown = "-" if goal.ratio is None else f"{goal.ratio:.2f}x"
        lines.append(
            f"| {goal.name} | {goal.target} | {goal.measured} | {shown} | "
            f"{'PASS' if goal.passed else '**MISS**'} | {goal.reason} |"
        )
    lines += [
        "",
        "Ratios: ingest is newsarc's throughput over the floor's (higher is better); every "
        "other ratio is measured over target, or newsarc over the yardstick (lower is better).",
        "",
        "## 1. Ingest: `newsarc ingest` vs the SQLite floor vs reading the bytes",
        "",
        "Floor: `bench/floor.py`, the same story texts (split already done) into a table with "
        "an external-content FTS5 index in one transaction, the faster of a row trigger and "
        "one bulk `INSERT INTO fts SELECT`. Read limit: `grep -c .` over the file. Each a "
        "whole process, best of "
        f"{s.reps} runs for feeds up to 20 MB, one run above.",
        "",
        "| Feed | Stories (true / found) | newsarc MB/s | stories/s | CPU s | floor MB/s "
        "| stories/s | CPU s | floor (other mode) | grep MB/s | newsarc / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in r.ingest:
        t, f, g = row.newsarc.seconds, row.floor.seconds, row.grep.seconds
        lines.append(
            f"| {row.mb:.3g} MB | {row.stories:,} / {row.found:,} | {row.mb / t:.2f} "
            f"| {row.found / t:,.0f} | {row.newsarc.cpu_s:.1f} "
            f"| {row.mb / f:.2f} ({row.floor_mode}) "
            f"| {row.stories / f:,.0f} | {row.floor.cpu_s:.1f} "
            f"| {row.mb / row.floor_other.seconds:.2f} "
            f"| {row.mb / g:,.0f} | {row.ratio:.2f}x |"
        )
    if r.split:
        sp = r.split
        lines += [
            "",
            "## 2. Split alone",
            "",
            f"The {sp.mb:.3g} MB feed ({sp.stories:,} stories found), best of {s.reps}.",
            "",
            "| Stage | Seconds | MB/s |",
            "|---|---|---|",
            f"| `newsarc split --format jsonl` (process) | {sp.process.seconds:.2f} "
            f"| {sp.mb / sp.process.seconds:.1f} |",
            f"| decode in-process (`open_feed(...).lines()`) | {sp.decode_s:.2f} "
            f"| {sp.mb / sp.decode_s:.1f} |",
            f"| `newsarc.segment.segment` in-process | {sp.segment_s:.2f} "
            f"| {sp.mb / sp.segment_s:.1f} |",
            f"| `newsarc.dates.extract_mentions` over the stories, in-process (ingest does "
            f"half of it in the splitting process) | {sp.dates_s:.2f} "
            f"| {sp.mb / sp.dates_s:.1f} |",
        ]
    if r.big_ingest:
        b = r.big_ingest
        lines += [
            "",
            "## 3. Ingest into a big archive",
            "",
            f"The {b.feed_mb:.3g} MB feed into an empty archive and into a "
            f"copy of the {b.archive_stories:,}-story archive (built by `newsarc ingest "
            "--no-mentions` of generated feeds, cached under bench/out/).",
            "",
            "| Into | Seconds | Stories | us per story | Peak RSS |",
            "|---|---|---|---|---|",
            f"| empty archive | {b.empty.seconds:.2f} | {b.empty_found:,} | {b.empty_us:.0f} "
            f"| {b.empty.maxrss_mb:.0f} MB |",
            f"| {b.archive_stories:,} stories | {b.big.seconds:.2f} | {b.big_found:,} "
            f"| {b.big_us:.0f} | {b.big.maxrss_mb:.0f} MB |",
        ]
    if r.search:
        lines += [
            "",
            "## 4. Search latency",
            "",
            "Milliseconds, p50 / p95. In-process: `Archive.open(db).search(to_fts(q), "
            f"Filters(), limit=20)` with every row consumed, {s.search_reps} rounds after one "
            "warm-up. Process: `newsarc search Q --limit 20 -f tsv`, whole process. Raw FTS5: "
            "`SELECT rowid, snippet(...) FROM stories_fts WHERE stories_fts MATCH ? ORDER BY "
            "rank LIMIT 20`. LIKE: `SELECT id, title FROM stories WHERE text LIKE '%w%' LIMIT "
            "20`, one run.",
            "",
        ]
        for st in r.search:
            lines += [
                f"### {st.stories:,} stories",
                "",
                "| Group | Query | Matches | in-process | process | raw FTS5 | LIKE |",
                "|---|---|---|---|---|---|---|",
            ]
            for q in r.queries:
                lines.append(
                    f"| {q.group} | `{q.text}` ({q.shape}) | {st.df[q.text] * 100:.3f}% "
                    f"| {_ms(st.inproc[q.text])} | {_ms(st.process[q.text])} "
                    f"| {_ms(st.raw[q.text])} | {_ms(st.like[q.text])} |"
                )
            for grp in (*GROUPS, None):
                lines.append(
                    f"| **{grp or 'all'}** | | "
                    f"| **{_ms(_group_ms(st, r.queries, grp, 'inproc'))}** "
                    f"| {_ms(_group_ms(st, r.queries, grp, 'process'))} "
                    f"| {_ms(_group_ms(st, r.queries, grp, 'raw'))} "
                    f"| {_ms(_group_ms(st, r.queries, grp, 'like'))} |"
                )
            lines.append("")
    if r.startup:
        lines += [
            "## 5. Start-up",
            "",
            f"Median wall time of {s.startup_reps} runs each, interleaved, after one warm-up "
            "(the same interpreter; `newsarc list` on the smallest ingested archive).",
            "",
            "| Command | ms |",
            "|---|---|",
            *[f"| `{k}` | {v:.0f} |" for k, v in r.startup.items()],
            "",
        ]
    if r.ingest:
        lines += [
            "## 6. Memory and size",
            "",
            "Peak RSS: all of newsarc's processes summed (sampled every 50 ms), and its "
            "largest single process (wait4).",
            "",
            "| Feed | newsarc peak RSS, all / largest | floor peak RSS | newsarc archive "
            "| floor database | newsarc / floor size |",
            "|---|---|---|---|---|---|",
        ]
        for row in r.ingest:
            lines.append(
                f"| {row.mb:.3g} MB | {row.newsarc.tree_rss_mb:.0f} / "
                f"{row.newsarc.maxrss_mb:.0f} MB "
                f"| {row.floor.maxrss_mb:.0f} MB "
                f"| {row.newsarc_bytes / MB:.1f} MB ({row.newsarc_bytes / MB / row.mb:.2f}/MB) "
                f"| {row.floor_bytes / MB:.1f} MB ({row.floor_bytes / MB / row.mb:.2f}/MB) "
                f"| {row.newsarc_bytes / row.floor_bytes:.2f}x |"
            )
        lines.append("")
    for title, prof in (
        (
            "`python -m cProfile newsarc ingest` of the split feed (the main process only)",
            r.ingest_profile,
        ),
        ("search, every query 5 times in-process at the biggest archive", r.search_profile),
    ):
        if prof is None:
            continue
        total, rows = prof
        lines += [
            f"## Profile: {title}",
            "",
            f"Total {total:.2f} s; top functions by own time.",
            "",
            "| Function | own s | own % | cumulative s | calls |",
            "|---|---|---|---|---|",
            *[
                f"| `{name}` | {tt:.3f} | {tt / total * 100:.1f}% | {ct:.3f} | {nc:,} |"
                for name, tt, ct, nc in rows
            ],
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


# -- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    s = Settings.from_args(argv)
    s.work.mkdir(parents=True, exist_ok=True)
    r = Results(s, datetime.now(UTC))
    t0 = time.perf_counter()
    feeds = []
    small = s.work / "db" / "small.db"
    for mb in s.sizes:
        log(f"feed {mb:.3g} MB")
        feeds.append(feed_for(s, mb))
    for feed in feeds:
        log(f"ingest {feed.mb:.3g} MB: newsarc, floor, grep")
        r.ingest.append(measure_ingest(s, feed, small if feed is feeds[0] else None))
    ten = min(feeds, key=lambda f: abs(f.mb - 10))
    log(f"split {ten.mb:.3g} MB")
    r.split = measure_split(s, ten)
    log(f"archives of {s.mid:,} and {s.big:,} stories")
    mid_db, mid_n, big_db, big_n = build_archives(s)
    log(f"ingest {ten.mb:.3g} MB into empty and {big_n:,}-story archives")
    r.big_ingest = measure_big_ingest(s, ten, big_db, big_n)
    log("picking queries")
    per = 1 if s.quick else 3
    sample = sample_texts(big_db, 20_000)
    r.queries = pick_queries(sample, name_tokens(), n_words=per, n_pairs=per - 1 or 1)
    for db, n in ((mid_db, mid_n), (big_db, big_n)) if big_db != mid_db else ((big_db, big_n),):
        log(f"search at {n:,} stories")
        r.search.append(measure_search(s, db, n, r.queries, n > 200_000))
    log("start-up")
    r.startup = measure_startup(s, small)
    if s.profile:
        log("profiles")
        r.ingest_profile = profile_ingest(s, ten)
        r.search_profile = profile_search(big_db, r.queries)
    r.seconds = time.perf_counter() - t0
    s.out.parent.mkdir(parents=True, exist_ok=True)
    s.out.write_text(render(r), encoding="utf-8")
    log(f"wrote {s.out}")
    for g in goals(r):
        print(f"{'PASS' if g.passed else 'MISS'}  {g.name}: {g.measured}", file=sys.stderr)
    return 0
