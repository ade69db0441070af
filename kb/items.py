"""Any id (document, measure, target, clause) to the thing a citation or an export quotes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb.citation import (
    Citable,
    Citation,
    citable_from_clause,
    citable_from_measure,
    citable_from_target,
    cite,
)
from kb.model import Document
from kb.places import clause_path, find_clause
from kb.present import url_for_id
from kb.store import KnowledgeBase


@dataclass
class Item:
    kind: str
    citable: Citable
    document: Document  # with its full text

    @property
    def url(self) -> str:
        return url_for_id(self.kind, self.citable.id)


def resolve_item(kb: KnowledgeBase, item_id: str) -> Item | None:
    """The citable item for an id, or None when the knowledge base has no such id."""
    kind = kb.kind_of(item_id)
    if kind is None:
        return None
    dkb = kb.document_kb(item_id.split(".", 1)[0])
    if dkb is None:
        return None
    document = dkb.document
    if kind == "measure":
        measure = kb.measure(item_id)
        assert measure is not None
        return Item(kind, citable_from_measure(measure), document)
    if kind == "target":
        target = kb.target(item_id)
        assert target is not None
        path: list[str] = []
        measure = kb.measure(target.measure_ids[0]) if target.measure_ids else None
        if measure is not None and measure.span[0] <= target.span[0] < measure.span[1]:
            path = list(measure.path)
        elif target.clause_id:
            found = find_clause(dkb.outline, target.clause_id)
            if found is not None:
                path = clause_path(found[1], found[0])
        return Item(kind, citable_from_target(target, path), document)
    if kind == "clause":
        found = find_clause(dkb.outline, item_id)
        assert found is not None
        clause, trail = found
        return Item(kind, citable_from_clause(clause, clause_path(trail, clause), document), document)
    return Item(kind, Citable(document.id, "document", document.id, [], document.text), document)


def citation_for(
    item: Item, style: str = "official", *, base_url: str = "", accessed: date | None = None
) -> Citation:
    return cite(item.citable, item.document, style, url=base_url.rstrip("/") + item.url, accessed=accessed)
