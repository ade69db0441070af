"""A target's page: its sentence with the mention marked, the measures that pursue it and why."""

from __future__ import annotations

from typing import Any

from kb.cite.items import clause_path_of
from kb.present import document_json, format_value, indicator_url, target_json, target_url
from web.pages import Context, Missing, Page
from web.pages.items import citations, resolve
from web.pages.shapes import breadcrumb, measure_brief, segments
from web.security import require_id


def target_data(ctx: Context, item_id: str) -> dict[str, Any]:
    require_id(item_id)
    kb = ctx.kb
    target = kb.target(item_id)
    dkb = kb.document_kb(target.doc_id) if target else None
    if target is None or dkb is None:
        raise Missing(f"没有编号为 {item_id} 的目标。")
    doc = dkb.document
    s0 = target.span[0]
    marks = [(target.mention_span[0] - s0, target.mention_span[1] - s0, target.id)]
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
            }
        )
    path = clause_path_of(kb, target.clause_id)
    permalink = ctx.permalink(target_url(target.id))
    series = kb.indicator_of(target.id)
    return {
        "target": {**target_json(target), "value_text": format_value(target), "doc_title": doc.title},
        "document": document_json(doc),
        "breadcrumb": breadcrumb(doc, path, target.clause_id),
        "segments": segments(target.text, 0, len(target.text), marks),
        "measures": measures,
        "citations": citations(resolve(kb, target.id), permalink, ctx.today),
        "permalink": permalink,
        "series": {"id": series.id, "title": series.title, "url": indicator_url(series.id)}
        if series
        else None,
    }


PAGES = [Page("/targets/<item_id>", "target", target_data, "target.html")]
