"""Exact pieces (issue 25): a piece matched as written, through the word fields as a phrase and through a bigram
field as ``Verbatim`` (its bigrams, kept only where the stored text holds the folded piece); see the package
docstring."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from whoosh.query import And, Query, Term

from kb.search.query.fields import _best_of, _bigram_query, _cjk_count, _field_query, _FieldInfo
from kb.search.schema import BIGRAM_SOURCES
from kb.text.normalize import normalize


class Verbatim(And):
    """The hits of a piece's bigram ``And`` (one bigram field) whose stored ``source`` text holds the piece as
    written: its ``verbatim_key`` is in the source's. ``sure`` (the piece in the word field indexing that same
    text: its tokens consecutive) proves it for a hit without reading the stored text.

    ``kb.search.evaluate`` checks it over arrays (``Evaluator._verbatim``); Whoosh runs it through ``matcher``
    (the And's matcher filtered to the verified hits), so both give the same hits and scores."""

    def __init__(
        self,
        subqueries: Sequence[Query],
        boost: float = 1.0,
        *,
        source: str = "",
        key: str = "",
        sure: Query | None = None,
    ) -> None:
        super().__init__(list(subqueries), boost=boost)
        self.source = source
        self.key = key
        self.sure = sure

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Verbatim)
            and (self.source, self.key, self.sure) == (other.source, other.key, other.sure)
        )

    def __hash__(self) -> int:
        return super().__hash__() ^ hash((self.source, self.key))

    def __repr__(self) -> str:
        return f"Verbatim({self.subqueries!r}, source={self.source!r}, key={self.key!r})"

    def _same(self, subqueries: Sequence[Query]) -> Verbatim:
        return Verbatim(subqueries, boost=self.boost, source=self.source, key=self.key, sure=self.sure)

    def apply(self, fn: Any) -> Query:
        return self._same([fn(q) for q in self.subqueries])

    def normalize(self) -> Query:
        return self._same([q.normalize() for q in self.subqueries])

    def holds(self, stored: Mapping[str, Any]) -> bool:
        """Whether a hit's stored fields hold the piece as written."""
        return self.key in verbatim_key(str(stored.get(self.source) or ""))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        from whoosh.matching import FilterMatcher

        inner = And(list(self.subqueries), boost=self.boost)
        candidates = list(inner.matcher(searcher, context).all_ids())
        sure = set(self.sure.docs(searcher)) if self.sure is not None and candidates else set()
        keep = frozenset(d for d in candidates if d in sure or self.holds(searcher.stored_fields(d)))
        return FilterMatcher(inner.matcher(searcher, context), keep)


_NOT_WORD_RE = re.compile(r"[\W_]+")


def verbatim_key(text: str) -> str:
    """What "as written" compares: folded (full-/half-width, traditional → simplified, case), then only the
    letters, digits and ideographs — spaces and punctuation between them do not count."""
    return _NOT_WORD_RE.sub("", normalize(text).lower())


def _exact_field_query(infos: Sequence[_FieldInfo], info: _FieldInfo, text: str) -> Query | None:
    """A piece as written in one field (see "Exact pieces" in the module docstring)."""
    if not info.bigram:
        return _field_query(info, text, 1.0)
    if _cjk_count(text) < 2 or any("0" <= ch <= "9" for ch in text):
        return None  # the word fields hold it (numbers: see _field_query)
    toks = info.tokens(text)
    if len(toks) == 1:  # two ideographs: the bigram inside a word of the text, never across two
        return Term(info.name, toks[0], boost=info.boost)
    source = BIGRAM_SOURCES.get(info.name)
    if not toks or source is None:
        return None
    words = next((i for i in infos if i.name == source), None)
    sure = _field_query(words, text, 1.0) if words is not None else None
    inner = And([_bigram_query(info.name, t) for t in toks], boost=info.boost)
    return Verbatim([inner], source=source, key=verbatim_key(text), sure=sure)


def _exact_query(infos: Sequence[_FieldInfo], text: str) -> Query | None:
    clauses: list[Query] = []
    for info in infos:
        q = _exact_field_query(infos, info, text)
        if q is not None and q not in clauses:
            clauses.append(q)
    return _best_of(clauses)
