"""User search string → Whoosh queries (synonyms, phrases, exclusions), safe on any input.

Whoosh's ``QueryParser`` is never run on user text: wildcards, ``field:value``, ranges and
boosts typed by accident would change the meaning or raise. The syntax understood here:

* ``"…"``, ``“…”``, ``「…」``, ``『…』`` – a phrase matched as written (an unbalanced quote is ordinary
  punctuation): see "Exact pieces" below;
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

Exact pieces (issue 25). A quoted phrase, and with ``exact=True`` (``match=exact``) every whitespace-separated piece,
is matched as written: the same letters, digits and ideographs in the same order, after folding full-/half-width
forms, traditional → simplified and case, with spaces and punctuation between them not counted. No synonym, no
narrower term, no quantity by value, no bigram back-off that could match other words: in the word fields it is the
``Phrase`` (or ``Term``) of its tokens; in a bigram field, a two-ideograph piece is the bigram inside a word (never
across two: "高企" is not in 提高企业) and a longer piece the ``And`` of its bigrams wrapped in ``Verbatim``, which keeps
only the hits whose stored text (``kb.search.schema.BIGRAM_SOURCES``) holds the folded piece
(``verbatim_key``) — the hits where jieba cut the text otherwise (个人所得税 in 个人所得税法) without those where the
bigrams merely occur (人才 … 才发 … 发展 for 人才发展).

Synonyms (``synonyms.txt``, ``load_thesaurus``): ``A => B`` (an abbreviation: A also finds B), ``A <=> B`` (two-way)
and ``A > B`` (B is narrower, a kind of A: 知识产权 > 专利). A query for A finds B's hits weighted ``SYNONYM_WEIGHT``
(equivalents) or ``NARROWER_WEIGHT`` (narrower terms); a query for the narrower B never finds A, so hits that only
say 知识产权 never rank for 专利.

Quantities (with ``amount_field``, the index's quantity field): an unquoted ``number unit`` is matched by value,
not by its characters (``kb.search.amounts``): 5000万元 finds 5000万元 and 0.5亿元 but not 5000元, 5000户 or
5000亿元; it is an ``Or`` of the quantity term (``元=50000000``) and the phrase as written in the word fields
(never the bigram fields, whose unordered bigrams are what matched 5000亿元). A comparison — 1000万元以上,
不超过50万元, 1000—5000万元, 5000万元左右 — is an ``AmountRange``. A quoted quantity is a phrase like any other.

What another backend must implement from a ``ParsedQuery`` (``docs/design.md``): the ``QueryWord`` semantics above
(broad words with their weighted alternatives; exact words as written; quantities by value), AND of the words with
the adjacency bonus, the exclusions, and the OR ``fallback``.

The package, along the seams of the work: ``lex`` (the user's text → cleaned pieces), ``words`` (pieces → words,
quantities, exclusions and adjacency chunks), ``thesaurus`` (synonyms and narrower terms), ``fields`` (one word's
query per field, "best of" its alternatives), ``verbatim`` (exact pieces), ``assemble`` (``parse_query``: the tree)
and ``parsed`` (the result). Every name is importable from ``kb.search.query``.
"""

from __future__ import annotations

from kb.search.query.assemble import (
    ADJACENCY_WEIGHT,
    FALLBACK_SCALE,
    NARROWER_WEIGHT,
    SYNONYM_WEIGHT,
    highlight_terms,
    parse_query,
)
from kb.search.query.fields import FIELD_TIE, _best_of, _field_query, _FieldInfo
from kb.search.query.lex import _clean, _lex
from kb.search.query.parsed import (
    EMPTY_MESSAGE,
    MAX_EXCLUDED,
    MAX_QUERY_CHARS,
    MAX_WORDS,
    ONLY_EXCLUDED_MESSAGE,
    TRUNCATED_MESSAGE,
    ParsedQuery,
    QueryWord,
)
from kb.search.query.thesaurus import (
    Thesaurus,
    default_narrower,
    default_synonyms,
    load_synonyms,
    load_thesaurus,
)
from kb.search.query.verbatim import Verbatim, _exact_query, verbatim_key
from kb.search.query.words import MAX_ADJACENCY_CHARS, QUERY_STOPWORDS, _words_of_chunk

__all__ = [
    "EMPTY_MESSAGE",
    "MAX_EXCLUDED",
    "MAX_QUERY_CHARS",
    "MAX_WORDS",
    "ONLY_EXCLUDED_MESSAGE",
    "ParsedQuery",
    "QueryWord",
    "Thesaurus",
    "Verbatim",
    "default_narrower",
    "default_synonyms",
    "highlight_terms",
    "load_synonyms",
    "load_thesaurus",
    "parse_query",
    "verbatim_key",
]

# Names other modules and benches reach for by their old spelling (kb.search.query.FIELD_TIE, bench/run.py's
# _words_of_chunk), kept importable from here.
_REEXPORTED = (
    ADJACENCY_WEIGHT,
    FALLBACK_SCALE,
    FIELD_TIE,
    MAX_ADJACENCY_CHARS,
    NARROWER_WEIGHT,
    QUERY_STOPWORDS,
    SYNONYM_WEIGHT,
    TRUNCATED_MESSAGE,
    _FieldInfo,
    _best_of,
    _clean,
    _exact_query,
    _field_query,
    _lex,
    _words_of_chunk,
)
