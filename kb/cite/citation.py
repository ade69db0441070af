"""Citations of measures, targets and clauses (pure functions over ``kb.model`` objects).

Everything here follows the "Citation conventions" of the engineering notes. The choices made where
the conventions leave room are written down here, and the tests pin them.

Quote
    ``Citation.quote`` is the cited text exactly as the document gives it (for a measure,
    ``document.text[span[0]:span[1]]``): never re-spaced, re-punctuated or folded.

Place
    :func:`place` joins the outline path as the document labels it. Labels are kept **verbatim**,
    per the Chinese citation conventions ("quote labels as the document writes them"): the seed writes
    ``(六)`` with ASCII parentheses, so its place is ``三、主要措施(六)``; a State Council document
    writing ``（六）`` gives ``（六）``. Only whitespace around each path element (indentation, the
    U+2002/U+3000 spaces before a heading) is dropped, since it is layout, not part of the label.

Styles (:data:`STYLES`)
    ``official`` (default) -- in-text style of 《法学引注手册》 practice::

        《标题》（文号）place
        《标题》（发布机构，YYYY年M月D日，索引号…）place      -- when the document has no 文号

      * The parenthesis and the comma inside it are full-width（，）.
      * With a 文号, the parenthesis holds the 文号 only (it identifies the document by itself).
      * Without one, it holds the issuing agency, the date written ``2019年7月8日`` (no leading zeros;
        ``2019年`` / ``2019年7月`` for partial ISO dates) and the 索引号 prefixed ``索引号`` (no colon),
        in that order; missing parts are left out, and the parenthesis too when all are missing.
      * A 《》 inside the title becomes 〈〉 (nested 书名号, GB/T 15834).
      * The place follows the closing parenthesis directly, without a separator.

    ``gbt7714`` -- GB/T 7714-2015 reference-list entry of the document (the place is not part of a
    reference-list entry; it is given in ``Citation.place`` and in ``Citation.text``)::

        主要责任者. 题名: 文号[EB/OL]. (YYYY-MM-DD)[引用日期]. URL.    -- a URL is known
        主要责任者. 题名: 文号[Z]. YYYY-MM-DD.                          -- no URL

      * 主要责任者 is the issuing agency, ``佚名`` when unknown (GB/T 7714-2015 8.1.1).
      * The 文号 is recorded as 其他题名信息 (``题名: 其他题名信息``) when the document has one.
      * The URL is ``document.url`` (the official publication) when known, else the ``url`` argument.
      * ``[引用日期]`` is the ``accessed`` argument; it is omitted when not given (this module never
        reads the clock). ``(发布日期)`` is omitted when the document has no date.

    ``gbt7714-2025`` -- the same entry with GB/T 7714-2025 punctuation: the separators take their
    full-width forms except the item separator ``.`` and the brackets ``[ ]`` (type identifier,
    access date), which stay as in 2015. Precisely, for the entries made here:

      * ``": "`` (before 其他题名信息, i.e. the 文号) becomes ``"："``;
      * ``"(发布日期)"`` becomes ``"（发布日期）"``;
      * ``", "`` would become ``"，"`` (no entry made here holds a comma);
      * ``". "``, ``"[EB/OL]"``, ``"[Z]"`` and ``"[引用日期]"`` are unchanged.

    ``markdown`` -- a block quote of the verbatim text (every line prefixed ``"> "``, line endings
    kept), a blank line, the official citation, and, when a permalink is known, a blank line and the
    permalink as a Markdown link. The citation line and the link text are backslash-escaped so that
    they render literally; the quote is not escaped (it stays verbatim) but cannot leave the quote.

``Citation.text`` (paste-ready): ``official``: quote, newline, reference. ``gbt7714*``: quote,
newline, place (when known), newline, reference-list entry. ``markdown``: the Markdown block.

``Citation.permalink`` is the ``url`` argument (the address of the cited item, e.g. a knowledge-base
page), else ``document.url``, else ``""``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kb.model import Clause, Document, Measure, Target

STYLES: tuple[str, ...] = ("official", "gbt7714", "gbt7714-2025", "markdown")

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
# CommonMark line endings (str.splitlines() knows more, Markdown does not).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# Characters that may start Markdown inline syntax (escaped with a backslash): always `\ ` * [ ] < > ~ &`;
# "_" unless it sits between two letters/digits/CJK (intraword "_" never emphasises in CommonMark);
# "#" at the start or after whitespace (an ATX heading or a heading's closing sequence).
_MD_SPECIAL = re.compile(r"[\\`*\[\]<>~&]|(?<![^\W_])_|_(?![^\W_])|(?<!\S)#")
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\n": "%0A", "\r": "%0D"}


@dataclass(frozen=True)
class Citable:
    """Anything that can be cited: an id, where it sits in the outline, and its verbatim text."""

    id: str
    kind: str  # measure | target | clause | document
    doc_id: str
    path: list[str] = field(default_factory=list)  # labels/headings from the root
    quote: str = ""  # verbatim text


@dataclass(frozen=True)
class Citation:
    style: str
    quote: str  # verbatim
    reference: str  # the formatted citation (official: in-text form; gbt7714*: reference-list entry)
    text: str  # paste-ready text: quote and reference (see the module docstring)
    permalink: str = ""
    place: str = ""
    item_id: str = ""


def citable_from_measure(measure: Measure) -> Citable:
    """A measure, quoted in full (label included)."""
    return Citable(measure.id, "measure", measure.doc_id, list(measure.path), measure.text)


def citable_from_target(target: Target, path: list[str]) -> Citable:
    """A target, quoted by the sentence holding it; ``path`` is the outline path of its clause."""
    return Citable(target.id, "target", target.doc_id, list(path), target.text)


def citable_from_clause(clause: Clause, path: list[str], document: Document) -> Citable:
    """A clause, quoted from its label to the end of its last child (``document.text[clause.span]``)."""
    start, end = clause.span
    return Citable(clause.id, "clause", clause.doc_id, list(path), document.text[start:end])


def place(path: list[str]) -> str:
    """The clause's place as the document labels it: ``["三、主要措施", "(六)"]`` -> ``"三、主要措施(六)"``.

    Labels are verbatim (ASCII or full-width parentheses as written); only surrounding whitespace
    of each element is dropped.
    """
    return "".join(part.strip() for part in path)


def cite(
    item: Citable | Measure,
    document: Document,
    style: str = "official",
    *,
    url: str = "",
    accessed: date | None = None,
) -> Citation:
    """Cite ``item`` (a :class:`Citable` or a :class:`Measure`) of ``document`` in ``style``.

    ``url`` is the address of the cited item (permalink); ``accessed`` the access date for the
    GB/T 7714 ``[引用日期]``. Raises ``ValueError`` for an unknown style and ``TypeError`` for an item
    that is neither a Citable nor a Measure (use :func:`citable_from_target` /
    :func:`citable_from_clause` for targets and clauses).
    """
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; valid styles: {', '.join(STYLES)}")
    if isinstance(item, Measure):
        item = citable_from_measure(item)
    elif not isinstance(item, Citable):
        raise TypeError(
            f"cannot cite a {type(item).__name__}: pass a Citable "
            "(citable_from_measure / citable_from_target / citable_from_clause)"
        )
    where = place(item.path)
    permalink = url or document.url
    quote = item.quote
    if style == "official":
        reference = official_reference(document, where)
        text = f"{quote}\n{reference}"
    elif style == "markdown":
        reference = official_reference(document, where)
        text = markdown_block(quote, reference, permalink)
    else:
        reference = reference_entry(document, style, url=document.url or url, accessed=accessed)
        text = "\n".join(part for part in (quote, where, reference) if part)
    return Citation(style, quote, reference, text, permalink, where, item.id)


def official_reference(document: Document, where: str = "") -> str:
    """《标题》（文号）place, or 《标题》（发布机构，日期，索引号…）place without a 文号."""
    title = (document.title.strip() or document.id).replace("《", "〈").replace("》", "〉")
    if document.doc_number.strip():
        parts = [document.doc_number.strip()]
    else:
        parts = [document.agency.strip(), chinese_date(document.date)]
        if document.index_no.strip():
            parts.append("索引号" + document.index_no.strip())
    details = "，".join(part for part in parts if part)
    return f"《{title}》" + (f"（{details}）" if details else "") + where


def reference_entry(
    document: Document, style: str = "gbt7714", *, url: str = "", accessed: date | None = None
) -> str:
    """The GB/T 7714 reference-list entry of ``document`` (``style``: ``gbt7714`` or ``gbt7714-2025``).

    With a ``url``: ``[EB/OL]. (发布日期)[引用日期]. URL.``; without: ``[Z]. 发布日期.``.
    """
    if style not in ("gbt7714", "gbt7714-2025"):
        raise ValueError(f"unknown reference style {style!r}; valid styles: gbt7714, gbt7714-2025")
    full_width = style == "gbt7714-2025"
    colon = "：" if full_width else ": "
    lpar, rpar = ("（", "）") if full_width else ("(", ")")
    author = document.agency.strip() or "佚名"
    title = document.title.strip() or document.id
    if document.doc_number.strip():
        title += colon + document.doc_number.strip()
    issued = iso_date(document.date)
    url = url.strip()
    if not url:
        return f"{author}. {title}[Z]." + (f" {issued}." if issued else "")
    dates = (f"{lpar}{issued}{rpar}" if issued else "") + (f"[{accessed.isoformat()}]" if accessed else "")
    return f"{author}. {title}[EB/OL]. " + (f"{dates}. " if dates else "") + f"{url}."


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


def block_quote(text: str) -> str:
    """Prefix every line of ``text`` with ``"> "``, keeping its line endings (``\\n``, ``\\r\\n``, ``\\r``).

    The result ends with a line ending only when ``text`` does. An empty text gives ``">"``.
    """
    lines = _LINE.findall(text)
    if not lines:
        return ">"
    return "".join("> " + line for line in lines)


def md_escape(text: str) -> str:
    """Backslash-escape the characters that could turn literal text into Markdown syntax."""
    return _MD_SPECIAL.sub(lambda match: "\\" + match.group(), text)


def md_link(url: str) -> str:
    """``[url](url)`` with the text escaped and the destination made safe (spaces, parentheses)."""
    destination = "".join(_URL_UNSAFE.get(ch, ch) for ch in url)
    return f"[{md_escape(url)}]({destination})"


def markdown_block(quote: str, reference: str, permalink: str = "") -> str:
    """The ``markdown`` style: block quote, blank line, escaped citation line, optional link."""
    quoted = block_quote(quote)
    if not quoted.endswith("\n"):
        quoted += "\n"  # after a final "\r" this makes one "\r\n" line ending
    out = f"{quoted}\n{md_escape(reference)}"
    if permalink:
        out += f"\n\n{md_link(permalink)}"
    return out
