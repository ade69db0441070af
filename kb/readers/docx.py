"""Word .docx documents via python-docx.

Body: paragraphs and table cells in document order, one line each (a merged
cell is read once), joined with ``\\n``; lines are verbatim. Metadata label
lines at the top ("文号：国发〔2019〕4号", "发文机关：…", "成文日期：2019年1月24日",
also with an empty value, "文号：") fill the meta and are left out of the body;
so is the 落款 at the end (an agency line, then a date-only line; see
``kb.readers.layout.split_signature``), which fills agency and date when the
top did not. Title: the core property ``title``, else the first short
paragraph styled Title/Heading/标题, or centred, or followed by label lines,
among the first paragraphs (that paragraph stays in the body, as on the page).

The zip is checked before python-docx opens it: declared sizes (zip bombs)
and XML parts with a DTD or entity declarations are refused with a reason
(``kb.readers.archive``).
"""

from __future__ import annotations

import io
import zipfile

from kb.model import RawDocument
from kb.readers.archive import open_zip, refuse_xml_declarations
from kb.readers.encoding import ReadError, check_size, trim_blank_lines
from kb.readers.layout import label_line, split_signature
from kb.readers.text import TITLE_MAX_CHARS, clean_meta, looks_like_title

TOP_LINES = 15  # label lines and the title are looked for among this many first non-empty lines
_TITLE_STYLES = ("title", "heading", "标题")


def _open(data: bytes):
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - dependency is declared
        raise ReadError("python-docx is not installed; cannot read .docx") from None
    archive = open_zip(data, ".docx")  # not a zip, zip bomb: refused here
    refuse_xml_declarations(archive, ".docx")
    try:
        return docx.Document(io.BytesIO(data))
    except PackageNotFoundError:
        raise ReadError("不是有效的 .docx 文件（缺少 Word 文档部件）") from None
    except KeyError as exc:
        raise ReadError(f"不是有效的 .docx 文件（缺少部件 {exc}）") from None
    except zipfile.BadZipFile as exc:
        raise ReadError(f"不是有效的 .docx 文件（zip 压缩包已损坏：{exc}）") from None
    except Exception as exc:  # lxml syntax errors, bad content types, ...
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"不是有效的 .docx 文件（{first}）") from None


def _is_title_paragraph(paragraph) -> bool:
    """Styled Title/Heading/标题, or centred and bold or reading like a title (offices centre it)."""
    text = paragraph.text.strip()
    if not text or len(text) >= TITLE_MAX_CHARS:
        return False
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.lower().startswith(_TITLE_STYLES):
        return True
    try:
        centred = (
            paragraph.alignment is not None and int(paragraph.alignment) == 1
        )  # WD_ALIGN_PARAGRAPH.CENTER
    except (TypeError, ValueError):
        centred = False
    runs = [r for r in paragraph.runs if r.text.strip()]
    return centred and ((bool(runs) and all(r.bold for r in runs)) or looks_like_title(text))


def _blocks(document):
    """Paragraph objects and table-cell texts in document order: yields (paragraph or None, text)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            yield paragraph, paragraph.text
        elif tag == "tbl":
            seen: set = set()  # <w:tc> elements already read (a merged cell repeats); kept alive here
            for row in Table(child, document).rows:
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    for paragraph in cell.paragraphs:
                        yield None, paragraph.text


def parse_docx(data: bytes) -> tuple[dict[str, str], str, set[str]]:
    """Read .docx bytes into (meta, body, inferred keys)."""
    document = _open(data)
    meta: dict[str, str] = {}
    try:
        core_title = (document.core_properties.title or "").strip()
    except Exception:  # broken core.xml must not make the document unreadable
        core_title = ""
    lines: list[str] = []
    style_title = ""
    first_line = ""  # the first non-empty paragraph: the title when label lines follow it
    label_after_first = False
    non_empty = 0
    try:
        for paragraph, text in _blocks(document):
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if text.strip():
                non_empty += 1
            if non_empty <= TOP_LINES and text.strip():
                labelled = label_line(text)
                if labelled and (labelled[0] not in meta or not labelled[1]):
                    key, value = labelled
                    if value:
                        meta[key] = value
                    label_after_first = label_after_first or (non_empty == 2 and bool(first_line))
                    continue
                if non_empty == 1:
                    first_line = text.strip()
                if not style_title and paragraph is not None and _is_title_paragraph(paragraph):
                    style_title = text.strip()
            lines.append(text)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"不是有效的 .docx 文件（{first}）") from None
    if not style_title and label_after_first and looks_like_title(first_line):
        style_title = first_line
    signature, lines = split_signature(lines)
    for key, value in signature.items():
        meta.setdefault(key, value)
    if not meta.get("title"):
        meta["title"] = core_title or style_title
    return clean_meta(meta), trim_blank_lines("\n".join(lines)), set()


def read_docx(data: bytes) -> tuple[RawDocument, set[str]]:
    """Read a .docx file's bytes; the second item names meta keys that are guesses."""
    check_size(len(data))
    meta, body, inferred = parse_docx(data)
    return RawDocument(text=body, meta=meta, format="docx", encoding="utf-8"), inferred
