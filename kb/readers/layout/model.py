"""What a reader gives the layout (``Chunk``s on ``Page``s) and the ``Line``s it reads them into."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Chunk:
    """Text drawn at one place: ``x0``/``x1`` horizontal extent, ``baseline`` from the top, font ``size``.

    ``order`` is the chunk's place in the file (document order): where positions tie it decides, never a
    font or an object id.
    """

    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    order: int = 0


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    page: int = 0
    column: int = 0  # 0: the page's one column, or a line across both; 1 left, 2 right column


@dataclass
class Page:
    width: float
    height: float
    chunks: list[Chunk] = field(default_factory=list)
