"""Facet counting at 10⁵ scale: a boolean pass over every hit per facet, the matched positions taken once, and the
facets that change only between documents counted by runs (``FacetRuns``).

    .venv/bin/python bench/facets.py [--hits 7362840] [--documents 99917]

Synthetic codes over as many hits as the 10⁵ PostgreSQL run held (docs/scaling.md), documents of random length one
after another: six facets with one value per document (the document itself, 文种, agency, year, level, status:
5 to 99,917 values) and the type of each hit; random matched sets of 0.1 %–50 % of the hits. ``kb.search.engine``
counted the second way and listed the 30 most frequent values of each facet by sorting every counted value in
Python; since the pgfast branch it counts by runs and lists with ``Facet.top`` (numpy). Prints milliseconds per
search (all seven facets), mean of 5 runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from kb.search.whoosh.columns import Facet, FacetRuns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=7_362_840)
    parser.add_argument("--documents", type=int, default=99_917)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 2 * args.hits // args.documents, args.documents)
    doc_of = np.repeat(np.arange(args.documents), lengths)[: args.hits]
    doc_of = np.concatenate([doc_of, np.full(args.hits - len(doc_of), args.documents - 1)])
    facets = {"doc": Facet(["", *map(str, range(args.documents))], (doc_of + 1).astype(np.int32))}
    for name, k in (("genre", 30), ("agency", 3000), ("year", 40), ("level", 12), ("validity", 5)):
        per_doc = rng.integers(0, k + 1, args.documents).astype(np.int32)
        facets[name] = Facet(["", *(f"v{i}" for i in range(k))], per_doc[doc_of])
    facets["type"] = Facet(["", *(f"t{i}" for i in range(5))], rng.integers(1, 6, args.hits).astype(np.int32))
    started = time.perf_counter()
    runs = FacetRuns.of_long_runs(facets, args.hits)
    built = time.perf_counter() - started
    print(
        f"{args.hits:,} hits, {args.documents:,} documents, {len(facets)} facets; "
        f"{len(runs.facets)} counted by {len(runs.starts):,} runs (made in {built * 1000:.0f} ms, once per day)"
    )
    for share in (0.001, 0.01, 0.1, 0.5):
        matched = rng.random(args.hits) < share
        started = time.perf_counter()
        for _ in range(5):
            per_mask = [f.count(matched) for f in facets.values()]
        by_mask = (time.perf_counter() - started) / 5
        started = time.perf_counter()
        for _ in range(5):
            where = np.flatnonzero(matched)
            once = [f.count(where) for f in facets.values()]
        by_positions = (time.perf_counter() - started) / 5
        started = time.perf_counter()
        for _ in range(5):
            where = np.flatnonzero(matched)
            listed = [
                sorted(f.count(where).items(), key=lambda kv: (-kv[1], kv[0]))[:30] for f in facets.values()
            ]
        listed_before = (time.perf_counter() - started) / 5
        started = time.perf_counter()
        for _ in range(5):
            where = np.flatnonzero(matched)
            counted = runs.counts(where)
            by_run = [
                f.top(
                    counted[name]
                    if name in counted
                    else np.bincount(f.codes[where], minlength=len(f.values)),
                    30,
                )
                for name, f in facets.items()
            ]
        by_runs = (time.perf_counter() - started) / 5
        assert once == per_mask and listed == by_run
        print(
            f"matched {share:>6.1%}: counted by a mask per facet {by_mask * 1000:6.1f} ms · by positions once "
            f"{by_positions * 1000:6.1f} ms; listed (top 30) as before {listed_before * 1000:6.1f} ms · "
            f"by runs and Facet.top {by_runs * 1000:6.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
