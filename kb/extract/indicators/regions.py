"""The region a document speaks for: from its issuing agency, else its title (``region_of``)."""

from __future__ import annotations

import re

from kb.extract.indicators.config import NATIONAL, IndicatorConfig
from kb.text.normalize import fold

_SUFFIX = r"(?:特别行政区|自治区|自治州|自治县|地区|新区|省|市|县|旗|盟|区|州)"
# One administrative unit: a few characters that are not an institution's, then a unit suffix.
_PLACE_RE = re.compile(r"[^局厅委办院会府部处署司所站室队组校馆中心，、,\s()（）《》\d]{1,12}?" + _SUFFIX)
_AFTER_ZHOU = re.compile(r"[省市县区]")  # 杭州 + 市, 贵州 + 省
_TITLE_LEAD = re.compile(r"^(?:\d{4}年(?:度)?|关于)+")


def _places(text: str) -> list[str]:
    """The administrative units named one after another at the start of ``text``."""
    out: list[str] = []
    pos = 0
    while True:
        m = _PLACE_RE.match(text, pos)
        if m is None:
            return out
        end = m.end()
        if text[end - 1] == "州" and _AFTER_ZHOU.match(text, end):
            end += 1
        out.append(text[pos:end])
        pos = end


# A place name never holds a scope word (全市, 本区) nor starts with a verb of a title ("印发十堰市…").
_NOT_PLACE_RE = re.compile(
    r"[全本我各该]|^(?:印发|转发|推动|推进|加快|促进|加强|深化|实施|支持|做好|开展|进一步|建设|关于)"
)


def _innermost(text: str, config: IndicatorConfig) -> str:
    places = []
    for place in _places(text):
        if _NOT_PLACE_RE.search(place):
            break
        if not any(place.endswith(z) for z in config.not_regions):
            places.append(place)
    return places[-1] if places else ""


def _is_national(text: str, config: IndicatorConfig, *, whole: bool) -> bool:
    if any(marker in text for marker in config.national) if whole else text.startswith(config.national):
        return True
    if not whole:
        return False
    return text.startswith(config.national_prefixes) or bool(
        config.national_suffixes and text.endswith(config.national_suffixes)
    )


def region_of(agency: str, title: str, config: IndicatorConfig) -> str:
    """The region a document speaks for: from the agency, else the title; ``""`` when neither names one."""
    agency = fold(agency).strip()
    for lead in ("中共", "中国共产党"):
        agency = agency.removeprefix(lead)
    region = ""
    if agency:
        first = re.split(r"[、,，\s]", agency, maxsplit=1)[0]  # joint issuers: the first one
        region = _innermost(first, config)
        if not region and _is_national(agency, config, whole=True):
            region = NATIONAL
    if not region:
        head = _TITLE_LEAD.sub("", fold(title).strip())
        region = NATIONAL if _is_national(head, config, whole=False) else _innermost(head, config)
    return config.aliases.get(region, region)
