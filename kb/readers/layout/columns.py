"""Pages set in two columns: the gutter many lines share (``find_gutter``), shared by a short last page
(``shared_columns``)."""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

from kb.readers.layout.model import Chunk

_COLUMN_GAP = 1.2  # a gap wider than this many font sizes may be a gutter between two columns


_COLUMN_MIN_CHARS = 8  # ... with at least this many characters of text on each side


_COLUMN_MIN_LINES = 3  # ... in at least this many lines


def solid_chunks(group: list[Chunk]) -> list[Chunk]:
    return [c for c in group if c.text.strip()]


def _segments(group: list[Chunk]) -> list[list[Chunk]]:
    """A baseline group cut at horizontal gaps wider than ``_COLUMN_GAP`` font sizes (solid chunks only)."""
    segments: list[list[Chunk]] = []
    for chunk in solid_chunks(group):
        if segments:
            last = segments[-1][-1]
            if chunk.x0 - last.x1 <= _COLUMN_GAP * max(chunk.size, last.size, 1e-6):
                segments[-1].append(chunk)
                continue
        segments.append([chunk])
    return segments


def _chars(chunks: list[Chunk]) -> int:
    return sum(len(c.text.strip()) for c in chunks)


@dataclass
class Columns:
    """A page set in two columns: the gutter's x and each column's edges (from the lines that show them)."""

    gutter: float
    left_start: float  # where the left column's lines start
    left_end: float  # where its full lines end
    right_start: float
    right_end: float

    def row(self, left: list[Chunk], right: list[Chunk], size: float) -> bool:
        """A line with text on both sides is a row of the two columns when its left part starts at the left
        column's edge (or an indent of up to 3 characters) and its right part lies inside the right column
        (anywhere: a 落款 is set right). A byline "某局　　2019年7月8日" centred across the gutter is no
        row: it stands for itself."""
        left_solid, right_solid = solid_chunks(left), solid_chunks(right)
        starts_left = not left_solid or left_solid[0].x0 <= self.left_start + 3.2 * size
        inside_right = not right_solid or right_solid[0].x0 >= self.right_start - size
        return starts_left and inside_right


def find_gutter(groups: list[list[Chunk]]) -> Columns | None:
    """The columns of a page set in two, or None for a page of one column.

    A gutter is a gap of more than ``_COLUMN_GAP`` font sizes that many lines share, with a run of at
    least ``_COLUMN_MIN_CHARS`` characters on each side (so a byline "局　　2019年7月8日" or a table of
    short cells is no gutter): at least ``_COLUMN_MIN_LINES`` lines, and at least half of the lines that
    have text on both sides of it.
    """
    gaps: list[tuple[list[Chunk], list[Chunk]]] = []
    for group in groups:
        segments = _segments(group)
        for left, right in itertools.pairwise(segments):
            if _chars(left) >= _COLUMN_MIN_CHARS and _chars(right) >= _COLUMN_MIN_CHARS:
                gaps.append((left, right))
    if len(gaps) < _COLUMN_MIN_LINES:
        return None
    best, support = None, 0
    for left, right in gaps:
        middle = (left[-1].x1 + right[0].x0) / 2
        count = sum(1 for a, b in gaps if a[-1].x1 <= middle <= b[0].x0)
        if count > support:
            best, support = middle, count
    if best is None or support < _COLUMN_MIN_LINES:
        return None
    both_sides = 0
    for group in groups:
        solid = solid_chunks(group)
        if any(c.x1 <= best for c in solid) and any(c.x0 >= best for c in solid):
            both_sides += 1
        elif any(c.x0 < best < c.x1 for c in solid):
            both_sides += 1  # a line running across the gutter
    if support < 0.5 * both_sides:
        return None
    rows = [(a, b) for a, b in gaps if a[-1].x1 <= best <= b[0].x0]
    return Columns(
        gutter=(max(a[-1].x1 for a, _ in rows) + min(b[0].x0 for _, b in rows)) / 2,  # the gap all rows share
        left_start=min(a[0].x0 for a, _ in rows),
        left_end=statistics.median(a[-1].x1 for a, _ in rows),
        right_start=min(b[0].x0 for _, b in rows),
        right_end=statistics.median(b[-1].x1 for _, b in rows),
    )


def crossing(group: list[Chunk], gutter: float) -> bool:
    solid = solid_chunks(group)
    size = statistics.median(c.size for c in solid) if solid else 0.0
    return any(c.x0 < gutter - 0.25 * size and c.x1 > gutter + 0.25 * size for c in solid)


def shared_columns(groups_per_page: list[list[list[Chunk]]]) -> list[Columns | None]:
    """Each page's columns: its own (``find_gutter``), else, on a page too short to show them (the last
    page of a two-column document), the columns of the other pages when at most a quarter of its lines
    run across their gutter."""
    found = [find_gutter(groups) for groups in groups_per_page]
    detected = sorted((c for c in found if c is not None), key=lambda c: c.gutter)
    if not detected:
        return found
    usual = detected[len(detected) // 2]
    out: list[Columns | None] = []
    for groups, columns in zip(groups_per_page, found, strict=True):
        if columns is None and groups:
            across = sum(1 for group in groups if crossing(group, usual.gutter))
            columns = usual if across <= 0.25 * len(groups) else None
        out.append(columns)
    return out
