"""Report export: a list of cited items as Word (.docx, 公文 layout) or Markdown. Pure functions, no file I/O.

Both formats are rendered from one list of blocks, so they hold exactly the same content:

1. the report title;
2. for each item, in the given order (the basket's):
   * a level-1 heading ``一、{headline}``: the measure's headline, the target's statement, the clause's heading
     (trailing 。；， dropped), numbered 一、二、… as 公文 number their first level;
   * a level-2 heading with its document's title ``《标题》`` (not for a whole document);
   * the verbatim quote;
   * the citation, ``出处：…``: in the ``official`` style the in-text citation
     (``《标题》（文号）三、主要措施（六）``); in a GB/T 7714 style ``《标题》三、主要措施（六）[n]``, n being the
     document's number in the reference list;
   * ``本库链接：URL``, only when the site's address is given (``base_url``, an http(s) address): never a
     local or relative address;
3. the list of the distinct documents (by ``Document.id``), numbered ``[1]``, ``[2]``… in order of first
   citation: ``参考文献`` with GB/T 7714 entries (``kb.cite.citation.reference_parts``) in a GB/T style,
   ``引用文件`` with each document's designation ``《标题》（文号）`` in the official style.

Word (GB/T 9704-2012): A4, margins 37/35/28/26 mm (top/bottom/left/right); body 仿宋_GB2312 三号 (16 pt), title
方正小标宋简体 二号 (22 pt) centred, level-1 headings 黑体, level-2 楷体_GB2312, all 三号; lines at an exact 28.9 pt
(22 lines in the 225 mm type area), the grid of 22 lines × 28 characters; paragraphs indented two characters;
page numbers "— 1 —" in 宋体 四号 at the foot (odd pages right, even pages left, one character in). Fonts are set
as East Asian fonts (``w:rFonts/@w:eastAsia``) in the styles and on every run; the font table names a
fallback each Word has (``w:altName``: 仿宋, 宋体, 楷体) and the GB2312 charset, for offices without the
GB2312 fonts. Quotes: one paragraph per line of the quote (blank lines and the indentation before a line are
layout and give way to the two-character indent; the characters themselves are verbatim). Document properties:
title, author (``author``), subject, description, language zh-CN, dates of the export; no template thumbnail.
Characters XML cannot hold (C0 controls other than tab/newline, U+FFFE/U+FFFF, lone surrogates) become U+FFFD.

Markdown: quotes as block quotes (``kb.cite.citation.md_quote``), every other text through ``md_text``: HTML
character references for ``& < > [ ] \\ ` * _ ~ | #``, never backslash escapes, so nothing taken from a document
can become HTML, a link or emphasis. Links only where this module makes them: ``<URL>`` autolinks of http(s)
addresses (a source URL that is not one never reaches the reference list, see ``source_url``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips
from lxml import etree

from kb.cite.citation import (
    Citable,
    chinese_date,
    chinese_numeral,
    document_designation,
    document_title,
    md_quote,
    md_text,
    md_url,
    normalize_style,
    official_reference,
    place,
    reference_parts,
)
from kb.model import Document
from kb.text.normalize import WHITESPACE
from kb.urls import item_url as item_url_of

DEFAULT_TITLE = "政策引用汇编"
DEFAULT_AUTHOR = "政策知识库"
EXPORT_STYLES: tuple[str, ...] = ("official", "gbt7714", "gbt7714-2025")
STYLE_NAMES = {
    "official": "公文引用格式",
    "gbt7714": "GB/T 7714—2015",
    "gbt7714-2025": "GB/T 7714—2025",
}
REFERENCES_HEADING = {"official": "引用文件", "gbt7714": "参考文献", "gbt7714-2025": "参考文献"}
SOURCE_LABEL = "出处："
LINK_LABEL = "本库链接："

# (font, fallback named in the font table) -- GB/T 9704-2012 7.2-7.4
BODY_FONT = ("仿宋_GB2312", "仿宋")
TITLE_FONT = ("方正小标宋简体", "宋体")
HEADING1_FONT = ("黑体", "SimHei")
HEADING2_FONT = ("楷体_GB2312", "楷体")
PAGE_NUMBER_FONT = ("宋体", "SimSun")
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Twips(578)  # 28.9 pt: 22 lines in the 225 mm type area
PAGE = {"width": Twips(11906), "height": Twips(16838)}  # A4
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
FOOTER_DISTANCE = Mm(25)  # the page number's dash line sits ~7 mm under the type area
# Font table entries: name -> (altName, panose, family, pitch). Charset 86 = GB2312.
_FONT_TABLE = {
    "仿宋_GB2312": ("仿宋", "02010609030101010101", "modern", "fixed"),
    "方正小标宋简体": ("宋体", "02000000000000000000", "auto", "variable"),
    "楷体_GB2312": ("楷体", "02010609030101010101", "modern", "fixed"),
    "黑体": ("SimHei", "02010609060101010101", "modern", "fixed"),
    "宋体": ("SimSun", "02010600030101010101", "auto", "variable"),
    "仿宋": ("FangSong", "02010609060101010101", "modern", "fixed"),
    "楷体": ("KaiTi", "02010609060101010101", "modern", "fixed"),
}

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_HEADLINE_END = "。；;，,：:、 \t\u3000"
_BREAKS = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Block:
    role: str  # title | heading1 | heading2 | quote | citation | link | reference
    text: str
    url: str = ""  # link: the address; reference: the entry's URL
    tail: str = ""  # reference: what follows the URL


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in _BREAKS.split(text) if part.strip())


def _same(text: str) -> str:
    return text


def headline(item: Citable, document: Document) -> str:
    """The item's headline for a report heading (its own words, trailing punctuation dropped)."""
    text = _one_line(item.headline).rstrip(_HEADLINE_END)
    if text:
        return text
    where = "".join(item.path)
    return where or f"《{_one_line(document.title) or document.id}》"


def item_url(base_url: str, item: Citable) -> str:
    """The item's page on the site at ``base_url`` (an http(s) address), else ``""``."""
    base = base_url.strip().rstrip("/")
    if not base.lower().startswith(("http://", "https://")):
        return ""
    return base + item_url_of(item.type, item.id)


def blocks(
    items: list[tuple[Citable, Document]],
    *,
    style: str = "official",
    title: str = DEFAULT_TITLE,
    base_url: str = "",
    accessed: date | None = None,
    esc: Callable[[str], str] = _same,
) -> list[Block]:
    """The report's content, in order (see the module docstring).

    ``esc`` is applied to every text taken from a document or a caller (never to the report's own words and
    punctuation, never to quotes and URLs, which each format renders itself): ``md_text`` for Markdown.
    """
    style = export_style(style)
    numbers: dict[str, int] = {}
    documents: list[Document] = []
    for _, document in items:
        if document.id not in numbers:
            numbers[document.id] = len(numbers) + 1
            documents.append(document)
    out = [Block("title", esc(_one_line(title) or DEFAULT_TITLE))]
    for n, (item, document) in enumerate(items, start=1):
        out.append(Block("heading1", f"{chinese_numeral(n)}、{esc(headline(item, document))}"))
        if item.type != "document":
            out.append(Block("heading2", _one_line(document_title(document, esc))))
        out.append(Block("quote", item.quote))
        where = _one_line(place(item.path))
        if style == "official":
            source = _one_line(official_reference(document, where, esc))
        else:
            source = _one_line(document_title(document, esc)) + esc(where) + f"[{numbers[document.id]}]"
        out.append(Block("citation", SOURCE_LABEL + source))
        link = item_url(base_url, item)
        if link:
            out.append(Block("link", LINK_LABEL, url=link))
    if documents:
        out.append(Block("heading1", REFERENCES_HEADING[style]))
        for document in documents:
            number = f"[{numbers[document.id]}] "
            if style == "official":
                out.append(Block("reference", number + _one_line(document_designation(document, esc))))
            else:
                entry = reference_parts(document, style, accessed=accessed, esc=esc)
                head = _BREAKS.sub(" ", entry.head)  # keeps the space before the URL
                out.append(Block("reference", number + head, url=entry.url, tail=entry.tail))
    return out


def export_style(style: str) -> str:
    """The canonical export style, ``ValueError`` unless official, gbt7714 (-2015) or gbt7714-2025."""
    style = normalize_style(style)
    if style not in EXPORT_STYLES:
        raise ValueError(f"unknown export style {style!r}; valid styles: {', '.join(EXPORT_STYLES)}")
    return style


# --- Markdown ---------------------------------------------------------------------------------


def export_markdown(
    items: list[tuple[Citable, Document]],
    *,
    style: str = "official",
    title: str = DEFAULT_TITLE,
    base_url: str = "",
    accessed: date | None = None,
) -> str:
    """The report as Markdown (see the module docstring for its layout and safety)."""
    out: list[str] = []
    content = blocks(items, style=style, title=title, base_url=base_url, accessed=accessed, esc=md_text)
    for block in content:
        if block.role == "title":
            text = "# " + block.text
        elif block.role == "heading1":
            text = "## " + block.text
        elif block.role == "heading2":
            text = "### " + block.text
        elif block.role == "quote":
            text = md_quote(block.text)
        elif block.role in ("link", "reference"):
            link = md_url(block.url)
            text = block.text + (link + block.tail if link else "")
        else:
            text = block.text
        out.append(text)
        # One blank line after every block; a quote may already end with its own line ending
        # (after a final "\r" the added "\n" merges into one "\r\n" ending, then the blank line).
        out.append("\n" if text.endswith("\n") else "\n\n")
    return "".join(out).rstrip("\n") + "\n"


# --- Word -------------------------------------------------------------------------------------


def export_docx(
    items: list[tuple[Citable, Document]],
    *,
    style: str = "official",
    title: str = DEFAULT_TITLE,
    base_url: str = "",
    accessed: date | None = None,
    author: str = DEFAULT_AUTHOR,
) -> bytes:
    """The report as a Word document in 公文 layout (the bytes of a .docx file), same content as the Markdown."""
    style = export_style(style)
    day = accessed or date.today()
    content = blocks(items, style=style, title=title, base_url=base_url, accessed=day)
    document = docx.Document()
    _page_setup(document)
    _styles(document)
    _font_table(document)
    _properties(document, content[0].text, author, day, len(items), style)
    for block in content:
        if block.role == "title":
            _paragraph(document, "Title", block.text, TITLE_FONT, TITLE_SIZE)
        elif block.role == "heading1":
            _paragraph(document, "Heading 1", block.text, HEADING1_FONT)
        elif block.role == "heading2":
            _paragraph(document, "Heading 2", block.text, HEADING2_FONT)
        elif block.role == "quote":
            lines = [_strip_layout(line) for line in _BREAKS.split(block.text)]
            for line in [line for line in lines if line] or [""]:
                _paragraph(document, "Quote", line, BODY_FONT)
        elif block.role == "link":
            paragraph = _paragraph(document, "Normal", block.text, BODY_FONT, left=True)
            _add_hyperlink(paragraph, block.url)
        elif block.role == "reference":
            paragraph = _paragraph(document, "Normal", block.text, BODY_FONT, indent=False, left=True)
            if block.url:
                _add_hyperlink(paragraph, block.url)
                _run(paragraph, block.tail, BODY_FONT)
        else:
            _paragraph(document, "Normal", block.text, BODY_FONT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _strip_layout(line: str) -> str:
    return line.strip("".join(WHITESPACE) + "\r\n\f\v")


def _fonts_xml(font: tuple[str, str]) -> str:
    name = escape(font[0], {'"': "&quot;"})
    return (
        f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:cs="{LATIN_FONT}" '
        f'w:eastAsia="{name}" w:hint="eastAsia"/>'
    )


def _rpr_xml(font: tuple[str, str], size: Pt, *, link: bool = False) -> str:
    """Run properties in schema order: fonts, (colour), kern, size, (underline), language."""
    half_points = round(size.pt * 2)
    return (
        f"<w:rPr {nsdecls('w')}>{_fonts_xml(font)}"
        + ('<w:color w:val="0563C1"/>' if link else "")
        + f'<w:kern w:val="0"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        + ('<w:u w:val="single"/>' if link else "")
        + '<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>'
    )


def _ppr_xml(
    *, indent: bool | None = True, center: bool = False, after: int = 0, heading: int | None = None
) -> str:
    """Paragraph properties in schema order; ``indent`` None leaves the indent alone."""
    if indent is None:
        ind = ""
    elif indent:
        ind = '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
    else:
        ind = '<w:ind w:firstLineChars="0" w:firstLine="0"/>'
    keep = "<w:keepNext/><w:keepLines/>" if heading is not None else ""
    outline = f'<w:outlineLvl w:val="{heading}"/>' if heading is not None else ""
    align = "" if indent is None else f'<w:jc w:val="{"center" if center else "both"}"/>'
    return (
        f"<w:pPr {nsdecls('w')}>{keep}<w:widowControl/>"
        f'<w:spacing w:before="0" w:after="{after}" w:line="{LINE_PITCH.twips}" w:lineRule="exact"/>'
        f"{ind}{align}{outline}</w:pPr>"
    )


def _replace_formatting(style, ppr: str, rpr: str) -> None:
    element = style.element
    for tag in ("w:pPr", "w:rPr"):
        for old in element.findall(qn(tag)):
            element.remove(old)
    element.append(parse_xml(ppr))
    element.append(parse_xml(rpr))


def _styles(document) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.element.remove(defaults)
    styles.element.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault>{_rpr_xml(BODY_FONT, BODY_SIZE)}</w:rPrDefault>"
            f"<w:pPrDefault>{_ppr_xml(indent=None)}</w:pPrDefault></w:docDefaults>"
        ),
    )
    body_rpr = _rpr_xml(BODY_FONT, BODY_SIZE)
    _replace_formatting(styles["Normal"], _ppr_xml(), body_rpr)
    _replace_formatting(styles["Quote"], _ppr_xml(), body_rpr)
    _replace_formatting(
        styles["Title"],
        _ppr_xml(indent=False, center=True, after=LINE_PITCH.twips),
        _rpr_xml(TITLE_FONT, TITLE_SIZE),
    )
    _replace_formatting(styles["Heading 1"], _ppr_xml(heading=0), _rpr_xml(HEADING1_FONT, BODY_SIZE))
    _replace_formatting(styles["Heading 2"], _ppr_xml(heading=1), _rpr_xml(HEADING2_FONT, BODY_SIZE))
    footer_ppr = (
        f"<w:pPr {nsdecls('w')}>"
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        '<w:ind w:firstLineChars="0" w:firstLine="0"/></w:pPr>'
    )
    _replace_formatting(styles["Footer"], footer_ppr, _rpr_xml(PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE))


def _font_table(document) -> None:
    """Name the fonts with a fallback every Chinese Word has (``w:altName``) and the GB2312 charset."""
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    root = parse_xml(part.blob)
    for name in [f.get(qn("w:name")) for f in root.findall(qn("w:font"))]:
        if name in _FONT_TABLE:
            root.remove(next(f for f in root.findall(qn("w:font")) if f.get(qn("w:name")) == name))
    for name, (alt, panose, family, pitch) in _FONT_TABLE.items():
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                f'<w:panose1 w:val="{panose}"/><w:charset w:val="86"/><w:family w:val="{family}"/>'
                f'<w:pitch w:val="{pitch}"/>'
                '<w:sig w:usb0="00000001" w:usb1="080E0000" w:usb2="00000010" w:usb3="00000000" '
                'w:csb0="00040000" w:csb1="00000000"/></w:font>'
            )
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(15)
    section.footer_distance = FOOTER_DISTANCE
    sect_pr = section._sectPr
    for grid in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(grid)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    sect_pr.append(grid)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], right=True)
    _page_number(section.even_page_footer.paragraphs[0], right=False)


def _page_number(paragraph, *, right: bool) -> None:
    """ "— N —": odd pages right, even pages left, one character (四号) in from the edge of the type area."""
    paragraph.style = "Footer"
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    if right:
        paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
    else:
        paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
    _run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        elif kind == "text":
            run.text = "1"  # shown until the reader updates the field (Word and LibreOffice do on opening)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    _run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _properties(document, title: str, author: str, day: date, count: int, style: str) -> None:
    props = document.core_properties
    stamp = datetime(day.year, day.month, day.day)
    props.title = _xml_safe(title)
    props.author = _xml_safe(author) or DEFAULT_AUTHOR
    props.last_modified_by = props.author
    props.subject = "政策文件引文汇编"
    props.keywords = "政策引用；引文；" + STYLE_NAMES[style]
    props.comments = (
        f"政策知识库导出，{chinese_date(day.isoformat())}，共{count}条引文，{STYLE_NAMES[style]}。"
    )
    props.category = "引文汇编"
    props.language = "zh-CN"
    props.created = props.modified = stamp
    props.revision = 1
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(r_id)
        elif rel.reltype == RELATIONSHIP_TYPE.EXTENDED_PROPERTIES:
            rel.target_part._blob = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                "<Application>PolicyKB</Application><DocSecurity>0</DocSecurity>"
                f"<Company>{escape(_xml_safe(author))}</Company></Properties>"
            ).encode()


def _run(paragraph, text: str, font: tuple[str, str], size: Pt = BODY_SIZE):
    run = paragraph.add_run(_xml_safe(text))
    run._r.insert(0, parse_xml(_rpr_xml(font, size)))
    return run


def _paragraph(
    document,
    style: str,
    text: str,
    font: tuple[str, str],
    size: Pt = BODY_SIZE,
    *,
    indent: bool = True,
    left: bool = False,
):
    """A paragraph of ``style`` with one run; ``indent=False`` drops the two-character indent, ``left`` aligns
    left instead of justifying (lines holding a long URL would otherwise be stretched)."""
    paragraph = document.add_paragraph(style=style)
    ppr = paragraph._p.get_or_add_pPr()
    if not indent:
        ppr.append(parse_xml(f'<w:ind {nsdecls("w")} w:firstLineChars="0" w:firstLine="0"/>'))
    if left:
        ppr.append(parse_xml(f'<w:jc {nsdecls("w")} w:val="left"/>'))
    if text:
        _run(paragraph, text, font, size)
    return paragraph


def _add_hyperlink(paragraph, url: str) -> None:
    """An external hyperlink showing the URL itself (underlined), in the body font."""
    url = _xml_safe(url)
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), r_id)
    paragraph._p.append(hyperlink)
    run = OxmlElement("w:r")
    run.append(parse_xml(_rpr_xml(BODY_FONT, BODY_SIZE, link=True)))
    hyperlink.append(run)
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = url
    run.append(text)
