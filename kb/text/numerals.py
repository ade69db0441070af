"""Chinese and mixed numerals to numbers.

``cn_to_number("一百五十") == 150``, ``cn_to_number("两千") == 2000``,
``cn_to_number("1.5万") == 15000``, ``cn_to_number("二〇一九") == 2019``.
Pure functions, no I/O.
"""

from __future__ import annotations

import math
import re

from kb.text.normalize import fold

# Digit characters, including the financial (大写) forms.
DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
# Multipliers inside a section (below 万).
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# Section multipliers.
BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)

_ARABIC = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+")


def _tokens(s: str) -> list[tuple[str, float]] | None:
    """Split into ('d', digit-or-arabic value), ('s', small unit), ('b', big unit), ('z', zero)."""
    out: list[tuple[str, float]] = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch.isascii() and (ch.isdigit() or ch == "."):
            m = _ARABIC.match(s, i)
            if m is None:
                return None
            out.append(("a", float(m.group().replace(",", ""))))
            i = m.end()
            continue
        if ch in DIGITS:
            value = DIGITS[ch]
            out.append(("z", 0) if value == 0 else ("d", value))
        elif ch in SMALL_UNITS:
            out.append(("s", SMALL_UNITS[ch]))
        elif ch in BIG_UNITS:
            out.append(("b", BIG_UNITS[ch]))
        else:
            return None
        i += 1
    return out


def _positional(tokens: list[tuple[str, float]]) -> float | None:
    """A run of bare digits read positionally ("二〇一九" -> 2019)."""
    if len(tokens) == 1:
        return float(tokens[0][1])
    has_zero = any(kind == "z" for kind, _ in tokens)
    if len(tokens) == 2 and not has_zero:
        # "三五", "七八": an approximation ("three or five"), not a number.
        return None
    value = 0.0
    for _, digit in tokens:
        value = value * 10 + digit
    return value


def cn_to_number(s: str) -> float | None:
    """Convert a numeral string to a float, or ``None`` when it is not a numeral.

    Accepts Arabic digits (full-width too, thousands commas, decimals), Chinese
    numerals (零〇一二两三四五六七八九十百千万亿 and the financial forms) and mixes
    such as "1.5万", "3千", "5千万", "1万亿". A trailing digit right after a
    multiplier is read as the next lower place ("一万五" -> 15000, "两千三" -> 2300).
    """
    s = fold(s).strip().replace(" ", "")
    if not s:
        return None
    tokens = _tokens(s)
    if not tokens:
        return None
    kinds = {kind for kind, _ in tokens}
    if "a" in kinds and "d" in kinds:
        return None  # "1二" is not a numeral
    if kinds <= {"d", "z", "a"}:
        if "a" in kinds:
            return float(tokens[0][1]) if len(tokens) == 1 else None
        return _positional(tokens)
    return _multiplicative(tokens)


def _multiplicative(tokens: list[tuple[str, float]]) -> float | None:
    """The value of Chinese numeral tokens with multipliers (十百千: ``s``, 万亿: ``b``), read left to right in
    亿, 万 and lower groups; ``None`` for a sequence no numeral has (two digits in a row, 十百, 万 alone)."""
    total = 0.0  # completed 亿 groups
    section = 0.0  # completed 万 group, below 亿
    current = 0.0  # below 万
    digit: float | None = None
    last_mult = 0  # multiplier just before the pending digit (0 after a zero)
    prev_kind = ""
    for kind, value in tokens:
        if kind in ("d", "a"):
            if prev_kind in ("d", "a"):
                return None  # two digits in a row: "三四百" is a range, not a number
            digit = value
        elif kind == "z":
            last_mult = 0  # "一百零五": the digit after a zero is a plain unit digit
        elif kind == "s":
            if prev_kind == "s":
                return None  # "十百"
            if digit is None:
                if prev_kind not in ("", "b", "z"):
                    return None
                digit = 1  # "十二", "百万"
            current += digit * value
            digit = None
            last_mult = int(value)
        else:  # big unit
            if value == BIG_UNITS["亿"] and prev_kind == "b" and digit is None and section:
                total, section = (total + section) * value, 0.0  # "1万亿"
                last_mult = int(value)
                prev_kind = kind
                continue
            if digit is None and prev_kind in ("", "b", "z"):
                return None  # "万" alone, "万万"
            group = current + (digit or 0)
            digit = None
            if value == BIG_UNITS["亿"]:
                total = (total + section + group) * value
                section = 0.0
            else:
                section = (section + group) * value
            current = 0.0
            last_mult = int(value)
        prev_kind = kind
    if digit is not None:
        if last_mult >= 10:
            digit = digit * last_mult / 10  # "一万五" -> 15000, "两千三" -> 2300, "十二" -> 12
        current += digit
    result = total + section + current
    if not math.isfinite(result):
        return None
    return result


def label_number(s: str) -> int | None:
    """The value of a numeral as used in labels and ordinals (一, 十二, 一百零二, 二〇, 12), else None: a whole
    number above zero."""
    value = cn_to_number(s) if s else None
    if value is None or value <= 0 or not float(value).is_integer():
        return None
    return int(value)


def plain_number(x: float) -> str:
    """A number as an official writes it: 42, 6.5, 0.25 (no trailing .0, at most 6 significant digits)."""
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"


def written_amount(value: float, value_max: float | None, unit: str) -> str:
    """A value or range with its unit as an official writes it: 2100件, 5—10年, 30%."""
    text = plain_number(value)
    if value_max is not None:
        text += "—" + plain_number(value_max)
    return text + unit
