"""/api/search latency over HTTP on an existing index: the bench's 80 queries, one warm-up pass, then timed passes.

Usage (from the project root; a script, never a test):

    .venv/bin/python bench/search_http.py --index /tmp/search-index [--passes 3]
    .venv/bin/python bench/search_http.py --index /tmp/search-index --against /tmp/main-checkout

Starts ``policykb serve --no-build`` on a free loopback port (``bench/run.py``'s ``start_server``). With
``--against DIR`` a second server runs the code of another checkout (``PYTHONPATH=DIR``) on the same index, and
every query goes to both servers in turn (alternating which goes first): an A/B at the same moment, which is what
a shared, noisy machine allows (run it a few times and quote the medians).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import http_get, latency_summary, load_average, load_queries, start_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--extra", default="", help="more URL parameters, e.g. '&sort=date'")
    parser.add_argument("--against", type=Path, help="another checkout: its code serves the 'other' side")
    args = parser.parse_args(argv)
    queries = load_queries()
    servers = {"this": start_server(args.index, Path(tempfile.mkdtemp(prefix="policykb-http-")))}
    if args.against is not None:
        saved = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = str(args.against.resolve())
        try:
            servers["other"] = start_server(args.index, Path(tempfile.mkdtemp(prefix="policykb-http-")))
        finally:
            if saved is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved
    latencies: dict[str, list[float]] = {name: [] for name in servers}
    errors = dict.fromkeys(servers, 0)
    try:
        for round_ in range(args.passes + 1):  # the first pass warms up
            for i, q in enumerate(queries):
                names = list(servers) if (round_ + i) % 2 == 0 else list(reversed(servers))
                for name in names:
                    url = f"{servers[name].base}/api/search?q={urllib.parse.quote(q)}{args.extra}"
                    t0 = time.perf_counter()
                    try:
                        status, _ = http_get(url)
                    except OSError:
                        errors[name] += 1
                        continue
                    if status != 200:
                        errors[name] += 1
                    if round_:
                        latencies[name].append(time.perf_counter() - t0)
    finally:
        for server in servers.values():
            server.stop()
    for name, values in latencies.items():
        s = latency_summary(values)
        print(
            f"{name}: /api/search{args.extra} over HTTP, {s['n']} requests: p50 {s['p50']:.1f} ms, "
            f"p95 {s['p95']:.1f} ms, p99 {s['p99']:.1f} ms, mean {s['mean']:.1f} ms; errors {errors[name]}"
        )
    print(f"load average {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
