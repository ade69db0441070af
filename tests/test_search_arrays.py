"""The per-hit array work of a search on random data: facet counts by runs and by positions, equal to counting
every facet over a mask (``kb.search.whoosh.columns``); the evaluator's set operations on sorted hit numbers equal
numpy's and a plain sum in part order (``kb.search.evaluate``)."""

from __future__ import annotations

import numpy as np
import pytest

from kb.search.evaluate import (
    Scores,
    _best_union,
    _intersect,
    _union,
    contains_sorted,
    intersect_sorted,
)
from kb.search.whoosh.columns import Facet, FacetRuns, MultiFacet


def _documents(rng: np.random.Generator, docs: int) -> np.ndarray:
    """The document of every hit: documents of 1–60 hits one after another (as both backends write them)."""
    return np.repeat(np.arange(docs), rng.integers(1, 60, docs))


def _facets(rng: np.random.Generator, doc_of: np.ndarray) -> dict[str, Facet]:
    docs = int(doc_of.max()) + 1
    facets = {"doc": Facet(["", *(f"d{i}" for i in range(docs))], (doc_of + 1).astype(np.int32))}
    for name, k in (("genre", 8), ("agency", 300), ("year", 12)):
        per_doc = rng.integers(0, k + 1, docs).astype(np.int32)  # 0: no value
        facets[name] = Facet(["", *(f"{name}{i}" for i in range(k))], per_doc[doc_of])
    facets["type"] = Facet(
        ["", "document", "measure", "clause"], rng.integers(1, 4, len(doc_of)).astype(np.int32)
    )
    return facets


@pytest.mark.parametrize("share", [0.0, 0.0005, 0.01, 0.3, 0.9, 1.0])
def test_facet_runs_count_what_each_facet_counts(share: float) -> None:
    rng = np.random.default_rng(7)
    doc_of = _documents(rng, 2_000)
    facets = _facets(rng, doc_of)
    size = len(doc_of)
    runs = FacetRuns.of_long_runs(facets, size)
    assert set(runs.facets) == {"doc", "genre", "agency", "year"}  # the type changes within documents
    assert len(runs.starts) == 2_000
    mask = rng.random(size) < share
    where = np.flatnonzero(mask)
    counted = runs.counts(where)
    for name, facet in runs.facets.items():
        assert counted[name].tolist() == np.bincount(facet.codes[mask], minlength=len(facet.values)).tolist()
        assert facet.named(counted[name], empty=True) == facet.count(mask, empty=True)
        assert facet.named(counted[name]) == facet.count(where)


def test_facet_runs_split_where_any_facet_changes() -> None:
    # The same document in two places (an old segment and a new one) with another genre the second time.
    doc = Facet(["", "a", "b"], np.array([1, 1, 2, 2, 1, 1], dtype=np.int32))
    genre = Facet(["", "x", "y"], np.array([1, 1, 1, 1, 2, 2], dtype=np.int32))
    runs = FacetRuns({"doc": doc, "genre": genre}, 6)
    assert runs.starts.tolist() == [0, 2, 4]
    counted = runs.counts(np.array([0, 1, 3, 4, 5]))
    assert counted["doc"].tolist() == [0, 4, 1]
    assert counted["genre"].tolist() == [0, 3, 2]


def test_a_multi_valued_facet_counts_positions_as_a_mask() -> None:
    rng = np.random.default_rng(3)
    size = 5_000
    docs = {f"c{i}": np.sort(rng.choice(size, int(rng.integers(0, 400)), replace=False)) for i in range(20)}
    facet = MultiFacet(docs, size)
    for share in (0.0, 0.01, 0.5, 1.0):
        mask = rng.random(size) < share
        assert facet.count(np.flatnonzero(mask)) == facet.count(mask)


def _sorted_counts(facet: Facet, counts: np.ndarray, k: int, empty: bool) -> list[tuple[str, int]]:
    """What the engine listed before ``Facet.top``: every counted value, "" as 未注明, sorted, the first k (the codes
    of one value added up: ``Facet.named`` kept the last of them)."""
    named: dict[str, int] = {}
    for code in np.flatnonzero(counts):
        if code or empty:
            named[facet.values[code]] = named.get(facet.values[code], 0) + int(counts[code])
    if "" in named:
        named["未注明"] = named.get("未注明", 0) + named.pop("")
    return sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


@pytest.mark.parametrize("empty", [False, True])
@pytest.mark.parametrize("values", [5, 40, 3_000])
def test_the_top_values_are_the_first_of_all_values_sorted(values: int, empty: bool) -> None:
    rng = np.random.default_rng(values)
    names = ["", *(f"{rng.integers(0, 10**6)}-{i}" for i in range(values - 1))]
    if values != 40:
        names.append("未注明")  # also a value: its count and the hits without a value add up
    if values == 5:
        names.append("")  # "" again (Whoosh's facets may hold it as a term): no value either
    facet = Facet(names, rng.integers(0, len(names), 10_000).astype(np.int32))
    for share in (0.0, 0.001, 0.05, 1.0):
        mask = rng.random(10_000) < share
        counts = np.bincount(facet.codes[mask], minlength=len(names))
        for k in (1, 3, 30, 10_000):
            assert facet.top(counts, k, empty=empty, empty_as="未注明") == _sorted_counts(
                facet, counts, k, empty
            )
    ties = np.ones(len(names), dtype=np.int64)  # every value tied: by value
    assert facet.top(ties, 30, empty=empty, empty_as="未注明") == _sorted_counts(facet, ties, 30, empty)


def _ids(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    return np.sort(rng.choice(size, n, replace=False)).astype(np.int64)


@pytest.mark.parametrize("sizes", [(0, 10), (1, 1), (3, 5_000), (800, 1_000), (4_000, 4_000), (9_000, 300)])
def test_intersections_and_membership_equal_numpys(sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(sizes))
    for shared in (0.0, 0.5, 1.0):  # unrelated lists, half of the shorter one in the longer, all of it
        a, b = _ids(rng, sizes[0], 20_000), _ids(rng, sizes[1], 20_000)
        if len(a) and len(b) and shared:
            short, long_ = (a, b) if len(a) <= len(b) else (b, a)
            take = rng.choice(long_, int(len(short) * shared), replace=False)
            short = np.unique(np.concatenate([short[: len(short) - len(take)], take]))
            a, b = (short, long_) if len(a) <= len(b) else (long_, short)
        expected = np.intersect1d(a, b, assume_unique=True, return_indices=True)
        for got, want in zip(intersect_sorted(a, b), expected, strict=True):
            assert got.tolist() == want.tolist()
        assert contains_sorted(b, a).tolist() == np.isin(a, b).tolist()
        assert contains_sorted(a, b).tolist() == np.isin(b, a).tolist()


def _reference(parts: list[Scores], tie: float | None) -> dict[int, float]:
    """Every hit of any part: the sum in part order (``tie`` None), or (1 − tie) · best + tie · that sum."""
    summed: dict[int, float] = {}
    best: dict[int, float] = {}
    for part in parts:
        for hit, score in zip(part.ids.tolist(), part.score.tolist(), strict=True):
            summed[hit] = summed[hit] + score if hit in summed else score
            best[hit] = max(best.get(hit, score), score)
    if tie is None:
        return summed
    return {hit: (1.0 - tie) * best[hit] + tie * summed[hit] for hit in summed}


@pytest.mark.parametrize(
    "lengths", [(5, 3_000), (40, 60, 80), (300, 250, 10, 180, 220), (2_000, 2_500, 10, 1_800, 2_200)]
)
def test_unions_and_intersections_score_as_summed_in_part_order(lengths: tuple[int, ...]) -> None:
    rng = np.random.default_rng(len(lengths))
    size = 6_000  # the long unions are summed over every hit, the short ones merged
    parts = [Scores(ids, rng.random(len(ids)) * 10) for ids in (_ids(rng, n, size) for n in lengths)]
    for got, tie in ((_union(parts, size), None), (_best_union(parts, size, 0.3), 0.3)):
        want = _reference(parts, tie)
        assert got.ids.tolist() == sorted(want)
        assert got.score.tolist() == [
            want[h] for h in got.ids.tolist()
        ]  # exactly: same additions, same order
    both = _intersect(parts)
    by_length = sorted(parts, key=lambda p: len(p.ids))
    common = set.intersection(*(set(p.ids.tolist()) for p in parts))
    assert both.ids.tolist() == sorted(common)
    for i, hit in enumerate(both.ids.tolist()):
        expected = 0.0
        for k, part in enumerate(by_length):
            score = float(part.score[part.ids == hit][0])
            expected = score if k == 0 else expected + score
        assert both.score[i] == expected
