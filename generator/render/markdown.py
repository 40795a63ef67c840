"""Markdown bodies → safe HTML.

Item bodies go through cmark-gfm (C, GitHub-flavoured: tables, autolinks,
strikethrough), ~25× faster than Python-Markdown, which matters at 100,000 items. Raw
HTML is allowed through the parser and then sanitised by nh3 (ammonia): scripts, event
handlers, `javascript:` URLs, iframes, objects and embeds never reach a visitor. What
the sanitiser removed is reported, so `--strict` can refuse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from cmarkgfm.cmark import Options, markdown_to_html_with_extensions

_OPTIONS = Options.CMARK_OPT_UNSAFE  # raw HTML passes the parser; nh3 decides what survives
# GFM without its tagfilter, which would print `<script>` as visible text: nh3 removes it.
_EXTENSIONS = ["table", "autolink", "strikethrough"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "time": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# What a strict build refuses, found in the raw HTML before sanitising.
DANGEROUS = [
    (re.compile(r"<\s*script\b", re.I), "<script>"),
    (re.compile(r"<\s*iframe\b", re.I), "<iframe>"),
    (re.compile(r"<\s*object\b", re.I), "<object>"),
    (re.compile(r"<\s*embed\b", re.I), "<embed>"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "on… 事件属性"),
    (re.compile(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", re.I), "javascript: 链接"),
    (re.compile(r"\]\(\s*javascript:", re.I), "javascript: 链接"),
]


@dataclass(frozen=True)
class Rendered:
    html: str
    removed: tuple[str, ...]  # kinds of dangerous markup the sanitiser took out


def find_dangerous(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for pattern, name in DANGEROUS if pattern.search(text)))


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(text: str | None) -> Rendered:
    if not text or not text.strip():
        return Rendered("", ())
    html = markdown_to_html_with_extensions(text, options=_OPTIONS, extensions=_EXTENSIONS)
    return Rendered(sanitize(html), find_dangerous(text))
