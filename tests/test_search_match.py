"""Issue 25: what was typed is what is searched. Quoted text and match=exact as written, directional synonyms
(专利 is narrower than 知识产权), whole numbers, and a measure above the targets it holds.

A small index of the seed plan and a few short documents written for these cases (each states what it holds)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import SEED

from kb.build import build
from kb.ids import enclosing_measure_ids
from kb.search.engine import SearchEngine
from kb.search.highlight import find_hits, snippet
from kb.search.query import parse_query
from kb.search.ranking import cap_by_container
from kb.search.request import SearchRequest

SEED_ID = SEED.stem

DOCS = {
    # says 专利 (never 知识产权)
    "patents": """某市专利转化专项行动方案

一、重点任务

（一）推动高校专利转化运用。盘活存量专利，开展专利开放许可。

（二）提升专利质量。加强高价值专利培育。
""",
    # says 知识产权 (never 专利)
    "ip": """某市知识产权强市建设实施意见

一、主要措施

（一）加强知识产权保护。健全知识产权快速维权机制。

（二）推进知识产权证券化试点。
""",
    # 高新技术企业, never the abbreviation 高企; 提高企业 (高|企 across two words)
    "hightech": """某区培育高新技术企业工作方案

一、工作措施

（一）扩大高新技术企业数量。支持科技型中小企业成长为高新技术企业。

（二）提高企业研发能力。
""",
    # 个人所得税法 (jieba: one word), and 人才 … 才发 … 发展 scattered, never 人才发展
    "tax": """某市税务宣传工作要点

一、工作措施

（一）宣传中华人民共和国个人所得税法。做好政策解读。

（二）鼓励人才发挥作用，推动产业发展。
""",
    # a law that repeats 知识产权 45 times without being about it (one long text: no outline)
    "law": "某市科学技术进步条例\n\n"
    + "".join(
        f"第{i}款所称事项，本市依法保护知识产权，有关部门按照职责分工做好相关工作。" for i in range(1, 46)
    )
    + "\n",
    # a law about the narrower term: 专利 throughout, in its title too
    "patent_law": "某市专利促进条例\n\n" + "本市支持专利创造和运用，推动专利转化。" * 20 + "\n",
    # numbers: 2018年, 1.5亿元
    "numbers": """某县2018年项目安排

一、项目

（一）安排资金1.5亿元，建设项目12个。
""",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    root = tmp_path_factory.mktemp("match")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    for name, text in DOCS.items():
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
    assert build([docs], root / "index", procs=1, quiet=True).published
    eng = SearchEngine(root / "index")
    yield eng
    eng.close()


def docs_of(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.doc_id for h in result.results}


def every(engine: SearchEngine, q: str, **fields: object):  # type: ignore[no-untyped-def]
    return engine.search(SearchRequest(q=q, limit=100, **fields))  # type: ignore[arg-type]


# --- quoted text and match=exact ------------------------------------------------------------------


def test_a_quoted_synonym_never_expands(engine: SearchEngine) -> None:
    assert every(engine, "高企").total > 0  # broad: the abbreviation finds 高新技术企业
    quoted = every(engine, '"高企"')
    assert quoted.total == 0 and "hightech" not in docs_of(quoted)  # no 高企 as written anywhere
    assert every(engine, "高企", match="exact").total == 0
    assert every(engine, "「高企」").total == 0


def test_a_quoted_word_is_not_its_broader_or_narrower_term(engine: SearchEngine) -> None:
    quoted = every(engine, '"专利"')
    assert quoted.total > 0
    for hit in quoted.results:  # every hit says 专利, none only 知识产权
        assert hit.doc_id != "ip"
    assert {"ip"} <= docs_of(every(engine, '"知识产权"')) and "patents" not in docs_of(
        every(engine, '"知识产权"')
    )
    assert quoted.terms == ["专利"]


def test_exact_matches_as_written_through_a_word_jieba_cuts_otherwise(engine: SearchEngine) -> None:
    # 个人所得税法 is one jieba word: the word field does not hold 个人所得税, the stored text does.
    assert "tax" in docs_of(every(engine, '"个人所得税"'))
    assert "tax" in docs_of(every(engine, "个人所得税", match="exact"))


def test_exact_never_matches_scattered_bigrams(engine: SearchEngine) -> None:
    # 人才 … 才发 (人才发挥) … 发展: every bigram of 人才发展, never the four characters together.
    assert "tax" in docs_of(every(engine, "人才 发展"))
    assert "tax" not in docs_of(every(engine, '"人才发展"'))
    assert "tax" not in docs_of(every(engine, "人才发展", match="exact"))


def test_exact_mode_takes_every_piece_as_written(engine: SearchEngine) -> None:
    exact = engine.parse("专利 质量", exact=True)
    assert [w.phrase for w in exact.words] == [True, True]
    assert all(not w.synonyms and not w.narrower for w in exact.words)
    assert every(engine, "高企 数量", match="exact").partial  # no hit says 高企 (only 数量 matches)
    assert not every(engine, "高企 数量").partial  # broad: 高企 finds 高新技术企业
    assert "hightech" in docs_of(every(engine, "高新技术企业 数量", match="exact"))
    # quantities are matched as written too, not by value
    assert docs_of(every(engine, "1.5亿元", match="exact")) == {"numbers"}
    assert every(engine, "15000万元", match="exact").total == 0
    assert "numbers" in docs_of(every(engine, "15000万元"))  # broad: by value


def test_exact_exclusions_are_exact(engine: SearchEngine) -> None:
    with_tax = every(engine, "推动")
    assert "tax" in docs_of(with_tax)
    assert "tax" in docs_of(every(engine, '推动 -"人才发展"'))  # the text never says 人才发展


def test_match_is_a_request_field() -> None:
    request = SearchRequest.from_params({"q": "专利", "match": "exact"})
    assert request.exact and request.to_params() == {"q": "专利", "match": "exact"}
    assert SearchRequest.from_params({"q": "专利", "match": "nonsense"}).match == "broad"
    assert "match" not in SearchRequest(q="专利").to_params()


# --- directional synonyms ----------------------------------------------------------------------------


def test_the_narrower_term_never_finds_the_broader_one(engine: SearchEngine) -> None:
    narrow = every(engine, "专利")
    assert "patents" in docs_of(narrow)
    assert "ip" not in docs_of(
        narrow
    )  # hits that only say 知识产权 are not found, so never ranked above 专利
    assert narrow.terms == ["专利"]


def test_the_broader_term_finds_the_narrower_one_below_its_own(engine: SearchEngine) -> None:
    broad = every(engine, "知识产权")
    found = docs_of(broad)
    assert {"ip", "patents"} <= found
    first_patent = min(i for i, h in enumerate(broad.results) if h.doc_id == "patents")
    first_ip = min(i for i, h in enumerate(broad.results) if h.doc_id == "ip")
    assert first_ip < first_patent
    parsed = engine.parse("知识产权")
    assert parsed.words[0].narrower == ("专利",) and "专利" not in parsed.words[0].synonyms


def test_a_law_repeating_a_word_never_outranks_a_measure_about_it(engine: SearchEngine) -> None:
    result = every(engine, "知识产权")
    rank = {h.id: i for i, h in enumerate(result.results)}
    assert result.results[0].doc_id == "ip"  # 加强知识产权保护 / 推进知识产权证券化试点
    assert rank["ip.m1.1"] < rank["law"] and rank["ip.m1.2"] < rank["law"]
    assert (
        rank["ip.m1.1"] < rank["patent_law"]
    )  # 专利 is narrower: its law ranks below a measure that says 知识产权


# --- whole numbers ---------------------------------------------------------------------------------


def test_a_number_is_never_marked_inside_another() -> None:
    text = "2018年12月30日至2019年1月1日，安排1.5亿元、A1级，第1条"
    marked = [text[a:b] + f"@{a}" for a, b in find_hits(text, ["1"])]
    assert marked == ["1@17", "1@19", "1@35"]  # 1月, 1日, 第1条
    assert [text[a:b] for a, b in find_hits(text, ["1.5"])] == ["1.5"]
    assert find_hits("mail and AI", ["ai"]) == [(9, 11)]
    assert snippet("2018年", ["1"]).marks == ()


def test_a_markup_query_is_a_query_for_its_words(engine: SearchEngine) -> None:
    result = every(engine, "<script>alert(1)</script>")
    assert result.query == "<script>alert(1)</script>"
    assert [w.text for w in engine.parse("<script>alert(1)</script>").words] == ["script", "alert", "1"]
    for hit in result.results:
        for piece, is_marked in (*hit.snippet.pieces(), *hit.title.pieces()):
            if is_marked:
                assert piece.lower() in ("script", "alert", "1"), piece
    assert every(engine, "2018").total >= 1
    assert "numbers" not in docs_of(every(engine, '"1"'))  # 2018年, 1.5亿元 and 12个 hold no number 1


# --- a measure above what it holds -----------------------------------------------------------------


def test_cap_by_container_keeps_a_hit_below_its_measure() -> None:
    ids = np.array([3, 5, 7, 9])
    scores = np.array([1.0, 4.0, 2.0, 9.0])
    container = np.full(10, -1)
    container[5] = 3  # hit 5 sits in measure 3
    container[9] = 4  # hit 9's measure (4) did not match: left as it is
    capped = cap_by_container(ids, scores, container)
    assert capped[1] < capped[0] == 1.0 and capped[3] == 9.0 and capped[2] == 2.0
    assert scores[1] == 4.0  # a new array


@pytest.mark.parametrize("q", ["5000万元", "深度贫困县", "发明专利", "科技型企业", "42家", "技术合同 交易额"])
def test_a_measure_ranks_above_the_targets_it_holds(engine: SearchEngine, q: str) -> None:
    result = every(engine, q)
    rank = {h.id: i for i, h in enumerate(result.results)}
    pairs = 0
    for hit in result.results:
        for container in enclosing_measure_ids(hit.id):
            if container in rank:
                pairs += 1
                assert rank[container] < rank[hit.id], (q, container, hit.id)
                break
    if q in ("5000万元", "深度贫困县"):
        assert pairs >= 1


def test_the_cap_is_not_applied_to_a_filtered_out_measure(engine: SearchEngine) -> None:
    targets = every(engine, "深度贫困县", type="target")
    assert targets.total >= 1 and all(h.type == "target" for h in targets.results)


def test_quoted_phrases_parse_without_a_schema_bigram_source() -> None:
    # A schema whose bigram field has no known stored source matches a quoted piece in its word fields only.
    from whoosh.fields import ID, TEXT, Schema

    from kb.search.analysis import BigramAnalyzer, ChineseAnalyzer

    schema = Schema(
        id=ID(stored=True),
        body=TEXT(analyzer=ChineseAnalyzer(), stored=True),
        grams=TEXT(analyzer=BigramAnalyzer()),
    )
    parsed = parse_query('"个人所得税"', {"body": 1.0, "grams": 0.5}, schema=schema)
    assert parsed.query is not None and "grams" not in repr(parsed.query)
