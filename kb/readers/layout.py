"""Page layout shared by the PDF and OFD readers: positioned text in, a clean body and its metadata out.

A reader gives pages of ``Chunk``s (a PDF character, an OFD glyph, an OCR word) with their position
(x from the left edge, baseline y from the top edge, any unit as long as it is the same for sizes)
and their place in the file (``order``), and calls ``assemble(pages)``, which

1. groups chunks into lines by baseline and font size, never by a glyph's box (a thin glyph such as
   一 、 — · has a box a fraction of its neighbours' height, but its origin on their baseline), top
   to bottom, left to right, document order where positions tie; a page set in two columns (a
   gutter many lines share, ``find_gutter``; a short last page takes the other pages' columns) is
   read left column first, between the lines that run across both; Kangxi radicals and
   compatibility ideographs are folded (``kb.text.normalize.fold_compat_ideographs``);
2. drops page furniture: page numbers ("— 3 —", "- 3 -", "第3页 共6页", "3/6") among the first and
   last two lines of a page, and running headers/footers (the same line, digits aside, at the same
   height and size on at least half of the pages);
3. reads the front matter at the top of the first page into metadata: the 版头 ("XX文件"), the
   发文字号, labelled lines ("发布机构：…"), the title (the first centred line or lines, kept in the
   body as its first line, as on the page) and an agency-and-date line under it
   ("十堰市科学技术局　2019年7月8日");
4. rejoins lines broken by the page width: a line continues the previous one when that one reaches
   the right margin (of its column: where most long lines end) and does not end a sentence (or the document marks paragraphs by indenting
   their first line), and the line is not indented and does not start with an outline label
   (一、 （一） 1. （1） ① 第X条 附件; a dash is no label here: "2018—2020年" wraps before its dash,
   and a —— bullet starts indented or after a sentence end anyway);
5. reads the 落款 (issuing agency and 成文日期) at the end of the body, before any 附注/附件/版记,
   into metadata (``split_signature``, which the .docx reader uses too).

Text stays verbatim apart from the fold, the rejoining and the lines taken out.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kb.readers.text import TITLE_MAX_CHARS, label_key, looks_like_doc_number, parse_date
from kb.text.normalize import fold, fold_compat_ideographs


@dataclass
class Chunk:
    """Text drawn at one place: ``x0``/``x1`` horizontal extent, ``baseline`` from the top, font ``size``.

    ``order`` is the chunk's place in the file (document order): where positions tie it decides, never a
    font or an object id.
    """

    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    order: int = 0


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    page: int = 0
    column: int = 0  # 0: the page's one column, or a line across both; 1 left, 2 right column


@dataclass
class Page:
    width: float
    height: float
    chunks: list[Chunk] = field(default_factory=list)


# ---------------------------------------------------------------- patterns

_SPACE_GAP = 0.8  # a horizontal gap wider than this many font sizes reads as a space
_BASELINE_TOLERANCE = 0.35  # chunks whose baselines differ by less than this many sizes share a line
_COLUMN_GAP = 1.2  # a gap wider than this many font sizes may be a gutter between two columns
_COLUMN_MIN_CHARS = 8  # ... with at least this many characters of text on each side
_COLUMN_MIN_LINES = 3  # ... in at least this many lines
_EDGE_LINES = 2  # page numbers and running headers are looked for among this many first/last lines

_PAGE_NUMBER_RE = re.compile(
    r"^[-—–―－~～·•]*(?:\d{1,4}|[ivxlcdm]{1,6})[-—–―－~～·•]*$"  # 3, — 3 —, - 3 -, -iv-
    r"|^第\d{1,4}页[,，/]?(?:共\d{1,4}页)?$"  # 第3页, 第3页 共6页
    r"|^共\d{1,4}页[,，/]?第\d{1,4}页$"
    r"|^\d{1,4}/\d{1,4}$"  # 3/6
    r"|^page\d{1,4}(?:of\d{1,4})?$",
    re.IGNORECASE,
)
_CN_NUM = "[一二三四五六七八九十百零〇两]"
# Outline labels at the start of a line (on ``fold`` of the line: full-width parens/digits are ASCII).
_LABEL_START_RE = re.compile(
    r"^(?:"
    r"第(?:" + _CN_NUM + r"{1,7}|\d{1,4})[编章节条]"
    r"|" + _CN_NUM + r"{1,4}[、.](?!\d)"
    r"|\(" + _CN_NUM + r"{1,4}\)"
    r"|\d{1,3}[.、](?!\d)"
    r"|\(\d{1,3}\)"
    r"|[\u2460-\u2473\u2474-\u2487\u2488-\u249b\u2776-\u277f]"
    r"|附件|附录|附表"
    r")"
)
_SENTENCE_END = "。！？!?；;：:…"
_CLOSERS = "”’」』》）)】"
_YMD_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_YMD_RE = re.compile(
    r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
)
_DATE_ONLY_RE = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2})$"
)
_AGENCY_END_RE = re.compile(
    r"(?:局|委|厅|部|办|院|会|府|室|处|所|署|站|司|社|联|团|校|馆|队|中心|公司|集团|小组|党组|人大|法院|检察院)$"
)
_NOT_AGENCY_RE = re.compile(r"[，。；：,;:！？!?、“”\"《》]")
_LABEL_LINE_RE = re.compile(r"^\s*([^\s：:]{1,4}(?:[\s\u3000]*[^\s：:]){0,4})\s*[：:]\s*(.*?)\s*$")
# What may follow the 落款 (GB/T 9704): 附注 "（此件公开发布）", 附件, 版记 (抄送/印发), a contact line.
_TRAILER_RE = re.compile(r"^[（(]?\s*(?:此件|本件|附件|附录|附表|抄送|印发|联系人|联系电话|附[:：])")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


def is_page_number(text: str) -> bool:
    """A page number line: "— 3 —", "- 3 -", "3", "第3页 共6页", "3/6", "Page 3 of 6"."""
    return bool(_PAGE_NUMBER_RE.match(_squash(text)))


def starts_with_label(text: str) -> bool:
    """The line starts with an outline label (一、 （一） 1. （1） ① 第X条 附件; dashes are not counted)."""
    return bool(_LABEL_START_RE.match(fold(text.lstrip(" \t\u3000"))))


def ends_sentence(text: str) -> bool:
    text = text.rstrip().rstrip(_CLOSERS)
    return bool(text) and text[-1] in _SENTENCE_END


def is_date_line(text: str) -> bool:
    """A line that is only a date: "2019年7月8日", "二〇一九年七月八日", "2019-07-08"."""
    return bool(_DATE_ONLY_RE.match(_squash(text)))


def is_agency_line(text: str) -> bool:
    """A short line naming one or more issuing agencies ("十堰市科学技术局", "某某局　某某委员会")."""
    text = text.strip()
    if not 2 <= len(text) <= 60 or _NOT_AGENCY_RE.search(text) or starts_with_label(text):
        return False
    parts = text.split()
    return all(_AGENCY_END_RE.search(part) for part in parts)


def label_line(text: str) -> tuple[str, str] | None:
    """A labelled metadata line ("发布机构：十堰市科学技术局", "文号：") -> (meta key, value), else None."""
    m = _LABEL_LINE_RE.match(text)
    if not m:
        return None
    key = label_key(m.group(1))
    return (key, m.group(2)) if key else None


_MAX_SIGNERS = 4  # agency lines of a joint 落款 (联合发文) read above its date


def _continues_agency(text: str) -> bool:
    """The first line of an agency name broken over two lines ("省市场监管局新型冠状病毒感染的" above
    "肺炎疫情防控工作领导小组"): short, no punctuation, no label, no sentence end."""
    text = text.strip()
    return 2 <= len(text) <= 30 and not _NOT_AGENCY_RE.search(text) and not starts_with_label(text)


def split_signature(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Take the 落款 (agency lines, then a date-only line) off the end of the body.

    The date line is the last date-only line followed by nothing, or by a 附注/附件/版记 line. The lines
    just above it that read like agencies are its signers (up to ``_MAX_SIGNERS``, joined by a space as a
    joint 落款 sets them side by side); a name broken over two lines is joined back when its first part
    stands right above (``_continues_agency``). Returns (meta, lines without them).
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for k in range(len(filled) - 1, -1, -1):
        i = filled[k]
        if not is_date_line(lines[i]):
            continue
        if k + 1 < len(filled) and not _TRAILER_RE.match(fold(lines[filled[k + 1]].strip())):
            continue
        meta = {"date": parse_date(lines[i])}
        drop = {i}
        signers: list[str] = []
        j = k - 1
        while j >= 0 and len(signers) < _MAX_SIGNERS and is_agency_line(lines[filled[j]]):
            signers.insert(0, lines[filled[j]].strip())
            drop.add(filled[j])
            j -= 1
        if len(signers) == 1 and j >= 0 and _continues_agency(lines[filled[j]]):
            joined = lines[filled[j]].strip() + signers[0]
            if is_agency_line(joined):
                signers[0] = joined
                drop.add(filled[j])
        if signers:
            meta["agency"] = " ".join(signers)
        return meta, [line for j, line in enumerate(lines) if j not in drop]
    return {}, list(lines)


def agency_and_date(text: str) -> tuple[str, str] | None:
    """An agency-and-date line "十堰市科学技术局　2019年7月8日" -> (agency, ISO date); a date alone gives ("", date)."""
    folded = fold(text)
    stripped = folded.strip().strip("()（）")
    matches = list(_YMD_RE.finditer(stripped)) or list(_CN_YMD_RE.finditer(stripped))
    if not matches:
        return None
    m = matches[-1]
    if stripped[m.end() :].strip():
        return None
    date = parse_date(m.group(0))
    head = stripped[: m.start()].strip()
    if not date or (head and not is_agency_line(head)):
        return None
    return head, date


# ---------------------------------------------------------------- lines


def _join_chunks(chunks: list[Chunk]) -> str:
    parts: list[str] = []
    previous: Chunk | None = None
    for chunk in chunks:
        if previous is not None:
            gap = chunk.x0 - previous.x1
            if gap > _SPACE_GAP * max(previous.size, chunk.size, 1e-6) and not (
                parts[-1][-1:].isspace() or chunk.text[:1].isspace()
            ):
                parts.append(" ")
        parts.append(chunk.text)
        previous = chunk
    return "".join(parts)


def _x_key(chunk: Chunk) -> tuple[float, int]:
    return (chunk.x0, chunk.order)


def baseline_groups(chunks: list[Chunk]) -> list[list[Chunk]]:
    """Chunks grouped by baseline, top to bottom; each group left to right (document order where x ties).

    A chunk joins the group whose reference baseline (its first chunk's) lies within
    ``_BASELINE_TOLERANCE`` font sizes, the larger of the two sizes. Only the baseline (a glyph's origin)
    and the font size count, never the glyph's box: a thin glyph (一 丨 、 — ·) has a box a fraction of
    its neighbours' height but its origin on their baseline.
    """
    ordered = sorted((c for c in chunks if c.text), key=lambda c: (c.baseline, c.x0, c.order))
    groups: list[list[Chunk]] = []
    for chunk in ordered:
        if groups:
            head = groups[-1][0]
            size = max(chunk.size, head.size, 1e-6)
            if abs(chunk.baseline - head.baseline) <= _BASELINE_TOLERANCE * size:
                groups[-1].append(chunk)
                continue
        groups.append([chunk])
    for group in groups:
        group.sort(key=_x_key)
    return groups


def _solid(group: list[Chunk]) -> list[Chunk]:
    return [c for c in group if c.text.strip()]


def _segments(group: list[Chunk]) -> list[list[Chunk]]:
    """A baseline group cut at horizontal gaps wider than ``_COLUMN_GAP`` font sizes (solid chunks only)."""
    segments: list[list[Chunk]] = []
    for chunk in _solid(group):
        if segments:
            last = segments[-1][-1]
            if chunk.x0 - last.x1 <= _COLUMN_GAP * max(chunk.size, last.size, 1e-6):
                segments[-1].append(chunk)
                continue
        segments.append([chunk])
    return segments


def _chars(chunks: list[Chunk]) -> int:
    return sum(len(c.text.strip()) for c in chunks)


@dataclass
class Columns:
    """A page set in two columns: the gutter's x and each column's edges (from the lines that show them)."""

    gutter: float
    left_start: float  # where the left column's lines start
    left_end: float  # where its full lines end
    right_start: float
    right_end: float

    def row(self, left: list[Chunk], right: list[Chunk], size: float) -> bool:
        """A line with text on both sides is a row of the two columns when its left part starts at the left
        column's edge (or an indent of up to 3 characters) and its right part lies inside the right column
        (anywhere: a 落款 is set right). A byline "某局　　2019年7月8日" centred across the gutter is no
        row: it stands for itself."""
        left_solid, right_solid = _solid(left), _solid(right)
        starts_left = not left_solid or left_solid[0].x0 <= self.left_start + 3.2 * size
        inside_right = not right_solid or right_solid[0].x0 >= self.right_start - size
        return starts_left and inside_right


def find_gutter(groups: list[list[Chunk]]) -> Columns | None:
    """The columns of a page set in two, or None for a page of one column.

    A gutter is a gap of more than ``_COLUMN_GAP`` font sizes that many lines share, with a run of at
    least ``_COLUMN_MIN_CHARS`` characters on each side (so a byline "局　　2019年7月8日" or a table of
    short cells is no gutter): at least ``_COLUMN_MIN_LINES`` lines, and at least half of the lines that
    have text on both sides of it.
    """
    gaps: list[tuple[list[Chunk], list[Chunk]]] = []
    for group in groups:
        segments = _segments(group)
        for left, right in itertools.pairwise(segments):
            if _chars(left) >= _COLUMN_MIN_CHARS and _chars(right) >= _COLUMN_MIN_CHARS:
                gaps.append((left, right))
    if len(gaps) < _COLUMN_MIN_LINES:
        return None
    best, support = None, 0
    for left, right in gaps:
        middle = (left[-1].x1 + right[0].x0) / 2
        count = sum(1 for a, b in gaps if a[-1].x1 <= middle <= b[0].x0)
        if count > support:
            best, support = middle, count
    if best is None or support < _COLUMN_MIN_LINES:
        return None
    both_sides = 0
    for group in groups:
        solid = _solid(group)
        if any(c.x1 <= best for c in solid) and any(c.x0 >= best for c in solid):
            both_sides += 1
        elif any(c.x0 < best < c.x1 for c in solid):
            both_sides += 1  # a line running across the gutter
    if support < 0.5 * both_sides:
        return None
    rows = [(a, b) for a, b in gaps if a[-1].x1 <= best <= b[0].x0]
    return Columns(
        gutter=(max(a[-1].x1 for a, _ in rows) + min(b[0].x0 for _, b in rows)) / 2,  # the gap all rows share
        left_start=min(a[0].x0 for a, _ in rows),
        left_end=statistics.median(a[-1].x1 for a, _ in rows),
        right_start=min(b[0].x0 for _, b in rows),
        right_end=statistics.median(b[-1].x1 for _, b in rows),
    )


def _make_line(chunks: list[Chunk], number: int, column: int) -> Line | None:
    solid = _solid(chunks)
    if not solid:
        return None
    text = fold_compat_ideographs(_join_chunks(chunks)).strip()
    sizes = [c.size for c in solid for _ in c.text.strip()] or [solid[0].size]
    return Line(
        text=text,
        x0=min(c.x0 for c in solid),
        x1=max(c.x1 for c in solid),
        baseline=statistics.median(c.baseline for c in solid),
        size=statistics.median(sizes),
        page=number,
        column=column,
    )


def _crossing(group: list[Chunk], gutter: float) -> bool:
    solid = _solid(group)
    size = statistics.median(c.size for c in solid) if solid else 0.0
    return any(c.x0 < gutter - 0.25 * size and c.x1 > gutter + 0.25 * size for c in solid)


def shared_columns(groups_per_page: list[list[list[Chunk]]]) -> list[Columns | None]:
    """Each page's columns: its own (``find_gutter``), else, on a page too short to show them (the last
    page of a two-column document), the columns of the other pages when at most a quarter of its lines
    run across their gutter."""
    found = [find_gutter(groups) for groups in groups_per_page]
    detected = sorted((c for c in found if c is not None), key=lambda c: c.gutter)
    if not detected:
        return found
    usual = detected[len(detected) // 2]
    out: list[Columns | None] = []
    for groups, columns in zip(groups_per_page, found, strict=True):
        if columns is None and groups:
            across = sum(1 for group in groups if _crossing(group, usual.gutter))
            columns = usual if across <= 0.25 * len(groups) else None
        out.append(columns)
    return out


def page_lines(
    page: Page, number: int, *, groups: list[list[Chunk]] | None = None, columns: Columns | None = None
) -> list[Line]:
    """The page's chunks as lines in reading order.

    One column: lines top to bottom, each left to right. Two columns (``columns``, else ``find_gutter``
    on the page): a line that runs across the gutter (a title, a page number) or that is no row of the
    columns (``Columns.row``) stands for itself; between two such lines the left column's lines are read,
    then the right column's (``Line.column`` 1 and 2).
    """
    if groups is None:
        groups = baseline_groups(page.chunks)
        columns = columns or find_gutter(groups)
    lines: list[Line] = []
    if columns is None:
        for group in groups:
            line = _make_line(group, number, 0)
            if line is not None:
                lines.append(line)
        return lines
    gutter = columns.gutter
    left: list[Line] = []
    right: list[Line] = []

    def flush() -> None:
        lines.extend(left)
        lines.extend(right)
        left.clear()
        right.clear()

    for group in groups:
        solid = _solid(group)
        if not solid:
            continue
        size = statistics.median(c.size for c in solid)
        parts = (
            [c for c in group if (c.x0 + c.x1) / 2 < gutter],
            [c for c in group if (c.x0 + c.x1) / 2 >= gutter],
        )
        if _crossing(group, gutter) or (
            _solid(parts[0]) and _solid(parts[1]) and not columns.row(*parts, size)
        ):
            flush()
            line = _make_line(group, number, 0)
            if line is not None:
                lines.append(line)
            continue
        for column, part, side in ((1, parts[0], left), (2, parts[1], right)):
            line = _make_line(part, number, column)
            if line is not None:
                side.append(line)
    flush()
    return lines


def _drop_furniture(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Page numbers and running headers/footers out; pages keep their other lines in order."""
    out: list[list[Line]] = []
    for lines in pages:
        n = len(lines)
        edge = set(range(min(_EDGE_LINES, n))) | set(range(max(0, n - _EDGE_LINES), n))
        out.append([line for i, line in enumerate(lines) if not (i in edge and is_page_number(line.text))])
    if len(out) < 2:
        return out
    # Running headers/footers: the same text (digits aside) at the same height and size on many pages.
    groups: dict[str, list[Line]] = defaultdict(list)
    for lines in out:
        n = len(lines)
        for i in sorted(set(range(min(_EDGE_LINES, n))) | set(range(max(0, n - _EDGE_LINES), n))):
            groups[re.sub(r"\d+", "#", _squash(lines[i].text))].append(lines[i])
    furniture: set[int] = set()
    needed = max(2, (len(out) + 1) // 2)
    for key, lines in groups.items():
        if not key or len({line.page for line in lines}) < needed:
            continue
        height = max(heights) or 1.0
        where = statistics.median(line.baseline for line in lines)
        size = statistics.median(line.size for line in lines)
        same = [
            line
            for line in lines
            if abs(line.baseline - where) <= 0.03 * height and abs(line.size - size) <= 0.15 * size
        ]
        if len({line.page for line in same}) >= needed:
            furniture.update(id(line) for line in same)
    return [[line for line in lines if id(line) not in furniture] for lines in out]


@dataclass
class _Geometry:
    left: float
    right: float
    size: float
    page_width: float = 0.0

    def full(self, line: Line) -> bool:
        return line.x1 >= self.right - 1.5 * self.size

    def indented(self, line: Line) -> bool:
        return line.x0 >= self.left + 0.9 * self.size

    def centred(self, line: Line) -> bool:
        """Centred in the text area, or on the page (when few lines reach the margins)."""
        if line.x0 <= self.left + 1.5 * self.size or self.full(line):
            return False
        middle = (line.x0 + line.x1) / 2
        return any(
            abs(middle - centre) <= 1.2 * max(self.size, line.size)
            for centre in ((self.left + self.right) / 2, self.page_width / 2)
            if centre > 0
        )


def _geometry(lines: list[Line], page_width: float) -> _Geometry:
    """Text-area margins: the left edge most lines start at, the right edge full lines reach.

    With fewer than three full lines (a short notice) the right margin mirrors the left one.
    """
    size = statistics.median(line.size for line in lines) or 1.0
    # The left margin: the leftmost start (in bins half a size wide) shared by a tenth of the lines, so that
    # stray marks of a scan (a speck read as "，", one line each) do not pull it out.
    starts = Counter(round(line.x0 / (0.5 * size)) for line in lines)
    needed = max(1, len(lines) // 10)
    first = min(b for b, count in starts.items() if count >= needed)
    left = min(line.x0 for line in lines if round(line.x0 / (0.5 * size)) == first)
    body = sorted(line.x1 for line in lines if line.x0 <= left + 2.5 * size)
    if body:
        # The right margin is where most long lines end: the fullest bin (half a size wide) of the longer
        # half, not a percentile, which lines with hanging punctuation (，。 past the margin) would move.
        top = body[len(body) // 2 :]
        bins = Counter(round(x1 / (0.5 * size)) for x1 in top)
        fullest = max(bins, key=lambda b: (bins[b], b))
        right = max(x1 for x1 in top if round(x1 / (0.5 * size)) == fullest)
    else:
        right = max(line.x1 for line in lines)
    if sum(1 for x1 in body if x1 >= right - 1.5 * size) < 3 and page_width > left:
        right = max(right, page_width - left)
    return _Geometry(left=left, right=right, size=size, page_width=page_width)


@dataclass
class _Layout:
    """The text area of each column: a line is judged (full, indented, centred) against its own column's."""

    columns: dict[int, _Geometry]

    def of(self, line: Line) -> _Geometry:
        return self.columns.get(line.column) or self.columns[0]

    def full(self, line: Line) -> bool:
        return self.of(line).full(line)

    def indented(self, line: Line) -> bool:
        return self.of(line).indented(line)

    def centred(self, line: Line) -> bool:
        return self.of(line).centred(line)


def _layout(lines: list[Line], page_width: float) -> _Layout:
    """Margins per column; lines across both columns are judged against the whole text area."""
    left = [line for line in lines if line.column == 1]
    right = [line for line in lines if line.column == 2]
    if len(left) < 3 or len(right) < 3:
        return _Layout({0: _geometry(lines, page_width)})
    first, second = _geometry(left, 0.0), _geometry(right, 0.0)  # no page-centre rule inside a column
    whole = _Geometry(left=first.left, right=second.right, size=first.size, page_width=page_width)
    return _Layout({0: whole, 1: first, 2: second})


def _front_matter(lines: list[Line], geo: _Layout) -> tuple[dict[str, str], list[str], int]:
    """Metadata from the top of the first page; returns (meta, title lines, index of the first body line)."""
    meta: dict[str, str] = {}
    banner_agency = ""
    title: list[Line] = []
    i = 0
    first_page = lines[0].page if lines else 0
    while i < len(lines) and lines[i].page == first_page and i < 15:
        line = lines[i]
        text = line.text.strip()
        labelled = label_line(text)
        if labelled:
            key, value = labelled
            if value and key not in meta:
                meta[key] = value
            i += 1
            continue
        if not title and looks_like_doc_number(text.split()[0] if text.split() else text):
            meta.setdefault("doc_number", text.split()[0])
            i += 1
            continue
        if not title and text.endswith("文件") and len(text) <= 40 and geo.centred(line):
            banner_agency = text[:-2].strip()  # 版头 (发文机关标志)
            i += 1
            continue
        if title:
            pair = agency_and_date(text) if geo.centred(line) or not geo.full(line) else None
            if pair:
                agency, date = pair
                if agency:
                    meta.setdefault("agency", agency)
                meta.setdefault("date", date)
                i += 1
                continue
            same_size = abs(line.size - title[0].size) <= 0.1 * title[0].size
            joined = len("".join(t.text for t in title)) + len(text)
            if geo.centred(line) and same_size and len(title) < 3 and joined < TITLE_MAX_CHARS + 20:
                title.append(line)
                i += 1
                continue
            break
        if geo.centred(line) and len(text) < TITLE_MAX_CHARS and not ends_sentence(text):
            title.append(line)
            i += 1
            continue
        break
    if title:
        meta.setdefault("title", "".join(line.text.strip() for line in title))
    if banner_agency:
        meta["_banner_agency"] = banner_agency
    return meta, [meta["title"]] if title else [], i


def _paragraphs(lines: list[Line], geo: _Layout) -> list[str]:
    """Lines rejoined into paragraphs (see the module docstring, step 4)."""
    not_full = sum(1 for line in lines if not geo.full(line))
    indented = sum(1 for line in lines if geo.indented(line) and not geo.centred(line))
    uses_indent = not_full > 0 and indented >= 0.5 * not_full
    paragraphs: list[str] = []
    previous: Line | None = None
    for line in lines:
        text = line.text.strip()
        joins = (
            previous is not None
            and geo.full(previous)
            and not geo.indented(line)
            and not starts_with_label(text)
            and (uses_indent or not ends_sentence(previous.text))
        )
        if joins:
            head = paragraphs[-1]
            space = " " if head[-1:].isascii() and head[-1:].isalpha() and text[:1].isascii() else ""
            paragraphs[-1] = head + space + text
        else:
            paragraphs.append(text)
        previous = line
    return paragraphs


def assemble(pages: list[Page]) -> tuple[dict[str, str], str]:
    """Pages of positioned text -> (metadata, body text); see the module docstring."""
    grouped = [baseline_groups(page.chunks) for page in pages]
    per_page = [
        page_lines(page, n, groups=groups, columns=columns)
        for n, (page, groups, columns) in enumerate(zip(pages, grouped, shared_columns(grouped), strict=True))
    ]
    per_page = _drop_furniture(per_page, [page.height for page in pages])
    lines = [line for page in per_page for line in page if line.text]
    if not lines:
        return {}, ""
    geo = _layout(lines, statistics.median(page.width for page in pages))
    meta, title, start = _front_matter(lines, geo)
    body_lines = lines[start:]
    body = title + (_paragraphs(body_lines, geo) if body_lines else [])
    signature, body = split_signature(body)
    for key, value in signature.items():
        meta.setdefault(key, value)
    banner = meta.pop("_banner_agency", "")
    if banner:
        meta.setdefault("agency", banner)
    return meta, "\n".join(body)
