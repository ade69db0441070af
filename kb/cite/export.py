"""Report export: a list of cited items as Markdown or Word (.docx). Pure functions, no file I/O.

Both formats are rendered from one list of blocks, so they hold exactly the same content:

1. the report title (Markdown ``#``, Word "Title" style);
2. for each item, in the given order:
   a numbered heading ``"{n}. {place}"`` (``《标题》`` when the item has no place; Markdown ``##``,
   Word "Heading 1"), the verbatim quote (Markdown block quote, Word "Quote" style), its ``official``
   citation (:func:`kb.cite.citation.cite`), and its permalink when one is known;
3. a heading ``参考文献`` and the GB/T 7714 entries of the distinct documents (by ``Document.id``),
   numbered ``[1]``, ``[2]``... in order of first citation (omitted when there are no items).

Permalinks: with ``base_url`` (the site's address, e.g. ``http://policykb.example``), an item's permalink
is its page on the site (``base_url`` + ``kb.present.url_for_id``, the helpers the site itself uses) and a
document's address its document page; without it, the document's own ``url`` (if any). The reference-list entry uses
``Document.url`` first (the official publication), then the knowledge-base address, else ``[Z]``.

Markdown: every generated line (title, headings, citations, entries, link text) is backslash-escaped
(so ``[Z]`` is written ``\\[Z\\]``), because a quote may contain anything, e.g. a link reference
definition ``[1]: http://…`` that would otherwise turn ``[1]`` into a link. Quotes are never escaped:
each of their lines is prefixed ``"> "`` and a blank line follows, so they cannot leave the quote.

Word: Normal text is 宋体 (East Asian font set through ``w:rFonts/@w:eastAsia``; Times New Roman
for Latin), headings 黑体; the Quote style loses its italics (no italics in Chinese typesetting).
Characters XML cannot hold (C0 controls other than tab/newline, U+FFFE/U+FFFF, lone surrogates)
are written as U+FFFD; line breaks in a quote become Word line breaks.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor

from kb.cite.citation import Citable, block_quote, cite, md_escape, md_link, reference_entry
from kb.model import Document
from kb.present import document_url as site_document_url
from kb.present import url_for_id

DEFAULT_TITLE = "政策引用汇编"
REFERENCES_HEADING = "参考文献"

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class _Block:
    kind: str  # title | heading | quote | citation | link | reference
    text: str


def item_url(base_url: str, item: Citable) -> str:
    """The item's page on the site at ``base_url``, or ``""`` without a base URL."""
    if not base_url:
        return ""
    return base_url.rstrip("/") + url_for_id(item.kind, item.id)


def document_url(base_url: str, document: Document) -> str:
    """The document's own URL, else its page on the site at ``base_url``, else ``""``."""
    if document.url:
        return document.url
    if not base_url:
        return ""
    return base_url.rstrip("/") + site_document_url(document.id)


def _blocks(
    items: list[tuple[Citable, Document]],
    title: str,
    base_url: str,
    accessed: date | None,
    reference_style: str,
) -> list[_Block]:
    blocks = [_Block("title", title)]
    documents: dict[str, Document] = {}
    for number, (item, document) in enumerate(items, start=1):
        citation = cite(item, document, "official", url=item_url(base_url, item))
        blocks.append(_Block("heading", f"{number}. {citation.place or '《' + document.title + '》'}"))
        blocks.append(_Block("quote", citation.quote))
        blocks.append(_Block("citation", citation.reference))
        if citation.permalink:
            blocks.append(_Block("link", citation.permalink))
        documents.setdefault(document.id, document)
    if documents:
        blocks.append(_Block("heading", REFERENCES_HEADING))
        for number, document in enumerate(documents.values(), start=1):
            entry = reference_entry(
                document, reference_style, url=document_url(base_url, document), accessed=accessed
            )
            blocks.append(_Block("reference", f"[{number}] {entry}"))
    return blocks


def export_markdown(
    items: list[tuple[Citable, Document]],
    *,
    title: str = DEFAULT_TITLE,
    base_url: str = "",
    accessed: date | None = None,
    reference_style: str = "gbt7714",
) -> str:
    """The report as Markdown (see the module docstring for its layout)."""
    out: list[str] = []
    for block in _blocks(items, title, base_url, accessed, reference_style):
        if block.kind == "title":
            text = "# " + md_escape(block.text)
        elif block.kind == "heading":
            text = "## " + md_escape(block.text)
        elif block.kind == "quote":
            text = block_quote(block.text)
        elif block.kind == "link":
            text = md_link(block.text)
        else:
            text = md_escape(block.text)
        out.append(text)
        # One blank line after every block; a quote may already end with its own line ending
        # (after a final "\r" the added "\n" merges into one "\r\n" ending, then the blank line).
        out.append("\n" if text.endswith("\n") else "\n\n")
    return "".join(out).rstrip("\n") + "\n"


def export_docx(
    items: list[tuple[Citable, Document]],
    *,
    title: str = DEFAULT_TITLE,
    base_url: str = "",
    accessed: date | None = None,
    reference_style: str = "gbt7714",
) -> bytes:
    """The report as a Word document (the bytes of a .docx file), same content as the Markdown."""
    document = docx.Document()
    _set_chinese_fonts(document)
    document.core_properties.title = _xml_safe(title)
    for block in _blocks(items, title, base_url, accessed, reference_style):
        if block.kind == "title":
            document.add_heading(_xml_safe(block.text), level=0)
        elif block.kind == "heading":
            document.add_heading(_xml_safe(block.text), level=1)
        elif block.kind == "quote":
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(_xml_safe(block.text.replace("\r\n", "\n").replace("\r", "\n")))
        elif block.kind == "link":
            _add_hyperlink(document.add_paragraph(), _xml_safe(block.text))
        else:
            document.add_paragraph(_xml_safe(block.text))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _set_east_asian_font(style, font: str, *, latin: str = "") -> None:
    """Set ``w:rFonts/@w:eastAsia`` (and drop the theme font that would override it)."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    if latin:
        for attr in ("ascii", "hAnsi"):
            fonts.set(qn(f"w:{attr}"), latin)
            fonts.attrib.pop(qn(f"w:{attr}Theme"), None)


def _set_chinese_fonts(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _set_east_asian_font(normal, "宋体", latin="Times New Roman")
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    for name in ("Title", "Heading 1"):
        _set_east_asian_font(styles[name], "黑体")
    quote_rpr = styles["Quote"].element.get_or_add_rPr()
    for tag in ("w:i", "w:iCs"):
        for element in quote_rpr.findall(qn(tag)):
            quote_rpr.remove(element)


def _add_hyperlink(paragraph, url: str) -> None:
    """An external hyperlink showing the URL itself (blue, underlined)."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), r_id)
    paragraph._p.append(hyperlink)
    run = OxmlElement("w:r")
    hyperlink.append(run)
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = url
    run.append(text)
    # Format through the run proxy (adds w:rPr in schema order).
    proxy = paragraph.hyperlinks[-1].runs[0]
    proxy.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    proxy.font.underline = True
