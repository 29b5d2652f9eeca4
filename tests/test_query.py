"""The query language: expressions it emits, and what they find in a real FTS5 table."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarc import query
from newsarc.errors import UsageError
from newsarc.query import (
    CJK_RUN,
    MAX_PHRASE_TOKENS,
    MAX_TERMS,
    check_raw,
    cjk_bigrams,
    highlight_terms,
    to_fts,
)

# --- cjk_bigrams ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("總理李強表示 and 小鵬", "總理 理李 李強 強表 表示 小鵬"),
        ("李強", "李強"),
        ("李", "李"),
        ("Premier 李 said", "李"),
        ("", ""),
        ("Plain English, no CJK at all.", ""),
        ("Café “crème” 🚀 — Привет", ""),
        ("李強、習近平。", "李強 習近 近平"),  # CJK punctuation ends a run
        ("「東京」", "東京"),
        ("ラーメン・スープ", "ラー ーメ メン スー ープ"),  # the middle dot is punctuation
        ("윤석열 대통령은", "윤석 석열 대통 통령 령은"),
        ("Tesla特斯拉Model", "特斯 斯拉"),
        ("北京🚀上海，廣州", "北京 上海 廣州"),
        ("title 李強\ntext 強表示", "李強 強表 表示"),  # a newline keeps title and text apart
    ],
)
def test_cjk_bigrams(text: str, expected: str) -> None:
    assert cjk_bigrams(text) == expected


def _reference_bigrams(text: str) -> str:
    runs = CJK_RUN.findall(text)
    return " ".join(
        r if len(r) == 1 else " ".join(r[i : i + 2] for i in range(len(r) - 1)) for r in runs
    )


MIXED = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list("ab ,.\n“”—éПア・ー、。，李強習近平윤석열🚀\u3004\u3005\u1100\u11ff\u1200")
        ),
        st.characters(),
    )
)


@given(MIXED)
def test_cjk_bigrams_fast_path_agrees_with_plain_scan(text: str) -> None:
    assert cjk_bigrams(text) == _reference_bigrams(text)


def test_cjk_characters_are_letters_so_each_bigram_is_one_token() -> None:
    not_letters = [
        f"U+{cp:04X}"
        for cp in range(0x1100, 0x32400)
        if CJK_RUN.fullmatch(chr(cp))
        and unicodedata.category(chr(cp))[0] not in "LN"
        and unicodedata.category(chr(cp)) != "Cn"  # unassigned in Python's tables
    ]
    assert not_letters == []


def test_cjk_bigrams_are_single_unicode61_tokens() -> None:
    sample = "".join(chr(cp) for cp in range(0x4E00, 0x9FFF, 7)) + "ひらがなカタカナ한국어ﾗｰﾒﾝ𠀀𠀁"
    indexed = cjk_bigrams(sample)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    conn.execute("INSERT INTO t(x) VALUES (?)", (indexed,))
    tokens = [row[0] for row in conn.execute("SELECT term FROM v ORDER BY offset")]
    assert tokens == indexed.split(" ")
    assert len(tokens) == len(sample) - 1


def test_cjk_bigrams_skips_non_cjk_text_in_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # Non-ASCII text without CJK is skipped by one regex match per character above U+3004
    # (here the emoji), never one Python step per character.
    calls = 0
    real = query._NOT_CJK

    class Counting:
        def match(self, text: str, pos: int) -> re.Match[str] | None:
            nonlocal calls
            calls += 1
            return real.match(text, pos)

    monkeypatch.setattr(query, "_NOT_CJK", Counting())
    text = "Le président a déclaré mardi que la croissance serait “forte” — 5 % 🚀. " * 2000
    assert cjk_bigrams(text) == ""
    assert calls == 2001, "one skip before each emoji and one to the end"
    calls = 0
    assert cjk_bigrams("Prix — 李強 à Taipei, 海港半導體 “x”") == "李強 海港 港半 半導 導體"
    assert calls == 3


# --- to_fts: the expressions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tesla", '"tesla"'),
        ("Li Qiang", '"Li" "Qiang"'),
        ('"new york"', '"new york"'),
        ('"new york" times', '"new york" "times"'),
        ("tesla -musk", '"tesla" NOT "musk"'),
        ('tesla -"elon musk"', '"tesla" NOT "elon musk"'),
        ("a b -c -d", '("a" "b") NOT ("c" OR "d")'),
        ("tesla OR byd", '("tesla" OR "byd")'),
        ("tesla OR byd OR nio", '("tesla" OR "byd" OR "nio")'),
        ("ev tesla OR byd", '"ev" AND ("tesla" OR "byd")'),
        ("tesla or byd", '"tesla" "or" "byd"'),  # lowercase or is a word
        ("OR tesla", '"OR" "tesla"'),  # an OR with nothing before it is a word
        ("tesla OR", '"tesla" "OR"'),
        ("tesla OR -byd", '("tesla" "OR") NOT "byd"'),
        ('"OR"', '"OR"'),
        ("tes*", '"tes" *'),
        ("tes***", '"tes" *'),
        ('"new yor"*', '"new yor" *'),
        ("AT&T", '"AT&T"'),
        ("C++", '"C++"'),
        ('say "hi', '"say" "hi"'),  # an unbalanced quote runs to the end
        ('"unbalanced', '"unbalanced"'),
        ('foo"bar', '"foo""bar"'),  # a quote inside a word is text
        ("NOT AND NEAR", '"NOT" "AND" "NEAR"'),
        ("NEAR(", '"NEAR("'),
        ("title:x ^y {z}", '"title:x" "^y" "{z}"'),
        ("'; DROP TABLE stories; --", '"DROP" "TABLE" "stories;"'),
        ("e-mail", '"e-mail"'),
        ("x\x00y", '"x" "y"'),  # NUL would end the FTS5 string
        ("caf\udce9", '"caf"'),  # a lone surrogate from undecodable argv bytes
        ("李強", 'cjk : "李強"'),
        ("李強表示", 'cjk : "李強 強表 表示"'),
        ("李", 'cjk : "李" *'),
        ("李強*", 'cjk : "李強"'),
        ("Li Qiang 李強", '"Li" "Qiang" cjk : "李強"'),
        ("Tesla特斯拉", '"Tesla" cjk : "特斯 斯拉"'),
        ("Tesla特斯拉 -Model", '("Tesla" cjk : "特斯 斯拉") NOT "Model"'),
        ("-Tesla特斯拉 x", '"x" NOT ("Tesla" cjk : "特斯 斯拉")'),
        ('"特斯拉 CEO 馬斯克"', 'cjk : "特斯 斯拉" "CEO" cjk : "馬斯 斯克"'),
        ("李強 OR 習近平", '(cjk : "李強" OR cjk : "習近 近平")'),
        ("特斯拉！", 'cjk : "特斯 斯拉"'),
        ("tesla ***", '"tesla"'),
    ],
)
def test_to_fts(query: str, expected: str) -> None:
    assert to_fts(query) == expected


@pytest.mark.parametrize(
    "query", ["", "   ", "-", "--", "()", "***", "*", '""', '"', "-foo", '-"a b"', "-a -b", "。、"]
)
def test_nothing_to_search_is_none(query: str) -> None:
    assert to_fts(query) is None


PHRASE = re.compile(r'"(?:[^"]|"")*"')


def test_long_input_is_capped() -> None:
    words = " ".join(f"w{i}" for i in range(2000))
    expr = to_fts(words)
    assert expr is not None
    assert len(PHRASE.findall(expr)) == MAX_TERMS
    assert '"w0"' in expr and f'"w{MAX_TERMS - 1}"' in expr and f'"w{MAX_TERMS}"' not in expr


def test_long_phrase_and_cjk_run_are_capped() -> None:
    phrase = to_fts('"' + " ".join(["ab"] * 5000) + '"')
    assert phrase == '"' + " ".join(["ab"] * MAX_PHRASE_TOKENS) + '"'
    cjk = to_fts("李" * 10000)
    assert cjk == 'cjk : "' + " ".join(["李李"] * MAX_PHRASE_TOKENS) + '"'


# --- highlight_terms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('tesla "new york" -musk', ["tesla", "new york"]),
        ("tesla OR byd", ["tesla", "byd"]),
        ("tes*", ["tes"]),
        ("Li Qiang 李強 -習近平", ["Li", "Qiang", "李強"]),
        ("Tesla特斯拉", ["Tesla", "特斯拉"]),
        ("AT&T C++", ["AT&T", "C++"]),
        ("Tesla tesla TESLA", ["Tesla"]),
        ('"(Li Qiang)"', ["Li Qiang"]),
        ("*** -", []),
        ("-only", []),
    ],
)
def test_highlight_terms(query: str, expected: list[str]) -> None:
    assert highlight_terms(query) == expected


def test_check_raw() -> None:
    assert check_raw("  tesla NOT musk \n") == "tesla NOT musk"
    for bad in ["", "  ", "a\x00b", "caf\udce9"]:
        with pytest.raises(UsageError):
            check_raw(bad)


# --- against a real FTS5 table ----------------------------------------------------------------

STORIES = {
    1: (
        "Premier Li Qiang tours Tesla plant",
        "Premier Li Qiang (李強) visited the Tesla factory in Shanghai on Monday.",
    ),
    2: ("小鵬汽車發布新車型", "廣州的小鵬汽車週二發布了一款新車型，售價二十萬元。"),
    3: ("岸田文雄首相が会見", "岸田文雄首相は火曜日、東京で記者会見を開いた。ラーメン店も訪問。"),
    4: ("岸田と文雄", "岸田氏と文雄氏は別人である。田文という語もある。"),
    5: ("AT&T raises prices", "AT&T and Verizon said prices would rise in June."),
    6: ("Compilers", "The new C++ standard adds modules; Rust is also discussed."),
    7: ("New York transit", "The New York subway ran late on Tuesday."),
    8: ("A new bridge in York", "York opened a new bridge over the Ouse."),
    9: ("대통령 기자회견", "윤석열 대통령은 화요일 서울에서 기자회견을 열었다."),
}


@pytest.fixture(scope="module")
def conn() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE stories (id INTEGER PRIMARY KEY, title TEXT, text TEXT, cjk TEXT)")
    conn.execute("CREATE VIRTUAL TABLE stories_fts USING fts5(title, text, cjk, content=[stories])")
    conn.executemany(
        "INSERT INTO stories (id, title, text, cjk) VALUES (?, ?, ?, ?)",
        [(i, t, x, cjk_bigrams(f"{t}\n{x}")) for i, (t, x) in STORIES.items()],
    )
    conn.execute("INSERT INTO stories_fts(stories_fts) VALUES('rebuild')")
    yield conn
    conn.close()


def search(conn: sqlite3.Connection, query: str) -> set[int]:
    expr = to_fts(query)
    assert expr is not None, query
    sql = "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?"
    return {row[0] for row in conn.execute(sql, (expr,))}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("李強", {1}),
        ("Li Qiang", {1}),
        ("李強 Tesla", {1}),
        ("李強 Verizon", set()),
        ("小鵬", {2}),
        ("新車型", {2}),
        ("汽車 小鵬", {2}),
        ("鵬小", set()),  # both characters appear, never in this order
        ("北京", set()),
        ("岸田文雄", {3}),  # story 4 has 岸田, 文雄 and 田文, never together
        ("岸田", {3, 4}),
        ("ラーメン", {3}),
        ("대통령", {9}),  # unicode61 alone would only know the token 대통령은
        ("李", {1}),
        ("Tesla特斯拉", set()),
        ('"new york"', {7}),
        ("new york", {7, 8}),
        ("york -subway", {8}),
        ('york -"new york"', {8}),
        ("york -bridge -subway", set()),
        ("Verizon OR subway", {5, 7}),
        ("Verizon OR subway OR 小鵬", {2, 5, 7}),
        ("Verizon or subway", set()),
        ("Shang*", {1}),
        ("prem* li*", {1}),
        ('"new yor"*', {7}),
        ("AT&T", {5}),
        ("at&t prices", {5}),
        ("C++", {6}),
        ("C++ modules", {6}),
        ("tesla ***", {1}),
        ("tesla NOT", set()),  # NOT is a word, and story 1 does not contain it
        ("(Li Qiang)", {1}),
        ("李強 -Shanghai", set()),
        ("-Shanghai 李強", set()),
        ("Li -李強", set()),
    ],
)
def test_search_finds(conn: sqlite3.Connection, query: str, expected: set[int]) -> None:
    assert search(conn, query) == expected


def test_term_sqlite_does_not_tokenize_does_not_empty_the_result(
    conn: sqlite3.Connection,
) -> None:
    # U+19B0 is a letter to Python 3.11 but a separator to SQLite's older Unicode tables; the
    # implicit AND skips the empty phrase instead of matching nothing.
    tokens = conn.execute(
        "SELECT count(*) FROM stories_fts WHERE stories_fts MATCH ?", ('"\u19b0"',)
    ).fetchone()
    if tokens[0] != 0:
        pytest.skip("this SQLite does know U+19B0")
    assert search(conn, "tesla \u19b0") == {1}


QUERY_CHARS = st.one_of(
    st.sampled_from(list("\"-*() ORNEAT:^{}+&.,;'李強表示ラ대 \t\n\x00")),
    st.characters(),
    st.integers(0xDC80, 0xDCFF).map(chr),  # lone surrogates, from undecodable argv bytes
)


@settings(max_examples=400, deadline=None)
@given(query=st.text() | st.text(alphabet=QUERY_CHARS))
def test_any_query_is_accepted_by_fts5(conn: sqlite3.Connection, query: str) -> None:
    terms = highlight_terms(query)
    assert all(t and not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff]", t) for t in terms)
    expr = to_fts(query)
    if expr is None:
        assert terms == []
        return
    conn.execute("SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?", (expr,)).fetchall()
    assert len(PHRASE.findall(expr)) <= MAX_TERMS
    # Outside the quoted strings there is only syntax newsarc wrote, nothing the person typed.
    syntax = set(re.findall(r"\w+|\S", PHRASE.sub(" ", expr)))
    assert syntax <= {"cjk", ":", "*", "(", ")", "AND", "OR", "NOT"}


def test_ten_thousand_characters_make_a_bounded_query(conn: sqlite3.Connection) -> None:
    query = ('AT&T "C++ NEAR( -x OR 李強表示 ' * 400)[:10000]
    expr = to_fts(query)
    assert expr is not None
    assert len(PHRASE.findall(expr)) <= MAX_TERMS  # the length is bounded, not the input's
    conn.execute("SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?", (expr,)).fetchall()
