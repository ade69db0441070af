"""Chinese text analysis for Whoosh: jieba word tokens and CJK character bigrams.

The import path of this module (``kb.analysis``) and the class names ``JiebaTokenizer``,
``BigramTokenizer``, ``ChineseAnalyzer`` and ``BigramAnalyzer`` are pickled into every Whoosh
index schema: never move or rename them. Behaviour changes must bump ``ANALYZER_VERSION`` so that
``fingerprint()`` changes and the store rebuilds the index.

Normalisation before segmentation (both at index and at query time) is length preserving, one
character in and one character out, so token offsets index the ORIGINAL text:

* ``kb.normalize.fold`` (full-width forms → ASCII, odd spaces → " ", NFKC where it keeps length);
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
import importlib.util
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.analysis import CompositeAnalyzer, Token, Tokenizer

from kb.normalize import fold

if TYPE_CHECKING:  # pragma: no cover
    import jieba

__all__ = [
    "ANALYZER_VERSION",
    "DATA_DIR",
    "SYNONYMS_PATH",
    "USERDICT_PATH",
    "BigramAnalyzer",
    "BigramTokenizer",
    "ChineseAnalyzer",
    "JiebaTokenizer",
    "bigrams",
    "cache_dir",
    "fingerprint",
    "is_bigram_analyzer",
    "is_cjk",
    "load_userdict",
    "normalize",
    "segment",
    "segmenter",
    "userdict_paths",
]

# Bump whenever token output changes for the same text and dictionaries (forces a reindex).
ANALYZER_VERSION = "1"

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT_PATH = DATA_DIR / "userdict.txt"
SYNONYMS_PATH = DATA_DIR / "synonyms.txt"

ENV_CACHE = "POLICYKB_CACHE"
ENV_USERDICT = "POLICYKB_USERDICT"

# jieba's HMM (new-word discovery) stays off. Measured on 1 MB of corpus text (laws + work reports)
# it costs only ~7% here (0.375 vs 0.40 M chars/s), but it guesses unknown words from context, so a
# query and a document can segment the same name differently; without it an unknown word is cut
# into single characters on both sides (kb.query searches such runs as a phrase) and the bigram
# field covers the rest.
USE_HMM = False

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Length-preserving normalisation
# --------------------------------------------------------------------------------------------

_CJK_RANGES = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph (basic block, extension A-G, compatibility ideographs, 〇)."""
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x3134F
        or 0xF900 <= code <= 0xFAFF
        or code == 0x3007
    )


def _load_t2s_chars() -> dict[str, str]:
    """zhconv's traditional→simplified table restricted to one character → one character.

    The JSON table is read directly from the installed zhconv package: importing ``zhconv``
    itself imports ``pkg_resources`` (slow, and a deprecation warning on recent setuptools).
    """
    table: dict[str, str] | None = None
    spec = importlib.util.find_spec("zhconv")
    if spec is not None and spec.origin:
        path = Path(spec.origin).parent / "zhcdict.json"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                table = json.load(fh)["zh2Hans"]
    if table is None:  # pragma: no cover - different zhconv layout
        import zhconv.zhconv as zc

        table = zc.getdict("zh-hans")
    return {k: v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}


class _NormTable(dict):
    """Lazily filled ``str.translate`` table: fold, then traditional → simplified, per character."""

    def __init__(self) -> None:
        super().__init__()
        self._t2s: dict[str, str] | None = None

    def __missing__(self, code: int) -> str:
        if self._t2s is None:
            self._t2s = _load_t2s_chars()
        ch = fold(chr(code))
        mapped = self._t2s.get(ch, ch)
        self[code] = mapped
        return mapped


_NORM = _NormTable()


def normalize(text: str) -> str:
    """Length-preserving normalisation used before segmentation (fold + traditional→simplified).

    Letters are NOT lowercased here (jieba's dictionary is case sensitive); tokens are lowercased.
    """
    return text.translate(_NORM)


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
    """The shipped user dictionary plus the optional one named by ``$POLICYKB_USERDICT``."""
    paths = [USERDICT_PATH]
    extra = os.environ.get(ENV_USERDICT)
    if extra:
        paths.append(Path(extra).expanduser())
    return paths


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


def fingerprint() -> str:
    """sha1 over everything that changes the tokens: versions, user dictionaries, synonyms."""
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
    for path in [*userdict_paths(), SYNONYMS_PATH]:
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = b"<missing>"
        add(str(path.name), data)
    return h.hexdigest()


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


_BIGRAM_RE = re.compile(
    rf"(?P<num>[0-9]+(?:\.[0-9]+)+)|(?P<cjk>[{_CJK_RANGES}]+)|(?P<word>(?:(?![{_CJK_RANGES}])[^\W_])+)"
)


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
    """Character-bigram analyzer; query it with phrases (``kb.query`` does)."""

    def __init__(self) -> None:
        super().__init__(BigramTokenizer())


def is_bigram_analyzer(analyzer: object) -> bool:
    """True when a field's analyzer starts with ``BigramTokenizer``."""
    if isinstance(analyzer, BigramTokenizer):
        return True
    items = getattr(analyzer, "items", None)
    return bool(items) and isinstance(items[0], BigramTokenizer)
