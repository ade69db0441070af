"""HTML pages. Each view renders the data of the function in web.data that its /api twin returns as JSON."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from werkzeug.wrappers import Response

from web import data
from web.state import current_index

bp = Blueprint("views", __name__)


@bp.get("/")
def home() -> str:
    return render_template("home.html", **data.summary_data(current_index()))


@bp.get("/search")
def search() -> str:
    return render_template("search.html", **data.search_data(current_index()))


@bp.get("/measures/<item_id>")
def measure(item_id: str) -> str:
    return render_template("measure.html", **data.measure_data(current_index(), item_id))


@bp.get("/targets/<item_id>")
def target(item_id: str) -> str:
    return render_template("target.html", **data.target_data(current_index(), item_id))


@bp.get("/documents/<item_id>")
def document(item_id: str) -> str:
    return render_template("document.html", **data.document_data(current_index(), item_id))


@bp.get("/clauses/<item_id>")
def clause(item_id: str) -> Response:
    found = data.clause_data(current_index(), item_id)
    return redirect(found["clause"]["url"], code=302)


@bp.get("/categories")
def categories() -> str:
    return render_template("categories.html", **data.categories_data(current_index()))


@bp.get("/categories/<name>")
def category(name: str) -> str:
    return render_template("category.html", **data.category_data(current_index(), name))


@bp.get("/basket")
def basket() -> str:
    return render_template("basket.html")
