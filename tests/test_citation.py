"""Citation styles (kb.cite.citation): exact strings for the seed plan, a State Council document, a notice wrapping
two regulations (outline built by hand, as the parser will give it), a law, and hostile metadata."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import markdown
import pytest
from conftest import corpus_file

from kb.cite.citation import (
    STYLES,
    Citable,
    Citation,
    chinese_date,
    chinese_numeral,
    citable_from_clause,
    citable_from_measure,
    citable_from_quantity,
    citation_path,
    cite,
    iso_date,
    label_form,
    md_quote,
    md_text,
    md_url,
    normalize_style,
    place,
    place_parts,
    reference_entry,
    source_url,
)
from kb.extract.pipeline import analyse, load_extraction
from kb.extract.places import find_clause
from kb.model import Clause, Document, Measure, Quantity
from kb.readers import read

SEED_ID = "000_3ccc218f3f77786b"
SEED_TITLE = "十堰市2019年科技创新工作要点"
SEED_DESIGNATION = "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）"
SEED_OFFICIAL = SEED_DESIGNATION + "三、主要措施（六）"
GUOFA_TITLE = "国务院关于印发国家职业教育改革实施方案的通知"
GUOFA_URL = "http://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm"
GUOFA_TEXT = (
    "一、完善国家职业教育制度体系\n\n"
    "（一）健全国家职业教育制度框架。把握好正确的改革方向，按照“管好两端、规范中间、书证融通、办学多元”的原则，"
    "严把教学标准和毕业学生质量标准两个关口。\n"
)
KB_URL = "https://kb.example/measures/000_3ccc218f3f77786b.m3.6"
ACCESSED = date(2024, 5, 1)


def seed_document(path: Path) -> Document:
    return Document(
        id=SEED_ID,
        title=SEED_TITLE,
        text=path.read_text(encoding="utf-8"),
        agency="十堰市科学技术局",
        date="2019-07-08",
        index_no="011081248/2019-00001",
        doc_number="",
    )


def seed_measure(document: Document) -> Measure:
    """Measure 三、(六) of the seed, its span found in the real text (label to end of paragraph)."""
    start = document.text.index("(六)着力加强知识产权保护与运用")
    end = document.text.index("\n", start)
    return Measure(
        id=f"{document.id}.m3.6",
        doc_id=document.id,
        clause_id=f"{document.id}.s3.6",
        number="(六)",
        ordinal=6,
        path=["三、主要措施", "(六)"],
        headline="着力加强知识产权保护与运用,增强科技创新驱动力。",
        text=document.text[start:end],
        span=(start, end),
    )


def guofa_document(url: str = "") -> Document:
    return Document(
        id="002_021a81bc4bdd63b7",
        title=GUOFA_TITLE,
        text=GUOFA_TEXT,
        agency="国务院",
        date="2019-01-24",
        doc_number="国发〔2019〕4号",
        index_no="000014349/2019-00005",
        url=url,
    )


def guofa_measure(document: Document) -> Measure:
    start = document.text.index("（一）")
    end = document.text.index("\n", start)
    return Measure(
        id=f"{document.id}.m1.1",
        doc_id=document.id,
        clause_id=f"{document.id}.s1.1",
        number="（一）",
        ordinal=1,
        path=["一、完善国家职业教育制度体系", "（一）"],
        headline="健全国家职业教育制度框架。",
        text=document.text[start:end],
        span=(start, end),
    )


@pytest.fixture
def seed(seed_path: Path) -> tuple[Document, Measure]:
    document = seed_document(seed_path)
    return document, seed_measure(document)


@pytest.fixture(scope="module")
def seed_kb(seed_path: Path):
    """The seed as the pipeline reads it: metadata from its own header, the parser's outline, real targets."""
    return analyse(read(seed_path), SEED_ID, seed_path.name, load_extraction())


# --- labels and places ------------------------------------------------------------------------


def test_labels_take_their_full_width_form() -> None:
    assert label_form("(六)") == "（六）"
    assert label_form("（六）") == "（六）"
    assert label_form("(1)") == "（1）"
    assert label_form("（１）") == "（1）"
    assert label_form("⑴") == "（1）"
    assert label_form("１．") == "1."
    assert label_form("⒉") == "2."
    for label in ("一、", "第十二条", "第三章", "①", "3、", "附件1"):
        assert label_form(label) == label
    assert label_form("  (十二)\u3000") == "（十二）"


def test_chinese_numerals() -> None:
    expected = {1: "一", 2: "二", 9: "九", 10: "十", 11: "十一", 20: "二十", 21: "二十一", 99: "九十九"}
    expected |= {100: "一百", 105: "一百零五", 110: "一百一十", 1001: "一千零一", 1010: "一千零一十"}
    for number, numeral in expected.items():
        assert chinese_numeral(number) == numeral


def test_place_joins_parts() -> None:
    assert place(["三、主要措施", "（六）"]) == "三、主要措施（六）"
    assert place(["\u2002\u2002 三、主要措施 ", "（六）\n"]) == "三、主要措施（六）"
    assert place([]) == ""


def test_seed_places_from_the_parsed_outline(seed_kb) -> None:
    """The real outline of the seed: full-width labels, and dash bullets cited as items."""
    outline = seed_kb.outline
    assert citation_path(outline, f"{SEED_ID}.s3.6") == ["三、主要措施", "（六）"]
    assert citation_path(outline, f"{SEED_ID}.s3.10") == ["三、主要措施", "（十）"]
    for k, numeral in enumerate("一二三", start=1):
        assert place(citation_path(outline, f"{SEED_ID}.s2.{k}") or []) == f"二、主要目标第{numeral}项"
    assert citation_path(outline, f"{SEED_ID}.s9") is None
    # Every target of the seed cites its clause; none cites a bullet mark.
    for target in seed_kb.targets:
        where = place(citation_path(outline, target.clause_id) or [])
        assert where.startswith(("二、主要目标第", "三、主要措施（")), where
        assert "—" not in where and "(" not in where


def test_seed_citations_as_the_issue_asks(seed_kb) -> None:
    """Measure (六) and the 2100件 target, read from the file: no 索引号, full-width （六）, 第二项."""
    document = seed_kb.document
    assert document.index_no == "011081248/2019-00001"  # read, but never cited
    measure = next(m for m in seed_kb.measures if m.id == f"{SEED_ID}.m3.6")
    citation = cite(citable_from_measure(measure, seed_kb.outline), document)
    assert citation.reference == SEED_OFFICIAL
    target = next(t for t in seed_kb.targets if "2100件" in t.mention)
    item = citable_from_quantity(target, citation_path(seed_kb.outline, target.clause_id) or [])
    assert cite(item, document).reference == SEED_DESIGNATION + "二、主要目标第二项"
    assert item.headline == "全市发明专利申请量达到2100件"


def _clause(doc: str, cid: str, label: str, style: str, heading: str, text: str, *children: Clause) -> Clause:
    """A clause of ``text`` built by hand: its span runs from its label to the end of its last child."""
    start = text.index(label + heading)
    end = max([start + len(label + heading), *(c.span[1] for c in children)])
    return Clause(
        id=f"{doc}.s{cid}",
        doc_id=doc,
        label=label,
        style=style,
        level=cid.count(".") + 1,
        heading=heading,
        span=(start, end),
        label_span=(start, start + len(label)),
        heading_span=(start + len(label), start + len(label + heading)),
        ordinal=int(cid.rsplit(".", 1)[-1]),
        children=list(children),
    )


NOTICE_ID = "notice"
NOTICE_TEXT = """十堰市科学技术局关于印发两个办法的通知

各县市区科技局：
现将《十堰市科技创新券管理办法》《十堰市科技计划项目管理办法》印发给你们，请认真贯彻执行。

附件1
十堰市科技创新券管理办法
第一条 为激发企业创新活力，制定本办法。
第二条 创新券用于购买科技服务。

附件2
十堰市科技计划项目管理办法
第一章 总则
第一条 为规范科技计划项目管理，制定本办法。
第二章 项目管理
第十二条 项目承担单位应当履行下列职责：
（一）按计划实施项目；
（二）按规定使用经费。

《十堰市科技成果转化奖励〈试行〉细则》
一、总体要求
二、重点任务
（三）完善成果转化服务体系。
"""


def notice_outline() -> list[Clause]:
    """The outline the parser gives a notice wrapping attached documents (root clauses of style attachment)."""
    t, d = NOTICE_TEXT, NOTICE_ID
    first = _clause(
        d,
        "1",
        "附件1",
        "attachment",
        "\n十堰市科技创新券管理办法",
        t,
        _clause(d, "1.1", "第一条", "article", " 为激发企业创新活力，制定本办法。", t),
        _clause(d, "1.2", "第二条", "article", " 创新券用于购买科技服务。", t),
    )
    first = Clause(**{**first.__dict__, "heading": "十堰市科技创新券管理办法"})
    article = _clause(
        d,
        "2.2.1",
        "第十二条",
        "article",
        " 项目承担单位应当履行下列职责：",
        t,
        _clause(d, "2.2.1.1", "（一）", "cn_paren", "按计划实施项目；", t),
        _clause(d, "2.2.1.2", "（二）", "cn_paren", "按规定使用经费。", t),
    )
    second = _clause(
        d,
        "2",
        "附件2",
        "attachment",
        "\n十堰市科技计划项目管理办法",
        t,
        _clause(
            d, "2.1", "第一章", "chapter", " 总则", t, _clause(d, "2.1.1", "第一条", "article", " 为规范", t)
        ),
        _clause(d, "2.2", "第二章", "chapter", " 项目管理", t, article),
    )
    second = Clause(**{**second.__dict__, "heading": "十堰市科技计划项目管理办法"})
    third = _clause(
        d,
        "3",
        "",
        "attachment",
        "《十堰市科技成果转化奖励〈试行〉细则》",
        t,
        _clause(d, "3.1", "一、", "cn", "总体要求", t),
        _clause(
            d,
            "3.2",
            "二、",
            "cn",
            "重点任务",
            t,
            _clause(d, "3.2.1", "（三）", "cn_paren", "完善成果转化服务体系。", t),
        ),
    )
    third = Clause(**{**third.__dict__, "heading": "十堰市科技成果转化奖励《试行》细则"})
    return [first, second, third]


def notice_document() -> Document:
    return Document(
        id=NOTICE_ID,
        title="十堰市科学技术局关于印发两个办法的通知",
        text=NOTICE_TEXT,
        agency="十堰市科学技术局",
        date="2020-03-02",
        doc_number="十科发〔2020〕3号",
    )


def test_attached_documents_are_named_in_the_place() -> None:
    outline = notice_outline()
    places = {
        cid: place(citation_path(outline, f"{NOTICE_ID}.s{cid}") or []) for cid in ("1.2", "2.2.1", "2.1.1")
    }
    assert places == {
        "1.2": "附件1《十堰市科技创新券管理办法》第二条",
        # Articles run through the regulation: the chapter is not part of the place.
        "2.2.1": "附件2《十堰市科技计划项目管理办法》第十二条",
        "2.1.1": "附件2《十堰市科技计划项目管理办法》第一条",
    }
    assert place(citation_path(outline, f"{NOTICE_ID}.s2.2.1.2") or []) == (
        "附件2《十堰市科技计划项目管理办法》第十二条第（二）项"
    )
    assert place(citation_path(outline, f"{NOTICE_ID}.s2") or []) == "附件2《十堰市科技计划项目管理办法》"
    # Unlabeled (the attached document starts with its own title); nested 《》 become 〈〉.
    assert place(citation_path(outline, f"{NOTICE_ID}.s3.2.1") or []) == (
        "《十堰市科技成果转化奖励〈试行〉细则》二、重点任务（三）"
    )


def test_a_clause_of_the_second_regulation_cites_the_second_regulation() -> None:
    """The issue's case: 第十二条 of 附件2 is not the first regulation's last item."""
    outline, document = notice_outline(), notice_document()
    clause, trail = find_clause(outline, f"{NOTICE_ID}.s2.2.1") or (None, [])
    assert clause is not None
    item = citable_from_clause(clause, place_parts(trail, clause, outline), document)
    assert item.quote.startswith("第十二条 项目承担单位应当履行下列职责：")
    assert item.quote.endswith("（二）按规定使用经费。")
    assert cite(item, document).reference == (
        "《十堰市科学技术局关于印发两个办法的通知》（十科发〔2020〕3号）附件2《十堰市科技计划项目管理办法》第十二条"
    )


def test_dash_bullets_count_only_dash_siblings() -> None:
    text = "二、主要目标\n（一）总体目标。\n——第一个。\n——第二个。\n"
    d = "x"
    dash1 = _clause(d, "1.2", "——", "dash", "第一个。", text)
    dash2 = _clause(d, "1.3", "——", "dash", "第二个。", text)
    parent = _clause(
        d,
        "1",
        "二、",
        "cn",
        "主要目标",
        text,
        _clause(d, "1.1", "（一）", "cn_paren", "总体目标。", text),
        dash1,
        dash2,
    )
    assert place(place_parts([parent], dash2)) == "二、主要目标第二项"
    assert place(place_parts([], dash1, [dash1, dash2])) == "第一项"


def test_law_articles_from_the_corpus() -> None:
    """上海市专利保护条例 as the parser reads it: 第九条第（二）项, no 第二章."""
    path = corpus_file("laws_lawrefbook/0002_73ba104f43300b4d.md")
    dkb = analyse(read(path), path.stem, path.name, load_extraction())
    assert dkb.document.title == "上海市专利保护条例"
    ninth = next(c for c in dkb.clauses() if c.label == "第九条")
    assert place(citation_path(dkb.outline, ninth.id) or []) == "第九条"
    assert place(citation_path(dkb.outline, ninth.children[1].id) or []) == "第九条第（二）项"


def test_stored_measure_paths_take_the_same_form() -> None:
    """Without an outline, a measure's stored path gives the same place (labels in full-width form)."""
    document = guofa_document()
    measure = guofa_measure(document)
    assert citable_from_measure(measure).path == ["一、完善国家职业教育制度体系", "（一）"]
    seedlike = Measure("d.m1.1", "d", "d.s1.1", "(1)", 1, ["一、总则", "(1)"], "h", "(1)h", (0, 4))
    assert place(citable_from_measure(seedlike).path) == "一、总则（1）"


# --- quote ------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_quote_is_the_verbatim_span(seed: tuple[Document, Measure], style: str) -> None:
    document, measure = seed
    citation = cite(measure, document, style)
    start, end = measure.span
    assert citation.quote == document.text[start:end]
    assert citation.quote.startswith("(六)着力加强知识产权保护与运用,增强科技创新驱动力。")
    assert citation.quote.endswith("严厉打击侵犯知识产权和制售假冒伪劣商品违法行为。")
    if style != "markdown":
        assert citation.quote in citation.text
    assert citation.style == style
    assert citation.place == "三、主要措施（六）"
    assert citation.item_id == measure.id


def test_measure_and_citable_give_the_same_citation(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    assert cite(measure, document) == cite(citable_from_measure(measure), document)


# --- official ---------------------------------------------------------------------------------


def test_official_seed_measure(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document)
    assert citation.reference == SEED_OFFICIAL
    assert "索引号" not in citation.reference and document.index_no not in citation.text
    assert citation.text == measure.text + "\n" + SEED_OFFICIAL
    assert citation.permalink == ""


def test_official_with_doc_number() -> None:
    document = guofa_document(url=GUOFA_URL)
    citation = cite(guofa_measure(document), document, "official", url=KB_URL)
    assert citation.reference == (
        "《国务院关于印发国家职业教育改革实施方案的通知》（国发〔2019〕4号）一、完善国家职业教育制度体系（一）"
    )
    assert GUOFA_URL not in citation.text and KB_URL not in citation.text
    assert citation.permalink == KB_URL


def test_official_missing_parts() -> None:
    item = Citable("d.m1", "measure", "d", ["一、", "（一）"], "文本")
    with_index = Document(id="d", title="某某办法", text="文本", agency="某局", index_no="X/2020-1")
    assert cite(item, with_index).reference == "《某某办法》（某局）一、（一）"
    no_agency = Document(id="d", title="某某办法", text="文本", date="2020-01-05")
    assert cite(item, no_agency).reference == "《某某办法》（2020年1月5日）一、（一）"
    bare = Document(id="d", title="某某办法", text="文本", index_no="X/2020-1")
    assert cite(item, bare).reference == "《某某办法》一、（一）"
    year_only = Document(id="d", title="某某办法", text="文本", agency="某局", date="2020")
    assert cite(item, year_only).reference == "《某某办法》（某局，2020年）一、（一）"


def test_official_nested_title_marks_and_no_place() -> None:
    document = Document(id="d", title="关于印发《某某办法》的通知", text="全文", doc_number="某发〔2020〕1号")
    item = Citable("d", "document", "d", [], "全文")
    assert cite(item, document).reference == "《关于印发〈某某办法〉的通知》（某发〔2020〕1号）"


# --- GB/T 7714 --------------------------------------------------------------------------------


def test_gbt7714_without_source_url_is_z(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document, "gbt7714", url=KB_URL, accessed=ACCESSED)
    assert citation.reference == "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
    assert citation.text == f"{measure.text}\n三、主要措施（六）\n{citation.reference}"
    assert KB_URL not in citation.text  # the knowledge base's page is offered apart (本库链接)
    assert citation.permalink == KB_URL


def test_gbt7714_with_the_documents_own_url() -> None:
    document = guofa_document(url=GUOFA_URL)
    citation = cite(guofa_measure(document), document, "gbt7714", url=KB_URL, accessed=ACCESSED)
    assert citation.reference == (
        "国务院. 国务院关于印发国家职业教育改革实施方案的通知: 国发〔2019〕4号[EB/OL]. "
        f"(2019-01-24)[2024-05-01]. {GUOFA_URL}."
    )
    assert citation.permalink == KB_URL
    assert reference_entry(guofa_document()) == (
        "国务院. 国务院关于印发国家职业教育改革实施方案的通知: 国发〔2019〕4号[Z]. 2019-01-24."
    )


def test_gbt7714_access_date_is_always_given() -> None:
    document = guofa_document(url=GUOFA_URL)
    assert f"[{date.today().isoformat()}]" in reference_entry(document)
    undated = Document(
        id="d", title="某某办法", text="x", agency="某局", url="https://www.example.gov.cn/a.html"
    )
    assert reference_entry(undated, accessed=ACCESSED) == (
        "某局. 某某办法[EB/OL]. [2024-05-01]. https://www.example.gov.cn/a.html."
    )


@pytest.mark.parametrize(
    "url",
    [
        "/targets/000_3ccc218f3f77786b.t2.2-2",
        "measures/x",
        "http://127.0.0.1:8000/measures/x",
        "http://localhost/x",
        "http://[::1]/x",
        "http://192.168.1.20/x",
        "http://10.0.0.1/x",
        "https://policykb.local/x",
        "http://intranet/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)//http://www.gov.cn/",
        "data:text/html,<script>alert(1)</script>",
        "http://www.gov.cn/a b.htm",
        "http://www.gov.cn/<script>",
        "https://",
    ],
)
def test_gbt7714_never_shows_a_local_relative_or_unsafe_address(url: str) -> None:
    document = Document(id="d", title="某某办法", text="x", agency="某局", date="2020-01-05", url=url)
    assert source_url(document) == ""
    for style in ("gbt7714", "gbt7714-2025"):
        assert reference_entry(document, style, accessed=ACCESSED) == "某局. 某某办法[Z]. 2020-01-05."


def test_source_urls_that_are_access_paths() -> None:
    for url in (GUOFA_URL, "https://www.shiyan.gov.cn/zwgk/a.shtml", "http://8.8.8.8/x"):
        assert source_url(Document(id="d", title="t", text="", url=url)) == url


def test_gbt7714_unknown_agency_is_anonymous() -> None:
    document = Document(id="d", title="某某办法", text="x")
    assert reference_entry(document) == "佚名. 某某办法[Z]."


def test_gbt7714_2025_punctuation(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    assert cite(measure, document, "gbt7714-2025").reference == (
        "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
    )
    guofa = guofa_document(url=GUOFA_URL)
    assert cite(guofa_measure(guofa), guofa, "gbt7714-2025", accessed=ACCESSED).reference == (
        "国务院. 国务院关于印发国家职业教育改革实施方案的通知：国发〔2019〕4号[EB/OL]. "
        f"（2019-01-24）[2024-05-01]. {GUOFA_URL}."
    )


def test_gbt7714_2015_alias_and_bad_styles() -> None:
    assert normalize_style("gbt7714-2015") == "gbt7714"
    assert reference_entry(guofa_document(), "gbt7714-2015") == reference_entry(guofa_document(), "gbt7714")
    with pytest.raises(ValueError, match="gbt7714-2025"):
        reference_entry(guofa_document(), "official")


def test_real_state_council_page_cites_its_gov_cn_address() -> None:
    """A gov.cn page of the corpus: [EB/OL] with its own address, read from the page's metadata."""
    path = corpus_file("gov_cn_2019_html/002_021a81bc4bdd63b7.html")
    dkb = analyse(read(path), path.stem, path.name, load_extraction())
    assert reference_entry(dkb.document, accessed=ACCESSED) == (
        "国务院. 国务院关于印发国家职业教育改革实施方案的通知: 国发〔2019〕4号[EB/OL]. "
        f"(2019-01-24)[2024-05-01]. {GUOFA_URL}."
    )


# --- markdown ---------------------------------------------------------------------------------


def rendered(md: str) -> str:
    return markdown.markdown(md)


def test_markdown_seed_measure(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document, "markdown", url=KB_URL)
    assert citation.reference == SEED_OFFICIAL
    assert citation.text == (
        "> (六)着力加强知识产权保护与运用,增强科技创新驱动力。推进省级知识产权培训(十堰)基地建设工作。"
        "继续加强茅箭区、张湾区创建国家级知识产权强区工程建设工作。将知识产权发展与产业创新发展有机结合,"
        "提高知识产权发展质量和效益,加强知识产权知识培训工作,组织各类培训8次。加大知识产权保护力度,"
        "提高行政执法能力,严厉打击侵犯知识产权和制售假冒伪劣商品违法行为。\n"
        "\n"
        f"{SEED_OFFICIAL}\n"
        "\n"
        f"本库链接：<{KB_URL}>"
    )
    assert "\\" not in citation.text


def test_markdown_link_only_for_an_absolute_http_permalink(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    for url in ("/measures/000_3ccc218f3f77786b.m3.6", "javascript:alert(1)", ""):
        text = cite(measure, document, "markdown", url=url).text
        assert text.endswith("\n\n" + SEED_OFFICIAL)
        assert "本库链接" not in text


def test_markdown_without_permalink_and_multiline_quote() -> None:
    document = Document(id="d", title="某某办法", text="", agency="某局")
    item = Citable("d.s1", "clause", "d", ["一、"], "一、总则\r\n\n# 不是标题\r> 也不是")
    assert cite(item, document, "markdown").text == (
        "> 一、总则\r\n> \n> &#35; 不是标题\r> &gt; 也不是\n\n《某某办法》（某局）一、"
    )


def test_md_text_uses_entities_never_backslashes() -> None:
    assert md_text("《a*b》[Z] <x> & ~ `c` \\ | # _") == (
        "《a&#42;b》&#91;Z&#93; &lt;x&gt; &amp; &#126; &#96;c&#96; &#92; &#124; &#35; &#95;"
    )
    plain = "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）三、主要措施（六）"
    assert md_text(plain) == plain


def test_md_quote_keeps_every_line_a_quoted_paragraph() -> None:
    assert md_quote("a") == "> a"
    assert md_quote("a\nb\n") == "> a\n> b\n"
    assert md_quote("a\r\nb\rc") == "> a\r\n> b\r> c"
    assert md_quote("") == ">"
    assert md_quote("- 列表\n1. 编号\n    代码\n\t制表\n===\n2.5亿元") == (
        "> &#45; 列表\n> 1&#46; 编号\n> &#32;   代码\n> &#9;制表\n> &#61;==\n> 2.5亿元"
    )


HOSTILE_QUOTE = (
    "<script>alert(1)</script>\n[1]: javascript:alert(1)\n[点我](javascript:alert(1))\n"
    "# 标题\n- 列表\n    代码\n<img src=x onerror=alert(1)>\n**粗体** _斜体_ `代码` ~~删除~~ | 表 |\n&amp;"
)


def test_markdown_of_hostile_text_renders_as_text() -> None:
    document = Document(
        id="d",
        title="测试<script>alert(1)</script>方案[x](javascript:alert(1))",
        text="",
        agency="测试局<img src=x onerror=alert(1)>",
    )
    item = Citable("d.s1", "clause", "d", ["一、*重点*"], HOSTILE_QUOTE)
    md = cite(item, document, "markdown", url="https://kb.example/x").text
    out = rendered(md)
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", out))
    assert tags <= {"blockquote", "p", "a"}, tags
    assert re.findall(r'href="([^"]*)"', out) == ["https://kb.example/x"]
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    for line in HOSTILE_QUOTE.split("\n"):
        assert line.strip() in text
    assert "测试<script>alert(1)</script>方案[x](javascript:alert(1))" in text
    assert "\\" not in md


def test_md_url() -> None:
    assert md_url("https://a.b/c d(1)") == "<https://a.b/c%20d(1)>"
    assert md_url("https://a.b/路径?q=<x>") == "<https://a.b/%E8%B7%AF%E5%BE%84?q=%3Cx%3E>"
    assert md_url("javascript:alert(1)") == ""
    assert md_url("/measures/x") == ""


# --- errors and helpers -----------------------------------------------------------------------


def test_unknown_style_lists_valid_ones(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    with pytest.raises(ValueError) as info:
        cite(measure, document, "apa")
    message = str(info.value)
    assert "'apa'" in message
    for style in STYLES:
        assert style in message


def test_styles_tuple() -> None:
    assert STYLES == ("official", "gbt7714", "gbt7714-2025", "markdown")


def test_other_objects_need_a_citable(seed: tuple[Document, Measure]) -> None:
    document, _ = seed
    target = Quantity(id="t", doc_id=document.id, clause_id="", indicator="x", value=1.0, unit="件")
    with pytest.raises(TypeError, match="citable_from_quantity"):
        cite(target, document)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["target", "result"])
def test_citable_from_quantity_and_clause(seed: tuple[Document, Measure], kind: str) -> None:
    document, measure = seed
    sentence = "完成科技成果转化项目140项,全市发明专利申请量达到2100件,"
    start = document.text.index(sentence)
    target = Quantity(
        id=f"{document.id}.t2.2-2",
        doc_id=document.id,
        clause_id=f"{document.id}.s2.2",
        indicator="发明专利申请量",
        value=2100.0,
        unit="件",
        mention="全市发明专利申请量达到2100件",
        text=sentence,
        span=(start, start + len(sentence)),
        kind=kind,
        year=2018 if kind == "result" else None,
    )
    item = citable_from_quantity(target, ["二、主要目标", "第二项"])
    # A result says what it is and the year it reports wherever it heads a list or a report.
    headline = "全市发明专利申请量达到2100件" + ("（2018年实绩）" if kind == "result" else "")
    assert item == Citable(target.id, kind, document.id, ["二、主要目标", "第二项"], sentence, headline)
    assert cite(item, document).reference == SEED_DESIGNATION + "二、主要目标第二项"

    clause = Clause(
        id=measure.clause_id,
        doc_id=document.id,
        label="(六)",
        style="cn_paren",
        level=2,
        heading=measure.headline,
        span=measure.span,
        label_span=(measure.span[0], measure.span[0] + 3),
        heading_span=measure.span,
        ordinal=6,
    )
    section = Clause(
        id=f"{document.id}.s3",
        doc_id=document.id,
        label="三、",
        style="cn",
        level=1,
        heading="主要措施",
        span=(measure.span[0] - 10, measure.span[1]),
        label_span=(0, 0),
        heading_span=(0, 0),
        ordinal=3,
        children=[clause],
    )
    item = citable_from_clause(clause, place_parts([section], clause), document)
    assert item.quote == measure.text
    assert item.type == "clause"
    assert cite(item, document).reference == SEED_OFFICIAL


def test_dates() -> None:
    assert chinese_date("2019-07-08") == "2019年7月8日"
    assert chinese_date("2019-12") == "2019年12月"
    assert chinese_date("2019") == "2019年"
    assert chinese_date("") == ""
    assert chinese_date("二〇一九年") == "二〇一九年"
    assert iso_date("2019-7-8") == "2019-07-08"
    assert iso_date("2019") == "2019"


def test_citation_is_a_plain_dataclass(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document, url=KB_URL)
    assert isinstance(citation, Citation)
    assert (citation.style, citation.permalink) == ("official", KB_URL)


class _OneDocumentKB:
    """The read API ``kb.cite.items.resolve_item`` uses, over one DocumentKB (the notice with its attachments)."""

    def __init__(self, dkb) -> None:
        self.dkb = dkb

    def type_of(self, item_id: str) -> str | None:
        if item_id == self.dkb.document.id:
            return "document"
        if any(m.id == item_id for m in self.dkb.measures):
            return "measure"
        quantity = self.quantity(item_id)
        if quantity is not None:
            return quantity.kind
        return "clause" if find_clause(self.dkb.outline, item_id) else None

    def document_kb(self, doc_id: str):
        return self.dkb if doc_id == self.dkb.document.id else None

    def measure(self, item_id: str):
        return next((m for m in self.dkb.measures if m.id == item_id), None)

    def quantity(self, item_id: str):
        return next((q for q in self.dkb.quantities if q.id == item_id), None)


def test_items_in_attached_documents_cite_the_attachment() -> None:
    """Measures, targets and clauses resolved by id take their place from the outline, attachment included."""
    from kb.cite.items import resolve_item
    from kb.model import DocumentKB

    outline, document = notice_outline(), notice_document()
    task = find_clause(outline, f"{NOTICE_ID}.s3.2.1")
    assert task is not None
    clause = task[0]
    measure = Measure(
        id=f"{NOTICE_ID}.m3.2.1",
        doc_id=NOTICE_ID,
        clause_id=clause.id,
        number="（三）",
        ordinal=1,
        path=["", "二、重点任务", "（三）"],  # as a path without the attachment's title would read
        headline=clause.heading,
        text=NOTICE_TEXT[clause.span[0] : clause.span[1]],
        span=clause.span,
    )
    sentence = "创新券用于购买科技服务。"
    start = NOTICE_TEXT.index(sentence)
    target = Quantity(
        id=f"{NOTICE_ID}.r1.2-1",
        doc_id=NOTICE_ID,
        clause_id=f"{NOTICE_ID}.s1.2",
        indicator="创新券",
        value=1.0,
        unit="项",
        text=sentence,
        span=(start, start + len(sentence)),
        kind="result",
    )
    kb = _OneDocumentKB(DocumentKB(document, outline, [measure], [target]))
    designation = "《十堰市科学技术局关于印发两个办法的通知》（十科发〔2020〕3号）"
    cited = {
        item_id: cite(item.citable, item.document).reference
        for item_id in (measure.id, target.id, f"{NOTICE_ID}.s2.2.1.1")
        if (item := resolve_item(kb, item_id)) is not None  # type: ignore[arg-type]
    }
    assert cited == {
        measure.id: designation + "《十堰市科技成果转化奖励〈试行〉细则》二、重点任务（三）",
        target.id: designation + "附件1《十堰市科技创新券管理办法》第二条",
        f"{NOTICE_ID}.s2.2.1.1": designation + "附件2《十堰市科技计划项目管理办法》第十二条第（一）项",
    }
