"""The Word page layout of exports (GB/T 9704-2012 公文 layout, see ``kb.cite.export``'s docstring): A4 with its
margins, the fonts and sizes, the line grid, page numbers "— 1 —", the styles and font table python-docx leaves
out, and paragraphs and runs written in them. Shared by the report export and the result-table export."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips
from lxml import etree

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


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


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
