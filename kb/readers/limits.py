"""Bounds on the work one file may cost a reader: shared caps, in one place.

Every reader stops at ``MAX_CHARS`` characters of text (PDF and OFD count characters before each glyph is
placed, .docx counts paragraphs before python-docx parses the XML and characters while reading it, and
``kb.readers.read`` checks every reader's result), so one huge document cannot make the build, its index or a
page of the site slow for everyone (issue 29). The size of a file (``kb.readers.encoding.MAX_BYTES``), zip
containers (``kb.readers.archive``) and OCR (``kb.readers.ocr``) have their own bounds.
"""

from __future__ import annotations

from kb.readers.encoding import ReadError

MAX_CHARS = 3_000_000  # characters of text in one document, whatever its format
MAX_DOCX_PARAGRAPHS = 200_000  # <w:p> elements in a .docx body, counted before it is parsed


def check_chars(count: int, what: str = "文件", limit: int | None = None) -> None:
    """Raise ``ReadError`` when ``count`` characters are more than the cap (``MAX_CHARS`` by default)."""
    limit = MAX_CHARS if limit is None else limit
    if count > limit:
        raise ReadError(f"{what}文字过多：超过 {limit:,} 个字符（上限 kb.readers.limits.MAX_CHARS）")
