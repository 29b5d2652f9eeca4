"""The splitter cuts feeds the way an editor would and never loses or repeats a line."""

from __future__ import annotations

import math
from collections.abc import Iterator
from operator import mul

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarc.models import Line, Story
from newsarc.segment import (
    _EXCLUDED,
    _FEATURES,
    _WEIGHTS,
    CONTEXT,
    _Para,
    _region,
    _stretches,
    segment,
)

# An invented feed in the shape of a real one: a full article (straight quotes, a caption,
# Chinese names in parentheses), then four one-line teasers (curly quotes, cut off).
ARTICLE = [
    "Harbor Robotics Corp chairman Daniel Wu arrived in Kaohsiung yesterday to open the "
    "company's first overseas assembly line, where he is expected to meet port officials to "
    "discuss export permits for its warehouse robots, two people familiar with the plan said.",
    "Local media reported that he met Kaohsiung Mayor Chen Mei-ling (陳美玲) at the port, "
    "during which Chen told Wu the plant could become a model for cooperation between the "
    "city and foreign investors.",
    "Wu confirmed the meeting later in the day in a post on his company blog.",
    "Photo credit: BLOOMBERG",
    '"We were welcomed warmly and we expect to hire hundreds of engineers here within two '
    'years," Wu wrote, alongside a picture of the two at the harbor.',
    "Harbor Robotics signed a land lease for the plant in 2022, its first outside Europe.",
    "The Rotterdam-based company makes autonomous forklifts and sorting arms, and sells most "
    "of them to logistics groups that run large warehouses near container ports.",
    'Wu said last month the plant would start shipping "before the summer," in response to '
    "questions from analysts on an earnings call.",
    "Competitors such as Lumen Automation Ltd (光明自動化) have been trying to win the same "
    "customers by cutting prices on similar machines.",
    "Wu is also seeking permission to send sensor data gathered at the plant back to Europe "
    "to improve the software that guides the robots, the people said.",
    "The company has kept all data recorded by its Asian customers on local servers since "
    "2021, as required by regulators in several markets.",
    "Wu's visit had not been announced and the people asked not to be named because the "
    "talks are private. Harbor Robotics declined to comment.",
    "Wu also met with Lin Po-han (林柏翰), a deputy economics minister who oversees "
    "industrial parks in the south, the ministry said.",
    '"Automation will decide which ports win the next decade," Wu said in a short speech '
    "at the opening ceremony.",
    "Shipping analysts said the region's dense port traffic and long working hours make it a "
    "good place to test robots that must run day and night.",
]
TEASERS = [
    # plain teaser, cut off mid-sentence
    "In the hill villages of northern Portugal, cork farmers are reworking the way they "
    "harvest bark as they try to cope with a third year of drought and buyers who want "
    "lighter stoppers for cheaper wines. Cork prices rose to a record high on Wednesday, "
    "climbing to almost €4 a kilogram, nearly double the level of two years ago as dry "
    "summers thinned the harvest and wineries rushed to secure supply. The squeeze is "
    "falling hardest on small family estates, which face demands from large bottlers to "
    "deliver thinner stoppers at lower prices, according to interviews with six growers in "
    "the region’s oldest cork",
    # plain teaser with a curly quote, cut off inside it
    "Canadian Finance Minister Laura Bishop has praised the benefits of a cheaper loonie in "
    "a speech to manufacturers, taking a tone that differs from the central bank, which has "
    "said it would act if the currency fell too fast. Bishop later said she had no target "
    "for the exchange rate. “People complain about the weak dollar, but for our exporters "
    "it is a real opening,” Bishop told the audience in Windsor on Friday, ahead of a "
    "by-election next week that her party is expected to win narrowly. She added that "
    "factories in the region had already reported more orders from the US. “Whether you "
    "build car parts or",
    # kicker teaser, same topic as the next one
    "TALKS: Investors have questioned whether chip suppliers that fund their own customers "
    "are inflating demand for their products Orbit Semiconductor Inc chief executive Maria "
    "Santos (桑瑪莉) on Tuesday said the company would join a new funding round for the "
    "cloud start-up Nimbus AI, calling it “the biggest bet we have placed so far.” “We are "
    "putting a lot of money in,” Santos told reporters during a visit to Hsinchu. “Nimbus "
    "has the best engineers I have met. They will matter for a very long time.” Santos "
    "would not say how much Orbit might invest, but called the sum “very large.” “Let the "
    "founders announce the total, that is their call,” Santos said, referring to",
    # same topic, a different story
    "Orbit Semiconductor Inc’s plan to put up to US$40 billion into Nimbus AI has stalled, "
    "the Financial Courier reported, pointing to a possible split between two of the "
    "best-known companies in the cloud computing business. The talks slowed after several "
    "Orbit directors raised doubts about the size of the commitment, the newspaper said, "
    "citing people who were briefed on the discussions. Nimbus AI runs a widely used coding "
    "assistant, while Orbit sells most of the accelerator chips used to train such tools. "
    "The two companies announced the partnership in March last year, saying then that they "
    "had signed a memorandum for a long",
]


def lines_of(paragraphs: list[str], start: int = 1) -> list[Line]:
    return [Line(i, text) for i, text in enumerate(paragraphs, start=start)]


def ranges(stories: list[Story]) -> list[tuple[int, int, str]]:
    return [(s.start_line, s.end_line, s.kind) for s in stories]


def test_fixture_has_the_seed_shape() -> None:
    assert len(ARTICLE) == 15
    assert all(600 <= len(t) <= 850 for t in TEASERS), [len(t) for t in TEASERS]
    assert all(t[-1].isalpha() for t in TEASERS)


def test_article_then_teasers_split_exactly() -> None:
    stories = list(segment(lines_of(ARTICLE + TEASERS)))
    assert ranges(stories) == [
        (1, 15, "full"),
        (16, 16, "teaser"),
        (17, 17, "teaser"),
        (18, 18, "teaser"),
        (19, 19, "teaser"),
    ]
    article, *teasers = stories
    assert article.captions == ["Photo credit: BLOOMBERG"]
    assert not article.cut_off
    assert ("Chen Mei-ling", "陳美玲") in article.aliases
    assert ("Lumen Automation Ltd", "光明自動化") in article.aliases
    assert ("Lin Po-han", "林柏翰") in article.aliases
    assert article.title.startswith("Harbor Robotics Corp chairman Daniel Wu arrived")
    assert article.title.endswith("…") and len(article.title) <= 101
    assert all(t.cut_off for t in teasers)
    assert [t.kicker for t in teasers] == [None, None, "TALKS", None]
    assert teasers[2].title.startswith("Investors have questioned")
    assert ("Maria Santos", "桑瑪莉") in teasers[2].aliases
    assert all(s.cues for s in stories[1:])
    assert [ln for s in stories for ln in s.lines] == ARTICLE + TEASERS


SECOND = [
    "TAIPEI, Nov. 3 (CNA) — Greenfield Foods Co president Anna Kuo said yesterday the "
    "company would build a NT$2 billion cold storage center in Taichung to cut waste in its "
    "fresh produce business.",
    "Kuo said the center would open in 2027 and employ about 300 people.",
    "The company has been expanding its supermarket chain in central Taiwan, where sales "
    "rose 12 percent last year.",
    '"Farmers lose too much of what they grow before it reaches a shelf," she said.',
    "— Staff writer, with CNA",
]
THIRD = [
    "Coastal Rail Ltd chief executive Omar Haddad on Monday announced a plan to replace "
    "the company's entire fleet of diesel trains with battery units by 2032.",
    "Haddad told a news conference in Lisbon that the first twenty trains had been ordered.",
    "He said the switch would lower running costs by about a third.",
    "The rail operator carried 48 million passengers last year.",
]


def test_back_to_back_full_articles() -> None:
    stories = list(segment(lines_of(ARTICLE + SECOND + THIRD)))
    assert ranges(stories) == [(1, 15, "full"), (16, 20, "full"), (21, 24, "full")]
    assert stories[1].dateline == "TAIPEI, Nov. 3 (CNA) —"
    assert stories[1].title.startswith("Greenfield Foods Co president Anna Kuo said")
    assert stories[1].signoff == "— Staff writer, with CNA"
    assert stories[2].title.startswith("Coastal Rail Ltd chief executive")


def test_blank_lines_belong_to_no_story() -> None:
    feed = ["", "", *ARTICLE, "", "", TEASERS[0], "   ", TEASERS[1], ""]
    lines = lines_of(feed)
    stories = list(segment(lines))
    assert ranges(stories) == [(3, 17, "full"), (20, 20, "teaser"), (22, 22, "teaser")]
    assert "" not in stories[0].lines and len(stories[0].lines) == 15


FOLLOW_UP = [
    "Harbor Robotics shares rose 4 percent in Amsterdam after the company said the Kaohsiung "
    "plant would start shipping forklifts to Japanese ports next spring.",
    "The plant is the company's largest investment outside Europe.",
    "Analysts expect the new line to add about a tenth to revenue within two years.",
]


def test_blank_lines_that_stand_out_separate_stories() -> None:
    # Same company, no new name, no time word: only the blank line says a story starts.
    feed = [*ARTICLE, "", *FOLLOW_UP]
    stories = list(segment(lines_of(feed)))
    assert ranges(stories) == [(1, 15, "full"), (17, 19, "full")]
    assert "blank lines set it apart" in stories[1].cues
    # Blank lines between all paragraphs are the feed's style; two of them part stories.
    spaced: list[str] = []
    for story in (ARTICLE, FOLLOW_UP):
        if spaced:
            spaced += ["", ""]
        for k, para in enumerate(story):
            spaced += [para] if k == 0 else ["", para]
    stories = list(segment(lines_of(spaced)))
    assert ranges(stories) == [(1, 29, "full"), (32, 36, "full")]


def test_blank_lines_part_short_stories_too() -> None:
    # Two-paragraph stories are unlikely on soft cues alone; a blank line between them decides.
    feed = [*THIRD[:2], "", *FOLLOW_UP[:2], "", SECOND[1], SECOND[3]]
    stories = list(segment(lines_of(feed)))
    assert [(s.start_line, s.end_line) for s in stories] == [(1, 2), (4, 5), (7, 8)]
    assert stories[1].cues == ["blank lines set it apart"]


def test_blank_lines_as_paragraph_style_cut_nothing() -> None:
    plain = list(segment(lines_of(ARTICLE + SECOND + THIRD)))
    spaced = [x for para in ARTICLE + SECOND + THIRD for x in (para, "")]
    stories = list(segment(lines_of(spaced)))
    assert [(s.start_line + 1) // 2 for s in stories] == [s.start_line for s in plain]
    assert len(plain) == 3


def test_a_stray_blank_line_before_a_pronoun_does_not_cut() -> None:
    stories = list(segment(lines_of([*THIRD[:2], "", *THIRD[2:]])))
    assert ranges(stories) == [(1, 5, "full")]


def test_empty_and_blank_only_input() -> None:
    assert list(segment([])) == []
    assert list(segment(lines_of(["", "  ", ""]))) == []


texts = st.one_of(
    st.just(""),
    st.text(min_size=1, max_size=80),
    st.text(alphabet="abc .,!?“”\"'李強 ABC:—", min_size=1, max_size=900),
    st.sampled_from(ARTICLE + TEASERS + SECOND + ["Photo: AFP", "CONCERNS: x", "— Reuters"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=60))
def test_no_line_lost_or_repeated(raw: list[str]) -> None:
    clean = [t.replace("\n", " ").replace("\r", " ").strip() for t in raw]
    stories = list(segment(lines_of(clean)))
    expected = [t for t in clean if t]
    assert [ln for s in stories for ln in s.lines] == expected
    last = 0
    for s in stories:
        assert last < s.start_line <= s.end_line <= len(clean)
        assert s.kind in ("full", "teaser")
        assert s.lines and s.lines[0] == clean[s.start_line - 1]
        assert s.lines[-1] == clean[s.end_line - 1]
        last = s.end_line


def test_streams_with_bounded_look_ahead() -> None:
    block = ARTICLE + TEASERS + SECOND + THIRD
    total = 200_000
    consumed = 0

    def feed() -> Iterator[Line]:
        nonlocal consumed
        for i in range(total):
            consumed = i + 1
            yield Line(i + 1, block[i % len(block)])

    stories = segment(feed())
    first = next(stories)
    assert first.start_line == 1
    assert consumed < 10_000  # the first story came out long before the input ended
    count = 1
    covered = first.end_line - first.start_line + 1
    for s in stories:
        count += 1
        covered += s.end_line - s.start_line + 1
    assert consumed == total
    assert covered == total
    assert count >= total // len(block) * 6


# -- metadata ----------------------------------------------------------------------------------

ALIAS_STORY = [
    "Taichung-based Hollin Precision Co (和林精密) said yesterday it had won an order to supply "
    "cooling modules for a new compact car, sending its shares up 10 percent.",
    "The plant in Taichung's Dali District (大里) will run a new line from next month.",
    "Premier Li Qiang (李強) praised the deal when he met company officials in Beijing.",
    "Nvidia Corp chief executive officer Jensen Huang (黃仁勳) was also at the meeting.",
    "Photo: AFP",
    "Rival makers such as Xpeng Inc (小鵬) and the Kaohsiung City Department of Health (高雄市衛生局) "
    "did not comment.",
]


def test_aliases_are_clean_name_pairs() -> None:
    (story,) = segment(lines_of(ALIAS_STORY))
    assert story.aliases == [
        ("Hollin Precision Co", "和林精密"),
        ("Dali District", "大里"),
        ("Li Qiang", "李強"),
        ("Jensen Huang", "黃仁勳"),
        ("Xpeng Inc", "小鵬"),
        ("Kaohsiung City Department of Health", "高雄市衛生局"),
    ]
    assert story.captions == ["Photo: AFP"]


def test_title_drops_kicker_and_dateline_and_cuts_at_a_word() -> None:
    stories = list(segment(lines_of(SECOND + [TEASERS[2]])))
    assert stories[0].title == (
        "Greenfield Foods Co president Anna Kuo said yesterday the company would build a NT$2 "
        "billion cold…"
    )
    assert stories[1].kicker == "TALKS"
    assert not stories[1].title.startswith("TALKS")
    for s in stories:
        assert len(s.title) <= 100 and not s.title.endswith(" …")


def test_cues_are_short_and_readable() -> None:
    stories = list(segment(lines_of(ARTICLE + TEASERS + SECOND)))
    assert stories[0].cues == ["start of feed"]
    assert stories[2].cues == ["previous line cut off mid-sentence"]
    assert stories[-1].cues == ["previous line cut off mid-sentence"]
    assert all(len(c) <= 80 for s in stories for c in s.cues)


# -- rules -------------------------------------------------------------------------------------

# A teaser cut exactly at a full stop: several sentences on one long line.
FULL_STOP_TEASER = (
    "Vineyard owners in the Douro valley are pulling up old terraces and replanting them with "
    "grape varieties that ripen later, hoping to keep their wines fresh as summers grow hotter. "
    "Harvests in the region have started two weeks earlier on average over the past decade, "
    "according to the regional wine institute, which has begun a programme to test twenty "
    "forgotten local grapes on experimental plots. Growers say the work is slow and expensive. "
    "A new terrace costs about €40,000 a hectare to build, and vines need four years before "
    "they give a first crop that can be sold, leaving small family estates to borrow heavily."
)


def test_teaser_ending_with_a_full_stop_before_an_article() -> None:
    assert len(FULL_STOP_TEASER) >= 600 and FULL_STOP_TEASER.endswith(".")
    stories = list(segment(lines_of([FULL_STOP_TEASER, *THIRD])))
    assert ranges(stories) == [(1, 1, "teaser"), (2, 5, "full")]
    assert not stories[0].cut_off


def test_caption_between_two_articles_goes_with_the_story_before() -> None:
    feed = [*THIRD, "Photo: Reuters", *SECOND]
    stories = list(segment(lines_of(feed)))
    assert ranges(stories) == [(1, 5, "full"), (6, 10, "full")]
    assert stories[0].captions == ["Photo: Reuters"]


def test_caption_after_a_teaser_or_a_sign_off_opens_the_next_story() -> None:
    feed = [TEASERS[0], "Photo: AFP", *THIRD]
    assert ranges(list(segment(lines_of(feed)))) == [(1, 1, "teaser"), (2, 6, "full")]
    feed = [*SECOND, "Photo credit: CNA", *THIRD]
    stories = list(segment(lines_of(feed)))
    assert ranges(stories) == [(1, 5, "full"), (6, 10, "full")]
    assert stories[1].captions == ["Photo credit: CNA"]
    assert stories[0].signoff == "— Staff writer, with CNA"


def test_subheading_inside_an_article_does_not_cut() -> None:
    feed = [*ARTICLE[:8], "The race for robots", *ARTICLE[8:]]
    stories = list(segment(lines_of(feed)))
    assert ranges(stories) == [(1, 16, "full")]


def test_byline_and_kicker_and_dateline_open_stories() -> None:
    feed = [*THIRD, "By Lin Wei-ting / Staff reporter", *SECOND[1:]]
    stories = list(segment(lines_of(feed)))
    assert ranges(stories) == [(1, 4, "full"), (5, 9, "full")]
    assert stories[1].cues == ["byline"]
    feed = [*THIRD, "OUTLOOK: " + SECOND[1], *SECOND[2:]]
    stories = list(segment(lines_of(feed)))
    assert [s.start_line for s in stories] == [1, 5]
    assert stories[1].kicker == "OUTLOOK" and stories[1].cues == ["kicker OUTLOOK"]
    stories = list(segment(lines_of(ARTICLE + SECOND)))
    assert stories[1].cues == ["dateline TAIPEI, Nov. 3 (CNA) —"]
    feed = [*THIRD, "By Rachel Donnan in Christchurch", *SECOND[1:]]
    assert [s.start_line for s in segment(lines_of(feed))] == [1, 5]


def test_a_byline_under_a_kicker_headline_joins_it() -> None:
    # "KICKER: Headline Lede ..." then the byline: one story, not two.
    feed = [*THIRD, "OUTLOOK: Rail operator plans a new line " + SECOND[1],
            "By Jasper Lui", *SECOND[2:]]
    stories = list(segment(lines_of(feed)))
    assert ranges(stories) == [(1, 4, "full"), (5, 9, "full")]
    assert stories[1].kicker == "OUTLOOK"


@pytest.mark.parametrize(
    "dateline",
    ["TAIPEI, Nov. 3 (CNA) —", "LONDON/LUSAKA, Jan 16 (Reuters) -", "NEW YORK/LONDON (Reuters) -",
     "DES MOINES, Iowa (AP) —", "MANILA —", "April 8 (Reuters) -"],
)
def test_dateline_forms_open_a_story(dateline: str) -> None:
    feed = [*THIRD, f"{dateline} Harbor Robotics shares rose 4 percent after the company said "
            "its new plant would start shipping next spring.", *FOLLOW_UP[1:]]
    stories = list(segment(lines_of(feed)))
    assert [s.start_line for s in stories] == [1, 5]
    assert stories[1].dateline == dateline


@pytest.mark.parametrize("mark", ["(END)", "###", "-30-"])
def test_an_end_mark_ends_a_story(mark: str) -> None:
    # A short last line with an end mark is not a subheading that glues on the next line.
    feed = [*THIRD[:3], f"The rail operator carried 48 million passengers. {mark}", *FOLLOW_UP]
    stories = list(segment(lines_of(feed)))
    assert [s.start_line for s in stories] == [1, 5]
    assert stories[1].cues == ["previous line ends with an end mark"]
    assert stories[0].kind == "full" and not stories[0].cut_off


@pytest.mark.parametrize(
    "signoff",
    ["— Staff writer, with CNA", "(Reporting by Ana Ruiz in Lisbon; Editing by Mark Potter)",
     "Associated Press writer Dana Cole in Phoenix contributed to this report.",
     "Additional reporting by Chen Yu-fu", "Staff report, with Kyodo", "Staff writer",
     "By Mina Seo (mina@herald.example.kr)", "The Canadian Press", "Reuters", "Kyodo News",
     "Jiji Press"],
)
def test_wire_signoffs_end_their_story(signoff: str) -> None:
    stories = list(segment(lines_of([*THIRD, signoff, *FOLLOW_UP])))
    assert ranges(stories) == [(1, 5, "full"), (6, 8, "full")]
    assert stories[0].signoff == signoff


# -- fast path ---------------------------------------------------------------------------------


def _paras(paragraphs: list[str]) -> list[_Para]:
    return [_Para(i, t) for i, t in enumerate(paragraphs, start=1)]


def _reference_cohesion(paras: list[_Para], lo: int, hi: int) -> list[float]:
    """Window cohesion of each gap in paras[lo:hi], the slow way: sets of words."""
    vocab = [set(x.words) - _EXCLUDED for x in paras[lo:hi]]
    out = []
    for k in range(1, hi - lo):
        before = set().union(*vocab[max(0, k - CONTEXT): k])
        after = set().union(*vocab[k: k + CONTEXT])
        shared = len(before & after)
        out.append(shared / math.sqrt(len(before) * len(after)) if before and after else 0.0)
    return out


FEED = ARTICLE + SECOND + THIRD + ALIAS_STORY + ARTICLE[3:] + THIRD + TEASERS[:1] + SECOND[1:]


NOT_LEDE = "names nobody (no name, organisation, role or time)"


def test_fast_scores_are_the_weighted_features(monkeypatch: pytest.MonkeyPatch) -> None:
    paras = _paras(FEED)
    stretches = [(lo, hi) for lo, hi, inner in _stretches(paras, 0) if None in inner]
    assert sum(hi - lo for lo, hi in stretches) > 40
    for lo, hi in stretches:
        scores, cohs, feats = _region(paras, lo, hi, want=True)
        assert len(scores) == len(cohs) == len(feats) == hi - lo - 1
        assert cohs == pytest.approx(_reference_cohesion(paras, lo, hi), abs=1e-12)
        for g, f in enumerate(feats):
            q = paras[lo + 1 + g]
            # every gap is scored; one that names nobody carries the "names nobody" cue
            assert f and f[_FEATURES.index(NOT_LEDE)] == (0.0 if q.lede else 1.0)
            assert scores[g] == pytest.approx(sum(map(mul, _WEIGHTS, f)), abs=1e-9)
        # bitmasks built block by block give the same answers as one block
        monkeypatch.setattr("newsarc.segment._BLOCK", 3)
        assert _region(paras, lo, hi, want=True) == (scores, cohs, feats)
        monkeypatch.undo()


def test_a_paragraph_without_names_roles_or_time_words_does_not_open_a_story() -> None:
    plain = "Prices of rice rose sharply across the region as the harvest failed again."
    paras = _paras([*THIRD, plain])
    paras[-1].enrich()
    assert not paras[-1].lede
    stories = list(segment(lines_of([*THIRD, plain, *SECOND[1:]])))
    assert [s.start_line for s in stories] == [1]
    assert stories[0].end_line == 9


# -- lede cues: a time anchor on the lede verb, a quotation that introduces its speaker ----------


def _enriched(text: str) -> _Para:
    p = _Para(1, text)
    p.enrich()
    return p


def test_time_anchor_is_the_day_next_to_the_lede_verb() -> None:
    for lede in (
        "The Ministry of Labor yesterday approved a rise of 3 percent in the minimum wage.",
        "Greenfield Foods Co said on Tuesday it would close two of its stores in Tainan.",
        "Dock workers in Keelung late yesterday voted to end a four-day strike over pay.",
    ):
        assert _enriched(lede).anchor, lede
    for inner in (
        "On Tuesday, about 200 farmers protested outside the county hall in Chiayi.",
        "Parliament will debate the committee's report on Tuesday.",
        "Ferry services to the outlying islands were suspended from noon yesterday.",
        "He said yesterday that the company would not raise prices.",
    ):
        assert not _enriched(inner).anchor, inner


HOSPITAL = [
    '"Nobody should have to wait a year for a hospital bed," Minister of Health and Welfare '
    "Wang Li-ping said yesterday, as she announced a plan to add 2,000 long-term care beds "
    "in rural counties by 2028.",
    "The ministry would spend NT$6.5 billion on the plan over four years, Wang said.",
    "Hospitals in Pingtung and Taitung counties have the longest waiting lists, ministry "
    "data showed.",
    "Patient groups welcomed the plan but said the ministry also needed to hire more nurses.",
]


def test_a_quotation_that_introduces_its_speaker_opens_a_story() -> None:
    lede = _enriched(HOSPITAL[0])
    assert lede.opener == 0 and lede.anchor
    inner = _enriched('"Nobody should have to wait a year for a bed," Wang said yesterday.')
    assert inner.opener == 1 and not inner.anchor
    stories = list(segment(lines_of([*THIRD, *HOSPITAL])))
    assert ranges(stories) == [(1, 4, "full"), (5, 8, "full")]
    quote = '"We will not stop at trains," Haddad said on Monday, adding that buses would follow.'
    stories = list(segment(lines_of([*THIRD[:2], quote, *THIRD[2:]])))
    assert ranges(stories) == [(1, 5, "full")]


def test_a_fronted_time_phrase_moves_a_story_on() -> None:
    for inner in (
        "On Tuesday, about 200 farmers protested outside the Chiayi County Government.",
        "By yesterday evening, 31 ships were waiting to berth at Keelung, port data showed.",
    ):
        p = _enriched(inner)
        assert p.opener == 2 and not p.anchor, inner
    assert _enriched(THIRD[0]).opener == 0
    follow = ("On Tuesday, Coastal Rail Ltd managers met union leaders in Porto to discuss "
              "the battery trains.")
    stories = list(segment(lines_of([*THIRD, follow, *THIRD[1:]])))
    assert ranges(stories) == [(1, 8, "full")]


def test_a_time_word_that_looks_ahead_is_not_a_lede_anchor() -> None:
    ahead = _enriched("The storm is expected to bring heavy rain to Hualien County from tomorrow.")
    assert ahead.time and ahead.ahead and not ahead.anchor
    lede = _enriched(THIRD[0])
    assert lede.anchor and not lede.ahead


def test_a_short_line_that_looks_ahead_may_close_a_story() -> None:
    assert _enriched("The central bank next meets in September.").outlook
    assert _enriched("Talks between the two sides are to resume tomorrow.").outlook
    assert not _enriched(THIRD[3]).outlook  # a short line about the past
    assert not _enriched(ARTICLE[0]).outlook  # long
    closer = _enriched("The central bank next meets in September.")
    plain = _enriched("The central bank kept its benchmark rate unchanged.")
    assert closer.pscore > plain.pscore


def test_a_quoted_lede_may_open_with_the_speakers_pronoun() -> None:
    lede = _enriched('"I have done nothing wrong," Legislator Kao Chih-hung said yesterday, as he '
                     "launched his campaign against a recall vote in his Taoyuan district.")
    assert lede.opener == 0 and lede.anchor
    inner = _enriched('"I have done nothing wrong," he said.')
    assert inner.opener == 1 and not inner.anchor  # a quote inside its story


def test_looking_ahead_is_judged_up_to_the_first_time_word() -> None:
    assert not _enriched(ARTICLE[0]).ahead  # "arrived ... yesterday ..., is expected to meet"
    assert _enriched("The committee is expected to vote on the proposal on Thursday.").ahead


def test_a_new_full_name_counts_without_a_role_or_time_word() -> None:
    from newsarc.segment import _FEATURES

    lede = ("Former sprinter Maria Lindholm has been named to lead the Swedish athletics "
            "team, ending a search that lasted more than a year.")
    paras = _paras([*THIRD, lede, "Lindholm won two European titles in the 200m."])
    feats = _region(paras, 0, len(paras), want=True)[2]  # enriches the paragraphs
    assert paras[4].lede and not paras[4].time and not paras[4].org_lede
    assert feats[3][_FEATURES.index("new full name")] == 1.0


def test_a_company_named_in_full_is_an_introduction_only_the_first_time() -> None:
    from newsarc.segment import _FEATURES, _corps

    assert _corps("Sip & Pearl Co (珍飲), the Taichung-based tea chain, plans to ...") == (
        ("Sip", "Pearl"),)
    assert _corps("Swiss utility Alpenstrom AG said on Monday ...") == (("Alpenstrom",),)
    assert _corps("The chain said it would open 300 stores in Canada.") == ()
    new_corp = _FEATURES.index("new company named early")
    lede = ("Kestrel Dairy Group said it would build a milk powder plant in Changhua, its first "
            "outside the north, as demand from bakeries keeps rising.")
    again = "Kestrel Dairy Group said the plant would employ about 300 people when it opens."
    paras = _paras([*THIRD, lede, again, "Kestrel shares rose 2 percent after the news."])
    feats = _region(paras, 0, len(paras), want=True)[2]
    assert feats[3][new_corp] == 1.0  # not seen in the story before the gap
    assert feats[4][new_corp] == 0.0  # named again inside its own story


# -- cues added in session 5: later-time openers, "The <noun> <comment verb>", questions ----------


def test_a_time_phrase_that_follows_on_continues_the_story() -> None:
    for text in ("By noon, at least 17 lorries were queuing at the border post near Kinta.",
                 "Hours later, the ministry withdrew the notice without explanation.",
                 "Later that day, the council met behind closed doors to discuss the budget."):
        assert _enriched(text).opener == 2, text
    # a lede that merely contains such words opens normally
    assert _enriched("Kinta Port Authority said by noon on Monday that 17 lorries were "
                     "queuing at the border post.").opener == 0


def test_the_and_a_noun_with_a_comment_verb_points_back() -> None:
    assert _enriched("The dispute echoes earlier clearances along the canal in 2016, when "
                     "hundreds of families were moved to rental flats.").theback
    assert _enriched("The ruling comes two weeks before the city's budget vote.").theback
    # a lede's subject has more than one word before its verb, or a proper name
    assert not _enriched("The central bank on Tuesday raised its policy rate by a quarter "
                         "point to 2.5 percent.").theback
    assert not _enriched("The Jakarta court agreed on Tuesday to hear the case.").theback


def test_number_words_up_to_ninety_open_a_numeric_lede() -> None:
    assert _enriched("Fourteen cleaners at a hospital in Ipoh are to receive back pay after "
                     "a labour court ruled in their favour.").numeric
    assert _enriched("Thirty schools remain shut across the valley.").numeric
    assert not _enriched("Fourteenth-century walls ring the old town.").numeric


def test_a_question_lede_opens_a_feature_after_a_finished_article() -> None:
    assert _enriched("What does a glacier sound like? To the crew of a research boat off "
                     "Svalbard, it sounds like distant gunfire.").question
    assert not _enriched('"What does it mean for us?" asked one farmer at the meeting.').question
    assert not _enriched("Officials met on Monday. Was the plan ever realistic? Nobody "
                         "would say.").question
    feature = [
        "What does a glacier sound like? To glaciologist Ingrid Dahl, aboard a small research "
        "boat off the Svalbard coast, it sounds like distant gunfire rolling across the water.",
        "The cracks and booms come from ice calving into the fjord, a noise that grows louder "
        "each summer as meltwater loosens the glacier's front.",
        "Acoustic sensors moored beneath the surface now record the sound around the clock, "
        "and scientists say it can be used to measure how quickly the ice is retreating.",
        "Recordings from last August held more than twice as many calving events as those "
        "made a decade earlier, according to the team's latest paper.",
    ]
    stories = list(segment(lines_of(THIRD + feature)))
    assert ranges(stories) == [(1, 4, "full"), (5, 8, "full")]
    assert "opens with a question" in stories[1].cues  # what split --explain shows


def test_a_count_phrase_opens_a_numeric_lede() -> None:
    assert _enriched("At least 11 people were killed when a bus left the road near Kandy.").numeric
    assert not _enriched("At the hearing, lawyers for the council asked for a delay.").numeric


# -- session 6: a named speaker with a role, an agency's credit line --------------------------


def test_a_paragraph_that_opens_on_a_named_speaker_gives_a_voice_to_the_story() -> None:
    assert _enriched("Karen Ng, a lecturer in public health at Tamsui University, said on "
                     "Monday that the clinics had been warned twice.").speaker
    assert _enriched("Dr Ali Rahimi, who runs the unit, told reporters the wait had doubled."
                     ).speaker
    # a lede that opens on the news, or a role before the name, is no such voice
    assert not _enriched("Premier Li Qiang said on Monday that the state would fund the "
                         "clinics.").speaker
    assert not _enriched("Coastal Rail Ltd on Monday said that its fleet, bought in 2004, "
                         "would be replaced.").speaker
    assert not _enriched("He said, after a pause, that the clinics had been warned.").speaker
    article = [
        "Kinta District hospitals will close two emergency wards at night from March after "
        "failing to recruit enough doctors, the state health department said on Monday.",
        "Priya Raman, an emergency physician who chairs the state doctors' union, said on "
        "Tuesday that the night closures would add forty minutes to some ambulance trips.",
        "The department said it hoped to reopen the wards fully by the end of the year.",
    ]
    speaker = _FEATURES.index("opens on a named speaker (Name, role, said)")
    feats = _region(_paras(article), 0, 3, want=True)[2]
    assert [f[speaker] for f in feats] == [1.0, 0.0]
    assert _WEIGHTS[speaker] < 0  # the fit found it against a cut, as an editor would


def test_a_pronoun_inside_a_quotation_is_the_speakers_not_a_pointer_back() -> None:
    assert _enriched('"We know who the villains are supposed to be," said a farmer.').opener == 1
    assert _enriched("“But nobody asked us,” she said.").opener == 1
    assert _enriched("But nobody asked the farmers, the minister conceded.").opener == 2
    assert _enriched("We know who the villains are, the farmers say.").opener == 2


@given(st.text(max_size=300))
def test_lede_style_score_is_the_sum_of_its_features(body: str) -> None:
    from newsarc import lede_style
    from newsarc.segment import _STYLE, style_features

    want = lede_style.BIAS + sum(lede_style.WEIGHTS.get(f, 0.0) for f in style_features(body))
    assert _STYLE.score(body) == pytest.approx(want, abs=1e-9)


def test_lede_style_tells_a_lede_from_a_continuation() -> None:
    from newsarc.segment import _STYLE, style_tokens

    lede = ("The city's transit agency said on Tuesday it would cut night bus services on "
            "nine routes from March, blaming a shortfall of drivers.")
    more = ('"We have no choice," he said, adding that the routes would be reviewed.')
    assert _STYLE.score(lede) > _STYLE.score(more)
    # topic words become shapes: the model learns wording, not the feeds' subjects
    assert style_tokens("Voltera Motors said 12 cars") == ["Xx", "Xx", "said", "9", "x"]
