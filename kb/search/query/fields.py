"""Assembling one word's Whoosh query: per field a ``Term``, ``Phrase``, ``And`` of tokens or of bigrams (see the
package docstring), the word's alternatives (fields × its written form, synonyms and narrower terms) as "best of",
and a quantity by value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from whoosh.query import And, Or, Phrase, Query, Term

from kb.search.amounts import AmountQuery, token
from kb.search.analysis import cross_bigram, is_bigram_analyzer
from kb.search.whoosh.dismax import BestOf
from kb.search.whoosh.ranges import AmountRange
from kb.text.normalize import is_cjk

# How much a word's other matching alternatives (fields, synonyms) add to its best one (``_best_of``): 1.0 adds
# them all (Whoosh's BM25F sums per field), 0.0 keeps the best only. Tuned with the document prior on the dev split
# (bench/quality.py, kb.search.ranking.TYPE_PRIOR): mean MRR of the test index and the whole corpus at the best
# document prior, 1.0 / 0.5 / 0.3 / 0.1 → .882 / .887 / .899 / .885.
FIELD_TIE = 0.3


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if is_cjk(ch))


class _FieldInfo:
    __slots__ = ("analyzer", "bigram", "boost", "name", "positions")

    def __init__(self, name: str, boost: float, schema: Any) -> None:
        try:
            fieldtype = schema[name]
        except KeyError:
            raise ValueError(f"unknown search field {name!r}") from None
        analyzer = getattr(fieldtype, "analyzer", None)
        if analyzer is None:
            raise ValueError(f"search field {name!r} has no analyzer")
        self.name = name
        self.boost = float(boost)
        self.analyzer = analyzer
        self.bigram = is_bigram_analyzer(analyzer)
        fmt = getattr(fieldtype, "format", None)
        self.positions = bool(fmt is not None and fmt.supports("positions"))

    def tokens(self, text: str) -> list[str]:
        return [t.text for t in self.analyzer(text, mode="query")]


def _field_query(info: _FieldInfo, text: str, weight: float) -> Query | None:
    if info.bigram and (_cjk_count(text) < 2 or any("0" <= ch <= "9" for ch in text)):
        # Single ideographs/ASCII are covered by the word fields; so are numbers, which the bigram field
        # holds without positions ("5000" and "万元" anywhere would match 5000亿元).
        return None
    toks = info.tokens(text)
    if not toks:
        return None
    boost = info.boost * weight
    if len(toks) == 1:
        # A single token; in a bigram field a two-character word, matched only inside a word of the text
        # (高企 not in 提高企业, whose 高|企 straddles two words).
        return Term(info.name, toks[0], boost=boost)
    if info.bigram:  # a longer word: each of its bigrams inside a word or across two
        return And([_bigram_query(info.name, t) for t in toks], boost=boost)
    if info.positions:
        return Phrase(info.name, toks, boost=boost)
    return And([Term(info.name, t) for t in toks], boost=boost)


def _bigram_query(fieldname: str, gram: str) -> Query:
    if len(gram) == 2 and is_cjk(gram[0]) and is_cjk(gram[1]):
        return Or([Term(fieldname, gram), Term(fieldname, cross_bigram(gram))])
    return Term(fieldname, gram)


def _alternatives_query(
    infos: Sequence[_FieldInfo], alternatives: Iterable[tuple[str, float]]
) -> Query | None:
    clauses: list[Query] = []
    for text, weight in alternatives:
        for info in infos:
            q = _field_query(info, text, weight)
            if q is not None and q not in clauses:
                clauses.append(q)
    return _best_of(clauses)


def _best_of(clauses: Sequence[Query]) -> Query | None:
    """One word's alternatives (fields × its written form and synonyms): the best-scoring one counts fully, the
    others ``FIELD_TIE`` of their score (Lucene's "dis_max" with a tie breaker; ``BestOf``,
    ``kb.search.whoosh.dismax``). The same evidence in a title, a body and their two bigram fields, or a word
    repeated in every field of a long text, then counts about once: repetition saturates across fields as BM25
    saturates it within one."""
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    if FIELD_TIE >= 1.0:
        return Or(list(clauses))
    return BestOf(list(clauses), tie=FIELD_TIE)


def _amount_query(
    infos: Sequence[_FieldInfo], amount_field: str, amount: AmountQuery, weight: float = 1.0
) -> Query:
    """A quantity: its value term or the phrase as written (word fields only) when exact, else a range."""
    if not amount.exact:
        return AmountRange.of(amount_field, amount, boost=weight)
    assert amount.low is not None
    clauses: list[Query] = [Term(amount_field, token(amount.family, amount.low), boost=weight)]
    for info in infos:
        if info.bigram:
            continue  # unordered bigrams: "5000" and "万元" anywhere (5000亿元…)
        q = _field_query(info, amount.surface, weight)
        if q is not None and q not in clauses:
            clauses.append(q)
    return clauses[0] if len(clauses) == 1 else Or(clauses)


def _normalise_fields(fields: Mapping[str, float] | Sequence[str]) -> list[tuple[str, float]]:
    if isinstance(fields, Mapping):
        return [(str(k), float(v)) for k, v in fields.items()]
    if isinstance(fields, str):
        return [(fields, 1.0)]
    return [(str(k), 1.0) for k in fields]
