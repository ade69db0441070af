"""What goes into the search index: the Whoosh schema and one hit per document, clause, measure, target and result.

Every character of a document is indexed once as body text (plus once as character bigrams): a document hit holds the text no clause covers
(preamble, unstructured documents), a clause hit its own text up to its first child, a measure hit its whole
text (its sub-clauses are not indexed again). Targets and results are small extra hits (indicator + sentence),
each of its own type.

Every hit also carries its document's metadata as single-valued fields: agency, year, date (ISO), 文号 and
genre (文种, ``Document.genre``), 效力级别 (``level``) and what its status on a day is computed from (``in_force``),
and the quantities of its text as values
(``amounts``: 5000万元 → ``元=50000000``, see ``kb.search.amounts``; a target's are its mention's).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from whoosh import fields

from kb import ids
from kb.extract.places import SECTION_STYLES, clause_path
from kb.model import Clause, Document, DocumentKB, Measure, Quantity
from kb.search.analysis import AmountAnalyzer, BigramAnalyzer, ChineseAnalyzer

# The types of hit (the ``type=`` filter and the stored field ``type``), and their labels on the site.
TYPES = ("document", "measure", "target", "result", "clause")
TYPE_LABELS = {"document": "文件", "measure": "措施", "target": "目标", "result": "实绩", "clause": "条款"}
# Facets: the filter's name (a search parameter) -> the stored field it counts; and its label on the site.
# ``type`` is the type of hit, ``genre`` the document's 文种 (通知, 意见, 条例…).
FACET_FIELDS = {
    "type": "type",
    "genre": "genre",
    "category": "categories",
    "doc": "doc_id",
    "agency": "agency",
    "year": "year",
    "level": "level",
}
FACETS = {
    "type": "类型",
    "genre": "文种",
    "category": "类别",
    "doc": "文件",
    "agency": "发布机构",
    "year": "年份",
    "level": "效力级别",
    "validity": "时效性",  # computed for the day of the search from IN_FORCE_FIELD (kb.search.engine)
}
# Single-valued fields read as per-hit arrays for filters and sorting, never counted as facets.
COLUMN_FIELDS = {"date": "date", "doc_number": "doc_number", "in_force": "in_force"}
# What a document's status on a given day is computed from: "施行日期|last day in force|what its source says"
# (``in_force_value``); the status itself changes with the day, so it is never indexed.
IN_FORCE_FIELD = "in_force"
# The facet value (and filter value) of hits without a value: an agency or a year some documents lack.
NOT_STATED = "未注明"
AMOUNT_FIELD = "amounts"

# Field boosts: titles/headlines above body text, linked knowledge in between.
TEXT_FIELDS = {"title": 3.0, "body": 1.0, "linked": 1.5}
# The bigram field closes the recall gap where jieba cuts query and text differently (个人所得税 inside
# 个人所得税法). It has no positions: a word is matched as an AND of its bigrams (cheaper to index and
# to search than a phrase; a near-perfect proxy on clause-sized texts).
BIGRAM_FIELDS = {"title_bigrams": 2.0, "bigrams": 0.6}
# The stored text each bigram field is made of (``hits`` writes both from the same string): a piece matched as
# written through a bigram field is checked against it (``kb.search.query.Verbatim``).
BIGRAM_SOURCES = {"title_bigrams": "title", "bigrams": "body"}


def make_schema() -> fields.Schema:
    words = ChineseAnalyzer()
    bigrams = BigramAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        type=fields.ID(stored=True),
        doc_id=fields.ID(stored=True),
        agency=fields.ID(stored=True),
        year=fields.ID(stored=True),
        date=fields.ID(stored=True),
        doc_number=fields.ID(stored=True),
        genre=fields.ID(stored=True),
        level=fields.ID(stored=True),
        in_force=fields.ID(stored=True),
        categories=fields.KEYWORD(stored=True, commas=True, scorable=False),
        title=fields.TEXT(analyzer=words, stored=True, phrase=True),
        body=fields.TEXT(analyzer=words, stored=True, phrase=True),
        linked=fields.TEXT(analyzer=words, stored=False, phrase=True),
        title_bigrams=fields.TEXT(analyzer=bigrams, stored=False, phrase=False),
        bigrams=fields.TEXT(analyzer=bigrams, stored=False, phrase=False),
        amounts=fields.TEXT(analyzer=AmountAnalyzer(), stored=False, phrase=False),
        doc_title=fields.STORED(),
        heading=fields.STORED(),
        path=fields.STORED(),
        order=fields.STORED(),
        reported=fields.STORED(),  # a result's reported year
    )


def in_force_value(doc: Document) -> str:
    """``施行日期|last day in force|status its own source states`` of a document (``IN_FORCE_FIELD``)."""
    from kb.extract.validity import law_status

    stated = law_status(doc.status, doc.history, doc.date).status
    v = doc.validity
    return f"{v.in_force_from}|{v.in_force_until}|{stated}"


def parse_in_force(value: str) -> tuple[str, str, str]:
    """The three parts of an ``in_force`` value ("" each when absent)."""
    parts = (value or "").split("|")
    parts += [""] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def _own_text(text: str, clause: Clause) -> str:
    end = clause.children[0].span[0] if clause.children else clause.span[1]
    return text[clause.span[0] : end]


def _uncovered_text(text: str, outline: list[Clause]) -> str:
    """The document text outside every top-level clause (preamble, closing lines, unstructured text)."""
    pieces = []
    cursor = 0
    for root in outline:
        pieces.append(text[cursor : root.span[0]])
        cursor = max(cursor, root.span[1])
    pieces.append(text[cursor:])
    return "\n".join(p for p in pieces if p.strip())


def hits(dkb: DocumentKB) -> Iterator[dict[str, Any]]:
    """The Whoosh documents for one knowledge-base document: the document, its clauses and measures in reading
    order (a measure stands for its sub-clauses), then its targets and results."""
    doc = dkb.document
    base = {
        "doc_id": doc.id,
        "agency": doc.agency,
        "year": doc.year,
        "date": doc.date,
        "doc_number": doc.doc_number,
        "genre": doc.genre,
        "level": doc.validity.level,
        "in_force": in_force_value(doc),
        "doc_title": doc.title,
    }
    yield _document_hit(dkb, base)

    targets = {t.id: t for t in dkb.targets}
    measures_by_clause = {m.clause_id: m for m in dkb.measures}
    order = 0
    paths: dict[str, list[str]] = {}

    def visit(nodes: list[Clause], trail: list[Clause]) -> Iterator[dict[str, Any]]:
        nonlocal order
        for node in nodes:
            order += 1
            measure = measures_by_clause.get(node.id)
            path = clause_path(trail, node)
            paths[node.id] = measure.path if measure is not None else path
            if measure is not None:
                yield _measure_hit(base, measure, targets, order)
                continue  # a measure's sub-clauses are part of its text
            yield _clause_hit(base, node, doc.text, path, order)
            yield from visit(node.children, [*trail, node])

    yield from visit(dkb.outline, [])

    measures = {m.id: m for m in dkb.measures}
    for target in dkb.quantities:  # targets and results, each a hit of its own type
        order += 1
        target_path = paths.get(target.clause_id) or _enclosing_path(target.clause_id, paths)
        yield _quantity_hit(base, target, measures, target_path, order)


def _document_hit(dkb: DocumentKB, base: dict[str, Any]) -> dict[str, Any]:
    """The document's own hit: its title and the text no clause holds."""
    doc = dkb.document
    all_categories = sorted({c for m in dkb.measures for c in m.categories})
    meta_line = " ".join(x for x in (doc.title, doc.doc_number, doc.agency, doc.index_no, doc.category) if x)
    body = _uncovered_text(doc.text, dkb.outline)
    return {
        **base,
        "id": doc.id,
        "type": "document",
        "categories": ",".join(all_categories),
        "title": doc.title,
        "body": body,
        "linked": meta_line,
        "title_bigrams": doc.title,
        "bigrams": body,
        "amounts": f"{doc.title}\n{body}",
        "path": "[]",
        "order": 0,
    }


def _measure_hit(
    base: dict[str, Any], measure: Measure, targets: dict[str, Quantity], order: int
) -> dict[str, Any]:
    linked = [targets[ref.id] for ref in measure.targets if ref.id in targets]
    return {
        **base,
        "id": measure.id,
        "type": "measure",
        "categories": ",".join(measure.categories),
        "title": measure.headline,
        "title_bigrams": measure.headline,
        "body": measure.text,
        "linked": " ".join(f"{t.indicator} {t.mention}" for t in linked),
        "bigrams": measure.text,
        "amounts": measure.text,
        "path": json.dumps(measure.path, ensure_ascii=False),
        "order": order,
    }


def _clause_hit(base: dict[str, Any], node: Clause, text: str, path: list[str], order: int) -> dict[str, Any]:
    own = _own_text(text, node)
    is_section = node.style in SECTION_STYLES
    return {
        **base,
        "id": node.id,
        "type": "clause",
        "categories": "",
        # Item headings (an article's lead sentence) are part of the body already: indexing them
        # again as titles cost a third of all postings. Only section headings are titles.
        "title": node.heading if is_section else "",
        "title_bigrams": node.heading if is_section else "",
        "heading": node.heading,
        "body": own,
        "linked": "",
        "bigrams": own,
        "amounts": own,
        "path": json.dumps(path, ensure_ascii=False),
        "order": order,
    }


def _quantity_hit(
    base: dict[str, Any], target: Quantity, measures: dict[str, Measure], path: list[str], order: int
) -> dict[str, Any]:
    """A target's or a result's hit (its type is its kind)."""
    served = [measures[mid] for mid in target.measure_ids if mid in measures]
    return {
        **base,
        "id": target.id,
        "type": target.kind,
        "categories": ",".join(sorted({c for m in served for c in m.categories})),
        "title": target.indicator,
        "body": target.text,
        # The mention ("净增高新技术企业42家") tells this target from the others of the same
        # sentence: a number query (42家) then prefers it over its neighbours (330亿元).
        "linked": " ".join([target.mention, *(m.headline for m in served)]),
        "title_bigrams": target.indicator,
        "bigrams": target.text,
        "amounts": target.mention,  # a target's quantity is its own value, not its neighbours'
        "path": json.dumps(path, ensure_ascii=False),
        "order": order,
        "reported": target.year if target.is_result else None,
    }


def _enclosing_path(clause_id: str, paths: dict[str, list[str]]) -> list[str]:
    """The path of the nearest indexed ancestor (a measure's sub-clauses are not visited)."""
    for ancestor in reversed(ids.ancestor_clause_ids(clause_id)[:-1]):
        if ancestor in paths:
            return paths[ancestor]
    return []
