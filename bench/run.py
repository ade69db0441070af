"""PolicyKB benchmark: build, rebuild, serve and search the shared corpus; print figures (never pass/fail).

Usage (from the project root):

    .venv/bin/python bench/run.py [--corpus ../shared/corpus] [--work /tmp/policykb-bench] [--skip-build]

One run measures, on ``documents/`` (the seed plan) + the shared corpus:

* a full build from scratch (``python -m kb build`` in a subprocess): wall time, chars/s, documents/s, index size
  (Whoosh and JSON parts), peak memory (largest process from wait4's rusage, and the peak sum over the build's
  process tree sampled from /proc, since the build runs analysis workers and Whoosh writer processes at once);
* a rebuild with nothing changed, and a rebuild after one changed document;
* the site as a user starts it (``policykb serve --no-build``): time to first answer, /api/search latency over
  HTTP for every query of bench/queries.txt (one warm-up pass, then 3 timed passes), errors, server RSS; the same
  queries sorted by date (``sort=date``); every category page (HTML, first page, and its JSON twin filtered by
  the most frequent year and sorted by date) and the home page's document list filtered by 文种;
* the same queries in-process through ``SearchEngine`` (HTTP overhead = the difference);
* a reference engine: SQLite FTS5 over the same hits' stored title/body, pre-segmented by ``kb.text.segment.segment``
  with jieba itself (the reference of issue 27: "jieba + SQLite FTS5", whatever segmenter the build uses).

``--fts5-only --index DIR`` builds only the FTS5 reference from the live generation of DIR and prints its time (the
yardstick of a side-by-side A/B of full builds; ``--fts5-segmenter rjieba`` for the same with rjieba).

The documents folder of the work dir holds a copy of the corpus (nothing in the corpus is touched); the seed
plan is a real copy, and is the one document modified for the incremental rebuild. The figures table is printed
and written to bench/out/latest.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON = ROOT / ".venv" / "bin" / "python"
POLICYKB = ROOT / ".venv" / "bin" / "policykb"
QUERIES = ROOT / "bench" / "queries.txt"
OUT = ROOT / "bench" / "out" / "latest.md"
SEED_DIR = ROOT / "documents"
TIMED_PASSES = 3
MB = 1024 * 1024

# Goals from the performance issue (seconds, milliseconds, bytes).
GOAL_FULL_BUILD_S = 240
GOAL_NOOP_S = 5
GOAL_ONE_CHANGED_S = 10
GOAL_P95_MS = 50
GOAL_SERVER_BYTES = 1024 * MB


# --------------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, flush=True)


def load_queries(path: Path = QUERIES) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "mean": sum(ms) / len(ms) if ms else float("nan"),
        "max": max(ms) if ms else float("nan"),
        "n": len(ms),
    }


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (like ``du``; symlinks not followed, hard links counted once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(root, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of a process in bytes (empty when it is gone)."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    return out


def _tree_rss(root_pid: int) -> int:
    """Sum of VmRSS over ``root_pid`` and all its descendants (bytes)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {root_pid}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(proc_status(pid).get("VmRSS", 0) for pid in tree)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------------------------
# Builds (in a subprocess, as a user runs them)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class BuildRun:
    wall: float
    reported: float  # the build's own "… s" (without interpreter start-up)
    exit_code: int
    documents: int
    maxrss: int  # bytes, largest single process (wait4 rusage, includes reaped workers)
    tree_peak: int  # bytes, peak of the summed RSS of the whole process tree (sampled)
    summary: str
    phases: str = ""  # the build's "阶段 phases: …" line (stderr)


def run_build(
    docs: Path,
    index: Path,
    logs: Path,
    label: str,
    extra: list[str] | None = None,
    program: list[str] | None = None,
) -> BuildRun:
    """``python -m kb build`` (or ``program`` + ``build``) in a subprocess; wall time, its summary line and peak
    memory."""
    cmd = [*(program or [str(PYTHON), "-m", "kb"]), "build", "--documents", str(docs), "--index", str(index)]
    cmd += ["--quiet"]
    cmd += extra or []
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / f"{label}.out", logs / f"{label}.err"
    peak = 0
    with open(out_path, "w") as out, open(err_path, "w") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    phases = [x for x in err_path.read_text(encoding="utf-8").splitlines() if x.startswith("阶段 phases: ")]
    summary = out_path.read_text(encoding="utf-8").strip().splitlines()
    line = summary[-1] if summary else ""
    seconds = re.search(r"([\d.]+) s$", line)
    documents = re.search(r"(\d+) 个文件 documents", line)
    if proc.returncode not in (0, 1):  # 1 = some files rejected (the corpus has duplicates and a .jsonl)
        raise SystemExit(f"build failed ({proc.returncode}); see {err_path}")
    return BuildRun(
        wall=wall,
        reported=float(seconds.group(1)) if seconds else float("nan"),
        exit_code=proc.returncode,
        documents=int(documents.group(1)) if documents else 0,
        maxrss=usage.ru_maxrss * 1024,
        tree_peak=peak,
        summary=line,
        phases=phases[-1] if phases else "",
    )


def prepare_documents(corpus: Path, docs: Path) -> Path:
    """A copy of the corpus plus the seed plan (links leaving the folder are refused); returns the file to modify."""
    if docs.exists():
        shutil.rmtree(docs)
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        target_dir = docs / "corpus" / Path(root).relative_to(corpus)
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copy2(Path(root, name), target_dir / name)
    seed = docs / "seed"
    seed.mkdir(parents=True)
    copies = []
    for path in sorted(SEED_DIR.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, seed / path.name)
            copies.append(seed / path.name)
    plain = [p for p in copies if p.suffix == ".txt"]
    if not plain:
        raise SystemExit(f"no .txt seed document in {SEED_DIR}")
    return plain[0]


def generation_facts(index: Path) -> dict[str, Any]:
    """Sizes and text volume of the live generation."""
    from kb.store.generations import current_generation

    gen = current_generation(index)
    if gen is None:
        raise SystemExit(f"no live generation in {index}")
    total = disk_usage(gen)
    whoosh = disk_usage(gen / "whoosh")
    chars = 0
    docs = 0
    for path in (gen / "docs").glob("*.json"):
        with open(path, encoding="utf-8") as handle:
            chars += len(json.load(handle)["document"].get("text", ""))
        docs += 1
    return {
        "generation": gen,
        "total": total,
        "whoosh": whoosh,
        "json": total - whoosh,
        "chars": chars,
        "docs": docs,
    }


# --------------------------------------------------------------------------------------------------------------
# The site over HTTP
# --------------------------------------------------------------------------------------------------------------

# No proxies: the environment may set http_proxy, and loopback must never go through one.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """(status, body); HTTP error statuses are returned, connection problems raise OSError."""
    try:
        with OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    started: float
    first_answer: float = float("nan")
    logs: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(
    index: Path, logs: Path, probe: str = "知识产权", timeout: float = 120.0, extra: list[str] | None = None
) -> Server:
    """``policykb serve --no-build`` on a free loopback port (``extra``: more options, e.g. ``--backend URL``);
    returns once /api/search answers 200."""
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    out = open(logs / "serve.out", "w")  # noqa: SIM115 - lives as long as the server
    err = open(logs / "serve.err", "w")  # noqa: SIM115
    cmd = [
        str(POLICYKB),
        "serve",
        "--no-build",
        "--index",
        str(index),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *(extra or []),
    ]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
    server = Server(proc, f"http://127.0.0.1:{port}", started, logs=[logs / "serve.err"])
    url = f"{server.base}/api/search?q={urllib.parse.quote(probe)}"
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {logs / 'serve.err'}")
        try:
            status, _ = http_get(url, timeout=30)
        except OSError:
            time.sleep(0.05)
            continue
        if status == 200:
            server.first_answer = time.monotonic() - started
            return server
        time.sleep(0.05)
    server.stop()
    raise SystemExit(f"server did not answer within {timeout:.0f} s")


def time_http(base: str, queries: list[str], passes: int, extra: str = "") -> tuple[list[float], int]:
    """Latencies of ``passes`` passes over the queries against /api/search (``extra``: more parameters, e.g.
    ``&sort=date``), and the error count."""
    latencies: list[float] = []
    errors = 0
    for _ in range(passes):
        for q in queries:
            url = f"{base}/api/search?q={urllib.parse.quote(q)}{extra}"
            t0 = time.perf_counter()
            try:
                status, body = http_get(url)
                json.loads(body)
            except (OSError, ValueError):
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors += 1
    return latencies, errors


def time_pages(base: str, paths: list[str], passes: int) -> tuple[list[float], int, int]:
    """Latencies of ``passes`` passes over site paths (pages or API), the error count and the largest body (bytes)."""
    latencies: list[float] = []
    errors = 0
    largest = 0
    for _ in range(passes):
        for path in paths:
            t0 = time.perf_counter()
            try:
                status, body = http_get(base + path)
            except OSError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            largest = max(largest, len(body))
            if status != 200:
                errors += 1
    return latencies, errors, largest


def browse_paths(base: str) -> tuple[list[str], list[str]]:
    """(every category page and a filtered, date-sorted JSON twin of each; the home list by each 文种)."""
    status, body = http_get(base + "/api/categories")
    categories = [c["name"] for c in json.loads(body)["categories"] if c["count"]] if status == 200 else []
    paths = []
    for name in categories:
        quoted = urllib.parse.quote(name, safe="")
        paths.append(f"/categories/{quoted}")
        status, body = http_get(f"{base}/api/categories/{quoted}")
        years = json.loads(body).get("facets", {}).get("year", []) if status == 200 else []
        year = f"&year={urllib.parse.quote(years[0]['value'])}" if years else ""
        paths.append(f"/api/categories/{quoted}?sort=date{year}")
    status, body = http_get(base + "/api/summary")
    kinds = [f["value"] for f in json.loads(body).get("facets", {}).get("kind", [])] if status == 200 else []
    home = ["/"] + [f"/?kind={urllib.parse.quote(k)}&sort=date" for k in kinds[:8]]
    return paths, home


def time_in_process(
    index: Path, queries: list[str], passes: int, cache_postings: int | None = None
) -> list[float]:
    """In-process latencies; ``cache_postings=0`` decodes every posting list afresh on every search."""
    from kb.search.engine import SearchEngine

    engine = (
        SearchEngine(index) if cache_postings is None else SearchEngine(index, cache_postings=cache_postings)
    )
    for q in queries:  # warm-up: facet table, caches
        engine.search(q)
    latencies = []
    for _ in range(passes):
        for q in queries:
            t0 = time.perf_counter()
            engine.search(q)
            latencies.append(time.perf_counter() - t0)
    engine.close()
    return latencies


# --------------------------------------------------------------------------------------------------------------
# Reference engine: SQLite FTS5 over the same hits, segmented by kb.text.segment.segment
# --------------------------------------------------------------------------------------------------------------


def _stored_hits(index: Path) -> Iterator[tuple[str, str, str]]:
    """(id, title, body) of every Whoosh document of the live generation (its stored fields)."""
    from whoosh import index as whoosh_index

    from kb.store.generations import current_generation

    gen = current_generation(index)
    assert gen is not None
    ix = whoosh_index.open_dir(str(gen / "whoosh"))
    with ix.reader() as reader:
        for _docnum, stored in reader.iter_docs():
            yield stored["id"], stored.get("title") or "", stored.get("body") or ""


def _segment_row(row: tuple[str, str, str]) -> tuple[str, str, str]:
    from kb.text.segment import segment

    hit_id, title, body = row
    return hit_id, " ".join(t for t, _, _ in segment(title)), " ".join(t for t, _, _ in segment(body))


def reference_segmenter(name: str = "jieba") -> Any:
    """The segmenter of the reference: jieba itself by default (``kb.text.segmenters``), loaded as the build loads
    it (the same dictionaries)."""
    from kb.text import segment as segment_module
    from kb.text.segmenters import JiebaSegmenter, RJiebaSegmenter

    entries = segment_module.user_entries()
    if name == "rjieba":
        return RJiebaSegmenter(entries)
    return JiebaSegmenter(entries, segment_module.cache_dir())


def build_fts5(index: Path, db_path: Path, procs: int = 2, segmenter: str = "jieba") -> dict[str, float]:
    """Segment every hit (``procs`` forked workers, like the build) with ``segmenter`` (jieba: the reference) and
    insert into an FTS5 table. The time counts from the loaded segmenter and the rows read."""
    from kb.text import segment as segment_module

    with contextlib.suppress(FileNotFoundError):
        db_path.unlink()
    rows = list(_stored_hits(index))
    previous = segment_module.set_segmenter(reference_segmenter(segmenter))  # loaded before forking
    try:
        return _fill_fts5(rows, db_path, procs)
    finally:
        segment_module.set_segmenter(previous)


def _fill_fts5(rows: list[tuple[str, str, str]], db_path: Path, procs: int) -> dict[str, float]:
    import multiprocessing

    started = time.monotonic()
    db = sqlite3.connect(db_path)
    # tokenchars '.': keep decimal numbers (6.5) one token, as segment() does.
    db.execute(
        "CREATE VIRTUAL TABLE hits USING fts5(title, body, hit_id UNINDEXED, tokenize=\"unicode61 tokenchars '.'\")"
    )
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        segmented = pool.imap(_segment_row, rows, chunksize=64)
        db.executemany(
            "INSERT INTO hits (hit_id, title, body) VALUES (?, ?, ?)", ((i, t, b) for i, t, b in segmented)
        )
    segmented_at = time.monotonic()
    db.execute("INSERT INTO hits(hits) VALUES ('optimize')")
    db.commit()
    db.close()
    done = time.monotonic()
    return {
        "seconds": done - started,
        "optimize": done - segmented_at,
        "rows": len(rows),
        "bytes": db_path.stat().st_size,
    }


_QUERY_PIECE = re.compile(r'(-?)(?:"([^"]*)"|“([^”]*)”|(\S+))')


def fts5_query(text: str) -> str | None:
    """The user query as an FTS5 expression, cut into words exactly as kb.search.query does (jieba words, numbers kept
    with their unit, synonym keys and unknown single-ideograph runs kept together), without synonym expansion:
    a phrase for a word of several tokens, AND between words, NOT for ``-word``."""
    from kb.search.query import QUERY_STOPWORDS, _words_of_chunk, default_synonyms
    from kb.text.normalize import fold
    from kb.text.segment import segment

    synonyms = default_synonyms()
    positive: list[str] = []
    negative: list[str] = []
    for m in _QUERY_PIECE.finditer(fold(text)):
        minus, quoted, quoted_cn, plain = m.groups()
        words = [quoted or quoted_cn] if (quoted or quoted_cn) else _words_of_chunk(plain or "", synonyms)
        for word in words:
            tokens = [t for t, _, _ in segment(word)]
            if not tokens or (len(words) > 1 and word in QUERY_STOPWORDS):
                continue
            expr = '"' + " ".join(tokens).replace('"', '""') + '"'
            (negative if minus else positive).append(expr)
    if not positive:
        return None
    expr = " AND ".join(dict.fromkeys(positive))
    for neg in negative:
        expr = f"({expr}) NOT {neg}"
    return expr


def time_fts5(db_path: Path, queries: list[str], passes: int) -> tuple[list[float], int]:
    """Latency of top-10 by bm25 (title x3) with snippets plus the total count; also returns zero-hit queries."""
    db = sqlite3.connect(db_path)
    top = (
        "SELECT hit_id, title, snippet(hits, 1, '<b>', '</b>', '…', 24), bm25(hits, 3.0, 1.0) AS score "
        "FROM hits WHERE hits MATCH ? ORDER BY score LIMIT 10"
    )
    count = "SELECT count(*) FROM hits WHERE hits MATCH ?"

    def one(q: str) -> int:
        expr = fts5_query(q)
        if expr is None:
            return 0
        db.execute(top, (expr,)).fetchall()
        return db.execute(count, (expr,)).fetchone()[0]

    empty = sum(1 for q in queries if one(q) == 0)  # warm-up pass
    latencies = []
    for _ in range(passes):
        for q in queries:
            t0 = time.perf_counter()
            one(q)
            latencies.append(time.perf_counter() - t0)
    db.close()
    return latencies, empty


# --------------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------------


def fmt_s(v: float) -> str:
    return f"{v:.1f} s" if v == v else "–"


def fmt_mb(v: float) -> str:
    return f"{v / MB:.0f} MiB"


def fmt_ms(v: float) -> str:
    return f"{v:.1f} ms"


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| figure | measured | goal |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def timed(label: str, fn: Callable[[], Any]) -> Any:
    log(f"== {label} (load average {load_average()})")
    return fn()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykb-bench"))
    parser.add_argument(
        "--skip-build", action="store_true", help="reuse the work dir's index (no full build)"
    )
    parser.add_argument(
        "--fts5-only",
        action="store_true",
        help="only build the FTS5 reference from --index (default: the work dir's) and print its time",
    )
    parser.add_argument("--index", type=Path, default=None, help="the index for --fts5-only")
    parser.add_argument("--fts5-segmenter", choices=("jieba", "rjieba"), default="jieba")
    args = parser.parse_args(argv)

    work: Path = args.work.resolve()
    docs, index, logs = work / "documents", work / "index", work / "logs"
    if args.fts5_only:
        work.mkdir(parents=True, exist_ok=True)
        fts = build_fts5((args.index or index).resolve(), work / "fts5.db", segmenter=args.fts5_segmenter)
        log(
            f"FTS5 reference ({args.fts5_segmenter}): {fts['rows']:,} hits segmented on 2 procs + insert in "
            f"{fts['seconds']:.1f} s (optimize {fts['optimize']:.1f} s), {fmt_mb(fts['bytes'])}"
        )
        return 0
    queries = load_queries()
    rows: list[tuple[str, str, str]] = []
    started = time.monotonic()
    load_start = load_average()
    log(f"PolicyKB bench: {len(queries)} queries, corpus {args.corpus}, work dir {work}")
    log(f"machine: {os.cpu_count()} cores, {cpu_model()}; load average {load_start}")

    # -- full build --------------------------------------------------------------------------------------------
    if args.skip_build:
        seed_file = next((docs / "seed").glob("*.txt"))
        full: BuildRun | None = None
    else:
        work.mkdir(parents=True, exist_ok=True)
        if index.exists():
            shutil.rmtree(index)
        seed_file = prepare_documents(args.corpus.resolve(), docs)
        full = timed("full build", lambda: run_build(docs, index, logs, "full"))
        log(f"   {full.summary}")
    facts = generation_facts(index)
    if full is not None:
        rows += [
            ("full build (wall, incl. start-up)", fmt_s(full.wall), f"≤ {GOAL_FULL_BUILD_S / 60:.0f} min"),
            ("full build phases", full.phases.removeprefix("阶段 phases: "), ""),
            ("documents / characters indexed", f"{facts['docs']:,} / {facts['chars'] / 1e6:.1f} M", ""),
            (
                "build throughput",
                f"{facts['chars'] / full.wall / 1e3:,.0f} k chars/s, {facts['docs'] / full.wall:.1f} docs/s",
                "",
            ),
            ("build peak memory, largest process (ru_maxrss)", fmt_mb(full.maxrss), ""),
            ("build peak memory, whole process tree (sampled sum of RSS)", fmt_mb(full.tree_peak), ""),
        ]
    rows += [
        ("index on disk: Whoosh", fmt_mb(facts["whoosh"]), ""),
        ("index on disk: JSON (catalog + docs/)", fmt_mb(facts["json"]), ""),
    ]

    # -- rebuilds ----------------------------------------------------------------------------------------------
    noop = timed("rebuild, nothing changed", lambda: run_build(docs, index, logs, "noop"))
    log(f"   {noop.summary}")
    with open(seed_file, "a", encoding="utf-8") as handle:
        handle.write(f"\n（十一）开展知识库性能基准测试。{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    changed = timed("rebuild, one document changed", lambda: run_build(docs, index, logs, "changed"))
    log(f"   {changed.summary}")
    rows += [
        (
            "rebuild, nothing changed (wall / build's own)",
            f"{noop.wall:.1f} s / {noop.reported:.1f} s",
            f"≤ {GOAL_NOOP_S} s",
        ),
        (
            "rebuild, one document changed (wall / build's own)",
            f"{changed.wall:.1f} s / {changed.reported:.1f} s",
            f"≤ {GOAL_ONE_CHANGED_S} s",
        ),
    ]

    # -- the site over HTTP ------------------------------------------------------------------------------------
    log(f"== server (load average {load_average()})")
    server = start_server(index, logs)
    try:
        log(f"   {server.base}: first answer after {server.first_answer:.2f} s")
        time_http(server.base, queries, 1)  # warm-up
        latencies, errors = time_http(server.base, queries, TIMED_PASSES)
        time_http(server.base, queries, 1, "&sort=date")
        sorted_latencies, sorted_errors = time_http(server.base, queries, TIMED_PASSES, "&sort=date")
        category_paths, home_paths = browse_paths(server.base)
        time_pages(server.base, category_paths, 1)
        category_latencies, category_errors, category_bytes = time_pages(
            server.base, category_paths, TIMED_PASSES
        )
        home_latencies, home_errors, home_bytes = time_pages(server.base, home_paths, TIMED_PASSES)
        memory = proc_status(server.proc.pid)
    finally:
        server.stop()
    http = latency_summary(latencies)
    by_date = latency_summary(sorted_latencies)
    pages = latency_summary(category_latencies)
    homes = latency_summary(home_latencies)
    log(f"   /api/search {http}; errors {errors}; memory {memory}")
    log(f"   /api/search&sort=date {by_date}; errors {sorted_errors}")
    log(f"   category pages {pages}; errors {category_errors}; largest {category_bytes} bytes")
    log(f"   home list {homes}; errors {home_errors}; largest {home_bytes} bytes")
    rows += [
        ("server: start to first /api/search answer", f"{server.first_answer:.2f} s", ""),
        (
            f"/api/search over HTTP, {http['n']} requests: p50 / p95 / p99",
            f"{fmt_ms(http['p50'])} / {fmt_ms(http['p95'])} / {fmt_ms(http['p99'])}",
            f"p95 ≤ {GOAL_P95_MS} ms",
        ),
        ("/api/search over HTTP: mean / max", f"{fmt_ms(http['mean'])} / {fmt_ms(http['max'])}", ""),
        ("/api/search errors", str(errors), "0"),
        (
            f"/api/search&sort=date over HTTP, {by_date['n']} requests: p50 / p95 / p99",
            f"{fmt_ms(by_date['p50'])} / {fmt_ms(by_date['p95'])} / {fmt_ms(by_date['p99'])}",
            f"p95 ≤ {GOAL_P95_MS} ms",
        ),
        (
            f"category pages over HTTP ({len(category_paths) // 2} categories: page 1 HTML + year-filtered JSON"
            f" sorted by date), {pages['n']} requests: p50 / p95 / max",
            f"{fmt_ms(pages['p50'])} / {fmt_ms(pages['p95'])} / {fmt_ms(pages['max'])}",
            "",
        ),
        (
            "category pages: largest response / errors",
            f"{category_bytes / 1024:.0f} KB / {category_errors}",
            "0",
        ),
        (
            f"home document list (all, and by 文种 sorted by date), {homes['n']} requests: p50 / p95 / max",
            f"{fmt_ms(homes['p50'])} / {fmt_ms(homes['p95'])} / {fmt_ms(homes['max'])}",
            "",
        ),
        (
            "server memory after the runs: VmRSS / VmHWM (peak)",
            f"{fmt_mb(memory.get('VmRSS', 0))} / {fmt_mb(memory.get('VmHWM', 0))}",
            f"≤ {GOAL_SERVER_BYTES // MB} MiB",
        ),
    ]

    # -- in-process --------------------------------------------------------------------------------------------
    inproc = latency_summary(
        timed("in-process SearchEngine", lambda: time_in_process(index, queries, TIMED_PASSES))
    )
    rows.append(
        (
            "SearchEngine.search in-process: p50 / p95 / p99",
            f"{fmt_ms(inproc['p50'])} / {fmt_ms(inproc['p95'])} / {fmt_ms(inproc['p99'])}",
            "",
        )
    )
    log(f"   {inproc}")
    cold = latency_summary(
        timed("in-process, posting cache off", lambda: time_in_process(index, queries, TIMED_PASSES, 0))
    )
    rows.append(
        (
            "SearchEngine.search in-process, decoded-postings cache off: p50 / p95 / p99",
            f"{fmt_ms(cold['p50'])} / {fmt_ms(cold['p95'])} / {fmt_ms(cold['p99'])}",
            "",
        )
    )
    log(f"   {cold}")

    # -- reference: SQLite FTS5 --------------------------------------------------------------------------------
    db_path = work / "fts5.db"
    fts = timed("SQLite FTS5 reference build (jieba)", lambda: build_fts5(index, db_path))
    fts_latencies, fts_empty = time_fts5(db_path, queries, TIMED_PASSES)
    ref = latency_summary(fts_latencies)
    log(f"   {fts}; {ref}; {fts_empty} queries without hits")
    ratio_build = (
        f" (PolicyKB full build ÷ FTS5 = {full.wall / fts['seconds']:.1f}×)" if full is not None else ""
    )
    rows += [
        (
            f"FTS5 reference: build ({fts['rows']:,} hits segmented by jieba on 2 procs + insert)",
            fmt_s(fts["seconds"]) + ratio_build,
            "",
        ),
        (
            "FTS5 reference: size (PolicyKB Whoosh ÷ FTS5)",
            f"{fmt_mb(fts['bytes'])} ({facts['whoosh'] / fts['bytes']:.1f}×)",
            "",
        ),
        (
            "FTS5 reference: p50 / p95 / p99 (top 10 + count + snippet)",
            f"{fmt_ms(ref['p50'])} / {fmt_ms(ref['p95'])} / {fmt_ms(ref['p99'])}",
            "",
        ),
        (
            "in-process PolicyKB ÷ FTS5 latency: p50 / p95",
            f"{inproc['p50'] / ref['p50']:.1f}× / {inproc['p95'] / ref['p95']:.1f}×",
            "",
        ),
        ("FTS5 reference: queries without any hit", f"{fts_empty} of {len(queries)}", ""),
    ]
    rows.append(("load average (1/5/15 min) at start → end", f"{load_start} → {load_average()}", ""))

    header = (
        f"PolicyKB bench {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} cores, {cpu_model()}; "
        f"{len(queries)} queries × {TIMED_PASSES} passes; total {time.monotonic() - started:.0f} s\n\n"
    )
    text = header + table(rows) + "\n"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    log("\n" + text)
    log(f"written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
