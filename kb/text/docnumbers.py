"""发文字号 (文号), defined once: 国发〔2019〕4号, 鄂政办发[2018]12号, 国办发明电〔2018〕15号, 中华人民共和国国务院令第472号.

The pattern is written for ``kb.text.normalize.fold``-ed text (full-width brackets and digits folded: （）［］ are
() []); its groups are ``issuer`` (the 发文机关代字, possibly with words before it that a caller trims), ``year`` and
``number``. ``normalize_doc_number`` is the matching key (brackets as 〔〕, no 第, no leading zeros, no spaces);
``is_doc_number`` says whether a whole line is one. Pure functions.
"""

from __future__ import annotations

import re

from kb.text.normalize import fold

__all__ = ["DOC_NUMBER_RE", "ORDER_NUMBER_RE", "is_doc_number", "normalize_doc_number"]

# issuer code, year in 〔〕 [] () 【】, an optional 第, the number, 号
DOC_NUMBER_RE = re.compile(
    r"(?P<issuer>[\u3400-\u9fff]{1,16})\s*[〔\[【(]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]】)]\s*第?\s*(?P<number>\d{1,5})\s*号"
)
# an order: 中华人民共和国国务院令第472号, 国家安全部令第2号
ORDER_NUMBER_RE = re.compile(
    r"(?P<issuer>(?:中华人民共和国)?[\u4e00-\u9fff]{1,12}令)第(?P<number>[0-9一二三四五六七八九十百零〇]+)号"
)
_LINE_RE = re.compile(
    r"\S{1,30}[〔\[【(]\s*\d{4}\s*[〕\]】)]\s*\S{0,4}\d+\s*号|\S{0,30}令第\S{1,8}号|第\S{1,8}号"
)
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "【": "〔", "】": "〕"})


def normalize_doc_number(number: str) -> str:
    """Matching key of a 文号: brackets unified to 〔〕, 第 and leading zeros dropped, no spaces."""
    text = re.sub(r"\s+", "", fold(number)).translate(_BRACKETS)
    match = re.fullmatch(r"(.*?)〔(\d{4})〕第?0*(\d+)号?", text)
    if not match:
        return text
    return f"{match.group(1)}〔{match.group(2)}〕{match.group(3)}号"


def is_doc_number(line: str) -> bool:
    """A line that is only a 文号 (or an order number "第232号")."""
    return _LINE_RE.fullmatch(fold(line.strip())) is not None
