"""Any id (measure, target, clause, document) to the thing a citation or an export quotes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb import ids
from kb.cite.citation import (
    Citable,
    Citation,
    citable_from_clause,
    citable_from_measure,
    citable_from_target,
    cite,
)
from kb.extract.places import clause_path, find_clause
from kb.model import Document
from kb.present import url_for_id
from kb.store.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Item:
    citable: Citable
    document: Document  # with its full text
    title: str  # what a list shows: headline, indicator, heading or document title

    @property
    def kind(self) -> str:
        return self.citable.kind

    @property
    def url(self) -> str:
        """Site-relative address of the item's page."""
        return url_for_id(self.kind, self.citable.id)


def clause_path_of(kb: KnowledgeBase, clause_id: str) -> list[str]:
    """The outline path of a clause ([] when the id is empty or unknown)."""
    found = kb.clause(clause_id) if clause_id else None
    return clause_path(found[1], found[0]) if found is not None else []


def target_path(kb: KnowledgeBase, target_id: str) -> list[str]:
    """The place of a target: its measure's path when it sits inside one, else its clause's path."""
    target = kb.target(target_id)
    if target is None:
        return []
    measure = kb.measure(target.measure_ids[0]) if target.measure_ids else None
    if measure is not None and measure.span[0] <= target.span[0] < measure.span[1]:
        return list(measure.path)
    return clause_path_of(kb, target.clause_id)


def resolve_item(kb: KnowledgeBase, item_id: str, *, documents: bool = True) -> Item | None:
    """The citable item for an id, or None when the knowledge base has no such id.

    With ``documents=False`` a document id is not an item (the report basket holds clauses only).
    """
    kind = kb.kind_of(item_id)
    if kind is None or (kind == "document" and not documents):
        return None
    dkb = kb.document_kb(ids.document_of(item_id))
    if dkb is None:
        return None
    document = dkb.document
    if kind == "measure":
        measure = kb.measure(item_id)
        assert measure is not None
        return Item(citable_from_measure(measure), document, measure.headline)
    if kind == "target":
        target = kb.target(item_id)
        assert target is not None
        return Item(citable_from_target(target, target_path(kb, item_id)), document, target.indicator)
    if kind == "clause":
        found = find_clause(dkb.outline, item_id)
        assert found is not None
        clause, trail = found
        citable = citable_from_clause(clause, clause_path(trail, clause), document)
        return Item(citable, document, clause.heading or clause.label)
    return Item(Citable(document.id, "document", document.id, [], document.text), document, document.title)


def citation_for(
    item: Item, style: str = "official", *, base_url: str = "", accessed: date | None = None
) -> Citation:
    return cite(item.citable, item.document, style, url=base_url.rstrip("/") + item.url, accessed=accessed)
