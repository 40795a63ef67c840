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
# GFM without its tagfilter, which would print `<script>` as visible text (nh3 removes
# it), nor its autolink, which runs a bare URL on into the Chinese text after it.
_EXTENSIONS = ["table", "strikethrough"]
_BARE_URL = re.compile(r"(?<![<(\[\"'=/])\bhttps?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_HEADING = re.compile(r"<(/?)h([1-5])\b")

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


def _trim(url: str) -> tuple[str, str]:
    """A URL without the punctuation that ends the sentence around it."""
    tail = ""
    while url and (url[-1] in ".,:;!?'\"" or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url, tail = url[:-1], url[-1] + tail
    return url, tail


def autolink(text: str) -> str:
    """Bare ASCII URLs → `<url>` autolinks, outside code blocks and spans."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or line.startswith("    ") or "`" in line or "http" not in line:
            out.append(line)
            continue
        out.append(_BARE_URL.sub(lambda m: "<{}>{}".format(*_trim(m.group())), line))
    return "\n".join(out)


def render(text: str | None) -> Rendered:
    """Body Markdown → safe HTML; its headings start at h2 (the page title is the h1)."""
    if not text or not text.strip():
        return Rendered("", ())
    html = markdown_to_html_with_extensions(autolink(text), options=_OPTIONS, extensions=_EXTENSIONS)
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", html)
    return Rendered(sanitize(html), find_dangerous(text))
