"""``SearchRequest``: the one spelling of a search, used by the engine, its backends, the CLI and the site.

A request is what was typed (``q``) and the filters, the field, the order and the window. ``from_params`` reads
it from URL or CLI parameters (bounded, with the old spellings still accepted: ``kind`` named the type of hit
before issue 15 and the genre until issue 21, ``from``/``to`` are the URL names of ``date_from``/``date_to``);
``to_params`` writes it back for links. Pure data: no I/O.

``match`` is how the words are matched (issue 25): ``broad`` (模糊, the default) segments unquoted text into words and
also finds their synonyms, narrower terms, quantities by value and the words jieba cuts otherwise; ``exact`` (精确)
matches every piece of the query as written, as a quoted phrase is in either mode (``kb.search.query``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

# The types of hit (``type=``); the labels live with the index schema (kb.search.schema.TYPE_LABELS).
TYPES = ("document", "measure", "target", "result", "clause")
SORTS = ("relevance", "date")
FIELDS = ("all", "title")
MATCHES = ("broad", "exact")  # 模糊 (default) | 精确
MAX_QUERY = 200  # characters of the query text
MAX_FILTER = 120  # characters of one filter value
MAX_LIMIT = 100
MAX_OFFSET = 10_000
# The filters, in the order forms and links list them.
FILTERS = (
    "type",
    "genre",
    "category",
    "doc",
    "agency",
    "year",
    "level",
    "validity",
    "doc_number",
    "date_from",
    "date_to",
)
# Parameter names in URLs where they differ from the request's.
URL_NAMES = {"date_from": "from", "date_to": "to"}


def _bounded(value: Any, size: int) -> str | None:
    text = str(value).strip()[:size] if value is not None else ""
    return text or None


@dataclass(frozen=True)
class SearchRequest:
    """One search: the query text, the filters (None = not filtered), the field, the order and the window."""

    q: str = ""
    type: str | None = None  # document | measure | target | result | clause
    genre: str | None = None  # 文种 (通知, 意见, 条例…), or 未注明
    category: str | None = None
    doc: str | None = None
    agency: str | None = None  # an agency, else the agencies containing the text
    year: str | None = None
    level: str | None = (
        None  # the document's 效力级别 (法律, 行政法规…, kb.extract.validity.LEVELS), or 未注明
    )
    validity: str | None = None  # its status today (现行有效, 尚未施行, 已失效, 已修改, 已废止), or 未注明
    doc_number: str | None = None  # a 文号 or part of one (国发 2019)
    date_from: str | None = None  # the document date, YYYY[-MM[-DD]]
    date_to: str | None = None
    field: str | None = None  # None (all fields) or "title"
    sort: str = "relevance"  # relevance | date
    match: str = "broad"  # broad (模糊) | exact (精确): every piece as written
    limit: int = 10
    offset: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "q", (self.q or "").strip()[:MAX_QUERY])
        for name in FILTERS:
            set_(self, name, _bounded(getattr(self, name), MAX_FILTER))
        if self.type is not None and self.type not in TYPES:
            set_(self, "type", None)
        set_(self, "field", "title" if self.field == "title" else None)
        set_(self, "sort", self.sort if self.sort in SORTS else "relevance")
        set_(self, "match", self.match if self.match in MATCHES else "broad")
        set_(self, "limit", max(1, min(int(self.limit), MAX_LIMIT)))
        set_(self, "offset", max(0, min(int(self.offset), MAX_OFFSET)))

    @property
    def filters(self) -> dict[str, str | None]:
        """Every filter by name (``FILTERS``), None where not set."""
        return {name: getattr(self, name) for name in FILTERS}

    @property
    def exact(self) -> bool:
        """Every piece of the query matched as written (``match=exact``)."""
        return self.match == "exact"

    @property
    def browse(self) -> bool:
        """No query text but at least one filter: list every hit the filters allow."""
        return not self.q and any(self.filters.values())

    def with_(self, **changes: Any) -> SearchRequest:
        return replace(self, **changes)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], **defaults: Any) -> SearchRequest:
        """A request from URL (or CLI) parameters: ``q``, the filters (``from``/``to`` for the dates), ``field``,
        ``sort``, ``match``; ``kind`` is read as ``type`` when it names a type of hit, else as ``genre`` (its old
        meanings); unknown names are ignored."""
        values: dict[str, Any] = dict(defaults)
        names = {f.name for f in fields(cls)}
        for key, value in params.items():
            name = {v: k for k, v in URL_NAMES.items()}.get(key, key)
            if name in names and value not in (None, ""):
                values[name] = value
        old = _bounded(params.get("kind"), MAX_FILTER)
        if old is not None:
            if old in TYPES:
                values.setdefault("type", old)
            else:
                values.setdefault("genre", old)
        return cls(**values)

    def to_params(self, *, window: bool = False) -> dict[str, Any]:
        """The URL parameters that repeat this request (empty and default values left out; with ``window`` the
        limit and offset too)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if key in ("limit", "offset") and not window:
                continue
            if value in (None, "") or (key, value) in (("sort", "relevance"), ("match", "broad")):
                continue
            out[URL_NAMES.get(key, key)] = value
        return out
