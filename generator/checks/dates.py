"""Dates that must agree with each other and with the 20-working-day rule (条例 第二十六条)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.workdays import UnknownYear, count_workdays

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry

PUBLISH_WITHIN_WORKDAYS = 20


def check(entry: Entry, ctx: Context) -> None:
    item = entry.model
    if item.written and item.written > item.published:
        ctx.error(
            entry,
            ("written",),
            "date-order",
            f"成文日期 {item.written} 晚于发布日期 {item.published}",
            "成文日期应早于或等于发布日期",
        )
    elif item.written:
        try:  # (a working day is a day: within 20 days, surely not late, and not counted)
            late = 0 if (item.published - item.written).days <= PUBLISH_WITHIN_WORKDAYS else (
                count_workdays(item.written, item.published) - 1
            )
        except UnknownYear:
            late = 0  # no holiday calendar for that year: no warning rather than a guess
        if late > PUBLISH_WITHIN_WORKDAYS:
            ctx.warning(
                entry, ("published",), "publish-late",
                f"发布日期比成文日期晚 {late} 个工作日，超过 {PUBLISH_WITHIN_WORKDAYS} 个工作日（条例第二十六条）",
                "核对日期；确属延迟的，可在内容概述中说明原因",
            )  # fmt: skip
    for i, revision in enumerate(item.revisions):
        if revision.date < item.published:
            ctx.error(
                entry,
                ("revisions", i, "date"),
                "revision-date",
                f"修订日期 {revision.date} 早于发布日期 {item.published}",
                "修订只能发生在发布之后",
            )
    if item.withdrawn and item.withdrawn.date < item.published:
        ctx.error(
            entry,
            ("withdrawn", "date"),
            "withdrawn-date",
            f"撤销日期 {item.withdrawn.date} 早于发布日期 {item.published}",
            "撤销只能发生在发布之后",
        )
    if ctx.site.config.require_review and not item.is_draft and item.review is None:
        ctx.error(
            entry,
            (),
            "review-missing",
            "本站要求审核后才能发布，但没有审核信息",
            "加上 review: {by: 审核人, date: YYYY-MM-DD}，或把 status 设为 draft",
        )
