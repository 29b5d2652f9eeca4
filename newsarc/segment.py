"""Lines → stories: cut a raw feed where a human editor would, in one streaming pass.

Each non-blank line is a paragraph. Every gap between two paragraphs gets a score built from
the cues an editor uses (a cut-off line ends a teaser, a kicker or dateline opens a story, a
pronoun or a surname continues one, a new full name with a role opens one, vocabulary shifts);
a Viterbi pass over a window then picks the cuts globally, with a prior against fragments.
The window slides: all stories but the last are emitted, so memory stays bounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet

from newsarc.models import Line, Story

__all__ = ["segment"]

WINDOW = 2000  # paragraphs buffered before cuts are chosen
MARGIN = 40  # paragraphs of look-ahead kept uncommitted at the end of a window
CONTEXT = 4  # paragraphs on each side used for cohesion and name cues
TITLE_MAX = 100

_CLOSERS = "\"”’')]»"
_TERMINAL = re.compile(r"(?:[.!?…:;][\"”’')\]»]*|[\"”»])$")
_CAPTION = re.compile(
    r"^(?:(?:File\s+)?(?:Photos?|Graphics?|Images?|Illustrations?|Pictures?|Videos?|Charts?|Maps?)"
    r"(?:\s+(?:credit|courtesy(?:\s+of)?|by|source))?\s*[:：]"
    r"|(?:Photos?|Pictures?|Images?)\s+courtesy\s+of\b"
    r"|(?:Photo|Image|Picture)\s+(?:credit|source)\b)",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^(?:[—–―-]{1,2}\s*(?:[A-Z][\w.’']*|by\b)"
    r"|(?:Additional\s+reporting|Reporting|Writing|Editing|Edited|Compiled|Translated)\s+by\s"
    r"|With\s+additional\s+reporting\b)"
)
_BYLINE = re.compile(r"^By\s+[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,4}\s*(?:$|/|,|\band\b)")
_KICKER = re.compile(r"^([A-Z][A-Z0-9&’'.-]*(?:\s+[A-Z0-9&’'.-]+){0,4})\s*:\s+(?=\S)")
_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
)
_DATELINE = re.compile(
    r"^((?:[A-Z][A-Z.’'-]+(?:\s+[A-Z][A-Z.’'-]+){0,3}"
    r"|[A-Z][a-z.’'-]+(?:\s+[A-Z][a-z.’'-]+){0,3}(?=,\s*" + _MONTH + r"|\s*\())"
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,2})?"
    r"(?:,?\s*" + _MONTH + r")?"
    r"(?:\s*\([A-Za-z][\w .&’'-]{0,30}\))?"
    r"\s*(?:[—–―]{1,2}|-{1,2}(?=\s)))\s*"
)
_OPENER_PRON = re.compile(
    r"^[\"“‘']?(?:He|She|It|They|His|Her|Its|Their|Theirs|Him|Them|We|Our|I|My|You|This|These|"
    r"Those|That|Such|There|Both|Neither|Either|Another|Other|Others|Some|Many|Most)\b"
)
_OPENER_CONN = re.compile(
    r"^(?:However|But|And|Also|Meanwhile|Still|Yet|Moreover|Furthermore|Besides|Nevertheless|"
    r"Nonetheless|Instead|Otherwise|Therefore|Thus|Hence|Then|So|Or|Nor|Likewise|Similarly|"
    r"Additionally|Separately|Earlier|Later|Previously|Afterward|Afterwards|Elsewhere|Even|"
    r"Overall|In addition|In contrast|In response|On the other hand|As a result|At the same time|"
    r"For (?:example|instance)|The (?:company|firm|group|ministry|agency|bank|government|"
    r"official|move|plan|deal|report|survey|study|statement|decision|proposal|case|bill|"
    r"council|court|spokesperson|spokesman|spokeswoman|source|person|two|three|city|country|"
    r"party|president|premier|minister|lawmaker|team|organization|department|bureau|office|"
    r"commission|administration|association|index|figure|data|rally|visit|trip|meeting|"
    r"incident|event|project|program|programme|law|rule|policy|measure|investment|"
    r"acquisition|aircraft|vessel|ship|suspect|man|woman|victim|police|military|army|"
    r"navy|airline|carrier|automaker|chipmaker|maker|retailer|brand|store|shares?|stock)\b)\b"
)
_OPENER_QUOTE = re.compile(r"^[\"“‘]")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b|\bfounded\b|\bsince\b")
_POSSESSIVE = re.compile(r"[’']s?$")
_WORD = re.compile(r"[a-z][a-z’'-]{3,}")
_CAP = re.compile(r"\b[A-Z][a-z][A-Za-z-]*")
_FULLNAME = re.compile(r"\b[A-Z][a-z][\w-]*(?:\s+(?:[A-Z][a-z][\w-]*|[A-Z]{2,5}|Jr\.?)\b)+")
_ORG = re.compile(
    r"\b(?:Inc|Corp|Corporation|Co|Ltd|LLC|Group|Holdings|Bank|Ministry|Council|Agency|"
    r"Association|University|Institute|Party|Administration|Bureau|Commission|Department|"
    r"Office|Foundation|Committee|Court|Legislature|Yuan)\b"
)
_ROLE = re.compile(
    r"\b(?:chief executive|CEO|chairman|chairwoman|chairperson|president|premier|minister|"
    r"spokesperson|spokesman|spokeswoman|director|founder|official|analyst|economist|"
    r"professor|lawmaker|legislator|mayor|governor|secretary|ambassador|head|leader|"
    r"commissioner|deputy|researcher|executive|manager|senator|envoy|chief|general|"
    r"Premier|President|Minister|Chairman|Legislator|Mayor|Secretary|Governor|Prime Minister)\b"
)
_TIME = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|last (?:week|month|year|night)|this (?:week|month|"
    r"year)|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|earlier this)\b"
)
_SENT_END = re.compile(r"[.!?][\"”’')]*\s+(?=[\"“‘]?[A-Z])")
_CJK_ALIAS = re.compile(
    r"((?:[A-Z][\w’'.-]*\s+(?:(?:of|and|for|the|de|van|von|al)\s+)?){0,5}[A-Z][\w’'.-]*)"
    r"\s*[(（]\s*([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af·・]"
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af·・ ]{0,15})\s*[)）]"
)
_TITLE_WORDS = frozenset(
    """premier president vice deputy prime minister ceo cfo coo cto chairman chairwoman
    chairperson chief executive officer founder mr mrs ms dr prof professor sir lord lady
    legislator lawmaker mayor governor secretary general ambassador director spokesperson
    spokesman spokeswoman commissioner speaker senator representative king queen prince
    princess former acting the a an rival chinese taiwanese japanese american us head
    minister-without-portfolio envoy judge justice councilor councillor commander admiral
    colonel captain lieutenant major sergeant pope bishop cardinal chancellor""".split()
)
_ROLE_WORDS = _TITLE_WORDS - frozenset(
    "the a an rival chinese taiwanese japanese american us former acting general major".split()
)
_NOT_NAMES = frozenset(
    """The A An In On At He She It They This That These Those But And As For If While When
    After Before However Also We I Its His Her Their There Last Since With According Some
    Many Most Other Others Such Both Meanwhile Still Yet Then So Or Nor Even Under Over From
    To Of By Into Through During Despite Although Though Because Why What Who Where How
    Which Our My You Your Another Each Every All Any No Not Only Just Late Early Earlier
    Later Now Today Yesterday Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November
    December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mr Mrs Ms Dr Photo Additional
    Reporting Staff Writer Chinese Taiwanese Japanese American Korean European Rival Former
    Separately Instead Thus Further Furthermore Moreover Although Nevertheless Overall""".split()
)
_STOP = frozenset(
    """that this with from have has had were will would could should their there they them
    said says about after before which while when where what been being more most than
    into over under also other some such only just very said, year years told says
    percent last week month today yesterday first second third made make many much
    these those each even still because since among between against during through
    does doing done what your ours than then them they're it’s it's that’s don’t""".split()
)
_ABBREV = frozenset(
    """mr mrs ms dr prof st jr sr inc corp co ltd jan feb mar apr jun jul aug sep sept oct nov
    dec no vs gov sen rep gen col lt u.s u.k e.g i.e""".split()
)


class _Para:
    """One non-blank line with the cues computed once, so each window pass stays cheap."""

    __slots__ = (
        "number", "text", "terminal", "caption", "signoff", "byline", "kicker", "dateline",
        "opener", "unclosed", "first", "caps", "words", "new_names", "org_lede", "time",
        "long", "sentences", "heading", "head_caps", "year",
    )

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text
        n = len(text)
        self.terminal = _TERMINAL.search(text) is not None
        short = n <= 200
        self.caption = short and _CAPTION.match(text) is not None
        self.signoff = n <= 160 and _SIGNOFF.match(text) is not None
        self.byline = n <= 120 and _BYLINE.match(text) is not None
        km = _KICKER.match(text)
        self.kicker: str | None = (
            km.group(1) if km and sum(c.isalpha() for c in km.group(1)) >= 3 else None
        )
        body = text[km.end():] if self.kicker and km else text
        dm = _DATELINE.match(body)
        self.dateline: str | None = dm.group(0).strip() if dm and dm.end() < len(body) else None
        if self.dateline and dm:
            body = body[dm.end():]
        # opener: 2 pronoun/connective, 1 quote, 0 plain
        if _OPENER_PRON.match(body) or _OPENER_CONN.match(body):
            self.opener = 2
        elif _OPENER_QUOTE.match(body):
            self.opener = 1
        else:
            self.opener = 0
        straight = text.count('"')
        self.unclosed = (straight % 2 == 1) or text.count("“") > text.count("”")
        fw = _POSSESSIVE.sub("", body.lstrip("\"“‘'").split(" ", 1)[0].rstrip(",.:;"))
        self.first = fw
        head = body[:240]
        self.caps = frozenset(_CAP.findall(text)) - _NOT_NAMES
        self.words = frozenset(_WORD.findall(text.lower())) - _STOP
        names = []
        for m in _FULLNAME.findall(head):
            toks = [t for t in m.split() if t not in _NOT_NAMES]
            if len(toks) >= 2:
                names.append(toks)
        self.new_names = names
        self.org_lede = _ORG.search(head) is not None or _ROLE.search(head) is not None
        self.time = _TIME.search(head) is not None
        self.long = n >= 450
        self.sentences = len(_SENT_END.findall(text)) + 1 if n >= 250 else 1
        self.heading = (n <= 150 and not self.terminal and not self.caption
                        and not self.signoff and not self.byline)
        self.head_caps = frozenset(_CAP.findall(head[1:])) - _NOT_NAMES
        self.year = _YEAR.search(text) is not None


def _is_attached(p: _Para) -> bool:
    """Captions and sign-offs never open a story; they ride with the text around them."""
    return p.caption or p.signoff


_STRONG = 12.0

# Soft cues for "a story starts before q"; weights are log-odds fitted on dev feeds
# (python -m bench.split_eval --fit), then rounded. Order matches _soft_features.
_FEATURES = (
    "bias", "kicker", "dateline", "byline", "pronoun or connective opener", "quote opener",
    "quote continues", "previous ends with colon", "opens with a known name",
    "new full name", "new full name with role or time", "full name given again",
    "time word", "organisation or role", "teaser line", "many sentences",
    "previous has many sentences", "cohesion", "name cohesion", "known names in lede",
    "adjacent cohesion", "previous has a year", "length", "log cohesion", "very low cohesion",
    "names reach across", "names stay after",
)
_WEIGHTS = (
    -9.22,
    0.00,
    0.00,
    0.00,
    -0.79,
    -0.43,
    0.00,
    0.00,
    0.70,
    -0.02,
    0.84,
    0.89,
    3.67,
    0.24,
    0.00,
    -0.25,
    0.89,
    0.39,
    0.86,
    0.68,
    1.09,
    0.71,
    3.42,
    -0.64,
    1.44,
    -1.37,
    1.80,
)


def _bag(ps: list[_Para]) -> tuple[set[str], set[str]]:
    """Union of the content words and capitalised names of some paragraphs."""
    w: set[str] = set()
    c: set[str] = set()
    for p in ps:
        w |= p.words
        c |= p.caps
    return w, c


def _cos(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Cosine of two sets seen as binary vectors."""
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def _hard(paras: list[_Para], i: int) -> tuple[float, str] | None:
    """Cues that settle the gap before paras[i] on their own, with the reason."""
    q = paras[i]
    p = paras[i - 1]
    if q.caption or q.signoff or p.byline or p.heading:
        return -_STRONG, ""
    if p.signoff:
        return _STRONG, "previous line is a sign-off"
    j = i - 1
    while j > 0 and paras[j].caption:
        j -= 1
    if not paras[j].terminal and not paras[j].caption:
        return _STRONG, "previous line cut off mid-sentence"
    if q.heading:
        return _STRONG, "heading line"
    if q.long and not q.terminal and q.sentences >= 3:
        return _STRONG, "teaser line (several paragraphs run together, cut off)"
    if q.kicker:
        return _STRONG, f"kicker {q.kicker}"
    if q.dateline:
        return _STRONG, f"dateline {q.dateline}"
    if q.byline:
        return _STRONG, "byline"
    return None


def _soft_features(paras: list[_Para], i: int) -> list[float]:
    """The soft cues of the gap before paras[i], in _FEATURES order."""
    q = paras[i]
    j = i - 1
    while j > 0 and paras[j].caption:
        j -= 1
    p = paras[j]
    back = [b for b in paras[max(0, j - CONTEXT + 1): j + 1] if not b.caption]
    ahead = paras[i: i + CONTEXT]
    bw, bc = _bag(back)
    aw, ac = _bag(ahead)
    seen = bc
    known_first = q.first in seen and q.first not in _NOT_NAMES
    fresh = any(n[-1] not in seen for n in q.new_names)
    again = any(n[-1] in seen for n in q.new_names)
    head_caps = q.head_caps
    known = len(head_caps & seen) / len(head_caps) if head_caps else 0.0
    num = len(bw & aw) + 2 * len(bc & ac)
    den = math.sqrt((len(bw) + 2 * len(bc)) * (len(aw) + 2 * len(ac)))
    coh = num / den if den else 0.0
    rest = _bag(ahead[1:])[1]
    across = len((rest & bc) - q.caps)
    stay = len((rest & q.caps) - bc)
    return [
        1.0,
        1.0 if q.kicker else 0.0,
        1.0 if q.dateline else 0.0,
        1.0 if q.byline else 0.0,
        1.0 if q.opener == 2 else 0.0,
        1.0 if q.opener == 1 else 0.0,
        1.0 if q.opener == 1 and p.unclosed else 0.0,
        1.0 if p.text.endswith(":") else 0.0,
        1.0 if known_first else 0.0,
        1.0 if fresh else 0.0,
        1.0 if fresh and (q.org_lede or q.time) else 0.0,
        1.0 if again and q.org_lede else 0.0,
        1.0 if q.time and q.opener == 0 else 0.0,
        1.0 if q.org_lede else 0.0,
        1.0 if q.long and not q.terminal else 0.0,
        1.0 if q.sentences >= 3 else 0.0,
        1.0 if p.sentences >= 3 else 0.0,
        coh,
        _cos(bc, ac),
        known,
        _cos(p.words | p.caps, q.words | q.caps),
        1.0 if p.year else 0.0,
        min(len(q.text), 1000) / 500.0,
        math.log(coh + 0.02),
        1.0 if coh < 0.06 else 0.0,
        min(across, 3) / 3.0,
        min(stay, 3) / 3.0,
    ]


def _gap(paras: list[_Para], i: int, want_cues: bool) -> tuple[float, list[str]]:
    """Score the gap before paras[i]: positive means a new story starts there."""
    hard = _hard(paras, i)
    if hard is not None:
        return hard[0], [hard[1]] if hard[1] and want_cues else []
    f = _soft_features(paras, i)
    s = sum(w * x for w, x in zip(_WEIGHTS, f, strict=True))
    if not want_cues:
        return s, []
    q = paras[i]
    cues = []
    if q.kicker:
        cues.append(f"kicker {q.kicker}")
    if q.dateline:
        cues.append(f"dateline {q.dateline}")
    if q.byline:
        cues.append("byline")
    seen = _bag(paras[max(0, i - CONTEXT): i])[1]
    fresh = [n for n in q.new_names if n[-1] not in seen]
    if fresh:
        cues.append("new full name introduced: " + " ".join(fresh[0]))
    if f[14]:
        cues.append("teaser line (long, cut off)")
    if f[17] < 0.15:
        cues.append(f"vocabulary shift {1.0 - f[17]:.2f}")
    if not cues:
        cues.append(f"boundary score {s:.1f}")
    return s, cues


def _single_penalty(p: _Para) -> float:
    """A one-paragraph story is a teaser or a brief; a short lone full paragraph is a fragment."""
    if _is_attached(p) or p.byline or p.heading:
        return -2 * _STRONG
    if not p.terminal or p.long:
        return 0.0
    return -2.0


def _viterbi(paras: list[_Para], scores: list[float]) -> list[int]:
    """Pick cut positions maximising boundary scores plus a fragment prior (states: 1, 2, 3+)."""
    n = len(paras)
    neg = -1e18
    # state k: current segment has k+1 paragraphs (capped at 3)
    best = [0.0, neg, neg]
    back: list[tuple[int, int, int]] = [(-1, -1, -1)]
    for i in range(1, n):
        s = scores[i]
        b0, b1, b2 = best
        end1 = b0 + _single_penalty(paras[i - 1])
        cand = ((end1, 0), (b1, 1), (b2, 2))
        bc, bk = max(cand)
        new0 = bc + s
        new1 = b0
        new2, k2 = (b1, 1) if b1 >= b2 else (b2, 2)
        best = [new0, new1, new2]
        back.append((bk, 0, k2))
    # final segment penalty
    b0, b1, b2 = best
    final = max(((b0 + _single_penalty(paras[n - 1]), 0), (b1, 1), (b2, 2)))
    k = final[1]
    cuts: list[int] = []
    for i in range(n - 1, 0, -1):
        if k == 0:
            cuts.append(i)
            k = back[i][0]
        elif k == 1:
            k = 0
        else:
            k = back[i][2]
    cuts.reverse()
    return cuts


def _title(text: str) -> str:
    """The first sentence, short enough to list on one line."""
    end = len(text)
    for m in _SENT_END.finditer(text):
        word = text[: m.start() + 1].rsplit(None, 1)[-1].rstrip(".").lower()
        if word in _ABBREV or (len(word) == 1 and word.isalpha()):
            continue
        end = m.start() + 1
        while end < len(text) and text[end] in _CLOSERS:
            end += 1
        break
    first = text[:end].strip()
    if len(first) <= TITLE_MAX:
        return first
    cut = first[: TITLE_MAX - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-") + "…"


def _aliases(lines: list[str]) -> list[tuple[str, str]]:
    """Latin name → CJK form pairs, so either spelling finds the story."""
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for line in lines:
        if "(" not in line and "（" not in line:
            continue
        for m in _CJK_ALIAS.finditer(line):
            toks = m.group(1).split()
            roles = [k for k, t in enumerate(toks[:-1]) if t.lower().strip(".") in _ROLE_WORDS]
            if roles:
                toks = toks[roles[-1] + 1:]
            while toks and (toks[0].lower().strip(".") in _TITLE_WORDS or toks[0] in _NOT_NAMES
                            or toks[0][0].islower()):
                toks.pop(0)
            if not toks:
                continue
            pair = (" ".join(toks), m.group(2).strip())
            if pair not in seen:
                seen.add(pair)
                out.append(pair)
    return out


def _story(paras: list[_Para], cues: list[str]) -> Story:
    """Fill a Story from its paragraphs and the cues that opened it."""
    lines = [p.text for p in paras]
    body = [p for p in paras if not _is_attached(p) and not p.byline] or paras
    first = body[0]
    last = body[-1]
    text = first.text
    kicker = first.kicker
    dateline = first.dateline
    if kicker:
        text = text[len(kicker):].lstrip(" :")
    if dateline:
        text = text[len(dateline):].lstrip() if text.startswith(dateline) else text
    cut_off = not last.terminal
    teaser = cut_off or (len(body) == 1 and first.long)
    signoff = next((p.text for p in reversed(paras) if p.signoff), None)
    return Story(
        start_line=paras[0].number,
        end_line=paras[-1].number,
        lines=lines,
        kind="teaser" if teaser else "full",
        cut_off=cut_off,
        kicker=kicker,
        dateline=dateline,
        captions=[p.text for p in paras if p.caption],
        signoff=signoff,
        title=_title(text),
        aliases=_aliases(lines),
        cues=cues,
    )


def _cut(paras: list[_Para], start: int) -> list[int]:
    """Cut positions (indices into paras, > start) chosen over the window paras[start:]."""
    scores = [0.0] * len(paras)
    for i in range(start + 1, len(paras)):
        scores[i] = _gap(paras, i, False)[0]
    sub = paras[start:]
    return [c + start for c in _viterbi(sub, scores[start:])]


def segment(lines: Iterable[Line]) -> Iterator[Story]:
    """Split decoded feed lines into stories, streaming, with memory bounded by the window."""
    buf: list[_Para] = []  # buf[:start] is committed context; buf[start] opens a story
    start = 0
    first_cues: list[str] = ["start of feed"]
    for line in lines:
        if not line.text or line.text.isspace():
            continue
        buf.append(_Para(line.number, line.text))
        if len(buf) - start >= WINDOW:
            cuts = _cut(buf, start)
            keep_from = len(buf) - MARGIN
            bounds = [start] + [c for c in cuts if c <= keep_from]
            if len(bounds) == 1:
                bounds.append(keep_from)  # a story longer than the window: forced cut
            for a, b in zip(bounds, bounds[1:], strict=False):
                yield _story(buf[a:b], first_cues if a == start else _gap(buf, a, True)[1])
            new_start = bounds[-1]
            first_cues = _gap(buf, new_start, True)[1] or ["window boundary"]
            drop = max(0, new_start - CONTEXT)
            del buf[:drop]
            start = new_start - drop
    if len(buf) > start:
        cuts = _cut(buf, start)
        bounds = [start, *cuts, len(buf)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            yield _story(buf[a:b], first_cues if a == start else _gap(buf, a, True)[1])
