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
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from kb.extract.places import SECTION_STYLES, find_clause
from kb.model import Clause, Document, Measure, Quantity

STYLES: tuple[str, ...] = ("official", "gbt7714", "gbt7714-2025", "markdown")
REFERENCE_STYLES: tuple[str, ...] = ("gbt7714", "gbt7714-2025")
STYLE_ALIASES = {"gbt7714-2015": "gbt7714"}

Escape = Callable[[str], str]
ATTACHMENT = "attachment"  # style of a root clause that is an attached document (附件)
DASH = "dash"  # style of a —— bullet
ARTICLE = "article"  # 第X条
_ABOVE_ARTICLE = frozenset({"part", "chapter", "section"})

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
# CommonMark line endings (str.splitlines() knows more, Markdown does not).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# （１） -> (1), then (1) -> （1）
_FULL_WIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_LABEL_PUNCT = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})
_PAREN_DIGITS = {chr(0x2474 + i): f"（{i + 1}）" for i in range(20)}  # ⑴..⒇
_DOT_DIGITS = {chr(0x2488 + i): f"{i + 1}." for i in range(20)}  # ⒈..⒛
_LEADING_LABEL = re.compile(r"^(?:[(（][^()（）]{1,6}[)）]|[0-9０-９]{1,3}[.．、](?![0-9０-９]))")
_CN_DIGITS = "零一二三四五六七八九"
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


# --- places -----------------------------------------------------------------------------------


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (as items and headings are counted)."""
    if n <= 0:
        return _CN_DIGITS[0] if n == 0 else str(n)
    if n >= 10_000:
        return str(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero and out:
                out += "零"
            out += ("" if (unit == "十" and digit == 1 and not out) else _CN_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def label_form(label: str) -> str:
    """A numbering label in the form citations write it: ``(六)`` -> ``（六）``, ``１．`` -> ``1.``."""
    text = label.strip()
    if text in _PAREN_DIGITS:
        return _PAREN_DIGITS[text]
    if text in _DOT_DIGITS:
        return _DOT_DIGITS[text]
    return text.translate(_FULL_WIDTH_ASCII).translate(_LABEL_PUNCT)


def _title_form(title: str) -> str:
    return title.strip().replace("《", "〈").replace("》", "〉")


def _dash_number(clause: Clause, siblings: Sequence[Clause] | None) -> int:
    if not siblings:
        return clause.ordinal
    number = 0
    for sibling in siblings:
        if sibling.style == DASH:
            number += 1
        if sibling is clause or sibling.id == clause.id:
            return number
    return clause.ordinal


def place_parts(trail: Sequence[Clause], clause: Clause, roots: Sequence[Clause] | None = None) -> list[str]:
    """The citation place of ``clause`` (``trail`` = its ancestors, root first), part by part.

    ``roots`` (the outline's root clauses) is only needed to count a root-level dash bullet among its
    siblings; without it the clause's ordinal is used.
    """
    nodes = [*trail, clause]
    # Articles are numbered through a whole regulation: the 编/章/节 above one are not part of its place.
    articles = [i for i, node in enumerate(nodes) if node.style == ARTICLE]
    dropped = set()
    if articles:
        start = max((i for i, node in enumerate(nodes) if node.style == ATTACHMENT), default=-1) + 1
        dropped = {i for i in range(start, articles[0]) if nodes[i].style in _ABOVE_ARTICLE}
    parts: list[str] = []
    for depth, node in enumerate(nodes):
        if depth in dropped:
            continue
        if node.style == ATTACHMENT:
            label, title = node.label.strip(), _title_form(node.heading)
            parts.append(f"{label}《{title}》" if title else label)
        elif node.style == DASH:
            siblings = nodes[depth - 1].children if depth else roots
            parts.append(f"第{chinese_numeral(_dash_number(node, siblings))}项")
        elif node.style == "cn_paren" and depth and nodes[depth - 1].style == ARTICLE:
            parts.append(f"第{label_form(node.label)}项")  # 第十二条第（二）项
        elif node.style in SECTION_STYLES:
            parts.append(label_form(node.label) + node.heading.strip())
        else:
            parts.append(label_form(node.label))
    return [part for part in parts if part]


def citation_path(outline: Sequence[Clause], clause_id: str) -> list[str] | None:
    """The place parts of the clause with this id in ``outline``, or None when it is not there."""
    found = find_clause(list(outline), clause_id) if clause_id else None
    if found is None:
        return None
    clause, trail = found
    return place_parts(trail, clause, outline)


def path_form(part: str) -> str:
    """One part of a stored path (``Measure.path``) in citation form: a leading ``(六)`` -> ``（六）``."""
    part = part.strip()
    if part[:1] in _PAREN_DIGITS:
        return _PAREN_DIGITS[part[0]] + part[1:]
    return _LEADING_LABEL.sub(lambda m: label_form(m.group()), part)


def place(path: Sequence[str]) -> str:
    """The place as one string: ``["三、主要措施", "（六）"]`` -> ``"三、主要措施（六）"``."""
    return "".join(part.strip() for part in path)


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


# --- Markdown ---------------------------------------------------------------------------------
#
# Markdown output carries text, never markup that came from a document: every character that could
# start HTML, a link, emphasis, code or a table is written as an HTML character reference, which
# CommonMark renders as the character itself and never reads as syntax. No backslash escapes, so the
# citations read as they are in the Markdown source too. Links are made only by md_url.

_MD_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "~": "&#126;",
    "|": "&#124;",
    "#": "&#35;",
}
_MD_SPECIAL = re.compile("[" + re.escape("".join(_MD_ENTITIES)) + "]")
# A line start that would open a block inside the quote: indented code, list, heading, setext rule.
_MD_INDENT = re.compile(r"^(?: {4}| {0,3}\t)")
_MD_BLOCK_MARK = re.compile(r"^( {0,3})([-+=])")
_MD_ORDERED = re.compile(r"^( {0,3}\d{1,9})([.)])(?=[ \t\r\n]|$)")
_URL_UNSAFE = re.compile(r"[^\x21-\x7e]|[<>\"`\\^{|}]")


def md_text(text: str) -> str:
    """Text that renders as itself in Markdown and carries no markup (HTML character references)."""
    return _MD_SPECIAL.sub(lambda match: _MD_ENTITIES[match.group()], text)


def _md_line(line: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    body = md_text(body)
    if _MD_INDENT.match(body):
        body = f"&#{ord(body[0])};" + body[1:]
    body = _MD_BLOCK_MARK.sub(lambda m: m.group(1) + f"&#{ord(m.group(2))};", body)
    body = _MD_ORDERED.sub(lambda m: m.group(1) + f"&#{ord(m.group(2))};", body)
    return body + ending


def md_quote(text: str) -> str:
    """A block quote rendering ``text`` as itself: every line prefixed ``"> "``, line endings kept.

    Each line is :func:`md_text`, and a line start that would open another block (4 spaces or a tab,
    ``-`` ``+`` ``=``, ``1.``/``1)``) has that character written as a character reference. The result
    ends with a line ending only when ``text`` does; an empty text gives ``">"``.
    """
    lines = _LINE.findall(text)
    if not lines:
        return ">"
    return "".join("> " + _md_line(line) for line in lines)


def md_url(url: str) -> str:
    """An autolink ``<url>`` for an http(s) address (unsafe characters percent-encoded), else ``""``."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return ""
    safe = _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), url)
    return f"<{safe}>"


def markdown_block(quote: str, reference: str, permalink: str = "") -> str:
    """The ``markdown`` style: block quote, blank line, citation line, and the 本库链接 when absolute.

    ``reference`` is Markdown already (values through :func:`md_text`, see :func:`official_reference`).
    """
    quoted = md_quote(quote)
    if not quoted.endswith("\n"):
        quoted += "\n"  # after a final "\r" this makes one "\r\n" line ending
    out = f"{quoted}\n{reference}"
    link = md_url(permalink)
    if link:
        out += f"\n\n本库链接：{link}"
    return out
