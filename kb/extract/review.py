"""What most needs a human eye (pure): a title the reader could not find, a quantity whose kind is doubtful.

The workspace's review queue (``web.workspace.review``) lists these with weak links, measures without a
category and unexplained 冲突, ordered by how many pages each reaches. The signals here are deliberately simple
and are named in each reason, so an editor sees why an item is queued.

* **title** (``title_doubt``): empty; a program's default title ("Word Document", "Microsoft Word - …",
  "无标题", "新建 Microsoft Word 文档"); the file's name (the reader found no title); a title the extractor
  marked as derived from no title line (``Document.title_derived`` True or naming the file, when the model has
  it); no Chinese character.
* **kind** (``kind_doubt``): a target whose sentence also speaks of the past (比上年, 同比, 截至, …了) or whose
  deadline is before the document's year; a result whose sentence also speaks of a plan (力争, 目标, 到2025年…),
  that reports a year after the document's, or no year at all.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from kb.model import TARGET, Document, Quantity
from kb.text.normalize import fold

DEFAULT_TITLE = re.compile(
    r"^(?:microsoft\s*(?:word|office\s*word)(?:\s*-.*)?|word\s*document|document\s*\d*|untitled\s*\d*|"
    r"无标题(?:文档)?\s*\d*|未命名(?:文档)?\s*\d*|新建\s*(?:microsoft\s*word\s*)?文档\s*\d*|文档\s*\d*|"
    r"wps\s*文字.*|pdf|temp|title)$",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# ``Document.title_derived`` values (when the model has it) that say the title is not the document's own.
_DERIVED_FROM_NAME = frozenset(
    {"file", "filename", "file_name", "stem", "source", "default", "guess", "guessed"}
)
_PAST = re.compile(
    r"比上年|较上年|比去年|同比|去年|过去一年|过去五年|截至|截止|已经|完成了|实现了|达到了|增长了"
)
_PLAN = re.compile(r"力争|争取|确保|预期|目标|计划|(?<!年)到\d{4}年|\d{4}年(?:底前|前)")


def title_doubt(document: Document) -> str:
    """Why a document's title needs a look ("" when it looks like a title)."""
    title = document.title.strip()
    if not title:
        return "没有标题"
    if DEFAULT_TITLE.match(fold(title).strip()):
        return f"标题是软件的默认标题（“{title}”）"
    if document.source and title == PurePath(document.source).stem:
        return "文件没有标题，取了文件名"
    derived: Any = getattr(document, "title_derived", None)
    if derived is True or (isinstance(derived, str) and derived.strip().lower() in _DERIVED_FROM_NAME):
        return "标题由程序推断（文件中没有标题行）"
    if not _CJK.search(title):
        return "标题中没有汉字"
    return ""


def kind_doubt(quantity: Quantity, document: Document | None) -> str:
    """Why a quantity's kind (target or result) needs a look ("" when nothing contradicts it)."""
    sentence = fold(quantity.text)
    year = int(document.year) if document is not None and document.year.isdigit() else None
    reasons = []
    if quantity.kind == TARGET:
        past = _PAST.search(sentence)
        if past:
            reasons.append(f"目标所在的句子也在说已完成的事（“{past.group()}”）")
        if quantity.deadline is not None and year is not None and quantity.deadline < year:
            reasons.append(f"期限 {quantity.deadline} 年早于文件的年份")
    else:
        plan = _PLAN.search(sentence)
        if plan:
            reasons.append(f"实绩所在的句子也在说计划（“{plan.group()}”）")
        if quantity.year is None:
            reasons.append("没有识别出实绩所报告的年份")
        elif year is not None and quantity.year > year:
            reasons.append(f"所报告的年份 {quantity.year} 晚于文件的年份")
    return "；".join(reasons)
