"""Where each backend stops: build time, index size and query latency at growing corpus sizes (docs/scaling.md).

Usage (from the project root):

    .venv/bin/python bench/scale.py --sizes 1000,10000 [--corpus ../shared/corpus] [--work /tmp/policykb-scale]
    .venv/bin/python bench/scale.py --backend postgresql --sizes 1000,10000,100000 [--database postgresql://…]

With ``--backend postgresql`` each size is built into its own schema of the database given, else of a throwaway
PostgreSQL server started under the work dir (``tests/pg_cluster.py``; stopped at the end). Sizes: the local JSON
generation, and the database's relations of that schema (tables, TOAST and indexes). Latency is measured
in-process (``SearchEngine`` / ``PostgresSearchEngine``) and over HTTP (``policykb serve --no-build`` on loopback,
waitress, one process), the 80 queries of bench/queries.txt after one warm-up pass.

For N documents the work dir gets ``docs-N/``: the seed plan and the corpus documents as copies (every k-th
file when N is smaller than the corpus), and, when N is larger, further rounds of real copies whose text gets a
small change (one line appended naming the round) so that their content hashes, ids and text differ. Nothing
is written into the corpus or the repository. Each size is built from scratch (``python -m kb build``, as in
bench/run.py), then the queries of bench/queries.txt run in-process (warm-up + 3 passes). A Markdown table is
printed and appended to bench/out/scale.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    MB,
    ROOT,
    TIMED_PASSES,
    cpu_model,
    generation_facts,
    latency_summary,
    load_average,
    load_queries,
    proc_status,
    run_build,
    start_server,
    time_http,
    time_in_process,
)

SUFFIXES = (".txt", ".md", ".html")


def corpus_files(corpus: Path) -> list[Path]:
    seed = sorted((ROOT / "documents").glob("*.txt"))
    return seed + sorted(p for p in corpus.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def prepare(corpus: Path, docs: Path, n: int) -> None:
    """``n`` documents under ``docs``: originals copied, then modified copies in rounds r1, r2, …"""
    if docs.exists():
        shutil.rmtree(docs)
    files = corpus_files(corpus)
    if n <= len(files):
        step = len(files) / n
        chosen = [files[int(i * step)] for i in range(n)]
        rounds = 0
    else:
        chosen = files
        rounds = -(-n // len(files)) - 1
    for path in chosen:
        rel = path.relative_to(corpus) if path.is_relative_to(corpus) else Path("seed") / path.name
        link = docs / "r0" / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, link)
        manifest = path.parent / "MANIFEST.jsonl"
        if manifest.exists() and not (link.parent / manifest.name).exists():
            shutil.copy2(manifest, link.parent / manifest.name)
    made = len(chosen)
    for r in range(1, rounds + 1):
        for path in files:
            if made >= n:
                return
            rel = path.relative_to(corpus) if path.is_relative_to(corpus) else Path("seed") / path.name
            copy = docs / f"r{r}" / rel.parent / f"{path.stem}_r{r}{path.suffix}"
            copy.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8", errors="replace")
            copy.write_text(text.rstrip("\n") + f"\n\n（第{r}轮副本，用于规模测试。）\n", encoding="utf-8")
            made += 1


def database_bytes(url: str) -> int:
    """Bytes of every relation of the URL's schema (heap, TOAST, indexes)."""
    from kb.search.backends.postgresql import sql

    con, schema = sql.connect(url)
    try:
        rows = con.run(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind IN ('r', 'm')",
            s=schema,
        )
        return int(rows[0][0])
    finally:
        con.close()


def database_hits(url: str) -> int:
    from kb.search.backends.postgresql import sql

    con, _ = sql.connect(url)
    try:
        rows = con.run(
            "SELECT sum(s.size) FROM live l JOIN generations g ON g.id = l.generation"
            " JOIN segments s ON s.id = ANY(g.segments)"
        )
        return int(rows[0][0] or 0)
    finally:
        con.close()


def time_pg_in_process(
    url: str, queries: list[str], passes: int, cache_postings: int | None = None
) -> list[float]:
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    engine = (
        PostgresSearchEngine(url) if cache_postings is None else PostgresSearchEngine(url, cache_postings=0)
    )
    for q in queries:  # warm-up: arrays, caches
        engine.search(q)
    latencies = []
    for _ in range(passes):
        for q in queries:
            t0 = time.perf_counter()
            engine.search(q)
            latencies.append(time.perf_counter() - t0)
    engine.close()
    return latencies


def http_latency(
    index: Path, logs: Path, queries: list[str], extra: list[str]
) -> tuple[dict[str, float], int]:
    """HTTP p50/p95/p99 of the queries (one warm-up pass, then TIMED_PASSES) and the server's peak RSS."""
    server = start_server(index, logs, extra=extra, timeout=900)
    try:
        time_http(server.base, queries, 1)
        latencies, errors = time_http(server.base, queries, TIMED_PASSES)
        if errors:
            print(f"   {errors} HTTP errors", flush=True)
        rss = proc_status(server.proc.pid).get("VmHWM", 0)
    finally:
        server.stop()
    return latency_summary(latencies), rss


def start_database(work: Path, keep: bool = False) -> Any:
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_cluster import Cluster, available

    reason = available()
    if reason:
        raise SystemExit(f"no PostgreSQL here: {reason}")
    directory = work / "pg"
    if directory.exists():
        shutil.rmtree(directory)
    cluster = Cluster(directory, keep=keep).init(
        shared_buffers="1GB",
        work_mem="64MB",
        maintenance_work_mem="512MB",
        max_wal_size="8GB",
        checkpoint_timeout="30min",
        synchronous_commit="off",
    )
    return cluster.start()


def measure(args: argparse.Namespace, corpus: Path, queries: list[str], n: int, cluster: Any) -> str:
    """Build ``n`` documents from scratch with the chosen backend and measure it; one table row."""
    docs, index = args.work / f"docs-{n}", args.work / f"index-{n}-{args.backend}"
    if not args.skip_prepare:
        prepare(corpus, docs, n)
        if index.exists():
            shutil.rmtree(index)
    derived = ""
    if args.analyses_from and args.skip_prepare and (index / "CURRENT").exists():
        derived = " (index only: analyses derived)"
    elif args.analyses_from:
        from derive import analyse_originals, derive

        if args.analyse_missing:
            print(
                f"   analysed the missing originals: {analyse_originals(docs, args.analyses_from)}",
                flush=True,
            )
        facts = derive(args.analyses_from, docs, index)
        derived = " (index only: analyses derived)"
        print(f"   derived a generation: {facts}", flush=True)
    url = None
    extra: list[str] = []
    if args.backend == "postgresql":
        base = args.database or cluster.url
        url = f"{base}{'&' if '?' in base else '?'}schema=scale{n}"
        from kb.search.backends.postgresql import sql

        if not args.no_build:
            con, _ = sql.connect(base)
            con.run(f"DROP SCHEMA IF EXISTS scale{n} CASCADE")
            con.close()
        extra = ["--backend", url]
    print(f"== {n} documents, {args.backend}: build (load average {load_average()})", flush=True)
    program = (
        [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "bench" / "memo_build.py")] if args.memo else None
    )
    if args.memo:
        derived = " (index only: analyses derived, segmentation memoized)"
    if args.no_build:  # measure what the database (or index) already holds
        run = None
        print("   no build: measuring the schema and generation as they are", flush=True)
    else:
        run = run_build(docs, index, args.work / "logs", f"build-{n}-{args.backend}", extra, program)
        print(f"   {run.summary}\n   {run.phases}", flush=True)
    if not args.skip_prepare:
        shutil.rmtree(docs, ignore_errors=True)  # the copies; keep the index for later queries
    facts = generation_facts(index)
    if url is None:
        lat = latency_summary(time_in_process(index, queries, TIMED_PASSES))
        cold = latency_summary(time_in_process(index, queries, 1, cache_postings=0))
        from whoosh import index as whoosh_index

        hits = whoosh_index.open_dir(str(facts["generation"] / "whoosh")).doc_count()
        size = facts["whoosh"]
    else:
        lat = latency_summary(time_pg_in_process(url, queries, TIMED_PASSES))
        cold = latency_summary(time_pg_in_process(url, queries, 1, cache_postings=0))
        hits = database_hits(url)
        size = database_bytes(url)
    print(f"   in-process p50/p95 {lat['p50']:.1f} / {lat['p95']:.1f} ms", flush=True)
    search_rss = proc_status(os.getpid()).get("VmHWM", 0)  # sizes run in ascending order
    http, server_rss = (
        ({"p50": float("nan"), "p95": float("nan")}, 0)
        if args.no_http
        else http_latency(index, args.work / "logs" / f"serve-{n}-{args.backend}", queries, extra)
    )
    row = (
        f"| {args.backend}{derived} | {facts['docs']:,} | {hits:,} | {facts['chars'] / 1e6:.0f} M "
        + (f"| {run.wall:.0f} s | {facts['docs'] / run.wall:.1f} " if run else "| — | — ")
        + f"| {size / MB:,.0f} MiB | {facts['json'] / MB:,.0f} MiB "
        + (f"| {run.tree_peak / MB:,.0f} MiB " if run else "| — ")
        + f"| {lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} ms "
        f"| {cold['p50']:.1f} / {cold['p95']:.1f} ms | {http['p50']:.1f} / {http['p95']:.1f} ms "
        f"| {search_rss / MB:,.0f} MiB | {server_rss / MB:,.0f} MiB | {load_average()} |"
    )
    print(row, flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated document counts")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykb-scale"))
    parser.add_argument("--backend", choices=("whoosh", "postgresql"), default="whoosh")
    parser.add_argument("--database", help="postgresql://… (default: a throwaway server under --work)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    parser.add_argument(
        "--analyses-from",
        type=Path,
        help="derive every document's analysis from this generation's r0 analyses (bench/derive.py): the build "
        "then only writes the index; with --analyse-missing the r0 files it lacks are analysed first",
    )
    parser.add_argument("--analyse-missing", action="store_true")
    parser.add_argument(
        "--memo",
        action="store_true",
        help="with --analyses-from: build with segmentation memoized (bench/memo_build.py): the index is the same, "
        "the build time is not a measurement",
    )
    parser.add_argument("--skip-prepare", action="store_true", help="reuse docs-N and a derived index-N")
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="with --skip-prepare and --database: measure the index-N and schema scaleN already there",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="leave the throwaway server's data in place and running at the end (to measure again with --database)",
    )
    args = parser.parse_args(argv)
    if args.no_build and not args.skip_prepare:
        parser.error("--no-build measures what is there: give --skip-prepare (and --database for postgresql)")
    corpus = args.corpus.resolve()
    queries = load_queries()
    rows = []
    cluster = None
    if args.backend == "postgresql":
        # Load the searching code now, not after an hour of building: a checkout changed meanwhile must not meet
        # modules of the old one (a 10^5 run lost its measurements so).
        import kb.search.backends.postgresql.engine  # noqa: F401

        if not args.database:
            cluster = start_database(args.work, keep=args.keep_database)
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(args, corpus, queries, n, cluster))
    finally:
        if cluster is not None and args.keep_database:
            print(
                f"the server keeps running: {cluster.url}; stop it with pg_ctl -D {cluster.data} stop",
                flush=True,
            )
        elif cluster is not None:
            cluster.stop()
    header = (
        f"\nscale run {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} cores, {cpu_model()}\n\n"
        "| backend | documents | hits | chars | full build | docs/s | index | JSON | build peak RSS (tree) "
        "| in-process p50 / p95 / p99 | cache off p50 / p95 | HTTP p50 / p95 | search process peak RSS "
        "| server peak RSS | load avg |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---|\n"
    )
    text = header + "\n".join(rows) + "\n"
    out = ROOT / "bench" / "out" / "scale.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
