"""The quick ways out of the Markdown checks (`refuse`, `link_targets`, the dangerous
markup of `markup.scan`) give the same answer as the full work, on generated texts near
every limit and on texts full of brackets, tags and links."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.checks.markup import _JAVASCRIPT
from generator.render.markdown import (
    DANGEROUS,
    MAX_DEPTH,
    MAX_NESTING,
    MAX_UNCLOSED,
    _lines_fine,
    _link_targets,
    _refuse_lines,
    link_targets,
    refuse,
)  # fmt: skip

# One line: quote and list markers (up to past MAX_DEPTH of them), then some text.
MARKERS = st.sampled_from([">", "> ", "- ", "* ", "+ ", "1. ", "12) ", "  ", "\t", " ", "-", "1", ".", ")", "[", "]("])
LINES = st.tuples(st.lists(MARKERS, max_size=MAX_DEPTH + 8), st.text("文字 [](x)>-*1.\t", max_size=6)).map(
    lambda t: "".join(t[0]) + t[1]
)
REPEATS = st.integers(min_value=0, max_value=MAX_NESTING // 40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(LINES, REPEATS), max_size=6))
def test_refuse_lines_quick_way_out_is_right(parts):
    text = "\n".join("\n".join([line] * (times % 60 + 1)) for line, times in parts)
    if _lines_fine(text):
        assert _refuse_lines(text) is None


def test_refuse_near_each_limit():
    isqrt = int(MAX_UNCLOSED**0.5)
    texts = [">" * MAX_DEPTH, ">" * (MAX_DEPTH + 1), "- " * MAX_DEPTH, " " * (2 * MAX_DEPTH + 2) + "x"]
    texts += ["\n".join(["> " * 50] * (MAX_NESTING // 50 + k)) for k in (-1, 0, 1, 2)]
    texts += ["[" * (isqrt + k) for k in (-1, 0, 1, 2)] + ["](" * (isqrt + k) + "]" for k in (-1, 0, 1)]
    texts += ["[" * 600 + "\n\n" + "[" * 600, "[x](" * 700]
    for text in texts:
        if _lines_fine(text):
            assert _refuse_lines(text) is None, text[:40]
    assert refuse(">" * (MAX_DEPTH + 1)).code == "body-too-deep"
    assert refuse("[" * (isqrt + 1)).code == "body-too-complex"
    assert refuse("\n".join(["> " * 50] * (MAX_NESTING // 50 + 1))).code == "body-too-deep"
    assert refuse("正文 [链接](a.md)\n\n> 引用\n- 列表") is None


LINKISH = st.sampled_from([
    "[", "]", "(", ")", "](", "]:", "![", "<", ">", "<a href=", "<img src='", "x.png", "http://e.com/", " ", "\n",
    "`", "```\n", "    ", "文字", "[x]: ", "![alt][x]", "#", "//h/", '"',
])  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(LINKISH, max_size=20).map("".join))
def test_link_targets_quick_way_out_is_right(text):
    assert link_targets(text) == _link_targets(text)


DANGERISH = st.sampled_from([
    "<", "script", "iframe", " onclick=", "href=", "src=", "javascript:", "JavaScript:", "javaſcript:", "](", " ",
    "文字", "\n", "=", '"', "'",
])  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(DANGERISH, max_size=12).map("".join))
def test_dangerous_markup_needs_a_tag_or_a_javascript_link(text):
    if "<" not in text and not _JAVASCRIPT.search(text):
        assert not any(pattern.search(text) for pattern, _ in DANGEROUS), text
