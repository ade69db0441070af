"""Markdown documents: YAML front matter, or the LawRefBook layout.

Front matter (``---`` ... ``---`` or ``...``) keys: title/标题, agency/发布机构/发文机关,
date/发文日期/成文日期, doc_number/文号/发文字号, index_no/索引号, category/主题分类, url.
Malformed front matter raises ``ReadError``.

LawRefBook layout::

    # 标题
    <blank>
    2011年11月17日 上海市第十三届人民代表大会常务委员会第三十次会议通过
    2020年5月14日 上海市第十五届人民代表大会常务委员会第二十一次会议…第一次修正
    <!-- INFO END -->
    ## 第一章  总则
    ...

The title comes from the ``# `` line; the body is everything after the marker,
verbatim, Markdown heading markers included (the outline parser reads
"## 第一章"). Date, agency and 文号 are *inferred* from the history lines (a
manifest may override them): date = the last dated line that is not an
effective-date (施行/实施/生效) line, agency = the body named in the first line
with its session numbers removed, 文号 = "…令第N号" or "X发〔YYYY〕N号" found in the lines.
The lines themselves are kept as ``history`` (``kb.extract.validity`` reads a status from them);
a front matter ``status``/``时效性`` is the document's stated status.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re

import yaml

from kb.model import RawDocument
from kb.readers.encoding import ReadError, decode, normalise_newlines, trim_blank_lines
from kb.readers.text import ENGLISH_KEYS, clean_meta, label_key
from kb.text.dates import LEADING_DATE_RE

INFO_END = "<!-- INFO END -->"
_FENCE_END = ("---", "...")
_EFFECTIVE_RE = re.compile(r"(施行|实施|生效)[）)]?\s*$")
_NUM = r"[0-9一二三四五六七八九十百零〇]+"
_AGENCY_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"第{_NUM}届全国人民代表大会常务委员会"), "全国人民代表大会常务委员会"),
    (re.compile(rf"第{_NUM}届全国人民代表大会"), "全国人民代表大会"),
    (re.compile(rf"([\u4e00-\u9fff]{{2,12}}?)第{_NUM}届人民代表大会常务委员会"), r"\1人民代表大会常务委员会"),
    (re.compile(rf"([\u4e00-\u9fff]{{2,12}}?)第{_NUM}届人民代表大会"), r"\1人民代表大会"),
    (re.compile(r"([\u4e00-\u9fff]{2,12}?)人民代表大会常务委员会"), r"\1人民代表大会常务委员会"),
)
_DOC_NUMBER_RES = (
    re.compile(r"((?:中华人民共和国)?[\u4e00-\u9fff]{1,12}令第[0-9一二三四五六七八九十百零〇]+号)"),
    re.compile(r"([\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号)"),
)


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, (list, tuple)):
        return "、".join(_scalar(v) for v in value if not isinstance(v, (dict, list, tuple)))
    if isinstance(value, dict):
        return ""
    return str(value)


def split_front_matter(text: str) -> tuple[dict[str, str] | None, str]:
    """(front matter meta or None, rest of the text); raise ReadError when it is malformed."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return None, text
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _FENCE_END), None)
    if end is None:
        raise ReadError("front matter not closed (no line '---' after the opening '---')")
    source = "\n".join(lines[1:end])
    try:
        data = yaml.safe_load(source) if source.strip() else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise ReadError(f"front matter is not valid YAML{where}: {exc.problem or exc}") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"front matter is not valid YAML: {reason}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ReadError(f"front matter must be a mapping of keys to values, not {type(data).__name__}")
    meta: dict[str, str] = {}
    for raw_key, value in data.items():
        key = str(raw_key).strip()
        target = ENGLISH_KEYS.get(key.lower()) or label_key(key)
        if target and not meta.get(target):
            meta[target] = _scalar(value)
    return meta, "\n".join(lines[end + 1 :])


def history_agency(line: str) -> str:
    """The issuing body named in a LawRefBook history line, session numbers removed."""
    text = LEADING_DATE_RE.sub("", line).strip()
    if "最高人民法院" in text and "最高人民检察院" in text:
        return "最高人民法院、最高人民检察院"
    for name in ("最高人民法院", "最高人民检察院", "国务院"):
        if text.startswith(name) or text.startswith("中华人民共和国" + name):
            return name
    for pattern, repl in _AGENCY_RULES:
        m = pattern.search(text)
        if m:
            return m.expand(repl)
    return ""


def parse_history(lines: list[str]) -> dict[str, str]:
    """Date, agency and 文号 inferred from LawRefBook history lines."""
    meta: dict[str, str] = {}
    dated = [(m, line) for line in lines if (m := LEADING_DATE_RE.match(line))]
    chosen = [(m, line) for m, line in dated if not _EFFECTIVE_RE.search(line)] or dated
    if chosen:
        m = chosen[-1][0]
        with contextlib.suppress(ValueError):
            meta["date"] = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    if lines:
        meta["agency"] = history_agency(lines[0])
    for line in lines:
        for pattern in _DOC_NUMBER_RES:
            found = pattern.search(line)
            if found:
                meta["doc_number"] = found.group(1)
                break
        if meta.get("doc_number"):
            break
    return meta


def _first_heading(text: str) -> str:
    for line in text.split("\n"):
        if line.startswith("# "):
            return line[2:].strip()
        if line.strip():
            return ""
    return ""


def parse_markdown(text: str) -> tuple[dict[str, str], str, set[str]]:
    """Split decoded Markdown into (meta, body, inferred keys)."""
    text = normalise_newlines(text)
    front, rest = split_front_matter(text)
    meta: dict[str, str] = dict(front or {})
    inferred: set[str] = set()
    lines = rest.split("\n")
    marker = next((i for i, line in enumerate(lines) if line.strip() == INFO_END), None)
    if marker is not None:
        head = lines[:marker]
        title_at = next((i for i, line in enumerate(head) if line.startswith("# ")), None)
        if title_at is not None and not meta.get("title"):
            meta["title"] = head[title_at][2:].strip()
        info_lines = head[title_at + 1 :] if title_at is not None else head
        info = [line.strip() for line in info_lines if line.strip()]
        for key, value in parse_history(info).items():
            if value and not meta.get(key):
                meta[key] = value
                inferred.add(key)
        if info and not meta.get("history"):
            meta["history"] = "\n".join(info)  # kept as written: kb.extract.validity reads it
        body = trim_blank_lines("\n".join(lines[marker + 1 :]))
    else:
        body = trim_blank_lines(rest)
        if not meta.get("title"):
            heading = _first_heading(body)
            if heading:
                meta["title"] = heading
    meta = clean_meta(meta)
    return meta, body, inferred & set(meta)


def read_markdown(data: bytes) -> tuple[RawDocument, set[str]]:
    """Read a .md/.markdown file's bytes; the second item names meta keys that are guesses."""
    text, encoding = decode(data)
    meta, body, inferred = parse_markdown(text)
    return RawDocument(text=body, meta=meta, format="md", encoding=encoding), inferred
