"""kb.text.segmenters: rjieba (jieba-rs) loaded with jieba's dictionaries cuts exactly as jieba does.

jieba is the reference. The rjieba tests skip (with the reason) when rjieba is not installed; the choice of the
implementation and the fallback are tested either way. ``bench/segment.py`` runs the same comparison on the whole
corpus and prints the speed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, SEED, corpus_missing
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search import analysis
from kb.text import segment as segment_module
from kb.text.normalize import normalize
from kb.text.segment import ENV_SEGMENTER, implementation, segment, set_segmenter
from kb.text.segmenters import (
    EXTRA_RUN_CHARS,
    JIEBA_RUN_CLASS,
    PAD_WORD,
    JiebaSegmenter,
    RJiebaSegmenter,
    Unrepresentable,
    rjieba_available,
)

RJIEBA_MISSING = "rjieba is not installed (pip install rjieba): only jieba, the reference, is in use"
needs_rjieba = pytest.mark.skipif(not rjieba_available(), reason=RJIEBA_MISSING)

# Texts where the two could part: Latin, digits and decimals, full-width forms, user-dictionary words, mixed
# scripts, characters jieba-rs reads as ideographs and jieba does not (extension A 㐀, U+9FD6+ 鿖, compatibility
# 﨎, extension B 𠀀), a lone surrogate, line breaks, emoji.
SAMPLES = [
    "推进碳达峰和碳中和，净增高新技术企业42家，技术合同交易额35亿元。",
    "GDP增长6.5%左右，CPI涨幅3%；R&D经费投入强度2.4%，5G基站1.2万个，AI+制造。",
    "ＧＤＰ增长６．５％，全年完成投资１２３４．５６万元（同比增长１０．２％）。",
    "2019.07.08 第1.2.3条 v2.0版 1+X证书制度 互联网+政务服务 C++ 和 C#、AT&T、TCP/IP、e-mail、3.14.15",
    "The State Council issued Document No. 4 (Guo Fa [2019] 4), effective 2019-02-13.",
    "科技特派员、星创天地、众创空间、专精特新、规上企业、规模以上工业增加值、地区生产总值",
    "提高职业技能 其中职工 加快培育高企 中华人民共和国个人所得税法 個人所得稅 發展改革委",
    "扶持㐀族村落鿖鿗发展，﨎﨏字样，𠀀𠀁𡈼字，混合㐀abc１２３𠀀科技。",
    "第一条\r\n第二条\n\n\t第三条\u3000\u2002全角空格　和\xa0不换行空格",
    "😀创新驱动发展战略🚀，①②③ ⅠⅡⅢ ⑴⑵ ㈠㈡ 〇一二",
    "ab\udc80cd 科技\ud800创新",
    "α粒子 γ射线 β系数 μm ×÷ ±5% ≥10 ≤20 ～30 —— …… 《》「」『』【】",
    "步步步厚",  # cut differently when jieba-rs' total frequency is not jieba's (found by the generated texts)
    "",
    "。",
    "a",
    "1",
]


@pytest.fixture(scope="module")
def pair() -> tuple[JiebaSegmenter, RJiebaSegmenter]:
    if not rjieba_available():
        pytest.skip(RJIEBA_MISSING)
    entries = segment_module.user_entries()
    return JiebaSegmenter(entries, segment_module.cache_dir()), RJiebaSegmenter(entries)


def segment_with(seg: object, text: str) -> list[tuple[str, int, int]]:
    previous = set_segmenter(seg)  # type: ignore[arg-type]
    try:
        return segment(text)
    finally:
        set_segmenter(previous)


def assert_same(pair: tuple[JiebaSegmenter, RJiebaSegmenter], text: str) -> None:
    ref, fast = pair
    norm = normalize(text)
    assert fast.cut(norm) == list(ref.cut(norm, HMM=False))
    assert segment_with(fast, text) == segment_with(ref, text)


# --- tokens and offsets ---------------------------------------------------------------------------------------


@needs_rjieba
@pytest.mark.parametrize("text", SAMPLES)
def test_same_words_and_offsets_as_jieba(pair, text: str) -> None:
    assert_same(pair, text)


@needs_rjieba
def test_same_words_and_offsets_on_the_seed_plan(pair) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert_same(pair, text)
    for line in text.splitlines():  # lines and clauses are indexed on their own too
        assert_same(pair, line)


@needs_rjieba
@pytest.mark.corpus
def test_same_words_on_one_document_of_each_collection(pair) -> None:
    if not CORPUS.is_dir():
        pytest.skip(corpus_missing())
    compared = 0
    for collection in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        files = sorted(f for f in collection.iterdir() if f.suffix in (".txt", ".md", ".html"))
        if files:
            assert_same(pair, files[len(files) // 2].read_text(encoding="utf-8")[:20000])
            compared += 1
    assert compared >= 5


# Characters that make words of the dictionaries (the seed plan's), and everything around them.
_SEED_CHARS = sorted(set(SEED.read_text(encoding="utf-8")) - {"\n"})
_ALPHABET = st.sampled_from(
    _SEED_CHARS
    + list("aAzZ09.%+-#&_ ，。、\r\n\t\u3000ＡＢ１２．")
    + ["㐀", "鿖", "﨎", "𠀀", "😀", "\udc80"]
)


@needs_rjieba
@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_same_words_on_generated_texts(pair, text: str) -> None:
    assert_same(pair, text)


@needs_rjieba
def test_dictionary_state_is_jiebas(pair) -> None:
    ref, fast = pair
    assert (
        fast.total == ref.total
    )  # every frequency counts, re-listed words too (log total is in every score)
    for word, _, _ in segment_module.user_entries():
        assert fast.is_word(word) and ref.is_word(word)
    for text in ("中华人民共和国", "高新技术企业", "γ射线", "中华人", "γ射", "㐀", PAD_WORD, "qzqz"):
        assert fast.is_word(text) == ref.is_word(text), text


@needs_rjieba
def test_user_words_without_frequency_get_jiebas_suggestion(tmp_path: Path) -> None:
    # No frequency: jieba suggests one from its current state (a prefix of a word counts 0, a word re-listed
    # adds to the total again): the suggestions, and so the cuts, must be jieba's.
    entries = [
        ("氪金测试词", None, None),
        ("碳中和", None, None),  # 碳/中和 in jieba's dictionary
        ("中华人民", None, "nz"),  # a dictionary word's prefix
        ("高新技术企业", None, None),  # a dictionary word, re-listed
        ("科技", 5, None),  # a lower frequency than the dictionary's
        ("γ射线", 10, None),  # jieba can never cut it out (γ is no ideograph to jieba)
        ("㐀族", None, None),  # nor this one (extension A)
    ]
    ref, fast = JiebaSegmenter(entries, segment_module.cache_dir()), RJiebaSegmenter(entries)
    assert fast.total == ref.total
    for text in ("这是氪金测试词", "碳中和目标", "中华人民共和国", "科技创新", "γ射线", "㐀族村", *SAMPLES):
        norm = normalize(text)
        assert fast.cut(norm) == list(ref.cut(norm, HMM=False)), text


def test_zero_frequency_user_word_means_jieba(monkeypatch: pytest.MonkeyPatch) -> None:
    # jieba drops a word of frequency 0 from its dictionary; jieba-rs cannot take a word out.
    monkeypatch.delenv(ENV_SEGMENTER, raising=False)
    assert implementation([("高新技术企业", 0, None)]) == "jieba"
    monkeypatch.setenv(ENV_SEGMENTER, "rjieba")
    with pytest.raises(RuntimeError, match="frequency 0"):
        implementation([("高新技术企业", 0, None)])


@needs_rjieba
def test_rjieba_refuses_what_it_cannot_mirror() -> None:
    with pytest.raises(Unrepresentable):
        RJiebaSegmenter([("科技", 0, None)])  # a word of jieba's dictionary
    # A new word of frequency 0 is no word to jieba either: nothing to take out.
    entries = [("氪金测试词", 0, None)]
    ref, fast = JiebaSegmenter(entries, segment_module.cache_dir()), RJiebaSegmenter(entries)
    assert fast.cut("这是氪金测试词") == list(ref.cut("这是氪金测试词", HMM=False))
    with pytest.raises(ValueError, match="HMM"):
        fast.cut("科技创新", HMM=True)
    with pytest.raises(RuntimeError):
        fast.add_word("新词", 10)


@needs_rjieba
def test_rjieba_runs_are_jiebas_runs_plus_the_characters_cut_out() -> None:
    # What RJiebaSegmenter.cut relies on: jieba-rs cuts runs of jieba's class plus EXTRA_RUN_CHARS, nothing
    # else. A character c is in jieba-rs' run class iff the dictionary word "一c" is found in the text "一c".
    import rjieba

    probe = rjieba.Jieba.empty()
    codepoints = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and (c < 0x10000 or c % 61 == 0)]
    codepoints += [c for a, b in re.findall(r"(.)-(.)", EXTRA_RUN_CHARS) for c in (ord(a), ord(b))]
    codepoints = sorted({c for c in codepoints if not 0xD800 <= c <= 0xDFFF})
    for c in codepoints:
        probe.add_word("一" + chr(c), 1, None)
    in_rjieba = {c for c in codepoints if probe.cut("一" + chr(c), False) == ["一" + chr(c)]}
    runs = re.compile(f"[{JIEBA_RUN_CLASS}{EXTRA_RUN_CHARS}]")
    expected = {c for c in codepoints if runs.fullmatch(chr(c))}
    assert in_rjieba == expected


# --- choosing the implementation ------------------------------------------------------------------------------


def test_segmenter_choice_and_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SEGMENTER, "jieba")
    assert implementation() == "jieba"
    with_jieba = analysis.fingerprint()
    assert with_jieba == analysis.fingerprint()
    monkeypatch.setenv(ENV_SEGMENTER, "auto")
    expected = "rjieba" if rjieba_available() else "jieba"
    assert implementation() == expected
    # The index records which implementation made its tokens: a change rebuilds it.
    assert (analysis.fingerprint() != with_jieba) == (expected == "rjieba")
    monkeypatch.setenv(ENV_SEGMENTER, "fast")
    with pytest.raises(ValueError, match=ENV_SEGMENTER):
        implementation()


def test_rjieba_missing_falls_back_to_jieba(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rjieba", None)  # import rjieba now fails
    monkeypatch.setattr(segment_module, "rjieba_available", lambda: False)
    monkeypatch.setenv(ENV_SEGMENTER, "auto")
    assert implementation() == "jieba"
    previous = set_segmenter(None)
    try:
        assert isinstance(segment_module.segmenter(), JiebaSegmenter)
        assert [t for t, _, _ in segment("推进碳达峰和碳中和")] == ["推进", "碳达峰", "和", "碳中和"]
    finally:
        set_segmenter(previous)
    monkeypatch.setenv(ENV_SEGMENTER, "rjieba")
    with pytest.raises(RuntimeError, match="not installed"):
        implementation()


# --- segment(): the tokens, unchanged by its faster loop ------------------------------------------------------

_ALNUM_RE = re.compile(r"[^\W_]")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def segment_reference(text: str) -> list[tuple[str, int, int]]:
    """segment() as it was written before (one pass, word by word)."""
    if not text:
        return []
    norm = normalize(text)
    out: list[tuple[str, int, int]] = []
    pos = 0
    dot_end = -1
    for word in segment_module.segmenter().cut(norm, HMM=False):
        start = pos
        pos += len(word)
        if word.isalnum() or _ALNUM_RE.search(word):
            if (
                start == dot_end
                and word.isascii()
                and word.isdigit()
                and _NUMBER_RE.fullmatch(out[-1][0])
                and out[-1][2] == start - 1
            ):
                prev_start = out[-1][1]
                out[-1] = (norm[prev_start:pos], prev_start, pos)
            else:
                out.append((word.lower(), start, pos))
        elif word == "." and out and out[-1][2] == start and _NUMBER_RE.fullmatch(out[-1][0]):
            dot_end = pos
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*"0123456789..aB 年第条，。%+", "增长", "１", "．"]), max_size=40).map("".join)
)
def test_segment_merges_decimals_as_before(text: str) -> None:
    assert segment(text) == segment_reference(text)


@pytest.mark.parametrize("text", [*SAMPLES, "1.2.3.4", "6.5.", ".5", "5..6", "a1.2", "1.a", "第1.2条2.5亿元"])
def test_segment_is_unchanged(text: str) -> None:
    assert segment(text) == segment_reference(text)
