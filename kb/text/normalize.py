"""Length-preserving normalisation for matching (never for quoting), and the one CJK class.

``fold`` maps every character to exactly one character, so an offset found in ``fold(text)`` is the same offset
in ``text``; ``normalize`` adds traditional → simplified (one character each) for segmentation and search.
"""

from __future__ import annotations

import hashlib
import importlib.util
import unicodedata
from pathlib import Path

# Unicode spaces seen in government documents (U+2002 en space, U+3000 ideographic space, NBSP...).
WHITESPACE = frozenset(
    " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)


def _fold_char(ch: str) -> str:
    if ch in WHITESPACE:
        return " "
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII forms
        return chr(code - 0xFEE0)
    if ch == "〇":
        return "〇"
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1:
        return folded
    return ch


class _FoldTable(dict):
    """``str.translate`` table filled on first sight of each code point (the loop stays in C)."""

    def __missing__(self, code: int) -> str:
        mapped = _fold_char(chr(code))
        self[code] = mapped
        return mapped


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Fold full-width letters/digits/punctuation to ASCII and odd spaces to ' ', keeping length."""
    return text.translate(_TABLE)


def is_blank(text: str) -> bool:
    return not text.strip() or all(ch in WHITESPACE or ch.isspace() for ch in text)


# ---------------------------------------------------------------------------------------------------
# CJK ideographs: one definition for every module

# A regex character-class body: the basic block, extension A, compatibility ideographs, extensions B-G, 〇.
CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


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


# ---------------------------------------------------------------------------------------------------
# fold + traditional → simplified, for segmentation and search (still length preserving)


def _load_t2s_chars() -> dict[str, str]:
    """OpenCC's traditional→simplified character table (``TSCharacters.txt``, Apache-2.0) restricted to one
    character → one character (the first candidate where it lists several).

    The file is read from the installed ``opencc-python-reimplemented`` package without importing it. (Until
    issue 26 this was zhconv's table, whose data is MediaWiki's, GPL-2.0+; OpenCC's agrees on every character the
    two share and lacks some 600 variant forms such as 隄→堤, rare in government documents.)
    """
    spec = importlib.util.find_spec("opencc")
    path = Path(spec.origin).parent / "dictionary" / "TSCharacters.txt" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise RuntimeError(
            "缺少繁简转换表：请安装 opencc-python-reimplemented（make setup）。"
            " The traditional→simplified table is missing: install opencc-python-reimplemented."
        )
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[source] = target
    return table


def t2s_digest() -> str:
    """sha1 of the traditional→simplified table in use (part of the analyzer's fingerprint)."""
    table = _load_t2s_chars()
    return hashlib.sha1("".join(f"{k}{v}" for k, v in sorted(table.items())).encode("utf-8")).hexdigest()


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
    """``fold`` then traditional → simplified, character by character (length preserving).

    What the segmenter and the search index see. Letters are NOT lowercased here (jieba's dictionary is
    case sensitive); tokens are lowercased.
    """
    return text.translate(_NORM)


# Kangxi radicals (U+2F00–U+2FDF), CJK radicals supplement (U+2E80–U+2EFF) and CJK compatibility
# ideographs (U+F900–U+FAFF): PDF text layers made with CJK fonts often give these for common
# characters (⼗⼯⽅⽂ for 十工方文) because the font draws both with one glyph.
_COMPAT_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF))
# C-simplified radicals NFKC leaves alone, to the character whose glyph they share (Unicode's
# EquivalentUnifiedIdeograph data, restricted to characters that stand alone in running text).
_RADICAL_SUPPLEMENT = dict(
    zip(
        "⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻢⻣⻤⻥⻦⻧⻨⻩⻬⻮⻰",
        "民西见角贝车长门青韦页风飞马骨鬼鱼鸟卤麦黄齐齿龙",
        strict=True,
    )
)
_COMPAT_TABLE: dict[int, str] | None = None


def _compat_table() -> dict[int, str]:
    global _COMPAT_TABLE
    if _COMPAT_TABLE is None:
        table: dict[int, str] = {}
        for low, high in _COMPAT_RANGES:
            for code in range(low, high + 1):
                ch = chr(code)
                folded = _RADICAL_SUPPLEMENT.get(ch) or unicodedata.normalize("NFKC", ch)
                if len(folded) == 1 and folded != ch:
                    table[code] = folded
        _COMPAT_TABLE = table
    return _COMPAT_TABLE


def fold_compat_ideographs(text: str) -> str:
    """Kangxi radicals and compatibility ideographs to the unified ideographs they stand for.

    NFKC restricted to U+2E80–U+2EFF, U+2F00–U+2FDF and U+F900–U+FAFF (plus the C-simplified
    radicals NFKC does not map, such as ⻚ → 页); one character in, one character out, so offsets
    are kept. Meant for text extracted from PDF/OFD, where these code points are artefacts of the
    font, not what the author typed.
    """
    return text.translate(_compat_table())
