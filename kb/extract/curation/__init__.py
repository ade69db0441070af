"""Staff decisions applied to the knowledge (pure; the decisions file and its validation are ``kb.store.curation``).

A ``Decision`` is one line of ``documents/curation.jsonl``: who decided what, when, the value before and after, and
the **anchor** of what it is about. ``ACTIONS`` is the table of actions and the layer each applies in:

=====================  ==========  ================================================================================
action                 layer       effect
=====================  ==========  ================================================================================
``set_document``       document    title, 发文机关, dates, 文号, 文种, validity, source URL (``DOCUMENT_FIELDS``)
``not_measure``        measures    the measure is no measure (dropped before categories and links)
``add_measure``        measures    a clause of the outline is a measure (numbered like the clause)
``edit_measure``       measures    the headline, a label (the verbatim text stays verbatim)
``set_categories``     categories  the measure's categories are exactly these (replacing the taxonomy's)
``not_target``         quantities  the sentence is no target (dropped before linking)
``set_kind``           quantities  target ↔ result ↔ ``none`` (no quantity); the id letter follows the kind
``edit_quantity``      quantities  indicator, value, unit, qualifier, deadline, reported year (``QUANTITY_FIELDS``)
``add_target``         quantities  a target the extractor missed, from a span of the text
``confirm_link`` …     links       ``confirm_link``, ``add_link`` (score 1.0, ``source="confirmed"``), ``reject_link``
``merge_series``       series      two indicator series are one (``SeriesCuration``, at every build's catalog step)
``split_series``       series      some points of a series are another indicator
``explain_conflict``   series      a 冲突 of a year is explained (a note; no longer queued for review)
``undo``               —           cancels a decision (an undo of an undo restores it)
=====================  ==========  ================================================================================

**Anchors.** Ids are positional and change when a document is re-analysed, so a decision is anchored to the
text: ``text_anchor`` keeps the span (trimmed of white space), a hash of its words (folded, white space removed:
``words``) and the first words and their length to find them again. ``TextIndex.locate`` takes the span when its
words still hash the same, else the occurrence of the same words nearest to the old place (the file was edited
elsewhere); when the words are nowhere the decision is **stale** with the reason, never applied elsewhere. The
item found must sit exactly at the located span (a measure's span, a clause's, a quantity's mention), else the
decision is stale too. A document field is anchored to the value the machine read (``anchors["extracted"]``):
when the machine now reads another value the decision is stale (unless it now reads the decided value). Series
decisions are anchored to the series' key (region, indicator, unit kind) and their points to their mentions.
Decisions made before anchors existed (ids and snapshots only) are applied as before.

**Order.** Within a layer, decisions apply in file order, so the latest on a subject wins; an ``undo`` removes
the decision it names from the file's effect (``cancelled``). ``subjects`` says what each decision is about (per
field for edits): a decision every subject of which a later one decides again is *superseded*.
``DocumentCuration`` applies one document's decisions in ``kb.extract.pipeline.analyse`` and records which applied
(``applied``) and which are stale (``stale``: seq → reason); every item a decision touched carries a mark in its
``curated`` list (seq, action, user, time), which the pages show as 已人工校对.

**Modules.** ``decisions`` (``ACTIONS``, ``Decision``, undo and supersession), ``fields`` (the editable fields as
data), ``anchors`` (text anchors, ``TextIndex``), ``document`` (``DocumentCuration``), ``series``
(``SeriesCuration``), ``stale`` (the reasons shown for stale decisions); every name is re-exported here.
"""

from __future__ import annotations

from kb.extract.curation.anchors import (
    Span,
    TextIndex,
    mention_anchor,
    sentence_span,
    snippet,
    text_anchor,
    trim,
    words,
    words_hash,
)
from kb.extract.curation.decisions import (
    ACTION_LABELS,
    ACTIONS,
    KIND_LABELS,
    KINDS,
    LINK_ACTIONS,
    NONE,
    SERIES_ACTIONS,
    Action,
    Decision,
    cancelled,
    effective,
    mark,
    superseded,
)
from kb.extract.curation.document import (
    DocumentCuration,
    default_deadline,
    id_of_kind,
    measure_of_clause,
    reported_year,
)
from kb.extract.curation.fields import (
    DOCUMENT_FIELD_BY_NAME,
    DOCUMENT_FIELDS,
    MEASURE_FIELDS,
    QUANTITY_FIELD_BY_NAME,
    QUANTITY_FIELDS,
    DocumentField,
    QuantityField,
    editable_fields,
    get_field,
    set_field,
)
from kb.extract.curation.series import SeriesCuration, SeriesKey, series_key
from kb.extract.curation.stale import (
    STALE_CONFLICT,
    STALE_FIELD,
    STALE_ITEMS,
    STALE_MEASURE,
    STALE_MEASURE_CHANGED,
    STALE_NO_CLAUSE,
    STALE_NO_FIELD,
    STALE_NO_MEASURE_HERE,
    STALE_NO_QUANTITY_HERE,
    STALE_NO_TARGET_HERE,
    STALE_OVERLAP,
    STALE_SERIES,
    STALE_TARGET,
    STALE_TARGET_CHANGED,
)

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "DOCUMENT_FIELDS",
    "DOCUMENT_FIELD_BY_NAME",
    "KINDS",
    "KIND_LABELS",
    "LINK_ACTIONS",
    "MEASURE_FIELDS",
    "NONE",
    "QUANTITY_FIELDS",
    "QUANTITY_FIELD_BY_NAME",
    "SERIES_ACTIONS",
    "STALE_CONFLICT",
    "STALE_FIELD",
    "STALE_ITEMS",
    "STALE_MEASURE",
    "STALE_MEASURE_CHANGED",
    "STALE_NO_CLAUSE",
    "STALE_NO_FIELD",
    "STALE_NO_MEASURE_HERE",
    "STALE_NO_QUANTITY_HERE",
    "STALE_NO_TARGET_HERE",
    "STALE_OVERLAP",
    "STALE_SERIES",
    "STALE_TARGET",
    "STALE_TARGET_CHANGED",
    "Action",
    "Decision",
    "DocumentCuration",
    "DocumentField",
    "QuantityField",
    "SeriesCuration",
    "SeriesKey",
    "Span",
    "TextIndex",
    "cancelled",
    "default_deadline",
    "editable_fields",
    "effective",
    "get_field",
    "id_of_kind",
    "mark",
    "measure_of_clause",
    "mention_anchor",
    "reported_year",
    "sentence_span",
    "series_key",
    "set_field",
    "snippet",
    "superseded",
    "text_anchor",
    "trim",
    "words",
    "words_hash",
]
