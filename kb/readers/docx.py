"""Word .docx documents via python-docx.

Body: paragraphs and table cells in document order, one line each (a merged
cell is read once), joined with ``\\n``; lines are verbatim. Metadata label
lines at the top ("文号：国发〔2019〕4号", "发文机关：…", "成文日期：2019年1月24日",
also with an empty value, "文号：") fill the meta and are left out of the body;
so is the 落款 at the end (an agency line, then a date-only line; see
``kb.readers.layout.split_signature``), which fills agency and date when the
top did not. Title: a "标题：" label line, else the body's title line (the
first short paragraph styled Title/Heading/标题, or centred, or followed by
label lines, among the first paragraphs; it stays in the body, as on the
page), else the core property ``title`` unless it is a producer's default
("Word Document", "Microsoft Word - 文件名.docx", "文档1", "Untitled"…;
``kb.readers.text.is_default_title``). A title that is only the file's own
name is dropped by ``kb.readers.read``.

The zip is checked before python-docx opens it: declared sizes (zip bombs)
and XML parts with a DTD or entity declarations are refused with a reason
(``kb.readers.archive``), and so is a body of more than
``kb.readers.limits.MAX_DOCX_PARAGRAPHS`` paragraphs; the text read stops at
``kb.readers.limits.MAX_CHARS`` characters.
"""

from __future__ import annotations

import io
import re
import zipfile

from kb.model import RawDocument
from kb.readers import limits
from kb.readers.archive import open_zip, read_member, refuse_xml_declarations
from kb.readers.encoding import ReadError, check_size, trim_blank_lines
from kb.readers.layout import label_line, split_signature
from kb.readers.text import TITLE_MAX_CHARS, clean_meta, is_default_title, looks_like_title

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
    _check_paragraphs(archive)
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


_PARAGRAPH_RE = re.compile(rb"<w:p[\s>/]")


def _check_paragraphs(archive: zipfile.ZipFile) -> None:
    """Refuse a body of more than ``MAX_DOCX_PARAGRAPHS`` paragraphs before python-docx builds its tree
    (a 1.2 M-paragraph file would take gigabytes: issue 29)."""
    names = {info.filename for info in archive.infolist()}
    if "word/document.xml" not in names:
        return  # python-docx names what is missing
    count = len(_PARAGRAPH_RE.findall(read_member(archive, "word/document.xml", ".docx")))
    if count > limits.MAX_DOCX_PARAGRAPHS:
        raise ReadError(
            f"Word 文档段落过多：{count:,} 段（上限 {limits.MAX_DOCX_PARAGRAPHS:,} 段，"
            "kb.readers.limits.MAX_DOCX_PARAGRAPHS）"
        )


def _is_title_paragraph(paragraph) -> bool:
    """Styled Title/Heading/标题, or centred and bold or reading like a title (offices centre it)."""
    text = paragraph.text.strip()
    if not text or len(text) >= TITLE_MAX_CHARS or text.endswith("文件"):
        return False  # the 版头 (发文机关标志, "某某局文件") is no title
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
    total = 0
    style_title = ""
    first_line = ""  # the first non-empty paragraph: the title when label lines follow it
    label_after_first = False
    non_empty = 0
    try:
        for paragraph, text in _blocks(document):
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            total += len(text) + 1
            limits.check_chars(total, "Word 文档")
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
    except ReadError:
        raise
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"不是有效的 .docx 文件（{first}）") from None
    if not style_title and label_after_first and looks_like_title(first_line):
        style_title = first_line
    signature, lines = split_signature(lines)
    for key, value in signature.items():
        meta.setdefault(key, value)
    if not meta.get("title"):
        meta["title"] = style_title or ("" if is_default_title(core_title) else core_title)
    return clean_meta(meta), trim_blank_lines("\n".join(lines)), set()


def read_docx(data: bytes) -> tuple[RawDocument, set[str]]:
    """Read a .docx file's bytes; the second item names meta keys that are guesses."""
    check_size(len(data))
    meta, body, inferred = parse_docx(data)
    return RawDocument(text=body, meta=meta, format="docx", encoding="utf-8"), inferred
