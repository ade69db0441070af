"""Series, their points, judgements and conflicts as data, and their JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


def round6(value: float) -> float:
    return round(value, 6)


@dataclass
class Point:
    """One target or result of a series, in the series' unit (growth and points signed: a decrease < 0)."""

    year: int
    kind: str  # target | result
    value: float
    unit: str
    qualifier: str
    doc_id: str
    item_id: str
    value_max: float | None = None
    mention: str = ""


@dataclass
class Attainment:
    year: int
    target: Point
    result: Point
    attained: bool | None
    rule: str  # the rule applied, in Chinese ("增长7%左右：结果不低于6.65%即完成（容差5%）")
    derived_from: list[str] = field(default_factory=list)  # result ids of a derived increment


@dataclass
class Conflict:
    year: int
    values: list[float]
    item_ids: list[str]
    doc_ids: list[str]


@dataclass
class Series:
    id: str
    name: str  # the indicator ("地区生产总值")
    dimension: str  # Dimension.key ("growth", "level:元", "share:地区生产总值")
    label: str  # "增速", "新增", "比重", "" (a level)
    unit: str  # the unit every point is in ("%", "亿元", "家")
    region: str
    lower: bool = False
    points: list[Point] = field(default_factory=list)
    attainment: list[Attainment] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def title(self) -> str:
        """ "海拉尔区 · 地区生产总值 · 增速（%）"."""
        parts = [self.region, self.name]
        if self.dimension.startswith("share:"):
            parts[-1] = f"{self.name}占{self.dimension[6:]}比重"
        elif self.label:
            parts.append(self.label)
        return " · ".join(parts) + (f"（{self.unit}）" if self.unit else "")

    @property
    def compared(self) -> bool:
        """Worth a look without asking for everything: a judged year, a conflict, or points from several documents."""
        return bool(self.attainment or self.conflicts or len({p.doc_id for p in self.points}) > 1)

    @property
    def doc_ids(self) -> list[str]:
        return sorted({p.doc_id for p in self.points})

    def targets(self) -> list[Point]:
        return [p for p in self.points if p.kind == "target"]

    def results(self) -> list[Point]:
        return [p for p in self.points if p.kind == "result"]

    def summary(self) -> dict[str, int]:
        years_judged = {a.year for a in self.attainment}
        targets = self.targets()
        return {
            "points": len(self.points),
            "targets": len(targets),
            "results": len(self.results()),
            "documents": len(self.doc_ids),
            "targets_with_result": sum(1 for p in targets if p.year in years_judged),
            "met": sum(1 for a in self.attainment if a.attained is True),
            "missed": sum(1 for a in self.attainment if a.attained is False),
            "not_comparable": sum(1 for a in self.attainment if a.attained is None),
            "conflicts": len(self.conflicts),
        }


@dataclass
class Indicators:
    """All series of a knowledge base and what was left out, by reason."""

    series: list[Series] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    config_digest: str = ""
    error: str = ""  # why there are no series (a bad indicators.toml; "missing" for an older generation)


def indicators_to_dict(indicators: Indicators) -> dict[str, Any]:
    return {
        "config": indicators.config_digest,
        "error": indicators.error,
        "stats": indicators.stats,
        "series": [asdict(s) for s in indicators.series],
    }


def _point(data: Mapping[str, Any]) -> Point:
    return Point(**data)


def series_from_dict(data: Mapping[str, Any]) -> Series:
    fields = dict(data)
    fields["points"] = [_point(p) for p in data.get("points", [])]
    fields["attainment"] = [
        Attainment(**{**a, "target": _point(a["target"]), "result": _point(a["result"])})
        for a in data.get("attainment", [])
    ]
    fields["conflicts"] = [Conflict(**c) for c in data.get("conflicts", [])]
    return Series(**fields)


def indicators_from_dict(data: Mapping[str, Any]) -> Indicators:
    return Indicators(
        series=[series_from_dict(s) for s in data.get("series", [])],
        stats=dict(data.get("stats", {})),
        config_digest=str(data.get("config", "")),
        error=str(data.get("error", "")),
    )
