"""The analysis of a batch of hits for PostgreSQL (runs in the writer's analysis processes): each hit's index tokens
per scored field, exactly as the Whoosh schema's analyzers make them, its ``words`` tsvector, its COPY line, and
the batch's posting lists."""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from kb.search import analysis
from kb.search.backends.postgresql import sql

# The scored fields, in the order of ``hits.lengths`` and ``postings.field``.
FIELDS = ("title", "body", "linked", "title_bigrams", "bigrams", "amounts")
FIELD_CODE = {name: k for k, name in enumerate(FIELDS)}
# Word fields kept in the ``words`` tsvector (with positions), and their lexeme prefixes.
WORD_PREFIX = {"title": "t:", "body": "b:", "linked": "l:"}
MAX_POSITION = 16383  # tsvector positions above this are clamped by PostgreSQL
MAX_POSITIONS = 256  # positions kept per lexeme
MAX_LEXEME_BYTES = 2046


def field_tokens(name: str, text: str) -> list[str]:
    """The index tokens of one field of a hit, exactly as the Whoosh schema's analyzers make them."""
    if not text:
        return []
    if name in WORD_PREFIX:
        return [t for t, _, _ in analysis._segment_cached(text)]
    if name in ("title_bigrams", "bigrams"):
        return [t for t, _, _ in analysis.index_bigrams(text)]
    return [t for t, _, _ in analysis.AmountTokenizer()._split(text)]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def words_vector(fields: dict[str, list[str]]) -> tuple[str, list[str]]:
    """The tsvector literal of the word fields (positions from 1 per field) and the fields it holds inexactly
    (past PostgreSQL's position limits, or a token too long for a lexeme): phrases there are checked on the text."""
    inexact: list[str] = []
    positions: dict[str, list[int]] = {}
    for name, prefix in WORD_PREFIX.items():
        tokens = fields.get(name) or ()
        exact = len(tokens) <= MAX_POSITION
        for pos, token in enumerate(tokens[:MAX_POSITION], 1):
            lexeme = prefix + token
            if len(lexeme.encode("utf-8")) > MAX_LEXEME_BYTES:
                exact = False
                continue
            at = positions.setdefault(lexeme, [])
            if len(at) < MAX_POSITIONS:
                at.append(pos)
            else:
                exact = False
        if not exact:
            inexact.append(name)
    literal = " ".join(f"{_quote(lex)}:{','.join(map(str, pos))}" for lex, pos in positions.items())
    return literal, inexact


@dataclass
class Batch:
    """What the analysis processes return for a batch of hits."""

    lines: list[str]  # the COPY line of each hit, without its segment and number
    lengths: np.ndarray  # int32 [hits, fields]
    terms: list[tuple[int, str]]  # (field code, term) of the batch
    term: np.ndarray  # int32: index into ``terms`` of each posting
    hit: np.ndarray  # int32: the hit (0-based in the batch) of each posting
    tf: np.ndarray  # int32: the term's frequency in the field


def analyse_batch(batch: list[dict[str, Any]]) -> Batch:
    """Tokens, lengths, postings and the table rows of a batch of hits (runs in an analysis process)."""
    lines: list[str] = []
    lengths = np.zeros((len(batch), len(FIELDS)), dtype=np.int32)
    term_ids: dict[tuple[int, str], int] = {}
    terms: list[tuple[int, str]] = []
    t_arr, h_arr, f_arr = array("i"), array("i"), array("i")
    for i, hit in enumerate(batch):
        fields: dict[str, list[str]] = {}
        for code, name in enumerate(FIELDS):
            tokens = field_tokens(name, hit.get(name) or "")
            fields[name] = tokens
            lengths[i, code] = len(tokens)
            for term, count in Counter(tokens).items():
                key = (code, term)
                tid = term_ids.get(key)
                if tid is None:
                    tid = term_ids[key] = len(terms)
                    terms.append(key)
                t_arr.append(tid)
                h_arr.append(i)
                f_arr.append(count)
        literal, inexact = words_vector(fields)
        categories = [c for c in (hit.get("categories") or "").split(",") if c]
        row = (
            hit["id"], hit["type"], hit["doc_id"], hit.get("agency") or None, hit.get("year") or None,
            hit.get("date") or None, hit.get("doc_number") or None, hit.get("genre") or None, categories,
            hit.get("title") or "", hit.get("heading") or None, hit.get("body") or "", hit.get("linked") or "",
            hit.get("doc_title") or "",
            hit.get("path") or "[]", hit.get("order") or 0, hit.get("reported"),
            [int(x) for x in lengths[i]], inexact, literal,
        )  # fmt: skip
        lines.append("\t".join(sql.copy_value(v) for v in row) + "\n")
    return Batch(
        lines,
        lengths,
        terms,
        np.frombuffer(t_arr, dtype=np.int32),
        np.frombuffer(h_arr, dtype=np.int32),
        np.frombuffer(f_arr, dtype=np.int32),
    )
