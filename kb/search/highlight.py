"""Snippets and highlighting as data: text plus the spans to mark, never HTML.

``find_hits`` finds the query terms on a length-preserving normalisation of the text (full-width → ASCII,
traditional → simplified, lower case), so its offsets slice the original text, which is what is shown.
``highlight`` marks a whole (short) text; ``snippet`` cuts a window of about ``length`` characters around the
densest group of hits. Both return ``Marked``; the site renders it as escaped HTML with ``<mark>``
(``web.render``), the command line as plain text.

A term that begins or ends with a Latin letter or a digit is marked as a whole word or number only: "1" is not
marked inside "2018", "1.5" or "A1", nor "ai" inside "mail" (the index holds numbers and Latin words as whole
tokens, so those are not what matched).

Cost is bounded by the snippet, not the document: at most ``SCAN_CHARS`` characters are scanned for hits
and at most ``MAX_HITS`` hits are kept, so a 600 KB document costs what a 50 KB one does.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kb.text.normalize import normalize

Normalizer = Callable[[str], str]
Span = tuple[int, int]

SCAN_CHARS = 50_000  # a snippet is looked for in this many first characters of a text
FIRST_SCAN_CHARS = 2_000  # normalised around a term's first occurrence (or the first ones, growing)
MAX_HITS = 500  # hits kept per text (the densest window is chosen among them)
ELLIPSIS = "…"


def _default_normalizer(text: str) -> str:
    return normalize(text).lower()


@dataclass(frozen=True)
class Marked:
    """``text`` with ``marks``: sorted, non-overlapping (start, end) spans of ``text`` to highlight."""

    text: str
    marks: tuple[Span, ...] = ()

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, marked) pairs, in order."""
        out: list[tuple[str, bool]] = []
        cursor = 0
        for start, end in self.marks:
            if start > cursor:
                out.append((self.text[cursor:start], False))
            out.append((self.text[start:end], True))
            cursor = end
        if cursor < len(self.text):
            out.append((self.text[cursor:], False))
        return out

    def plain(self, before: str = "", after: str = "") -> str:
        """The text with each mark wrapped in ``before``/``after`` (nothing by default)."""
        return "".join(f"{before}{piece}{after}" if marked else piece for piece, marked in self.pieces())

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "marks": [list(m) for m in self.marks]}


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _whole(folded: str, start: int, end: int) -> bool:
    """The span does not cut a Latin word or a number in two (a decimal point between digits is inside one)."""
    if _alnum(folded[start]) and start > 0:
        before = folded[start - 1]
        if _alnum(before) or (
            before == "." and start > 1 and folded[start - 2].isdigit() and folded[start].isdigit()
        ):
            return False
    if _alnum(folded[end - 1]) and end < len(folded):
        after = folded[end]
        if _alnum(after):
            return False
        if after == "." and end + 1 < len(folded) and folded[end + 1].isdigit() and folded[end - 1].isdigit():
            return False
    return True


def find_hits(
    text: str,
    terms: Iterable[str],
    normalize: Normalizer = _default_normalizer,
    *,
    limit: int = MAX_HITS,
) -> list[Span]:
    """Non-overlapping (start, end) spans of the terms in ``text``, longest term first at each place.

    At most ``limit`` spans; each new span is checked against its two neighbours only (bisect), so the cost
    is O(h log h) in the hits, with no per-character state.
    """
    folded = normalize(text)
    wanted = sorted({normalize(t) for t in terms if t and t.strip()}, key=len, reverse=True)
    starts: list[int] = []
    ends: list[int] = []
    for term in wanted:
        start = folded.find(term)
        while start != -1 and len(starts) < limit:
            end = start + len(term)
            i = bisect.bisect_left(starts, start)
            free = (
                (i == 0 or ends[i - 1] <= start)
                and (i == len(starts) or starts[i] >= end)
                and _whole(folded, start, end)
            )
            if free:
                starts.insert(i, start)
                ends.insert(i, end)
            start = folded.find(term, end if free else start + 1)
    return list(zip(starts, ends, strict=True))


def highlight(text: str, terms: Iterable[str], normalize: Normalizer = _default_normalizer) -> Marked:
    """The whole text with every hit marked."""
    return Marked(text, tuple(find_hits(text, terms, normalize)))


def _densest(spans: list[Span], length: int) -> int:
    """Start of the hit that opens the window of ``length`` characters holding the most hits (two pointers)."""
    best_start, best_count, j = spans[0][0], 0, 0
    for i, (start, _end) in enumerate(spans):
        j = max(j, i)
        while j < len(spans) and spans[j][0] < start + length:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    return best_start


def _flatten(text: str, spans: list[Span]) -> tuple[str, list[Span]]:
    """Runs of whitespace (line breaks included) as one space, with the spans moved to match."""
    out: list[str] = []
    new_of = [0] * (len(text) + 1)
    in_space = False
    n = 0
    for k, ch in enumerate(text):
        new_of[k] = n
        if ch.isspace():
            if not in_space:
                out.append(" ")
                n += 1
            in_space = True
        else:
            out.append(ch)
            n += 1
            in_space = False
    new_of[len(text)] = n
    moved = [(new_of[s], new_of[e]) for s, e in spans if new_of[e] > new_of[s]]
    return "".join(out), moved


def snippet(
    text: str,
    terms: Iterable[str],
    length: int = 160,
    normalize: Normalizer = _default_normalizer,
) -> Marked:
    """A window of about ``length`` characters around the densest group of hits, with ellipses where cut."""
    # A term written as typed is found without normalising (str.find): only the text around its first occurrence
    # is normalised. The bounded prefix is normalised (in growing pieces) only when no term is written as typed
    # (繁体, 全角) — normalising 50,000 characters of a long report for every hit of a page cost more than the search.
    terms = list(terms)
    spans: list[Span] = []
    found = [i for i in (text.find(t, 0, SCAN_CHARS) for t in terms if t) if i >= 0]
    if found:
        low = max(0, min(found) - length)
        high = min(len(text), low + length + FIRST_SCAN_CHARS)
        spans = [(s + low, e + low) for s, e in find_hits(text[low:high], terms, normalize)]
    scanned = 0
    while not spans and scanned < min(len(text), SCAN_CHARS):
        scanned = min(SCAN_CHARS, max(FIRST_SCAN_CHARS, 4 * scanned))
        spans = find_hits(text[:scanned], terms, normalize)
    if not spans:
        start, end = 0, min(len(text), length)
    else:
        start = max(0, _densest(spans, length) - length // 4)
        end = min(len(text), start + length)
        start = max(0, end - length)
        for s, e in spans:  # never cut a hit in two
            if s < start < e:
                start = s
            if s < end < e:
                end = e
    window = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    body, marks = _flatten(text[start:end], window)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    shift = len(prefix)
    return Marked(prefix + body + suffix, tuple((s + shift, e + shift) for s, e in marks))
