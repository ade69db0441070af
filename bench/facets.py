"""Facet counting at 10⁵ scale: a boolean pass over every hit per facet against the matched positions taken once.

    .venv/bin/python bench/facets.py [--hits 7362840]

Synthetic codes for seven single-valued facets (5 to 3,000 values) over as many hits as the 10⁵ PostgreSQL run
held (docs/scaling.md), and random matched sets of 0.1 %–50 % of the hits; ``kb.search.engine`` counts facets the
second way since 2026-12-08. Prints milliseconds per search (all seven facets), mean of 5 runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from kb.search.whoosh.columns import Facet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=7_362_840)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    facets = [
        Facet(["", *(f"v{i}" for i in range(k))], rng.integers(0, k + 1, args.hits).astype(np.int32))
        for k in (5, 30, 300, 3000, 8, 12, 40)
    ]
    print(f"{args.hits:,} hits, {len(facets)} facets")
    for share in (0.001, 0.01, 0.1, 0.5):
        matched = rng.random(args.hits) < share
        started = time.perf_counter()
        for _ in range(5):
            per_mask = [f.count(matched) for f in facets]
        by_mask = (time.perf_counter() - started) / 5
        started = time.perf_counter()
        for _ in range(5):
            where = np.flatnonzero(matched)
            once = [f.count(where) for f in facets]
        by_positions = (time.perf_counter() - started) / 5
        assert once == per_mask
        print(
            f"matched {share:>6.1%}: a mask per facet {by_mask * 1000:6.1f} ms · "
            f"positions once {by_positions * 1000:6.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
