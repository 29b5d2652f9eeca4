"""Deterministic synthetic feeds in the shape users have, for the performance benchmark.

Every word is drawn from one ``random.Random(seed)``: a Zipf-distributed vocabulary (a few
hundred common English function words first, then invented content words), a pool of
invented people and companies whose popularity is Zipf-distributed too (so some names recur
across many stories and most are rare), and a few invented place names for datelines.
No sentence comes from a real feed.

The shape follows the raw feeds newsarc reads: one paragraph per line, no blank lines and no
separator between stories, full articles (dateline in the first paragraph, picture captions
and sometimes a byline or sign-off as lines of their own, every paragraph ending in terminal
punctuation or a closing quote, straight quotes) followed by a run of one-line teasers
(600-850 characters, body paragraphs run together and cut mid-sentence at a word, no final
punctuation, curly quotes, some opening with an all-caps kicker). A file has no trailing
newline.

``write_feed`` writes ``NAME.txt`` and ``NAME.stories``: one ``kind<TAB>lines`` row per story,
the true split, which the SQLite floor reads instead of splitting.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

VERSION = 2  # bump when the output changes, so cached feeds are rebuilt

TEASER_MIN, TEASER_MAX = 600, 850
ZIPF_S = 1.05

# Common English function and news words (ranks 1..N of the vocabulary). Single words only.
FUNCTION_WORDS = (
    "the of to and in a said on for that is with was by as at from it its has have be will "
    "are an were which this but not after had would their been more than also who they or up "
    "year percent over last new about into could other two first government company million "
    "some since when while all most market billion people can one our we there if years may "
    "should such three under between week because only before state officials including "
    "according during against per month told added time no rose fell prices next plan "
    "expected trade public group local report early national data growth demand policy "
    "minister president chief executive business industry economy investors shares bank "
    "sales rate rates higher lower amid however despite further around still well both "
    "many those these any much even back down out him her his she he them then where what "
    "how so just like made make take says say way part set high low end across almost "
    "already another because each several within without toward among later recent major "
    "central foreign domestic international global regional city country council court "
    "election energy power supply workers families plans budget funds costs fuel food water "
    "project program service services system support security health school schools"
).split()

# Two-word terms a news reader searches for; planted with Zipf popularity (after these come
# invented pairs), so some are in most stories and some in few.
COLLOCATIONS = (
    "central bank", "interest rates", "prime minister", "trade talks", "supply chain",
    "stock market", "oil prices", "health ministry", "climate change", "police said",
    "power grid", "chip exports", "election campaign", "housing market", "labor union",
    "tax cuts", "wind farm", "price war", "data center", "free trade", "city council",
    "jet fuel", "steel tariffs", "bond yields", "rail line", "water supply", "press conference",
    "court ruling", "border checks", "fishing fleet", "gold prices", "job cuts", "peace talks",
    "debt ceiling", "solar panels", "drug trial", "flood warning", "heat wave", "ferry service",
    "grain exports",
)

_ONSETS = (
    "b bl br c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr qu r s sc sh sk sl sm sn sp "
    "st str sw t th tr v w wh y z"
).split()
_VOWELS = "a e i o u a e i o ai ea ee ou io ia".split()
_CODAS = " n r s t l m nd nt st rk ck ng sh rn ld".split(" ")
_CJK_BASE = 0x4E00
_CJK_SPAN = 0x9FA5 - 0x4E00

ROLES = (
    "minister", "chief executive", "spokesperson", "chairman", "governor", "mayor",
    "analyst", "economist", "professor", "director", "lawmaker", "prosecutor",
    "commissioner", "founder", "president", "deputy minister", "head of research",
)
ORG_SUFFIXES = ("Inc", "Corp", "Group", "Holdings", "Ltd", "Bank", "Co")
AGENCIES = ("Reuters", "AFP", "AP", "Bloomberg", "CNA", "Kyodo", "Yonhap", "Staff")
MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.")
WHEN = (
    "yesterday", "on Friday", "on Monday", "last week", "this month", "late yesterday",
    "earlier this year", "a year ago", "on Tuesday", "last month",
)
PRONOUN_OPENERS = ("He", "She", "It", "They", "The company", "The ministry", "The plan")
KICKERS = ("CONCERNS", "BACKLASH", "TALKS", "UPDATE", "PROBE", "SHIFT", "OUTLOOK", "DEAL")


def _zipf_cum(n: int, s: float = ZIPF_S) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


def _word(rng: random.Random, syllables: int) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)]
    return "".join(parts) + rng.choice(_CODAS)


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    last: str
    role: str
    cjk: str | None

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Words and names, made once from a seed; the same seed gives the same lexicon."""

    words: tuple[str, ...]
    word_cum: tuple[float, ...]
    people: tuple[Person, ...]
    people_cum: tuple[float, ...]
    orgs: tuple[str, ...]
    orgs_cum: tuple[float, ...]
    places: tuple[str, ...]
    terms: tuple[str, ...]
    terms_cum: tuple[float, ...]

    @classmethod
    def make(cls, seed: int = 0, content_words: int = 40_000, people: int = 30_000) -> Lexicon:
        rng = random.Random(f"lexicon-{seed}")
        seen = set(FUNCTION_WORDS)
        content: list[str] = []
        while len(content) < content_words:
            w = _word(rng, rng.choice((1, 2, 2, 2, 3, 3, 4)))
            if len(w) >= 3 and w not in seen:
                seen.add(w)
                content.append(w)
        words = tuple(FUNCTION_WORDS) + tuple(content)
        names: set[str] = set()

        def name(syl: tuple[int, ...]) -> str:
            while True:
                n = _word(rng, rng.choice(syl)).capitalize()
                if n.lower() not in seen and n not in names:
                    names.add(n)
                    return n

        firsts = [name((1, 2)) for _ in range(3000)]
        lasts = [name((1, 2, 3)) for _ in range(12000)]
        pool: list[Person] = []
        used: set[tuple[str, str]] = set()
        while len(pool) < people:
            first, last = rng.choice(firsts), rng.choice(lasts)
            if (first, last) in used:
                continue
            used.add((first, last))
            cjk = None
            if rng.random() < 0.08:
                cjk = "".join(
                    chr(_CJK_BASE + rng.randrange(_CJK_SPAN)) for _ in range(rng.choice((2, 3)))
                )
            pool.append(Person(first, last, rng.choice(ROLES), cjk))
        orgs = tuple(f"{name((2, 3))} {rng.choice(ORG_SUFFIXES)}" for _ in range(8000))
        places = tuple(name((2, 3)).upper() for _ in range(300))
        terms = COLLOCATIONS + tuple(
            f"{rng.choice(content[:3000])} {rng.choice(content[:3000])}" for _ in range(400)
        )
        return cls(
            words=words,
            word_cum=tuple(_zipf_cum(len(words))),
            people=tuple(pool),
            people_cum=tuple(_zipf_cum(len(pool), 0.9)),
            orgs=orgs,
            orgs_cum=tuple(_zipf_cum(len(orgs), 0.9)),
            places=places,
            terms=terms,
            terms_cum=tuple(_zipf_cum(len(terms), 1.0)),
        )


@dataclass(frozen=True, slots=True)
class SynthStory:
    """One story as it appears in the feed: its lines, and whether it is a teaser."""

    kind: str  # "full" or "teaser"
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Writer:
    """Draws stories from one random stream; ``stories()`` yields them in feed order."""

    def __init__(self, seed: int, lexicon: Lexicon | None = None) -> None:
        self.rng = random.Random(seed)
        self.lex = lexicon or Lexicon.make()

    # -- sentences -------------------------------------------------------------------------

    def _words(self, n: int) -> list[str]:
        return self.rng.choices(self.lex.words, cum_weights=self.lex.word_cum, k=n)

    def _sentence(self, cast: Sequence[Person], org: str, place: str) -> str:
        rng = self.rng
        words = self._words(rng.randint(9, 30))
        r = rng.random()
        person = rng.choice(cast)
        if r < 0.25:
            words[rng.randrange(len(words))] = person.last
        elif r < 0.35:
            words[rng.randrange(len(words))] = org
        elif r < 0.40:
            words[rng.randrange(len(words))] = place.title()
        elif r < 0.46:
            words[rng.randrange(len(words))] = rng.choice(WHEN)
        elif r < 0.50:
            words[rng.randrange(len(words))] = f"{rng.randint(2, 950)}"
        if rng.random() < 0.3:
            term = rng.choices(self.lex.terms, cum_weights=self.lex.terms_cum, k=1)[0]
            words[rng.randrange(len(words))] = term
        if len(words) > 12 and rng.random() < 0.5:
            words[rng.randrange(3, len(words) - 3)] += ","
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + "."

    def _paragraph(self, cast: Sequence[Person], org: str, place: str, first: bool) -> str:
        rng = self.rng
        person = cast[0]
        sentences = [self._sentence(cast, org, place) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        if first:
            intro = f"{person.full}"
            if person.cjk:
                intro += f" ({person.cjk})"
            intro += f", {person.role} of {org},"
            sentences[0] = f"{intro} {sentences[0][0].lower()}{sentences[0][1:]}"
            return " ".join(sentences)
        r = rng.random()
        if r < 0.15:
            quote = self._sentence(cast, org, place)[:-1]
            return f'"{quote}," {rng.choice(cast).last} said {rng.choice(WHEN)}.'
        if r < 0.30:
            s = sentences[0]
            sentences[0] = f"{rng.choice(PRONOUN_OPENERS)} {s[0].lower()}{s[1:]}"
        return " ".join(sentences)

    def _cast(self) -> list[Person]:
        n = self.rng.choice((1, 2, 2, 3, 4))
        return self.rng.choices(self.lex.people, cum_weights=self.lex.people_cum, k=n)

    # -- stories ---------------------------------------------------------------------------

    def _body(self) -> tuple[list[str], Person, str]:
        """Body paragraphs of an article (the first carries a dateline)."""
        rng = self.rng
        cast = self._cast()
        org = rng.choices(self.lex.orgs, cum_weights=self.lex.orgs_cum, k=1)[0]
        place = rng.choice(self.lex.places)
        paras = [self._paragraph(cast, org, place, i == 0) for i in range(rng.randint(6, 22))]
        if rng.random() < 0.7:
            dateline = place
            if rng.random() < 0.5:
                dateline += f", {rng.choice(MONTHS)} {rng.randint(1, 28)}"
            dateline += f" ({rng.choice(AGENCIES)}) — "
            paras[0] = dateline + paras[0]
        return paras, cast[0], org

    def article(self) -> SynthStory:
        rng = self.rng
        paras, person, _ = self._body()
        lines = list(paras)
        for _ in range(rng.choice((1, 1, 1, 2))):  # captions: inside, never first
            caption = rng.choice(("Photo: ", "Photo credit: ", "Photo courtesy of "))
            lines.insert(rng.randint(1, len(lines)), caption + rng.choice(AGENCIES).upper())
        if rng.random() < 0.2:
            lines.insert(0, f"By {person.full} / Staff reporter")
        if rng.random() < 0.2:
            lines.append(f"— Staff writer, with {rng.choice(AGENCIES)}")
        return SynthStory("full", tuple(lines))

    def teaser(self) -> SynthStory:
        rng = self.rng
        paras, _, _ = self._body()
        text = " ".join(paras).replace("'", "’")
        text = _curly_quotes(text)
        if rng.random() < 0.15:
            text = f"{rng.choice(KICKERS)}: {text[0].upper()}{text[1:]}"
        cut = rng.randint(TEASER_MIN, TEASER_MAX)
        while len(text) < cut + 20:  # short body: lengthen with more of the story
            text += " " + self._paragraph(self._cast(), "the group", "the city", False)
        head = text[:cut]
        head = head[: head.rfind(" ")] if " " in head else head
        head = head.rstrip(" ,;:.!?…\"”’'—-")
        return SynthStory("teaser", (head,))

    def stories(self) -> Iterator[SynthStory]:
        """Feeds run together: a few full articles, then a run of teasers, and again."""
        rng = self.rng
        while True:
            for _ in range(rng.choice((1, 1, 2, 3))):
                yield self.article()
            for _ in range(rng.randint(2, 6)):
                yield self.teaser()


def _curly_quotes(text: str) -> str:
    out: list[str] = []
    opening = True
    for ch in text:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    path: Path
    bytes: int
    stories: int
    lines: int

    @property
    def split_path(self) -> Path:
        return split_path(self.path)

    @property
    def mb(self) -> float:
        return self.bytes / 1e6


def split_path(feed: Path) -> Path:
    return feed.with_suffix(".stories")


def write_feed(
    path: Path,
    seed: int,
    size: int | None = None,
    lexicon: Lexicon | None = None,
    *,
    stories: int | None = None,
) -> FeedInfo:
    """Write ``size`` bytes (whole stories) or ``stories`` stories of feed and its true split."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    written = count = nlines = 0
    with open(tmp, "w", encoding="utf-8", newline="") as out, open(
        split_path(path), "w", encoding="ascii"
    ) as split:
        for story in Writer(seed, lexicon).stories():
            text = story.text
            data = ("\n" if count else "") + text
            out.write(data)
            written += len(data.encode("utf-8"))
            count += 1
            nlines += len(story.lines)
            split.write(f"{story.kind}\t{len(story.lines)}\n")
            if (size is not None and written >= size) or (stories is not None and count >= stories):
                break
    tmp.replace(path)
    return FeedInfo(path, written, count, nlines)


def cached_feed(directory: Path, name: str, seed: int, size: int) -> FeedInfo:
    """The feed from ``write_feed``, reused when an identical one was written before."""
    path = directory / f"{name}-s{seed}-{size}-v{VERSION}.txt"
    sp = split_path(path)
    if path.exists() and sp.exists():
        rows = sp.read_text(encoding="ascii").splitlines()
        nlines = sum(int(r.split("\t")[1]) for r in rows)
        return FeedInfo(path, path.stat().st_size, len(rows), nlines)
    return write_feed(path, seed, size)


def read_split(feed: Path) -> Iterator[tuple[str, list[str]]]:
    """The true stories of a feed written by write_feed: (kind, lines), streamed."""
    with open(feed, encoding="utf-8", newline="") as text, open(
        split_path(feed), encoding="ascii"
    ) as split:
        lines = (line.rstrip("\n") for line in text)
        for row in split:
            kind, n = row.rstrip("\n").split("\t")
            yield kind, [next(lines) for _ in range(int(n))]

