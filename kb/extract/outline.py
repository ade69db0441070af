"""Outline parser: numbered clauses of a Chinese official document as a tree.

``parse_outline(text, doc_id)`` scans ``text`` line by line and returns the root
clauses. A clause starts at a *label* written at the start of a line, after
optional whitespace (ASCII, U+2002, U+3000...) and optional Markdown ``#``
marks. Labels are matched on ``kb.text.normalize.fold`` of the line (length
preserving: full-width digits, parens and dots count as ASCII) while every
span indexes the original text.

Styles (``STYLES``; see there for examples): part/chapter/section/article
(第X编/第X章/第X节/第X条), ``cn`` 一、, ``cn_paren`` （一）, ``arabic`` 1. 1、,
``arabic_paren`` （1）, ``circled`` ①, ``dash`` ——, ``heading`` (a Markdown
heading without a numbering label, or a bare 总则/附则 chapter line; label
"") and ``annex`` (附件/附录/名词解释/注释 lines: they close every open
clause and start a new root).

Hierarchy: a stack. A label whose style is already on the stack closes the
clauses above it and becomes their sibling; a style not on the stack nests
under the current clause, so the level of a style is the order of its first
appearance. Sanity checks:

* ``arabic`` needs the dot/、 followed by a non-digit ("1.5亿元", "3、4月" and
  "2019年" are not labels); ``cn`` followed by another numeral and 、/级/类…
  ("一、二类") is a numeral list, not a label; ``——YYYY年M月D日…`` is a dateline.
* 第X章/节/编 need whitespace or the end of the line after them, or a short line
  without 。; 第X条(之一) needs whitespace, a colon or the end of the line.
* Sequence continuity: when the style occurs several times on the stack the
  frame whose number is followed by the new number wins (else the innermost one
  with a smaller number). A label that restarts a numbering (its number is not
  above the open one's) while deeper clauses are open starts a nested list under
  the current clause instead of closing them (e.g. 一、 items inside an article).
* Dash bullets are leaves: they never get children and end with their line.
* Markdown headings also close every open Markdown heading with as many or
  more '#'s (so "## 范围" then "## 总则" are siblings whatever their styles).

Headings (``heading`` / ``heading_span``, always a verbatim substring): from
the first non-space character after the label to the first 。！？ (included)
or the end of the line, whichever comes first, trailing spaces trimmed (a label
alone on its line takes the lead of the next non-blank, non-label line). When
that runs over 120 characters it is cut before the first ；/; in it, else
before the first ，/, in it, else after 120 characters. For 一、/第X章/Markdown
headings this is simply the rest of the line.

Spans: ``span`` runs from the label to the start of the line of the next clause
that is not a descendant (or the end of the text), minus trailing whitespace;
``text[span]`` is the whole clause with its children and starts with the label.
Text before the first label (preamble) belongs to no clause. Ids follow
design.md: ``{doc_id}.s{p1}.{p2}...`` with 1-based sibling ordinals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb import ids
from kb.extract.parts import find_parts, segments
from kb.model import Clause
from kb.text.dates import DATELINE_RE
from kb.text.normalize import fold
from kb.text.numerals import label_number

STYLES: dict[str, str] = {
    "part": "第X编 / 第X分编 (part of a code)",
    "chapter": "第X章 (chapter), also a bare 总　　则 / 附　　则 line (label '')",
    "section": "第X节 (section)",
    "article": "第X条 / 第X条之一 (article)",
    "cn": "一、 一． (Chinese numeral + 、 or dot)",
    "cn_paren": "（一） (一) (Chinese numeral in full-width or ASCII parens)",
    "arabic": "1. 1． 1、 ⒈ (Arabic number + dot or 、, not followed by a digit)",
    "arabic_paren": "（1） (1) ⑴",
    "circled": "① … ⑳, ❶ … ❿",
    "dash": "—— — ―― －－ (bullet, leaf)",
    "heading": "Markdown heading without a numbering label (label '')",
    "annex": "附件 / 附件1 / 附录 / 名词解释 / 注释 (closes all open clauses)",
    "attachment": "an attached document of a notice: 附件1 + its title, or its title alone (kb.extract.parts)",
}

_CN_NUM = "[一二三四五六七八九十百千零〇两]"

# All label patterns run on the folded head of a line (after indentation and '#'s).
# 第X条 …, also with the digits spaced out as web pages sometimes write them ("第 1 0 条").
_RE_STRUCT = re.compile(
    r"第 ?(" + _CN_NUM + r"{1,7}|\d(?: ?\d){0,3}) ?(分编|编|章|节|条)(之[一二三四五六七八九十]{1,3})?"
)
_RE_CN = re.compile("(" + _CN_NUM + r"{1,4}) ?(、|\.(?!\d))")  # "二 、" (a stray space) too
_RE_CN_LIST = re.compile(r"[一二三四五六七八九十]{1,3}[、级类等档产批线期号]")
_RE_CN_PAREN = re.compile(r"\((" + _CN_NUM + r"{1,4})\)")
_RE_AR_PAREN = re.compile(r"\((\d{1,3})\)")
_RE_ARABIC = re.compile(r"(\d{1,3})(\.|、)(?!\d)")
_RE_DASH = re.compile(r"(——|—|――|―|--|──)(?![—―\-─])")
_RE_ANNEX = re.compile(r"(附件|附录|附表)\s*(\d{1,2}|[一二三四五六七八九十]{1,3})?\s*:?")
_RE_ANNEX_WORD = re.compile(r"(名词解释|名词注释|注释|注解)\s*:?\s*$")
_RE_GENERAL = re.compile(r"[总附分]\s*则\s*$")
_RE_MD = re.compile(r"#{1,6}(?=[^#])")

_SENTENCE_END = "。！？"
_MAX_HEADING = 120
_HEAD_CHARS = 48  # how much of a line start is folded for matching

_STRUCT_STYLE = {"编": "part", "分编": "part", "章": "chapter", "节": "section", "条": "article"}
_CIRCLED = {chr(c): c - 0x2460 + 1 for c in range(0x2460, 0x2474)}
_CIRCLED.update({chr(c): c - 0x2776 + 1 for c in range(0x2776, 0x2780)})
_PAREN_DIGIT = {chr(c): c - 0x2474 + 1 for c in range(0x2474, 0x2488)}  # ⑴..⒇
_DOT_DIGIT = {chr(c): c - 0x2488 + 1 for c in range(0x2488, 0x249C)}  # ⒈..⒛


@dataclass
class _Label:
    style: str
    key: str  # stack key: the style, or "heading#<depth>" for Markdown headings
    value: int | None
    start: int  # label start in text
    end: int  # label end in text
    leaf: bool = False
    md_depth: int = 0  # number of Markdown '#'s before the label (0: none)


@dataclass
class _Node:
    label: _Label
    line_start: int
    heading_span: tuple[int, int]
    end: int = -1
    children: list[_Node] = field(default_factory=list)


def _match_label(text: str, p: int, line_end: int, md_depth: int) -> _Label | None:
    """The label starting at ``text[p]`` (p = first non-space char after '#'s), if any.

    One matcher per label style, chosen by the first character, in the order the module docstring gives the
    grammar; a Markdown heading without a label is a label of its own."""
    ch = text[p]
    if ch in _CIRCLED:
        return _Label("circled", "circled", _CIRCLED[ch], p, p + 1)
    if ch in _PAREN_DIGIT:
        return _Label("arabic_paren", "arabic_paren", _PAREN_DIGIT[ch], p, p + 1)
    if ch in _DOT_DIGIT:
        return _Label("arabic", "arabic", _DOT_DIGIT[ch], p, p + 1)
    head = fold(text[p : min(line_end, p + _HEAD_CHARS)])
    c = head[0]
    if c == "第":
        label = _structural_label(text, head, p, line_end)
    elif c == "(":
        label = _paren_label(head, p)
    elif "0" <= c <= "9":
        label = _arabic_label(head, p)
    elif c in "—―-─":
        label = _dash_label(head, p)
    else:
        label = _word_label(text, head, p, line_end)
    if label is not None:
        return label
    if md_depth:
        return _Label("heading", f"heading#{md_depth}", None, p, p)
    return None


def _structural_label(text: str, head: str, p: int, line_end: int) -> _Label | None:
    """第X编/章/节/条: an article when a space or colon (or nothing) follows it; the others when a space
    follows, or the rest of the line is a short title without sentence punctuation."""
    m = _RE_STRUCT.match(head)
    if not m:
        return None
    value = label_number(m.group(1).replace(" ", ""))
    style = _STRUCT_STYLE[m.group(2)]
    after = head[m.end() :]
    if value is None:
        return None
    if style == "article":
        if not after or after[0] in " \t:":
            return _Label(style, style, value, p, p + m.end())
    elif m.group(3) is None:
        rest = text[p + m.end() : line_end]
        if not after or after[0] in " \t" or (len(rest) <= 30 and not any(x in rest for x in "。，,;；")):
            return _Label(style, style, value, p, p + m.end())
    return None


def _paren_label(head: str, p: int) -> _Label | None:
    """（一） or (1)."""
    m = _RE_CN_PAREN.match(head) or _RE_AR_PAREN.match(head)
    if m:
        value = label_number(m.group(1))
        if value is not None:
            style = "arabic_paren" if m.group(1).isdigit() else "cn_paren"
            return _Label(style, style, value, p, p + m.end())
    return None


def _arabic_label(head: str, p: int) -> _Label | None:
    """1. or 1、 (not 0)."""
    m = _RE_ARABIC.match(head)
    if m and int(m.group(1)) > 0:
        return _Label("arabic", "arabic", int(m.group(1)), p, p + m.end())
    return None


def _dash_label(head: str, p: int) -> _Label | None:
    """A —— bullet before words (not a dateline; a hyphen only doubled)."""
    m = _RE_DASH.match(head)
    if m:
        after = head[m.end() :]
        first = after.lstrip()[:1]
        if (
            first
            and (first.isalnum() or first in "“‘《(\"'")
            and not DATELINE_RE.match(after)
            and (head[0] != "-" or m.group(1) == "--")
        ):
            return _Label("dash", "dash", None, p, p + m.end(), leaf=True)
    return None


def _word_label(text: str, head: str, p: int, line_end: int) -> _Label | None:
    """附件/附录/附表 or 名词解释/注释 alone on its line (an annex), 总则/附则/分则 (a chapter without a number),
    一、 (cn)."""
    c = head[0]
    if c in "附名注":
        m = _RE_ANNEX.match(head)
        if m and line_end - p <= 40 and "。" not in text[p:line_end]:
            end = p + len(head[: m.end()].rstrip())
            return _Label("annex", "annex", None, p, end)
        m = _RE_ANNEX_WORD.match(head)
        if m and line_end - p <= len(head):
            return _Label("annex", "annex", None, p, p + len(m.group(1)))
    if c in "总附分" and line_end - p <= 12 and _RE_GENERAL.match(head):
        return _Label("chapter", "chapter", None, p, p)
    m = _RE_CN.match(head)
    if m:
        value = label_number(m.group(1))
        if value is not None and not _RE_CN_LIST.match(head, m.end()):
            return _Label("cn", "cn", value, p, p + m.end())
    return None


def _heading_span(text: str, start: int, line_end: int) -> tuple[int, int]:
    """Lead sentence after a label (see the module docstring)."""
    while start < line_end and text[start].isspace():
        start += 1
    end = line_end
    for mark in _SENTENCE_END:
        k = text.find(mark, start, end)
        if k != -1:
            end = k + 1  # end shrinks, so the earliest mark wins
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start > _MAX_HEADING:
        for marks in ("；;", "，,"):
            cuts = [k for k in (text.find(m, start, end) for m in marks) if k != -1]
            if cuts:
                end = min(cuts)
                break
        else:
            end = start + _MAX_HEADING
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def _next_line_heading(
    text: str, line_end: int, empty: tuple[int, int], limit: int | None = None
) -> tuple[int, int]:
    """Heading of a label written alone on its line: the lead of the next non-blank line before ``limit``,
    unless that line is itself a label (or a Markdown heading)."""
    n = len(text) if limit is None else limit
    pos = line_end + 1
    while pos < n:
        end = text.find("\n", pos)
        if end == -1 or end > n:
            end = n
        p = pos
        while p < end and text[p].isspace():
            p += 1
        if p < end:
            if text[p] in "#＃" or _match_label(text, p, end, 0) is not None:
                return empty
            return _heading_span(text, p, end)
        pos = end + 1
    return empty


def _rstrip_to(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _choose_sibling(stack: list[_Node], label: _Label) -> int | None:
    """Index of the open frame the new label is a sibling of, or None to nest it."""
    top = len(stack) - 1
    if label.leaf:
        return top if top >= 0 and stack[top].label.leaf else None
    found = [i for i in range(top, -1, -1) if stack[i].label.key == label.key]
    if not found:
        return None
    v = label.value
    if v is None:
        return found[0]
    for i in found:
        prev = stack[i].label.value
        if prev is not None and v == prev + 1:
            return i
    for i in found:
        prev = stack[i].label.value
        if prev is None or v > prev:
            return i
    # A restart (number not above the open one's): same level when nothing deeper is open,
    # else a new nested list under the current clause.
    innermost = found[0]
    deeper = [i for i in range(innermost + 1, top + 1) if not stack[i].label.leaf]
    return None if deeper else innermost


def parse_outline(text: str, doc_id: str, title: str = "") -> list[Clause]:
    """Parse the numbered outline of ``text`` and return the root clauses (see module docstring).

    ``title`` (the document's) lets a notice's attached documents be found (``kb.extract.parts``): each part's
    outline is parsed on its own, under a root clause of style ``attachment`` (label 附件N as written or "",
    heading the attached document's title).
    """
    lines = segments(text)
    parts = find_parts(text, title, lines)
    lines = _split_at(lines, [part.start for part in parts])
    bounds = [0, *(part.start for part in parts), len(text)]
    roots: list[_Node] = []
    for k in range(len(bounds) - 1):
        start, end = bounds[k], bounds[k + 1]
        region = [(a, b) for a, b in lines if start <= a < end]
        if k == 0:
            roots.extend(_parse_region(text, region, end))
            continue
        part = parts[k - 1]
        # the part's own lines begin after its title (a flat text's title may share a line with its preamble)
        body = [(max(a, part.title[1]), b) for a, b in region if b > part.title[1]]
        style = "attachment" if part.kind == "attachment" else "heading"
        node = _Node(
            _Label(style, style, None, part.label[0], part.label[1]),
            part.start,
            part.title,
            end=_rstrip_to(text, part.start, end),
        )
        node.children = _parse_region(text, body, end)
        roots.append(node)
    return _build(roots, text, doc_id, [], 1)


def _split_at(lines: list[tuple[int, int]], cuts: list[int]) -> list[tuple[int, int]]:
    """The lines, each cut where a part starts inside it (a flat text's part shares a line with its neighbours)."""
    if not cuts:
        return lines
    out = []
    for a, b in lines:
        inner = [c for c in cuts if a < c < b]
        starts = [a, *inner]
        out.extend(zip(starts, [*inner, b], strict=True))
    return out


def _parse_region(text: str, lines: list[tuple[int, int]], region_end: int) -> list[_Node]:
    """The outline of the lines of one region (the notice, or one attached document), with its own stack."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    for pos, line_end in lines:
        p = pos
        while p < line_end and text[p].isspace():
            p += 1
        md_depth = 0
        if p < line_end and text[p] in "#＃":
            m = _RE_MD.match(fold(text[p : min(line_end, p + 8)]))
            if m:
                md_depth = m.end()
                p += md_depth
                while p < line_end and text[p].isspace():
                    p += 1
        if p < line_end:
            label = _match_label(text, p, line_end, md_depth)
            if label is not None:
                label.md_depth = md_depth
                hs = _heading_span(text, label.end, line_end)
                if hs[0] == hs[1] and not label.leaf:
                    hs = _next_line_heading(text, line_end, hs, region_end)
                if label.end > label.start or hs[1] > hs[0]:
                    _push(stack, roots, _Node(label, pos, hs), text)
                    if label.leaf:
                        stack[-1].end = _rstrip_to(text, label.start, line_end)
    for node in stack:
        if node.end < 0:
            node.end = _rstrip_to(text, node.label.start, region_end)
    return roots


def _close(node: _Node, at: int, text: str) -> None:
    if node.end < 0:
        node.end = _rstrip_to(text, node.label.start, at)


MAX_DEPTH = (
    12  # outline levels kept; deeper labels become siblings at this depth (the input cannot deepen recursion)
)


def _push(stack: list[_Node], roots: list[_Node], node: _Node, text: str) -> None:
    label = node.label
    if label.style == "annex":
        keep = 0
    else:
        sibling = _choose_sibling(stack, label)
        if sibling is None and len(stack) >= MAX_DEPTH:
            same = [i for i in range(len(stack) - 1, -1, -1) if stack[i].label.key == label.key]
            sibling = same[0] if same else len(stack) - 1
        if sibling is None:
            keep = len(stack)
            while keep and stack[keep - 1].label.leaf:
                keep -= 1
        else:
            keep = sibling
        if label.md_depth:
            # A Markdown heading closes the open headings of the same or a deeper '#' level.
            for i in range(keep):
                if stack[i].label.md_depth >= label.md_depth:
                    keep = i
                    break
    for closed in stack[keep:]:
        _close(closed, node.line_start, text)
    del stack[keep:]
    (stack[-1].children if stack else roots).append(node)
    stack.append(node)


def _build(nodes: list[_Node], text: str, doc_id: str, path: list[int], level: int) -> list[Clause]:
    out = []
    for i, node in enumerate(nodes, 1):
        here = [*path, i]
        lab = node.label
        clause = Clause(
            id=ids.clause_id(doc_id, here),
            doc_id=doc_id,
            label=text[lab.start : lab.end],
            style=lab.style,
            level=level,
            heading=text[node.heading_span[0] : node.heading_span[1]],
            span=(lab.start, node.end),
            label_span=(lab.start, lab.end),
            heading_span=node.heading_span,
            ordinal=i,
            children=_build(node.children, text, doc_id, here, level + 1),
        )
        out.append(clause)
    return out
