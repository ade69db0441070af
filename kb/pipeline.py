"""One document from raw text to knowledge: outline, measures, targets, categories, links, references.

Pure composition of the extractors; the store calls it (in worker processes) for each changed file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from kb.links import LinkOverrides, link
from kb.measures import extract_measures
from kb.model import Document, DocumentKB, RawDocument
from kb.outline import parse_outline
from kb.references import find_references
from kb.targets import extract_targets
from kb.taxonomy import Taxonomy

# Bump when the extraction rules change in a way that needs every document re-analysed.
PIPELINE_VERSION = "4"

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def document_id(relative_path: str) -> str:
    """A stable id derived from the file: its stem when URL-safe, else a hash of its relative path."""
    stem = Path(relative_path).stem
    if _SAFE_ID.match(stem):
        return stem
    return "doc-" + hashlib.sha1(relative_path.encode("utf-8")).hexdigest()[:12]


def content_hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def make_document(raw: RawDocument, doc_id: str, source: str, digest: str = "") -> Document:
    meta = raw.meta
    title = (meta.get("title") or "").strip() or Path(source).stem
    return Document(
        id=doc_id,
        title=title,
        text=raw.text,
        agency=(meta.get("agency") or "").strip(),
        date=(meta.get("date") or "").strip(),
        doc_number=(meta.get("doc_number") or "").strip(),
        index_no=(meta.get("index_no") or "").strip(),
        category=(meta.get("category") or "").strip(),
        source=source,
        url=(meta.get("url") or "").strip(),
        format=raw.format,
        content_hash=digest,
    )


def analyse(
    raw: RawDocument,
    doc_id: str,
    source: str,
    taxonomy: Taxonomy,
    *,
    digest: str = "",
    overrides: LinkOverrides | None = None,
) -> DocumentKB:
    """Turn one read document into its knowledge: the outline, measures with categories, targets and links."""
    document = make_document(raw, doc_id, source, digest)
    outline = parse_outline(document.text, doc_id)
    measures = extract_measures(document, outline)
    for measure in measures:
        measure.categories = taxonomy.classify(measure.text, measure.headline)
    targets = extract_targets(document, outline)
    links = link(measures, targets, outline, overrides)
    references = find_references(document, outline)
    return DocumentKB(
        document=document,
        outline=outline,
        measures=measures,
        targets=targets,
        links=links,
        references=references,
    )
