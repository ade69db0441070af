"""User search string → Whoosh queries (synonyms, phrases, exclusions), safe on any input.

Whoosh's ``QueryParser`` is never run on user text: wildcards, ``field:value``, ranges and
boosts typed by accident would change the meaning or raise. The syntax understood here:

* ``"…"``, ``“…”``, ``「…」``, ``『…』`` – a phrase (an unbalanced quote is ordinary punctuation);
* ``-word`` / ``-"phrase"`` at the start of a word – exclusion (``5-10`` is not one);
  ``NOT word`` is the same; bare upper-case ``AND`` / ``OR`` are ignored (words are ANDed, and
  ``ParsedQuery.fallback`` is the OR form);
* everything else is segmented by jieba (precise mode, like the index) into words. Adjacent
  tokens are kept together as one phrase-word when they form a synonym key (高/企 → 高企), a
  number and its unit (42/家 → 42家, 5000/万元), or are joined by ``+ & / . - _ # ·`` (1+X).
  A run of single ideographs (an unknown word cut character by character, 娑罗子 → 娑/罗/子) is
  kept together as one phrase-word too. A few function characters (的 了 和 …) are dropped from
  unquoted input when other words remain.

Bounds: the input is cleaned of control/format characters and truncated to
``MAX_QUERY_CHARS`` (200) characters; at most ``MAX_WORDS`` positive words and
``MAX_EXCLUDED`` exclusions are used.

Each positive word becomes ``Or`` over (the word and its synonyms) × (the fields): a ``Term`` when
the field's analyzer yields one token, else a ``Phrase`` (or an ``And`` of its tokens in a field
indexed without positions). A bigram field (``BigramAnalyzer``) gets the word's bigrams, so 个人所得税
finds 中华人民共和国个人所得税法 although jieba cuts the two differently: each bigram inside a word of the
text or across two ("高|企", ``kb.search.analysis.index_bigrams``), except for a two-character word, whose one
bigram must stand inside a word — the abbreviation 高企 never matches 提高企业, nor 国企 中国企业. ``ParsedQuery.query`` ANDs the words; ``ParsedQuery.fallback`` ORs them with a
coordination bonus (for "no result with all words" pages). An unquoted chunk cut into several
words (融资担保 → 融资/担保) is also scored as a phrase (``AndMaybe``: an adjacency bonus, never a
requirement) and highlighted whole (``ParsedQuery.adjacent``).

Quantities (with ``amount_field``, the index's quantity field): an unquoted ``number unit`` is matched by value,
not by its characters (``kb.search.amounts``): 5000万元 finds 5000万元 and 0.5亿元 but not 5000元, 5000户 or
5000亿元; it is an ``Or`` of the quantity term (``元=50000000``) and the phrase as written in the word fields
(never the bigram fields, whose unordered bigrams are what matched 5000亿元). A comparison — 1000万元以上,
不超过50万元, 1000—5000万元, 5000万元左右 — is an ``AmountRange``. A quoted quantity is a phrase like any other.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.query import And, AndMaybe, AndNot, Or, Phrase, Query, Term

from kb.config import config_file
from kb.search.amounts import AmountQuery, parse_amounts, token
from kb.search.analysis import cross_bigram, is_bigram_analyzer
from kb.search.whoosh.ranges import AmountRange
from kb.text.normalize import fold, is_cjk, normalize
from kb.text.segment import segment
from kb.text.units import configured_scaled_units

__all__ = [
    "EMPTY_MESSAGE",
    "MAX_EXCLUDED",
    "MAX_QUERY_CHARS",
    "MAX_WORDS",
    "ONLY_EXCLUDED_MESSAGE",
    "ParsedQuery",
    "QueryWord",
    "default_synonyms",
    "highlight_terms",
    "load_synonyms",
    "parse_query",
]

MAX_QUERY_CHARS = 200
MAX_WORDS = 24
MAX_EXCLUDED = 8
# Synonym alternatives score a little lower than the word the user typed.
SYNONYM_WEIGHT = 0.8
# Coordination bonus of the fallback OR query (``Or(scale=...)``, like Whoosh's OrGroup.factory(0.9));
# kb.search.evaluate counts it per word.
FALLBACK_SCALE = 0.9
# Adjacency bonus: an unquoted chunk that jieba cut into several words (融资担保 → 融资/担保,
# 药品集中采购 → 药品/集中/采购) ANDs the words, and additionally scores the chunk as a phrase
# (weight ADJACENCY_WEIGHT), so text holding the words together ranks above text where they are
# scattered. Chunks longer than MAX_ADJACENCY_CHARS get no bonus.
ADJACENCY_WEIGHT = 1.0
MAX_ADJACENCY_CHARS = 24

EMPTY_MESSAGE = "请输入检索词"
ONLY_EXCLUDED_MESSAGE = "请输入要检索的词（不能只有排除词）"
TRUNCATED_MESSAGE = f"检索词过长，只使用了前{MAX_QUERY_CHARS}个字符"

# Single-character function words dropped from unquoted input when other words remain.
QUERY_STOPWORDS = frozenset("的了和与及或等之在对为是把被并而也")

_QUOTES: dict[str, str] = {'"': '"', "“": '”"', "「": "」", "『": "』", "‘": "’"}
_JOINERS = frozenset("+&/.-_#·'")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


# --------------------------------------------------------------------------------------------
# Synonyms
# --------------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return normalize(text).strip().lower()


def load_synonyms(path: str | Path | None = None) -> dict[str, list[str]]:
    """Read a synonyms file (see kb/data/synonyms.txt for the format).

    Returns ``{normalised key: [alternatives in file order]}``; two-way groups give every member
    the others. Malformed lines are skipped.
    """
    path = Path(path) if path is not None else config_file("synonyms.txt")
    result: dict[str, list[str]] = {}

    def add(src: str, dst: str) -> None:
        key = _key(src)
        alt = normalize(dst).strip()
        if not key or not alt or _key(alt) == key:
            return
        alts = result.setdefault(key, [])
        if alt not in alts:
            alts.append(alt)

    with open(path, encoding="utf-8-sig") as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if "<=>" in line:
                members = [m.strip() for part in line.split("<=>") for m in re.split(r"[,，]", part)]
                members = [m for m in members if m]
                for a in members:
                    for b in members:
                        add(a, b)
            elif "=>" in line:
                left, _, right = line.partition("=>")
                alts = [m.strip() for m in re.split(r"[,，]", right) if m.strip()]
                for src in (s.strip() for s in re.split(r"[,，]", left)):
                    for alt in alts:
                        add(src, alt)
            else:  # a plain comma-separated group is two-way
                members = [m.strip() for m in re.split(r"[,，]", line) if m.strip()]
                for a in members:
                    for b in members:
                        add(a, b)
    return result


@functools.lru_cache(maxsize=1)
def default_synonyms() -> Mapping[str, tuple[str, ...]]:
    """The shipped synonyms (kb/data/synonyms.txt), loaded once per process; empty if missing."""
    try:
        loaded = load_synonyms()
    except OSError:
        return {}
    return {k: tuple(v) for k, v in loaded.items()}


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryWord:
    """One positive search word or phrase."""

    text: str  # as the user typed it (after cleaning/folding), e.g. "高企", "科技成果转化"
    phrase: bool = False  # came from quotes
    synonyms: tuple[str, ...] = ()  # alternatives that were searched too
    amount: AmountQuery | None = None  # a quantity matched by value (5000万元, 1000万元以上)


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


# --------------------------------------------------------------------------------------------
# Lexing the user string
# --------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Drop control, format and surrogate characters (whitespace-like controls become spaces)."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp"):
            out.append(" " if ch.isspace() else "")
        elif cat in ("Cf", "Cs"):
            out.append("")
        else:
            out.append(ch)
    return "".join(out)


def _closing(s: str, i: int) -> int:
    """Index of the quote closing the opener at ``s[i]``, or -1."""
    closers = _QUOTES.get(s[i])
    if not closers:
        return -1
    for k in range(i + 1, len(s)):
        if s[k] in closers:
            return k
    return -1


def _lex(s: str) -> list[tuple[str, bool, bool]]:
    """Split the user string into ``(text, is_phrase, is_excluded)`` pieces."""
    pieces: list[tuple[str, bool, bool]] = []
    n = len(s)
    i = 0
    negate_next = False
    while i < n:
        if s[i].isspace():
            i += 1
            continue
        at_word_start = i == 0 or s[i - 1].isspace()
        negate = negate_next
        negate_next = False
        j = i
        if s[i] == "-" and at_word_start and i + 1 < n and not s[i + 1].isspace() and s[i + 1] != "-":
            negate = True
            j = i + 1
        close = _closing(s, j)
        if close > j:
            pieces.append((s[j + 1 : close], True, negate))
            i = close + 1
            continue
        k = j
        while k < n and not s[k].isspace():
            if k > j and _closing(s, k) > k:
                break
            k += 1
        chunk = s[j:k]
        i = k
        if chunk in ("AND", "OR") and not negate:
            continue
        if chunk == "NOT" and not negate:
            negate_next = True
            continue
        pieces.append((chunk, False, negate))
    return pieces


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


def _words_of_chunk(chunk: str, synonyms: Mapping[str, Sequence[str]]) -> list[str]:
    """Segment an unquoted chunk into words (surface strings of ``chunk``)."""
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


# --------------------------------------------------------------------------------------------
# Building Whoosh queries
# --------------------------------------------------------------------------------------------


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
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else Or(clauses)


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


def _normalise_fields(fields: Mapping[str, float] | Sequence[str]) -> list[tuple[str, float]]:
    if isinstance(fields, Mapping):
        return [(str(k), float(v)) for k, v in fields.items()]
    if isinstance(fields, str):
        return [(fields, 1.0)]
    return [(str(k), 1.0) for k in fields]


def parse_query(
    text: str,
    fields: Mapping[str, float] | Sequence[str],
    *,
    schema: Any,
    synonyms: Mapping[str, Sequence[str]] | None = None,
    amount_field: str | None = None,
) -> ParsedQuery:
    """Parse a user search string into Whoosh queries over ``fields`` of ``schema``.

    ``fields`` maps field name → query-time boost (or is a list of names, boost 1). Every field
    must exist in ``schema`` and have an analyzer (else ``ValueError``: a programming error).
    ``synonyms`` defaults to the shipped file; pass ``{}`` to disable expansion. ``amount_field`` (a field
    of quantity terms, ``kb.search.analysis.AmountAnalyzer``) makes typed quantities match by value.
    Never raises on any user text.
    """
    field_list = _normalise_fields(fields)
    if not field_list:
        raise ValueError("parse_query needs at least one field")
    infos = [_FieldInfo(name, boost, schema) for name, boost in field_list]
    field_names = tuple(name for name, _ in field_list)
    # A caller's mapping gets its keys normalised like the loader's.
    syn: Mapping[str, Sequence[str]] = (
        default_synonyms() if synonyms is None else {_key(k): list(v) for k, v in synonyms.items()}
    )

    if not isinstance(text, str):
        text = "" if text is None else str(text)
    cleaned = " ".join(fold(_clean(text)).split())
    truncated = len(cleaned) > MAX_QUERY_CHARS
    if truncated:
        cleaned = cleaned[:MAX_QUERY_CHARS].rstrip()
    notice = TRUNCATED_MESSAGE if truncated else None

    amounts_on = amount_field is not None and amount_field in schema
    positive: list[tuple[str, bool, AmountQuery | None]] = []
    negative: list[tuple[str, AmountQuery | None]] = []
    chunks: list[str] = []  # unquoted chunks cut into several words (adjacency bonus)
    for piece, is_phrase, is_excluded in _lex(cleaned):
        if is_excluded:
            if piece.strip():
                parts = _split_amounts(piece.strip(), amounts_on and not is_phrase)
                whole = parts[0][1] if len(parts) == 1 else None
                negative.append((piece.strip(), whole))
        elif is_phrase:
            if piece.strip():
                positive.append((piece.strip(), True, None))
        else:
            for part, amount in _split_amounts(piece, amounts_on):
                if amount is not None:
                    positive.append((part, False, amount))
                    continue
                chunk_words = _words_of_chunk(part, syn)
                positive.extend((w, False, None) for w in chunk_words)
                if len(chunk_words) > 1 and len(part) <= MAX_ADJACENCY_CHARS and part not in chunks:
                    chunks.append(part)

    # Drop function characters from unquoted input when something else remains.
    if any(p or a is not None or _key(w) not in QUERY_STOPWORDS for w, p, a in positive):
        positive = [(w, p, a) for w, p, a in positive if p or a is not None or _key(w) not in QUERY_STOPWORDS]

    words: list[QueryWord] = []
    word_queries: list[Query] = []
    seen: set[str] = set()
    for surface, is_phrase, amount in positive:
        key = _key(surface)
        if key in seen:
            continue
        if amount is not None:
            assert amount_field is not None
            q: Query | None = _amount_query(infos, amount_field, amount)
            alts: tuple[str, ...] = ()
        else:
            alts = tuple(syn.get(key, ()))
            q = _alternatives_query(infos, [(surface, 1.0), *((a, SYNONYM_WEIGHT) for a in alts)])
        if q is None:
            continue  # punctuation, emoji... nothing searchable
        seen.add(key)
        words.append(QueryWord(surface, is_phrase, alts, amount))
        word_queries.append(q)
        if len(words) >= MAX_WORDS:
            break

    excluded: list[str] = []
    excl_queries: list[Query] = []
    for surface, amount in negative:
        if amount is not None:
            assert amount_field is not None
            q = _amount_query(infos, amount_field, amount)
        else:
            q = _alternatives_query(infos, [(surface, 1.0)])
        if q is None or surface in excluded:
            continue
        excluded.append(surface)
        excl_queries.append(q)
        if len(excluded) >= MAX_EXCLUDED:
            break

    if not word_queries:
        message = ONLY_EXCLUDED_MESSAGE if excluded else EMPTY_MESSAGE
        return ParsedQuery(cleaned, None, None, (), tuple(excluded), message, truncated, field_names)

    main: Query = word_queries[0] if len(word_queries) == 1 else And(word_queries)
    fallback: Query | None = Or(word_queries, scale=FALLBACK_SCALE) if len(word_queries) > 1 else None
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
        negative_q = excl_queries[0] if len(excl_queries) == 1 else Or(excl_queries)
        main = AndNot(main, negative_q)
        if fallback is not None:
            fallback = AndNot(fallback, negative_q)
    return ParsedQuery(
        cleaned,
        main,
        fallback,
        tuple(words),
        tuple(excluded),
        notice,
        truncated,
        field_names,
        tuple(adjacent),
    )


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
        for alt in word.synonyms:
            add(alt)
            parts = segment(alt)
            if len(parts) > 1:
                for _, start, end in parts:
                    if end - start >= 2:
                        add(alt[start:end])
    # Stable sort: longest first, then in query order.
    return sorted(out, key=len, reverse=True)
