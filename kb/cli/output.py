"""Printing: JSON as the site's /api gives it, and plain-text tables that line up Chinese characters."""

from __future__ import annotations

import json
import sys
import unicodedata
from typing import Any


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    out, used = [], 0
    for ch in text.replace("\n", " "):
        w = _width(ch)
        if used + w > width:
            return "".join(out).rstrip() + "…"
        out.append(ch)
        used += w
    return "".join(out)


def table(rows: list[list[str]], headers: list[str], widths: list[int]) -> str:
    """A plain-text table that lines up Chinese (double-width) characters."""
    lines = []
    for row in [headers, *rows]:
        cells = []
        for value, width in zip(row, widths, strict=True):
            value = _cut(str(value), width)
            cells.append(value + " " * (width - _width(value)))
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def err(message: str) -> None:
    """A line for the person at the terminal (standard error)."""
    print(message, file=sys.stderr)
