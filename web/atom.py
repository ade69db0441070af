"""Atom feeds (RFC 4287) of searches: ``/search.atom?…`` (the same parameters as ``/search``).

A feed lists the newest documents and measures a search matches (or the type its ``type=`` names), newest first,
``FEED_ENTRIES`` at most; only hits whose document has a date are entries (a feed reader orders and dedupes by
date and id, and an undated document has no place in "what is new"). Nothing is listed when the search matches
only some of its words (the results page's "partial matches"): a subscription reports matches, not guesses.

* **Ids** are ``urn:uuid:`` URIs (RFC 4122 name-based, version 5) of the item id in PolicyKB's own namespace
  (``ID_NAMESPACE``): an item keeps its id in every feed, every build and every installation of PolicyKB, so a
  reader never shows it twice; the feed's own id is the same of its canonical query string.
* **Dates**: an entry's ``published`` and ``updated`` are its document's date (``2019-07-08T00:00:00+08:00``, China
  time; a date known to the month or year only is its first day); the feed's ``updated`` is its newest entry's, or
  the start of 1970 for an empty feed (a fixed value: an unchanged feed looks unchanged).
* **Links** are the site's public address + the page (``POLICYKB_SITE_URL``), else site-relative references,
  which Atom resolves against the feed's own address (RFC 4287 §2 and xml:base); never built from the Host header.
* Text is escaped by the XML writer (``xml.etree``); control characters XML 1.0 cannot hold are dropped.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

ATOM_NS = "http://www.w3.org/2005/Atom"
MIMETYPE = "application/atom+xml; charset=utf-8"
FEED_ENTRIES = 50
# PolicyKB's namespace for name-based ids (a fixed random UUID: never change it, or every reader sees new items).
ID_NAMESPACE = uuid.UUID("6f0c2b1e-8a4d-5c3e-9b7a-2d1f0e4c6a88")
EPOCH = "1970-01-01T00:00:00Z"
TIMEZONE = "+08:00"  # documents are dated in China time
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    item_id: str
    title: str
    link: str  # absolute, or site-relative
    date: str  # the document's ISO date (maybe YYYY or YYYY-MM)
    summary: str = ""
    author: str = ""  # the issuing agency
    categories: tuple[str, ...] = ()


def item_uri(item_id: str) -> str:
    """The entry id of an item: stable for ever (``urn:uuid:`` v5 of the item id)."""
    return "urn:uuid:" + str(uuid.uuid5(ID_NAMESPACE, "item:" + item_id))


def feed_uri(params: Mapping[str, object]) -> str:
    """The feed id of a search: the same for the same parameters, whatever their order."""
    canonical = urlencode(sorted((str(k), str(v)) for k, v in params.items() if v not in (None, "")))
    return "urn:uuid:" + str(uuid.uuid5(ID_NAMESPACE, "search:" + canonical))


def rfc3339(date: str) -> str:
    """``2019-07-08`` → ``2019-07-08T00:00:00+08:00`` (a partial date is its first day); "" when not a date."""
    match = _DATE.fullmatch((date or "").strip())
    if not match:
        return ""
    year, month, day = int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}T00:00:00{TIMEZONE}"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def atom_feed(
    *, feed_id: str, title: str, self_link: str, alternate: str, entries: Iterable[Entry], subtitle: str = ""
) -> bytes:
    """The feed as UTF-8 XML. Entries without a readable date are left out (Atom requires ``updated``)."""
    dated = [(e, rfc3339(e.date)) for e in entries]
    dated = [(e, stamp) for e, stamp in dated if stamp]
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    if subtitle:
        _add(feed, "subtitle", subtitle)
    _add(feed, "updated", max((stamp for _, stamp in dated), default=EPOCH))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_link)
    _add(feed, "link", rel="alternate", type="text/html", href=alternate)
    author = _add(feed, "author")
    _add(author, "name", "政策知识库")
    _add(feed, "generator", "PolicyKB")
    for entry, stamp in dated:
        node = _add(feed, "entry")
        _add(node, "id", item_uri(entry.item_id))
        _add(node, "title", entry.title or entry.item_id)
        _add(node, "link", rel="alternate", type="text/html", href=entry.link)
        _add(node, "published", stamp)
        _add(node, "updated", stamp)
        if entry.author:
            _add(_add(node, "author"), "name", entry.author)
        for term in entry.categories:
            if term:
                _add(node, "category", term=term)
        if entry.summary:
            _add(node, "summary", entry.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
