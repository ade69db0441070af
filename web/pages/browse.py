"""What the list pages share: links that change one parameter, paging, and facet options with counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from kb.search.schema import NOT_STATED

__all__ = ["NOT_STATED", "link_setting", "options", "page_count", "url_with"]


def url_with(
    path: str, params: Mapping[str, Any], names: Mapping[str, str] | None = None, **changes: Any
) -> str:
    """``path`` with the query string of ``params`` changed by ``changes`` (empty values and page 1 left out).

    ``names`` maps a parameter to its name in the URL where they differ (date_from → from)."""
    merged = {**params, **changes}
    query = {
        (names or {}).get(k, k): v
        for k, v in merged.items()
        if v not in (None, "") and not (k == "page" and v == 1)
    }
    return path + ("?" + urlencode(query) if query else "")


def link_setting(
    path: str, params: Mapping[str, Any], name: str, names: Mapping[str, str] | None = None
) -> Callable[[str | None], str]:
    """``value -> url`` of ``path`` with parameter ``name`` set to the value (None: removed) and page 1.

    The other parameters are encoded once (a facet has up to 30 options, a page up to six facets)."""
    prefix = url_with(path, {k: v for k, v in params.items() if k not in (name, "page")}, names)
    sep = "&" if "?" in prefix else "?"
    key = (names or {}).get(name, name)
    return lambda value: prefix if value in (None, "") else prefix + sep + urlencode({key: value})


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def run_paged(run: Callable[[int], Any], page: int, per_page: int) -> tuple[Any, int, int, bool]:
    """``run(page)`` for a page that exists: (result, page, pages, whether the asked page was beyond the last)."""
    result = run(page)
    pages = page_count(result.total, per_page)
    out_of_range = page > pages and result.total > 0
    if out_of_range:
        page = pages
        result = run(page)
    return result, page, pages, out_of_range


def options(
    counts: Iterable[tuple[str, int]],
    active: str | None,
    link: Callable[[str | None], str],
    label: Callable[[str], str] = lambda v: v,
) -> list[dict[str, Any]]:
    """Facet options: value, label, count, whether active, and the link that sets (or, when active, clears) it.

    The value ``NOT_STATED`` (未注明) stands for the items that lack a value; it filters like any other."""
    out = []
    for value, count in counts:
        is_active = active == value
        out.append(
            {
                "value": value,
                "label": label(value),
                "count": count,
                "active": is_active,
                "url": link(None if is_active else value),
            }
        )
    return out


# Documents that are in force or not (laws, regulations, rules); plans carry a period instead.
LAW_GENRES = frozenset({"法律", "条例", "规定", "办法", "规则", "解释", "细则", "决定", "命令"})
_STATUS_CLASS = {"现行有效": "valid", "已修改": "amended", "已废止": "repealed", "尚未生效": "pending"}


def document_validity(kb: Any, doc: Any, year: int) -> dict[str, Any]:
    """A document's 文种, a plan's period and whether it has ended in ``year``, and a law's validity as the
    sources say it (``kb.extract.validity``), with the document that says so."""
    from kb.extract.doctype import period_status, plan_period
    from kb.extract.validity import law_status
    from kb.urls import document_url

    genre = doc.genre
    period = plan_period(doc.title)
    out: dict[str, Any] = {
        "genre": genre,
        "period": str(period) if period else "",
        "period_start": period.start if period else None,
        "period_end": period.end if period else None,
        "period_status": period_status(period, year),
        "status": "",
        "reason": "",
        "by": "",
        "by_url": "",
        "status_class": "",
        "history": [],
    }
    if genre not in LAW_GENRES and not doc.status and not doc.history:
        return out
    abolishers = [kb.document(i) for i in kb.abolished_by(doc.id)]
    versions = [kb.document(i) for i in kb.same_title(doc.id)] if genre in LAW_GENRES else []
    validity = law_status(
        doc.status,
        doc.history,
        doc.date,
        abolished_by=[(d.id, d.title, d.date) for d in abolishers if d is not None],
        later_versions=[(d.id, d.date) for d in versions if d is not None],
    )
    out.update(
        status=validity.status,
        reason=validity.reason,
        by=validity.by,
        by_url=document_url(validity.by) if validity.by else "",
        status_class=_STATUS_CLASS.get(validity.status, ""),
        history=list(validity.history),
    )
    return out
