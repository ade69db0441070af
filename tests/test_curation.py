"""Staff decisions: the append-only file, validation, their effect on the seed plan, and every build applying them."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path

import pytest

from kb.build import build
from kb.extract.curation import Decision, DocumentCuration, effective, superseded
from kb.extract.pipeline import analyse, load_extraction
from kb.readers import read
from kb.store import curation
from kb.store.curation import CurationError, CurationFile, make_decision
from kb.store.generations import current_generation, read_json
from kb.store.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "documents" / "000_3ccc218f3f77786b.txt"
DOC = "000_3ccc218f3f77786b"
SIX = f"{DOC}.m3.6"  # (六) 着力加强知识产权保护与运用
NINE = f"{DOC}.m3.9"
THREE = f"{DOC}.m3.3"
PATENTS = f"{DOC}.t2.2-2"  # 发明专利申请量 2100件, linked to (六)
PLATFORMS = f"{DOC}.t2.2-5"  # 省级以上创新创业平台 15家, linked to (八) (三) (九)
TRAINING = f"{DOC}.t3.6-1"  # 各类培训 8次, inside (六)

OTHER = """某市关于推进知识产权强市建设的通知

一、主要目标

到2022年，全市有效发明专利拥有量达到3000件。

二、工作措施

（一）强化知识产权创造。实施专利质量提升工程，培育高价值专利。

（二）加强知识产权保护。建设知识产权保护中心，开展专项执法行动。
"""


@pytest.fixture(scope="module")
def seed_raw():
    return read(SEED)


def _analyse(raw, decisions: list[Decision]) -> tuple[object, DocumentCuration]:
    cur = DocumentCuration(tuple(decisions))
    return analyse(raw, DOC, SEED.name, load_extraction(), curation=cur), cur


def _d(seq: int, **fields) -> Decision:
    return make_decision(fields, user="li", time="2026-12-01T10:00:00+08:00", seq=seq)


# ---------------------------------------------------------------------------------------------- validation


def test_make_decision_validates_actions_ids_and_categories() -> None:
    d = make_decision({"action": "reject_link", "measure": SIX, "target": PATENTS}, user="li")
    assert (d.action, d.measure, d.target, d.user, d.doc_id) == ("reject_link", SIX, PATENTS, "li", DOC)
    bad = [
        ({"action": "delete_everything"}, "未知的操作"),
        ({"action": "reject_link", "measure": SIX}, "缺少目标编号"),
        ({"action": "reject_link", "measure": PATENTS, "target": SIX}, "编号格式不正确"),
        ({"action": "add_link", "measure": SIX, "target": "other_doc.t1-1"}, "同一文件"),
        ({"action": "not_target", "target": "../../etc/passwd"}, "编号格式不正确"),
        ({"action": "set_categories", "measure": SIX, "categories": "知识产权"}, "名称列表"),
        ({"action": "set_categories", "measure": SIX, "categories": ["x" * 41]}, "不超过"),
        ([1, 2], "JSON 对象"),
    ]
    for data, message in bad:
        with pytest.raises(CurationError, match=message):
            make_decision(data)  # type: ignore[arg-type]
    cats = make_decision(
        {"action": "set_categories", "measure": SIX, "categories": [" 知识产权", "知识产权", ""]}
    )
    assert cats.categories == ("知识产权",)


def test_latest_decision_on_a_subject_wins() -> None:
    decisions = [
        _d(1, action="reject_link", measure=SIX, target=PATENTS),
        _d(2, action="not_target", target=TRAINING),
        _d(3, action="confirm_link", measure=SIX, target=PATENTS),
        _d(4, action="reject_link", measure=NINE, target=PATENTS),
    ]
    assert [d.seq for d in effective(decisions)] == [2, 3, 4]
    assert superseded(decisions) == {1}


# ---------------------------------------------------------------------------------------------- the file


def test_file_appends_numbers_and_keeps_user_and_time(tmp_path: Path) -> None:
    log = CurationFile(tmp_path)
    first = log.append(make_decision({"action": "reject_link", "measure": SIX, "target": PATENTS}, user="li"))
    second = log.append(make_decision({"action": "not_target", "target": TRAINING}, user="王芳"))
    assert (first.seq, second.seq) == (1, 2)
    assert first.time and first.time[:4].isdigit()
    lines = (tmp_path / "curation.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[1])["user"] == "王芳"  # readable, not \u-escaped
    decisions, warnings = log.read()
    assert warnings == []
    assert decisions == [first, second]


def test_unreadable_line_is_skipped_with_a_warning_and_numbering_goes_on(tmp_path: Path) -> None:
    log = CurationFile(tmp_path)
    log.append(make_decision({"action": "not_target", "target": TRAINING}, user="li"))
    with (tmp_path / "curation.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"action": "reject_link", "measure": "broken"\n')  # a hand edit gone wrong
    third = log.append(make_decision({"action": "reject_link", "measure": SIX, "target": PATENTS}, user="li"))
    assert third.seq == 3
    decisions, warnings = log.read()
    assert [d.seq for d in decisions] == [1, 3]
    assert len(warnings) == 1 and ":2:" in warnings[0]


def _append_many(folder: str, user: str, n: int) -> None:
    log = CurationFile(Path(folder))
    for _ in range(n):
        log.append(make_decision({"action": "not_target", "target": TRAINING}, user=user))


def test_concurrent_appends_lose_nothing(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(str(tmp_path), f"u{i}", 25)) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    decisions, warnings = CurationFile(tmp_path).read()
    assert warnings == []
    assert sorted(d.seq for d in decisions) == list(range(1, 76))


# ---------------------------------------------------------------------------------------------- applying


def test_no_decisions_changes_nothing(seed_raw) -> None:
    plain = analyse(seed_raw, DOC, SEED.name, load_extraction())
    curated, cur = _analyse(seed_raw, [])
    assert [(lk.target_id, lk.measure_id, lk.score) for lk in curated.links] == [
        (lk.target_id, lk.measure_id, lk.score) for lk in plain.links
    ]
    assert cur.applied == set() and cur.stale == {}


def test_reject_confirm_add_link(seed_raw) -> None:
    dkb, cur = _analyse(
        seed_raw,
        [
            _d(1, action="reject_link", measure=SIX, target=PATENTS),
            _d(2, action="confirm_link", measure=NINE, target=PLATFORMS),
            _d(3, action="add_link", measure=THREE, target=PATENTS, measure_number="(三)"),
        ],
    )
    pairs = {(lk.target_id, lk.measure_id): lk for lk in dkb.links}
    assert (PATENTS, SIX) not in pairs
    assert pairs[(PLATFORMS, NINE)].score == 1.0 and pairs[(PLATFORMS, NINE)].source == "confirmed"
    assert pairs[(PATENTS, THREE)].source == "confirmed"
    six = next(m for m in dkb.measures if m.id == SIX)
    three = next(m for m in dkb.measures if m.id == THREE)
    assert PATENTS not in [r.id for r in six.targets]
    assert three.targets[0].id == PATENTS  # confirmed links rank first (score 1.0)
    patents = next(t for t in dkb.targets if t.id == PATENTS)
    assert patents.measure_ids == [THREE]
    assert cur.applied == {1, 2, 3} and cur.stale == {}


def test_not_target_drops_it_before_linking(seed_raw) -> None:
    dkb, cur = _analyse(seed_raw, [_d(1, action="not_target", target=TRAINING, target_indicator="各类培训")])
    assert TRAINING not in {t.id for t in dkb.targets}
    assert TRAINING not in {lk.target_id for lk in dkb.links}
    six = next(m for m in dkb.measures if m.id == SIX)
    assert [r.id for r in six.targets] == [PATENTS]
    assert cur.applied == {1}


def test_set_categories_replaces_the_taxonomy(seed_raw) -> None:
    dkb, cur = _analyse(
        seed_raw, [_d(1, action="set_categories", measure=SIX, categories=["科技金融", "知识产权"])]
    )
    six = next(m for m in dkb.measures if m.id == SIX)
    assert six.categories == ["科技金融", "知识产权"]
    other = next(
        m for m in dkb.measures if m.id == NINE
    )  # untouched: what the analysis gives without curation
    plain = analyse(seed_raw, DOC, SEED.name, load_extraction())
    assert other.categories == next(m for m in plain.measures if m.id == NINE).categories
    assert cur.applied == {1}


def test_stale_decisions_are_reported_not_applied(seed_raw) -> None:
    dkb, cur = _analyse(
        seed_raw,
        [
            _d(1, action="reject_link", measure=f"{DOC}.m9.9", target=PATENTS),
            _d(2, action="not_target", target=f"{DOC}.t9.9-1"),
            _d(3, action="set_categories", measure=SIX, categories=["科技金融"], measure_number="(七)"),
            _d(4, action="not_target", target=PATENTS, target_indicator="技术合同交易额"),
        ],
    )
    assert cur.applied == set()
    assert cur.stale == {
        1: "措施已不存在",
        2: "目标已不存在",
        3: "措施编号对应的内容已变化",
        4: "目标编号对应的内容已变化",
    }
    assert PATENTS in {t.id for t in dkb.targets}
    six = next(m for m in dkb.measures if m.id == SIX)
    plain = analyse(seed_raw, DOC, SEED.name, load_extraction())
    assert six.categories == next(m for m in plain.measures if m.id == SIX).categories


# ---------------------------------------------------------------------------------------------- builds


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    documents = tmp_path / "documents"
    documents.mkdir()
    shutil.copy(SEED, documents / SEED.name)
    (documents / "other.txt").write_text(OTHER, encoding="utf-8")
    return documents, tmp_path / "index"


def _manifest(index: Path) -> dict:
    generation = current_generation(index)
    assert generation is not None
    return read_json(generation / "manifest.json")


def test_every_build_applies_decisions_and_reanalyses_only_their_document(folders) -> None:
    documents, index = folders
    first = build([documents], index, procs=1, quiet=True)
    assert first.documents == 2 and not first.rejected
    kb = KnowledgeBase.open(index)
    assert PATENTS in [r.id for r in kb.measure(SIX).targets]

    log = CurationFile(documents)
    d1 = log.append(make_decision({"action": "reject_link", "measure": SIX, "target": PATENTS}, user="li"))
    decisions, _ = log.read()
    assert [s.status for s in curation.statuses(decisions, _manifest(index))] == ["pending"]

    report = build([documents], index, procs=1, quiet=True)
    assert (report.changed, report.unchanged) == (1, 1)  # the curation file itself is no document
    assert not report.rejected
    kb = KnowledgeBase.open(index)
    assert PATENTS not in [r.id for r in kb.measure(SIX).targets]
    assert SIX not in kb.target(PATENTS).measure_ids
    assert [s.status for s in curation.statuses(decisions, _manifest(index))] == ["live"]

    # Nothing new: nothing re-analysed, the decision still applies.
    again = build([documents], index, procs=1, quiet=True)
    assert not again.published
    # A full rebuild applies it too.
    full = build([documents], index, procs=1, quiet=True, force=True)
    assert full.full and PATENTS not in [r.id for r in KnowledgeBase.open(index).measure(SIX).targets]
    assert d1.seq == 1


def test_a_decision_whose_measure_disappears_is_listed_as_stale(folders) -> None:
    documents, index = folders
    build([documents], index, procs=1, quiet=True)
    kb = KnowledgeBase.open(index)
    other = next(d for d in kb.documents() if d.source == "other.txt")
    measure = kb.measures(doc_id=other.id)[1]
    log = CurationFile(documents)
    log.append(
        make_decision(
            {"action": "set_categories", "measure": measure.id, "categories": ["科技金融"]}
            | {"measure_number": measure.number},
            user="li",
        )
    )
    build([documents], index, procs=1, quiet=True)
    assert KnowledgeBase.open(index).measure(measure.id).categories == ["科技金融"]
    # The office replaces the file: the second measure is gone.
    (documents / "other.txt").write_text(OTHER.split("（二）")[0], encoding="utf-8")
    report = build([documents], index, procs=1, quiet=True)
    assert report.changed == 1
    decisions, _ = log.read()
    (status,) = curation.statuses(decisions, _manifest(index))
    assert (status.status, status.reason) == ("stale", "措施已不存在")
    assert status.to_json()["status_label"] == "已失效"
    # Removing the document makes it stale too (and the build says so).
    (documents / "other.txt").unlink()
    report = build([documents], index, procs=1, quiet=True)
    assert any("不在文档文件夹中" in w for w in report.warnings)
    (status,) = curation.statuses(decisions, _manifest(index))
    assert (status.status, status.reason) == ("stale", "所属文件不在知识库中")
