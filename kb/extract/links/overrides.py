"""A bureau's ``links.toml``: links confirmed or rejected by hand (``load_overrides``, ``check_overrides``,
``apply_overrides``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import ids
from kb.model import Link, Measure, Quantity
from kb.text.normalize import fold


class OverridesError(ValueError):
    """A malformed links.toml; the message names the file and the problem."""


@dataclass(frozen=True)
class OverrideRule:
    """One [[confirm]] or [[reject]] entry of a links.toml."""

    action: str  # confirm | reject
    index: int  # 1-based position among the entries of the same action (for messages)
    measure: str  # measure id, or a measure number as written ("(六)") within the target's document
    target: str = ""  # target id; or empty and doc + indicator
    doc: str = ""
    indicator: str = ""

    def describe(self) -> str:
        who = self.target or f"{self.doc} / {self.indicator}"
        return f"[[{self.action}]] #{self.index} ({who} → {self.measure})"


@dataclass
class LinkOverrides:
    confirm: list[OverrideRule] = field(default_factory=list)
    reject: list[OverrideRule] = field(default_factory=list)
    source: str = ""

    def rules(self) -> list[OverrideRule]:
        return [*self.confirm, *self.reject]


def load_overrides(path: Path) -> LinkOverrides:
    """Read a bureau's ``links.toml``. A missing file means no overrides.

    Raises ``OverridesError`` naming the file and the problem when the file is malformed. Rules naming
    unknown targets or measures are not errors here: see ``check_overrides``.
    """
    path = Path(path)
    if not path.exists():
        return LinkOverrides(source=str(path))
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise OverridesError(f"links file {path}: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise OverridesError(f"links file {path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise OverridesError(f"links file {path}: cannot be read ({exc.strerror or exc})") from None
    unknown = set(doc) - {"confirm", "reject"}
    if unknown:
        raise OverridesError(
            f"links file {path}: unknown section(s) {', '.join(sorted(unknown))} "
            "(expected [[confirm]] and [[reject]])"
        )
    out = LinkOverrides(source=str(path))
    for action in ("confirm", "reject"):
        entries = doc.get(action, [])
        if not isinstance(entries, list):
            raise OverridesError(f"links file {path}: '{action}' must be written as [[{action}]] tables")
        for i, entry in enumerate(entries, 1):
            getattr(out, action).append(_parse_rule(path, action, i, entry))
    return out


def _parse_rule(path: Path, action: str, index: int, entry: Any) -> OverrideRule:
    where = f"links file {path}: [[{action}]] #{index}"
    if not isinstance(entry, dict):
        raise OverridesError(f"{where} is not a table")
    extra = set(entry) - {"target", "measure", "doc", "indicator"}
    if extra:
        raise OverridesError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    for key, value in entry.items():
        if not isinstance(value, str) or not value.strip():
            raise OverridesError(f"{where}: '{key}' must be a non-empty string")
    values = {k: v.strip() for k, v in entry.items()}
    if "measure" not in values:
        raise OverridesError(f"{where}: 'measure' is missing (a measure id or a number like \"(六)\")")
    if "target" not in values and not ("doc" in values and "indicator" in values):
        raise OverridesError(f"{where}: give 'target' (a target id) or both 'doc' and 'indicator'")
    return OverrideRule(action=action, index=index, **values)


def _norm_number(label: str) -> str:
    return re.sub(r"[\s()\[\]【】〔〕、.,:：]", "", fold(label))


def _norm_indicator(text: str) -> str:
    return re.sub(r"\s", "", fold(text))


def _doc_of_target_id(target_id: str) -> str:
    return ids.document_of(target_id) if ids.type_of(target_id) == "target" else ""


def _rule_targets(rule: OverrideRule, targets: Iterable[Quantity]) -> list[Quantity]:
    if rule.target:
        return [t for t in targets if t.id == rule.target]
    want = _norm_indicator(rule.indicator)
    return [t for t in targets if t.doc_id == rule.doc and _norm_indicator(t.indicator) == want]


def _rule_measures(rule: OverrideRule, doc_id: str, measures: Iterable[Measure]) -> list[Measure]:
    exact = [m for m in measures if m.id == rule.measure]
    if exact:
        return exact
    doc = rule.doc or doc_id
    want = _norm_number(rule.measure)
    if not want:
        return []
    return [m for m in measures if m.doc_id == doc and _norm_number(m.number) == want]


def rule_pairs(
    rule: OverrideRule, measures: list[Measure], targets: list[Quantity]
) -> list[tuple[Quantity, Measure]]:
    pairs = []
    for t in _rule_targets(rule, targets):
        for m in _rule_measures(rule, t.doc_id, measures):
            pairs.append((t, m))
    return pairs


def check_overrides(overrides: LinkOverrides, measures: list[Measure], targets: list[Quantity]) -> list[str]:
    """Warnings for rules naming a target or measure not among ``targets``/``measures`` (never raises).

    Call it with every measure and target of the documents the links.toml governs.
    """
    warnings = []
    for rule in overrides.rules():
        found = _rule_targets(rule, targets)
        if not found:
            warnings.append(f"{overrides.source}: {rule.describe()}: unknown target")
            continue
        doc_id = found[0].doc_id or _doc_of_target_id(found[0].id)
        chosen = _rule_measures(rule, doc_id, measures)
        if not chosen:
            warnings.append(f"{overrides.source}: {rule.describe()}: unknown measure")
        elif len(chosen) > 1:
            warnings.append(f"{overrides.source}: {rule.describe()}: ambiguous measure ({len(chosen)} match)")
    return warnings


def apply_overrides(
    links: list[Link], overrides: LinkOverrides, measures: list[Measure], targets: list[Quantity]
) -> list[Link]:
    rejected = {(t.id, m.id) for rule in overrides.reject for t, m in rule_pairs(rule, measures, targets)}
    confirmed = [
        (t.id, m.id)
        for rule in overrides.confirm
        for t, m in rule_pairs(rule, measures, targets)
        if (t.id, m.id) not in rejected
    ]
    kept = [lk for lk in links if (lk.target_id, lk.measure_id) not in rejected]
    existing = {(lk.target_id, lk.measure_id): lk for lk in kept}
    for pair in confirmed:
        old = existing.get(pair)
        if old is not None:
            old.score, old.source = 1.0, "confirmed"
        else:
            new = Link(pair[0], pair[1], 1.0, ["人工确认 confirmed in links.toml"], "confirmed")
            kept.append(new)
            existing[pair] = new
    return kept
