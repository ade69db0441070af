"""Report export (kb.cite.export): exact Markdown, a .docx with the same content, quotes that stay quotes."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cite.citation import Citable, citable_from_measure
from kb.cite.export import export_docx, export_markdown
from kb.model import Document, Measure

# Builders of the two documents (kept here so this module stands alone; same data as test_citation).
SEED_OFFICIAL = "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日，索引号011081248/2019-00001）三、主要措施(六)"
GUOFA_URL = "http://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm"
GUOFA_TEXT = (
    "一、完善国家职业教育制度体系\n\n"
    "（一）健全国家职业教育制度框架。把握好正确的改革方向，按照“管好两端、规范中间、书证融通、办学多元”的原则，"
    "严把教学标准和毕业学生质量标准两个关口。\n"
)
ACCESSED = date(2024, 5, 1)


def seed_document(path: Path) -> Document:
    return Document(
        id="000_3ccc218f3f77786b",
        title="十堰市2019年科技创新工作要点",
        text=path.read_text(encoding="utf-8"),
        agency="十堰市科学技术局",
        date="2019-07-08",
        index_no="011081248/2019-00001",
    )


def measure_at(document: Document, label: str, path: list[str], mid: str) -> Measure:
    """The measure from ``label`` to the end of its paragraph, sliced from the real text."""
    start = document.text.index(label)
    end = document.text.index("\n", start)
    return Measure(
        id=f"{document.id}.m{mid}",
        doc_id=document.id,
        clause_id=f"{document.id}.s{mid}",
        number=label[:3],
        ordinal=1,
        path=path,
        headline="",
        text=document.text[start:end],
        span=(start, end),
    )


def seed_measure(document: Document) -> Measure:
    return measure_at(document, "(六)着力加强知识产权保护与运用", ["三、主要措施", "(六)"], "3.6")


def guofa_document(url: str = "") -> Document:
    return Document(
        id="002_021a81bc4bdd63b7",
        title="国务院关于印发国家职业教育改革实施方案的通知",
        text=GUOFA_TEXT,
        agency="国务院",
        date="2019-01-24",
        doc_number="国发〔2019〕4号",
        index_no="000014349/2019-00005",
        url=url,
    )


def guofa_measure(document: Document) -> Measure:
    return measure_at(document, "（一）", ["一、完善国家职业教育制度体系", "（一）"], "1.1")


BASE_URL = "https://kb.example"  # the site's address (issue 11: links are the site's own pages)
GUOFA_OFFICIAL = (
    "《国务院关于印发国家职业教育改革实施方案的通知》（国发〔2019〕4号）一、完善国家职业教育制度体系（一）"
)
SEED_QUOTE = (
    "(六)着力加强知识产权保护与运用,增强科技创新驱动力。推进省级知识产权培训(十堰)基地建设工作。"
    "继续加强茅箭区、张湾区创建国家级知识产权强区工程建设工作。将知识产权发展与产业创新发展有机结合,"
    "提高知识产权发展质量和效益,加强知识产权知识培训工作,组织各类培训8次。加大知识产权保护力度,"
    "提高行政执法能力,严厉打击侵犯知识产权和制售假冒伪劣商品违法行为。"
)
GUOFA_QUOTE = (
    "（一）健全国家职业教育制度框架。把握好正确的改革方向，按照“管好两端、规范中间、书证融通、办学多元”的原则，"
    "严把教学标准和毕业学生质量标准两个关口。"
)
SEED_LINK = "https://kb.example/measures/000_3ccc218f3f77786b.m3.6"
GUOFA_LINK = "https://kb.example/measures/002_021a81bc4bdd63b7.m1.1"
SEED_ENTRY = (
    "十堰市科学技术局. 十堰市2019年科技创新工作要点[EB/OL]. (2019-07-08)[2024-05-01]. "
    "https://kb.example/documents/000_3ccc218f3f77786b."
)
GUOFA_ENTRY = (
    "国务院. 国务院关于印发国家职业教育改革实施方案的通知: 国发〔2019〕4号[EB/OL]. "
    f"(2019-01-24)[2024-05-01]. {GUOFA_URL}."
)

EXPECTED_MARKDOWN = f"""# 政策引用汇编

## 1. 三、主要措施(六)

> {SEED_QUOTE}

{SEED_OFFICIAL}

[{SEED_LINK}]({SEED_LINK})

## 2. 一、完善国家职业教育制度体系（一）

> {GUOFA_QUOTE}

{GUOFA_OFFICIAL}

[{GUOFA_LINK}]({GUOFA_LINK})

## 参考文献

\\[1\\] 十堰市科学技术局. 十堰市2019年科技创新工作要点\\[EB/OL\\]. (2019-07-08)\\[2024-05-01\\]. https://kb.example/documents/000_3ccc218f3f77786b.

\\[2\\] 国务院. 国务院关于印发国家职业教育改革实施方案的通知: 国发〔2019〕4号\\[EB/OL\\]. (2019-01-24)\\[2024-05-01\\]. {GUOFA_URL}.
"""

# (style, text) of every paragraph of the .docx for the same two items: the same content.
EXPECTED_PARAGRAPHS = [
    ("Title", "政策引用汇编"),
    ("Heading 1", "1. 三、主要措施(六)"),
    ("Quote", SEED_QUOTE),
    ("Normal", SEED_OFFICIAL),
    ("Normal", SEED_LINK),
    ("Heading 1", "2. 一、完善国家职业教育制度体系（一）"),
    ("Quote", GUOFA_QUOTE),
    ("Normal", GUOFA_OFFICIAL),
    ("Normal", GUOFA_LINK),
    ("Heading 1", "参考文献"),
    ("Normal", f"[1] {SEED_ENTRY}"),
    ("Normal", f"[2] {GUOFA_ENTRY}"),
]


@pytest.fixture
def two_items(seed_path: Path) -> list[tuple[Citable, Document]]:
    seed = seed_document(seed_path)
    guofa = guofa_document(url=GUOFA_URL)
    return [
        (citable_from_measure(seed_measure(seed)), seed),
        (citable_from_measure(guofa_measure(guofa)), guofa),
    ]


def paragraphs(data: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_markdown_export_exact(two_items: list[tuple[Citable, Document]]) -> None:
    assert two_items[0][0].quote == SEED_QUOTE
    assert export_markdown(two_items, base_url=BASE_URL, accessed=ACCESSED) == EXPECTED_MARKDOWN


def test_docx_export_has_the_same_content(two_items: list[tuple[Citable, Document]]) -> None:
    data = export_docx(two_items, base_url=BASE_URL, accessed=ACCESSED)
    assert data[:2] == b"PK"
    assert paragraphs(data) == EXPECTED_PARAGRAPHS
    # Every paragraph of the .docx is a paragraph of the Markdown (which only adds syntax).
    markdown = export_markdown(two_items, base_url=BASE_URL, accessed=ACCESSED)
    unescaped = re.sub(r"\\(.)", r"\1", markdown)
    for _, text in EXPECTED_PARAGRAPHS:
        assert text in unescaped


def test_docx_permalinks_are_hyperlinks(two_items: list[tuple[Citable, Document]]) -> None:
    document = docx.Document(io.BytesIO(export_docx(two_items, base_url=BASE_URL)))
    links = [link.url for p in document.paragraphs for link in p.hyperlinks]
    assert links == [SEED_LINK, GUOFA_LINK]


def test_docx_fonts_render_chinese(two_items: list[tuple[Citable, Document]]) -> None:
    document = docx.Document(io.BytesIO(export_docx(two_items)))
    normal_fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal_fonts.get(qn("w:eastAsia")) == "宋体"
    for name in ("Title", "Heading 1"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "黑体"
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override 黑体
    assert document.styles["Quote"].font.italic is None
    assert document.core_properties.title == "政策引用汇编"


def test_without_base_url_the_document_url_is_used(two_items: list[tuple[Citable, Document]]) -> None:
    markdown = export_markdown(two_items, title="汇编", accessed=ACCESSED)
    assert markdown.startswith("# 汇编\n\n## 1. 三、主要措施(六)\n\n")
    # The seed has no URL at all: no link, a [Z] entry; the State Council document links to gov.cn.
    assert "\\[1\\] 十堰市科学技术局. 十堰市2019年科技创新工作要点\\[Z\\]. 2019-07-08.\n" in markdown
    assert f"{GUOFA_OFFICIAL}\n\n[{GUOFA_URL}]({GUOFA_URL})\n\n## 2." not in markdown
    assert f"{GUOFA_OFFICIAL}\n\n[{GUOFA_URL}]({GUOFA_URL})\n\n## 参考文献" in markdown
    assert f"{SEED_OFFICIAL}\n\n## 2." in markdown


def test_references_are_distinct_documents_in_order_of_first_citation(
    two_items: list[tuple[Citable, Document]],
) -> None:
    seed_item, seed = two_items[0]
    guofa_item, guofa = two_items[1]
    items = [(guofa_item, guofa), (seed_item, seed), (guofa_item, guofa)]
    texts = [text for _, text in paragraphs(export_docx(items, accessed=ACCESSED))]
    entries = [text for text in texts if text.startswith("[")]
    assert [entry[:4] for entry in entries] == ["[1] ", "[2] "]
    assert entries[0].startswith("[1] 国务院.")
    assert entries[1].startswith("[2] 十堰市科学技术局.")
    assert [text for text in texts if re.match(r"\d+\. ", text)] == [
        "1. 一、完善国家职业教育制度体系（一）",
        "2. 三、主要措施(六)",
        "3. 一、完善国家职业教育制度体系（一）",
    ]


def test_reference_style_2025(two_items: list[tuple[Citable, Document]]) -> None:
    markdown = export_markdown(two_items, accessed=ACCESSED, reference_style="gbt7714-2025")
    assert f"通知：国发〔2019〕4号\\[EB/OL\\]. （2019-01-24）\\[2024-05-01\\]. {GUOFA_URL}." in markdown


def test_empty_report() -> None:
    assert export_markdown([]) == "# 政策引用汇编\n"
    assert paragraphs(export_docx([])) == [("Title", "政策引用汇编")]


def test_item_without_place_is_headed_by_the_title() -> None:
    document = Document(id="d", title="某某办法", text="全文", agency="某局")
    markdown = export_markdown([(Citable("d", "document", "d", [], "全文"), document)])
    assert markdown.startswith("# 政策引用汇编\n\n## 1. 《某某办法》\n\n> 全文\n\n《某某办法》（某局）\n\n")


# --- arbitrary quotes -------------------------------------------------------------------------

_PREFIX = "# 政策引用汇编\n\n## 1. 三、主要措施(六)\n\n"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # CommonMark line endings
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

quotes = st.one_of(
    st.text(),
    st.lists(
        st.sampled_from(
            ["> ", "*", "#", "`", "```", "\n", "\r", "\r\n", "    ", "- ", "1. ", "<div>", "[1]: x", "==="]
        ),
    ).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quote=quotes)
def test_markdown_quotes_never_break_out(seed_path: Path, quote: str) -> None:
    document = seed_document(seed_path)
    item = Citable(f"{document.id}.m3.6", "measure", document.id, ["三、主要措施", "(六)"], quote)
    markdown = export_markdown([(item, document)])
    suffix = f"{SEED_OFFICIAL}\n\n## 参考文献\n\n\\[1\\] 十堰市科学技术局. 十堰市2019年科技创新工作要点\\[Z\\]. 2019-07-08.\n"
    assert markdown.startswith(_PREFIX)
    assert markdown.endswith(suffix)
    body = markdown[len(_PREFIX) : -len(suffix)]
    lines = _LINE.findall(body)
    assert lines[-1] == "\n"  # a blank line closes the quote
    quoted = lines[:-1]
    assert quoted and all(line.startswith(">") for line in quoted)
    unquoted = "".join(line[2:] if line.startswith("> ") else line[1:] for line in quoted)
    assert unquoted in (quote, quote + "\n")  # verbatim; a final line ending may be added


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quote=quotes)
def test_docx_holds_arbitrary_quotes(seed_path: Path, quote: str) -> None:
    document = seed_document(seed_path)
    item = Citable(f"{document.id}.m3.6", "measure", document.id, ["三、主要措施", "(六)"], quote)
    got = paragraphs(export_docx([(item, document)]))
    expected = _XML_INVALID.sub("\ufffd", quote).replace("\r\n", "\n").replace("\r", "\n")
    assert ("Quote", expected) in got
    assert ("Normal", SEED_OFFICIAL) in got
