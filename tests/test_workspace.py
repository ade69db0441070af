"""The staff workspace through Flask's test client: sign-in, CSRF, rate limits, uploads, builds, curation."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest

import web.workspace.accounts as accounts
from kb.build import build
from kb.store.curation import CurationFile
from web import create_app
from web.workspace.accounts import UserStore
from web.workspace.builder import BuildQueue
from web.workspace.uploads import UploadError, UploadFolder, safe_upload_name

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "documents" / "000_3ccc218f3f77786b.txt"
FORMATS = ROOT / "tests" / "fixtures" / "formats"
DOC = "000_3ccc218f3f77786b"
SIX = f"{DOC}.m3.6"
PATENTS = f"{DOC}.t2.2-2"
PLATFORMS = f"{DOC}.t2.2-5"
NINE = f"{DOC}.m3.9"

NEW_DOC = """某市促进氢能产业发展若干措施

一、主要目标

到2025年，全市氢能产业产值达到100亿元。

二、工作措施

（一）支持加氢站建设。对新建加氢站给予建设补贴，推动燃料电池汽车示范应用。

（二）培育氢能企业。引进燃料电池电堆企业10家以上。
"""


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A production hash costs ~0.4 s here and these tests sign in dozens of times; the method is stored with
    each hash, so verification follows it (web.workspace.accounts keeps the production default, tests/test_users.py checks it)."""
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:4096:8:1")


def _token(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class Site:
    """A site over its own copy of the seed, with an editor and an admin."""

    def __init__(self, base: Path, *, built: bool = True, **config: object) -> None:
        self.documents = base / "documents"
        self.documents.mkdir(parents=True)
        shutil.copy(SEED, self.documents / SEED.name)
        self.index = base / "index"
        if built:
            build([self.documents], self.index, procs=1, quiet=True)
        self.instance = base / "instance"
        users = UserStore(self.instance)
        users.add("editor", "editor pass 1")
        users.add("admin", "admin pass 1", role="admin")
        self.app = create_app(
            {
                "INDEX_DIR": str(self.index),
                "DOCUMENTS": [str(self.documents)],
                "INSTANCE_DIR": str(self.instance),
                "RELOAD_INTERVAL": 0.0,
                **config,
            }
        )
        self.ws = self.app.extensions["policykb_workspace"]

    def client(self, user: str | None = None, address: str = "127.0.0.1"):
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        if user is not None:
            token = _token(client.get("/login").get_data(as_text=True))
            response = client.post(
                "/login", data={"username": user, "password": f"{user} pass 1", "csrf_token": token}
            )
            assert response.status_code == 302, response.get_data(as_text=True)
            client.csrf = _token(client.get("/workspace").get_data(as_text=True))  # type: ignore[attr-defined]
        return client

    def wait(self, timeout: float = 120.0) -> None:
        """Wait for the background build; with background builds off, build here (faster, same result)."""
        if not self.ws.background:
            build([self.documents], self.index, procs=1, quiet=True)
            return
        assert self.ws.queue.wait_idle(timeout), "background build did not finish"

    def decisions(self) -> list:
        return CurationFile(self.documents).read()[0]


@pytest.fixture()
def site(tmp_path: Path) -> Site:
    """A site building in the background (a subprocess per build, as in production)."""
    s = Site(tmp_path)
    yield s
    s.ws.queue.close()


@pytest.fixture()
def quick_site(tmp_path: Path) -> Site:
    """A site whose tests build in-process when they need a build (the background path is tested above)."""
    return Site(tmp_path, BUILD_IN_BACKGROUND=False)


# ---------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\x.TXT", "x.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("十堰市2019年科技创新工作要点.pdf", "十堰市2019年科技创新工作要点.pdf"),
        ("  关于  印发\t方案 .docx", "关于 印发 方案.docx"),
        (".hidden.md", "hidden.md"),
        ("~$lock.docx", "lock.docx"),
        ("a\x00b<c>:d|e?.txt", "ab_c__d_e_.txt"),
        ("links.toml.txt", "links.toml.txt"),
        ("README.md", "README-1.md"),
        ("curation.jsonl.md", "curation.jsonl.md"),
        ("\u202etxt.exe.txt", "txt.exe.txt"),
        (".txt", "未命名.txt"),
    ],
)
def test_safe_upload_name(raw: str, expected: str) -> None:
    assert safe_upload_name(raw) == expected


def test_safe_upload_name_refuses_other_formats_and_bounds_length() -> None:
    for raw in ("x.exe", "noext", "x.pdf.sh", ""):
        with pytest.raises(UploadError, match="不支持的文件格式"):
            safe_upload_name(raw)
    long = safe_upload_name("政" * 300 + ".pdf")
    assert long.endswith(".pdf") and len(long.encode("utf-8")) <= 200


def test_upload_folder_never_overwrites_and_keeps_removed_files(tmp_path: Path) -> None:
    folder = UploadFolder(tmp_path)
    a = folder.save(io.BytesIO(b"first"), "../../plan.txt", "li")
    b = folder.save(io.BytesIO(b"second"), "plan.txt", "li")
    same = folder.save(io.BytesIO(b"second"), "other.txt", "li")
    assert (a.name, b.name, same.action, same.duplicate_of) == (
        "plan.txt",
        "plan (2).txt",
        "duplicate",
        "plan (2).txt",
    )
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir() if not p.name.startswith(".")) == [
        "plan (2).txt",
        "plan.txt",
    ]
    trashed = folder.remove("plan.txt", "li")
    assert not (tmp_path / "uploads" / "plan.txt").exists()
    assert (tmp_path / "uploads" / ".trash" / trashed).read_bytes() == b"first"
    with pytest.raises(UploadError):
        folder.remove("../documents/x.txt", "li")
    with pytest.raises(UploadError, match="空"):
        folder.save(io.BytesIO(b""), "empty.txt", "li")
    small = UploadFolder(tmp_path, max_bytes=10)
    with pytest.raises(UploadError, match="上限"):
        small.save(io.BytesIO(b"x" * 11), "big.txt", "li")
    assert [e["action"] for e in folder.log()] == ["upload", "upload", "remove"]
    assert not list((tmp_path / "uploads").glob(".incoming-*"))


# ---------------------------------------------------------------------------------------------- sign-in


def test_instance_folder_secret_key_and_cookie_flags(tmp_path: Path) -> None:
    site = Site(tmp_path, built=False, BUILD_IN_BACKGROUND=False)
    assert (site.instance / "secret_key").is_file()
    assert site.app.secret_key == (site.instance / "secret_key").read_text().strip()
    client = site.client("editor")
    response = client.post("/logout", data={"csrf_token": client.csrf})
    assert response.status_code == 302
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "editor", "password": "editor pass 1", "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = Site(tmp_path / "s", built=False, BUILD_IN_BACKGROUND=False, SECURE_COOKIES=True)
    client = secure.app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "editor", "password": "editor pass 1", "csrf_token": token}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_public_pages_stay_anonymous_and_signed_in_pages_carry_the_token(quick_site: Site) -> None:
    site = quick_site
    anonymous = site.app.test_client()
    page = anonymous.get(f"/measures/{SIX}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "csrf-token" not in html and "人工修订" not in html
    assert "Set-Cookie" not in page.headers  # the public site sets no cookie
    assert "工作人员登录" in html
    editor = site.client("editor")
    for path in (
        "/",
        f"/measures/{SIX}",
        f"/targets/{PATENTS}",
        "/workspace",
        "/workspace/curation",
        "/upload",
    ):
        html = editor.get(path).get_data(as_text=True)
        assert '<meta name="csrf-token"' in html, path
    assert "人工修订" in editor.get(f"/measures/{SIX}").get_data(as_text=True)


def test_login_json_twin_and_wrong_password(quick_site: Site) -> None:
    site = quick_site
    client = site.app.test_client()
    data = client.get("/api/login").get_json()
    assert data["user"] is None and data["csrf_token"]
    headers = {"X-CSRFToken": data["csrf_token"]}
    bad = client.post("/api/login", json={"username": "editor", "password": "nope nope"}, headers=headers)
    assert bad.status_code == 401 and bad.get_json()["message"] == "用户名或密码不正确。"
    good = client.post(
        "/api/login", json={"username": "Editor", "password": "editor pass 1"}, headers=headers
    )
    assert good.status_code == 200
    assert good.get_json()["user"]["name"] == "editor"
    assert client.get("/api/status").status_code == 200
    html = client.get("/login").status_code
    assert html == 302  # already signed in


def test_failed_logins_are_limited_per_user_and_per_address(quick_site: Site) -> None:
    site = quick_site

    def attempt(client, user: str, password: str) -> int:
        token = _token(client.get("/login").get_data(as_text=True))
        return client.post(
            "/login", data={"username": user, "password": password, "csrf_token": token}
        ).status_code

    # Per user: ten failures from ten addresses lock the name, even for the right password.
    for i in range(10):
        assert attempt(site.client(address=f"10.0.0.{i + 1}"), "editor", "wrong pass") == 401
    locked = site.client(address="10.0.1.1")
    assert attempt(locked, "editor", "editor pass 1") == 429
    token = _token(locked.get("/login").get_data(as_text=True))
    response = locked.post("/login", data={"username": "editor", "password": "x", "csrf_token": token})
    assert response.status_code == 429 and "15 分钟" in response.get_data(as_text=True)
    # Another user from that address is not affected.
    assert attempt(site.client(address="10.0.1.1"), "admin", "admin pass 1") == 302
    # Per address: ten failures naming various users lock the address for everyone.
    for i in range(10):
        assert attempt(site.client(address="10.0.2.2"), f"nobody{i}", "wrong pass") == 401
    assert attempt(site.client(address="10.0.2.2"), "admin", "admin pass 1") == 429
    # Successful logins do not count.
    for _ in range(12):
        assert attempt(site.client(address="10.0.3.3"), "admin", "admin pass 1") == 302


def test_removed_user_and_changed_password_end_the_session(quick_site: Site) -> None:
    site = quick_site
    client = site.client("editor")
    assert client.get("/api/status").status_code == 200
    UserStore(site.instance).set_password("editor", "another pass")
    assert client.get("/api/status").status_code == 401
    assert client.get("/workspace").status_code == 302


# ---------------------------------------------------------------------------------------------- refusals


def _nothing_written(site: Site) -> bool:
    uploads = site.documents / "uploads"
    return not (site.documents / "curation.jsonl").exists() and not (
        uploads.exists() and any(p for p in uploads.iterdir() if not p.name.startswith("."))
    )


def test_anonymous_and_forged_writes_are_refused_and_change_nothing(quick_site: Site) -> None:
    site = quick_site
    anonymous = site.app.test_client()
    decision = {"action": "reject_link", "measure": SIX, "target": PATENTS}
    assert anonymous.get("/workspace").status_code == 302
    assert anonymous.get("/workspace").headers["Location"].startswith("/login?next=")
    assert anonymous.get("/api/status").status_code == 401
    assert anonymous.get("/api/curation").status_code == 401
    # No token: CSRF refuses (403); a token from the login form but no sign-in: 401.
    assert anonymous.post("/api/curation", json=decision).status_code == 403
    token = anonymous.get("/api/login").get_json()["csrf_token"]
    response = anonymous.post("/api/curation", json=decision, headers={"X-CSRFToken": token})
    assert response.status_code == 401 and response.get_json()["message"] == "请先登录工作台。"
    upload = {"file": (io.BytesIO(NEW_DOC.encode()), "x.txt")}
    assert anonymous.post("/api/upload", data=upload, headers={"X-CSRFToken": token}).status_code == 401
    assert anonymous.post("/upload", data={"file": (io.BytesIO(b"x"), "x.txt")}).status_code == 401
    assert anonymous.post("/api/uploads/remove", json={"name": "x.txt"}).status_code in (401, 403)
    assert anonymous.post("/curation", data={**decision, "csrf_token": token}).status_code == 401
    # Signed in, but the token is missing, wrong or from another session.
    editor = site.client("editor")
    other = site.client("admin")
    for headers in ({}, {"X-CSRFToken": "forged"}, {"X-CSRFToken": other.csrf}):
        response = editor.post("/api/curation", json=decision, headers=headers)
        assert response.status_code == 403, headers
        assert "CSRF" in response.get_json()["message"]
    response = editor.post("/upload", data={"file": (io.BytesIO(NEW_DOC.encode()), "x.txt")})
    assert response.status_code == 403 and "安全校验" in response.get_data(as_text=True)
    # An editor is no admin.
    response = editor.post(
        "/api/uploads/remove", json={"name": "x.txt"}, headers={"X-CSRFToken": editor.csrf}
    )
    assert response.status_code == 403
    assert _nothing_written(site)
    assert not site.ws.queue.busy()


def test_sizes_are_bounded(tmp_path: Path) -> None:
    site = Site(tmp_path, UPLOAD_MAX_BYTES=200 * 1024, BUILD_IN_BACKGROUND=False)
    editor = site.client("editor")
    headers = {"X-CSRFToken": editor.csrf}
    big = {"file": (io.BytesIO(b"x" * (300 * 1024)), "big.txt")}
    response = editor.post("/api/upload", data=big, headers=headers)
    assert response.status_code == 413 and "上限" in response.get_json()["message"]
    # Under the upload limit but over the public 64 KB: fine for uploads only.
    body = ("一、" + "某" * 50_000 + "\n").encode("utf-8")
    ok = editor.post("/api/upload", data={"file": (io.BytesIO(body), "长文件.txt")}, headers=headers)
    assert ok.status_code == 201
    response = editor.post(
        "/api/curation",
        data=json.dumps({"x": "y" * 70_000}),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    site.ws.queue.close()


# ---------------------------------------------------------------------------------------------- uploads


def test_upload_builds_in_the_background_and_is_searchable(site: Site) -> None:
    editor = site.client("editor")
    headers = {"X-CSRFToken": editor.csrf}
    limits = editor.get("/api/upload").get_json()
    assert limits["max_mb"] == 50 and ".pdf" in limits["formats"] and limits["field"] == "file"
    files = [
        (io.BytesIO(NEW_DOC.encode("utf-8")), "../../氢能 措施.txt"),
        (io.BytesIO(b"MZ\x90\x00"), "tool.exe"),
        (io.BytesIO(b"   \n  \n"), "blank.txt"),
    ]
    response = editor.post("/api/upload", data={"file": files}, headers=headers)
    assert response.status_code == 201
    result = response.get_json()
    assert [s["name"] for s in result["stored"]] == ["氢能 措施.txt", "blank.txt"]
    assert result["refused"][0]["filename"] == "tool.exe" and "不支持" in result["refused"][0]["reason"]
    assert (site.documents / "uploads" / "氢能 措施.txt").is_file()
    assert not (site.documents.parent / "氢能 措施.txt").exists()
    site.wait()
    status = editor.get("/api/status").get_json()
    assert status["build"]["state"] == "idle" and not status["build"]["busy"]
    assert status["build"]["report"]["added"] == 1
    by_name = {u["name"]: u for u in status["uploads"]}
    live = by_name["氢能 措施.txt"]
    assert live["state"] == "live" and live["uploaded_by"] == "editor"
    doc = live["document"]
    assert doc["title"] == "某市促进氢能产业发展若干措施"
    assert [m["number"] for m in doc["measures"]] == ["（一）", "（二）"]
    assert {t["indicator"] for t in doc["targets"]} >= {"氢能产业产值"}
    assert [c["label"] for c in doc["outline"]] == ["一、", "二、"]
    blank = by_name["blank.txt"]
    assert blank["state"] == "rejected" and blank["reason"]
    assert {"source": "uploads/blank.txt", "reason": blank["reason"]} in status["rejected"]
    hits = editor.get("/api/search?q=加氢站").get_json()
    assert any(h["doc_id"] == doc["id"] for h in hits["results"])
    # The workspace page shows the same.
    html = editor.get("/workspace").get_data(as_text=True)
    assert f'href="{doc["url"]}"' in html and blank["reason"] in html and "uploads/blank.txt" in html


def test_admin_replaces_and_removes_uploads_into_the_trash(quick_site: Site) -> None:
    site = quick_site
    admin = site.client("admin")
    headers = {"X-CSRFToken": admin.csrf}
    admin.post("/api/upload", data={"file": (io.BytesIO(NEW_DOC.encode()), "h2.txt")}, headers=headers)
    site.wait()
    doc_id = admin.get("/api/status").get_json()["uploads"][0]["document"]["id"]
    changed = NEW_DOC.replace("加氢站", "制氢项目")
    response = admin.post(
        "/api/uploads/replace",
        data={"name": "h2.txt", "file": (io.BytesIO(changed.encode()), "h2-v2.txt")},
        headers=headers,
    )
    assert response.status_code == 200
    wrong = admin.post(
        "/api/uploads/replace", data={"name": "h2.txt", "file": (io.BytesIO(b"x"), "h2.pdf")}, headers=headers
    )
    assert wrong.status_code == 400 and "格式相同" in wrong.get_json()["message"]
    site.wait()
    assert admin.get("/api/search?q=制氢项目").get_json()["total"] >= 1
    upload = admin.get("/api/status").get_json()["uploads"][0]
    assert upload["document"]["id"] == doc_id  # same file, same id
    response = admin.post("/api/uploads/remove", json={"name": "h2.txt"}, headers=headers)
    assert response.status_code == 200
    trash = site.documents / "uploads" / ".trash" / response.get_json()["trash"]
    assert trash.read_text(encoding="utf-8") == changed
    assert len(list((site.documents / "uploads" / ".trash").iterdir())) == 2  # both versions kept
    site.wait()
    assert admin.get(f"/api/documents/{doc_id}").status_code == 404
    assert admin.get("/api/status").get_json()["uploads"] == []
    assert admin.post("/api/uploads/remove", json={"name": "h2.txt"}, headers=headers).status_code == 400


# ---------------------------------------------------------------------------------------------- curation


def test_curation_json_flow_pending_then_live(site: Site) -> None:
    editor = site.client("editor")
    headers = {"X-CSRFToken": editor.csrf}
    assert PATENTS in [t["id"] for t in editor.get(f"/api/measures/{SIX}").get_json()["targets"]]
    response = editor.post(
        "/api/curation", json={"action": "reject_link", "measure": SIX, "target": PATENTS}, headers=headers
    )
    assert response.status_code == 201
    saved = response.get_json()["decision"]
    assert (saved["user"], saved["status_label"], saved["target_indicator"]) == (
        "editor",
        "待生效",
        "发明专利申请量",
    )
    listed = editor.get("/api/curation").get_json()
    assert listed["decisions"][0]["status"] in ("pending", "live")
    site.wait()
    listed = editor.get("/api/curation").get_json()
    entry = listed["decisions"][0]
    assert (entry["status"], entry["user"], entry["action"]) == ("live", "editor", "reject_link")
    assert entry["time"][:4].isdigit()
    assert PATENTS not in [t["id"] for t in editor.get(f"/api/measures/{SIX}").get_json()["targets"]]
    assert SIX not in [m["id"] for m in editor.get(f"/api/targets/{PATENTS}").get_json()["measures"]]
    # The other decisions, one build for all of them.
    for body in (
        {"action": "add_link", "measure": SIX, "target": PLATFORMS},
        {"action": "not_target", "target": f"{DOC}.t3.6-1"},
        {"action": "set_categories", "measure": NINE, "categories": ["科技金融", "科技体制改革"]},
    ):
        assert editor.post("/api/curation", json=body, headers=headers).status_code == 201
    site.wait()
    assert site.ws.queue.runs <= 3
    six = editor.get(f"/api/measures/{SIX}").get_json()
    assert [t["id"] for t in six["targets"]] == [PLATFORMS]
    assert editor.get(f"/api/targets/{DOC}.t3.6-1").status_code == 404
    assert editor.get(f"/api/measures/{NINE}").get_json()["measure"]["categories"] == [
        "科技金融",
        "科技体制改革",
    ]
    counts = editor.get("/api/curation").get_json()["counts"]
    assert counts == {"total": 4, "pending": 0, "live": 4, "superseded": 0, "stale": 0, "undone": 0}
    page = editor.get("/workspace/curation").get_data(as_text=True)
    assert "否决关联" in page and "已生效" in page and "editor" in page


def test_curation_refuses_bad_decisions(quick_site: Site) -> None:
    site = quick_site
    editor = site.client("editor")
    headers = {"X-CSRFToken": editor.csrf}
    cases = [
        ({"action": "drop_table"}, 400, "未知的操作"),
        ({"action": "reject_link", "measure": SIX}, 400, "缺少目标"),
        ({"action": "reject_link", "measure": f"{DOC}.m9.9", "target": PATENTS}, 404, "没有编号为"),
        ({"action": "confirm_link", "measure": NINE, "target": PATENTS}, 400, "尚未关联"),
        ({"action": "add_link", "measure": SIX, "target": PATENTS}, 400, "已存在"),
        ({"action": "set_categories", "measure": SIX, "categories": ["不存在的类别"]}, 400, "未知的类别"),
    ]
    for body, code, message in cases:
        response = editor.post("/api/curation", json=body, headers=headers)
        assert response.status_code == code, body
        assert message in response.get_json()["message"], body
    response = editor.post(
        "/api/curation", data="[1]", headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert not (site.documents / "curation.jsonl").exists()


def test_curation_html_form_returns_to_the_page_with_a_notice(quick_site: Site) -> None:
    site = quick_site
    editor = site.client("editor")
    page = f"/targets/{PATENTS}"
    html = editor.get(page).get_data(as_text=True)
    assert 'data-action="reject_link"' in html and 'data-action="set_kind" data-kind="none"' in html
    form = {
        "csrf_token": editor.csrf,
        "action": "reject_link",
        "measure": SIX,
        "target": PATENTS,
        "next": page,
    }
    response = editor.post("/curation", data=form)
    assert response.status_code == 302 and response.headers["Location"] == page
    html = editor.get(page).get_data(as_text=True)
    assert "待生效" in html and "已记录" in html
    # An outside "next" is never followed.
    form["next"] = "https://evil.example/"
    response = editor.post("/curation", data={**form, "action": "not_target"})
    assert response.headers["Location"] == "/workspace/curation"
    site.wait()
    assert [d.action for d in site.decisions()] == ["reject_link", "not_target"]


def test_stale_decisions_are_listed_not_dropped(quick_site: Site) -> None:
    site = quick_site
    editor = site.client("editor")
    headers = {"X-CSRFToken": editor.csrf}
    editor.post("/api/upload", data={"file": (io.BytesIO(NEW_DOC.encode()), "h2.txt")}, headers=headers)
    site.wait()
    doc_id = editor.get("/api/status").get_json()["uploads"][0]["document"]["id"]
    second = f"{doc_id}.m2.2"
    body = {"action": "set_categories", "measure": second, "categories": ["科技金融"]}
    assert editor.post("/api/curation", json=body, headers=headers).status_code == 201
    site.wait()
    shortened = NEW_DOC.split("（二）")[0]
    admin = site.client("admin")
    admin.post(
        "/api/uploads/replace",
        data={"name": "h2.txt", "file": (io.BytesIO(shortened.encode()), "h2.txt")},
        headers={"X-CSRFToken": admin.csrf},
    )
    site.wait()
    entry = editor.get("/api/curation").get_json()["decisions"][0]
    assert (entry["status"], entry["status_label"]) == ("stale", "已失效")
    assert entry["reason"].startswith("原文中已找不到“（二）培育氢能企业")  # the anchor's words, not an id
    assert len(site.decisions()) == 1


def test_build_queue_runs_one_build_at_a_time_and_coalesces(tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    shutil.copy(SEED, documents / SEED.name)
    queue = BuildQueue([documents], tmp_path / "index", tmp_path)
    started = time.monotonic()
    for _ in range(5):
        queue.request()
    assert queue.wait_idle(120)
    assert 1 <= queue.runs <= 2 and queue.last_exit == 0
    (documents / "new.txt").write_text(NEW_DOC, encoding="utf-8")
    queue.request()
    assert queue.wait_idle(120)
    assert queue.runs <= 3
    status = json.loads((tmp_path / "index" / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "idle" and status["report"]["added"] == 1
    assert time.monotonic() - started < 120


# ---------------------------------------------------------------------------------------------- sessions, sign-in limit, log


def test_logout_ends_the_session_on_the_server(quick_site: Site) -> None:
    """A cookie copied before logout is worth nothing after it: reads and writes alike."""
    site = quick_site
    client = site.client("editor")
    stolen = site.app.test_client()
    cookie = client.get_cookie("policykb_session")
    assert cookie is not None
    stolen.set_cookie("policykb_session", cookie.value)
    assert stolen.get("/api/status").status_code == 200  # the copy works while the session is open
    token = client.csrf  # type: ignore[attr-defined]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert stolen.get("/api/status").status_code == 401
    decision = {"action": "reject_link", "measure": SIX, "target": PATENTS}
    assert stolen.post("/api/curation", json=decision, headers={"X-CSRFToken": token}).status_code in (
        401,
        403,
    )
    assert not (site.documents / "curation.jsonl").exists()


def test_one_sign_in_limit_for_every_route_that_survives_a_restart(quick_site: Site, tmp_path: Path) -> None:
    site = quick_site
    form = site.client(address="10.9.0.1")
    api = site.client(address="10.9.0.1")
    csrf = api.get("/api/login").get_json()["csrf_token"]
    for _ in range(5):
        token = _token(form.get("/login").get_data(as_text=True))
        assert (
            form.post(
                "/login", data={"username": "x", "password": "wrong pass", "csrf_token": token}
            ).status_code
            == 401
        )
        bad = api.post(
            "/api/login", json={"username": "x", "password": "wrong"}, headers={"X-CSRFToken": csrf}
        )
        assert bad.status_code == 401
    refused = api.post(
        "/api/login", json={"username": "admin", "password": "admin pass 1"}, headers={"X-CSRFToken": csrf}
    )
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    # The limit lives in the instance folder: a restarted server (a new app) still refuses.
    from web import create_app

    again = create_app(
        {
            "INDEX_DIR": str(site.index),
            "DOCUMENTS": [str(site.documents)],
            "INSTANCE_DIR": str(site.instance),
            "TESTING": True,
            "BUILD_IN_BACKGROUND": False,
        }
    ).test_client()
    again.environ_base["REMOTE_ADDR"] = "10.9.0.1"
    csrf = again.get("/api/login").get_json()["csrf_token"]
    response = again.post(
        "/api/login", json={"username": "admin", "password": "admin pass 1"}, headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 429


def test_parallel_sign_ins_evaluate_at_most_the_limit(quick_site: Site) -> None:
    import threading

    from web.workspace.guard import Guard

    site = quick_site
    codes: list[int] = []

    def attempt() -> None:
        client = site.client(address="10.8.0.1")
        csrf = client.get("/api/login").get_json()["csrf_token"]
        response = client.post(
            "/api/login", json={"username": "editor", "password": "wrong pass"}, headers={"X-CSRFToken": csrf}
        )
        codes.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(codes)) == [401, 429]
    events = Guard(site.instance).events()
    assert sum(e["event"] == "sign_in_failed" for e in events) == codes.count(401) <= 10
    assert sum(e["event"] == "sign_in_refused" for e in events) == codes.count(429) >= 14


def test_signed_in_pages_are_never_cached(quick_site: Site) -> None:
    site = quick_site
    anonymous = site.app.test_client()
    assert "no-store" not in anonymous.get(f"/measures/{SIX}").headers.get("Cache-Control", "")
    client = site.client("editor")
    for url in ("/workspace", "/api/status", "/upload", f"/measures/{SIX}", "/", "/api/search?q=科技"):
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url
    assert anonymous.get("/login").headers.get("Cache-Control") == "no-store"  # it carries a CSRF token


def test_the_security_log_records_sign_ins_with_the_servers_clock_for_admins_only(quick_site: Site) -> None:
    site = quick_site
    site.client("editor")
    bad = site.client(address="10.7.0.1")
    token = _token(bad.get("/login").get_data(as_text=True))
    bad.post("/login", data={"username": "editor", "password": "wrong pass", "csrf_token": token})
    admin = site.client("admin")
    assert admin.post("/logout", data={"csrf_token": admin.csrf}).status_code == 302  # type: ignore[attr-defined]
    admin = site.client("admin")
    events = admin.get("/api/workspace/security").get_json()["events"]
    kinds = [(e["event"], e["user"]) for e in events]
    assert (
        ("sign_in", "editor") in kinds
        and ("sign_in_failed", "editor") in kinds
        and ("sign_out", "admin") in kinds
    )
    failed = next(e for e in events if e["event"] == "sign_in_failed")
    assert failed["address"] == "10.7.0.1" and failed["time"][:4].isdigit()
    assert "安全日志" in admin.get("/workspace/security").get_data(as_text=True)
    assert site.client("editor").get("/api/workspace/security").status_code == 403


def test_next_with_a_line_break_and_host_headers_never_redirect_elsewhere(quick_site: Site) -> None:
    site = quick_site
    client = site.client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "username": "editor",
            "password": "editor pass 1",
            "csrf_token": token,
            "next": "/x\r\nSet-Cookie: a=b",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/workspace"
    evil = site.app.test_client()
    for path in ("/api", "/api/", "/documents//000_3ccc218f3f77786b", "/static//style.css", "/search/"):
        response = evil.get(path, headers={"Host": "evil.example"})
        assert "evil.example" not in response.headers.get("Location", ""), path
        assert response.status_code < 500, path


def test_a_full_disk_under_uploads_is_said_plainly_and_leaves_nothing_behind(
    quick_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno as errno_

    from web.workspace.uploads import UploadFolder

    site = quick_site
    client = site.client("editor")
    real_open = open

    def full_disk_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if ".incoming-" in str(file):
            raise OSError(errno_.ENOSPC, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk_open)
    response = client.post(
        "/api/upload",
        data={"file": (io.BytesIO(SEED.read_bytes()), "plan.txt")},
        headers={"X-CSRFToken": client.csrf},  # type: ignore[attr-defined]
        content_type="multipart/form-data",
    )
    monkeypatch.undo()
    assert response.status_code == 507 and "磁盘空间不足" in response.get_json()["message"]
    assert UploadFolder(site.documents, 2**20).files() == []  # no half-written upload is left
    assert not list((site.documents / "uploads").glob(".incoming-*"))
