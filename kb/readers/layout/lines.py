"""Chunks grouped into lines by baseline and font size, in reading order (``page_lines``)."""

from __future__ import annotations

import statistics

from kb.readers.layout.columns import Columns, crossing, find_gutter, solid_chunks
from kb.readers.layout.model import Chunk, Line, Page
from kb.text.normalize import fold_compat_ideographs

_SPACE_GAP = 0.8  # a horizontal gap wider than this many font sizes reads as a space


_BASELINE_TOLERANCE = 0.35  # chunks whose baselines differ by less than this many sizes share a line


def _join_chunks(chunks: list[Chunk]) -> str:
    parts: list[str] = []
    previous: Chunk | None = None
    for chunk in chunks:
        if previous is not None:
            gap = chunk.x0 - previous.x1
            if gap > _SPACE_GAP * max(previous.size, chunk.size, 1e-6) and not (
                parts[-1][-1:].isspace() or chunk.text[:1].isspace()
            ):
                parts.append(" ")
        parts.append(chunk.text)
        previous = chunk
    return "".join(parts)


def _x_key(chunk: Chunk) -> tuple[float, int]:
    return (chunk.x0, chunk.order)


def baseline_groups(chunks: list[Chunk]) -> list[list[Chunk]]:
    """Chunks grouped by baseline, top to bottom; each group left to right (document order where x ties).

    A chunk joins the group whose reference baseline (its first chunk's) lies within
    ``_BASELINE_TOLERANCE`` font sizes, the larger of the two sizes. Only the baseline (a glyph's origin)
    and the font size count, never the glyph's box: a thin glyph (一 丨 、 — ·) has a box a fraction of
    its neighbours' height but its origin on their baseline.
    """
    ordered = sorted((c for c in chunks if c.text), key=lambda c: (c.baseline, c.x0, c.order))
    groups: list[list[Chunk]] = []
    for chunk in ordered:
        if groups:
            head = groups[-1][0]
            size = max(chunk.size, head.size, 1e-6)
            if abs(chunk.baseline - head.baseline) <= _BASELINE_TOLERANCE * size:
                groups[-1].append(chunk)
                continue
        groups.append([chunk])
    for group in groups:
        group.sort(key=_x_key)
    return groups


def _make_line(chunks: list[Chunk], number: int, column: int) -> Line | None:
    solid = solid_chunks(chunks)
    if not solid:
        return None
    text = fold_compat_ideographs(_join_chunks(chunks)).strip()
    sizes = [c.size for c in solid for _ in c.text.strip()] or [solid[0].size]
    return Line(
        text=text,
        x0=min(c.x0 for c in solid),
        x1=max(c.x1 for c in solid),
        baseline=statistics.median(c.baseline for c in solid),
        size=statistics.median(sizes),
        page=number,
        column=column,
    )


def page_lines(
    page: Page, number: int, *, groups: list[list[Chunk]] | None = None, columns: Columns | None = None
) -> list[Line]:
    """The page's chunks as lines in reading order.

    One column: lines top to bottom, each left to right. Two columns (``columns``, else ``find_gutter``
    on the page): a line that runs across the gutter (a title, a page number) or that is no row of the
    columns (``Columns.row``) stands for itself; between two such lines the left column's lines are read,
    then the right column's (``Line.column`` 1 and 2).
    """
    if groups is None:
        groups = baseline_groups(page.chunks)
        columns = columns or find_gutter(groups)
    lines: list[Line] = []
    if columns is None:
        for group in groups:
            line = _make_line(group, number, 0)
            if line is not None:
                lines.append(line)
        return lines
    gutter = columns.gutter
    left: list[Line] = []
    right: list[Line] = []

    def flush() -> None:
        lines.extend(left)
        lines.extend(right)
        left.clear()
        right.clear()

    for group in groups:
        solid = solid_chunks(group)
        if not solid:
            continue
        size = statistics.median(c.size for c in solid)
        parts = (
            [c for c in group if (c.x0 + c.x1) / 2 < gutter],
            [c for c in group if (c.x0 + c.x1) / 2 >= gutter],
        )
        if crossing(group, gutter) or (
            solid_chunks(parts[0]) and solid_chunks(parts[1]) and not columns.row(*parts, size)
        ):
            flush()
            line = _make_line(group, number, 0)
            if line is not None:
                lines.append(line)
            continue
        for column, part, side in ((1, parts[0], left), (2, parts[1], right)):
            line = _make_line(part, number, column)
            if line is not None:
                side.append(line)
    flush()
    return lines
