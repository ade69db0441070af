"""Citable items: resolve a measure/target/result/clause id to what citations and exports need."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from kb.cite.citation import STYLES, cite
from kb.cite.export import EXPORT_STYLES, headline
from kb.cite.items import Item, resolve_item
from kb.search.schema import TYPE_LABELS
from kb.store.knowledge import KnowledgeBase

STYLE_LABELS = {
    "official": "公文引用格式",
    "gbt7714": "GB/T 7714—2015 参考文献",
    "gbt7714-2025": "GB/T 7714—2025 参考文献",
    "markdown": "Markdown",
}
EXPORT_STYLE_LABELS = {style: STYLE_LABELS[style] for style in EXPORT_STYLES}


def resolve(kb: KnowledgeBase, item_id: str) -> Item | None:
    """The citable measure, target, result or clause with this id, or None (documents are not basket items)."""
    return resolve_item(kb, item_id, documents=False)


# A page carries the quote with its reference in every style; past this many characters the quote is cut there
# (with a note: the whole text is on the page once, and in an export), so a huge measure's page stays small.
PAGE_QUOTE_CHARS = 20_000


def citations(
    item: Item | None, permalink: str, accessed: date | None = None, *, quote_chars: int | None = None
) -> list[dict[str, Any]]:
    """The item cited in every style, official first: style, label, the reference ("复制引文"), the quote with
    its reference ("复制原文及出处") and the knowledge base's link (本库链接, never part of a reference).

    With ``quote_chars`` a longer quote is cut (``truncated``: the whole quote has ``quote_length`` characters)."""
    if item is None:
        return []
    citable = item.citable
    length = len(citable.quote)
    cut = quote_chars is not None and length > quote_chars
    if cut:
        note = f"……（原文共 {length} 字，此处节选前 {quote_chars} 字；全文见本页或导出）"
        citable = replace(citable, quote=citable.quote[:quote_chars] + note)
    out = []
    for style in STYLES:
        citation = cite(citable, item.document, style, url=permalink, accessed=accessed)
        out.append(
            {
                "style": style,
                "label": STYLE_LABELS.get(style, style),
                "reference": citation.reference,
                "text": citation.text,
                "permalink": citation.permalink,
                "truncated": cut,
                "quote_length": length,
            }
        )
    return out


def item_json(item: Item, permalink: str, accessed: date | None = None) -> dict[str, object]:
    """One basket entry: enough to list it and to copy its citation in every style."""
    cited = {c["style"]: c for c in citations(item, permalink, accessed)}
    return {
        "id": item.citable.id,
        "type": item.citable.type,
        "type_label": TYPE_LABELS.get(item.citable.type, item.citable.type),
        "title": item.title,
        "headline": headline(item.citable, item.document),
        "doc_id": item.document.id,
        "doc_title": item.document.title,
        "place": "".join(item.citable.path),
        "quote": item.citable.quote,
        "citation": cited["official"]["reference"],
        "citations": {style: {"reference": c["reference"], "text": c["text"]} for style, c in cited.items()},
        "permalink": permalink,
        "url": item.url,
    }


def resolve_all(kb: KnowledgeBase, ids: list[str]) -> tuple[list[Item], list[str]]:
    """The items for these ids in order, and the ids that are not (or no longer) in the index."""
    found, missing = [], []
    for item_id in ids:
        item = resolve(kb, item_id)
        if item is None:
            missing.append(item_id)
        else:
            found.append(item)
    return found, missing


def requested_ids(raw: str | None) -> list[str]:
    """The ``ids`` parameter: 1..MAX_IDS valid ids, each once in first-seen order; else ``Invalid``."""
    from web.pages import Invalid
    from web.security import MAX_IDS, parse_ids, valid_id

    ids = list(dict.fromkeys(parse_ids(raw)))  # a repeated id is one entry (no amplification)
    if not ids:
        raise Invalid("没有指定条目：请提供 ids 参数（以逗号分隔的编号）。")
    if len(ids) > MAX_IDS:
        raise Invalid(f"条目太多：一次最多 {MAX_IDS} 条，收到 {len(ids)} 条。")
    bad = [i for i in ids if not valid_id(i)]
    if bad:
        raise Invalid(f"编号格式不正确：{bad[0][:120]}")
    return ids
