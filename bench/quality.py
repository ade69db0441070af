"""Search quality and latency on the judged queries (tests/judged_queries.toml). A script, not a test.

Usage (from the project root):

    .venv/bin/python bench/quality.py                      # builds both indexes under a temp dir
    .venv/bin/python bench/quality.py --index /tmp/corpus-idx   # reuse a whole-corpus index
    .venv/bin/python bench/quality.py --index /tmp/corpus-idx --small-index /tmp/sq/index

Two indexes are measured:
  * the whole corpus: ``documents/`` (the seed plan) + ``../shared/corpus`` (3,600+ documents);
  * the small test index of tests/search_fixtures.py (seed + ~100 corpus documents).

Metrics (binary relevance: the judged ids of a query are its relevant ids):
  pass      the judgement's own condition (``first`` at rank 1, or one of ``top3`` in the top 3)
  success@1 rank 1 is relevant;  MRR  1/rank of the first relevant hit in the top 10 (0 if none);
  nDCG@10   sum(rel_i / log2(i+1)) / ideal.
Latency: in-process ``SearchEngine.search`` (limit 10, facets and snippets included) of every judged
query 5 times after one warm-up round, on the whole-corpus index; p50/p95/p99 over all runs.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from search_fixtures import Judgement, build_search_index, load_judged  # noqa: E402

from kb.build import build  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402

DEPTH = 10
RUNS = 5


@dataclass
class Scores:
    passed: float
    success_at_1: float
    mrr: float
    ndcg: float
    failures: list[tuple[Judgement, list[str]]]


def ranked_ids(engine: SearchEngine, j: Judgement, limit: int = DEPTH) -> list[str]:
    result = engine.search(j.q, type=j.type, doc=j.doc, limit=limit)
    return [hit.id for hit in result.results]


def ndcg_at(ranked: list[str], relevant: set[str], depth: int = DEPTH) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, rid in enumerate(ranked[:depth]) if rid in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), depth)))
    return dcg / ideal if ideal else 0.0


def evaluate(engine: SearchEngine, judged: list[Judgement]) -> Scores:
    passed = s1 = rr = nd = 0.0
    failures = []
    for j in judged:
        ranked = ranked_ids(engine, j)
        relevant = set(j.relevant)
        ok = j.passes(ranked)
        passed += ok
        if not ok:
            failures.append((j, ranked[:3]))
        s1 += bool(ranked) and ranked[0] in relevant
        rank = next((i + 1 for i, rid in enumerate(ranked) if rid in relevant), None)
        rr += 1.0 / rank if rank else 0.0
        nd += ndcg_at(ranked, relevant)
    n = len(judged) or 1
    return Scores(passed / n, s1 / n, rr / n, nd / n, failures)


def latency(engine: SearchEngine, judged: list[Judgement]) -> list[float]:
    for j in judged:  # warm-up: segmenter, searcher, caches
        engine.search(j.q, type=j.type, doc=j.doc, limit=DEPTH)
    times = []
    for _ in range(RUNS):
        for j in judged:
            t0 = time.perf_counter()
            engine.search(j.q, type=j.type, doc=j.doc, limit=DEPTH)
            times.append((time.perf_counter() - t0) * 1000.0)
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100.0 * len(ordered)) - 1))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="reuse this whole-corpus index (else build one)")
    parser.add_argument("--small-index", type=Path, help="reuse this test index (else build one)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--skip-corpus", action="store_true", help="measure the small index only")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the failed judgements")
    args = parser.parse_args(argv)

    judged = load_judged()
    tmp = Path(tempfile.mkdtemp(prefix="policykb-quality-"))
    rows: list[tuple[str, Scores]] = []

    small = args.small_index or build_search_index(tmp / "small")
    rows.append(("test index", evaluate(SearchEngine(small), judged)))

    times: list[float] = []
    if not args.skip_corpus:
        index = args.index
        if index is None:
            index = tmp / "corpus-index"
            t0 = time.monotonic()
            report = build([ROOT / "documents", args.corpus], index, procs=2, quiet=True)
            print(f"built whole-corpus index in {time.monotonic() - t0:.0f} s: {report.summary()}")
        engine = SearchEngine(index)
        rows.append(("whole corpus", evaluate(engine, judged)))
        times = latency(engine, judged)

    print(f"\n{len(judged)} judged queries (tests/judged_queries.toml)\n")
    print(f"{'index':<14} {'pass':>6} {'success@1':>10} {'MRR':>6} {'nDCG@10':>8}")
    for name, s in rows:
        print(f"{name:<14} {s.passed:>6.3f} {s.success_at_1:>10.3f} {s.mrr:>6.3f} {s.ndcg:>8.3f}")
    if times:
        print(
            f"\nlatency, whole corpus ({len(times)} searches): p50 {percentile(times, 50):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, p99 {percentile(times, 99):.1f} ms, "
            f"mean {statistics.fmean(times):.1f} ms"
        )
    if args.verbose:
        for name, s in rows:
            for j, got in s.failures:
                want = j.first or " | ".join(j.top3)
                print(f"FAIL {name}: {j.label!r} want {want} got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
