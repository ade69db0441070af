"""What a document is, read from its title: its 文种 (通知, 意见, 方案, 规划, 条例, 法律…) and, for a plan, its period.

``document_genre(title)`` is the genre (文种) the title ends with, after the bracketed tails offices add ("（试行）",
"（2024—2026年）", "（草案）"): 国务院关于印发…实施方案的通知 is a 通知 (the document issued is the wrapper's
subject), 中华人民共和国个人所得税法 a 法律, 十堰市2019年科技创新工作要点 a 要点. "" when the title ends
with no known 文种.

``plan_period(title)`` is the years a plan covers when its title says so and it names a plan (方案, 规划,
计划, 要点, 安排, 纲要, 措施, 意见): a range "（2024—2026年）" or "2021-2025年", a five-year plan "十四五"
(2021–2025), else the one year it names ("2019年工作要点" → 2019). ``period_status(period, year)`` says
whether it has ended in ``year``. Pure functions.
"""

from __future__ import annotations

import functools
import re

from kb.text.normalize import fold
from kb.text.periods import Period, period_of

__all__ = ["GENRES", "Period", "document_genre", "period_status", "plan_period"]

# (label, title endings), checked in order on the title without its bracketed tail; longer endings first
# inside one label. A label of the list is what ``genre=`` filters by.
_GENRE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("通知", ("通知",)),
    ("通报", ("通报",)),
    ("通告", ("通告",)),
    ("公告", ("公告",)),
    ("意见", ("意见",)),
    ("方案", ("方案",)),
    ("规划", ("规划纲要", "规划", "纲要")),
    ("计划", ("计划",)),
    ("要点", ("要点",)),
    ("安排", ("安排",)),
    ("措施", ("措施", "举措")),
    ("报告", ("报告",)),
    ("决议", ("决议",)),
    ("决定", ("决定",)),
    ("批复", ("批复",)),
    ("函", ("复函", "的函", "函")),
    ("答复", ("答复",)),
    ("命令", ("命令",)),
    ("细则", ("细则",)),
    ("办法", ("办法",)),
    ("条例", ("条例",)),
    ("规则", ("规则",)),
    ("规定", ("规定",)),
    ("解释", ("解释", "解答")),
    ("纪要", ("纪要",)),
    ("规范", ("规范", "标准", "守则", "章程", "指南", "目录", "清单")),
    ("法律", ("修正案", "法典")),
)
GENRES: tuple[str, ...] = tuple(label for label, _ in _GENRE_ENDINGS)
# Words ending in 法 that are not the name of a law.
_NOT_LAW = ("方法", "做法", "想法", "说法", "看法", "手法")
# Bracketed tails: （试行）（暂行）（草案）（2024—2026年）（修订）(2014-01-01), and closing quotes/marks.
_TAIL = re.compile(r"(?:\s*[(（〔\[【][^()（）〔〕\[\]【】]{0,30}[)）〕\]】]\s*|[\s》”\"'。.]+)$")

_CODE_PART = re.compile(r"法典\s*\S{0,8}(?:编|总则|附则)$")
_PLAN_WORDS = re.compile(r"方案|规划|计划|要点|安排|纲要|措施|意见")


def _strip_tail(title: str) -> str:
    text = fold(title).strip()
    while True:
        stripped = _TAIL.sub("", text)
        if stripped == text or not stripped:
            return text
        text = stripped


@functools.lru_cache(maxsize=16384)
def document_genre(title: str) -> str:
    """The genre (文种) a title ends with (one of ``GENRES``), or ""."""
    text = _strip_tail(title)
    if not text:
        return ""
    for label, endings in _GENRE_ENDINGS:
        if text.endswith(endings):
            return label
    if text.endswith("法") and not text.endswith(_NOT_LAW) and len(text) >= 3:
        return "法律"
    if _CODE_PART.search(text):
        return "法律"  # 中华人民共和国民法典 物权编
    return ""


@functools.lru_cache(maxsize=16384)
def plan_period(title: str) -> Period | None:
    """The years a plan covers, as its title states them (``kb.text.periods.period_of``); None when the title
    names no plan or no years."""
    return period_of(title) if _PLAN_WORDS.search(fold(title)) else None


def period_status(period: Period | None, year: int) -> str:
    """ "已到期" (ended before ``year``), "执行中", "未开始", or "" without a period."""
    if period is None:
        return ""
    if period.end < year:
        return "已到期"
    if period.start > year:
        return "未开始"
    return "执行中"
