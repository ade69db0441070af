"""Postings kept grouped by term while a segment is written, and written term by term: byte-identical to Whoosh.

Whoosh's ``SegmentWriter`` puts every posting into its ``PostingPool`` as a 5-tuple ``(field, term, docnum, weight,
value)`` (one method call per posting), sorts all of them when the segment is flushed, and feeds them one by one
through ``FieldWriter.add_postings`` → ``W3FieldWriter.add`` → ``W3PostingsWriter.add_posting`` (type checks,
per-posting block statistics). On a whole-corpus build that was ~19 % of the build's CPU (a 300-document
sample profiled with py-spy: the sort 8.5 s, the per-posting calls ~10 s of 96 s).

A segment writer adds its documents with increasing document numbers, so a term's postings arrive already in
the order the sort would give them: ``GroupedPostingPool`` appends them to a list per term, and the flush sorts
only the fields and the terms (``write_grouped``), handing each term's postings to Whoosh's own block writer
one block (≤ ``blocklimit`` postings) at a time with the block statistics ``add_posting`` would have computed.
A term whose postings did not arrive in order (postings merged from older segments of an incremental build)
is sorted like the tuples would have been; a pool that spills to disk (past ``limitmb``) writes the same sorted
runs as Whoosh's and is read back through Whoosh's own merge. ``tests/test_build.py`` checks the segment files
byte for byte against Whoosh alone.

Relies on the internals of whoosh-reloaded 2.7.5 (pinned exactly), like ``kb.search.whoosh.patches``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh import writing
from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter

from kb.search.whoosh.terms import field_items

# Whoosh's estimate of one posting tuple in memory, less the variable parts (PostingPool.add).
_TUPLE_BYTES = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21


class GroupedPostingPool(writing.PostingPool):
    """``PostingPool`` with the postings of each term in one list (``[docnum, weight, value, …]``) in the order
    they were added; same memory limit (Whoosh's estimate per posting), same sorted runs when it spills."""

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.groups: dict[str, dict[bytes, list[Any]]] = {}
        self.unordered: set[tuple[str, bytes]] = set()  # terms whose postings came out of order

    def add(self, item: tuple[str, bytes, int, Any, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        assert isinstance(tbytes, bytes), f"tbytes={tbytes!r}"
        if vbytes is not None:
            assert isinstance(vbytes, bytes), f"vbytes={vbytes!r}"
        self.fieldnames.add(fieldname)
        self.currentsize += _TUPLE_BYTES + len(fieldname) + 2 * len(tbytes) + len(vbytes or "")
        if self.currentsize > self.limit:
            self.save()
        self._append(self.groups.setdefault(fieldname, {}), fieldname, tbytes, docnum, weight, vbytes)

    def _append(
        self,
        terms: dict[bytes, list[Any]],
        fieldname: str,
        tbytes: bytes,
        docnum: int,
        weight: Any,
        vbytes: Any,
    ) -> None:
        postings = terms.get(tbytes)
        if postings is None:
            terms[tbytes] = [docnum, weight, vbytes]
            return
        if docnum <= postings[-3]:
            self.unordered.add((fieldname, tbytes))
        postings += (docnum, weight, vbytes)

    def add_field(self, fieldname: str, docnum: int, items: Any, fieldboost: float, scorable: bool) -> int:
        """The postings of one field of one document (``FieldType.index``'s items, weights times the field's
        boost), as ``SegmentWriter.add_document`` adds them; returns the field's length (the sum of frequencies
        when it is scorable)."""
        base = _TUPLE_BYTES + len(fieldname)
        terms = None
        length = 0
        for tbytes, freq, weight, vbytes in items:
            weight *= fieldboost
            if scorable:
                length += freq
            assert isinstance(tbytes, bytes), f"tbytes={tbytes!r}"
            self.currentsize += base + 2 * len(tbytes) + len(vbytes or "")
            if self.currentsize > self.limit:
                self.save()
                terms = None
            if terms is None:
                self.fieldnames.add(fieldname)
                terms = self.groups.setdefault(fieldname, {})
            postings = terms.get(tbytes)
            if postings is None:
                terms[tbytes] = [docnum, weight, vbytes]
            else:
                if docnum <= postings[-3]:
                    self.unordered.add((fieldname, tbytes))
                postings += (docnum, weight, vbytes)
        return length

    def sorted_terms(self, fieldname: str) -> Iterator[tuple[bytes, list[Any]]]:
        """A field's terms in order, each with its postings (flat, in the order the sorted tuples have)."""
        terms = self.groups[fieldname]
        for tbytes in sorted(terms):
            postings = terms[tbytes]
            if (fieldname, tbytes) in self.unordered:
                triples = sorted(zip(postings[0::3], postings[1::3], postings[2::3], strict=True))
                postings = [x for triple in triples for x in triple]
            yield tbytes, postings

    def _tuples(self) -> Iterator[tuple[str, bytes, int, Any, Any]]:
        """Every posting as Whoosh's tuple, in sorted order."""
        for fieldname in sorted(self.groups):
            for tbytes, postings in self.sorted_terms(fieldname):
                for k in range(0, len(postings), 3):
                    yield fieldname, tbytes, postings[k], postings[k + 1], postings[k + 2]

    def save(self) -> None:
        if self.groups:
            self.current = list(self._tuples())  # already sorted: Whoosh's sort finds one run
            self.groups, self.unordered = {}, set()
        super().save()

    def items(self, maxfiles: int = 128) -> Any:
        if not self.runs:
            return self._tuples()
        return super().items(maxfiles)

    def in_memory(self) -> bool:
        """Whether every posting is still grouped in memory (nothing spilled to a run)."""
        return not self.runs and not self.current


def write_grouped(fieldwriter: Any, schema: Any, lengths: Any, pool: GroupedPostingPool) -> bool:
    """Write the pool's postings as ``FieldWriter.add_postings`` would; False (nothing written) when the writers
    are not Whoosh 3's or the pool spilled, so that the caller takes Whoosh's own path."""
    if type(fieldwriter) is not W3FieldWriter or not pool.in_memory():
        return False
    for fieldname in sorted(pool.groups):
        fieldwriter.start_field(fieldname, schema[fieldname])
        postwriter = fieldwriter._postwriter
        if type(postwriter) is not W3PostingsWriter or postwriter._byteids:
            raise TypeError("unexpected Whoosh postings writer")  # the same codec writes every field
        field_lengths = lengths.field_lengths(fieldname) if lengths is not None else None
        for tbytes, postings in pool.sorted_terms(fieldname):
            docnums = postings[0::3]
            if -1 in docnums:  # Whoosh's marker of spelling words: never postings
                keep = [k for k, d in enumerate(docnums) if d != -1]
                if not keep:
                    continue
                postings = [postings[3 * k + j] for k in keep for j in range(3)]
                docnums = postings[0::3]
            fieldwriter.start_term(tbytes)
            _add_term_postings(postwriter, docnums, postings[1::3], postings[2::3], field_lengths)
            fieldwriter.finish_term()
        fieldwriter.finish_field()
    return True


def _add_term_postings(
    postwriter: W3PostingsWriter,
    docnums: list[int],
    weights: list[Any],
    values: list[Any],
    field_lengths: Any,
) -> None:
    """``add_posting`` for each posting of a term: the block buffer filled a block at a time, a full block
    written when the next posting comes (the last one is left to ``finish_postings``)."""
    blocklimit = postwriter._blocklimit
    lens = [0] * len(docnums) if field_lengths is None else [field_lengths(d) for d in docnums]
    for start in range(0, len(docnums), blocklimit):
        if start:
            postwriter._write_block()
        end = start + blocklimit
        chunk_weights = weights[start:end]
        postwriter._ids = array("I", docnums[start:end])
        postwriter._weights = array("f", chunk_weights)
        postwriter._values = [v for v in values[start:end] if v]
        maxweight = max(chunk_weights)
        postwriter._maxweight = maxweight if maxweight > 0 else 0
        nonzero = [n for n in lens[start:end] if n]
        postwriter._minlength = min(nonzero) if nonzero else None
        postwriter._maxlength = max(nonzero) if nonzero else 0


def _plain(schema: Any) -> bool:
    """No field of the schema writes spelling words or term vectors, no dynamic fields (``add_document`` leaves
    those to Whoosh)."""
    if getattr(schema, "_dyn_fields", None):
        return False
    return not any(field.separate_spelling() or field.vector for field in schema)


def add_document(self: Any, **fields: Any) -> None:
    """Whoosh's ``SegmentWriter.add_document``, the postings of a field handed to the pool in one call when the
    pool is a ``GroupedPostingPool`` (same items, same weights, same lengths)."""
    pool = self.pool
    plain = self.__dict__.get("_kb_plain")
    if plain is None:
        plain = self._kb_plain = _plain(self.schema)
    if not plain or not isinstance(pool, GroupedPostingPool):
        return _ORIGINAL_ADD_DOCUMENT(self, **fields)
    self._check_state()
    perdocwriter = self.perdocwriter
    schema = self.schema
    docnum = self.docnum
    docboost = self._doc_boost(fields)
    fieldnames = sorted([name for name in fields if not name.startswith("_")])
    self._check_fields(schema, fieldnames)

    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                fieldboost = self._field_boost(fields, fieldname, docboost)
                items = field_items(field, value)
                if items is None:
                    items = field.index(value)
                length = pool.add_field(fieldname, docnum, items, fieldboost, field.scorable)
            customval = fields.get(f"_stored_{fieldname}", value)
            sv = customval if field.stored else None
            perdocwriter.add_field(fieldname, field, sv, length)
            column = field.column_type
            if column and customval is not None:
                cv = field.to_column_value(customval)
                perdocwriter.add_column_value(fieldname, column, cv)
    except Exception:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    self._added = True
    self.docnum += 1


_ORIGINAL_ADD_DOCUMENT = writing.SegmentWriter.add_document
_ORIGINAL_POOL = writing.PostingPool
