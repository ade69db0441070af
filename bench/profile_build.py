"""Profile a build on a sample of the corpus, in one process: where the build's CPU goes.

``policykb build`` with ``--procs 1`` analyses in the build process and writes the Whoosh index with one
segment writer (no forked workers, no index sub-writers), so one ``cProfile`` sees every step: reading,
extraction, JSON, the hits and their analysis, Whoosh's commit. The sample is drawn from every collection of
the corpus (each collection's files in name order, every k-th), read in place; the build writes only to
``--index`` (a temporary directory by default). Prints figures, never pass/fail.

```sh
.venv/bin/python bench/profile_build.py --sample 300 --profile /tmp/build.prof          # cProfile, top costs
.venv/bin/python bench/profile_build.py --sample 300                                    # no profiler: CPU + wall
.venv/bin/python bench/profile_build.py --collections plans_dev,gwr_national --procs 2  # some collections
```
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.build import run as build_run  # noqa: E402
from kb.build.scan import SourceFile  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
# The plans-and-reports collections of issue 27 (the rest of the corpus is laws and two samples).
PLANS_AND_REPORTS = (
    "gov_cn_2019_html",
    "gwr_provincial_2026",
    "gwr_county_hailar",
    "gwr_national",
    "jiangxi_gov_docs_2019",
    "plans_dev",
    "state_council_gccmpd",
)


def collection(file: SourceFile) -> str:
    """The corpus collection of a file: its first folder under the corpus ("" for files at the top)."""
    parts = Path(file.relative).parts
    return parts[0] if len(parts) > 1 else ""


def sample(files: list[SourceFile], size: int, collections: set[str] | None) -> list[SourceFile]:
    """Every k-th file of each collection (in name order), each collection its share of ``size`` but at
    least 10 files (or all it has); ``size`` 0 keeps every file of the chosen collections."""
    chosen = [f for f in files if collections is None or collection(f) in collections]
    if size <= 0 or size >= len(chosen):
        return chosen
    groups: dict[str, list[SourceFile]] = {}
    for file in chosen:
        groups.setdefault(collection(file), []).append(file)
    floor = {name: min(len(group), 10) for name, group in groups.items()}
    rest = max(0, size - sum(floor.values()))
    big = sum(len(g) - floor[n] for n, g in groups.items()) or 1
    picked: list[SourceFile] = []
    for name, group in sorted(groups.items()):
        n = min(len(group), floor[name] + round(rest * (len(group) - floor[name]) / big))
        step = len(group) / n
        picked.extend(group[int(i * step)] for i in range(n))
    return picked


def cpu_seconds() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "user": own.ru_utime + children.ru_utime,
        "sys": own.ru_stime + children.ru_stime,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--sample", type=int, default=300, help="files (0: every file of the collections)")
    parser.add_argument("--collections", default="", help="comma-separated; 'plans' = the plans and reports")
    parser.add_argument("--index", type=Path, default=None, help="default: a temporary directory")
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile here (one process only)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)

    names = args.collections.replace("plans", ",".join(PLANS_AND_REPORTS)) if args.collections else ""
    wanted = {n for n in names.split(",") if n} or None
    original_scan = build_run.scan

    def sampled_scan(folders: Any) -> Any:
        files, refused = original_scan(folders)
        return sample(files, args.sample, wanted), refused

    build_run.scan = sampled_scan  # type: ignore[assignment]
    index = args.index or Path(tempfile.mkdtemp(prefix="policykb-profile-"))
    profiler = cProfile.Profile() if args.profile else None
    before, started = cpu_seconds(), time.monotonic()
    if profiler is not None:
        profiler.enable()
    report = build_run.build([args.corpus], index, procs=args.procs, quiet=True, force=True)
    if profiler is not None:
        profiler.disable()
    wall, after = time.monotonic() - started, cpu_seconds()
    cpu = {k: after[k] - before[k] for k in after}
    phases = " · ".join(f"{k} {v:.1f} s" for k, v in report.phases.items())
    print(f"index: {index}")
    print(
        f"documents: {report.added + report.changed} analysed, {len(report.rejected)} rejected; {report.chars:,} chars"
    )
    print(f"wall {wall:.1f} s; CPU user {cpu['user']:.1f} s + sys {cpu['sys']:.1f} s (process tree)")
    print(f"phases: {phases}")
    if profiler is not None:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(str(args.profile))
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
