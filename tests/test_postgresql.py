"""The PostgreSQL backend against a throwaway server started here (``tests/pg_cluster.py``): the judged queries,
the same answers as the Whoosh backend over the same build, the read API, incremental and atomic builds (a
``kill -9`` mid-build leaves the old generation serving), a streaming read replica serving searches while the
primary builds, and two web processes on one database answering alike.

Skipped, with the reason, when the PostgreSQL server binaries are not installed (``.ci/run`` installs Debian's
``postgresql``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import corpus_missing
from pg_cluster import Cluster, available, free_port
from search_fixtures import corpus_available, load_judged, make_documents

from kb.build import build
from kb.search.backends.postgresql import sql
from kb.search.backends.postgresql.writer import MAX_POSITION, live_generation, words_vector
from kb.search.request import SearchRequest

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_3ccc218f3f77786b"
REASON = available()

pytestmark = pytest.mark.slow


# -- without a server ---------------------------------------------------------------------------------------


def test_the_words_vector_quotes_lexemes_and_names_the_fields_past_the_limits() -> None:
    literal, inexact = words_vector({"title": ["it's", "a\\b"], "body": ["x"] * 3, "linked": []})
    assert literal == "'t:it''s':1 't:a\\\\b':2 'b:x':1,2,3"
    assert inexact == []
    _, inexact = words_vector({"body": ["y"] * 300})  # more than 256 positions of one lexeme
    assert inexact == ["body"]
    _, inexact = words_vector({"body": [str(i) for i in range(MAX_POSITION + 1)]})
    assert inexact == ["body"]


def test_copy_values_escape_what_the_text_format_reads() -> None:
    assert sql.copy_value("a\tb\nc\\d\x00") == "a\\tb\\nc\\\\d"
    assert sql.copy_value(None) == "\\N"
    assert sql.copy_value(b"\x00\xff") == "\\\\x00ff"
    assert sql.copy_value(["高企", 'say "x"']) == '{"高企","say \\\\"x\\\\""}'
    assert sql.copy_value({"k": "v\n"}) == '{"k": "v\\\\n"}'


def test_urls_and_schema_names() -> None:
    args, schema = sql.parse_url("postgresql://kb:s%40cret@db.example:6432/policy?schema=gov")
    assert args == {
        "user": "kb",
        "password": "s@cret",
        "database": "policy",
        "host": "db.example",
        "port": 6432,
    }
    assert schema == "gov"
    args, _ = sql.parse_url("postgresql:///policy?host=/run/postgresql")
    assert args["unix_sock"] == "/run/postgresql/.s.PGSQL.5432"
    with pytest.raises(sql.DatabaseError):
        sql.parse_url("postgresql://h/db?schema=x;drop")


def test_an_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(sql.DatabaseError, match="无法连接数据库"):
        sql.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")


# -- a throwaway primary ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def primary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if REASON is not None:
        pytest.skip(f"PostgreSQL tests skipped: {REASON}")
    cluster = Cluster(tmp_path_factory.mktemp("pg") / "primary").init(
        shared_buffers="128MB", synchronous_commit="off"
    )
    cluster.start()
    yield cluster
    cluster.stop("immediate")


@pytest.fixture(scope="module")
def built(primary: Cluster, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(documents, index folder, database URL) after a PostgreSQL build of the search test documents."""
    root = tmp_path_factory.mktemp("pgkb")
    docs = make_documents(root)
    index = root / "index"
    report = build([docs], index, procs=2, quiet=True, backend=primary.url)
    assert report.published and report.rejected == [], report.summary()
    return docs, index, primary.url


@pytest.fixture(scope="module")
def pg_engine(built: tuple[Path, Path, str]) -> Iterator[object]:
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    engine = PostgresSearchEngine(built[2])
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def whoosh_index(built: tuple[Path, Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Whoosh index of the same analyses: the JSON generation the PostgreSQL build left, indexed by Whoosh."""
    docs, index, _ = built
    copy = tmp_path_factory.mktemp("whoosh") / "index"
    shutil.copytree(index, copy)
    report = build([docs], copy, procs=2, quiet=True)  # nothing to analyse; Whoosh writes from the JSON
    assert report.published and report.rejected == [], report.summary()
    return copy


JUDGED = load_judged()


def test_the_judged_queries_pass_on_postgresql(pg_engine: object) -> None:
    if not corpus_available():
        pytest.skip(corpus_missing() + ": the judged documents are not indexed")
    failures, first, reciprocal = [], 0.0, 0.0
    for j in JUDGED:
        ranked = [h.id for h in pg_engine.search(j.q, type=j.type, doc=j.doc, limit=10).results]  # type: ignore[attr-defined]
        if not j.passes(ranked) and not j.xfail:
            failures.append(f"{j.label}: got {ranked[:3]}")
        rank = next((k + 1 for k, rid in enumerate(ranked) if rid in set(j.relevant)), None)
        first += rank == 1
        reciprocal += 1 / rank if rank else 0.0
    assert failures == []
    assert first / len(JUDGED) >= 0.9 and reciprocal / len(JUDGED) >= 0.95


QUERIES = [
    {"q": "知识产权"},
    {"q": "知识产权", "type": "measure", "sort": "date"},
    {"q": "科技创新", "agency": "国务院"},
    {"q": '"科技成果转化"'},
    {"q": "5000万元"},
    {"q": "1000万元以上"},
    {"q": "个人所得税"},
    {"q": "高企"},
    {"q": "扶贫 -消费"},
    {"q": "安全生产 罚款 生产经营单位 不存在的词"},
    {"q": "专利", "field": "title"},
    {"q": "", "type": "measure", "category": "知识产权"},
    {"q": "", "genre": "通知", "date_from": "2019-01-01", "date_to": "2019-06-30", "sort": "date"},
    {"q": "", "year": "未注明"},
    {"q": "职业教育", "doc_number": "国发 2019", "offset": 3, "limit": 5},
]


def _answer(result: object) -> dict[str, object]:
    """The public JSON with hits in a canonical order: equal scores tie in each index's own hit order, and the page
    may end inside a tie, so hits are compared by score sequence and, above the page's lowest score, by id."""
    data = result.to_json()  # type: ignore[attr-defined]
    hits = data.pop("results")
    for hit in hits:
        hit["score"] = round(hit["score"], 2)  # lengths are rounded alike; sums may differ in the last bits
    by_date = data["sort"] == "date"
    data["scores"] = [h["score"] for h in hits] if not by_date else []
    lowest = min(data["scores"], default=None)
    data["hits"] = sorted(
        json.dumps(h, sort_keys=True, ensure_ascii=False)
        for h in hits
        if not by_date and (lowest is None or h["score"] > lowest)
    )
    data["count"] = len(hits)
    return data


def test_the_same_answers_as_the_whoosh_backend(pg_engine: object, whoosh_index: Path) -> None:
    from kb.search.engine import SearchEngine

    whoosh = SearchEngine(whoosh_index)
    try:
        cases = [*QUERIES, *({"q": j.q, "type": j.type, "doc": j.doc} for j in JUDGED)]
        for case in cases:
            want = _answer(whoosh.search(SearchRequest(**case)))
            got = _answer(pg_engine.search(SearchRequest(**case)))  # type: ignore[attr-defined]
            assert got == want, case
        for measure in (f"{SEED}.m3.6", f"{SEED}.m3.5"):
            assert [h.id for h in pg_engine.related(measure)] == [h.id for h in whoosh.related(measure)]  # type: ignore[attr-defined]
    finally:
        whoosh.close()


def test_the_read_api_answers_as_the_json_generation(
    built: tuple[Path, Path, str], whoosh_index: Path
) -> None:
    from kb.search.backends.postgresql.knowledge import PostgresKnowledgeBase
    from kb.store.knowledge import KnowledgeBase, KnowledgeReader

    files, db = KnowledgeBase.open(whoosh_index), PostgresKnowledgeBase(built[2])
    try:
        assert isinstance(db, KnowledgeReader) and isinstance(files, KnowledgeReader)
        assert db.stats() == files.stats()
        assert [d.id for d in db.documents()] == [d.id for d in files.documents()]
        assert {c.name: c.measure_ids for c in db.categories} == {
            c.name: c.measure_ids for c in files.categories
        }
        assert db.rejected == files.rejected and db.manifest() == files.manifest()
        for doc in files.documents()[:40]:
            assert db.document(doc.id) == doc
            assert db.document_counts(doc.id) == files.document_counts(doc.id)
            assert db.references(doc.id) == files.references(doc.id)
            assert db.cited_by(doc.id) == files.cited_by(doc.id)
            assert db.same_title(doc.id) == files.same_title(doc.id)
            assert db.measures(doc.id) == files.measures(doc.id)
            assert db.quantities(doc.id) == files.quantities(doc.id)
            assert db.targets(doc.id) == files.targets(doc.id) and db.results(doc.id) == files.results(doc.id)
            dkb = db.document_kb(doc.id)
            assert dkb is not None and dkb == files.document_kb(doc.id)
            for clause in dkb.outline[:2]:
                assert db.clause(clause.id) == files.clause(clause.id)
                assert db.type_of(clause.id) == "clause"
        measure = files.measures(f"{SEED}")[0]
        assert db.measure(measure.id) == measure and db.type_of(measure.id) == "measure"
        assert db.measures(category="知识产权") == files.measures(category="知识产权")
        target = files.targets()[0]
        assert db.target(target.id) == target and db.result(target.id) is None
        assert db.type_of(target.id) == "target" and db.type_of("no-such-id") is None
        assert db.indicator_regions() == files.indicator_regions()
        assert db.indicator_status() == files.indicator_status()
        series = files.indicator_series()
        assert [s.id for s in db.indicator_series()] == [s.id for s in series]
        if series:
            assert db.indicator(series[0].id) == series[0]
    finally:
        db.close()


def _hit_count(url: str, item_id: str) -> int:
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    engine = PostgresSearchEngine(url)
    try:
        # White-box on purpose: the rows of the hits table that are live in the live generation. A search
        # shows one hit per id, so it cannot tell a replaced row from a stale copy left live beside it.
        reader = engine._searcher()
        rows = reader.con.run(
            "SELECT segment, n FROM hits WHERE segment = ANY(CAST(:s AS bigint[])) AND id = :id",
            s=[int(s) for s in reader.arrays.segment_ids],
            id=item_id,
        )
        base = {sid: b for sid, b, _ in reader.arrays.segments}
        return sum(bool(reader.arrays.live[base[int(s)] + int(n)]) for s, n in rows)
    finally:
        engine.close()


def test_an_incremental_build_shares_segments_and_replaces_a_document(
    built: tuple[Path, Path, str], tmp_path: Path
) -> None:
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    docs, index, url = built
    extra = docs / "seed" / "pg-incremental.txt"
    extra.write_text("关于推进量子保密通信试点的通知\n\n一、在全市建设星空观测站。\n", encoding="utf-8")
    try:
        report = build([docs], index, procs=1, quiet=True, backend=url)
        assert report.added == 1 and report.unchanged == report.documents - 1
        con, _ = sql.connect(url)
        segments = con.run("SELECT segments FROM generations g JOIN live l ON l.generation = g.id")[0][0]
        con.close()
        assert len(segments) >= 2  # the first build's segment is shared, not copied
        engine = PostgresSearchEngine(url, check_interval=0.0)  # sees each publish at once
        assert engine.search('"星空观测站"').total >= 1
        extra.write_text("关于推进量子保密通信试点的通知\n\n一、在全市开展星地链路试验。\n", encoding="utf-8")
        build([docs], index, procs=1, quiet=True, backend=url)
        assert engine.search("星地链路").total >= 1
        assert engine.search('"星空观测站"').total == 0  # the old text is gone
        assert _hit_count(url, "pg-incremental") == 1
        engine.close()
    finally:
        extra.unlink()
        build([docs], index, procs=1, quiet=True, backend=url)
    assert _hit_count(url, "pg-incremental") == 0


def _build_process(docs: Path, index: Path, url: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "kb", "build", "--quiet", "--documents", str(docs), "--index", str(index)]
    return subprocess.Popen(
        [*cmd, "--backend", url, *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _building_rows(url: str) -> int:
    con, _ = sql.connect(url)
    try:
        rows = con.run(
            "SELECT s.id FROM segments s JOIN generations g ON g.id = s.generation WHERE g.state = 'building'"
        )
        if not rows:
            return -1
        return int(con.run(f"SELECT count(*) FROM {sql.partition('hits', int(rows[0][0]))}")[0][0])
    except Exception:
        return -1
    finally:
        con.close()


def test_kill_9_mid_build_leaves_the_old_generation_serving(built: tuple[Path, Path, str]) -> None:
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    docs, index, url = built
    engine = PostgresSearchEngine(url, check_interval=0.0)  # looks for a new live generation at every search
    before = _answer(engine.search("知识产权"))
    live_before = engine.generation
    proc = _build_process(docs, index, url, "--force")
    try:
        deadline = time.monotonic() + 240
        while _building_rows(url) <= 0:  # wait until the build has written hits of its generation
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "the build wrote nothing in time"
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        con, _ = sql.connect(url)
        assert live_generation(con)[1] == live_before
        assert con.run("SELECT count(*) FROM generations WHERE state = 'building'")[0][0] == 1
        con.close()
        assert _answer(engine.search("知识产权")) == before
        # The next build drops what the killed one left, and publishes (one new document: an incremental build).
        extra = docs / "seed" / "pg-after-kill.txt"
        extra.write_text("关于建设数字乡村示范点的通知\n\n一、建设数字乡村示范点。\n", encoding="utf-8")
        try:
            report = build([docs], index, procs=2, quiet=True, backend=url, wait=30)
        finally:
            extra.unlink()
        assert report.published and report.added == 1
        con, _ = sql.connect(url)
        assert con.run("SELECT count(*) FROM generations WHERE state = 'building'")[0][0] == 0
        con.close()
        after = _answer(engine.search("知识产权"))
        assert engine.generation != live_before
        assert (after["total"], after["facets"]) == (before["total"], before["facets"])
        build([docs], index, procs=2, quiet=True, backend=url)  # the document removed again
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        engine.close()


def _serve(url: str, index: Path, tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POLICYKB_INSTANCE": str(tmp / f"instance-{port}")}
    cmd = [sys.executable, "-m", "kb", "serve", "--no-build", "--port", str(port), "--index", str(index)]
    proc = subprocess.Popen(
        [*cmd, "--backend", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=x", timeout=5) as response:
                if response.status == 200:
                    return proc, port
        except OSError:
            pass
        assert proc.poll() is None, "the web process ended"
        assert time.monotonic() < deadline, "the web process did not answer"
        time.sleep(0.3)


def _get(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return json.loads(response.read())


PAGES = [
    "/api/search?q=%E7%9F%A5%E8%AF%86%E4%BA%A7%E6%9D%83",
    "/api/search?q=5000%E4%B8%87%E5%85%83&type=measure",
    f"/api/measures/{SEED}.m3.6",
    f"/api/documents/{SEED}",
    "/api/categories",
]


def test_a_read_replica_serves_searches_while_the_primary_builds(
    primary: Cluster, built: tuple[Path, Path, str], tmp_path: Path
) -> None:
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    docs, index, url = built
    replica = primary.replica(tmp_path / "replica")
    web_a = web_b = None
    try:
        on_replica = PostgresSearchEngine(replica.url, check_interval=0.0)
        before = _answer(on_replica.search("知识产权"))
        # Two web processes on different ports, one on the primary and one on the replica: the same answers.
        web_a, port_a = _serve(url, tmp_path / "no-index-a", tmp_path)
        web_b, port_b = _serve(replica.url, tmp_path / "no-index-b", tmp_path)
        for page in PAGES:
            assert _get(port_a, page) == _get(port_b, page), page
        # The primary builds (a new document); the replica answers every search meanwhile.
        extra = docs / "seed" / "pg-replica.txt"
        extra.write_text("关于开展海洋牧场建设的通知\n\n一、建设海洋牧场示范区。\n", encoding="utf-8")
        answers: list[dict[str, object]] = []
        errors: list[BaseException] = []
        done = threading.Event()

        def read() -> None:
            engine = PostgresSearchEngine(replica.url, check_interval=0.0)
            try:
                while not done.is_set():
                    answers.append(_answer(engine.search("知识产权")))
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                engine.close()

        reader = threading.Thread(target=read)
        reader.start()
        try:
            report = build([docs], index, procs=2, quiet=True, backend=url)
        finally:
            time.sleep(0.5)
            done.set()
            reader.join(60)
            extra.unlink()
        assert report.published and errors == []
        assert len(answers) >= 3 and all(a["total"] == before["total"] for a in answers)
        deadline = time.monotonic() + 60  # the replica replays the publish
        while on_replica.search("海洋牧场").total == 0:
            assert time.monotonic() < deadline, "the replica never showed the new generation"
            time.sleep(0.5)
        deadline = time.monotonic() + 30
        while _get(port_b, "/api/search?q=%E6%B5%B7%E6%B4%8B%E7%89%A7%E5%9C%BA")["total"] == 0:  # type: ignore[index]
            assert time.monotonic() < deadline, "the web process on the replica never reopened"
            time.sleep(0.5)
        on_replica.close()
        build([docs], index, procs=2, quiet=True, backend=url)
    finally:
        for web in (web_a, web_b):
            if web is not None:
                os.killpg(web.pid, signal.SIGTERM)
                web.wait(timeout=30)
        replica.stop("immediate")


def test_the_cli_reads_the_database(built: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, _, url = built
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POLICYKB_BACKEND": url}
    out = subprocess.run(
        [sys.executable, "-m", "kb", "search", "星创天地", "--json", "--index", str(tmp_path / "none")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout)["results"][0]["id"] == f"{SEED}.m3.7"
    out = subprocess.run(
        [sys.executable, "-m", "kb", "measures", "--doc", SEED, "--json", "--index", str(tmp_path / "none")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert any(m["id"] == f"{SEED}.m3.7" for m in json.loads(out.stdout))
    bad = subprocess.run(
        [sys.executable, "-m", "kb", "search", "x", "--backend", "mysql://h/db"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "unknown backend" in bad.stderr


def test_restricted_evaluation_answers_as_the_unrestricted_one(
    pg_engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kb.search.evaluate's restricted And (its larger children on its smaller ones' hits, phrases checked in the
    # database only there) is an optimisation only: the whole JSON answer — total, facets, page, scores bit for
    # bit — is the one of evaluating every node over all hits.
    from kb.search import evaluate

    bench = [
        q for q in (ROOT / "bench" / "queries.txt").read_text(encoding="utf-8").splitlines() if q.strip()
    ]
    cases = [
        *QUERIES,
        *({"q": j.q, "type": j.type, "doc": j.doc} for j in JUDGED),
        *({"q": q} for q in bench),
    ]

    def answers() -> list[str]:
        return [
            json.dumps(pg_engine.search(SearchRequest(**case)).to_json(), sort_keys=True, ensure_ascii=False)  # type: ignore[attr-defined]
            for case in cases
        ]

    restricted = answers()
    monkeypatch.setattr(evaluate, "RESTRICT", False)
    assert answers() == restricted
