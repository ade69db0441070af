"""/api/search latency over HTTP on an existing index: the bench's 80 queries, one warm-up pass, then timed passes.

Usage (from the project root; a script, never a test):

    .venv/bin/python bench/search_http.py --index /tmp/search-index [--passes 5] [--extra '&sort=date']

Starts ``policykb serve --no-build`` on a free loopback port (``bench/run.py``'s ``start_server``), so the code
measured is whatever ``policykb`` imports: to compare two versions back to back on a noisy machine, run this
script for each (e.g. ``PYTHONPATH=/path/to/other/checkout``) alternately and quote the medians.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import latency_summary, load_average, load_queries, start_server, time_http


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--extra", default="", help="more URL parameters, e.g. '&sort=date'")
    args = parser.parse_args(argv)
    queries = load_queries()
    logs = Path(tempfile.mkdtemp(prefix="policykb-http-"))
    server = start_server(args.index, logs)
    try:
        time_http(server.base, queries, 1, args.extra)  # warm-up
        latencies, errors = time_http(server.base, queries, args.passes, args.extra)
    finally:
        server.stop()
    summary = latency_summary(latencies)
    print(
        f"/api/search{args.extra} over HTTP, {summary['n']} requests: p50 {summary['p50']:.1f} ms, "
        f"p95 {summary['p95']:.1f} ms, p99 {summary['p99']:.1f} ms, mean {summary['mean']:.1f} ms; "
        f"errors {errors}; load average {load_average()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
