"""What the list pages share: links that change one parameter, paging, and facet options with counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
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


# A status's class on the page (its colour).
_STATUS_CLASS = {
    "现行有效": "valid",
    "尚未施行": "pending",
    "已失效": "expired",
    "已修改": "amended",
    "已废止": "repealed",
}


def document_validity(kb: Any, doc: Any, today: date) -> dict[str, Any]:
    """A document's validity as a legal database shows it: 文种; 效力级别 (and why); 施行日期, last day in force
    and the words that say so; its status on ``today`` (现行有效, 尚未施行, 已失效, 已修改, 已废止) and why, with the
    document that says so; a plan's period and whether it has ended; the source's history lines."""
    from kb.extract.doctype import period_status, plan_period
    from kb.extract.validity import status_on
    from kb.urls import document_url

    period = plan_period(doc.title)
    law = kb.law_status(doc.id)
    v = doc.validity
    status, why = status_on(v, law.status, today)
    reason = law.reason if law.status and status == law.status else why
    by = law.by if law.status and status == law.status else ""
    return {
        "genre": doc.genre,
        "level": v.level,
        "level_basis": v.level_basis,
        "in_force_from": v.in_force_from,
        "from_basis": v.from_basis,
        "in_force_until": v.in_force_until,
        "until_basis": v.until_basis,
        "status": status,
        "reason": reason,
        "by": by,
        "by_url": document_url(by) if by else "",
        "status_class": _STATUS_CLASS.get(status, ""),
        "period": str(period) if period else "",
        "period_start": period.start if period else None,
        "period_end": period.end if period else None,
        "period_status": period_status(period, today.year),
        "history": list(law.history),
    }


def validity_json(data: dict[str, Any]) -> dict[str, Any]:
    """The public JSON ``validity`` of a document (from ``document_validity``)."""
    return {
        "level": data["level"],
        "in_force_from": data["in_force_from"],
        "in_force_until": data["in_force_until"],
        "status": data["status"],
        "reason": data["reason"],
        "basis": {
            "level": data["level_basis"],
            "in_force_from": data["from_basis"],
            "in_force_until": data["until_basis"],
        },
        "by": data["by"],
    }
