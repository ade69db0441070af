"""Where a clause sits: its path of labels from the root, as the document writes them.

Section-like levels (一、 headings, 第X章, Markdown headings…) are named by label and heading
("三、主要措施"); item levels by their label alone ("(六)", "第三条"), as citations write them.
"""

from __future__ import annotations

from kb.model import Clause

SECTION_STYLES = frozenset({"part", "chapter", "section", "cn", "heading", "annex"})


def path_part(clause: Clause) -> str:
    if clause.style in SECTION_STYLES:
        return f"{clause.label}{clause.heading}".strip()
    return clause.label.strip()


def clause_path(trail: list[Clause], clause: Clause) -> list[str]:
    """Path parts from the root down to ``clause`` (``trail`` = its ancestors, root first)."""
    return [path_part(node) for node in [*trail, clause]]


def find_clause(outline: list[Clause], clause_id: str) -> tuple[Clause, list[Clause]] | None:
    """The clause with this id and its ancestors (root first), or None."""
    nodes, trail = outline, []
    while True:
        for node in nodes:
            if node.id == clause_id:
                return node, trail
            if clause_id.startswith(node.id + "."):
                nodes, trail = node.children, [*trail, node]
                break
        else:
            return None
