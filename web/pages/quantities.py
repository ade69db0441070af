"""The pages of a target and of a result (``/targets/<id>``, ``/results/<id>``): the sentence with the mention marked,
what the quantity is, and — for a target — the measures that pursue it and why; for a result, the year it reports,
its indicator series and the target it answers where the library holds one.

A target and a result never share a page: the page of the other kind answers 301 to the right one (also for the
id an old link used when the quantity's kind was read otherwise: ``kb.ids.other_kind_id``).
"""

from __future__ import annotations

from typing import Any

from kb import ids
from kb.cite.items import clause_path_of
from kb.model import RESULT, TARGET, Quantity
from kb.present import document_json, format_value, link_reason, quantity_json
from kb.urls import indicator_url, quantity_url
from web.pages import Context, Missing, Moved, Page
from web.pages.items import PAGE_QUOTE_CHARS, citations, resolve
from web.pages.shapes import breadcrumb, measure_brief, segments
from web.security import require_id

WHAT = {TARGET: "目标", RESULT: "实绩"}


def _find(ctx: Context, item_id: str, kind: str) -> Quantity:
    """The quantity of ``kind`` with this id; ``Moved`` when the id (or its other-kind twin) is of the other kind."""
    require_id(item_id)
    kb = ctx.kb
    found = kb.quantity(item_id)
    if found is None:
        twin = ids.other_kind_id(item_id)
        found = kb.quantity(twin) if twin else None
    if found is None:
        raise Missing(f"没有编号为 {item_id} 的{WHAT[kind]}。")
    if found.kind != kind or found.id != item_id:
        raise Moved(quantity_url(found.id, found.kind))
    return found


def _common(ctx: Context, quantity: Quantity) -> dict[str, Any]:
    kb = ctx.kb
    dkb = kb.document_kb(quantity.doc_id)
    if dkb is None:
        raise Missing(f"没有编号为 {quantity.id} 的{WHAT[quantity.kind]}。")
    doc = dkb.document
    s0 = quantity.span[0]
    marks = [(quantity.mention_span[0] - s0, quantity.mention_span[1] - s0, quantity.id)]
    path = clause_path_of(kb, quantity.clause_id)
    permalink = ctx.permalink(quantity_url(quantity.id, quantity.kind))
    series = kb.indicator_of(quantity.id)
    return {
        "quantity": {
            **quantity_json(quantity),
            "value_text": format_value(quantity),
            "doc_title": doc.title,
            "label": WHAT[quantity.kind],
        },
        "document": document_json(doc),
        "breadcrumb": breadcrumb(doc, path, quantity.clause_id),
        "segments": segments(quantity.text, 0, len(quantity.text), marks),
        "citations": citations(resolve(kb, quantity.id), permalink, ctx.today, quote_chars=PAGE_QUOTE_CHARS),
        "permalink": permalink,
        "series": {"id": series.id, "title": series.title, "url": indicator_url(series.id)}
        if series
        else None,
    }


def target_data(ctx: Context, item_id: str) -> dict[str, Any]:
    target = _find(ctx, item_id, TARGET)
    kb = ctx.kb
    data = _common(ctx, target)
    measures = []
    for measure_id in target.measure_ids:
        measure = kb.measure(measure_id)
        if measure is None:
            continue
        ref = next((r for r in measure.targets if r.id == target.id), None)
        measures.append(
            {
                **measure_brief(kb, measure),
                "score": round(ref.score, 3) if ref else None,
                "weak": ref.weak if ref else False,
                "evidence": ref.evidence if ref else [],
                "why": link_reason(ref.source, ref.weak) if ref else "",
            }
        )
    data["measures"] = measures
    data["target"] = data["quantity"]
    return data


def result_data(ctx: Context, item_id: str) -> dict[str, Any]:
    result = _find(ctx, item_id, RESULT)
    kb = ctx.kb
    data = _common(ctx, result)
    answers = None
    series = kb.indicator_of(result.id)
    if series is not None:
        for attainment in series.attainment:
            if attainment.result.item_id == result.id:
                target = attainment.target
                answers = {
                    "id": target.item_id,
                    "year": attainment.year,
                    "mention": target.mention,
                    "url": quantity_url(target.item_id, TARGET),
                    "attained": attainment.attained,
                    "rule": attainment.rule,
                }
                break
    data["answers"] = answers
    data["result"] = data["quantity"]
    return data


PAGES = [
    Page("/targets/<item_id>", "target", target_data, "target.html"),
    Page("/results/<item_id>", "result", result_data, "result.html"),
]
