"""The postings of one field of one hit, made straight from kb's analyzers: what Whoosh's ``FieldType.index`` gives.

``FieldType.index`` runs the format's ``word_values`` (patched in ``kb.search.whoosh.patches`` for kb's analyzers)
and re-yields every ``(term, frequency, weight, value)`` through a generator that encodes the term to UTF-8;
``field_items`` makes the same list in one pass for the text fields of kb's schema (``Positions`` and
``Frequency`` formats over kb's tokenizers, ``index_terms``), and for ``ID`` fields (one term: the value itself).
Anything else returns ``None`` and goes through Whoosh. Same terms, frequencies, weights (same float operations)
and encoded values; ``tests/test_build.py`` compares the segments byte for byte.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from whoosh import fields as whoosh_fields
from whoosh import formats
from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.system import pack_uint

from kb.search.analysis import index_terms, term_positions

_INDEX_OPTIONS = {"mode": "index"}
_EMPTY = b""


def field_items(field: Any, value: Any) -> list[tuple[bytes, int, float, bytes]] | None:
    """``list(field.index(value))`` for the fields kb's schema indexes, or ``None`` (ask Whoosh)."""
    if type(field).index is not whoosh_fields.FieldType.index or not isinstance(value, str):
        return None
    fmt = field.format
    kind = type(fmt)
    if kind is formats.Existence and type(field.analyzer) is IDTokenizer:
        # IDTokenizer yields the whole value as its one token; Existence gives (term, 1, boost, b"").
        return [(value.encode("utf-8"), 1, fmt.field_boost, _EMPTY)]
    if kind is not formats.Positions and kind is not formats.Frequency:
        return None
    terms = index_terms(field.analyzer, value, _INDEX_OPTIONS)
    if terms is None:
        return None
    boost = fmt.field_boost
    if kind is formats.Frequency:
        return [
            (term.encode("utf-8"), freq, float(freq) * boost, pack_uint(freq))
            for term, freq in Counter(terms).items()
        ]
    # Each value is a bytes object of its own, as Whoosh makes it: a block's values are pickled together, and
    # pickle writes a repeated object (not a repeated value) as a back-reference.
    encode = fmt.encode
    poses = term_positions(terms)
    return [(term.encode("utf-8"), len(p), float(len(p)) * boost, encode(p)) for term, p in poses.items()]
