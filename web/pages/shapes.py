"""Shapes shared by the pages: brief forms of documents, measures and targets, marked text segments, breadcrumbs."""

from __future__ import annotations

from typing import Any

from kb import ids
from kb.model import Document, Measure, Quantity
from kb.present import document_json, format_value, link_reason
from kb.store.knowledge import KnowledgeReader
from kb.urls import clause_url, document_url, measure_url, quantity_url

Segment = dict[str, Any]


def quantity_brief(quantity: Quantity) -> dict[str, Any]:
    """A target or a result in a list: ``kind`` says which; a target has its deadline, a result its year."""
    data: dict[str, Any] = {
        "id": quantity.id,
        "kind": quantity.kind,
        "indicator": quantity.indicator,
        "value_text": format_value(quantity),
        "qualifier": quantity.qualifier,
        "url": quantity_url(quantity.id, quantity.kind),
    }
    if quantity.is_result:
        data["year"] = quantity.year
    else:
        data["deadline"] = quantity.deadline
    return data


def target_brief(target: Quantity) -> dict[str, Any]:
    return quantity_brief(target)


def measure_brief(kb: KnowledgeReader, measure: Measure) -> dict[str, Any]:
    doc = kb.document(measure.doc_id)
    targets = []
    for ref in measure.targets:
        target = kb.target(ref.id)
        if target is not None:
            targets.append(
                {
                    **target_brief(target),
                    "score": round(ref.score, 3),
                    "evidence": ref.evidence,
                    "weak": ref.weak,
                    "source": ref.source,
                    "why": link_reason(ref.source, ref.weak),
                }
            )
    return {
        "id": measure.id,
        "number": measure.number,
        "headline": measure.headline,
        "path": list(measure.path),
        "categories": list(measure.categories),
        "doc_id": measure.doc_id,
        "doc_title": doc.title if doc else "",
        "url": measure_url(measure.id),
        "targets": targets,
    }


def document_brief(kb: KnowledgeReader, doc: Document) -> dict[str, Any]:
    return {**document_json(doc), "counts": kb.document_counts(doc.id)}


def segments(text: str, start: int, end: int, marks: list[tuple[int, int, str]]) -> list[Segment]:
    """``text[start:end]`` cut into plain and marked pieces.

    ``marks`` are (start, end, quantity id) in offsets of ``text``; overlapping or out-of-range marks are
    clipped or skipped. A marked piece that begins where its mark begins carries ``anchor: True``.
    """
    out: list[Segment] = []
    cursor = start
    for m_start, m_end, target_id in sorted(marks):
        s, e = max(m_start, cursor), min(m_end, end)
        if s >= e:
            continue
        if s > cursor:
            out.append({"text": text[cursor:s], "target": None})
        kind = ids.type_of(target_id)
        out.append(
            {
                "text": text[s:e],
                "target": target_id,
                "kind": kind,
                "url": quantity_url(target_id, kind or "target"),
                "anchor": s == m_start,
            }
        )
        cursor = e
    if cursor < end:
        out.append({"text": text[cursor:end], "target": None})
    return out


def mention_marks(targets: list[Quantity]) -> list[tuple[int, int, str]]:
    return [
        (t.mention_span[0], t.mention_span[1], t.id) for t in targets if t.mention_span[1] > t.mention_span[0]
    ]


def breadcrumb(doc: Document, path: list[str], clause_id: str) -> list[dict[str, str]]:
    """Document › section › item, each linking to its anchor in the document page."""
    crumbs = [{"label": doc.title, "url": document_url(doc.id)}]
    for label, ancestor in zip(path, ids.ancestor_clause_ids(clause_id), strict=False):
        crumbs.append({"label": label, "url": clause_url(ancestor)})
    return crumbs
