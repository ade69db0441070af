"""Chinese text analysis for Whoosh: jieba word tokens and CJK character bigrams.

The import path ``kb.analysis`` (now a re-export of this module) and the class names ``JiebaTokenizer``,
``BigramTokenizer``, ``ChineseAnalyzer`` and ``BigramAnalyzer`` are pickled into every Whoosh
index schema: never move or rename them. Behaviour changes must bump ``ANALYZER_VERSION`` so that
``fingerprint()`` changes and the store rebuilds the index.

Normalisation before segmentation (both at index and at query time) is length preserving, one
character in and one character out, so token offsets index the ORIGINAL text:

* ``kb.text.normalize.fold`` (full-width forms → ASCII, odd spaces → " ", NFKC where it keeps length);
* traditional → simplified, character by character, from OpenCC's ``TSCharacters`` table (only the
  single-character → single-character entries). Phrase-level conversions are deliberately not
  used because they could change the length.

Character bigrams (``BigramTokenizer``): every bigram of a CJK run, those that straddle two jieba words marked
("提高企业" → 提高 高|企 企业; ``index_bigrams``). A run of one-character words (an unknown word jieba cut
character by character, 加快培育高/企) counts as one word. A query word is bigrammed plainly (``mode="query"``)
and ``kb.search.query`` decides which forms it accepts: a two-character word (高企) only the bigram inside a word,
so it never matches 提高企业; a longer word either, so 脱贫攻坚 still finds 打赢脱贫/攻坚战.

Quantities (``AmountTokenizer``): one term per ``number unit`` of the text, normalised to the base unit of its
family (``kb.search.amounts``): 5000万元 and 0.5亿元 both index ``元=50000000``.

Token shape (``segment``): jieba precise mode without HMM (cut by rjieba where it is installed: the same words,
``kb.text.segmenters``); tokens without any letter or digit
(punctuation, whitespace, emoji) are dropped and positions stay sequential over the kept tokens;
single characters and numbers are kept ("42家" → "42" "家", "5000万元" → "5000" "万元");
decimal numbers are merged ("6.5" stays one token instead of "6" "." "5"); letters are lowercased.
No stop words are removed at index time, so quoted phrases across 和/的/与 still match.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib.metadata
import itertools
import operator
import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.analysis.tokenizers import Tokenizer

from kb.text.normalize import CJK, normalize, t2s_digest
from kb.text.segment import USE_HMM, implementation_label, segment, segment_normalized

__all__ = [
    "ANALYZER_VERSION",
    "CROSS_MARK",
    "AmountAnalyzer",
    "AmountTokenizer",
    "BigramAnalyzer",
    "BigramTokenizer",
    "ChineseAnalyzer",
    "JiebaTokenizer",
    "bigrams",
    "cross_bigram",
    "fingerprint",
    "index_bigrams",
    "index_terms",
    "is_bigram_analyzer",
]

# Bump whenever token output changes for the same text and dictionaries (forces a reindex).
ANALYZER_VERSION = "2"  # 2: bigrams across words marked; quantities field


def fingerprint() -> str:
    """sha1 over the code that makes the tokens: analyzer and library versions, and which implementation of the
    segmentation this process uses (``jieba`` or ``rjieba <version>``: an index records what made its tokens, and
    a build with the other one re-analyses everything). jieba's own dictionary comes with jieba's version; the
    user dictionary is a configuration file, counted by ``kb.config.config_fingerprint``."""
    h = hashlib.sha1()

    def add(label: str, data: bytes) -> None:
        h.update(label.encode())
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)

    add("analyzer", ANALYZER_VERSION.encode())
    add("hmm", str(USE_HMM).encode())
    add("segmenter", implementation_label().encode())
    try:
        version = importlib.metadata.version("jieba")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    add("jieba", version.encode())
    add("t2s", t2s_digest().encode())  # the traditional→simplified table (OpenCC)
    return h.hexdigest()


_BIGRAM_RE = re.compile(rf"(?P<num>[0-9]+(?:\.[0-9]+)+)|(?P<cjk>[{CJK}]+)|(?P<word>(?:(?![{CJK}])[^\W_])+)")


def bigrams(text: str) -> list[tuple[str, int, int]]:
    """CJK character bigrams (a lone ideograph as a unigram) and other letter/digit runs as tokens."""
    return _bigrams(normalize(text))


def _bigrams(norm: str, cut: set[int] | frozenset[int] = frozenset()) -> list[tuple[str, int, int]]:
    """``bigrams`` of a normalised text; a bigram whose two ideographs sit either side of an offset in ``cut`` is
    marked (``cross_bigram``)."""
    out: list[tuple[str, int, int]] = []
    for m in _BIGRAM_RE.finditer(norm):
        start, end = m.span()
        if m.lastgroup == "cjk":
            if end - start == 1:
                out.append((norm[start], start, end))
            elif cut:
                out.extend(
                    (norm[k] + CROSS_MARK + norm[k + 1] if k + 1 in cut else norm[k : k + 2], k, k + 2)
                    for k in range(start, end - 1)
                )
            else:
                out.extend((norm[k : k + 2], k, k + 2) for k in range(start, end - 1))
        else:
            out.append((m.group().lower(), start, end))
    return out


def _bigram_terms(norm: str, cut: set[int]) -> list[str]:
    """The texts of ``_bigrams(norm, cut)`` alone (what the index needs of them): a CJK run's bigrams made in one
    pass (``map``), then those across a cut marked."""
    out: list[str] = []
    cuts = sorted(cut) if cut else []
    for m in _BIGRAM_RE.finditer(norm):
        if m.lastgroup != "cjk":
            out.append(m.group().lower())
            continue
        run = m.group()
        if len(run) == 1:
            out.append(run)
            continue
        first = len(out)
        out.extend(map(operator.add, run[:-1], run[1:]))
        start, end = m.span()
        # a cut at k + 1 (start <= k < end - 1) marks the bigram at k
        for i in range(bisect.bisect_right(cuts, start), bisect.bisect_left(cuts, end)):
            k = cuts[i] - 1 - start
            out[first + k] = run[k] + CROSS_MARK + run[k + 1]
    return out


# The same text is analysed for two fields of a hit (bigrams and body, title and title_bigrams; Whoosh
# analyses a document's fields in name order): its normalised form and segmentation are kept for the next field
# rather than computed twice (the strings are the same objects); the document's title, the same for all its
# hits, stays in the cache (least recently used goes first). Indexing only: one index writer per process.
_SEGMENT_CACHE: dict[str, tuple[str, list[tuple[str, int, int]]]] = {}
_SEGMENT_CACHE_SIZE = 4

# A bigram across two jieba words is indexed as "a|b" (CROSS_MARK between its characters), one inside a
# word as "ab": a two-character query (高企, 国企) matches only the latter, a longer one either.
CROSS_MARK = "|"


def _analysed(text: str) -> tuple[str, list[tuple[str, int, int]]]:
    """``(normalize(text), segment(text))``, from the cache when the text was just analysed."""
    cached = _SEGMENT_CACHE.pop(text, None)  # least recently used first: a hit moves to the end
    if cached is None:
        norm = normalize(text)
        cached = (norm, segment_normalized(norm))
        if len(_SEGMENT_CACHE) >= _SEGMENT_CACHE_SIZE:
            _SEGMENT_CACHE.pop(next(iter(_SEGMENT_CACHE)), None)
    _SEGMENT_CACHE[text] = cached
    return cached


def _segment_cached(text: str) -> list[tuple[str, int, int]]:
    return _analysed(text)[1]


def _word_boundaries(tokens: list[tuple[str, int, int]]) -> set[int]:
    """Offsets where one jieba word ends and the next begins, except between two one-character words (an
    unknown word cut character by character, 高/企, stays one run)."""
    return {
        e1
        for (_, s1, e1), (_, s2, e2) in itertools.pairwise(tokens)
        if e1 == s2 and (e1 - s1 != 1 or e2 - s2 != 1)
    }


def cross_bigram(gram: str) -> str:
    """The index term of a bigram that straddles two words ("提高企业" → "高|企")."""
    return gram[0] + CROSS_MARK + gram[1:]


def index_bigrams(text: str) -> list[tuple[str, int, int]]:
    """The bigram tokens of a text as indexed: ``bigrams``, those across a word boundary marked ("高|企")."""
    norm, tokens = _analysed(text)
    return _bigrams(norm, _word_boundaries(tokens))


# --------------------------------------------------------------------------------------------
# Whoosh tokenizers and analyzers
# --------------------------------------------------------------------------------------------


class _SegmentTokenizer(Tokenizer):
    """Shared Whoosh plumbing: turn ``(text, start, end)`` triples into reused Tokens."""

    def _split(self, value: str) -> list[tuple[str, int, int]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _split_mode(self, value: str, mode: str) -> list[tuple[str, int, int]]:
        return self._split(value)

    def terms(self, value: str, mode: str = "") -> list[str]:
        """The texts of the tokens of ``value``, in order: all the index keeps of them (``index_terms``)."""
        return [text for text, _, _ in self._split_mode(value, mode)]

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = value
            t.text = normalize(value).lower()
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        for offset, (text, start, end) in enumerate(self._split_mode(value, mode)):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + offset
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class JiebaTokenizer(_SegmentTokenizer):
    """jieba precise-mode word tokens with sequential positions and offsets into the original text.

    Holds no state: the jieba instance is looked up through ``segmenter()`` so pickling the
    schema never pickles the dictionary, and each process uses its own segmenter.
    """

    def _split(self, value: str) -> list[tuple[str, int, int]]:
        return segment(value)

    def _split_mode(self, value: str, mode: str) -> list[tuple[str, int, int]]:
        return segment(value) if mode == "query" else _segment_cached(value)


class BigramTokenizer(_SegmentTokenizer):
    """CJK character bigrams plus letter/number runs, sequential positions (for a recall field).

    Indexing (any mode but ``"query"``) marks the bigrams across two jieba words (``index_bigrams``); a query
    word is bigrammed plainly (``bigrams``).
    """

    def _split(self, value: str) -> list[tuple[str, int, int]]:
        return index_bigrams(value)

    def _split_mode(self, value: str, mode: str) -> list[tuple[str, int, int]]:
        return bigrams(value) if mode == "query" else index_bigrams(value)

    def terms(self, value: str, mode: str = "") -> list[str]:
        if mode == "query":
            return super().terms(value, mode)
        norm, tokens = _analysed(value)
        return _bigram_terms(norm, _word_boundaries(tokens))


class AmountTokenizer(_SegmentTokenizer):
    """One ``family=value`` term per quantity of the text (``kb.search.amounts``), e.g. ``元=50000000``.

    The unit table is the configured one, looked up per process (never pickled with the schema).
    """

    def _split(self, value: str) -> list[tuple[str, int, int]]:
        from kb.search.amounts import find_quantities, token

        return [(token(q.family, q.value), q.start, q.end) for q in find_quantities(value)]

    def _split_mode(self, value: str, mode: str) -> list[tuple[str, int, int]]:
        if mode == "query":  # a query term is a token already (kb.search.query builds it)
            return [(value, 0, len(value))] if value else []
        return self._split(value)


class ChineseAnalyzer(CompositeAnalyzer):
    """Word analyzer: ``JiebaTokenizer`` (normalises, segments, drops punctuation, lowercases).

    No stop filter: removing 和/的/与 would make quoted phrases match across other words.
    Extra Whoosh filters can be chained: ``ChineseAnalyzer() | SomeFilter()``.
    """

    def __init__(self) -> None:
        super().__init__(JiebaTokenizer())


class BigramAnalyzer(CompositeAnalyzer):
    """Character-bigram analyzer; query it with phrases (``kb.search.query`` does)."""

    def __init__(self) -> None:
        super().__init__(BigramTokenizer())


class AmountAnalyzer(CompositeAnalyzer):
    """Quantity analyzer: ``AmountTokenizer`` (values in base units, for matching amounts by value)."""

    def __init__(self) -> None:
        super().__init__(AmountTokenizer())


def index_terms(analyzer: object, value: object, options: dict[str, Any]) -> list[str] | None:
    """The terms one of kb's analyzers makes of ``value`` at index time, in order: what Whoosh's
    ``Format.word_values`` reads off its tokens (text and position; the boost is always 1), without a Token per
    term. ``None`` when Whoosh must run the analyzer itself: another analyzer, filters chained to ours, a value
    that is not a string, options other than ``mode`` (``kb.search.whoosh.patches`` uses it)."""
    if not isinstance(value, str) or not options.keys() <= {"mode"}:
        return None
    items = getattr(analyzer, "items", None)
    tokenizer = (
        items[0] if isinstance(analyzer, CompositeAnalyzer) and items and len(items) == 1 else analyzer
    )
    if not isinstance(tokenizer, _SegmentTokenizer):
        return None
    return tokenizer.terms(value, options.get("mode", ""))


def term_positions(terms: list[str]) -> dict[str, list[int]]:
    """Each term of ``terms`` (``index_terms``' output) with its positions, in the order terms first occur."""
    poses: dict[str, list[int]] = {}
    for pos, term in enumerate(terms):
        found = poses.get(term)
        if found is None:
            poses[term] = [pos]
        else:
            found.append(pos)
    return poses


def is_bigram_analyzer(analyzer: object) -> bool:
    """True when a field's analyzer starts with ``BigramTokenizer``."""
    if isinstance(analyzer, BigramTokenizer):
        return True
    items = getattr(analyzer, "items", None)
    return bool(items) and isinstance(items[0], BigramTokenizer)
