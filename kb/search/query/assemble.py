"""``parse_query``: the user's text → the ``ParsedQuery`` tree (AND of the words, the OR fallback, the adjacency
bonus, the exclusions), as named steps over ``lex``, ``words``, ``fields`` and ``verbatim``; and ``highlight_terms``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from whoosh.query import And, AndMaybe, AndNot, Or, Query

from kb.search.query.fields import _alternatives_query, _amount_query, _FieldInfo, _normalise_fields
from kb.search.query.lex import _clean_input
from kb.search.query.parsed import (
    EMPTY_MESSAGE,
    MAX_EXCLUDED,
    MAX_WORDS,
    ONLY_EXCLUDED_MESSAGE,
    TRUNCATED_MESSAGE,
    ParsedQuery,
    QueryWord,
)
from kb.search.query.thesaurus import _key, default_narrower, default_synonyms
from kb.search.query.verbatim import _exact_query
from kb.search.query.words import Piece, _collect_pieces
from kb.text.normalize import normalize
from kb.text.segment import segment

# Synonym alternatives score a little lower than the word the user typed; narrower terms (知识产权 > 专利) lower
# still: a query for the broader term finds them, below the hits that say the term itself.
SYNONYM_WEIGHT = 0.8
NARROWER_WEIGHT = 0.5
# Coordination bonus of the fallback OR query (``Or(scale=...)``, like Whoosh's OrGroup.factory(0.9));
# kb.search.evaluate counts it per word.
FALLBACK_SCALE = 0.9
# The weight of the adjacency bonus (``kb.search.query.words.MAX_ADJACENCY_CHARS``).
ADJACENCY_WEIGHT = 1.0


def parse_query(
    text: str,
    fields: Mapping[str, float] | Sequence[str],
    *,
    schema: Any,
    synonyms: Mapping[str, Sequence[str]] | None = None,
    amount_field: str | None = None,
    narrower: Mapping[str, Sequence[str]] | None = None,
    exact: bool = False,
) -> ParsedQuery:
    """Parse a user search string into Whoosh queries over ``fields`` of ``schema``.

    ``fields`` maps field name → query-time boost (or is a list of names, boost 1). Every field
    must exist in ``schema`` and have an analyzer (else ``ValueError``: a programming error).
    ``synonyms`` (equivalents) and ``narrower`` (narrower terms) default to the configured synonyms file; with
    ``synonyms`` given, ``narrower`` defaults to none (pass ``{}`` for no expansion at all). ``amount_field`` (a
    field of quantity terms, ``kb.search.analysis.AmountAnalyzer``) makes typed quantities match by value.
    ``exact`` (``match=exact``): every piece is matched as written, like a quoted phrase. Never raises on any
    user text.
    """
    field_list = _normalise_fields(fields)
    if not field_list:
        raise ValueError("parse_query needs at least one field")
    infos = [_FieldInfo(name, boost, schema) for name, boost in field_list]
    field_names = tuple(name for name, _ in field_list)
    syn, nar = _expansions(synonyms, narrower)
    cleaned, truncated = _clean_input(text)
    amounts_on = amount_field is not None and amount_field in schema and not exact
    pieces = _collect_pieces(cleaned, {*syn, *nar}, amounts_on=amounts_on, exact=exact)
    words, word_queries = _word_queries(infos, amount_field, pieces.positive, syn, nar)
    excluded, excl_queries = _excluded_queries(infos, amount_field, pieces.negative)
    if not word_queries:
        message = ONLY_EXCLUDED_MESSAGE if excluded else EMPTY_MESSAGE
        return ParsedQuery(cleaned, None, None, (), tuple(excluded), message, truncated, field_names)
    main, fallback, adjacent = _combine(infos, word_queries, pieces.chunks, excl_queries)
    return ParsedQuery(
        cleaned,
        main,
        fallback,
        tuple(words),
        tuple(excluded),
        TRUNCATED_MESSAGE if truncated else None,
        truncated,
        field_names,
        tuple(adjacent),
    )


def _expansions(
    synonyms: Mapping[str, Sequence[str]] | None, narrower: Mapping[str, Sequence[str]] | None
) -> tuple[Mapping[str, Sequence[str]], Mapping[str, Sequence[str]]]:
    """The equivalents and narrower terms searched (see ``parse_query``); a caller's mapping gets its keys
    normalised like the loader's."""
    syn: Mapping[str, Sequence[str]] = (
        default_synonyms() if synonyms is None else {_key(k): list(v) for k, v in synonyms.items()}
    )
    if narrower is None:
        nar: Mapping[str, Sequence[str]] = default_narrower() if synonyms is None else {}
    else:
        nar = {_key(k): list(v) for k, v in narrower.items()}
    return syn, nar


def _word_queries(
    infos: Sequence[_FieldInfo],
    amount_field: str | None,
    positive: Sequence[Piece],
    syn: Mapping[str, Sequence[str]],
    nar: Mapping[str, Sequence[str]],
) -> tuple[list[QueryWord], list[Query]]:
    """The positive words (each once, at most ``MAX_WORDS``) and their queries; unsearchable pieces are dropped."""
    words: list[QueryWord] = []
    word_queries: list[Query] = []
    seen: set[str] = set()
    for surface, is_phrase, amount in positive:
        key = _key(surface)
        if key in seen:
            continue
        alts: tuple[str, ...] = ()
        narrower_terms: tuple[str, ...] = ()
        if amount is not None:
            assert amount_field is not None
            q: Query | None = _amount_query(infos, amount_field, amount)
        elif is_phrase:  # as written: no synonym, no narrower term, no bigram back-off
            q = _exact_query(infos, surface)
        else:
            alts = tuple(syn.get(key, ()))
            narrower_terms = tuple(n for n in nar.get(key, ()) if n not in alts)
            q = _alternatives_query(
                infos,
                [
                    (surface, 1.0),
                    *((a, SYNONYM_WEIGHT) for a in alts),
                    *((n, NARROWER_WEIGHT) for n in narrower_terms),
                ],
            )
        if q is None:
            continue  # punctuation, emoji... nothing searchable
        seen.add(key)
        words.append(QueryWord(surface, is_phrase, alts, amount, narrower_terms))
        word_queries.append(q)
        if len(words) >= MAX_WORDS:
            break
    return words, word_queries


def _excluded_queries(
    infos: Sequence[_FieldInfo], amount_field: str | None, negative: Sequence[Piece]
) -> tuple[list[str], list[Query]]:
    """The excluded words (each once, at most ``MAX_EXCLUDED``; no synonyms) and their queries."""
    excluded: list[str] = []
    excl_queries: list[Query] = []
    for surface, is_phrase, amount in negative:
        if amount is not None:
            assert amount_field is not None
            q = _amount_query(infos, amount_field, amount)
        elif is_phrase:
            q = _exact_query(infos, surface)
        else:
            q = _alternatives_query(infos, [(surface, 1.0)])
        if q is None or surface in excluded:
            continue
        excluded.append(surface)
        excl_queries.append(q)
        if len(excluded) >= MAX_EXCLUDED:
            break
    return excluded, excl_queries


def _combine(
    infos: Sequence[_FieldInfo],
    word_queries: Sequence[Query],
    chunks: Sequence[str],
    excl_queries: Sequence[Query],
) -> tuple[Query, Query | None, list[str]]:
    """The AND of the words and their OR fallback (for two words or more), each with the adjacency bonus of the
    chunks and without the exclusions; and the chunks that got a bonus."""
    main: Query = word_queries[0] if len(word_queries) == 1 else And(list(word_queries))
    fallback: Query | None = Or(list(word_queries), scale=FALLBACK_SCALE) if len(word_queries) > 1 else None
    adjacent: list[str] = []
    bonus_queries: list[Query] = []
    for chunk in chunks if len(word_queries) > 1 else ():
        q = _alternatives_query(infos, [(chunk, ADJACENCY_WEIGHT)])
        if q is not None:
            adjacent.append(chunk)
            bonus_queries.append(q)
    if bonus_queries:
        bonus = bonus_queries[0] if len(bonus_queries) == 1 else Or(bonus_queries)
        main = AndMaybe(main, bonus)
        if fallback is not None:
            fallback = AndMaybe(fallback, bonus)
    if excl_queries:
        negative_q = excl_queries[0] if len(excl_queries) == 1 else Or(list(excl_queries))
        main = AndNot(main, negative_q)
        if fallback is not None:
            fallback = AndNot(fallback, negative_q)
    return main, fallback, adjacent


def highlight_terms(parsed: ParsedQuery) -> list[str]:
    """Surface strings to highlight: the words, their simplified forms and synonyms, longest first.

    A multi-word synonym (大众创业万众创新) also contributes its words of two or more characters,
    since documents often separate them with punctuation.
    """
    out: list[str] = []

    def add(s: str) -> None:
        s = s.strip()
        if s and s not in out:
            out.append(s)

    for chunk in parsed.adjacent:  # marked whole where the words stand together
        add(chunk)
        add(normalize(chunk))
    for word in parsed.words:
        add(word.text)
        add(normalize(word.text))
        if word.amount is not None:
            add(word.amount.surface)
        for alt in (*word.synonyms, *word.narrower):
            add(alt)
            parts = segment(alt)
            if len(parts) > 1:
                for _, start, end in parts:
                    if end - start >= 2:
                        add(alt[start:end])
    # Stable sort: longest first, then in query order.
    return sorted(out, key=len, reverse=True)
