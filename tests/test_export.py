"""Report export (kb.cite.export): exact Markdown, a .docx in 公文 layout with the same content (checked in its XML,
with python-docx and, where installed, through LibreOffice to PDF), quotes that stay quotes, no live HTML."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import markdown
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from kb.cite.citation import Citable, citable_from_measure
from kb.cite.export import blocks, export_docx, export_markdown
from kb.model import Document, Measure
from kb.text.normalize import WHITESPACE

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
GUOFA_DESIGNATION = f"《{GUOFA_TITLE}》（国发〔2019〕4号）"
GUOFA_OFFICIAL = GUOFA_DESIGNATION + "一、完善国家职业教育制度体系（一）"
ACCESSED = date(2024, 5, 1)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def seed_document(path: Path) -> Document:
    return Document(
        id="000_3ccc218f3f77786b",
        title=SEED_TITLE,
        text=path.read_text(encoding="utf-8"),
        agency="十堰市科学技术局",
        date="2019-07-08",
        index_no="011081248/2019-00001",
    )


def measure_at(document: Document, label: str, path: list[str], mid: str, headline: str) -> Measure:
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
        headline=headline,
        text=document.text[start:end],
        span=(start, end),
    )


def seed_measure(document: Document) -> Measure:
    return measure_at(
        document,
        "(六)着力加强知识产权保护与运用",
        ["三、主要措施", "(六)"],
        "3.6",
        "着力加强知识产权保护与运用,增强科技创新驱动力。",
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
    return measure_at(
        document, "（一）", ["一、完善国家职业教育制度体系", "（一）"], "1.1", "健全国家职业教育制度框架。"
    )


BASE_URL = "https://kb.example"  # the site's public address (POLICYKB_SITE_URL)
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
SEED_ENTRY = "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
GUOFA_ENTRY = f"国务院. {GUOFA_TITLE}: 国发〔2019〕4号[EB/OL]. (2019-01-24)[2024-05-01]. {GUOFA_URL}."
SEED_HEADING = "一、着力加强知识产权保护与运用,增强科技创新驱动力"
GUOFA_HEADING = "二、健全国家职业教育制度框架"

EXPECTED_MARKDOWN = f"""# 政策引用汇编

## {SEED_HEADING}

### 《{SEED_TITLE}》

> {SEED_QUOTE}

出处：{SEED_OFFICIAL}

本库链接：<{SEED_LINK}>

## {GUOFA_HEADING}

### 《{GUOFA_TITLE}》

> {GUOFA_QUOTE}

出处：{GUOFA_OFFICIAL}

本库链接：<{GUOFA_LINK}>

## 引用文件

[1] {SEED_DESIGNATION}

[2] {GUOFA_DESIGNATION}
"""

EXPECTED_MARKDOWN_GBT = f"""# 政策引用汇编

## {SEED_HEADING}

### 《{SEED_TITLE}》

> {SEED_QUOTE}

出处：《{SEED_TITLE}》三、主要措施（六）[1]

## {GUOFA_HEADING}

### 《{GUOFA_TITLE}》

> {GUOFA_QUOTE}

出处：《{GUOFA_TITLE}》一、完善国家职业教育制度体系（一）[2]

## 参考文献

[1] {SEED_ENTRY}

[2] 国务院. {GUOFA_TITLE}: 国发〔2019〕4号[EB/OL]. (2019-01-24)[2024-05-01]. <{GUOFA_URL}>.
"""

# (style, text) of every paragraph of the .docx for the same two items: the same content.
EXPECTED_PARAGRAPHS = [
    ("Title", "政策引用汇编"),
    ("Heading 1", SEED_HEADING),
    ("Heading 2", f"《{SEED_TITLE}》"),
    ("Quote", SEED_QUOTE),
    ("Normal", f"出处：{SEED_OFFICIAL}"),
    ("Normal", f"本库链接：{SEED_LINK}"),
    ("Heading 1", GUOFA_HEADING),
    ("Heading 2", f"《{GUOFA_TITLE}》"),
    ("Quote", GUOFA_QUOTE),
    ("Normal", f"出处：{GUOFA_OFFICIAL}"),
    ("Normal", f"本库链接：{GUOFA_LINK}"),
    ("Heading 1", "引用文件"),
    ("Normal", f"[1] {SEED_DESIGNATION}"),
    ("Normal", f"[2] {GUOFA_DESIGNATION}"),
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


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def rendered_html(md: str) -> str:
    return markdown.markdown(md)


# --- content ----------------------------------------------------------------------------------


def test_markdown_export_exact(two_items: list[tuple[Citable, Document]]) -> None:
    assert two_items[0][0].quote == SEED_QUOTE
    assert export_markdown(two_items, base_url=BASE_URL, accessed=ACCESSED) == EXPECTED_MARKDOWN


def test_markdown_export_gbt7714(two_items: list[tuple[Citable, Document]]) -> None:
    markdown_text = export_markdown(two_items, style="gbt7714", accessed=ACCESSED)
    assert markdown_text == EXPECTED_MARKDOWN_GBT
    assert "\\" not in markdown_text  # citations are plain text: no backslash escapes
    links = re.findall(r'href="([^"]*)"', rendered_html(markdown_text))
    assert links == [GUOFA_URL]  # the one link: the State Council's own page


def test_reference_style_2025(two_items: list[tuple[Citable, Document]]) -> None:
    text = export_markdown(two_items, accessed=ACCESSED, style="gbt7714-2025")
    assert (
        f"[2] 国务院. {GUOFA_TITLE}：国发〔2019〕4号[EB/OL]. （2019-01-24）[2024-05-01]. <{GUOFA_URL}>."
        in text
    )
    assert export_markdown(two_items, style="gbt7714-2015", accessed=ACCESSED) == EXPECTED_MARKDOWN_GBT
    with pytest.raises(ValueError, match="gbt7714-2025"):
        export_markdown(two_items, style="markdown")


def test_docx_export_has_the_same_content(two_items: list[tuple[Citable, Document]]) -> None:
    data = export_docx(two_items, base_url=BASE_URL, accessed=ACCESSED)
    assert data[:2] == b"PK"
    assert paragraphs(data) == EXPECTED_PARAGRAPHS
    rendered = html.unescape(
        re.sub(r"<[^>]+>", "", rendered_html(export_markdown(two_items, base_url=BASE_URL)))
    )
    for _, text in EXPECTED_PARAGRAPHS:
        assert text in rendered


def test_docx_gbt7714_reference_list(two_items: list[tuple[Citable, Document]]) -> None:
    got = paragraphs(export_docx(two_items, style="gbt7714", accessed=ACCESSED))
    assert got[-3:] == [
        ("Heading 1", "参考文献"),
        ("Normal", f"[1] {SEED_ENTRY}"),
        ("Normal", f"[2] {GUOFA_ENTRY}"),
    ]
    assert ("Normal", f"出处：《{SEED_TITLE}》三、主要措施（六）[1]") in got
    links = [
        link.url
        for p in docx.Document(io.BytesIO(export_docx(two_items, style="gbt7714"))).paragraphs
        for link in p.hyperlinks
    ]
    assert links == [GUOFA_URL]


def test_links_to_the_site_only_with_a_site_url(two_items: list[tuple[Citable, Document]]) -> None:
    for base_url in ("", "/", "127.0.0.1:8000", "javascript:alert(1)"):
        data = export_docx(two_items, base_url=base_url, accessed=ACCESSED)
        assert not [p for p in paragraphs(data) if p[1].startswith("本库链接")]
        rels = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
        assert "Hyperlink" not in rels
        text = export_markdown(two_items, base_url=base_url, accessed=ACCESSED)
        assert "本库链接" not in text and "<http" not in text
    document = docx.Document(io.BytesIO(export_docx(two_items, base_url=BASE_URL)))
    assert [link.url for p in document.paragraphs for link in p.hyperlinks] == [SEED_LINK, GUOFA_LINK]


def test_references_are_distinct_documents_in_order_of_first_citation(
    two_items: list[tuple[Citable, Document]],
) -> None:
    seed_item, seed = two_items[0]
    guofa_item, guofa = two_items[1]
    items = [(guofa_item, guofa), (seed_item, seed), (guofa_item, guofa)]
    texts = [text for _, text in paragraphs(export_docx(items, style="gbt7714", accessed=ACCESSED))]
    entries = [text for text in texts if text.startswith("[")]
    assert [entry[:4] for entry in entries] == ["[1] ", "[2] "]
    assert entries[0].startswith("[1] 国务院.")
    assert entries[1].startswith("[2] 十堰市科学技术局.")
    assert [text for text in texts if text.startswith("出处")] == [
        f"出处：《{GUOFA_TITLE}》一、完善国家职业教育制度体系（一）[1]",
        f"出处：《{SEED_TITLE}》三、主要措施（六）[2]",
        f"出处：《{GUOFA_TITLE}》一、完善国家职业教育制度体系（一）[1]",
    ]
    assert [text for text in texts if re.match("[一二三四]、", text)] == [
        "一、健全国家职业教育制度框架",
        SEED_HEADING.replace("一、", "二、"),
        "三、健全国家职业教育制度框架",
    ]


def test_empty_report() -> None:
    assert export_markdown([]) == "# 政策引用汇编\n"
    assert paragraphs(export_docx([])) == [("Title", "政策引用汇编")]


def test_item_without_headline_or_place_is_headed_by_the_title() -> None:
    document = Document(id="d", title="某某办法", text="全文", agency="某局")
    text = export_markdown([(Citable("d", "document", "d", [], "全文"), document)])
    assert text.startswith(
        "# 政策引用汇编\n\n## 一、《某某办法》\n\n> 全文\n\n出处：《某某办法》（某局）\n\n"
    )


def test_targets_are_headed_by_their_statement(seed_path: Path) -> None:
    seed = seed_document(seed_path)
    sentence = "完成科技成果转化项目140项,全市发明专利申请量达到2100件,"
    item = Citable(
        f"{seed.id}.t2.2-2",
        "target",
        seed.id,
        ["二、主要目标", "第二项"],
        sentence,
        "全市发明专利申请量达到2100件",
    )
    content = blocks([(item, seed)])
    assert [(b.role, b.text) for b in content[1:5]] == [
        ("heading1", "一、全市发明专利申请量达到2100件"),
        ("heading2", f"《{SEED_TITLE}》"),
        ("quote", sentence),
        ("citation", f"出处：{SEED_DESIGNATION}二、主要目标第二项"),
    ]


# --- 公文 layout --------------------------------------------------------------------------------


def _run_fonts(paragraph: etree._Element) -> set[tuple[str | None, str | None]]:
    """(East Asian font, size in half-points) of every run of the paragraph, as written on the run."""
    out = set()
    for run in paragraph.iter(f"{W}r"):
        fonts, size = run.find(f"{W}rPr/{W}rFonts"), run.find(f"{W}rPr/{W}sz")
        out.add(
            (
                fonts.get(f"{W}eastAsia") if fonts is not None else None,
                size.get(f"{W}val") if size is not None else None,
            )
        )
    return out


def test_docx_page_fonts_and_headings_in_document_xml(two_items: list[tuple[Citable, Document]]) -> None:
    data = export_docx(two_items, base_url=BASE_URL, accessed=ACCESSED)
    body = part(data, "word/document.xml")
    sect = body.find(f"{W}body/{W}sectPr")
    size = sect.find(f"{W}pgSz")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")  # A4
    margins = sect.find(f"{W}pgMar")
    mm = {
        side: round(int(margins.get(f"{W}{side}")) / 1440 * 25.4)
        for side in ("top", "bottom", "left", "right")
    }
    assert mm == {"top": 37, "bottom": 35, "left": 28, "right": 26}
    assert sect.find(f"{W}docGrid").get(f"{W}linePitch") == "579"
    by_style: dict[str, set[tuple[str | None, str | None]]] = {}
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        by_style.setdefault(style.get(f"{W}val") if style is not None else "Normal", set()).update(
            _run_fonts(p)
        )
    assert by_style["Title"] == {("方正小标宋简体", "44")}  # 二号
    assert by_style["Heading1"] == {("黑体", "32")}  # 三号
    assert by_style["Heading2"] == {("楷体_GB2312", "32")}
    assert by_style["Quote"] == {("仿宋_GB2312", "32")}
    assert by_style["Normal"] == {("仿宋_GB2312", "32")}
    headings = [
        "".join(p.itertext())
        for p in body.iter(f"{W}p")
        if (s := p.find(f"{W}pPr/{W}pStyle")) is not None and s.get(f"{W}val") == "Heading1"
    ]
    assert headings == [SEED_HEADING, GUOFA_HEADING, "引用文件"]


def test_docx_styles_line_pitch_and_fallback_fonts(two_items: list[tuple[Citable, Document]]) -> None:
    data = export_docx(two_items)
    styles = part(data, "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(f"{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"
    assert defaults.find(f"{W}rFonts").get(f"{W}eastAsiaTheme") is None
    assert defaults.find(f"{W}lang").get(f"{W}eastAsia") == "zh-CN"
    document = docx.Document(io.BytesIO(data))
    for name, font in (
        ("Normal", "仿宋_GB2312"),
        ("Title", "方正小标宋简体"),
        ("Heading 1", "黑体"),
        ("Heading 2", "楷体_GB2312"),
    ):
        style = document.styles[name]
        assert style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == font
        assert style.font.bold is None and style.font.italic is None and style.font.color.rgb is None
        spacing = style.element.pPr.find(qn("w:spacing"))
        assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("578", "exact")  # 28.9 pt
    assert document.styles["Title"].paragraph_format.alignment == 1  # centred
    assert document.styles["Quote"].font.italic is None
    fonts = {f.get(qn("w:name")): f for f in part(data, "word/fontTable.xml").findall(qn("w:font"))}
    for name, fallback in (("仿宋_GB2312", "仿宋"), ("方正小标宋简体", "宋体"), ("楷体_GB2312", "楷体")):
        assert fonts[name].find(qn("w:altName")).get(qn("w:val")) == fallback
        assert fonts[name].find(qn("w:charset")).get(qn("w:val")) == "86"  # GB2312


def test_docx_page_numbers_at_the_foot(two_items: list[tuple[Citable, Document]]) -> None:
    data = export_docx(two_items)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        assert paragraph.text == "— 1 —"
        xml = paragraph._p.xml
        assert [i.text for i in paragraph._p.iter(qn("w:instrText"))] == [" PAGE "]
        assert f'w:jc w:val="{side}"' in xml
        fonts = {r.get(qn("w:eastAsia")) for r in paragraph._p.iter(qn("w:rFonts"))}
        assert fonts == {"宋体"}
        assert {s.get(qn("w:val")) for s in paragraph._p.iter(qn("w:sz"))} == {"28"}  # 四号


def test_docx_properties(two_items: list[tuple[Citable, Document]]) -> None:
    data = export_docx(two_items, accessed=ACCESSED, author="十堰市科学技术局")
    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.title, props.author, props.last_modified_by) == (
        "政策引用汇编",
        "十堰市科学技术局",
        "十堰市科学技术局",
    )
    assert props.language == "zh-CN" and props.created.date() == ACCESSED
    assert "2条" in props.comments
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        meta = b"".join(package.read(n) for n in names if n.startswith("docProps/"))
    assert b"python-docx" not in meta and b"Macintosh" not in meta
    assert not [n for n in names if "thumbnail" in n]
    assert docx.Document(io.BytesIO(export_docx([]))).core_properties.author == "政策知识库"


@pytest.mark.slow
def test_libreoffice_opens_it_as_a4_with_page_numbers(tmp_path: Path, two_items) -> None:
    """LibreOffice converts the export to PDF: A4 pages, the text, "— N —" at the foot of every page."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not installed")
    pdfium = pytest.importorskip("pypdfium2")
    items = two_items * 3  # long enough for several pages
    source = tmp_path / "report.docx"
    source.write_bytes(export_docx(items, style="gbt7714", base_url=BASE_URL, accessed=ACCESSED))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = pdfium.PdfDocument(str(tmp_path / "report.pdf"))
    try:
        assert len(pdf) >= 3
        texts = []
        for number, page in enumerate(pdf, start=1):
            width, height = page.get_size()
            assert (round(width), round(height)) == (595, 842)  # A4 in points
            text = page.get_textpage().get_text_range()
            assert re.search(rf"—\s*{number}\s*—", text), text[-80:]
            texts.append(text)
        whole = re.sub(r"\s+", "", "".join(texts))
    finally:
        pdf.close()
    assert "政策引用汇编" in whole and "参考文献" in whole
    assert re.sub(r"\s+", "", SEED_QUOTE) in whole
    assert "[2]国务院.国务院关于印发国家职业教育改革实施方案的通知:国发〔2019〕4号[EB/OL]." in whole


# --- hostile text -------------------------------------------------------------------------------


def test_hostile_metadata_and_javascript_url(tmp_path: Path) -> None:
    """Front matter with <script>, an onerror image and url: javascript: ends up as text, never as HTML or a link."""
    from kb.readers import read

    path = tmp_path / "evil.md"
    path.write_text(
        "---\ntitle: 测试<script>alert(1)</script>办法\nagency: 某局<img src=x onerror=alert(1)>\n"
        "date: 2021-03-01\nurl: javascript:alert(document.cookie)\n---\n\n"
        "一、总则\n\n（一）<b>加强</b>[点我](javascript:alert(1))保护。\n",
        encoding="utf-8",
    )
    raw = read(path)
    assert raw.meta["url"].startswith("javascript:")
    document = Document(
        id="evil",
        title=raw.meta["title"],
        text=raw.text,
        agency=raw.meta["agency"],
        date="2021-03-01",
        url=raw.meta["url"],
    )
    start = raw.text.index("（一）")
    item = Citable(
        "evil.s1.1", "clause", "evil", ["一、总则", "（一）"], raw.text[start:].rstrip(), "<b>加强</b>保护"
    )
    for style in ("official", "gbt7714", "gbt7714-2025"):
        text = export_markdown([(item, document)], style=style, base_url=BASE_URL, accessed=ACCESSED)
        assert "javascript" not in text.split("## 参考文献")[-1].split("## 引用文件")[-1]
        out = rendered_html(text)
        assert set(re.findall(r"<\s*([a-zA-Z0-9]+)", out)) <= {"h1", "h2", "h3", "blockquote", "p", "a"}
        assert re.findall(r'href="([^"]*)"', out) == [f"{BASE_URL}/documents/evil#evil.s1.1"]
        visible = html.unescape(re.sub(r"<[^>]+>", "", out))
        assert (
            "测试<script>alert(1)</script>办法" in visible
            and "<b>加强</b>[点我](javascript:alert(1))保护。" in visible
        )
        data = export_docx([(item, document)], style=style, base_url=BASE_URL, accessed=ACCESSED)
        rels = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
        assert "javascript" not in rels
    entry = export_markdown([(item, document)], style="gbt7714", accessed=ACCESSED).rsplit("\n\n", 1)[-1]
    assert (
        entry
        == "[1] 某局&lt;img src=x onerror=alert(1)&gt;. 测试&lt;script&gt;alert(1)&lt;/script&gt;办法[Z]. 2021-03-01.\n"
    )


# --- arbitrary quotes -------------------------------------------------------------------------

_PREFIX = (
    f"# 政策引用汇编\n\n## 一、着力加强知识产权保护与运用,增强科技创新驱动力\n\n### 《{SEED_TITLE}》\n\n"
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # CommonMark line endings
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LAYOUT = "".join(WHITESPACE) + "\r\n\f\v"  # indentation and odd spaces: layout, not text

quotes = st.one_of(
    st.text(),
    st.lists(
        st.sampled_from(
            [
                "> ",
                "*",
                "#",
                "`",
                "```",
                "\n",
                "\r",
                "\r\n",
                "    ",
                "- ",
                "1. ",
                "<div>",
                "[1]: x",
                "===",
                "&amp;",
                "\t",
            ]
        ),
    ).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
)


def _seed_item(document: Document, quote: str) -> Citable:
    return Citable(
        f"{document.id}.m3.6",
        "measure",
        document.id,
        ["三、主要措施", "（六）"],
        quote,
        "着力加强知识产权保护与运用,增强科技创新驱动力。",
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quote=quotes)
def test_markdown_quotes_never_break_out(seed_path: Path, quote: str) -> None:
    document = seed_document(seed_path)
    text = export_markdown([(_seed_item(document, quote), document)])
    suffix = f"出处：{SEED_OFFICIAL}\n\n## 引用文件\n\n[1] {SEED_DESIGNATION}\n"
    assert text.startswith(_PREFIX)
    assert text.endswith(suffix)
    body = text[len(_PREFIX) : -len(suffix)]
    lines = _LINE.findall(body)
    assert lines[-1] == "\n"  # a blank line closes the quote
    quoted = lines[:-1]
    assert quoted and all(line.startswith(">") for line in quoted)
    for line in quoted:  # nothing in a quote line opens a block or carries markup
        inner = line[2:] if line.startswith("> ") else line[1:]
        assert not re.match(r"( {4}|\t| {0,3}([-+*#=>]|\d{1,9}[.)]([ \t\r\n]|$)))", inner), line
        assert not re.search(r"[<>\[\]`*_\\|~]", inner), line
    unquoted = html.unescape("".join(line[2:] if line.startswith("> ") else line[1:] for line in quoted))
    assert unquoted in (quote, quote + "\n")  # verbatim once the character references are read


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quote=quotes)
def test_docx_holds_arbitrary_quotes(seed_path: Path, quote: str) -> None:
    document = seed_document(seed_path)
    got = paragraphs(export_docx([(_seed_item(document, quote), document)]))
    lines = [line.strip(_LAYOUT) for line in re.split(r"\r\n|\r|\n", quote)]
    expected = [_XML_INVALID.sub("\ufffd", line) for line in lines if line] or [""]
    assert [text for style, text in got if style == "Quote"] == expected
    assert ("Normal", f"出处：{SEED_OFFICIAL}") in got
