"""Lines broken by the page width rejoined into paragraphs."""

from __future__ import annotations

from kb.readers.layout.margins import Layout
from kb.readers.layout.model import Line
from kb.readers.layout.patterns import ends_sentence, starts_with_label


def join_paragraphs(lines: list[Line], geo: Layout) -> list[str]:
    """Lines rejoined into paragraphs (see the ``kb.readers.layout`` docstring, step 4)."""
    not_full = sum(1 for line in lines if not geo.full(line))
    indented = sum(1 for line in lines if geo.indented(line) and not geo.centred(line))
    uses_indent = not_full > 0 and indented >= 0.5 * not_full
    paragraphs: list[str] = []
    previous: Line | None = None
    for line in lines:
        text = line.text.strip()
        joins = (
            previous is not None
            and geo.full(previous)
            and not geo.indented(line)
            and not starts_with_label(text)
            and (uses_indent or not ends_sentence(previous.text))
        )
        if joins:
            head = paragraphs[-1]
            space = " " if head[-1:].isascii() and head[-1:].isalpha() and text[:1].isascii() else ""
            paragraphs[-1] = head + space + text
        else:
            paragraphs.append(text)
        previous = line
    return paragraphs
