"""Where a PostgreSQL search spends its time: the 80 bench queries timed per stage (exclusive times).

    .venv/bin/python bench/pg_stages.py --database 'postgresql://…?schema=scale10000' [--passes 3] [--slowest 10]
                                        [--tile 10] [--unrestricted] [--query Q …]

Wraps the steps of ``PostgresSearchEngine.search`` (parse, filters, posting reads, term scores, unions and
intersections, phrase checks, the cap and top-k, facets, the page's stored fields, snippets) with timers that count
each step's own time (a step's time excludes the steps it calls), runs one warm-up pass, then ``--passes`` timed
passes, and prints milliseconds per query by stage, the elements the evaluator touched (postings scored, ids in and
out of unions and intersections) and the slowest queries with their three largest stages. Figures, never
pass/fail; the wrappers live in this script only. ``--tile 10`` searches ten copies of the generation
(``bench/pg_tiled.py``): the numpy work of a 10⁵ library from a 10⁴ database.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import latency_summary, load_average, load_queries


class Stages:
    """Exclusive time per stage label, for the current query and over the run."""

    def __init__(self) -> None:
        self.query: dict[str, float] = defaultdict(float)
        self.total: dict[str, float] = defaultdict(float)
        self.elements: dict[str, int] = defaultdict(int)
        self._children: list[float] = []

    def wrap(self, owner: Any, name: str, label: str, count: Callable[..., int] | None = None) -> None:
        """Replace ``owner.name`` by a timed call; ``count(result, *args)`` adds to ``elements[label]``."""
        original = getattr(owner, name)
        stages = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            stages._children.append(0.0)
            started = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                own = elapsed - stages._children.pop()
                if stages._children:
                    stages._children[-1] += elapsed
                stages.query[label] += own
            if count is not None:
                stages.elements[label] += count(result, *args)
            return result

        setattr(owner, name, timed)

    def end_query(self) -> dict[str, float]:
        done = dict(self.query)
        for label, seconds in done.items():
            self.total[label] += seconds
        self.query.clear()
        return done


def instrument(stages: Stages) -> None:
    """Wrap the search's steps (module attributes, so the callers' global look-ups find the wrappers)."""
    from kb.search import engine, evaluate
    from kb.search.backends.postgresql import engine as pg_engine
    from kb.search.backends.postgresql import reader

    def sizes(result: Any, *args: Any) -> int:
        return len(result.ids)

    def parts_in(result: Any, parts: Any, *args: Any) -> int:
        return sum(len(p.ids) for p in parts)

    stages.wrap(engine.SearchEngine, "parse", "parse")
    stages.wrap(engine.SearchEngine, "allowed", "filters")
    stages.wrap(reader.GenerationArrays, "prefetch", "postings read (db)")
    stages.wrap(evaluate.Evaluator, "_term", "term scores", sizes)
    stages.wrap(evaluate, "_intersect", "intersect", parts_in)
    stages.wrap(evaluate, "_intersect_ordered", "intersect", parts_in)
    stages.wrap(evaluate, "_restrict", "restrict", lambda r, scores, within: len(scores.ids) + len(within))
    stages.wrap(evaluate, "_union_count", "sizes", lambda r, lists, size: sum(len(x) for x in lists))
    stages.wrap(evaluate, "_union", "union", parts_in)
    stages.wrap(evaluate, "_best_union", "best of", parts_in)
    stages.wrap(evaluate, "_coordinate", "coordinate")
    stages.wrap(evaluate, "_add_where", "add where", lambda r, a, b: len(a.ids) + len(b.ids))
    stages.wrap(evaluate.Evaluator, "_phrase", "phrase (cpu)")
    stages.wrap(evaluate.Evaluator, "_verbatim", "verbatim")
    stages.wrap(reader.Reader, "phrase_docs", "phrase check (db)", lambda r, s, f, w, c: len(c))
    stages.wrap(reader.GenerationArrays, "resolve_containers", "containers (db)")
    stages.wrap(evaluate, "cap_by_container", "cap", lambda r, ids, *a: len(ids))
    stages.wrap(evaluate, "top_k", "top-k", lambda r, ids, *a: len(ids))
    stages.wrap(evaluate, "top_k_by", "top-k", lambda r, ids, *a: len(ids))
    stages.wrap(evaluate.Evaluator, "top", "top (rest)")
    stages.wrap(pg_engine.PostgresSearchEngine, "_run", "run (rest)")
    stages.wrap(reader.Reader, "prefetch_stored", "stored fields (db)")
    stages.wrap(engine.SearchEngine, "_facets", "facets")
    stages.wrap(engine.SearchEngine, "_hit", "snippets")
    stages.wrap(pg_engine.PostgresSearchEngine, "search", "search (rest)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="postgresql://…?schema=…")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--slowest", type=int, default=10)
    parser.add_argument("--query", action="append", help="only these queries (repeatable)")
    parser.add_argument(
        "--tile",
        type=int,
        default=1,
        help="search N copies of the generation (bench/pg_tiled.py: 10⁵-like arrays)",
    )
    parser.add_argument(
        "--unrestricted",
        action="store_true",
        help="evaluate every node over all hits (kb.search.evaluate.RESTRICT = False: the reference)",
    )
    args = parser.parse_args()
    from bench.pg_tiled import TiledEngine
    from kb.search import evaluate

    evaluate.RESTRICT = not args.unrestricted
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    stages = Stages()
    instrument(stages)
    queries = args.query or load_queries()
    engine = PostgresSearchEngine(args.database) if args.tile == 1 else TiledEngine(args.database, args.tile)
    totals: dict[str, int] = {}
    for q in queries:  # warm-up: arrays, caches
        totals[q] = engine.search(q).total
    stages.end_query()
    stages.total.clear()
    stages.elements.clear()
    latencies: list[float] = []
    per_query: dict[str, list[tuple[float, dict[str, float]]]] = defaultdict(list)
    arrays = engine._searcher().arrays
    print(f"{arrays.size:,} hits; load average {load_average()}", flush=True)
    for _ in range(args.passes):
        for q in queries:
            started = time.perf_counter()
            engine.search(q)
            elapsed = time.perf_counter() - started
            latencies.append(elapsed)
            per_query[q].append((elapsed, stages.end_query()))
    engine.close()
    n = len(latencies)
    lat = latency_summary(latencies)
    print(
        f"{len(queries)} queries × {args.passes} passes: p50/p95/p99 {lat['p50']:.1f} / {lat['p95']:.1f} / "
        f"{lat['p99']:.1f} ms, mean {lat['mean']:.1f} ms (load average {load_average()})"
    )
    print(f"\n{'stage':<22} {'ms/query':>9} {'share':>6} {'elements/query':>15}")
    whole = sum(stages.total.values()) or 1.0
    for label, seconds in sorted(stages.total.items(), key=lambda kv: -kv[1]):
        elements = stages.elements.get(label)
        shown = f"{elements / n:15,.0f}" if elements is not None else ""
        print(f"{label:<22} {seconds * 1000 / n:9.2f} {seconds / whole:6.1%} {shown}")
    print(f"\nslowest {args.slowest} (median of passes; total hits; three largest stages)")
    medians = []
    for q, runs in per_query.items():
        runs = sorted(runs, key=lambda r: r[0])
        medians.append((runs[len(runs) // 2], q))
    for (elapsed, parts), q in sorted(medians, key=lambda m: -m[0][0])[: args.slowest]:
        top = ", ".join(
            f"{label} {ms * 1000:.1f}" for label, ms in sorted(parts.items(), key=lambda kv: -kv[1])[:3]
        )
        print(f"{elapsed * 1000:8.1f} ms  {q:<24} {totals[q]:>9,}  {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
