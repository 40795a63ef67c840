"""consultation (征求意见 / 预公开): a draft open for public comment, its period, channels
and the report on the comments received.

The status is live like a 公示 (its `window`): 未开始 · 征求意见中（剩 N 天）· 已截止 ·
已反馈 (from the report's date).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from generator.model.base import Date, Item, Schema, label
from generator.model.capabilities import Window

if TYPE_CHECKING:
    from generator.model.protocol import Report

MIN_DAYS = 30  # 《重大行政决策程序暂行条例》第十四条：征求意见期限一般不少于 30 日
MAX_COUNT = 10**7  # comments on one draft: more is a slip

class Period(Schema):
    start: Date = label("开始日期", "征求意见开始日期 YYYY-MM-DD")
    end: Date = label("截止日期", "征求意见截止日期 YYYY-MM-DD（含当日，自然日）")


class Channels(Schema):
    email: str | None = label("电子邮箱", "接收意见的电子邮箱", None)
    address: str | None = label("通信地址", "接收意见的通信地址", None)
    postcode: str | None = label("邮编", "邮政编码", None)
    phone: str | None = label("电话", "联系电话", None)
    fax: str | None = label("传真", "传真号码", None)
    url: str | None = label("在线提交", "在线提交意见的网址", None)


class FeedbackReport(Schema):
    date: Date = label("反馈日期", "公布采纳情况的日期（在截止日期之后）")
    received: int = label("收到意见", "收到意见（条）", ge=0, le=MAX_COUNT)
    adopted: int = label("采纳", "采纳（条）", ge=0, le=MAX_COUNT)
    partly_adopted: int = label("部分采纳", "部分采纳（条）", ge=0, le=MAX_COUNT)
    not_adopted: int = label("未采纳", "未采纳（条）", ge=0, le=MAX_COUNT)
    summary: str | None = label("采纳情况说明", "采纳情况说明（Markdown）", None)


class Consultation(Item):
    period: Period = label("征求意见期", "征求意见期：start 开始日期, end 截止日期")
    channels: Channels | None = label(
        "反馈渠道",
        "反馈渠道：email 电子邮箱, address 通信地址, postcode 邮编, phone 电话, fax 传真, url 在线提交",
        None,
    )
    feedback_report: FeedbackReport | None = label(
        "意见采纳情况", "征求意见结束后填写：date 反馈日期, received 收到, adopted 采纳, partly_adopted 部分采纳, "
        "not_adopted 未采纳, summary 说明", None,
    )  # fmt: skip


def window(item: Consultation) -> Window:
    """The period during which the draft is open (both days included), 已反馈 from the
    report's date."""
    report = item.feedback_report
    return Window(item.period.start, item.period.end, reported=report.date if report is not None else None)


def check(item: Consultation, report: Report) -> None:
    """Period in order and long enough; the report's counts add up and come after the period."""
    p: Period = item.period
    if p.end < p.start:
        report.error(("period", "end"), "consultation-order", f"截止日期 {p.end} 早于开始日期 {p.start}")
    elif (days := (p.end - p.start).days + 1) < MIN_DAYS:
        report.warning(
            ("period", "end"), "consultation-short",
            f"征求意见期 {p.start} 至 {p.end} 只有 {days} 日，少于 {MIN_DAYS} 日",
            f"《重大行政决策程序暂行条例》规定征求意见期限一般不少于 {MIN_DAYS} 日；"
            f"截止日期至少应为 {p.start + dt.timedelta(days=MIN_DAYS - 1)}，确需缩短的在正文说明理由",
        )  # fmt: skip
    fb: FeedbackReport | None = item.feedback_report
    if fb is None:
        return
    total = fb.adopted + fb.partly_adopted + fb.not_adopted
    if total != fb.received:
        lines = "、".join(
            f"第 {report.line(('feedback_report', key))} 行"
            for key in ("received", "adopted", "partly_adopted", "not_adopted")
        )  # fmt: skip
        report.error(
            ("feedback_report", "received"), "consultation-counts",
            f"收到意见 {fb.received} 条，但采纳 {fb.adopted} + 部分采纳 {fb.partly_adopted} "
            f"+ 未采纳 {fb.not_adopted} = {total} 条（{lines}）",
            "收到意见的条数应等于采纳、部分采纳、未采纳三者之和",
        )  # fmt: skip
    if fb.date < p.end:
        report.error(
            ("feedback_report", "date"), "consultation-report-early",
            f"反馈日期 {fb.date} 早于征求意见截止日期 {p.end}：征求意见尚未结束",
            "采纳情况要在征求意见期结束后公布；检查反馈日期或截止日期",
        )  # fmt: skip
    elif fb.date == p.end:
        report.error(
            ("feedback_report", "date"), "consultation-report-early",
            f"反馈日期 {fb.date} 是征求意见的最后一天：当天仍可提交意见",
            "反馈日期应在截止日期之后",
        )  # fmt: skip

