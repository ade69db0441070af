"""Whoosh 3's ``W3PostingsWriter._write_block`` with less Python per block: the same bytes.

Every term of a segment ends in at least one block write (Whoosh never inlines postings with its default
``inlinelimit`` of 1), so on a whole-corpus build this method runs millions of times. Whoosh's version walks the
block's weights with generator expressions (``_mini_weights``), delta-encodes the ids through a generator,
updates the term's statistics through method calls and makes three writes; this one does the same steps with
``array.count``, ``map`` and one write, and leaves blocks shorter than ``COMPRESS_MIN`` uncompressed. With
``COMPRESS_MIN = 0`` the bytes are Whoosh's own: ``tests/test_build.py`` compares the segments byte for byte, and
the content of an index written with the default (every term's postings, lengths and stored fields).
"""

from __future__ import annotations

import itertools
import operator
import zlib
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3PostingsWriter, W3TermInfo
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte

_ORIGINAL_WRITE_BLOCK = W3PostingsWriter._write_block

# Blocks whose pickled data is shorter are written uncompressed (the block's info says so, and Whoosh's reader
# reads the flag per block). zlib sets up its whole state (~256 KB) for every call, ~20–40 µs where a pickle takes
# ~1.6 µs, and a block under 64 bytes comes out longer. On a 200-document sample 78 % of the blocks are under 128
# bytes: writing them plain took zlib's time from 5.4 to 2.4 s of the build's ~50 s CPU, for 0.45 MB more of the
# 24 MB compression saved (zlib timed inside the build; an interleaved whole-build A/B stayed inside its ±5 % noise,
# bench/README.md). 0 compresses every block, as Whoosh does (the byte-for-byte test sets it).
COMPRESS_MIN = 128


def _mini_weights(weights: Any) -> Any:
    """``W3PostingsWriter._mini_weights``: None when every weight is 1.0, the weight when all are equal."""
    n = len(weights)
    if weights.count(1.0) == n:
        return None
    first = weights[0]
    if weights.count(first) == n:
        return first
    return tuple(weights)


def write_block(self: Any, last: bool = False) -> None:
    """``W3PostingsWriter._write_block`` for integer ids and ``W3TermInfo`` terms (else Whoosh's own)."""
    terminfo = self._terminfo
    if self._byteids or type(terminfo) is not W3TermInfo:
        return _ORIGINAL_WRITE_BLOCK(self, last)
    postfile = self._postfile
    if not self._blockcount:
        postfile.write(WHOOSH3_HEADER_MAGIC)
    ids, weights = self._ids, self._weights
    minlength, maxlength, maxweight = self._minlength, self._maxlength, self._maxweight

    # W3TermInfo.add_block(self)
    terminfo._weight += sum(weights)
    terminfo._df += len(ids)
    if terminfo._minlength is None:
        terminfo._minlength = minlength
    else:
        terminfo._minlength = min(terminfo._minlength, minlength)
    terminfo._maxlength = max(terminfo._maxlength, maxlength)
    terminfo._maxweight = max(terminfo._maxweight, maxweight)
    if terminfo._minid is None:
        terminfo._minid = ids[0]
    terminfo._maxid = ids[-1]

    deltas = tuple(map(operator.sub, ids, itertools.chain((0,), ids)))  # delta_encode
    databytes = dumps((deltas, _mini_weights(weights), self._mini_values()), 2)
    comp = self._compression if len(databytes) >= COMPRESS_MIN else 0
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = dumps(
        (len(ids), ids[-1], maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength)),
        2,
    )
    blocklength = len(infobytes) + len(databytes)
    if last:
        blocklength *= -1
    postfile.write(pack_int(blocklength) + infobytes + databytes)
    self._blockcount += 1
    self._new_block()
