"""The search page: hits with marked titles and snippets, facets, sorting, the advanced form, paging; the JSON twin
adds the raw result.

Parameters (the same on ``/search`` and ``/api/search``; ``kb.search.request.SearchRequest.from_params`` reads them):
``q``; ``type`` the type of hit (document, measure, target, result, clause); ``genre`` the document's 文种 (通知,
意见, 条例… — the old name ``kind`` is still read, as the type when it names one); ``category``, ``doc``, ``agency``,
``year``; ``doc_number`` (文号, 国发 2019); ``from``/``to`` (document date, YYYY[-MM[-DD]]); ``field=title`` (titles
only); ``sort=date`` (newest first); ``match=exact`` (精确: every piece as written; default ``broad``, 模糊); ``page``. With no
``q`` but a filter, every hit the filters allow is listed.

The same parameters take a search away (issue 25): ``/search.csv`` and ``/search.xlsx`` export the whole result list
(up to ``kb.cite.table.EXPORT_LIMIT`` rows, with ``style=`` the citation style), ``/search.atom`` is its Atom feed of
the newest matching documents and measures (``web.atom``). The routes come from ``kb.urls.RULES``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from flask import Response, send_file

from kb.cite.export import EXPORT_STYLES
from kb.cite.table import EXPORT_LIMIT, ResultTable, export_style, result_table, to_csv, to_xlsx
from kb.extract.doctype import GENRES
from kb.search.engine import Hit, SearchResult
from kb.search.filters import parse_date
from kb.search.request import URL_NAMES, SearchRequest
from kb.search.schema import FACETS, TYPE_LABELS, TYPES
from kb.urls import RULES, search_export_url, search_feed_url
from kb.urls import search_url as search_page_url
from web import atom
from web.pages import Context, Invalid, Page
from web.pages.browse import NOT_STATED, link_setting, options, run_paged, url_with
from web.pages.items import EXPORT_STYLE_LABELS
from web.pages.shapes import measure_brief
from web.security import bounded_page

PER_PAGE = 10
HELP_URL = "/help"
FILTER_LABELS = {**FACETS, "doc_number": "文号", "date_from": "日期从", "date_to": "日期至"}
SORT_LABELS = {"relevance": "按相关度", "date": "按日期（新→旧）"}
MATCH_LABELS = {"broad": "模糊", "exact": "精确"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def search_query(args: Mapping[str, str]) -> dict[str, Any]:
    """The search request and the page from the query string, bounded."""
    return {
        "request": SearchRequest.from_params(args, limit=PER_PAGE),
        "page": bounded_page(args.get("page")),
    }


def search_url(params: Mapping[str, Any], **changes: Any) -> str:
    return url_with("/search", params, URL_NAMES, **changes)


def _check_dates(date_from: str | None, date_to: str | None) -> None:
    try:
        first = parse_date(date_from) if date_from else None
        last = parse_date(date_to, end=True) if date_to else None
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    if first is not None and last is not None and first > last:
        raise Invalid("起始日期晚于截止日期，请检查“日期从”和“日期至”。")


def search_data(ctx: Context, request: SearchRequest | None = None, page: int = 1) -> dict[str, Any]:
    request = request or SearchRequest(limit=PER_PAGE)
    _check_dates(request.date_from, request.date_to)
    params: dict[str, Any] = {
        "q": request.q,
        **request.filters,
        "field": request.field,
        "sort": None if request.sort == "relevance" else request.sort,
        "match": None if request.match == "broad" else request.match,
        "page": page,
    }
    engine, kb = ctx.opened.engine, ctx.kb

    def run(page: int) -> SearchResult:
        return engine.search(request.with_(limit=PER_PAGE, offset=(page - 1) * PER_PAGE))

    result, page, pages, out_of_range = run_paged(run, page, PER_PAGE)
    params["page"] = page
    advanced = any(params[k] for k in ("genre", "agency", "doc_number", "date_from", "date_to", "field"))
    plain = request.to_params()  # the search's URL parameters (no window), for exports, the feed and saving
    return {
        "params": params,
        "url_params": {URL_NAMES.get(k, k): v for k, v in params.items() if k != "page"},
        "result": result,
        "page": page,
        "pages": pages,
        "per_page": PER_PAGE,
        "out_of_range": out_of_range,
        "prev_url": search_url(params, page=page - 1) if page > 1 else None,
        "next_url": search_url(params, page=page + 1) if page < pages else None,
        "facets": _facets(kb, result, request.filters, params),
        "active_filters": _active_filters(kb, request, params),
        "linked_targets": _linked_targets(kb, result),
        "type_labels": TYPE_LABELS,
        "sorts": [
            {
                "value": value,
                "label": label,
                "active": request.sort == value,
                "url": search_url(params, sort=None if value == "relevance" else value, page=1),
            }
            for value, label in SORT_LABELS.items()
        ],
        "advanced_open": advanced,
        "choices": {
            "types": [{"value": k, "label": TYPE_LABELS[k]} for k in TYPES],
            "genres": [*GENRES, NOT_STATED],
            "categories": [c.name for c in kb.categories],
        },
        "help_url": HELP_URL,
        "by_date": request.sort == "date",
        "matches": [{"value": k, "label": v, "active": request.match == k} for k, v in MATCH_LABELS.items()],
        "search_params": plain,
        "exports": _exports(plain),
        "feed_url": search_feed_url({k: v for k, v in plain.items() if k != "sort"}),  # a feed is by date
    }


def _value_label(kb: Any, name: str, value: str) -> str:
    """How a filter value is shown: a type's label, a document's title, else the value."""
    if name == "type":
        return TYPE_LABELS.get(value, value)
    if name == "doc":
        found = kb.document(value)
        return found.title if found is not None else value
    return value


def _facets(
    kb: Any, result: SearchResult, filters: Mapping[str, Any], params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    facets = []
    for name, label in FACETS.items():
        values = options(
            result.facets.get(name, []),
            filters[name],
            link_setting("/search", params, name, URL_NAMES),
            lambda v, name=name: _value_label(kb, name, v),
        )
        if values:
            facets.append({"name": name, "label": label, "options": values})
    return facets


def _active_filters(kb: Any, request: SearchRequest, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    active_filters = [
        {
            "name": name,
            "label": FILTER_LABELS[name],
            "value": value,
            "value_label": _value_label(kb, name, value),
            "remove_url": search_url(params, **{name: None, "page": 1}),
        }
        for name, value in request.filters.items()
        if value
    ]
    if request.field:
        active_filters.append(
            {
                "name": "field",
                "label": "范围",
                "value": request.field,
                "value_label": "仅标题",
                "remove_url": search_url(params, field=None, page=1),
            }
        )
    return active_filters


def _linked_targets(kb: Any, result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    """The targets linked to each measure among the hits."""
    linked_targets: dict[str, list[dict[str, Any]]] = {}
    for hit in result.results:
        if hit.type == "measure":
            measure = kb.measure(hit.id)
            if measure is not None:
                linked_targets[hit.id] = measure_brief(kb, measure)["targets"]
    return linked_targets


def _exports(plain: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "csv": search_export_url(plain, "csv"),
        "xlsx": search_export_url(plain, "xlsx"),
        "csv_action": RULES["search_csv"],
        "xlsx_action": RULES["search_xlsx"],
        "limit": EXPORT_LIMIT,
        "styles": [{"style": k, "label": v} for k, v in EXPORT_STYLE_LABELS.items() if k in EXPORT_STYLES],
    }


def search_json(data: dict[str, Any]) -> dict[str, Any]:
    """The /api/search body: SearchResult.to_json() plus paging and the targets of measure hits."""
    return {
        **data["result"].to_json(),
        "page": data["page"],
        "pages": data["pages"],
        "linked_targets": data["linked_targets"],
        "params": {k: v for k, v in data["url_params"].items() if v},
    }


# --------------------------------------------------------------------------------------------- take it away


def export_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {"request": SearchRequest.from_params(args), "style": args.get("style") or "official"}


def table_data(ctx: Context, request: SearchRequest, style: str) -> dict[str, Any]:
    """The whole result list of the search (``EXPORT_LIMIT`` rows at most) as rows of ``kb.cite.table``."""
    _check_dates(request.date_from, request.date_to)
    try:
        style = export_style(style)
        table = result_table(
            ctx.opened.engine, ctx.kb, request, style=style, base_url=ctx.site_url, accessed=ctx.today
        )
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return {"table": table, "today": ctx.today}


def _download_name(table: ResultTable, suffix: str, today: Any) -> str:
    words = re.sub(r"[\W_]+", "_", table.request.q).strip("_")[:30]
    return f"检索结果{'-' + words if words else ''}-{today:%Y%m%d}.{suffix}"


def _attachment(payload: bytes, mimetype: str, table: ResultTable, name: str) -> Response:
    response = send_file(io.BytesIO(payload), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["X-Total-Count"] = str(table.total)
    response.headers["X-Exported-Count"] = str(len(table.rows))
    return response


def csv_response(data: dict[str, Any]) -> Response:
    table: ResultTable = data["table"]
    name = _download_name(table, "csv", data["today"])
    return _attachment(to_csv(table), "text/csv; charset=utf-8", table, name)


def xlsx_response(data: dict[str, Any]) -> Response:
    table: ResultTable = data["table"]
    return _attachment(to_xlsx(table), XLSX, table, _download_name(table, "xlsx", data["today"]))


def feed_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {"request": SearchRequest.from_params(args)}


def _entry(ctx: Context, hit: Hit) -> atom.Entry:
    where = f"《{hit.doc_title}》" + (" › ".join(hit.path) if hit.path and hit.type != "document" else "")
    summary = f"{where}\n{hit.snippet.text}" if hit.type != "document" else hit.snippet.text
    return atom.Entry(
        item_id=hit.id,
        title=hit.title.text or hit.doc_title,
        link=ctx.permalink(hit.url),
        date=hit.date,
        summary=summary.strip(),
        author=hit.agency,
        categories=tuple(x for x in (TYPE_LABELS.get(hit.type, hit.type), hit.genre) if x),
    )


def feed_data(ctx: Context, request: SearchRequest) -> dict[str, Any]:
    """The newest documents and measures the search matches (or the type it names), dated, newest first."""
    _check_dates(request.date_from, request.date_to)
    if not request.q and not any(request.filters.values()):
        raise Invalid("订阅需要检索词或筛选条件。")
    hits: list[Hit] = []
    for hit_type in [request.type] if request.type else ["document", "measure"]:
        result = ctx.opened.engine.search(
            request.with_(type=hit_type, sort="date", limit=atom.FEED_ENTRIES, offset=0)
        )
        if not result.partial:  # a subscription reports matches, never partial ones
            hits.extend(h for h in result.results if atom.rfc3339(h.date))
    hits.sort(key=lambda h: (atom.rfc3339(h.date), h.score), reverse=True)
    params = request.with_(sort="relevance").to_params()  # a feed is by date: one feed (and id) per search
    label = request.q or "；".join(f"{FILTER_LABELS.get(k, k)}：{v}" for k, v in request.filters.items() if v)
    return {
        "feed": atom.atom_feed(
            feed_id=atom.feed_uri(params),
            title=f"政策知识库检索：{label}",
            subtitle="最新的匹配文件与措施（按发文日期）",
            self_link=ctx.permalink(search_feed_url(params)),
            alternate=ctx.permalink(search_page_url({**params, "sort": "date"})),
            entries=[_entry(ctx, h) for h in hits[: atom.FEED_ENTRIES]],
        )
    }


def feed_response(data: dict[str, Any]) -> Response:
    return Response(data["feed"], mimetype=atom.MIMETYPE)


PAGES = [
    Page("/search", "search", search_data, "search.html", query=search_query, json=search_json),
    Page(RULES["search_csv"], "search_csv", table_data, query=export_query, html=csv_response, api=False),
    Page(RULES["search_xlsx"], "search_xlsx", table_data, query=export_query, html=xlsx_response, api=False),
    Page(RULES["search_atom"], "search_atom", feed_data, query=feed_query, html=feed_response, api=False),
]
