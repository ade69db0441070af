"""Validity as a legal database shows it: a document's 效力级别, its 施行日期 and 有效期, and whether it is in force.

**Level and dates** (``document_validity``, at analysis): the 效力级别 (``LEVELS``) from the source's own
classification (LawRefBook's folders: 法律, 行政法规, 司法解释…), else from the issuer and the genre (``level_of``:
国务院 + 条例 → 行政法规, a 人大常委会 + 条例 → 地方性法规, a ministry's 令 → 部门规章, a 政府工作报告 → 工作文件…);
the 施行日期 and the last day in force from what the text or the source says about *this* document (``in_force``:
"本办法自2019年1月1日起施行", "现予公布，自…起施行", "自印发之日起施行" (the document's date), "有效期至…",
"有效期5年", "试行2年", a LawRefBook history line "2007年1月1日 施行"). Each value keeps the words that decided it.

**Status** (``status_on``): 现行有效, 尚未施行 (its 施行日期 is after the day asked), 已失效 (its term ended), and
what the sources say (below: 已修改, 已废止) — computed for a day the caller passes, never read from the clock here.

**What the sources say about a law** — 现行有效, 已修改, 已废止, never guessed. Three kinds of evidence, strongest
first (``law_status``):

* the document's own source states a status: a front-matter or manifest ``status`` (时效性), or a line of the
  LawRefBook preamble that is a status word (现行有效, 已废止, 已修改, 失效…) or a history line ending with
  废止/失效 ("2021年9月24日 …决定废止");
* another document of the knowledge base abolishes it: a decision "废止《北京市社会治安综合治理条例》" or a
  new law's "…《上海市房地产登记条例》同时废止" (``mark_abolitions`` marks such references
  ``relation="abolishes"`` when a document is analysed; the knowledge base matches their titles), dated on or
  after the abolished text → 已废止;
* the knowledge base holds a later version of the same title (上海市优化营商环境条例 2020-04-10 and
  2024-09-27): the earlier one → 已修改.

Without any of these the law status stays "" and the page shows the history lines (通过, 修正, 修订) as the
source gives them. Pure functions.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.model import Document, Reference, Validity
from kb.text.dates import LEADING_DATE_RE, parse_date
from kb.text.normalize import fold
from kb.text.numerals import cn_to_number

__all__ = [
    "ABOLISHES",
    "IN_FORCE",
    "LAW_GENRES",
    "LEVELS",
    "STATUSES",
    "LawStatus",
    "document_validity",
    "history_lines",
    "in_force",
    "law_status",
    "level_of",
    "mark_abolitions",
    "source_status",
    "status_on",
]

ABOLISHES = "abolishes"  # Reference.relation of a title the citing document abolishes
# Genres of documents that are in force or not as a whole (laws, regulations, rules): a later version of the same
# title makes an earlier one 已修改. Plans carry a period instead.
LAW_GENRES = frozenset({"法律", "条例", "规定", "办法", "规则", "解释", "细则", "决定", "命令"})
IN_FORCE = "现行有效"
NOT_YET = "尚未施行"
EXPIRED = "已失效"
AMENDED = "已修改"
REPEALED = "已废止"
# Every status a document may have, in the order facets and filters list them.
STATUSES = (IN_FORCE, NOT_YET, EXPIRED, AMENDED, REPEALED)
# 效力级别, from the highest; the State Council's and the courts' levels first, then local ones, then the rest.
LEVELS = (
    "法律",
    "行政法规",
    "司法解释",
    "部门规章",
    "地方性法规",
    "地方政府规章",
    "党内法规",
    "党内规范性文件",
    "规范性文件",
    "工作文件",
)
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
    "已失效": EXPIRED,
    "失效": EXPIRED,
    "尚未生效": NOT_YET,
    "未生效": NOT_YET,
    "尚未施行": NOT_YET,
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
class LawStatus:
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
            return (EXPIRED if fold(line).rstrip("。.）) ").endswith("失效") else REPEALED), line.strip()
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
) -> LawStatus:
    """The validity of one document.

    ``status`` and ``history`` are the document's own (``Document.status``, ``Document.history``), ``date`` its
    date; ``abolished_by`` the (id, title, date) of documents of the knowledge base abolishing its title;
    ``later_versions`` the (id, date) of documents with the same title.
    """
    lines = tuple(history_lines(history))
    own, words = source_status(status, lines)
    if own:
        return LawStatus(own, f"原文载明：{words}", "", lines)
    for doc_id, title, when in sorted(abolished_by, key=lambda a: a[2]):
        if not date or not when or _day(when) >= _day(date):
            stamp = f"（{when}）" if when else ""
            return LawStatus(REPEALED, f"《{title}》{stamp}废止", doc_id, lines)
    later = sorted(
        (v for v in later_versions if date and v[1] and _day(v[1]) > _day(date)), key=lambda v: v[1]
    )
    if later:
        doc_id, when = later[-1]
        return LawStatus(AMENDED, f"本库另有{when}修改后的版本", doc_id, lines)
    return LawStatus("", "", "", lines)


def amended(history: str) -> bool:
    """Whether the history records an amendment (修正/修订) after adoption."""
    return any(_AMENDED_LINE.search(fold(line)) for line in history_lines(history)[1:])


# ---------------------------------------------------------------------------------------------- 效力级别

# The source's own classification (LawRefBook's folders, a manifest's category) when it names a level.
_SOURCE_LEVELS = {level: level for level in LEVELS} | {"地方法规": "地方性法规", "党内法规制度": "党内法规"}
_RULE_GENRES = frozenset({"条例", "规定", "办法", "细则", "规则"})
_WORK_GENRES = frozenset({"报告", "要点", "计划", "安排", "批复", "函", "答复", "纪要", "通报", "决议"})
_NORM_GENRES = frozenset(
    {"通知", "意见", "方案", "规划", "措施", "决定", "公告", "通告", "命令", "规范", "解释"} | _RULE_GENRES
)
_NATIONAL_PREFIX = ("国家", "中国", "中华人民共和国", "国务院", "全国", "中央", "中共中央", "最高人民")
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,10}?(?:省|自治区|特别行政区|市|县|旗|盟|自治州|州|区)")
_PARTY = re.compile(r"^(?:中共|中国共产党)|(?:党委|省委|市委|县委|区委|旗委|纪委|党组)(?:办公厅|办公室)?$")
_COURTS = ("最高人民法院", "最高人民检察院")
_ORDER_NUMBER = re.compile(r"令|第\d+号$")  # 国务院令第706号, 国令第706号, 省政府令第12号, 公安部令第9号


def _issuers(agency: str) -> list[str]:
    return [a for a in re.split(r"[、，,\s]+", fold(agency).strip()) if a]


def _is_local(agency: str) -> bool:
    return not agency.startswith(_NATIONAL_PREFIX) and bool(_PLACE.match(agency))


def _is_state_council(agency: str) -> bool:
    return agency in ("国务院", "中华人民共和国国务院")


def _is_peoples_congress(agency: str) -> bool:
    return "人民代表大会" in agency


def level_of(
    title: str, agency: str, genre: str, doc_number: str = "", category: str = ""
) -> tuple[str, str]:
    """(效力级别, why) from the source's classification, else the issuer and the genre; ("", "") when neither says.

    ``category`` is the source's own classification ("行政法规/…", LawRefBook's folder), ``genre`` the 文种
    (``kb.extract.doctype.document_genre``). A 人大 law is 法律 (全国人大) or 地方性法规; 国务院 + 条例/规定/办法 is
    a 行政法规; a ministry's or a local government's rules issued by 令 are 部门规章 / 地方政府规章; the courts'
    解释/规定/批复 are 司法解释; party organs' rules are 党内法规 and their other documents 党内规范性文件; reports,
    work points, plans of a year, replies and letters are 工作文件; other issued documents 规范性文件.
    """
    issuers = _issuers(agency)
    first = issuers[0] if issuers else ""
    source = fold(category).split("/")[0].split("\\")[0].strip()
    if source in _SOURCE_LEVELS:
        level = _SOURCE_LEVELS[source]
        if level == "地方性法规" and issuers and all("人民政府" in a for a in issuers):
            return "地方政府规章", f"来源分类：{source}；发布机构：{first}"
        return level, f"来源分类：{source}"
    number = fold(doc_number)
    why = "；".join(
        x for x in (f"发布机构：{agency}" if agency else "", f"文种：{genre}" if genre else "") if x
    )
    if not issuers and not genre:
        return "", ""
    if genre == "法律" and (not issuers or any(_is_peoples_congress(a) for a in issuers)):
        return "法律", why or "文种：法律"
    if any(a.startswith(_COURTS) for a in issuers) and genre in ("解释", "规定", "批复", "决定"):
        return "司法解释", why
    if any(_is_peoples_congress(a) for a in issuers):
        national = any(a.startswith(("全国人民代表大会", "全国人大")) for a in issuers)
        if genre in _RULE_GENRES or genre in ("决定", "法律"):
            return ("法律" if national else "地方性法规"), why
        return "工作文件", why  # 决议 on a report, 公告 of a session
    if issuers and all(_PARTY.search(a) for a in issuers):
        return ("党内法规" if genre in _RULE_GENRES or title.endswith("准则") else "党内规范性文件"), why
    if any(_PARTY.search(a) for a in issuers) and genre not in _WORK_GENRES:
        return "党内规范性文件", why  # 中共中央 国务院关于…的意见
    if any(_is_state_council(a) for a in issuers) and genre in _RULE_GENRES:
        return "行政法规", why + (f"；文号：{doc_number}" if doc_number else "")
    if genre in _RULE_GENRES and _ORDER_NUMBER.search(number):
        if first and _is_local(first) and "人民政府" in first:
            return "地方政府规章", f"{why}；文号：{doc_number}"
        if first and not _is_local(first):
            return "部门规章", f"{why}；文号：{doc_number}"
    if genre in _WORK_GENRES or re.search(r"(?:工作报告|讲话|总结)$", fold(title)):
        return "工作文件", why
    if genre in _NORM_GENRES:
        return "规范性文件", why
    if re.search(r"〔(?:19|20)\d{2}〕\d+号", number):
        return "规范性文件", why + f"；文号：{doc_number}"
    return "", ""


# ---------------------------------------------------------------------------------------------- 施行日期, 有效期

_DATE = r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)"
_START_WORDS = r"(?:施行|实施|生效|执行|试行)"
_SELF = (
    r"本(?:法|法律|条例|规定|办法|细则|规则|决定|意见|通知|方案|措施|政策|规划|计划|解释|准则|实施意见|实施办法|"
    r"实施细则|暂行办法|暂行规定|若干规定|若干措施|若干意见|指导意见|标准|公告|通告|目录|清单|要点|批复)"
)
# A date the document starts on: "本办法自2019年1月1日起施行", "现予公布，自2019年3月1日起施行".
_FROM_DATE = re.compile(r"自\s*(" + _DATE + r")\s*(?:起|开始)?\s*" + _START_WORDS)
_FROM_ISSUE = re.compile(
    r"自(?:公布|发布|印发|颁布|下发|发文|签发|通过)(?:之日|之时|后)\s*(?:起|开始)?\s*"
    + _START_WORDS
    + r"|自即日起\s*"
    + _START_WORDS
)
_UNTIL_DATE = re.compile(
    r"(?:有效期|执行期|实施期|施行期|试行期)(?:限)?(?:为|暂定为|暂定)?\s*(?:至|到|截至|截止到|截止至|截止)\s*("
    + _DATE
    + ")"
    r"|(?:执行|实施|施行|试行)(?:期限)?\s*(?:至|到|截至)\s*(" + _DATE + r")\s*(?:止|截止)?"
)
_TERM = re.compile(
    r"(?:有效期|试行期|执行期|实施期)(?:限)?(?:为|暂定为|暂定)?\s*([0-9一二两三四五六七八九十]{1,3})\s*(年|个月)"
    r"|(?:试行|暂行)\s*([0-9一二两三四五六七八九十]{1,3})\s*(年|个月)"
)
_SENTENCE_END = re.compile(r"[。；;！!\n]")
_ANNOUNCE = re.compile(r"(?:现予|现将|予以|特此)(?:公布|发布|印发|施行)|公布施行|发布施行|修订通过")
_HISTORY_START = re.compile(r"^\s*(" + _DATE + r")\s*(?:起)?\s*(?:公布)?(?:施行|生效)")
_HISTORY_FROM = re.compile(r"自\s*(" + _DATE + r")\s*起\s*(?:施行|生效)")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence holding ``text[start:end]``: from the previous sentence end (at most 200 characters back)."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 200), start)), default=0)
    return text[max(begin, start - 200) : end]


def _about_itself(sentence: str, title: str) -> bool:
    """Whether a sentence speaks of the document itself: 本办法…, 现予公布…, or its own 《title》."""
    if re.search(_SELF, sentence) or _ANNOUNCE.search(sentence):
        return True
    own = re.sub(r"^中华人民共和国", "", fold(title).strip())
    return bool(own) and any(
        re.sub(r"^中华人民共和国", "", t) == own or own.endswith(t)
        for t in re.findall(r"《([^《》]{2,80})》", sentence)
    )


def _term_of_itself(before: str) -> bool:
    """Whether a 有效期 that follows ``before`` (its sentence up to it) is the document's own: right after 本办法…
    ("本办法有效期至…") or after the document's own 施行 ("本办法自…起施行，有效期5年"), not a licence's
    ("护士执业注册有效期为5年")."""
    return bool(
        re.search(_SELF + r"[^，,。；;]{0,4}$", before)
        or re.search(r"(?:" + _FROM_DATE.pattern + "|" + _FROM_ISSUE.pattern + r")[，,\s]*$", before)
    )


def _iso(date: str) -> str:
    value = parse_date(date)
    return value if len(value) == 10 else ""


def _add_term(start: str, count: int, unit: str) -> str:
    """The last day of a term of ``count`` years (or months) starting on ``start`` (ISO)."""
    day = _dt.date.fromisoformat(start)
    months = count * 12 if unit == "年" else count
    year, month = divmod(day.month - 1 + months, 12)
    try:
        end = day.replace(year=day.year + year, month=month + 1)
    except ValueError:  # 29 February, or the 31st in a shorter month: the next month's first day
        end = _dt.date(day.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return (end - _dt.timedelta(days=1)).isoformat()


def in_force(text: str, title: str = "", date: str = "", history: str = "") -> tuple[str, str, str, str]:
    """(施行日期, its words, last day in force, its words) as the text or the source says them of this document.

    The start: a history line "2007年1月1日 施行", else the text's "自…起施行" of this document (a sentence about
    本办法/本条例…, the 令 that announces it, or its own 《title》), else "自印发（公布）之日起施行" = ``date`` (a full
    ISO date). The end: "有效期至…", "执行至…", or a term (有效期5年, 试行2年) counted from the start (else from
    ``date``). Sentences about other things (a certificate's 有效期3年, another law's 施行) are not read.
    """
    folded = fold(text)
    start = start_words = until = until_words = ""
    for line in history_lines(history):
        m = _HISTORY_START.match(fold(line)) or _HISTORY_FROM.search(fold(line))
        if m and _iso(m.group(1)):
            start, start_words = _iso(m.group(1)), line.strip()
    term: tuple[int, str, str] | None = None
    for m in _FROM_DATE.finditer(folded):
        sentence = _sentence(folded, m.start(), m.end())
        if not start and _about_itself(sentence, title) and _iso(m.group(1)):
            start, start_words = _iso(m.group(1)), text[m.start() : m.end()]
    if not start:
        for m in _FROM_ISSUE.finditer(folded):
            sentence = _sentence(folded, m.start(), m.end())
            if _about_itself(sentence, title) and len(date) == 10:
                start, start_words = date, text[m.start() : m.end()]
                break
    for m in _UNTIL_DATE.finditer(folded):
        day = _iso(m.group(1) or m.group(2))
        if day and _term_of_itself(_sentence(folded, m.start(), m.start())):
            until, until_words = day, text[m.start() : m.end()]
            break
    if not until:
        for m in _TERM.finditer(folded):
            if _term_of_itself(_sentence(folded, m.start(), m.start())):
                number = cn_to_number(m.group(1) or m.group(3))
                if number and 0 < number <= 50:
                    term = (int(number), m.group(2) or m.group(4), text[m.start() : m.end()])
                    break
    if term is not None:
        base = start or (date if len(date) == 10 else "")
        if base:
            until, until_words = _add_term(base, term[0], term[1]), term[2]
    return start, start_words, until, until_words


def document_validity(document: Document) -> Validity:
    """The 效力级别 and the dates in force of one document (``in_force``, ``level_of``)."""
    level, level_basis = level_of(
        document.title, document.agency, document.genre, document.doc_number, document.category
    )
    start, start_words, until, until_words = in_force(
        document.text, document.title, document.date, document.history
    )
    return Validity(level, level_basis, start, start_words, until, until_words)


def status_on(validity: Validity, stated: str, today: _dt.date) -> tuple[str, str]:
    """(status on ``today``, why): what the sources say (``stated``: 已废止, 已修改, 已失效, 尚未施行 from
    ``law_status``) first, then the dates: 已失效 after the last day in force, 尚未施行 before the 施行日期, else
    现行有效. A document whose dates nobody states is 现行有效 unless a source says otherwise."""
    day = today.isoformat()
    if stated in (REPEALED, AMENDED, EXPIRED):
        return stated, ""
    if validity.in_force_until and validity.in_force_until < day:
        return EXPIRED, f"有效期至{validity.in_force_until}"
    if validity.in_force_from and validity.in_force_from > day:
        return NOT_YET, f"自{validity.in_force_from}起施行"
    if stated == NOT_YET and not validity.in_force_from:
        return NOT_YET, ""
    if validity.in_force_from:
        return IN_FORCE, f"自{validity.in_force_from}起施行"
    return IN_FORCE, "未见施行日期、有效期或废止的记载"
