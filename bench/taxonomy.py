"""Measure the taxonomy's keywords and categories on the shared corpus and the dev gold set; fit its weights.

    python bench/taxonomy.py                       # every keyword: corpus document frequency, gold support, precision
    python bench/taxonomy.py --summary             # per category: recall and precision of the gold categories
    python bench/taxonomy.py --summary --split test   # the same on the dev-test split only (never tuned on)
    python bench/taxonomy.py --fit                 # fit [weights], bias, threshold on the dev split; print them

* **document frequency**: in how many documents of ``../shared/corpus`` (and the seed) the keyword occurs; a
  keyword found in fewer than two documents is a rule for one document (flagged ``ONE-DOC``).
* **support / precision**: among the dev gold set's annotated measures that contain the keyword, how many, and
  the share whose gold categories include the keyword's category (flagged ``LOW`` below 0.4 with support ≥ 5).
* **recall per category**: of the gold measures annotated with a category, the share the classifier puts in it;
  **precision**: of the measures the classifier puts in it, the share the gold puts there too.
* **--fit**: logistic regression of "the gold gives this category" on the features of ``Taxonomy.features``
  (every category with any evidence for a matched measure of the **dev split**; the dev-test split is never used),
  then the threshold and ``min_confidence`` that maximise F1 at a precision of at least ``--precision`` on dev.
  Paste the printed lines into ``kb/data/taxonomy.toml``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: kb and the bench package of this checkout

import numpy as np  # noqa: E402

from bench.extraction import match_paths, predicted_places  # noqa: E402
from bench.gold import CORPUS, SEEDS, GoldDocument, load_all  # noqa: E402
from kb.extract.pipeline import analyse, document_subject, load_extraction  # noqa: E402
from kb.extract.taxonomy import FEATURES, Subject, Taxonomy  # noqa: E402
from kb.model import Measure  # noqa: E402
from kb.readers import ReadError, read  # noqa: E402
from kb.text.normalize import fold  # noqa: E402


def corpus_texts() -> list[str]:
    paths = sorted(CORPUS.glob("*/*"))
    paths += sorted(SEEDS.glob("*.txt"))
    out = []
    for path in paths:
        if path.suffix in (".txt", ".md", ".html"):
            out.append(fold(path.read_text(encoding="utf-8", errors="replace")))
    return out


def annotated_measures(split: str | None = None) -> Iterator[tuple[GoldDocument, set[str], Measure, Subject]]:
    """(gold document, its gold categories, the extracted measure, its document's subject) of every annotated
    measure of ``split`` that the extractor found too and the gold gives categories."""
    extraction = load_extraction()
    for gold in load_all():
        if "measures" not in gold.annotated or not gold.text_path.exists():
            continue
        if split and gold.split != split:
            continue
        try:
            raw = read(gold.text_path)
        except ReadError:
            continue
        dkb = analyse(raw, "g", gold.source, extraction)
        subject = document_subject(dkb.document, dkb.measures, extraction.taxonomy)
        places = predicted_places(dkb.outline)
        pred = [places.get(m.clause_id, [m.number]) for m in dkb.measures]
        for i, j in match_paths([m["path"] for m in gold.measures], pred):
            cats = set(gold.measures[i].get("categories", []))
            if cats:
                yield gold, cats, dkb.measures[j], subject


def matched_measures(split: str | None = None) -> list[tuple[Measure, set[str], Subject]]:
    """(measure, gold categories, its document's subject) of every matched annotated measure of ``split``."""
    return [(m, cats, subject) for _, cats, m, subject in annotated_measures(split)]


def gold_measures(split: str | None = None) -> list[tuple[str, str, set[str], list[str]]]:
    """(text, headline, gold categories, predicted categories) of every matched annotated measure."""
    return [
        (fold(m.text), fold(m.headline), cats, m.categories) for _, cats, m, _ in annotated_measures(split)
    ]


def _examples(
    taxonomy: Taxonomy, rows: list[tuple[Measure, set[str], Subject]]
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """One row per (measure, candidate category): the features, whether the gold gives it, and the measure's index;
    gold categories without any evidence are left out (no weight can find them)."""
    x, y, owner = [], [], []
    for k, (m, cats, subject) in enumerate(rows):
        values, _ = taxonomy.features(m.headline, m.text, m.path[:-1], subject)
        for name, v in values.items():
            x.append([v[f] for f in FEATURES])
            y.append(1.0 if name in cats else 0.0)
            owner.append(k)
    return np.array(x), np.array(y), owner


def fit(taxonomy: Taxonomy, min_precision: float, l2: float = 0.01) -> dict[str, float]:
    """Weights, bias, threshold and min_confidence fitted on the dev split (see the module docstring)."""
    rows = matched_measures("dev")
    x, y, owner = _examples(taxonomy, rows)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(4000):  # gradient descent on the mean log loss + L2
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = p - y
        w -= 0.5 * (x.T @ g / len(y) + l2 * w)
        b -= 0.5 * float(g.mean())
    p = 1 / (1 + np.exp(-(x @ w + b)))
    gold_total = sum(len(cats) for _, cats, _ in rows)
    groups: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for i, k in enumerate(owner):
        groups[k].append((float(p[i]), float(y[i])))
    ranked = [sorted(pairs, reverse=True) for pairs in groups.values()]
    ranked += [[(0.0, 0.0)]] * (len(rows) - len(ranked))  # measures without any candidate: the fallback
    best: tuple[float, float, float, float, float] = (-1.0, 0.5, 0.5, 0.0, 0.0)
    for threshold in np.arange(0.2, 0.9, 0.02):
        for floor in np.arange(0.05, threshold + 0.01, 0.05):
            given = right = 0
            for mine in ranked:
                kept = [yy for pp, yy in mine if pp >= threshold][: taxonomy.max_categories]
                if not kept and mine[0][0] >= floor:
                    kept = [mine[0][1]]
                given += max(1, len(kept))  # nothing kept: the fallback (其他), never a gold category
                right += int(sum(kept))
            precision, recall = right / max(1, given), right / max(1, gold_total)
            f1 = 2 * precision * recall / max(1e-9, precision + recall)
            if precision >= min_precision and f1 > best[0]:
                best = (f1, float(threshold), float(floor), precision, recall)
    print(
        f"dev: {len(rows)} measures, {len(y)} candidate pairs; best F1 {best[0]:.3f} (P {best[3]:.3f} R {best[4]:.3f})"
    )
    out = {f: round(float(v), 3) for f, v in zip(FEATURES, w, strict=True)}
    out.update(bias=round(float(b), 3), threshold=round(best[1], 2), min_confidence=round(best[2], 2))
    return out


def per_category(taxonomy: Taxonomy, split: str | None) -> None:
    """Recall and precision of each category (and overall) on the matched measures of ``split``."""
    rows = matched_measures(split)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for m, gold_cats, _ in rows:
        for name in gold_cats:
            per[name]["gold"] += 1
            per[name]["found"] += name in m.categories
        for name in m.categories:
            per[name]["given"] += 1
            per[name]["right"] += name in gold_cats
    print(f"{split or 'all'} split: {len(rows)} matched measures")
    print(f"{'category':<14} {'gold':>5} {'recall':>7} {'given':>6} {'precision':>9}")
    total: Counter[str] = Counter()
    for name in taxonomy.names:
        c = per[name]
        total.update(c)
        if not (c["gold"] or c["given"]):
            continue
        recall = f"{c['found'] / c['gold']:.2f}" if c["gold"] else "—"
        precision = f"{c['right'] / c['given']:.2f}" if c["given"] else "—"
        print(f"{name:<14} {c['gold']:>5} {recall:>7} {c['given']:>6} {precision:>9}")
    print(
        f"{'all':<14} {total['gold']:>5} {total['found'] / max(1, total['gold']):>7.3f} {total['given']:>6} "
        f"{total['right'] / max(1, total['given']):>9.3f}"
    )
    other = sum(1 for m, _, _ in rows if m.categories == [taxonomy.fallback])
    print(f"in {taxonomy.fallback}: {other} of {len(rows)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--summary", action="store_true")
    parser.add_argument(
        "--split", choices=["dev", "test"], help="only this split of the gold set (--summary)"
    )
    parser.add_argument("--fit", action="store_true", help="fit the weights on the dev split")
    parser.add_argument("--precision", type=float, default=0.85, help="--fit: least precision on dev")
    args = parser.parse_args(argv)
    taxonomy = load_extraction().taxonomy
    if args.fit:
        fitted = fit(taxonomy, args.precision)
        print("[weights]")
        for f in FEATURES:
            print(f"{f} = {fitted[f]}")
        print(
            f"bias = {fitted['bias']}\nthreshold = {fitted['threshold']}\nmin_confidence = {fitted['min_confidence']}"
        )
        return 0
    if args.summary:
        per_category(taxonomy, args.split)
        return 0
    measures = gold_measures()
    if not args.summary:
        texts = corpus_texts()
        print(f"{len(texts)} corpus documents, {len(measures)} annotated measures\n")
        print(f"{'category':<12} {'keyword':<14} {'kind':<6} {'df':>6} {'support':>8} {'precision':>9}")
        for category in taxonomy.categories:
            for kind, words in (("strong", category.strong), ("weak", category.weak)):
                for word in words:
                    key = fold(word)
                    df = sum(1 for t in texts if key in t)
                    holders = [cats for text, _, cats, _ in measures if key in text]
                    good = sum(1 for cats in holders if category.name in cats)
                    precision = good / len(holders) if holders else float("nan")
                    flag = (
                        "ONE-DOC"
                        if df < 2
                        else ("LOW" if holders and len(holders) >= 5 and precision < 0.4 else "")
                    )
                    print(
                        f"{category.name:<12} {word:<14} {kind:<6} {df:>6} {len(holders):>8} {precision:>9.2f} {flag}"
                    )
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for _, _, gold_cats, predicted in measures:
        for name in gold_cats:
            per[name]["gold"] += 1
            per[name]["found"] += name in predicted
        for name in predicted:
            per[name]["given"] += 1
            per[name]["right"] += name in gold_cats
    print(f"\n{'category':<14} {'gold':>5} {'recall':>7} {'given':>6} {'precision':>9}")
    total_gold = total_found = total_given = total_right = 0
    for name in [c.name for c in taxonomy.categories]:
        c = per[name]
        total_gold, total_found = total_gold + c["gold"], total_found + c["found"]
        total_given, total_right = total_given + c["given"], total_right + c["right"]
        recall = c["found"] / c["gold"] if c["gold"] else float("nan")
        precision = c["right"] / c["given"] if c["given"] else float("nan")
        print(f"{name:<14} {c['gold']:>5} {recall:>7.2f} {c['given']:>6} {precision:>9.2f}")
    # The issue's criterion: of the measures a category's key (strong) terms clearly describe — the gold gives
    # them the category and their text holds one of its strong keywords — the share the classifier puts in it.
    strong = {c.name: [fold(w) for w in c.strong] for c in taxonomy.categories}
    described = [
        (name, name in predicted)
        for text, _, gold_cats, predicted in measures
        for name in gold_cats
        if any(w in text for w in strong.get(name, []))
    ]
    kept = sum(1 for _, ok in described if ok)
    print(f"described by their key terms: {kept}/{len(described)} = {kept / max(1, len(described)):.2f}")
    first = sum(1 for _, _, g, p in measures if p and p[0] in g)
    print(
        f"\nall: recall {total_found / max(1, total_gold):.2f}, precision {total_right / max(1, total_given):.2f}, "
        f"first category right {first / max(1, len(measures)):.2f} ({len(measures)} measures)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
