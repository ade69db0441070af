"""The numpy evaluator (kb.search.whoosh.postings, kb.search.evaluate) against Whoosh's own matchers on the same index.

The index is the search test index after an incremental rebuild: several segments, one of them with
deleted documents, so document numbering across segments and the live-document mask are exercised.
For every query an official might type (the judged queries, the benchmark's 80 queries and some
syntax: phrases, exclusions, numbers) the evaluator must match exactly the hits Whoosh matches and
give the page the same scores Whoosh gives.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import corpus_missing
from search_fixtures import corpus_available, load_judged
from whoosh import collectors
from whoosh import query as wq

from kb.build import build
from kb.search import evaluate, ranking
from kb.search.engine import SEARCH_FIELDS, SearchEngine
from kb.search.evaluate import Evaluator, Unsupported, top_k
from kb.search.query import parse_query
from kb.search.whoosh.postings import IndexArrays, phrase_docs, segments

# These read documents of the corpus slice (phrases, filters, prior by type across many documents).
needs_corpus = pytest.mark.skipif(not corpus_available(), reason=corpus_missing())

BENCH_QUERIES = Path(__file__).resolve().parents[1] / "bench" / "queries.txt"
SYNTAX_QUERIES = [
    '"科技金融"',
    "“放管服”改革",
    "知识产权 -专利",
    "42家",
    "5000万元",
    "个人所得税",
    "高企",
    "技术合同 交易额",
    "1+X",
    "融资担保",
    # quantities matched by value (a term per value, ranges as AmountRange)
    "0.5亿元",
    "1000万元以上",
    "不超过50万元",
    "1000—5000万元",
    "5000万元左右",
    "科技 100亿元以上",
    "国企",
]


@pytest.fixture(scope="module")
def index_dir(search_index: Path, search_documents: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the search test index after one document changed: an incremental rebuild of the copy.

    The build knows a file by its folder and relative path, so the rebuild names the shared collection folders
    themselves (same keys: reused, not analysed again) and the seed plan from a folder of this module's own,
    where it changed: the old seed's hits are deleted in place and the new ones go to a new segment.
    """
    root = tmp_path_factory.mktemp("evaluate")
    index_dir = root / "index"
    shutil.copytree(search_index, index_dir, symlinks=True)
    seed = next((search_documents / "seed").iterdir())
    changed = root / "seed" / seed.name
    changed.parent.mkdir()
    text = seed.read_text(encoding="utf-8")
    changed.write_text(
        text + "\n五、其他\n（一）加强科技金融服务，推动知识产权质押融资。\n", encoding="utf-8"
    )
    folders = [p for p in sorted(search_documents.iterdir()) if p.is_dir() and p.name != "seed"]
    report = build([*folders, changed.parent], index_dir, procs=2, quiet=True)
    assert report.published, report.summary()
    # only the seed analysed again (its collection folder changed); every other document reused
    assert report.changed + report.added == 1 and report.unchanged == report.documents - 1, report.summary()
    return index_dir


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> Iterator[SearchEngine]:
    eng = SearchEngine(index_dir)
    yield eng
    eng.close()


# White-box on purpose: this module checks the numpy evaluator against Whoosh on the very searcher and arrays
# the engine searches with (its own IndexArrays settings); arrays built here would check another configuration.
@pytest.fixture(scope="module")
def searcher(engine: SearchEngine):  # type: ignore[no-untyped-def]
    return engine._searcher()


@pytest.fixture(scope="module")
def arrays(engine: SearchEngine, searcher) -> IndexArrays:  # type: ignore[no-untyped-def]
    return engine._index_arrays(searcher)


def _queries() -> list[str]:
    judged = [j.q for j in load_judged()]
    bench = [line.strip() for line in BENCH_QUERIES.read_text(encoding="utf-8").splitlines()]
    bench = [q for q in bench if q and not q.startswith("#")]
    return list(dict.fromkeys(judged + bench + SYNTAX_QUERIES))


def test_the_index_has_several_segments_and_deleted_documents(searcher, arrays: IndexArrays) -> None:  # type: ignore[no-untyped-def]
    assert len(segments(searcher.reader())) >= 2
    assert not arrays.live.all()
    assert arrays.live.sum() == searcher.doc_count()


@pytest.mark.parametrize(
    "fieldname", ["title", "body", "linked", "bigrams", "title_bigrams", "doc_id", "amounts"]
)
def test_posting_lists_decode_like_whooshs_matchers(searcher, arrays: IndexArrays, fieldname: str) -> None:  # type: ignore[no-untyped-def]
    reader = searcher.reader()
    terms = list(reader.lexicon(fieldname))
    # Frequent terms span many blocks, rare ones are inlined in the term index: take both kinds.
    terms.sort(key=lambda t: reader.doc_frequency(fieldname, t))
    sample = terms[:20] + terms[len(terms) // 2 : len(terms) // 2 + 20] + terms[-20:]
    for term in sample:
        ids, weights = arrays.postings(reader, fieldname, term, cache=False)
        expected_ids, expected_weights = [], []
        for segment, base in segments(reader):
            if (fieldname, term) not in segment:
                continue
            m = segment._terms.matcher(fieldname, term, segment.schema[fieldname].format)
            while m.is_active():
                expected_ids.append(m.id() + base)
                expected_weights.append(m.weight())
                m.next()
        assert ids.tolist() == expected_ids, term
        assert np.allclose(weights, expected_weights), term


@pytest.mark.parametrize("fieldname", ["doc_id", "agency", "genre", "amounts", "bigrams"])
def test_a_whole_field_reads_like_its_terms_one_by_one(searcher, arrays: IndexArrays, fieldname: str) -> None:  # type: ignore[no-untyped-def]
    from kb.search.whoosh.postings import field_postings

    reader = searcher.reader()
    whole = field_postings(reader, fieldname)
    assert [term for term, _ in whole] == sorted(reader.lexicon(fieldname))
    for term, ids in whole[:: max(1, len(whole) // 300)]:
        expected, _ = arrays.postings(reader, fieldname, term, cache=False)
        assert ids.tolist() == expected.tolist(), term


def test_field_lengths_are_whooshs(searcher, arrays: IndexArrays) -> None:  # type: ignore[no-untyped-def]
    reader = searcher.reader()
    for docnum in range(0, reader.doc_count_all(), 97):
        for fieldname in ("title", "body", "bigrams"):
            expected = reader.doc_field_length(docnum, fieldname) or 0
            assert arrays.lengths[fieldname][docnum] == expected


@pytest.mark.parametrize("text", _queries())
def test_matches_and_page_scores_equal_whooshs(
    engine: SearchEngine, searcher, arrays: IndexArrays, text: str
) -> None:  # type: ignore[no-untyped-def]
    parsed = engine.parse(text)  # the tree the engine runs: quantities by value, bigrams marked
    assert parsed.query is not None
    # Whoosh: every match scored (BM25F × kind prior through TypePriorBM25F.final).
    everything = collectors.UnlimitedCollector()
    searcher.search_with_collector(parsed.query, everything)
    expected = {hit.docnum: hit.score for hit in everything.results()}
    if isinstance(parsed.query, wq.AndNot):
        # whoosh-reloaded 2.7.5's AndNotMatcher keeps the first hit of its positive side whenever the
        # exclusion's first posting comes earlier (_find_first only compares the two first ids), so
        # the reference applies the exclusion as a set (see test_an_excluded_word_excludes_every_hit).
        excluded = set(searcher.docs_for_query(parsed.query.b))
        expected = {d: s for d, s in expected.items() if d not in excluded}

    hits, page = Evaluator(arrays, searcher.reader()).top(parsed.query, arrays.live, arrays.prior, 20)
    assert set(hits.ids.tolist()) == set(expected)
    got = [(int(hits.ids[i]), float(hits.score[i])) for i in page]
    for docnum, score in got:
        assert score == pytest.approx(expected[docnum], rel=1e-9), docnum
    best_expected = sorted(expected.values(), reverse=True)[: len(got)]
    assert [s for _, s in got] == pytest.approx(best_expected, rel=1e-9)


@needs_corpus
def test_lazy_phrases_are_checked_only_for_the_page(searcher, arrays: IndexArrays) -> None:  # type: ignore[no-untyped-def]
    # 融资担保 → 融资/担保 plus the adjacency bonus phrase "融资 担保" in title, body and linked.
    parsed = parse_query("融资担保", SEARCH_FIELDS, schema=searcher.schema)
    evaluator = Evaluator(arrays, searcher.reader())
    hits, page = evaluator.top(parsed.query, arrays.live, arrays.prior, 10)
    # White-box on purpose: laziness leaves no trace in the results, only in what the evaluator checked.
    body = evaluator._phrases[("body", ("融资", "担保"))]
    assert len(body.candidates) > 20
    checked = int(body.checked.sum())
    assert 0 < checked < len(body.candidates)
    assert all(
        body.checked[int(hits.ids[i])] for i in page if int(hits.ids[i]) in set(body.candidates.tolist())
    )


@needs_corpus
def test_phrase_positions_decide_consecutive_words(searcher) -> None:  # type: ignore[no-untyped-def]
    reader = searcher.reader()
    together = np.array(sorted(searcher.docs_for_query(wq.Phrase("body", ["科技", "金融"]))), dtype=np.int64)
    both = np.array(
        sorted(searcher.docs_for_query(wq.And([wq.Term("body", "科技"), wq.Term("body", "金融")]))),
        dtype=np.int64,
    )
    assert len(together) < len(both)
    assert phrase_docs(reader, "body", ["科技", "金融"], both).tolist() == together.tolist()


def test_the_fallback_query_gets_a_coordination_bonus_per_word(searcher, arrays: IndexArrays) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_query("科技金融 娑罗子 量子通信", SEARCH_FIELDS, schema=searcher.schema)
    assert parsed.fallback is not None
    fallback = parsed.fallback.a if isinstance(parsed.fallback, wq.AndMaybe) else parsed.fallback
    assert isinstance(fallback, wq.Or) and fallback.scale is not None
    reader = searcher.reader()
    hits, page = Evaluator(arrays, reader).top(fallback, arrays.live, arrays.prior, 10)
    assert set(hits.ids.tolist()) == set(searcher.docs_for_query(fallback))
    words = [Evaluator(arrays, reader).evaluate(word) for word in fallback.subqueries]
    n, scale = len(words), fallback.scale
    for i in page:
        doc = int(hits.ids[i])
        found = [float(w.score[w.ids == doc][0]) for w in words if doc in set(w.ids.tolist())]
        expected = (sum(found) + (len(found) - 1) / (n - scale) ** 2) * (n - 1) / n * arrays.prior[doc]
        assert hits.score[i] == pytest.approx(expected, rel=1e-9)


def test_other_query_types_are_left_to_whoosh(engine: SearchEngine, searcher, arrays: IndexArrays) -> None:  # type: ignore[no-untyped-def]
    query = wq.Prefix("body", "科技")
    with pytest.raises(Unsupported):
        Evaluator(arrays, searcher.reader()).top(query, arrays.live, arrays.prior, 10)
    # The engine then runs Whoosh's collector: same page, every match counted, filters applied. White-box on
    # purpose: the parser makes no unsupported query (see the test above), so search() does not reach this path.
    allowed = arrays.live & arrays.facets["type"].mask("measure")
    page, matched = engine._run(searcher, arrays, query, allowed, 10)
    both = wq.And([query, wq.Term("type", "measure")])
    assert matched.tolist() == sorted(searcher.docs_for_query(both))  # the sorted numbers of every match
    assert page and all(searcher.stored_fields(d)["type"] == "measure" for d, _ in page)


def test_totals_count_every_match(engine: SearchEngine, searcher) -> None:  # type: ignore[no-untyped-def]
    # Whoosh's TopCollector prunes weak branches (synonyms, bigrams) once the page is full; the
    # total and the facets must still count the hits only those branches match.
    for text in ("知识产权", "就业", "安全生产"):
        parsed = parse_query(text, SEARCH_FIELDS, schema=searcher.schema)
        assert engine.search(text).total == len(list(searcher.docs_for_query(parsed.query))), text


def test_filters_restrict_matches_and_facets(engine: SearchEngine) -> None:
    everything = engine.search("科技创新")
    measures = engine.search("科技创新", type="measure")
    counts = dict(everything.facets["type"])
    assert measures.total == counts["measure"]
    assert all(hit.type == "measure" for hit in measures.results)
    assert dict(measures.facets["type"]) == {"measure": measures.total}


def test_top_k_breaks_ties_by_document_number() -> None:
    ids = np.array([3, 5, 8, 9, 12], dtype=np.int64)
    values = np.array([1.0, 2.0, 2.0, 0.5, 2.0])
    assert ids[top_k(ids, values, 2)].tolist() == [5, 8]
    assert ids[top_k(ids, values, 10)].tolist() == [5, 8, 12, 3, 9]


@needs_corpus
def test_the_prior_array_holds_each_types_prior(arrays: IndexArrays) -> None:
    for kind, prior in ranking.TYPE_PRIOR.items():
        docs = arrays.facets["type"].mask(kind)
        assert docs.any(), kind
        assert np.all(arrays.prior[docs] == prior), kind


def test_related_measures_are_whooshs_more_like(engine: SearchEngine, searcher) -> None:  # type: ignore[no-untyped-def]
    measures = [searcher.stored_fields(d) for d in searcher.docs_for_query(wq.Term("type", "measure"))][:40:4]
    assert measures
    for stored in measures:
        docnum = searcher.document_number(id=stored["id"])
        text = (stored.get("title") or "") + "\n" + (stored.get("body") or "")
        expected = searcher.more_like(
            docnum,
            "body",
            text=text,
            top=5,
            numterms=12,
            filter=wq.And([wq.Term("type", "measure"), wq.Not(wq.Term("doc_id", stored["doc_id"]))]),
        )
        got = engine.related(stored["id"], limit=5)
        assert [h.score for h in got] == pytest.approx([h.score for h in expected], rel=1e-9), stored["id"]
        cut = got[-1].score * (1 + 1e-9) if got else 0.0  # ties at the cut may differ
        assert {h.id for h in got if h.score > cut} == {h["id"] for h in expected if h.score > cut}


@needs_corpus
def test_an_excluded_word_excludes_every_hit(engine: SearchEngine, searcher) -> None:  # type: ignore[no-untyped-def]
    result = engine.search('"行政许可" -收费', limit=100)
    assert result.total > 0
    assert result.total == engine.search('"行政许可"').total - engine.search("行政许可 收费").total
    for hit in result.results:
        stored = searcher.stored_fields(searcher.document_number(id=hit.id))
        assert "收费" not in (stored.get("title") or "") + (stored.get("body") or ""), hit.id


def test_the_whoosh_engine_implements_the_search_interface(engine: SearchEngine) -> None:
    from kb.search.engine import SearchBackend

    assert isinstance(engine, SearchBackend)


def test_an_index_without_documents_answers_with_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "documents"
    empty.mkdir()
    assert build([empty], tmp_path / "index", procs=1, quiet=True).published
    eng = SearchEngine(tmp_path / "index")
    try:
        result = eng.search("科技创新")
        assert result.total == 0 and result.results == []
        assert result.message
        assert eng.related("nothing.m1") == []
    finally:
        eng.close()


# --- quantities, date order, filters as masks -------------------------------------------------------


def test_amount_ranges_are_whooshs_ranges(engine: SearchEngine, searcher, arrays: IndexArrays) -> None:  # type: ignore[no-untyped-def]
    from kb.search.whoosh.ranges import AmountRange

    reader = searcher.reader()
    for node in (
        AmountRange("amounts", "元", 1e7, None),
        AmountRange("amounts", "元", None, 5e5, high_inclusive=False),
        AmountRange("amounts", "家", 10, 100),
        AmountRange("amounts", "%", 5, 5),
        AmountRange("amounts", "没有这个单位", 1, 2),
    ):
        hits, _ = Evaluator(arrays, reader).top(node, arrays.live, arrays.prior, 10)
        expected = {h.docnum: h.score for h in searcher.search(node, limit=None)}
        assert set(hits.ids.tolist()) == set(expected), node
        for docnum, score in zip(hits.ids.tolist(), hits.score.tolist(), strict=True):
            assert score == pytest.approx(expected[docnum], rel=1e-9)


def test_date_order_is_newest_first_then_by_score(
    engine: SearchEngine, searcher, arrays: IndexArrays
) -> None:  # type: ignore[no-untyped-def]
    parsed = engine.parse("科技创新")
    assert parsed.query is not None
    hits, page = Evaluator(arrays, searcher.reader()).top(
        parsed.query, arrays.live, arrays.prior, 30, keys=arrays.date_first
    )
    got = [(int(arrays.date_first[hits.ids[i]]), float(hits.score[i])) for i in page]
    assert got == sorted(got, key=lambda p: (-p[0], -p[1]))
    # The page holds the newest of all matches.
    newest = sorted((int(arrays.date_first[d]) for d in hits.ids.tolist()), reverse=True)[:30]
    assert [d for d, _ in got] == newest


@needs_corpus
def test_every_filter_is_a_mask_that_agrees_with_the_stored_fields(
    engine: SearchEngine, searcher, arrays: IndexArrays
) -> None:  # type: ignore[no-untyped-def]
    stored = [searcher.stored_fields(d) if arrays.live[d] else None for d in range(arrays.size)]
    year = next(s["year"] for s in stored if s and s.get("year"))
    cases = {
        "type": ("measure", lambda s: s["type"] == "measure"),
        "year": (year, lambda s: s.get("year") == year),
        "agency": ("未注明", lambda s: not s.get("agency")),
        "genre": ("通知", lambda s: s.get("genre") == "通知"),
        "date_from": ("2019-01-01", lambda s: (s.get("date") or "0") >= "2019"),
        "doc_number": ("国发 2019", lambda s: "国发〔2019〕" in (s.get("doc_number") or "")),
    }
    for name, (value, holds) in cases.items():
        mask = engine.allowed(arrays, **{name: value})
        expected = [d for d, s in enumerate(stored) if s is not None and holds(s)]
        assert np.flatnonzero(mask).tolist() == expected, name
        assert expected, name


def _whole(result: Any) -> str:
    """A search result's public JSON, exactly (scores unrounded)."""
    return json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("text", _queries())
def test_restricted_evaluation_equals_the_unrestricted_one(
    engine: SearchEngine, searcher, arrays: IndexArrays, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # An And's larger children evaluated on its smaller ones' hits (kb.search.evaluate, restrict=True) is an
    # optimisation only: the same hits, every score bit for bit, the same page; and the engine's whole answer —
    # total, facets, page, partial fallback — is the same JSON.
    parsed = engine.parse(text)
    assert parsed.query is not None
    got, want = (
        Evaluator(arrays, searcher.reader(), restrict=r).top(parsed.query, arrays.live, arrays.prior, 20)
        for r in (True, False)
    )
    assert got[0].ids.tolist() == want[0].ids.tolist()
    assert got[0].score.tobytes() == want[0].score.tobytes()
    assert got[1].tolist() == want[1].tolist()
    restricted = _whole(engine.search(text, limit=20))
    monkeypatch.setattr(evaluate, "RESTRICT", False)
    assert restricted == _whole(engine.search(text, limit=20))
