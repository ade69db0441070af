"""Issue 23: every staff correction through POST /api/curation, applied by the build, anchored to the text.

A site over the seed plan and a work report whose title is a program's default ("Word Document") and whose
agency is missing: each action is recorded with user, server time, old and new value; shows on the public page,
in the JSON and in the citation after the build; survives a full rebuild from scratch (same knowledge base as
the incremental builds) and edits of the source files elsewhere (ids change, the decisions follow their words);
a decision whose words are gone is listed 已失效 with the reason; undo is a decision; only an admin undoes
another user's decision; the review queue puts the most-seen doubts first.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from curation_fixtures import AGENCY, DOC, MISSED, REPORT, REPORT_ID, SEED, TITLE

import web.workspace.accounts as accounts
from kb import ids
from kb.build import build
from kb.extract.curation import DocumentCuration, text_anchor, words_hash
from kb.extract.pipeline import analyse, load_extraction
from kb.extract.review import kind_doubt, title_doubt
from kb.model import Document, Quantity, RawDocument
from kb.readers import read
from kb.store.curation import CurationFile, make_decision
from kb.store.generations import current_generation, read_json
from web import create_app
from web.workspace.accounts import UserStore
from web.workspace.curate import parse_selection


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:4096:8:1")


def _token(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class Site:
    """Seed plan + work report, an editor, a second editor and an admin; builds in-process when asked."""

    def __init__(self, base: Path) -> None:
        self.documents = base / "documents"
        self.documents.mkdir(parents=True)
        shutil.copy(SEED, self.documents / SEED.name)
        (self.documents / "report.md").write_text(REPORT, encoding="utf-8")
        self.index = base / "index"
        self.build()
        self.instance = base / "instance"
        users = UserStore(self.instance)
        users.add("editor", "editor pass 1")
        users.add("other", "other pass 1")
        users.add("admin", "admin pass 1", role="admin")
        self.app = create_app(
            {
                "INDEX_DIR": str(self.index),
                "DOCUMENTS": [str(self.documents)],
                "INSTANCE_DIR": str(self.instance),
                "RELOAD_INTERVAL": 0.0,
                "BUILD_IN_BACKGROUND": False,
            }
        )

    def build(self, index: Path | None = None, **options: Any) -> Any:
        report = build([self.documents], index or self.index, procs=1, quiet=True, **options)
        assert not report.rejected, report.rejected
        return report

    def client(self, user: str | None = None) -> Any:
        client = self.app.test_client()
        if user is not None:
            token = _token(client.get("/login").get_data(as_text=True))
            response = client.post(
                "/login", data={"username": user, "password": f"{user} pass 1", "csrf_token": token}
            )
            assert response.status_code == 302
            client.csrf = _token(client.get("/workspace").get_data(as_text=True))
        return client


def decide(client: Any, body: dict[str, Any], code: int = 201) -> dict[str, Any]:
    response = client.post("/api/curation", json=body, headers={"X-CSRFToken": client.csrf})
    assert response.status_code == code, (body, response.get_json())
    return response.get_json()


def series_named(client: Any, name: str) -> dict[str, Any]:
    listed = client.get("/api/indicators?show=all").get_json()["series"]
    found = [s for s in listed if s["name"] == name and s["dimension"].startswith("level")]
    assert len(found) == 1, [s["title"] for s in listed]
    return found[0]


def generation_json(index: Path) -> dict[str, Any]:
    """The knowledge of the live generation: catalog, every document's JSON, the series (no timestamps)."""
    generation = current_generation(index)
    assert generation is not None
    docs = {p.name: read_json(p) for p in sorted((generation / "docs").glob("*.json"))}
    return {
        "catalog": read_json(generation / "catalog.json"),
        "docs": docs,
        "indicators": read_json(generation / "indicators.json"),
    }


@pytest.fixture()
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


# ---------------------------------------------------------------------------------------------- end to end


def test_every_action_shows_everywhere_survives_rebuilds_and_edits(site: Site, tmp_path: Path) -> None:
    editor = site.client("editor")
    doc = editor.get(f"/api/documents/{REPORT_ID}").get_json()["document"]
    assert (doc["title"], doc["agency"], doc["curated"]) == ("Word Document", "", [])

    # Documents: the title and the 落款 agency; the old values are recorded, the machine's value is the anchor.
    saved = decide(
        editor,
        {"action": "set_document", "document": REPORT_ID, "fields": {"title": TITLE, "agency": AGENCY}},
    )
    assert saved["id"] == saved["seq"] == 1 and saved["decision"]["id"] == 1
    assert (saved["user"], saved["status"], saved["status_label"]) == ("editor", "pending", "待生效")
    assert saved["old"] == {"title": "Word Document", "agency": ""}
    assert saved["fields"] == {"title": TITLE, "agency": AGENCY}
    assert saved["anchors"] == {"extracted": {"title": "Word Document", "agency": ""}}
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", saved["time"])  # the server's clock
    # Measures: (十) of the seed is internal party work, not a measure of the plan; 二、主要目标's third bullet is.
    ten = decide(editor, {"action": "not_measure", "measure": f"{DOC}.m3.10"})
    added_measure = decide(editor, {"action": "add_measure", "clause": f"{DOC}.s2.3"})
    headline = decide(
        editor,
        {"action": "edit_measure", "measure": f"{DOC}.m3.6", "fields": {"headline": "加强知识产权保护"}},
    )
    # Quantities: a past result made a target; a target's unit corrected; a target the rules missed added.
    to_target = decide(editor, {"action": "set_kind", "item": f"{REPORT_ID}.r1-5", "kind": "target"})
    assert to_target["old"]["kind"] == "result" and to_target["kind"] == "target"
    edited = decide(
        editor,
        {
            "action": "edit_quantity",
            "item": f"{DOC}.t3.6-1",
            "fields": {"indicator": "知识产权培训", "unit": "场"},
        },
    )
    assert edited["old"] == {"indicator": "各类培训", "unit": "次", "value": 8.0}
    missed = decide(editor, {"action": "add_target", "document": REPORT_ID, "text": MISSED})
    assert missed["fields"] == {"value": 400.0, "unit": "家", "indicator": "科技型中小企业评价入库"}
    assert missed["anchors"]["span"]["text"] == MISSED
    lines = (site.documents / "curation.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7 and json.loads(lines[0])["old"] == {"title": "Word Document", "agency": ""}
    site.build()

    # The public pages, their JSON and the citations follow.
    doc = editor.get(f"/api/documents/{REPORT_ID}").get_json()["document"]
    assert (doc["title"], doc["agency"]) == (TITLE, AGENCY)
    assert [m["user"] for m in doc["curated"]][:1] == ["editor"]
    anonymous = site.app.test_client()
    page = anonymous.get(f"/documents/{REPORT_ID}").get_data(as_text=True)
    assert f"<h1>{TITLE}</h1>" in page and "已人工校对 · editor" in page and "人工修订" not in page
    cited = anonymous.get(f"/api/items?ids={REPORT_ID}.m2.1").get_json()["items"][0]
    assert cited["citation"].startswith(f"《{TITLE}》（{AGENCY}，2020年1月15日）")
    hits = anonymous.get("/api/search?q=工作总结&type=document").get_json()["results"]
    assert [h["id"] for h in hits] == [REPORT_ID]
    assert anonymous.get(f"/api/measures/{DOC}.m3.10").status_code == 404
    bullet = anonymous.get(f"/api/measures/{DOC}.m2.3").get_json()["measure"]
    assert bullet["number"] == "——" and bullet["curated"][0]["action"] == "add_measure"
    six = anonymous.get(f"/api/measures/{DOC}.m3.6").get_json()
    assert six["measure"]["headline"] == "加强知识产权保护"
    assert six["measure"]["text"].startswith("(六)着力加强知识产权保护与运用")  # the verbatim text stays
    target = anonymous.get(f"/api/targets/{REPORT_ID}.t1-5").get_json()["target"]
    assert (target["kind"], target["indicator"], target["value"]) == ("target", "高新技术企业", 45.0)
    moved = anonymous.get(f"/results/{REPORT_ID}.r1-5")
    assert moved.status_code == 301 and moved.headers["Location"] == f"/targets/{REPORT_ID}.t1-5"
    assert anonymous.get(f"/api/targets/{DOC}.t3.6-1").get_json()["target"]["unit"] == "场"
    new = [
        t
        for t in anonymous.get(f"/api/documents/{REPORT_ID}").get_json()["targets"]
        if t["value_text"] == "400家"
    ]
    assert len(new) == 1 and new[0]["indicator"] == "科技型中小企业评价入库"
    assert new[0]["id"] == f"{REPORT_ID}.t2.3-1"
    new_cited = anonymous.get(f"/api/items?ids={new[0]['id']}").get_json()["items"][0]
    assert new_cited["quote"].startswith(MISSED) and "二、2020年工作安排（三）" in new_cited["citation"]

    # Indicator series: the report now has a region (its title names 十堰市); its 成果转化项目 are the plan's
    # 科技成果转化项目.
    deal = series_named(editor, "科技成果转化项目")
    turnover = series_named(editor, "成果转化项目")
    merged = decide(editor, {"action": "merge_series", "series": turnover["id"], "into": deal["id"]})
    assert merged["old"] == {"series": turnover["title"], "into": deal["title"]}
    # And a result back to a target and back: the latest decision on it wins.
    back = decide(editor, {"action": "set_kind", "item": f"{REPORT_ID}.t1-5", "kind": "result"})
    site.build()
    one = editor.get(f"/api/indicators/{deal['id']}").get_json()
    assert {p["item_id"] for p in one["points"]} == {f"{DOC}.t2.2-1", f"{REPORT_ID}.r1-6"}
    assert [a["attained"] for a in one["attainment"]] == [True]  # 140 planned, 152 done
    assert one["curated"][0]["action"] == "merge_series"
    assert editor.get(f"/api/indicators/{turnover['id']}").status_code == 404
    assert anonymous.get(f"/api/results/{REPORT_ID}.r1-5").get_json()["result"]["year"] == 2019
    assert anonymous.get(f"/targets/{REPORT_ID}.t1-5").status_code == 301

    # Undo is a decision; the undone measure edit no longer applies.
    undo = decide(editor, {"action": "undo", "decision": headline["id"]})
    assert (undo["decision"]["decision"], undo["document"]) == (headline["id"], DOC)
    site.build()
    assert anonymous.get(f"/api/measures/{DOC}.m3.6").get_json()["measure"]["headline"].startswith("着力加强")
    listed = {d["id"]: d for d in editor.get("/api/curation").get_json()["decisions"]}
    assert listed[headline["id"]]["status"] == "undone" and listed[headline["id"]]["undone_by"] == undo["id"]
    assert listed[to_target["id"]]["status"] == "superseded"  # by the decision that turned it back
    live = {d["id"] for d in listed.values() if d["status"] == "live"}
    assert live == {
        1,
        ten["id"],
        added_measure["id"],
        edited["id"],
        missed["id"],
        merged["id"],
        back["id"],
        undo["id"],
    }
    audit = editor.get("/workspace/curation").get_data(as_text=True)
    assert "标题：Word Document → " + TITLE in audit and "实绩 → 目标" in audit and "并入" in audit

    # A full rebuild from scratch gives the same knowledge base as the incremental builds.
    incremental = generation_json(site.index)
    site.build(tmp_path / "scratch")
    scratch = generation_json(tmp_path / "scratch")
    assert scratch == incremental

    # The offices edit both files elsewhere: a section before 三、主要措施 (every measure id moves), a sentence
    # before the review. Every decision follows its words to the new ids; none is stale.
    seed = (site.documents / SEED.name).read_text(encoding="utf-8")
    seed = re.sub(
        r"(\s*)三、主要措施",
        r"\1三、基本原则\n\n坚持创新引领，坚持问题导向。\n\n\1四、主要措施",
        seed,
        count=1,
    )
    (site.documents / SEED.name).write_text(seed, encoding="utf-8")
    report_text = REPORT.replace(
        "一、2019年工作回顾\n\n", "一、2019年工作回顾\n\n（本报告经局务会审议通过。）\n\n"
    )
    (site.documents / "report.md").write_text(report_text, encoding="utf-8")
    site.build()
    listed = editor.get("/api/curation").get_json()["decisions"]
    assert [d for d in listed if d["status"] == "stale"] == []
    assert anonymous.get(f"/api/measures/{DOC}.m4.10").status_code == 404  # still no measure
    assert anonymous.get(f"/api/measures/{DOC}.m4.9").status_code == 200
    assert anonymous.get(f"/api/measures/{DOC}.m2.3").get_json()["measure"]["curated"]
    assert anonymous.get(f"/api/targets/{DOC}.t4.6-1").get_json()["target"]["unit"] == "场"
    doc = anonymous.get(f"/api/documents/{REPORT_ID}").get_json()
    assert doc["document"]["title"] == TITLE
    assert [t["indicator"] for t in doc["targets"] if t["value_text"] == "400家"] == [
        "科技型中小企业评价入库"
    ]
    assert editor.get(f"/api/indicators/{deal['id']}").get_json()["curated"]
    # …and from scratch again, the same.
    shutil.rmtree(tmp_path / "scratch")
    site.build(tmp_path / "scratch")
    assert generation_json(tmp_path / "scratch") == generation_json(site.index)


def test_a_decision_whose_words_are_gone_is_stale_with_the_reason(site: Site) -> None:
    editor = site.client("editor")
    decide(editor, {"action": "not_measure", "measure": f"{DOC}.m3.10"})
    decide(editor, {"action": "set_kind", "item": f"{DOC}.t3.6-1", "kind": "result"})
    site.build()
    # The office rewrites (十) and the sentence of the training target; nothing else changes.
    seed = (site.documents / SEED.name).read_text(encoding="utf-8")
    seed = seed.replace("深入开展“两转一强化”活动", "深入开展“三转一提升”活动").replace(
        "组织各类培训8次", "组织各类培训10次"
    )
    (site.documents / SEED.name).write_text(seed, encoding="utf-8")
    site.build()
    entries = {d["action"]: d for d in editor.get("/api/curation").get_json()["decisions"]}
    assert entries["not_measure"]["status"] == "stale"
    assert entries["not_measure"]["reason"].startswith("原文中已找不到“(十)深入开展“两转一强化”活动")
    assert entries["set_kind"]["status"] == "stale" and "组织各类培训8次" in entries["set_kind"]["reason"]
    anonymous = site.app.test_client()
    assert anonymous.get(f"/api/measures/{DOC}.m3.10").status_code == 200  # never applied elsewhere
    assert anonymous.get(f"/api/targets/{DOC}.t3.6-1").get_json()["target"]["value"] == 10.0
    page = editor.get("/workspace/curation").get_data(as_text=True)
    assert page.count('data-status="stale"') == 2 and "已失效" in page


def test_a_document_field_follows_the_machine_value_it_was_decided_on(site: Site) -> None:
    editor = site.client("editor")
    decide(editor, {"action": "set_document", "document": REPORT_ID, "fields": {"title": TITLE}})
    site.build()
    # A second edit of the same field keeps the machine's value as its anchor and records the live one as old.
    second = decide(
        editor, {"action": "set_document", "document": REPORT_ID, "fields": {"title": TITLE + "（修订）"}}
    )
    assert second["old"] == {"title": TITLE} and second["anchors"]["extracted"] == {"title": "Word Document"}
    site.build()
    assert editor.get(f"/api/documents/{REPORT_ID}").get_json()["document"]["title"] == TITLE + "（修订）"
    # The office sends a file that states its title: the machine now reads another title, the decisions are
    # stale (listed), and the file's own title shows.
    (site.documents / "report.md").write_text(
        REPORT.replace("Word Document", "十堰市科技局工作报告"), encoding="utf-8"
    )
    site.build()
    states = [(d["status"], d["reason"]) for d in editor.get("/api/curation").get_json()["decisions"]]
    assert (
        states[0][0] == "stale" and "十堰市科技局工作报告" in states[0][1] and "Word Document" in states[0][1]
    )
    assert states[1][0] == "superseded"
    assert editor.get(f"/api/documents/{REPORT_ID}").get_json()["document"]["title"] == "十堰市科技局工作报告"


def test_series_split_and_explained_conflict(site: Site) -> None:
    editor = site.client("editor")
    decide(editor, {"action": "set_document", "document": REPORT_ID, "fields": {"title": TITLE}})
    site.build()
    patents = series_named(editor, "发明专利申请量")
    full = editor.get(f"/api/indicators/{patents['id']}").get_json()
    (conflict,) = full["conflicts"]
    assert conflict["year"] == 2019 and conflict["note"] is None
    queue = editor.get("/api/review?type=conflict").get_json()["items"]
    assert f"{patents['id']}|2019" in [i["id"] for i in queue]
    explained = decide(
        editor,
        {"action": "explain_conflict", "series": patents["id"], "year": 2019, "note": "次年报告上调了目标"},
    )
    assert explained["note"] == "次年报告上调了目标"
    report_target = next(p["item_id"] for p in full["points"] if p["item_id"].startswith(REPORT_ID + ".t"))
    split = decide(
        editor,
        {
            "action": "split_series",
            "series": patents["id"],
            "items": [report_target],
            "fields": {"name": "专利申请"},
        },
    )
    assert split["items"] == [report_target]
    site.build()
    after = editor.get(f"/api/indicators/{patents['id']}").get_json()
    assert report_target not in {p["item_id"] for p in after["points"]}
    assert after["conflicts"] == []  # the conflict left with the point: the explanation is stale, and says so
    states = {d["action"]: d for d in editor.get("/api/curation").get_json()["decisions"]}
    assert states["split_series"]["status"] == "live"
    assert (
        states["explain_conflict"]["status"] == "stale"
        and "2019年的目标冲突" in states["explain_conflict"]["reason"]
    )
    other = [
        s for s in editor.get("/api/indicators?show=all").get_json()["series"] if s["name"] == "专利申请"
    ]
    assert len(other) == 1
    # Undo the split: the conflict is back, explained by the note (which holds again).
    decide(editor, {"action": "undo", "decision": split["id"]})
    site.build()
    again = editor.get(f"/api/indicators/{patents['id']}").get_json()
    assert again["conflicts"][0]["note"]["note"] == "次年报告上调了目标"
    page = site.app.test_client().get(f"/indicators/{patents['id']}").get_data(as_text=True)
    assert "已说明：次年报告上调了目标" in page and "已人工校对" in page
    assert f"{patents['id']}|2019" not in [i["id"] for i in editor.get("/api/review").get_json()["items"]]


# ---------------------------------------------------------------------------------------------- rights, refusals


def test_only_an_admin_undoes_another_users_decision(site: Site) -> None:
    editor, other, admin = site.client("editor"), site.client("other"), site.client("admin")
    mine = decide(editor, {"action": "not_measure", "measure": f"{DOC}.m3.10"})
    refused = decide(other, {"action": "undo", "decision": mine["id"]}, code=403)
    assert refused["message"] == "只有管理员可以撤销他人的决定。"
    undone = decide(admin, {"action": "undo", "decision": mine["id"]})
    assert undone["user"] == "admin"
    assert (
        decide(editor, {"action": "undo", "decision": mine["id"]}, code=400)["message"]
        == f"第 {mine['id']} 条决定已被撤销。"
    )
    redo = decide(admin, {"action": "undo", "decision": undone["id"]})  # an undo of the undo restores it
    site.build()
    assert site.app.test_client().get(f"/api/measures/{DOC}.m3.10").status_code == 404
    states = {d["id"]: d["status"] for d in editor.get("/api/curation").get_json()["decisions"]}
    assert states == {mine["id"]: "live", undone["id"]: "undone", redo["id"]: "live"}
    # The audit page offers undo only where the user may.
    page = other.get("/workspace/curation").get_data(as_text=True)
    assert 'data-undo="' not in page
    assert f'data-undo="{mine["id"]}"' in editor.get("/workspace/curation").get_data(as_text=True)


def test_who_when_old_values_and_anchors_are_the_servers(site: Site) -> None:
    editor = site.client("editor")
    forged = {
        "action": "set_document",
        "document": REPORT_ID,
        "fields": {"title": TITLE},
        "user": "mallory",
        "time": "1999-01-01T00:00:00+08:00",
        "seq": 77,
        "old": {"title": "something else"},
        "anchors": {"extracted": {"title": TITLE}},
    }
    saved = decide(editor, forged)
    assert (saved["user"], saved["seq"]) == ("editor", 1) and not saved["time"].startswith("1999")
    assert saved["old"] == {"title": "Word Document"}
    assert saved["anchors"] == {"extracted": {"title": "Word Document"}}
    (line,) = (site.documents / "curation.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["user"] == "editor"


def test_new_actions_refuse_anonymous_forged_and_bad_writes(site: Site) -> None:
    bodies = [
        {"action": "set_document", "document": REPORT_ID, "fields": {"title": TITLE}},
        {"action": "set_kind", "item": f"{REPORT_ID}.r1-5", "kind": "target"},
        {"action": "add_target", "document": REPORT_ID, "text": MISSED},
        {"action": "undo", "decision": 1},
    ]
    anonymous = site.app.test_client()
    token = anonymous.get("/api/login").get_json()["csrf_token"]
    editor = site.client("editor")
    for body in bodies:
        assert anonymous.post("/api/curation", json=body).status_code == 403
        assert anonymous.post("/api/curation", json=body, headers={"X-CSRFToken": token}).status_code == 401
        assert editor.post("/api/curation", json=body, headers={"X-CSRFToken": "forged"}).status_code == 403
        form = {"action": body["action"], "csrf_token": token, "document": REPORT_ID, "fields.title": "x"}
        assert anonymous.post("/curation", data=form).status_code == 401
    assert not (site.documents / "curation.jsonl").exists()
    bad = [
        (
            {"action": "set_document", "document": REPORT_ID, "fields": {"colour": "red"}},
            400,
            "不能修改的文件信息",
        ),
        ({"action": "set_document", "document": REPORT_ID, "fields": {"title": ""}}, 400, "标题不能为空"),
        (
            {"action": "set_document", "document": REPORT_ID, "fields": {"date": "2020-02-30"}},
            400,
            "不是有效的日期",
        ),
        (
            {"action": "set_document", "document": REPORT_ID, "fields": {"url": "javascript:alert(1)"}},
            400,
            "网址",
        ),
        ({"action": "set_document", "document": REPORT_ID, "fields": {"genre": "小说"}}, 400, "文种只能是"),
        (
            {"action": "set_document", "document": REPORT_ID, "fields": {"title": "Word Document"}},
            400,
            "没有修改",
        ),
        ({"action": "set_document", "document": "nope", "fields": {"title": "x"}}, 404, "没有编号为"),
        ({"action": "set_kind", "item": f"{REPORT_ID}.r1-5", "kind": "result"}, 400, "已经是实绩"),
        ({"action": "set_kind", "item": f"{REPORT_ID}.r1-5", "kind": "maybe"}, 400, "kind 只能是"),
        (
            {"action": "edit_quantity", "item": f"{REPORT_ID}.r1-5", "fields": {"deadline": 2020}},
            400,
            "实绩没有",
        ),
        (
            {"action": "edit_quantity", "item": f"{REPORT_ID}.r1-5", "fields": {"value": "很多"}},
            400,
            "须为数字",
        ),
        ({"action": "edit_quantity", "item": f"{REPORT_ID}.r1-5", "fields": {"value": 45}}, 400, "没有修改"),
        ({"action": "add_target", "document": REPORT_ID, "text": "没有这句话"}, 400, "原文中没有"),
        (
            {"action": "add_target", "document": REPORT_ID, "text": "发明专利申请量达到2500件"},
            400,
            "该处已有目标",
        ),
        ({"action": "add_target", "document": REPORT_ID, "span": [0, 99999]}, 400, "超出"),
        ({"action": "add_measure", "clause": f"{DOC}.s3.6"}, 400, "已是措施"),
        ({"action": "add_measure", "clause": f"{DOC}.s3"}, 400, "重叠"),
        ({"action": "edit_measure", "measure": f"{DOC}.m3.6", "fields": {"headline": ""}}, 400, "不能为空"),
        (
            {"action": "merge_series", "series": "ind.000000000000", "into": "ind.000000000001"},
            404,
            "没有编号为",
        ),
        ({"action": "undo", "decision": 99}, 404, "没有编号为 99 的决定"),
    ]
    for body, code, message in bad:
        answer = decide(editor, body, code=code)
        assert message in answer["message"], (body, answer)
    assert not (site.documents / "curation.jsonl").exists()


# ---------------------------------------------------------------------------------------------- forms, queue


def test_public_pages_carry_the_edit_forms_and_a_form_post_records(site: Site) -> None:
    editor = site.client("editor")
    page = editor.get(f"/documents/{REPORT_ID}").get_data(as_text=True)
    for marker in (
        "data-set-document",
        'name="fields.title"',
        "data-add-measure-form",
        "data-add-target-form",
        "data-selectable-body",
        "curate.js",
    ):
        assert marker in page, marker
    assert (
        'name="fields.in_force_from"' not in page or "施行日期" in page
    )  # offered only when the model has it
    result = editor.get(f"/results/{REPORT_ID}.r1-5").get_data(as_text=True)
    assert 'data-action="set_kind" data-kind="target"' in result and "data-edit-quantity" in result
    assert "data-edit-measure" in editor.get(f"/measures/{DOC}.m3.6").get_data(as_text=True)
    form = {
        "csrf_token": editor.csrf,
        "action": "set_document",
        "document": REPORT_ID,
        "next": f"/documents/{REPORT_ID}",
        **{
            f"fields.{f}": v
            for f, v in (("title", TITLE), ("agency", ""), ("date", "2020-01-15"), ("url", ""))
        },
    }
    response = editor.post("/curation", data=form)
    assert response.status_code == 302 and response.headers["Location"] == f"/documents/{REPORT_ID}"
    (decision,) = CurationFile(site.documents).read()[0]
    assert decision.fields == {"title": TITLE}  # only what changed
    text = read(site.documents / "report.md").text
    start = text.index(MISSED)
    form = {
        "csrf_token": editor.csrf,
        "action": "add_target",
        "document": REPORT_ID,
        "text": MISSED,
        "span_start": str(start),
        "span_end": str(start + len(MISSED)),
        "fields.indicator": "入库科技型中小企业",
        "next": f"/documents/{REPORT_ID}",
    }
    assert editor.post("/curation", data=form).status_code == 302
    added = CurationFile(site.documents).read()[0][-1]
    assert added.fields["indicator"] == "入库科技型中小企业" and added.anchors["span"]["span"] == [
        start,
        start + len(MISSED),
    ]
    html = editor.get(f"/documents/{REPORT_ID}").get_data(as_text=True)
    assert "已记录“新增目标”" in html and "待生效" in html


def test_review_queue_orders_by_reach_and_leads_to_the_edit_panel(site: Site) -> None:
    editor = site.client("editor")
    queue = editor.get("/api/review").get_json()
    items = queue["items"]
    assert queue["counts"]["title"] == 1 and queue["counts"]["no_category"] >= 0
    reaches = [i["reach"] for i in items]
    assert reaches == sorted(reaches, reverse=True)
    title = next(i for i in items if i["type"] == "title")
    assert (title["id"], title["url"]) == (REPORT_ID, f"/documents/{REPORT_ID}#curate")
    assert "默认标题" in title["reason"]
    # The report's title reaches its page, the lists and its 4 measures, 2 targets and 7 results.
    assert title["reach"] == 2 + 4 + 2 + 7
    kinds = {i["id"]: i for i in items if i["type"] == "kind"}
    assert "实绩所在的句子也在说计划（“目标”）" in kinds[f"{REPORT_ID}.r1-7"]["reason"]
    assert kinds[f"{REPORT_ID}.r1-7"]["url"] == f"/results/{REPORT_ID}.r1-7#curate"
    for item in items[:10]:
        page = editor.get(item["url"].split("#")[0]).get_data(as_text=True)
        assert 'id="curate"' in page, item
    html = editor.get("/workspace/review").get_data(as_text=True)
    assert 'data-review-type="title"' in html and f'href="/documents/{REPORT_ID}#curate"' in html
    decide(editor, {"action": "set_document", "document": REPORT_ID, "fields": {"title": TITLE}})
    site.build()
    assert editor.get("/api/review").get_json()["counts"]["title"] == 0
    assert site.app.test_client().get("/api/review").status_code == 401


# ---------------------------------------------------------------------------------------------- pure parts


def test_anchor_finds_the_same_words_after_an_edit_elsewhere_and_only_them() -> None:
    raw = read(SEED)
    extraction = load_extraction()
    plain = analyse(raw, DOC, SEED.name, extraction)
    text = plain.document.text
    patents = next(q for q in plain.quantities if q.id == f"{DOC}.t2.2-2")
    decision = make_decision(
        {
            "action": "set_kind",
            "item": patents.id,
            "kind": "result",
            "anchors": {"item": text_anchor(text, patents.mention_span)},
        },
        user="li",
        seq=1,
    )
    edited = "前言一句。\n\n" + text.replace("  一、指导思想", "  一、指导思想\n\n（新增的一段话。）")
    cur = DocumentCuration((decision,))
    dkb = analyse(RawDocument(edited, raw.meta, raw.format), DOC, SEED.name, extraction, curation=cur)
    (moved,) = [q for q in dkb.quantities if q.mention == patents.mention]
    assert (moved.kind, moved.id, cur.applied, cur.stale) == ("result", f"{DOC}.r2.2-2", {1}, {})
    assert moved.mention_span[0] > patents.mention_span[0]
    assert (
        words_hash(edited[moved.mention_span[0] : moved.mention_span[1]]) == decision.anchors["item"]["hash"]
    )
    # The words are gone: stale, and the quantity that now stands there is left alone.
    changed = text.replace("发明专利申请量达到2100件", "发明专利申请量达到2200件")
    cur = DocumentCuration((decision,))
    dkb = analyse(RawDocument(changed, raw.meta, raw.format), DOC, SEED.name, extraction, curation=cur)
    assert cur.applied == set() and "原文中已找不到" in cur.stale[1]
    assert next(q for q in dkb.quantities if q.value == 2200).kind == "target"


def test_parse_selection_and_review_signals() -> None:
    assert parse_selection(MISSED) == {"value": 400.0, "unit": "家", "indicator": "科技型中小企业评价入库"}
    assert parse_selection("培育科技型企业350家以上")["indicator"] == "培育科技型企业"
    assert parse_selection("没有数字") == {}
    doc = Document(id="x", title="Word Document", text="", source="x.docx", date="2020-01-01")
    assert "默认标题" in title_doubt(doc)
    assert (
        title_doubt(Document(id="x", title="plan_2020", text="", source="plan_2020.txt"))
        == "文件没有标题，取了文件名"
    )
    assert title_doubt(Document(id="x", title=TITLE, text="", source="r.md")) == ""
    target = Quantity("x.t1-1", "x", "", "产值", 10, "亿元", text="产值比上年增长了10亿元。", deadline=2018)
    assert "已完成" in kind_doubt(target, doc) and "早于" in kind_doubt(target, doc)
    result = Quantity(
        "x.r1-1", "x", "", "产值", 10, "亿元", text="力争产值达到10亿元。", kind="result", year=None
    )
    assert "计划" in kind_doubt(result, doc) and "没有识别出" in kind_doubt(result, doc)
    assert ids.type_of("x.r1-1") == "result"
