"""JSON twins of the pages under /api/ (read-only). Each returns the data its page renders."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from web import data
from web.items import item_json, requested_ids, resolve_all
from web.state import current_index

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/")
@bp.get("/summary")
def summary() -> Response:
    return jsonify(data.summary_data(current_index()))


@bp.get("/search")
def search() -> Response:
    return jsonify(data.search_json(data.search_data(current_index())))


@bp.get("/measures/<item_id>")
def measure(item_id: str) -> Response:
    return jsonify(data.measure_data(current_index(), item_id))


@bp.get("/targets/<item_id>")
def target(item_id: str) -> Response:
    return jsonify(data.target_data(current_index(), item_id))


@bp.get("/documents/<item_id>")
def document(item_id: str) -> Response:
    return jsonify(data.document_data(current_index(), item_id))


@bp.get("/clauses/<item_id>")
def clause(item_id: str) -> Response:
    return jsonify(data.clause_data(current_index(), item_id))


@bp.get("/categories")
def categories() -> Response:
    return jsonify(data.categories_data(current_index()))


@bp.get("/categories/<name>")
def category(name: str) -> Response:
    return jsonify(data.category_data(current_index(), name))


@bp.get("/items")
def items() -> Response:
    """Basket entries for ``?ids=a,b,c`` in that order; ids no longer in the index are listed as missing."""
    ids = requested_ids(request.args.get("ids"))
    found, missing = resolve_all(current_index().kb, ids)
    return jsonify({"items": [item_json(i, request.url_root) for i in found], "missing": missing})
