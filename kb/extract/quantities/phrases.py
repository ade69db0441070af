"""The indicator of a quantity as a phrase: the noun after a classifier ("建设50所高水平高等职业学校") or the noun
phrase before the number without its leading verbs and qualifiers and its trailing verbs; and the qualifiers.
"""

from __future__ import annotations

import re

from kb.extract.quantities.lexicon import (
    AFTER_STOP,
    FROM_TO_RE,
    LEAD_ALWAYS,
    LEAD_VERB,
    NEAR_QUALIFIER,
    QUALIFIER_RE,
    TARGET_IS_RE,
    TRAIL,
)


def _balance_quotes(phrase: str) -> str:
    if "）" in phrase and "（" not in phrase.split("）", 1)[0]:
        phrase = phrase.split("）", 1)[1]  # "区）农作物…": the tail of a cut "（市、区）"
    while phrase and phrase.count("“") > phrase.count("”") and phrase[0] == "“":
        phrase = phrase[1:]
    while phrase and phrase.count("”") > phrase.count("“") and phrase[-1] == "”":
        phrase = phrase[:-1]
    if phrase.count("“") != phrase.count("”"):
        phrase = phrase.replace("“", "").replace("”", "") if len(phrase) > 2 else phrase
    return phrase


def strip_indicator(phrase: str) -> str:
    """The noun phrase before a number without leading qualifiers/verbs and trailing verbs."""
    m = FROM_TO_RE.search(phrase)
    if m:
        phrase = phrase[: m.start()]
    if "基础上" in phrase:
        head, _, phrase = phrase.rpartition("基础上")
        if not strip_indicator(phrase):
            goal = TARGET_IS_RE.search(head)
            phrase = goal.group(1) if goal else ""
    if any(ch.isdigit() for ch in phrase) and "的" in phrase:
        phrase = phrase.rsplit("的", 1)[1]  # "现行10%的税率降至9%" -> "税率"
    if re.search(r"\d\D{0,2}$", phrase):
        return ""  # "实现“3个95%”": the phrase is another number
    changed = True
    while changed and phrase:
        changed = False
        phrase = phrase.strip()
        m = LEAD_ALWAYS.match(phrase)
        if m and m.end() > 0:
            phrase, changed = phrase[m.end() :], True
            continue
        m = LEAD_VERB.match(phrase)
        if m and len(phrase) - m.end() >= 3:
            phrase, changed = phrase[m.end() :], True
            continue
        m = TRAIL.search(phrase)
        if m:
            phrase, changed = phrase[: m.start()], True
    if LEAD_VERB.fullmatch(phrase):
        return ""  # only a verb ("完成", "新建") is left
    phrase = _balance_quotes(phrase.strip(" \"'‘’（("))
    if len(phrase) > 16 and "的" in phrase:
        tail = phrase.rsplit("的", 1)[1]
        if len(tail) >= 2:
            phrase = tail
    return phrase


def noun_after(folded: str, start: int) -> tuple[str, int]:
    """The noun phrase right after a classifier: (indicator, end offset), or ("", start)."""
    window = folded[start : start + 40]
    m = AFTER_STOP.search(window)
    phrase = window[: m.start() if m else len(window)]
    if phrase.count("(") > phrase.count(")"):
        phrase = phrase[: phrase.rfind("(")]  # no dangling "（"
    phrase = _balance_quotes(phrase.rstrip(" \"'"))
    end = start + len(phrase) if folded.startswith(phrase, start) else start
    indicator = phrase
    if "的" in indicator:
        tail = indicator.rsplit("的", 1)[1]
        indicator = tail if len(tail) >= 2 else ""
    if len(indicator) < 2 or not any("\u4e00" <= ch <= "\u9fff" for ch in indicator) or end == start:
        return "", start
    return indicator, end


def qualifiers_of(before: str, near: str, after: list[str]) -> str:
    found = [m.group() for m in QUALIFIER_RE.finditer(before)]
    if near in NEAR_QUALIFIER:
        found.append(near)
    found.extend(after)
    out: list[str] = []
    for q in found:
        if q not in out:
            out.append(q)
    return "、".join(out)
