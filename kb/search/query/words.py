"""Words of the user's text: each lexed piece becomes the phrase-words, quantities and exclusions that are searched
(jieba words kept together as synonym keys, numbers with their units, runs of lone ideographs; function characters
dropped), and the chunks that earn the adjacency bonus."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

from kb.search.amounts import AmountQuery, parse_amounts
from kb.search.query.lex import _lex
from kb.search.query.thesaurus import _key
from kb.text.normalize import is_cjk
from kb.text.segment import segment
from kb.text.units import configured_scaled_units

# Adjacency bonus: an unquoted chunk that jieba cut into several words (融资担保 → 融资/担保,
# 药品集中采购 → 药品/集中/采购) ANDs the words, and additionally scores the chunk as a phrase
# (weight ADJACENCY_WEIGHT, kb.search.query.assemble), so text holding the words together ranks above text where
# they are scattered. Chunks longer than MAX_ADJACENCY_CHARS get no bonus.
MAX_ADJACENCY_CHARS = 24

# Single-character function words dropped from unquoted input when other words remain.
QUERY_STOPWORDS = frozenset("的了和与及或等之在对为是把被并而也")

_JOINERS = frozenset("+&/.-_#·'")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")

# A word to search: (text as typed, matched as written, its quantity when matched by value).
Piece = tuple[str, bool, AmountQuery | None]


@dataclass
class Pieces:
    """The searched pieces of the user's text, in order: ``positive`` words, ``negative`` exclusions, and the
    unquoted ``chunks`` cut into several words (adjacency bonus)."""

    positive: list[Piece] = field(default_factory=list)
    negative: list[Piece] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)


def _collect_pieces(cleaned: str, joined: Container[str], *, amounts_on: bool, exact: bool) -> Pieces:
    """Lex ``cleaned`` and cut its unquoted chunks into words (``joined``: the normalised keys whose tokens stay
    together); ``amounts_on`` splits typed quantities out, ``exact`` matches every piece as written."""
    out = Pieces()
    for piece, quoted, is_excluded in _lex(cleaned):
        is_phrase = quoted or exact
        if is_excluded:
            if piece.strip():
                parts = _split_amounts(piece.strip(), amounts_on and not is_phrase)
                whole = parts[0][1] if len(parts) == 1 else None
                out.negative.append((piece.strip(), is_phrase, whole))
        elif is_phrase:
            if piece.strip():
                out.positive.append((piece.strip(), True, None))
        else:
            for part, amount in _split_amounts(piece, amounts_on):
                if amount is not None:
                    out.positive.append((part, False, amount))
                    continue
                chunk_words = _words_of_chunk(part, joined)
                out.positive.extend((w, False, None) for w in chunk_words)
                if len(chunk_words) > 1 and len(part) <= MAX_ADJACENCY_CHARS and part not in out.chunks:
                    out.chunks.append(part)
    out.positive = _without_stopwords(out.positive)
    return out


def _without_stopwords(positive: Iterable[Piece]) -> list[Piece]:
    """Drop function characters from unquoted input when something else remains."""
    positive = list(positive)
    if any(p or a is not None or _key(w) not in QUERY_STOPWORDS for w, p, a in positive):
        positive = [(w, p, a) for w, p, a in positive if p or a is not None or _key(w) not in QUERY_STOPWORDS]
    return positive


def _joinable(chunk: str, left: tuple[str, int, int], right: tuple[str, int, int]) -> bool:
    gap = chunk[left[2] : right[1]]
    if gap:
        return all(ch in _JOINERS for ch in gap)
    # number + unit: 42家, 5000万元, 2019年
    if _NUMBER_RE.fullmatch(left[0]):
        unit = right[0]
        return (len(unit) == 1 and is_cjk(unit)) or unit in configured_scaled_units()
    return False


def _lone_ideograph(span: tuple[str, int, int]) -> bool:
    tok = span[0]
    return len(tok) == 1 and is_cjk(tok) and tok not in QUERY_STOPWORDS


def _words_of_chunk(chunk: str, synonyms: Container[str]) -> list[str]:
    """Segment an unquoted chunk into words (surface strings of ``chunk``); ``synonyms``: the keys (normalised)
    whose tokens are kept together."""
    spans = segment(chunk)
    words: list[str] = []
    n = len(spans)
    i = 0
    while i < n:
        j = i + 1
        # The longest run of >= 2 tokens that spells a synonym key (jieba cuts 高企 into 高/企).
        for k in range(min(n, i + 6), i + 1, -1):
            if _key(chunk[spans[i][1] : spans[k - 1][2]]) in synonyms:
                j = k
                break
        if j == i + 1 and _lone_ideograph(spans[i]):
            # jieba (no HMM) cuts unknown words into single ideographs (娑罗子 → 娑/罗/子): keep
            # such a run together so it is searched as a phrase, not as unrelated characters.
            while j < n and spans[j][1] == spans[j - 1][2] and _lone_ideograph(spans[j]):
                j += 1
        while j < n and _joinable(chunk, spans[j - 1], spans[j]):
            j += 1
        words.append(chunk[spans[i][1] : spans[j - 1][2]])
        i = j
    return words


def _split_amounts(piece: str, enabled: bool) -> list[tuple[str, AmountQuery | None]]:
    """An unquoted piece as (text, None) and (quantity as typed, its query) parts, in order."""
    if not enabled:
        return [(piece, None)]
    parts: list[tuple[str, AmountQuery | None]] = []
    cursor = 0
    for start, end, amount in parse_amounts(piece):
        if start > cursor:
            parts.append((piece[cursor:start], None))
        parts.append((piece[start:end], amount))
        cursor = end
    if cursor < len(piece):
        parts.append((piece[cursor:], None))
    return parts
