"""Text anchors: a span found again by the hash of its words after the text was edited (``TextIndex.locate``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from kb.text.normalize import fold

Span = tuple[int, int]

_HEAD = 16  # words kept to find a span again
_SNIPPET = 24
_SENTENCE_END = "。；;！!？?\n"


def words(text: str) -> str:
    """The words of a text as anchors compare them: folded (full-width → half-width…), white space removed."""
    return "".join(ch for ch in fold(text or "") if not ch.isspace())


def words_hash(text: str) -> str:
    return hashlib.sha1(words(text).encode("utf-8")).hexdigest()[:16]


def trim(text: str, span: Sequence[int]) -> Span:
    """``span`` without white space at either end."""
    start, end = max(0, int(span[0])), min(len(text), int(span[1]))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snippet(text: str, limit: int = _SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def text_anchor(text: str, span: Sequence[int]) -> dict[str, Any]:
    """The anchor of ``text[span]``: its trimmed span, a hash of its words, its first words and their count."""
    start, end = trim(text, span)
    norm = words(text[start:end])
    return {
        "span": [start, end],
        "hash": hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16],
        "head": norm[:_HEAD],
        "len": len(norm),
        "text": snippet(text[start:end]),
    }


def mention_anchor(quantity: Any, doc_id: str = "") -> dict[str, Any]:
    """A quantity's anchor from its own mention (for series decisions, which have no document text)."""
    norm = words(quantity.mention)
    return {
        "doc": doc_id or quantity.doc_id,
        "span": list(quantity.mention_span),
        "hash": hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16],
        "text": snippet(quantity.mention),
    }


class TextIndex:
    """One document's text, to find anchored spans in (the normalised text is built on first need)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm: tuple[str, list[int]] | None = None

    def _normalised(self) -> tuple[str, list[int]]:
        if self._norm is None:
            folded = fold(self.text)
            keep = [i for i, ch in enumerate(folded) if not ch.isspace()]
            self._norm = ("".join(folded[i] for i in keep), keep)
        return self._norm

    def locate(self, anchor: Mapping[str, Any]) -> tuple[Span | None, str]:
        """The span the anchor names in this text, else None and why (in Chinese)."""
        shown = anchor.get("text") or ""
        try:
            start, end = (int(x) for x in anchor["span"])
            digest = str(anchor["hash"])
        except (KeyError, TypeError, ValueError):
            return None, "决定缺少锚点"
        if 0 <= start <= end <= len(self.text):
            here = trim(self.text, (start, end))
            if words_hash(self.text[here[0] : here[1]]) == digest:
                return here, ""
        head, length = str(anchor.get("head") or ""), int(anchor.get("len") or 0)
        if not head or length <= 0:
            return None, f"原文中已找不到“{shown}”"
        norm, offsets = self._normalised()
        found = []
        at = norm.find(head)
        while at >= 0:
            piece = norm[at : at + length]
            if len(piece) == length and hashlib.sha1(piece.encode("utf-8")).hexdigest()[:16] == digest:
                found.append(at)
            at = norm.find(head, at + 1)
        if not found:
            return None, f"原文中已找不到“{shown}”"
        best = min(found, key=lambda i: abs(offsets[i] - start))
        return (offsets[best], offsets[best + length - 1] + 1), ""


def overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def sentence_span(text: str, span: Span) -> Span:
    """The sentence holding ``span`` (from the previous sentence end to the next, trimmed)."""
    start, end = span
    while start > 0 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    while end < len(text) and text[end - 1] not in _SENTENCE_END and text[end] not in "\n":
        end += 1
    return trim(text, (start, end))
