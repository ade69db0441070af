"""The ``validity`` facet: every hit's document status on a given day (现行有效, 尚未施行, 已失效, 已修改, 已废止), from
the ``in_force`` column (``kb.extract.validity.status_on``) and what other documents say about it. Never stored:
the day is the search's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np

from kb.extract.validity import STATUSES, status_on
from kb.model import Validity
from kb.search.schema import IN_FORCE_FIELD, parse_in_force
from kb.search.whoosh.postings import Facet, IndexArrays


def validity_facet(arrays: IndexArrays, today: date, evidence: Mapping[str, str] | None = None) -> Facet:
    """Every hit's document status on ``today`` as a facet (codes into ``("", *STATUSES)``); ``evidence`` (document
    id → 已废止/已修改, what other documents say) overrides the status its own dates give."""
    values = ["", *STATUSES]
    code_of = {v: i for i, v in enumerate(values)}
    column = arrays.columns.get(IN_FORCE_FIELD)
    codes = np.zeros(arrays.size, dtype=np.int32)
    if column is not None:
        table = np.zeros(len(column.values), dtype=np.int32)
        for i, value in enumerate(column.values):
            if value:
                start, until, stated = parse_in_force(value)
                status, _ = status_on(Validity(in_force_from=start, in_force_until=until), stated, today)
                table[i] = code_of.get(status, 0)
        codes = table[column.codes]
        doc_facet = arrays.facets.get("doc")
        if evidence and isinstance(doc_facet, Facet):
            position = {v: i for i, v in enumerate(doc_facet.values)}
            override = np.full(len(doc_facet.values), -1, dtype=np.int32)
            for doc_id, stated in evidence.items():
                if doc_id in position and stated in code_of:
                    override[position[doc_id]] = code_of[stated]
            per_hit = override[doc_facet.codes]
            codes = np.where(per_hit >= 0, per_hit, codes)
    return Facet(values, codes)
