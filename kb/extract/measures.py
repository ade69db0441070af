"""Measure extractor: the actionable items of a plan, from its outline.

Rule (``extract_measures(doc, outline)``):

1. A legal text has no measures: when the outline holds two or more 第X条
   articles, or the title names a legal genre (``is_legal_title``: ends with
   法/条例/规定/解释/规则/细则/办法/章程/准则/修正案/标准/解答/批复/命令, optionally
   followed by (试行)/(草案)/（九）…,
   or is a 决定 to amend/repeal/…), the result is empty (provisions, not measures).
   In a notice that issues attached documents (outline roots of style
   ``attachment``, ``kb.extract.parts``), the test applies to each attached document
   on its own: an attached plan gives its measures, an attached regulation (第X条
   articles), indicator table or list of names (指标, 评分, 名单, 目录…) none;
   the notice's own text gives measures only when it has numbered actions.
2. Non-action parts are skipped with everything below them: annexes (附件,
   名词解释…), dash bullets (——, used for goals and achievements), and any clause
   whose title (a section's heading; a list item's heading up to the first
   。；：，) names a non-action part (``is_non_action_title``): a review (回顾,
   过去一年, 过去五年, 一年来, 取得…成效/成绩/进展…), a background (…形势, …背景),
   the guiding ideas and principles (指导思想, 基本原则), or goals (总体要求,
   主要目标, 工作目标, 发展目标, 预期目标, 具体指标: any 目标), the goal words only
   when the title names no action beside them (措施, 举措, 任务, 重点工作,
   工作安排…; so "总体要求和目标任务" and "主要目标和重点工作" are action parts). For a root list item (no numbered section above it)
   the same test is applied to the nearest unnumbered heading line (a short line
   without closing punctuation) before it: reports whose parts have unnumbered
   titles ("“十四五”时期工作回顾" followed by (一)…).
   A clause that lists people and their posts (``is_roster``: most of its lines a name, a gap and a post, as in a
   组成人员名单) is skipped too.
3. In what is left, a clause is a *group* when its items are the actions:
   a section (一、 第X章 第X节 Markdown heading) with at least one
   non-dash child, or a list item ((一) 1. (1) ①) with at least two non-dash
   children whose heading does not announce an enumeration (ends with ：or
   says 下列/以下/如下, e.g. "符合下列条件的…："). Groups are descended into;
   every other clause met on the way is one measure (its sub-items are part of
   its text). So the measures are the deepest list of actions: the seed's
   (一)…(十) under 三、主要措施, and a 一、 section with no items is one measure.

Fields: ``id`` = ``{doc_id}.m{path}`` with the clause's ordinal path, ``number``
= the label as written, ``ordinal`` = 1-based in reading order, ``path`` = the
clause's place (``kb.extract.places.clause_path``: sections by label and heading,
items by label), ``headline`` =
the clause heading (lead sentence without label), ``text``/``span`` = the clause
span in ``doc.text``. ``categories`` and ``targets`` are left empty.
"""

from __future__ import annotations

import bisect
import re

from kb import ids
from kb.extract.instruments import is_instrument_title, is_procedure_rules, is_statute, support_articles
from kb.extract.places import clause_path
from kb.model import Clause, Document, Measure

SECTION_STYLES = frozenset({"part", "chapter", "section", "cn", "heading", "attachment"})
_SKIP_STYLES = frozenset({"annex", "dash"})

# Parts that are never actions, whatever else the title says.
_RE_ALWAYS = re.compile(
    r"回顾|过去[一二三四五两十\d]*年|过去的一年|一年来|五年来|取得的成[绩就]|主要成[绩就]|工作总结|"
    r"取得.{0,8}(?:成效|成绩|成就|进展)|名词解释|注释|附件|附录|指导思想|基本原则|(?:形势|背景)(?:分析)?$|"
    r"附\s*则|^其他(?:事项)?$|"
    # holiday arrangements, approvals of a reply (原则同意…), a five-year plan's goals and tasks summarised in a
    # report (“十五五”时期主要目标任务: the 纲要's measures, not this year's work)
    r"^(?:元旦|春节|清明节|劳动节|端午节|中秋节|国庆节)(?:[：:]|$)|^(?:原则)?同意|"
    r"[一二三四五六七八九十]五”?(?:时期|期间)?[^，。]{0,12}(?:目标|任务|举措|要求)"
)
# Who does what and how, not what is done — responsibilities, procedures, scope, eligibility, descriptions —
# unless a verb of action leads the title ("明确部门职责分工", "适度扩大低保覆盖范围", "提高财政补贴标准").
_RE_NOT_WHAT = re.compile(
    r"职责分工|责任分工|任务分工|部门职责|工作职责|职责任务|管控流程|工作流程|办理流程|工作程序|申报程序|"
    r"实施步骤|步骤安排|进度安排|时间安排|^\S{0,6}原则$|^\S{0,8}(?:对象|范围|条件|标准)$|"
    r"政策兑现|政策执行|申报(?:及|与|和)?审核|审核认定|考核程序|评价程序|指标体系|主要职责|基本情况|情况说明|总表$"
)
# A title that plans to achieve something ("确保民生工作取得新成绩") is no review.
_RE_PLANS_TO = re.compile(r"确保|力争|努力|争取")
_RE_ACTION_LEAD = re.compile(
    r"^(?:完善|健全|扩大|提高|明确|制定|坚持|改善|适度|适当|加强|优化|规范|严格|统一|落实|建立|推进|推动|加快|强化|利用|"
    r"做好|创新|深化|调整|保障|确保|构建|建设|打造|发展|实施|促进|开展|培育|提升|增强|扩展|拓展|放宽|降低)"
)
# Stages of a procedure (公告 → 报名 → 审核 → 公示 → 录取…): a group whose items are these is a procedure.
_RE_STAGE = re.compile(
    r"^(?:[^，。]{0,6})(?:公告|通知|报名|申报|申请|受理|审核|审查|审批|初审|复审|评审|评估|公示|录取|注册|"
    r"备案|兑现|拨付|验收|发布|派位|资格审核|确认|登记|监督|结果运用)$"
)
# Goal parts: skipped unless the title also names actions.
_RE_GOALS = re.compile(r"总体要求|目标|具体指标")
_RE_ACTION = re.compile(r"措施|举措|任务|重点工作|主要工作|工作安排|工作部署|保障")
_RE_LEGAL_TITLE = re.compile(
    r"(?:法|条例|规定|解释|规则|细则|办法|章程|准则|修正案|标准|解答)(?:[（(][^）)]{1,8}[）)])?$|(?:修改|修正|废止|清理).*决定$"
)
# Attached tables and lists: indicators, scores, names, cases (考核指标, 评分细则, 名单, 目录, 典型经验做法).
_RE_TABLE_PART = re.compile(
    r"指标|评分|计分|名单|名录|目录|一览表|汇总表|统计表|经验做法|典型案例|案例|式样|样式|样图|样本|图例"
)
_RE_ENUMERATION = re.compile(r"下列|以下|如下|[：:]$")
_TITLE_END = re.compile(r"[。；;：:，,！？]")
_CLOSING = "。！？；;，,：:、!?"
_MAX_PLAIN_HEADING = 40


# A table set as text: its header row, one cell a line, right under the attached document's title.
_TABLE_HEADER_CELL = re.compile(r"序\s*号|编\s*号")
_TABLE_HEADER_LINES = 4


def _opens_with_table_header(text: str, root: Clause) -> bool:
    """The attached document is a table (a 清单 or 分工表 typed as text): one of the first lines under its title
    is the 序号 column header."""
    body = text[root.heading_span[1] : root.span[1]]
    lines = [line.strip() for line in body.split("\n") if line.strip()][:_TABLE_HEADER_LINES]
    return any(_TABLE_HEADER_CELL.fullmatch(line) for line in lines)


def is_legal_title(title: str) -> bool:
    """True when a document title names a law, regulation, rule or interpretation."""
    return bool(_RE_LEGAL_TITLE.search(title.strip().strip("《》")))


_RE_AMENDMENT = re.compile(r"作(?:如下|以下)(?:修改|修订|修正)|修改如下|修订如下")


def is_amendment(preamble: str) -> bool:
    """True when the text before the first item announces amendments to another text (its items are edits)."""
    return bool(_RE_AMENDMENT.search(preamble))


def clause_title(heading: str) -> str:
    """The title part of a heading: up to the first 。；：， (stripped)."""
    m = _TITLE_END.search(heading)
    return (heading[: m.start()] if m else heading).strip()


def is_non_action_title(title: str) -> bool:
    """True when a section title names a review, background, principles or goals part (or another part that is
    no action: procedures, responsibilities, holidays, approvals, a five-year plan's summary)."""
    m = _RE_ALWAYS.search(title)
    if m and not (m.group().startswith("取得") and _RE_PLANS_TO.search(title)):
        return True
    if _RE_NOT_WHAT.search(title) and not _RE_ACTION_LEAD.match(title):
        return True
    return bool(_RE_GOALS.search(title)) and not _RE_ACTION.search(title)


def _is_procedure(clause: Clause) -> bool:
    """A group of three or more short items naming stages of a procedure (报名, 审核, 公示, 录取…)."""
    kids = [c for c in clause.children if c.style not in _SKIP_STYLES]
    if len(kids) < 3:
        return False
    stages = sum(1 for c in kids if _RE_STAGE.match(clause_title(c.heading)))
    return stages * 2 >= len(kids)


def _title_of(clause: Clause) -> str:
    """What the exclusion test reads: a section's whole heading, a list item's title."""
    return clause.heading if clause.style in SECTION_STYLES else clause_title(clause.heading)


def _announces_enumeration(heading: str) -> bool:
    return bool(_RE_ENUMERATION.search(heading.rstrip()))


def _action_children(clause: Clause) -> list[Clause]:
    return [c for c in clause.children if c.style not in _SKIP_STYLES]


_RE_RULES_LEAD = re.compile(r"(?:下列|以下|如下)(?:规定|条件|情形|要求|事项|材料|内容|原则|职责)[：:]\s*$")


def _lists_rules(clause: Clause, text: str) -> bool:
    """The text before the first item ends by announcing rules or conditions ("应当遵守以下规定："): the items
    are what the clause lays down, and the clause is one measure."""
    kids = _action_children(clause)
    if not kids or clause.style in ("attachment", "heading"):
        return False  # an attached document's own lead ("现作如下规定：") introduces the whole of it
    return _RE_RULES_LEAD.search(text[clause.heading_span[0] : kids[0].span[0]]) is not None


_RE_SCOPE = re.compile(r"^\S{0,8}(?:对象|范围)$")


def _articles_in_scope(clause: Clause) -> bool:
    """ "二、支持范围" over policy articles (第2条…第19条): the articles are the policy, not a scope statement."""
    return bool(_RE_SCOPE.match(_title_of(clause))) and any(
        c.style == "article" for k in clause.children for c in k.walk()
    )


_RE_BODY = re.compile(r"(?:组|小组|办公室|委员会|专班)$")


def _is_group(clause: Clause, text: str = "") -> bool:
    kids = _action_children(clause)
    if text and _lists_rules(clause, text):
        return False
    if len(kids) >= 2 and all(_RE_BODY.search(clause_title(k.heading)) for k in kids):
        return False  # the bodies it sets up (1.监督组 2.专家组…): their composition, one measure
    if clause.style in SECTION_STYLES:
        return bool(kids)
    return len(kids) >= 2 and not _announces_enumeration(clause.heading)


# A line of a list of names (组成人员名单, 专家名单): maybe a role (主  任：), a person's name (2–4 characters, maybe
# spaced as 黄　卫), a gap, and a post or title without a sentence's punctuation ("教授、华中师范大学原党委书记").
_RE_ROSTER_LINE = re.compile(
    r"^(?:(?:[\u4e00-\u9fff][\u3000 ]*){1,5}[：:]\s*)?"  # a role first (主  任：, 成    员：)
    r"[\u4e00-\u9fff](?:[\u3000 ]?[\u4e00-\u9fff]){1,3}(?:\u3000|\s{2,}|\t)\s*[^。；;！？]{2,40}$"
)
ROSTER_SHARE = 0.6  # the share of a clause's lines that makes it a list of names


def is_roster(text: str) -> bool:
    """A clause that lists people and their posts (after its heading line), not an action: at least three lines,
    the first and most of them a name and a post (a 工作要求 followed by an unlabelled 成员名单 stays a measure)."""
    lines = [line.strip(" \r") for line in text.splitlines()[1:]]
    lines = [line for line in lines if line.strip()]
    if len(lines) < 3 or not _RE_ROSTER_LINE.match(lines[0]):
        return False
    named = sum(1 for line in lines if _RE_ROSTER_LINE.match(line))
    return named >= ROSTER_SHARE * len(lines)


def _plain_headings(text: str, label_starts: set[int]) -> tuple[list[int], list[str]]:
    """Start offsets and texts of unnumbered heading-like lines (short, no closing punctuation)."""
    starts: list[int] = []
    titles: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end == -1:
            end = n
        line = text[pos:end]
        stripped = line.strip().lstrip("#＃").strip()
        if stripped and len(stripped) <= _MAX_PLAIN_HEADING and stripped[-1] not in _CLOSING:
            first = pos + len(line) - len(line.lstrip())
            if first not in label_starts:
                starts.append(pos)
                titles.append(stripped)
        pos = end + 1
    return starts, titles


_RE_POLICY_TITLE = re.compile(r"(?:意见|措施|政策|方案|计划|要点|若干|条$|条（试行）$|条\(试行\)$)")


def _is_legal(clauses: list[Clause], title: str = "") -> bool:
    """Provisions, not measures: two or more 第X条 articles, unless the title names a policy list
    (若干措施, 实施意见, 政策二十条: its articles are the measures)."""
    articles = sum(1 for c in clauses if c.style == "article")
    return articles >= 2 and not _RE_POLICY_TITLE.search(title.strip().strip("《》"))


def extract_measures(doc: Document, outline: list[Clause]) -> list[Measure]:
    """The measures of ``doc`` given its outline (see the module docstring for the rule)."""
    clauses = [c for root in outline for c in root.walk()]
    attachments = [root for root in outline if root.style == "attachment"]
    own = [c for root in outline if root.style != "attachment" for c in root.walk()]
    if is_procedure_rules(doc.title) and not attachments:
        return []
    instrument = not is_statute(doc)  # an instrument's support articles are measures, a statute's never
    if (is_legal_title(doc.title) and not attachments) or _is_legal(own, doc.title):
        if instrument and is_instrument_title(doc.title):
            return _measures(doc, list(support_articles(outline, doc.text)))
        return []
    if is_amendment(doc.text[: outline[0].span[0]] if outline else doc.text):
        return []
    found: list[tuple[Clause, list[str], list[int]]] = []
    # An attached regulation (its own articles), rules of procedure, indicator table or list gives no measures
    # (an attached instrument its support articles); an attached plan does.
    kept = []
    for root in outline:
        if root.style == "attachment" and _is_legal(list(root.walk()), root.heading):
            if instrument and is_instrument_title(root.heading):
                found.extend(support_articles([root], doc.text))
            continue
        if root.style == "attachment" and (
            is_procedure_rules(root.heading)
            or _RE_TABLE_PART.search(root.heading)
            or _opens_with_table_header(doc.text, root)
        ):
            continue
        kept.append(root)
    outline = kept
    label_starts = {c.span[0] for c in clauses}
    starts, titles = _plain_headings(doc.text, label_starts)

    def visit(clause: Clause, ancestors: list[Clause], ordinals: list[int]) -> None:
        if clause.style in _SKIP_STYLES:
            return
        if clause.style != "attachment" and (
            (is_non_action_title(_title_of(clause)) and not _articles_in_scope(clause))
            or _is_procedure(clause)
            or is_roster(doc.text[clause.span[0] : clause.span[1]])
        ):
            return
        here = [*ordinals, clause.ordinal]
        if _is_group(clause, doc.text):
            for child in clause.children:
                visit(child, [*ancestors, clause], here)
        else:
            found.append((clause, clause_path(ancestors, clause), here))

    for root in outline:
        if root.style not in SECTION_STYLES:
            # A root list item has no numbered section above it: the unnumbered heading line
            # before it (if any) is its section title.
            k = bisect.bisect_right(starts, root.span[0] - 1) - 1
            if k >= 0 and is_non_action_title(titles[k]):
                continue
        visit(root, [], [])

    found.sort(key=lambda item: item[0].span[0])
    return _measures(doc, found)


def _measures(doc: Document, found: list[tuple[Clause, list[str], list[int]]]) -> list[Measure]:
    measures = []
    for ordinal, (clause, path, ordinals) in enumerate(found, 1):
        start, end = clause.span
        measures.append(
            Measure(
                id=ids.measure_id(doc.id, ordinals),
                doc_id=doc.id,
                clause_id=clause.id,
                number=clause.label,
                ordinal=ordinal,
                path=path,
                headline=clause.heading,
                text=doc.text[start:end],
                span=(start, end),
            )
        )
    return measures
