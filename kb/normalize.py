"""Length-preserving normalisation for matching (never for quoting).

``fold`` maps every character to exactly one character, so an offset found in
``fold(text)`` is the same offset in ``text``.
"""

from __future__ import annotations

import unicodedata

# Unicode spaces seen in government documents (U+2002 en space, U+3000 ideographic space, NBSP...).
WHITESPACE = frozenset(
    " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)

_TABLE: dict[int, str] = {}


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


def fold(text: str) -> str:
    """Fold full-width letters/digits/punctuation to ASCII and odd spaces to ' ', keeping length."""
    out = []
    for ch in text:
        mapped = _TABLE.get(ord(ch))
        if mapped is None:
            mapped = _fold_char(ch)
            _TABLE[ord(ch)] = mapped
        out.append(mapped)
    return "".join(out)


def is_blank(text: str) -> bool:
    return not text.strip() or all(ch in WHITESPACE or ch.isspace() for ch in text)


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
