"""Validity on the shared corpus: how many documents get a 效力级别, a 施行日期, a last day in force, and which status.

    python bench/validity.py                 # counts per collection and level, statuses for today
    python bench/validity.py --show 8        # and up to 8 examples of each level and of each date rule
    python bench/validity.py --today 2026-12-07

Reads every document of ``../shared/corpus`` (``$POLICYKB_CORPUS``) through the readers and
``kb.extract.pipeline.make_document`` (no index needed). The status here is the document's own: what its text
and source say (the knowledge base adds what other documents say: abolitions, later versions).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.extract.pipeline import make_document  # noqa: E402
from kb.extract.validity import LEVELS, law_status, status_on  # noqa: E402
from kb.readers import ReadError, read  # noqa: E402

CORPUS = Path(os.environ.get("POLICYKB_CORPUS", ROOT.parent / "shared" / "corpus"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--show", type=int, default=0, help="examples per level and rule")
    parser.add_argument("--today", default="", help="the day statuses are computed for (default: today)")
    args = parser.parse_args(argv)
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    started = time.monotonic()
    paths = sorted(p for p in CORPUS.glob("*/*") if p.suffix in (".txt", ".md", ".html"))
    per: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    failed = 0
    for path in paths:
        collection = path.parent.name
        try:
            raw = read(path)
        except (ReadError, OSError):
            failed += 1
            continue
        doc = make_document(raw, path.stem, f"{collection}/{path.name}")
        v = doc.validity
        stated = law_status(doc.status, doc.history, doc.date).status
        status, _ = status_on(v, stated, today)
        c = per[collection]
        c["documents"] += 1
        c["level"] += bool(v.level)
        c["from"] += bool(v.in_force_from)
        c["until"] += bool(v.in_force_until)
        c[f"level:{v.level or '—'}"] += 1
        c[f"status:{status}"] += 1
        if args.show:
            key = f"level {v.level or '—'}"
            if len(examples[key]) < args.show:
                examples[key].append(f"{doc.title[:40]} | {doc.agency[:20]} | {doc.genre} | {v.level_basis}")
            for name, words in (("from", v.from_basis), ("until", v.until_basis)):
                if words and len(examples[name]) < args.show:
                    examples[name].append(f"{doc.title[:40]} | {words} → {getattr(v, 'in_force_' + name)}")
    total: Counter[str] = Counter()
    print(f"{'collection':<26} {'docs':>6} {'level':>6} {'from':>6} {'until':>6}")
    for collection, c in sorted(per.items()):
        total.update(c)
        print(f"{collection:<26} {c['documents']:>6} {c['level']:>6} {c['from']:>6} {c['until']:>6}")
    print(f"{'all':<26} {total['documents']:>6} {total['level']:>6} {total['from']:>6} {total['until']:>6}")
    print(
        "\nlevels:",
        ", ".join(f"{lv} {total[f'level:{lv}']}" for lv in (*LEVELS, "—") if total[f"level:{lv}"]),
    )
    statuses = sorted((k.split(":", 1)[1], n) for k, n in total.items() if k.startswith("status:"))
    print(f"statuses on {today}:", ", ".join(f"{s} {n}" for s, n in statuses))
    if failed:
        print(f"unreadable: {failed}")
    for key, lines in examples.items():
        print(f"\n== {key}")
        for line in lines:
            print("  ", line)
    print(f"\n({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
