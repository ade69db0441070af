"""What ``parse_query`` returns (``ParsedQuery`` of ``QueryWord``), its bounds and its messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh.query import Query

from kb.search.amounts import AmountQuery

MAX_QUERY_CHARS = 200
MAX_WORDS = 24
MAX_EXCLUDED = 8

EMPTY_MESSAGE = "请输入检索词"
ONLY_EXCLUDED_MESSAGE = "请输入要检索的词（不能只有排除词）"
TRUNCATED_MESSAGE = f"检索词过长，只使用了前{MAX_QUERY_CHARS}个字符"


@dataclass(frozen=True)
class QueryWord:
    """One positive search word or phrase."""

    text: str  # as the user typed it (after cleaning/folding), e.g. "高企", "科技成果转化"
    phrase: bool = False  # matched as written: quoted, or every piece with match=exact
    synonyms: tuple[str, ...] = ()  # equivalents that were searched too (SYNONYM_WEIGHT)
    amount: AmountQuery | None = None  # a quantity matched by value (5000万元, 1000万元以上)
    narrower: tuple[str, ...] = ()  # narrower terms that were searched too (NARROWER_WEIGHT)


@dataclass(frozen=True)
class ParsedQuery:
    """The outcome of ``parse_query``.

    ``query`` is None when nothing searchable remains; ``message`` then says why. ``message`` may
    also be set next to a usable query (e.g. the input was truncated).
    """

    text: str  # the cleaned, truncated input that was parsed
    query: Query | None  # every word must match (AND), exclusions applied
    fallback: Query | None  # any word may match (OR with coordination bonus); None for < 2 words
    words: tuple[QueryWord, ...] = ()
    excluded: tuple[str, ...] = ()
    message: str | None = None
    truncated: bool = False
    fields: tuple[str, ...] = field(default=())
    adjacent: tuple[str, ...] = ()  # unquoted chunks of several words also scored as a phrase

    @property
    def amounts(self) -> tuple[AmountQuery, ...]:
        """The quantities of the query, matched by value."""
        return tuple(w.amount for w in self.words if w.amount is not None)

    @property
    def terms(self) -> list[str]:
        """The positive words/phrases as typed."""
        return [w.text for w in self.words]

    @property
    def is_empty(self) -> bool:
        return self.query is None
