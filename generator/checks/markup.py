"""Markup that the sanitiser will take out of a Markdown body or budget notes: scripts,
event handlers, `javascript:` links, iframes, objects, embeds. A warning (the build
strips it), so `--strict` refuses to publish it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.render.markdown import DANGEROUS

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry


def check(entry: "Entry", ctx: "Context") -> None:
    doc = entry.doc
    for field in entry.ctype.markdown:  # the type's Markdown fields
        text = getattr(entry.model, field, None)
        if not text:
            continue
        for pattern, name in DANGEROUS:
            match = pattern.search(text)
            if match is None:
                continue
            offset_line = text.count("\n", 0, match.start())
            if field == "body" and doc.body is not None:
                pos = (doc.body_line + offset_line, match.start() - text.rfind("\n", 0, match.start()))
            else:
                pos = doc.pos((field,))
            ctx.problems.warning(
                entry.rel, pos, "unsafe-html",
                f"正文中的 {name} 会在发布时被删除（不安全的网页代码）",
                "删除这段代码；需要嵌入的内容请改为附件或普通链接",
            )  # fmt: skip
