"""Kinds of line: a page number, a line starting with an outline label, a sentence end, a labelled
metadata line ("发布机构：…")."""

from __future__ import annotations

import re

from kb.readers.text import label_key
from kb.text.normalize import fold

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


_LABEL_LINE_RE = re.compile(r"^\s*([^\s：:]{1,4}(?:[\s\u3000]*[^\s：:]){0,4})\s*[：:]\s*(.*?)\s*$")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


def is_page_number(text: str) -> bool:
    """A page number line: "— 3 —", "- 3 -", "3", "第3页 共6页", "3/6", "Page 3 of 6"."""
    return bool(_PAGE_NUMBER_RE.match(squash(text)))


def starts_with_label(text: str) -> bool:
    """The line starts with an outline label (一、 （一） 1. （1） ① 第X条 附件; dashes are not counted)."""
    return bool(_LABEL_START_RE.match(fold(text.lstrip(" \t\u3000"))))


def ends_sentence(text: str) -> bool:
    text = text.rstrip().rstrip(_CLOSERS)
    return bool(text) and text[-1] in _SENTENCE_END


def label_line(text: str) -> tuple[str, str] | None:
    """A labelled metadata line ("发布机构：十堰市科学技术局", "文号：") -> (meta key, value), else None."""
    m = _LABEL_LINE_RE.match(text)
    if not m:
        return None
    key = label_key(m.group(1))
    return (key, m.group(2)) if key else None
