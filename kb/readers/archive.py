"""Zip containers from untrusted sources (.docx, .ofd): limits checked before anything is inflated.

``open_zip`` refuses, with a one-line reason, archives with too many entries, entries that inflate
past ``MAX_ENTRY_BYTES`` or ``MAX_RATIO`` times their compressed size, a total past
``MAX_TOTAL_BYTES`` (zip bombs), and encrypted entries. The sizes checked are the ones the
archive declares; ``read_member`` reads at most the limit, so an entry that lies about its size
still cannot inflate past it. ``refuse_xml_declarations`` refuses XML parts that carry a DTD or
entity declarations (billion laughs, external entities) before any XML parser sees them.
"""

from __future__ import annotations

import io
import zipfile

from kb.readers.encoding import ReadError, format_size

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 100 * 1024 * 1024  # all entries inflated
MAX_ENTRY_BYTES = 50 * 1024 * 1024  # one entry inflated
MAX_RATIO = 100  # inflated / compressed, for entries above RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1024 * 1024  # small parts (styles, settings) may compress better than 100:1

_XML_SUFFIXES = (".xml", ".rels")


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip archive after checking its declared sizes; ``what`` names the format."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError(f"不是有效的 {what} 文件（不是 zip 压缩包）")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError(f"不是有效的 {what} 文件（zip 压缩包已损坏：{exc}）") from None
    check_zip(archive, what)
    return archive


def check_zip(archive: zipfile.ZipFile, what: str) -> None:
    """Raise ``ReadError`` when the archive's declared sizes look like a zip bomb."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ReadError(f"拒绝读取 {what}：zip 压缩包有 {len(infos)} 个条目（上限 {MAX_ENTRIES}）")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ReadError(f"拒绝读取 {what}：zip 条目 {info.filename} 已加密")
        size = info.file_size
        if size > MAX_ENTRY_BYTES:
            raise ReadError(
                f"拒绝读取 {what}：zip 条目 {info.filename} 解压后 {format_size(size)}"
                f"（上限 {format_size(MAX_ENTRY_BYTES)}，疑似 zip 炸弹）"
            )
        if size > RATIO_MIN_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise ReadError(
                f"拒绝读取 {what}：zip 条目 {info.filename} 压缩比 {ratio}:1"
                f"（上限 {MAX_RATIO}:1，疑似 zip 炸弹）"
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise ReadError(
                f"拒绝读取 {what}：zip 压缩包解压后超过 {format_size(MAX_TOTAL_BYTES)}（疑似 zip 炸弹）"
            )


def read_member(archive: zipfile.ZipFile, name: str, what: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
    """The inflated bytes of one entry, never more than ``limit`` (whatever the entry declares)."""
    try:
        with archive.open(name) as handle:
            data = handle.read(limit + 1)
    except KeyError:
        raise ReadError(f"不是有效的 {what} 文件（缺少部件 {name}）") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
        raise ReadError(f"不是有效的 {what} 文件（zip 条目 {name} 已损坏：{exc}）") from None
    except Exception as exc:  # zlib.error and friends
        raise ReadError(f"不是有效的 {what} 文件（zip 条目 {name} 无法解压：{exc}）") from None
    if len(data) > limit:
        raise ReadError(f"拒绝读取 {what}：zip 条目 {name} 解压后超过 {format_size(limit)}（疑似 zip 炸弹）")
    return data


def has_xml_declarations(data: bytes) -> bool:
    """True when XML bytes declare a DTD or entities (in UTF-8 or UTF-16)."""
    probes = [data]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        for codec in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                probes.append(data.decode(codec).encode("utf-8"))
                break
            except UnicodeDecodeError:
                continue
    return any(b"<!DOCTYPE" in probe or b"<!ENTITY" in probe for probe in probes)


def refuse_xml_declarations(archive: zipfile.ZipFile, what: str) -> None:
    """Raise ``ReadError`` when an XML part of the archive declares a DTD or entities."""
    for info in archive.infolist():
        if info.filename.lower().endswith(_XML_SUFFIXES) and has_xml_declarations(
            read_member(archive, info.filename, what)
        ):
            raise ReadError(f"拒绝读取 {what}：{info.filename} 含有 XML DTD/实体声明")
