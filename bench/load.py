"""Bounded load run against the PolicyKB site: N concurrent clients for T seconds, optionally with forced
rebuilds (generation swaps) and idle connections held open. Prints figures; any 5xx or connection error of a
client counts as an error.

Usage (from the project root):

    .venv/bin/python bench/load.py [--index /tmp/policykb-bench/index] [--clients 4] [--seconds 20]
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000        # a running site, loopback only
    .venv/bin/python bench/load.py --sample 300 --rebuild-during      # small index, swapped mid-run
    .venv/bin/python bench/load.py --sample 300 --swaps 2 --idle 110 --seconds 60   # issue 17's run

Without ``--url`` the site is started like bench/run.py does (``policykb serve --no-build`` on a free port).
``--sample N`` first builds an index of the seed plan + N corpus documents (copies) under ``--work``, so a
forced rebuild finishes within the run. ``--rebuild-during`` starts ``policykb build --force`` into the served
index a quarter into the run; the run is extended (up to the 300 s cap) until that build has published.
``--swaps N`` runs N such rebuilds one after the other (``--rebuild-during`` is ``--swaps 1``). ``--idle N``
opens N TCP connections before the clients start and sends nothing on them (a browser's preconnects, a
stalled client): the clients must still be answered, and the run reports when the server closed them.
Request mix: 50 % /api/search?q=, 15 % /, 15 % /search?q=, 20 % measure/target/clause/document pages.
``--huge CHARS`` adds to the sample a plan whose first measure is CHARS characters long (sentences of the seed
repeated), and ``--huge-clients N`` runs N more clients that ask only for that measure's page and its .docx
export (issue 29: four such requests in parallel made other clients wait minutes); their figures are printed
apart — a 503 "busy" from the export gate is their expected answer, not an error — and the other clients' p95
is the figure that matters.

    .venv/bin/python bench/load.py --sample 300 --clients 4 --swaps 2 --huge 1200000 --huge-clients 4 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    PYTHON,
    ROOT,
    http_get,
    latency_summary,
    load_average,
    load_queries,
    proc_status,
    start_server,
)

MAX_SECONDS = 300.0
MAX_REQUESTS = 100_000
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    latencies_during: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    during_rebuild: int = 0
    errors_during_rebuild: int = 0


def check_loopback(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http" or parsed.hostname not in LOOPBACK:
        raise SystemExit(f"refusing {url!r}: only http://127.0.0.1, localhost or [::1] may be loaded")
    return url.rstrip("/")


def page_pool(base: str, queries: list[str]) -> list[str]:
    """Item pages to request: every document of /api/summary and the hits of a few searches."""
    pages: list[str] = []
    status, body = http_get(f"{base}/api/summary", timeout=60)
    if status == 200:
        pages += [f"/documents/{urllib.parse.quote(d['id'])}" for d in json.loads(body).get("documents", [])]
    for q in queries[:20]:
        status, body = http_get(f"{base}/api/search?q={urllib.parse.quote(q)}", timeout=60)
        if status == 200:
            pages += [hit["url"] for hit in json.loads(body).get("results", []) if hit.get("url")]
    return pages or ["/"]


def pick(rng: random.Random, queries: list[str], pages: list[str]) -> str:
    r = rng.random()
    q = urllib.parse.quote(rng.choice(queries))
    if r < 0.50:
        return f"/api/search?q={q}"
    if r < 0.65:
        return "/"
    if r < 0.80:
        return f"/search?q={q}"
    return rng.choice(pages)


def client(
    base: str,
    queries: list[str],
    pages: list[str],
    deadline: list[float],
    rebuilding: threading.Event,
    tally: Tally,
    seed: int,
    *,
    only_pages: bool = False,
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline[0]:
        with tally.lock:
            if tally.requests >= MAX_REQUESTS:
                return
            tally.requests += 1
        path = rng.choice(pages) if only_pages else pick(rng, queries, pages)
        during = rebuilding.is_set()
        t0 = time.perf_counter()
        try:
            status, _body = http_get(base + path, timeout=60)
            key, failed = str(status), status >= 500 and not (only_pages and status == 503)
        except OSError as exc:
            key, failed = f"connection error ({type(exc).__name__})", True
        elapsed = time.perf_counter() - t0
        with tally.lock:
            tally.latencies.append(elapsed)
            if during:
                tally.latencies_during.append(elapsed)
            tally.statuses[key] += 1
            tally.during_rebuild += during
            if failed:
                tally.errors.append(f"{key} {path}")
                tally.errors_during_rebuild += during


class IdleConnections:
    """``n`` TCP connections that send nothing; ``closed()`` tells how many the server has closed, and when."""

    def __init__(self, base: str, n: int) -> None:
        parsed = urllib.parse.urlsplit(base)
        self.opened = time.monotonic()
        self.sockets: list[socket.socket] = []
        self.closed_at: dict[int, float] = {}
        self.refused = 0
        for _ in range(n):
            try:
                sock = socket.create_connection((parsed.hostname, parsed.port or 80), timeout=5)
            except OSError:
                self.refused += 1
                continue
            sock.setblocking(False)
            self.sockets.append(sock)

    def poll(self) -> None:
        """Note the connections the server has closed since the last poll (a read gives b'' or an error)."""
        for k, sock in enumerate(self.sockets):
            if k in self.closed_at:
                continue
            try:
                if sock.recv(1) == b"":
                    self.closed_at[k] = time.monotonic() - self.opened
            except BlockingIOError:
                continue
            except OSError:
                self.closed_at[k] = time.monotonic() - self.opened

    def summary(self) -> str:
        self.poll()
        n = len(self.sockets)
        if not self.closed_at:
            return f"idle connections: {n} open ({self.refused} refused), none closed by the server during the run"
        times = sorted(self.closed_at.values())
        return (
            f"idle connections: {n} open ({self.refused} refused); the server closed {len(times)} of them, "
            f"after {times[0]:.1f}–{times[-1]:.1f} s"
        )

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


HUGE_ID = "huge-measure"


def write_huge_plan(folder: Path, chars: int) -> None:
    """A plan whose measure (一) is ``chars`` characters of the seed's sentences repeated, without labels."""
    seed = (ROOT / "documents" / "000_3ccc218f3f77786b.txt").read_text(encoding="utf-8")
    sentences = [s.strip() + "。" for s in seed.replace("\n", "").split("。") if len(s.strip()) > 10]
    body: list[str] = []
    size, k = 0, 0
    while size < chars:
        sentence = sentences[k % len(sentences)].lstrip("（(一二三四五六七八九十)）、")
        body.append(sentence)
        size += len(sentence)
        k += 1
        if k % 20 == 0:
            body.append("\n")
    text = (
        "某市科技创新超长工作方案\n\n一、主要措施\n\n（一）持续推进科技创新。"
        + "".join(body)
        + "\n\n（二）加强组织领导。\n"
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{HUGE_ID}.txt").write_text(text, encoding="utf-8")


def prepare_sample(corpus: Path, work: Path, n: int, huge: int = 0) -> tuple[Path, Path]:
    """Seed plan + every k-th corpus document (``n`` in all, copied, collections kept as folders with their
    MANIFEST.jsonl), and with ``huge`` the huge plan; built once and reused; returns (documents folder, index)."""
    docs, index = work / "documents", work / "index"
    if huge and not (docs / "huge" / f"{HUGE_ID}.txt").exists():
        write_huge_plan(docs / "huge", huge)
    if not (index / "CURRENT").exists():
        files = sorted(p for p in corpus.rglob("*") if p.suffix in (".txt", ".md", ".html"))
        step = max(1, len(files) // n)
        chosen = files[::step][:n]
        for path in chosen + sorted({p.parent / "MANIFEST.jsonl" for p in chosen}):
            link = docs / "corpus" / path.relative_to(corpus)
            link.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and not link.exists():
                shutil.copy2(path, link)
        (docs / "seed").mkdir(exist_ok=True)
        for path in sorted((ROOT / "documents").glob("*.txt")):
            if not (docs / "seed" / path.name).exists():
                shutil.copy2(path, docs / "seed" / path.name)
        subprocess.run(build_command(docs, index, force=False), cwd=ROOT, check=False, capture_output=True)
    return docs, index


def build_command(docs: Path, index: Path, force: bool) -> list[str]:
    cmd = [str(PYTHON), "-m", "kb", "build", "--documents", str(docs), "--index", str(index), "--quiet"]
    return [*cmd, "--wait", "60", *(["--force"] if force else [])]


def forced_rebuild(
    docs: Path, index: Path, rebuilding: threading.Event, hard_stop: float, idle: IdleConnections | None
) -> str:
    """One ``policykb build --force`` into the served index while the clients run; what it did, in a line."""
    before = (index / "CURRENT").read_text().strip()
    rebuilding.set()
    t0 = time.monotonic()
    build = subprocess.Popen(
        build_command(docs, index, force=True), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while build.poll() is None and time.monotonic() < hard_stop:
            if idle is not None:
                idle.poll()
            time.sleep(0.2)
        if build.poll() is None:
            build.kill()
            build.wait()
            return "rebuild did NOT finish within the 300 s cap (killed)"
    finally:
        rebuilding.clear()
    after = (index / "CURRENT").read_text().strip()
    return (
        f"rebuild --force took {time.monotonic() - t0:.1f} s (exit {build.returncode}); generation "
        f"{'swapped' if after != before else 'NOT swapped'} {before} → {after}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running site on loopback (else one is started)")
    parser.add_argument("--index", type=Path, default=Path("/tmp/policykb-bench/index"))
    parser.add_argument("--documents", type=Path, default=Path("/tmp/policykb-bench/documents"))
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--sample", type=int, default=0, help="serve a fresh index of N corpus documents")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykb-load"))
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rebuild-during", action="store_true", help="policykb build --force mid-run")
    parser.add_argument("--swaps", type=int, default=0, help="forced rebuilds one after the other (max 5)")
    parser.add_argument("--idle", type=int, default=0, help="idle TCP connections held open (max 1000)")
    parser.add_argument(
        "--huge", type=int, default=0, help="with --sample: a plan with a measure of N characters"
    )
    parser.add_argument(
        "--huge-clients", type=int, default=0, help="clients asking for the huge measure (max 8)"
    )
    args = parser.parse_args(argv)
    swaps = max(1 if args.rebuild_during else 0, min(args.swaps, 5))
    idle_n = max(0, min(args.idle, 1000))
    seconds = min(args.seconds, MAX_SECONDS)
    clients = max(1, min(args.clients, 64))
    queries = load_queries()

    docs, index = args.documents, args.index
    if args.sample:
        name = f"sample-{args.sample}" + (f"-huge-{args.huge}" if args.huge else "")
        docs, index = prepare_sample(args.corpus, args.work / name, args.sample, args.huge)
    server = None
    if args.url:
        base = check_loopback(args.url)
    else:
        server = start_server(index, args.work / "logs")
        base = server.base
    print(
        f"load: {clients} clients, {seconds:.0f} s, {swaps} swaps, {idle_n} idle connections, {base}, "
        f"index {index}; load average {load_average()}"
    )
    idle: IdleConnections | None = None
    try:
        pages = page_pool(base, queries)
        if idle_n:
            idle = IdleConnections(base, idle_n)
        tally = Tally()
        rebuilding = threading.Event()
        started = time.monotonic()
        deadline = [started + seconds]
        threads = [
            threading.Thread(
                target=client, args=(base, queries, pages, deadline, rebuilding, tally, i), daemon=True
            )
            for i in range(clients)
        ]
        # Half the huge-measure clients ask for its page, half for its .docx export (tallied apart).
        huge_tallies = {"page": Tally(), "docx export": Tally()}
        huge_paths = {
            "page": [f"/measures/{HUGE_ID}.m1.1"],
            "docx export": [f"/export?ids={HUGE_ID}.m1.1&format=docx"],
        }
        huge_threads = [
            threading.Thread(
                target=client,
                args=(base, queries, huge_paths[what], deadline, rebuilding, huge_tallies[what], 1000 + i),
                kwargs={"only_pages": True},
                daemon=True,
            )
            for i in range(max(0, min(args.huge_clients, 8)) if args.huge else 0)
            for what in [("page", "docx export")[i % 2]]
        ]
        for t in threads + huge_threads:
            t.start()
        notes: list[str] = []
        if swaps:
            time.sleep(seconds / 4)
            hard_stop = started + MAX_SECONDS
            for _ in range(swaps):
                if time.monotonic() >= hard_stop:
                    notes.append("no time left for this rebuild within the 300 s cap")
                    break
                notes.append(forced_rebuild(docs, index, rebuilding, hard_stop, idle))
            # keep loading a little after the last swap
            deadline[0] = max(deadline[0], min(time.monotonic() + 3.0, hard_stop))
        while any(t.is_alive() for t in threads + huge_threads):
            if idle is not None:
                idle.poll()
            time.sleep(0.2)
        for t in threads + huge_threads:
            t.join()
        elapsed = time.monotonic() - started
        memory = proc_status(server.proc.pid) if server else {}
        idle_note = idle.summary() if idle is not None else ""
    finally:
        if idle is not None:
            idle.close()
        if server is not None:
            server.stop()

    lat = latency_summary(tally.latencies)
    n = len(tally.latencies)
    print(f"requests: {n} in {elapsed:.1f} s = {n / elapsed:.1f} req/s")
    print(
        f"latency: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms, p99 {lat['p99']:.1f} ms, max {lat['max']:.1f} ms"
    )
    print("status codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items())))
    print(f"errors (5xx or connection): {len(tally.errors)}")
    for err in tally.errors[:10]:
        print(f"  {err}")
    for note in notes:
        print(note)
    if swaps:
        print(f"during the rebuilds: {tally.during_rebuild} requests, {tally.errors_during_rebuild} errors")
        if tally.latencies_during:
            during = latency_summary(tally.latencies_during)
            print(
                f"latency during the rebuilds: p50 {during['p50']:.1f} ms, p95 {during['p95']:.1f} ms, "
                f"max {during['max']:.1f} ms"
            )
    for what, huge_tally in huge_tallies.items():
        if not huge_tally.latencies:
            continue
        big = latency_summary(huge_tally.latencies)
        print(
            f"huge measure, {what}: {len(huge_tally.latencies)} requests, p50 {big['p50']:.1f} ms, "
            f"p95 {big['p95']:.1f} ms, max {big['max']:.1f} ms; status codes: "
            + ", ".join(f"{k}: {v}" for k, v in sorted(huge_tally.statuses.items()))
            + f"; errors: {len(huge_tally.errors)}"
        )
    if idle_note:
        print(idle_note)
    if memory:
        print(
            f"server memory: VmRSS {memory.get('VmRSS', 0) >> 20} MiB, VmHWM {memory.get('VmHWM', 0) >> 20} MiB"
        )
    print(f"load average at end: {load_average()} ({os.cpu_count()} cores)")
    return 1 if tally.errors or any(t.errors for t in huge_tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
