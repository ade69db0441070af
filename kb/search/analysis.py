"""Chinese text analysis for Whoosh: jieba word tokens and CJK character bigrams.

The import path ``kb.analysis`` (now a re-export of this module) and the class names ``JiebaTokenizer``,
``BigramTokenizer``, ``ChineseAnalyzer`` and ``BigramAnalyzer`` are pickled into every Whoosh
index schema: never move or rename them. Behaviour changes must bump ``ANALYZER_VERSION`` so that
``fingerprint()`` changes and the store rebuilds the index.

Normalisation before segmentation (both at index and at query time) is length preserving, one
character in and one character out, so token offsets index the ORIGINAL text:

* ``kb.text.normalize.fold`` (full-width forms → ASCII, odd spaces → " ", NFKC where it keeps length);
* traditional → simplified, character by character, from zhconv's ``zh2Hans`` table (only the
  single-character → single-character entries). Phrase-level conversions are deliberately not
  used because they could change the length.

Token shape (``segment``): jieba precise mode without HMM; tokens without any letter or digit
(punctuation, whitespace, emoji) are dropped and positions stay sequential over the kept tokens;
single characters and numbers are kept ("42家" → "42" "家", "5000万元" → "5000" "万元");
decimal numbers are merged ("6.5" stays one token instead of "6" "." "5"); letters are lowercased.
No stop words are removed at index time, so quoted phrases across 和/的/与 still match.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import CompositeAnalyzer, Token, Tokenizer

from kb.text.normalize import CJK, normalize
from kb.text.segment import USE_HMM, segment

__all__ = [
    "ANALYZER_VERSION",
    "BigramAnalyzer",
    "BigramTokenizer",
    "ChineseAnalyzer",
    "JiebaTokenizer",
    "bigrams",
    "fingerprint",
    "is_bigram_analyzer",
]

# Bump whenever token output changes for the same text and dictionaries (forces a reindex).
ANALYZER_VERSION = "1"


def fingerprint() -> str:
    """sha1 over the code that makes the tokens: analyzer and library versions (the dictionaries are
    configuration files, counted by ``kb.config.config_fingerprint``)."""
    h = hashlib.sha1()

    def add(label: str, data: bytes) -> None:
        h.update(label.encode())
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)

    add("analyzer", ANALYZER_VERSION.encode())
    add("hmm", str(USE_HMM).encode())
    for dist in ("jieba", "zhconv"):
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        add(dist, version.encode())
    return h.hexdigest()


_BIGRAM_RE = re.compile(rf"(?P<num>[0-9]+(?:\.[0-9]+)+)|(?P<cjk>[{CJK}]+)|(?P<word>(?:(?![{CJK}])[^\W_])+)")


def bigrams(text: str) -> list[tuple[str, int, int]]:
    """CJK character bigrams (a lone ideograph as a unigram) and other letter/digit runs as tokens."""
    norm = normalize(text)
    out: list[tuple[str, int, int]] = []
    for m in _BIGRAM_RE.finditer(norm):
        start, end = m.span()
        if m.lastgroup == "cjk":
            if end - start == 1:
                out.append((norm[start], start, end))
            else:
                out.extend((norm[k : k + 2], k, k + 2) for k in range(start, end - 1))
        else:
            out.append((m.group().lower(), start, end))
    return out


# --------------------------------------------------------------------------------------------
# Whoosh tokenizers and analyzers
# --------------------------------------------------------------------------------------------


class _SegmentTokenizer(Tokenizer):
    """Shared Whoosh plumbing: turn ``(text, start, end)`` triples into reused Tokens."""

    def _split(self, value: str) -> list[tuple[str, int, int]]:  # pragma: no cover - abstract
        raise NotImplementedError

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
        for offset, (text, start, end) in enumerate(self._split(value)):
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


class BigramTokenizer(_SegmentTokenizer):
    """CJK character bigrams plus letter/number runs, sequential positions (for a recall field)."""

    def _split(self, value: str) -> list[tuple[str, int, int]]:
        return bigrams(value)


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


def is_bigram_analyzer(analyzer: object) -> bool:
    """True when a field's analyzer starts with ``BigramTokenizer``."""
    if isinstance(analyzer, BigramTokenizer):
        return True
    items = getattr(analyzer, "items", None)
    return bool(items) and isinstance(items[0], BigramTokenizer)
