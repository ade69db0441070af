"""Indicator series: what the Hailar and national reports give, and what the series cost the build (figures only).

Usage (from the project root):

    .venv/bin/python bench/indicators.py [--corpus ../shared/corpus] [--work /tmp/policykb-indicators]
                                         [--index DIR_OF_A_FULL_BUILD]

1. Builds two indexes from copies of ``gwr_county_hailar`` (海拉尔区 2012–2019) and ``gwr_national`` (国务院
   1954–2025 and the NPC resolutions) and prints each build's phases: the ``indicators`` phase is the series step.
2. For each: series, targets and results grouped, the share of targets whose year found a result (and was judged),
   met / missed / not comparable, conflicts, and the year-by-year table of the GDP growth series.
3. With ``--index`` (a generation built from the whole corpus, e.g. by bench/run.py): the time to decode the
   catalog and compute every series, and the size of indicators.json — the cost on the full build.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.build import build  # noqa: E402
from kb.extract.indicators import Series, build_indicators, indicators_to_dict, load_indicator_config  # noqa: E402
from kb.store.codec import document_from_dict, quantity_from_dict  # noqa: E402
from kb.store.generations import current_generation, read_json  # noqa: E402
from kb.store.knowledge import KnowledgeBase  # noqa: E402
from kb.text.units import load_units  # noqa: E402


def log(msg: str = "") -> None:
    print(msg, flush=True)


def copy_collection(source: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    return dest


def gdp_growth(kb: KnowledgeBase, region: str) -> Series | None:
    return next(
        (
            s
            for s in kb.indicator_series(region)
            if s.dimension == "growth" and s.name in ("地区生产总值", "国内生产总值")
        ),
        None,
    )


def figures(name: str, kb: KnowledgeBase, region: str, seconds: float, phases: dict[str, float]) -> None:
    status = kb.indicator_status()
    series = kb.indicator_series(region)
    targets = sum(s.summary()["targets"] for s in series)
    results = sum(s.summary()["results"] for s in series)
    with_result = sum(s.summary()["targets_with_result"] for s in series)
    met = sum(s.summary()["met"] for s in series)
    missed = sum(s.summary()["missed"] for s in series)
    na = sum(s.summary()["not_comparable"] for s in series)
    conflicts = sum(s.summary()["conflicts"] for s in series)
    share = f"{with_result / targets:.0%}" if targets else "—"
    log(f"## {name} ({region})")
    log()
    log("| figure | measured |")
    log("|---|---:|")
    log(f"| build (wall) | {seconds:.1f} s |")
    log(f"| build phases | {' · '.join(f'{k} {v:.2f} s' for k, v in phases.items())} |")
    log(f"| targets / results in the catalog | {status.get('targets', 0)} / {status.get('results', 0)} |")
    log(f"| series ({region}) / compared | {len(series)} / {sum(1 for s in series if s.compared)} |")
    log(f"| targets / results in series | {targets} / {results} |")
    log(f"| targets whose year found a result | {with_result} of {targets} ({share}) |")
    log(f"| judged: met / missed / not comparable | {met} / {missed} / {na} |")
    log(f"| years with conflicting targets | {conflicts} |")
    skipped = {k: v for k, v in status.items() if k.startswith("skipped_")}
    log(f"| left out (no indicator / region / year) | {skipped} |")
    log()
    gdp = gdp_growth(kb, region)
    if gdp is None:
        return
    judged = {a.year: a for a in gdp.attainment}
    log(f"{gdp.title}: {len(gdp.targets())} targets, {len(gdp.results())} results")
    log()
    log("| year | target | result | attained |")
    log("|---|---|---|---|")
    years = sorted({p.year for p in gdp.points})
    for year in years[-30:]:
        tgt = "；".join(p.mention for p in gdp.targets() if p.year == year) or "—"
        res = "；".join(p.mention for p in gdp.results() if p.year == year) or "—"
        state = (
            {True: "met", False: "missed", None: "not comparable"}[judged[year].attained]
            if year in judged
            else ""
        )
        log(f"| {year} | {tgt} | {res} | {state} |")
    log()


def build_and_report(name: str, source: Path, work: Path, region: str) -> None:
    docs = copy_collection(source, work / source.name / "documents")
    index = work / source.name / "index"
    if index.exists():
        shutil.rmtree(index)
    started = time.monotonic()
    report = build([docs], index, procs=2, quiet=True)
    seconds = time.monotonic() - started
    figures(name, KnowledgeBase.open(index), region, seconds, report.phases)


def full_corpus_cost(index: Path) -> None:
    generation = current_generation(index)
    if generation is None:
        log(f"no generation under {index}")
        return
    started = time.monotonic()
    catalog = read_json(generation / "catalog.json")
    read = time.monotonic() - started
    started = time.monotonic()
    documents = [
        document_from_dict({k: v for k, v in d.items() if k not in ("counts", "references")} | {"text": ""})
        for d in catalog["documents"]
    ]
    targets = [quantity_from_dict(t) for t in catalog["targets"]]
    decode = time.monotonic() - started
    started = time.monotonic()
    config, units = load_indicator_config(), load_units()
    indicators = build_indicators(documents, targets, config, units)
    compute = time.monotonic() - started
    started = time.monotonic()
    text = json.dumps(indicators_to_dict(indicators), ensure_ascii=False, separators=(",", ":"))
    encode = time.monotonic() - started
    meta = read_json(generation / "meta.json")
    log(f"## Whole corpus ({generation})")
    log()
    log("| figure | measured |")
    log("|---|---:|")
    log(f"| documents / targets | {len(documents)} / {len(targets)} |")
    log(
        f"| series / compared | {len(indicators.series)} / {sum(1 for s in indicators.series if s.compared)} |"
    )
    log(
        f"| decode targets / compute series / encode JSON | {decode:.2f} s / {compute:.2f} s / {encode:.2f} s |"
    )
    log(f"| (reading catalog.json, done by the build anyway) | {read:.2f} s |")
    log(f"| indicators.json | {len(text.encode('utf-8')) / 2**20:.1f} MiB |")
    log(f"| regions | {len({s.region for s in indicators.series})} |")
    if "stats" in meta:
        log(f"| build stats of that generation | {meta['stats']} |")
    log()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykb-indicators"))
    parser.add_argument("--index", type=Path, help="index folder of a whole-corpus build")
    parser.add_argument("--skip-builds", action="store_true", help="only the --index measurement")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.skip_builds:
        build_and_report(
            "海拉尔区政府工作报告 2012–2019", args.corpus / "gwr_county_hailar", args.work, "海拉尔区"
        )
        build_and_report("国务院政府工作报告 1954–2025", args.corpus / "gwr_national", args.work, "全国")
    if args.index:
        full_corpus_cost(args.index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
