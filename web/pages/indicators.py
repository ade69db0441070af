"""Indicator series: the list (filter by region and indicator; conflicts and misses first) and one series with its
chart of targets against results, the same numbers as a table, the judged years and the conflicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from kb.extract.indicators import Series
from kb.ids import is_series_id
from kb.present import curated_json, indicator_json, point_json
from kb.urls import document_url, quantity_url
from web.chart import series_chart, written
from web.pages import Context, Invalid, Missing, Page
from web.pages.compare import across_regions
from web.security import bounded_filter, bounded_page

PER_PAGE = 50
SHOWS = {"compared": "可比较的序列", "all": "全部序列"}
STATES = {True: "完成", False: "未完成", None: "不可比"}
NOT_BUILT = "当前索引尚未生成指标序列，请重新构建索引（policykb build）。"


def _query(args: Mapping[str, str]) -> dict[str, Any]:
    return {
        "region": bounded_filter(args.get("region")),
        "indicator": bounded_filter(args.get("indicator")),
        "show": bounded_filter(args.get("show")) or "compared",
        "page": bounded_page(args.get("page")),
    }


def _years(series: Series) -> str:
    years = sorted({p.year for p in series.points})
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def _notice(ctx: Context) -> str:
    error = ctx.kb.indicator_status().get("error", "")
    if error == "missing":
        return NOT_BUILT
    return f"指标配置文件有误，未生成指标序列：{error}" if error else ""


def indicators_data(
    ctx: Context,
    region: str | None = None,
    indicator: str | None = None,
    show: str = "compared",
    page: int = 1,
) -> dict[str, Any]:
    if show not in SHOWS:
        raise Invalid("参数 show 只能是 compared（可比较的序列）或 all（全部序列）。")
    kb = ctx.kb
    regions = kb.indicator_regions()
    if region is not None and region not in dict(regions):
        raise Invalid(f"没有地区“{region}”的指标序列。")
    series = kb.indicator_series(region=region)
    if indicator:
        series = [s for s in series if indicator in s.name or indicator in s.title]
    if show == "compared":
        series = [s for s in series if s.compared]
    total = len(series)
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    shown = series[(page - 1) * PER_PAGE : page * PER_PAGE]

    def page_url(number: int) -> str:
        params = {"region": region or "", "indicator": indicator or "", "show": show, "page": number}
        return "/indicators?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})

    return {
        "series": [{**indicator_json(s, full=False), "years": _years(s)} for s in shown],
        "regions": [{"name": name, "count": count} for name, count in regions],
        "filters": {"region": region or "", "indicator": indicator or "", "show": show},
        "shows": SHOWS,
        "total": total,
        "page": page,
        "pages": pages,
        "prev_url": page_url(page - 1) if page > 1 else "",
        "next_url": page_url(page + 1) if page < pages else "",
        "notice": _notice(ctx),
    }


def _source(kb: Any, doc_id: str) -> dict[str, str]:
    doc = kb.document(doc_id)
    return {
        "id": doc_id,
        "title": doc.title if doc else doc_id,
        "date": doc.date if doc else "",
        "url": document_url(doc_id),
    }


def _indicator_query(args: Mapping[str, str]) -> dict[str, Any]:
    year = bounded_filter(args.get("year"))
    if year is not None and not (year.isdigit() and len(year) == 4):
        raise Invalid("参数 year 须为四位年份，例如 2026。")
    return {"year": int(year) if year else None}


def indicator_data(ctx: Context, series_id: str, year: int | None = None) -> dict[str, Any]:
    if not is_series_id(series_id):
        raise Missing("指标序列编号格式不正确。")
    kb = ctx.kb
    series = kb.indicator(series_id)
    if series is None:
        raise Missing(f"没有编号为 {series_id} 的指标序列。")
    documents = {doc_id: _source(kb, doc_id) for doc_id in series.doc_ids}
    for a in series.attainment:  # a derived result may cite a document outside the series' own points
        for doc_id in (a.result.doc_id, a.target.doc_id):
            documents.setdefault(doc_id, _source(kb, doc_id))
    titles = {doc_id: d["title"] for doc_id, d in documents.items()}

    def shown(point: Any) -> dict[str, Any]:
        return {**point_json(point), "text": written(point), "doc_title": titles.get(point.doc_id, "")}

    years, judged = _year_rows(series, shown)
    notes = {year: _note(note) for year, note in kb.conflict_notes(series.id).items()}
    series_data = indicator_json(series)
    curated = curated_json(kb.series_marks(series.id))
    series_data["curated"] = curated
    for conflict in series_data["conflicts"]:
        conflict["note"] = notes.get(conflict["year"])
    return {
        "series": series_data,
        "curated": curated,
        "title": series.title,
        "years": [years[y] for y in sorted(years)],
        "judged": judged,
        "conflicts": _conflicts(series, shown, notes),
        "documents": list(documents.values()),
        "chart": series_chart(series, titles),
        "summary": series.summary(),
        "regions": across_regions(ctx, series.name, series.dimension, _regions_year(year, years), None),
    }


Shown = Callable[[Any], dict[str, Any]]


def _year_rows(series: Any, shown: Shown) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """The series year by year (its targets, results, attainment states and whether values conflict), in the
    order the points and judgements give them; and the judged attainments."""
    years: dict[int, dict[str, Any]] = {}
    for point in series.points:
        row = years.setdefault(point.year, {"year": point.year, "targets": [], "results": [], "states": []})
        row["targets" if point.kind == "target" else "results"].append(shown(point))
    judged = []
    for a in series.attainment:
        entry = {
            "year": a.year,
            "target": shown(a.target),
            "result": shown(a.result),
            "attained": a.attained,
            "state": STATES[a.attained],
            "rule": a.rule,
            "derived_from": [{"id": i, "url": quantity_url(i, "result")} for i in a.derived_from],
        }
        judged.append(entry)
        years.setdefault(a.year, {"year": a.year, "targets": [], "results": [], "states": []})
        years[a.year]["states"].append(entry["state"])
    conflict_years = {c.year for c in series.conflicts}
    for row_year, row in years.items():
        row["conflict"] = row_year in conflict_years
    return years, judged


def _conflicts(series: Any, shown: Shown, notes: Mapping[int, Any]) -> list[dict[str, Any]]:
    by_item = {p.item_id: p for p in series.points}
    return [
        {
            "year": c.year,
            "values": c.values,
            "sources": [shown(by_item[i]) for i in c.item_ids if i in by_item],
            "note": notes.get(c.year),
        }
        for c in series.conflicts
    ]


def _regions_year(year: int | None, years: Mapping[int, Any]) -> int | None:
    """The year of the regions comparison: the ``year`` asked for, else the series' last year (the page's default
    until now, when a loop variable overwrote the parameter and ``?year=`` was ignored)."""
    if year is not None:
        return year
    return list(years)[-1] if years else None


def _note(note: dict[str, Any]) -> dict[str, Any]:
    """An explained conflict as pages show it: the note, who and when, the decision's id."""
    return {
        "note": note.get("note", ""),
        "user": note.get("user", ""),
        "time": note.get("time", ""),
        "id": note.get("seq"),
    }


def _indicator_api(data: dict[str, Any]) -> dict[str, Any]:
    """The series, its documents, and the page's comparison across regions (``regions``: the year's targets of
    every region for this indicator, or null)."""
    return {**data["series"], "documents": data["documents"], "regions": data["regions"]}


def _indicators_api(data: dict[str, Any]) -> dict[str, Any]:
    keep = ("series", "regions", "filters", "total", "page", "pages", "notice")
    return {k: data[k] for k in keep}


PAGES = [
    Page("/indicators", "indicators", indicators_data, "indicators.html", query=_query, json=_indicators_api),
    Page(
        "/indicators/<series_id>",
        "indicator",
        indicator_data,
        "indicator.html",
        query=_indicator_query,
        json=_indicator_api,
    ),
]
