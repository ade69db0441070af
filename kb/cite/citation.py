"""Citations of measures, targets and clauses (pure functions over ``kb.model`` objects).

Everything here follows the "Citation conventions" of the engineering notes; the README section
"引用格式 Citation formats" gives the same rules with examples. The tests pin every choice.

Quote
    ``Citation.quote`` is the cited text exactly as the document gives it (for a measure,
    ``document.text[span[0]:span[1]]``): never re-spaced, re-punctuated or folded.

Place (:func:`place_parts`, :func:`place`)
    The path from the outline root to the cited clause, the way a report names it:

    * labels in their full-width form (GB/T 15834 punctuation, GB/T 9704 numbering): ``(六)`` and
      ``（六）`` both give ``（六）``, ``(1)``/``⑴`` give ``（1）``; full-width digits and dots become
      half-width (``１．`` → ``1.``, as GB/T 9704 writes the third level); ``一、``, ``第十二条``, ``①``
      stay as written;
    * section-like levels (一、, 第X章, headings; see ``kb.extract.places.SECTION_STYLES``) carry their
      heading, verbatim: ``三、主要措施``; item levels only their label: ``（六）``;
    * an attached document (a root clause of style ``attachment``) is named ``附件1《title》`` with its
      label as written, or ``《title》`` when it has none (a 《》 inside the title becomes 〈〉);
    * a dash bullet (``——``, style ``dash``) is not a place: it is cited as the item it is among its
      dash siblings, ``第二项`` after the enclosing clause (``二、主要目标第二项``);
    * articles (第X条) are numbered through a whole regulation, so the 编/章/节 above an article are left
      out (``第十二条``, not ``第二章项目管理第十二条``), and an item （二） of an article is its
      ``第（二）项`` (``第十二条第（二）项``), as laws are cited.

    Examples: ``三、主要措施（六）``, ``附件2《十堰市科技创新券管理办法》第十二条``, ``二、主要目标第二项``.

Styles (:data:`STYLES`)
    ``official`` (default) -- the in-text style of 党政机关 reports::

        《标题》（文号）place
        《标题》（发文机关，YYYY年M月D日）place      -- when the document has no 文号

      * The parenthesis and the comma inside it are full-width（，）; the date is written
        ``2019年7月8日`` (no leading zeros; ``2019年`` / ``2019年7月`` for partial dates).
      * With a 文号, the parenthesis holds the 文号 only (it identifies the document by itself).
      * Without one, it holds the issuing agency and the date; missing parts are left out, and the
        parenthesis too when both are missing. The 索引号 (a website catalogue number) is never cited.
      * A 《》 inside the title becomes 〈〉 (nested 书名号, GB/T 15834).
      * The place follows the closing parenthesis directly, without a separator.

    ``gbt7714`` -- GB/T 7714-2015 reference-list entry of the document (a reference-list entry names
    the document; the place is in ``Citation.place`` and in ``Citation.text``)::

        主要责任者. 题名: 文号[EB/OL]. (YYYY-MM-DD)[YYYY-MM-DD]. URL.   -- the document's own source URL
        主要责任者. 题名: 文号[Z]. YYYY-MM-DD.                          -- no source URL

      * [EB/OL] only with the document's own source URL (:func:`source_url`: http or https, with a
        host that is neither local nor private). Never an address of this knowledge base, never a
        relative one: the knowledge base's page is offered separately (``Citation.permalink``, shown
        as "本库链接").
      * ``(发布日期)`` is the document's date, omitted when unknown; ``[引用日期]`` is the ``accessed``
        argument (today when not given).
      * Without a source URL the document has no access path: type ``[Z]`` (其他), with its date.
        ``[A]`` is GB/T 7714's code for archives (档案) and fits only documents consulted in an
        archive, which is not what a knowledge base of collected files holds.
      * 主要责任者 is the issuing agency, ``佚名`` when unknown; the 文号 is recorded as 其他题名信息.

    ``gbt7714-2025`` -- the same entry with GB/T 7714-2025 punctuation: separators take their
    full-width forms except the item separator ``.`` and the brackets ``[ ]``: ``": "`` → ``"："``,
    ``"(发布日期)"`` → ``"（发布日期）"``; ``". "``, ``[EB/OL]``, ``[Z]``, ``[引用日期]`` unchanged.

    ``markdown`` -- a block quote of the quote, a blank line, the official citation, and, when the
    permalink is an http(s) address, ``本库链接：<URL>``. Markdown carries no live HTML and no link
    but that one: see :func:`md_text` and :func:`md_quote` (HTML entities, never backslashes).

``Citation.reference`` is what "复制引文" copies, ``Citation.text`` what "复制原文及出处" copies:
``official``: quote, newline, reference. ``gbt7714*``: quote, newline, place (when known), newline,
entry. ``markdown``: the Markdown block.

The places are ``kb.cite.places``, the Markdown escaping ``kb.cite.markdown``; both are re-exported here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from kb.cite.markdown import markdown_block, md_quote, md_text, md_url
from kb.cite.places import (
    ARTICLE,
    ATTACHMENT,
    DASH,
    _title_form,
    chinese_numeral,
    citation_path,
    label_form,
    path_form,
    place,
    place_parts,
)
from kb.model import Clause, Document, Measure, Quantity

__all__ = [
    "ARTICLE",
    "ATTACHMENT",
    "DASH",
    "DERIVED_MARK",
    "RECOGNISED_MARK",
    "REFERENCE_STYLES",
    "STYLES",
    "STYLE_ALIASES",
    "Citable",
    "Citation",
    "Entry",
    "chinese_date",
    "chinese_numeral",
    "citable_from_clause",
    "citable_from_document",
    "citable_from_measure",
    "citable_from_quantity",
    "citation_path",
    "cite",
    "document_designation",
    "document_title",
    "iso_date",
    "label_form",
    "markdown_block",
    "md_quote",
    "md_text",
    "md_url",
    "normalize_style",
    "official_reference",
    "path_form",
    "place",
    "place_parts",
    "quantity_headline",
    "reference_entry",
    "reference_parts",
    "source_url",
]

STYLES: tuple[str, ...] = ("official", "gbt7714", "gbt7714-2025", "markdown")
REFERENCE_STYLES: tuple[str, ...] = ("gbt7714", "gbt7714-2025")
STYLE_ALIASES = {"gbt7714-2015": "gbt7714"}

Escape = Callable[[str], str]

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_LOCAL_HOSTS = ("localhost", "localhost.localdomain")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


@dataclass(frozen=True)
class Citable:
    """Anything that can be cited: an id, its place, its verbatim text and what heads it in a report."""

    id: str
    type: str  # measure | target | result | clause | document
    doc_id: str
    path: list[str] = field(default_factory=list)  # place parts (see place_parts), root first
    quote: str = ""  # verbatim text
    headline: str = ""  # the item's own headline (measure headline, target statement, clause heading)


# Added after the place of an item whose document was recognised from a scan (OCR), in every style.
RECOGNISED_MARK = "〔据扫描件识别〕"
# Added after a title the file does not state (derived from its text, kb.extract.metadata.derived_title).
DERIVED_MARK = "〔标题据正文拟〕"


@dataclass(frozen=True)
class Citation:
    style: str
    quote: str  # verbatim
    reference: str  # the formatted citation (official: in-text form; gbt7714*: reference-list entry)
    text: str  # paste-ready text: quote and reference (see the module docstring)
    permalink: str = ""  # the knowledge base's page of the item (本库链接); may be site-relative
    place: str = ""
    item_id: str = ""


# --- citables ---------------------------------------------------------------------------------


def citable_from_measure(measure: Measure, outline: Sequence[Clause] | None = None) -> Citable:
    """A measure, quoted in full (label included); its place from ``outline`` when given."""
    path = citation_path(outline, measure.clause_id) if outline else None
    if path is None:
        path = [path_form(part) for part in measure.path]
    return Citable(measure.id, "measure", measure.doc_id, path, measure.text, measure.headline.strip())


def quantity_headline(quantity: Quantity) -> str:
    """What a report heads a target or a result with: its verbatim statement, else indicator and value; a result
    says that it is one and which year it reports (净增高新技术企业42家 · 新增就业1.2万人（2018年实绩）)."""
    if quantity.mention.strip():
        text = quantity.mention.strip()
    else:
        value = f"{quantity.value:g}" if quantity.value is not None else ""
        text = f"{quantity.indicator}{value}{quantity.unit}".strip()
    if quantity.is_result:
        text += f"（{quantity.year}年实绩）" if quantity.year else "（实绩）"
    return text


def citable_from_quantity(quantity: Quantity, path: list[str]) -> Citable:
    """A target or a result (``Citable.type`` is its kind), quoted by the sentence holding it; ``path`` is the
    place of the clause holding it."""
    return Citable(
        quantity.id, quantity.kind, quantity.doc_id, list(path), quantity.text, quantity_headline(quantity)
    )


def citable_from_clause(clause: Clause, path: list[str], document: Document) -> Citable:
    """A clause, quoted from its label to the end of its last child (``document.text[clause.span]``)."""
    start, end = clause.span
    headline = clause.heading.strip() or clause.label.strip()
    return Citable(clause.id, "clause", clause.doc_id, list(path), document.text[start:end], headline)


def citable_from_document(document: Document) -> Citable:
    return Citable(document.id, "document", document.id, [], document.text, document.title.strip())


# --- styles -----------------------------------------------------------------------------------


def normalize_style(style: str) -> str:
    """The style's canonical name (``gbt7714-2015`` -> ``gbt7714``); ``ValueError`` when unknown."""
    style = STYLE_ALIASES.get(style, style)
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; valid styles: {', '.join(STYLES)}")
    return style


def cite(
    item: Citable | Measure,
    document: Document,
    style: str = "official",
    *,
    url: str = "",
    accessed: date | None = None,
) -> Citation:
    """Cite ``item`` (a :class:`Citable` or a :class:`Measure`) of ``document`` in ``style``.

    ``url`` is the knowledge base's page of the item (本库链接; it never enters a reference);
    ``accessed`` the GB/T 7714 引用日期 (default today). Raises ``ValueError`` for an unknown style
    and ``TypeError`` for an item that is neither a Citable nor a Measure (use
    :func:`citable_from_quantity` / :func:`citable_from_clause` for targets and clauses).
    """
    style = normalize_style(style)
    if isinstance(item, Measure):
        item = citable_from_measure(item)
    elif not isinstance(item, Citable):
        raise TypeError(
            f"cannot cite a {type(item).__name__}: pass a Citable "
            "(citable_from_measure / citable_from_quantity / citable_from_clause)"
        )
    where = place(item.path)
    quote = item.quote
    if document.recognised:  # the words come from a scan: whoever pastes them should know
        where += RECOGNISED_MARK
    if style == "official":
        reference = official_reference(document, where)
        text = f"{quote}\n{reference}"
    elif style == "markdown":
        reference = official_reference(document, where, md_text)
        text = markdown_block(quote, reference, url)
    else:
        reference = reference_entry(document, style, accessed=accessed)
        text = "\n".join(part for part in (quote, where, reference) if part)
    return Citation(style, quote, reference, text, url, where, item.id)


def _same(text: str) -> str:
    return text


def document_title(document: Document, esc: Escape = _same) -> str:
    """《标题》 (a 《》 inside the title becomes 〈〉); a title derived from the text, because the file states none,
    says so (〔标题据正文拟〕)."""
    return f"《{esc(_title_form(document.title) or document.id)}》" + (
        DERIVED_MARK if document.title_derived else ""
    )


def document_designation(document: Document, esc: Escape = _same) -> str:
    """《标题》（文号）, or 《标题》（发文机关，YYYY年M月D日） without a 文号 (parts left out when unknown).

    ``esc`` is applied to every value taken from the document, never to the form's own punctuation
    (:func:`md_text` for Markdown).
    """
    if document.doc_number.strip():
        parts = [document.doc_number.strip()]
    else:
        parts = [document.agency.strip(), chinese_date(document.date)]
    details = "，".join(esc(part) for part in parts if part)
    return document_title(document, esc) + (f"（{details}）" if details else "")


def official_reference(document: Document, where: str = "", esc: Escape = _same) -> str:
    """The official in-text citation: the document's designation, then the place."""
    return document_designation(document, esc) + esc(where)


def source_url(document: Document) -> str:
    """The document's own published address when it is a usable access path, else ``""``.

    Only ``http``/``https`` with a host; never a local address (``localhost``, ``*.local``, loopback,
    private, link-local or unspecified IPs), never a relative one, never one holding spaces or
    control characters.
    """
    url = document.url.strip()
    if not url or any(ch.isspace() or ord(ch) < 0x20 or ch in '<>"' for ch in url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    host = host.rstrip(".").lower()
    if host in _LOCAL_HOSTS or host.endswith(_LOCAL_SUFFIXES) or ("." not in host and ":" not in host):
        return ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return url
    if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified or ip.is_reserved:
        return ""
    return url


@dataclass(frozen=True)
class Entry:
    """A reference-list entry split around its URL, so that a format can make the URL a link."""

    head: str
    url: str = ""
    tail: str = ""

    def __str__(self) -> str:
        return f"{self.head}{self.url}{self.tail}"


def reference_parts(
    document: Document, style: str = "gbt7714", *, accessed: date | None = None, esc: Escape = _same
) -> Entry:
    """The GB/T 7714 reference-list entry of ``document`` (``style``: ``gbt7714`` or ``gbt7714-2025``).

    ``esc`` is applied to the values taken from the document (not to the URL, which a format links).
    """
    style = STYLE_ALIASES.get(style, style)
    if style not in REFERENCE_STYLES:
        raise ValueError(f"unknown reference style {style!r}; valid styles: gbt7714, gbt7714-2025")
    full_width = style == "gbt7714-2025"
    colon = "：" if full_width else ": "
    lpar, rpar = ("（", "）") if full_width else ("(", ")")
    author = esc(document.agency.strip() or "佚名")
    title = esc(document.title.strip() or document.id) + (DERIVED_MARK if document.title_derived else "")
    if document.doc_number.strip():
        title += colon + esc(document.doc_number.strip())
    issued = esc(iso_date(document.date))
    url = source_url(document)
    if not url:
        return Entry(f"{author}. {title}[Z]." + (f" {issued}." if issued else ""))
    accessed = accessed or date.today()
    dates = (f"{lpar}{issued}{rpar}" if issued else "") + f"[{accessed.isoformat()}]"
    return Entry(f"{author}. {title}[EB/OL]. {dates}. ", url, ".")


def reference_entry(document: Document, style: str = "gbt7714", *, accessed: date | None = None) -> str:
    """The GB/T 7714 reference-list entry as one string (see :func:`reference_parts`)."""
    return str(reference_parts(document, style, accessed=accessed))


def chinese_date(value: str) -> str:
    """ISO ``2019-07-08`` -> ``2019年7月8日`` (no leading zeros); ``2019`` -> ``2019年``; other text as is."""
    value = value.strip()
    match = _ISO_DATE.fullmatch(value)
    if not match:
        return value
    year, month, day = match.groups()
    out = f"{year}年"
    if month:
        out += f"{int(month)}月"
        if day:
            out += f"{int(day)}日"
    return out


def iso_date(value: str) -> str:
    """ISO date with two-digit month/day (``2019-7-8`` -> ``2019-07-08``); other text as is."""
    value = value.strip()
    match = _ISO_DATE.fullmatch(value)
    if not match:
        return value
    year, month, day = match.groups()
    return "-".join([year] + [f"{int(x):02d}" for x in (month, day) if x])
