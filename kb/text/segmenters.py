"""The two implementations of the project's one jieba segmentation: jieba itself and rjieba (jieba-rs).

``kb.text.segment`` holds one of them per process and cuts every text with it. Both give the same words for the
same dictionaries (precise mode, HMM off):

* ``JiebaSegmenter`` — jieba 0.42.1, a private ``jieba.Tokenizer``: the **reference**, and the fallback.
* ``RJiebaSegmenter`` — rjieba (jieba-rs, Rust: the same DAG of dictionary words, the same maximum-probability
  route, ~10–20× faster), fed with **jieba's own** ``dict.txt`` and the user dictionary so that it holds exactly
  the state jieba would. What that takes, each point checked against jieba 0.42.1 and jieba-rs 0.11 (rjieba 0.2.2):

  - *Frequencies and the total.* jieba adds every line of ``dict.txt`` and every user word to its total, also
    when the word was already there (``dict.txt`` has one duplicate; user words often re-weight dictionary
    words); jieba-rs replaces the old frequency in its total. The route's score of a word is
    ``log(freq) - log(total)``, so the totals must agree: the difference goes to a padding word
    (``PAD_WORD``, a private-use character no text run can contain).
  - *User words without a frequency* get jieba's ``suggest_freq`` (computed here with jieba's formula, over
    jieba's dictionary state: a prefix of a word that is no word counts 0, an unknown segment 1). jieba-rs'
    own ``suggest_freq`` works in log space and treats prefixes differently, so it is never used.
  - *A word with frequency 0* is no word to jieba (left out of its DAG, yet still a prefix); jieba-rs would
    keep it with ``log(0)``. Such a word is simply not given to jieba-rs; one that would have to be removed
    from it (a user entry of frequency 0 for a dictionary word) cannot be: ``Unrepresentable``, and the caller
    falls back to jieba (``kb.text.segment`` does so for any user entry of frequency 0).
  - *Runs of text.* jieba cuts runs of ``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._%-]`` with the dictionary and gives every
    other character alone (``\\r\\n`` together); jieba-rs does the same, but its runs also take CJK extension A,
    U+9FD6–U+9FFF, the compatibility ideographs and the supplementary planes (``EXTRA_RUN_CHARS``). Those
    characters are cut out here before rjieba sees the text and given alone, as jieba does (so no word holding
    one can match, as in jieba). Lone surrogates (which Rust strings cannot hold) are handled the same way.
  - *HMM* (new-word discovery) is off in this project; ``RJiebaSegmenter`` refuses ``HMM=True`` (jieba and
    jieba-rs guess unknown words with different code) and the caller chooses jieba then.

``tests/test_segmenters.py`` checks tokens and offsets against jieba on a sample; ``bench/segment.py`` on the
whole corpus.
"""

from __future__ import annotations

import bisect
import importlib.metadata
import importlib.util
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

__all__ = [
    "EXTRA_RUN_CHARS",
    "JIEBA_RUN_CLASS",
    "PAD_WORD",
    "JiebaSegmenter",
    "RJiebaSegmenter",
    "Segmenter",
    "Unrepresentable",
    "UserEntry",
    "jieba_dict_path",
    "rjieba_available",
    "rjieba_version",
]

log = logging.getLogger(__name__)

UserEntry = tuple[str, int | None, str | None]  # word, frequency (None: suggested), part-of-speech tag

# jieba 0.42.1's re_han_default: the characters of a run cut with the dictionary.
JIEBA_RUN_CLASS = "\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-"
# Characters jieba-rs puts into runs and jieba does not (jieba-rs' is_cjk beyond U+4E00–U+9FD5), and lone
# surrogates: cut out of the text before jieba-rs sees it, each given alone as jieba gives it.
EXTRA_RUN_CHARS = (
    "\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\ud800-\udfff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f"
)
_EXTRA_RE = re.compile(f"[{EXTRA_RUN_CHARS}]")
# Takes up the difference between jieba's total frequency and jieba-rs' (never inside a run of text).
PAD_WORD = "\ue000"


class Unrepresentable(ValueError):
    """The dictionaries hold something jieba-rs cannot be made to see as jieba does."""


class Segmenter(Protocol):
    """What ``kb.text.segment`` needs of a segmentation."""

    name: str

    def cut(self, text: str, HMM: bool = False) -> Iterable[str]:
        """Precise-mode words of ``text``; their concatenation is ``text``."""
        ...

    def is_word(self, word: str) -> bool:
        """True when ``word`` is a dictionary word (frequency > 0)."""
        ...


def jieba_dict_path() -> Path:
    """jieba's main dictionary (``jieba/dict.txt``), found without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        raise ImportError("jieba is not installed")
    return Path(spec.origin).parent / "dict.txt"


def rjieba_available() -> bool:
    """True when rjieba can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec("rjieba") is not None
    except (ImportError, ValueError):
        return False


def rjieba_version() -> str:
    try:
        return importlib.metadata.version("rjieba")
    except importlib.metadata.PackageNotFoundError:
        return "?"


class JiebaSegmenter:
    """jieba itself: a private ``jieba.Tokenizer`` (never jieba's global one) with the user words added."""

    name = "jieba"

    def __init__(self, entries: Sequence[UserEntry], cache_dir: Path | None = None) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        if cache_dir is not None:
            tok.tmp_dir = str(cache_dir)
        tok.initialize()
        for word, freq, tag in entries:
            tok.add_word(word, freq, tag)
        self.tokenizer = tok

    def cut(self, text: str, HMM: bool = False) -> Iterable[str]:
        return self.tokenizer.cut(text, HMM=HMM)

    def is_word(self, word: str) -> bool:
        return bool(self.tokenizer.FREQ.get(word))

    @property
    def total(self) -> int:
        return int(self.tokenizer.total)


class RJiebaSegmenter:
    """rjieba (jieba-rs) holding jieba's dictionary state: see the module docstring."""

    name = "rjieba"

    def __init__(self, entries: Sequence[UserEntry], dict_path: Path | None = None) -> None:
        import rjieba

        self._jieba = rjieba.Jieba.empty()
        self._rs_cut = self._jieba.cut
        # Only while loading: jieba's FREQ of every word (prefixes that are no word left out), and the words in
        # order for prefix look-ups (built when a user word needs a suggested frequency).
        self._freq: dict[str, int] = {}
        self._sorted: list[str] | None = None
        self._total = 0  # jieba's total
        self._given = 0  # the sum of the frequencies jieba-rs holds for real words
        self._loading = True
        path = dict_path or jieba_dict_path()
        # jieba's gen_pfdict: "word freq [tag]" per line, stripped, split on single spaces. The common case (a
        # new word of positive frequency that jieba can cut out) inline; the rest through _set.
        freq_of, add = self._freq, self._jieba.add_word
        total = given = 0
        lines = path.read_bytes().split(b"\n")
        if lines and not lines[-1]:
            lines.pop()  # after the last line break (no line to jieba)
        for lineno, line in enumerate(lines, 1):
            try:
                word, freq_text = line.strip().decode("utf-8").split(" ")[:2]
                freq = int(freq_text)
            except ValueError:
                raise ValueError(f"invalid dictionary entry in {path} at line {lineno}") from None
            if freq > 0 and word not in freq_of:
                add(word, freq, None)
                freq_of[word] = freq
                total += freq
                given += freq
            else:
                self._total, self._given = total, given
                self._set(word, freq)
                total, given = self._total, self._given
        self._total, self._given = total, given
        for word, freq, tag in entries:
            self.add_word(word, freq, tag)
        self._pad()
        self._freq, self._sorted, self._loading = {}, None, False

    # -- the dictionary, as jieba would hold it ---------------------------------------------------------------

    def _set(self, word: str, freq: int) -> None:
        """jieba's ``FREQ[word] = freq; total += freq``, mirrored into jieba-rs."""
        old = self._freq.get(word, 0)
        if freq > 0:
            self._jieba.add_word(word, freq, None)
            self._given += freq - old
        elif old > 0:
            raise Unrepresentable(f"{word!r} with frequency 0 cannot be taken out of jieba-rs' dictionary")
        if self._sorted is not None and word not in self._freq:
            bisect.insort(self._sorted, word)
        self._freq[word] = freq
        self._total += freq

    def _pad(self) -> None:
        # jieba-rs' total = the real words' sum + the pad's frequency = jieba's total
        self._jieba.add_word(PAD_WORD, self._total - self._given, None)

    def _lookup(self, segment: str) -> int:
        """jieba's ``FREQ.get(segment, 1)``: a word's frequency, 0 for a prefix of a word, else 1."""
        freq = self._freq.get(segment)
        if freq is not None:
            return freq
        if self._sorted is None:
            self._sorted = sorted(self._freq)
        i = bisect.bisect_right(self._sorted, segment)
        return 0 if i < len(self._sorted) and self._sorted[i].startswith(segment) else 1

    def suggest_freq(self, word: str) -> int:
        """jieba's ``suggest_freq(word, tune=False)``: the smallest frequency that keeps ``word`` whole."""
        self._pad()  # the word is cut with jieba's current total
        ftotal = float(self._total)
        freq: float = 1
        for seg in self.cut(word):
            freq *= self._lookup(seg) / ftotal
        return max(int(freq * self._total) + 1, self._lookup(word))

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> int:
        """jieba's ``add_word`` (while loading): the frequency replaces the word's and is added to the total."""
        if not self._loading:
            raise RuntimeError("RJiebaSegmenter takes its words while loading (pass them to the constructor)")
        if not word:
            return 0
        freq = int(freq) if freq is not None else self.suggest_freq(word)
        self._set(word, freq)
        return freq

    @property
    def total(self) -> int:
        return self._total

    # -- segmentation ---------------------------------------------------------------------------------------

    def cut(self, text: str, HMM: bool = False) -> list[str]:
        if HMM:
            raise ValueError("RJiebaSegmenter cuts with HMM off only (jieba's HMM is a different code path)")
        if _EXTRA_RE.search(text) is None:
            return self._rs_cut(text, False)
        out: list[str] = []
        pos = 0
        for m in _EXTRA_RE.finditer(text):
            if m.start() > pos:
                out.extend(self._rs_cut(text[pos : m.start()], False))
            out.append(m.group())
            pos = m.end()
        if pos < len(text):
            out.extend(self._rs_cut(text[pos:], False))
        return out

    def is_word(self, word: str) -> bool:
        return self._jieba.has_word(word) and word != PAD_WORD
