"""Template prompts left in a published item: `gongkai new` writes `（填写姓名）`,
`（在这里用 Markdown 写正文。）` … where the editor must write (`scaffold.PROMPT` matches
every one). Each one left in any field or in the body of a published item is an error at
its line; drafts may keep them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.checks.privacy import _leaves
from generator.model.validate import _labels
from generator.scaffold import BODY_PROMPT, FIELD_PROMPT, PROMPT

STARTS = (FIELD_PROMPT[0], BODY_PROMPT)  # every match of PROMPT starts with one of these

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry


def check(entry: Entry, ctx: Context, leaves: list[tuple[tuple, str]] | None = None) -> None:
    """`leaves`: the entry's texts with their paths, when the caller has them (every text
    holding a prompt among them), else every string of every field, body included."""
    doc = entry.doc
    if entry.is_draft or doc is None:
        return
    for path, text in _leaves(doc.data) if leaves is None else leaves:
        for match in PROMPT.finditer(text):
            before = text[: match.start()]
            if path == ("body",) and doc.body is not None and path not in doc.positions:
                pos = (doc.body_line + before.count("\n"), match.start() - before.rfind("\n"))
                name = "正文"
            else:
                pos = doc.pos(path)
                name = _labels(entry.ctype.model, path)
            ctx.problems.error(
                entry.rel, pos, "template-prompt",
                f"{name}中还留着模板提示“{match.group()}”，已发布的条目会原样显示它",
                "换成实际内容；还没写好的条目请写 status: draft（状态: 草稿）",
            )  # fmt: skip
