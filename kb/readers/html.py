"""HTML pages (gov.cn policy pages and plain HTML) with the stdlib ``html.parser``.

Text extraction: block elements (p, div, br, tr, td, th, h1-h6, li, ...) end a
line, inline elements are joined, entities are unescaped, <script>/<style>
dropped. Each line is stripped of leading/trailing whitespace, including
U+3000 and NBSP: in HTML, indentation is layout (CSS ``text-indent``), not
text. Inside a line nothing is re-spaced, except that a source newline (which
HTML renders as a space) is dropped between two CJK characters and otherwise
becomes one space. Lines that are empty after stripping are dropped.

Metadata: the gov.cn table cells "标　　题：" / value, etc. (see
``kb.readers.text.LABELS``). The body is the element with id ``UCAP-CONTENT``,
else <body>. The site's 主题分类 carries a doubled backslash ("科技、教育\\\\教育",
an SQL-escaping artefact); it is collapsed to one backslash, as the corpus
manifest has it.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from kb.model import RawDocument
from kb.readers.encoding import ReadError, decode, normalise_newlines
from kb.readers.text import clean_meta, label_key, parse_date

CONTENT_ID = "UCAP-CONTENT"
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP_TAGS = frozenset(("script", "style", "template", "noscript"))
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_NEWLINE_CJK_RE = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t\n]*(?=[{_CJK}])")
_NEWLINE_RE = re.compile(r"[ \t]*\n[ \t\n]*")


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.open_tags: Counter[str] = Counter()  # how many of each tag the stack holds (O(1) membership)
        self.skip_depth = 0
        self.content_depth: int | None = None  # stack depth of the UCAP-CONTENT element
        self.content_done = False
        self.in_title = False
        self.page_title: list[str] = []
        self.body_lines: list[str] = []  # everything
        self.content_lines: list[str] = []  # only inside UCAP-CONTENT
        self.cells: list[str] = []  # table cells outside the content (metadata table)
        self.buf: list[str] = []
        self.cell_buf: list[str] | None = None

    # -- helpers --
    def _in_content(self) -> bool:
        return self.content_depth is not None and not self.content_done

    def _flush(self) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        self.buf = []
        line = _NEWLINE_RE.sub(" ", _NEWLINE_CJK_RE.sub("", raw)).strip()
        if line:
            self.body_lines.append(line)
            if self._in_content():
                self.content_lines.append(line)

    # -- parser callbacks --
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skip_depth += 1
            return
        if tag == "title":
            self.in_title = True
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in ("td", "th") and not self._in_content():
            self.cell_buf = []
        if tag in VOID_TAGS:
            return
        self.stack.append(tag)
        self.open_tags[tag] += 1
        if self.content_depth is None and any(k == "id" and v == CONTENT_ID for k, v in attrs):
            self._flush()
            self.content_depth = len(self.stack)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "title":
            self.in_title = False
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in ("td", "th") and self.cell_buf is not None:
            self.cells.append("".join(self.cell_buf).strip())
            self.cell_buf = None
        if tag in VOID_TAGS or not self.open_tags[tag]:
            return  # a stray end tag: O(1), not a search of the stack (100,000 of them took minutes)
        while self.stack:
            popped = self.stack.pop()
            self.open_tags[popped] -= 1
            if popped == tag:
                break
        if self.content_depth is not None and not self.content_done and len(self.stack) < self.content_depth:
            self._flush_content_end()

    def _flush_content_end(self) -> None:
        self._flush()
        self.content_done = True

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.in_title:
            self.page_title.append(data)
            return
        self.buf.append(data)
        if self.cell_buf is not None:
            self.cell_buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _table_meta(cells: list[str]) -> dict[str, str]:
    """Label cell followed by value cell, e.g. ["发文字号：", "国发〔2019〕4号", ...]."""
    meta: dict[str, str] = {}
    published = ""
    for i, cell in enumerate(cells[:-1]):
        if not cell.endswith(("：", ":")) or len(cell) > 12:
            continue
        value = cells[i + 1]
        if value.endswith(("：", ":")) and len(value) <= 12:
            continue  # empty value: the next cell is already a label
        if cell.replace("　", "").replace(" ", "").rstrip("：:") == "发布日期":
            published = value
            continue
        key = label_key(cell)
        if key and key not in meta:
            meta[key] = value
    if "category" in meta:
        meta["category"] = meta["category"].replace("\\\\", "\\")
    if not parse_date(meta.get("date", "")) and published:
        meta["date"] = published
    return meta


def parse_html(text: str) -> tuple[dict[str, str], str, set[str]]:
    """Split decoded HTML into (meta, body text, inferred keys)."""
    parser = _Extractor()
    try:
        parser.feed(normalise_newlines(text))
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser is lenient; be safe anyway
        raise ReadError(f"cannot parse HTML: {exc}") from None
    meta = _table_meta(parser.cells)
    inferred: set[str] = set()
    page_title = re.sub(r"\s+", " ", "".join(parser.page_title)).strip()
    if not meta.get("title") and page_title:
        meta["title"] = page_title
        inferred.add("title")
    lines = parser.content_lines if parser.content_depth is not None else parser.body_lines
    return clean_meta(meta), "\n".join(lines), inferred


def read_html(data: bytes) -> tuple[RawDocument, set[str]]:
    """Read an .html/.htm file's bytes; the second item names meta keys that are guesses."""
    text, encoding = decode(data)
    meta, body, inferred = parse_html(text)
    return RawDocument(text=body, meta=meta, format="html", encoding=encoding), inferred
