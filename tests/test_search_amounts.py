"""Quantities as values (kb.search.amounts): reading them from text and from what a user types."""

from __future__ import annotations

import pytest

from kb.search.amounts import find_quantities, format_value, parse_amounts, parse_token, token


def quantities(text: str) -> list[tuple[str, float, str]]:
    return [(q.family, q.value, text[q.start : q.end]) for q in find_quantities(text)]


@pytest.mark.parametrize(
    "text, family, value",
    [
        ("争取增资5000万元", "元", 5e7),
        ("投资0.5亿元", "元", 5e7),
        ("五千万元", "元", 5e7),
        ("１，０００万元", "元", 1e7),
        ("奖励3千元", "元", 3000),
        ("1.5万亿元", "元", 1.5e12),
        ("净增高新技术企业42家", "家", 42),
        ("带动1.5万人就业", "人", 15000),
        ("新增5000户", "户", 5000),
        ("增长5.5%", "%", 5.5),
        ("提高3个百分点", "个百分点", 3),
        ("装机5万千瓦", "千瓦", 5e4),
        ("道路5千米", "公里", 5),  # 千米 is a unit of its own, the same as 公里
        ("销售10公斤", "吨", 0.01),  # the unit table: 公斤 = 0.001 吨
        ("5000 万元", "元", 5e7),
    ],
)
def test_a_quantity_is_normalised_to_its_family(text: str, family: str, value: float) -> None:
    found = find_quantities(text)
    assert [(q.family, q.value) for q in found] == [(family, pytest.approx(value))]
    q = found[0]
    assert text[q.start : q.end].strip()  # the span is the quantity as written


def test_spans_index_the_original_text() -> None:
    text = "一、争取增资５０００万元，引进人才100名。"
    assert quantities(text) == [("元", 5e7, "５０００万元"), ("名", 100, "100名")]


@pytest.mark.parametrize(
    "text", ["2019年", "二〇一九年", "第十条", "一家企业", "三个方面", "国发〔2019〕4号", "7月8日"]
)
def test_years_ordinals_and_count_words_are_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


def test_a_range_gives_both_ends_with_the_unit_of_the_second() -> None:
    assert [(f, v) for f, v, _ in quantities("每年投入3000—5000万元")] == [("元", 3e7), ("元", 5e7)]
    assert quantities("2018—2020年") == []  # years


def test_tokens_round_trip() -> None:
    assert token("元", 5e7) == "元=50000000"
    assert token("%", 5.5) == "%=5.5"
    assert format_value(1 / 3) == "0.3333"
    assert parse_token("元=50000000") == ("元", 5e7)
    assert parse_token("nonsense") is None


def amount(text: str):  # type: ignore[no-untyped-def]
    found = parse_amounts(text)
    assert len(found) == 1, found
    return found[0][2]


def test_typed_quantity_is_exact() -> None:
    a = amount("5000万元")
    assert a.exact and a.family == "元" and a.low == a.high == 5e7 and a.surface == "5000万元"
    assert a.accepts(5e7) and not a.accepts(5e3) and not a.accepts(5e11)


@pytest.mark.parametrize(
    "text, low, high, accepts, rejects",
    [
        ("1000万元以上", 1e7, None, [1e7, 5e8], [9.99e6]),
        ("1000万元及以上", 1e7, None, [1e7], [1e6]),
        ("不低于500万元", 5e6, None, [5e6], [4e6]),
        ("超过1亿元", 1e8, None, [1.5e8], [1e8]),
        ("不超过50万元", None, 5e5, [5e5, 1], [6e5]),
        ("低于50万元", None, 5e5, [4e5], [5e5]),
        ("100万元以内", None, 1e6, [1e6], [2e6]),
        ("1000—5000万元", 1e7, 5e7, [1e7, 3e7, 5e7], [6e7, 5e6]),
        ("1000万元至5000万元", 1e7, 5e7, [2e7], [1e8]),
        ("5000万元左右", 4.75e7, 5.25e7, [4.8e7, 5.2e7], [4.6e7, 5.4e7]),  # ± the tolerance of units.txt
    ],
)
def test_typed_comparisons_and_ranges(text: str, low, high, accepts, rejects) -> None:  # type: ignore[no-untyped-def]
    a = amount(text)
    assert a.text == text and a.family == "元"
    assert (a.low, a.high) == (pytest.approx(low) if low else None, pytest.approx(high) if high else None)
    assert all(a.accepts(v) for v in accepts)
    assert not any(a.accepts(v) for v in rejects)


def test_quantities_inside_a_longer_query_keep_the_words_around_them() -> None:
    found = parse_amounts("研发投入1000万元以上的企业")
    assert [(s, e, a.text) for s, e, a in found] == [(4, 12, "1000万元以上")]
    assert parse_amounts("知识产权 科技金融") == []
