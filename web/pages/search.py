"""The search page: hits with marked titles and snippets, facets, sorting, the advanced form, paging; the JSON twin
adds the raw result.

Parameters (the same on ``/search`` and ``/api/search``; ``kb.search.request.SearchRequest.from_params`` reads them):
``q``; ``type`` the type of hit (document, measure, target, result, clause); ``genre`` the document's 文种 (通知,
意见, 条例… — the old name ``kind`` is still read, as the type when it names one); ``category``, ``doc``, ``agency``,
``year``; ``doc_number`` (文号, 国发 2019); ``from``/``to`` (document date, YYYY[-MM[-DD]]); ``field=title`` (titles
only); ``sort=date`` (newest first); ``page``. With no ``q`` but a filter, every hit the filters allow is listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kb.extract.doctype import GENRES
from kb.search.engine import SearchResult
from kb.search.filters import parse_date
from kb.search.request import URL_NAMES, SearchRequest
from kb.search.schema import FACETS, TYPE_LABELS, TYPES
from web.pages import Context, Invalid, Page
from web.pages.browse import NOT_STATED, link_setting, options, run_paged, url_with
from web.pages.shapes import measure_brief
from web.security import bounded_page

PER_PAGE = 10
HELP_URL = "/help"
FILTER_LABELS = {**FACETS, "doc_number": "文号", "date_from": "日期从", "date_to": "日期至"}
SORT_LABELS = {"relevance": "按相关度", "date": "按日期（新→旧）"}


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
        "page": page,
    }
    filters = request.filters
    engine, kb = ctx.opened.engine, ctx.kb

    def run(page: int) -> SearchResult:
        return engine.search(request.with_(limit=PER_PAGE, offset=(page - 1) * PER_PAGE))

    result, page, pages, out_of_range = run_paged(run, page, PER_PAGE)
    params["page"] = page

    def value_label(name: str, value: str) -> str:
        if name == "type":
            return TYPE_LABELS.get(value, value)
        if name == "doc":
            found = kb.document(value)
            return found.title if found is not None else value
        return value

    facets = []
    for name, label in FACETS.items():
        values = options(
            result.facets.get(name, []),
            filters[name],
            link_setting("/search", params, name, URL_NAMES),
            lambda v, name=name: value_label(name, v),
        )
        if values:
            facets.append({"name": name, "label": label, "options": values})
    active_filters = [
        {
            "name": name,
            "label": FILTER_LABELS[name],
            "value": value,
            "value_label": value_label(name, value),
            "remove_url": search_url(params, **{name: None, "page": 1}),
        }
        for name, value in filters.items()
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
    linked_targets: dict[str, list[dict[str, Any]]] = {}
    for hit in result.results:
        if hit.type == "measure":
            measure = kb.measure(hit.id)
            if measure is not None:
                linked_targets[hit.id] = measure_brief(kb, measure)["targets"]
    advanced = any(params[k] for k in ("genre", "agency", "doc_number", "date_from", "date_to", "field"))
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
        "facets": facets,
        "active_filters": active_filters,
        "linked_targets": linked_targets,
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


PAGES = [Page("/search", "search", search_data, "search.html", query=search_query, json=search_json)]
