"""A decision's JSON form validated into a ``Decision`` (``make_decision``): the body of POST /api/curation, or
a line of ``curation.jsonl`` (``decision_from_line``). One reader per action checks its ids and values; a problem
raises ``CurationError`` with a Chinese message. Re-exported by ``kb.store.curation``."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from kb import ids
from kb.extract.curation import (
    ACTIONS,
    DOCUMENT_FIELD_BY_NAME,
    KINDS,
    LINK_ACTIONS,
    QUANTITY_FIELD_BY_NAME,
    Decision,
    DocumentField,
    QuantityField,
)

MAX_CATEGORIES = 20
MAX_CATEGORY_CHARS = 40
MAX_LABEL_CHARS = 200
MAX_USER_CHARS = 64
MAX_NOTE_CHARS = 500
MAX_SERIES_NAME_CHARS = 40
MAX_ITEMS = 200
MAX_SPAN_CHARS = 300
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class CurationError(ValueError):
    """A decision that cannot be recorded; the message says why (in Chinese)."""


def _item_id(value: Any, kind: str | tuple[str, ...], label: str) -> str:
    kinds = (kind,) if isinstance(kind, str) else kind
    if not isinstance(value, str) or not value.strip():
        raise CurationError(f"缺少{label}编号（{kinds[0]}）。")
    value = value.strip()
    if len(value) > 120 or ids.type_of(value) not in kinds:
        raise CurationError(f"{label}编号格式不正确：{value[:120]}")
    return value


def _series_id(value: Any, label: str = "指标序列") -> str:
    if not isinstance(value, str) or not ids.is_series_id(value.strip()):
        raise CurationError(f"{label}编号格式不正确（应为 ind. 加 12 位十六进制）：{str(value)[:40]}")
    return value.strip()


def _text(value: Any, limit: int = MAX_LABEL_CHARS) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _plain(value: Any, label: str, limit: int, *, required: bool = False) -> str:
    """A short one-line text an editor typed: trimmed, bounded, no control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise CurationError(f"{label}须为文字。")
    text = " ".join(str(value).split())
    if _CONTROL_RE.search(text):
        raise CurationError(f"{label}含有控制字符。")
    if len(text) > limit:
        raise CurationError(f"{label}不能超过 {limit} 字。")
    if required and not text:
        raise CurationError(f"{label}不能为空。")
    return text


def document_value(spec: DocumentField, value: Any) -> str:
    """A document field's new value, checked by its form (text, date, url, choice)."""
    text = _plain(value, spec.label, spec.max_chars, required=spec.required)
    if not text:
        return text
    if spec.form == "date":
        m = _DATE_RE.match(text)
        if m is None:
            raise CurationError(f"{spec.label}须写作 YYYY-MM-DD（或 YYYY、YYYY-MM）：{text[:20]}")
        year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
        try:
            date(year, month, day)
        except ValueError:
            raise CurationError(f"{spec.label}不是有效的日期：{text[:20]}") from None
        if not 1949 <= year <= 2100:
            raise CurationError(f"{spec.label}的年份须在 1949—2100 之间。")
    elif spec.form == "url":
        if not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE) or " " in text:
            raise CurationError(f"{spec.label}须为 http:// 或 https:// 开头的网址。")
    elif spec.form == "choice" and spec.choices and text not in spec.choices:
        raise CurationError(f"{spec.label}只能是：{'、'.join(spec.choices)}")
    return text


def quantity_value(spec: QuantityField, value: Any) -> Any:
    """A quantity field's new value: text, a finite number, or a year (``None`` clears a year or an upper bound)."""
    if spec.form == "text":
        return _plain(value, spec.label, spec.max_chars, required=spec.name in ("indicator", "unit"))
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.name == "value":
            raise CurationError("数值不能为空。")
        return None
    try:
        number = float(str(value).strip().replace(",", "")) if not isinstance(value, int | float) else value
    except ValueError:
        raise CurationError(f"{spec.label}须为数字：{str(value)[:20]}") from None
    if isinstance(number, bool) or not math.isfinite(float(number)):
        raise CurationError(f"{spec.label}须为有限的数字。")
    if spec.form == "year":
        if float(number) != int(number) or not 1949 <= int(number) <= 2100:
            raise CurationError(f"{spec.label}须为 1949—2100 之间的年份。")
        return int(number)
    return float(number)


def _fields(data: Mapping[str, Any], check: Any, table: Mapping[str, Any], what: str) -> dict[str, Any]:
    raw = data.get("fields")
    if not isinstance(raw, Mapping) or not raw:
        raise CurationError(f"缺少要修改的{what}（fields）。")
    out = {}
    for name, value in raw.items():
        spec = table.get(name)
        if spec is None:
            raise CurationError(f"不能修改的{what}：{str(name)[:40]}（可改：{'、'.join(table)}）")
        out[str(name)] = check(spec, value)
    return out


def _json_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def make_decision(data: Mapping[str, Any], *, user: str = "", time: str = "", seq: int = 0) -> Decision:
    """A validated decision from its JSON form (the body of POST /api/curation, or a line of the file).

    Raises ``CurationError`` with a Chinese message for an unknown action, a missing or malformed id, a link
    between two documents, a field that cannot be edited or a value of the wrong form.
    """
    if not isinstance(data, Mapping):
        raise CurationError("决定须为 JSON 对象。")
    action = data.get("action")
    if action not in ACTIONS:
        raise CurationError(f"未知的操作：{str(action)[:40]}（可选：{'、'.join(ACTIONS)}）")
    fields: dict[str, Any] = {
        "seq": seq,
        "action": action,
        "user": user or _text(data.get("user"), MAX_USER_CHARS),
        "time": time or _text(data.get("time"), 40),
        "old": _json_dict(data.get("old")),
        "anchors": _json_dict(data.get("anchors")),
    }
    fields.update(_ACTION_FIELDS[action](data, action))
    for key in ("measure_number", "measure_headline", "target_indicator", "target_value"):
        fields[key] = _text(data.get(key))
    return Decision(**fields)


# What each action reads of its JSON form (``make_decision``): one reader per action, each raising
# ``CurationError`` for what it cannot accept.


def _link_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    fields = {
        "target": _item_id(data.get("target"), "target", "目标"),
        "measure": _item_id(data.get("measure"), "measure", "措施"),
    }
    if ids.document_of(fields["target"]) != ids.document_of(fields["measure"]):
        raise CurationError("目标与措施须出自同一文件，才能关联。")
    return fields


def _not_target_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    return {"target": _item_id(data.get("target"), "target", "目标")}


def _categories_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    measure = _item_id(data.get("measure"), "measure", "措施")
    categories = data.get("categories")
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise CurationError('类别须为名称列表，如 ["知识产权"]。')
    names = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if len(names) > MAX_CATEGORIES or any(len(c) > MAX_CATEGORY_CHARS for c in names):
        raise CurationError(f"类别最多 {MAX_CATEGORIES} 个，每个不超过 {MAX_CATEGORY_CHARS} 字。")
    return {"measure": measure, "categories": tuple(names)}


def _document_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    document = _item_id(data.get("document"), "document", "文件")
    return {"document": document, "fields": _fields(data, document_value, DOCUMENT_FIELD_BY_NAME, "文件信息")}


def _measure_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"measure": _item_id(data.get("measure"), "measure", "措施")}
    if action == "edit_measure":
        raw = data.get("fields") if isinstance(data.get("fields"), Mapping) else {}
        headline = raw.get("headline", data.get("headline")) if isinstance(raw, Mapping) else None
        fields["fields"] = {"headline": _plain(headline, "措施标题", MAX_LABEL_CHARS, required=True)}
    return fields


def _add_measure_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    return {"clause": _item_id(data.get("clause"), "clause", "条款")}


def _quantity_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"item": _item_id(data.get("item"), ("target", "result"), "目标或实绩")}
    if action == "set_kind":
        kind = data.get("kind")
        if kind not in KINDS:
            raise CurationError(f"kind 只能是 {'、'.join(KINDS)}（目标、实绩、不是数量）。")
        fields["kind"] = kind
        extra = {k: v for k, v in _json_dict(data.get("fields")).items() if k in ("year", "deadline")}
        fields["fields"] = {k: quantity_value(QUANTITY_FIELD_BY_NAME[k], v) for k, v in extra.items()}
    else:
        fields["fields"] = _fields(data, quantity_value, QUANTITY_FIELD_BY_NAME, "数量字段")
    return fields


def _add_target_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    document = _item_id(data.get("document"), "document", "文件")
    # An empty field is one the server reads from the selected words.
    raw = {k: v for k, v in _json_dict(data.get("fields")).items() if v not in (None, "")}
    unknown = [k for k in raw if k not in QUANTITY_FIELD_BY_NAME or k == "year"]
    if unknown:
        raise CurationError(f"新增目标不能设定：{'、'.join(map(str, unknown))[:60]}")
    return {
        "document": document,
        "fields": {k: quantity_value(QUANTITY_FIELD_BY_NAME[k], v) for k, v in raw.items()},
    }


def _merge_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    fields = {
        "series": _series_id(data.get("series")),
        "into": _series_id(data.get("into"), "合并到的指标序列"),
    }
    if fields["series"] == fields["into"]:
        raise CurationError("不能把指标序列合并到它自己。")
    return fields


def _split_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    series = _series_id(data.get("series"))
    items = data.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise CurationError(f"请列出要拆出的目标或实绩（items，1—{MAX_ITEMS} 个编号）。")
    chosen = tuple(dict.fromkeys(_item_id(i, ("target", "result"), "目标或实绩") for i in items))
    name = _plain(
        _json_dict(data.get("fields")).get("name", data.get("name")), "新指标名称", MAX_SERIES_NAME_CHARS
    )
    return {"series": series, "items": chosen, "fields": {"name": name} if name else {}}


def _conflict_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    series = _series_id(data.get("series"))
    year = data.get("year")
    try:
        number = int(year)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CurationError("请给出冲突的年份（year）。") from None
    return {
        "series": series,
        "year": number,
        "note": _plain(data.get("note"), "说明", MAX_NOTE_CHARS, required=True),
    }


def _undo_fields(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    try:
        fields: dict[str, Any] = {"decision": int(data.get("decision"))}  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CurationError("请给出要撤销的决定编号（decision）。") from None
    if fields["decision"] < 1:
        raise CurationError("决定编号须为正整数。")
    if data.get("document"):
        fields["document"] = _item_id(data.get("document"), "document", "文件")
    elif data.get("series"):
        fields["series"] = _series_id(data.get("series"))
    return fields


_ACTION_FIELDS: dict[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
    **dict.fromkeys(LINK_ACTIONS, _link_fields),
    "not_target": _not_target_fields,
    "set_categories": _categories_fields,
    "set_document": _document_fields,
    "not_measure": _measure_fields,
    "edit_measure": _measure_fields,
    "add_measure": _add_measure_fields,
    "set_kind": _quantity_fields,
    "edit_quantity": _quantity_fields,
    "add_target": _add_target_fields,
    "merge_series": _merge_fields,
    "split_series": _split_fields,
    "explain_conflict": _conflict_fields,
    "undo": _undo_fields,
}
assert set(_ACTION_FIELDS) == set(ACTIONS), "every action needs a reader of its fields"


def decision_from_line(line: str, seq: int) -> Decision:
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise CurationError(f"不是 JSON：{exc}") from None
    if not isinstance(data, dict):
        raise CurationError("不是 JSON 对象")
    return make_decision(data, seq=int(data.get("seq") or seq))
