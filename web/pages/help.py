"""The help page: the search syntax in Chinese, from ``web/content/help.md``, and the synonyms in use.

The Markdown is rendered by Python-Markdown and sanitised by nh3 (Python-Markdown passes raw HTML and
``javascript:`` links through): only ordinary text markup, tables and http(s)/relative links survive.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import markdown
import nh3
from markupsafe import Markup

from kb.search.query import default_narrower, default_synonyms
from web.pages import Context, Page

HELP_FILE = Path(__file__).resolve().parent.parent / "content" / "help.md"
TAGS = {
    "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "a", "br", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "th": {"style"}, "td": {"style"}}


def render_markdown(text: str) -> Markup:
    """Markdown as safe HTML (nh3 keeps ``TAGS``/``ATTRIBUTES`` and http(s) or relative links only)."""
    html = markdown.markdown(text, extensions=["tables", "toc"], output_format="html")
    return Markup(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https"}))


@functools.lru_cache(maxsize=4)
def _help(path: Path, mtime_ns: int) -> tuple[str, Markup]:
    text = path.read_text(encoding="utf-8")
    return text, render_markdown(text)


def help_data(ctx: Context) -> dict[str, Any]:
    text, html = _help(HELP_FILE, HELP_FILE.stat().st_mtime_ns)
    synonyms = [{"term": key, "alternatives": list(alts)} for key, alts in sorted(default_synonyms().items())]
    narrower = [{"term": key, "narrower": list(terms)} for key, terms in sorted(default_narrower().items())]
    return {"markdown": text, "html": html, "synonyms": synonyms, "narrower": narrower}


def help_json(data: dict[str, Any]) -> dict[str, Any]:
    return {"markdown": data["markdown"], "synonyms": data["synonyms"], "narrower": data["narrower"]}


PAGES = [Page("/help", "help", help_data, "help.html", json=help_json)]
