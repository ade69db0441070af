"""Page furniture out: page numbers and running headers/footers."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict

from kb.readers.layout.model import Line
from kb.readers.layout.patterns import is_page_number, squash

_EDGE_LINES = 2  # page numbers and running headers are looked for among this many first/last lines


def drop_furniture(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Page numbers and running headers/footers out; pages keep their other lines in order."""
    out: list[list[Line]] = []
    for lines in pages:
        n = len(lines)
        edge = set(range(min(_EDGE_LINES, n))) | set(range(max(0, n - _EDGE_LINES), n))
        out.append([line for i, line in enumerate(lines) if not (i in edge and is_page_number(line.text))])
    if len(out) < 2:
        return out
    # Running headers/footers: the same text (digits aside) at the same height and size on many pages.
    groups: dict[str, list[Line]] = defaultdict(list)
    for lines in out:
        n = len(lines)
        for i in sorted(set(range(min(_EDGE_LINES, n))) | set(range(max(0, n - _EDGE_LINES), n))):
            groups[re.sub(r"\d+", "#", squash(lines[i].text))].append(lines[i])
    furniture: set[int] = set()
    needed = max(2, (len(out) + 1) // 2)
    for key, lines in groups.items():
        if not key or len({line.page for line in lines}) < needed:
            continue
        height = max(heights) or 1.0
        where = statistics.median(line.baseline for line in lines)
        size = statistics.median(line.size for line in lines)
        same = [
            line
            for line in lines
            if abs(line.baseline - where) <= 0.03 * height and abs(line.size - size) <= 0.15 * size
        ]
        if len({line.page for line in same}) >= needed:
            furniture.update(id(line) for line in same)
    return [[line for line in lines if id(line) not in furniture] for lines in out]
