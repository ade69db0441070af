"""Counts of the corpus per collection: documents, measures, targets, results — and where the targets sit.

    python bench/corpus_counts.py --documents /work/shared/corpus           # analyse every file (no index)
    .venv/bin/policykb build --documents /work/shared/corpus --index /tmp/extract-index
    python bench/corpus_counts.py --index /tmp/extract-index                # or read a built catalog
    python bench/corpus_counts.py ... --json > after.json                   # the figures as JSON
    python bench/corpus_counts.py --compare before.json after.json          # before → after, side by side

``--documents`` runs the current checkout's reader and extractor over every file (two processes; several
minutes for the whole corpus) — so a copy of this script in an older checkout (``git archive``) measures that
checkout the same way. The collection of a document is the first folder of its path under the documents folder.

**Targets in review sections** (issue 21): a quantity sits in a review section when the top-level clause that
holds it is headed as a review (回顾, 成就, 成绩, 过去…年, 一年来, 五年来, 工作总结) and not as a plan (目标, 任务,
安排, 重点工作, 建议, 部署). The share of a collection's *targets* that sit there measures how many past results
still pass for goals; ``--review-collection`` (default ``gwr_provincial_2026``, the 31 provincial reports of 2026)
is the collection reported. The heading test is this script's own, independent of the extractor's rules.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REVIEW_HEADING = re.compile(r"回顾|成就|成绩|过去[一二三四五两\d]*年|一年来|五年来|工作总结")
PLAN_HEADING = re.compile(r"目标|任务|安排|重点工作|建议|部署")
SUFFIXES = {".txt", ".html", ".htm", ".md", ".docx", ".pdf", ".ofd"}


def is_review_heading(heading: str) -> bool:
    """A top-level heading that names a review of past work ("一、2025年工作回顾"), not a plan."""
    return bool(REVIEW_HEADING.search(heading)) and not PLAN_HEADING.search(heading)


def collection_of(source: str) -> str:
    source = source.replace("\\", "/")
    return source.split("/", 1)[0] if "/" in source else "(top)"


def _record(collection: str, dkb: Any) -> dict[str, Any]:
    """What one document adds to the counts."""
    from kb.ids import ancestor_clause_ids

    review_roots = {root.id for root in dkb.outline if is_review_heading(root.heading)}
    record: Counter[str] = Counter(documents=1, measures=len(dkb.measures))
    for q in dkb.quantities:
        record[q.kind + "s"] += 1
        chain = ancestor_clause_ids(q.clause_id) if q.clause_id else []
        if chain and chain[0] in review_roots:
            record[q.kind + "s_in_review"] += 1
    return {"collection": collection, **record}


def _analyse_one(args: tuple[str, str]) -> dict[str, Any] | None:
    from kb.extract.pipeline import analyse, document_id, load_extraction
    from kb.readers import ReadError, read

    path, relative = args
    global _EXTRACTION
    if _EXTRACTION is None:
        _EXTRACTION = load_extraction()
    try:
        raw = read(Path(path))
    except (ReadError, OSError, ValueError):
        return None
    dkb = analyse(raw, document_id(relative), relative, _EXTRACTION)
    return _record(collection_of(relative), dkb)


_EXTRACTION: Any = None


def records_from_documents(folder: Path, processes: int = 2) -> Iterator[dict[str, Any]]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    jobs = [(str(p), p.relative_to(folder).as_posix()) for p in files]
    with get_context("fork").Pool(processes) as pool:
        for record in pool.imap_unordered(_analyse_one, jobs, chunksize=8):
            if record is not None:
                yield record


def records_from_index(index: Path) -> Iterator[dict[str, Any]]:
    from kb.store.knowledge import KnowledgeBase

    kb = KnowledgeBase.open(index)
    for doc in kb.documents():
        dkb = kb.document_kb(doc.id)
        if dkb is not None:
            yield _record(collection_of(doc.source), dkb)


def summarise(records: Iterable[dict[str, Any]], source: str, review_collection: str) -> dict[str, Any]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        table[record["collection"]].update({k: v for k, v in record.items() if k != "collection"})
    total: Counter[str] = Counter()
    for c in table.values():
        total.update(c)
    review = table.get(review_collection, Counter())
    targets = review["targets"]
    return {
        "source": source,
        "collections": {name: dict(c) for name, c in sorted(table.items())},
        "total": dict(total),
        "review": {
            "collection": review_collection,
            "documents": review["documents"],
            "targets": targets,
            "targets_in_review": review["targets_in_review"],
            "results": review["results"],
            "results_in_review": review["results_in_review"],
            "share_of_targets_in_review": round(review["targets_in_review"] / targets, 3) if targets else 0.0,
        },
    }


def _row(name: str, c: dict[str, int]) -> str:
    return (
        f"{name:<26}{c.get('documents', 0):>7}{c.get('measures', 0):>10}{c.get('targets', 0):>9}"
        f"{c.get('results', 0):>9}"
    )


def _review_line(r: dict[str, Any]) -> str:
    return (
        f"{r['targets_in_review']}/{r['targets']} targets in review sections "
        f"({r['share_of_targets_in_review']:.1%}); {r['results_in_review']}/{r['results']} results"
    )


def print_table(figures: dict[str, Any]) -> None:
    print(f"source: {figures['source']}")
    print(f"{'collection':<26}{'docs':>7}{'measures':>10}{'targets':>9}{'results':>9}")
    for name, c in figures["collections"].items():
        print(_row(name, c))
    print(_row("total", figures["total"]))
    r = figures["review"]
    print(f"\n{r['collection']} ({r['documents']} documents): {_review_line(r)}")


def print_comparison(before: dict[str, Any], after: dict[str, Any]) -> None:
    print(f"before: {before['source']}\nafter:  {after['source']}")
    print(f"{'collection':<26}{'measures':>18}{'targets':>18}{'results':>18}")
    names = sorted(set(before["collections"]) | set(after["collections"]))
    for name in [*names, "total"]:
        b = before["total"] if name == "total" else before["collections"].get(name, {})
        a = after["total"] if name == "total" else after["collections"].get(name, {})
        cells = [f"{b.get(k, 0)} → {a.get(k, 0)}" for k in ("measures", "targets", "results")]
        print(f"{name:<26}" + "".join(f"{c:>18}" for c in cells))
    print(f"\n{after['review']['collection']}:")
    print(f"  before: {_review_line(before['review'])}")
    print(f"  after:  {_review_line(after['review'])}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--documents", type=Path, help="analyse every file of this folder")
    source.add_argument("--index", type=Path, help="read a built index folder's catalog")
    source.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE.json", "AFTER.json"))
    parser.add_argument("--review-collection", default="gwr_provincial_2026")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        print_comparison(before, after)
        return 0
    started = time.monotonic()
    if args.documents is not None:
        records = records_from_documents(args.documents, args.processes)
        figures = summarise(records, f"analysed {args.documents} ({ROOT})", args.review_collection)
    else:
        figures = summarise(records_from_index(args.index), f"index {args.index}", args.review_collection)
    if args.json:
        json.dump(figures, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_table(figures)
        print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
