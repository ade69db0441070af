"""References a document makes to other documents: titles in 《》 and 文号 (document numbers).

``find_references`` works on ``fold(doc.text)`` (length preserving), so every span indexes the original
text and ``doc.text[start:end] == reference.text``. ``resolve`` matches references against the titles
and 文号 of the knowledge base.

Decisions:
* The document's own title and own 文号 are not references (gov.cn pages repeat them in the body).
* Short names a document defines for a title it cites ("(以下简称《方案》)") are not references either:
  the full title next to the definition is.
* "(试行)" is NOT ignored when resolving titles: 《…办法(试行)》 and 《…办法》 are different documents
  (the final version replaces the trial one), so resolving one to the other would cite the wrong text.
* A cited 《关于…》 title without its issuer resolves to a KB title "{issuer}关于…" only when exactly one
  KB title ends with it (e.g. 国务院办公厅《关于县域创新驱动发展的若干意见》).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb.extract.places import innermost_clause
from kb.model import Clause, Document, Reference
from kb.text.docnumbers import normalize_doc_number
from kb.text.normalize import fold

# 《title》 without nested 《》 (inner marks are usually 〈〉); a title never spans a line.
_TITLE = re.compile(r"《([^《》\n]{1,200})》")

# 文号 on folded text: issuer code, year in 〔〕 [] () 【】 (（）/［］ are folded to ()/[]), number, 号.
_DOC_NUMBER = re.compile(
    r"([\u3400-\u9fff]{1,16})\s?[〔\[【(]\s?((?:19|20)\d{2})\s?[〕\]】)]\s?(第?)\s?(\d{1,5})\s?号"
)

# Words that end the text before an issuer code ("根据国发…", "…的通知国办发…", "市人民政府京政发…").
_BEFORE_CODE = re.compile(
    r"根据|依据|依照|按照|参照|对照|遵照|贯彻|落实|执行|转发|印发|通知|意见|批复|复函|报告|决定|规定|"
    r"办法|方案|规划|纲要|请示|政府|按|据|以|和|及|与|或|的|即|见|经|将|由|对|向|在|要|函"
)
# "(以下简称《方案》)": an alias of the title just cited, not a citation of its own.
_ALIAS = re.compile(r"简称\s?[:\"“]?\s?《([^《》\n]{1,30})》")

_MIN_CODE = 2  # shortest issuer code (国发, 中发, 法释)
_MAX_CODE = 10  # longest plausible issuer code (most are 2–6 characters)

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "〈": "<", "〉": ">"})
_DASHES = re.compile(r"[—–\-－─]+")


def normalize_title(title: str) -> str:
    """Matching key of a title: 《》 stripped, full-width folded, spaces removed, quotes/dashes unified."""
    text = fold(title).strip()
    if text.startswith("《") and text.endswith("》"):
        text = text[1:-1]
    text = re.sub(r"\s+", "", text).translate(_QUOTES)
    return _DASHES.sub("-", text)


def _issuer_start(folded: str, start: int, end: int) -> int:
    """Start of the issuer code inside the Han run folded[start:end] (drops the words before it)."""
    run = folded[start:end]
    offset = 0
    for i in range(len(run)):
        # The code starts after the last break word that leaves at least _MIN_CODE characters.
        m = _BEFORE_CODE.match(run, i)
        if m and m.end() <= len(run) - _MIN_CODE:
            offset = max(offset, m.end())
    offset = max(offset, len(run) - _MAX_CODE)
    return start + offset


def _iter_refs(text: str) -> Iterator[tuple[str, int, int]]:
    folded = fold(text)
    for m in _TITLE.finditer(folded):
        yield "title", m.start(), m.end()
    for m in _DOC_NUMBER.finditer(folded):
        yield "doc_number", _issuer_start(folded, m.start(1), m.end(1)), m.end()


def find_references(doc: Document, outline: list[Clause]) -> list[Reference]:
    """Titles in 《》 and 文号 cited by ``doc``, in text order, with the innermost clause holding each."""
    own_title = normalize_title(doc.title) if doc.title else None
    own_number = normalize_doc_number(doc.doc_number) if doc.doc_number else None
    folded = fold(doc.text)
    aliases = {normalize_title(m.group(1)) for m in _ALIAS.finditer(folded)}
    refs: list[Reference] = []
    for form, start, end in sorted(_iter_refs(doc.text), key=lambda r: (r[1], r[2])):
        written = doc.text[start:end]
        if form == "title":
            key = normalize_title(written)
            if not key or key == own_title or key in aliases:
                continue
        elif normalize_doc_number(written) == own_number:
            continue
        holder = innermost_clause(outline, (start, end))
        refs.append(
            Reference(
                doc_id=doc.id,
                text=written,
                form=form,
                span=(start, end),
                clause_id=holder.id if holder is not None else "",
            )
        )
    return refs


def resolve(refs: list[Reference], titles: dict[str, str], doc_numbers: dict[str, str]) -> None:
    """Fill ``resolved_id`` of each reference from the KB's ``titles`` / ``doc_numbers`` (→ document id).

    Titles match on ``normalize_title``; a bare 《关于…》 also matches the one KB title ending with it.
    文号 match on ``normalize_doc_number``. A reference never resolves to its own document; unmatched
    references keep ``resolved_id == ""``.
    """
    by_title: dict[str, str] = {}
    for title, doc_id in titles.items():
        by_title.setdefault(normalize_title(title), doc_id)
    by_number: dict[str, str] = {}
    for number, doc_id in doc_numbers.items():
        by_number.setdefault(normalize_doc_number(number), doc_id)
    for ref in refs:
        found = ""
        if ref.form == "doc_number":
            found = by_number.get(normalize_doc_number(ref.text), "")
        else:
            key = normalize_title(ref.text)
            found = by_title.get(key, "")
            if not found and key.startswith("关于") and len(key) > 4:
                tails = {doc_id for title, doc_id in by_title.items() if title.endswith(key)}
                if len(tails) == 1:
                    found = tails.pop()
        if found and found != ref.doc_id:
            ref.resolved_id = found
