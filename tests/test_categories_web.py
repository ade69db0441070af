"""Browsing by category (issue 30): /categories opens with the bureau's desks, then the State Council's 主题分类;
a category page lists its measures grouped by document, newest first, with the targets each serves; a measure's
page shows each category with its confidence and the words that decided it, and why each target is linked."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SEED

from kb.build import build
from kb.extract.links import WEAK_PRECISION, assign
from kb.extract.taxonomy import load_taxonomy
from kb.store.knowledge import KnowledgeBase

DOC = SEED.stem

PLAN_2025 = """某市知识产权强市建设行动方案（2025—2027年）

发布机构
某市人民政府
发文日期
2025年03月10日

一、主要任务

（一）加强知识产权保护。健全专利侵权纠纷快速处理机制，严厉打击商标侵权。

（二）促进专利转化运用。推动高校专利向中小企业转化，开展专利开放许可。
"""


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("categories")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy2(SEED, docs / SEED.name)
    (docs / "ip2025.txt").write_text(PLAN_2025, encoding="utf-8")
    # Weak links are built with the firm threshold at 0.7, where the seed has clear candidates below it (the shipped
    # 0.55 leaves the seed none): what a page shows of a weak link does not depend on where the threshold sits.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assign, "THRESHOLD", 0.7)
        report = build([docs], root / "index", procs=1, quiet=True)
    assert report.published and not report.rejected, report.rejected
    return root / "index"


@pytest.fixture(scope="module")
def kb(index_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.open(index_dir)


@pytest.fixture(scope="module")
def client(index_dir: Path):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def test_the_category_index_opens_with_the_bureaus_desks(client) -> None:  # type: ignore[no-untyped-def]
    taxonomy = load_taxonomy()
    desks = [c.name for c in taxonomy.categories if c.group == "科技"]
    data = client.get("/api/categories").get_json()
    assert [g["name"] for g in data["groups"]] == ["科技", "主题分类"]
    assert [c["name"] for c in data["groups"][0]["categories"]] == desks  # file order, never by count
    names = [c["name"] for c in data["categories"]]
    assert names[: len(desks)] == desks
    others = [c["name"] for c in data["groups"][1]["categories"]]
    assert others == [c.name for c in taxonomy.categories if c.name in others]
    body = client.get("/categories").get_data(as_text=True)
    desks_at, others_at = body.index(">科技工作分类</h2>"), body.index(">国务院主题分类</h2>")
    assert desks_at < body.index(">知识产权</a>") < others_at < body.index(">农业农村</a>")
    home = client.get("/api/summary").get_json()
    assert [c["name"] for c in home["categories"]][: len(desks)] == desks


def test_a_category_page_groups_measures_by_document_newest_first(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/categories/" + quote("知识产权", safe="")).get_json()
    documents = [g["document"]["id"] for g in data["groups"]]
    assert documents[0] == "ip2025" and DOC in documents  # 2025 before 2019
    dates = [g["document"]["date"] for g in data["groups"]]
    assert dates == sorted(dates, reverse=True)
    by_file = client.get("/api/categories/" + quote("知识产权", safe="") + "?sort=doc").get_json()
    assert sorted(g["document"]["id"] for g in by_file["groups"]) == sorted(documents)
    six = next(m for g in data["groups"] for m in g["measures"] if m["id"] == f"{DOC}.m3.6")
    assert any(t["indicator"] == "发明专利申请量" for t in six["targets"])  # the targets it serves
    body = client.get("/categories/" + quote("知识产权", safe="")).get_data(as_text=True)
    assert "发明专利申请量" in body


def test_a_measure_page_says_why_for_each_category_and_link(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    data = client.get(f"/api/measures/{DOC}.m3.6").get_json()
    measure = data["measure"]
    assert measure["categories"][0] == "知识产权"
    assert set(measure["category_words"]) == set(measure["categories"])
    assert all(0 < measure["category_confidence"][c] <= 1 for c in measure["categories"])
    assert any(w.startswith("首句：") and "知识产权" in w for w in measure["category_words"]["知识产权"])
    assert all(t["why"] for t in data["targets"])
    body = client.get(f"/measures/{DOC}.m3.6").get_data(as_text=True)
    assert "类别及依据" in body and "置信度" in body and "首句：知识产权" in body
    weak = [m.id for m in kb.measures() if any(ref.weak for ref in m.targets)]
    assert weak  # the seed has clear candidates below 0.7 (高新技术产业增加值 → (二))
    for measure_id in weak:  # a weak link says what it is and how often such links are right
        page = client.get(f"/measures/{measure_id}").get_data(as_text=True)
        assert "弱关联" in page and "唯一明显的候选" in page and f"{WEAK_PRECISION:.0%}" in page


def test_a_filtered_category_page_keeps_its_filters_in_its_search_link(client) -> None:  # type: ignore[no-untyped-def]
    """The list's "search inside it" link and form carry the validity filter as the user chose it (a regression:
    the document loop once overwrote it with the last document's status)."""
    data = client.get(
        "/api/categories/" + quote("知识产权", safe="") + "?validity=" + quote("现行有效")
    ).get_json()
    assert data["total"] > 0
    assert "validity=" + quote("现行有效") in data["search_url"]
    page = client.get(
        "/categories/" + quote("知识产权", safe="") + "?validity=" + quote("现行有效")
    ).get_data(True)
    assert 'name="validity" value="现行有效"' in page
    searched = client.get(data["search_url"].replace("/search", "/api/search", 1)).get_json()
    assert searched["total"] == data["total"]


def test_weak_links_are_shown_as_weak(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    weak = [(m, ref) for m in kb.measures() for ref in m.targets if ref.weak]
    firm = [(m, ref) for m in kb.measures() for ref in m.targets if not ref.weak]
    assert weak and firm
    measure, ref = weak[0]
    data = client.get(f"/api/measures/{measure.id}").get_json()
    assert any(t["id"] == ref.id and t["weak"] for t in data["targets"])
    assert "弱关联" in client.get(f"/measures/{measure.id}").get_data(as_text=True)
    assert "关联度" in client.get(f"/measures/{firm[0][0].id}").get_data(as_text=True)
