"""``AmountRange``: the Whoosh query "a quantity of this family within this range" (1000万元以上).

The quantity field (``kb.search.schema.AMOUNT_FIELD``) holds one term per quantity, ``family=value`` in the
family's base unit. A range is the union of the hits of the terms whose value is inside it; every hit scores the
query's boost (a range says which hits qualify, not how well: the other words of the query rank them).
``kb.search.evaluate`` answers it from ``kb.search.whoosh.postings.AmountIndex``; this Whoosh implementation is
the reference it is tested against (``tests/test_evaluate.py``) and what Whoosh runs when the evaluator cannot.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh.query import qcore

from kb.search.amounts import AmountQuery, parse_token


class AmountRange(qcore.Query):
    """Hits holding a quantity of ``family`` with ``low <= value <= high`` (bounds optional or exclusive)."""

    def __init__(
        self,
        fieldname: str,
        family: str,
        low: float | None,
        high: float | None,
        low_inclusive: bool = True,
        high_inclusive: bool = True,
        boost: float = 1.0,
    ) -> None:
        self.fieldname = fieldname
        self.family = family
        self.low = low
        self.high = high
        self.low_inclusive = low_inclusive
        self.high_inclusive = high_inclusive
        self.boost = boost

    @classmethod
    def of(cls, fieldname: str, amount: AmountQuery, boost: float = 1.0) -> AmountRange:
        return cls(
            fieldname,
            amount.family,
            amount.low,
            amount.high,
            amount.low_inclusive,
            amount.high_inclusive,
            boost,
        )

    def _key(self) -> tuple[Any, ...]:
        return (
            self.fieldname,
            self.family,
            self.low,
            self.high,
            self.low_inclusive,
            self.high_inclusive,
            self.boost,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AmountRange) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        low = "-∞" if self.low is None else f"{self.low:g}"
        high = "∞" if self.high is None else f"{self.high:g}"
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"AmountRange({self.fieldname!r}, {self.family!r}, {left}{low}, {high}{right}, boost={self.boost})"

    def accepts(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive))
        )

    def _terms(self, reader: Any) -> list[bytes]:
        prefix = f"{self.family}="
        out: list[bytes] = []
        if self.fieldname not in reader.schema:
            return out
        for btext in reader.expand_prefix(self.fieldname, prefix):
            parsed = parse_token(btext.decode("utf-8"))
            if parsed is not None and parsed[0] == self.family and self.accepts(parsed[1]):
                out.append(btext)
        return out

    def estimate_size(self, ixreader: Any) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, t) for t in self._terms(ixreader))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        ids: set[int] = set()
        for btext in self._terms(reader):
            ids.update(reader.postings(self.fieldname, btext).all_ids())
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(sorted(ids), all_weights=float(self.boost))
