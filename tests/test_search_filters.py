"""The search engine's new tools on a small knowledge base written for them: quantities by value, abbreviations
without cross-word noise, sorting by date, the advanced filters (文号, 发布机构, 文种, dates, titles only),
browsing without a query, and facet values for what documents lack (未注明)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED

from kb.build import build
from kb.search.amounts import find_quantities
from kb.search.engine import SearchEngine, SearchResult
from kb.search.request import SearchRequest
from kb.store.knowledge import KnowledgeBase

PLAN = """某市2020年科技创新工作要点

索引号

主题分类

发文日期
2020年03月01日 00:00:00
发布机构
某市科学技术局
文号
某科发〔2020〕3号
为推动科技创新，制定本要点。

一、主要措施

（一）设立企业研发专项资金5000万元，支持企业研发。

（二）安排0.5亿元支持创新平台建设。

（三）对每家科技型企业补贴5000元。

（四）新增科技型企业5000户。

（五）带动社会资本投资5000亿元。

（六）设立五千万元成果转化基金。

（七）支持提高企业创新能力，落实研发费用加计扣除。

（八）培育高企20家，壮大创新主体。

（九）推动人工智能产业发展，建设算力中心。

（十）深化国企改革，推进混合所有制。

（十一）支持中国企业走出去，拓展国际市场。

（十二）对研发投入1200万元的企业给予奖励。
"""

NOTICE = """国务院关于促进科技成果转化的通知

索引号

主题分类

发文日期
2019年02月13日 00:00:00
发布机构
国务院
文号
国发〔2019〕4号
各省、自治区、直辖市人民政府：

一、工作措施

（一）加快科技成果转化，完善成果转化激励政策。
"""

OPINION = """国务院办公厅关于加快科技成果转化的意见

索引号

主题分类

发文日期
2018年11月05日 00:00:00
发布机构
国务院办公厅
文号
国办发〔2018〕12号
一、重点任务

（一）推动科技成果转化，建设技术转移机构。
"""

UNDATED = """关于科技成果转化工作的说明

一、工作措施

（一）做好科技成果转化服务。
"""

PLAN_ID, NOTICE_ID, OPINION_ID, UNDATED_ID = "plan2020", "notice2019", "opinion2018", "undated"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("filters")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy2(SEED, docs / SEED.name)
    for name, text in ((PLAN_ID, PLAN), (NOTICE_ID, NOTICE), (OPINION_ID, OPINION), (UNDATED_ID, UNDATED)):
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
    report = build([docs], root / "index", procs=1, quiet=True)
    assert report.published and not report.rejected, report.rejected
    return root / "index"


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> Iterator[SearchEngine]:
    eng = SearchEngine(index_dir)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def kb(index_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.open(index_dir)


def ids(result: SearchResult) -> list[str]:
    return [hit.id for hit in result.results]


def measure_text(kb: KnowledgeBase, measure_id: str) -> str:
    measure = kb.measure(measure_id)
    assert measure is not None, measure_id
    return measure.text


def measure_of(kb: KnowledgeBase, doc: str, fragment: str) -> str:
    found = [m.id for m in kb.measures(doc_id=doc) if fragment in m.text]
    assert len(found) == 1, (fragment, found)
    return found[0]


# --- quantities --------------------------------------------------------------------------------------------


def test_an_amount_finds_its_value_however_written_and_nothing_else(
    engine: SearchEngine, kb: KnowledgeBase
) -> None:
    result = engine.search("5000万元", type="measure", doc=PLAN_ID, limit=50)
    expected = {measure_of(kb, PLAN_ID, w) for w in ("5000万元", "0.5亿元", "五千万元")}
    assert set(ids(result)) == expected
    # 5000元, 5000户 and 5000亿元 share the digits, not the value.
    for wrong in ("5000元", "5000户", "5000亿元"):
        assert measure_of(kb, PLAN_ID, wrong) not in ids(result)
    # Written exactly as typed ranks first; the equal values follow.
    assert ids(result)[0] == measure_of(kb, PLAN_ID, "5000万元")
    assert set(ids(engine.search("0.5亿元", type="measure", doc=PLAN_ID, limit=50))) == expected


def test_every_hit_of_an_amount_holds_that_value(engine: SearchEngine, kb: KnowledgeBase) -> None:
    result = engine.search("5000万元", limit=100)
    assert result.total == len(result.results) > 3
    for hit in result.results:
        assert hit.type in ("measure", "target", "result", "document", "clause")
        text = hit.title.text + hit.snippet.text
        assert any(q.family == "元" and q.value == 5e7 for q in find_quantities(text)), hit.id
    # The hits of 0.5亿元 are marked as they are written.
    marked = [m for hit in result.results for m in re.findall(r"\[([^\]]+)\]", hit.snippet.plain("[", "]"))]
    assert "0.5亿元" in marked and "五千万元" in marked


@pytest.mark.parametrize(
    "query, accepts",
    [
        ("1000万元以上", lambda v: v >= 1e7),
        ("不超过1000万元", lambda v: v <= 1e7),
        ("1000—6000万元", lambda v: 1e7 <= v <= 6e7),
        ("5000万元左右", lambda v: 4.5e7 <= v <= 5.5e7),
    ],
)
def test_ranges_match_by_value(engine: SearchEngine, kb: KnowledgeBase, query: str, accepts) -> None:  # type: ignore[no-untyped-def]
    result = engine.search(query, type="measure", doc=PLAN_ID, limit=50)
    expected = {
        m.id
        for m in kb.measures(doc_id=PLAN_ID)
        if any(q.family == "元" and accepts(q.value) for q in find_quantities(m.text))
    }
    assert expected and set(ids(result)) == expected


def test_a_quoted_amount_is_a_phrase(engine: SearchEngine, kb: KnowledgeBase) -> None:
    result = engine.search('"5000万元"', type="measure", doc=PLAN_ID)
    assert ids(result) == [measure_of(kb, PLAN_ID, "5000万元")]


def test_an_amount_with_words(engine: SearchEngine, kb: KnowledgeBase) -> None:
    result = engine.search("研发 1000万元以上", type="measure", doc=PLAN_ID)
    assert set(ids(result)) == {measure_of(kb, PLAN_ID, "5000万元"), measure_of(kb, PLAN_ID, "1200万元")}


# --- abbreviations ----------------------------------------------------------------------------------------


def test_an_abbreviation_never_matches_across_two_words(engine: SearchEngine, kb: KnowledgeBase) -> None:
    high_tech = engine.search("高企", doc=PLAN_ID, type="measure")
    assert measure_of(kb, PLAN_ID, "培育高企") in ids(high_tech)
    assert measure_of(kb, PLAN_ID, "提高企业") not in ids(high_tech)  # 提高/企业
    state = engine.search("国企", doc=PLAN_ID, type="measure")
    assert ids(state) == [measure_of(kb, PLAN_ID, "国企改革")]  # not 中国/企业
    # A longer word still bridges jieba's cuts: 研发费用 inside 研发费用加计扣除.
    assert measure_of(kb, PLAN_ID, "加计扣除") in ids(engine.search("研发费用", doc=PLAN_ID))


def test_new_synonyms(engine: SearchEngine, kb: KnowledgeBase) -> None:
    result = engine.search("AI", doc=PLAN_ID, type="measure")
    assert ids(result) == [measure_of(kb, PLAN_ID, "人工智能")]


# --- sorting, filters, browsing ---------------------------------------------------------------------------


def test_sort_by_date_is_newest_first(engine: SearchEngine, kb: KnowledgeBase) -> None:
    result = engine.search("科技", type="document", sort="date")
    assert result.sort == "date"
    assert [h.doc_id for h in result.results] == [PLAN_ID, SEED.stem, NOTICE_ID, OPINION_ID, UNDATED_ID]
    relevance = engine.search("科技", type="document")
    assert relevance.total == result.total and set(ids(relevance)) == set(ids(result))
    assert ids(relevance) != ids(result)
    # Ties (one document's hits share its date) are in order of relevance.
    hits = engine.search("科技成果转化", doc=PLAN_ID, sort="date", limit=50).results
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    "number, expected",
    [
        ("国发〔2019〕4号", {NOTICE_ID}),
        ("国发[2019]4号", {NOTICE_ID}),
        ("国发（2019）第4号", {NOTICE_ID}),
        ("国发 2019", {NOTICE_ID}),
        ("国办发 2018", {OPINION_ID}),
        ("2019 4号", {NOTICE_ID}),
        ("国发〔2018〕4号", set()),
        ("某科发", {PLAN_ID}),
    ],
)
def test_doc_number_filter(engine: SearchEngine, number: str, expected: set[str]) -> None:
    result = engine.search("", doc_number=number, type="document")
    assert {h.doc_id for h in result.results} == expected
    assert result.browse and result.total == len(expected)


def test_agency_filter_takes_the_agency_or_those_containing_the_text(engine: SearchEngine) -> None:
    exact = engine.search("科技成果转化", agency="国务院", type="document")
    assert {h.doc_id for h in exact.results} == {NOTICE_ID}  # not 国务院办公厅
    contains = engine.search("", agency="科学技术局", type="document")
    assert {h.doc_id for h in contains.results} == {PLAN_ID, SEED.stem}
    via_synonym = engine.search("", agency="科技局", type="document")
    assert {h.doc_id for h in via_synonym.results} == {PLAN_ID, SEED.stem}


def test_genre_filter_and_facet(engine: SearchEngine) -> None:
    broad = engine.search("科技成果转化")
    kinds = dict(broad.facets["genre"])
    assert {"通知", "意见", "要点"} <= set(kinds)
    notices = engine.search("科技成果转化", genre="通知")
    assert notices.total == kinds["通知"] and {h.doc_id for h in notices.results} == {NOTICE_ID}


def test_date_range_filter(engine: SearchEngine) -> None:
    result = engine.search("科技成果转化", date_from="2019-01-01", date_to="2019-12-31", type="document")
    assert {h.doc_id for h in result.results} == {NOTICE_ID, SEED.stem} & {h.doc_id for h in result.results}
    assert NOTICE_ID in {h.doc_id for h in result.results}
    assert all(h.doc_id not in (PLAN_ID, OPINION_ID, UNDATED_ID) for h in result.results)
    assert (
        engine.search("科技成果转化", date_from="2019", date_to="2019", type="document").total == result.total
    )
    with pytest.raises(ValueError, match="日期格式"):
        engine.search("科技", date_from="2019-13-45")


def test_title_only(engine: SearchEngine) -> None:
    everywhere = engine.search("科技成果转化")
    titles = engine.search("科技成果转化", field="title")
    assert 0 < titles.total < everywhere.total
    for hit in titles.results:
        assert "科技成果转化" in hit.title.text or "成果转化" in hit.title.text, hit.id


def test_browsing_a_category_counts_what_the_knowledge_base_holds(
    engine: SearchEngine, kb: KnowledgeBase
) -> None:
    for category in kb.categories:
        result = engine.search("", category=category.name, type="measure", limit=100)
        assert result.browse and result.total == len(category.measure_ids), category.name
        assert {h.id for h in result.results} == set(category.measure_ids[:100]) or result.total > 100
    assert engine.search("").message  # no query and no filter: still asks for a word


def test_missing_values_are_a_facet_that_filters(engine: SearchEngine, kb: KnowledgeBase) -> None:
    result = engine.search("科技成果转化")
    agencies = dict(result.facets["agency"])
    assert agencies.get("未注明", 0) > 0
    assert sum(agencies.values()) == result.total  # every hit counted once
    missing = engine.search("科技成果转化", agency="未注明")
    assert missing.total == agencies["未注明"]
    assert {h.doc_id for h in missing.results} == {UNDATED_ID}
    years = dict(result.facets["year"])
    assert engine.search("科技成果转化", year="未注明").total == years["未注明"]


def test_filters_never_change_scores(engine: SearchEngine) -> None:
    everything = {h.id: h.score for h in engine.search("科技成果转化", limit=100).results}
    narrowed = engine.search("科技成果转化", genre="通知", limit=100)
    for hit in narrowed.results:
        assert hit.score == pytest.approx(everything[hit.id])
    assert np.isfinite([h.score for h in narrowed.results]).all()


def test_the_command_line_takes_the_same_filters(index_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from kb.cli import main

    capsys.readouterr()
    code = main(
        ["search", "", "--doc-number", "国发 2019", "--type", "document", "--index", str(index_dir), "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["browse"] and [hit["doc_id"] for hit in data["results"]] == [NOTICE_ID]
    main(["search", "科技", "--type", "document", "--sort", "date", "--index", str(index_dir), "--json"])
    assert json.loads(capsys.readouterr().out)["results"][0]["doc_id"] == PLAN_ID
    assert main(["search", "科技", "--from", "2019-99", "--index", str(index_dir)]) == 2
    assert "日期格式不正确" in capsys.readouterr().err


def test_old_spellings_of_kind_still_filter_by_type_or_genre(engine: SearchEngine) -> None:
    """``kind`` named the type of hit before issue 15 and the genre (文种) until issue 21: links keep working."""
    old_type = SearchRequest.from_params({"q": "科技", "kind": "measure"})
    assert old_type.type == "measure" and old_type.genre is None
    assert ids(engine.search(old_type)) == ids(engine.search("科技", type="measure"))
    old_genre = SearchRequest.from_params({"q": "科技成果转化", "kind": "通知"})
    assert old_genre.genre == "通知" and old_genre.type is None
    assert ids(engine.search(old_genre)) == ids(engine.search("科技成果转化", genre="通知"))
