"""Staff accounts: the users file in the instance folder, password hashing, the secret key, `policykb users`."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kb import cli
from web.workspace.accounts import UserError, UserStore, ensure_instance, secret_key, session_id

ROOT = Path(__file__).resolve().parent.parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_folder_is_private_and_the_key_is_made_once(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    ensure_instance(folder)
    assert _mode(folder) == 0o700
    key = secret_key(folder)
    assert len(key) == 64 and int(key, 16) >= 0
    assert _mode(folder / "secret_key") == 0o600
    assert secret_key(folder) == key  # kept across starts
    other = tmp_path / "other"
    assert secret_key(other) != key  # random per instance, nothing from the package


def test_add_authenticate_and_hash_is_scrypt(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "instance")
    user = store.add("Li", "correct horse", role="admin")
    assert (user.name, user.role, user.is_admin) == ("li", "admin", True)
    raw = json.loads((tmp_path / "instance" / "users.json").read_text(encoding="utf-8"))
    stored = raw["users"]["li"]["password"]
    assert stored.startswith("scrypt:") and "correct horse" not in stored
    assert _mode(tmp_path / "instance" / "users.json") == 0o600
    assert store.authenticate("li", "correct horse") == store.get("li")
    assert store.authenticate("LI", "correct horse") is not None  # names are case-folded
    assert store.authenticate("li", "wrong horse") is None
    assert store.authenticate("nobody", "correct horse") is None
    assert store.authenticate("li", "x" * 5000) is None


def test_names_passwords_and_roles_are_checked(tmp_path: Path) -> None:
    store = UserStore(tmp_path)
    store.add("王芳", "12345678")
    assert [u.name for u in store.list()] == ["王芳"]
    for name, password, role, message in [
        ("王芳", "12345678", "editor", "已存在"),
        ("a b", "12345678", "editor", "用户名"),
        ("x:y", "12345678", "editor", "用户名"),
        ("", "12345678", "editor", "用户名"),
        ("zhang", "short", "editor", "至少 8"),
        ("zhang", " padded password ", "editor", "空格"),
        ("zhang", "12345678", "root", "角色"),
    ]:
        with pytest.raises(UserError, match=message):
            store.add(name, password, role=role)
    with pytest.raises(UserError, match="没有用户"):
        store.remove("zhang")


def test_password_change_and_removal_end_sessions(tmp_path: Path) -> None:
    store = UserStore(tmp_path)
    user = store.add("li", "first password")
    sid = session_id(user)
    assert store.by_session(sid) == user
    store.set_password("li", "second password")
    assert store.by_session(sid) is None
    assert store.authenticate("li", "first password") is None
    fresh = store.get("li")
    assert fresh is not None and store.by_session(session_id(fresh)) == fresh
    store.remove("li")
    assert store.by_session(session_id(fresh)) is None
    assert store.by_session("garbage") is None and store.by_session("") is None


def test_malformed_users_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="用户文件无法读取"):
        UserStore(tmp_path).list()
    assert UserStore(tmp_path).authenticate("li", "whatever1") is None


# ---------------------------------------------------------------------------------------------- the command


def _run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_users_commands(tmp_path: Path, monkeypatch, capsys) -> None:
    inst = ["--instance", str(tmp_path / "inst")]
    code, out, _ = _run(
        monkeypatch, capsys, ["users", "add", "li", "--role", "admin", *inst], "s3cret pass\n"
    )
    assert code == 0 and "li" in out
    code, _, _ = _run(monkeypatch, capsys, ["users", "add", "wang", *inst], "another one\n")
    assert code == 0
    code, out, _ = _run(monkeypatch, capsys, ["users", "list", "--json", *inst])
    listed = json.loads(out)
    assert [(u["name"], u["role"]) for u in listed] == [("li", "admin"), ("wang", "editor")]
    assert "password" not in out and "scrypt" not in out
    code, _, err = _run(monkeypatch, capsys, ["users", "add", "zhao", *inst], "short\n")
    assert code == 1 and "至少 8" in err
    code, _, _ = _run(monkeypatch, capsys, ["users", "passwd", "wang", *inst], "changed pass\n")
    assert code == 0
    store = UserStore(tmp_path / "inst")
    assert store.authenticate("wang", "changed pass") is not None
    code, _, _ = _run(monkeypatch, capsys, ["users", "role", "wang", "admin", *inst])
    assert code == 0 and store.get("wang").role == "admin"
    code, _, _ = _run(monkeypatch, capsys, ["users", "remove", "wang", *inst])
    assert code == 0 and store.get("wang") is None
    code, _, err = _run(monkeypatch, capsys, ["users", "remove", "wang", *inst])
    assert code == 1 and "没有用户" in err
    code, out, _ = _run(monkeypatch, capsys, ["users", "list", *inst])
    assert "li" in out and "admin" in out


def test_users_add_through_a_real_pipe_and_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "POLICYKB_INSTANCE": str(tmp_path / "inst")}
    result = subprocess.run(
        [sys.executable, "-m", "kb", "users", "add", "li"],
        input="from a pipe 1\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _mode(tmp_path / "inst") == 0o700
    assert UserStore(tmp_path / "inst").authenticate("li", "from a pipe 1") is not None
