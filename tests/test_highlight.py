"""Snippets mark every hit whole (kb.search.highlight); the site renders them with everything else escaped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kb.search import highlight as highlighting
from kb.search.highlight import find_hits
from web.render import marked_html


def highlight(text: str, terms: list[str]) -> str:
    return str(marked_html(highlighting.highlight(text, terms)))


def snippet(text: str, terms: list[str], length: int = 160) -> str:
    return str(marked_html(highlighting.snippet(text, terms, length=length)))


def test_a_word_is_marked_whole_not_in_pieces():
    html = highlight("着力加强知识产权保护与运用", ["知识", "产权", "知识产权"])
    assert html == "着力加强<mark>知识产权</mark>保护与运用"


def test_everything_else_is_escaped():
    html = highlight('<img src=x onerror="alert(1)">知识产权', ["知识产权"])
    assert "<img" not in html
    assert "&lt;img" in html
    assert html.endswith("<mark>知识产权</mark>")


def test_full_width_text_matches_ascii_terms_and_is_shown_as_written():
    html = highlight("争取增资５０００万元", ["5000万元"])
    assert html == "争取增资<mark>５０００万元</mark>"


def test_snippet_cuts_around_the_hits_with_ellipses():
    text = "前" * 400 + "科技特派员" + "后" * 400
    html = snippet(text, ["科技特派员"], length=60)
    assert "<mark>科技特派员</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 120


def test_snippet_of_a_short_text_is_the_whole_text():
    assert snippet("加强知识产权", ["知识产权"]) == "加强<mark>知识产权</mark>"


def test_no_terms_no_marks():
    assert find_hits("任何文字", []) == []


@given(st.text(max_size=300), st.lists(st.text(min_size=1, max_size=5), max_size=4))
def test_marks_never_change_the_visible_text(text, terms):
    from html import unescape

    html = str(highlight(text, terms))
    assert unescape(html.replace("<mark>", "").replace("</mark>", "")) == text


def test_a_snippet_looks_for_hits_in_a_bounded_prefix_only():
    # Issue 17: one 630 KB document made a search page take 15.7 s. Hits are sought in the first
    # SCAN_CHARS characters only, so the cost does not grow with the document.
    far = "的" * highlighting.SCAN_CHARS + "发展"
    marked = highlighting.snippet(far, ["发展"], length=60)
    assert marked.marks == () and marked.text.endswith("…") and len(marked.text) == 61
    near = "发展" + "的" * 600_000
    assert highlighting.snippet(near, ["发展"], length=60).marks == ((0, 2),)


def test_hits_are_capped():
    assert len(find_hits("发展" * 10_000, ["发展"])) == highlighting.MAX_HITS
