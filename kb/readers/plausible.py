"""Is this text, or bytes that merely decoded? Every reader's output passes ``check_plausible``.

A decoder that succeeds proves nothing: GB18030 turns almost any bytes into characters, and a damaged PDF or
Word file can yield runs of symbols. Four checks, each with a reason a person understands:

* control characters (other than tab and line breaks) in more than ``MAX_CONTROL_SHARE`` of the text;
* U+FFFD replacement characters (bytes a decoder could not map) in more than ``MAX_REPLACEMENT_SHARE``;
* letters that are no language: one letter (of at least ``MIN_LETTERS``) more than ``MAX_ONE_LETTER_SHARE``
  of them (bytes that decode to one katakana repeated); kana that are most of the letters but hardly any of
  them the particles every Japanese sentence has (``MIN_PARTICLE_SHARE``: measured 2026-12-07, random kana
  6–11 %, the Japanese vim tutor and GnuPG help 34–53 %); symbols (So/Sm/Sk and private use, neither ASCII
  nor box drawing) more than ``MAX_SYMBOL_SHARE`` of the text. English, Japanese or any prose passes
  (letters spread over an alphabet, particles where kana are);
* Chinese that is not language: real text, segmented by the project's jieba dictionary, has most of its
  ideographs inside words of two or more characters (measured 2026-12-02 on the first 1,000 characters of the
  3,742 corpus documents: minimum 0.62, 5th percentile 0.84; on 3,000 characters 0.68 / 0.84); random
  ideographs give 0.3–2 %. Below ``MIN_WORD_SHARE`` the file is refused. Judged on the first ``SAMPLE_CHARS``
  characters (the segmentation costs ~10 ms per 1,000), and only when they hold at least ``MIN_CJK``
  ideographs.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from kb.readers.encoding import ReadError
from kb.text.normalize import is_cjk, normalize

SAMPLE_CHARS = 1000
MIN_CJK = 50
MIN_LETTERS = 50  # the letter checks judge samples with at least this many letters (or kana, or symbols)
MAX_ONE_LETTER_SHARE = 0.5  # one letter repeated: real text's most frequent letter is 4 % (的) to 13 % (e)
MIN_PARTICLE_SHARE = (
    0.2  # kana text: these particles are 34-53 % of Japanese prose's kana, 6-11 % of random kana
)
MAX_SYMBOL_SHARE = (
    0.5  # symbols (★ ■ ∑ ※ …, private use; not ASCII, not box drawing) among non-space characters
)
_PARTICLES = frozenset("はがをにのでともてたしなかれる")
MIN_WORD_SHARE = 0.3
MAX_CONTROL_SHARE = 0.01
MAX_REPLACEMENT_SHARE = 0.01

_ALLOWED_CONTROLS = frozenset("\t\n\r\x0b\x0c")


def word_share(text: str) -> tuple[float, int]:
    """Share of the ideographs of ``text`` that jieba puts in words of 2+ characters, and their number."""
    from kb.text.segment import USE_HMM, segmenter

    cjk = in_words = 0
    for word in segmenter().cut(normalize(text), HMM=USE_HMM):
        n = sum(1 for ch in word if is_cjk(ch))
        cjk += n
        if n >= 2 and n == len(word):
            in_words += n
    return (in_words / cjk if cjk else 1.0), cjk


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f" or "\u31f0" <= ch <= "\u31ff"


def _check_letters(sample: str) -> None:
    """The checks on letters and symbols of the module docstring (repetition, kana, symbols)."""
    letters = [ch for ch in sample if ch.isalpha()]
    if len(letters) >= MIN_LETTERS:
        top, count = Counter(letters).most_common(1)[0]
        if count > MAX_ONE_LETTER_SHARE * len(letters):
            raise ReadError(
                f"内容不像正常文字（同一个字符“{top}”占字母的 {count / len(letters):.0%}），可能是乱码或二进制文件"
                f" implausible text: one character is {count / len(letters):.0%} of its letters"
            )
        kana = [ch for ch in letters if _is_kana(ch)]
        if len(kana) >= MIN_LETTERS and len(kana) > 0.5 * len(letters):
            particles = sum(1 for ch in kana if ch in _PARTICLES)
            if particles < MIN_PARTICLE_SHARE * len(kana):
                raise ReadError(
                    f"内容不像正常文字（假名不成词句：助词仅占 {particles / len(kana):.0%}），可能是乱码或二进制文件"
                    f" implausible text: kana without the particles of Japanese ({particles / len(kana):.0%})"
                )
    solid = [ch for ch in sample if not ch.isspace()]
    symbols = sum(
        1
        for ch in solid
        if ch > "\x7f"
        and not "\u2500" <= ch <= "\u257f"
        and unicodedata.category(ch) in ("So", "Sm", "Sk", "Co")
    )
    if symbols >= MIN_LETTERS and symbols > MAX_SYMBOL_SHARE * len(solid):
        raise ReadError(
            f"内容不像正常文字（{symbols / len(solid):.0%} 是符号），可能是乱码或二进制文件"
            f" implausible text: {symbols / len(solid):.0%} of it is symbols"
        )


def check_plausible(text: str) -> None:
    """Raise ``ReadError`` naming why ``text`` is not a document's text (see the module docstring)."""
    sample = text[:SAMPLE_CHARS]
    if not sample:
        return
    controls = sum(1 for ch in sample if (ch < " " and ch not in _ALLOWED_CONTROLS) or "\x7f" <= ch < "\xa0")
    if controls > max(2, MAX_CONTROL_SHARE * len(sample)):
        raise ReadError(f"不是文本文件：含 {controls} 个控制字符 binary data ({controls} control characters)")
    replaced = sample.count("\ufffd")
    if replaced > max(5, MAX_REPLACEMENT_SHARE * len(sample)):
        raise ReadError(
            f"文字无法识别：{replaced} 个字符无法解码 undecodable text ({replaced} replacement characters)"
        )
    _check_letters(sample)
    share, cjk = word_share(sample)
    if cjk >= MIN_CJK and share < MIN_WORD_SHARE:
        raise ReadError(
            f"内容不像正常文字（仅 {share:.0%} 的汉字能组成词语），可能是乱码或二进制文件"
            f" implausible text: only {share:.0%} of its ideographs form words"
        )
