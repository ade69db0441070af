"""kb.search.analysis: normalisation, jieba segmentation, Whoosh tokenizers/analyzers, dictionaries."""

from __future__ import annotations

import itertools
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Phrase, Term

from kb.config import default_file
from kb.search.analysis import (
    CROSS_MARK,
    AmountTokenizer,
    BigramAnalyzer,
    BigramTokenizer,
    ChineseAnalyzer,
    JiebaTokenizer,
    bigrams,
    fingerprint,
    index_bigrams,
    index_terms,
    is_bigram_analyzer,
)
from kb.text import segment as segment_module
from kb.text.normalize import normalize
from kb.text.segment import load_userdict, segment, segmenter
from kb.text.segmenters import JiebaSegmenter, rjieba_available

USERDICT_PATH = default_file("userdict.txt")

ROOT = Path(__file__).resolve().parent.parent


def words(text: str) -> list[str]:
    return [t for t, _, _ in segment(text)]


def analyze(analyzer, text: str) -> list[tuple[str, int, int, int]]:
    return [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)]


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trad", "simp"),
    [("知識產權", "知识产权"), ("產業", "产业"), ("發展", "发展"), ("國務院關於", "国务院关于")],
)
def test_traditional_to_simplified(trad: str, simp: str) -> None:
    assert normalize(trad) == simp


def test_normalize_folds_fullwidth_and_spaces() -> None:
    assert normalize("ＧＤＰ增长６．５％\u3000") == "GDP增长6.5% "


@given(st.text())
def test_normalize_is_length_preserving(text: str) -> None:
    assert len(normalize(text)) == len(text)


# --- segmentation ---------------------------------------------------------------------------


def test_numbers_and_units_are_kept() -> None:
    assert words("净增高新技术企业42家") == ["净增", "高新技术企业", "42", "家"]
    assert words("争取增资5000万元") == ["争取", "增资", "5000", "万元"]


def test_decimal_numbers_stay_whole() -> None:
    assert words("GDP增长6.5%") == ["gdp", "增长", "6.5"]
    assert words("2019.07.08") == ["2019.07.08"]
    assert words("第1.") == ["第", "1"]


def test_punctuation_and_whitespace_dropped() -> None:
    assert words(" \r\n-----，。！【】\u3000\u2002") == []
    assert words("Ａ１２ 和 ①") == ["a12", "和", "1"]


def test_one_plus_x_certificate_tokens() -> None:
    # "+" is punctuation: the phrase 1 / x / 证书 stays intact with sequential positions.
    assert words("1+X证书制度") == ["1", "x", "证书", "制度"]
    assert words("1＋Ｘ证书") == ["1", "x", "证书"]


def test_segmentation_is_precise_mode_without_subwords() -> None:
    # Precise mode: no overlapping search-mode sub-words.
    assert words("中华人民共和国个人所得税法") == ["中华人民共和国", "个人所得税法"]
    assert words("个人所得税") == ["个人所得税"]


def test_user_dictionary_keeps_short_terms_from_swallowing_neighbours() -> None:
    assert words("提高职业技能") == ["提高", "职业技能"]
    assert words("其中职工") == ["其中", "职工"]
    assert words("推进碳达峰和碳中和") == ["推进", "碳达峰", "和", "碳中和"]


# Terms the user dictionary must contain (the brief's minimum list).
REQUIRED_TERMS = [
    "高新技术企业",
    "高新技术产业",
    "科技特派员",
    "星创天地",
    "产教融合",
    "校企合作",
    "双师型",
    "科技成果转化",
    "技术合同交易额",
    "知识产权",
    "发明专利",
    "专利申请量",
    "创新创业",
    "大众创业",
    "万众创新",
    "科技金融",
    "创业投资",
    "孵化器",
    "众创空间",
    "重点实验室",
    "工程技术研究中心",
    "新型研发机构",
    "科技型中小企业",
    "研发投入",
    "乡村振兴",
    "精准扶贫",
    "脱贫攻坚",
    "营商环境",
    "放管服",
    "碳达峰",
    "碳中和",
    "专精特新",
    "数字经济",
    "职业教育",
    "高职",
    "中职",
    "实训基地",
    "国家级高新区",
    "创新驱动发展战略",
    "生物医药",
    "规上企业",
    "规模以上工业增加值",
    "地区生产总值",
]


def test_userdict_has_required_terms_and_enough_entries() -> None:
    entries = {w for w, _, _ in load_userdict(USERDICT_PATH)}
    assert len(entries) >= 150
    missing = [t for t in REQUIRED_TERMS if t not in entries]
    assert not missing


def test_every_userdict_term_is_one_token() -> None:
    not_whole = [(w, words(w)) for w, _, _ in load_userdict(USERDICT_PATH) if words(w) != [w.lower()]]
    assert not not_whole


def test_userdict_has_no_punctuation_entries() -> None:
    assert all(w.isalnum() for w, _, _ in load_userdict(USERDICT_PATH))


def test_load_userdict_skips_comments(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_text("# comment 1 n\n\n甲乙丙丁 10 nz\n戊己庚\n辛壬 n\n", encoding="utf-8")
    assert load_userdict(path) == [("甲乙丙丁", 10, "nz"), ("戊己庚", None, None), ("辛壬", None, "n")]


def test_segmenter_is_a_singleton() -> None:
    assert segmenter() is segmenter()


def test_jieba_segmenter_is_private_with_its_cache_in_our_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import jieba

    monkeypatch.setenv(segment_module.ENV_SEGMENTER, "jieba")
    previous = segment_module.set_segmenter(None)
    try:
        seg = segmenter()
        assert isinstance(seg, JiebaSegmenter)
        assert seg.tokenizer is not jieba.dt
        assert Path(seg.tokenizer.tmp_dir) == segment_module.cache_dir()
    finally:
        segment_module.set_segmenter(previous)


@pytest.mark.parametrize("implementation", ["jieba", "rjieba"])
def test_cache_dir_env_and_bureau_userdict_in_fresh_process(tmp_path: Path, implementation: str) -> None:
    if implementation == "rjieba" and not rjieba_available():
        pytest.skip("rjieba is not installed")
    cache = tmp_path / "cache"
    config = tmp_path / "config"
    config.mkdir()
    (config / "userdict.txt").write_text("# a bureau's dictionary\n氪金测试词\n", encoding="utf-8")
    code = (
        "from kb.text.segment import segment, segmenter\n"
        "print(type(segmenter()).__name__)\n"
        "print('|'.join(t for t, _, _ in segment('这是氪金测试词')))\n"
    )
    env = {
        **os.environ,
        "POLICYKB_CACHE": str(cache),
        "POLICYKB_CONFIG": str(config),
        segment_module.ENV_SEGMENTER: implementation,
    }
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    name, words = proc.stdout.split()
    assert name == {"jieba": "JiebaSegmenter", "rjieba": "RJiebaSegmenter"}[implementation]
    assert words.endswith("氪金测试词")
    # jieba keeps its cache in our folder; rjieba reads jieba's dictionary and needs none.
    assert (cache / "jieba.cache").is_file() == (implementation == "jieba")
    # jieba's start-up chatter ("Building prefix dict...") is silenced.
    assert "prefix dict" not in proc.stderr


def test_fingerprint_is_stable_and_names_the_code() -> None:
    base = fingerprint()
    assert base == fingerprint()
    assert len(base) == 40


def test_jieba_tokenizer_positions_and_offsets() -> None:
    text = "（一）净增高新技术企业４２家，增资5000万元。"
    toks = analyze(ChineseAnalyzer(), text)
    assert [t[0] for t in toks] == ["一", "净增", "高新技术企业", "42", "家", "增资", "5000", "万元"]
    assert [t[1] for t in toks] == list(range(len(toks)))
    assert [text[s:e] for _, _, s, e in toks] == [
        "一",
        "净增",
        "高新技术企业",
        "４２",
        "家",
        "增资",
        "5000",
        "万元",
    ]


def test_jieba_tokenizer_start_pos_and_char() -> None:
    tokenizer = JiebaTokenizer()
    toks = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in tokenizer("科技 创新", positions=True, chars=True, start_pos=5, start_char=100)
    ]
    assert toks == [("科技", 5, 100, 102), ("创新", 6, 103, 105)]


def test_tokenize_false_yields_whole_value() -> None:
    toks = [t.text for t in JiebaTokenizer()("知識 ＡＢ", tokenize=False)]
    assert toks == ["知识 ab"]


def test_bigrams_across_two_words_are_marked() -> None:
    # 提高/企业: the 高企 between the two words is not the abbreviation 高企.
    assert [t for t, _, _ in index_bigrams("提高企业")] == ["提高", "高|企", "企业"]
    # An unknown word jieba cuts character by character (高/企) stays one run: its bigram is unmarked.
    assert "高企" in [t for t, _, _ in index_bigrams("加快培育高企")]
    assert [t for t, _, _ in index_bigrams("个人所得税法")] == ["个人", "人所", "所得", "得税", "税法"]
    # A query word is bigrammed plainly; kb.search.query decides which forms it accepts.
    assert [t.text for t in BigramAnalyzer()("提高企业", mode="query")] == ["提高", "高企", "企业"]


def test_bigram_tokens() -> None:
    toks = analyze(BigramAnalyzer(), "中华人民共和国个人所得税法，第42条")
    texts = [t[0] for t in toks]
    assert texts[:3] == ["中华", "华人", "人民"]
    assert "个人" in texts and "得税" in texts and "42" in texts
    assert texts[-3:] == ["第", "42", "条"]
    assert [t[1] for t in toks] == list(range(len(toks)))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_tokens_point_into_original_text(text: str) -> None:
    norm = normalize(text)
    for analyzer in (ChineseAnalyzer(), BigramAnalyzer()):
        toks = analyze(analyzer, text)
        assert [t[1] for t in toks] == list(range(len(toks)))
        for tok, _, start, end in toks:
            assert 0 <= start < end <= len(text)
            # A bigram across two words carries the cross mark between its characters ("高|企").
            assert tok.replace(CROSS_MARK, "") == norm[start:end].lower()
            assert tok.strip() == tok and tok


def test_analyzers_pickle_without_jieba_state() -> None:
    schema = Schema(body=TEXT(analyzer=ChineseAnalyzer()), bigrams=TEXT(analyzer=BigramAnalyzer()))
    data = pickle.dumps(schema)
    assert b"kb.search.analysis" in data and b"jieba" not in data
    restored = pickle.loads(data)
    assert isinstance(restored["body"].analyzer, ChineseAnalyzer)
    assert is_bigram_analyzer(restored["bigrams"].analyzer)
    assert not is_bigram_analyzer(restored["body"].analyzer)
    assert restored["body"].analyzer == ChineseAnalyzer()
    assert words("知识产权") == [t.text for t in restored["body"].analyzer("知识产权")]


def test_bigram_phrase_bridges_different_segmentation() -> None:
    title = "中华人民共和国个人所得税法"
    # jieba cuts the document title and the query differently ...
    assert "个人所得税" not in words(title)
    schema = Schema(title=TEXT(analyzer=ChineseAnalyzer()), bigrams=TEXT(analyzer=BigramAnalyzer()))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(title=title, bigrams=title)
        w.add_document(title="个人所得", bigrams="个人所得")
    with ix.searcher() as s:
        # ... so the word field misses,
        assert len(s.search(Term("title", "个人所得税"))) == 0
        # ... while the query as a bigram phrase finds it.
        grams = [t for t, _, _ in bigrams("个人所得税")]
        assert grams == ["个人", "人所", "所得", "得税"]
        assert len(s.search(Phrase("bigrams", grams))) == 1


def test_phrase_query_across_function_word() -> None:
    schema = Schema(body=TEXT(analyzer=ChineseAnalyzer()))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(body="推进碳达峰和碳中和工作")
        w.add_document(body="碳达峰与碳中和")
    with ix.searcher() as s:
        toks = words("碳达峰和碳中和")
        assert len(s.search(Phrase("body", toks))) == 1


def test_multiprocess_writer(tmp_path: Path) -> None:
    segmenter()  # initialise before forking, as the store does
    schema = Schema(
        id=ID(stored=True, unique=True),
        body=TEXT(analyzer=ChineseAnalyzer()),
        bigrams=TEXT(analyzer=BigramAnalyzer()),
    )
    ix = index.create_in(str(tmp_path), schema)
    writer = ix.writer(procs=2, multisegment=True, limitmb=32)
    texts = [f"第{i}条 净增高新技术企业{i}家，推动知识产权运用。" for i in range(60)]
    for i, text in enumerate(texts):
        writer.add_document(id=str(i), body=text, bigrams=text)
    writer.commit()
    ix = index.open_dir(str(tmp_path))
    with ix.searcher() as s:
        assert s.doc_count() == 60
        assert len(s.search(Phrase("body", ["42", "家"]))) == 1
        assert len(s.search(Term("body", "知识产权"), limit=None)) == 60


def _index_bigrams_reference(text: str) -> list[tuple[str, int, int]]:
    """index_bigrams as first written: bigrams, then the ones across a word boundary marked."""
    from kb.text.normalize import is_cjk

    grams = bigrams(text)
    toks = segment(text)
    cut = {
        e1
        for (_, s1, e1), (_, s2, e2) in itertools.pairwise(toks)
        if e1 == s2 and not (e1 - s1 == 1 and e2 - s2 == 1)
    }
    return [
        (t[0] + CROSS_MARK + t[1:], s, e)
        if e - s == 2 and s + 1 in cut and is_cjk(t[0]) and is_cjk(t[1])
        else (t, s, e)
        for t, s, e in grams
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["提高", "企业", "高企", "加快培育", "个人所得税法", "〇", "𠀀", "ab", "6.5", "，", " ", "知識"]
        ),
        max_size=20,
    ).map("".join)
)
def test_index_bigrams_as_first_written(text: str) -> None:
    assert index_bigrams(text) == _index_bigrams_reference(text)


def test_index_bigrams_of_the_seed_plan_as_first_written(seed_path: Path) -> None:
    for line in seed_path.read_text(encoding="utf-8").splitlines():
        assert index_bigrams(line) == _index_bigrams_reference(line)


# --- terms for the index without Token objects (kb.search.whoosh.patches) -------------------------------------

WORD_VALUES_TEXTS = [
    "（一）净增高新技术企业４２家，增资5000万元。提高企业、加快培育高企；GDP增长6.5%，0.5亿元",
    "中华人民共和国个人所得税法 知識產權 2019.07.08 第1.2条 科技 科技 科技",
    "",
    "，。 ",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["提高", "企业", "高企", "加快培育", "〇", "𠀀", "ab", "6.5", "，", " ", "知識", "5000万元"]
        ),
        max_size=20,
    ).map("".join)
)
def test_tokenizer_terms_are_the_token_texts(text: str) -> None:
    for tokenizer in (JiebaTokenizer(), BigramTokenizer(), AmountTokenizer()):
        for mode in ("index", "query"):
            assert tokenizer.terms(text, mode) == [t.text for t in tokenizer(text, mode=mode)]


def test_patched_word_values_are_whooshs(seed_path: Path) -> None:
    from whoosh import formats

    from kb.search.schema import make_schema
    from kb.search.whoosh import patches

    schema = make_schema()
    texts = [*WORD_VALUES_TEXTS, seed_path.read_text(encoding="utf-8")]
    fields = ["title", "body", "linked", "bigrams", "title_bigrams", "amounts"]
    assert {type(schema[name].format) for name in fields} == {formats.Positions, formats.Frequency}
    before = (formats.Positions.word_values, formats.Frequency.word_values)
    try:
        for name in fields:
            field = schema[name]
            for text in texts:
                patches.uninstall()
                expected = sorted(field.format.word_values(text, field.analyzer, mode="index"))
                patches.install()
                assert sorted(field.format.word_values(text, field.analyzer, mode="index")) == expected, name
    finally:
        formats.Positions.word_values, formats.Frequency.word_values = before


def test_index_terms_only_for_kbs_own_analyzers() -> None:
    from whoosh.analysis import LowercaseFilter, StandardAnalyzer

    assert index_terms(ChineseAnalyzer(), "科技创新", {"mode": "index"}) == ["科技创新"]
    assert index_terms(BigramAnalyzer(), "提高企业", {"mode": "index"}) == ["提高", "高|企", "企业"]
    assert index_terms(ChineseAnalyzer(), ["科技"], {"mode": "index"}) is None
    assert index_terms(ChineseAnalyzer(), "科技", {"mode": "index", "start_pos": 3}) is None
    assert index_terms(ChineseAnalyzer() | LowercaseFilter(), "科技", {"mode": "index"}) is None
    assert index_terms(StandardAnalyzer(), "science", {"mode": "index"}) is None
