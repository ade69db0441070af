"""How page data becomes HTML where a template cannot say it alone: marked text (search hits)."""

from __future__ import annotations

from markupsafe import Markup, escape

from kb.search.highlight import Marked


def marked_html(value: Marked | str) -> Markup:
    """``Marked`` text as HTML: every piece escaped, the marked ones inside ``<mark>``."""
    if not isinstance(value, Marked):
        return escape(value)
    return Markup("").join(
        Markup("<mark>{}</mark>").format(piece) if marked else escape(piece)
        for piece, marked in value.pieces()
    )
