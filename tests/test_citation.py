"""Citation styles (kb.cite.citation): exact strings for the seed plan and for a State Council document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kb.cite.citation import (
    STYLES,
    Citable,
    Citation,
    block_quote,
    chinese_date,
    citable_from_clause,
    citable_from_measure,
    citable_from_target,
    cite,
    iso_date,
    md_escape,
    md_link,
    place,
    reference_entry,
)
from kb.model import Clause, Document, Measure, Target

SEED_TITLE = "十堰市2019年科技创新工作要点"
SEED_OFFICIAL = "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日，索引号011081248/2019-00001）三、主要措施(六)"
GUOFA_TITLE = "国务院关于印发国家职业教育改革实施方案的通知"
GUOFA_URL = "http://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm"
GUOFA_TEXT = (
    "一、完善国家职业教育制度体系\n\n"
    "（一）健全国家职业教育制度框架。把握好正确的改革方向，按照“管好两端、规范中间、书证融通、办学多元”的原则，"
    "严把教学标准和毕业学生质量标准两个关口。\n"
)
KB_URL = "https://kb.example/doc/000_3ccc218f3f77786b#000_3ccc218f3f77786b.m3.6"
ACCESSED = date(2024, 5, 1)


def seed_document(path: Path) -> Document:
    return Document(
        id="000_3ccc218f3f77786b",
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


# --- place ------------------------------------------------------------------------------------


def test_place_keeps_labels_verbatim() -> None:
    assert place(["三、主要措施", "(六)"]) == "三、主要措施(六)"
    assert place(["一、完善国家职业教育制度体系", "（一）"]) == "一、完善国家职业教育制度体系（一）"
    assert place(["第三章", "第十二条"]) == "第三章第十二条"
    assert place([]) == ""


def test_place_drops_only_surrounding_whitespace() -> None:
    assert place(["\u2002\u2002 三、主要措施 ", "(六)\n"]) == "三、主要措施(六)"
    assert place(["三、 主要措施"]) == "三、 主要措施"


# --- quote ------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_quote_is_the_verbatim_span(seed: tuple[Document, Measure], style: str) -> None:
    document, measure = seed
    citation = cite(measure, document, style)
    start, end = measure.span
    assert citation.quote == document.text[start:end]
    assert citation.quote.startswith("(六)着力加强知识产权保护与运用,增强科技创新驱动力。")
    assert citation.quote.endswith("严厉打击侵犯知识产权和制售假冒伪劣商品违法行为。")
    assert citation.quote in citation.text
    assert citation.style == style
    assert citation.place == "三、主要措施(六)"
    assert citation.item_id == measure.id


def test_measure_and_citable_give_the_same_citation(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    assert cite(measure, document) == cite(citable_from_measure(measure), document)


# --- official ---------------------------------------------------------------------------------


def test_official_seed_measure(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document)
    assert citation.reference == SEED_OFFICIAL
    assert citation.text == measure.text + "\n" + SEED_OFFICIAL
    assert citation.permalink == ""


def test_official_with_doc_number() -> None:
    document = guofa_document()
    citation = cite(guofa_measure(document), document, "official")
    assert citation.reference == (
        "《国务院关于印发国家职业教育改革实施方案的通知》（国发〔2019〕4号）一、完善国家职业教育制度体系（一）"
    )


def test_official_missing_parts() -> None:
    item = Citable("d.m1", "measure", "d", ["一、", "(一)"], "文本")
    base = Document(id="d", title="某某办法", text="文本", agency="某局", index_no="X/2020-1")
    assert cite(item, base).reference == "《某某办法》（某局，索引号X/2020-1）一、(一)"
    no_agency = Document(id="d", title="某某办法", text="文本", date="2020-01-05")
    assert cite(item, no_agency).reference == "《某某办法》（2020年1月5日）一、(一)"
    bare = Document(id="d", title="某某办法", text="文本")
    assert cite(item, bare).reference == "《某某办法》一、(一)"
    year_only = Document(id="d", title="某某办法", text="文本", agency="某局", date="2020")
    assert cite(item, year_only).reference == "《某某办法》（某局，2020年）一、(一)"


def test_official_nested_title_marks_and_no_place() -> None:
    document = Document(id="d", title="关于印发《某某办法》的通知", text="全文", doc_number="某发〔2020〕1号")
    item = Citable("d", "document", "d", [], "全文")
    assert cite(item, document).reference == "《关于印发〈某某办法〉的通知》（某发〔2020〕1号）"


# --- GB/T 7714 --------------------------------------------------------------------------------


def test_gbt7714_without_url_is_z(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document, "gbt7714", accessed=ACCESSED)
    assert citation.reference == "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
    assert citation.text == f"{measure.text}\n三、主要措施(六)\n{citation.reference}"


def test_gbt7714_with_url(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document, "gbt7714", url=KB_URL, accessed=ACCESSED)
    assert citation.reference == (
        f"十堰市科学技术局. 十堰市2019年科技创新工作要点[EB/OL]. (2019-07-08)[2024-05-01]. {KB_URL}."
    )
    assert citation.permalink == KB_URL


def test_gbt7714_without_access_date_omits_it(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    citation = cite(measure, document, "gbt7714", url=KB_URL)
    assert (
        citation.reference
        == f"十堰市科学技术局. 十堰市2019年科技创新工作要点[EB/OL]. (2019-07-08). {KB_URL}."
    )


def test_gbt7714_doc_number_as_other_title_information_and_official_url_first() -> None:
    document = guofa_document(url=GUOFA_URL)
    citation = cite(guofa_measure(document), document, "gbt7714", url=KB_URL, accessed=ACCESSED)
    assert citation.reference == (
        "国务院. 国务院关于印发国家职业教育改革实施方案的通知: 国发〔2019〕4号[EB/OL]. "
        f"(2019-01-24)[2024-05-01]. {GUOFA_URL}."
    )
    assert citation.permalink == KB_URL  # the item's own address stays the permalink
    assert reference_entry(guofa_document()) == (
        "国务院. 国务院关于印发国家职业教育改革实施方案的通知: 国发〔2019〕4号[Z]. 2019-01-24."
    )


def test_gbt7714_unknown_agency_is_anonymous() -> None:
    document = Document(id="d", title="某某办法", text="x")
    assert reference_entry(document) == "佚名. 某某办法[Z]."


def test_gbt7714_2025_punctuation(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    assert cite(measure, document, "gbt7714-2025").reference == (
        "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
    )
    assert cite(measure, document, "gbt7714-2025", url=KB_URL, accessed=ACCESSED).reference == (
        f"十堰市科学技术局. 十堰市2019年科技创新工作要点[EB/OL]. （2019-07-08）[2024-05-01]. {KB_URL}."
    )
    guofa = guofa_document(url=GUOFA_URL)
    assert cite(guofa_measure(guofa), guofa, "gbt7714-2025", accessed=ACCESSED).reference == (
        "国务院. 国务院关于印发国家职业教育改革实施方案的通知：国发〔2019〕4号[EB/OL]. "
        f"（2019-01-24）[2024-05-01]. {GUOFA_URL}."
    )


def test_reference_entry_rejects_other_styles() -> None:
    with pytest.raises(ValueError, match="gbt7714-2025"):
        reference_entry(guofa_document(), "official")


# --- markdown ---------------------------------------------------------------------------------


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
        "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日，索引号011081248/2019-00001）"
        "三、主要措施(六)\n"
        "\n"
        "[https://kb.example/doc/000_3ccc218f3f77786b#000_3ccc218f3f77786b.m3.6]"
        "(https://kb.example/doc/000_3ccc218f3f77786b#000_3ccc218f3f77786b.m3.6)"
    )


def test_markdown_without_permalink_and_multiline_quote() -> None:
    document = Document(id="d", title="某某办法", text="", agency="某局")
    item = Citable("d.s1", "clause", "d", ["一、"], "一、总则\r\n\n# 不是标题\r> 也不是")
    assert cite(item, document, "markdown").text == (
        "> 一、总则\r\n> \n> # 不是标题\r> > 也不是\n\n《某某办法》（某局）一、"
    )


def test_block_quote_prefixes_every_line() -> None:
    assert block_quote("a") == "> a"
    assert block_quote("a\nb\n") == "> a\n> b\n"
    assert block_quote("a\r\nb\rc") == "> a\r\n> b\r> c"
    assert block_quote("") == ">"


def test_markdown_escaping() -> None:
    assert md_escape("《a*b》[Z] <x> & ~ `c` \\") == "《a\\*b》\\[Z\\] \\<x\\> \\& \\~ \\`c\\` \\\\"
    assert md_escape("000_3ccc 十堰_科技 _x_") == "000_3ccc 十堰_科技 \\_x\\_"
    assert md_escape("# 标题 #") == "\\# 标题 \\#"
    assert md_link("https://a.b/c d(1)") == "[https://a.b/c d(1)](https://a.b/c%20d%281%29)"


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
    target = Target(id="t", doc_id=document.id, clause_id="", indicator="x", value=1.0, unit="件")
    with pytest.raises(TypeError, match="citable_from_target"):
        cite(target, document)  # type: ignore[arg-type]


def test_citable_from_target_and_clause(seed: tuple[Document, Measure]) -> None:
    document, measure = seed
    sentence = "完成科技成果转化项目140项,全市发明专利申请量达到2100件,"
    start = document.text.index(sentence)
    target = Target(
        id=f"{document.id}.t2-1",
        doc_id=document.id,
        clause_id="",
        indicator="发明专利申请量",
        value=2100.0,
        unit="件",
        text=sentence,
        span=(start, start + len(sentence)),
    )
    item = citable_from_target(target, ["二、主要目标"])
    assert item == Citable(target.id, "target", document.id, ["二、主要目标"], sentence)
    assert cite(item, document).reference.endswith("）二、主要目标")

    clause = Clause(
        id=measure.clause_id,
        doc_id=document.id,
        label="(六)",
        style="paren_cn",
        level=2,
        heading=measure.headline,
        span=measure.span,
        label_span=(measure.span[0], measure.span[0] + 3),
        heading_span=measure.span,
        ordinal=6,
    )
    item = citable_from_clause(clause, measure.path, document)
    assert item.quote == measure.text
    assert item.kind == "clause"
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
