"""The web site through Flask's test client: every page and its /api twin, escaping, errors, export, reload."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from kb.build import build
from kb.cite.citation import cite
from kb.store.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "documents"
DOC = "000_3ccc218f3f77786b"
SIX = f"{DOC}.m3.6"
SIX_CLAUSE = f"{DOC}.s3.6"
HOSTILE_TITLE = "测试<script>alert(1)</script>工作方案"

HOSTILE = """测试<script>alert(1)</script>工作方案

发布机构
测试局<img src=x onerror=alert(1)>
文号
测发〔2020〕1号
发文日期
2020年3月1日

为做好测试工作，制定本方案。

一、主要目标

——到2021年，全市研发经费投入达到50亿元。

——新建众创空间20家。

二、工作措施

（一）加强<script>alert(1)</script>保护。组织专利宣传<img src=x onerror=alert(1)>活动。

（二）推动众创空间建设，新建一批众创空间和孵化器。
"""

MARKDOWN = """---
title: 某市促进人工智能产业发展若干措施
agency: 某市人民政府办公室
date: 2021-03-01
doc_number: 某政办发〔2021〕5号
---

为加快人工智能产业发展，制定以下措施。

## 一、支持企业创新

（一）支持知识产权创造。对人工智能企业获得发明专利授权的，每件奖励1万元，到2022年全市人工智能发明专利达到500件。

（二）支持平台建设。对新认定的省级以上人工智能创新平台给予50万元奖励。

## 二、优化发展环境

（三）加强人才引进。引进人工智能高端人才100名以上。
"""

REGULATION = """某市科技创新促进条例

第一条 为了促进科技创新，根据有关法律、行政法规，结合本市实际，制定本条例。

第二条 本市行政区域内的科技创新活动，适用本条例。

第三条 本条例自2020年1月1日起施行。
"""

LATE_ARRIVAL = """某市关于支持科技型中小企业发展的通知

一、工作措施

（一）实施科技型中小企业评价。推动科技型中小企业入库。
"""


def write_documents(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEED_DIR.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (folder / "ai_measures.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "regulation.txt").write_text(REGULATION, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("web")
    documents = write_documents(base / "documents")
    index = base / "index"
    build([documents], index, procs=1, quiet=True)
    return index


@pytest.fixture(scope="session")
def kb(index_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.open(index_dir)


@pytest.fixture(scope="session")
def app(index_dir: Path):
    from web import create_app

    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def html(response) -> str:
    return response.get_data(as_text=True)


def assert_safe_page(response) -> None:
    """Security headers present, and no inline script: every <script> tag has a src."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("Referrer-Policy") == "same-origin"
    if response.mimetype == "text/html":
        body = html(response)
        for tag in re.findall(r"<script\b[^>]*>", body, flags=re.I):
            assert re.search(r"\bsrc=\"/static/[\w.-]+\.js\"", tag), f"inline script: {tag}"
        assert not re.search(r"<[a-zA-Z][^>]*\son\w+\s*=", body), "inline event handler"
        assert "<img src=x" not in body


PAGES = [
    "/",
    "/search?q=知识产权",
    f"/measures/{SIX}",
    f"/targets/{DOC}.t2.2-2",
    f"/documents/{DOC}",
    "/documents/hostile",
    "/documents/ai_measures",
    "/documents/regulation",
    "/categories",
    "/categories/知识产权",
    "/basket",
    f"/clauses/{SIX_CLAUSE}",
    "/clauses/hostile.s2.1",
    "/clauses/regulation.s2",
    "/compare",  # the chooser: no pair of successive documents in this library, the form still there
]
APIS = [
    "/api/",
    "/api/summary",
    "/api/search?q=知识产权",
    f"/api/measures/{SIX}",
    f"/api/targets/{DOC}.t2.2-2",
    f"/api/documents/{DOC}",
    f"/api/clauses/{SIX_CLAUSE}",
    "/api/categories",
    "/api/categories/知识产权",
    f"/api/items?ids={SIX}",
    "/api/compare",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_safely(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    assert_safe_page(response)
    body = html(response)
    assert '<html lang="zh-CN">' in body
    assert 'href="#main"' in body  # skip link


@pytest.mark.parametrize("url", APIS)
def test_api_twins_answer_json(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/json"
    assert_safe_page(response)
    assert isinstance(response.get_json(), dict)


def test_home_lists_documents_categories_and_figures(client, kb: KnowledgeBase) -> None:
    body = html(client.get("/"))
    assert "十堰市2019年科技创新工作要点" in body
    assert "011081248/2019-00001" in body
    assert "某政办发〔2021〕5号" in body
    assert 'href="/categories/%E7%9F%A5%E8%AF%86%E4%BA%A7%E6%9D%83"' in body  # 知识产权
    assert f"<strong>{kb.stats()['measures']}</strong>" in body
    data = client.get("/api/summary").get_json()
    assert data["stats"] == kb.stats()
    assert {d["id"] for d in data["documents"]} == {DOC, "hostile", "ai_measures", "regulation"}


def test_search_finds_measure_six_first_with_target_chips(client) -> None:
    body = html(client.get(f"/search?q=知识产权&doc={DOC}"))
    first = body.index('class="hit"')
    assert f'href="/measures/{SIX}"' in body[first : first + 2000]
    assert "<mark>知识产权</mark>" in body
    assert f'href="/targets/{DOC}.t2.2-2"' in body  # chip of 发明专利申请量 on the (六) hit
    assert "发明专利申请量" in body
    assert 'class="badge badge-measure"' in body
    assert "类型" in body and "type=measure" in body  # facet links narrow by the type of hit
    data = client.get(f"/api/search?q=知识产权&doc={DOC}").get_json()
    assert data["results"][0]["id"] == SIX
    everywhere = client.get("/api/search?q=知识产权").get_json()
    assert SIX in [hit["id"] for hit in everywhere["results"][:3]]
    assert data["total"] >= 1
    assert {"query", "total", "offset", "limit", "partial", "message", "results", "facets"} <= set(data)
    assert data["linked_targets"][SIX]


def test_search_filters_are_links_that_add_and_remove(client) -> None:
    body = html(client.get("/search?q=知识产权&type=measure"))
    assert "类型：措施" in body
    assert 'href="/search?q=%E7%9F%A5%E8%AF%86%E4%BA%A7%E6%9D%83"' in body  # removes the type filter
    data = client.get("/api/search?q=知识产权&type=measure").get_json()
    assert data["results"] and all(hit["type"] == "measure" for hit in data["results"])
    # A link from before type= (kind=measure) still filters by the type of hit.
    old = client.get("/api/search?q=知识产权&kind=measure").get_json()
    assert [h["id"] for h in old["results"]] == [h["id"] for h in data["results"]]
    # An unknown type is ignored rather than failing; an unknown 文种 finds nothing.
    assert client.get("/search?q=知识产权&type=bogus").status_code == 200
    assert client.get("/api/search?q=知识产权&kind=bogus").get_json()["total"] == 0


def test_search_zero_hits_and_empty_query(client) -> None:
    body = html(client.get("/search?q=zzqqxxyy&category=不存在的类别"))
    assert "没有找到结果" in body
    assert "去掉筛选条件" in body
    assert "减少检索词" in body
    assert client.get("/search").status_code == 200
    assert client.get("/search?q=").status_code == 200


@pytest.mark.parametrize("page", ["999", "0", "-3", "abc", "1e9", "99999999999999999999"])
def test_search_pages_are_bounded(client, page: str) -> None:
    response = client.get(f"/search?q=科技&page={page}")
    assert response.status_code == 200
    api = client.get(f"/api/search?q=科技&page={page}").get_json()
    assert 1 <= api["page"] <= api["pages"]
    if page == "999":
        assert "已显示最后一页" in html(response)
        assert api["page"] == api["pages"]


def test_hostile_query_is_escaped(client) -> None:
    query = "<script>alert(1)</script>"
    for url in (f"/search?q={query}", f"/search?q=x&category={query}&agency={query}"):
        response = client.get(url)
        assert response.status_code == 200
        body = html(response)
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert_safe_page(response)


def test_long_query_is_truncated(client) -> None:
    response = client.get("/search?q=" + "科" * 5000)
    assert response.status_code == 200
    value = re.search(r'id="search-q"[^>]*value="([^"]*)"', html(response), flags=re.S)
    assert value is not None and len(value.group(1)) == 200
    api = client.get("/api/search?q=" + "技" * 5000)
    assert api.status_code == 200
    assert len(api.get_json()["query"]) <= 200


@pytest.mark.parametrize(
    "url",
    ["/documents/hostile", "/", "/categories", "/search?q=保护", "/search?q=测试", "/measures/hostile.m2.1"],
)
def test_hostile_document_is_escaped(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    body = html(response)
    assert "<script>alert(1)" not in body
    assert "<img src=x" not in body
    assert_safe_page(response)


def test_hostile_document_text_is_shown_verbatim(client) -> None:
    body = html(client.get("/documents/hostile"))
    assert "测试&lt;script&gt;alert(1)&lt;/script&gt;工作方案" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    data = client.get("/api/documents/hostile").get_json()
    assert data["document"]["title"] == HOSTILE_TITLE
    hostile_measure = next(m for m in data["measures"] if "<script>" in m["headline"])
    page = client.get(hostile_measure["url"])
    assert page.status_code == 200
    assert "<script>alert(1)" not in html(page)


def test_measure_page_of_six(client, kb: KnowledgeBase) -> None:
    response = client.get(f"/measures/{SIX}")
    body = html(response)
    measure = kb.measure(SIX)
    assert measure is not None
    # Breadcrumb: document › section › (六)
    assert "十堰市2019年科技创新工作要点" in body and "三、主要措施" in body and "(六)" in body
    # The verbatim text, with the linked target's mention marked (escaping leaves this text as is).
    plain = re.sub(r"<[^>]+>", "", body)
    assert measure.text in plain
    assert re.search(r"<mark[^>]*><a[^>]*>组织各类培训8次</a></mark>", body)
    # The official citation, exactly as kb.cite.citation makes it; the 本库链接 on its own.
    dkb = kb.document_kb(DOC)
    assert dkb is not None
    official = cite(measure, dkb.document, "official")
    assert (
        official.reference
        == "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）三、主要措施（六）"
    )
    assert official.reference in body
    assert "复制引文" in body and "复制原文及出处" in body and "本库链接" in body
    assert (
        'data-copy="reference"' in body and 'data-copy="text"' in body and f'data-basket-add="{SIX}"' in body
    )
    assert 'href="/categories/%E7%9F%A5%E8%AF%86%E4%BA%A7%E6%9D%83"' in body
    assert "发明专利申请量" in body and "2100件" in body
    assert "关联度" in body


def test_measure_api_includes_citations(client) -> None:
    data = client.get(f"/api/measures/{SIX}").get_json()
    styles = {c["style"]: c for c in data["citations"]}
    assert {"official", "gbt7714", "gbt7714-2025", "markdown"} <= set(styles)
    assert "《十堰市2019年科技创新工作要点》" in styles["official"]["text"]
    assert data["measure"]["id"] == SIX
    assert any(t["id"] == f"{DOC}.t2.2-2" for t in data["targets"])
    assert "".join(s["text"] for s in data["segments"]) == data["measure"]["text"]


def test_target_page(client) -> None:
    response = client.get(f"/targets/{DOC}.t2.2-2")
    body = html(response)
    assert "发明专利申请量" in body and "2100件" in body
    assert re.search(r"<mark[^>]*><a[^>]*>全市发明专利申请量达到2100件</a></mark>", body)
    assert f'href="/measures/{SIX}"' in body
    assert "《十堰市2019年科技创新工作要点》" in body
    data = client.get(f"/api/targets/{DOC}.t2.2-2").get_json()
    assert data["measures"][0]["id"] == SIX and data["citations"]
    styles = {c["style"]: c for c in data["citations"]}
    assert (
        styles["official"]["reference"]
        == "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）二、主要目标第二项"
    )
    assert 'data-copy="reference"' in body and 'data-copy="text"' in body
    for c in data["citations"]:
        assert "/targets/" not in c["reference"]  # the site's own (relative) address is never a reference
    assert styles["gbt7714"]["permalink"] == f"/targets/{DOC}.t2.2-2"


def test_document_page_has_an_anchor_for_every_clause(client, kb: KnowledgeBase) -> None:
    body = html(client.get(f"/documents/{DOC}"))
    dkb = kb.document_kb(DOC)
    assert dkb is not None
    clause_ids = [c.id for c in dkb.clauses()]
    assert SIX_CLAUSE in clause_ids
    for clause_id in clause_ids:
        assert f'id="{clause_id}"' in body
    for measure in kb.measures(doc_id=DOC):
        assert f'id="{measure.id}"' in body  # export permalinks point at measure anchors
    for label in ("标题", "发布机构", "发文日期", "文号", "索引号", "主题分类", "来源文件"):
        assert f'<th scope="row">{label}</th>' in body
    plain = re.sub(r"<[^>]+>", "", body.split('class="doc-body"', 1)[1].split("</div>", 1)[0])
    assert plain.split(">", 1)[1].startswith(dkb.document.text[:20])
    assert "组织各类培训8次" in plain


def test_document_coverage_view(client) -> None:
    body = html(client.get("/documents/hostile"))
    without = body.split('data-coverage="targets-without-measures"', 1)[1].split("</ul>", 1)[0]
    assert "研发经费投入" in without
    unlinked = body.split('data-coverage="measures-without-targets"', 1)[1].split("</ul>", 1)[0]
    assert "（一）" in unlinked
    data = client.get("/api/documents/hostile").get_json()
    assert [t["indicator"] for t in data["coverage"]["targets_without_measures"]] == ["研发经费投入"]
    seed = html(client.get(f"/documents/{DOC}"))
    assert 'class="matrix"' in seed


def test_document_without_measures_says_so(client) -> None:
    body = html(client.get("/documents/regulation"))
    assert "未识别到措施（本文件可能是法规或报告）" in body


def test_markdown_document_page(client) -> None:
    body = html(client.get("/documents/ai_measures"))
    assert "某市促进人工智能产业发展若干措施" in body and "某政办发〔2021〕5号" in body
    plain = re.sub(r"<[^>]+>", "", body)
    assert "## 一、支持企业创新" in plain  # verbatim text: Markdown is quoted, not rendered


def test_clause_page_offers_its_citation(client) -> None:
    response = client.get(f"/clauses/{SIX_CLAUSE}")
    assert response.status_code == 200
    assert_safe_page(response)
    body = html(response)
    assert f'href="/documents/{DOC}#{SIX_CLAUSE}"' in body  # read in place, in the document
    assert 'data-copy="reference"' in body and 'data-copy="text"' in body
    assert f'data-basket-add="{SIX_CLAUSE}"' in body
    assert "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）三、主要措施（六）" in body
    data = client.get(f"/api/clauses/{SIX_CLAUSE}").get_json()
    assert data["clause"]["text"].startswith("(六)")
    assert any("《十堰市2019年科技创新工作要点》" in c["text"] for c in data["citations"])
    assert data["permalink"] == f"/clauses/{SIX_CLAUSE}"
    toc = html(client.get(f"/documents/{DOC}"))
    assert f'href="/clauses/{SIX_CLAUSE}"' in toc  # the document's outline links every clause's citation


def test_categories_list_intellectual_property_with_measure_six(client) -> None:
    body = html(client.get("/categories"))
    assert "知识产权" in body and f'href="/measures/{SIX}"' in body
    body = html(client.get("/categories/知识产权"))
    assert f'href="/measures/{SIX}"' in body
    assert "十堰市2019年科技创新工作要点" in body
    assert f'href="/targets/{DOC}.t2.2-2"' in body  # with its targets
    data = client.get("/api/categories/知识产权").get_json()
    assert any(m["id"] == SIX for g in data["groups"] for m in g["measures"])


@pytest.mark.parametrize(
    "url",
    [
        "/measures/nope",
        "/targets/nope",
        "/documents/nope",
        "/clauses/nope.s1",
        "/clauses/nope",
        "/categories/没有这个类别",
        "/measures/../etc/passwd",
        "/documents/..%2F..%2Fetc%2Fpasswd",
        "/documents/..",
        "/documents/" + "a" * 121,
        "/measures/%3Cscript%3E",
        "/no-such-page",
    ],
)
def test_unknown_ids_are_friendly_404s(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    body = html(response)
    assert "没有找到" in body or "不存在" in body
    assert 'href="/"' in body and 'type="search"' in body
    assert "<script>alert" not in body
    assert_safe_page(response)


@pytest.mark.parametrize(
    "url", ["/api/measures/nope", "/api/documents/..", "/api/targets/x", "/api/clauses/x.s9", "/api/nothing"]
)
def test_api_unknown_ids_are_json_404s(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["error"] == 404


def test_the_site_offers_no_way_to_write(client) -> None:
    for url in ("/", f"/measures/{SIX}", "/api/search", "/export"):
        response = client.post(url, data={"q": "x"})
        assert response.status_code == 405
        assert_safe_page(response)
    assert "不支持" in html(client.post("/"))


def test_items_api_keeps_order_and_reports_missing(client) -> None:
    ids = [f"{DOC}.t2.2-2", SIX, "gone.m1", SIX_CLAUSE]
    data = client.get("/api/items?ids=" + ",".join(ids)).get_json()
    assert [i["id"] for i in data["items"]] == [ids[0], ids[1], ids[3]]
    assert data["missing"] == ["gone.m1"]
    assert data["items"][1]["citation"].startswith("《十堰市2019年科技创新工作要点》")
    target = data["items"][0]
    assert target["headline"] == "全市发明专利申请量达到2100件"
    assert target["citations"]["official"]["reference"].endswith("二、主要目标第二项")
    assert (
        target["citations"]["gbt7714"]["reference"]
        == "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
    )
    assert target["citations"]["official"]["text"].startswith(target["quote"])
    assert client.get("/api/items?ids=../x").status_code == 400
    assert client.get("/api/items").status_code == 400


def test_export_markdown_holds_the_quotes(client, kb: KnowledgeBase) -> None:
    response = client.get(f"/export?ids={SIX},{DOC}.t2.2-2&format=md")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data(as_text=True)
    measure = kb.measure(SIX)
    assert measure is not None
    assert "> " + measure.text.splitlines()[0] in text
    assert "十堰市2019年科技创新工作要点" in text
    assert text.index("(六)") < text.index("发明专利申请量")  # the order asked for


def test_export_docx_opens_in_python_docx(client, kb: KnowledgeBase) -> None:
    import docx

    response = client.get(f"/export?ids={SIX}&format=docx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".docx" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    measure = kb.measure(SIX)
    assert measure is not None
    assert measure.text.splitlines()[0] in text
    assert "《十堰市2019年科技创新工作要点》" in text


def test_export_styles_and_site_links(client, index_dir: Path) -> None:
    """The style is the basket's choice; links to the site only with SITE_URL, never from the Host header."""
    import docx

    ids = f"{SIX},{DOC}.t2.2-2"
    md = html(client.get(f"/export?ids={ids}&format=md&style=official", headers={"Host": "evil.example"}))
    assert "出处：《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）二、主要目标第二项" in md
    assert "## 引用文件" in md and "本库链接" not in md and "evil.example" not in md and "127.0.0.1" not in md
    md = html(client.get(f"/export?ids={ids}&format=md&style=gbt7714"))
    assert "## 参考文献\n\n[1] 十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08.\n" in md
    md = html(client.get(f"/export?ids={ids}&format=md&style=gbt7714-2025"))
    assert "[1] 十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08." in md
    from web import create_app

    site = create_app(
        {"INDEX_DIR": str(index_dir), "TESTING": True, "SITE_URL": "https://kb.example"}
    ).test_client()
    data = site.get(f"/export?ids={ids}&format=docx&style=gbt7714").data
    document = docx.Document(io.BytesIO(data))
    links = [link.url for p in document.paragraphs for link in p.hyperlinks]
    assert links == [f"https://kb.example/measures/{SIX}", f"https://kb.example/targets/{DOC}.t2.2-2"]
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.1)
    assert site.get(f"/api/measures/{SIX}").get_json()["permalink"] == f"https://kb.example/measures/{SIX}"


def test_export_of_hostile_metadata_carries_no_html(client) -> None:
    import markdown

    md = html(client.get("/export?ids=hostile.m2.1&format=md&style=gbt7714"))
    rendered = markdown.markdown(md)
    assert set(re.findall(r"<\s*([a-zA-Z0-9]+)", rendered)) <= {"h1", "h2", "h3", "blockquote", "p"}
    assert "&lt;script&gt;" in md and "<script" not in md and "<img" not in md


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        (f"ids={SIX},nope.m9&format=md", "nope.m9"),
        (f"ids={SIX}&format=pdf", "docx"),
        (f"ids={SIX}&format=md&style=apa", "gbt7714"),
        (f"ids={SIX}&format=md&style=markdown", "引用格式"),
        ("format=md", "ids"),
        ("ids=" + ",".join(["x.m1"] * 201) + "&format=md", "200"),
        ("ids=../../etc/passwd&format=md", "编号"),
    ],
)
def test_export_rejects_bad_requests_with_400(client, query: str, needle: str) -> None:
    response = client.get("/export?" + query)
    assert response.status_code == 400
    assert needle in html(response)
    assert_safe_page(response)


def test_static_files_have_security_headers(client) -> None:
    for name in ("style.css", "app.js", "basket.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert_safe_page(response)
        response.close()


def test_no_index_gives_a_friendly_503(tmp_path: Path) -> None:
    from web import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "missing")}).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "知识库暂不可用" in html(response)
    assert_safe_page(response)
    api = client.get("/api/search?q=x")
    assert api.status_code == 503 and api.get_json()["error"] == 503


def _seed_index(tmp_path: Path) -> tuple[Path, Path]:
    """A documents folder holding a copy of the seed plan, and its freshly built index."""
    documents = tmp_path / "documents"
    documents.mkdir()
    for path in SEED_DIR.glob("*.txt"):
        shutil.copy(path, documents / path.name)
    index = tmp_path / "index"
    build([documents], index, procs=1, quiet=True)
    return documents, index


def test_requests_arriving_while_the_index_opens_wait_for_it(tmp_path: Path, monkeypatch) -> None:
    """At start-up the first request opens (and warms) the index; the others must not answer 503."""
    import threading

    from kb.search.engine import SearchEngine
    from web import create_app

    _, index = _seed_index(tmp_path)
    warm = SearchEngine.warm

    def slow_warm(self: SearchEngine) -> None:
        time.sleep(0.5)  # like the whole corpus (~1 s)
        warm(self)

    monkeypatch.setattr(SearchEngine, "warm", slow_warm)
    app = create_app({"INDEX_DIR": str(index)})
    codes: list[int] = []

    def request() -> None:
        codes.append(app.test_client().get("/api/search?q=知识产权").status_code)

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 4


def test_the_running_app_picks_up_a_rebuilt_index(tmp_path: Path) -> None:
    from web import create_app

    documents, index = _seed_index(tmp_path)
    app = create_app({"INDEX_DIR": str(index), "RELOAD_INTERVAL": 0.2})
    client = app.test_client()
    assert client.get("/documents/late_arrival").status_code == 404

    (documents / "late_arrival.txt").write_text(LATE_ARRIVAL, encoding="utf-8")
    build([documents], index, procs=1, quiet=True)
    time.sleep(0.3)
    response = client.get("/documents/late_arrival")
    assert response.status_code == 200
    assert "某市关于支持科技型中小企业发展的通知" in html(response)
    hits = client.get("/api/search?q=科技型中小企业评价").get_json()
    assert any(hit["doc_id"] == "late_arrival" for hit in hits["results"])
    # The knowledge base and the search engine always read the same generation (one watcher: the app's).
    opened = app.extensions["policykb"].get()
    assert opened.engine.generation == opened.kb.generation


def test_the_home_page_pages_its_document_list(client, monkeypatch):
    """A corpus of thousands of documents must not make the home page a megabyte."""
    import web.pages.home

    monkeypatch.setattr(web.pages.home, "DOCS_PER_PAGE", 1)
    first = client.get("/").get_data(as_text=True)
    assert "第 1 / " in first and 'rel="next"' in first
    last = client.get("/?page=9999")
    assert last.status_code == 200 and 'rel="prev"' in last.get_data(as_text=True)
    assert client.get("/?page=abc").status_code == 200


# -- issue 17: hostile clients


@pytest.mark.parametrize("host", ["a" * 70 + ".example", "bad host", "x." + "b" * 64, "例子.测试\x00"])
def test_an_unusable_host_header_answers_400_with_the_security_headers(client, host: str) -> None:
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_permalinks_never_take_their_host_from_the_request(client) -> None:
    data = client.get(f"/api/measures/{DOC}.m3.6", headers={"Host": "evil.example"}).get_json()
    assert "evil.example" not in json.dumps(data, ensure_ascii=False)
    assert data["permalink"] == f"/measures/{DOC}.m3.6"
    exported = client.get(f"/export?format=md&ids={DOC}.m3.6", headers={"Host": "evil.example"})
    assert exported.status_code == 200 and b"evil.example" not in exported.data


def test_a_configured_site_url_makes_permalinks_absolute(index_dir: Path) -> None:
    from web import create_app

    app = create_app({"INDEX_DIR": str(index_dir), "SITE_URL": "https://kb.example.gov.cn"})
    data = app.test_client().get(f"/api/measures/{DOC}.m3.6").get_json()
    assert data["permalink"] == f"https://kb.example.gov.cn/measures/{DOC}.m3.6"


def test_repeated_ids_are_one_item_and_too_many_are_refused(client) -> None:
    many = ",".join([f"{DOC}.m3.6"] * 200)
    items = client.get(f"/api/items?ids={many}").get_json()
    assert len(items["items"]) == 1
    exported = client.get(f"/export?format=md&ids={many}")
    assert exported.status_code == 200 and exported.data.count("着力加强知识产权保护与运用".encode()) <= 2
    distinct = ",".join(f"x{n}.m1" for n in range(201))
    assert client.get(f"/api/items?ids={distinct}").status_code == 400


def test_an_export_over_the_size_limit_answers_413(client, monkeypatch: pytest.MonkeyPatch) -> None:
    import web.pages.basket

    monkeypatch.setattr(web.pages.basket, "MAX_EXPORT_CHARS", 100)
    response = client.get(f"/export?format=docx&ids={DOC}.m3.6,{DOC}.m3.5")
    assert response.status_code == 413 and "分几次导出" in html(response)
