"""Policy instruments built of articles (实施细则, 管理办法, 暂行办法, 若干规定) and what makes a statute.

An instrument is a government's or a department's 规范性文件 or 规章 whose title names a 细则, 办法 or 规定; its
articles (第X条) that **grant support** (给予…奖励/补助/补贴/资助/贴息/支持, 奖金, 设立…专项资金, 经费纳入预算)
or **promote** (宣传) are measures, at the article's place; the 总则 and 附则 articles (purpose, scope,
definitions, who interprets, effective date), eligibility, application and review procedures (by an article's
lead; who is in charge, principles), and the chapters of legal liability (法律责任, 罚则) and closing provisions (附则) are not.

A **statute** keeps the rule for laws: its articles are provisions, never measures. A document is a statute
when its 文种 is a 法 or 条例, when its source files it as 法律/行政法规/地方性法规/司法解释 (``Document.category``,
e.g. LawRefBook's "地方性法规/上海"), when a legislature issues it (…人民代表大会常务委员会), or when the State
Council approved or promulgated it (a 行政法规: "国务院批准", "国务院令"). Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb.extract.places import clause_path
from kb.model import Clause, Document

_TAIL = r"(?:[（(][^）)]{1,8}[）)])?$"
_RE_INSTRUMENT_TITLE = re.compile(r"(?:细则|办法|规定)" + _TAIL)
# Rules of procedure and charters are never lists of measures (国务院工作规则, 议事规则, 章程).
_RE_PROCEDURE_RULES = re.compile(r"(?:规则|章程|守则)" + _TAIL)
_RE_STATUTE_CATEGORY = re.compile(r"^(?:宪法|法律|行政法规|地方性法规|自治条例|单行条例|司法解释|监察法规)")
_RE_LEGISLATURE = re.compile(r"人民代表大会|人大常委会")
_RE_STATE_COUNCIL = re.compile(r"国务院(?:批准|令|常务会议通过)")
_STATUTE_GENRES = frozenset({"法律", "条例"})

_RE_SUPPORT = re.compile(
    r"给予[^。；;]{0,20}(?:奖励|支持|扶持|优惠|补助|补贴|资助|贴息|奖补)|奖金|发放[^。；;]{0,10}(?:奖励|补助|补贴)|"
    r"(?:设立|安排)[^。；;]{0,10}(?:专项|扶持|引导|奖励)资金|纳入[^。；;]{0,12}预算|宣传"
)
# Articles that state no measure, by their lead: purpose, scope, definitions, the effective date, who interprets,
# applications and reviews, sanctions.
_RE_PROVISION_LEAD = re.compile(
    r"^(?:为了|为规范|为加强|为进一步|为鼓励|为促进|根据)|本(?:办法|细则|规定)所称|适用于|负责解释|施行|"
    r"申请|申报|受理|审核|审查|评审|公示|处分|追究|罚款|不予|下列条件|下列规则|应当具备|之日起|符合本|"
    r"负责|领导|主管|原则"
)
_RE_PROVISION_CHAPTER = re.compile(r"附\s*则|法律责任|罚\s*则")


def is_instrument_title(title: str) -> bool:
    """A title naming a 细则, 办法 or 规定 (maybe with a bracketed tail such as （试行））."""
    return bool(_RE_INSTRUMENT_TITLE.search(title.strip().strip("《》")))


def is_procedure_rules(title: str) -> bool:
    """A title naming rules of procedure or a charter (工作规则, 议事规则, 章程): its items are never measures."""
    return bool(_RE_PROCEDURE_RULES.search(title.strip().strip("《》")))


def is_statute(doc: Document) -> bool:
    """A law, 条例, 行政法规 or 地方性法规 (see the module docstring), not a government's instrument."""
    if doc.genre in _STATUTE_GENRES or _RE_STATUTE_CATEGORY.match(doc.category or ""):
        return True
    if _RE_LEGISLATURE.search(doc.agency or ""):
        return True
    return _RE_STATE_COUNCIL.search((doc.history or "") + doc.text[:400]) is not None


def support_articles(roots: list[Clause], text: str) -> Iterator[tuple[Clause, list[str], list[int]]]:
    """The articles of an instrument that grant support or promote, each with its place and ordinals."""

    def visit(
        clause: Clause, ancestors: list[Clause], ordinals: list[int]
    ) -> Iterator[tuple[Clause, list[str], list[int]]]:
        here = [*ordinals, clause.ordinal]
        if clause.style == "article":
            lead = clause.heading
            body = text[clause.span[0] : clause.span[1]]
            if _RE_SUPPORT.search(body) and not _RE_PROVISION_LEAD.search(lead):
                yield clause, clause_path(ancestors, clause), here
            return
        if clause.style in ("part", "chapter", "section") and _RE_PROVISION_CHAPTER.search(clause.heading):
            return
        for child in clause.children:
            yield from visit(child, [*ancestors, clause], here)

    for root in roots:
        yield from visit(root, [], [])
