"""Any id (measure, target, result, clause, document) to the thing a citation or an export quotes.

Places come from the document's outline (``kb.cite.citation.place_parts``), so an attached document, a dash
bullet and full-width labels are cited the same way whether the item is a measure, a target or a clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb import ids
from kb.cite.citation import (
    Citable,
    Citation,
    citable_from_clause,
    citable_from_document,
    citable_from_measure,
    citable_from_quantity,
    citation_path,
    cite,
    place_parts,
)
from kb.extract.places import clause_path, find_clause
from kb.model import Document, DocumentKB, Quantity
from kb.store.knowledge import KnowledgeReader
from kb.urls import item_url


@dataclass(frozen=True)
class Item:
    citable: Citable
    document: Document  # with its full text
    title: str  # what a list shows: headline, indicator, heading or document title

    @property
    def type(self) -> str:
        return self.citable.type

    @property
    def url(self) -> str:
        """Site-relative address of the item's page."""
        return item_url(self.type, self.citable.id)


def clause_path_of(kb: KnowledgeReader, clause_id: str) -> list[str]:
    """The outline path of a clause as the site's breadcrumbs show it ([] when unknown)."""
    found = kb.clause(clause_id) if clause_id else None
    return clause_path(found[1], found[0]) if found is not None else []


def quantity_place(dkb: DocumentKB, quantity: Quantity) -> list[str]:
    """The place of a target or a result: the clause that holds it (with the item number of a dash bullet)."""
    return citation_path(dkb.outline, quantity.clause_id) or []


def resolve_item(kb: KnowledgeReader, item_id: str, *, documents: bool = True) -> Item | None:
    """The citable item for an id, or None when the knowledge base has no such id.

    With ``documents=False`` a document id is not an item (the report basket holds clauses only).
    """
    item_type = kb.type_of(item_id)
    if item_type is None or (item_type == "document" and not documents):
        return None
    dkb = kb.document_kb(ids.document_of(item_id))
    if dkb is None:
        return None
    document = dkb.document
    if item_type == "measure":
        measure = kb.measure(item_id)
        assert measure is not None
        return Item(citable_from_measure(measure, dkb.outline), document, measure.headline)
    if item_type in ("target", "result"):
        quantity = kb.quantity(item_id)
        assert quantity is not None
        return Item(
            citable_from_quantity(quantity, quantity_place(dkb, quantity)), document, quantity.indicator
        )
    if item_type == "clause":
        found = find_clause(dkb.outline, item_id)
        assert found is not None
        clause, trail = found
        citable = citable_from_clause(clause, place_parts(trail, clause, dkb.outline), document)
        return Item(citable, document, clause.heading or clause.label)
    return Item(citable_from_document(document), document, document.title)


def citation_for(
    item: Item, style: str = "official", *, base_url: str = "", accessed: date | None = None
) -> Citation:
    """The item cited in ``style``; its 本库链接 is absolute with ``base_url``, else site-relative."""
    return cite(item.citable, item.document, style, url=base_url.rstrip("/") + item.url, accessed=accessed)
