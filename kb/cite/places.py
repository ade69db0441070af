"""Places (see "Place" in ``kb.cite.citation``'s docstring): the path from the outline root to a cited clause the
way a report names it — labels in full-width form, section headings, attachments as 《title》, dash bullets as
第X项, articles without the 编/章/节 above them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.extract.places import SECTION_STYLES, find_clause
from kb.model import Clause

ATTACHMENT = "attachment"  # style of a root clause that is an attached document (附件)
DASH = "dash"  # style of a —— bullet
ARTICLE = "article"  # 第X条
_ABOVE_ARTICLE = frozenset({"part", "chapter", "section"})

# （１） -> (1), then (1) -> （1）
_FULL_WIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_LABEL_PUNCT = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})
_PAREN_DIGITS = {chr(0x2474 + i): f"（{i + 1}）" for i in range(20)}  # ⑴..⒇
_DOT_DIGITS = {chr(0x2488 + i): f"{i + 1}." for i in range(20)}  # ⒈..⒛
_LEADING_LABEL = re.compile(r"^(?:[(（][^()（）]{1,6}[)）]|[0-9０-９]{1,3}[.．、](?![0-9０-９]))")
_CN_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (as items and headings are counted)."""
    if n <= 0:
        return _CN_DIGITS[0] if n == 0 else str(n)
    if n >= 10_000:
        return str(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero and out:
                out += "零"
            out += ("" if (unit == "十" and digit == 1 and not out) else _CN_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def label_form(label: str) -> str:
    """A numbering label in the form citations write it: ``(六)`` -> ``（六）``, ``１．`` -> ``1.``."""
    text = label.strip()
    if text in _PAREN_DIGITS:
        return _PAREN_DIGITS[text]
    if text in _DOT_DIGITS:
        return _DOT_DIGITS[text]
    return text.translate(_FULL_WIDTH_ASCII).translate(_LABEL_PUNCT)


def _title_form(title: str) -> str:
    return title.strip().replace("《", "〈").replace("》", "〉")


def _dash_number(clause: Clause, siblings: Sequence[Clause] | None) -> int:
    if not siblings:
        return clause.ordinal
    number = 0
    for sibling in siblings:
        if sibling.style == DASH:
            number += 1
        if sibling is clause or sibling.id == clause.id:
            return number
    return clause.ordinal


def place_parts(trail: Sequence[Clause], clause: Clause, roots: Sequence[Clause] | None = None) -> list[str]:
    """The citation place of ``clause`` (``trail`` = its ancestors, root first), part by part.

    ``roots`` (the outline's root clauses) is only needed to count a root-level dash bullet among its
    siblings; without it the clause's ordinal is used.
    """
    nodes = [*trail, clause]
    # Articles are numbered through a whole regulation: the 编/章/节 above one are not part of its place.
    articles = [i for i, node in enumerate(nodes) if node.style == ARTICLE]
    dropped = set()
    if articles:
        start = max((i for i, node in enumerate(nodes) if node.style == ATTACHMENT), default=-1) + 1
        dropped = {i for i in range(start, articles[0]) if nodes[i].style in _ABOVE_ARTICLE}
    parts: list[str] = []
    for depth, node in enumerate(nodes):
        if depth in dropped:
            continue
        if node.style == ATTACHMENT:
            label, title = node.label.strip(), _title_form(node.heading)
            parts.append(f"{label}《{title}》" if title else label)
        elif node.style == DASH:
            siblings = nodes[depth - 1].children if depth else roots
            parts.append(f"第{chinese_numeral(_dash_number(node, siblings))}项")
        elif node.style == "cn_paren" and depth and nodes[depth - 1].style == ARTICLE:
            parts.append(f"第{label_form(node.label)}项")  # 第十二条第（二）项
        elif node.style in SECTION_STYLES:
            parts.append(label_form(node.label) + node.heading.strip())
        else:
            parts.append(label_form(node.label))
    return [part for part in parts if part]


def citation_path(outline: Sequence[Clause], clause_id: str) -> list[str] | None:
    """The place parts of the clause with this id in ``outline``, or None when it is not there."""
    found = find_clause(list(outline), clause_id) if clause_id else None
    if found is None:
        return None
    clause, trail = found
    return place_parts(trail, clause, outline)


def path_form(part: str) -> str:
    """One part of a stored path (``Measure.path``) in citation form: a leading ``(六)`` -> ``（六）``."""
    part = part.strip()
    if part[:1] in _PAREN_DIGITS:
        return _PAREN_DIGITS[part[0]] + part[1:]
    return _LEADING_LABEL.sub(lambda m: label_form(m.group()), part)


def place(path: Sequence[str]) -> str:
    """The place as one string: ``["三、主要措施", "（六）"]`` -> ``"三、主要措施（六）"``."""
    return "".join(part.strip() for part in path)
