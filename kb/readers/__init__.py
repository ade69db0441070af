"""Document readers: one file in, one ``RawDocument`` out.

``read(path)`` dispatches on the suffix (``SUPPORTED_SUFFIXES``) and raises
``ReadError`` with a one-line human reason for anything it cannot read:
unsupported type, missing file, too large, binary, empty, undecodable,
malformed front matter, corrupt .docx/.pdf/.ofd, a scanned PDF without a text
layer, a zip bomb or XML with a DTD, .doc/.wps without LibreOffice, more text
than ``kb.readers.limits.MAX_CHARS``, text that is no language
(``kb.readers.plausible``); a title that is only the file's own name is no
title; a reader
that fails in an unforeseen way raises ``ReadError`` too, so one bad file never
costs more than itself. PDF and OFD share ``kb.readers.layout`` (lines, page
furniture, paragraphs, front matter and 落款). ``RawDocument.text`` is the body
verbatim (newlines normalised to ``\\n``, BOM removed, blank lines at both
ends trimmed). Metadata a file does not state may come from a
``MANIFEST.jsonl`` sidecar in the same folder (see ``kb.readers.manifest``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kb.model import RawDocument
from kb.readers import limits
from kb.readers.docx import read_docx
from kb.readers.encoding import MAX_BYTES, ReadError, decode, read_bounded
from kb.readers.html import read_html
from kb.readers.manifest import manifest_meta, merge
from kb.readers.markdown import read_markdown
from kb.readers.ocr import read_jpeg, read_png, read_tiff
from kb.readers.ofd import read_ofd
from kb.readers.office import read_doc, read_wps
from kb.readers.pdf import read_pdf
from kb.readers.plausible import check_plausible
from kb.readers.text import META_KEYS, is_file_name_title, parse_date, read_text

__all__ = ["MAX_BYTES", "META_KEYS", "SUPPORTED_SUFFIXES", "ReadError", "decode", "parse_date", "read"]

_READERS: dict[str, Callable[[bytes], tuple[RawDocument, set[str]]]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".ofd": read_ofd,
    ".doc": read_doc,
    ".wps": read_wps,
    ".png": read_png,
    ".jpg": read_jpeg,
    ".jpeg": read_jpeg,
    ".tif": read_tiff,
    ".tiff": read_tiff,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)


def read(path: Path, *, use_manifest: bool = True) -> RawDocument:
    """Read one document file; raise ``ReadError`` when it cannot be read.

    With ``use_manifest`` (default) a ``MANIFEST.jsonl`` in the file's folder
    fills metadata the file lacks, and overrides values the reader only guessed
    (a plain-text first line taken as title, LawRefBook history-line dates).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        shown = suffix or "(no suffix)"
        raise ReadError(f"unsupported file type {shown} (supported: {' '.join(SUPPORTED_SUFFIXES)})")
    try:
        if not path.is_file():
            raise ReadError("not a file" if path.exists() else "file not found")
        data = read_bounded(path)
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        raw, inferred = reader(data)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("文件过大，内存不足 too large to read") from None
    except Exception as exc:  # a reader bug on a hostile file costs this file only
        raise ReadError(f"无法读取文件 reader failed: {type(exc).__name__}: {exc}") from None
    if not raw.text.strip():
        raise ReadError("no body text (the file holds only a title or header)" if raw.meta else "empty file")
    limits.check_chars(len(raw.text))
    check_plausible(raw.text)
    if is_file_name_title(raw.meta.get("title", ""), path.name):
        del raw.meta["title"]  # a producer's stand-in, not the document's title
    if use_manifest:
        raw.meta = merge(raw.meta, inferred, manifest_meta(path))
    return raw
