"""Where a document's text breaks into lines and into attached documents (parts).

**Lines** (``segments``): the text's own lines, and in a *flat* text (a web page or database field that lost its
paragraph breaks: a long text with few line breaks) also virtual line starts where an outline label follows the
end of a sentence (。；！？：), where a label is the next number of its style ("…后资助16.对实施…" after 15.), and
where a first item follows the heading of a label just opened ("二、支持政策（一）财政金融支持政策。"), so 一、
…（一）… 1. can start clauses there (an article number 第X条 only with a space after it). Only positions are
computed; the text is never changed.

**Parts** (``find_parts``): the attached documents of a notice that issues them (印发/转发 notices, 附件1 …, a
notice issuing two regulations). A part starts at

1. an explicit 附件 label at the start of a line (附件, 附件1, 附件2：) followed by the attached document's title on
   the same or the next line and a body — not a list of attachment names at the foot of a notice;
2. a title the notice cites as what it issues (its own title's 印发《X》/印发X的通知, or a 《X》 in the lines before
   the first part) standing again on its own: at a line start, or in a flat text after the notice's date;
3. a standalone title line (one or two short lines without closing punctuation, ending with a document genre such
   as 方案、办法、规定、意见、政策、措施) followed by an outline label line, after the notice's own body began.

Each part has its 附件 label (or none) and its title as verbatim spans; ``kb.extract.outline`` parses each part's
outline on its own (numbering restarts there) under a root clause of style ``attachment``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.text.dates import FULL_DATE_RE
from kb.text.normalize import fold
from kb.text.numerals import label_number

Span = tuple[int, int]

FLAT_MIN_CHARS = 800  # a text shorter than this is never treated as flat
FLAT_CHARS_PER_BREAK = 400  # flat: fewer than one line break per this many characters
MAX_TITLE = 80

GENRES = (
    "方案",
    "办法",
    "规定",
    "意见",
    "政策",
    "措施",
    "细则",
    "规划",
    "计划",
    "要点",
    "条例",
    "规则",
    "清单",
    "指引",
    "纲要",
    "决定",
    "通知",
    "标准",
    "制度",
    "大纲",
    "条",  # 招商引资政策二十条
)
_GENRE_RE = re.compile(
    r"(?:" + "|".join(GENRES) + r")(?:[（(][^（）()]{1,16}[)）])?$"
)  # …实施方案（试行）, …政策措施（2025—2027年）
_ANNEX_LABEL_RE = re.compile(r"附\s*件\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})?\s*[:：]?")
_NOTICE_TITLE_RE = re.compile(r"(?:印发|转发|颁布|发布)(.+?)的(?:通知|决定|函)")
_CITED_RE = re.compile(r"《([^《》]{4,80})》")
_SENTENCE_END = "。；;！？：:"
# What may end the text before a virtual line start: a sentence end, or a closing bracket after one
# ("…负责。〕（二）…", "…（市财政局负责）（三）…").
_BEFORE_LABEL = _SENTENCE_END + ")]〕】"
_CLOSING = "。；;！？，,：:、"
_LABEL_START_RE = re.compile(
    r"[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十百零〇\d]{1,5}[章节条]"
)


@dataclass(frozen=True)
class Part:
    start: int  # where the part begins (its 附件 label, else its title)
    label: Span  # the 附件 label as written; (start, start) when there is none
    title: Span  # the attached document's title
    kind: str = "attachment"  # attachment | heading (an unnumbered heading over a numbered list)


def is_flat(text: str) -> bool:
    return len(text) >= FLAT_MIN_CHARS and text.count("\n") * FLAT_CHARS_PER_BREAK < len(text)


def segments(text: str) -> list[Span]:
    """(start, end) of every line, with virtual line starts in a flat text (see the module docstring)."""
    lines: list[Span] = []
    pos = 0
    n = len(text)
    while pos <= n:
        end = text.find("\n", pos)
        if end == -1:
            end = n
        lines.append((pos, end))
        pos = end + 1
    if not is_flat(text):
        return lines
    out: list[Span] = []
    folded = fold(text)
    last: dict[str, int] = {}  # the number of the last label accepted, by style
    for start, end in lines:
        cuts = [start]
        prev_end = -1  # where the last accepted label of this line ended
        for m in _LABEL_START_RE.finditer(folded, start, end):
            k = m.start()
            style, number = _label_key(m.group())
            j = k - 1
            while j > start and folded[j] == " ":
                j -= 1
            after_sentence = j < start or folded[j] in _BEFORE_LABEL
            if not (after_sentence or _continues(style, number, last, folded, k, m.end(), prev_end)):
                continue
            if k > start:
                cuts.append(k)
            if number is not None:
                last[style] = number
            prev_end = m.end()
        for m in FULL_DATE_RE.finditer(folded, start, end):  # a notice's date, then the attached title
            k = m.end()
            if k < end and not folded[k].isspace() and folded[k] not in _CLOSING:
                cuts.append(k)
        cuts = sorted(set(cuts))
        out.extend((a, b) for a, b in zip(cuts, [*cuts[1:], end], strict=True))
    return out


_HEAD_RUN = (
    40  # a first item may follow its section's label within this many characters ("二、支持政策（一）…")
)


def _label_key(label: str) -> tuple[str, int | None]:
    """The style and number of a label found by ``_LABEL_START_RE`` ("（三）" → ("cn_paren", 3))."""
    if label.startswith("第"):
        return "struct" + label[-1], label_number(label[1:-1])
    if label[0] in "(（":
        return "cn_paren", label_number(label[1:-1])
    if label[0].isdigit():
        return "arabic", int(label[:-1])
    return "cn", label_number(label[:-1])


def _continues(
    style: str, number: int | None, last: dict[str, int], folded: str, start: int, end: int, prev_end: int
) -> bool:
    """A label glued to the text before it still starts an item of a run-on list when it is the next number
    of its style ("…后资助16.对实施" after 15.), or the first item right under a heading just opened on the same
    line ("二、支持政策（一）财政金融支持政策。"). An article number (第X条) needs a space after it, as written in
    statutes, since one is also cited inside sentences ("依照本办法第十条")."""
    if number is None:
        return False
    if style == "struct条" and not folded[end : end + 1].isspace():
        return False
    if last.get(style) == number - 1:
        return True
    if number == 1 and 0 <= prev_end <= start and start - prev_end <= _HEAD_RUN:
        return not any(ch in _SENTENCE_END for ch in folded[prev_end:start])
    return False


_TITLE_MARKS = str.maketrans("", "", '《》〈〉<>“”"')


def _strip_title(title: str) -> str:
    """A title compared without spaces and title marks (a title cited inside a title uses 〈〉 for its 《》)."""
    return "".join(fold(title).split()).translate(_TITLE_MARKS)


def cited_titles(text: str, title: str) -> list[tuple[int, str]]:
    """Titles a notice says it issues, each with where it is first cited (-1: in the notice's own title)."""
    found: dict[str, int] = {}
    for m in _NOTICE_TITLE_RE.finditer(fold(title)):
        for cited in _CITED_RE.findall(m.group(1)) or [m.group(1)]:
            found.setdefault(_strip_title(cited), -1)
    for m in _CITED_RE.finditer(text):
        found.setdefault(_strip_title(m.group(1)), m.start())
    return [(pos, t) for t, pos in found.items() if len(t) >= 4]


_NOT_TITLE_RE = re.compile(r"^(?:\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|[（(【〔].*[)）】〕])$")


def _title_like(line: str) -> bool:
    """A line that could be (part of) a title: short, no closing punctuation, not a label, a date or a
    parenthesised note such as （此件公开发布）."""
    line = line.strip()
    folded = fold(line)
    return (
        4 <= len(line) <= MAX_TITLE
        and not any(ch in line for ch in _CLOSING)
        and not _LABEL_START_RE.match(folded)
        and not _NOT_TITLE_RE.match(folded)
    )


def _next_nonblank(lines: list[Span], text: str, k: int) -> int | None:
    for j in range(k + 1, min(len(lines), k + 12)):
        if text[lines[j][0] : lines[j][1]].strip():
            return j
    return None


def _squeezed(text: str, span: Span) -> str:
    return "".join(fold(text[span[0] : span[1]]).split())


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_parts(text: str, title: str = "", lines: list[Span] | None = None) -> list[Part]:
    """The attached documents' starts, in order (see the module docstring); [] for a document without any."""
    lines = lines if lines is not None else segments(text)
    flat = is_flat(text)
    cited = cited_titles(text, title)
    parts: list[Part] = []
    body_started = False
    for k, (start, end) in enumerate(lines):
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped:
            continue
        span = _trimmed(text, start, end)
        head = fold(text[span[0] : span[1]])
        # 1. 附件 label
        m = _ANNEX_LABEL_RE.match(head)
        if m and head[: m.end()].strip() and len(head) <= MAX_TITLE + 8:
            part = _annex_part(text, lines, k, span, m.end())
            if part is not None:
                parts.append(part)
                body_started = True
                continue
        if _LABEL_START_RE.match(head) or head.startswith("#"):
            body_started = True  # an outline label, or a Markdown heading (its own outline unit)
            continue
        squeezed = _strip_title(head)
        # 2. a title the notice cites as what it issues, standing on its own
        known = [t for pos, t in cited if pos < span[0]]
        exact = [
            t for t in known if squeezed == t or (squeezed.startswith(t) and len(squeezed) - len(t) <= 2)
        ]
        if exact:
            parts.append(Part(span[0], (span[0], span[0]), span))
            continue
        if flat:
            prefix = [t for t in known if squeezed.startswith(t)]
            if prefix:  # the title runs into the attached document's preamble: cut it where the title ends
                title_end = _end_of_prefix(text, span, max(prefix, key=len))
                parts.append(Part(span[0], (span[0], span[0]), (span[0], title_end)))
                continue
        # 3. a standalone genre title (one or two lines) followed by an outline label line
        if body_started and not flat and _title_like(stripped):
            found = _genre_title(text, lines, k, squeezed)
            if found is not None:
                parts.append(Part(span[0], (span[0], span[0]), (span[0], found)))
                continue
            # 4. an unnumbered heading over a list that starts afresh ("2026年重点工作" then （一）)
            if (
                len(stripped) <= MAX_HEADING
                and _opens_a_list(text, lines, k)
                and _after_a_sentence(text, lines, k)
            ):
                parts.append(Part(span[0], (span[0], span[0]), span, kind="heading"))
                continue
        body_started = True
    if flat:
        parts.extend(_flat_title_parts(text, cited))
    return _distinct(parts, text)


def _flat_title_parts(text: str, cited: list[tuple[int, str]]) -> list[Part]:
    """In a flat text: a cited title standing on its own after the end of a sentence or the notice's date."""
    folded = fold(text)
    parts: list[Part] = []
    for first, title in cited:
        # a title may be letter-spaced as a heading ("电 力 体 制 改 革 方 案")
        pattern = re.compile(r"[ \u3000]?".join(re.escape(ch) for ch in title))
        for m in pattern.finditer(folded, max(first, 0) + 1):
            start = m.start()
            before = folded[:start].rstrip()
            unbracketed = not before.endswith("《") and not folded.startswith("》", m.end())
            after_end = (
                not before or before[-1] in _BEFORE_LABEL or FULL_DATE_RE.search(before[-14:]) is not None
            )
            if unbracketed and after_end:
                parts.append(Part(start, (start, start), (start, m.end())))
    return parts


MAX_HEADING = 30
_FIRST_LABEL_RE = re.compile(r"(?:一、|[(（]一[)）]|1[.．、](?!\d)|第一[章节条])")


MAX_LEAD_IN = 40


def _opens_a_list(text: str, lines: list[Span], k: int) -> bool:
    """The next non-blank line starts a numbered list at its first item (一、 （一） 1. 第一章), maybe after
    one short lead-in line that announces it ("重点抓好以下工作：")."""

    def line_at(j: int | None) -> str:
        return "" if j is None else fold(text[lines[j][0] : lines[j][1]].strip())

    nxt = _next_nonblank(lines, text, k)
    line = line_at(nxt)
    if _FIRST_LABEL_RE.match(line):
        return True
    if not line or len(line) > MAX_LEAD_IN or not line.endswith(":") or _LABEL_START_RE.match(line):
        return False
    return _FIRST_LABEL_RE.match(line_at(_next_nonblank(lines, text, nxt))) is not None


def _after_a_sentence(text: str, lines: list[Span], k: int) -> bool:
    """The previous non-blank line ends a sentence (a heading does not continue a paragraph)."""
    for j in range(k - 1, max(-1, k - 12), -1):
        line = text[lines[j][0] : lines[j][1]].strip()
        if line:
            return line[-1] in "。！？；;:：" or line[-1] in ")）"
    return True


def _annex_part(text: str, lines: list[Span], k: int, span: Span, label_len: int) -> Part | None:
    """The part a 附件 line starts: its title on the same or the next line, and a body after it."""
    label = _trimmed(text, span[0], span[0] + label_len)
    rest = _trimmed(text, span[0] + label_len, span[1])
    title: Span | None = rest if rest[1] > rest[0] and _title_like(text[rest[0] : rest[1]]) else None
    if title is None and rest[0] == rest[1]:
        nxt = _next_nonblank(lines, text, k)
        if nxt is not None:
            candidate = _trimmed(text, *lines[nxt])
            if _title_like(text[candidate[0] : candidate[1]]):
                title = candidate
    if title is None or _looks_like_list(text, title):
        return None
    return Part(span[0], label, title)


def _genre_title(text: str, lines: list[Span], k: int, squeezed: str) -> int | None:
    """End of a title starting on line ``k`` (itself or joined with the next line) that ends with a document
    genre and is followed by an outline label line; None when there is none."""
    last = k
    joined = squeezed
    if not _GENRE_RE.search(joined):
        nxt = _next_nonblank(lines, text, k)
        if nxt is None:
            return None
        second = text[lines[nxt][0] : lines[nxt][1]].strip()
        if (
            second.startswith(("#", "＃"))
            or not _title_like(second)
            or not _GENRE_RE.search(joined + "".join(fold(second).split()))
        ):
            return None
        last = nxt
    after = _next_nonblank(lines, text, last)
    if after is None or not _LABEL_START_RE.match(fold(text[lines[after][0] : lines[after][1]].lstrip())):
        return None
    return _trimmed(text, *lines[last])[1]


def _end_of_prefix(text: str, span: Span, prefix: str) -> int:
    """Offset in ``text`` where the folded, space-free ``prefix`` of ``text[span]`` ends."""
    seen = 0
    for pos in range(span[0], span[1]):
        if not text[pos].isspace() and fold(text[pos]).translate(_TITLE_MARKS) != "":
            seen += 1
        if seen == len(prefix):
            return pos + 1
    return span[1]


def _looks_like_list(text: str, title: Span) -> bool:
    """A 附件 line at a notice's foot listing attachment names ("附件：1.xxx 2.yyy"), not an attached body."""
    rest = text[title[1] : title[1] + 400]
    lines = [line.strip() for line in rest.split("\n") if line.strip()][:3]
    return bool(lines) and all(
        re.match(r"^\d{1,2}[.．、]", fold(line)) and len(line) <= MAX_TITLE for line in lines
    )


MIN_PART_CHARS = (
    20  # an attached document has a body (a sentence or a label): a signature and a date are none
)


def _distinct(parts: list[Part], text: str) -> list[Part]:
    """Parts in order, without overlaps and without those that have no body before the next part."""
    ordered: list[Part] = []
    for part in sorted(parts, key=lambda p: p.start):
        if ordered and part.start < ordered[-1].title[1]:
            continue
        ordered.append(part)
    ends = [p.start for p in ordered[1:]] + [len(text)] if ordered else []
    return [p for p, end in zip(ordered, ends, strict=True) if _has_body(text, p.title[1], end)]


def _has_body(text: str, start: int, end: int) -> bool:
    """At least ``MIN_PART_CHARS`` characters with a sentence or an outline label: not a signature and date."""
    body = text[start:end]
    squeezed = "".join(body.split())
    return len(squeezed) >= MIN_PART_CHARS and (
        "。" in body or _LABEL_START_RE.search(fold(body)) is not None
    )
