"""Building the index: full, no-op, incremental, rejected files, locks and crash leftovers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kb.build import build
from kb.build import plan as build_plan
from kb.store.codec import kb_to_dict
from kb.store.generations import BuildLocked, build_lock, current_generation
from kb.store.knowledge import KnowledgeBase

SEED_ID = "000_3ccc218f3f77786b"

EXTRA_PLAN = """某市2020年科技工作要点

一、主要目标
——全市净增高新技术企业30家,技术合同交易额达到20亿元。

二、重点工作
(一)加强知识产权保护。推进知识产权示范企业培育,发明专利申请量达到800件。
(二)深化科技金融服务。设立科技信贷风险补偿资金2000万元。
"""


@pytest.fixture
def docs(tmp_path: Path, seed_path: Path) -> Path:
    folder = tmp_path / "documents"
    folder.mkdir()
    shutil.copy(seed_path, folder / seed_path.name)
    (folder / "plan2020.txt").write_text(EXTRA_PLAN, encoding="utf-8")
    return folder


def run(docs: Path, index: Path, **kwargs):
    return build([docs], index, procs=1, quiet=True, **kwargs)


def test_full_build_indexes_every_document(docs: Path, tmp_path: Path):
    report = run(docs, tmp_path / "index")
    assert report.full and report.published
    assert report.documents == 2 and report.added == 2
    assert report.measures == 12
    assert report.rejected == [] and report.exit_code == 0
    kb = KnowledgeBase.open(tmp_path / "index")
    assert {d.id for d in kb.documents()} == {SEED_ID, "plan2020"}


def test_a_rebuild_with_nothing_changed_publishes_nothing(docs: Path, tmp_path: Path):
    index = tmp_path / "index"
    run(docs, index)
    first = current_generation(index)
    report = run(docs, index)
    assert not report.published
    assert report.unchanged == 2 and report.added == report.changed == 0
    assert current_generation(index) == first
    assert report.documents == 2


def test_one_changed_document_is_reanalysed_alone(docs: Path, tmp_path: Path):
    index = tmp_path / "index"
    run(docs, index)
    (docs / "plan2020.txt").write_text(EXTRA_PLAN.replace("800件", "900件"), encoding="utf-8")
    report = run(docs, index)
    assert report.published and not report.full
    assert (report.changed, report.unchanged, report.added) == (1, 1, 0)
    kb = KnowledgeBase.open(index)
    values = {t.value for t in kb.targets("plan2020") if t.indicator == "发明专利申请量"}
    assert values == {900}
    assert len(kb.measures(SEED_ID)) == 10


def test_a_deleted_document_is_removed(docs: Path, tmp_path: Path):
    index = tmp_path / "index"
    run(docs, index)
    (docs / "plan2020.txt").unlink()
    report = run(docs, index)
    assert report.removed == 1 and report.documents == 1
    kb = KnowledgeBase.open(index)
    assert kb.document("plan2020") is None and kb.measures("plan2020") == []


def test_the_search_index_follows_an_update_with_exactly_one_copy(docs: Path, tmp_path: Path):
    """Regression for Whoosh's broken Searcher.refresh(): an updated document is found once."""
    from whoosh import index as whoosh_index
    from whoosh.query import Term

    index = tmp_path / "index"
    run(docs, index)
    (docs / "plan2020.txt").write_text(EXTRA_PLAN.replace("800件", "900件"), encoding="utf-8")
    run(docs, index)
    ix = whoosh_index.open_dir(str(current_generation(index) / "whoosh"))
    with ix.searcher() as searcher:
        assert len(searcher.search(Term("id", "plan2020"), limit=None)) == 1
        measure_ids = [hit["id"] for hit in searcher.search(Term("doc_id", "plan2020"), limit=None)]
        assert len(measure_ids) == len(set(measure_ids))


def test_bad_files_are_rejected_by_name_and_the_rest_is_indexed(docs: Path, tmp_path: Path):
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    (docs / "broken.docx").write_bytes(b"this is not a zip file")
    (docs / "table.xlsx").write_bytes(b"whatever")
    (docs / "copy of seed.txt").write_bytes((docs / f"{SEED_ID}.txt").read_bytes())
    report = run(docs, tmp_path / "index")
    rejected = {r["source"]: r["reason"] for r in report.rejected}
    assert set(rejected) == {"empty.txt", "binary.txt", "broken.docx", "table.xlsx", "copy of seed.txt"}
    assert all(reason.strip() for reason in rejected.values())
    assert "重复" in rejected["copy of seed.txt"]
    assert report.documents == 2 and report.exit_code == 1


def test_rejections_are_reported_again_on_a_no_op_rebuild(docs: Path, tmp_path: Path):
    (docs / "empty.txt").write_bytes(b"")
    run(docs, tmp_path / "index")
    report = run(docs, tmp_path / "index")
    assert [r["source"] for r in report.rejected] == ["empty.txt"]
    assert report.exit_code == 1


def test_a_new_fingerprint_triggers_a_full_rebuild(docs: Path, tmp_path: Path, monkeypatch):
    index = tmp_path / "index"
    run(docs, index)
    monkeypatch.setattr(build_plan, "PIPELINE_VERSION", "changed-rules")
    report = run(docs, index)
    assert report.full and report.published and report.added == 2


def test_a_second_build_refuses_while_the_lock_is_held(docs: Path, tmp_path: Path):
    index = tmp_path / "index"
    with build_lock(index), pytest.raises(BuildLocked, match="构建"):
        run(docs, index)


def test_leftovers_of_a_crashed_build_are_cleaned_and_the_old_index_stays(docs: Path, tmp_path: Path):
    index = tmp_path / "index"
    run(docs, index)
    live = current_generation(index)
    leftover = index / ".tmp-gen-crashed"
    (leftover / "whoosh").mkdir(parents=True)
    (docs / "plan2020.txt").write_text(EXTRA_PLAN + "\n(三)新增一条措施。\n", encoding="utf-8")
    run(docs, index)
    assert not leftover.exists()
    assert current_generation(index) != live


def test_documents_in_several_folders_and_subfolders(docs: Path, tmp_path: Path):
    other = tmp_path / "more" / "二级目录 with space"
    other.mkdir(parents=True)
    (other / "县域 方案.txt").write_text(EXTRA_PLAN.replace("某市", "某县"), encoding="utf-8")
    report = build([docs, tmp_path / "more"], tmp_path / "index", procs=1, quiet=True)
    assert report.documents == 3 and report.rejected == []
    kb = KnowledgeBase.open(tmp_path / "index")
    sources = {d.source for d in kb.documents()}
    assert "二级目录 with space/县域 方案.txt" in sources


def test_a_bureau_confirms_and_rejects_links_in_links_toml(docs: Path, tmp_path: Path):
    index = tmp_path / "index"
    run(docs, index)
    kb = KnowledgeBase.open(index)
    patents = next(t for t in kb.targets(SEED_ID) if t.indicator == "发明专利申请量")
    assert f"{SEED_ID}.m3.6" in patents.measure_ids
    (docs / "links.toml").write_text(
        f"""
[[reject]]
target = "{patents.id}"
measure = "{SEED_ID}.m3.6"

[[confirm]]
doc = "{SEED_ID}"
indicator = "发明专利申请量"
measure = "(三)"

[[confirm]]
target = "{SEED_ID}.t9.9-9"
measure = "(一)"
""",
        encoding="utf-8",
    )
    report = run(docs, index)
    assert report.full  # a changed links.toml re-analyses everything
    kb = KnowledgeBase.open(index)
    patents = kb.target(patents.id)
    assert f"{SEED_ID}.m3.6" not in patents.measure_ids
    assert f"{SEED_ID}.m3.3" in patents.measure_ids
    three = kb.measure(f"{SEED_ID}.m3.3")
    assert any(ref.id == patents.id and ref.score == 1.0 for ref in three.targets)
    assert any("t9.9-9" in w and "unknown target" in w for w in report.warnings)


def test_a_malformed_links_toml_is_a_warning_not_a_failed_build(docs: Path, tmp_path: Path):
    (docs / "links.toml").write_text("[[reject]\nthis is not toml", encoding="utf-8")
    report = run(docs, tmp_path / "index")
    assert report.published and report.documents == 2
    assert any("links.toml" in w for w in report.warnings)


def test_permalinks_survive_a_rebuild_when_the_place_is_unchanged(docs: Path, tmp_path: Path):
    """Ids come from the file and the outline place, so editing a clause's words keeps every id."""
    index = tmp_path / "index"
    run(docs, index)
    before = {m.id: m.number for m in KnowledgeBase.open(index).measures("plan2020")}
    (docs / "plan2020.txt").write_text(
        EXTRA_PLAN.replace("推进知识产权示范企业培育", "大力推进知识产权示范企业培育"), encoding="utf-8"
    )
    run(docs, index, force=True)
    kb = KnowledgeBase.open(index)
    assert {m.id: m.number for m in kb.measures("plan2020")} == before
    assert "大力推进" in kb.measure("plan2020.m2.1").text


def test_every_kind_of_bad_input_is_named_and_costs_nothing_else(docs: Path, tmp_path: Path):
    (docs / "坏的 front matter.md").write_text("---\ntitle: [unclosed\n---\n正文。\n", encoding="utf-8")
    (docs / "gbk.txt").write_bytes("某县科技工作方案\n\n一、加强科技创新。\n".encode("gbk"))
    (docs / "undecodable.txt").write_bytes(bytes(range(0x80, 0x100)) * 40)
    with open(docs / "huge.txt", "wb") as handle:  # 50 MB
        handle.write(("科技创新" * 1000 + "\n").encode("utf-8") * 4200)
    (docs / "no structure.txt").write_text("这是一段没有任何编号结构的文字，只有一句话。", encoding="utf-8")
    (docs / "same title.txt").write_text(EXTRA_PLAN.replace("800件", "801件"), encoding="utf-8")
    report = run(docs, tmp_path / "index")
    rejected = {r["source"]: r["reason"] for r in report.rejected}
    assert set(rejected) == {"坏的 front matter.md", "undecodable.txt", "huge.txt"}
    assert "MB" in rejected["huge.txt"] or "large" in rejected["huge.txt"]
    assert all("\n" not in reason and "Traceback" not in reason for reason in rejected.values())
    kb = KnowledgeBase.open(tmp_path / "index")
    titles = [d.title for d in kb.documents()]
    assert titles.count("某市2020年科技工作要点") == 2  # same title, both kept under their own ids
    gbk = next(d for d in kb.documents() if d.source == "gbk.txt")
    assert gbk.title == "某县科技工作方案"
    plain = next(d for d in kb.documents() if d.source == "no structure.txt")
    assert kb.measures(plain.id) == [] and kb.document_kb(plain.id).outline == []


def _segment_files(folder: Path) -> dict[str, bytes]:
    """The segment's files by their kind (the part of the name after the random segment id)."""
    out = {}
    for path in folder.iterdir():
        if path.name.startswith("MAIN_") and "." in path.name and "WRITELOCK" not in path.name:
            out[path.name.split(".", 1)[1]] = path.read_bytes()
    return out


# limitmb 1: the posting pool spills sorted runs to disk and merges them
@pytest.mark.parametrize("limitmb", [128, 1])
def test_the_whoosh_writing_patch_writes_byte_identical_segments(
    docs: Path, tmp_path: Path, limitmb: int, monkeypatch: pytest.MonkeyPatch
):
    """With every block compressed (``COMPRESS_MIN = 0``) the patched writer's files are Whoosh's, byte for byte;
    the default (small blocks plain) is compared by content below."""
    from whoosh import index as whoosh_index
    from whoosh import writing

    from kb.extract.pipeline import analyse, load_extraction
    from kb.readers import read
    from kb.search import schema as indexing
    from kb.search.whoosh import blocks
    from kb.search.whoosh import patches as whoosh_patches
    from kb.store.codec import kb_from_dict

    monkeypatch.setattr(blocks, "COMPRESS_MIN", 0)

    extraction = load_extraction()
    hits = []
    for n, path in enumerate(sorted(docs.iterdir())):
        dkb = analyse(read(path), f"doc{n}", path.name, extraction, digest=str(n))
        hits.extend(indexing.hits(kb_from_dict(kb_to_dict(dkb))))
    written = {}
    before = writing.SegmentWriter._flush_segment
    try:
        for label, patch in (("whoosh", whoosh_patches.uninstall), ("patched", whoosh_patches.install)):
            patch()
            folder = tmp_path / label
            folder.mkdir()
            ix = whoosh_index.create_in(str(folder), indexing.make_schema())
            writer = ix.writer(compound=False, limitmb=limitmb)
            for hit in hits:
                writer.add_document(**hit)
            writer.commit()
            written[label] = _segment_files(folder)
    finally:
        whoosh_patches.install() if before is whoosh_patches._flush_segment else whoosh_patches.uninstall()
    assert {"pst", "trm", "_body_len.col"} <= set(written["whoosh"])
    assert written["patched"] == written["whoosh"]


def _index_content(folder: Path) -> dict[str, Any]:
    """What an index holds, independent of segments and document numbers: every term's postings (by hit id, with
    weight and positions), every hit's field lengths and stored fields."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        postings = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            has_positions = matcher.supports("positions")
            items = []
            while matcher.is_active():
                positions = tuple(matcher.value_as("positions")) if has_positions else ()
                items.append((ids[matcher.id()], matcher.weight(), positions))
                matcher.next()
            postings[(fieldname, term)] = sorted(items)
        scorable = [name for name, field in ix.schema.items() if field.scorable]
        lengths = {ids[n]: tuple(reader.doc_field_length(n, name, 0) for name in scorable) for n in ids}
        stored = {ids[n]: fields for n, fields in reader.iter_docs()}
        segments = len(ix._segments())
    return {"postings": postings, "lengths": lengths, "stored": stored, "segments": segments}


def test_the_multiprocess_writer_with_the_patches_indexes_what_whoosh_alone_does(docs: Path, tmp_path: Path):
    """The big builds' writer (Whoosh's MpWriter: forked sub-writers, several segments) with kb's patches
    installed holds exactly what one plain Whoosh writer holds: same postings, positions, lengths, stored fields."""
    from whoosh import index as whoosh_index
    from whoosh import multiproc, writing

    from kb.extract.pipeline import analyse, load_extraction
    from kb.readers import read
    from kb.search import schema as indexing
    from kb.search.whoosh import patches as whoosh_patches
    from kb.store.codec import kb_from_dict

    extraction = load_extraction()
    hits = []
    for n, path in enumerate(sorted(docs.iterdir())):
        dkb = analyse(read(path), f"doc{n}", path.name, extraction, digest=str(n))
        hits.extend(indexing.hits(kb_from_dict(kb_to_dict(dkb))))
    assert len(hits) > 30  # batches of 10: several sub-writer batches and segments
    before = (writing.SegmentWriter._flush_segment, multiproc.SubWriterTask.run)
    try:
        whoosh_patches.uninstall()
        multiproc.SubWriterTask.run = whoosh_patches._ORIGINAL_RUN
        plain = tmp_path / "plain"
        plain.mkdir()
        writer = whoosh_index.create_in(str(plain), indexing.make_schema()).writer(compound=False)
        for hit in hits:
            writer.add_document(**hit)
        writer.commit()

        whoosh_patches.install()
        parallel = tmp_path / "parallel"
        parallel.mkdir()
        writer = whoosh_index.create_in(str(parallel), indexing.make_schema()).writer(
            procs=2, multisegment=True, batchsize=10, limitmb=32, compound=False
        )
        assert isinstance(writer, multiproc.MpWriter)
        for hit in hits:
            writer.add_document(**hit)
        writer.commit()
        assert whoosh_patches.failed_subwriters(writer) == []
    finally:
        writing.SegmentWriter._flush_segment, multiproc.SubWriterTask.run = before
    expected, found = _index_content(plain), _index_content(parallel)
    assert found["segments"] >= 2 and expected["segments"] == 1
    assert len(found["stored"]) == len(hits)
    for key in ("postings", "lengths", "stored"):
        assert found[key] == expected[key], key


def test_the_index_writer_memory_follows_the_machine_and_the_environment(monkeypatch):
    from kb.search.whoosh.writer import writer_limit_mb

    monkeypatch.delenv("POLICYKB_WRITER_MB", raising=False)
    automatic = writer_limit_mb(2)
    assert 256 <= automatic <= 3072
    assert writer_limit_mb(1) >= automatic
    monkeypatch.setenv("POLICYKB_WRITER_MB", "512")
    assert writer_limit_mb(2) == 512
    monkeypatch.setenv("POLICYKB_WRITER_MB", "lots")  # not a number: ignored
    assert writer_limit_mb(2) == automatic
