"""Pages bound to their records: what `gongkai verify` re-derives from the record a page
embeds, so that a page whose visible text was changed fails even when every digest on
it (the body fingerprint) was computed again.

- **the body**: every text of the record (title, 索引号, dates, each field; `body` and
  `notes` rendered again from their Markdown with the build's own renderer, numbers in
  the build's formats) must be in the visible text between the body markers. Changing
  每件80元 into 60元 removes a text of the record;
- **the head**: `<title>` starts with the record's title, `ArticleTitle` and `PubDate`
  are the record's; no `<base>`, no `http-equiv` but Content-Type (a refresh to another
  host), no script, stylesheet or icon from another host;
- **outside the body markers**: every item page of a category is the category's shell
  filled in (render/shell.py), so once the body, the per-page `<meta>`/`<link>` tags and
  the title are cut out, what is left (navigation, footer, scripts) is the same for all
  of them; a page whose remainder differs from the one most pages of its category share
  (a fake 已撤销 notice after the body, an extra script) is named.

Attachments are bound by data/attachments.json, whose sha256 the (signed) head carries
(generator/signing.py, checked in verify.py).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from decimal import Decimal, InvalidOperation

from generator.register import BODY_END, BODY_START, RECORD_ID
from generator.render.markdown import render

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_IDENT = re.compile(r"^[A-Za-z0-9_./:#?=&%+-]*$")  # enum values, paths and URLs: shown as labels or links
_MARKDOWN = ("body", "notes")
_HEAD_TAG = re.compile(r"<(meta|link|script|base|title)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_RELATIVE = re.compile(r"(?:\.\./)+")
_RECORD = re.compile(
    r"<script\b[^>]*\bid\s*=\s*[\"']?" + RECORD_ID + r"[\"']?[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL
)
_PER_PAGE = re.compile(
    r"<meta\b[^>]*>|<link\b[^>]*\brel=\"(?:canonical|alternate)\"[^>]*>|<title>.*?</title>", re.IGNORECASE | re.DOTALL
)


def visible(fragment: str) -> str:
    """The text a reader sees, without any white space (layout is not content)."""
    return _SPACE.sub("", html.unescape(_TAG.sub(" ", fragment)))


def _texts(value, key: str = "", parent: dict | None = None):
    """Every text of a record the page shows, each with the spellings it may take."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _texts(item, name, value)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, key, parent)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, str):
        if key in _MARKDOWN:
            yield key, [visible(render(value).html)]
        elif key == "unit" and parent is not None and parent.get("standard"):
            return  # a fee's unit is shown with its amount only; a written standard replaces both
        elif not _IDENT.match(value):
            yield key, [_SPACE.sub("", value)]
    else:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return
        yield key, [str(value), f"{number:,}", f"{number:,.2f}", f"{number:.2f}"]


def strings(value) -> list[str]:
    """Every string in a record (to find the attachments it names)."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return [value] if isinstance(value, str) else []


def body_problems(where: str, record: dict, fragment: str) -> list[str]:
    shown = visible(fragment)
    found = []
    for key, spellings in _texts(record):
        if spellings[0] and not any(s in shown for s in spellings):
            found.append(
                f"{where}: 页面正文与内容记录不符：记录中的 {key}“{spellings[0][:40]}”不在页面上"
                "（页面文字在生成后被改动过）"
            )
    return found


def _attrs(text: str) -> dict[str, str]:
    found = {}
    for match in _ATTR.finditer(text):
        found[match.group(1).lower()] = html.unescape(next(g for g in match.groups()[1:] if g is not None))
    return found


def _foreign(url: str, site: str) -> bool:
    """A URL that leaves the site (absolute, or protocol-relative) and is not under `site`."""
    if not re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)", url):
        return False
    return not (site and url.startswith(site))


def head_problems(where: str, record: dict, page: str, site: str) -> list[str]:
    head = page[: page.lower().find("</head>")] if "</head>" in page.lower() else page
    found = []
    title = _TITLE.search(head)
    shown = html.unescape(title.group(1)).strip() if title else ""
    if not shown.startswith(str(record.get("title", ""))):
        found.append(f"{where}: <title>“{shown[:60]}”不是内容记录的标题“{record.get('title')}”")
    for match in _HEAD_TAG.finditer(head):
        tag, attrs = match.group(1).lower(), _attrs(match.group(2))
        if tag == "base":
            found.append(f"{where}: <head> 中有 <base>：页面的链接可能被改到别处")
        elif tag == "meta" and "http-equiv" in attrs and attrs["http-equiv"].lower() != "content-type":
            shown_tag = f"<meta http-equiv=\"{attrs['http-equiv']}\" content=\"{attrs.get('content', '')[:80]}\">"
            found.append(f"{where}: <head> 中有 {shown_tag}（生成的页面没有）")
        elif tag == "meta" and attrs.get("name") == "ArticleTitle" and attrs.get("content") != record.get("title"):
            found.append(
                f"{where}: <meta name=\"ArticleTitle\"> 为“{attrs.get('content')}”，记录的标题为“{record.get('title')}”"
            )
        elif tag == "meta" and attrs.get("name") == "PubDate" and attrs.get("content") != record.get("published"):
            found.append(
                f'{where}: <meta name="PubDate"> 为 {attrs.get("content")}，记录的发布日期为 {record.get("published")}'
            )
        elif (
            tag in ("script", "link")
            and _foreign(attrs.get("src") or attrs.get("href") or "", site)
            and not (tag == "link" and attrs.get("rel") in ("canonical", "alternate") and not site)
        ):
            found.append(f"{where}: <head> 中的 <{tag}> 指向其他网站：{attrs.get('src') or attrs.get('href')}")
    return found


def skeleton(page: str, title: str) -> str:
    """The page without what differs from one item page to the next: the body between the
    markers, the record, the per-page `<meta>`, canonical/alternate links and `<title>`,
    the title wherever the shell shows it, and the depth of relative URLs."""
    start, end = page.find(BODY_START), page.find(BODY_END)
    if 0 <= start < end:
        page = page[:start] + page[end + len(BODY_END) :]
    page = _PER_PAGE.sub("", _RECORD.sub("", page))
    if title:
        page = page.replace(html.escape(title, quote=False), "@@TITLE@@")
    return _RELATIVE.sub("", page)


def shell_problems(pages: dict[str, tuple[str, str]]) -> list[str]:
    """pages: {file shown in messages: (category, skeleton)}. A page whose skeleton is not
    the one most item pages of its category share is named (a category needs two pages
    at least to compare; one whose pages all differ is named as such)."""
    by_category: dict[str, Counter] = {}
    for category, shape in pages.values():
        by_category.setdefault(category, Counter())[shape] += 1
    found = []
    for where, (category, shape) in sorted(pages.items()):
        counts = by_category[category]
        common, times = counts.most_common(1)[0]
        if sum(counts.values()) < 2 or shape == common:
            continue
        if times == 1:
            found.append(f"{where}: 栏目 {category} 的条目页面在正文之外互不相同（导航、页脚或脚本被改动过）")
        else:
            found.append(
                f"{where}: 正文之外的部分（导航、页脚、脚本或正文后的内容）与栏目 {category} 的其他 {times} 个"
                "条目页面不同：页面在生成后被改动过"
            )
    return found
