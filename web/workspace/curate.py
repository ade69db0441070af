"""Recording staff decisions (``POST /api/curation`` and the forms on the public pages) and the edit panels.

``record_decision`` checks a decision against the live index (the item exists, the change is a change, the
user may make it), completes it with what the editor saw (``old``) and the anchors of its items in the
document's text (``kb.extract.curation``), appends it to ``curation.jsonl`` and queues a background build. The
checks of each action are the functions of ``CHECKS``. Data functions raise ``Missing`` / ``Invalid`` /
``Forbidden``; the views turn them into 404 / 400 / 403.

The checks are ``web.workspace.checks``, the edit panels' data ``web.workspace.panels``; their names are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kb.extract.curation import (
    ACTION_LABELS,
    DOCUMENT_FIELD_BY_NAME,
    KIND_LABELS,
    MEASURE_FIELDS,
    NONE,
    get_field,
)
from kb.store.curation import (
    PENDING,
    CurationError,
    CurationFile,
    DecisionStatus,
    make_decision,
)
from kb.store.knowledge import KnowledgeReader
from web.pages import Invalid
from web.workspace.checks import (
    CHECKS,
    MAX_SELECTION,
    Check,
    Forbidden,
    _same,
    addable_clause,
    machine_value,
    parse_selection,
)
from web.workspace.panels import clause_options, decision_for, document_form, quantity_form

SERVER_KEYS = frozenset(
    {
        "seq",
        "id",
        "user",
        "time",
        "old",
        "anchors",
        "measure_number",
        "measure_headline",
        "target_indicator",
        "target_value",
    }
)


def _prefilter(kb: KnowledgeReader, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A form posts every field of a document: only the changed ones are checked and recorded."""
    if data.get("action") != "set_document" or not isinstance(data.get("fields"), Mapping):
        return data
    document = kb.document(str(data.get("document") or ""))
    if document is None:
        return data
    kept = {}
    for name, value in data["fields"].items():
        spec = DOCUMENT_FIELD_BY_NAME.get(name)
        path = spec.path_on(document) if spec is not None else None
        if path is None or not _same(get_field(document, path), value):
            kept[name] = value
    return {**data, "fields": kept or data["fields"]}


def record_decision(
    folder: Any,
    kb: KnowledgeReader | None,
    data: Mapping[str, Any],
    user: str,
    *,
    admin: bool = False,
) -> dict[str, Any]:
    """Check a decision against the live index, append it to ``folder``'s decisions file; returns its JSON (the
    decision as recorded, with ``id`` and the state 待生效)."""
    if kb is None:
        raise Invalid("知识库索引尚未建立，暂不能修订。")
    log = CurationFile(folder)
    # Who, when, the old values, the anchors and the snapshots are the server's to write, never the client's.
    data = {k: v for k, v in _prefilter(kb, data).items() if k not in SERVER_KEYS}
    try:
        decision = make_decision(data, user=user)
    except CurationError as exc:
        raise Invalid(str(exc)) from None
    context = dict(data)
    if decision.action == "undo":
        context["_decisions"] = log.read()[0]
    extra = CHECKS[decision.action](kb, decision, context, user, admin)
    try:
        decision = make_decision({**decision.to_json(), **extra}, user=user)
    except CurationError as exc:
        raise Invalid(str(exc)) from None
    saved = log.append(decision)
    return DecisionStatus(saved, PENDING).to_json()


__all__ = [
    "ACTION_LABELS",
    "CHECKS",
    "KIND_LABELS",
    "MAX_SELECTION",
    "MEASURE_FIELDS",
    "NONE",
    "SERVER_KEYS",
    "Check",
    "Forbidden",
    "addable_clause",
    "clause_options",
    "decision_for",
    "document_form",
    "machine_value",
    "parse_selection",
    "quantity_form",
    "record_decision",
]
