"""The indicator table (``indicators.toml``): indicator names that mean the same, scope words, regions."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.config import config_file
from kb.text.normalize import fold

NATIONAL = "全国"


@dataclass(frozen=True)
class IndicatorConcept:
    name: str
    terms: tuple[str, ...]
    lower: bool = False  # less is better (失业率, 能耗): a bare value is a ceiling
    national_name: str = ""  # the name national series show (国内生产总值 for 地区生产总值)


@dataclass(frozen=True)
class IndicatorConfig:
    concepts: tuple[IndicatorConcept, ...] = ()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    generic: frozenset[str] = frozenset()
    national: tuple[str, ...] = ("国务院",)
    national_prefixes: tuple[str, ...] = ()
    national_suffixes: tuple[str, ...] = ()
    not_regions: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    by_term: Mapping[str, IndicatorConcept] = field(default_factory=dict, compare=False)

    def digest(self) -> str:
        """A short fingerprint of the table (stored with the series)."""
        text = repr((self.concepts, self.prefixes, self.suffixes, sorted(self.generic), self.national))
        text += repr((self.national_prefixes, self.national_suffixes, sorted(self.not_regions)))
        text += repr(sorted(self.aliases.items()))
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def indicator_key(text: str) -> str:
    """The matching form of an indicator or a term: folded, ASCII lower-cased, no spaces."""
    return "".join(fold(text).lower().split())


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}：'{key}' 必须是字符串列表 must be a list of strings")
    return tuple(indicator_key(v) for v in value if v.strip())


def parse_indicator_config(data: Mapping[str, Any], where: str = "indicators.toml") -> IndicatorConfig:
    """The configuration from parsed TOML; ``ValueError`` with a Chinese message naming the problem."""
    raw = data.get("indicator", [])
    if not isinstance(raw, list):
        raise ValueError(f"{where}：'indicator' 必须是表数组（[[indicator]]）")
    concepts: list[IndicatorConcept] = []
    by_term: dict[str, IndicatorConcept] = {}
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ValueError(f"{where}：第 {i} 个 [[indicator]] 缺少 name")
        name = entry["name"].strip()
        terms = entry.get("terms", [])
        if not isinstance(terms, list) or not all(isinstance(t, str) and len(t.strip()) >= 2 for t in terms):
            raise ValueError(f"{where}：指标“{name}”的 terms 必须是至少两个字的字符串列表")
        lower = entry.get("lower", False)
        if not isinstance(lower, bool):
            raise ValueError(f"{where}：指标“{name}”的 lower 必须是 true 或 false")
        national_name = entry.get("national_name", "")
        if not isinstance(national_name, str):
            raise ValueError(f"{where}：指标“{name}”的 national_name 必须是字符串")
        concept = IndicatorConcept(
            name, tuple(indicator_key(t) for t in [name, *terms]), lower, national_name.strip()
        )
        concepts.append(concept)
        for term in concept.terms:
            other = by_term.get(term)
            if other is not None and other.name != name:
                raise ValueError(f"{where}：词“{term}”同时属于指标“{other.name}”和“{name}”")
            by_term[term] = concept
    regions = data.get("regions", {})
    if not isinstance(regions, dict):
        raise ValueError(f"{where}：[regions] 必须是表")
    aliases = regions.get("aliases", {})
    if not isinstance(aliases, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
    ):
        raise ValueError(f"{where}：[regions.aliases] 的键和值都必须是字符串")
    if "approx_tolerance" in data:  # one home for the 左右 tolerance: the unit table
        raise ValueError(
            f"{where}：approx_tolerance 已移到 units.txt（写作一行“@tolerance 0.05”），请从本文件删除"
        )
    return IndicatorConfig(
        concepts=tuple(concepts),
        prefixes=_strings(data, "prefixes", where),
        suffixes=_strings(data, "suffixes", where),
        generic=frozenset(_strings(data, "generic", where)),
        national=_strings(regions, "national", where) or ("国务院",),
        national_prefixes=_strings(regions, "national_prefixes", where),
        national_suffixes=_strings(regions, "national_suffixes", where),
        not_regions=frozenset(_strings(regions, "not_regions", where)),
        aliases={fold(k).strip(): v.strip() for k, v in aliases.items()},
        by_term=by_term,
    )


def load_indicator_config(path: Path | None = None) -> IndicatorConfig:
    """The indicator table (default: the configuration folder's ``indicators.toml``, else the packaged one)."""
    target = Path(path) if path is not None else config_file("indicators.toml")
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"指标配置文件 {target} 无法读取（须为 UTF-8 TOML）：{exc}") from None
    return parse_indicator_config(data, str(target))
