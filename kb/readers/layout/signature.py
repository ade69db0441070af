"""The 落款 (issuing agencies and 成文日期) at the end of a body, and an agency-and-date line under a title."""

from __future__ import annotations

import re

from kb.readers.layout.patterns import squash, starts_with_label
from kb.readers.text import parse_date
from kb.text.normalize import fold

_YMD_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


_CN_YMD_RE = re.compile(
    r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
)


_DATE_ONLY_RE = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2})$"
)


_AGENCY_END_RE = re.compile(
    r"(?:局|委|厅|部|办|院|会|府|室|处|所|署|站|司|社|联|团|校|馆|队|中心|公司|集团|小组|党组|人大|法院|检察院)$"
)


_NOT_AGENCY_RE = re.compile(r"[，。；：,;:！？!?、“”\"《》]")


# What may follow the 落款 (GB/T 9704): 附注 "（此件公开发布）", 附件, 版记 (抄送/印发), a contact line.
_TRAILER_RE = re.compile(r"^[（(]?\s*(?:此件|本件|附件|附录|附表|抄送|印发|联系人|联系电话|附[:：])")


def is_date_line(text: str) -> bool:
    """A line that is only a date: "2019年7月8日", "二〇一九年七月八日", "2019-07-08"."""
    return bool(_DATE_ONLY_RE.match(squash(text)))


def is_agency_line(text: str) -> bool:
    """A short line naming one or more issuing agencies ("十堰市科学技术局", "某某局　某某委员会")."""
    text = text.strip()
    if not 2 <= len(text) <= 60 or _NOT_AGENCY_RE.search(text) or starts_with_label(text):
        return False
    parts = text.split()
    return all(_AGENCY_END_RE.search(part) for part in parts)


_MAX_SIGNERS = 4  # agency lines of a joint 落款 (联合发文) read above its date


def _continues_agency(text: str) -> bool:
    """The first line of an agency name broken over two lines ("省市场监管局新型冠状病毒感染的" above
    "肺炎疫情防控工作领导小组"): short, no punctuation, no label, no sentence end."""
    text = text.strip()
    return 2 <= len(text) <= 30 and not _NOT_AGENCY_RE.search(text) and not starts_with_label(text)


def split_signature(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Take the 落款 (agency lines, then a date-only line) off the end of the body.

    The date line is the last date-only line followed by nothing, or by a 附注/附件/版记 line. The lines
    just above it that read like agencies are its signers (up to ``_MAX_SIGNERS``, joined by a space as a
    joint 落款 sets them side by side); a name broken over two lines is joined back when its first part
    stands right above (``_continues_agency``). Returns (meta, lines without them).
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for k in range(len(filled) - 1, -1, -1):
        i = filled[k]
        if not is_date_line(lines[i]):
            continue
        if k + 1 < len(filled) and not _TRAILER_RE.match(fold(lines[filled[k + 1]].strip())):
            continue
        meta = {"date": parse_date(lines[i])}
        drop = {i}
        signers: list[str] = []
        j = k - 1
        while j >= 0 and len(signers) < _MAX_SIGNERS and is_agency_line(lines[filled[j]]):
            signers.insert(0, lines[filled[j]].strip())
            drop.add(filled[j])
            j -= 1
        if len(signers) == 1 and j >= 0 and _continues_agency(lines[filled[j]]):
            joined = lines[filled[j]].strip() + signers[0]
            if is_agency_line(joined):
                signers[0] = joined
                drop.add(filled[j])
        if signers:
            meta["agency"] = " ".join(signers)
        return meta, [line for j, line in enumerate(lines) if j not in drop]
    return {}, list(lines)


def agency_and_date(text: str) -> tuple[str, str] | None:
    """An agency-and-date line "十堰市科学技术局　2019年7月8日" -> (agency, ISO date); a date alone gives ("", date)."""
    folded = fold(text)
    stripped = folded.strip().strip("()（）")
    matches = list(_YMD_RE.finditer(stripped)) or list(_CN_YMD_RE.finditer(stripped))
    if not matches:
        return None
    m = matches[-1]
    if stripped[m.end() :].strip():
        return None
    date = parse_date(m.group(0))
    head = stripped[: m.start()].strip()
    if not date or (head and not is_agency_line(head)):
        return None
    return head, date
