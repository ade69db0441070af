"""Lexing the user's text: cleaned of control characters, folded, truncated, then cut into pieces — quoted
phrases, exclusions (``-word``, ``NOT word``) and plain chunks (see the package docstring for the syntax)."""

from __future__ import annotations

import unicodedata

from kb.search.query.parsed import MAX_QUERY_CHARS
from kb.text.normalize import fold

_QUOTES: dict[str, str] = {'"': '"', "“": '”"', "「": "」", "『": "』", "‘": "’"}


def _clean_input(text: object) -> tuple[str, bool]:
    """The user's text cleaned, folded, with runs of spaces collapsed and cut to ``MAX_QUERY_CHARS``; and whether it
    was cut."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    cleaned = " ".join(fold(_clean(text)).split())
    truncated = len(cleaned) > MAX_QUERY_CHARS
    if truncated:
        cleaned = cleaned[:MAX_QUERY_CHARS].rstrip()
    return cleaned, truncated


def _clean(text: str) -> str:
    """Drop control, format and surrogate characters (whitespace-like controls become spaces)."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp"):
            out.append(" " if ch.isspace() else "")
        elif cat in ("Cf", "Cs"):
            out.append("")
        else:
            out.append(ch)
    return "".join(out)


def _closing(s: str, i: int) -> int:
    """Index of the quote closing the opener at ``s[i]``, or -1."""
    closers = _QUOTES.get(s[i])
    if not closers:
        return -1
    for k in range(i + 1, len(s)):
        if s[k] in closers:
            return k
    return -1


def _lex(s: str) -> list[tuple[str, bool, bool]]:
    """Split the user string into ``(text, is_phrase, is_excluded)`` pieces."""
    pieces: list[tuple[str, bool, bool]] = []
    n = len(s)
    i = 0
    negate_next = False
    while i < n:
        if s[i].isspace():
            i += 1
            continue
        at_word_start = i == 0 or s[i - 1].isspace()
        negate = negate_next
        negate_next = False
        j = i
        if s[i] == "-" and at_word_start and i + 1 < n and not s[i + 1].isspace() and s[i + 1] != "-":
            negate = True
            j = i + 1
        close = _closing(s, j)
        if close > j:
            pieces.append((s[j + 1 : close], True, negate))
            i = close + 1
            continue
        k = j
        while k < n and not s[k].isspace():
            if k > j and _closing(s, k) > k:
                break
            k += 1
        chunk = s[j:k]
        i = k
        if chunk in ("AND", "OR") and not negate:
            continue
        if chunk == "NOT" and not negate:
            negate_next = True
            continue
        pieces.append((chunk, False, negate))
    return pieces
