"""A comparison of two documents (``kb.compare.plans.Comparison``) as a Word 对照表 and as an Excel workbook.

Both are rendered from the same cells (``comparison_cells``), so they hold the same content:

* **措施对照**: one row per aligned measure (every measure of each side once): A's measure (its number and
  headline) with its citation under it, B's the same, and what the pairing says — 保留 (kept), 调整 (changed),
  新增 (new: only in B), 删去 (dropped: only in A; for two regions' plans 仅A / 仅B), the similarity and the words
  that made the pair;
* **目标对照**: one row per indicator stated by either side: A's target and B's, each with its citation, the change
  (B − A in one unit: +8家, −2.5个百分点) and the result the library holds for the earlier year with 完成 / 未完成.

Citations are the official in-text form (``kb.cite.citation.official_reference``: 《标题》（发文机关，日期）place).

Word: the GB/T 9704-2012 page of ``kb.cite.export`` (A4, margins 37/35/28/26 mm, 仿宋_GB2312, title 方正小标宋简体,
headings 黑体, page numbers "— 1 —"), each part a two-column table (A | B) in 仿宋 四号 with single line spacing;
Excel (openpyxl): two sheets, a header row in bold, frozen, with column widths; every cell is text (a value
beginning with "=" is never a formula).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import docx
import openpyxl
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt
from openpyxl.styles import Alignment, Font

from kb.cite.citation import chinese_date, citation_path, official_reference, place
from kb.cite.export import (
    BODY_FONT,
    DEFAULT_AUTHOR,
    HEADING1_FONT,
    TITLE_FONT,
    TITLE_SIZE,
    _font_table,
    _page_setup,
    _paragraph,
    _run,
    _styles,
    _xml_safe,
)
from kb.compare.plans import Comparison
from kb.model import Document
from kb.store.knowledge import KnowledgeBase
from kb.text.numerals import written_amount

TABLE_SIZE = Pt(14)  # 四号
MEASURE_RELATIONS = {"kept": "保留", "changed": "调整", "new": "新增", "dropped": "删去"}
PEER_RELATIONS = {"kept": "相同", "changed": "相近", "new": "仅B", "dropped": "仅A"}
_XLSX_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Cell:
    text: str  # the measure's or target's words ("" for an empty side)
    citation: str = ""  # 出处
    note: str = ""  # relation, change, result


def places_of(kb: KnowledgeBase, comparison: Comparison) -> dict[str, str]:
    """The place (三、主要措施（六）) of every measure and target of the comparison, by id."""
    out: dict[str, str] = {}
    for doc in (comparison.a, comparison.b):
        dkb = kb.document_kb(doc.id)
        outline = dkb.outline if dkb is not None else []
        measures = comparison.measures_a if doc.id == comparison.a.id else comparison.measures_b
        for m in measures.values():
            out[m.id] = place(citation_path(outline, m.clause_id) or m.path)
        for row in comparison.targets:
            for side in (row.a, row.b):
                if side is not None and side.target.doc_id == doc.id:
                    q = side.target
                    out[q.id] = place(citation_path(outline, q.clause_id) or [])
    return out


def _cite(document: Document, where: str) -> str:
    return official_reference(document, where)


def comparison_cells(
    comparison: Comparison, places: dict[str, str]
) -> dict[str, list[tuple[Cell, Cell, str]]]:
    """The rows of both tables: (A's cell, B's cell, what the row says)."""
    names = PEER_RELATIONS if comparison.relation == "peer" else MEASURE_RELATIONS
    measures = []
    for row in comparison.measures:
        ma = comparison.measures_a.get(row.a) if row.a else None
        mb = comparison.measures_b.get(row.b) if row.b else None
        left = (
            Cell(f"{ma.number}{ma.headline}", _cite(comparison.a, places.get(ma.id, ""))) if ma else Cell("")
        )
        right = (
            Cell(f"{mb.number}{mb.headline}", _cite(comparison.b, places.get(mb.id, ""))) if mb else Cell("")
        )
        how = names[row.relation]
        if row.a and row.b:
            how += f"（相似度{row.score:.2f}；{'、'.join(row.words[:5])}）"
        measures.append((left, right, how))
    targets = []
    for row in comparison.targets:
        cells = []
        for side, doc in ((row.a, comparison.a), (row.b, comparison.b)):
            if side is None:
                cells.append(Cell("（未提出）"))
                continue
            q = side.target
            cells.append(
                Cell(
                    q.mention or written_amount(q.value, q.value_max, q.unit),
                    _cite(doc, places.get(q.id, "")),
                )
            )
        notes = [row.indicator]
        if row.a is not None and row.b is not None:
            ta, tb = row.a.target, row.b.target
            arrow = f"{written_amount(ta.value, ta.value_max, ta.unit)} → {written_amount(tb.value, tb.value_max, tb.unit)}"
            notes.append(arrow if row.changed else f"{arrow}（未变）")
        if row.result is not None:
            point = row.result["point"]
            state = f"，{row.result['state']}" if row.result["state"] else ""
            notes.append(
                f"{point.year}年实绩{written_amount(point.value, point.value_max, point.unit)}{state}"
            )
        targets.append((cells[0], cells[1], "；".join(notes)))
    return {"measures": measures, "targets": targets}


def _title(comparison: Comparison) -> str:
    return f"《{comparison.a.title}》与《{comparison.b.title}》对照表"


# --- Word -------------------------------------------------------------------------------------


def _cell_paragraph(cell: Any, text: str, font: tuple[str, str], *, first: bool = False) -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(f'<w:spacing {nsdecls("w")} w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>')
    )
    ppr.append(parse_xml(f'<w:ind {nsdecls("w")} w:firstLineChars="0" w:firstLine="0"/>'))
    ppr.append(parse_xml(f'<w:jc {nsdecls("w")} w:val="left"/>'))
    if text:
        _run(paragraph, text, font, TABLE_SIZE)


def _table(document: Any, rows: list[tuple[Cell, Cell, str]], heads: tuple[str, str]) -> None:
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _cell_paragraph(cell, head, HEADING1_FONT, first=True)
    for left, right, note in rows:
        if note:
            merged = table.add_row().cells
            joined = merged[0].merge(merged[1])
            _cell_paragraph(joined, note, HEADING1_FONT, first=True)
        cells = table.add_row().cells
        for cell, content in zip(cells, (left, right), strict=True):
            _cell_paragraph(cell, content.text or "—", BODY_FONT, first=True)
            if content.citation:
                _cell_paragraph(cell, "出处：" + content.citation, BODY_FONT)


def export_comparison_docx(
    comparison: Comparison, places: dict[str, str], *, author: str = DEFAULT_AUTHOR, day: date | None = None
) -> bytes:
    """The 对照表 as a Word document in 公文 layout (the bytes of a .docx file)."""
    day = day or date.today()
    cells = comparison_cells(comparison, places)
    document = docx.Document()
    _page_setup(document)
    _styles(document)
    _font_table(document)
    title = _title(comparison)
    props = document.core_properties
    props.title, props.author = _xml_safe(title), _xml_safe(author) or DEFAULT_AUTHOR
    props.subject = "文件对照表"
    props.language = "zh-CN"
    props.created = props.modified = datetime(day.year, day.month, day.day)
    _paragraph(document, "Title", title, TITLE_FONT, TITLE_SIZE)
    a, b = comparison.a, comparison.b
    _paragraph(
        document,
        "Normal",
        f"A：{official_reference(a)}；B：{official_reference(b)}。政策知识库{chinese_date(day.isoformat())}生成。",
        BODY_FONT,
    )
    heads = (f"A 《{a.title}》", f"B 《{b.title}》")
    counts = comparison.counts()
    _paragraph(
        document,
        "Heading 1",
        f"一、措施对照（保留{counts['kept']}、调整{counts['changed']}、新增{counts['new']}、删去{counts['dropped']}）",
        HEADING1_FONT,
    )
    _table(document, cells["measures"], heads)
    _paragraph(document, "Heading 1", "二、目标对照", HEADING1_FONT)
    if cells["targets"]:
        _table(document, cells["targets"], heads)
    else:
        _paragraph(document, "Normal", "两份文件没有可对照的量化目标。", BODY_FONT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- Excel ------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return _XLSX_INVALID.sub("\ufffd", value)


def _sheet(book: Any, name: str, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
    sheet = book.create_sheet(name)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([_text(v) for v in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = width
    sheet.freeze_panes = "A2"


def export_comparison_xlsx(comparison: Comparison, places: dict[str, str]) -> bytes:
    """The 对照表 as an Excel workbook: sheets 措施对照 and 目标对照 (the bytes of a .xlsx file)."""
    cells = comparison_cells(comparison, places)
    book = openpyxl.Workbook()
    book.remove(book.active)
    measures = []
    names = PEER_RELATIONS if comparison.relation == "peer" else MEASURE_RELATIONS
    for (left, right, _), row in zip(cells["measures"], comparison.measures, strict=True):
        measures.append(
            [
                names[row.relation],
                f"{row.score:.3f}",
                "、".join(row.words),
                row.a or "",
                left.text,
                left.citation,
                row.b or "",
                right.text,
                right.citation,
            ]
        )
    _sheet(
        book,
        "措施对照",
        ["关系", "相似度", "依据词", "A 编号", "A 措施", "A 出处", "B 编号", "B 措施", "B 出处"],
        measures,
        [8, 8, 24, 28, 40, 40, 28, 40, 40],
    )
    targets = []
    for (left, right, note), row in zip(cells["targets"], comparison.targets, strict=True):
        result = row.result
        targets.append(
            [
                row.indicator,
                left.text,
                left.citation,
                right.text,
                right.citation,
                note,
                written_amount(result["point"].value, result["point"].value_max, result["point"].unit)
                if result
                else "",
                result["state"] if result else "",
            ]
        )
    _sheet(
        book,
        "目标对照",
        ["指标", "A 目标", "A 出处", "B 目标", "B 出处", "对照", "上年实绩", "完成情况"],
        targets,
        [24, 36, 40, 36, 40, 40, 14, 10],
    )
    props = book.properties
    props.title = _text(_title(comparison))
    props.creator = DEFAULT_AUTHOR
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
