"""The one place that formats and parses ids of documents, clauses, measures and targets.

* document: the file stem when it is ``[A-Za-z0-9_-]{1,64}``, else ``doc-`` + 12 hex of sha1(relative path);
  a stem taken by another file gets ``-`` + 8 hex (``kb.build.scan.assign_ids``). Never contains a dot.
* clause: ``{doc}.s{p1}.{p2}…``, the 1-based ordinals along the outline path (``….s3.6`` is 三、(六)).
* measure: ``{doc}.m{same ordinals}`` as the clause it is.
* quantity: ``{doc}.t{clause ordinals or 0}-{k}`` for a target, ``{doc}.r{…}-{k}`` for a result; k is 1-based
  among the quantities (targets and results together) of that clause, so a quantity keeps its number when its
  kind changes and ``other_kind_id`` names what an old link meant.
* indicator series: ``ind.`` + 12 hex of sha1(region, indicator, dimension); never a document id (those have no
  dot) nor an item id (no ``.s``/``.m``/``.t``/``.r``), so ``type_of`` does not know it.

The *type* of an item (document, clause, measure, target, result) is what ``type_of`` reads from an id; it is
also the hit type of search (``kb.search.schema.TYPES``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

_ID_RE = re.compile(r"^([A-Za-z0-9_-]{1,80})(?:\.([smtr])([0-9.]+(?:-[0-9]+)?))?$")
_LETTERS = {None: "document", "s": "clause", "m": "measure", "t": "target", "r": "result"}
_QUANTITY_LETTER = {"target": "t", "result": "r"}
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


def quantity_id(doc_id: str, clause_ordinals: str, k: int, kind: str = "target") -> str:
    """A target's or a result's id; ``clause_ordinals`` as ``ordinals_of(clause_id)`` gives it ("3.6", or "0"
    when outside any clause)."""
    return f"{doc_id}.{_QUANTITY_LETTER[kind]}{clause_ordinals or '0'}-{k}"


def type_of(item_id: str) -> str | None:
    """'document', 'clause', 'measure', 'target' or 'result' by the id's shape alone (None when it has no known
    shape)."""
    m = _ID_RE.match(item_id)
    if m is None:
        return None
    return _LETTERS[m.group(2)]


def other_kind_id(quantity_id_: str) -> str:
    """The same quantity's id had its kind been the other one (``doc.t3-2`` ⇄ ``doc.r3-2``); "" for an id that is
    not a quantity's. An old link to a target that is now read as a result (or the other way) finds it so."""
    m = _ID_RE.match(quantity_id_)
    if m is None or m.group(2) not in ("t", "r"):
        return ""
    return f"{m.group(1)}.{'r' if m.group(2) == 't' else 't'}{m.group(3)}"


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
