"""kb's grouped posting pool and block writer (``kb.search.whoosh.grouped``, ``blocks``, ``terms``) against Whoosh's
own: the same postings in the same order, the same segment bytes (spilling, merging older segments)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import writing
from whoosh.filedb.filestore import FileStorage

from kb.search.whoosh.grouped import GroupedPostingPool


def _postings(seed: int, n: int) -> list[tuple[str, bytes, int, float, bytes | None]]:
    rnd = random.Random(seed)
    fields = ["body", "bigrams", "title"]
    terms = [f"t{k}".encode() for k in range(40)] + ["科技".encode(), "创新".encode()]
    out = []
    for docnum in range(n):
        for fieldname in rnd.sample(fields, rnd.randint(1, 3)):
            for tbytes in rnd.sample(terms, rnd.randint(1, 6)):
                weight = rnd.choice([1.0, 2.0, 0.5, 3.0])
                out.append((fieldname, tbytes, docnum, weight, rnd.choice([None, b"", b"\x01\x02"])))
    return out


@pytest.mark.parametrize("limitmb", [64, 0.01])  # 0.01 MB: several sorted runs spilled to disk
@pytest.mark.parametrize("shuffled", [False, True])  # True: postings out of document order (merged segments)
def test_the_grouped_pool_gives_the_postings_of_whooshs_pool_in_the_same_order(
    tmp_path: Path, limitmb: float, shuffled: bool
):
    postings = _postings(7, 300)
    if shuffled:
        random.Random(3).shuffle(postings)
    storage = FileStorage(str(tmp_path)).create()
    found = {}
    for label, pool_class in (("whoosh", writing.PostingPool), ("kb", GroupedPostingPool)):
        pool = pool_class(storage, None, limitmb=1)
        pool.limit = int(limitmb * 1024 * 1024)
        for item in postings:
            pool.add(item)
        spilled = len(pool.runs)
        found[label] = (list(pool.iter_postings()), sorted(pool.fieldnames), spilled)
    assert found["kb"] == found["whoosh"]
    assert (found["kb"][2] > 1) == (limitmb < 1)
    assert len(found["kb"][0]) == len(postings)


def test_the_grouped_pool_adds_a_fields_items_as_add_document_does(tmp_path: Path):
    storage = FileStorage(str(tmp_path)).create()
    whoosh_pool = writing.PostingPool(storage, None, limitmb=64)
    kb_pool = GroupedPostingPool(storage, None, limitmb=64)
    items = [(b"b", 2, 2.0, b"x"), (b"a", 1, 1.0, None), ("科".encode(), 3, 3.0, b"")]
    for docnum in (0, 1, 5):
        length = 0
        for tbytes, freq, weight, vbytes in items:
            length += freq
            whoosh_pool.add(("body", tbytes, docnum, weight * 1.5, vbytes))
        assert kb_pool.add_field("body", docnum, items, 1.5, True) == length == 6
        assert kb_pool.add_field("id", docnum, [], 1.0, False) == 0  # a field without terms adds nothing
    assert list(kb_pool.iter_postings()) == list(whoosh_pool.iter_postings())
    assert kb_pool.fieldnames == whoosh_pool.fieldnames == {"body"}
    assert kb_pool.currentsize == whoosh_pool.currentsize


def _segment_contents(folder: Path) -> list[tuple[str, bytes]]:
    return sorted(
        (path.name.split(".", 1)[1], path.read_bytes())
        for path in folder.iterdir()
        if path.name.startswith("MAIN_") and "." in path.name and "WRITELOCK" not in path.name
    )


def test_an_index_merged_from_older_segments_is_byte_identical_with_and_without_the_patches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Segments written, some documents deleted, more added and everything merged into one segment (postings of
    the old segments go through the pool renumbered): the same files as Whoosh alone writes."""
    from whoosh import fields
    from whoosh import index as whoosh_index

    from kb.search.analysis import BigramAnalyzer, ChineseAnalyzer
    from kb.search.whoosh import blocks, patches

    monkeypatch.setattr(blocks, "COMPRESS_MIN", 0)  # every block compressed, as Whoosh does

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        body=fields.TEXT(analyzer=ChineseAnalyzer(), stored=True, phrase=True),
        bigrams=fields.TEXT(analyzer=BigramAnalyzer(), phrase=False),
    )
    rnd = random.Random(11)
    words = [
        "科技创新",
        "提高企业",
        "研发投入",
        "5000万元",
        "高新技术企业",
        "增长",
        "6.5%",
        "人才",
        "平台建设",
    ]
    texts = ["".join(rnd.choice(words) for _ in range(rnd.randint(1, 200))) for _ in range(120)]
    written = {}
    try:
        for label, patch in (("whoosh", patches.uninstall), ("patched", patches.install)):
            patch()
            folder = tmp_path / label
            folder.mkdir()
            ix = whoosh_index.create_in(str(folder), schema)
            for batch in range(0, 80, 20):
                writer = ix.writer(compound=False)
                for k in range(batch, batch + 20):
                    writer.add_document(id=f"d{k}", body=texts[k], bigrams=texts[k])
                writer.commit()
            writer = ix.writer(compound=False)
            for k in range(3, 80, 7):
                writer.delete_by_term("id", f"d{k}")
            for k in range(80, 120):
                writer.add_document(id=f"d{k}", body=texts[k], bigrams=texts[k])
            writer.commit(optimize=True)
            written[label] = _segment_contents(folder)
    finally:
        patches.install()
    assert [name for name, _ in written["whoosh"]].count("pst") == 1  # merged into one segment
    assert written["patched"] == written["whoosh"]
