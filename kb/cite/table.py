"""A search's whole result list as a table to take away: CSV and .xlsx (``/search.csv``, ``/search.xlsx``,
``policykb search --format csv|xlsx``).

Every search exports its hits in the search's own order, up to ``EXPORT_LIMIT`` (1,000) rows: title, the document,
文号, agency, date, 文种, type, place, the verbatim text, the link to the item's page and its citation in the chosen
style (``kb.cite.citation``), and the id. ``result_table`` runs the search page by page through the ``SearchBackend``
(any backend), resolves each hit to its citable item (``kb.cite.items``) and returns plain rows; ``to_csv`` and
``to_xlsx`` write them.

* **CSV**: UTF-8 with a byte-order mark (Excel on Chinese Windows then reads it as UTF-8), comma separated, every
  field quoted as needed (RFC 4180). A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with an apostrophe, so a spreadsheet shows it as text and never evaluates it as a formula (OWASP's
  advice against CSV injection): a document can say ``=HYPERLINK(…)``.
* **.xlsx** (openpyxl): the same columns as string cells (type ``s``: never a formula, whatever the text starts
  with), a header row, and a second sheet 说明 with the query, the counts and the limit.
* **Text**: the item's verbatim text, cut at ``TEXT_LIMIT`` characters (Excel holds 32,767 in a cell) with a note
  pointing to the link; a document's text is its whole body.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kb.cite.citation import normalize_style
from kb.cite.export import EXPORT_STYLES
from kb.cite.items import Item, citation_for, resolve_item
from kb.search.engine import Hit, SearchBackend
from kb.search.request import MAX_LIMIT, SearchRequest
from kb.search.schema import TYPE_LABELS
from kb.store.knowledge import KnowledgeBase

EXPORT_LIMIT = 1000  # rows of one export (the search's first 1,000 hits)
TEXT_LIMIT = 32_000  # characters of an item's text in one cell
TRUNCATED_TEXT = "……（原文过长，已截断，全文见链接）"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# (key, header) in column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "标题"),
    ("document", "所属文件"),
    ("doc_number", "文号"),
    ("agency", "发布机构"),
    ("date", "日期"),
    ("genre", "文种"),
    ("type", "类型"),
    ("place", "位置"),
    ("text", "原文"),
    ("link", "链接"),
    ("citation", "引文"),
    ("id", "编号"),
)


@dataclass(frozen=True)
class ResultTable:
    """The rows of one search's export and what they are."""

    request: SearchRequest
    style: str
    total: int  # hits the search found
    rows: list[dict[str, str]]
    created: datetime

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)

    def notes(self) -> list[tuple[str, str]]:
        """What the export is: the query, filters, counts and limit (the .xlsx's 说明 sheet)."""
        params = self.request.to_params()
        out = [
            ("检索词", self.request.q or "（无，按条件浏览）"),
            ("检索条件", "；".join(f"{k}={v}" for k, v in params.items() if k != "q") or "无"),
            ("匹配方式", "精确" if self.request.exact else "模糊"),
            ("结果总数", str(self.total)),
            ("导出条数", str(len(self.rows))),
            ("导出上限", f"{EXPORT_LIMIT} 条（按检索结果的顺序导出前 {EXPORT_LIMIT} 条）"),
            ("引文格式", self.style),
            ("导出时间", self.created.strftime("%Y-%m-%d %H:%M")),
        ]
        return out


def export_style(style: str | None) -> str:
    """The canonical export style (official, gbt7714, gbt7714-2025); ``ValueError`` with a Chinese message."""
    try:
        canonical = normalize_style(style or "official")
    except ValueError:
        canonical = ""
    if canonical not in EXPORT_STYLES:
        raise ValueError(
            "引用格式只能是 official（公文引用格式）、gbt7714（GB/T 7714—2015）或 gbt7714-2025。"
        )
    return canonical


def search_hits(
    engine: SearchBackend, request: SearchRequest, limit: int = EXPORT_LIMIT
) -> tuple[list[Hit], int]:
    """(the first ``limit`` hits of the request in its order, the total), page by page; a request with no match
    but partial matches exports those (as the results page shows them)."""
    hits: list[Hit] = []
    total = 0
    offset = 0
    while len(hits) < limit:
        page = engine.search(request.with_(limit=min(MAX_LIMIT, limit - len(hits)), offset=offset))
        total = page.total
        hits.extend(page.results)
        offset += len(page.results)
        if not page.results or offset >= total:
            break
    return hits[:limit], total


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + TRUNCATED_TEXT


def _row(item: Item, hit: Hit, style: str, base_url: str, accessed: date) -> dict[str, str]:
    citation = citation_for(item, style, base_url=base_url, accessed=accessed)
    document = item.document
    return {
        "title": item.title.strip() or hit.title.text,
        "document": document.title,
        "doc_number": document.doc_number or "",
        "agency": document.agency or "",
        "date": document.date or "",
        "genre": document.genre or "",
        "type": TYPE_LABELS.get(item.type, item.type),
        "place": citation.place,
        "text": _cut(item.citable.quote),
        "link": citation.permalink,
        "citation": citation.reference,
        "id": item.citable.id,
    }


def result_table(
    engine: SearchBackend,
    kb: KnowledgeBase,
    request: SearchRequest,
    *,
    style: str = "official",
    base_url: str = "",
    accessed: date | None = None,
    limit: int = EXPORT_LIMIT,
) -> ResultTable:
    """The export of ``request``: its hits in order (at most ``limit``), each resolved to its citable item; a hit
    whose item left the index since the search (a build published in between) is left out. ``ValueError`` for
    a bad style or date (the message is for the user)."""
    style = export_style(style)
    accessed = accessed or date.today()
    hits, total = search_hits(engine, request, limit)
    # Resolve document by document (each document's JSON is read once), then restore the search's order.
    order = sorted(range(len(hits)), key=lambda i: hits[i].doc_id)
    rows: dict[int, dict[str, str]] = {}
    for i in order:
        item = resolve_item(kb, hits[i].id)
        if item is not None:
            rows[i] = _row(item, hits[i], style, base_url.rstrip("/"), accessed)
    return ResultTable(request, style, total, [rows[i] for i in sorted(rows)], datetime.now())


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: an apostrophe before a leading = + - @ tab or carriage return."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(table: ResultTable) -> bytes:
    """The table as CSV (UTF-8 with BOM, CRLF line ends, a header row of ``COLUMNS``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS])
    for row in table.rows:
        writer.writerow([csv_cell(row[key]) for key, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _string_cells(sheet: Any, values: Sequence[str]) -> None:
    """Append a row of string cells: openpyxl reads a value starting with "=" as a formula, so such a cell is
    turned back into a string (type ``s``), which a spreadsheet never evaluates."""
    sheet.append([_xlsx_text(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type != "s":
            cell.data_type = "s"


def _xlsx_text(value: str) -> str:
    """Text an .xlsx cell can hold: XML 1.0 has no control characters but tab and line breaks."""
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")


def to_xlsx(table: ResultTable) -> bytes:
    """The table as an .xlsx workbook: sheet 检索结果 (header + rows, all string cells), sheet 说明 (notes)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "检索结果"
    _string_cells(sheet, [header for _, header in COLUMNS])
    for row in table.rows:
        _string_cells(sheet, [row[key] for key, _ in COLUMNS])
    sheet.freeze_panes = "A2"
    widths = {"title": 40, "document": 40, "text": 80, "citation": 60, "link": 40}
    for index, (key, _) in enumerate(COLUMNS):
        sheet.column_dimensions[_column_letter(index)].width = widths.get(key, 16)
    notes = book.create_sheet("说明")
    for label, value in table.notes():
        _string_cells(notes, [label, value])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.properties.creator = "政策知识库 PolicyKB"
    book.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
