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
