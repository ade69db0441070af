"""SearchEngine behaviour on the search test index (seed plan + a slice of the shared corpus).

Facets, filters, partial-match fallback, exclusion, phrases, hostile input, highlighting and HTML
safety, pagination, related measures, the type prior and the character-bigram recall field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import corpus_missing
from search_fixtures import corpus_available

from kb.build import build
from kb.search.engine import PARTIAL_MESSAGE, SearchEngine, SearchResult
from kb.store.knowledge import KnowledgeBase
from web.render import marked_html

SEED = "000_3ccc218f3f77786b"
IP_MEASURE = f"{SEED}.m3.6"  # (六) 着力加强知识产权保护与运用
FINANCE_MEASURE = f"{SEED}.m3.5"  # (五) 科技金融, 争取增资5000万元
FINANCE_TARGET = f"{SEED}.t3.5-1"  # 争取增资5000万元
POVERTY_MEASURE = f"{SEED}.m3.7"  # (七) 科技扶贫
CONSUMPTION_POVERTY = "008_5296b82ee41e1de0"  # 关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见
TAX_LAW = "2489_635973504aa30fca"  # 中华人民共和国个人所得税法

needs_corpus = pytest.mark.skipif(not corpus_available(), reason=corpus_missing())


@pytest.fixture(scope="module")
def engine(search_index: Path) -> Iterator[SearchEngine]:
    eng = SearchEngine(search_index)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def kb(search_index: Path) -> KnowledgeBase:
    return KnowledgeBase.open(search_index)


def ids(result: SearchResult) -> list[str]:
    return [hit.id for hit in result.results]


# --- facets and filters ---------------------------------------------------------------------------


def test_type_and_doc_facets_partition_the_results(engine: SearchEngine) -> None:
    result = engine.search("科技创新")
    assert result.total > 10
    for name in ("type", "doc"):
        # Every hit has exactly one type and one document.
        assert sum(count for _, count in result.facets[name]) == result.total, name


def test_optional_facets_never_count_more_than_the_results(engine: SearchEngine) -> None:
    result = engine.search("科技创新")
    for name in ("agency", "year"):  # hits without an agency/year are simply not counted
        counts = dict(result.facets[name])
        assert counts and sum(counts.values()) <= result.total, name
    categories = dict(result.facets["category"])
    # A measure may have several categories; no category can count more hits than there are.
    assert categories and max(categories.values()) <= result.total
    assert "知识产权" in categories


def test_facets_are_sorted_by_count(engine: SearchEngine) -> None:
    facets = engine.search("科技").facets
    for values in facets.values():
        counts = [count for _, count in values]
        assert counts == sorted(counts, reverse=True)


@needs_corpus
@pytest.mark.parametrize("facet, option", [("type", "type"), ("doc", "doc"), ("category", "category")])
def test_a_filter_narrows_to_its_facet_count(engine: SearchEngine, facet: str, option: str) -> None:
    broad = engine.search("科技创新")
    value, count = broad.facets[facet][0]
    narrow = engine.search("科技创新", **{option: value}, limit=100)
    assert narrow.total == count < broad.total
    assert narrow.facets[facet][0] == (value, count)


def test_type_filter_returns_only_that_type(engine: SearchEngine) -> None:
    for kind in ("document", "measure", "target", "clause"):
        result = engine.search("科技", type=kind, limit=50)
        assert result.results, kind
        assert {hit.type for hit in result.results} == {kind}
        assert dict(result.facets["type"]) == {kind: result.total}


@needs_corpus
def test_doc_and_year_filters(engine: SearchEngine) -> None:
    result = engine.search("知识产权", doc=SEED, limit=50)
    assert result.results and {hit.doc_id for hit in result.results} == {SEED}
    assert IP_MEASURE in ids(result)
    assert engine.search("知识产权", year="2019").total < engine.search("知识产权").total
    assert engine.search("知识产权", doc="no-such-document").total == 0


# --- query semantics ------------------------------------------------------------------------------


def test_partial_match_fallback_says_so(engine: SearchEngine) -> None:
    result = engine.search("知识产权 夸克星云")
    assert result.partial
    assert result.message == PARTIAL_MESSAGE
    assert result.total > 0 and IP_MEASURE in ids(engine.search("知识产权 夸克星云", limit=20))
    full = engine.search("知识产权 培训")
    assert not full.partial and full.message == ""


def test_nothing_found_has_a_message(engine: SearchEngine) -> None:
    result = engine.search("夸克星云")
    assert result.total == 0 and not result.results and result.message


@needs_corpus
def test_minus_word_excludes(engine: SearchEngine, kb: KnowledgeBase) -> None:
    with_all = ids(engine.search("扶贫", limit=100))
    without = engine.search("扶贫 -消费", limit=100)
    assert POVERTY_MEASURE in ids(without)
    assert len(without.results) < len(with_all)
    for hit in without.results:
        assert "消费" not in _plain(hit.title) + _plain(hit.snippet)
        if hit.type == "measure":
            measure = kb.measure(hit.id)
            assert measure is not None and "消费" not in measure.text
    if corpus_available():
        assert f"{CONSUMPTION_POVERTY}.m2.1" in with_all
        assert all(not i.startswith(CONSUMPTION_POVERTY + ".m2") for i in ids(without))


@needs_corpus
def test_quoted_phrase_is_stricter_than_its_words(engine: SearchEngine) -> None:
    words = engine.search("科技 金融", limit=100)
    phrase = engine.search('"科技金融"', limit=100)
    assert 0 < phrase.total < words.total
    assert FINANCE_MEASURE in ids(phrase)
    assert FINANCE_MEASURE in ids(words)
    # The words match in any order; the phrase only where they stand together.
    assert engine.search("金融 科技").total == words.total


@needs_corpus
def test_adjacent_words_rank_above_scattered_ones(engine: SearchEngine) -> None:
    # 融资担保 is cut into 融资/担保; hits holding them together come first, marked whole.
    result = engine.search("融资担保", limit=5)
    assert result.results
    for hit in result.results[:3]:
        assert "<mark>融资担保</mark>" in str(marked_html(hit.title)) + str(marked_html(hit.snippet))


def test_measure_outranks_its_own_target(engine: SearchEngine) -> None:
    ranked = ids(engine.search("5000万元"))
    assert ranked[:2] == [FINANCE_MEASURE, FINANCE_TARGET]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 5000,
        "知识产权" * 1250,
        "。，、；！？…—",
        "!!! ??? ***",
        "🚀🔥",
        "知识产权 🚀",
        '"知识产权',
        "“科技金融",
        "title:foo",
        "知识*",
        "AND OR NOT",
        "NOT 知识产权",
        "-知识产权",
        "--",
        "a AND b OR c",
        "(知识产权",
        "[1 TO 5]",
        "知识产权^5",
        "\x00\x1f\u200b",
        "5-10",
        "1+X",
    ],
)
def test_hostile_queries_never_raise(engine: SearchEngine, query: str) -> None:
    result = engine.search(query)
    assert isinstance(result, SearchResult)
    assert result.results or result.message
    assert result.total >= len(result.results)


def test_only_exclusions_asks_for_a_word(engine: SearchEngine) -> None:
    result = engine.search("-知识产权")
    assert result.total == 0 and result.message


# --- results: ids, totals, pagination --------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["知识产权", "科技创新", "42家", "高企", pytest.param("职业教育 实训基地", marks=needs_corpus)]
)
def test_every_result_id_is_known_to_the_knowledge_base(
    engine: SearchEngine, kb: KnowledgeBase, query: str
) -> None:
    result = engine.search(query, limit=50)
    assert result.results
    assert result.total >= len(result.results)
    for hit in result.results:
        assert kb.type_of(hit.id) == hit.type, hit.id
        assert hit.url and hit.doc_title


def test_pages_are_disjoint_and_ordered(engine: SearchEngine) -> None:
    first = engine.search("科技", limit=10, offset=0)
    second = engine.search("科技", limit=10, offset=10)
    assert len(first.results) == len(second.results) == 10
    assert not set(ids(first)) & set(ids(second))
    assert first.results[-1].score >= second.results[0].score
    assert ids(engine.search("科技", limit=20)) == ids(first) + ids(second)
    beyond = engine.search("科技", offset=first.total + 5)
    assert beyond.results == [] and beyond.total == first.total


# --- highlighting and HTML safety --------------------------------------------------------------------


def _plain(markup: object) -> str:
    return re.sub(r"</?mark>", "", str(markup))


def test_marks_wrap_whole_words(engine: SearchEngine) -> None:
    result = engine.search("知识产权", limit=20)
    html = "".join(str(marked_html(hit.title)) + str(marked_html(hit.snippet)) for hit in result.results)
    assert "<mark>知识产权</mark>" in html
    assert "<mark>知识</mark>" not in html and "<mark>产权</mark>" not in html
    traditional = engine.search("知識產權", limit=5)
    assert "<mark>知识产权</mark>" in "".join(str(marked_html(h.snippet)) for h in traditional.results)


def test_number_queries_mark_number_and_unit(engine: SearchEngine) -> None:
    hit = engine.search("42家").results[0]
    assert "<mark>42家</mark>" in str(marked_html(hit.snippet))


def test_snippets_escape_everything_but_marks(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "xss.txt").write_text(
        "测试文件\n\n一、知识产权<script>alert(1)</script>保护工作 <b>加粗</b> & 其他\n",
        encoding="utf-8",
    )
    build([docs], tmp_path / "index", procs=1, quiet=True)
    engine = SearchEngine(tmp_path / "index")
    try:
        result = engine.search("知识产权")
        assert result.results
        for hit in result.results:
            html = str(marked_html(hit.title)) + str(marked_html(hit.snippet))
            assert "<script>" not in html and "<b>" not in html
            assert re.sub(r"</?mark>", "", html).count("<") == 0
        snippets = "".join(str(marked_html(hit.snippet)) for hit in result.results)
        assert "&lt;script&gt;" in snippets and "&amp;" in snippets
        assert "<mark>知识产权</mark>" in snippets
    finally:
        engine.close()


# --- related measures and recall -----------------------------------------------------------------------


@needs_corpus
def test_related_measures_come_from_other_documents(engine: SearchEngine, kb: KnowledgeBase) -> None:
    related = engine.related(IP_MEASURE, limit=5)
    assert related
    for hit in related:
        assert hit.type == "measure" and hit.doc_id != SEED
        assert kb.type_of(hit.id) == "measure"
    assert engine.related("no-such-measure") == []


@needs_corpus
def test_bigram_recall_finds_the_tax_law_by_its_inner_word(engine: SearchEngine) -> None:
    # jieba cuts the law's title as 中华人民共和国/个人所得税法: only the bigram field joins the two.
    result = engine.search("个人所得税", limit=10)
    assert any(i == TAX_LAW or i.startswith(TAX_LAW + ".") for i in ids(result))
    assert TAX_LAW in ids(engine.search("个人所得税", type="document", limit=5))


@needs_corpus
def test_synonym_finds_the_full_form(engine: SearchEngine) -> None:
    result = engine.search("自贸区 知识产权", limit=5)
    assert "056_96e9a15fd0d1db42.m3.8" in ids(result)  # 自贸试验区开展知识产权证券化试点
    assert not result.partial


def test_warming_builds_todays_facet_runs_before_the_first_search(search_index: Path) -> None:
    """A web process warms a new generation before it serves it: the facet runs (counted once per generation and
    day) are part of that, so the first search does not pay for them."""
    engine = SearchEngine(search_index)
    try:
        engine.warm()
        runs = dict(engine._runs)
        assert len(runs) == 1
        engine.search("专利")
        assert engine._runs == runs  # the first search found them built
    finally:
        engine.close()
