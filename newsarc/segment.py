"""Lines → stories: cut a raw feed where a human editor would, in one streaming pass.

Each non-blank line is a paragraph. Cheap cues settle most gaps between paragraphs on their
own: a line cut off mid-sentence ends a teaser, a kicker, dateline or byline opens a story, a
caption or sign-off rides with the story around it. The gaps left open (between two finished
paragraphs) get a score from weighted soft cues (a pronoun or a known surname continues a
story, a new full name, a time word or a vocabulary shift opens one), and a Viterbi pass over
each open stretch picks the cuts, with a prior against very short stories.
Word-level cues are computed once per paragraph and shared by every gap that needs them.
The window slides: all stories but the last are emitted, so memory stays bounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from operator import mul

from newsarc.models import Line, Story

__all__ = ["segment"]

WINDOW = 2000  # paragraphs buffered before cuts are chosen
MARGIN = 40  # paragraphs of look-ahead kept uncommitted at the end of a window
CONTEXT = 4  # paragraphs on each side used for cohesion and name cues
TITLE_MAX = 100
TEASER_LEN = 450  # a line this long with several sentences is teaser-like, not a paragraph
LONG_LINE = 550  # a finished line this long reads like a teaser cut at a full stop

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
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
_DATELINE = re.compile(
    r"^((?:[A-Z][A-Z.’'-]+(?:\s+[A-Z][A-Z.’'-]+){0,3}"
    r"|[A-Z][a-z.’'-]+(?:\s+[A-Z][a-z.’'-]+){0,3}(?=,\s*" + _MONTH + r"|\s*\())"
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,2})?"
    r"(?:,?\s*" + _MONTH + r")?"
    r"(?:\s*\([A-Za-z][\w .&’'-]{0,30}\))?"
    r"\s*(?:[—–―]{1,2}|-{1,2}(?=\s)))\s*"
)
# First words that lean on what came before: pronouns, connectives, "The company".
_PRON = frozenset(
    """He She It They His Her Its Their Theirs Him Them We Our I My You This These Those That
    Such There Both Neither Either Another Other Others Some Many Most""".split()
)
_CONN = frozenset(
    """However But And Also Meanwhile Still Yet Moreover Furthermore Besides Nevertheless
    Nonetheless Instead Otherwise Therefore Thus Hence Then So Or Nor Likewise Similarly
    Additionally Separately Earlier Later Previously Afterward Afterwards Elsewhere Even
    Overall""".split()
)
_CONN_PHRASES = (
    "In addition", "In contrast", "In response", "On the other hand", "As a result",
    "At the same time", "For example", "For instance",
)
_THE_NOUNS = frozenset(
    """company firm group ministry agency bank government official move plan deal report survey
    study statement decision proposal case bill council court spokesperson spokesman
    spokeswoman source person two three city country party president premier minister
    lawmaker team organization department bureau office commission administration
    association index figure data rally visit trip meeting incident event project program
    programme law rule policy measure investment acquisition aircraft vessel ship suspect man
    woman victim police military army navy airline carrier automaker chipmaker maker retailer
    brand store share shares stock""".split()
)
_QUOTES_OPEN = frozenset("\"“‘")
_FULLNAME = re.compile(r"[A-Z][a-z][\w-]*(?: (?:[A-Z][a-z][\w-]*|[A-Z]{2,5}|Jr\.?)(?![\w-]))+")
_SENT_END = re.compile(r"[.!?][\"”’')]*\s+(?=[\"“‘]?[A-Z])")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_PAREN = re.compile(r"\s*[(（]\s*([" + _CJK + r"][" + _CJK + r"·・ ]{0,15}?)\s*[)）]")
_TITLE_WORDS = frozenset(
    """premier president vice deputy prime minister ceo cfo coo cto chairman chairwoman
    chairperson chief executive officer founder mr mrs ms dr prof professor sir lord lady
    legislator lawmaker mayor governor secretary general ambassador director spokesperson
    spokesman spokeswoman commissioner speaker senator representative king queen prince
    princess former acting head envoy judge justice councilor councillor commander admiral
    colonel captain lieutenant sergeant pope bishop cardinal chancellor
    minister-without-portfolio""".split()
)
_NAME_JOINERS = frozenset("of and for the de van von al du da di der la le".split())
_DESCRIPTOR_SUFFIXES = (
    "-based", "-listed", "-owned", "-run", "-backed", "-born", "-made", "-led", "-funded",
    "-controlled", "-affiliated", "-registered", "-focused", "-headquartered", "-area",
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
    into over under also other some such only just very year years told percent last week
    month today yesterday first second third made make many much these those each even
    still because since among between against during through does doing done your ours
    then""".split()
)
_ABBREV = frozenset(
    """mr mrs ms dr prof st jr sr inc corp co ltd jan feb mar apr jun jul aug sep sept oct nov
    dec no vs gov sen rep gen col lt u.s u.k e.g i.e""".split()
)
_CAPW = re.compile(r"[A-Z][a-z]+")
_LOWW = re.compile(r"[a-z]{4,}")
_TIME_WORDS = frozenset(
    "Yesterday Today Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
_ORG_WORDS = frozenset(
    """Inc Corp Corporation Co Ltd Group Holdings Bank Ministry Council Agency Association
    University Institute Party Administration Bureau Commission Department Office Foundation
    Committee Court Legislature Yuan Premier President Minister Chairman Legislator Mayor
    Secretary Governor""".split()
)
_ROLE_WORDS_LOW = frozenset(
    """chief executive chairman chairwoman chairperson president premier minister spokesperson
    spokesman spokeswoman director founder official analyst economist professor lawmaker
    legislator mayor governor secretary ambassador leader commissioner deputy researcher
    manager senator envoy""".split()
)
_CLOSER = re.compile(
    r"\b(?:did not|didn’t|didn't) (?:immediately )?(?:respond|reply|return|comment)"
    r"|\bdeclined to (?:comment|elaborate|give|provide|say|name)|\bcould not be reached"
    r"|\b(?:was|were) not (?:immediately )?available for comment|\bno comment\b"
)
# Words early in a paragraph that point back to something already told.
_BACKREF = frozenset("also other another same further again too both".split())
_END_OK = frozenset(".!?…:;")
_QUOTE_END = frozenset("\"”»")
_CLOSE_CHARS = "\"”’')]»"


def _terminal(text: str) -> bool:
    """Ends like a finished sentence (or a closing quote), not mid-sentence."""
    c = text[-1:]
    if not c:
        return False
    if c in _END_OK or c in _QUOTE_END:
        return True
    if c in _CLOSE_CHARS:
        t = text.rstrip(_CLOSE_CHARS)
        return bool(t) and t[-1] in _END_OK
    return False


def _sentences(text: str) -> int:
    """Roughly how many sentences a long line holds (1 for short ones)."""
    if len(text) < 250:
        return 1
    return text.count(". ") + text.count(".” ") + text.count('." ') + text.count("? ") + 1


_CAPTION_FIRST = frozenset("PpFfGgIiVvCcMm")
_SIGNOFF_FIRST = frozenset("—–―-ARWECTw")


class _Para:
    """One non-blank line: at once the cues that force a cut or a join, the rest on demand."""

    __slots__ = (
        "number", "text", "body", "n", "terminal", "caption", "byline", "signoff", "attached",
        "glue", "ends", "opens", "kicker", "dateline", "heading", "rich", "opener", "unclosed",
        "first", "second_lower", "sentences", "closer", "backref", "vocab", "caps", "org_lede",
        "time", "names", "fullnames",
    )

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text
        n = self.n = len(text)
        terminal = self.terminal = _terminal(text)
        c0 = text[0]
        caption = signoff = byline = False
        if n <= 200:
            caption = c0 in _CAPTION_FIRST and _CAPTION.match(text) is not None
            signoff = c0 in _SIGNOFF_FIRST and _SIGNOFF.match(text) is not None
            byline = c0 == "B" and text.startswith("By ") and _BYLINE.match(text) is not None
        self.caption = caption
        self.signoff = signoff
        self.byline = byline
        self.attached = caption or signoff
        heading = self.heading = n <= 150 and not terminal and not caption and not signoff \
            and not byline
        self.glue = byline or heading  # the line after a byline or heading is the same story
        # ends: why a story ends after this line, whatever follows
        self.ends = ("previous line is a sign-off" if signoff
                     else "previous line cut off mid-sentence"
                     if not terminal and not caption and not heading and not byline
                     else None)
        kicker: str | None = None
        body = text
        if ":" in text[:50]:
            km = _KICKER.match(text)
            if km and sum(c.isalpha() for c in km.group(1)) >= 3:
                kicker = km.group(1)
                body = text[km.end():]
        self.kicker = kicker
        dateline: str | None = None
        lead = body[:70]
        if "—" in lead or "–" in lead or "-" in lead or "―" in lead:
            dm = _DATELINE.match(body)
            if dm and dm.end() < len(body):
                dateline = dm.group(0).strip()
                body = body[dm.end():]
        self.dateline = dateline
        self.body = body
        # opens: why a story starts at this line, whatever came before
        self.opens = (
            "teaser line (several paragraphs run together, cut off)"
            if n >= TEASER_LEN and not terminal and _sentences(text) >= 3
            else f"kicker {kicker}" if kicker
            else f"dateline {dateline}" if dateline
            else "byline" if byline
            else None
        )
        self.rich = False

    def enrich(self) -> None:
        """Word-level cues (openers, vocabulary, names, roles, time words), computed once."""
        self.rich = True
        text = self.text
        body = self.body
        n = self.n
        words = body.split(" ", 2)
        w0 = words[0]
        quoted = w0[:1] in _QUOTES_OPEN
        if quoted:
            w0 = w0.lstrip("\"“‘'")
        w0 = w0.rstrip(",.:;")
        # opener: 2 pronoun/connective, 1 quote, 0 plain
        if (w0 in _PRON or w0 in _CONN or body.startswith(_CONN_PHRASES)
                or (w0 == "The" and len(words) > 1
                    and words[1].rstrip(",.:;’'s") in _THE_NOUNS)):
            self.opener = 2
        elif quoted:
            self.opener = 1
        else:
            self.opener = 0
        self.unclosed = text.count('"') % 2 == 1 or text.count("“") > text.count("”")
        if w0.endswith(("’s", "'s")):
            w0 = w0[:-2]
        elif w0.endswith(("’", "'")):
            w0 = w0[:-1]
        self.first = w0
        self.second_lower = len(words) > 1 and words[1][:1].islower()
        self.sentences = _sentences(text)
        self.closer = (n < 400 and ("comment" in text or "respond" in text or "reached" in text
                                    or "declined" in text or "reply" in text
                                    or "return" in text)
                       and _CLOSER.search(text) is not None)
        self.backref = not _BACKREF.isdisjoint(body[:60].split())
        caps = frozenset(_CAPW.findall(text))
        low = frozenset(_LOWW.findall(text))
        self.time = (
            not caps.isdisjoint(_TIME_WORDS) or "yesterday" in text or "today" in text
            or "tonight" in text or "tomorrow" in text
        )
        self.org_lede = not caps.isdisjoint(_ORG_WORDS) or not low.isdisjoint(_ROLE_WORDS_LOW)
        caps = self.caps = caps - _NOT_NAMES
        self.vocab = caps | (low - _STOP)
        names: list[str] = []
        fullnames: list[str] = []
        if self.opener == 0:
            for m in _FULLNAME.findall(body, 0, 160):
                toks = [t for t in m.split() if t not in _NOT_NAMES]
                if len(toks) >= 2:
                    names.append(toks[-1])
                    fullnames.append(" ".join(toks))
        self.names = names
        self.fullnames = fullnames


_STRONG = 12.0

# Soft cues for "a story starts before q"; weights are log-odds fitted on dev feeds
# (python -m bench.split_eval --fit), then rounded. Order matches _soft.
_FEATURES = (
    "bias", "pronoun or connective opener", "quote opener", "quote continues",
    "previous ends with colon", "opens with a known name and a verb", "new names with role or time",
    "time word with new names", "organisation or role", "many sentences",
    "previous has many sentences", "cohesion", "name cohesion", "known names",
    "adjacent cohesion", "length", "log cohesion", "very low cohesion", "names reach across",
    "names stay after", "previous closes a story", "full name given again",
    "new full name with role or time", "time word with known names",
    "previous is a long teaser-like line", "points back (also, other, same)",
    "subheading", "previous is a long line that opens a story", "cohesion depth",
)
# Hand-set beliefs the fit is pulled towards where the data say little (a cue that never
# fires in the training feeds keeps its prior).
_PRIOR = (
    -3.0, -3.0, -1.5, -3.0, -3.0, -2.0, 1.5, 1.0, 0.5, 0.0, 0.0, -2.0, -2.0, -1.5, -1.0,
    0.5, -0.5, 1.0, -1.5, 1.5, 1.0, 1.0, 1.0, 0.0, 3.0, -1.5, -3.0, 3.0, 2.0,
)
_WEIGHTS = (
    -6.60, -2.26, -1.88, -3.00, -3.00, -0.28, -0.51, 5.33, -0.03, -0.67, 0.49, -0.82,
    0.35, 1.63, -0.44, 3.05, 0.51, 2.16, -0.10, 2.51, 2.08, 1.45, 1.04, 3.26, 3.0, -1.5, -3.0,
    3.0, 3.47,
)
_COH = _FEATURES.index("cohesion")
_DEPTH = _FEATURES.index("cohesion depth")
# Length prior for a finished story of 1, 2, 3 paragraphs (4 or more: 0).
_SHORT_PENALTY = (-2.0, -2.0, -1.0)


def _hard(paras: list[_Para], i: int) -> tuple[float, str] | None:
    """Cues that settle the gap before paras[i] on their own, with the reason."""
    q = paras[i]
    p = paras[i - 1]
    if p.glue:
        return -_STRONG, ""
    if p.ends and not q.signoff:  # a caption after a teaser or a sign-off opens the next story
        return _STRONG, p.ends
    if q.attached:
        return -_STRONG, ""
    if q.opens:
        return _STRONG, q.opens
    return None


def _region_features(paras: list[_Para], lo: int, hi: int) -> list[list[float]]:
    """Soft-cue features (in _FEATURES order) of every gap before paras[lo+1:hi].

    The context of a gap is taken only from paras[lo:hi], the stretch between two forced cuts,
    so a neighbouring teaser's words do not blur an article's cohesion.
    """
    for x in paras[lo:hi]:
        if not x.rich:
            x.enrich()
    m = hi - lo
    vs = [x.vocab for x in paras[lo:hi]]
    cs = [x.caps for x in paras[lo:hi]]
    pre = [0]  # prefix sums of name counts
    for names_k in cs:
        pre.append(pre[-1] + len(names_k))
    # forward windows: v3[k] = vocab of paras k..k+2 (clipped), v4[k] = k..k+3
    empty: frozenset[str] = frozenset()
    v2 = [vs[k] | vs[k + 1] for k in range(m - 1)] + [vs[m - 1]]
    c2 = [cs[k] | cs[k + 1] for k in range(m - 1)] + [cs[m - 1]]
    v3 = [v2[k] | vs[k + 2] for k in range(m - 2)] + v2[m - 2:]
    c3 = [c2[k] | cs[k + 2] for k in range(m - 2)] + c2[m - 2:]
    v4 = [v3[k] | vs[k + 3] for k in range(m - 3)] + v3[max(0, m - 3):]
    c4 = [c3[k] | cs[k + 3] for k in range(m - 3)] + c3[max(0, m - 3):]
    out: list[list[float]] = []
    sqrt = math.sqrt
    log = math.log
    p = paras[lo]
    for k in range(1, m):
        q = paras[lo + k]
        prev = paras[lo + k - 1]
        if not prev.caption:
            p = prev
        b = k - CONTEXT if k >= CONTEXT else 0
        width = k - b
        bv = v4[b] if width == 4 else v3[b] if width == 3 else v2[b] if width == 2 else vs[b]
        bc = c4[b] if width == 4 else c3[b] if width == 3 else c2[b] if width == 2 else cs[b]
        av = v4[k]
        restc = c3[k + 1] if k + 1 < m else empty
        lb, la = len(bv), len(av)
        coh = len(bv & av) / sqrt(lb * la) if lb and la else 0.0
        bcaps = pre[k] - pre[b]
        acaps = pre[k + CONTEXT if k + CONTEXT < m else m] - pre[k]
        ncoh = len(bc & c4[k]) / sqrt(bcaps * acaps) if bcaps and acaps else 0.0
        qv = q.vocab
        qc = q.caps
        across = len((restc & bc) - qc)
        stay = len((restc & qc) - bc)
        known = len(qc & bc) / len(qc) if qc else 0.0
        names = q.names
        again = fresh = False
        for nm in names:
            if nm in bc:
                again = True
            else:
                fresh = True
        pv = p.vocab
        adj = len(pv & qv) / sqrt(len(pv) * len(qv)) if pv and qv else 0.0
        lede = q.org_lede or q.time
        plain_time = q.time and q.opener == 0
        out.append([
            1.0,
            1.0 if q.opener == 2 else 0.0,
            1.0 if q.opener == 1 else 0.0,
            1.0 if q.opener == 1 and p.unclosed else 0.0,
            1.0 if p.text[-1:] == ":" else 0.0,
            1.0 if q.second_lower and q.first in bc else 0.0,
            1.0 - known if lede else 0.0,
            1.0 if plain_time and known < 0.5 else 0.0,
            1.0 if q.org_lede else 0.0,
            1.0 if q.sentences >= 3 else 0.0,
            1.0 if p.sentences >= 3 else 0.0,
            coh,
            ncoh,
            known,
            adj,
            min(q.n, 1000) / 500.0,
            log(coh + 0.02),
            1.0 if coh < 0.06 else 0.0,
            min(across, 3) / 3.0,
            min(stay, 3) / 3.0,
            1.0 if p.closer else 0.0,
            1.0 if again else 0.0,
            1.0 if fresh and lede else 0.0,
            1.0 if plain_time and known >= 0.5 else 0.0,
            1.0 if p.n >= LONG_LINE and p.sentences >= 3 and q.n < LONG_LINE else 0.0,
            1.0 if q.backref else 0.0,
            1.0 if q.heading else 0.0,
            1.0 if k == 1 and p.n >= LONG_LINE and p.sentences >= 3 else 0.0,
            0.0,  # cohesion depth, filled in below once the stretch is scored
        ])
    # TextTiling depth: how far cohesion dips at a gap below the peaks on either side.
    cohs = [f[_COH] for f in out]
    for g, f in enumerate(out):
        c = cohs[g]
        left = max(cohs[g - 3 if g >= 3 else 0: g], default=c)
        right = max(cohs[g + 1: g + 4], default=c)
        f[_DEPTH] = (left - c if left > c else 0.0) + (right - c if right > c else 0.0)
    return out


def _single_penalty(p: _Para) -> float:
    """A one-paragraph story is a teaser or a brief; a short lone full paragraph is a fragment."""
    if p.attached or p.glue:
        return -2 * _STRONG
    if not p.terminal or p.n >= TEASER_LEN:
        return 0.0
    return _SHORT_PENALTY[0]


def _viterbi(paras: list[_Para], lo: int, scores: list[float]) -> list[int]:
    """Cuts (indices > lo) over paras[lo:lo+len(scores)+1] maximising gap scores + length prior.

    scores[g] is the score of the gap before paras[lo+g+1]. State k: the current story has
    k+1 paragraphs (the last state means 4 or more).
    """
    n = len(scores) + 1
    neg = -1e18
    p1, p2, p3 = _SHORT_PENALTY
    best = [0.0, neg, neg, neg]
    back: list[int] = []  # state the story before a cut at position g+1 ended in
    for g in range(n - 1):
        s = scores[g]
        b0, b1, b2, b3 = best
        e0 = b0 + _single_penalty(paras[lo + g])
        e1 = b1 + p2
        e2 = b2 + p3
        bc, bk = e0, 0
        if e1 > bc:
            bc, bk = e1, 1
        if e2 > bc:
            bc, bk = e2, 2
        if b3 > bc:
            bc, bk = b3, 3
        back.append(bk)
        best = [bc + s, b0, b1, b2 if b2 > b3 else b3]
        if b2 > b3:
            back[-1] = bk | (2 << 4)  # the 4+ state came from state 2
        else:
            back[-1] = bk | (3 << 4)
    last = paras[lo + n - 1]
    b0, b1, b2, b3 = best
    ends = (b0 + _single_penalty(last), b1 + p2, b2 + p3, b3)
    k = max(range(4), key=ends.__getitem__)
    cuts: list[int] = []
    for g in range(n - 2, -1, -1):
        # position g+1 in state k
        if k == 0:
            cuts.append(lo + g + 1)
            k = back[g] & 15
        elif k == 3:
            k = back[g] >> 4
        else:
            k -= 1
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
        while end < len(text) and text[end] in _CLOSE_CHARS:
            end += 1
        break
    first = text[:end].strip()
    if len(first) <= TITLE_MAX:
        return first
    cut = first[: TITLE_MAX - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-") + "…"


def _name_before(text: str) -> str:
    """The proper name that ends text: capitalised words back to a title, role or descriptor.

    `Taichung-based Hollin Precision Co` → `Hollin Precision Co`; `Premier Li Qiang` →
    `Li Qiang`; `Taichung's Dali District` → `Dali District`.
    """
    toks = text[-90:].split()
    if len(text) > 90 and toks:
        toks = toks[1:]  # may be a word cut in half
    name: list[str] = []
    for t in reversed(toks):
        if t in _NAME_JOINERS:
            if name:
                name.append(t)
                continue
            break
        c = t[:1]
        if not (c.isupper() or c.isdigit()) or t[-1] in ",;:—–)" or t.endswith(("’s", "'s")):
            break
        if t[-1] == "." and t[:-1].lower() not in _ABBREV:
            break
        if t.endswith(_DESCRIPTOR_SUFFIXES):
            break
        low = t.lower().rstrip(".")
        if name and (low in _TITLE_WORDS or t in _NOT_NAMES):
            break
        name.append(t)
        if len(name) >= 8:
            break
    while name and (name[-1] in _NAME_JOINERS or name[-1] in _NOT_NAMES
                    or name[-1].lower() in _TITLE_WORDS):
        name.pop()  # joiners and titles cannot open a name
    return " ".join(reversed(name))


def _aliases(lines: list[str]) -> list[tuple[str, str]]:
    """Latin name → CJK form pairs, so either spelling finds the story."""
    out: list[tuple[str, str]] = []
    for line in lines:
        if "(" not in line and "（" not in line:
            continue
        for m in _CJK_PAREN.finditer(line):
            latin = _name_before(line[: m.start()])
            if not latin:
                continue
            pair = (latin, m.group(1).strip())
            if pair not in out:
                out.append(pair)
    return out


def _story(paras: list[_Para], cues: list[str]) -> Story:
    """Fill a Story from its paragraphs and the cues that opened it."""
    lines = [p.text for p in paras]
    body = [p for p in paras if not p.attached and not p.byline] or paras
    first = body[0]
    last = body[-1]
    text = first.body
    cut_off = not last.terminal
    teaser = cut_off or (len(body) == 1 and first.n >= TEASER_LEN)
    signoff = None
    captions: list[str] = []
    if len(paras) > 1:
        for p in paras:
            if p.signoff:
                signoff = p.text
            elif p.caption:
                captions.append(p.text)
    return Story(
        start_line=paras[0].number,
        end_line=paras[-1].number,
        lines=lines,
        kind="teaser" if teaser else "full",
        cut_off=cut_off,
        kicker=first.kicker,
        dateline=first.dateline,
        captions=captions,
        signoff=signoff,
        title=_title(text),
        aliases=_aliases(lines),
        cues=cues,
    )


def _soft_cues(paras: list[_Para], lo: int, i: int, f: list[float], score: float) -> list[str]:
    """A few readable reasons why the soft cues opened a story before paras[i]."""
    q = paras[i]
    cues: list[str] = []
    if f[_FEATURES.index("previous is a long teaser-like line")]:
        cues.append("previous line reads like a teaser")
    if f[_FEATURES.index("previous closes a story")]:
        cues.append("previous line closes a story")
    seen = frozenset().union(*[p.caps for p in paras[max(lo, i - CONTEXT): i]])
    for full, last in zip(q.fullnames, q.names, strict=True):
        if last not in seen:
            cues.append("new full name: " + full)
            break
    if q.time and q.opener == 0:
        cues.append("time word")
    coh = f[_COH]
    if coh < 0.15:
        cues.append(f"vocabulary shift {1.0 - coh:.2f}")
    cues.append(f"score {score:+.1f}")
    return cues


def _stretches(
    paras: list[_Para], start: int
) -> Iterator[tuple[int, int, list[tuple[float, str] | None]]]:
    """Each stretch paras[lo:hi] between forced cuts, with the hard verdict of its inner gaps.

    The last stretch ends at len(paras); hard[g] is the verdict on the gap before
    paras[lo + 1 + g] (None: open, else a forced join).
    """
    n = len(paras)
    lo = start
    inner: list[tuple[float, str] | None] = []
    for i in range(start + 1, n):
        h = _hard(paras, i)
        if h is None or h[0] < 0:
            inner.append(h)
            continue
        yield lo, i, inner
        lo = i
        inner = []
    yield lo, n, inner


def _open_gaps(paras: list[_Para]) -> Iterator[tuple[int, list[float]]]:
    """(index, soft features) of every gap the hard cues leave open, for fitting weights."""
    for lo, hi, inner in _stretches(paras, 0):
        if any(h is None for h in inner):
            feats = _region_features(paras, lo, hi)
            for g, h in enumerate(inner):
                if h is None:
                    yield lo + 1 + g, feats[g]


def _cut(paras: list[_Para], start: int) -> tuple[list[int], dict[int, list[str]]]:
    """Cuts (indices into paras, > start) over paras[start:], with the cues of each."""
    n = len(paras)
    cuts: list[int] = []
    cues: dict[int, list[str]] = {}
    weights = _WEIGHTS
    for lo, hi, inner in _stretches(paras, start):
        if lo > start:
            cuts.append(lo)
            h = _hard(paras, lo)
            cues[lo] = [h[1]] if h else []
        if None in inner:
            feats = _region_features(paras, lo, hi)
            scores = [
                -_STRONG if h is not None else sum(map(mul, weights, f))
                for h, f in zip(inner, feats, strict=True)
            ]
            for c in _viterbi(paras, lo, scores):
                cuts.append(c)
                cues[c] = _soft_cues(paras, lo, c, feats[c - lo - 1], scores[c - lo - 1])
    del n
    return cuts, cues


def segment(lines: Iterable[Line]) -> Iterator[Story]:
    """Split decoded feed lines into stories, streaming, with memory bounded by the window."""
    buf: list[_Para] = []  # buf[:start] is committed context; buf[start] opens a story
    start = 0
    first_cues: list[str] = ["start of feed"]
    for line in lines:
        text = line.text
        if not text or text.isspace():
            continue
        buf.append(_Para(line.number, text))
        if len(buf) - start >= WINDOW:
            cuts, cues = _cut(buf, start)
            keep_from = len(buf) - MARGIN
            bounds = [start] + [c for c in cuts if c <= keep_from]
            if len(bounds) == 1:
                bounds.append(keep_from)  # a story longer than the window: forced cut
                cues[keep_from] = ["window boundary"]
            for a, b in zip(bounds, bounds[1:], strict=False):
                yield _story(buf[a:b], first_cues if a == start else cues.get(a, []))
            new_start = bounds[-1]
            first_cues = cues.get(new_start) or ["window boundary"]
            drop = max(0, new_start - CONTEXT)
            del buf[:drop]
            start = new_start - drop
    if len(buf) > start:
        cuts, cues = _cut(buf, start)
        bounds = [start, *cuts, len(buf)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            yield _story(buf[a:b], first_cues if a == start else cues.get(a, []))
