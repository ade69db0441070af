"""A measure's page: its verbatim text with the targets it mentions marked, linked targets, related measures."""

from __future__ import annotations

import logging
from typing import Any

from kb.present import document_json, measure_json
from kb.search.engine import Hit
from kb.urls import measure_url
from web.pages import Context, Missing, Page
from web.pages.items import PAGE_QUOTE_CHARS, citations, resolve
from web.pages.shapes import breadcrumb, measure_brief, mention_marks, segments
from web.security import require_id

log = logging.getLogger(__name__)


def related_hits(ctx: Context, measure_id: str, limit: int = 5) -> list[Hit]:
    """Related measures in other documents; a failure here only empties that list, never the page."""
    try:
        return ctx.opened.engine.related(measure_id, limit=limit)
    except Exception:
        log.exception("related() failed for %s", measure_id)
        return []


def measure_data(ctx: Context, item_id: str) -> dict[str, Any]:
    require_id(item_id)
    kb = ctx.kb
    measure = kb.measure(item_id)
    dkb = kb.document_kb(measure.doc_id) if measure else None
    if measure is None or dkb is None:
        raise Missing(f"没有编号为 {item_id} 的措施。")
    doc = dkb.document
    linked = [t for t in (kb.target(ref.id) for ref in measure.targets) if t is not None]
    inside = [
        t for t in linked if measure.span[0] <= t.mention_span[0] and t.mention_span[1] <= measure.span[1]
    ]
    marks = [(s - measure.span[0], e - measure.span[0], tid) for s, e, tid in mention_marks(inside)]
    related = []
    for hit in related_hits(ctx, measure.id):
        other = kb.measure(hit.id)
        if other is not None:
            related.append({**measure_brief(kb, other), "score": round(hit.score, 3)})
    permalink = ctx.permalink(measure_url(measure.id))
    brief = measure_brief(kb, measure)
    for target, entry in zip(linked, brief["targets"], strict=False):
        entry["mention"] = target.mention
        entry["mention_inside"] = target in inside
    return {
        "measure": {**measure_json(measure), "doc_title": doc.title},
        "document": document_json(doc),
        "breadcrumb": breadcrumb(doc, measure.path, measure.clause_id),
        "segments": segments(measure.text, 0, len(measure.text), marks),
        "targets": brief["targets"],
        "related": related,
        "citations": citations(resolve(kb, measure.id), permalink, ctx.today, quote_chars=PAGE_QUOTE_CHARS),
        "permalink": permalink,
    }


PAGES = [Page("/measures/<item_id>", "measure", measure_data, "measure.html")]
