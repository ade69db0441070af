"""Score the measure alignment (``kb.compare.align``) against the hand-annotated pairs of ``tests/gold/alignment``.

    python bench/alignment.py                  # dev and test apart, one line per pair
    python bench/alignment.py --split dev --show    # the misses of each dev pair
    python bench/alignment.py --grid           # try the method's constants on the dev split (never on test)
    python bench/alignment.py --json

Both documents of a pair are read from the corpus and analysed by the extractor as a build would
(``kb.extract.pipeline.analyse``); each predicted measure is matched to a gold measure by place as
``bench/extraction.py`` does (``match_paths``), so the figures measure the alignment of what the extractor found:

* **pairing** precision = right pairs / predicted pairs whose two measures are gold measures; recall = right
  pairs / gold pairs whose two measures were extracted (``recall_all``: over every gold pair, extraction misses
  included). A pair is right when the gold pairs the same two measures (kept or changed alike).
* **kept vs changed**: accuracy of the relation on the right pairs.
* **unpaired**: precision/recall of "new or dropped" over the gold measures that were extracted.

Tune on ``--split dev`` only; ``--split test`` measures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: kb and the bench package of this checkout

from bench.extraction import match_paths, predicted_places  # noqa: E402
from kb.compare.align import DEFAULT, DROPPED, AlignParams, align_measures  # noqa: E402
from kb.extract.pipeline import analyse, load_extraction  # noqa: E402
from kb.model import Measure  # noqa: E402
from kb.readers import read  # noqa: E402

PAIRS = ROOT / "tests" / "gold" / "alignment" / "pairs"
CORPUS = Path(os.environ.get("POLICYKB_CORPUS") or ROOT.parent / "shared" / "corpus")


@dataclass
class Side:
    measures: list[Measure]
    gold_of: dict[str, tuple[str, ...]]  # predicted measure id -> gold path (matched ones only)
    gold_paths: list[tuple[str, ...]]


@dataclass
class Pair:
    name: str
    split: str
    relation: str
    a: Side
    b: Side
    gold: dict[tuple[tuple[str, ...], tuple[str, ...]], str]  # (path a, path b) -> kept|changed


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    gold_extracted: int = 0
    gold_all: int = 0
    relation_right: int = 0
    lone_tp: int = 0
    lone_predicted: int = 0
    lone_gold: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("tp", "predicted", "gold_extracted", "gold_all", "relation_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("lone_tp", "lone_predicted", "lone_gold"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float]:
        def ratio(x: int, y: int) -> float:
            return round(x / y, 3) if y else 1.0

        return {
            "precision": ratio(self.tp, self.predicted),
            "recall": ratio(self.tp, self.gold_extracted),
            "recall_all": ratio(self.tp, self.gold_all),
            "kept_vs_changed": ratio(self.relation_right, self.tp),
            "unpaired_precision": ratio(self.lone_tp, self.lone_predicted),
            "unpaired_recall": ratio(self.lone_tp, self.lone_gold),
            "pairs_gold": self.gold_all,
            "pairs_right": self.tp,
        }


def _key(path: list[str]) -> tuple[str, ...]:
    return tuple(path)


def load_side(relative: str, gold_paths: list[list[str]], extraction: Any) -> Side:
    dkb = analyse(read(CORPUS / relative), Path(relative).stem, relative, extraction)
    places = predicted_places(dkb.outline)
    pred = [places.get(m.clause_id, [m.number]) for m in dkb.measures]
    matched = match_paths(gold_paths, pred)
    gold_of = {dkb.measures[j].id: _key(gold_paths[i]) for i, j in matched}
    return Side(dkb.measures, gold_of, [_key(p) for p in gold_paths])


def load_pairs(split: str | None = None) -> list[Pair]:
    extraction = load_extraction()
    out = []
    for file in sorted(PAIRS.glob("*.toml")):
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        if split and data["split"] != split:
            continue
        if not (CORPUS / data["a"]).is_file() or not (CORPUS / data["b"]).is_file():
            continue
        paths_a = [p["a"] for p in data.get("pairs", [])] + [d["path"] for d in data.get("dropped", [])]
        paths_b = [p["b"] for p in data.get("pairs", [])] + [d["path"] for d in data.get("new", [])]
        gold = {(_key(p["a"]), _key(p["b"])): p["relation"] for p in data.get("pairs", [])}
        out.append(
            Pair(
                file.stem,
                data["split"],
                data["relation"],
                load_side(data["a"], paths_a, extraction),
                load_side(data["b"], paths_b, extraction),
                gold,
            )
        )
    return out


def score_pair(pair: Pair, params: AlignParams) -> Score:
    s = Score()
    rows = align_measures(pair.a.measures, pair.b.measures, params)
    ga, gb = pair.a.gold_of, pair.b.gold_of
    gold_paired_a = {a for a, _ in pair.gold}
    gold_paired_b = {b for _, b in pair.gold}
    extracted_a, extracted_b = set(ga.values()), set(gb.values())
    s.gold_all = len(pair.gold)
    s.gold_extracted = sum(1 for a, b in pair.gold if a in extracted_a and b in extracted_b)
    found = set()
    for row in rows:
        if row.a is not None and row.b is not None:
            if row.a not in ga or row.b not in gb:
                continue
            key = (ga[row.a], gb[row.b])
            s.predicted += 1
            if key in pair.gold:
                s.tp += 1
                found.add(key)
                if pair.gold[key] == row.relation:
                    s.relation_right += 1
                else:
                    s.misses.append(
                        f"relation {key}: gold {pair.gold[key]}, got {row.relation} ({row.score})"
                    )
            else:
                s.misses.append(f"wrong pair {key} ({row.score}: {' '.join(row.words[:4])})")
        else:
            side, ids, paired = (
                ("a", ga, gold_paired_a) if row.relation == DROPPED else ("b", gb, gold_paired_b)
            )
            measure = row.a if row.relation == DROPPED else row.b
            if measure in ids:
                s.lone_predicted += 1
                if ids[measure] not in paired:
                    s.lone_tp += 1
                else:
                    s.misses.append(f"left {row.relation} {side} {ids[measure]} ({row.score})")
    s.lone_gold = sum(1 for p in extracted_a if p not in gold_paired_a) + sum(
        1 for p in extracted_b if p not in gold_paired_b
    )
    for key in pair.gold:
        if key not in found and key[0] in extracted_a and key[1] in extracted_b:
            s.misses.append(f"missed pair {key} ({pair.gold[key]})")
    return s


def evaluate(pairs: list[Pair], params: AlignParams) -> tuple[Score, list[tuple[Pair, Score]]]:
    total = Score()
    each = []
    for pair in pairs:
        s = score_pair(pair, params)
        total.add(s)
        each.append((pair, s))
    return total, each


def grid(pairs: list[Pair]) -> list[tuple[float, AlignParams, dict[str, float]]]:
    out = []
    for pair_min, absorb, hw, pw in itertools.product(
        (0.08, 0.10, 0.12, 0.15, 0.18),
        (0.5, 0.6, 0.75, 0.9, 9.0),  # 9: never absorbs, every pair kept
        (1.0, 2.0, 3.0),
        (0.0, 1.0, 2.0),
    ):
        params = AlignParams(pair_min, absorb, hw, pw)
        figures = evaluate(pairs, params)[0].figures()
        f1 = 2 * figures["precision"] * figures["recall"] / ((figures["precision"] + figures["recall"]) or 1)
        out.append((round(f1 + 0.5 * figures["kept_vs_changed"], 4), params, figures))
    out.sort(key=lambda x: -x[0])
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--split", choices=["dev", "test"])
    parser.add_argument("--show", action="store_true", help="print each pair's misses")
    parser.add_argument("--grid", action="store_true", help="search the constants on the dev split")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.grid:
        pairs = load_pairs("dev")  # never the test split
        for f, params, figures in grid(pairs)[:15]:
            print(f, params, figures)
        return 0
    pairs = load_pairs(args.split)
    if not pairs:
        print(f"no alignment pairs found (corpus at {CORPUS})")
        return 1
    report: dict[str, Any] = {"params": DEFAULT.__dict__, "splits": {}}
    for split in ("dev", "test"):
        chosen = [p for p in pairs if p.split == split]
        if not chosen:
            continue
        total, each = evaluate(chosen, DEFAULT)
        report["splits"][split] = {
            "pairs": len(chosen),
            **total.figures(),
            "each": {p.name: s.figures() for p, s in each},
        }
        if args.json:
            continue
        print(f"\n{split} split: {len(chosen)} pairs of plans")
        print(f"{'pair':<48} {'rel':<9} {'P':>6} {'R':>6} {'R_all':>6} {'k/c':>6} {'n':>4}")
        for p, s in each:
            f = s.figures()
            print(
                f"{p.name:<48} {p.relation:<9} {f['precision']:>6.3f} {f['recall']:>6.3f} "
                f"{f['recall_all']:>6.3f} {f['kept_vs_changed']:>6.3f} {f['pairs_gold']:>4}"
            )
            if args.show:
                for miss in s.misses:
                    print("    ", miss)
        f = total.figures()
        print(
            f"{'all':<48} {'':<9} {f['precision']:>6.3f} {f['recall']:>6.3f} {f['recall_all']:>6.3f} "
            f"{f['kept_vs_changed']:>6.3f} {f['pairs_gold']:>4}"
        )
        print(f"unpaired (new/dropped): P {f['unpaired_precision']:.3f} R {f['unpaired_recall']:.3f}")
        baseline = evaluate(chosen, replace(DEFAULT, absorb_ratio=float("inf")))[0].figures()
        print(f"baseline, every pair kept: kept vs changed {baseline['kept_vs_changed']:.3f}")
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(f"\nconstants: {DEFAULT}; {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
