"""Plain-text documents, with or without the government-site header.

Header layout (the seed and the shared corpus)::

    <title>
    <blank>
    索引号 / <value>
    主题分类 / <value>
    发文日期 / <2019年07月08日 00:00:00>
    发布机构 / <agency>
    文号 / <doc number>
    <body...>

A value may be an empty line, or missing altogether (the next line is then
directly the next label). After ``文号`` the next line is taken as its value
only when it is empty or looks like a document number; otherwise the body
starts right there. This module also holds the label table and ``parse_date``
that the other readers share.

Without that header, a text is read as the other formats read a page: a short
first line that reads like a title is the title, and the 落款 at the end (an
agency line, then a date-only line, before any 附注/附件/版记; see
``kb.readers.layout.split_signature``) gives agency and date and leaves the
body, as in .docx, PDF and OFD. Both are reported as inferred, so a
``MANIFEST.jsonl`` row overrides them. With the header, the body stays as the
site published it.
"""

from __future__ import annotations

import re

from kb.model import RawDocument
from kb.readers.encoding import decode, normalise_newlines, trim_blank_lines
from kb.text.dates import parse_date
from kb.text.docnumbers import is_doc_number

META_KEYS = ("title", "agency", "date", "doc_number", "index_no", "category", "url", "status", "history")
# English metadata keys as front matter and sidecar manifests write them -> our key.
ENGLISH_KEYS = {key: key for key in META_KEYS} | {"source_url": "url"}

# Label (whitespace removed) -> meta key. Shared by the txt header, the HTML table,
# docx label lines and Markdown front matter.
LABELS: dict[str, str] = {
    "标题": "title",
    "名称": "title",
    "索引号": "index_no",
    "主题分类": "category",
    "发文日期": "date",
    "成文日期": "date",
    "发布机构": "agency",
    "发文机关": "agency",
    "发文单位": "agency",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "时效性": "status",
    "效力状态": "status",
}
HEADER_LABELS = ("索引号", "主题分类", "发文日期", "发布机构", "文号")

TITLE_MAX_CHARS = 60


def label_key(label: str) -> str | None:
    """Meta key for a label such as "标　　题：" or "发文字号", else None."""
    return LABELS.get(re.sub(r"[\s:：]+", "", label))


def clean_meta(meta: dict[str, str]) -> dict[str, str]:
    """Strip values, normalise dates, drop empty and unknown keys."""
    out: dict[str, str] = {}
    for key, value in meta.items():
        if key not in META_KEYS or value is None:
            continue
        value = str(value).strip()
        if key == "date":
            value = parse_date(value)
        if value:
            out[key] = value
    return out


_NOT_TITLE_RE = re.compile(
    r"[，,。；;]"  # sentence punctuation: a sentence, not a title
    r"|[：:]$"  # a salutation ("各市、县（区）人民政府：")
    r"|^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十\d]+[）)]|^\d+[.．、]"  # an outline heading
    r"|^第\S{1,8}号$"  # an order number ("第232号")
)


def looks_like_title(line: str) -> bool:
    """A first line that reads like a title: short, not a sentence, salutation or numbered heading."""
    line = line.strip()
    return 4 <= len(line) < TITLE_MAX_CHARS and not _NOT_TITLE_RE.search(line)


_DEFAULT_TITLE_RE = re.compile(
    r"^(?:microsoft\s+(?:word|office\s+word)\s*-\s*.*"  # "Microsoft Word - 文件名.docx" (PDF printers too)
    r"|word\s+document|document\s*\d*|doc\d+|untitled(?:\s*\d+)?|title"  # LibreOffice/python-docx, Word, others
    r"|无标题(?:文档)?\s*\d*|文档\s*\d*|新建\s*(?:microsoft\s+)?(?:office\s+)?(?:word\s*)?(?:文档|文字文稿)\s*(?:[(（]\d+[)）])?"
    r"|wps\s*文字\s*\d*|文字文稿\s*\d*"
    r"|\S*\.(?:docx?|wps|pdf|ofd|txt|rtf|odt|html?)"  # a file name
    r")$",
    re.IGNORECASE,
)


def is_default_title(title: str) -> bool:
    """A title a producer writes by default, or a file name: "Word Document", "Microsoft Word - 方案.docx",
    "文档1", "Document1", "Untitled", "无标题", "新建 Microsoft Word 文档", "方案.doc". Empty counts too."""
    return not title.strip() or bool(_DEFAULT_TITLE_RE.match(title.strip()))


def is_file_name_title(title: str, name: str) -> bool:
    """``title`` is only the file's own name (with or without its suffix), as producers fill it in."""

    def bare(value: str) -> str:
        value = re.sub(r"^microsoft\s+word\s*-\s*", "", value.strip(), flags=re.IGNORECASE)
        return re.sub(r"\.[A-Za-z0-9]{1,5}$", "", value).strip().casefold()

    return bool(title.strip()) and bare(title) == bare(name)


def looks_like_doc_number(line: str) -> bool:
    """E.g. 国发〔2019〕4号, 鄂政办发[2018]12号, 中华人民共和国国务院令第472号."""
    return is_doc_number(line)


def parse_header(lines: list[str]) -> tuple[dict[str, str], int] | None:
    """Parse the government-site header; return (meta, index of the first body line) or None."""
    if len(lines) < 3 or not lines[0].strip() or lines[1].strip():
        return None
    if lines[2].strip() not in HEADER_LABELS:
        return None
    meta: dict[str, str] = {"title": lines[0].strip()}
    i = 2
    seen: set[str] = set()
    while i < len(lines):
        label = lines[i].strip()
        if label not in HEADER_LABELS or label in seen:
            break
        seen.add(label)
        key = LABELS[label]
        i += 1
        if i >= len(lines):
            break
        nxt = lines[i].strip()
        if label == "文号":
            if not nxt or looks_like_doc_number(nxt):
                meta[key] = nxt
                i += 1
            break
        if nxt in HEADER_LABELS and nxt not in seen:
            continue  # empty value, written as a missing line
        meta[key] = nxt
        i += 1
    return clean_meta(meta), i


def parse_text(text: str) -> tuple[dict[str, str], str, set[str]]:
    """Split decoded text into (meta, body, inferred keys)."""
    text = normalise_newlines(text)
    lines = text.split("\n")
    header = parse_header(lines)
    if header is not None:
        meta, start = header
        return meta, trim_blank_lines("\n".join(lines[start:])), set()
    from kb.readers.layout import split_signature  # layout builds on this module's helpers

    meta, lines = split_signature(trim_blank_lines(text).split("\n"))
    inferred = set(meta)  # read from the body: a manifest row may correct them
    body = trim_blank_lines("\n".join(lines))
    first = next((line for line in body.split("\n") if line.strip()), "")
    if looks_like_title(first):
        meta["title"] = first.strip()
        inferred.add("title")
    return meta, body, inferred


def read_text(data: bytes) -> tuple[RawDocument, set[str]]:
    """Read a .txt file's bytes; the second item names meta keys that are guesses."""
    text, encoding = decode(data)
    meta, body, inferred = parse_text(text)
    return RawDocument(text=body, meta=meta, format="txt", encoding=encoding), inferred
