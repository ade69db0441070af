"""Shared fixtures: the seed plan, the shared corpus (skipped when absent), the search test index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "documents" / "000_3ccc218f3f77786b.txt"
# $POLICYKB_CORPUS, else ../shared/corpus beside the checkout (bench/gold.py reads the same).
CORPUS = Path(os.environ.get("POLICYKB_CORPUS") or ROOT.parent / "shared" / "corpus")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        default=False,
        help="save screenshots of the main pages under bench/screenshots/ (browser tests)",
    )


@pytest.fixture(autouse=True, scope="session")
def _private_instance(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Sites made by tests keep their secret key and users in a temporary instance folder, not in instance/."""
    if not os.environ.get("POLICYKB_INSTANCE"):
        os.environ["POLICYKB_INSTANCE"] = str(tmp_path_factory.mktemp("instance") / "instance")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


def corpus_missing(what: Path = CORPUS) -> str:
    """The reason a test skips when (part of) the shared corpus is absent: where it looked, how to point it."""
    return f"shared corpus not found: {what} (set POLICYKB_CORPUS to the corpus folder)"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(corpus_missing())
    return CORPUS


def corpus_file(relative: str) -> Path:
    """A file of the shared corpus, or skip the test when the corpus is absent."""
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(corpus_missing(path))
    return path


def corpus_folder(relative: str) -> Path:
    """A collection folder of the shared corpus, or skip the test when the corpus is absent."""
    path = CORPUS / relative
    if not path.is_dir():
        pytest.skip(corpus_missing(path))
    return path


@pytest.fixture(scope="session")
def search_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search test index (tests/search_fixtures.py), built once per run and shared by every module.

    READ-ONLY: a test that changes an index copies this one (``shutil.copytree``) and changes its copy. Its
    documents are in ``search_index.parent / "documents"`` (the ``search_documents`` fixture).
    """
    from search_fixtures import build_search_index  # here: search_fixtures imports this module

    return build_search_index(tmp_path_factory.mktemp("search"))


@pytest.fixture(scope="session")
def search_documents(search_index: Path) -> Path:
    """The documents folder the search test index was built from (read-only, like the index)."""
    return search_index.parent / "documents"


@pytest.fixture(scope="session")
def compare_corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """海拉尔区's eight reports and the 31 provincial reports of 2026 (tests/test_compare.py and its browser
    twin), built once per run; read-only like ``search_index``."""
    from kb.build import build

    hailar, provinces = CORPUS / "gwr_county_hailar", CORPUS / "gwr_provincial_2026"
    for folder in (hailar, provinces):
        if not folder.is_dir():
            pytest.skip(corpus_missing(folder))
    index = tmp_path_factory.mktemp("compare-corpus") / "index"
    report = build([hailar, provinces], index, procs=2, quiet=True)
    assert report.published and report.documents == 39, report.summary()
    return index
