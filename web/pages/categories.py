"""Categories: the list with a preview of each, and one category's measures — paged, filtered, sorted.

``/categories`` lists the bureau's desks first (the 科技 group of ``taxonomy.toml``), then the State Council's
主题分类, each group in the file's order (never by count: an official looks for her desk where it always is).

A category page is the search engine listing the measures of the category (``type=measure``, ``category=``) with
no query, so its total and its document, agency, year, 效力级别 and 时效性 counts are exactly what
``/search?category=…&type=measure`` shows, and a filter is the same mask. Measures are grouped by document, newest
document first, each with the targets it serves. Parameters: ``page`` (``PER_PAGE`` measures a page), ``doc``,
``agency``, ``year``, ``level``, ``validity`` (``未注明`` = documents without one), ``sort=doc`` (the documents in
index order instead of newest first; each document's measures in reading order either way).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kb.present import document_json
from kb.search.engine import SearchResult
from kb.urls import category_url
from web.pages import Context, Missing, Page
from web.pages.browse import document_validity, link_setting, options, run_paged, url_with
from web.pages.shapes import measure_brief
from web.security import bounded_filter, bounded_page

PER_PAGE = 50
FILTERS = {"doc": "文件", "agency": "发布机构", "year": "年份", "level": "效力级别", "validity": "时效性"}
SORT_LABELS = {"": "按日期（新→旧）", "doc": "按文件"}
# The groups of taxonomy.toml, in the order /categories shows them, with their headings.
GROUPS = {"科技": "科技工作分类", "主题分类": "国务院主题分类"}
DESKS = "科技"


@functools.lru_cache(maxsize=4)
def _taxonomy_groups(path: str, mtime_ns: int) -> dict[str, str]:
    from kb.extract.taxonomy import TaxonomyError, load_taxonomy

    try:
        return {c.name: c.group for c in load_taxonomy(Path(path)).categories}
    except TaxonomyError:
        return {}


def category_groups() -> dict[str, str]:
    """Category name → group, from the taxonomy of the configuration folder (for catalogs that do not say)."""
    from kb.config import config_file

    path = config_file("taxonomy.toml")
    try:
        return _taxonomy_groups(str(path), path.stat().st_mtime_ns)
    except OSError:
        return {}


def ordered_categories(kb: Any) -> list[Any]:
    """The knowledge base's categories, the bureau's desks (group 科技) first, then the others, each in file order;
    a category without a group (not in the taxonomy) goes with the 主题分类."""
    groups = category_groups()
    return sorted(kb.categories, key=lambda c: 0 if (c.group or groups.get(c.name, "")) == DESKS else 1)


def categories_data(ctx: Context, preview: int = 5) -> dict[str, Any]:
    kb = ctx.kb
    groups = category_groups()
    sections: dict[str, dict[str, Any]] = {}
    for category in ordered_categories(kb):
        group = category.group or groups.get(category.name, "") or "主题分类"
        section = sections.setdefault(
            group, {"name": group, "title": GROUPS.get(group, group), "categories": []}
        )
        measures = [m for m in (kb.measure(i) for i in category.measure_ids) if m is not None]
        section["categories"].append(
            {
                "name": category.name,
                "description": category.description,
                "group": group,
                "count": len(measures),
                "url": category_url(category.name),
                "measures": [measure_brief(kb, m) for m in measures[:preview]],
            }
        )
    ordered = sorted(sections.values(), key=lambda s: 0 if s["name"] == DESKS else 1)
    return {"groups": ordered, "categories": [c for s in ordered for c in s["categories"]]}


def category_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {
        "page": bounded_page(args.get("page")),
        "doc": bounded_filter(args.get("doc")),
        "agency": bounded_filter(args.get("agency")),
        "year": bounded_filter(args.get("year")),
        "level": bounded_filter(args.get("level")),
        "validity": bounded_filter(args.get("validity")),
        "sort": "doc" if args.get("sort") == "doc" else None,
    }


def category_data(
    ctx: Context,
    name: str,
    page: int = 1,
    doc: str | None = None,
    agency: str | None = None,
    year: str | None = None,
    level: str | None = None,
    validity: str | None = None,
    sort: str | None = None,
) -> dict[str, Any]:
    kb, engine = ctx.kb, ctx.opened.engine
    category = kb.category(name[:120])
    if category is None:
        raise Missing("没有这个类别。")
    base = category_url(category.name)
    filters = {"doc": doc, "agency": agency, "year": year, "level": level, "validity": validity}
    params: dict[str, Any] = {**filters, "sort": sort, "page": page}

    run = functools.partial(_measures, engine, category.name, filters, sort)
    result, page, pages, out_of_range = run_paged(run, page, PER_PAGE)
    params["page"] = page

    def link(**changes: Any) -> str:
        return url_with(base, params, **changes)

    search_params = {
        "category": category.name,
        "type": "measure",
        **filters,
        "sort": None if sort == "doc" else "date",
    }
    return {
        "category": {
            "name": category.name,
            "description": category.description,
            "count": len(category.measure_ids),
        },
        "total": result.total,
        "page": page,
        "pages": pages,
        "per_page": PER_PAGE,
        "out_of_range": out_of_range,
        "prev_url": link(page=page - 1) if page > 1 else None,
        "next_url": link(page=page + 1) if page < pages else None,
        "params": params,
        "groups": _groups(ctx, result),
        "facets": _facets(kb, result, base, params),
        "active_filters": _active_filters(kb, params, link),
        "sorts": [
            {"value": v, "label": label, "active": (sort or "") == v, "url": link(sort=v or None, page=1)}
            for v, label in SORT_LABELS.items()
        ],
        # The same list on the search page, and a search inside it.
        "search_url": url_with("/search", search_params),
        "search_hidden": {k: v for k, v in search_params.items() if v},
    }


def _measures(
    engine: Any, category: str, filters: Mapping[str, Any], sort: str | None, page: int
) -> SearchResult:
    """One page of the category's measures (newest first, or by document with ``sort=doc``)."""
    return engine.search(
        "",
        type="measure",
        category=category,
        **filters,
        sort="relevance" if sort == "doc" else "date",
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )


def _groups(ctx: Context, result: SearchResult) -> list[dict[str, Any]]:
    """The page's measures grouped by document (consecutive hits of one document), each document with its
    validity."""
    kb = ctx.kb
    groups: list[dict[str, Any]] = []
    for hit in result.results:
        measure = kb.measure(hit.id)
        if measure is None:
            continue
        if not groups or groups[-1]["document"]["id"] != measure.doc_id:
            found = kb.document(measure.doc_id)
            document = document_json(found) if found else {"id": measure.doc_id, "title": ""}
            status = document_validity(kb, found, ctx.today) if found else {}
            groups.append({"document": document, "validity": status, "measures": []})
        groups[-1]["measures"].append(measure_brief(kb, measure))
    return groups


def _active_filters(kb: Any, params: Mapping[str, Any], link: Callable[..., str]) -> list[dict[str, Any]]:
    return [
        {
            "name": key,
            "label": label,
            "value": params[key],
            "value_label": _doc_label(kb, params[key]) if key == "doc" else params[key],
            "remove_url": link(**{key: None, "page": 1}),
        }
        for key, label in FILTERS.items()
        if params[key]
    ]


def _doc_label(kb: Any, value: str) -> str:
    found = kb.document(value)
    return found.title if found is not None else value


def _facets(kb: Any, result: SearchResult, base: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    facets = []
    for key, label in FILTERS.items():
        values = options(
            result.facets.get(key, []),
            params[key],
            link_setting(base, params, key),
            (lambda v: _doc_label(kb, v)) if key == "doc" else (lambda v: v),
        )
        if values:
            facets.append({"name": key, "label": label, "options": values})
    return facets


def category_json(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": data["category"],
        "total": data["total"],
        "page": data["page"],
        "pages": data["pages"],
        "per_page": data["per_page"],
        "params": {k: v for k, v in data["params"].items() if v},
        "groups": data["groups"],
        "facets": {
            f["name"]: [{"value": o["value"], "count": o["count"]} for o in f["options"]]
            for f in data["facets"]
        },
        "search_url": data["search_url"],
    }


PAGES = [
    Page("/categories", "categories", categories_data, "categories.html"),
    Page(
        "/categories/<name>",
        "category",
        category_data,
        "category.html",
        query=category_query,
        json=category_json,
    ),
]
