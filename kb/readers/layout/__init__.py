"""Page layout shared by the PDF and OFD readers: positioned text in, a clean body and its metadata out.

A reader gives pages of ``Chunk``s (a PDF character, an OFD glyph, an OCR word) with their position
(x from the left edge, baseline y from the top edge, any unit as long as it is the same for sizes)
and their place in the file (``order``), and calls ``assemble(pages)``, which

1. groups chunks into lines by baseline and font size, never by a glyph's box (a thin glyph such as
   一 、 — · has a box a fraction of its neighbours' height, but its origin on their baseline), top
   to bottom, left to right, document order where positions tie; a page set in two columns (a
   gutter many lines share, ``find_gutter``; a short last page takes the other pages' columns) is
   read left column first, between the lines that run across both; Kangxi radicals and
   compatibility ideographs are folded (``kb.text.normalize.fold_compat_ideographs``);
2. drops page furniture: page numbers ("— 3 —", "- 3 -", "第3页 共6页", "3/6") among the first and
   last two lines of a page, and running headers/footers (the same line, digits aside, at the same
   height and size on at least half of the pages);
3. reads the front matter at the top of the first page into metadata: the 版头 ("XX文件"), the
   发文字号, labelled lines ("发布机构：…"), the title (the first centred line or lines, kept in the
   body as its first line, as on the page) and an agency-and-date line under it
   ("十堰市科学技术局　2019年7月8日");
4. rejoins lines broken by the page width: a line continues the previous one when that one reaches
   the right margin (of its column: where most long lines end) and does not end a sentence (or the document marks paragraphs by indenting
   their first line), and the line is not indented and does not start with an outline label
   (一、 （一） 1. （1） ① 第X条 附件; a dash is no label here: "2018—2020年" wraps before its dash,
   and a —— bullet starts indented or after a sentence end anyway);
5. reads the 落款 (issuing agency and 成文日期) at the end of the body, before any 附注/附件/版记,
   into metadata (``split_signature``, which the .docx reader uses too).

Text stays verbatim apart from the fold, the rejoining and the lines taken out.

**Modules.** ``model`` (``Chunk``, ``Line``, ``Page``), ``lines`` (step 1), ``columns`` (two columns), ``furniture``
(step 2), ``margins`` (the text area a line is judged against), ``front`` (step 3), ``paragraphs`` (step 4),
``signature`` (step 5), ``patterns`` (kinds of line); every public name is re-exported here.
"""

from __future__ import annotations

import statistics

from kb.readers.layout.columns import Columns, find_gutter, shared_columns
from kb.readers.layout.front import front_matter
from kb.readers.layout.furniture import drop_furniture
from kb.readers.layout.lines import baseline_groups, page_lines
from kb.readers.layout.margins import text_layout
from kb.readers.layout.model import Chunk, Line, Page
from kb.readers.layout.paragraphs import join_paragraphs
from kb.readers.layout.patterns import ends_sentence, is_page_number, label_line, starts_with_label
from kb.readers.layout.signature import agency_and_date, is_agency_line, is_date_line, split_signature

__all__ = [
    "Chunk",
    "Columns",
    "Line",
    "Page",
    "agency_and_date",
    "assemble",
    "baseline_groups",
    "ends_sentence",
    "find_gutter",
    "is_agency_line",
    "is_date_line",
    "is_page_number",
    "label_line",
    "page_lines",
    "shared_columns",
    "split_signature",
    "starts_with_label",
]


def assemble(pages: list[Page]) -> tuple[dict[str, str], str]:
    """Pages of positioned text -> (metadata, body text); see the module docstring."""
    grouped = [baseline_groups(page.chunks) for page in pages]
    per_page = [
        page_lines(page, n, groups=groups, columns=columns)
        for n, (page, groups, columns) in enumerate(zip(pages, grouped, shared_columns(grouped), strict=True))
    ]
    per_page = drop_furniture(per_page, [page.height for page in pages])
    lines = [line for page in per_page for line in page if line.text]
    if not lines:
        return {}, ""
    geo = text_layout(lines, statistics.median(page.width for page in pages))
    meta, title, start = front_matter(lines, geo)
    body_lines = lines[start:]
    body = title + (join_paragraphs(body_lines, geo) if body_lines else [])
    signature, body = split_signature(body)
    for key, value in signature.items():
        meta.setdefault(key, value)
    banner = meta.pop("_banner_agency", "")
    if banner:
        meta.setdefault("agency", banner)
    return meta, "\n".join(body)
