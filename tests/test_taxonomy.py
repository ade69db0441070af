"""The shipped taxonomy and keyword classification (kb.extract.taxonomy)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.extract.taxonomy import DEFAULT_PATH, Taxonomy, TaxonomyError, load_taxonomy

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


def test_shipped_taxonomy_has_the_science_and_general_categories(taxonomy: Taxonomy) -> None:
    names = taxonomy.names
    for name in (
        "高新技术产业",
        "成果转化",
        "科技人才",
        "科技金融",
        "知识产权",
        "科技扶贫与乡村振兴",
        "生物医药与社会发展",
        "县域创新",
        "创新平台",
        "企业培育",
        "政策环境",
        "机关建设",
        "教育与职业培训",
        "生态环境与能源",
        "医疗卫生",
    ):
        assert name in names
    assert 20 <= len(names) <= 26
    assert len(set(names)) == len(names)
    assert taxonomy.fallback in names
    assert names[0] == "高新技术产业"  # file order is kept
    assert taxonomy.get("知识产权").strong  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("number", "category"),
    [
        ("(一)", "政策环境"),
        ("(二)", "高新技术产业"),
        ("(三)", "成果转化"),
        ("(四)", "科技人才"),
        ("(五)", "科技金融"),
        ("(六)", "知识产权"),
        ("(七)", "科技扶贫与乡村振兴"),
        ("(八)", "生物医药与社会发展"),
        ("(九)", "县域创新"),
        ("(十)", "机关建设"),
    ],
)
def test_seed_measures_get_their_primary_category(
    taxonomy: Taxonomy, seed_path: Path, number: str, category: str
) -> None:
    text, headline = seed_measures(seed_path)[number]
    categories = taxonomy.classify(text, headline)
    assert categories[0] == category
    assert 1 <= len(categories) <= 3


def test_secondary_categories_come_from_real_content(taxonomy: Taxonomy, seed_path: Path) -> None:
    # (八) builds 省级重点实验室 and 创新基地: a platform measure as well as a biomedicine one.
    text, headline = seed_measures(seed_path)["(八)"]
    assert taxonomy.classify(text, headline)[:2] == ["生物医药与社会发展", "创新平台"]


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
    assert taxonomy.classify("加快５Ｇ基站建设")[0] == "交通与基础设施"


def test_no_keyword_gives_the_fallback(taxonomy: Taxonomy) -> None:
    assert taxonomy.classify("") == [taxonomy.fallback]
    assert taxonomy.classify("其他事项另行通知。") == [taxonomy.fallback]


def test_general_documents_get_sensible_categories(taxonomy: Taxonomy) -> None:
    assert taxonomy.classify("深化职业教育改革,推进产教融合,扩大职业技能培训规模。")[0] == "教育与职业培训"
    assert taxonomy.classify("强化安全生产责任,开展重大事故隐患排查整治。")[0] == "安全生产与应急"
    assert taxonomy.classify("推进燃煤电厂超低排放改造,加强大气污染防治。")[0] == "生态环境与能源"


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
