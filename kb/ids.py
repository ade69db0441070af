"""The one place that formats and parses ids of documents, clauses, measures and targets.

* document: the file stem when it is ``[A-Za-z0-9_-]{1,64}``, else ``doc-`` + 12 hex of sha1(relative path);
  a stem taken by another file gets ``-`` + 8 hex (``kb.store.build.assign_ids``). Never contains a dot.
* clause: ``{doc}.s{p1}.{p2}…``, the 1-based ordinals along the outline path (``….s3.6`` is 三、(六)).
* measure: ``{doc}.m{same ordinals}`` as the clause it is.
* target: ``{doc}.t{clause ordinals or 0}-{k}``, k 1-based among the targets of that clause.
* indicator series: ``ind.`` + 12 hex of sha1(region, indicator, unit kind); never a document id (those have no
  dot) nor an item id (no ``.s``/``.m``/``.t``), so ``kind_of`` does not know it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

_ID_RE = re.compile(r"^([A-Za-z0-9_-]{1,80})(?:\.([smt])([0-9.]+(?:-[0-9]+)?))?$")
_SERIES_RE = re.compile(r"^ind\.[0-9a-f]{12}$")


def document_of(item_id: str) -> str:
    """The document id an item id belongs to (``doc.s3.6`` → ``doc``)."""
    return item_id.split(".", 1)[0]


def _ordinals(ordinals: Sequence[int]) -> str:
    return ".".join(str(int(o)) for o in ordinals)


def clause_id(doc_id: str, ordinals: Sequence[int]) -> str:
    return f"{doc_id}.s{_ordinals(ordinals)}"


def measure_id(doc_id: str, ordinals: Sequence[int]) -> str:
    return f"{doc_id}.m{_ordinals(ordinals)}"


def target_id(doc_id: str, clause_ordinals: str, k: int) -> str:
    """``clause_ordinals`` as ``ordinals_of(clause_id)`` gives it ("3.6", or "0" when outside any clause)."""
    return f"{doc_id}.t{clause_ordinals or '0'}-{k}"


def kind_of(item_id: str) -> str | None:
    """'document', 'clause', 'measure' or 'target' by the id's shape alone (None when it has no known shape)."""
    m = _ID_RE.match(item_id)
    if m is None:
        return None
    return {None: "document", "s": "clause", "m": "measure", "t": "target"}[m.group(2)]


def ordinals_of(clause_or_measure_id: str) -> str:
    """The dotted ordinals of a clause or measure id ("3.6"), "" for anything else."""
    m = _ID_RE.match(clause_or_measure_id)
    return m.group(3) if m and m.group(2) in ("s", "m") else ""


def clause_of_measure(measure_id_: str) -> str:
    """The clause a measure is (``doc.m3.6`` → ``doc.s3.6``)."""
    return clause_id(document_of(measure_id_), [int(o) for o in ordinals_of(measure_id_).split(".") if o])


def ancestor_clause_ids(clause_id_: str) -> list[str]:
    """``doc.s3.6`` → ``["doc.s3", "doc.s3.6"]`` (root first); [] for an id that is not a clause's."""
    doc_id = document_of(clause_id_)
    parts = [p for p in ordinals_of(clause_id_).split(".") if p]
    return [f"{doc_id}.s" + ".".join(parts[: i + 1]) for i in range(len(parts))]


def parent_clause_id(clause_id_: str) -> str:
    """The enclosing clause's id, "" for a root clause."""
    ancestors = ancestor_clause_ids(clause_id_)
    return ancestors[-2] if len(ancestors) > 1 else ""


def series_id(region: str, indicator: str, dimension: str) -> str:
    """The stable, URL-safe id of an indicator series."""
    digest = hashlib.sha1(f"{region}\0{indicator}\0{dimension}".encode()).hexdigest()[:12]
    return f"ind.{digest}"


def is_series_id(value: str) -> bool:
    return bool(value) and _SERIES_RE.match(value) is not None
