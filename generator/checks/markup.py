"""Markup that the sanitiser changes in a Markdown body, budget notes or a free page
(content/pages/): scripts, event handlers, `javascript:` links, iframes, objects and
embeds (`unsafe-html`), images from other hosts (`external-image`) and `//host/…` URLs
(`protocol-relative-url`). Warnings — the build strips them — so `--strict` refuses to
publish them. A body too large or too deeply nested to render is an error
(`body-too-large`, `body-too-deep`), found before anything parses it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.model.registry import field_value
from generator.render.markdown import DANGEROUS, link_targets, protocol_relative, refuse, url_kind

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.problems import Problems
    from generator.site import Entry, Site


# Every DANGEROUS pattern needs a `<` or this (most bodies have neither).
_JAVASCRIPT = re.compile("javascript:", re.I)


def scan(text: str) -> list[tuple[int, int, str, str, str, str]]:
    """(line, col, level, code, message, hint) of each finding; line and column 1-based
    within `text`. A refused text is not scanned further (that would cost as much)."""
    refusal = refuse(text)
    if refusal is not None:
        return [(refusal.line, refusal.col, "error", refusal.code, refusal.message, refusal.hint)]
    found = []
    for pattern, name in DANGEROUS if "<" in text or _JAVASCRIPT.search(text) else ():
        match = pattern.search(text)
        if match is not None:
            line = text.count("\n", 0, match.start()) + 1
            found.append((
                line, match.start() - text.rfind("\n", 0, match.start()), "warning", "unsafe-html",
                f"正文中的 {name} 会在发布时被删除（不安全的网页代码）",
                "删除这段代码；需要嵌入的内容请改为附件或普通链接",
            ))  # fmt: skip
    for target in link_targets(text):
        if protocol_relative(target.url):
            found.append((
                target.line, target.col, "warning", "protocol-relative-url",
                f"以 // 开头的网址“{target.url[:80]}”指向其他网站，发布时会被删除",
                "外部链接请写完整的 https:// 网址；图片请放进 content/attachments/ 并写 attachments/…",
            ))  # fmt: skip
        elif target.image and url_kind(target.url) == "external":
            found.append((
                target.line, target.col, "warning", "external-image",
                f"图片“{target.url[:80]}”来自其他网站，发布时会被删除（本站不从其他网站加载内容）",
                "把图片下载后放进 content/attachments/，写成 ![说明](attachments/图片.png)",
            ))  # fmt: skip
    return found


def check(entry: Entry, ctx: Context) -> None:
    doc = entry.doc
    for path in entry.ctype.markdown_paths:  # the type's Markdown fields
        text = field_value(entry.model, path)
        if not text:
            continue
        for line, col, level, code, message, hint in scan(text):
            if path == ("body",) and doc.body is not None:
                pos = (doc.body_line + line - 1, col)
            else:
                pos = doc.pos(path)
            ctx.problems.add(entry.rel, pos[0], pos[1], level, code, message, hint)


def check_pages(site: Site, problems: Problems) -> None:
    """Free pages are published too: the same scan over the whole file (its lines are the
    file's lines)."""
    for page in site.pages:
        for line, col, level, code, message, hint in scan(page.source):
            problems.add(page.rel, line, col, level, code, message.replace("正文", "页面"), hint)
