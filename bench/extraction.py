"""Score the extractor against the dev gold set (``tests/gold``): precision, recall and F1 per field and collection.

    python bench/extraction.py                 # the table
    python bench/extraction.py --json          # the figures as JSON (tests/test_gold.py pins floors on them)
    python bench/extraction.py --doc plans_dev/004_623c8c566d368881 --show   # one document's misses
    python bench/extraction.py --split test     # only the dev-test split (never tuned on); --split dev the rest

Every figure is reported for the split asked for (default: both, then each apart with ``--split``). Rules are
tuned on the dev split only; the dev-test split only measures.

How things are matched (the gold format is in ``tests/gold/README.md``):

* **meta**: title, agency, date, 文号 compared after folding widths and removing spaces and 《》; a field scores a
  true positive when both are equal, a false positive when we state a wrong or unneeded value, a false negative
  when the gold has one and we do not give it.
* **outline** and **measures**: by place. A predicted clause's path lists its ancestors' labels as written (an
  unnumbered heading or an attached document contributes its heading/title); dash bullets are not places. A gold
  path and a predicted one match when they have the same length and every element matches: labels after folding
  (（一）= (一), 第 1 0 条 = 第10条), headings and titles when one starts with the other (at least 4 characters).
* **targets** and **results**: a predicted target matches a gold one when their mentions overlap in the text and
  the values are equal; kind decides whether it counts as a target or a result. For matched pairs the unit,
  indicator (one contains the other), deadline and (for results) year are scored as accuracies.
* **links**: a gold link (target mention → measure path) is found when the matched target is firmly linked
  to the matched measure (inside it, confirmed, or a content score ≥ ``kb.extract.links.THRESHOLD``);
  ``links.weak`` scores the weak links (shown as 弱关联) on their own (its precision is what matters);
  ``links.linker`` the linker alone: recall over the gold links whose target and measure were both extracted.
* **categories**: for matched measures, the share of gold categories the extractor gives (recall) and the share
  of given categories that are gold (precision).

Only the fields a file lists in ``annotated`` are scored for it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: kb and the bench package of this checkout

from bench.gold import GoldDocument, load_all  # noqa: E402
from kb.extract.links import is_weak, score_target  # noqa: E402
from kb.extract.pipeline import Extraction, analyse, load_extraction  # noqa: E402
from kb.model import Clause, DocumentKB  # noqa: E402
from kb.readers import ReadError, read  # noqa: E402

META_FIELDS = ("title", "agency", "date", "doc_number")
SCORED = ("meta", "outline", "measures", "targets", "results", "links", "categories")


def norm(text: str) -> str:
    return (
        "".join(unicodedata.normalize("NFKC", text).split())
        .strip("《》")
        .replace("〔", "[")
        .replace("〕", "]")
    )


_LABEL_RE = re.compile(
    r"^(?:[一二三四五六七八九十百零〇两]+[、.]|[(（][一二三四五六七八九十百零〇两\d]+[)）]|\d+[.、．]?|[①-⑳]|第.{1,8}[编章节条部分]|附件\d*)$"
)


def is_label(element: str) -> bool:
    return bool(_LABEL_RE.match(norm(element)))


def elements_match(gold: str, pred: str) -> bool:
    g, p = norm(gold), norm(pred)
    if g == p:
        return True
    if is_label(g) or is_label(p):
        return False
    short = min(len(g), len(p))
    return short >= 4 and (g.startswith(p) or p.startswith(g))


def paths_match(gold: list[str], pred: list[str]) -> bool:
    return len(gold) == len(pred) and all(elements_match(g, p) for g, p in zip(gold, pred, strict=True))


def element_of(clause: Clause) -> str:
    """A clause's element of a place: its label, or for an unlabeled heading/attachment its heading."""
    if clause.label.strip():
        return clause.label.strip()
    return clause.heading.strip()


def predicted_places(outline: list[Clause]) -> dict[str, list[str]]:
    """Clause id -> place (list of elements), dash bullets left out."""
    places: dict[str, list[str]] = {}

    def visit(clause: Clause, trail: list[str]) -> None:
        if clause.style == "dash":
            return
        here = [*trail, element_of(clause)]
        places[clause.id] = here
        for child in clause.children:
            visit(child, here)

    for root in outline:
        visit(root, [])
    return places


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class DocScore:
    key: str
    collection: str
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    accuracy: dict[str, Accuracy] = field(default_factory=lambda: defaultdict(Accuracy))
    misses: list[str] = field(default_factory=list)
    error: str = ""


def match_paths(gold: list[list[str]], pred: list[list[str]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of gold paths to predicted paths (in order)."""
    used: set[int] = set()
    pairs = []
    by_len: dict[int, list[int]] = defaultdict(list)
    for j, p in enumerate(pred):
        by_len[len(p)].append(j)
    for i, g in enumerate(gold):
        for j in by_len[len(g)]:
            if j not in used and paths_match(g, pred[j]):
                used.add(j)
                pairs.append((i, j))
                break
    return pairs


def _find(text: str, mention: str) -> tuple[int, int]:
    """Span of ``mention`` in the body: verbatim, else with whitespace ignored (an HTML page's text)."""
    start = text.find(mention)
    if start >= 0:
        return start, start + len(mention)
    squeezed = "".join(mention.split())
    if not squeezed:
        return -1, -1
    pattern = r"\s*".join(re.escape(ch) for ch in squeezed)
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else (-1, -1)


def _link_miss_reason(
    dkb: DocumentKB, extraction: Extraction, target_id: str | None, measure_id: str | None
) -> str:
    """Why a gold link was not found: what was not extracted, else the pair's content score and rank."""
    if target_id is None or measure_id is None:
        return "target not extracted" if target_id is None else "measure not extracted"
    target = next(t for t in dkb.quantities if t.id == target_id)
    if target.is_result:
        return "target read as a result"
    scores = score_target(target, dkb.measures, extraction.taxonomy, extraction.concepts)
    j = next(k for k, m in enumerate(dkb.measures) if m.id == measure_id)
    ranked = sorted((s for s, _ in scores), reverse=True)
    return f"score {scores[j][0]:.2f}, rank {ranked.index(scores[j][0]) + 1}, best {ranked[0]:.2f}"


def score_document(gold: GoldDocument, extraction: Extraction) -> DocScore:
    score = DocScore(gold.source, gold.collection)
    try:
        raw = read(gold.text_path)
    except (ReadError, OSError) as exc:
        score.error = f"unreadable: {exc}"
        return score
    dkb: DocumentKB = analyse(raw, "gold", gold.source, extraction)
    text = dkb.document.text  # spans index the body; gold mentions are verbatim in it (or in the file)
    annotated = set(gold.annotated)
    c, a, misses = score.counts, score.accuracy, score.misses

    if "meta" in annotated:
        doc = dkb.document
        for key in META_FIELDS:
            want, got = norm(gold.meta.get(key, "")), norm(getattr(doc, key) or "")
            if key == "title" and doc.title_derived:
                got = ""  # a title derived from the text (marked as such) states nothing
            if want and got == want:
                c["meta"].tp += 1
                c[f"meta.{key}"].tp += 1
            else:
                if got:
                    c["meta"].fp += 1
                    c[f"meta.{key}"].fp += 1
                if want:
                    c["meta"].fn += 1
                    c[f"meta.{key}"].fn += 1
                if want or got:
                    misses.append(f"meta.{key}: gold {gold.meta.get(key, '')!r} got {getattr(doc, key)!r}")

    places = predicted_places(dkb.outline)
    pred_ids = list(places)
    pred_paths = [places[i] for i in pred_ids]
    if "outline" in annotated:
        gold_paths = [o["path"] for o in gold.outline]
        pairs = match_paths(gold_paths, pred_paths)
        c["outline"].tp += len(pairs)
        c["outline"].fp += len(pred_paths) - len(pairs)
        c["outline"].fn += len(gold_paths) - len(pairs)
        matched_gold = {i for i, _ in pairs}
        misses += [
            f"outline missed {gold_paths[i]}" for i in range(len(gold_paths)) if i not in matched_gold
        ][:15]
        matched_pred = {j for _, j in pairs}
        misses += [f"outline extra {pred_paths[j]}" for j in range(len(pred_paths)) if j not in matched_pred][
            :15
        ]

    measure_match: dict[int, str] = {}  # gold measure index -> predicted measure id
    if "measures" in annotated:
        gold_m = [m["path"] for m in gold.measures]
        pred_m = [places.get(m.clause_id, [m.number]) for m in dkb.measures]
        pairs = match_paths(gold_m, pred_m)
        c["measures"].tp += len(pairs)
        c["measures"].fp += len(pred_m) - len(pairs)
        c["measures"].fn += len(gold_m) - len(pairs)
        for i, j in pairs:
            measure_match[i] = dkb.measures[j].id
        matched_gold = {i for i, _ in pairs}
        misses += [f"measure missed {gold_m[i]}" for i in range(len(gold_m)) if i not in matched_gold][:15]
        matched_pred = {j for _, j in pairs}
        misses += [
            f"measure extra {pred_m[j]} {dkb.measures[j].headline[:20]}"
            for j in range(len(pred_m))
            if j not in matched_pred
        ][:15]
        for i, j in pairs:  # categories come with each annotated measure
            want = set(gold.measures[i].get("categories", []))
            got = set(dkb.measures[j].categories)
            if want:
                c["categories"].tp += len(want & got)
                c["categories"].fn += len(want - got)
                c["categories"].fp += len(got - want)

    target_match: dict[int, str] = {}
    if "targets" in annotated:
        predicted = list(dkb.quantities)
        used: set[int] = set()
        for kind in ("target", "result"):
            field_name = "targets" if kind == "target" else "results"
            golds = [(i, t) for i, t in enumerate(gold.targets) if t.get("kind", "target") == kind]
            for i, t in golds:
                span = _find(text, t["mention"])
                found = None
                for j, p in enumerate(predicted):
                    if j in used:
                        continue
                    s, e = p.mention_span
                    overlap = s < span[1] and span[0] < e
                    if overlap and abs(p.value - float(t["value"])) < 1e-6 * max(1.0, abs(p.value)):
                        found = j
                        break
                if found is None:
                    c[field_name].fn += 1
                    misses.append(f"{kind} missed {t['mention']!r} ({t['value']}{t['unit']})")
                    continue
                used.add(found)
                p = predicted[found]
                if p.kind != kind:
                    c[field_name].fn += 1
                    other = "results" if kind == "target" else "targets"
                    c[other].fp += 1
                    misses.append(f"{kind} read as {p.kind}: {t['mention']!r}")
                    continue
                c[field_name].tp += 1
                target_match[i] = p.id
                a["unit"].add(norm(p.unit) == norm(t["unit"]))
                gi, pi = norm(t.get("indicator", "")), norm(p.indicator)
                a["indicator"].add(bool(gi and pi) and (gi in pi or pi in gi))
                if kind == "target":
                    a["deadline"].add(p.deadline == t.get("deadline"))
                else:
                    a["year"].add(p.year == t.get("year"))
            # predictions of this kind left unmatched are false positives
        for j, p in enumerate(predicted):
            if j not in used:
                c["targets" if p.kind == "target" else "results"].fp += 1
                misses.append(f"{p.kind} extra {p.mention!r} ({p.value:g}{p.unit})")

    if "links" in annotated and "targets" in annotated and "measures" in annotated:
        mention_to_gold = {t["mention"]: i for i, t in enumerate(gold.targets)}
        path_to_gold = {tuple(m["path"]): i for i, m in enumerate(gold.measures)}
        gold_links = set()
        for link in gold.links:
            ti, mi = mention_to_gold.get(link["target"]), path_to_gold.get(tuple(link["measure"]))
            if ti is not None and mi is not None:
                gold_links.add((ti, mi))
        predicted_links = {(lk.target_id, lk.measure_id) for lk in dkb.links if not is_weak(lk)}
        weak_links = {(lk.target_id, lk.measure_id) for lk in dkb.links if is_weak(lk)}
        found_links = 0
        for ti, mi in gold_links:
            if (target_match.get(ti), measure_match.get(mi)) in predicted_links:
                found_links += 1
            else:
                why = _link_miss_reason(dkb, extraction, target_match.get(ti), measure_match.get(mi))
                misses.append(
                    f"link missed {gold.targets[ti]['mention']!r} -> {gold.measures[mi]['path']} ({why})"
                )
        matched_targets = set(target_match.values())
        own = {(t, m) for t, m in predicted_links if t in matched_targets}
        gold_pairs = {(target_match.get(ti), measure_match.get(mi)) for ti, mi in gold_links}
        mentions = {t.id: t.mention for t in dkb.quantities}
        headlines = {m.id: m.headline[:20] for m in dkb.measures}
        scores = {(lk.target_id, lk.measure_id): lk.score for lk in dkb.links}
        misses += [
            f"link extra {mentions[t]!r} -> {headlines.get(m, m)!r} (score {scores[t, m]:.2f})"
            for t, m in sorted(own - gold_pairs)
        ]
        c["links"].tp += found_links
        c["links"].fn += len(gold_links) - found_links
        c["links"].fp += max(0, len(own) - found_links)
        # the linker alone: gold links whose target and measure were both extracted (``links`` also counts as
        # missed every gold link whose target or measure the extractor did not find)
        reachable = [
            (ti, mi)
            for ti, mi in gold_links
            if target_match.get(ti) is not None and measure_match.get(mi) is not None
        ]
        c["links.linker"].tp += found_links
        c["links.linker"].fn += len(reachable) - found_links
        c["links.linker"].fp += max(0, len(own) - found_links)
        # weak links (shown as 弱关联) on their own: how many of them a careful reader accepts
        weak_own = {(t, m) for t, m in weak_links if t in matched_targets}
        c["links.weak"].tp += len(weak_own & gold_pairs)
        c["links.weak"].fp += len(weak_own - gold_pairs)
    return score


def summarise(scores: list[DocScore]) -> dict[str, Any]:
    total: dict[str, Counts] = defaultdict(Counts)
    per_collection: dict[str, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))
    accuracy: dict[str, Accuracy] = defaultdict(Accuracy)
    for s in scores:
        for name, counts in s.counts.items():
            total[name].add(counts)
            per_collection[s.collection][name].add(counts)
        for name, acc in s.accuracy.items():
            accuracy[name].right += acc.right
            accuracy[name].total += acc.total

    def figures(counts: dict[str, Counts]) -> dict[str, dict[str, float]]:
        return {
            name: {
                "p": round(c.precision, 3),
                "r": round(c.recall, 3),
                "f1": round(c.f1, 3),
                "n": c.tp + c.fn,
            }
            for name, c in sorted(counts.items())
        }

    return {
        "documents": len(scores),
        "errors": [f"{s.key}: {s.error}" for s in scores if s.error],
        "total": figures(total),
        "accuracy": {k: {"value": round(v.value, 3), "n": v.total} for k, v in sorted(accuracy.items())},
        "collections": {name: figures(c) for name, c in sorted(per_collection.items())},
    }


def run(selected: str | None = None, split: str | None = None) -> tuple[dict[str, Any], list[DocScore]]:
    """Score the gold documents (those whose source contains ``selected``; of ``split`` "dev"/"test" only)."""
    extraction = load_extraction()
    docs = [g for g in load_all() if g.text_path.exists()]
    if selected:
        docs = [g for g in docs if selected in g.source]
    if split:
        docs = [g for g in docs if g.split == split]
    scores = [score_document(g, extraction) for g in docs]
    return summarise(scores), scores


def print_table(summary: dict[str, Any], split: str | None = None) -> None:
    print(f"dev gold set{f' ({split} split)' if split else ''}: {summary['documents']} documents")
    print(f"{'field':<18} {'P':>6} {'R':>6} {'F1':>6} {'n':>6}")
    for name, f in summary["total"].items():
        print(f"{name:<18} {f['p']:>6.3f} {f['r']:>6.3f} {f['f1']:>6.3f} {f['n']:>6}")
    print("\naccuracy on matched targets/results:")
    for name, f in summary["accuracy"].items():
        print(f"  {name:<12} {f['value']:.3f} (n={f['n']})")
    print("\nper collection (F1; P/R):")
    names = [n for n in SCORED if any(n in c for c in summary["collections"].values())]
    print(f"{'collection':<26}" + "".join(f"{n:>20}" for n in names))
    for coll, figs in summary["collections"].items():
        cells = []
        for n in names:
            f = figs.get(n)
            cells.append(f"{f['f1']:.2f} ({f['p']:.2f}/{f['r']:.2f})" if f else "—")
        print(f"{coll:<26}" + "".join(f"{c:>20}" for c in cells))
    for error in summary["errors"]:
        print("error:", error)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--doc", help="only gold files whose source contains this")
    parser.add_argument("--show", action="store_true", help="print each document's misses")
    parser.add_argument("--split", choices=["dev", "test"], help="only this split of the gold set")
    args = parser.parse_args(argv)
    started = time.monotonic()
    summary, scores = run(args.doc, args.split)
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print_table(summary, args.split)
    if args.show:
        for s in scores:
            print(f"\n== {s.key}")
            for miss in s.misses:
                print("  ", miss)
    print(f"\n({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
