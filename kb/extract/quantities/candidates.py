"""A candidate quantity (one ``number [range] unit`` of the text) and the per-text index its rules read:
sentences, clause fragments, paragraphs, review sections, whether the text is a statute.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.extract.quantities.lexicon import (
    ARTICLE_LINE_RE,
    FRAGMENT_BOUNDARY,
    HEADING_RE,
    PLAN_HEAD_RE,
    PLAN_LEAD_RE,
    REVIEW_HEAD_RE,
    REVIEW_PARA_RE,
    SENTENCE_END,
)


def _review_ranges(folded: str) -> list[tuple[int, int]]:
    """Review sections and review paragraphs, as sorted (start, end) ranges."""
    ranges: list[tuple[int, int]] = []
    heads = list(HEADING_RE.finditer(folded))
    for i, h in enumerate(heads):
        title = h.group()
        if REVIEW_HEAD_RE.search(title) and not PLAN_HEAD_RE.search(title):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(folded)
            ranges.append((h.start(), end))
    for p in REVIEW_PARA_RE.finditer(folded):
        end = folded.find("\n", p.end())
        ranges.append((p.start(), len(folded) if end < 0 else end))
    return _merge(ranges)


def _merge(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _in_ranges(ranges: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]


def inside_title(folded: str, sent_start: int, start: int, end: int) -> bool:
    """Inside 《…》, or inside a short “…” (a nickname such as “稳增长20条”)."""
    head = folded[sent_start:start]
    if head.rfind("《") > head.rfind("》"):
        return True
    open_at = head.rfind("“")
    if open_at > head.rfind("”"):
        close_at = folded.find("”", end, end + 12)
        return close_at >= 0 and (close_at - (sent_start + open_at)) <= 14
    return False


class TextIndex:
    """Per-text offsets, computed once on the first candidate number."""

    def __init__(
        self, folded: str, reviews: Sequence[tuple[int, int, bool]] = (), year: int | None = None
    ) -> None:
        self.ends = [m.start() for m in SENTENCE_END.finditer(folded)]
        self.boundaries = [m.start() for m in FRAGMENT_BOUNDARY.finditer(folded)]
        self.newlines = [m.start() for m in re.finditer("\n", folded)]
        self.statute = len(ARTICLE_LINE_RE.findall(folded, 0, 200_000)) >= 3
        self.review = _merge([*_review_ranges(folded), *((s, e) for s, e, _ in reviews)])
        self.background = _merge([(s, e) for s, e, background in reviews if background])
        self.background_starts = [s for s, _ in self.background]
        self.year = year  # the document's year: a period or year that ended before it is the past
        self.review_starts = [s for s, _ in self.review]
        self.length = len(folded)
        self.folded = folded

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.ends, pos)
        start = self.ends[i - 1] + 1 if i > 0 else 0
        end = self.ends[i] + 1 if i < len(self.ends) else self.length
        return start, end

    def fragment_start(self, pos: int) -> int:
        j = bisect.bisect_left(self.boundaries, pos)
        return self.boundaries[j - 1] + 1 if j > 0 else 0

    def paragraph_start(self, pos: int) -> int:
        k = bisect.bisect_left(self.newlines, pos)
        return self.newlines[k - 1] + 1 if k > 0 else 0

    def plan_paragraph(self, pos: int) -> bool:
        """The paragraph holding ``pos`` opens with the lead of a plan ("主要预期目标是：")."""
        return PLAN_LEAD_RE.match(self.folded, self.paragraph_start(pos), pos) is not None

    def in_review(self, pos: int) -> bool:
        return _in_ranges(self.review, self.review_starts, pos)

    def in_background(self, pos: int) -> bool:
        """In a background part (发展基础, 现状): it states the document's own year."""
        return _in_ranges(self.background, self.background_starts, pos)

    def review_title(self, pos: int) -> str:
        """The first line of the review range holding ``pos`` ("一、2018年工作回顾"), "" outside one."""
        i = bisect.bisect_right(self.review_starts, pos) - 1
        if i < 0 or not self.review[i][0] <= pos < self.review[i][1]:
            return ""
        start = self.review[i][0]
        end = self.folded.find("\n", start)
        return self.folded[start : end if end >= 0 else start + 60]


# ---------------------------------------------------------------------------------------------------
# Candidates and the named rules that judge them


@dataclass
class Candidate:
    """One ``number [range] unit`` found in the text, with its sentence and clause fragment."""

    folded: str
    index: TextIndex
    num_start: int
    unit_end: int
    n1: str
    n2: str | None
    unit: str
    u1: str | None
    kind: str = "measure"  # the unit's kind: count | measure | percent | duration
    value: float = 0.0
    value_max: float | None = None
    scale: str = ""
    pos: int = 0  # after the number, the unit and any 以上/左右
    after_quals: tuple[str, ...] = ()
    sent_start: int = 0
    sent_end: int = 0
    frag_start: int = 0
    cell_at: int = -1  # a flattened table row: where its "（unit）" starts (-1: an ordinary mention)

    @property
    def before(self) -> str:
        """The clause fragment before the number (back to the previous comma, colon or target)."""
        return self.folded[self.frag_start : self.num_start]

    @property
    def sentence(self) -> str:
        return self.folded[self.sent_start : self.sent_end]

    @property
    def follower(self) -> str:
        return self.folded[self.unit_end : self.unit_end + 1]
