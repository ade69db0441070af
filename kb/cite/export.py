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

The Word page layout (fonts, page, styles, paragraphs) is ``kb.cite.docx_layout``; its names are re-exported here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import RELATIONSHIP_TYPE

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
from kb.cite.docx_layout import (
    BODY_FONT,
    BODY_SIZE,
    FOOTER_DISTANCE,
    HEADING1_FONT,
    HEADING2_FONT,
    LATIN_FONT,
    LINE_PITCH,
    MARGINS,
    PAGE,
    PAGE_NUMBER_FONT,
    PAGE_NUMBER_SIZE,
    TITLE_FONT,
    TITLE_SIZE,
    _add_hyperlink,
    _font_table,
    _page_setup,
    _paragraph,
    _run,
    _styles,
    _xml_safe,
)
from kb.model import Document
from kb.text.normalize import WHITESPACE
from kb.urls import item_url as item_url_of

__all__ = [
    "BODY_FONT",
    "BODY_SIZE",
    "DEFAULT_AUTHOR",
    "DEFAULT_TITLE",
    "EXPORT_STYLES",
    "FOOTER_DISTANCE",
    "HEADING1_FONT",
    "HEADING2_FONT",
    "LATIN_FONT",
    "LINE_PITCH",
    "LINK_LABEL",
    "MARGINS",
    "PAGE",
    "PAGE_NUMBER_FONT",
    "PAGE_NUMBER_SIZE",
    "REFERENCES_HEADING",
    "SOURCE_LABEL",
    "STYLE_NAMES",
    "TITLE_FONT",
    "TITLE_SIZE",
    "Block",
    "blocks",
    "export_docx",
    "export_markdown",
    "export_style",
    "headline",
    "item_url",
]

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


def _strip_layout(line: str) -> str:
    return line.strip("".join(WHITESPACE) + "\r\n\f\v")


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
