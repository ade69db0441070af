"""``SeriesCuration``: the library's series decisions (merge, split, explain a conflict), applied at every
build's catalog step."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.extract.curation.anchors import words_hash
from kb.extract.curation.decisions import Decision, cancelled, mark
from kb.extract.curation.stale import STALE_CONFLICT, STALE_ITEMS, STALE_SERIES

SeriesKey = tuple[str, str, str]  # region, indicator, unit kind (``kb.extract.indicators``)


def series_key(anchor: Mapping[str, Any] | None) -> SeriesKey | None:
    key = (anchor or {}).get("key")
    if isinstance(key, list | tuple) and len(key) == 3 and all(isinstance(k, str) for k in key):
        return (key[0], key[1], key[2])
    return None


@dataclass
class SeriesCuration:
    """The series decisions of the whole library, applied at every build's catalog step.

    ``prepare(keys, quantities)`` takes the series keys a plain grouping found and the catalog's quantities, and
    keeps the decisions whose anchors still hold; ``regroup`` then moves the points of merged series and of split
    points while the series are grouped again (``kb.extract.indicators.build_indicators``); ``notes`` are the
    explained conflicts to check against the result (``finish``).
    """

    decisions: tuple[Decision, ...]
    applied: set[int] = field(default_factory=set)
    stale: dict[int, str] = field(default_factory=dict)
    _merged: dict[SeriesKey, SeriesKey] = field(default_factory=dict)
    _split: dict[str, tuple[str, Decision]] = field(default_factory=dict)  # quantity id -> (name, decision)
    _marks: dict[SeriesKey, list[dict[str, Any]]] = field(default_factory=dict)

    def live(self) -> list[Decision]:
        undone = cancelled(self.decisions)
        return [
            d
            for d in sorted(self.decisions, key=lambda d: d.seq)
            if d.seq not in undone and d.action != "undo"
        ]

    @property
    def changes_grouping(self) -> bool:
        return bool(self._merged or self._split)

    def prepare(self, keys: set[SeriesKey], quantities: Iterable[Any]) -> None:
        by_doc: dict[str, list[Any]] = {}
        for quantity in quantities:
            by_doc.setdefault(quantity.doc_id, []).append(quantity)
        present = set(keys)
        for decision in self.live():
            key = series_key(decision.anchors.get("series"))
            title = (decision.anchors.get("series") or {}).get("title", decision.series)
            if key is None or key not in present:
                self.stale[decision.seq] = STALE_SERIES.format(title=title)
                continue
            if decision.action == "merge_series":
                into = series_key(decision.anchors.get("into"))
                if into is None or into not in present:
                    into_title = (decision.anchors.get("into") or {}).get("title", decision.into)
                    self.stale[decision.seq] = STALE_SERIES.format(title=into_title)
                    continue
                self._merged[key] = into
                present.add(into)
                self._marks.setdefault(into, []).append(mark(decision))
                self.applied.add(decision.seq)
            elif decision.action == "split_series":
                found = [
                    _find_mention(anchor, by_doc.get(str(anchor.get("doc", "")), []))
                    for anchor in decision.anchors.get("items") or []
                ]
                if not found or any(q is None for q in found):
                    self.stale[decision.seq] = STALE_ITEMS
                    continue
                name = str(decision.fields.get("name") or "")
                self._marks.setdefault(key, []).append(mark(decision))  # the series it left changed too
                for quantity in found:
                    assert quantity is not None
                    self._split[quantity.id] = (name or quantity.indicator, decision)
                self.applied.add(decision.seq)
            # explain_conflict: checked in ``finish`` against the series as grouped

    def resolve(self, key: SeriesKey) -> SeriesKey:
        seen = {key}
        while key in self._merged and self._merged[key] not in seen:
            key = self._merged[key]
            seen.add(key)
        return key

    def regroup(self, quantity: Any, key: SeriesKey) -> SeriesKey:
        """The series key a point joins (``build_indicators``' hook)."""
        split = self._split.get(quantity.id)
        if split is not None:
            key = (key[0], split[0], key[2])
            self._marks.setdefault(key, [])
            if not any(m["seq"] == split[1].seq for m in self._marks[key]):
                self._marks[key].append(mark(split[1]))
        return self.resolve(key)

    def finish(self, series: Iterable[Any], key_of: Callable[[Any], SeriesKey]) -> dict[str, Any]:
        """The record kept with the series (``indicators.json``'s ``curation``): marks by series id, explained
        conflicts by series id and year, and what applied or is stale."""
        by_key = {key_of(s): s for s in series}
        marks: dict[str, list[dict[str, Any]]] = {}
        for key, items in self._marks.items():
            target = by_key.get(self.resolve(key))
            if target is not None and items:
                marks.setdefault(target.id, []).extend(items)
        notes: dict[str, dict[str, Any]] = {}
        for decision in self.live():
            if decision.action != "explain_conflict" or decision.seq in self.stale:
                continue
            key = series_key(decision.anchors.get("series"))
            target = by_key.get(self.resolve(key)) if key is not None else None
            conflict = None
            if target is not None:
                conflict = next((c for c in target.conflicts if c.year == decision.year), None)
            values = decision.anchors.get("values")
            if conflict is None or (values is not None and sorted(values) != sorted(conflict.values)):
                self.stale[decision.seq] = STALE_CONFLICT.format(year=decision.year)
                continue
            assert target is not None
            notes.setdefault(target.id, {})[str(decision.year)] = {
                **mark(decision),
                "note": decision.note,
            }
            marks.setdefault(target.id, []).append(mark(decision))
            self.applied.add(decision.seq)
        for items in marks.values():
            items.sort(key=lambda m: m["seq"])
        return {
            "seq": max((d.seq for d in self.decisions), default=0),
            "marks": marks,
            "notes": notes,
            "applied": sorted(self.applied),
            "stale": {str(seq): reason for seq, reason in sorted(self.stale.items())},
        }


def _find_mention(anchor: Mapping[str, Any], quantities: list[Any]) -> Any | None:
    digest = str(anchor.get("hash") or "")
    found = [q for q in quantities if words_hash(q.mention) == digest]
    if not found:
        return None
    start = int((anchor.get("span") or [0])[0])
    return min(found, key=lambda q: abs(q.mention_span[0] - start))
