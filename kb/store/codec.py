"""JSON encoding of the knowledge base (the per-document files of a generation and the catalog)."""

from __future__ import annotations

from typing import Any

from kb.model import (
    Clause,
    Document,
    DocumentKB,
    Link,
    Measure,
    Quantity,
    Reference,
    TargetRef,
    Validity,
    to_dict,
)


def _span(value: Any) -> tuple[int, int]:
    return (int(value[0]), int(value[1]))


def clause_from_dict(data: dict[str, Any]) -> Clause:
    return Clause(
        id=data["id"],
        doc_id=data["doc_id"],
        label=data["label"],
        style=data["style"],
        level=data["level"],
        heading=data["heading"],
        span=_span(data["span"]),
        label_span=_span(data["label_span"]),
        heading_span=_span(data["heading_span"]),
        ordinal=data["ordinal"],
        children=[clause_from_dict(child) for child in data.get("children", [])],
    )


def measure_from_dict(data: dict[str, Any]) -> Measure:
    fields = dict(data)
    fields["span"] = _span(fields["span"])
    fields["targets"] = [TargetRef(**ref) for ref in fields.get("targets", [])]
    return Measure(**fields)


def quantity_from_dict(data: dict[str, Any]) -> Quantity:
    fields = dict(data)
    fields["span"] = _span(fields["span"])
    fields["mention_span"] = _span(fields["mention_span"])
    return Quantity(**fields)


def reference_from_dict(data: dict[str, Any]) -> Reference:
    fields = dict(data)
    fields["span"] = _span(fields["span"])
    return Reference(**fields)


def document_from_dict(data: dict[str, Any]) -> Document:
    fields = dict(data)
    validity = fields.get("validity")
    fields["validity"] = Validity(**validity) if isinstance(validity, dict) else Validity()
    return Document(**fields)


def kb_to_dict(dkb: DocumentKB) -> dict[str, Any]:
    return to_dict(dkb)


def kb_from_dict(data: dict[str, Any]) -> DocumentKB:
    return DocumentKB(
        document=document_from_dict(data["document"]),
        outline=[clause_from_dict(c) for c in data.get("outline", [])],
        measures=[measure_from_dict(m) for m in data.get("measures", [])],
        quantities=[quantity_from_dict(t) for t in data.get("quantities", [])],
        links=[Link(**link) for link in data.get("links", [])],
        references=[reference_from_dict(r) for r in data.get("references", [])],
    )
