"""Markdown bodies → safe HTML.

Item bodies go through cmark-gfm (C, GitHub-flavoured: tables, autolinks,
strikethrough), ~25× faster than Python-Markdown, which matters at 100,000 items. Raw
HTML is allowed through the parser and then sanitised by nh3 (ammonia): scripts, event
handlers, `javascript:` URLs, iframes, objects and embeds never reach a visitor. What
the sanitiser removed is reported, so `--strict` can refuse it.

On top of that, the sanitiser (`sanitize`, also used for the free pages):
- drops images from other hosts (tracking pixels: the site loads nothing from elsewhere)
  and protocol-relative `//host/…` URLs;
- drops `class`/`id` names of our theme and of Material (`gk-…`, `md-…`), so a body
  cannot imitate a banner such as 已撤销;
- rewrites links to attachments and to other items (`attachments/…`, `notices/2024/a.md`,
  an index number) to their URL from the page, from a table the checks resolved
  (`generator/checks/links.py`).

Bodies are bounded before cmark and nh3 see them (`refuse`): over 1 MB, nested over 100
deep (quotes, lists, HTML elements), or with thousands of unclosed `[` in a paragraph
(free pages go through Python-Markdown), they would cost minutes.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import quote, unquote

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
    (re.compile(r"<[^<>]*\son[a-z]+\s*=", re.I), "on… 事件属性"),  # [^<>]: linear on `<a <a <a …`
    (re.compile(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", re.I), "javascript: 链接"),
    (re.compile(r"\]\(\s*javascript:", re.I), "javascript: 链接"),
]


RESERVED_NAMES = ("gk-", "gk_", "md-", "md_", "__")  # class/id names of our theme and Material's
MAX_BYTES = 1_000_000  # of Markdown in one body
MAX_DEPTH = 100  # nested quotes, lists and HTML elements
MAX_NESTING = 20_000  # quote and list levels summed over all lines (each costs cmark and nh3)
MAX_UNCLOSED = 1_000_000  # Σ (unclosed `[` or `](` in a paragraph)²: Python-Markdown's cost

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTAINER = re.compile(r"[ \t]*(?:>|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>")
_IMG_SRC = re.compile(r"<img\b(?![^>]*\ssrc=)[^>]*>")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(frozen=True)
class Rendered:
    html: str
    removed: tuple[str, ...]  # kinds of dangerous markup the sanitiser took out


@dataclass(frozen=True)
class Refusal:
    """Why a body is not rendered at all: (code, 1-based line and column in the text)."""

    code: str  # body-too-large | body-too-deep | body-too-complex
    line: int
    col: int
    message: str
    hint: str


def refuse(text: str) -> Refusal | None:
    """A body too large or too deeply nested to render, found in linear time (cmark and
    nh3 take 9 s on 40,000 nested `>`, 283 s on 160,000)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return Refusal(
            "body-too-large", 1, 1, f"正文有 {size // 1000} KB，超过上限 {MAX_BYTES // 1000} KB",
            "把长篇内容拆成几个条目，或作为附件（PDF 等）发布",
        )  # fmt: skip
    refusal = None if _lines_fine(text) else _refuse_lines(text)
    if refusal is not None:
        return refusal
    depth = 0
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if name.lower() in VOID or self_closing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        if depth > MAX_DEPTH:
            start = match.start()
            line, col = text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
            return _too_deep(line, col, f"HTML 标签嵌套超过 {MAX_DEPTH} 层")
    return None


# A line's quote and list depth is at most the length of its run of these characters at
# its start (each level takes one of them, two spaces of indent one level).
_DEEP_LINE = re.compile(rf"\n[ \t>+*\-0-9.)]{{{MAX_DEPTH + 1}}}")


def _lines_fine(text: str) -> bool:
    """Whether `_refuse_lines` surely finds nothing, known without going line by line:
    no line starts with more than MAX_DEPTH container characters, all of them together
    are at most the text's length, and Σ (unclosed brackets of a paragraph)² is at most
    (all brackets)²."""
    brackets = text.count("[") + text.count("]")
    return len(text) <= MAX_NESTING and brackets * brackets <= MAX_UNCLOSED and not _DEEP_LINE.search("\n" + text)


def _refuse_lines(text: str) -> Refusal | None:
    """Quotes and lists nested too deep, on a line or summed over all of them, or
    paragraphs with too many unclosed brackets."""
    total = cost = 0
    paragraph, start = [], 1
    for number, line in enumerate(text.split("\n") + [""], start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        depth, pos = indent // 2, 0
        while depth <= MAX_DEPTH and (match := _CONTAINER.match(line, pos)):
            depth, pos = depth + 1, match.end()
        if depth > MAX_DEPTH:
            return _too_deep(number, pos + 1 if pos else indent + 1, f"引用（>）或列表嵌套超过 {MAX_DEPTH} 层")
        total += depth
        if total > MAX_NESTING:
            return _too_deep(number, 1, f"多层引用（>）或列表累计超过 {MAX_NESTING} 层")
        if line.strip():
            paragraph.append(line)
            continue
        cost += _unclosed("\n".join(paragraph)) ** 2  # a blank line ends the paragraph
        if cost > MAX_UNCLOSED:
            return Refusal(
                "body-too-complex", start, 1, "正文中有大量未闭合的 [ 或 ](（链接写法不完整），无法发布",
                "检查 [ ] 与 ( ) 是否成对；很长的段落请拆开",
            )  # fmt: skip
        paragraph, start = [], number + 1
    return None


def _unclosed(text: str) -> int:
    """`[` without `]` and `](` without `)` in a paragraph: Python-Markdown (free pages)
    scans ahead from each, which is quadratic (10,000 `[` take 38 s)."""
    return max(text.count("[") - text.count("]"), 0) + max(text.count("](") - text.count(")"), 0)


def _too_deep(line: int, col: int, what: str) -> Refusal:
    return Refusal(
        "body-too-deep", line, col, f"正文中的{what}，无法发布",
        "减少嵌套层数；大段引用请改为普通段落",
    )  # fmt: skip


def find_dangerous(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for pattern, name in DANGEROUS if pattern.search(text)))


def protocol_relative(url: str) -> bool:
    """`//host/…` — also as browsers read `\\\\host`, `/\\host` or a tab inside `/ /`."""
    return re.sub(r"[\t\n\r]", "", url).strip().replace("\\", "/").startswith("//")


def url_kind(url: str) -> str:
    """`external` (another host, `//host/…` included), `anchor` (`#…`, empty), `site`."""
    url = url.strip()
    if protocol_relative(url) or _SCHEME.match(url):
        return "external"
    return "anchor" if not url or url.startswith("#") else "site"


def link_key(url: str) -> str:
    """What a link names, as the checks resolved it: without `#…`/`?…`, decoded."""
    return unquote(re.split(r"[#?]", url.strip(), maxsplit=1)[0].strip())


_LINK_OPEN = re.compile(r"\]\(\s*")  # `](` of an inline link or image
_REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*")  # `[name]: url`
_IMAGE_REFERENCE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?")  # `![alt][name]`, `![name]`
_HTML_URL = re.compile(r"<(img|a)\b[^<>]*?\s(src|href)\s*=\s*[\"']?", re.I)
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_BARE_TARGET = re.compile(r"[^\s)\"'>]{0,2048}")  # longer is no address (and would cost quadratic time)


@dataclass(frozen=True)
class Target:
    """A URL written in Markdown: where (1-based line and column in the text), and whether
    it is the source of an image."""

    line: int
    col: int
    url: str
    image: bool


def _url_at(line: str, start: int) -> str:
    if line.startswith("<", start):
        end = line.find(">", start)
        return line[start + 1 : end] if end > 0 else ""
    match = _BARE_TARGET.match(line, start)
    return match.group() if match else ""


def _is_image(line: str, close: int) -> bool:
    """Whether the `[…]` ending at `close` opens with `![` (brackets counted back, over
    at most 2,048 characters: a longer link text is no image's, and scanning further
    from every `](` would cost quadratic time)."""
    depth = 0
    for i in range(close, max(close - 2048, -1), -1):
        if line[i] == "]":
            depth += 1
        elif line[i] == "[":
            depth -= 1
            if depth == 0:
                return i > 0 and line[i - 1] == "!"
    return False


LINK_MARKS = ("](", "]:", "href", "src")  # a text with none of these has no link to look at


def may_link(text: str) -> bool:
    """Whether `text` has a mark of a link (checks/links.py resolves only such texts)."""
    return any(mark in text for mark in LINK_MARKS)


def link_targets(text: str) -> list[Target]:
    """Every link and image URL of a Markdown text — inline `[…](url)`, references
    `[x]: url` (an image's when some `![…][x]` uses it), HTML `<a href>`/`<img src>` —
    outside code blocks and code spans."""
    if "](" not in text and "]:" not in text and "<" not in text:
        return []  # what each kind of link starts with: most bodies have none
    return _link_targets(text)


def _link_targets(text: str) -> list[Target]:
    images = {" ".join((m.group(2) or m.group(1)).split()).casefold() for m in _IMAGE_REFERENCE.finditer(text)}
    found, fenced = [], False
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or line.startswith("    "):
            continue
        line = _CODE_SPAN.sub(lambda m: " " * len(m.group()), line)
        for match in _LINK_OPEN.finditer(line):
            url = _url_at(line, match.end())
            if url:
                found.append(Target(number, match.end() + 1, url, _is_image(line, match.start())))
        reference = _REFERENCE.match(line)
        if reference:
            name = " ".join(reference.group(1).split()).casefold()
            found.append(Target(number, reference.end() + 1, _url_at(line, reference.end()), name in images))
        for match in _HTML_URL.finditer(line):
            found.append(Target(number, match.end() + 1, _url_at(line, match.end()), match.group(1).lower() == "img"))
    return [t for t in found if t.url]


_TARGETS: ContextVar[tuple[dict[str, str] | None, str]] = ContextVar("gongkai_sanitize_links", default=(None, ""))


def _attribute(element: str, name: str, value: str) -> str | None:
    """nh3's filter of every allowed attribute; the links and base of the `sanitize` call
    under way are in `_TARGETS` (a context variable: one value per thread)."""
    if name in ("class", "id"):
        kept = [word for word in value.split() if not word.lower().startswith(RESERVED_NAMES)]
        return " ".join(kept) or None
    if name not in ("href", "src"):
        return value
    if protocol_relative(value):
        return None  # protocol-relative: another host, whichever scheme the page has
    kind = url_kind(value)
    if kind == "external":
        return None if element == "img" else value
    links, base = _TARGETS.get()
    if kind == "site" and links:
        target = links.get(link_key(value))
        if target is not None:
            fragment = value[len(value.split("#", 1)[0]):]
            return quote(base + target, safe="/%:@!$&'()*+,;=~") + fragment
    return value


# Built once: nh3.clean would convert the allowed tags and attributes on every call.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_attribute,
)


def sanitize(html: str, links: dict[str, str] | None = None, base: str = "") -> str:
    """Safe HTML; links named in `links` ({link_key: site-relative URL}) go to `base` +
    that URL, keeping their `#fragment`."""
    token = _TARGETS.set((links, base))
    try:
        clean = _CLEANER.clean(html)
    finally:
        _TARGETS.reset(token)
    return _IMG_SRC.sub("", clean)  # an image whose source was dropped


def _trim(url: str) -> tuple[str, str]:
    """A URL without the punctuation that ends the sentence around it."""
    tail = ""
    while url and (url[-1] in ".,:;!?'\"" or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url, tail = url[:-1], url[-1] + tail
    return url, tail


def autolink(text: str) -> str:
    """Bare ASCII URLs → `<url>` autolinks, outside code blocks and spans."""
    if "http" not in text:
        return text  # no line has one: what the loop below gives back unchanged
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or line.startswith("    ") or "`" in line or "http" not in line:
            out.append(line)
            continue
        out.append(_BARE_URL.sub(lambda m: "<{}>{}".format(*_trim(m.group())), line))
    return "\n".join(out)


def render(text: str | None, links: dict[str, str] | None = None, base: str = "") -> Rendered:
    """Body Markdown → safe HTML; its headings start at h2 (the page title is the h1).
    `links` and `base` as for `sanitize`. A refused body (`refuse`; `check` reports it as
    an error, so a build never gets here with one) renders as nothing."""
    if not text or not text.strip():
        return Rendered("", ())
    refusal = refuse(text)
    if refusal is not None:
        return Rendered("", (refusal.code,))
    return Rendered(_safe_html(text, links, base), find_dangerous(text))


def render_html(text: str | None, links: dict[str, str] | None = None, base: str = "") -> str:
    """`render(…).html` without looking for what the sanitiser removes (the checks report
    that; an item page only needs its HTML)."""
    if not text or not text.strip() or refuse(text) is not None:
        return ""
    return _safe_html(text, links, base)


def _safe_html(text: str, links: dict[str, str] | None, base: str) -> str:
    html = markdown_to_html_with_extensions(autolink(text), options=_OPTIONS, extensions=_EXTENSIONS)
    html = _HEADING.sub(_heading_down, html)
    return sanitize(html, links, base)


def _heading_down(match: re.Match) -> str:
    return f"<{match.group(1)}h{int(match.group(2)) + 1}"
