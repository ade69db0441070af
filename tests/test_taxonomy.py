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
def test_no_shipped_keyword_is_a_rule_for_one_document(taxonomy: Taxonomy, corpus_dir: Path) -> None:
    """Every keyword occurs in at least two documents of the shared corpus (bench/taxonomy.py measures them)."""
    from kb.text.normalize import fold

    texts = [
        fold(p.read_text(encoding="utf-8", errors="replace"))
        for p in corpus_dir.glob("*/*")
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


# --- a measure in its document (Taxonomy.assign): the shapes of issue 30's misfilings --------------------------


def assign(
    taxonomy: Taxonomy,
    title: str,
    measures: list[tuple[str, str]],
    which: int = 0,
    sections: tuple[str, ...] = (),
    source: tuple[str, ...] = (),
) -> dict[str, float]:
    """The categories (with confidences) of ``measures[which]`` in a document titled ``title``."""
    subject = taxonomy.subject(title, source, measures)
    headline, text = measures[which]
    return {a.name: a.confidence for a in taxonomy.assign(headline, text, sections, subject)}


def test_a_word_met_in_passing_does_not_file_the_measure(taxonomy: Taxonomy) -> None:
    """健全国家职业教育制度框架 was filed under 工业与信息化 (服务现代制造业…信息化建设 in passing)."""
    got = assign(
        taxonomy,
        "国务院关于印发国家职业教育改革实施方案的通知",
        [
            (
                "健全国家职业教育制度框架。",
                "健全国家职业教育制度框架。严把教学标准和毕业学生质量标准两个关口，完善职业教育体系，为服务现代制造业、"
                "现代服务业发展提供人才支持。建立健全学校设置、师资队伍、教学教材、信息化建设等办学标准。",
            ),
            ("提高中等职业教育发展水平。", "提高中等职业教育发展水平。优化布局结构，办好一批中等职业学校。"),
        ],
    )
    assert next(iter(got)) == "教育" and "工业与信息化" not in got


def test_a_hospital_measure_is_filed_under_health(taxonomy: Taxonomy) -> None:
    """提高病案首页质量 was filed under 市场监管 and 工业与信息化 (质量, 信息化 in its text)."""
    got = assign(
        taxonomy,
        "国务院办公厅关于加强三级公立医院绩效考核工作的意见",
        [
            (
                "提高病案首页质量。",
                "提高病案首页质量。三级公立医院要加强以电子病历为核心的医院信息化建设，规范填写病案首页，加强临床"
                "数据标准化管理，确保考核数据客观真实。",
            ),
            ("完善满意度调查平台。", "完善满意度调查平台。全面开展公立医院患者满意度调查。"),
        ],
        source=("卫生", "国务院办公厅"),
    )
    assert list(got) == ["卫生健康"]


def test_a_drug_industry_measure_of_a_science_plan_is_not_agriculture(taxonomy: Taxonomy) -> None:
    """(八)持续推进生物医药产业发展 was filed under 农业农村 (中药材种植 in its text)."""
    got = assign(
        taxonomy,
        "十堰市2019年科技创新工作要点",
        [
            (
                "持续推进生物医药产业发展,促进社发领域科技创新。",
                "持续推进生物医药产业发展,促进社发领域科技创新。支持生物医药企业建设重点实验室和工程技术研究中心，"
                "推进中药材种植基地与医药企业合作，组织实施社会发展领域科技计划项目。",
            ),
            ("大力推进国家级高新区创建。", "大力推进国家级高新区创建。培育高新技术企业。"),
        ],
    )
    assert "农业农村" not in got


def test_popular_science_named_in_passing_is_not_the_subject(taxonomy: Taxonomy) -> None:
    """积极发展林草中药材产业 and 促进各民族广泛交往交流交融 were filed under 科学普及 (科普 once in their text)."""
    forestry = assign(
        taxonomy,
        "广安市人民政府关于加快推进林业经济高质量发展的实施意见",
        [
            (
                "积极发展林草中药材产业。",
                "积极发展林草中药材产业。开展林草中药材生态种植，建成一批林草中药材生态培育基地，推进产地初加工，"
                "持续开展中医药文化科普和宣传。",
            ),
            ("提档升级木材产业。", "提档升级木材产业。建设木材战略储备基地，发展林产加工业。"),
        ],
        sections=("二、重点任务", "（二）大力发展林业特色产业"),
    )
    assert "科学普及" not in forestry and next(iter(forestry)) in ("自然资源", "农业农村")
    unity = assign(
        taxonomy,
        "2026年内蒙古自治区政府工作报告",
        [
            (
                "促进各民族广泛交往交流交融。",
                "促进各民族广泛交往交流交融。实施各族群众互嵌式发展计划，争创全国民族团结进步示范市，开展“科普边疆行”等活动。",
            ),
            ("推进新型城镇化。", "推进新型城镇化。实施城市更新行动，改造老旧小区。"),
        ],
        sections=("一、把铸牢中华民族共同体意识作为民族地区各项工作的主线",),
    )
    assert "科学普及" not in unity and next(iter(unity)) == "民生与社会治理"


def test_a_list_of_names_is_not_a_science_talent_measure(taxonomy: Taxonomy) -> None:
    """专家委员（按姓氏笔划为序） — names with titles (院士、教授) — was filed under 科技人才; a village's name too."""
    names = assign(
        taxonomy,
        "国务院办公厅关于调整国家教材委员会组成人员的通知",
        [
            (
                "专家委员（按姓氏笔划为序）",
                "专家委员（按姓氏笔划为序）\n马志明　院士、研究院学术委员会主任\n马树超　研究员、教育科学研究院原副院长\n"
                "王荣华　教授、政协原副主席",
            ),
            ("部门委员", "部门委员\n某某　教育部副部长\n某某　科技部副部长"),
        ],
    )
    assert "科技人才" not in names
    village = assign(taxonomy, "某县乡村振兴示范村名单", [("张家湾村", "张家湾村"), ("李家沟村", "李家沟村")])
    assert "科技人才" not in village


def test_a_science_award_item_is_not_other(taxonomy: Taxonomy) -> None:
    """A reward for a 国家科学技术奖 sat in 其他."""
    got = assign(
        taxonomy,
        "广安市人民政府印发《关于进一步支持科技创新的若干政策》的通知",
        [
            (
                "对获得国家科学技术奖、四川省科学技术奖的，分别最高奖励300万元、200万元。",
                "17.对获得国家科学技术奖、四川省科学技术奖的，分别最高奖励300万元、200万元。",
            ),
            ("支持企业建设研发机构。", "支持企业建设研发机构。对新认定的国家级企业技术中心给予奖励。"),
        ],
    )
    assert next(iter(got)) == "科技人才" and taxonomy.fallback not in got


def test_other_holds_only_what_fits_nothing(taxonomy: Taxonomy) -> None:
    assert [a.name for a in taxonomy.assign("附则", "本办法由市科技局负责解释。")] == [taxonomy.fallback]
    assert taxonomy.assign("加强知识产权保护。", "加强知识产权保护，严厉打击专利侵权。")[0].name == "知识产权"


def test_every_category_says_why_with_a_confidence(taxonomy: Taxonomy, seed_path: Path) -> None:
    measures = [(headline, text) for text, headline in seed_measures(seed_path).values()]
    subject = taxonomy.subject("十堰市2019年科技创新工作要点", ("", "十堰市科学技术局"), measures)
    for headline, text in measures:
        assigned = taxonomy.assign(headline, text, (), subject)
        assert 1 <= len(assigned) <= taxonomy.max_categories
        confidences = [a.confidence for a in assigned]
        assert confidences == sorted(confidences, reverse=True) and all(0 < c <= 1 for c in confidences)
        for a in assigned:
            assert a.words and all("：" in w for w in a.words), a  # 首句：专利, 正文：…, 文件标题：…


def test_a_longer_keyword_hides_the_shorter_one_inside_it(taxonomy: Taxonomy) -> None:
    # 新能源汽车 (工业与信息化) holds 能源 and 新能源 (能源); 人民政府 (a mask) holds 民政.
    scores = taxonomy.scores("支持新能源汽车发展。市人民政府统筹推进。")
    assert scores["工业与信息化"] > 0 and scores["能源"] == 0 and scores["民生与社会治理"] == 0
    assert taxonomy.scores("加强民政服务。")["民生与社会治理"] > 0


def test_the_document_theme_counts(taxonomy: Taxonomy) -> None:
    """A measure that says little about its subject takes it from its document (综合保税区 → 商贸开放)."""
    measures = [
        ("释放企业产能。", "释放企业产能。支持区内企业利用剩余产能承接境内区外委托加工。"),
        ("拓展两个市场。", "拓展两个市场。推动综合保税区内企业开展保税维修和进出口业务。"),
        ("促进跨境电商发展。", "促进跨境电商发展。支持综合保税区发展跨境电商零售进口。"),
    ]
    subject = taxonomy.subject(
        "国务院关于促进综合保税区高水平开放高质量发展的若干意见", ("海关", "国务院"), measures
    )
    assert subject.theme == "商贸开放"
    assert taxonomy.assign(*measures[0], (), subject)[0].name == "商贸开放"
