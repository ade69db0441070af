"""Units of quantities, defined once: the unit table (``units.txt``), scales, other names of a unit, 左右.

Every reader of a number with a unit calls this module: the quantity extractor (``kb.extract.quantities``), the
indicator series (``kb.extract.indicators``), amounts matched by value in search (``kb.search.amounts``) and the
query parser (a number and its unit stay one token). The table is configuration (``kb.config.config_file``):

* ``<unit> <class>`` — the unit's **class** (what it counts: ``count`` a classifier, the counted noun may follow;
  ``measure`` an amount; ``percent`` a share or rate; ``duration`` a span of time);
* ``<unit> <class> = <factor> <unit>`` — another name of a unit: ``公斤 measure = 0.001 吨`` (one family in
  search, one series in the indicators, values converted);
* ``@tolerance <fraction>`` — how far a value written with 左右/上下/约 reaches, relative to it: search reads
  "5000万元左右" as that band, the indicators judge "增长7%左右" met from 7 × (1 − tolerance).

A scale written with the number (十 百 千 万 亿) is not a unit of its own: "5000万元" is 5000 × 万元, whose
base is 元 × 1e4 (``split_unit``). Pure functions but the loader.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from kb.config import config_file
from kb.text.normalize import fold

UNIT_CLASSES = ("count", "measure", "percent", "duration")
SCALES: dict[str, float] = {"十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "亿": 1e8}
DEFAULT_TOLERANCE = 0.05


class UnitTable(dict[str, str]):
    """{unit: class} as ``units.txt`` lists them (folded), with the other names of units (``aliases``: unit →
    (the unit it equals, factor)) and the 左右 ``tolerance``. Compares equal to a plain dict of the classes."""

    def __init__(
        self,
        classes: Mapping[str, str] | None = None,
        aliases: Mapping[str, tuple[str, float]] | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> None:
        super().__init__(classes or {})
        self.aliases: dict[str, tuple[str, float]] = dict(aliases or {})
        self.tolerance = tolerance

    def __reduce__(self):  # pickled into build workers with its aliases and tolerance
        return (UnitTable, (dict(self), self.aliases, self.tolerance))


def parse_units(text: str, where: str = "units.txt") -> UnitTable:
    """The unit table from the text of a ``units.txt``; ``ValueError`` naming the line of a malformed one."""
    classes: dict[str, str] = {}
    aliases: dict[str, tuple[str, float]] = {}
    tolerance = DEFAULT_TOLERANCE
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0] == "@tolerance":
            try:
                tolerance = float(parts[1].rstrip("%")) / (100 if parts[1].endswith("%") else 1)
            except (IndexError, ValueError):
                raise ValueError(f"{where} 第{number}行：@tolerance 后须为 0 到 1 之间的数") from None
            if not 0 <= tolerance < 1:
                raise ValueError(f"{where} 第{number}行：@tolerance 须在 0 到 1 之间")
            continue
        unit = fold(parts[0])
        classes[unit] = parts[1] if len(parts) > 1 and parts[1] in UNIT_CLASSES else "measure"
        if "=" in parts:
            rest = parts[parts.index("=") + 1 :]
            try:
                factor, same = (float(rest[0]), rest[1]) if len(rest) == 2 else (1.0, rest[0])
            except (IndexError, ValueError):
                raise ValueError(
                    f"{where} 第{number}行：写作“单位 类别 = 倍数 单位”，如“公斤 measure = 0.001 吨”"
                ) from None
            aliases[unit] = (fold(same), factor)
    return UnitTable(classes, aliases, tolerance)


def load_units(path: Path | None = None) -> UnitTable:
    """The unit table of ``path`` (default: the configuration folder's ``units.txt``, else the packaged one)."""
    target = path or config_file("units.txt")
    return parse_units(target.read_text(encoding="utf-8"), str(target))


@functools.lru_cache(maxsize=1)
def configured_units() -> UnitTable:
    """The configured table, read once per process (search reads it at query time)."""
    return load_units()


def aliases_of(units: Mapping[str, str]) -> Mapping[str, tuple[str, float]]:
    """The other names of units of a table (a plain mapping of classes has none: the configured ones)."""
    found = getattr(units, "aliases", None)
    return found if found is not None else configured_units().aliases


def tolerance_of(units: Mapping[str, str] | None = None) -> float:
    """The relative tolerance of 左右/上下/约 (the configured one when ``units`` is not a ``UnitTable``)."""
    found = getattr(units, "tolerance", None)
    return float(found) if found is not None else configured_units().tolerance


def split_unit(unit: str, units: Mapping[str, str]) -> tuple[str, float]:
    """A unit's base unit and scale: "亿元" → ("元", 1e8), "万千瓦" → ("千瓦", 1e4), "亿公斤" → ("吨", 1e5)."""
    aliases = aliases_of(units)
    if unit and all(ch in SCALES for ch in unit):  # a bare scale counts people ("惠及1100多万学生": 万)
        return "人", _scale_factor(unit)
    base, factor = unit, 1.0
    while base not in units and base not in aliases and len(base) > 1 and base[0] in SCALES:
        factor *= SCALES[base[0]]
        base = base[1:]
    if base in aliases:
        base, scale = aliases[base]
        factor *= scale
    return base, factor


def _scale_factor(scale: str) -> float:
    factor = 1.0
    for ch in scale:
        factor *= SCALES[ch]
    return factor


def same_unit(unit: str, units: Mapping[str, str]) -> tuple[str, float]:
    """A unit of the table under the name its family uses: ("公斤") → ("吨", 0.001); itself otherwise."""
    return aliases_of(units).get(unit, (unit, 1.0))


def scaled_units(units: Mapping[str, str]) -> frozenset[str]:
    """Every unit of the table, also written with a scale (万元, 亿千瓦时, 万人次): the spellings a number may
    carry right after it."""
    out = set(units)
    for unit in units:
        if units[unit] in ("count", "duration") and len(unit) == 1:
            continue  # a classifier takes no scale ("万家" is a number of families: 万 belongs to the number)
        out.update(scale + unit for scale in ("万", "亿", "千", "百", "万亿"))
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def configured_scaled_units() -> frozenset[str]:
    """``scaled_units`` of the configured table, computed once per process (the query parser's)."""
    return scaled_units(configured_units())
