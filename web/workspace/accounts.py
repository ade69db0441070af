"""Staff accounts of the workspace, kept in the instance folder (never in the repository or the package).

``instance/users.json`` holds, per user name, the role (``editor`` or ``admin``), the password hash and when the
account was created and its password last changed. Passwords are hashed with scrypt (Werkzeug's
``generate_password_hash(method="scrypt")``: N=2^15, r=8, p=1, about 32 MiB and 50–100 ms per hash), so a stolen
file is slow to attack. The file is written atomically with mode 0600 under a lock (``users.lock``), so the
``policykb users`` command and a running site never see half a file.

The instance folder is created with mode 0700 (``ensure_instance``); it also holds the site's secret key
(``secret_key``, generated on first start by ``secret_key``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

log = logging.getLogger(__name__)

USERS_FILE = "users.json"
LOCK_FILE = "users.lock"
SECRET_FILE = "secret_key"
ROLES = ("editor", "admin")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
HASH_METHOD = "scrypt"
_NAME_RE = re.compile(r"[\w.@-]{1,32}")


@functools.cache
def _dummy_hash() -> str:
    """Checked when the user name is unknown, so an unknown name costs as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method=HASH_METHOD)


class UserError(ValueError):
    """A refused account operation; the message (Chinese, then English) says why."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created: str = ""
    changed: str = ""
    password_hash: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def session_stamp(self) -> str:
        """Changes whenever the password does: a session signed in under an old password stops working."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]

    def public(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "created": self.created, "changed": self.changed}


# ---------------------------------------------------------------------------------------------- instance


def ensure_instance(folder: Path) -> Path:
    """Create the instance folder with mode 0700 when missing; warn when an existing one is open to others."""
    folder = Path(folder)
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask
    elif folder.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("instance folder %s is readable by other users: chmod 700 it", folder)
    return folder


def write_private(path: Path, data: bytes) -> None:
    """``data`` to ``path`` atomically (a fresh temporary file beside it, fsync, rename), readable by its owner
    only: the accounts file and the saved searches of the instance folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def secret_key(folder: Path) -> str:
    """The site's secret key from ``folder/secret_key``, generated (256 random bits) on first use."""
    folder = ensure_instance(folder)
    path = folder / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
        raise UserError(
            f"密钥文件内容过短，请删除后重启：{path} secret key file too short: remove it"
        ) from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


# ---------------------------------------------------------------------------------------------- validation


def normalize_name(name: str) -> str:
    """The stored form of a user name: NFKC, stripped, lower-case (Latin letters)."""
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def check_name(name: str) -> str:
    """A valid user name in its stored form, or ``UserError``."""
    value = normalize_name(name)
    if not _NAME_RE.fullmatch(value):
        raise UserError(
            "用户名须为 1–32 个字母、数字、汉字或 . _ - @ 字符。"
            " A user name is 1-32 letters, digits, Chinese characters or . _ - @."
        )
    return value


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(
            f"密码至少 {MIN_PASSWORD} 个字符。 A password needs at least {MIN_PASSWORD} characters."
        )
    if len(password) > MAX_PASSWORD:
        raise UserError(f"密码过长（上限 {MAX_PASSWORD} 个字符）。 Password too long.")
    if password.strip() != password:
        raise UserError("密码首尾不能是空格。 A password cannot start or end with spaces.")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"角色只能是 {' 或 '.join(ROLES)}。 Role must be one of {', '.join(ROLES)}.")
    return role


# ---------------------------------------------------------------------------------------------- the store


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class UserStore:
    """The accounts in ``folder/users.json``. Every call rereads the file (it is small), so the command line and
    a running site see each other's changes at once."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / USERS_FILE

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        ensure_instance(self.folder)
        fd = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise UserError(f"用户文件无法读取：{self.path} ({exc}) cannot read the users file") from None
        users = data.get("users") if isinstance(data, dict) else None
        if not isinstance(users, dict):
            raise UserError(f"用户文件格式不正确：{self.path} malformed users file")
        return users

    def _write(self, users: dict[str, dict[str, Any]]) -> None:
        payload = json.dumps({"version": 1, "users": users}, ensure_ascii=False, indent=2, sort_keys=True)
        write_private(self.path, payload.encode("utf-8") + b"\n")

    @staticmethod
    def _user(name: str, entry: dict[str, Any]) -> User:
        return User(
            name=name,
            role=str(entry.get("role", "editor")),
            created=str(entry.get("created", "")),
            changed=str(entry.get("changed", "")),
            password_hash=str(entry.get("password", "")),
        )

    def list(self) -> list[User]:
        return [self._user(name, entry) for name, entry in sorted(self._read().items())]

    def get(self, name: str) -> User | None:
        key = normalize_name(name)
        entry = self._read().get(key)
        return None if entry is None else self._user(key, entry)

    def add(self, name: str, password: str, role: str = "editor") -> User:
        key = check_name(name)
        check_password(password)
        check_role(role)
        with self._locked():
            users = self._read()
            if key in users:
                raise UserError(f"用户 {key} 已存在。 User {key} exists.")
            now = _now()
            users[key] = {
                "role": role,
                "password": generate_password_hash(password, method=HASH_METHOD),
                "created": now,
                "changed": now,
            }
            self._write(users)
            return self._user(key, users[key])

    def remove(self, name: str) -> None:
        key = normalize_name(name)
        with self._locked():
            users = self._read()
            if key not in users:
                raise UserError(f"没有用户 {key}。 No user {key}.")
            del users[key]
            self._write(users)

    def set_password(self, name: str, password: str) -> User:
        key = normalize_name(name)
        check_password(password)
        with self._locked():
            users = self._read()
            if key not in users:
                raise UserError(f"没有用户 {key}。 No user {key}.")
            users[key]["password"] = generate_password_hash(password, method=HASH_METHOD)
            users[key]["changed"] = _now()
            self._write(users)
            return self._user(key, users[key])

    def set_role(self, name: str, role: str) -> User:
        key = normalize_name(name)
        check_role(role)
        with self._locked():
            users = self._read()
            if key not in users:
                raise UserError(f"没有用户 {key}。 No user {key}.")
            users[key]["role"] = role
            self._write(users)
            return self._user(key, users[key])

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None; an unknown name takes as long as a wrong password."""
        try:
            user = self.get(name)
        except UserError:
            user = None
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            return None
        if user is None or not user.password_hash:
            check_password_hash(_dummy_hash(), password)
            return None
        return user if check_password_hash(user.password_hash, password) else None

    def by_session(self, session_id: str) -> User | None:
        """The user of a session id made by ``session_id`` (None when removed or the password changed)."""
        name, _, stamp = (session_id or "").rpartition(":")
        user = self.get(name) if name else None
        if user is None or not hmac.compare_digest(user.session_stamp, stamp):
            return None
        return user


def session_id(user: User) -> str:
    """What the session cookie remembers of a user: the name and a stamp of the current password hash."""
    return f"{user.name}:{user.session_stamp}"
