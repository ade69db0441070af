"""OFD documents (GB/T 33190-2016, 国家版式文档): a zip of XML parts.

``OFD.xml`` names the document root (``DocBody/DocRoot``, e.g. ``Doc_0/Document.xml``); its
``Pages/Page`` list gives the page order and each page's ``Content.xml``. On a page every
``TextObject`` (``Boundary="x y w h"`` in mm, ``Size``) holds ``TextCode`` elements with the text,
its ``X``/``Y`` (baseline, relative to the boundary; inherited from the previous code when absent)
and ``DeltaX``/``DeltaY`` (advances between characters, ``g N d`` repeating ``d`` N times, expanded
no further than the characters they place), mapped by the object's ``CTM`` when it has one
(converters often write points scaled by 0.3528). Every glyph is placed on the page; lines are built
from glyph positions across objects and fonts (``kb.readers.layout``), with document order where
positions tie; a run of glyphs a converter put at one point of one Boundary (one object per glyph,
``X="0"``) is spread across that Boundary (``_spread_ties``). Templates, annotations (seals,
signatures) and images are not text of the document and are skipped. Lines, page numbers, running
headers, paragraphs, front matter and the 落款 are worked out by ``kb.readers.layout``, as for PDF.

Untrusted input: the zip's declared sizes are checked before anything is inflated
(``kb.readers.archive``), every part is read with a size cap, XML is parsed with defusedxml (a DTD
or entity declaration is refused), paths may not leave the package, and there are caps on pages
and on characters (counted before each glyph is placed, so no per-glyph structure outgrows them).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from kb.model import RawDocument
from kb.readers import limits
from kb.readers.archive import open_zip, read_member
from kb.readers.encoding import ReadError, check_size
from kb.readers.layout import Chunk, Page, assemble
from kb.readers.text import clean_meta, is_default_title, looks_like_title

WHAT = ".ofd"
MAX_PAGES = 2000
MAX_PART_BYTES = 20 * 1024 * 1024  # one XML part
_A4 = (210.0, 297.0)
_NUMBER_RE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, name: str):
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element, name: str) -> list:
    return [c for c in element if _local(c.tag) == name]


def _floats(value: str | None) -> list[float]:
    return [float(v) for v in _NUMBER_RE.findall(value or "")]


def _parse_xml(archive: zipfile.ZipFile, name: str):
    try:
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import ParseError, fromstring
    except ImportError:  # pragma: no cover - dependency is declared
        raise ReadError("需要安装 defusedxml 才能读取 .ofd") from None
    data = read_member(archive, name, WHAT, MAX_PART_BYTES)
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ReadError(f"拒绝读取 .ofd：{name} 含有 XML DTD/实体声明") from None
    except ParseError as exc:
        raise ReadError(f"不是有效的 .ofd 文件（{name} 不是格式正确的 XML：{exc}）") from None


def _resolve(base_dir: str, loc: str, names: set[str]) -> str:
    """A BaseLoc (relative to ``base_dir``, or absolute from the package root) -> the zip entry name."""
    loc = (loc or "").strip().replace("\\", "/")
    if not loc:
        raise ReadError("不是有效的 .ofd 文件（缺少文件路径 BaseLoc）")
    path = posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc))
    if path.startswith("../") or path == "..":
        raise ReadError(f"不是有效的 .ofd 文件（路径 {loc} 超出文件包）")
    if path in names:
        return path
    folded = {name.lower(): name for name in names}
    if path.lower() in folded:  # producers disagree on case (Doc_0 / doc_0)
        return folded[path.lower()]
    raise ReadError(f"不是有效的 .ofd 文件（缺少部件 {path}）")


def _deltas(value: str | None, limit: int) -> list[float]:
    """DeltaX/DeltaY: "1 2 g 3 5.2" -> [1, 2, 5.2, 5.2, 5.2], never more than ``limit`` values.

    A TextCode of n characters uses n - 1 advances: the rest is never read, so it is never expanded
    (a "g 1000000000 1" group, or a million groups, costs nothing: issue 29).
    """
    out: list[float] = []
    tokens = (value or "").split()
    i = 0
    while i < len(tokens) and len(out) < limit:
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                count, step = float(tokens[i + 1]), float(tokens[i + 2])
            except ValueError:
                break
            if count != count or step != step:  # NaN
                break
            out.extend([step] * int(max(0.0, min(count, limit - len(out)))))
            i += 3
            continue
        try:
            out.append(float(tokens[i]))
        except ValueError:
            break
        i += 1
    return out


@dataclass
class _Glyph:
    chunk: Chunk
    box: tuple[float, ...]  # the Boundary of the object it came from


def _text_glyphs(text_object, order: int, budget: int) -> list[_Glyph]:
    """The object's characters placed on the page (mm from the top-left corner), in document order.

    A TextCode's X/Y (the first character's origin, on the baseline; inherited from the previous TextCode
    when absent) and its DeltaX/DeltaY (advances to each next character; without DeltaX the font size, half
    for ASCII, or none when only DeltaY is given: vertical text) are in the object's own space: the
    ``CTM`` (``a b c d e f``, default identity) maps them, then the ``Boundary`` origin offsets them.
    ``order`` numbers the first glyph; ``budget`` is how many characters the file may still have.
    """
    boundary = _floats(text_object.get("Boundary"))
    bx, by = (boundary[0], boundary[1]) if len(boundary) >= 2 else (0.0, 0.0)
    box = tuple(boundary[:4]) if len(boundary) >= 4 else ()
    ctm = _floats(text_object.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    scale = abs(a * d - b * c) ** 0.5 or 1.0
    size = (_floats(text_object.get("Size")) or [3.5])[0] or 3.5
    glyphs: list[_Glyph] = []
    x = y = 0.0
    for code in text_object.iter():
        if _local(code.tag) != "TextCode":
            continue
        text = code.text or ""
        if not text:
            continue
        if len(glyphs) + len(text) > budget:
            limits.check_chars(limits.MAX_CHARS + 1, "OFD ")
        if code.get("X") is not None:
            x = (_floats(code.get("X")) or [x])[0]
        if code.get("Y") is not None:
            y = (_floats(code.get("Y")) or [y])[0]
        dx = _deltas(code.get("DeltaX"), len(text) - 1)
        dy = _deltas(code.get("DeltaY"), len(text) - 1)
        vertical = code.get("DeltaY") is not None and code.get("DeltaX") is None
        for i, ch in enumerate(text):
            width = size / 2 if ch.isascii() else size
            left = bx + a * x + c * y + e
            baseline = by + b * x + d * y + f
            chunk = Chunk(ch, left, left + width * scale, baseline, size * scale, order=order + len(glyphs))
            glyphs.append(_Glyph(chunk, box))
            x += dx[i] if i < len(dx) else (0.0 if vertical else width)
            y += dy[i] if i < len(dy) else 0.0
    return glyphs


_TIE = 1e-3  # mm: glyphs closer than this stand at the same place


def _spread_ties(glyphs: list[_Glyph]) -> list[Chunk]:
    """Glyphs in document order, with runs that tie spread over their common Boundary.

    A converter that writes one object per glyph, each with its line's whole Boundary and ``X="0"``, puts
    every glyph of the line at one x (digits of another font, smaller, a little higher): the order of the
    file is the only order there is, and the Boundary the only extent. Such a run (two or more consecutive
    glyphs of the same Boundary at the same x, their baselines within half a size) is laid out left to
    right across the Boundary's width, each glyph in proportion to its nominal advance, so lines keep their
    true extent (full lines, centred titles).
    """
    chunks: list[Chunk] = []
    i = 0
    while i < len(glyphs):
        j = i + 1
        first = glyphs[i]
        while (
            j < len(glyphs)
            and glyphs[j].box == first.box
            and abs(glyphs[j].chunk.x0 - first.chunk.x0) <= _TIE
            and abs(glyphs[j].chunk.baseline - first.chunk.baseline) <= 0.5 * first.chunk.size
        ):
            j += 1
        run = [g.chunk for g in glyphs[i:j]]
        box = first.box
        if len(run) > 1 and len(box) == 4 and box[2] > 0:
            nominal = [c.x1 - c.x0 for c in run]
            total = sum(nominal) or 1.0
            x = box[0]
            for chunk, width in zip(run, nominal, strict=True):
                step = box[2] * width / total
                chunk.x0, chunk.x1 = x, x + min(width, step)
                x += step
        chunks.extend(run)
        i = j
    return chunks


def _page(archive: zipfile.ZipFile, content_name: str, default_box: tuple[float, float], budget: int) -> Page:
    root = _parse_xml(archive, content_name)
    width, height = default_box
    area = _child(root, "Area")
    physical = _child(area, "PhysicalBox") if area is not None else None
    box = _floats(physical.text) if physical is not None else []
    if len(box) == 4:
        width, height = box[2], box[3]
    page = Page(width=width, height=height)
    content = _child(root, "Content")
    if content is None:
        return page
    glyphs: list[_Glyph] = []
    for element in content.iter():
        if _local(element.tag) == "TextObject":
            glyphs.extend(_text_glyphs(element, len(glyphs), budget - len(glyphs)))
    page.chunks = _spread_ties(glyphs)
    return page


def parse_ofd(data: bytes) -> tuple[dict[str, str], str, set[str]]:
    """Read OFD bytes into (meta, body, inferred keys)."""
    archive = open_zip(data, WHAT)
    names = {info.filename for info in archive.infolist() if not info.is_dir()}
    if "OFD.xml" not in names:
        raise ReadError("不是有效的 .ofd 文件（缺少 OFD.xml）")
    root = _parse_xml(archive, "OFD.xml")
    body = _child(root, "DocBody")
    doc_root = _child(body, "DocRoot") if body is not None else None
    if doc_root is None or not (doc_root.text or "").strip():
        raise ReadError("不是有效的 .ofd 文件（OFD.xml 没有 DocRoot）")
    info = _child(body, "DocInfo")
    info_title = ""
    if info is not None and _child(info, "Title") is not None:
        info_title = (_child(info, "Title").text or "").strip()
    document_name = _resolve("", doc_root.text, names)
    document = _parse_xml(archive, document_name)
    doc_dir = posixpath.dirname(document_name)
    default_box = _A4
    common = _child(document, "CommonData")
    area = _child(common, "PageArea") if common is not None else None
    physical = _child(area, "PhysicalBox") if area is not None else None
    if physical is not None and len(_floats(physical.text)) == 4:
        default_box = (_floats(physical.text)[2], _floats(physical.text)[3])
    pages_element = _child(document, "Pages")
    page_refs = _children(pages_element, "Page") if pages_element is not None else []
    if not page_refs:
        raise ReadError("不是有效的 .ofd 文件（Document.xml 没有页面）")
    if len(page_refs) > MAX_PAGES:
        raise ReadError(f"OFD 页数过多：{len(page_refs)} 页（上限 {MAX_PAGES} 页）")
    pages: list[Page] = []
    total = 0
    for ref in page_refs:
        page = _page(
            archive, _resolve(doc_dir, ref.get("BaseLoc", ""), names), default_box, limits.MAX_CHARS - total
        )
        total += len(page.chunks)
        pages.append(page)
    if not any(c.text.strip() for page in pages for c in page.chunks):
        raise ReadError("OFD 没有文字层（可能是扫描件，只有图像）")
    meta, text = assemble(pages)
    inferred: set[str] = set()
    if not meta.get("title"):
        first = next((line for line in text.split("\n") if line.strip()), "")
        if info_title and looks_like_title(info_title) and not is_default_title(info_title):
            meta["title"] = info_title
        elif looks_like_title(first):
            meta["title"] = first.strip()
            inferred.add("title")
    return meta, text, inferred


def read_ofd(data: bytes) -> tuple[RawDocument, set[str]]:
    """Read an .ofd file's bytes; the second item names meta keys that are guesses."""
    check_size(len(data))
    try:
        meta, body, inferred = parse_ofd(data)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("OFD 文件过大，内存不足") from None
    except Exception as exc:  # a malformed package must cost this file only
        raise ReadError(f"不是有效的 .ofd 文件（{type(exc).__name__}: {exc}）") from None
    return RawDocument(text=body, meta=clean_meta(meta), format="ofd", encoding="utf-8"), inferred
