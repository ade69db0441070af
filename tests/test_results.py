"""Past results are not targets — on every surface: CLI, JSON, pages, search, counts, citations and exports.

The library holds the seed plan (targets only) and 海拉尔区's 2019 work report (read from the shared corpus: its
一、2018年工作回顾 states 2018's results, its 二、2019年工作安排 sets 2019's goals). Every quantity is a *target*
(a goal, with a deadline) or a *result* (what was achieved, with the year it reports); the two never mix.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import corpus_file

from kb import ids
from kb.build import build
from kb.cli import main
from kb.store.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_3ccc218f3f77786b"
REPORT = "007_484eeaecdf6bdcb8"
REPORT_FILE = f"gwr_county_hailar/{REPORT}.txt"  # read from the shared corpus in place


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> Path:
    root = tmp_path_factory.mktemp("results")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy(seed_path, docs / seed_path.name)
    report_file = corpus_file(REPORT_FILE)
    shutil.copy(report_file, docs / report_file.name)
    report = build([docs], root / "index", procs=1, quiet=True)
    assert not report.rejected
    return root / "index"


@pytest.fixture(scope="module")
def kb(index: Path) -> KnowledgeBase:
    return KnowledgeBase.open(index)


@pytest.fixture(scope="module")
def client(index: Path):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def a_result(kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    """A result of the 2018 review: 地区生产总值 or the first one there is."""
    results = kb.results(REPORT)
    assert results, "the 2019 report's review states 2018's results"
    return next((r for r in results if "生产总值" in r.indicator), results[0])


def run_json(capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# --- the knowledge base ------------------------------------------------------------------------------------------


def test_the_review_gives_results_with_their_year_and_the_plan_gives_targets(kb: KnowledgeBase) -> None:
    results, targets = kb.results(REPORT), kb.targets(REPORT)
    assert len(results) >= 20 and len(targets) >= 5
    assert all(r.kind == "result" and r.year == 2018 and r.deadline is None for r in results)
    assert all(t.kind == "target" for t in targets)
    assert all(ids.type_of(r.id) == "result" for r in results)
    assert all(ids.type_of(t.id) == "target" for t in targets)
    # Results are never linked to measures.
    linked = {ref.id for m in kb.measures(REPORT) for ref in m.targets}
    assert linked and not linked & {r.id for r in results}


def test_counts_keep_targets_and_results_apart(kb: KnowledgeBase) -> None:
    stats = kb.stats()
    assert stats["targets"] == len(kb.targets()) and stats["results"] == len(kb.results())
    assert stats["results"] == len(kb.results(REPORT))  # the seed plan states no result
    assert kb.document_counts(REPORT)["results"] == len(kb.results(REPORT))


def test_the_build_summary_counts_targets_and_results_apart(tmp_path: Path, seed_path: Path) -> None:
    docs = tmp_path / "documents"
    docs.mkdir()
    report_file = corpus_file(REPORT_FILE)
    shutil.copy(report_file, docs / report_file.name)
    report = build([docs], tmp_path / "index", procs=1, quiet=True)
    assert report.results > 0 and report.targets > 0
    assert f"{report.targets} 个目标" in report.summary() and f"{report.results} 项实绩" in report.summary()


# --- CLI ---------------------------------------------------------------------------------------------------------


def test_cli_targets_lists_targets_only_and_results_lists_results_only(
    index: Path, kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    targets = run_json(capsys, "targets", "--index", str(index))
    assert {t["kind"] for t in targets} == {"target"} and len(targets) == len(kb.targets())
    assert all("deadline" in t and "year" not in t for t in targets)
    results = run_json(capsys, "results", "--index", str(index))
    assert {r["kind"] for r in results} == {"result"} and len(results) == len(kb.results())
    assert all(r["year"] == 2018 and "deadline" not in r and "measure_ids" not in r for r in results)
    assert all(r["url"].startswith("/results/") for r in results)


def test_cli_show_says_what_a_quantity_is(index: Path, a_result, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    shown = run_json(capsys, "show", a_result.id, "--index", str(index))
    assert (shown["type"], shown["kind"], shown["year"]) == ("result", "result", 2018)
    assert "deadline" not in shown
    doc = run_json(capsys, "show", REPORT, "--index", str(index))
    assert a_result.id in doc["results"] and a_result.id not in doc["targets"]


def test_cli_table_of_results_says_results(index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["results", "--doc", REPORT, "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "实绩" in out and "年份" in out and "目标值" not in out


# --- pages and their JSON twins ----------------------------------------------------------------------------------


def test_a_result_has_its_own_page_that_never_shows_a_goal(client, a_result) -> None:  # type: ignore[no-untyped-def]
    data = client.get(f"/api/results/{a_result.id}").get_json()
    assert data["result"]["kind"] == "result" and data["result"]["year"] == 2018
    assert "deadline" not in data["result"]
    body = client.get(f"/results/{a_result.id}").get_data(as_text=True)
    assert "实绩" in body and "2018 年" in body
    assert "目标值" not in body and "期限" not in body and "badge-target" not in body


def test_the_target_page_of_a_result_redirects_to_its_page(client, a_result) -> None:  # type: ignore[no-untyped-def]
    for prefix in ("", "/api"):
        response = client.get(f"{prefix}/targets/{a_result.id}")
        assert response.status_code == 301
        assert response.headers["Location"] == f"{prefix}/results/{a_result.id}"
    # The id an old link used when the quantity was read as a target (doc.t… for doc.r…) finds it too.
    old = ids.other_kind_id(a_result.id)
    response = client.get(f"/targets/{old}")
    assert response.status_code == 301 and response.headers["Location"] == f"/results/{a_result.id}"
    assert client.get(f"/results/{SEED}.t2.2-2").headers["Location"] == f"/targets/{SEED}.t2.2-2"
    assert client.get(f"/results/{SEED}.r9.9-9").status_code == 404


def test_the_document_page_lists_results_apart_from_targets(client, kb: KnowledgeBase, a_result) -> None:  # type: ignore[no-untyped-def]
    data = client.get(f"/api/documents/{REPORT}").get_json()
    assert {t["kind"] for t in data["targets"]} == {"target"}
    assert {r["kind"] for r in data["results"]} == {"result"}
    assert len(data["results"]) == len(kb.results(REPORT))
    assert all(row["target"] in {t["id"] for t in data["targets"]} for row in data["coverage"]["matrix"])
    assert data["counts"]["results"] == len(data["results"])
    body = client.get(f"/documents/{REPORT}").get_data(as_text=True)
    results_list = body[body.index('data-list="results"') :]
    assert f'href="/results/{a_result.id}"' in results_list
    assert (
        f'href="/results/{a_result.id}"'
        not in body[body.index('data-list="targets"') : body.index("results-h")]
    )


def test_the_home_page_counts_targets_and_results_apart(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    stats = client.get("/api/summary").get_json()["stats"]
    assert (stats["targets"], stats["results"]) == (len(kb.targets()), len(kb.results()))
    body = client.get("/").get_data(as_text=True)
    assert f"<strong>{stats['results']}</strong><span>项实绩</span>" in body


# --- search ------------------------------------------------------------------------------------------------------


def test_search_for_targets_never_returns_a_result(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?q=生产总值&type=target&limit=100").get_json()
    assert data["results"] and {h["type"] for h in data["results"]} == {"target"}
    assert all(h["kind"] == "target" and "year" not in h for h in data["results"])
    results = client.get("/api/search?q=生产总值&type=result").get_json()
    assert results["results"] and {h["type"] for h in results["results"]} == {"result"}
    assert all(h["year"] == 2018 and h["url"].startswith("/results/") for h in results["results"])
    facet = dict(
        (f["value"], f["count"]) for f in client.get("/api/search?q=生产总值").get_json()["facets"]["type"]
    )
    assert facet["result"] == results["total"] and facet["target"] == data["total"]
    body = client.get("/search?q=生产总值").get_data(as_text=True)
    assert "实绩" in body and 'class="badge badge-result"' in body


# --- citations, the basket and exports ---------------------------------------------------------------------------


def test_a_result_is_cited_and_exported_as_a_result(client, a_result) -> None:  # type: ignore[no-untyped-def]
    (item,) = client.get(f"/api/items?ids={a_result.id}").get_json()["items"]
    assert (item["type"], item["type_label"]) == ("result", "实绩")
    assert item["headline"].endswith("（2018年实绩）")
    markdown = client.get(f"/export?ids={a_result.id}&format=md").get_data(as_text=True)
    assert "2018年实绩" in markdown


def test_indicator_points_link_results_to_result_pages(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    series = [s for s in kb.indicator_series() if s.results()]
    assert series
    data = client.get(f"/api/indicators/{series[0].id}").get_json()
    for point in data["points"]:
        expected = "/results/" if point["kind"] == "result" else "/targets/"
        assert point["url"].startswith(expected)


def test_a_series_page_compares_regions_in_the_year_asked(client, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    """``?year=`` chooses the year of the series page's comparison across regions (its JSON's ``regions``);
    without it, the series' last year (a regression: a loop variable once overwrote the parameter)."""
    series = next(s for s in kb.indicator_series() if len({p.year for p in s.points}) > 1)
    years = sorted({p.year for p in series.points})
    assert client.get(f"/api/indicators/{series.id}").get_json()["regions"]["year"] == years[-1]
    asked = client.get(f"/api/indicators/{series.id}?year={years[0]}").get_json()["regions"]
    assert asked["year"] == years[0]
    assert all(row["year"] == years[0] for row in asked["rows"] if "year" in row)
