"""kb.text.numerals.cn_to_number: Chinese, Arabic and mixed numerals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.text.numerals import cn_to_number

DIGITS = "零一二三四五六七八九"
PLACES = ["", "十", "百", "千"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两千", 2000),
        ("一百五十", 150),
        ("一百零五", 105),
        ("两千三百", 2300),
        ("十二", 12),
        ("二十", 20),
        ("十", 10),
        ("三十五", 35),
        ("十万", 100_000),
        ("一万零三十", 10_030),
        ("一千零五十", 1050),
        ("一亿二千万", 120_000_000),
        ("三亿五千万", 350_000_000),
        ("一万五", 15_000),  # abbreviated next lower place
        ("两千三", 2300),
        ("零", 0),
        ("二〇一九", 2019),  # a year read digit by digit
        ("1.5万", 15_000),
        ("3千", 3000),
        ("5千万", 50_000_000),
        ("1万亿", 1_000_000_000_000),
        ("2100", 2100),
        ("１２３", 123),  # full-width digits
        ("１．５", 1.5),
        ("1,200.5", 1200.5),
        ("叁仟", 3000),  # financial forms
    ],
)
def test_known_values(text: str, expected: float) -> None:
    assert cn_to_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "万", "万亿", "abc", "三五", "三四百", "十三五", "1二", "十百", "一心"])
def test_not_numerals(text: str) -> None:
    assert cn_to_number(text) is None


def _render4(n: int, liang: bool) -> str:
    """1..9999 in standard Chinese, zeros collapsed ("一千零五")."""
    out: list[str] = []
    pending_zero = False
    for place in (3, 2, 1, 0):
        d = n // 10**place % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        digit = "两" if liang and d == 2 and place >= 2 else DIGITS[d]
        out.append(digit + PLACES[place])
    return "".join(out)


def render(n: int, liang: bool = False, short_ten: bool = False) -> str:
    """0..99,999,999 as a Chinese numeral."""
    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    text = ""
    if high:
        text = _render4(high, liang) + "万"
        if low and low < 1000:
            text += "零"
    if low:
        text += _render4(low, liang)
    if short_ten and text.startswith("一十"):
        text = text[1:]  # "十二" for 12, "十万" for 100000
    return text


@given(st.integers(min_value=0, max_value=99_999_999), st.booleans(), st.booleans())
def test_round_trip(n: int, liang: bool, short_ten: bool) -> None:
    assert cn_to_number(render(n, liang, short_ten)) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_round_trip(n: int) -> None:
    assert cn_to_number(str(n)) == n


@given(st.text(max_size=12))
def test_never_raises(text: str) -> None:
    value = cn_to_number(text)
    assert value is None or value >= 0
