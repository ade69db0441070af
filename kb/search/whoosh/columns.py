"""Per-hit value arrays, the same for every backend (``IndexArrays`` over Whoosh, ``GenerationArrays`` over
PostgreSQL): single- and multi-valued facets as codes, dates as day numbers, the prior of each hit and the
containers not looked up yet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np


class Facet:
    """The value of one single-valued stored field for every document, as codes into ``values``."""

    def __init__(self, values: list[str], codes: np.ndarray) -> None:
        self.values = values  # values[0] == "" (no value)
        self.codes = codes
        self._code_of = {v: i for i, v in enumerate(values)}
        self._ranks: dict[str, np.ndarray] = {}  # ``_name_ranks``
        self._blanks = [i for i, v in enumerate(values) if i and not v]  # "" again (a Whoosh term): no value

    def mask(self, value: str) -> np.ndarray:
        """The documents with exactly this value ("" = the documents without a value)."""
        code = self._code_of.get(value)
        if code is None:
            return np.zeros(len(self.codes), dtype=bool)
        return self.codes == code

    def mask_values(self, values: Iterable[str]) -> np.ndarray:
        """The documents with any of these values."""
        codes = [self._code_of[v] for v in values if v in self._code_of]
        if not codes:
            return np.zeros(len(self.codes), dtype=bool)
        if len(codes) == 1:
            return self.codes == codes[0]
        table = np.zeros(len(self.values), dtype=bool)
        table[codes] = True
        return table[self.codes]

    def count(self, mask: np.ndarray, *, empty: bool = False) -> dict[str, int]:
        """Documents per value among ``mask`` (a boolean mask, or the matched documents' positions: the same counts,
        and with many facets the positions, taken once, spare a pass over every document per facet — at 7.4 M hits
        and 0.1 % matched, 7 facets: 16.0 → 3.1 ms, bench/facets.py); with ``empty`` the documents without a value count under ""."""
        return self.named(np.bincount(self.codes[mask], minlength=len(self.values)), empty=empty)

    def named(self, counts: np.ndarray, *, empty: bool = False) -> dict[str, int]:
        """Counts per code (``count``, ``FacetRuns.counts``) as counts per value, the values counted only."""
        return {self.values[i]: int(counts[i]) for i in np.flatnonzero(counts) if i != 0 or empty}

    def top(
        self, counts: np.ndarray, k: int, *, empty: bool = False, empty_as: str = ""
    ) -> list[tuple[str, int]]:
        """The ``k`` values counted most by ``counts`` (per code), as (value, count), most first, then by value.

        The documents without a value (code 0, counted only with ``empty``; another code of the value "") count
        under the name ``empty_as``, added to its count when it is a value too. The same list as sorting every
        counted value, without a Python object per value: a broad query matches most of 10⁵ documents, each a
        value of the document facet."""
        counts = np.array(counts, dtype=np.int64)
        if not empty:
            counts[0] = 0
        for blank in self._blanks:
            counts[0] += counts[blank]
            counts[blank] = 0
        merged = self._code_of.get(empty_as)
        if merged:
            counts[merged] += counts[0]
            counts[0] = 0
        codes = np.flatnonzero(counts)
        if len(codes) > k:  # the k-th largest count and every value tied with it
            kth = np.partition(counts[codes], len(codes) - k)[len(codes) - k]
            codes = codes[counts[codes] >= kth]
        ranks = self._name_ranks(empty_as)
        codes = codes[np.lexsort((ranks[codes], -counts[codes]))[:k]]
        return [(self.values[c] if c else empty_as, int(counts[c])) for c in codes]

    def _name_ranks(self, empty_as: str) -> np.ndarray:
        """The place of every code's value (code 0 named ``empty_as``) in sorted order; once per facet and name."""
        ranks = self._ranks.get(empty_as)
        if ranks is None:
            names = [empty_as, *self.values[1:]]
            ranks = np.empty(len(names), dtype=np.int64)
            ranks[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
            self._ranks[empty_as] = ranks
        return ranks


class MultiFacet:
    """A multi-valued field (comma-separated categories): the documents holding each value."""

    def __init__(self, docs: dict[str, np.ndarray], size: int) -> None:
        self.docs = docs
        self.size = size

    def mask(self, value: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        ids = self.docs.get(value)
        if ids is not None:
            out[ids] = True
        return out

    def count(self, mask: np.ndarray, *, empty: bool = False) -> dict[str, int]:
        """Documents per value among ``mask``: a boolean mask, or the matched documents' positions (sorted), each
        value's documents then looked up among them (no mask over every document)."""
        if mask.dtype == bool:
            counts = {value: int(np.count_nonzero(mask[ids])) for value, ids in self.docs.items()}
        else:
            counts = {value: _count_in(ids, mask) for value, ids in self.docs.items()}
        return {v: c for v, c in counts.items() if c}


def _count_in(ids: np.ndarray, where: np.ndarray) -> int:
    """How many of ``ids`` are among ``where`` (sorted, unique)."""
    if len(ids) == 0 or len(where) == 0:
        return 0
    pos = np.searchsorted(where, ids)
    pos[pos == len(where)] = 0
    return int(np.count_nonzero(where[pos] == ids))


class FacetRuns:
    """Single-valued facets counted together over runs of consecutive hits that share all their values.

    A document's hits stand one after another and share its genre, agency, year, level, status and id, so those
    facets change only at the ~10⁵ boundaries between documents of 7.4 M hits. ``counts`` counts the matched hits
    per run (one pass over the matched positions), then each facet's counts per value from its value per run: with
    many matched hits that replaces a pass over them per facet (six facets, 7.4 M hits, half of them matched:
    ``bench/facets.py``). With few matched hits counting each facet directly is cheaper, and ``counts`` does that.
    """

    def __init__(self, facets: Mapping[str, Facet], size: int) -> None:
        self.facets = dict(facets)
        change = np.zeros(size, dtype=bool)
        change[:1] = True
        for facet in self.facets.values():
            change[1:] |= facet.codes[1:] != facet.codes[:-1]
        self.starts = np.flatnonzero(change)
        self.run_of = np.cumsum(change, dtype=np.int32) - 1  # the run of every hit
        self.codes = {name: facet.codes[self.starts] for name, facet in self.facets.items()}

    @classmethod
    def of_long_runs(cls, facets: Mapping[str, Facet], size: int, share: float = 0.1) -> FacetRuns:
        """The runs of those of ``facets`` whose values change at most ``share`` × ``size`` times."""
        steady = {
            name: facet
            for name, facet in facets.items()
            if np.count_nonzero(facet.codes[1:] != facet.codes[:-1]) <= share * size
        }
        return cls(steady, size)

    def counts(self, where: np.ndarray) -> dict[str, np.ndarray]:
        """Matched hits per code of each facet, ``where`` the matched hits' positions."""
        if len(where) * len(self.facets) <= 2 * len(where) + len(self.starts) * len(self.facets):
            return {  # few matched hits: each facet directly
                name: np.bincount(facet.codes[where], minlength=len(facet.values))
                for name, facet in self.facets.items()
            }
        per_run = np.bincount(self.run_of[where], minlength=len(self.starts))
        return {
            name: np.bincount(self.codes[name], weights=per_run, minlength=len(facet.values)).astype(np.int64)
            for name, facet in self.facets.items()
        }


def day_number(date: str, *, end: bool = False) -> int:
    """An ISO date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) as ``YYYYMMDD``; a partial date is the first day of
    its period, or with ``end`` the last (a year-only date may be any day of the year); -1 when unreadable."""
    parts = date.strip().split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
        day = int(parts[2]) if len(parts) > 2 else (31 if end else 1)
    except ValueError:
        return -1
    if not (1000 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 31):
        return -1
    return year * 10_000 + month * 100 + day


def hit_prior(
    size: int, facets: Mapping[str, Facet | MultiFacet], priors: Mapping[str, Mapping[str, float]]
) -> np.ndarray:
    """Each hit's prior: the factor of its value in each ``priors`` facet (``{facet: {value: factor}}``), else 1."""
    prior = np.ones(size, dtype=np.float64)
    for name, table in priors.items():
        facet = facets[name]
        for value, factor in table.items():
            if factor != 1.0:
                prior[facet.mask(value)] = factor
    return prior


def date_bounds(column: Facet | None, size: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last day (YYYYMMDD, ``day_number``) each hit's date in ``column`` may mean (-1: no date);
    without a column, -1 for each of ``size`` hits."""
    if column is None:
        return np.full(size, -1, dtype=np.int64), np.full(size, -1, dtype=np.int64)
    firsts = np.array([day_number(v) if v else -1 for v in column.values], dtype=np.int64)
    lasts = np.array([day_number(v, end=True) if v else -1 for v in column.values], dtype=np.int64)
    return firsts[column.codes], lasts[column.codes]


def unresolved_containers(
    size: int, facets: Mapping[str, Facet | MultiFacet], contained_types: Sequence[str]
) -> np.ndarray:
    """The ``container`` array before any lookup: -2 (not looked up yet) for the hits of ``contained_types``, -1
    (none) for the others."""
    container = np.full(size, -1, dtype=np.int64)
    type_facet = facets.get("type")
    if contained_types and isinstance(type_facet, Facet):
        container[type_facet.mask_values(contained_types)] = -2
    return container
