"""The one jieba segmenter of the project: extraction, linking, indexing and queries all cut text with it.

A private ``jieba.Tokenizer`` (never jieba's global default), initialised once per process with the user
dictionary from the configuration folder (``kb.config``), its cache in a directory the application owns.
HMM new-word discovery stays off everywhere (``USE_HMM``). Text is ``normalize``d first (fold + traditional →
simplified, length preserving), so token offsets index the original text.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kb.config import config_file
from kb.text.normalize import normalize

if TYPE_CHECKING:  # pragma: no cover
    import jieba

ENV_CACHE = "POLICYKB_CACHE"

# jieba's HMM (new-word discovery) stays off. Measured on 1 MB of corpus text (laws + work reports)
# it costs only ~7% here (0.375 vs 0.40 M chars/s), but it guesses unknown words from context, so a
# query and a document can segment the same name differently; without it an unknown word is cut
# into single characters on both sides (kb.search.query searches such runs as a phrase) and the bigram
# field covers the rest.
USE_HMM = False

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# jieba segmenter (private instance, lazily initialised once per process)
# --------------------------------------------------------------------------------------------

_seg_lock = threading.Lock()
_segmenter: jieba.Tokenizer | None = None


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


def segmenter() -> jieba.Tokenizer:
    """The process-wide private jieba tokenizer with the policy user dictionaries loaded.

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
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.tmp_dir = str(cache_dir())
        tok.initialize()
        for path in userdict_paths():
            try:
                entries = load_userdict(path)
            except OSError as exc:
                log.warning("user dictionary %s not loaded: %s", path, exc)
                continue
            for word, freq, tag in entries:
                tok.add_word(word, freq, tag)
        _segmenter = tok
        return tok


# --------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------


_ALNUM_RE = re.compile(r"[^\W_]")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def segment(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of ``text`` as ``(token, start, end)``; ``text[start:end]`` is the token's source.

    Precise mode (no HMM); tokens without a letter/digit/ideograph dropped; decimal numbers
    merged ("6" "." "5" → "6.5"); lowercased.
    """
    if not text:
        return []
    norm = normalize(text)
    out: list[tuple[str, int, int]] = []
    pos = 0
    dot_end = -1  # end offset of a "." that directly follows a number token
    for word in segmenter().cut(norm, HMM=USE_HMM):
        start = pos
        pos += len(word)
        if word.isalnum() or _ALNUM_RE.search(word):
            if (
                start == dot_end
                and word.isascii()
                and word.isdigit()
                and _NUMBER_RE.fullmatch(out[-1][0])
                and out[-1][2] == start - 1
            ):
                prev_start = out[-1][1]
                out[-1] = (norm[prev_start:pos], prev_start, pos)
            else:
                out.append((word.lower(), start, pos))
        elif word == "." and out and out[-1][2] == start and _NUMBER_RE.fullmatch(out[-1][0]):
            dot_end = pos
    return out


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
                if seg.FREQ.get(word[i : i + n])
            ]
            for start, end in inner:
                left = any(s < start < e < end for s, e in inner)
                right = any(start < s < end < e for s, e in inner)
                if not (left and right):
                    out.append(word[start:end].lower())
        out.append(word.lower())
    return out


def reset_segmenter() -> None:
    """Forget the loaded segmenter (tests that switch the configuration folder call it)."""
    global _segmenter
    with _seg_lock:
        _segmenter = None
