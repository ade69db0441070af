"""Byte-level checks and decoding shared by every reader.

``decode`` accepts UTF-8 (with or without BOM), UTF-16 with a BOM, UTF-16
without one (NUL bytes on one parity, or Chinese that neither UTF-8 nor GB18030
reads, and almost only text-like characters once decoded), and GB18030 (a
superset of GBK/GB2312). Anything else raises ``ReadError`` with a one-line
reason: binary data, empty files, oversized files and bytes that decode as
GB18030 but read as mojibake.
"""

from __future__ import annotations

import codecs
import os
import stat
import unicodedata
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # files above this size are refused
BINARY_SAMPLE = 64 * 1024  # bytes inspected for control characters
MAX_CONTROL_SHARE = 0.05  # more control bytes than this share => binary
MIN_COMMON_CJK_SHARE = 0.6  # GB18030 decodes below this share of common chars are mojibake

# Control bytes that plain text legitimately contains: \t \n \v \f \r and ESC (rare, but harmless).
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")


class ReadError(Exception):
    """A file cannot be read; ``reason`` is a one-line human explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def format_size(n: int) -> str:
    """Human size, e.g. ``20.0 MB``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def check_size(n: int) -> None:
    """Raise when a file of ``n`` bytes is above ``MAX_BYTES``."""
    if n > MAX_BYTES:
        raise ReadError(f"file too large: {format_size(n)} (limit {format_size(MAX_BYTES)})")


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refusing before reading when it is larger than ``limit``.

    Opened without blocking and checked on the open descriptor, so a file swapped for a FIFO or a device after
    the scan is refused instead of hanging or reading forever.
    """
    limit = MAX_BYTES if limit is None else limit
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("不是普通文件 not a regular file")
        if info.st_size > limit:
            raise ReadError(
                f"文件过大 file too large: {format_size(info.st_size)} (limit {format_size(limit)})"
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ReadError(f"文件过大 file too large: over {format_size(limit)}")
    return data


def _check_binary(data: bytes) -> None:
    if b"\x00" in data:
        raise ReadError("binary file (contains NUL bytes)")
    sample = data[:BINARY_SAMPLE]
    controls = sum(1 for b in sample if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F)
    if sample and controls / len(sample) > MAX_CONTROL_SHARE:
        raise ReadError(f"binary file ({controls} control bytes in the first {len(sample)} bytes)")


def _is_common(ch: str) -> bool:
    """True for characters a real GBK/GB18030 Chinese text is made of (GB2312 repertoire)."""
    if ch < "\x80":
        return True
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _looks_like_mojibake(text: str) -> bool:
    """A GB18030 decode dominated by rare characters is probably some other encoding."""
    non_ascii = [ch for ch in text if ch >= "\x80"]
    if not non_ascii:
        return False
    common = sum(1 for ch in non_ascii if _is_common(ch))
    if common / len(non_ascii) < MIN_COMMON_CJK_SHARE:
        return True
    # Private-use or unassigned code points mean the bytes were not GB18030 text.
    odd = sum(1 for ch in non_ascii if unicodedata.category(ch) in ("Co", "Cn"))
    return odd > max(2, len(non_ascii) // 50)


def _check_text(text: str) -> None:
    if not text.strip():
        raise ReadError("empty file")


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes to ``(text, encoding)``; raise ``ReadError`` when they are not text.

    The text is returned as decoded (BOM removed); line endings are normalised by
    the readers, not here.
    """
    check_size(len(data))
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8) :]
        _check_binary(body)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid UTF-8 after a UTF-8 BOM (byte offset {exc.start + 3})") from None
        _check_text(text)
        return text, "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(name)
            except UnicodeDecodeError:
                raise ReadError("invalid UTF-16 after a UTF-16 BOM") from None
            if "\x00" in text:
                raise ReadError("binary file (contains NUL characters)")
            _check_text(text)
            return text, "utf-16"
    try:
        _check_binary(data)
    except ReadError:
        utf16 = _utf16_without_bom(data)  # NUL bytes (ASCII) or control bytes (some ideographs) in UTF-16
        if utf16 is None:
            raise
        return utf16
    if not data.strip():
        raise ReadError("empty file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text)
        return text, "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if not text or _looks_like_mojibake(text):
        utf16 = _utf16_without_bom(data)  # Chinese only: no NUL byte at all
        if utf16 is not None:
            return utf16
        if not text:
            raise ReadError("cannot decode as UTF-8 or GB18030 (nor as UTF-16)")
        raise ReadError("cannot decode as UTF-8 or GB18030 (GB18030 result looks like mojibake)")
    _check_text(text)
    return text, "gb18030"


MIN_UTF16_TEXT_SHARE = 0.95  # UTF-16 without a BOM is taken when this share of it reads as text


def _text_like(ch: str) -> bool:
    """A character plain Chinese or Western text is made of (what random code units mostly are not)."""
    return (
        " " <= ch <= "~"
        or ch in "\t\n\r\u3000"
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3001" <= ch <= "\u303f"  # CJK punctuation
        or "\uff01" <= ch <= "\uff5e"  # full-width forms
        or "\u2010" <= ch <= "\u206f"  # general punctuation: — “ ” …
        or "\u00a0" <= ch <= "\u00ff"
    )


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text written without a byte-order mark (Windows tools do), else None.

    Both byte orders are tried, first the one that puts most NUL bytes in high bytes (ASCII characters:
    odd offsets for little-endian). The decoded text must be almost all text-like
    characters (``MIN_UTF16_TEXT_SHARE``: random bytes give CJK, Hangul and symbols in equal measure) and
    its ideographs must form words (``kb.readers.plausible.word_share``: GBK bytes whose lead bytes are
    0x81–0x9F read as UTF-16BE ideographs, one after another at random).
    """
    if len(data) % 2 or len(data) < 4:
        return None
    orders = ["utf-16-le", "utf-16-be"]
    if data[0::2].count(0) > data[1::2].count(0):
        orders.reverse()
    for codec in orders:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or not text.strip():
            continue
        sample = text[:BINARY_SAMPLE]
        if sum(1 for ch in sample if _text_like(ch)) < MIN_UTF16_TEXT_SHARE * len(sample):
            continue
        from kb.readers.plausible import MIN_WORD_SHARE, word_share  # jieba: only on this rare path

        share, _ = word_share(sample[:1000])
        if share >= MIN_WORD_SHARE:  # GBK bytes with lead bytes 0x81–0x9F read as UTF-16BE ideographs
            return text, codec
    return None


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR to LF; strip a stray BOM at the start."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def trim_blank_lines(text: str) -> str:
    """Drop leading and trailing lines that are blank; keep everything else verbatim."""
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])
