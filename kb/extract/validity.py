"""Whether a law is in force, as the sources say it: 现行有效, 已修改, 已废止 — never guessed.

Three kinds of evidence, strongest first (``law_status``):

* the document's own source states a status: a front-matter or manifest ``status`` (时效性), or a line of the
  LawRefBook preamble that is a status word (现行有效, 已废止, 已修改, 失效…) or a history line ending with
  废止/失效 ("2021年9月24日 …决定废止");
* another document of the knowledge base abolishes it: a decision "废止《北京市社会治安综合治理条例》" or a
  new law's "…《上海市房地产登记条例》同时废止" (``mark_abolitions`` marks such references
  ``relation="abolishes"`` when a document is analysed; the knowledge base matches their titles), dated on or
  after the abolished text → 已废止;
* the knowledge base holds a later version of the same title (上海市优化营商环境条例 2020-04-10 and
  2024-09-27): the earlier one → 已修改.

Without any of these the status stays "" and the page shows the history lines (通过, 修正, 修订) as the source
gives them. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.model import Reference
from kb.text.dates import LEADING_DATE_RE
from kb.text.normalize import fold

__all__ = [
    "ABOLISHES",
    "STATUSES",
    "Validity",
    "history_lines",
    "law_status",
    "mark_abolitions",
    "source_status",
]

ABOLISHES = "abolishes"  # Reference.relation of a title the citing document abolishes
STATUSES = ("现行有效", "已修改", "已废止", "尚未生效")
# Status words as sources write them → our status.
_STATUS_WORDS: dict[str, str] = {
    "现行有效": "现行有效",
    "有效": "现行有效",
    "已修改": "已修改",
    "已被修改": "已修改",
    "已修正": "已修改",
    "部分失效": "已修改",
    "已废止": "已废止",
    "废止": "已废止",
    "已失效": "已废止",
    "失效": "已废止",
    "尚未生效": "尚未生效",
    "未生效": "尚未生效",
}
_STATUS_LINE = re.compile(
    r"^[\s【\[（(]*(?:时效性|效力状态|状态)?[:：\s]*([\u4e00-\u9fff]{2,4})[\s】\]）)]*$"
)
_ABOLISHED_LINE = re.compile(r"(?:废止|失效)[。.）)]?\s*$")
_AMENDED_LINE = re.compile(r"(?:修正|修订|修改)[。.）)]?\s*$")

# "废止《…》" (a decision abolishing) right before a title; "《…》（…）同时废止" right after one (a new law
# replacing it), possibly after more titles joined by 、/和/及.
_BEFORE = re.compile(r"(?:决定|予以|同时|一并)?废止\s*$")
_PAREN = r"(?:\s*[（(][^（）()\n]{0,160}[)）])?"
_AFTER = re.compile(
    _PAREN + r"(?:\s*(?:、|，|和|及|以及)\s*(?:[^《》\n]{0,80}?)《[^《》\n]{1,100}》" + _PAREN + r")*"
    r"\s*(?:同时|即行|一并|予以|相应)?(?:废止|停止执行)"
)


@dataclass(frozen=True)
class Validity:
    """What the sources say about a law: ``status`` (one of ``STATUSES`` or ""), why, and its history."""

    status: str = ""
    reason: str = ""  # e.g. "《北京市人民代表大会常务委员会关于废止部分地方性法规的决定》（2021-09-24）废止"
    by: str = ""  # id of the document that says so ("" when it is the document's own source)
    history: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "reason": self.reason, "by": self.by, "history": list(self.history)}


def history_lines(history: str) -> list[str]:
    """The non-empty lines of a document's history (``Document.history``)."""
    return [line.strip() for line in (history or "").splitlines() if line.strip()]


def source_status(status: str, lines: Iterable[str]) -> tuple[str, str]:
    """(status, the words that say so) from the document's own source: its stated status, a status line, or a
    history line ending with 废止/失效; ("", "") when the source says nothing."""
    stated = _STATUS_WORDS.get(fold(status or "").strip().strip("【】[]（）()"), "")
    if stated:
        return stated, status.strip()
    for line in lines:
        m = _STATUS_LINE.match(fold(line))
        if m and not LEADING_DATE_RE.match(line) and m.group(1) in _STATUS_WORDS:
            return _STATUS_WORDS[m.group(1)], line.strip()
        if LEADING_DATE_RE.match(line) and _ABOLISHED_LINE.search(fold(line)):
            return "已废止", line.strip()
    return "", ""


def mark_abolitions(text: str, references: list[Reference]) -> None:
    """Set ``relation = ABOLISHES`` on the title references the text abolishes ("废止《…》", "《…》同时废止")."""
    folded = fold(text)
    for ref in references:
        if ref.form != "title":
            continue
        start, end = ref.span
        line_start = folded.rfind("\n", 0, start) + 1
        if _BEFORE.search(folded, line_start, start) or _AFTER.match(folded, end):
            ref.relation = ABOLISHES


def _day(date: str) -> str:
    """An ISO date padded for comparisons ("2019" sorts before "2019-07-08")."""
    return date or ""


def law_status(
    status: str,
    history: str,
    date: str,
    abolished_by: Iterable[tuple[str, str, str]] = (),
    later_versions: Iterable[tuple[str, str]] = (),
) -> Validity:
    """The validity of one document.

    ``status`` and ``history`` are the document's own (``Document.status``, ``Document.history``), ``date`` its
    date; ``abolished_by`` the (id, title, date) of documents of the knowledge base abolishing its title;
    ``later_versions`` the (id, date) of documents with the same title.
    """
    lines = tuple(history_lines(history))
    own, words = source_status(status, lines)
    if own:
        return Validity(own, f"原文载明：{words}", "", lines)
    for doc_id, title, when in sorted(abolished_by, key=lambda a: a[2]):
        if not date or not when or _day(when) >= _day(date):
            stamp = f"（{when}）" if when else ""
            return Validity("已废止", f"《{title}》{stamp}废止", doc_id, lines)
    later = sorted(
        (v for v in later_versions if date and v[1] and _day(v[1]) > _day(date)), key=lambda v: v[1]
    )
    if later:
        doc_id, when = later[-1]
        return Validity("已修改", f"本库另有{when}修改后的版本", doc_id, lines)
    return Validity("", "", "", lines)


def amended(history: str) -> bool:
    """Whether the history records an amendment (修正/修订) after adoption."""
    return any(_AMENDED_LINE.search(fold(line)) for line in history_lines(history)[1:])
