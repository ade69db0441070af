"""The workspace's saved searches: pages, JSON twins and what each saved search finds new (``web.workspace.saved``).

==============================================  =================================================  ==========
page (HTML)                                     JSON twin                                          method
==============================================  =================================================  ==========
``/workspace/searches``                         ``/api/workspace/searches``                        GET: list
``/workspace/searches``                         ``/api/workspace/searches``                        POST: save
``/workspace/searches/<id>/seen``               ``/api/workspace/searches/<id>/seen``              POST: visit
``/workspace/searches/<id>/delete``             ``/api/workspace/searches/<id>/delete``            POST
==============================================  =================================================  ==========

All need a signed-in user; the POSTs need the CSRF token too (like every write of the workspace). A user only ever
reads and changes their own searches. Saving takes the search's URL parameters (form field ``query``, the query
string of ``/search``; JSON ``{"name": …, "params": {…}}`` or ``{"name": …, "query": "q=…&type=…"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from kb.search.engine import SearchBackend
from kb.search.filters import parse_date
from kb.search.request import SearchRequest
from kb.store.knowledge import KnowledgeReader
from kb.urls import RULES, saved_searches_url, search_feed_url, search_url
from web.pages import Invalid, Missing
from web.state import IndexUnavailable, current_index
from web.workspace import workspace
from web.workspace.saved import MAX_SAVED, SavedSearch, SavedSearchError, SavedSearches

NEW_SHOWN = 20  # new documents listed per saved search (all are counted)


def store() -> SavedSearches:
    return SavedSearches(workspace().instance, str(current_user.name))


def canonical_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The search's canonical URL parameters; ``Invalid`` when there is nothing to search or a date is bad."""
    saved = SearchRequest.from_params(
        {str(k): v for k, v in params.items() if k not in ("page", "limit", "offset")}
    )
    if not saved.q and not any(saved.filters.values()):
        raise Invalid("请先输入检索词或选择筛选条件，再保存检索。")
    for value in (saved.date_from, saved.date_to):
        if value:
            try:
                parse_date(value)
            except ValueError as exc:
                raise Invalid(str(exc)) from None
    return {k: str(v) for k, v in saved.to_params().items()}


def matching_documents(engine: SearchBackend | None, params: Mapping[str, str]) -> list[tuple[str, int]]:
    if engine is None:
        return []
    try:
        return engine.documents(SearchRequest.from_params(params))
    except ValueError:
        return []


def _opened() -> tuple[SearchBackend | None, KnowledgeReader | None]:
    try:
        opened = current_index()
    except IndexUnavailable:
        return None, None
    return opened.engine, opened.kb


def entry_json(
    saved: SavedSearch, engine: SearchBackend | None, kb: KnowledgeReader | None
) -> dict[str, Any]:
    """A saved search with its links and the documents new since its last visit (newest first)."""
    documents = matching_documents(engine, saved.params)
    seen = set(saved.seen)
    new = [(doc_id, hits) for doc_id, hits in documents if doc_id not in seen]
    listed = []
    for doc_id, hits in new[:NEW_SHOWN]:
        doc = kb.document(doc_id) if kb is not None else None
        listed.append(
            {
                "doc_id": doc_id,
                "title": doc.title if doc is not None else doc_id,
                "date": (doc.date or "") if doc is not None else "",
                "agency": (doc.agency or "") if doc is not None else "",
                "hits": hits,
                "url": search_url({**saved.params, "doc": doc_id}),
            }
        )
    return {
        **saved.public(),
        "url": search_url(saved.params),
        "feed_url": search_feed_url(saved.params),
        "documents": len(documents),
        "new_count": len(new),
        "new": listed,
        "index": engine is not None,
    }


def list_data() -> dict[str, Any]:
    engine, kb = _opened()
    return {"searches": [entry_json(s, engine, kb) for s in store().list()], "limit": MAX_SAVED}


def save(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    clean = canonical_params(params)
    engine, kb = _opened()
    seen = [doc_id for doc_id, _ in matching_documents(engine, clean)]
    try:
        saved = store().add(name, clean, seen)
    except SavedSearchError as exc:
        raise Invalid(str(exc)) from None
    return entry_json(saved, engine, kb)


def mark_seen(search_id: str) -> SavedSearch:
    saved = store().get(search_id)
    if saved is None:
        raise Missing("没有这个已保存的检索。")
    engine, _kb = _opened()
    seen = [doc_id for doc_id, _ in matching_documents(engine, saved.params)]
    return store().mark_seen(search_id, seen)


def remove(search_id: str) -> None:
    if not store().remove(search_id):
        raise Missing("没有这个已保存的检索。")


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, '请求须为 JSON 对象，如 {"name": "知识产权", "params": {"q": "知识产权"}}')
    return data


def _params_of(data: Mapping[str, Any]) -> Mapping[str, Any]:
    params = data.get("params")
    if isinstance(params, Mapping):
        return params
    return dict(parse_qsl(str(data.get("query") or "").lstrip("?")))


def register(app: Flask) -> None:
    html = Blueprint("saved_searches", __name__)
    api = Blueprint("saved_searches_api", __name__, url_prefix="/api")
    listing, seen_rule, delete_rule = (
        RULES["saved_searches"],
        RULES["saved_search_seen"],
        RULES["saved_search_delete"],
    )

    @html.route(listing, methods=["GET", "POST"], endpoint="list")
    @login_required
    def page() -> ResponseReturnValue:
        if request.method == "POST":
            try:
                saved = save(request.form.get("name", ""), _params_of(request.form))
            except Invalid as exc:
                flash(f"未能保存：{exc}", "error")
                return redirect(saved_searches_url())
            flash(f"已保存检索“{saved['name']}”。以后有新的匹配文件时，会在这里列出。")
            return redirect(saved_searches_url())
        return render_template("workspace/searches.html", **list_data())

    @api.route(listing, methods=["GET", "POST"], endpoint="list")
    @login_required
    def api_list() -> ResponseReturnValue:
        if request.method == "POST":
            data = _json_body()
            return jsonify({"search": save(str(data.get("name") or ""), _params_of(data))}), 201
        return jsonify(list_data())

    @html.post(seen_rule, endpoint="seen")
    @login_required
    def seen(search_id: str) -> ResponseReturnValue:
        saved = mark_seen(search_id)
        return redirect(search_url({**saved.params, "sort": "date"}), code=303)

    @api.post(seen_rule, endpoint="seen")
    @login_required
    def api_seen(search_id: str) -> ResponseReturnValue:
        saved = mark_seen(search_id)
        engine, kb = _opened()
        return jsonify({"search": entry_json(saved, engine, kb)})

    @html.post(delete_rule, endpoint="delete")
    @login_required
    def delete(search_id: str) -> ResponseReturnValue:
        remove(search_id)
        flash("已删除该检索。")
        return redirect(saved_searches_url())

    @api.post(delete_rule, endpoint="delete")
    @login_required
    def api_delete(search_id: str) -> ResponseReturnValue:
        remove(search_id)
        return jsonify({"deleted": search_id})

    app.register_blueprint(html)
    app.register_blueprint(api)
