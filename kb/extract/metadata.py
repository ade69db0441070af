"""Metadata the body states when the file's header does not: title line, 文号, 发文机关, 落款 date.

Readers give what a file's header or properties say; a file without them (a crawl that kept only the body, a
database field) still carries them in its text as a 公文 does (GB/T 9704): the title on its own first line, the
发文字号 near the top, the issuing agency at the head of the title ("江西省人民政府办公厅关于…") or in the 落款, and
the 成文日期 at the end of the body. ``from_body`` reads them; it never overrides what the header states, except
to complete a year-only date with the 落款's full date of the same year. Pure functions.
"""

from __future__ import annotations

import re

from kb.readers.text import looks_like_title
from kb.text.dates import FULL_DATE_RE, parse_date
from kb.text.docnumbers import DOC_NUMBER_RE
from kb.text.normalize import fold

HEAD_CHARS = 600  # the 版头 and title are looked for in this many first characters
TAIL_CHARS = 400  # the 落款 in this many last characters
MAX_ADDRESSEES = 100  # a 主送机关 line ("各市、县（区）人民政府，省政府各部门：") is at most this long

_AGENCY_END = (
    r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|政府|厅|局|部|委|院|署|会|中心|办)"
)
_TITLE_AGENCY_RE = re.compile(rf"^(.{{2,40}}?{_AGENCY_END})(?:关于|印发|转发)")
_GENRE_RE = re.compile(
    r"(?:通知|意见|方案|办法|规定|决定|措施|举措|政策|细则|规划|计划|要点|报告|批复|函|公告|通报|纲要|条例|规则|指引|指南|清单)(?:[（(][^）)]{1,16}[）)])?$"
)


def agency_of_title(title: str) -> str:
    """The issuing agency at the head of a title: 江西省人民政府办公厅关于… → 江西省人民政府办公厅; else ""."""
    m = _TITLE_AGENCY_RE.match(title.strip())
    return m.group(1) if m else ""


def doc_number_in(text: str, title: str = "") -> str:
    """The first 发文字号 near the top (国发〔2011〕12号, spaces removed, brackets as 〔〕), else "".

    In a text without line breaks the title runs into the number ("…若干意见国发〔2011〕12号"): the title is cut
    off first, so only the 发文机关代字 is read.
    """
    head = fold(text[:HEAD_CHARS])
    if title:
        head = head.replace(fold(title), "\n")
    for m in DOC_NUMBER_RE.finditer(head):
        before = head[max(0, m.start() - 1) : m.start()]
        if before in ("《", "（", "("):
            continue  # a cited document's number: 《…》（国办发〔2019〕29号）
        return f"{m.group('issuer')}〔{m.group('year')}〕{m.group('number')}号"
    return ""


def signature_date(text: str) -> str:
    """The 成文日期 of the 落款: the last full date in the end of the body standing on its own (not "自2019年1月1日
    起施行", an effective date inside a sentence), else the first line of the text that is only a full date (a
    notice signed before its attachment), as ISO; else ""."""
    tail = fold(text[-TAIL_CHARS:])
    for m in reversed(list(FULL_DATE_RE.finditer(tail))):
        before = tail[max(0, m.start() - 1) : m.start()]
        after = tail[m.end() : m.end() + 1]
        if before in ("自", "于", "从", "至", "到", "在") or (
            after and not after.isspace() and after not in "()（）"
        ):
            continue
        date = parse_date(m.group(0))
        if len(date) == 10:
            return date
    # a notice whose 落款 comes before its attachment ("2020年2月9日" then "（此件主动公开）" and the 附件)
    m = _DATE_LINE_RE.search(fold(text))
    if m:
        date = parse_date(m.group(0).strip().strip("()（）"))
        if len(date) == 10:
            return date
    return ""


def title_line(text: str) -> str:
    """The body's first line when it is a title (short, no sentence punctuation, a document genre at its end);
    or, when the body opens with the sentence of a 印发 notice whose own title is missing ("《X》已经省政府同意，
    现印发给你们"), the title of the document it issues, X."""
    lines = [line.strip() for line in text.split("\n")[:4]]
    for k, line in enumerate(lines):
        if not line:
            continue
        if looks_like_title(line) and _GENRE_RE.search(line):
            return line
        m = _ISSUES_RE.match(line)
        if m:
            return m.group(1) if _GENRE_RE.search(m.group(1)) else ""
        if k < 3 and (len(line) <= 2 or (len(line) <= MAX_ADDRESSEES and fold(line).endswith(":"))):
            continue  # the 主送机关 line, or a fragment of it, before the notice's sentence
        return ""
    return ""


# The opening sentence of a 印发 notice: the issued document's title, then 印发 within the sentence.
_ISSUES_RE = re.compile(r"《([^《》\n]{4,80})》[^。\n]{0,30}?(?:现|特)?(?:印发|转发)给")
# A line that is only a full date: the 成文日期 of a 落款 (GB/T 9704 sets it on its own line).
_DATE_LINE_RE = re.compile(rf"^[ \t]*[(（]?(?:{FULL_DATE_RE.pattern})[)）]?[ \t]*$", re.MULTILINE)


def from_body(text: str, meta: dict[str, str]) -> dict[str, str]:
    """Metadata completed from the body (see the module docstring); ``meta`` itself is not changed."""
    out = dict(meta)
    if not out.get("title"):
        title = title_line(text)
        if title:
            out["title"] = title
    if not out.get("doc_number"):
        number = doc_number_in(text, out.get("title", ""))
        if number:
            out["doc_number"] = number
    if not out.get("agency"):
        agency = agency_of_title(out.get("title", ""))
        if agency:
            out["agency"] = agency
    date = out.get("date", "")
    if not date or len(date) == 4:
        signed = signature_date(text)
        if signed and (not date or signed.startswith(date)):
            out["date"] = signed
    return out


# -- titles derived for files that state none ---------------------------------------------------------------

DERIVED_MAX = 40  # a derived title is at most this long (a sentence is cut at a comma, else here with "…")
# A reply: "你市《关于恳请批复鹰潭港总体规划的请示》…收悉" → 关于鹰潭港总体规划的批复.
_REQUEST_RE = re.compile(
    r"《关于(?:恳请|请求|申请)?(?:批复|审批|批准)?([^《》]{2,40}?)的(?:请示|报告|函)》[^。]{0,40}收悉"
)
# "现就X有关事项通知如下", "现将X情况通告如下", "现提出以下实施意见"
_ANNOUNCES_RE = re.compile(
    r"现(?:就|将|对)?([^，,。；;：:]{0,40}?)(?:的|有关事项|有关工作|工作|情况|事项)?"
    r"(通知|通告|公告|提出|批复)(?:如下|以下)(意见|实施意见|措施|若干措施)?"
)
_ISSUES_GIVEN_RE = re.compile(r"现将(《[^《》]{2,60}》)印发给你们")
_FILLER_RE = re.compile(r"^(?:具体|有关|相关|下列|以下|如下|具体有关)?$")
# the purpose of the sentence: "为做好X工作，…" / "为进一步X，…"
_PURPOSE_RE = re.compile(r"为(?:了)?(?:进一步|深入|切实|全面)?([^，,。；;]{4,30})[，,]")
_NOT_TITLE_LINE = re.compile(
    r"^(?:第\d+号|.{0,20}令(?:第?\S{1,6}号)?|\d{4}年\d{1,2}月\d{1,2}日.*|.{2,20}(?:局|厅|委员会|政府|办公室|中心)|[(（].*[)）])$"
)
_GENRE_OF = {"通知": "通知", "通告": "通告", "公告": "公告", "批复": "批复", "提出": "意见"}
_LABEL_LINE_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十百\d]+[章节条])\s*"
)
_HEADING_STOP = re.compile(r"[。！？；;，,：:]")


def derived_title(text: str) -> str:
    """A title for a text that states none (never a file name): the subject a reply or an announcing sentence
    names ("关于鹰潭港总体规划的批复"), else the first heading (a labelled line, or a short line without closing
    punctuation), else the first sentence's subject (up to its first comma); "" for an empty text. The caller
    marks it as derived (``Document.title_derived``)."""
    head = fold(text[:3000])
    m = _REQUEST_RE.search(head)
    if m:
        return f"关于{m.group(1)}的批复"
    m = _ISSUES_GIVEN_RE.search(head)
    if m:
        return f"关于印发{m.group(1)}的通知"
    m = _ANNOUNCES_RE.search(head)
    if m:
        subject = m.group(1).strip()
        if _FILLER_RE.match(subject):
            start = max(head.rfind("。", 0, m.start()), head.rfind("\n", 0, m.start())) + 1
            purposes = _PURPOSE_RE.findall(head, start, m.start())
            subject = purposes[-1] if purposes else ""
        if subject:
            return f"关于{subject}的{m.group(3) or _GENRE_OF[m.group(2)]}"
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    body = [line for line in lines[:12] if not (len(line) <= MAX_ADDRESSEES and fold(line).endswith(":"))]
    body = [line for line in body if not _NOT_TITLE_LINE.match(fold(line))]
    for line in body[:6]:
        label = _LABEL_LINE_RE.match(line)
        rest = line[label.end() :] if label else line
        stop = _HEADING_STOP.search(rest)
        heading = rest[: stop.start()] if stop else rest
        if label and 2 <= len(heading) <= DERIVED_MAX:
            return heading
        if not label and not stop and 4 <= len(line) <= DERIVED_MAX and not line.isdigit():
            return line
    if not body:
        return ""
    sentence = re.split(r"[。！？；;]", body[0], maxsplit=1)[0]
    subject = re.split(r"[，,：:]", sentence, maxsplit=1)[0]
    subject = re.sub(r"^为(?:了)?(?:进一步|深入|切实|全面|认真)?", "", subject)  # the purpose's object
    if 6 <= len(subject) <= DERIVED_MAX:
        return subject
    return sentence[:DERIVED_MAX] + ("…" if len(sentence) > DERIVED_MAX else "")
