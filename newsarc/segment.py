"""Lines → stories: cut a raw feed where a human editor would, in one streaming pass.

Each non-blank line is a paragraph. Cheap cues settle most gaps between paragraphs on their
own: a line cut off mid-sentence ends a teaser, a kicker, dateline or byline opens a story, a
caption or sign-off rides with the story around it, blank lines that stand out from the gaps
around them part stories (unless the next paragraph leans back on a pronoun, a connective or an
open quotation). The gaps left open (between two finished paragraphs) get a score from
weighted soft cues (a pronoun or a known surname continues a story, a new full name, a time
word or a vocabulary shift opens one), and a Viterbi pass over
each open stretch picks the cuts, with a prior against very short stories. A paragraph that
names nobody and no organisation, role or time is scored with a cue against it (a feature's
scene or question lede still opens a story when the rest of the evidence is strong).
Word-level cues come from one regex pass per paragraph; within a stretch each word gets one
bit, so the cohesion windows are integer or/and/bit counts rather than Python loops.
The window slides: all stories but the last are emitted, so memory stays bounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from functools import reduce
from itertools import chain, repeat
from operator import lshift, or_
from typing import NamedTuple

from newsarc import lede_style
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
    # "Staff report, with Kyodo", "Staff writer": a credit line without the dash
    r"|Staff\s+(?:writers?|reporters?|report|correspondents?)\s*(?:,\s*with\s+\S.{0,30})?$"
    # "By Shin Ji-won (jiwon@example.com)": a byline with an e-mail address closes a story
    r"|By\s+[A-Z][^()@]{1,60}\(\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*\)\s*$"
    r"|\(?(?:Additional\s+reporting|Reporting|Writing|Editing|Edited|Compiled|Translated)"
    r"\s+by\s"
    r"|With\s+additional\s+reporting\b)"
)
# An agency's name alone, as a credit: "The Canadian Press", "Jiji Press", "Reuters". Any
# capital may open it, so lines are picked by their last word (_AGENCY_LAST) instead.
_AGENCY = re.compile(
    r"(?:The\s+)?(?:[A-Z][\w.-]+\s+){0,3}(?:Press|Presse|News\s+Agency|Press\s+Association)"
    r"|Reuters|AFP|AP|Bloomberg|Kyodo(?:\s+News)?|Yonhap|Xinhua|Bernama|AAP|CNA|dpa|ANSA|EFE"
    r"|PTI|IANS|Agence\s+France-Presse"
)
_AGENCY_LAST = frozenset(
    "Press Presse Agency Association Reuters AFP AP Bloomberg Kyodo News Yonhap Xinhua Bernama "
    "AAP CNA dpa ANSA EFE PTI IANS France-Presse".split())
# "Associated Press writer Jo Doe in Reno contributed to this report."
_CONTRIBUTED = re.compile(
    r"\bcontributed(?:\s+reporting)?\s+to\s+this\s+(?:report|story)[.)]*\s*$")
_BYLINE = re.compile(
    r"^By\s+[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,4}\s*(?:$|/|,|\band\b|in\s+[A-Z]\S*\s*$)")
_KICKER = re.compile(r"^([A-Z][A-Z0-9&’'.-]*(?:\s+[A-Z0-9&’'.-]+){0,4})\s*:\s+(?=\S)")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
_DATELINE = re.compile(
    r"^((?:[A-Z][A-Z.’'-]+(?:(?:\s+|/)[A-Z][A-Z.’'-]+){0,3}"
    r"|[A-Z][a-z.’'-]+(?:\s+[A-Z][a-z.’'-]+){0,3}(?=,\s*" + _MONTH + r"|\s*\()"
    r"|" + _MONTH + r"(?=\s*\())"
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
_CJK_PAREN_START = re.compile(r"[(（]\s*[" + _CJK + r"]")
_CJK_PAREN = re.compile(r"[(（]\s*([" + _CJK + r"][" + _CJK + r"·・ ]{0,15}?)\s*[)）]")
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
# Word cues scan " " + text: a literal space in front lets the regex engine jump from word to
# word instead of trying every character.
_WORDS = re.compile(r" ([A-Z][a-z]+|[a-z]{5,})")  # names and longer words (cues included)
_TIME_WORDS = frozenset(
    """Yesterday Today Monday Tuesday Wednesday Thursday Friday Saturday Sunday yesterday today
    tonight tomorrow""".split()
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
_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_WHEN = (r"(?:(?:early |late )?(?:yesterday|today|tonight|last night|this morning)"
         r"|(?:on |late on |early on )?" + _DAY + r")")
_PAST = (r"(?:said|says|told|announced|[a-z]{2,}ed|made|took|won|lost|rose|fell|began|put|set"
         r"|cut|held|met|gave|sent|sold|kept|hit|struck|broke|chose|drew|ran|saw)")
# A lede's time anchor: the event verb and its day side by side in the first sentence,
# "X said on Tuesday", "X yesterday approved" (not "On Tuesday, ..." or "will meet on Monday").
# Found from the day (rare words), then the verb next to it.
_PAST_BEFORE = re.compile(r"\b" + _PAST + r" (?:(?:early|late) )?(?:on )?$")
_PAST_AFTER = re.compile(" " + _PAST + r"\b")
# "Yesterday" or "Today" opens a sentence, not beside the verb; "tomorrow" is no event's day.
_ANCHOR_WORDS = _TIME_WORDS - {"Yesterday", "Today", "tomorrow"}


def _anchored(body: str, stop: int, words: tuple[str, ...]) -> bool:
    """A day next to a past-tense verb in body[:stop]: 'said on Tuesday', 'yesterday approved'."""
    for w in _ANCHOR_WORDS.intersection(words):
        s = body.find(w, 0, stop)
        while s >= 0:
            e = s + len(w)
            if (_PAST_AFTER.match(body, e) is not None
                    or _PAST_BEFORE.search(body, max(0, s - 28), s) is not None):
                return True
            s = body.find(w, e, stop)
    return False

# A time phrase fronted before the subject moves a story on ("On Tuesday, ...", "By
# yesterday evening, ..."): a lede names its subject first.
_FRONTED_TIME = re.compile(
    r"(?:(?:Early|Late|Earlier|Later) )?(?:(?:On|By|Until|Since|on|by) )?(?:early |late )?"
    r"(?:Yesterday|yesterday|Today|today|Tonight|tonight|" + _DAY + r")"
    r"(?: (?:morning|afternoon|evening|night))?,"
)
# A time phrase that follows on from an earlier moment of the same story: "By noon, ...",
# "Hours later, ...", "Later that day, ...".
_FRONTED_LATER = re.compile(
    r"(?:(?:By|At|Until|Around|Shortly after|Soon after) (?:about |around |late |early )?"
    r"(?:noon|midday|midnight|dawn|dusk|nightfall|then|that time|the time|the end of the day)\b"
    r"|(?:Hours|Minutes|Days|Weeks|Months|Moments|A day|A week|A month|Shortly|Soon|Not long)"
    r" (?:later|afterwards?|after that)\b"
    r"|Later (?:that|the same|in the) (?:day|night|morning|afternoon|evening|week)\b)"
)
_LATER_FIRST = frozenset("By At Until Around Shortly Soon Hours Minutes Days Weeks Months "
                         "Moments A Not Later".split())
# A definite subject that points back to something told: "The dispute echoes ...", "The
# ruling comes ...": "The", one common noun, then a verb that comments rather than reports.
_THE_BACK = re.compile(
    r"The [a-z]{3,} (?:is|was|has|had|comes|came|follows|followed|marks|marked|echoes|echoed"
    r"|adds|added|could|would|will|may|might|also|remains|remained|reflects|reflected"
    r"|highlights|underscores|means|meant|raises|raised|leaves|left|puts|brings|brought"
    r"|appears|appeared|seems|seemed)\b"
)
# A time word in a line that looks ahead ("will meet on Monday", "expected from tomorrow")
# dates an outlook, not the event a story opens with. Looking ahead: one of these words
# (all in _WORDS's vocabulary) or " will ".
_AHEAD = frozenset("would tomorrow expected scheduled".split())
# Lede style: how a story's first paragraph is worded, read from its first tokens. Closed-class
# words (function words, reporting verbs, days, a few generic roles) stay as they are; every
# other token becomes its shape (Xx capitalised, x lower case, XX all capitals, 9 a number,
# punctuation itself), so the model learns the wording of ledes, not the topics of the feeds
# it was fitted on. Its weights are fitted with the gap weights (python -m bench.split_eval
# --fit) and live in newsarc/lede_style.py.
STYLE_TOKENS = 20  # tokens read from the start of the body
STYLE_PAIRS = 12  # of which the first this many also give neighbour pairs
STYLE_BOUND = 2.0  # the feature is the model's log-odds / 4, within +-STYLE_BOUND
_STYLE_TOKEN = re.compile(r"\w+(?:[’']\w+)?|[^\w\s]")
_STYLE_WORDS = frozenset(
    """a an the this that these those his her its their our my your he she it they we i you
    him them us who whom whose which what when where why how there here and but or nor so yet
    for because although though while if as than then also too still even only just not no
    never already again both either neither each every all some any many much more most few
    several such other another same own of in on at by to from with without about after
    before during since until over under into onto through between among against across along
    around near up down out off is are was were be been being has have had do does did will
    would can could may might must shall should said says say told tells according added asked
    noted announced reported warned urged last next first second new former later earlier ago
    yesterday today tonight tomorrow week month year years mr mrs ms dr president minister
    officials official police government company spokesman spokeswoman spokesperson monday
    tuesday wednesday thursday friday saturday sunday morning afternoon evening night""".split()
)


_SHAPES: dict[str, str] = {}  # token -> closed-class word or shape, bounded (see _shape)


def _shape(t: str) -> str:
    """A token as style_tokens gives it; remembered, since most tokens recur."""
    low = t.lower()
    if low in _STYLE_WORDS:
        shape = low
    elif t[0].isdigit():
        shape = "9"
    elif t[0].isupper():
        shape = "XX" if len(t) > 1 and t.isupper() else "Xx"
    elif t[0].isalpha():
        shape = "x"
    else:
        shape = t
    if len(_SHAPES) >= 50_000:  # flat memory on any feed
        _SHAPES.clear()
    _SHAPES[t] = shape
    return shape


def style_tokens(body: str) -> list[str]:
    """The first STYLE_TOKENS tokens of a paragraph's body as closed-class words or shapes."""
    get = _SHAPES.get
    return [get(t) or _shape(t) for t in _STYLE_TOKEN.findall(body, 0, 240)[:STYLE_TOKENS]]


def style_features(body: str) -> set[tuple[str, ...]]:
    """The lede-style model's binary features of one paragraph (what its weights are over)."""
    toks = style_tokens(body)
    feats: set[tuple[str, ...]] = {("token", t) for t in toks}
    head = toks[:STYLE_PAIRS]
    feats.update(("pair", a, b) for a, b in zip(head, head[1:], strict=False))
    feats.update((str(i), t) for i, t in enumerate(toks[:3]))
    if len(toks) > 1:
        feats.add(("opening", toks[0], toks[1]))
    return feats


class StyleModel(NamedTuple):
    """The lede-style model's weights, laid out for scoring (see style_features)."""

    bias: float
    first: tuple[dict[str, float], ...]  # the token at position 0, 1, 2
    opening: dict[tuple[str, str], float]  # the first two tokens
    pairs: dict[tuple[str, str], float]
    tokens: dict[str, float]

    @classmethod
    def from_weights(cls, bias: float, weights: dict[tuple[str, ...], float]) -> StyleModel:
        """Lay out weights keyed as style_features keys them."""
        first: tuple[dict[str, float], ...] = ({}, {}, {})
        model = cls(bias, first, {}, {}, {})
        for key, w in weights.items():
            kind = key[0]
            if kind == "token":
                model.tokens[key[1]] = w
            elif kind == "pair":
                model.pairs[key[1], key[2]] = w
            elif kind == "opening":
                model.opening[key[1], key[2]] = w
            elif kind in ("0", "1", "2"):
                first[int(kind)][key[1]] = w
        return model

    def score(self, body: str) -> float:
        """Log-odds that a paragraph worded like this opens a story."""
        toks = style_tokens(body)
        s = self.bias
        zero = repeat(0.0)
        s += sum(map(self.tokens.get, set(toks), zero))
        head = toks[:STYLE_PAIRS]
        s += sum(map(self.pairs.get, set(zip(head, head[1:], strict=False)), zero))
        for t, first in zip(toks, self.first, strict=False):
            s += first.get(t, 0.0)
        if len(toks) > 1:
            s += self.opening.get((toks[0], toks[1]), 0.0)
        return s


_STYLE = StyleModel.from_weights(lede_style.BIAS, lede_style.WEIGHTS)


# A short line that looks ahead (or says " next ") often closes a story: "The central bank
# next meets in September.", "Talks are expected to resume tomorrow."
OUTLOOK_LEN = 140
# A quotation that opens a story: its attribution introduces the speaker in full and gives
# the day, '"...," Minister Lin Wen-po said yesterday'; a quote inside a story needs no
# introduction: '"...," Lin said yesterday', '"...," he said'.
_QUOTE_LEDE = re.compile(
    r"[,.?!][\"”] (?:[^\s,.;\"“”]+ ){2,12}?(?:said|says|told|wrote|announced)\b[^,.;\"“”]{0,60}?"
    + _WHEN + r"\b"
)
_CLOSER_WORDS = frozenset("respond reply return comment declined reached".split())  # _CLOSER's
# A paragraph that opens on a named speaker and what they are ("Karen Ng, a lecturer at ...,
# said") gives a voice to a story already told; a lede opens on the news itself.
_SPEAKER = re.compile(
    r"(?:(?:Mr|Ms|Mrs|Dr|Sir|Dame|Prof|Professor|Judge|Justice|Lord|Lady)\.? )?[A-Z][\w’'-]+"
    r"(?: (?:[A-Z][\w’'.-]+|de|van|von|al|bin|da|di|le|la))+, [^.;\"“”]{3,140}?, "
    r"(?:said|says|told|warned|added|wrote|argued|noted|explained|insisted)\b"
)
# Words early in a paragraph that point back to something already told.
_EXCLUDED = _STOP | _NOT_NAMES  # never part of a paragraph's vocabulary
_ORG_ROLE = _ORG_WORDS | _ROLE_WORDS_LOW
_BACKREF = frozenset("also other another same further again too both".split())
_NUMBER_WORDS = frozenset(
    """More Nearly Almost About Around Over Fewer Less Up Some One Two Three Four Five Six Seven
    Eight Nine Ten Eleven Twelve Thirteen Fourteen Fifteen Sixteen Seventeen Eighteen Nineteen
    Twenty Thirty Forty Fifty Sixty Seventy Eighty Ninety Hundreds Thousands Dozens Millions
    Tens Scores Billions Half""".split()
)
_COUNT_PHRASES = ("At least ", "As many as ", "Up to ")
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


def _full_names(body: str) -> tuple[tuple[str, str], ...]:
    """(full name, surname) of each name of two words or more early in a paragraph."""
    found = _FULLNAME.findall(body, 0, 160)
    if not found:
        return ()
    out: list[tuple[str, str]] = []
    for full in found:
        toks = full.split()  # single spaces: " ".join(toks) == full
        if not _NOT_NAMES.isdisjoint(toks):
            toks = [t for t in toks if t not in _NOT_NAMES]
            if len(toks) < 2:
                continue
            full = " ".join(toks)
        out.append((full, toks[-1]))
    return tuple(out)


# A company under its full registered name (Xpeng Inc, Sip & Pearl Co): wire style gives it
# at first mention and a short form after, so early in a paragraph it marks an introduction.
_CORP = re.compile(
    r"\b(?:[A-Z][\w’'-]*(?: &)? )+(?:Corp|Corporation|Co|Inc|Ltd|Group|Holdings|AG|SA)\b")
_CORP_WORDS = frozenset("Corp Corporation Co Inc Ltd Group Holdings".split())


def _corps(body: str) -> tuple[tuple[str, ...], ...]:
    """The words of each company named in full early in a paragraph, to test for first use."""
    out = []
    for m in _CORP.finditer(body, 0, 120):
        toks = tuple(t for t in m.group(0).split()[:-1] if t not in _EXCLUDED and t != "&")
        if toks:
            out.append(toks)
    return tuple(out)


def _unclosed(text: str) -> bool:
    """A quotation opened and not closed: the next paragraph may carry it on."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _sentences(text: str) -> bool:
    """Holds three or more sentences (a long line only; counting stops at three)."""
    if len(text) < 250:
        return False
    k = text.count(". ")
    if k >= 2:
        return True
    k += text.count("? ")
    if k >= 2:
        return True
    return k + text.count(".” ") + text.count('." ') >= 2


_END_ANY = _END_OK | _QUOTE_END
# What some wires put after a story's last paragraph (Yonhap and CNA "(END)", "###", "-30-").
_END_MARKS = ("(END)", "(end)", "(End)", "###", "-30-", "- 30 -")
_CAPTION_FIRST = frozenset("PpFfGgIiVvCcMm")
_SIGNOFF_FIRST = frozenset("—–―-ARWECTw(SB")


def _connective(first: str, body: str) -> bool:
    """A paragraph whose first word (or phrase) leans on what came before: He, However, ..."""
    return first in _PRON or first in _CONN or body.startswith(_CONN_PHRASES)


def _looks_ahead(body: str, words: tuple[str, ...]) -> bool:
    """The first time word is "tomorrow" or comes after "will", "would", "expected"...

    "The storm is expected to reach the coast on Sunday" looks ahead; "Musk arrived in
    Beijing yesterday, where he is expected to meet ..." does not.
    """
    found = [i for i in map(body.find, _TIME_WORDS.intersection(words)) if i >= 0]
    if not found:
        return False
    first = min(found)
    head = body[:first]
    return (body.startswith("tomorrow", first) or " will " in head
            or not _AHEAD.isdisjoint(head.split()))


class _Para:
    """One non-blank line: at once the cues that force a cut or a join, the rest on demand."""

    __slots__ = (
        "number", "text", "body", "n", "terminal", "caption", "byline", "signoff", "attached",
        "glue", "ends", "opens", "kicker", "dateline", "heading", "rich", "opener", "lede",
        "first", "second_lower", "sentences", "closer", "backref", "org_lede",
        "time", "names", "qscore", "pscore", "long", "words", "anchor", "ahead",
        "outlook", "blank", "sep", "quote_end", "one_sentence", "numeric", "corps", "theback",
        "question", "speaker", "style",
    )

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text
        self.blank = 0  # blank lines just before this one (set by segment)
        self.sep = False  # those blank lines stand out from the gaps around them
        n = self.n = len(text)
        c = text[-1]
        terminal = self.terminal = c in _END_ANY or (c in _CLOSE_CHARS and _terminal(text))
        self.rich = False
        if n > 200 and terminal:  # a finished paragraph: the common case
            caption = signoff = byline = heading = False
            self.caption = self.signoff = self.byline = self.attached = False
            self.heading = self.glue = False
            self.ends = None
        else:
            c0 = text[0]
            caption = signoff = byline = False
            if n <= 200:
                caption = c0 in _CAPTION_FIRST and _CAPTION.match(text) is not None
                signoff = ((c0 in _SIGNOFF_FIRST and _SIGNOFF.match(text) is not None)
                           or ("contributed" in text and _CONTRIBUTED.search(text) is not None)
                           or (not terminal and text.rsplit(None, 1)[-1] in _AGENCY_LAST
                               and _AGENCY.fullmatch(text.strip()) is not None))
                byline = (not signoff and c0 == "B" and text.startswith("By ")
                          and _BYLINE.match(text) is not None)
            self.caption = caption
            self.signoff = signoff
            self.byline = byline
            self.attached = caption or signoff
            end_mark = not terminal and text.rstrip().endswith(_END_MARKS)
            if end_mark:
                terminal = self.terminal = True
            heading = self.heading = (n <= 150 and not terminal and not caption
                                      and not signoff and not byline)
            self.glue = byline or heading  # the line after a byline or heading: same story
            # ends: why a story ends after this line, whatever follows
            self.ends = ("previous line ends with an end mark" if end_mark
                         else "previous line is a sign-off" if signoff
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
            if n >= TEASER_LEN and not terminal and _sentences(text)
            else f"kicker {kicker}" if kicker
            else f"dateline {dateline}" if dateline
            else "byline" if byline
            else None
        )

    def enrich(self) -> None:
        """Word-level cues (openers, vocabulary, names, roles, time words), computed once.

        Also the part of a gap's score that depends on this paragraph alone: qscore when it
        opens the gap, pscore when it closes it (see _block).
        """
        self.rich = True
        text = self.text
        body = self.body
        n = self.n
        spaced = " " + text
        words = self.words = tuple(_WORDS.findall(spaced))
        time = self.time = not _TIME_WORDS.isdisjoint(words)
        org_lede = self.org_lede = not _ORG_ROLE.isdisjoint(words)
        sentences = self.sentences = _sentences(text)
        closer = self.closer = (n < 400 and not _CLOSER_WORDS.isdisjoint(words)
                                and _CLOSER.search(text) is not None)
        w = _WEIGHTS
        outlook = self.outlook = n < OUTLOOK_LEN and (
            not _AHEAD.isdisjoint(words) or " will " in text or " next " in text)
        quote_end = self.quote_end = text[-1] in _QUOTE_END or (
            text.endswith((" said.", " says.")) and ('"' in text or "”" in text))
        self.pscore = ((w[_COLON] if text[-1:] == ":" else 0.0)
                       + (w[_PREV_QUOTE] if quote_end else 0.0)
                       + (w[_OUTLOOK_F] if outlook else 0.0)
                       + (w[_PREV_MANY] if sentences else 0.0)
                       + (w[_CLOSES] if closer else 0.0))
        self.long = n >= LONG_LINE and sentences
        lead = body.split(" ", 2)
        w0 = lead[0]
        quoted = w0[:1] in _QUOTES_OPEN
        if quoted:
            w0 = w0.lstrip("\"“‘'")
        w0 = w0.rstrip(",.:;")
        # opener: 2 pronoun/connective, 1 quote, 0 plain; a pronoun or connective inside a
        # quotation is the speaker's own ("We know who ..."), not one pointing back
        if quoted:
            opener = 1
        elif (_connective(w0, body)
                or (time and _FRONTED_TIME.match(body) is not None)
                or (w0 in _LATER_FIRST and _FRONTED_LATER.match(body) is not None)
                or (w0 == "The" and len(lead) > 1
                    and lead[1].rstrip(",.:;’'s") in _THE_NOUNS)):
            opener = 2
        else:
            opener = 0
        quote_lede = (quoted and time  # the attribution names the speaker in full
                      and _QUOTE_LEDE.search(body, 20, 500) is not None)
        if quote_lede:
            opener = 0
        self.opener = opener
        names = self.names = _full_names(body) if opener == 0 else ()
        self.lede = org_lede or time or bool(names)
        anchor = quote_lede
        if time and opener == 0 and not anchor:
            stop = body.find(". ", 0, 300)
            anchor = _anchored(body, stop if stop > 0 else 300, words)
        self.anchor = anchor
        self.ahead = ahead = (time and not anchor and opener == 0
                              and (not _AHEAD.isdisjoint(words) or " will " in body)
                              and _looks_ahead(body, words))
        if w0.endswith(("’s", "'s")):
            w0 = w0[:-2]
        elif w0.endswith(("’", "'")):
            w0 = w0[:-1]
        self.first = w0
        self.corps = (_corps(body) if org_lede and (
            not _CORP_WORDS.isdisjoint(words) or " AG" in body or " SA" in body) else ())
        self.second_lower = len(lead) > 1 and lead[1][:1].islower()
        backref = not _BACKREF.isdisjoint(body[:60].split())
        self.backref = backref
        one_sentence = self.one_sentence = (
            100 <= n <= 450 and ". " not in body and "? " not in body and ".” " not in body
            and '." ' not in body)
        numeric = self.numeric = (body[:1].isdigit() or w0 in _NUMBER_WORDS
                                  or body.startswith(_COUNT_PHRASES))
        theback = self.theback = w0 == "The" and opener == 0 and _THE_BACK.match(body) is not None
        # a question as the first sentence, outside quotes: a feature's lede ("What does ...?")
        q_at = body.find("?", 0, 200) if not quoted else -1
        question = self.question = q_at > 0 and ". " not in body[:q_at]
        speaker = self.speaker = (opener == 0 and ", " in body[:60]
                                  and _SPEAKER.match(body) is not None)
        # the lede-style model's log-odds, scaled and bounded as a feature
        style = self.style = max(-STYLE_BOUND, min(STYLE_BOUND, _STYLE.score(body) / 4.0))
        self.qscore = (
            (w[_ONE_SENTENCE] if one_sentence else 0.0) + (w[_NUMBER] if numeric else 0.0)
            + w[_BIAS] + (w[_PRON_OPENER] if opener == 2 else w[_QUOTE_OPENER] if opener == 1
                        else 0.0)
            + (w[_ORG] if org_lede else 0.0) + (w[_MANY] if sentences else 0.0)
            + w[_LENGTH] * (min(n, 1000) / 500.0) + (w[_BACKREF_F] if backref else 0.0)
            + (w[_SUBHEAD] if self.heading else 0.0) + (w[_ANCHOR_F] if anchor else 0.0)
            + (w[_AHEAD_F] if ahead else 0.0) + (w[_THE_BACK_F] if theback else 0.0)
            + (w[_QUESTION] if question else 0.0) + (w[_SPEAKER_F] if speaker else 0.0)
            + w[_STYLE_F] * style
        )


_STRONG = 12.0
_BLOCK = 96  # gaps scored with one word-to-bit table; bounds the bitmasks' size
_BITS = tuple(1 << i for i in range(2048))  # made once: a block's words rarely need more

# Soft cues for "a story starts before q"; weights are log-odds fitted on dev feeds
# (python -m bench.split_eval --fit), then rounded. Order matches _soft.
_FEATURES = (
    "bias", "pronoun or connective opener", "quote opener", "quote continues",
    "previous ends with colon", "opens with a known name and a verb", "new names with role or time",
    "time word with new names", "organisation or role", "many sentences",
    "previous has many sentences", "cohesion", "name cohesion", "known names",
    "adjacent cohesion", "length", "log cohesion", "very low cohesion", "names reach across",
    "names stay after", "previous closes a story", "full name given again",
    "new full name", "time word with known names",
    "previous is a long teaser-like line", "points back (also, other, same)",
    "subheading", "previous is a long line that opens a story", "time anchors the lede verb",
    "time word looks ahead", "previous is a short look-ahead line", "cohesion depth",
    "blank line between stories", "previous line is a caption",
    "one-sentence lede", "previous ends on a quote", "opens with a number",
    "new company named early", "names nobody (no name, organisation, role or time)",
    "'The' and a noun comment on what was told", "opens with a question",
    "opens on a named speaker (Name, role, said)", "worded like a lede (lede-style model)",
)
# Hand-set beliefs the fit is pulled towards where the data say little (a cue that never
# fires in the training feeds keeps its prior).
_PRIOR = (
    -3.0, -3.0, -1.5, -3.0, -3.0, -2.0, 1.5, 1.0, 0.5, 0.0, 0.0, -2.0, -2.0, -1.5, -1.0,
    0.5, -0.5, 1.0, -1.5, 1.5, 1.0, 1.0, 1.0, 0.0, 3.0, -1.5, -3.0, 3.0, 1.0, -1.0, 1.0, 2.0,
    7.0, -1.0, 0.0, 0.0, 0.0, 1.0, -3.0, -1.0, 3.0, -1.5, 0.0,
)
_WEIGHTS: tuple[float, ...] = (
    -7.37, -1.28, 0.38, -3.00, -3.00, -0.59, -0.83, 1.86, -0.15, 0.39, 0.24, 2.57, 0.57, -0.57,
    0.24, 2.99, -0.63, 1.15, 0.43, 1.17, 1.32, 1.31, 0.04, 1.63, 1.57, -1.66, 1.91, 3.95, 1.55,
    -0.82, 2.01, 5.87, 7.00, -1.59, 1.05, -0.49, 0.71, 1.57, -0.55, -1.80, 4.87, -1.59, 1.92,
)
(_BIAS, _PRON_OPENER, _QUOTE_OPENER, _QUOTE_CONT, _COLON, _KNOWN_VERB, _NEW_NAMES_LEDE,
 _TIME_NEW, _ORG, _MANY, _PREV_MANY, _COH, _NCOH, _KNOWN, _ADJ, _LENGTH, _LOGCOH, _LOWCOH,
 _ACROSS, _STAY, _CLOSES, _AGAIN, _FRESH, _TIME_KNOWN, _PREV_TEASER, _BACKREF_F, _SUBHEAD,
 _PREV_OPENS, _ANCHOR_F, _AHEAD_F, _OUTLOOK_F,
 _DEPTH, _BLANK, _AFTER_CAPTION, _ONE_SENTENCE, _PREV_QUOTE, _NUMBER,
 _NEW_CORP, _NOT_LEDE, _THE_BACK_F, _QUESTION, _SPEAKER_F, _STYLE_F) = range(len(_FEATURES))
# Length prior for a finished story of 1, 2, 3 paragraphs (4 or more: 0).
_SHORT_PENALTY = (-2.0, -2.0, -1.0)
_OPENER_ALONE = -6.0  # a short finished paragraph with a dateline or kicker, alone
# A stretch of n paragraphs left whole scores its length prior _NO_GAIN[min(n, 4)]; a cut
# adds its gap's score and can only shorten stories (priors <= 0), so when every gap scores
# below that prior, _viterbi would cut nothing.
_NO_GAIN = (0.0, 0.0, _SHORT_PENALTY[1], _SHORT_PENALTY[2], 0.0)


_JOIN = (-_STRONG, "")


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
    if q.byline and p.kicker and p.terminal:  # headline with a kicker, then its byline
        return -_STRONG, ""
    if q.opens:
        return _STRONG, q.opens
    if q.sep and not _leans_back(p, q):
        return _STRONG, "blank lines set it apart"
    return None


def _leans_back(p: _Para, q: _Para) -> bool:
    """q opens with a pronoun or connective, or carries on p's open quotation: p's story."""
    first = q.body.split(" ", 1)[0]
    if first[:1] in _QUOTES_OPEN:
        return _unclosed(p.text)
    return _connective(first.rstrip(",.:;"), q.body)


def _region(
    paras: list[_Para], lo: int, hi: int, want: bool = False
) -> tuple[list[float], list[float], list[list[float]]]:
    """Soft-cue scores, cohesions and (if want) features of every gap before paras[lo+1:hi].

    Features are in _FEATURES order and a score is their dot product with _WEIGHTS; the
    paragraph-only terms come precomputed (qscore, pscore), so the usual path builds no
    feature vectors. The context of a gap is taken only from paras[lo:hi], the stretch between
    two forced cuts, so a neighbouring teaser's words do not blur an article's cohesion.
    Windows hold the words of up to CONTEXT paragraphs on each side of a gap.
    """
    span = paras[lo:hi]
    for x in span:
        if not x.rich:
            x.enrich()
    m = len(span)
    if m < 2:
        return [], [], []
    scores: list[float] = []
    cohs: list[float] = []
    feats: list[list[float]] = []
    for k0 in range(1, m, _BLOCK):
        _block(span, k0, min(m, k0 + _BLOCK), want, scores, cohs, feats)
    # TextTiling depth: how far cohesion dips at a gap below the peaks on either side.
    w_depth = _WEIGHTS[_DEPTH]
    g_all = len(cohs)
    pad = [-math.inf] * 3
    before = [*pad, *cohs]  # before[g + 3] is cohs[g]
    after = [*cohs, *pad]
    left = map(max, before[2:g_all + 2], before[1:g_all + 1], before[:g_all])
    right = map(max, after[1:g_all + 1], after[2:g_all + 2], after[3:g_all + 3])
    for g, (c, lf, rt) in enumerate(zip(cohs, left, right, strict=True)):
        depth = (lf - c if lf > c else 0.0) + (rt - c if rt > c else 0.0)
        if depth:
            scores[g] += w_depth * depth
            if want:
                feats[g][_DEPTH] = depth
    return scores, cohs, feats


def _prev(span: list[_Para], k: int) -> int:
    """Index of the paragraph before span[k] that a gap compares with: captions are skipped."""
    pk = k - 1
    while pk > 0 and span[pk].caption:
        pk -= 1
    return pk


def _block(
    span: list[_Para], k0: int, k1: int, want: bool,
    scores: list[float], cohs: list[float], feats: list[list[float]],
) -> None:
    """Append the scores, cohesions and features of the gaps before span[k0:k1].

    Each paragraph's words become a bitmask over the block's vocabulary, so the windows'
    unions and intersections are integer or, and and bit counts.
    """
    m = len(span)
    a = min(_prev(span, k0), k0 - CONTEXT) if k0 > CONTEXT else 0
    b = k1 + CONTEXT if k1 + CONTEXT < m else m
    blk = span[a:b]
    # one bit per word of the block, in order of first use
    ids = dict.fromkeys(chain.from_iterable([x.words for x in blk]))
    for word in _EXCLUDED.intersection(ids):
        del ids[word]
    names = [*filter("a".__gt__, ids)]  # capitalised
    if len(ids) <= len(_BITS):
        ids = dict(zip(ids, _BITS, strict=False))
    else:
        ids = dict(zip(ids, map(lshift, repeat(1), range(len(ids))), strict=True))
    get = ids.get
    zero = repeat(0)
    vm = [reduce(or_, map(get, x.words, zero), 0) for x in blk]
    name_bits = sum(map(ids.__getitem__, names))
    cm = [v & name_bits for v in vm]
    n = b - a
    # forward windows: v2[i] = vocab of block paras i, i+1; v4[i] = i..i+3 (clipped at the end)
    v2 = [x | y for x, y in zip(vm, vm[1:], strict=False)] + [vm[-1]]
    v4 = [x | y for x, y in zip(v2, v2[2:], strict=False)] + v2[max(0, n - 2):]
    lv4 = [x.bit_count() for x in v4]
    # cohesion of every gap: the CONTEXT paragraphs before it against the CONTEXT after it
    i0, i1 = k0 - a, k1 - a
    if k0 >= CONTEXT:
        back = v4[i0 - CONTEXT: i1 - CONTEXT]
        lback = lv4[i0 - CONTEXT: i1 - CONTEXT]
    else:  # the first gaps of the stretch (a == 0) have fewer paragraphs before them
        head = [vm[0], v2[0], vm[0] | vm[1] | vm[2] if n > 2 else v2[0]][: i1 - 1]
        back = head + v4[: max(0, i1 - CONTEXT)]
        lback = [x.bit_count() for x in head] + lv4[: max(0, i1 - CONTEXT)]
    sqrt = math.sqrt
    first = len(cohs)
    cohs += [
        (x & y).bit_count() / sqrt(lx * ly) if lx and ly else 0.0
        for x, y, lx, ly in zip(back, v4[i0:i1], lback, lv4[i0:i1], strict=True)
    ]
    scores += [0.0] * (k1 - k0)  # filled in gap by gap below
    if want:
        feats += [[] for _ in range(k0, k1)]
    # names: windows and prefix sums of counts
    c2 = [x | y for x, y in zip(cm, cm[1:], strict=False)] + [cm[-1]]
    c4 = [x | y for x, y in zip(c2, c2[2:], strict=False)] + c2[max(0, n - 2):]
    pre = [0]
    total = 0
    for c in cm:
        total += c.bit_count()
        pre.append(total)
    w = _WEIGHTS
    w_quote_cont, w_known_verb = w[_QUOTE_CONT], w[_KNOWN_VERB]
    w_new_lede, w_time_new = w[_NEW_NAMES_LEDE], w[_TIME_NEW]
    w_coh, w_ncoh, w_known, w_adj = w[_COH], w[_NCOH], w[_KNOWN], w[_ADJ]
    w_log, w_low, w_across, w_stay = w[_LOGCOH], w[_LOWCOH], w[_ACROSS] / 3, w[_STAY] / 3
    w_again, w_fresh, w_time_known = w[_AGAIN], w[_FRESH], w[_TIME_KNOWN]
    w_prev_teaser, w_prev_opens = w[_PREV_TEASER], w[_PREV_OPENS]
    log = math.log
    w_blank, w_after_caption = w[_BLANK], w[_AFTER_CAPTION]
    w_new_corp = w[_NEW_CORP]
    w_not_lede = w[_NOT_LEDE]
    for k in range(k0, k1):
        q = span[k]
        pk = _prev(span, k)
        p = span[pk]
        g = first + k - k0
        coh = cohs[g]
        i = k - a  # index into the block
        if k >= CONTEXT:
            bc = c4[i - CONTEXT]
            bcaps = pre[i] - pre[i - CONTEXT]
        else:
            bc = cm[0] | cm[1] | cm[2] if k == 3 else c2[0] if k == 2 else cm[0]
            bcaps = pre[i]
        acaps = pre[i + CONTEXT if i + CONTEXT < n else n] - pre[i]
        ncoh = (bc & c4[i]).bit_count() / sqrt(bcaps * acaps) if bcaps and acaps else 0.0
        qc = cm[i]
        if i + 1 < n:
            restc = c2[i + 1] | cm[i + 3] if i + 3 < n else c2[i + 1]
            across = (restc & bc & ~qc).bit_count()
            stay = (restc & qc & ~bc).bit_count() if qc else 0
        else:
            across = stay = 0
        known = (qc & bc).bit_count() / qc.bit_count() if qc else 0.0
        new_corp = False
        for toks in q.corps:  # a company's full name, none of its words just seen
            if not any(get(t, 0) & bc for t in toks):
                new_corp = True
                break
        again = fresh = False
        for _, nm in q.names:
            if get(nm, 0) & bc:
                again = True
            else:
                fresh = True
        pv = vm[pk - a]
        qv = vm[i]
        adj = (pv & qv).bit_count() / sqrt(pv.bit_count() * qv.bit_count()) if pv and qv else 0.0
        lede = q.org_lede or q.time
        plain_time = q.time and q.opener == 0
        quote_cont = q.opener == 1 and _unclosed(p.text)
        known_verb = q.second_lower and get(q.first, 0) & bc != 0
        prev_teaser = p.long and q.n < LONG_LINE
        prev_opens = k == 1 and p.long
        acr = 3 if across > 3 else across
        sty = 3 if stay > 3 else stay
        s = (q.qscore + p.pscore + w_coh * coh + w_ncoh * ncoh + w_known * known
             + w_adj * adj + w_log * log(coh + 0.02) + w_across * acr + w_stay * sty)
        if coh < 0.06:
            s += w_low
        if lede:
            s += w_new_lede * (1.0 - known)
        if fresh:
            s += w_fresh
        if plain_time:
            s += w_time_new if known < 0.5 else w_time_known
        if again:
            s += w_again
        if quote_cont:
            s += w_quote_cont
        if known_verb:
            s += w_known_verb
        if prev_teaser:
            s += w_prev_teaser
        if prev_opens:
            s += w_prev_opens
        if q.sep:
            s += w_blank
        if pk != k - 1:
            s += w_after_caption
        if new_corp:
            s += w_new_corp
        if not q.lede:
            s += w_not_lede
        scores[g] = s
        if want:
            feats[g] = [
                1.0,
                1.0 if q.opener == 2 else 0.0,
                1.0 if q.opener == 1 else 0.0,
                1.0 if quote_cont else 0.0,
                1.0 if p.text[-1:] == ":" else 0.0,
                1.0 if known_verb else 0.0,
                1.0 - known if lede else 0.0,
                1.0 if plain_time and known < 0.5 else 0.0,
                1.0 if q.org_lede else 0.0,
                1.0 if q.sentences else 0.0,
                1.0 if p.sentences else 0.0,
                coh,
                ncoh,
                known,
                adj,
                min(q.n, 1000) / 500.0,
                log(coh + 0.02),
                1.0 if coh < 0.06 else 0.0,
                acr / 3.0,
                sty / 3.0,
                1.0 if p.closer else 0.0,
                1.0 if again else 0.0,
                1.0 if fresh else 0.0,
                1.0 if plain_time and known >= 0.5 else 0.0,
                1.0 if prev_teaser else 0.0,
                1.0 if q.backref else 0.0,
                1.0 if q.heading else 0.0,
                1.0 if prev_opens else 0.0,
                1.0 if q.anchor else 0.0,
                1.0 if q.ahead else 0.0,
                1.0 if p.outlook else 0.0,
                0.0,  # cohesion depth, filled in below once the stretch is scored
                1.0 if q.sep else 0.0,
                1.0 if pk != k - 1 else 0.0,
                1.0 if q.one_sentence else 0.0,
                1.0 if p.quote_end else 0.0,
                1.0 if q.numeric else 0.0,
                1.0 if new_corp else 0.0,
                0.0 if q.lede else 1.0,
                1.0 if q.theback else 0.0,
                1.0 if q.question else 0.0,
                1.0 if q.speaker else 0.0,
                q.style,
            ]


def _region_features(paras: list[_Para], lo: int, hi: int) -> list[list[float]]:
    """Soft-cue features (in _FEATURES order) of every gap before paras[lo+1:hi]."""
    return _region(paras, lo, hi, want=True)[2]


def _single_penalty(p: _Para) -> float:
    """A one-paragraph story is a teaser or a brief; a short lone full paragraph is a fragment."""
    if p.attached or p.glue:
        return -2 * _STRONG
    if not p.terminal or p.n >= TEASER_LEN:
        return 0.0
    if p.dateline or p.kicker:  # an article's opening paragraph: its story goes on
        return _OPENER_ALONE
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
    if _CJK_PAREN_START.search("\n".join(lines)) is None:
        return out  # the usual case: one pass over the story instead of a loop over its lines
    for line in lines:
        if "(" not in line and "（" not in line:
            continue
        for m in _CJK_PAREN.finditer(line):
            latin = _name_before(line[: m.start()].rstrip())
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


def _soft_cues(paras: list[_Para], lo: int, i: int, coh: float, score: float) -> list[str]:
    """A few readable reasons why the soft cues opened a story before paras[i]."""
    q = paras[i]
    p = paras[i - 1]
    if p.caption and i - 1 > lo:
        p = paras[i - 2]
    cues: list[str] = []
    if q.sep:
        cues.append("blank lines set it apart")
    if p.long and q.n < LONG_LINE:
        cues.append("previous line reads like a teaser")
    if p.closer:
        cues.append("previous line closes a story")
    seen = {w for x in paras[max(lo, i - CONTEXT): i] for w in x.words if w < "a"} - _NOT_NAMES
    for full, last in q.names:
        if last not in seen:
            cues.append("new full name: " + full)
            break
    if q.time and q.opener == 0:
        cues.append("time word")
    if q.question:
        cues.append("opens with a question")
    if q.numeric:
        cues.append("opens with a number")
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
    join = _JOIN
    if start >= n:
        yield lo, n, inner
        return
    p = paras[start]
    for i in range(start + 1, n):  # _hard, inlined: this runs for every gap
        q = paras[i]
        if p.glue:
            inner.append(join)
        elif p.ends and not q.signoff:
            yield lo, i, inner
            lo = i
            inner = []
        elif q.attached or (q.byline and p.kicker and p.terminal):
            inner.append(join)
        elif q.opens or (q.sep and not _leans_back(p, q)):
            yield lo, i, inner
            lo = i
            inner = []
        else:
            inner.append(None)
        p = q
    yield lo, n, inner


def _open_gaps(paras: list[_Para]) -> Iterator[tuple[int, list[float]]]:
    """(index, soft features) of every gap the hard cues leave open, for fitting weights."""
    for lo, hi, inner in _stretches(paras, 0):
        if any(h is None for h in inner):
            feats = _region_features(paras, lo, hi)
            for g, h in enumerate(inner):
                if h is None and feats[g]:
                    yield lo + 1 + g, feats[g]


def _cut(paras: list[_Para], start: int) -> tuple[list[int], dict[int, list[str]]]:
    """Cuts (indices into paras, > start) over paras[start:], with the cues of each."""
    cuts: list[int] = []
    cues: dict[int, list[str]] = {}
    for lo, hi, inner in _stretches(paras, start):
        if lo > start:
            cuts.append(lo)
            h = _hard(paras, lo)
            cues[lo] = [h[1]] if h else []
        if None in inner:
            scores, cohs, _ = _region(paras, lo, hi)
            scores = [s if h is None else -_STRONG for s, h in zip(scores, inner, strict=True)]
            if max(scores) < _NO_GAIN[min(hi - lo, 4)]:
                continue  # no cut can pay for itself: leaving the stretch whole is optimal
            for c in _viterbi(paras, lo, scores):
                cuts.append(c)
                cues[c] = _soft_cues(paras, lo, c, cohs[c - lo - 1], scores[c - lo - 1])
    return cuts, cues


def segment(lines: Iterable[Line]) -> Iterator[Story]:
    """Split decoded feed lines into stories, streaming, with memory bounded by the window."""
    buf: list[_Para] = []  # buf[:start] is committed context; buf[start] opens a story
    start = 0
    first_cues: list[str] = ["start of feed"]
    blank = 0  # blank lines since the last paragraph
    before = 0  # blank lines before the last paragraph
    last: _Para | None = None
    for line in lines:
        text = line.text
        if not text or text.isspace():
            blank += 1
            continue
        para = _Para(line.number, text)
        if blank:
            para.blank = blank
            # more blank lines than the gaps on either side: a separator, not paragraph style
            para.sep = last is not None and blank > before
        if last is not None and last.sep and blank >= last.blank:
            last.sep = False  # the gap after it is as wide: blank lines are the feed's style
        buf.append(para)
        before, blank, last = blank, 0, para
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
