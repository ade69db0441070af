"""kb.search.query: user string → Whoosh query, against a small RAM index of real sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED, corpus_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Query

from kb.search.analysis import BigramAnalyzer, ChineseAnalyzer
from kb.search.query import (
    EMPTY_MESSAGE,
    MAX_QUERY_CHARS,
    ONLY_EXCLUDED_MESSAGE,
    ParsedQuery,
    default_narrower,
    default_synonyms,
    highlight_terms,
    load_synonyms,
    load_thesaurus,
    parse_query,
)

FIELDS = {"title": 3.0, "body": 1.0, "bigrams": 0.5}
LAW = "laws_lawrefbook/2489_635973504aa30fca.md"


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=ChineseAnalyzer(), field_boost=3.0, stored=True),
        body=TEXT(analyzer=ChineseAnalyzer(), stored=True),
        bigrams=TEXT(analyzer=BigramAnalyzer()),
    )


def seed_paragraphs() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [p.strip() for p in text.splitlines() if len(p.strip()) > 40]


def build_index(extra: list[tuple[str, str, str]] = ()):
    schema = make_schema()
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        title = SEED.read_text(encoding="utf-8").splitlines()[0]
        for i, para in enumerate(seed_paragraphs()):
            w.add_document(id=f"seed{i}", title=title, body=para, bigrams=f"{title}\n{para}")
        for doc_id, title, body in extra:
            w.add_document(id=doc_id, title=title, body=body, bigrams=f"{title}\n{body}")
    return ix


@pytest.fixture(scope="module")
def ix():
    return build_index()


def run(ix, text: str, *, fallback: bool = False) -> list[str]:
    """Ids of matching paragraphs' bodies (all hits)."""
    parsed = parse_query(text, FIELDS, schema=ix.schema)
    q = parsed.fallback if fallback else parsed.query
    assert q is not None, parsed.message
    with ix.searcher() as s:
        return [hit["body"] for hit in s.search(q, limit=None)]


# --- behaviour on the seed plan -----------------------------------------------------------


def test_intellectual_property_finds_measure_six(ix) -> None:
    hits = run(ix, "知识产权")
    assert hits and hits[0].startswith("(六)")


def test_traditional_query_finds_simplified_text(ix) -> None:
    hits = run(ix, "知識產權")
    assert hits and hits[0].startswith("(六)")


def test_abbreviation_expands_by_synonym(ix) -> None:
    hits = run(ix, "高企")
    expected = [p for p in seed_paragraphs() if "高新技术企业" in p]
    assert len(expected) >= 3
    assert set(expected) <= set(hits)
    parsed = parse_query("高企", FIELDS, schema=ix.schema, synonyms={})
    with ix.searcher() as s:
        unexpanded = [h["body"] for h in s.search(parsed.query, limit=None)]
    assert not set(expected) <= set(unexpanded)


@pytest.mark.parametrize("query", ["42家", "5000万元", "330亿元"])
def test_numbers_with_units(ix, query: str) -> None:
    hits = run(ix, query)
    assert len(hits) == 1 and query in hits[0]
    parsed = parse_query(query, FIELDS, schema=ix.schema)
    assert parsed.terms == [query]


def test_fullwidth_digits_fold(ix) -> None:
    assert run(ix, "４２家") == run(ix, "42家")


def test_number_and_unit_are_a_phrase(ix) -> None:
    # 42 and 家 both occur in other paragraphs, but only one has "42家".
    assert len(run(ix, "42 家")) >= len(run(ix, "42家")) == 1


def test_unknown_word_is_kept_together(ix) -> None:
    # Not in jieba's dictionary: cut into single characters, searched as one phrase.
    parsed = parse_query("娑罗子 研究", FIELDS, schema=ix.schema)
    assert parsed.terms == ["娑罗子", "研究"]
    hits = run(ix, "娑罗子")
    assert len(hits) == 1 and "娑罗子" in hits[0]


def test_quoted_phrase(ix) -> None:
    hits = run(ix, '"科技成果转化"')
    assert hits and all("科技成果转化" in h for h in hits)
    parsed = parse_query("“科技成果转化”", FIELDS, schema=ix.schema)
    assert parsed.words[0].phrase and parsed.terms == ["科技成果转化"]
    parsed = parse_query("「科技成果转化」", FIELDS, schema=ix.schema)
    assert parsed.words[0].phrase


def test_quoted_phrase_is_stricter_than_words(ix) -> None:
    loose = run(ix, "科技 扶贫")
    strict = run(ix, '"科技扶贫"')
    assert strict and set(strict) <= set(loose)
    assert all("科技扶贫" in h for h in strict)
    assert len(loose) > len(strict)


def test_exclusion(ix) -> None:
    with_poverty = run(ix, "科技")
    hits = run(ix, "-扶贫 科技")
    assert hits and len(hits) < len(with_poverty)
    assert not any("扶贫" in h for h in hits)
    parsed = parse_query("-扶贫 科技", FIELDS, schema=ix.schema)
    assert parsed.excluded == ("扶贫",) and parsed.terms == ["科技"]
    assert run(ix, "科技 NOT 扶贫") == hits
    assert not any("脱贫攻坚" in h for h in run(ix, '科技 -"脱贫攻坚"'))


def test_hyphen_inside_number_is_not_exclusion(ix) -> None:
    parsed = parse_query("2018-2020 高新技术产业", FIELDS, schema=ix.schema)
    assert parsed.excluded == ()
    assert parsed.terms == ["2018-2020", "高新技术产业"]
    # The plan writes 2018—2020 (em dash): both sides give the adjacent tokens 2018 2020.
    hits = run(ix, "2018-2020 高新技术产业")
    assert len(hits) == 1 and "2018—2020" in hits[0]


def test_only_exclusions_or_nothing() -> None:
    schema = make_schema()
    assert parse_query("-扶贫", FIELDS, schema=schema).message == ONLY_EXCLUDED_MESSAGE
    for text in ["", "   ", "*", "?", "“”", "！！！", "😀😀", "AND OR NOT", "\x00\x07"]:
        parsed = parse_query(text, FIELDS, schema=schema)
        assert parsed.query is None and parsed.message == EMPTY_MESSAGE, text


def test_fallback_or_query(ix) -> None:
    parsed = parse_query("知识产权 娑罗子", FIELDS, schema=ix.schema)
    with ix.searcher() as s:
        assert len(s.search(parsed.query)) == 0
        hits = [h["body"] for h in s.search(parsed.fallback, limit=None)]
    assert any(h.startswith("(六)") for h in hits) and any("娑罗子" in h for h in hits)
    assert parse_query("知识产权", FIELDS, schema=ix.schema).fallback is None


def test_function_characters_dropped_only_with_other_words() -> None:
    schema = make_schema()
    assert parse_query("碳达峰和碳中和", FIELDS, schema=schema).terms == ["碳达峰", "碳中和"]
    assert parse_query("和", FIELDS, schema=schema).terms == ["和"]
    assert parse_query('"碳达峰和碳中和"', FIELDS, schema=schema).terms == ["碳达峰和碳中和"]


def test_field_syntax_and_wildcards_are_plain_text() -> None:
    schema = make_schema()
    assert parse_query("title:科技*", FIELDS, schema=schema).terms == ["title", "科技"]
    assert parse_query("科技^5 [a TO z]", FIELDS, schema=schema).terms == ["科技", "5", "a", "TO", "z"]


def test_one_plus_x_certificate() -> None:
    schema = make_schema()
    ix = RamStorage().create_index(schema)
    body = "深化产教融合、校企合作，推进1+X证书制度试点。"
    with ix.writer() as w:
        w.add_document(id="x", title="", body=body, bigrams=body)
        w.add_document(id="y", title="", body="颁发1本证书，X光检查", bigrams="颁发1本证书，X光检查")
    for query in ["1+X证书", "1＋Ｘ证书", '"1+X证书"', "1+x"]:
        parsed = parse_query(query, FIELDS, schema=schema)
        with ix.searcher() as s:
            assert [h["id"] for h in s.search(parsed.query)] == ["x"], query


def test_truncation() -> None:
    schema = make_schema()
    parsed = parse_query("科技" * 2500, FIELDS, schema=schema)
    assert parsed.truncated and len(parsed.text) <= MAX_QUERY_CHARS
    assert parsed.query is not None and parsed.message


def test_list_of_fields_and_unknown_field() -> None:
    schema = make_schema()
    parsed = parse_query("知识产权", ["body"], schema=schema)
    assert parsed.query is not None and parsed.fields == ("body",)
    with pytest.raises(ValueError):
        parse_query("知识产权", ["nope"], schema=schema)


# --- the law: bigram field bridges jieba's segmentation -----------------------------------


@pytest.mark.corpus
def test_individual_income_tax_finds_the_law() -> None:
    path = corpus_file(LAW)
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[0].lstrip("# ").strip()
    assert title == "中华人民共和国个人所得税法"
    # Index only the title: jieba cuts it 中华人民共和国 / 个人所得税法.
    ix = build_index([("law", title, "")])
    parsed = parse_query("个人所得税", FIELDS, schema=ix.schema)
    with ix.searcher() as s:
        assert [h["id"] for h in s.search(parsed.query)] == ["law"]
        word_only = parse_query("个人所得税", {"title": 3.0, "body": 1.0}, schema=ix.schema)
        assert len(s.search(word_only.query)) == 0


# --- synonyms and highlighting ------------------------------------------------------------


def test_shipped_synonyms() -> None:
    syn = default_synonyms()
    assert len(syn) >= 30
    assert "高新技术企业" in syn["高企"]
    assert "高企" not in syn.get("高新技术企业", ())  # one-way
    assert "研究开发" in syn["研发"] and "研发" in syn["研究开发"]  # two-way
    # 专利 is a kind of 知识产权: the broader term finds the narrower one, never the other way round.
    assert "专利" in default_narrower()["知识产权"]
    assert "专利" not in syn and "知识产权" not in default_narrower().get("专利", ())
    assert syn["gdp"] == ("地区生产总值", "国内生产总值")  # keys are normalised (lowercase)


def test_load_synonyms_format(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text(
        "# comment => no\n\n甲 => 乙, 丙\n丁 <=> 戊 <=> 己\n庚, 辛\n繁體 => 簡體，另一\nbroken line\n",
        encoding="utf-8",
    )
    syn = load_synonyms(path)
    assert syn["甲"] == ["乙", "丙"] and "乙" not in syn
    assert syn["丁"] == ["戊", "己"] and syn["己"] == ["丁", "戊"]
    assert syn["庚"] == ["辛"] and syn["辛"] == ["庚"]
    assert syn["繁体"] == ["简体", "另一"]
    assert "broken line" not in syn


def test_narrower_terms_format(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("知识产权 > 专利, 商标\n高企 => 高新技术企业\n", encoding="utf-8")
    thesaurus = load_thesaurus(path)
    assert thesaurus.narrower == {"知识产权": ["专利", "商标"]}
    assert "专利" not in thesaurus.synonyms and "知识产权" not in thesaurus.synonyms
    assert load_synonyms(path) == {"高企": ["高新技术企业"]}


def test_multiword_synonym_matches_across_punctuation() -> None:
    # 双创 => 大众创业万众创新 is searched as a phrase; the document's "、" does not break it.
    schema = make_schema()
    ix2 = RamStorage().create_index(schema)
    body = "支持大众创业、万众创新，建设众创空间。"
    with ix2.writer() as w:
        w.add_document(id="a", title="", body=body, bigrams=body)
    parsed = parse_query("双创", FIELDS, schema=schema)
    with ix2.searcher() as s:
        assert len(s.search(parsed.query)) == 1


def test_highlight_terms() -> None:
    schema = make_schema()
    parsed = parse_query("知識產權 高企 -扶贫", FIELDS, schema=schema)
    terms = highlight_terms(parsed)
    assert {"知識產權", "知识产权", "高企", "高新技术企业", "专利"} <= set(terms)
    assert "扶贫" not in terms
    assert [len(t) for t in terms] == sorted((len(t) for t in terms), reverse=True)
    parsed = parse_query("双创", FIELDS, schema=schema)
    assert {"大众创业", "万众创新"} <= set(highlight_terms(parsed))


# --- hostile input ------------------------------------------------------------------------

HOSTILE = [
    "",
    "*",
    "?",
    "field:value",
    "title:知识产权",
    "AND OR NOT",
    "NOT",
    "-",
    "--科技",
    '"',
    '"科技',
    "“科技”成果“",
    "「」",
    '-""',
    "科技^10",
    "[1 TO 5]",
    "知识产权~2",
    "a" * 5000,
    "科技 " * 1000,
    "😀🇨🇳👍🏽",
    "\ud800科技",
    "\u200b\u200d\ufeff",
    "\x00\x1b[31m",
    "<script>alert(1)</script>",
    "1+1=2",
    "5-10",
    "-5",
    "((((",
    "\\",
    "%_%",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_inputs(ix, text: str) -> None:
    parsed = parse_query(text, FIELDS, schema=ix.schema)
    assert isinstance(parsed, ParsedQuery)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    check_runs(ix, parsed)


def check_runs(ix, parsed: ParsedQuery) -> None:
    if parsed.query is None:
        assert parsed.message
        return
    with ix.searcher() as s:
        for q in (parsed.query, parsed.fallback):
            if q is not None:
                assert isinstance(q, Query)
                s.search(q, limit=5)
    highlight_terms(parsed)


QUERY_ALPHABET = [*'"“”「」『』-*?:()[]^~ANDORNT 科技知识产权扶贫高企42家万元5000.+1X', "\u3000", "\n"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=300),
        st.text(alphabet=st.sampled_from(QUERY_ALPHABET), max_size=60),
    )
)
def test_any_text_never_raises_and_runs(ix, text: str) -> None:
    parsed = parse_query(text, FIELDS, schema=ix.schema)
    check_runs(ix, parsed)
