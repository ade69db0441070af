"""One document from raw text to knowledge: outline, measures, targets, categories, links, references.

Pure composition of the extractors; the store calls it (in worker processes) for each changed file.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.config import config_file
from kb.extract.curation import DocumentCuration
from kb.extract.doctype import document_genre
from kb.extract.links import Concepts, LinkOverrides, link, load_concepts
from kb.extract.measures import extract_measures
from kb.extract.metadata import derived_title, from_body
from kb.extract.outline import parse_outline
from kb.extract.quantities import extract_quantities
from kb.extract.references import find_references
from kb.extract.taxonomy import Subject, Taxonomy, load_taxonomy
from kb.extract.validity import document_validity, mark_abolitions
from kb.model import Document, DocumentKB, Measure, RawDocument
from kb.text.units import load_units

# Bump when the extraction rules change in a way that needs every document re-analysed.
# 5: Document.status/history, Reference.relation; 6: parts, results, taxonomy; 7: lead-ins, body titles;
# 8: quantities (targets and results) with their own ids (.t/.r), Reference.form;
# 9: staff decisions anchored to the text, ``curated`` marks on documents, measures and quantities;
# 10: round 3 — deadlines, results without 回顾, units, instruments, run-on lists, derived titles
#     (Document.title_derived), Document.ocr;
# 11: categories from the measure and its document with confidences and deciding words, weak links only for a
#     clear candidate, Document.validity (效力级别, 施行日期, 有效期) and the index's level/in_force fields
PIPELINE_VERSION = "11"

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Extraction:
    """The bureau's configuration the extractors read, loaded once (per build) and passed explicitly."""

    taxonomy: Taxonomy
    concepts: Concepts
    units: Mapping[str, str]


def load_extraction(config: Path | None = None) -> Extraction:
    """Taxonomy, concepts and units from the configuration folder (``kb.config``), each else its default."""
    return Extraction(
        taxonomy=load_taxonomy(config_file("taxonomy.toml", config)),
        concepts=load_concepts(config_file("concepts.toml", config)),
        units=load_units(config_file("units.txt", config)),
    )


def document_id(relative_path: str) -> str:
    """A stable id derived from the file: its stem when URL-safe, else a hash of its relative path."""
    stem = Path(relative_path).stem
    if _SAFE_ID.match(stem):
        return stem
    return "doc-" + hashlib.sha1(os.fsencode(relative_path)).hexdigest()[:12]  # any name, UTF-8 or not


def content_hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def joined_agencies(agency: str) -> str:
    """Several issuing agencies written apart ("中共广东省委 广东省人民政府") joined with 、 as a citation writes them."""
    parts = agency.split()
    return "、".join(parts) if len(parts) > 1 and all(len(p) >= 3 for p in parts) else agency.strip()


def make_document(raw: RawDocument, doc_id: str, source: str, digest: str = "") -> Document:
    meta = from_body(raw.text, raw.meta)
    title = (meta.get("title") or "").strip()
    derived = not title
    if derived:  # never a file name or a hash: the text's own words, marked as derived
        title = derived_title(raw.text) or "（无标题）"
    document = Document(
        id=doc_id,
        title=title,
        text=raw.text,
        agency=joined_agencies(meta.get("agency") or ""),
        date=(meta.get("date") or "").strip(),
        doc_number=(meta.get("doc_number") or "").strip(),
        index_no=(meta.get("index_no") or "").strip(),
        category=(meta.get("category") or "").strip(),
        source=source,
        url=(meta.get("url") or "").strip(),
        format=raw.format,
        content_hash=digest,
        status=(meta.get("status") or "").strip(),
        history=(meta.get("history") or "").strip(),
        genre=document_genre(title),
        title_derived=derived,
        ocr=(meta.get("ocr") or "").strip(),
    )
    document.validity = document_validity(document)
    return document


def document_subject(document: Document, measures: list[Measure], taxonomy: Taxonomy) -> Subject:
    """What the document says it is about (``Taxonomy.subject``): its title, its source's 主题分类 (the last part,
    "科技、教育\\知识产权" → 知识产权) and its issuer, and its measures."""
    theme = document.category.replace("/", "\\").split("\\")[-1]
    return taxonomy.subject(
        document.title, (theme, document.agency), [(m.headline, m.text) for m in measures]
    )


def categorize(document: Document, measures: list[Measure], taxonomy: Taxonomy) -> None:
    """Give each measure its categories (``Taxonomy.assign``: its headline, text and sections, and its document),
    with a confidence and the deciding words each."""
    subject = document_subject(document, measures, taxonomy)
    for measure in measures:
        assigned = taxonomy.assign(measure.headline, measure.text, measure.path[:-1], subject)
        measure.categories = [a.name for a in assigned]
        measure.category_confidence = {a.name: a.confidence for a in assigned}
        measure.category_words = {a.name: list(a.words) for a in assigned}


def analyse(
    raw: RawDocument,
    doc_id: str,
    source: str,
    extraction: Extraction,
    *,
    digest: str = "",
    overrides: LinkOverrides | None = None,
    curation: DocumentCuration | None = None,
) -> DocumentKB:
    """Turn one read document into its knowledge: the outline, measures with categories, targets and links.

    ``curation`` (staff decisions about this document, ``kb.extract.curation``) applies layer by layer: the
    document's fields right after they are read (so the outline, genre, deadlines and the index see them), the
    measures after extraction, the categories after the taxonomy, the quantities before linking, the links after
    ``overrides``; it records which of its decisions applied and which are stale.
    """
    document = make_document(raw, doc_id, source, digest)
    if curation is not None:
        curation.apply_document(document)
        document.validity = document_validity(document)  # staff may have set the issuer, 文号, genre or date
    outline = parse_outline(document.text, doc_id, document.title)
    measures = extract_measures(document, outline)
    if curation is not None:
        measures = curation.apply_measures(document, outline, measures)
    taxonomy = extraction.taxonomy
    categorize(document, measures, taxonomy)
    quantities = extract_quantities(document, outline, extraction.units)
    if curation is not None:
        curation.set_categories(measures)
        quantities = curation.apply_quantities(document, outline, quantities)
    links = link(measures, quantities, outline, overrides, taxonomy=taxonomy, concepts=extraction.concepts)
    if curation is not None:
        links = curation.apply_links(links, measures, quantities)
    references = find_references(document, outline)
    mark_abolitions(document.text, references)
    return DocumentKB(
        document=document,
        outline=outline,
        measures=measures,
        quantities=quantities,
        links=links,
        references=references,
    )
