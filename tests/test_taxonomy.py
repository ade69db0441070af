"""The shipped taxonomy and keyword classification (kb.extract.taxonomy)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.extract.taxonomy import DEFAULT_PATH, Taxonomy, TaxonomyError, load_taxonomy

ROOT = Path(__file__).resolve().parent.parent
NUMERALS = "一二三四五六七八九十"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def seed_measures(seed_path: Path) -> dict[str, tuple[str, str]]:
    """The ten measures of the seed: number → (paragraph text, headline = its first sentence)."""
    text = seed_path.read_text(encoding="utf-8")
    out = {}
    for numeral in NUMERALS:
        match = re.search(rf"^\({numeral}\)([^。\n]*)。[^\n]*", text, re.M)
        assert match, numeral
        out[f"({numeral})"] = (match.group(0), match.group(1))
    return out


SCIENCE_DESKS = (
    "企业创新主体",
    "创新平台载体",
    "成果转化",
    "科技人才",
    "科技金融",
    "知识产权",
    "科研项目与经费",
    "科技合作交流",
    "科学普及",
    "科技体制改革",
)


def test_shipped_taxonomy_is_the_documented_scheme(taxonomy: Taxonomy) -> None:
    """The bureau's desks first, then the State Council's 主题分类 merged (tests/gold/README.md), then 其他."""
    names = taxonomy.names
    assert tuple(names[: len(SCIENCE_DESKS)]) == SCIENCE_DESKS
    for name in (
        "综合政务",
        "法治",
        "财政税收",
        "工业与信息化",
        "能源",
        "农业农村",
        "生态环境",
        "教育",
        "卫生健康",
    ):
        assert name in names
    assert len(set(names)) == len(names) == 30
    assert taxonomy.fallback == "其他" == names[-1]
    assert taxonomy.get("知识产权").strong  # type: ignore[union-attr]


def _gold_seed_categories() -> dict[str, list[str]]:
    import tomllib

    gold = tomllib.loads((ROOT / "tests/gold/seeds/000_3ccc218f3f77786b.toml").read_text(encoding="utf-8"))
    return {m["path"][-1]: m["categories"] for m in gold["measures"]}


def test_seed_measures_get_a_category_the_gold_set_gives_them(taxonomy: Taxonomy, seed_path: Path) -> None:
    """Hand-annotated categories (tests/gold) — the classifier's first category is among them for most."""
    gold = _gold_seed_categories()
    right = 0
    for number, (text, headline) in seed_measures(seed_path).items():
        ranked = taxonomy.rank(text, headline)
        assert 1 <= len(ranked) <= 3
        assert all(0 < confidence <= 1 for _, confidence in ranked)
        assert any(name in gold[number] for name, _ in ranked), (number, ranked, gold[number])
        right += ranked[0][0] in gold[number]
    assert right >= 7


def test_a_measure_can_have_several_categories_with_confidences(taxonomy: Taxonomy, seed_path: Path) -> None:
    # (二) builds the 高新区 and grows 高新技术企业: a platform measure and an enterprise one.
    text, headline = seed_measures(seed_path)["(二)"]
    ranked = taxonomy.rank(text, headline)
    assert ranked[0] == ("创新平台载体", 1.0)
    assert "企业创新主体" in dict(ranked) and dict(ranked)["企业创新主体"] < 1.0


def test_results_are_sorted_by_score(taxonomy: Taxonomy, seed_path: Path) -> None:
    for text, headline in seed_measures(seed_path).values():
        scores = taxonomy.scores(text, headline)
        got = [scores[name] for name in taxonomy.classify(text, headline)]
        assert got == sorted(got, reverse=True)


def test_headline_outweighs_body(taxonomy: Taxonomy) -> None:
    body = "加强知识产权保护。做好科技人才服务。"
    assert taxonomy.classify(body, headline="科技人才")[0] == "科技人才"
    assert taxonomy.classify(body, headline="知识产权")[0] == "知识产权"


def test_full_width_text_is_folded_before_matching(taxonomy: Taxonomy) -> None:
    assert taxonomy.classify("加快５Ｇ基站建设")[0] == "工业与信息化"


def test_no_keyword_gives_the_fallback(taxonomy: Taxonomy) -> None:
    assert taxonomy.classify("") == [taxonomy.fallback]
    assert taxonomy.classify("其他事项另行通知。") == [taxonomy.fallback]


def test_a_keyword_is_not_matched_inside_a_longer_common_word(taxonomy: Taxonomy) -> None:
    # 市政 would match every 市政府: the shipped list says 市政设施 instead.
    assert "城乡建设与交通" not in taxonomy.classify("市政府各部门要加强协作，优化政策环境。")


def test_general_documents_get_sensible_categories(taxonomy: Taxonomy) -> None:
    assert taxonomy.classify("深化职业教育改革,推进产教融合,扩大职业技能培训规模。")[0] == "教育"
    assert taxonomy.classify("强化安全生产责任,开展重大事故隐患排查整治。")[0] == "安全应急"
    assert taxonomy.classify("推进燃煤电厂超低排放改造,加强大气污染防治。")[0] == "生态环境"


@pytest.mark.corpus
def test_no_shipped_keyword_is_a_rule_for_one_document(taxonomy: Taxonomy) -> None:
    """Every keyword occurs in at least two documents of the shared corpus (bench/taxonomy.py measures them)."""
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip("shared corpus not found")
    from kb.text.normalize import fold

    texts = [
        fold(p.read_text(encoding="utf-8", errors="replace"))
        for p in corpus.glob("*/*")
        if p.suffix in (".txt", ".md", ".html")
    ]
    rare = [
        word
        for category in taxonomy.categories
        for word in (*category.strong, *category.weak)
        if sum(1 for t in texts if fold(word) in t) < 2
    ]
    assert rare == []


def test_fingerprint_follows_the_file_contents(tmp_path: Path) -> None:
    copy = tmp_path / "taxonomy.toml"
    copy.write_bytes(DEFAULT_PATH.read_bytes())
    first = load_taxonomy(copy).fingerprint()
    assert first == load_taxonomy().fingerprint()
    copy.write_bytes(DEFAULT_PATH.read_bytes() + "\n# 新增一行注释\n".encode())
    assert load_taxonomy(copy).fingerprint() != first


def test_a_bureau_can_add_a_category(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.toml"
    path.write_text(
        DEFAULT_PATH.read_text(encoding="utf-8")
        + '\n[[category]]\nname = "气象服务"\ndescription = "气象"\nstrong = ["气象", "人工增雨"]\n',
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(path)
    assert taxonomy.names[-1] == "气象服务"
    assert taxonomy.classify("做好人工增雨作业和气象预警服务")[0] == "气象服务"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('fallback = "综合"\n[[category]\nname = "x"', "invalid TOML"),
        ('[[category]]\nname = "综合"\n', "fallback"),
        ('fallback = "其他"\n[[category]]\nname = "综合"\n', "'其他' is not defined"),
        ('fallback = "综合"\n', "no [[category]]"),
        ('fallback = "综合"\n[[category]]\nname = "综合"\n[[category]]\nname = "综合"\n', "duplicate name"),
        ('fallback = "综合"\n[[category]]\nname = "综合"\nstrong = ["税"]\n', "shorter than 2"),
        ('fallback = "综合"\n[[category]]\nname = "综合"\nstrong = "专利"\n', "must be a list"),
        ('fallback = "综合"\n[[category]]\nname = "综合"\nkeywords = ["专利"]\n', "unknown key"),
        ('fallback = "综合"\nmin_score = "3"\n[[category]]\nname = "综合"\n', "min_score"),
        ('fallback = "综合"\n[[category]]\ndescription = "x"\n', "has no 'name'"),
    ],
)
def test_malformed_files_name_the_file_and_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad_taxonomy.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)


def test_missing_and_non_utf8_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot be read"):
        load_taxonomy(tmp_path / "absent.toml")
    path = tmp_path / "gbk.toml"
    path.write_bytes('fallback = "综合"\n'.encode("gbk"))
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        load_taxonomy(path)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), headline=st.text(max_size=40))
def test_classify_always_returns_categories_of_the_taxonomy(text: str, headline: str) -> None:
    taxonomy = load_taxonomy()
    got = taxonomy.classify(text, headline)
    assert 1 <= len(got) <= taxonomy.max_categories
    assert all(name in taxonomy.names for name in got)
    assert len(set(got)) == len(got)
