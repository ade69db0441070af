"""Word 97–2003 ``.doc`` and WPS ``.wps`` documents, converted to .docx by LibreOffice.

Both are OLE compound files (WPS Office writes .wps in the Word 97 format); LibreOffice converts
them with ``soffice --headless --convert-to docx``, and the result is read by the .docx reader
(same title, label-line and 落款 rules). Each conversion runs in a fresh temporary folder (the
input is copied there, nothing is written next to the source file) with its own user profile
(``-env:UserInstallation``, so conversions may run in parallel), in its own process group, and
is killed after ``TIMEOUT`` seconds. Without LibreOffice the file is refused with
``MISSING_REASON``; everything else still builds.

A file that is really a .docx (a zip) is read directly; RTF and HTML/XML saved with a .doc
suffix are converted like Word files; anything else is refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from kb.model import RawDocument
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


def convert_to_docx(data: bytes, suffix: str, *, timeout: float | None = None) -> bytes:
    """Convert document bytes (a file of type ``suffix``) to .docx bytes with LibreOffice."""
    timeout = TIMEOUT if timeout is None else timeout
    soffice = find_soffice()
    if soffice is None:
        raise ReadError(MISSING_REASON)
    with tempfile.TemporaryDirectory(prefix="policykb-lo-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"
        source.write_bytes(data)
        out = work / "out"
        out.mkdir()
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
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=work,
                env=env,
                start_new_session=True,  # its own process group, killed as a whole on timeout
            )
        except OSError as exc:
            raise ReadError(f"无法启动 LibreOffice（{exc.strerror or exc}）") from None
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ReadError(f"LibreOffice 转换超时（超过 {timeout:g} 秒），已放弃此文件") from None
        result = out / "input.docx"
        if not result.is_file():
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            why = detail[-1] if detail else f"退出码 {process.returncode}"
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
