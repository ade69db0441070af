"""The checks of each curation action (``CHECKS``): a decision against the live index — the item exists, the change
is a change, the user may make it — completed with what the editor saw (``old``) and the anchors of its items in
the document's text (``kb.extract.curation``). ``web.workspace.curate.record_decision`` runs them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from kb import ids
from kb.config import config_file
from kb.extract.curation import (
    DOCUMENT_FIELD_BY_NAME,
    KIND_LABELS,
    QUANTITY_FIELDS,
    Decision,
    cancelled,
    editable_fields,
    get_field,
    mention_anchor,
    text_anchor,
    trim,
)
from kb.extract.indicators import Series, series_key_of
from kb.extract.quantities import explain
from kb.model import RESULT, TARGET, Document, Quantity
from kb.present import format_value
from kb.store.knowledge import KnowledgeReader
from kb.text.units import load_units
from web.pages import Invalid, Missing

MAX_SELECTION = 300  # characters of text a new target may be selected from


class Forbidden(PermissionError):
    """The user may not make this decision (403); the message says why."""


# ---------------------------------------------------------------------------------------------- helpers


def _text_of(kb: KnowledgeReader, doc_id: str) -> str:
    dkb = kb.document_kb(doc_id)
    if dkb is None:
        raise Missing(f"没有编号为 {doc_id} 的文件。")
    return dkb.document.text


def _quantity(kb: KnowledgeReader, item_id: str) -> Quantity:
    """A target or result by its id, or by the id an old link used before its kind changed."""
    found = kb.quantity(item_id) or (
        kb.quantity(ids.other_kind_id(item_id)) if ids.other_kind_id(item_id) else None
    )
    if found is None:
        raise Missing(f"没有编号为 {item_id} 的目标或实绩。")
    return found


def _series(kb: KnowledgeReader, series_id: str) -> Series:
    found = kb.indicator(series_id)
    if found is None:
        raise Missing(f"没有编号为 {series_id} 的指标序列。")
    return found


def _series_anchor(series: Series) -> dict[str, Any]:
    return {"key": list(series_key_of(series)), "title": series.title}


def machine_value(document: Document, name: str) -> Any:
    """What the machine read for a document field: the value before the first staff decision on it."""
    for entry in document.curated:
        was = entry.get("was") or {}
        if name in was:
            return was[name]
    spec = DOCUMENT_FIELD_BY_NAME[name]
    path = spec.path_on(document)
    return get_field(document, path) if path else ""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return float(a) == float(b)
    return ("" if a is None else str(a)).strip() == ("" if b is None else str(b)).strip()


@functools.lru_cache(maxsize=4)
def _units(_path: str) -> dict[str, str]:
    return load_units(config_file("units.txt"))


_LEAD_RE = re.compile(
    r"^(?:[，,、；;：:\s]|到\d{4}年|力争|争取|确保|实现|完成|全市|全区|全县|全省|全国|新增|净增|累计)+"
)
_TRAIL_RE = re.compile(
    r"(?:达到|达|增长|提高到|提高至|提升到|增加到|增加|为|至|到|超过|突破|不低于|不少于|保持在|控制在|[，,、\s])+$"
)


def parse_selection(selected: str) -> dict[str, Any]:
    """What a selected piece of text says, as defaults for a new target: indicator, value, unit (each may be
    missing; the editor's own values win). The number is the first one with a unit (``kb.extract.quantities``)."""
    units = _units(str(config_file("units.txt")))
    found = next(
        (c for c in explain(selected, units) if c.unit and c.rule not in ("year", "not_a_number")), None
    )
    if found is None:
        return {}
    out: dict[str, Any] = {"value": found.value, "unit": found.unit}
    at = selected.find(found.mention)
    indicator = _TRAIL_RE.sub("", _LEAD_RE.sub("", selected[: max(0, at)]))
    if len(indicator) < 2:  # "培育科技型企业350家": the noun after the number
        indicator = re.sub(r"^[以上左右多余]+", "", selected[at + len(found.mention) :]).strip("，,。；; ")
    if 2 <= len(indicator) <= 60:
        out["indicator"] = indicator
    return out


# ---------------------------------------------------------------------------------------------- checks

Check = Callable[[KnowledgeReader, Decision, Mapping[str, Any], str, bool], dict[str, Any]]


def _link(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _user: str, _admin: bool
) -> dict[str, Any]:
    measure, target = kb.measure(d.measure), kb.target(d.target)
    if measure is None:
        raise Missing(f"没有编号为 {d.measure} 的措施。")
    if target is None:
        raise Missing(f"没有编号为 {d.target} 的目标。")
    linked = measure.id in target.measure_ids
    if d.action == "confirm_link" and not linked:
        raise Invalid("该目标与措施尚未关联：请用“新增关联”。")
    if d.action == "add_link" and linked:
        raise Invalid("该关联已存在：如需确认，请用“确认关联”。")
    if d.action == "reject_link" and not linked:
        raise Invalid("该目标与措施没有关联，无需否决。")
    text = _text_of(kb, measure.doc_id)
    return {
        "measure_number": measure.number,
        "measure_headline": measure.headline[:200],
        "target_indicator": target.indicator,
        "target_value": format_value(target),
        "old": {"linked": linked},
        "anchors": {
            "measure": text_anchor(text, measure.span),
            "target": text_anchor(text, target.mention_span),
        },
    }


def _not_target(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    target = kb.target(d.target)
    if target is None:
        raise Missing(f"没有编号为 {d.target} 的目标。")
    return {
        "target_indicator": target.indicator,
        "target_value": format_value(target),
        "old": {"kind": target.kind},
        "anchors": {"target": text_anchor(_text_of(kb, target.doc_id), target.mention_span)},
    }


def _measure_snapshot(kb: KnowledgeReader, d: Decision) -> tuple[Any, dict[str, Any]]:
    measure = kb.measure(d.measure)
    if measure is None:
        raise Missing(f"没有编号为 {d.measure} 的措施。")
    return measure, {
        "measure_number": measure.number,
        "measure_headline": measure.headline[:200],
        "anchors": {"measure": text_anchor(_text_of(kb, measure.doc_id), measure.span)},
    }


def _set_categories(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    known = {c.name for c in kb.categories}
    unknown = [c for c in d.categories if c not in known]
    if unknown:
        raise Invalid(f"未知的类别：{'、'.join(unknown[:5])}")
    measure, extra = _measure_snapshot(kb, d)
    return {**extra, "old": {"categories": list(measure.categories)}}


def _not_measure(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    measure, extra = _measure_snapshot(kb, d)
    return {**extra, "old": {"number": measure.number, "headline": measure.headline[:200]}}


def _edit_measure(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    measure, extra = _measure_snapshot(kb, d)
    if _same(measure.headline, d.fields.get("headline")):
        raise Invalid("措施标题没有变化。")
    return {**extra, "old": {"headline": measure.headline}}


def addable_clause(kb: KnowledgeReader, clause_id: str) -> str:
    """ "" when the clause may be made a measure, else why not."""
    found = kb.clause(clause_id)
    if found is None:
        return f"没有编号为 {clause_id} 的条款。"
    clause, _trail = found
    doc_id = ids.document_of(clause_id)
    for measure in kb.measures(doc_id=doc_id):
        if measure.clause_id == clause.id:
            return "该条款已是措施。"
        a, b = measure.span
        if a < clause.span[1] and clause.span[0] < b:
            return f"该条款与措施{measure.number}重叠（措施不能互相包含）。"
    return ""


def _add_measure(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    why = addable_clause(kb, d.clause)
    if why.startswith("没有编号"):
        raise Missing(why)
    if why:
        raise Invalid(why)
    found = kb.clause(d.clause)
    assert found is not None
    clause = found[0]
    text = _text_of(kb, ids.document_of(d.clause))
    return {
        "measure_number": clause.label,
        "measure_headline": clause.heading[:200],
        "old": {"measure": False},
        "anchors": {"clause": text_anchor(text, clause.span)},
    }


def _set_document(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    document = kb.document(d.document)
    if document is None:
        raise Missing(f"没有编号为 {d.document} 的文件。")
    offered = {f.name for f in editable_fields(document)}
    missing = [DOCUMENT_FIELD_BY_NAME[n].label for n in d.fields if n not in offered]
    if missing:
        raise Invalid(f"本库的文件没有“{'、'.join(missing)}”一项。")
    old, fields, extracted = {}, {}, {}
    for name, value in d.fields.items():
        spec = DOCUMENT_FIELD_BY_NAME[name]
        path = spec.path_on(document)
        assert path is not None
        current = get_field(document, path)
        if _same(current, value):
            continue
        old[name], fields[name], extracted[name] = current, value, machine_value(document, name)
    if not fields:
        raise Invalid("没有修改任何信息。")
    return {"fields": fields, "old": old, "anchors": {"extracted": extracted}}


def _quantity_extra(kb: KnowledgeReader, quantity: Quantity) -> dict[str, Any]:
    return {
        "item": quantity.id,
        "target_indicator": quantity.indicator,
        "target_value": format_value(quantity),
        "anchors": {"item": text_anchor(_text_of(kb, quantity.doc_id), quantity.mention_span)},
    }


def _set_kind(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    quantity = _quantity(kb, d.item)
    if d.kind == quantity.kind:
        raise Invalid(f"它已经是{KIND_LABELS[d.kind]}。")
    fields = {k: v for k, v in d.fields.items() if v is not None}
    if ("deadline" in fields and d.kind != TARGET) or ("year" in fields and d.kind != RESULT):
        raise Invalid("期限只属于目标，所报告年份只属于实绩。")
    return {
        **_quantity_extra(kb, quantity),
        "fields": fields,
        "old": {"kind": quantity.kind, "value": quantity.value},
    }


def _edit_quantity(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    quantity = _quantity(kb, d.item)
    for name in d.fields:
        spec = next(f for f in QUANTITY_FIELDS if f.name == name)
        if quantity.kind not in spec.kinds:
            raise Invalid(f"{KIND_LABELS[quantity.kind]}没有“{spec.label}”一项。")
    fields = {k: v for k, v in d.fields.items() if not _same(getattr(quantity, k), v)}
    if not fields:
        raise Invalid("没有修改任何字段。")
    low = fields.get("value", quantity.value)
    high = fields.get("value_max", quantity.value_max)
    if high is not None and low is not None and high < low:
        raise Invalid("数值上限不能小于数值。")
    old = {k: getattr(quantity, k) for k in fields} | {"value": quantity.value}
    return {**_quantity_extra(kb, quantity), "fields": fields, "old": old}


def _selection(text: str, data: Mapping[str, Any]) -> tuple[int, int]:
    """The span of a new target: ``span`` [start, end] (checked against ``text`` when both are given), or the one
    place ``text`` occurs."""
    wanted = data.get("text") if isinstance(data.get("text"), str) else ""
    span = data.get("span")
    if isinstance(span, list | tuple) and len(span) == 2:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError):
            raise Invalid("span 须为两个整数 [起, 止]。") from None
        if not 0 <= start < end <= len(text):
            raise Invalid("选中的位置超出了文件正文。")
        if wanted and text[start:end] != wanted:
            raise Invalid("选中的文字与原文不符：页面可能已过期，请刷新后重新选择。")
    elif wanted.strip():
        start = text.find(wanted)
        if start < 0:
            raise Invalid("原文中没有这段文字（须逐字照录）。")
        if text.find(wanted, start + 1) >= 0:
            raise Invalid("这段文字在原文中出现多处：请在文件页面上直接选中，或多选几个字。")
        end = start + len(wanted)
    else:
        raise Invalid("请在文件正文中选中目标的文字（span 或 text）。")
    start, end = trim(text, (start, end))
    if end - start > MAX_SELECTION or end <= start:
        raise Invalid(f"选中的文字须为 1—{MAX_SELECTION} 字。")
    return start, end


def _add_target(
    kb: KnowledgeReader, d: Decision, data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    text = _text_of(kb, d.document)
    start, end = _selection(text, data)
    for quantity in kb.quantities(doc_id=d.document):
        a, b = quantity.mention_span
        if a < end and start < b:
            if quantity.kind == TARGET:
                raise Invalid(f"该处已有目标：{quantity.indicator} {format_value(quantity)}。")
            raise Invalid(f"该处已识别为实绩（{quantity.indicator}），请在它的页面上改为目标。")
    fields = {
        **parse_selection(text[start:end]),
        **{k: v for k, v in d.fields.items() if v not in (None, "")},
    }
    for name, label in (("indicator", "指标"), ("value", "数值"), ("unit", "单位")):
        if fields.get(name) in (None, ""):
            raise Invalid(f"没能从选中的文字读出{label}，请填写。")
    return {
        "fields": fields,
        "target_indicator": str(fields["indicator"]),
        "old": {"kind": None},
        "anchors": {"span": text_anchor(text, (start, end))},
    }


def _merge_series(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    series, into = _series(kb, d.series), _series(kb, d.into)
    if series.dimension != into.dimension:
        raise Invalid(f"口径不同，不能合并：{series.title} 与 {into.title}。")
    return {
        "old": {"series": series.title, "into": into.title},
        "anchors": {"series": _series_anchor(series), "into": _series_anchor(into)},
    }


def _split_series(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    series = _series(kb, d.series)
    points = {p.item_id for p in series.points}
    outside = [i for i in d.items if i not in points]
    if outside:
        raise Invalid(f"{outside[0]} 不在该指标序列中。")
    if set(d.items) >= points:
        raise Invalid("不能拆出全部数据点：请只选择不属于该指标的那些。")
    return {
        "old": {"series": series.title},
        "anchors": {
            "series": _series_anchor(series),
            "items": [mention_anchor(_quantity(kb, i)) for i in d.items],
        },
    }


def _explain_conflict(
    kb: KnowledgeReader, d: Decision, _data: Mapping[str, Any], _u: str, _a: bool
) -> dict[str, Any]:
    series = _series(kb, d.series)
    conflict = next((c for c in series.conflicts if c.year == d.year), None)
    if conflict is None:
        raise Invalid(f"该指标序列 {d.year} 年没有目标冲突。")
    previous = kb.conflict_notes(series.id).get(d.year, {}).get("note", "")
    return {
        "old": {"note": previous},
        "anchors": {"series": _series_anchor(series), "values": list(conflict.values)},
    }


def _undo(
    kb: KnowledgeReader, d: Decision, data: Mapping[str, Any], user: str, admin: bool
) -> dict[str, Any]:
    decisions: list[Decision] = data["_decisions"]
    target = next((x for x in decisions if x.seq == d.decision), None)
    if target is None:
        raise Missing(f"没有编号为 {d.decision} 的决定。")
    if target.seq in cancelled(decisions):
        raise Invalid(f"第 {target.seq} 条决定已被撤销。")
    if target.user != user and not admin:
        raise Forbidden("只有管理员可以撤销他人的决定。")
    scope = {"series": target.series} if target.scope == "series" else {"document": target.doc_id}
    return {**scope, "old": {"action": target.action, "user": target.user, "time": target.time}}


CHECKS: dict[str, Check] = {
    "confirm_link": _link,
    "reject_link": _link,
    "add_link": _link,
    "not_target": _not_target,
    "set_categories": _set_categories,
    "set_document": _set_document,
    "not_measure": _not_measure,
    "add_measure": _add_measure,
    "edit_measure": _edit_measure,
    "set_kind": _set_kind,
    "edit_quantity": _edit_quantity,
    "add_target": _add_target,
    "merge_series": _merge_series,
    "split_series": _split_series,
    "explain_conflict": _explain_conflict,
    "undo": _undo,
}
