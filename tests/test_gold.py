"""The dev gold set (tests/gold) is self-consistent, and the extractor keeps its measured quality on both splits.

``bench/extraction.py --split dev|test`` prints the full tables (per field and per collection). The floors below sit
a little under the figures measured when they were set (round 3, see the commit that set them), so that any
regression fails while noise may move a figure by a point. Rules are tuned on the dev split only; the dev-test split
(``split = "test"``) only measures, and its floors guard what the rules do on documents they were never tuned on.
Raise a floor when a change lifts its figure for good. The annotated documents are read from ``$POLICYKB_CORPUS``
(else ``../shared/corpus``); the figures are skipped, never silently passed, when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, corpus_missing

from bench import gold

# split: field: (precision floor, recall floor)
FLOORS = {
    "dev": {
        "meta": (0.95, 0.92),
        "outline": (0.86, 0.82),
        "measures": (0.88, 0.84),
        "targets": (0.83, 0.78),
        "results": (0.92, 0.90),
        # firm links: the issue's bar is precision ≥ 0.8 (threshold 0.5 and the aggregates' concepts: 0.812 / 0.635)
        "links": (0.80, 0.62),
        "links.weak": (
            0.5,
            0.0,
        ),  # issue 30: a weak link is shown only where such links are right more often than not
        # issue 30: precision first (an official trusts what a category holds): 0.68 → 0.85, recall 0.68 → 0.61
        "categories": (0.83, 0.58),
    },
    "test": {
        "meta": (0.90, 0.87),
        "outline": (0.85, 0.85),
        "measures": (0.61, 0.74),
        "targets": (0.82, 0.85),
        "results": (0.93, 0.92),
        "links": (0.80, 0.69),  # 0.815 / 0.704
        "links.weak": (0.5, 0.0),
        "categories": (0.82, 0.57),
    },
}
ACCURACY_FLOORS = {
    "dev": {"unit": 0.98, "indicator": 0.81, "deadline": 0.94, "year": 0.98},
    "test": {"unit": 0.97, "indicator": 0.83, "deadline": 0.93, "year": 0.97},
}


def test_every_gold_file_loads_and_the_splits_are_sound() -> None:
    docs = gold.load_all()
    assert len(docs) >= 90
    assert len({d.collection for d in docs}) >= 9  # every collection of the shared corpus, and the seed
    test = [d for d in docs if d.split == "test"]
    assert 0.15 <= len(test) / len(docs) <= 0.3  # ~20 % kept aside as the dev-test split
    assert {d.collection for d in test} - {"seeds"}  # and it spans collections


def test_the_seed_annotations_agree_with_the_seed_text() -> None:
    seeds = [d for d in gold.load_all() if d.source.startswith("seeds/")]
    assert seeds  # the seed plan ships with the checkout: checked on every machine
    for doc in seeds:
        assert gold.validate(doc) == [], doc.file


@pytest.mark.corpus
def test_every_gold_file_agrees_with_its_text_in_the_corpus() -> None:
    if not gold.CORPUS.is_dir():
        pytest.skip(corpus_missing(gold.CORPUS))
    for doc in gold.load_all():
        assert doc.text_path.is_file(), f"{doc.file}: annotated document missing: {doc.text_path}"
        assert gold.validate(doc) == [], doc.file


def test_the_gold_documents_are_read_from_the_corpus_the_environment_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib

    try:
        with monkeypatch.context() as env:
            env.setenv("POLICYKB_CORPUS", str(tmp_path / "corpus"))
            reloaded = importlib.reload(gold)
            doc = next(d for d in reloaded.load_all() if not d.source.startswith("seeds/"))
            assert doc.text_path == tmp_path / "corpus" / doc.source
    finally:
        importlib.reload(gold)  # with the environment of the run restored (not merely the variable unset)
    assert gold.CORPUS == CORPUS


@pytest.fixture(scope="module")
def figures() -> dict[str, dict]:
    if not gold.CORPUS.is_dir():
        pytest.skip(corpus_missing(gold.CORPUS))
    from bench import extraction

    return {split: extraction.run(split=split)[0] for split in FLOORS}


@pytest.mark.corpus
@pytest.mark.parametrize(("split", "field"), [(s, f) for s in FLOORS for f in sorted(FLOORS[s])])
def test_extraction_keeps_its_precision_and_recall(figures: dict[str, dict], split: str, field: str) -> None:
    got = figures[split]["total"][field]
    precision, recall = FLOORS[split][field]
    assert got["p"] >= precision and got["r"] >= recall, got


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("split", "name"), [(s, n) for s in ACCURACY_FLOORS for n in sorted(ACCURACY_FLOORS[s])]
)
def test_matched_targets_have_the_right_unit_indicator_deadline_and_year(
    figures: dict[str, dict], split: str, name: str
) -> None:
    got = figures[split]["accuracy"][name]
    assert got["n"] > 0 and got["value"] >= ACCURACY_FLOORS[split][name], got


@pytest.mark.corpus
@pytest.mark.parametrize("split", sorted(FLOORS))
def test_no_gold_document_is_unreadable(figures: dict[str, dict], split: str) -> None:
    assert figures[split]["documents"] > 0 and figures[split]["errors"] == []
