"""The site's pages: one module per page type, each declaring its pages in a ``PAGES`` table.

A ``Page`` names its URL rule, the data function that loads it and the template that renders it. ``register``
turns every page into two routes from that one table, the HTML page (blueprint ``views``) and its JSON twin under
``/api`` (blueprint ``api``), the way datasette's views serve ``.json`` beside every page. Data functions are
plain functions of a ``Context`` and their arguments (route values and the parsed query string): they never read
``flask.request`` and never abort; a missing item raises ``Missing`` (404), a bad argument ``Invalid`` (400).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from web.state import Opened, current_index


class Missing(LookupError):
    """The page's item does not exist (404); the message says which."""


class Invalid(ValueError):
    """A request argument is unusable (400); the message says which and why."""


class Moved(Exception):
    """The item lives at another page (301): ``location`` is its site-relative path (the JSON twin answers with
    the same path under ``/api``). Never built from the request: a relative ``Location``."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass(frozen=True)
class Context:
    """What every data function may use besides its arguments."""

    opened: Opened
    site_url: str = ""  # POLICYKB_SITE_URL: the public address of the site, "" when not configured
    today: date = field(default_factory=date.today)

    @property
    def kb(self) -> Any:
        return self.opened.kb

    def permalink(self, path: str) -> str:
        """An absolute link when the site's address is configured, else the site-relative path.

        Never built from the request's Host header, which any client can set.
        """
        return self.site_url.rstrip("/") + path if self.site_url else path


def _no_query(_args: Mapping[str, str]) -> dict[str, Any]:
    return {}


def _same(data: dict[str, Any]) -> dict[str, Any]:
    return data


@dataclass(frozen=True)
class Page:
    rule: str
    endpoint: str
    load: Callable[..., dict[str, Any]]  # load(ctx, **route values, **query values)
    template: str | None = None
    query: Callable[[Mapping[str, str]], dict[str, Any]] = _no_query  # request.args -> keyword arguments
    json: Callable[[dict[str, Any]], Any] = _same  # the API's shape of the data (default: the data itself)
    html: Callable[[dict[str, Any]], ResponseReturnValue] | None = None  # instead of rendering the template
    api_aliases: tuple[str, ...] = ()
    api: bool = True  # False for a page whose data lives elsewhere (the basket reads /api/items)


def context() -> Context:
    return Context(current_index(), current_app.config.get("SITE_URL", ""))


def _load(page: Page, values: dict[str, Any]) -> dict[str, Any]:
    return page.load(context(), **values, **page.query(request.args))


def _moved(location: str) -> Response:
    """A permanent redirect to a site-relative path (with the request's query string), scheme and host never
    taken from the request."""
    query = request.query_string.decode("latin-1")
    response = Response(status=301)
    response.headers["Location"] = location + ("?" + query if query else "")
    response.autocorrect_location_header = False
    return response


def register(app: Flask, pages: Iterable[Page]) -> None:
    """Register the HTML route and the /api twin of every page."""
    views = Blueprint("views", __name__)
    api = Blueprint("api", __name__, url_prefix="/api")
    for page in pages:

        def html_view(page: Page = page, **values: Any) -> ResponseReturnValue:
            try:
                data = _load(page, values)
            except Moved as moved:
                return _moved(moved.location)
            if page.html is not None:
                return page.html(data)
            assert page.template is not None
            return render_template(page.template, **data)

        def json_view(page: Page = page, **values: Any) -> ResponseReturnValue:
            try:
                return jsonify(page.json(_load(page, values)))
            except Moved as moved:
                return _moved("/api" + moved.location)

        if page.template is not None or page.html is not None:
            views.add_url_rule(page.rule, page.endpoint, html_view)
        if not page.api:
            continue
        api.add_url_rule(page.rule, page.endpoint, json_view)
        for alias in page.api_aliases:
            api.add_url_rule(alias, page.endpoint + "_" + alias.strip("/").replace("/", "_"), json_view)
    app.register_blueprint(views)
    app.register_blueprint(api)


def all_pages() -> list[Page]:
    from web.pages import (
        basket,
        categories,
        compare,
        documents,
        help,
        home,
        indicators,
        measures,
        quantities,
        search,
    )

    return [
        *home.PAGES,
        *search.PAGES,
        *help.PAGES,
        *measures.PAGES,
        *quantities.PAGES,
        *documents.PAGES,
        *categories.PAGES,
        *indicators.PAGES,
        *basket.PAGES,
        *compare.PAGES,
    ]
