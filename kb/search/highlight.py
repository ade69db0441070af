"""Snippets and highlighting: every hit wrapped whole in <mark>, everything else escaped.

Matching runs on a length-preserving normalisation of the text (full-width → ASCII, traditional →
simplified, lower case), so offsets found there slice the original text, which is what is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from kb.text.normalize import normalize

Normalizer = Callable[[str], str]


def _default_normalizer(text: str) -> str:
    return normalize(text).lower()


def find_hits(
    text: str, terms: Iterable[str], normalize: Normalizer = _default_normalizer
) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the terms in ``text``, longest term first at each place."""
    folded = normalize(text)
    wanted = sorted({normalize(t) for t in terms if t and t.strip()}, key=len, reverse=True)
    if not wanted:
        return []
    taken = [False] * len(text)
    spans: list[tuple[int, int]] = []
    for term in wanted:
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = folded.find(term, end)
    spans.sort()
    return spans


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Markup:
    """``text[start:end]`` as HTML with the spans wrapped in <mark> and the rest escaped."""
    end = len(text) if end is None else end
    out = []
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(str(escape(text[cursor:s])))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    out.append(str(escape(text[cursor:end])))
    return Markup("".join(out))


def highlight(text: str, terms: Iterable[str], normalize: Normalizer = _default_normalizer) -> Markup:
    """The whole text with every hit marked."""
    return mark(text, find_hits(text, terms, normalize))


def snippet(
    text: str,
    terms: Iterable[str],
    length: int = 160,
    normalize: Normalizer = _default_normalizer,
) -> Markup:
    """A window of about ``length`` characters around the densest group of hits, with ellipses where cut."""
    text = " ".join(text.split()) if "\n" in text else text
    spans = find_hits(text, terms, normalize)
    if len(text) <= length:
        return mark(text, spans)
    if not spans:
        return mark(text, [], 0, length) + Markup("…")
    best_start, best_count = spans[0][0], 0
    for i, (s, _e) in enumerate(spans):
        count = sum(1 for s2, _ in spans[i:] if s2 < s + length)
        if count > best_count:
            best_start, best_count = s, count
    start = max(0, best_start - length // 4)
    end = min(len(text), start + length)
    start = max(0, end - length)
    # Never cut a hit in two.
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    prefix = Markup("…") if start > 0 else Markup("")
    suffix = Markup("…") if end < len(text) else Markup("")
    return prefix + mark(text, spans, start, end) + suffix
