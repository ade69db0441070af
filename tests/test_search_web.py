"""The site's browsing and search tools: advanced search, sorting, category pages (paged, filtered, sorted, counts
agreeing with the search), the filterable home list, related documents (cites / 被引用), validity, and /help."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SEED

from kb.build import build
from kb.extract.doctype import Period, period_status
from kb.store.knowledge import KnowledgeBase

DOC = SEED.stem  # 十堰市2019年科技创新工作要点

NOTICE = """十堰市科学技术局关于落实科技创新工作要点的通知

索引号

主题分类

发文日期
2019年08月01日 00:00:00
发布机构
十堰市科学技术局
文号
十科发〔2019〕8号
各县市区科技局：

现将落实《十堰市2019年科技创新工作要点》的有关事项通知如下，并请参照《湖北省不存在的科技办法》执行。

一、工作措施

（一）按照《十堰市2019年科技创新工作要点》，加强知识产权保护，开展专利宣传。
"""

PLAN = """某市科技创新三年行动计划（2024—2026年）

发布机构
某市人民政府
发文日期
2024年01月15日

一、主要任务

（一）加强知识产权运用，培育高价值专利。

（二）完善知识产权保护体系。
"""

LAW_V1 = """# 某市促进科技创新条例

2010年1月1日 某市人民代表大会常务委员会通过

<!-- INFO END -->

## 第一章 总则

第一条 为了促进科技创新，制定本条例。
"""

LAW_V2 = """# 某市促进科技创新条例

2010年1月1日 某市人民代表大会常务委员会通过

2021年6月1日 某市人民代表大会常务委员会修正

<!-- INFO END -->

## 第一章 总则

第一条 为了促进科技创新和成果转化，制定本条例。
"""

OLD_LAW = """# 某市科技进步条例

2008年5月1日 某市人民代表大会常务委员会通过

<!-- INFO END -->

第一条 为了促进科技进步，制定本条例。
"""

DECISION = """# 某市人民代表大会常务委员会关于废止部分地方性法规的决定

2022年3月1日 某市人民代表大会常务委员会通过

<!-- INFO END -->

某市人民代表大会常务委员会决定：

一、废止《某市科技进步条例》（2008年5月1日某市人民代表大会常务委员会通过）

本决定自公布之日起施行。
"""

UNSIGNED = """关于科技创新工作的几点说明

一、工作措施

（一）加强科技创新服务，做好知识产权咨询。
"""

FILES = {
    "unsigned.txt": UNSIGNED,
    "notice.txt": NOTICE,
    "plan3y.txt": PLAN,
    "law_v1.md": LAW_V1,
    "law_v2.md": LAW_V2,
    "old_law.md": OLD_LAW,
    "decision.md": DECISION,
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browse")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy2(SEED, docs / SEED.name)
    for name, text in FILES.items():
        (docs / name).write_text(text, encoding="utf-8")
    report = build([docs], root / "index", procs=1, quiet=True)
    assert report.published and not report.rejected, report.rejected
    return root / "index"


@pytest.fixture(scope="module")
def kb(index_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.open(index_dir)


@pytest.fixture(scope="module")
def app(index_dir: Path):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def category_url(name: str, **params: str) -> str:
    query = "&".join(f"{k}={quote(v)}" for k, v in params.items())
    return f"/categories/{quote(name, safe='')}" + (f"?{query}" if query else "")


# --- search page ------------------------------------------------------------------------------------------


def test_the_search_box_links_to_help_and_the_advanced_form(client) -> None:  # type: ignore[no-untyped-def]
    body = html(client.get("/search?q=知识产权"))
    assert 'href="/help"' in body
    assert (
        "高级检索" in body
        and 'name="doc_number"' in body
        and 'name="from"' in body
        and 'name="genre"' in body
    )
    assert 'href="/search?q=%E7%9F%A5%E8%AF%86%E4%BA%A7%E6%9D%83&amp;sort=date"' in body  # sort by date
    assert 'href="/help"' in html(client.get("/"))


def test_every_parameter_is_on_the_api_too(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get(
        "/api/search?q=知识产权&sort=date&type=measure&genre=要点&from=2019-01-01&to=2019-12-31"
    ).get_json()
    assert data["sort"] == "date" and data["total"] > 0
    assert data["params"] == {
        "q": "知识产权",
        "type": "measure",
        "genre": "要点",
        "from": "2019-01-01",
        "to": "2019-12-31",
        "sort": "date",
    }
    assert all(hit["type"] == "measure" and hit["doc_id"] == DOC for hit in data["results"])
    browse = client.get("/api/search?doc_number=十科发 2019").get_json()
    assert browse["browse"] and {hit["doc_id"] for hit in browse["results"]} == {"notice"}


@pytest.mark.parametrize("url", ["/search?q=科技&from=2019-13-01", "/api/search?q=科技&to=昨天"])
def test_a_bad_date_is_a_clear_400(client, url: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 400
    assert "日期格式不正确" in html(response)


def test_a_reversed_date_range_says_so(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/search?q=科技&from=2020-01-01&to=2019-01-01")
    assert response.status_code == 400 and "起始日期晚于截止日期" in response.get_json()["message"]


def test_not_stated_facet_values_read_and_filter(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?q=科技").get_json()
    agencies = {f["value"]: f["count"] for f in data["facets"]["agency"]}
    years = {f["value"]: f["count"] for f in data["facets"]["year"]}
    assert agencies["未注明"] > 0 and years["未注明"] > 0  # the unsigned, undated note
    assert "" not in agencies and "" not in years
    body = html(client.get("/search?q=科技"))
    assert "agency=%E6%9C%AA%E6%B3%A8%E6%98%8E" in body  # the 未注明 option is a link that filters
    narrowed = client.get("/api/search?q=科技&agency=未注明").get_json()
    assert narrowed["total"] == agencies["未注明"]
    assert {hit["doc_id"] for hit in narrowed["results"]} == {"unsigned"}
    home = client.get("/api/summary?agency=未注明").get_json()
    assert [d["id"] for d in home["documents"]] == ["unsigned"]


# --- categories -------------------------------------------------------------------------------------------


def test_category_page_counts_agree_with_the_search(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    category = max(kb.categories, key=lambda c: len(c.measure_ids))
    data = client.get(category_url(category.name).replace("/categories", "/api/categories")).get_json()
    search = client.get(f"/api/search?category={quote(category.name)}&type=measure&limit=100").get_json()
    assert data["total"] == search["total"] == len(category.measure_ids) == data["category"]["count"]
    assert data["facets"]["doc"] == search["facets"]["doc"]
    shown = [m["id"] for g in data["groups"] for m in g["measures"]]
    assert sorted(shown) == sorted(category.measure_ids)


def test_category_page_is_paged_filtered_and_sorted(client, kb: KnowledgeBase, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import web.pages.categories

    monkeypatch.setattr(web.pages.categories, "PER_PAGE", 2)
    category = next(c for c in kb.categories if len({kb.measure(i).doc_id for i in c.measure_ids}) >= 2)  # type: ignore[union-attr]
    api = category_url(category.name).replace("/categories", "/api/categories")
    first = client.get(api).get_json()
    assert first["pages"] == -(-len(category.measure_ids) // 2) and first["page"] == 1
    assert sum(len(g["measures"]) for g in first["groups"]) == 2
    pages = [client.get(f"{api}?page={p}").get_json() for p in range(1, first["pages"] + 1)]
    every = [m["id"] for d in pages for g in d["groups"] for m in g["measures"]]
    assert sorted(every) == sorted(category.measure_ids) and len(set(every)) == len(every)
    assert client.get(f"{api}?page=9999").get_json()["page"] == first["pages"]
    # Filter by document: only its measures, and the count is the facet's.
    doc_counts = {f["value"]: f["count"] for f in first["facets"]["doc"]}
    doc_id, count = next(iter(doc_counts.items()))
    narrowed = client.get(f"{api}?doc={doc_id}").get_json()
    assert narrowed["total"] == count
    assert {g["document"]["id"] for g in narrowed["groups"]} == {doc_id}
    # Sort by date: newest documents first.
    by_date = [client.get(f"{api}?sort=date&page={p}").get_json() for p in range(1, first["pages"] + 1)]
    dates = [g["document"].get("date", "") for d in by_date for g in d["groups"]]
    assert dates == sorted(dates, reverse=True)
    page = html(client.get(category_url(category.name)))
    assert 'rel="next"' in page and "按日期" in page and "筛选措施" in page


def test_category_year_filter_with_not_stated(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    category = max(kb.categories, key=lambda c: len(c.measure_ids))
    api = category_url(category.name).replace("/categories", "/api/categories")
    data = client.get(api).get_json()
    for option in data["facets"]["year"]:
        narrowed = client.get(f"{api}?year={quote(option['value'])}").get_json()
        assert narrowed["total"] == option["count"]


# --- home list ---------------------------------------------------------------------------------------------


def test_home_list_filters_by_agency_year_and_genre_and_sorts(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/summary").get_json()
    assert data["documents_total"] == len(kb.documents())
    kinds = {f["value"]: f["count"] for f in data["facets"]["genre"]}
    assert kinds["条例"] == 3 and kinds["要点"] == 1 and kinds["通知"] == 1 and kinds["未注明"] == 1
    laws = client.get("/api/summary?genre=条例").get_json()
    assert laws["documents_total"] == 3
    assert client.get("/api/summary?kind=条例").get_json()["documents_total"] == 3  # the old name
    assert {d["title"] for d in laws["documents"]} == {"某市促进科技创新条例", "某市科技进步条例"}
    by_agency = client.get("/api/summary?agency=十堰市科学技术局").get_json()
    assert {d["id"] for d in by_agency["documents"]} == {DOC, "notice"}
    by_year = client.get("/api/summary?year=2019").get_json()
    assert all(d["date"].startswith("2019") for d in by_year["documents"]) and by_year["documents_total"] == 2
    newest = client.get("/api/summary?sort=date").get_json()["documents"]
    dates = [d["date"] for d in newest]
    assert dates == sorted(dates, reverse=True)
    body = html(client.get("/?genre=条例"))
    assert "文种：条例" in body and "按日期" in body


# --- document page: related documents, validity ----------------------------------------------------------------


def test_document_page_lists_what_it_cites_and_who_cites_it(client) -> None:  # type: ignore[no-untyped-def]
    notice = client.get("/api/documents/notice").get_json()
    cites = notice["related"]["cites"]
    seed = next(c for c in cites if c["document"])
    assert seed["document"]["id"] == DOC and seed["count"] == 2 and seed["clause_url"]
    assert any(c["text"] == "《湖北省不存在的科技办法》" and c["document"] is None for c in cites)
    seed_page = client.get(f"/api/documents/{DOC}").get_json()
    assert {"id": "notice", "count": 2}.items() <= seed_page["related"]["cited_by"][0].items()
    body = html(client.get(f"/documents/{DOC}"))
    assert "被引用" in body and 'href="/documents/notice"' in body
    body = html(client.get("/documents/notice"))
    assert f'href="/documents/{DOC}"' in body and "库中未收录" in body


def test_plans_carry_their_period(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/documents/plan3y").get_json()["validity"]
    assert (data["period"], data["genre"]) == ("2024–2026", "计划")
    assert data["period_status"] == period_status(Period(2024, 2026), date.today().year)
    seed = client.get(f"/api/documents/{DOC}").get_json()["validity"]
    assert seed["period"] == "2019" and seed["period_status"] == period_status(
        Period(2019, 2019), date.today().year
    )
    body = html(client.get("/documents/plan3y"))
    assert "2024–2026" in body and "期限" in body


def test_laws_show_what_the_sources_say(client) -> None:  # type: ignore[no-untyped-def]
    old = client.get("/api/documents/old_law").get_json()["validity"]
    assert old["status"] == "已废止" and old["by"] == "decision"
    v1 = client.get("/api/documents/law_v1").get_json()["validity"]
    assert v1["status"] == "已修改" and v1["by"] == "law_v2"
    v2 = client.get("/api/documents/law_v2").get_json()["validity"]
    # Nothing says it ended: in force (issue 30: every document has a status), and the page says on what basis.
    assert v2["status"] == "现行有效" and v2["reason"] == "未见施行日期、有效期或废止的记载"
    assert v2["level"] == "地方性法规" and v2["history"] == [
        "2010年1月1日 某市人民代表大会常务委员会通过",
        "2021年6月1日 某市人民代表大会常务委员会修正",
    ]
    decision = client.get("/api/documents/decision").get_json()
    assert any(c["abolishes"] for c in decision["related"]["cites"])
    body = html(client.get("/documents/old_law"))
    assert "已废止" in body and 'href="/documents/decision"' in body
    assert "未见施行日期、有效期或废止的记载" in html(client.get("/documents/law_v2"))


# --- help ---------------------------------------------------------------------------------------------------


def test_help_page_explains_the_syntax(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/help")
    assert response.status_code == 200
    body = html(response)
    for words in ("引号", "排除", "同义词", "高级检索", "文号", "1000万元以上", "未注明", "type="):
        assert words in body, words
    assert "<table>" in body and "高新技术企业" in body  # the synonyms in use
    data = client.get("/api/help").get_json()
    assert data["markdown"].startswith("# 检索帮助") and data["synonyms"]


def test_help_markdown_is_sanitised() -> None:
    from web.pages.help import render_markdown

    html_out = str(
        render_markdown(
            "# 标题\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(1)) [好](/search?q=x)"
            "\n\n<img src=x onerror=alert(1)>"
        )
    )
    assert "<script" not in html_out and "javascript:" not in html_out and "onerror" not in html_out
    assert '<a href="/search?q=x"' in html_out and re.search(r"<h1[^>]*>标题</h1>", html_out)
