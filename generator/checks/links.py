"""Links in bodies, budget notes and free pages to attachments, other items and free
pages: each is resolved to the site-relative URL of its target (the renderer prefixes
the page's way back to the site root, so a site works on a sub-path), and a link to
nothing is an error at its line (`link-missing`).

What an editor writes (README, “What you can publish”):

    [申请表](attachments/forms/apply.pdf)        a file of content/attachments/
    [通知](notices/2024/2024-03-01-fire.md)       another item, by its file under content/
    [通知](11330100002482066D/2024-00012)         another item, by its index number (or /i/<number>/)
    [指南](pages/guide.md)                        a free page

`content/…`, a leading `/`, and paths relative to the linking file (`../2023/b.md`, or
`b.md` beside it) are accepted too. Anything else (other sites, `#anchors`, other paths)
is left as written. The resolved table goes to `entry.text_links`
({link key: URL}); linked attachments join `entry.files`, so they are published and an
item page depends on them and on the URLs of the items it links to (build.item_key).
"""

from __future__ import annotations

import posixpath
import re
from difflib import get_close_matches
from typing import TYPE_CHECKING

from generator.checks.context import resolve_attachment
from generator.model.registry import field_title, field_value
from generator.render.markdown import link_key, link_targets, may_link, refuse, url_kind

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry, Site

ITEM_SUFFIXES = (".md", ".yml", ".yaml")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Resolver:
    """Link keys → (site-relative URL, attachment path or None) or a problem."""

    def __init__(self, site: Site, ctx: Context):
        self.site, self.ctx = site, ctx
        self.by_rel = {e.rel: e for e in site.entries}
        self.pages = {p.rel: p for p in site.pages}

    def resolve(self, key: str, here: str, from_draft: bool):
        """None for a link that is not ours; else (url, path, None) or (None, None,
        (message, hint)). `here` is the linking file (site-relative)."""
        path = key.replace("\\", "/")
        if _CONTROL.search(path):
            return None, None, ("含有不可见的控制字符（如 %00）", "删除这些字符，只写文件路径")
        if path.startswith(("./", "../")):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(here), path))
        path = path.lstrip("/").removeprefix("content/")
        if path.startswith("attachments/"):
            found = self.ctx.resolved.get(path)
            if found is None:
                found = self.ctx.resolved[path] = resolve_attachment(self.site.content_dir, path)
            file, problem = found
            if problem:
                code, message, hint = problem
                return (
                    None,
                    None,
                    ("指向的附件文件不存在" if code == "attachment-missing" else f"不是本站附件：{message}", hint),
                )
            return path, file, None
        number = path.removeprefix("i/").rstrip("/")
        if path.startswith("i/") or self.ctx.looks_like_index_no(number):
            return self._item(self.ctx.index.get(number), "：本站没有这个索引号的条目", from_draft, [])
        if path.endswith(ITEM_SUFFIXES):
            rel = f"content/{path}"
            if path.startswith("pages/"):
                page = self.pages.get(rel)
                if page is None:
                    return None, None, (f"指向的页面 {rel} 不存在", self._close(rel, list(self.pages)))
                return page.url, None, None
            beside = posixpath.join(posixpath.dirname(here), path)  # `b.md` next to the linking file
            entry = self.by_rel.get(rel) or (self.by_rel.get(beside) if "/" not in path else None)
            return self._item(entry, f"指向的文件 {rel} 不存在或不是条目", from_draft, list(self.by_rel), rel)
        return None

    def _item(self, entry: Entry | None, missing: str, from_draft: bool, names: list, rel: str = ""):
        if entry is None:
            hint = (
                self._close(rel, names)
                if rel
                else "核对索引号；也可以写成相对于 content/ 的文件路径，如 notices/2024/a.md"
            )
            return None, None, (missing, hint)
        if entry.is_draft and not from_draft:
            return None, None, ("指向的条目是草稿，不会发布", "等该条目发布后再链接，或删除这个链接")
        return entry.url, None, None

    @staticmethod
    def _close(rel: str, names: list[str]) -> str:
        close = get_close_matches(rel, names, n=1, cutoff=0.6)
        return f"是不是“{close[0].removeprefix('content/')}”？" if close else "写成相对于 content/ 的路径，区分大小写"

    def links(self, text: str, here: str, from_draft: bool, report) -> tuple[dict[str, str], dict[str, object]]:
        """The link table and attachment files of one text; `report(target, what, hint)`
        for each link to nothing (`what` completes “正文中的链接“…””)."""
        table, files = {}, {}
        if not may_link(text) or refuse(text) is not None:
            return table, files  # no link; or refused (checks/markup.py reports it)
        for target in link_targets(text):
            if url_kind(target.url) != "site":
                continue
            key = link_key(target.url)
            found = self.resolve(key, here, from_draft) if key else None
            if found is None:
                continue
            url, file, problem = found
            if problem:
                report(target, *problem)
                continue
            table[key] = url
            if file is not None:
                files[url] = file  # an attachment's URL is its reference under content/
        return table, files


def shown(url: str, limit: int = 80) -> str:
    """A URL as a message quotes it: at most `limit` characters."""
    return url if len(url) <= limit else url[:limit] + "…"


def check_site(site: Site, ctx: Context) -> None:
    """Resolve the links of every entry and free page; report the broken ones."""
    resolver = Resolver(site, ctx)
    for entry in site.entries:
        check_entry(resolver, entry, ctx)
    for page in site.pages:

        def report_page(target, message, hint, page=page):
            message = f"页面中的链接“{shown(target.url)}”{message}"
            ctx.problems.error(page.rel, (target.line, target.col), "link-missing", message, hint)

        page.links, page.files = resolver.links(page.source, page.rel, False, report_page)


def check_entry(resolver: Resolver, entry: Entry, ctx: Context) -> None:
    """Resolve the links of an entry's Markdown fields into `entry.text_links` (linked
    attachments join `entry.files`); report the broken ones."""
    table: dict[str, str] = {}
    if not entry.facts.links:  # no text with a mark of a link (`may_link`)
        entry.text_links = table
        return
    for path in entry.ctype.markdown_paths:
        text = field_value(entry.model, path)
        if not text:
            continue

        def report(target, message, hint, path=path):
            doc = entry.doc
            if path == ("body",) and doc.body is not None:
                pos = (doc.body_line + target.line - 1, target.col)
            else:
                pos = doc.pos(path)
            place = field_title(entry.model, path)
            ctx.problems.error(entry.rel, pos, "link-missing", f"{place}中的链接“{shown(target.url)}”{message}", hint)

        found, files = resolver.links(text, entry.rel, entry.is_draft, report)
        table.update(found)
        entry.files.update(files)
    entry.text_links = table
