"""The fields staff may edit, as data: ``DOCUMENT_FIELDS`` (``set_document``) and ``QUANTITY_FIELDS``
(``edit_quantity``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.extract.doctype import GENRES
from kb.extract.validity import STATUSES
from kb.model import RESULT, TARGET


@dataclass(frozen=True)
class DocumentField:
    """One field ``set_document`` can set. ``paths`` are where it may live on ``Document`` ("title", or
    "validity.in_force_from" inside a dict or object attribute): the first that exists is used, and a field none
    of whose paths exists is not offered. The list is data: a field the model gains is editable by adding a row."""

    name: str
    label: str
    paths: tuple[str, ...]
    form: str = "text"  # text | date | url | choice
    choices: tuple[str, ...] = ()
    max_chars: int = 200
    required: bool = False

    def path_on(self, document: Any) -> str | None:
        for path in self.paths:
            head, _, rest = path.partition(".")
            if not rest:
                if head in _attributes(document):
                    return path
                continue
            container = getattr(document, head, None)
            if isinstance(container, dict) or (container is not None and rest in _attributes(container)):
                return path
        return None


DOCUMENT_FIELDS: tuple[DocumentField, ...] = (
    DocumentField("title", "标题", ("title",), required=True),
    DocumentField("agency", "发文机关", ("agency",)),
    DocumentField("date", "成文日期", ("date",), "date"),
    DocumentField("published", "发布日期", ("published", "date_published")),
    DocumentField("doc_number", "文号", ("doc_number",), max_chars=60),
    DocumentField("genre", "文种", ("genre",), "choice", GENRES),
    DocumentField("status", "效力状态", ("validity.status", "status"), "choice", STATUSES),
    DocumentField("level", "效力级别", ("validity.level", "level"), max_chars=40),
    DocumentField("in_force_from", "施行日期", ("validity.in_force_from", "in_force_from"), "date"),
    DocumentField("in_force_until", "失效日期", ("validity.in_force_until", "in_force_until"), "date"),
    DocumentField("url", "来源网址", ("url",), "url", max_chars=500),
)
DOCUMENT_FIELD_BY_NAME = {f.name: f for f in DOCUMENT_FIELDS}


def _attributes(obj: Any) -> set[str]:
    fields_ = getattr(obj, "__dataclass_fields__", None)
    return set(fields_) if fields_ is not None else set(vars(obj)) if hasattr(obj, "__dict__") else set()


def editable_fields(document: Any) -> list[DocumentField]:
    """The fields of ``DOCUMENT_FIELDS`` this document (its model) has."""
    return [f for f in DOCUMENT_FIELDS if f.path_on(document) is not None]


def get_field(document: Any, path: str) -> Any:
    head, _, rest = path.partition(".")
    if not rest:
        return getattr(document, head)
    container = getattr(document, head)
    return container.get(rest, "") if isinstance(container, dict) else getattr(container, rest)


def set_field(document: Any, path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if not rest:
        setattr(document, head, value)
        return
    container = getattr(document, head)
    if isinstance(container, dict):
        container[rest] = value
    else:
        setattr(container, rest, value)


@dataclass(frozen=True)
class QuantityField:
    name: str
    label: str
    form: str  # text | number | year
    kinds: tuple[str, ...] = (TARGET, RESULT)  # the kinds it belongs to
    max_chars: int = 60


QUANTITY_FIELDS: tuple[QuantityField, ...] = (
    QuantityField("indicator", "指标", "text"),
    QuantityField("value", "数值", "number"),
    QuantityField("value_max", "数值上限", "number"),
    QuantityField("unit", "单位", "text", max_chars=12),
    QuantityField("qualifier", "限定", "text", max_chars=30),
    QuantityField("deadline", "期限（年）", "year", (TARGET,)),
    QuantityField("year", "所报告年份", "year", (RESULT,)),
)
QUANTITY_FIELD_BY_NAME = {f.name: f for f in QUANTITY_FIELDS}
MEASURE_FIELDS = ("headline",)
