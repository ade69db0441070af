"""Quantity ↔ measure links (kb.extract.links), on measures and targets sliced by hand from the seed plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.extract import links as links_module
from kb.extract.links import (
    MAX_LINKS,
    LinkOverrides,
    OverridesError,
    check_overrides,
    is_weak,
    load_concepts,
    load_overrides,
)
from kb.extract.taxonomy import load_taxonomy
from kb.model import Clause, Link, Measure, Quantity

TAXONOMY = load_taxonomy()
CONCEPTS = load_concepts()


def link(
    measures: list[Measure],
    targets: list[Quantity],
    outline: list[Clause] | None = None,
    overrides: LinkOverrides | None = None,
) -> list[Link]:
    """kb.extract.links.link with the packaged taxonomy and concepts."""
    return links_module.link(measures, targets, outline, overrides, taxonomy=TAXONOMY, concepts=CONCEPTS)


def score_target(target: Quantity, measures: list[Measure]) -> list[tuple[float, list[str]]]:
    return links_module.score_target(target, measures, TAXONOMY, CONCEPTS)


DOC = "000_3ccc218f3f77786b"
NUMERALS = "一二三四五六七八九十"

# (indicator, verbatim mention, 二、 paragraph ordinal: 1 = 省政府高质量发展…, 2 = 科技创新综合排名…)
GOALS = [
    ("高新技术产业增加值", "力争实现高新技术产业增加值330亿元", 1),
    ("高新技术企业", "净增高新技术企业42家", 1),
    ("科技成果转化项目", "完成科技成果转化项目140项", 2),
    ("发明专利申请量", "全市发明专利申请量达到2100件", 2),
    ("高新技术产品登记备案", "新增高新技术产品登记备案160项", 2),
    ("技术合同交易额", "实现技术合同交易额35亿元", 2),
    ("省级以上创新创业平台", "新增省级以上创新创业平台15家以上", 2),
    ("科技型企业", "培育科技型企业350家以上", 2),
]


def build(seed_path: Path) -> tuple[str, list[Measure], list[Quantity]]:
    """Measures (三、(一)…(十), one paragraph each) and the goals-section targets of the seed."""
    text = seed_path.read_text(encoding="utf-8")
    measures = []
    for k, numeral in enumerate(NUMERALS, 1):
        match = re.search(rf"^\({numeral}\)[^\n]*", text, re.M)
        assert match, numeral
        headline = text[match.start() + 3 : text.index("。", match.start())]
        measures.append(
            Measure(
                id=f"{DOC}.m3.{k}",
                doc_id=DOC,
                clause_id=f"{DOC}.s3.{k}",
                number=f"({numeral})",
                ordinal=k,
                path=["三、主要措施", f"({numeral})"],
                headline=headline,
                text=match.group(0),
                span=match.span(),
            )
        )
    targets = []
    seen: dict[int, int] = {}
    for indicator, mention, para in GOALS:
        start = text.index(mention)
        seen[para] = seen.get(para, 0) + 1
        targets.append(
            Quantity(
                id=f"{DOC}.t2.{para}-{seen[para]}",
                doc_id=DOC,
                clause_id=f"{DOC}.s2.{para}",
                indicator=indicator,
                value=0.0,
                unit="",
                mention=mention,
                mention_span=(start, start + len(mention)),
            )
        )
    return text, measures, targets


def inside_target(text: str, mention: str, indicator: str, tid: str) -> Quantity:
    start = text.index(mention)
    return Quantity(
        id=tid,
        doc_id=DOC,
        clause_id="",
        indicator=indicator,
        value=0.0,
        unit="",
        mention=mention,
        mention_span=(start, start + len(mention)),
    )


@pytest.fixture
def seed(seed_path: Path) -> tuple[str, list[Measure], list[Quantity]]:
    return build(seed_path)


def numbers_for(target: Quantity, measures: list[Measure]) -> list[str]:
    by_id = {m.id: m.number for m in measures}
    return [by_id[mid] for mid in target.measure_ids]


def target_named(targets: list[Quantity], indicator: str) -> Quantity:
    return next(t for t in targets if t.indicator == indicator)


@pytest.mark.parametrize(
    ("indicator", "first", "allowed"),
    [
        ("发明专利申请量", "(六)", {"(六)"}),
        ("技术合同交易额", "(三)", {"(三)"}),
        ("科技成果转化项目", "(三)", {"(三)", "(八)"}),
        ("高新技术企业", "(二)", {"(二)", "(五)", "(九)"}),
        ("高新技术产业增加值", "(二)", {"(二)"}),
        ("高新技术产品登记备案", "(二)", {"(二)"}),
    ],
)
def test_goal_targets_link_to_the_measures_that_pursue_them(
    seed: tuple[str, list[Measure], list[Quantity]], indicator: str, first: str, allowed: set[str]
) -> None:
    _, measures, targets = seed
    link(measures, targets)
    got = numbers_for(target_named(targets, indicator), measures)
    assert got, indicator
    assert got[0] == first
    assert set(got) <= allowed


def test_a_vague_platform_target_links_only_to_platform_measures_if_at_all(seed) -> None:
    # 省级以上创新创业平台: 重点实验室 and 创新基地 (八), 产业技术平台 (三), 县域创新平台 (九), 星创天地 (七).
    _, measures, targets = seed
    link(measures, targets)
    assert set(numbers_for(target_named(targets, "省级以上创新创业平台"), measures)) <= {
        "(三)",
        "(七)",
        "(八)",
        "(九)",
    }


def test_a_weak_link_is_only_a_clear_best_candidate_and_says_why(
    seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the firm threshold only a target's one clear candidate is kept, as weak (弱关联): every candidate
    below 0.7 was right 0.40 of the time on the dev split, the clear ones more often than not (issue 30). Every kept
    link says why. The rule is checked with the firm threshold at 0.7, where the seed has clear candidates below it
    (the shipped 0.5 has no weak band)."""
    from kb.extract.links import LEAD, WEAK_THRESHOLD, assign

    monkeypatch.setattr(assign, "THRESHOLD", 0.7)
    THRESHOLD = assign.THRESHOLD
    _, measures, targets = seed
    links = link(measures, targets)
    assert any(is_weak(lk) for lk in links) and any(not is_weak(lk) for lk in links)
    for lk in links:
        assert is_weak(lk) == (lk.source == "content" and lk.score < THRESHOLD)
        assert lk.evidence, "every link says why"
        if is_weak(lk):
            target = next(t for t in targets if t.id == lk.target_id)
            scores = sorted((s for s, _ in score_target(target, measures)), reverse=True)
            assert lk.score == scores[0] >= WEAK_THRESHOLD and scores[1] <= scores[0] - LEAD
            assert [x for x in links if x.target_id == lk.target_id] == [lk]  # the only link of its target
    refs = {(ref.id, m.id): ref.weak for m in measures for ref in m.targets}
    assert all(refs[(lk.target_id, lk.measure_id)] == is_weak(lk) for lk in links)
    # a target whose candidates are close (no clear one) gets no weak link: 省级以上创新创业平台 (九) 0.43, (八) 0.40
    platforms = target_named(targets, "省级以上创新创业平台")
    assert not [lk for lk in links if lk.target_id == platforms.id and is_weak(lk)]


def test_science_enterprises_link_to_finance_and_county_measures(seed) -> None:
    # (五) 引导投资机构投资科技型企业 / (九) 加大县域科技型企业培育力度
    _, measures, targets = seed
    link(measures, targets)
    assert set(numbers_for(target_named(targets, "科技型企业"), measures)) == {"(五)", "(九)"}


def test_no_target_links_to_policy_environment_or_bureau_building(seed) -> None:
    _, measures, targets = seed
    links = link(measures, targets)
    assert links
    linked = {lk.measure_id for lk in links}
    assert f"{DOC}.m3.1" not in linked  # (一) 政策环境
    assert f"{DOC}.m3.10" not in linked  # (十) 机关建设
    assert f"{DOC}.m3.4" not in linked  # (四) 科技人才: no talent target in 二、


def test_every_goal_target_has_at_most_max_links_content_links(seed) -> None:
    _, measures, targets = seed
    links = link(measures, targets)
    for target in targets:
        mine = [lk for lk in links if lk.target_id == target.id]
        assert len(mine) <= MAX_LINKS, target.indicator
        assert all(lk.source == "content" and 0 < lk.score <= 1 for lk in mine)
    assert sum(1 for t in targets if any(lk.target_id == t.id for lk in links)) >= 6


def test_evidence_is_verbatim_text_of_the_measure(seed) -> None:
    _, measures, targets = seed
    by_id = {m.id: m for m in measures}
    for lk in link(measures, targets):
        assert lk.evidence
        for word in lk.evidence:
            assert word in by_id[lk.measure_id].text
    patent = target_named(targets, "发明专利申请量")
    assert "知识产权" in by_id[patent.measure_ids[0]].targets[0].evidence


def test_measure_and_target_fields_are_filled_best_first(seed) -> None:
    _, measures, targets = seed
    links = link(measures, targets)
    for target in targets:
        scores = {lk.measure_id: lk.score for lk in links if lk.target_id == target.id}
        assert target.measure_ids == sorted(scores, key=lambda mid: -scores[mid])
    for measure in measures:
        assert [r.score for r in measure.targets] == sorted((r.score for r in measure.targets), reverse=True)
        assert {r.id for r in measure.targets} == {
            lk.target_id for lk in links if lk.measure_id == measure.id
        }


def test_linking_twice_gives_the_same_result(seed) -> None:
    _, measures, targets = seed
    first = link(measures, targets)
    assert link(measures, targets) == first
    assert sum(len(m.targets) for m in measures) == len(first)


def test_a_target_inside_a_measure_belongs_to_it(seed) -> None:
    text, measures, targets = seed
    training = inside_target(text, "组织各类培训8次", "培训", f"{DOC}.t3.6-1")
    capital = inside_target(text, "争取增资5000万元", "增资", f"{DOC}.t3.5-1")
    links = link(measures, [*targets, training, capital])
    inside = [lk for lk in links if lk.source == "inside"]
    assert inside == [
        Link(training.id, f"{DOC}.m3.6", 1.0, ["组织各类培训8次"], "inside"),
        Link(capital.id, f"{DOC}.m3.5", 1.0, ["争取增资5000万元"], "inside"),
    ]
    assert training.measure_ids == [f"{DOC}.m3.6"]


def test_scores_favour_specific_words_over_words_in_every_measure(seed) -> None:
    # 科技/创新 occur in nearly every measure; they alone must not make a link.
    _, measures, _ = seed
    vague = Quantity(id=f"{DOC}.t2.2-9", doc_id=DOC, clause_id="", indicator="科技创新", value=1, unit="")
    assert all(score < 0.25 for score, _ in score_target(vague, measures))
    assert link(measures, [vague]) == []


def test_no_measures_or_no_targets(seed) -> None:
    _, measures, targets = seed
    assert link([], targets) == []
    assert all(t.measure_ids == [] for t in targets)
    assert link(measures, []) == []


# ---------------------------------------------------------------------------------------------- overrides


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "links.toml"
    path.write_text(content, encoding="utf-8")
    return path


def test_overrides_confirm_and_reject(seed, tmp_path: Path) -> None:
    _, measures, targets = seed
    patent = target_named(targets, "发明专利申请量")
    enterprises = target_named(targets, "科技型企业")
    path = write(
        tmp_path,
        f"""
# 知识产权培训也服务于专利申请
[[confirm]]
target = "{patent.id}"
measure = "{DOC}.m3.6"

[[confirm]]
doc = "{DOC}"
indicator = "发明专利申请量"
measure = "(三)"

[[reject]]
target = "{enterprises.id}"
measure = "(九)"
""",
    )
    overrides = load_overrides(path)
    assert len(overrides.confirm) == 2 and len(overrides.reject) == 1
    links = link(measures, targets, overrides=overrides)
    mine = {lk.measure_id: lk for lk in links if lk.target_id == patent.id}
    assert mine[f"{DOC}.m3.6"].source == "confirmed" and mine[f"{DOC}.m3.6"].score == 1.0
    assert mine[f"{DOC}.m3.6"].evidence  # the content evidence is kept
    assert mine[f"{DOC}.m3.3"].source == "confirmed"
    assert numbers_for(enterprises, measures) == ["(五)"]
    assert check_overrides(overrides, measures, targets) == []


def test_unknown_ids_are_warnings_not_errors(seed, tmp_path: Path) -> None:
    _, measures, targets = seed
    path = write(
        tmp_path,
        f"""
[[confirm]]
target = "{DOC}.t9.9-9"
measure = "{DOC}.m3.6"
[[reject]]
doc = "{DOC}"
indicator = "发明专利申请量"
measure = "(二十)"
""",
    )
    overrides = load_overrides(path)
    links = link(measures, targets, overrides=overrides)
    assert links == link(measures, targets)
    warnings = check_overrides(overrides, measures, targets)
    assert len(warnings) == 2
    assert "unknown target" in warnings[0] and f"{DOC}.t9.9-9" in warnings[0]
    assert "unknown measure" in warnings[1] and "(二十)" in warnings[1]
    assert all(str(path) in w for w in warnings)


def test_missing_links_file_means_no_overrides(tmp_path: Path) -> None:
    assert load_overrides(tmp_path / "links.toml") == LinkOverrides(source=str(tmp_path / "links.toml"))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[[confirm]\n", "invalid TOML"),
        ('[[confirm]]\ntarget = "a.t1-1"\n', "'measure' is missing"),
        ('[[confirm]]\nmeasure = "(六)"\n', "give 'target'"),
        ('[[confirm]]\nmeasure = "(六)"\ndoc = "x"\n', "give 'target'"),
        ('[[reject]]\ntarget = "a.t1-1"\nmesure = "(六)"\nmeasure = "(六)"\n', "unknown key(s) mesure"),
        ('[[reject]]\ntarget = 3\nmeasure = "(六)"\n', "'target' must be a non-empty string"),
        ('confirm = "x"\n', "[[confirm]] tables"),
        ('[[accept]]\ntarget = "a"\nmeasure = "b"\n', "unknown section(s) accept"),
    ],
)
def test_malformed_links_file_names_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(OverridesError) as info:
        load_overrides(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)


def test_shipped_concept_table_loads_and_bad_ones_name_the_file(tmp_path: Path) -> None:
    concepts = load_concepts()
    assert any("专利" in g.terms and "知识产权" in g.terms for g in concepts.groups)
    assert "全市" in concepts.stopwords and "省级" not in concepts.stopwords
    bad = tmp_path / "concepts.toml"
    bad.write_text('[[concept]]\nname = "x"\nterms = ["专"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"concepts\.toml.*at least 2 characters"):
        load_concepts(bad)


def _report_measure(k: int, text: str) -> Measure:
    return Measure(
        id=f"report.m{k}",
        doc_id="report",
        clause_id=f"report.s{k}",
        number=f"({NUMERALS[k - 1]})",
        ordinal=k,
        path=["二、工作任务", f"({NUMERALS[k - 1]})"],
        headline=text.split("。")[0],
        text=text,
        span=(0, 0),
    )


def _report_target(k: int, indicator: str) -> Quantity:
    return Quantity(
        id=f"report.t{k}",
        doc_id="report",
        clause_id="",
        indicator=indicator,
        value=1,
        unit="",
        mention=indicator,
    )


REPORT_MEASURES = [
    _report_measure(1, "狠抓重大项目建设。全年实施重点项目120个，完成年度计划。"),
    _report_measure(2, "大力提振消费，扩大内需。办好商贸促销活动，繁荣商品流通市场。"),
    _report_measure(3, "保障和改善民生。稳定就业岗位，千方百计促进群众增收。"),
    _report_measure(4, "推进生态文明建设。开展污染防治攻坚，推动节能减排。"),
]


def test_an_aggregate_indicator_links_to_the_work_that_moves_it() -> None:
    """An aggregate of a work report (固定资产投资, 社会消费品零售总额, 可支配收入) names no measure's words: the concept
    table's ``measure_terms`` say which work moves it (项目建设, 扩大内需, 增收)."""
    wanted = {
        "全社会固定资产投资": "report.m1",
        "社会消费品零售总额": "report.m2",
        "城乡居民人均可支配收入": "report.m3",
    }
    targets = [_report_target(k, name) for k, name in enumerate(wanted, 1)]
    links = link(REPORT_MEASURES, targets)
    assert {(lk.target_id, lk.measure_id) for lk in links} == {(t.id, wanted[t.indicator]) for t in targets}
    assert all(lk.evidence for lk in links)  # the matched words say why (扩大内需, 增收…)


def test_measure_terms_are_never_read_in_the_indicator() -> None:
    """``terms`` name the subject on both sides; ``measure_terms`` only in measures: an indicator holding a measure
    term does not take the concept (so 消费 cannot make 能源消费总量 a retail-sales target)."""
    from kb.extract.links import Concept, Concepts

    concepts = Concepts((Concept("消费", ("零售总额",), ("扩大内需",)),))
    measures = [
        _report_measure(1, "提振消费，扩大内需。"),
        _report_measure(2, "培育商圈，零售总额稳步提高。"),
    ]
    retail = _report_target(1, "零售总额")
    demand = _report_target(2, "扩大内需")
    assert links_module.score_target(retail, measures, TAXONOMY, concepts)[0][0] > 0  # the work that moves it
    assert links_module.score_target(demand, measures, TAXONOMY, concepts)[1][0] == 0  # not the other way


def test_concept_measure_terms_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "concepts.toml"
    path.write_text('[[concept]]\nname = "x"\nterms = ["投资"]\nmeasure_terms = ["项"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"concepts\.toml.*'measure_terms'.*at least 2 characters"):
        load_concepts(path)
    path.write_text('[[concept]]\nname = "x"\nterms = ["投资"]\nmeasure = ["项目"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown key\(s\) measure"):
        load_concepts(path)
    path.write_text(
        '[[concept]]\nname = "x"\nterms = ["投资"]\nmeasure_terms = ["项目建设"]\n', encoding="utf-8"
    )
    (group,) = load_concepts(path).groups
    assert group.sought == ("投资", "项目建设")
