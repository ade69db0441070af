"""The front matter at the top of the first page: 版头, 发文字号, labelled lines, the title and an
agency-and-date line under it."""

from __future__ import annotations

from kb.readers.layout.margins import Layout
from kb.readers.layout.model import Line
from kb.readers.layout.patterns import ends_sentence, label_line
from kb.readers.layout.signature import agency_and_date
from kb.readers.text import TITLE_MAX_CHARS, looks_like_doc_number


def front_matter(lines: list[Line], geo: Layout) -> tuple[dict[str, str], list[str], int]:
    """Metadata from the top of the first page; returns (meta, title lines, index of the first body line)."""
    meta: dict[str, str] = {}
    banner_agency = ""
    title: list[Line] = []
    i = 0
    first_page = lines[0].page if lines else 0
    while i < len(lines) and lines[i].page == first_page and i < 15:
        line = lines[i]
        text = line.text.strip()
        labelled = label_line(text)
        if labelled:
            key, value = labelled
            if value and key not in meta:
                meta[key] = value
            i += 1
            continue
        if not title and looks_like_doc_number(text.split()[0] if text.split() else text):
            meta.setdefault("doc_number", text.split()[0])
            i += 1
            continue
        if not title and text.endswith("文件") and len(text) <= 40 and geo.centred(line):
            banner_agency = text[:-2].strip()  # 版头 (发文机关标志)
            i += 1
            continue
        if title:
            pair = agency_and_date(text) if geo.centred(line) or not geo.full(line) else None
            if pair:
                agency, date = pair
                if agency:
                    meta.setdefault("agency", agency)
                meta.setdefault("date", date)
                i += 1
                continue
            same_size = abs(line.size - title[0].size) <= 0.1 * title[0].size
            joined = len("".join(t.text for t in title)) + len(text)
            if geo.centred(line) and same_size and len(title) < 3 and joined < TITLE_MAX_CHARS + 20:
                title.append(line)
                i += 1
                continue
            break
        if geo.centred(line) and len(text) < TITLE_MAX_CHARS and not ends_sentence(text):
            title.append(line)
            i += 1
            continue
        break
    if title:
        meta.setdefault("title", "".join(line.text.strip() for line in title))
    if banner_agency:
        meta["_banner_agency"] = banner_agency
    return meta, [meta["title"]] if title else [], i
