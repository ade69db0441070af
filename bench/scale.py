"""Where Whoosh stops: build time, index size and query latency at growing corpus sizes (docs/scaling.md).

Usage (from the project root):

    .venv/bin/python bench/scale.py --sizes 1000,10000 [--corpus ../shared/corpus] [--work /tmp/policykb-scale]

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated document counts")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykb-scale"))
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    queries = load_queries()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        docs, index = args.work / f"docs-{n}", args.work / f"index-{n}"
        prepare(corpus, docs, n)
        if index.exists():
            shutil.rmtree(index)
        print(f"== {n} documents: build (load average {load_average()})", flush=True)
        run = run_build(docs, index, args.work / "logs", f"build-{n}")
        print(f"   {run.summary}", flush=True)
        facts = generation_facts(index)
        lat = latency_summary(time_in_process(index, queries, TIMED_PASSES))
        cold = latency_summary(time_in_process(index, queries, 1, cache_postings=0))
        search_rss = proc_status(os.getpid()).get("VmHWM", 0)  # sizes run in ascending order
        from whoosh import index as whoosh_index

        ix = whoosh_index.open_dir(str(facts["generation"] / "whoosh"))
        hits, segments = ix.doc_count(), len(ix._segments())
        row = (
            f"| {facts['docs']:,} | {hits:,} | {facts['chars'] / 1e6:.0f} M | {run.wall:.0f} s "
            f"| {facts['docs'] / run.wall:.1f} | {facts['whoosh'] / MB:.0f} MiB | {facts['json'] / MB:.0f} MiB "
            f"| {run.tree_peak / MB:.0f} MiB | {segments} | {lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} ms "
            f"| {cold['p50']:.1f} / {cold['p95']:.1f} ms | {search_rss / MB:.0f} MiB | {load_average()} |"
        )
        print(row, flush=True)
        rows.append(row)
        shutil.rmtree(docs, ignore_errors=True)  # the copies; keep the index for later queries
    header = (
        f"\nscale run {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} cores, {cpu_model()}\n\n"
        "| documents | Whoosh hits | chars | full build | docs/s | Whoosh | JSON | build peak RSS (tree) "
        "| segments | in-process p50 / p95 / p99 | cache off p50 / p95 | search process peak RSS | load avg |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|\n"
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
