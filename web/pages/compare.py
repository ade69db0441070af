"""Comparing plans: two documents side by side (/compare, its 对照表 as .docx and .xlsx) and one indicator across
regions (/regions; the same table on every indicator page). The methods are ``kb.compare``'s."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, send_file

from kb.cite.comparison import export_comparison_docx, export_comparison_xlsx, places_of
from kb.cite.export import DEFAULT_AUTHOR
from kb.compare.plans import CompareError, compare_documents, indicator_across_regions
from kb.present import comparison_json, document_json, region_rows_json
from kb.text.units import load_units
from kb.urls import compare_url, document_url, regions_url
from web.bars import region_bars
from web.pages import Context, Invalid, Missing, Page
from web.security import bounded_filter, valid_id

RELATION_NAMES = {
    "successor": "同一文件的前后两期",
    "peer": "两个地区同一年度的文件",
    "other": "两份文件",
}
MEASURE_NAMES = {"kept": "保留", "changed": "调整", "new": "新增", "dropped": "删去"}
PEER_NAMES = {"kept": "相同", "changed": "相近", "new": "仅B有", "dropped": "仅A有"}
KINDS = {"target": "目标", "result": "实绩"}
DIMENSION_NAMES = {"growth": "增速", "rate": "比率", "points": "变化（百分点）"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ------------------------------------------------------------------------------------------------ /compare


def _pair_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {"a": (args.get("a") or "").strip(), "b": (args.get("b") or "").strip()}


def _check_id(value: str) -> None:
    """A document id as the library writes them, else 404 (the id is not checked against the library here)."""
    if not valid_id(value):
        raise Missing("文件编号格式不正确。")


def _comparison(ctx: Context, a: str, b: str) -> Any:
    if not a or not b:
        raise Invalid("请用参数 a 和 b 指定要对照的两份文件的编号，例如 /compare?a=文件1&b=文件2。")
    for value in (a, b):
        _check_id(value)
    try:
        return compare_documents(ctx.kb, a, b)
    except CompareError as exc:
        raise (Invalid if a == b else Missing)(str(exc)) from None


CHOICES_SHOWN = 60  # pairs of successive documents offered on /compare without a and b


def choices_data(ctx: Context, a: str = "", b: str = "") -> dict[str, Any]:
    """/compare without two documents: the library's pairs of successive documents of one plan (the earlier as A),
    newest first, those of the one document given (if any) first; and the form to name any two."""
    from kb.compare.plans import predecessor

    given = a or b
    if given:
        _check_id(given)
    if given and ctx.kb.document(given) is None:
        raise Missing(f"没有编号为 {given} 的文件。")
    pairs = []
    for doc in ctx.kb.documents():
        before = predecessor(ctx.kb, doc.id)
        if before is not None:
            pairs.append((before, doc))
    pairs.sort(key=lambda p: (p[1].date or "", p[1].id), reverse=True)  # newest first
    pairs.sort(key=lambda p: given not in (p[0].id, p[1].id))  # the given document's pairs first (stable)
    shown = [
        {"a": document_json(x), "b": document_json(y), "url": compare_url(x.id, y.id)}
        for x, y in pairs[:CHOICES_SHOWN]
    ]
    return {"choosing": True, "a": a, "b": b, "pairs": shown, "pairs_total": len(pairs)}


def compare_data(ctx: Context, a: str = "", b: str = "") -> dict[str, Any]:
    if not (a and b):
        return choices_data(ctx, a, b)
    comparison = _comparison(ctx, a, b)
    data = comparison_json(comparison)
    names = PEER_NAMES if comparison.relation == "peer" else MEASURE_NAMES
    for row in data["measures"]:
        row["name"] = names[row["relation"]]
    return {
        **data,
        "relation_name": RELATION_NAMES[comparison.relation],
        "names": names,
        "docx_url": compare_url(a, b, "docx"),
        "xlsx_url": compare_url(a, b, "xlsx"),
        "swap_url": compare_url(b, a),
        "api_url": "/api" + compare_url(a, b),
    }


def _compare_api(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("choosing"):
        return {k: data[k] for k in ("a", "b", "pairs", "pairs_total")}
    keep = ("a", "b", "relation", "earlier_year", "counts", "measures", "targets")
    return {k: data[k] for k in keep}


def _file_data(ctx: Context, a: str = "", b: str = "", fmt: str = "docx") -> dict[str, Any]:
    comparison = _comparison(ctx, a, b)
    places = places_of(ctx.kb, comparison)
    name = f"对照表-{comparison.a.id}-{comparison.b.id}.{fmt}"
    if fmt == "docx":
        author = current_app.config.get("EXPORT_AUTHOR") or DEFAULT_AUTHOR
        payload = export_comparison_docx(comparison, places, author=author, day=ctx.today)
    else:
        payload = export_comparison_xlsx(comparison, places)
    return {"payload": payload, "name": name, "mimetype": DOCX if fmt == "docx" else XLSX}


def _send(data: dict[str, Any]) -> Response:
    return send_file(
        io.BytesIO(data["payload"]), mimetype=data["mimetype"], as_attachment=True, download_name=data["name"]
    )


def docx_data(ctx: Context, a: str = "", b: str = "") -> dict[str, Any]:
    return _file_data(ctx, a, b, "docx")


def xlsx_data(ctx: Context, a: str = "", b: str = "") -> dict[str, Any]:
    return _file_data(ctx, a, b, "xlsx")


# ------------------------------------------------------------------------------------------------ /regions


def _regions_query(args: Mapping[str, str]) -> dict[str, Any]:
    year = bounded_filter(args.get("year"))
    if year is not None and not (year.isdigit() and len(year) == 4):
        raise Invalid("参数 year 须为四位年份，例如 2026。")
    kind = bounded_filter(args.get("kind"))
    if kind is not None and kind not in KINDS:
        raise Invalid("参数 kind 只能是 target（目标）或 result（实绩）。")
    return {
        "indicator": bounded_filter(args.get("indicator")) or "",
        "dimension": bounded_filter(args.get("dimension")),
        "year": int(year) if year else None,
        "kind": kind,
    }


def dimension_name(dimension: str) -> str:
    kind, _, base = dimension.partition(":")
    if kind == "level":
        return f"总量（{base}）"
    if kind == "increment":
        return f"新增（{base}）"
    if kind == "share":
        return f"占{base}比重"
    return DIMENSION_NAMES.get(kind, dimension)


def across_regions(
    ctx: Context, indicator: str, dimension: str | None, year: int | None, kind: str | None
) -> dict[str, Any] | None:
    """The targets (or results) every region set for one indicator in one year: rows, chart, choices."""
    kinds = [kind] if kind else list(KINDS)
    units = load_units()
    tables = {}
    for k in kinds:
        found = indicator_across_regions(ctx.kb, indicator, dimension, year, k, units)
        if found is None:
            return None
        tables[k] = found
    first = tables[kinds[0]]
    dimension = first.table.dimension
    year = first.table.year
    parts = []
    rows: list[dict[str, Any]] = []
    for k, found in tables.items():
        table = found.table
        if table.year != year:  # the other kind in the same year (it may have none)
            found = indicator_across_regions(ctx.kb, indicator, dimension, year, k, units)
            assert found is not None
            table = found.table
        part_rows = region_rows_json(table, found.clause_of, found.titles)
        rows.extend(part_rows)
        parts.append(
            {
                "kind": k,
                "kind_name": KINDS[k],
                "rows": part_rows,
                "unit": table.unit,
                "averages_only": table.averages_only,
                "chart": region_bars(part_rows, table.unit) if part_rows else None,
                "years": [
                    {"year": y, "count": n, "url": regions_url(indicator, dimension, y), "current": y == year}
                    for y, n in found.years.items()
                ],
            }
        )
    return {
        "indicator": indicator,
        "dimension": dimension,
        "dimension_name": dimension_name(dimension),
        "dimensions": [
            {"dimension": d, "name": dimension_name(d), "url": regions_url(indicator, d, year)}
            for d in first.dimensions
        ],
        "year": year,
        "kind": kind or "",
        "rows": rows,
        "parts": parts,
        "widest": max(len(p["rows"]) for p in parts),
        "url": regions_url(indicator, dimension, year),
    }


def regions_data(
    ctx: Context,
    indicator: str = "",
    dimension: str | None = None,
    year: int | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    if not indicator:
        raise Invalid("请用参数 indicator 指定指标名称，例如 /regions?indicator=地区生产总值&year=2026。")
    found = across_regions(ctx, indicator, dimension, year, kind)
    if found is None:
        raise Missing(f"没有指标“{indicator}”的指标序列。")
    return {"regions": found, "title": f"{indicator} · {found['dimension_name']} · {found['year']}年 各地区"}


def _regions_api(data: dict[str, Any]) -> dict[str, Any]:
    r = data["regions"]
    keep = ("indicator", "dimension", "year", "kind", "rows")
    return {
        **{k: r[k] for k in keep},
        "dimensions": [d["dimension"] for d in r["dimensions"]],
        "years": {p["kind"]: [y["year"] for y in p["years"]] for p in r["parts"]},
        "averages_only": {p["kind"]: p["averages_only"] for p in r["parts"]},
    }


def neighbours_links(kb: Any, doc_id: str) -> dict[str, Any]:
    """The document page's links to compare with the same plan's previous and next document."""
    from kb.compare.plans import predecessor, successor

    out: dict[str, Any] = {}
    before, after = predecessor(kb, doc_id), successor(kb, doc_id)
    if before is not None:
        out["previous"] = {
            "title": before.title,
            "url": document_url(before.id),
            "compare": compare_url(before.id, doc_id),
        }
    if after is not None:
        out["next"] = {
            "title": after.title,
            "url": document_url(after.id),
            "compare": compare_url(doc_id, after.id),
        }
    return out


PAGES = [
    Page("/compare", "compare", compare_data, "compare.html", query=_pair_query, json=_compare_api),
    Page("/compare.docx", "compare_docx", docx_data, query=_pair_query, html=_send, api=False),
    Page("/compare.xlsx", "compare_xlsx", xlsx_data, query=_pair_query, html=_send, api=False),
    Page("/regions", "regions", regions_data, "regions.html", query=_regions_query, json=_regions_api),
]
