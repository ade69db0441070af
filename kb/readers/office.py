"""Word 97–2003 ``.doc`` and WPS ``.wps`` documents, converted to .docx by LibreOffice.

Both are OLE compound files (WPS Office writes .wps in the Word 97 format); LibreOffice converts
them with ``soffice --headless --convert-to docx``, and the result is read by the .docx reader
(same title, label-line and 落款 rules). Each conversion runs in a fresh temporary folder (the
input is copied there, nothing is written next to the source file) with its own user profile
(``-env:UserInstallation``, so conversions may run in parallel) that runs no macros, loads no
remote image and sends every request to a proxy that is not there (``_PROFILE_SETTINGS``), in a
network namespace without interfaces (``kb.readers.sandbox``: a .doc that is really HTML with
``<img src=http://…>`` fetches nothing), in its own process group, killed with everything it
started after ``TIMEOUT`` seconds, when the build's alarm interrupts it, or when our process is
killed; its folder (and the copy of the document) is removed then, or by the next conversion
after a ``kill -9``. Without LibreOffice the file is refused with ``MISSING_REASON``; everything
else still builds.

A file that is really a .docx (a zip) is read directly; RTF and HTML/XML saved with a .doc
suffix are converted like Word files; anything else is refused.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kb.model import RawDocument
from kb.readers import sandbox
from kb.readers.docx import parse_docx
from kb.readers.encoding import MAX_BYTES, ReadError, check_size

TIMEOUT = 60.0  # seconds per conversion
MISSING_REASON = (
    "需要安装 LibreOffice 才能读取 .doc/.wps（Debian/Ubuntu：apt-get install libreoffice-writer-nogui）"
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), else None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kind(data: bytes) -> str:
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"<"):
        return "markup"
    return ""


# The profile every conversion starts from: no macros, no remote images, and every request sent to a proxy
# that is not there (0.0.0.0:9), so a document's <img src=http://…>, <link href=…> or linked file fetches
# nothing even where no network namespace can be made (issue 29). Values: officecfg main.xcd, LibreOffice 7.4.
_PROFILE_SETTINGS = (
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "2"),
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", ""),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "0.0.0.0"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "0.0.0.0"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyName", "0.0.0.0"),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyPort", "9"),
)


def write_profile(profile: Path) -> None:
    """A fresh LibreOffice user profile with ``_PROFILE_SETTINGS`` (registrymodifications.xcu)."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'
        for path, name, value in _PROFILE_SETTINGS
    )
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{items}</oor:items>\n",
        encoding="utf-8",
    )


def convert_to_docx(data: bytes, suffix: str, *, timeout: float | None = None) -> bytes:
    """Convert document bytes (a file of type ``suffix``) to .docx bytes with LibreOffice, offline."""
    timeout = TIMEOUT if timeout is None else timeout
    soffice = find_soffice()
    if soffice is None:
        raise ReadError(MISSING_REASON)
    with sandbox.work_dir("lo") as work:
        source = work / f"input{suffix}"
        source.write_bytes(data)
        out = work / "out"
        out.mkdir()
        write_profile(work / "profile")
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ]
        env = dict(os.environ, HOME=str(work))  # LibreOffice writes nothing into the real home
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
            env.pop(name, None)
        try:
            finished = sandbox.run(command, timeout=timeout, cwd=work, env=env, network=False)
        except sandbox.HelperTimeout:
            raise ReadError(f"LibreOffice 转换超时（超过 {timeout:g} 秒），已放弃此文件") from None
        except OSError as exc:
            raise ReadError(f"无法启动 LibreOffice（{exc.strerror or exc}）") from None
        result = out / "input.docx"
        if not result.is_file():
            detail = finished.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = [line for line in detail if "javaldx" not in line]
            why = detail[-1] if detail else f"退出码 {finished.returncode}"
            raise ReadError(f"LibreOffice 无法转换此文件（{why}）")
        if result.stat().st_size > MAX_BYTES:
            raise ReadError("LibreOffice 转换结果过大，已放弃此文件")
        return result.read_bytes()


def read_office(data: bytes, fmt: str) -> tuple[RawDocument, set[str]]:
    """Read .doc/.wps bytes (``fmt`` is "doc" or "wps") via LibreOffice and the .docx reader."""
    check_size(len(data))
    kind = _kind(data)
    if not kind:
        raise ReadError(f"不是有效的 .{fmt} 文件（不是 Word 97–2003/WPS 文档）")
    docx_bytes = data if kind == "zip" else convert_to_docx(data, f".{fmt}")
    meta, body, inferred = parse_docx(docx_bytes)
    return RawDocument(text=body, meta=meta, format=fmt, encoding="utf-8"), inferred


def read_doc(data: bytes) -> tuple[RawDocument, set[str]]:
    return read_office(data, "doc")


def read_wps(data: bytes) -> tuple[RawDocument, set[str]]:
    return read_office(data, "wps")
