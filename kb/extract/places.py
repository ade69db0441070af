"""Where a clause sits: its path of labels from the root, as the document writes them.

Section-like levels (一、 headings, 第X章, Markdown headings…) are named by label and heading
("三、主要措施"); item levels by their label alone ("(六)", "第三条"), as citations write them.
"""

from __future__ import annotations

from collections.abc import Sequence

from kb.model import Clause

SECTION_STYLES = frozenset({"part", "chapter", "section", "cn", "heading", "annex", "attachment"})


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


def innermost_clause(clauses: Sequence[Clause], span: tuple[int, int]) -> Clause | None:
    """The innermost clause whose span holds ``span``; ``clauses`` are the roots or a flat pre-order list.

    Visited from the end: in either form every clause comes after its ancestors, so the first one that
    holds the span has no child holding it, except its own children, which are tried next.
    """
    best: Clause | None = None
    stack = list(clauses)
    while stack:
        clause = stack.pop()
        if clause.span[0] <= span[0] and span[1] <= clause.span[1]:
            best = clause
            stack = list(clause.children)
    return best
