"""The text area of each column (left margin, right margin, font size): whether a line is full, indented
or centred."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from kb.readers.layout.model import Line


@dataclass
class Geometry:
    left: float
    right: float
    size: float
    page_width: float = 0.0

    def full(self, line: Line) -> bool:
        return line.x1 >= self.right - 1.5 * self.size

    def indented(self, line: Line) -> bool:
        return line.x0 >= self.left + 0.9 * self.size

    def centred(self, line: Line) -> bool:
        """Centred in the text area, or on the page (when few lines reach the margins)."""
        if line.x0 <= self.left + 1.5 * self.size or self.full(line):
            return False
        middle = (line.x0 + line.x1) / 2
        return any(
            abs(middle - centre) <= 1.2 * max(self.size, line.size)
            for centre in ((self.left + self.right) / 2, self.page_width / 2)
            if centre > 0
        )


def geometry(lines: list[Line], page_width: float) -> Geometry:
    """Text-area margins: the left edge most lines start at, the right edge full lines reach.

    With fewer than three full lines (a short notice) the right margin mirrors the left one.
    """
    size = statistics.median(line.size for line in lines) or 1.0
    # The left margin: the leftmost start (in bins half a size wide) shared by a tenth of the lines, so that
    # stray marks of a scan (a speck read as "，", one line each) do not pull it out.
    starts = Counter(round(line.x0 / (0.5 * size)) for line in lines)
    needed = max(1, len(lines) // 10)
    first = min(b for b, count in starts.items() if count >= needed)
    left = min(line.x0 for line in lines if round(line.x0 / (0.5 * size)) == first)
    body = sorted(line.x1 for line in lines if line.x0 <= left + 2.5 * size)
    if body:
        # The right margin is where most long lines end: the fullest bin (half a size wide) of the longer
        # half, not a percentile, which lines with hanging punctuation (，。 past the margin) would move.
        top = body[len(body) // 2 :]
        bins = Counter(round(x1 / (0.5 * size)) for x1 in top)
        fullest = max(bins, key=lambda b: (bins[b], b))
        right = max(x1 for x1 in top if round(x1 / (0.5 * size)) == fullest)
    else:
        right = max(line.x1 for line in lines)
    if sum(1 for x1 in body if x1 >= right - 1.5 * size) < 3 and page_width > left:
        right = max(right, page_width - left)
    return Geometry(left=left, right=right, size=size, page_width=page_width)


@dataclass
class Layout:
    """The text area of each column: a line is judged (full, indented, centred) against its own column's."""

    columns: dict[int, Geometry]

    def of(self, line: Line) -> Geometry:
        return self.columns.get(line.column) or self.columns[0]

    def full(self, line: Line) -> bool:
        return self.of(line).full(line)

    def indented(self, line: Line) -> bool:
        return self.of(line).indented(line)

    def centred(self, line: Line) -> bool:
        return self.of(line).centred(line)


def text_layout(lines: list[Line], page_width: float) -> Layout:
    """Margins per column; lines across both columns are judged against the whole text area."""
    left = [line for line in lines if line.column == 1]
    right = [line for line in lines if line.column == 2]
    if len(left) < 3 or len(right) < 3:
        return Layout({0: geometry(lines, page_width)})
    first, second = geometry(left, 0.0), geometry(right, 0.0)  # no page-centre rule inside a column
    whole = Geometry(left=first.left, right=second.right, size=first.size, page_width=page_width)
    return Layout({0: whole, 1: first, 2: second})
