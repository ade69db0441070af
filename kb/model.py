"""Plain data classes of the knowledge base. No I/O here.

Every span is a half-open ``(start, end)`` pair of character offsets into
``Document.text``; ``document.text[start:end]`` is always the verbatim source.
Ids are stable strings derived from the file and the place in the outline,
never counters over the whole corpus.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass
class RawDocument:
    """What a reader returns: the body text and whatever metadata the file states.

    ``text`` is the document body exactly as the file gives it (line endings
    normalised to ``\\n``, BOM removed, nothing else changed); ``meta`` keys are
    among ``title, agency, date, doc_number, index_no, category, url, status, history, ocr``
    (all strings, empty or absent when unknown; ``date`` ISO ``YYYY-MM-DD`` or ``YYYY``; ``ocr`` the recognised
    pages of a scan as JSON, ``kb.readers.ocr``).
    """

    text: str
    meta: dict[str, str] = field(default_factory=dict)
    format: str = "txt"  # txt | html | md | docx | pdf | ofd | doc | wps | png | jpg | tif
    encoding: str = "utf-8"


@dataclass
class Validity:
    """A document's 效力级别 and when it is in force, as its text or its source says (``kb.extract.validity``).

    Dates are ISO ``YYYY-MM-DD`` ("" when nothing says so); ``in_force_until`` is the last day in force (有效期至…,
    or the end of a stated term: 有效期5年, 试行2年). Each value comes with the words that decided it. Whether the
    document is in force *today* is not stored: ``kb.extract.validity.status_on`` computes it for a given day.
    """

    level: str = ""  # 效力级别: one of kb.extract.validity.LEVELS, "" when neither issuer nor genre says
    level_basis: str = ""  # e.g. "来源分类：行政法规" or "发布机构：国务院；文种：条例"
    in_force_from: str = ""  # 施行日期
    from_basis: str = ""  # e.g. "自2019年3月1日起施行"
    in_force_until: str = ""  # the last day in force (失效日期 is the day after)
    until_basis: str = ""  # e.g. "有效期至2025年12月31日", "有效期5年"


@dataclass
class Document:
    id: str
    title: str
    text: str
    agency: str = ""
    date: str = ""  # ISO: YYYY-MM-DD, or YYYY, or ""
    doc_number: str = ""  # 文号, e.g. 国发〔2019〕4号
    index_no: str = ""  # 索引号
    category: str = ""  # 主题分类
    source: str = ""  # path of the file, relative to its documents folder
    url: str = ""
    format: str = "txt"
    content_hash: str = ""
    status: str = ""  # 时效性 as the source states it (现行有效, 已废止…), "" when it says nothing
    history: str = ""  # the source's history lines (通过, 修正, 修订…), one per line (LawRefBook preamble)
    # 文种 (通知, 意见, 方案, 条例…): read from the title (kb.extract.doctype), or set by staff
    genre: str = ""
    # staff decisions applied (kb.extract.curation)
    curated: list[dict[str, Any]] = field(default_factory=list)
    # recognised from a scan: the reader's JSON (engine, each page's confidence; kb.readers.ocr), "" for text
    ocr: str = ""
    # True when the file states no title and ``title`` was derived from its text (kb.extract.metadata.derived_title):
    # pages and citations say so (〔标题据正文拟〕)
    title_derived: bool = False
    validity: Validity = field(default_factory=Validity)  # 效力级别, 施行日期, 有效期 (kb.extract.validity)

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else ""

    @property
    def recognised(self) -> bool:
        """The text was recognised from a scan (OCR): citations say so (〔据扫描件识别〕)."""
        return bool(self.ocr)


@dataclass
class Clause:
    """A numbered (or headed) unit of the outline.

    ``label`` is the numbering exactly as written ("三、", "(六)", "（十二）",
    "1．", "①", "——", "第三条", "第一章"); ``heading`` is the rest of the
    heading line or the lead sentence (verbatim). ``span`` covers the clause
    from its label to the end of its last child; ``label_span`` only the label,
    ``heading_span`` only the heading text.
    """

    id: str
    doc_id: str
    label: str
    style: str  # see kb.extract.outline.STYLES
    level: int  # 1 = top level
    heading: str
    span: Span
    label_span: Span
    heading_span: Span
    ordinal: int  # 1-based position among its siblings
    children: list[Clause] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class TargetRef:
    """A link from a measure to a target (never a result), as seen from the measure."""

    id: str  # target id
    score: float
    evidence: list[str] = field(default_factory=list)
    weak: bool = False  # a content link below the firm threshold: shown, marked 弱关联
    source: str = "content"  # inside | content | confirmed (Link.source): what the page says about why


@dataclass
class Measure:
    id: str
    doc_id: str
    clause_id: str
    number: str  # label as written, e.g. "(六)"
    ordinal: int  # 1-based among the document's measures, reading order
    path: list[str]  # labels/headings from the root, e.g. ["三、主要措施", "(六)"]
    headline: str  # lead sentence, verbatim
    text: str  # full verbatim text (label included), == document.text[span[0]:span[1]]
    span: Span
    categories: list[str] = field(default_factory=list)
    targets: list[TargetRef] = field(default_factory=list)
    category_confidence: dict[str, float] = field(default_factory=dict)  # category -> confidence (0..1]
    # category -> the words that decided it, each with its place ("首句：组织领导", "文件标题：综合保税区")
    category_words: dict[str, list[str]] = field(default_factory=dict)
    curated: list[dict[str, Any]] = field(
        default_factory=list
    )  # staff decisions applied (kb.extract.curation)


# The two kinds of quantity (``Quantity.kind``): a goal, and what a document says was achieved.
TARGET = "target"
RESULT = "result"
QUANTITY_KINDS = (TARGET, RESULT)


@dataclass
class Quantity:
    """A number a document states about an indicator: a **target** (``kind="target"``: a goal, with value, unit,
    qualifier and deadline) or a **result** (``kind="result"``: what the document says was achieved, with the
    ``year`` it reports and no deadline).

    Results carry the ``year`` they report (a 2019 report's 工作回顾 states 2018's results); targets may carry a
    ``deadline``. Results are never linked to measures. Ids: ``{doc}.t…`` for a target, ``{doc}.r…`` for a
    result (``kb.ids.quantity_id``).
    """

    id: str
    doc_id: str
    clause_id: str  # innermost clause holding the sentence ("" when none)
    indicator: str  # e.g. "发明专利申请量"
    value: float
    unit: str  # e.g. "件", "亿元", "%"
    qualifier: str = ""  # e.g. "达到", "力争", "以上", "净增" (several joined by "、")
    deadline: int | None = None  # year, from "到2022年"
    value_max: float | None = None  # upper bound of a range "5—10年"
    mention: str = ""  # verbatim mention, e.g. "全市发明专利申请量达到2100件"
    mention_span: Span = (0, 0)
    text: str = ""  # verbatim sentence holding the mention
    span: Span = (0, 0)  # span of that sentence
    measure_ids: list[str] = field(default_factory=list)
    kind: str = TARGET  # target | result
    year: int | None = None  # for results: the year the result reports
    curated: list[dict[str, Any]] = field(
        default_factory=list
    )  # staff decisions applied (kb.extract.curation)

    @property
    def is_result(self) -> bool:
        return self.kind == RESULT

    @property
    def is_target(self) -> bool:
        return self.kind == TARGET


@dataclass
class Link:
    target_id: str
    measure_id: str
    score: float  # 0..1
    evidence: list[str] = field(default_factory=list)
    source: str = "content"  # inside | content | confirmed


@dataclass
class Reference:
    """A title in 《》 or a 文号 cited by a document."""

    doc_id: str
    text: str  # as written, e.g. "《湖北省高质量发展评价与考核办法(试行)》" or "国办发〔2018〕126号"
    form: str  # how it cites: "title" (《…》) or "doc_number" (a 文号)
    span: Span
    clause_id: str = ""
    resolved_id: str = ""  # document id when the KB holds it
    relation: str = ""  # "abolishes" when the citing text abolishes the cited title (kb.extract.validity)


@dataclass
class DocumentKB:
    """Everything the knowledge base knows about one document."""

    document: Document
    outline: list[Clause] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)  # targets and results, in reading order
    links: list[Link] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def targets(self) -> list[Quantity]:
        return [q for q in self.quantities if q.kind == TARGET]

    @property
    def results(self) -> list[Quantity]:
        return [q for q in self.quantities if q.kind == RESULT]

    def clauses(self):
        for root in self.outline:
            yield from root.walk()


def to_dict(obj: Any) -> Any:
    """Dataclass (or list of them) to plain JSON-able data."""
    if isinstance(obj, list):
        return [to_dict(o) for o in obj]
    return asdict(obj)
