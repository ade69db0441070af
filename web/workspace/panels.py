"""The edit panels' data: which listed decisions are about an item, the editable fields of a target, result or
document with their current values, and the clauses that may be made measures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kb.extract.curation import (
    QUANTITY_FIELDS,
    editable_fields,
    get_field,
)
from kb.model import Document, Quantity
from kb.store.knowledge import KnowledgeReader


def decision_for(entry: Mapping[str, Any], item_id: str, seqs: set[int]) -> bool:
    """Whether a listed decision is about the item (by the id it named, or applied to it: its marks)."""
    if entry.get("id") in seqs:
        return True
    return item_id in (
        entry.get("measure"),
        entry.get("target"),
        entry.get("item"),
        entry.get("document"),
        entry.get("clause"),
        entry.get("series"),
        entry.get("into"),
    )


def quantity_form(quantity: Quantity) -> list[dict[str, Any]]:
    """The editable fields of a target or result with their current values."""
    out = []
    for spec in QUANTITY_FIELDS:
        if quantity.kind not in spec.kinds:
            continue
        value = getattr(quantity, spec.name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(
            {
                "name": spec.name,
                "label": spec.label,
                "form": spec.form,
                "value": "" if value is None else value,
            }
        )
    return out


def document_form(document: Document) -> list[dict[str, Any]]:
    """The editable fields of a document (``DOCUMENT_FIELDS`` that its model has) with their current values."""
    return [
        {
            "name": spec.name,
            "label": spec.label,
            "form": spec.form,
            "choices": list(spec.choices),
            "value": get_field(document, spec.path_on(document) or spec.name),
            "required": spec.required,
            "max": spec.max_chars,
        }
        for spec in editable_fields(document)
    ]


def clause_options(kb: KnowledgeReader, doc_id: str, limit: int = 400) -> list[dict[str, str]]:
    """The clauses of a document's outline that may be made measures (neither a measure, nor inside or around
    one), for the 新增措施 choice."""
    dkb = kb.document_kb(doc_id)
    if dkb is None:
        return []
    spans = [m.span for m in kb.measures(doc_id=doc_id)]
    out = []
    for root in dkb.outline:
        for clause in root.walk():
            if any(a < clause.span[1] and clause.span[0] < b for a, b in spans):
                continue
            out.append({"id": clause.id, "label": f"{clause.label}{clause.heading}"[:60]})
            if len(out) >= limit:
                return out
    return out
