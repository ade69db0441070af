"""Categories: the list with a preview of each, and one category's measures grouped by document."""

from __future__ import annotations

from typing import Any

from kb.present import document_json
from web.pages import Context, Missing, Page
from web.pages.shapes import category_url, measure_brief


def categories_data(ctx: Context, preview: int = 5) -> dict[str, Any]:
    kb = ctx.kb
    out = []
    for category in kb.categories:
        measures = [m for m in (kb.measure(i) for i in category.measure_ids) if m is not None]
        out.append(
            {
                "name": category.name,
                "description": category.description,
                "count": len(measures),
                "url": category_url(category.name),
                "measures": [measure_brief(kb, m) for m in measures[:preview]],
            }
        )
    out.sort(key=lambda c: -c["count"])
    return {"categories": out}


def category_data(ctx: Context, name: str) -> dict[str, Any]:
    kb = ctx.kb
    category = kb.category(name[:120])
    if category is None:
        raise Missing("没有这个类别。")
    groups: dict[str, dict[str, Any]] = {}
    for measure in sorted(kb.measures(category=category.name), key=lambda m: (m.doc_id, m.ordinal)):
        doc = kb.document(measure.doc_id)
        group = groups.setdefault(
            measure.doc_id,
            {"document": document_json(doc) if doc else {"id": measure.doc_id, "title": ""}, "measures": []},
        )
        group["measures"].append(measure_brief(kb, measure))
    return {
        "category": {
            "name": category.name,
            "description": category.description,
            "count": len(category.measure_ids),
        },
        "groups": list(groups.values()),
    }


PAGES = [
    Page("/categories", "categories", categories_data, "categories.html"),
    Page("/categories/<name>", "category", category_data, "category.html"),
]
