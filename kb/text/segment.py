"""The one jieba segmenter of the project: extraction, linking, indexing and queries all cut text with it.

One segmenter per process, initialised on first use with jieba's dictionary and the user dictionary from the
configuration folder (``kb.config``). Two implementations give the same words (``kb.text.segmenters``): rjieba
(jieba-rs, ~10–20× faster) where it is installed, else jieba itself (a private ``jieba.Tokenizer``, its cache in
a directory the application owns), which stays the reference. ``$POLICYKB_SEGMENTER`` chooses: ``auto``
(default: rjieba when importable and nothing needs jieba), ``jieba``, or ``rjieba`` (an error when it cannot be
used). HMM new-word discovery stays off everywhere (``USE_HMM``). Text is ``normalize``d first (fold +
traditional → simplified, length preserving), so token offsets index the original text.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import os
import re
import tempfile
import threading
from pathlib import Path

from kb.config import config_file
from kb.text.normalize import normalize
from kb.text.segmenters import (
    JiebaSegmenter,
    RJiebaSegmenter,
    Segmenter,
    UserEntry,
    rjieba_available,
    rjieba_version,
)

ENV_CACHE = "POLICYKB_CACHE"
ENV_SEGMENTER = "POLICYKB_SEGMENTER"
SEGMENTER_CHOICES = ("auto", "jieba", "rjieba")

# jieba's HMM (new-word discovery) stays off. Measured on 1 MB of corpus text (laws + work reports)
# it costs only ~7% here (0.375 vs 0.40 M chars/s), but it guesses unknown words from context, so a
# query and a document can segment the same name differently; without it an unknown word is cut
# into single characters on both sides (kb.search.query searches such runs as a phrase) and the bigram
# field covers the rest.
USE_HMM = False

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# The segmenter (lazily initialised once per process)
# --------------------------------------------------------------------------------------------

_seg_lock = threading.Lock()
_segmenter: Segmenter | None = None


def cache_dir() -> Path:
    """A directory the application owns for jieba's dictionary cache (created if missing).

    ``$POLICYKB_CACHE`` or ``$XDG_CACHE_HOME/policykb`` or ``~/.cache/policykb``; falls back to a
    per-user directory under the system temp dir when that is not writable.
    """
    candidates: list[Path] = []
    if os.environ.get(ENV_CACHE):
        candidates.append(Path(os.environ[ENV_CACHE]).expanduser())
    xdg = os.environ.get("XDG_CACHE_HOME")
    candidates.append((Path(xdg) if xdg else Path.home() / ".cache") / "policykb")
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / f"policykb-{uid}")
    for path in candidates:
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK | os.X_OK):
            return path
    return Path(tempfile.mkdtemp(prefix="policykb-"))


def userdict_paths() -> list[Path]:
    """The user dictionary in use: the configuration folder's ``userdict.txt``, else the packaged one."""
    return [config_file("userdict.txt")]


def load_userdict(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Parse a jieba user dictionary: ``word [freq] [tag]`` per line; ``#`` comments, blank lines skipped.

    Words are normalised (fold + traditional→simplified) like the text they must match.
    """
    entries: list[tuple[str, int | None, str | None]] = []
    with open(path, encoding="utf-8-sig") as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            word = normalize(parts[0])
            freq: int | None = None
            tag: str | None = None
            for part in parts[1:3]:
                if part.isdigit():
                    freq = int(part)
                elif part.startswith("#"):
                    break
                else:
                    tag = part
            entries.append((word, freq, tag))
    return entries


def user_entries() -> list[UserEntry]:
    """The entries of the user dictionaries in use (a file that cannot be read is skipped, with a warning)."""
    entries: list[UserEntry] = []
    for path in userdict_paths():
        try:
            entries.extend(load_userdict(path))
        except OSError as exc:
            log.warning("user dictionary %s not loaded: %s", path, exc)
    return entries


def segmenter_choice() -> str:
    """``$POLICYKB_SEGMENTER`` (``auto``, ``jieba`` or ``rjieba``; default ``auto``)."""
    choice = os.environ.get(ENV_SEGMENTER, "").strip().lower() or "auto"
    if choice not in SEGMENTER_CHOICES:
        raise ValueError(f"${ENV_SEGMENTER} must be one of {', '.join(SEGMENTER_CHOICES)}, not {choice!r}")
    return choice


def implementation(entries: list[UserEntry] | None = None) -> str:
    """The segmentation this process uses, ``"rjieba"`` or ``"jieba"``, decided without loading a dictionary.

    rjieba needs HMM off and no user word of frequency 0 (jieba drops such a word from its dictionary, which
    jieba-rs cannot do); ``auto`` then takes jieba, an explicit ``rjieba`` is an error.
    """
    choice = segmenter_choice()
    if choice == "jieba":
        return "jieba"
    entries = user_entries() if entries is None else entries
    reasons = []
    if not rjieba_available():
        reasons.append("rjieba is not installed")
    if USE_HMM:
        reasons.append("HMM is on")
    zero = [word for word, freq, _ in entries if freq == 0]
    if zero:
        reasons.append(f"the user dictionary sets frequency 0 ({zero[0]})")
    if not reasons:
        return "rjieba"
    if choice == "rjieba":
        raise RuntimeError(f"${ENV_SEGMENTER}=rjieba cannot be used: {'; '.join(reasons)}")
    return "jieba"


def implementation_label() -> str:
    """What made the tokens, for the index fingerprint: ``jieba`` or ``rjieba <version>`` (jieba's own version
    and the dictionaries are counted elsewhere)."""
    name = implementation()
    return f"rjieba {rjieba_version()}" if name == "rjieba" else name


def segmenter() -> Segmenter:
    """The process-wide segmenter with jieba's dictionary and the policy user dictionaries loaded.

    Initialised on first use (thread-safe). Call it once before forking workers so children
    share the loaded dictionary; spawned children initialise their own on first use.
    """
    global _segmenter
    seg = _segmenter
    if seg is not None:
        return seg
    with _seg_lock:
        if _segmenter is not None:
            return _segmenter
        entries = user_entries()
        if implementation(entries) == "rjieba":
            _segmenter = RJiebaSegmenter(entries)
        else:
            _segmenter = JiebaSegmenter(entries, cache_dir())
        return _segmenter


# --------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------


_ALNUM_RE = re.compile(r"[^\W_]")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


# A "." between two digits: where "6" "." "5" may be merged into "6.5".
_DECIMAL_DOT_RE = re.compile(r"(?<=[0-9])\.(?=[0-9])")


def _merge_decimals(norm: str, words: list[str], ends: list[int]) -> None:
    """Merge a number word, a "." word and a word of ASCII digits into one word ("6" "." "5" → "6.5",
    "2019" "." "07" "." "08" → "2019.07.08"), in place: the merged word takes the last word's place, the words
    it absorbed become ""."""
    for m in _DECIMAL_DOT_RE.finditer(norm):
        k = bisect.bisect_right(ends, m.start())  # the word that holds the dot
        if (
            0 < k < len(words) - 1
            and words[k] == "."
            and _NUMBER_RE.fullmatch(words[k - 1])
            and words[k + 1].isascii()
            and words[k + 1].isdigit()
        ):
            words[k + 1] = words[k - 1] + "." + words[k + 1]
            words[k - 1] = words[k] = ""


def segment(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of ``text`` as ``(token, start, end)``; ``text[start:end]`` is the token's source.

    Precise mode (no HMM); tokens without a letter/digit/ideograph dropped; decimal numbers
    merged ("6" "." "5" → "6.5"); lowercased.
    """
    if not text:
        return []
    return segment_normalized(normalize(text))


def segment_normalized(norm: str) -> list[tuple[str, int, int]]:
    """``segment`` of a text already ``normalize``d (offsets index it, and the text it was made from)."""
    if not norm:
        return []
    words = segmenter().cut(norm, HMM=USE_HMM)
    if not isinstance(words, list):
        words = list(words)
    ends = list(itertools.accumulate(map(len, words)))
    if "." in norm:
        _merge_decimals(norm, words, ends)
    return [
        (word.lower(), end - len(word), end)
        for word, end in zip(words, ends, strict=True)
        if word and (word.isalnum() or _ALNUM_RE.search(word))
    ]


def search_words(text: str) -> list[str]:
    """Precise-mode words and the dictionary words inside them, normalised and lowercased: what linking compares.

    Like jieba's search mode (the 2- and 3-character dictionary words inside a longer word, then the word), minus
    the sub-words that straddle the boundary of two others: 创新创业 gives 创新, 创业 and 创新创业, not 新创.
    """
    if not text:
        return []
    seg = segmenter()
    out: list[str] = []
    for word in seg.cut(normalize(text), HMM=USE_HMM):
        if not _ALNUM_RE.search(word):
            continue
        if len(word) > 2:
            inner = [
                (i, i + n)
                for n in (2, 3)
                if len(word) > n
                for i in range(len(word) - n + 1)
                if seg.is_word(word[i : i + n])
            ]
            for start, end in inner:
                left = any(s < start < e < end for s, e in inner)
                right = any(start < s < end < e for s, e in inner)
                if not (left and right):
                    out.append(word[start:end].lower())
        out.append(word.lower())
    return out


def set_segmenter(seg: Segmenter | None) -> Segmenter | None:
    """Make ``seg`` the process-wide segmenter (``None``: load one on next use); returns the previous one.

    For tests and benchmarks that compare implementations through ``segment`` itself."""
    global _segmenter
    with _seg_lock:
        previous, _segmenter = _segmenter, seg
    return previous


def reset_segmenter() -> None:
    """Forget the loaded segmenter (tests that switch the configuration folder call it)."""
    global _segmenter
    with _seg_lock:
        _segmenter = None
