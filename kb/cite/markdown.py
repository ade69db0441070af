"""Markdown output (the ``markdown`` style, Markdown exports): text that renders as itself and carries no markup
from a document; links made only by ``md_url``."""

from __future__ import annotations

import re

# CommonMark line endings (str.splitlines() knows more, Markdown does not).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")

#
# Markdown output carries text, never markup that came from a document: every character that could
# start HTML, a link, emphasis, code or a table is written as an HTML character reference, which
# CommonMark renders as the character itself and never reads as syntax. No backslash escapes, so the
# citations read as they are in the Markdown source too. Links are made only by md_url.

_MD_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "~": "&#126;",
    "|": "&#124;",
    "#": "&#35;",
}
_MD_SPECIAL = re.compile("[" + re.escape("".join(_MD_ENTITIES)) + "]")
# A line start that would open a block inside the quote: indented code, list, heading, setext rule.
_MD_INDENT = re.compile(r"^(?: {4}| {0,3}\t)")
_MD_BLOCK_MARK = re.compile(r"^( {0,3})([-+=])")
_MD_ORDERED = re.compile(r"^( {0,3}\d{1,9})([.)])(?=[ \t\r\n]|$)")
_URL_UNSAFE = re.compile(r"[^\x21-\x7e]|[<>\"`\\^{|}]")


def md_text(text: str) -> str:
    """Text that renders as itself in Markdown and carries no markup (HTML character references)."""
    return _MD_SPECIAL.sub(lambda match: _MD_ENTITIES[match.group()], text)


def _md_line(line: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    body = md_text(body)
    if _MD_INDENT.match(body):
        body = f"&#{ord(body[0])};" + body[1:]
    body = _MD_BLOCK_MARK.sub(lambda m: m.group(1) + f"&#{ord(m.group(2))};", body)
    body = _MD_ORDERED.sub(lambda m: m.group(1) + f"&#{ord(m.group(2))};", body)
    return body + ending


def md_quote(text: str) -> str:
    """A block quote rendering ``text`` as itself: every line prefixed ``"> "``, line endings kept.

    Each line is :func:`md_text`, and a line start that would open another block (4 spaces or a tab,
    ``-`` ``+`` ``=``, ``1.``/``1)``) has that character written as a character reference. The result
    ends with a line ending only when ``text`` does; an empty text gives ``">"``.
    """
    lines = _LINE.findall(text)
    if not lines:
        return ">"
    return "".join("> " + _md_line(line) for line in lines)


def md_url(url: str) -> str:
    """An autolink ``<url>`` for an http(s) address (unsafe characters percent-encoded), else ``""``."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return ""
    safe = _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), url)
    return f"<{safe}>"


def markdown_block(quote: str, reference: str, permalink: str = "") -> str:
    """The ``markdown`` style: block quote, blank line, citation line, and the 本库链接 when absolute.

    ``reference`` is Markdown already (values through :func:`md_text`, see :func:`official_reference`).
    """
    quoted = md_quote(quote)
    if not quoted.endswith("\n"):
        quoted += "\n"  # after a final "\r" this makes one "\r\n" line ending
    out = f"{quoted}\n{reference}"
    link = md_url(permalink)
    if link:
        out += f"\n\n本库链接：{link}"
    return out
