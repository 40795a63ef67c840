"""letter (留言答复): a citizen's message and the office's public reply, the working days
the reply took, its checks and the category page's statistics per year."""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING, Any

from generator.model.base import Date, Item, Schema, Visible, ZhEnum, label
from generator.workdays import known_years, workdays_taken

if TYPE_CHECKING:
    from generator.model.protocol import Report

DEFAULT_REPLY_DAYS = 5  # site_config.yml letters.reply_days


class Channel(ZhEnum):
    website = ("website", "网站")
    hotline = ("hotline", "12345热线")
    mail = ("mail", "信件")
    email = ("email", "电子邮件")
    other = ("other", "其他")


class Letter(Schema):
    received: Date = label("留言日期", "收到留言的日期 YYYY-MM-DD")
    channel: Channel = label("渠道", Channel.choices())
    question: Visible = label("留言内容", "留言内容（Markdown），不写留言人姓名和联系方式")


class Reply(Schema):
    date: Date = label("答复日期", "答复日期 YYYY-MM-DD（不早于留言日期）")
    unit: Visible = label("答复单位", "答复单位")
    text: Visible = label("答复内容", "答复内容（Markdown）")


class LetterItem(Item):
    letter: Letter = label("留言", "留言：received 留言日期, channel 渠道, question 留言内容")
    reply: Reply = label("答复", "答复：date 答复日期, unit 答复单位, text 答复内容")


def working_days(model: LetterItem) -> int | None:
    """Working days taken: from the day after receipt (开始之日不计入) to the reply day,
    weekends and holidays skipped, make-up working days counted. None for a year the
    holiday calendar does not know, or a reply before the receipt."""
    return workdays_taken(model.letter.received, model.reply.date)


def reply_days(config) -> int:
    """The reply limit in working days (site_config.yml letters.reply_days)."""
    letters = getattr(config, "letters", None)
    return letters.reply_days if letters is not None else DEFAULT_REPLY_DAYS


def check(item: LetterItem, report: Report) -> None:
    """The reply not before the message; a warning beyond the reply limit of site_config."""
    model = item
    received, replied = model.letter.received, model.reply.date
    if replied < received:
        report.error(("reply", "date"), "letter-order", f"答复日期 {replied} 早于留言日期 {received}")
        return
    if replied > model.published:
        report.error(
            ("reply", "date"), "letter-order", f"答复日期 {replied} 晚于发布日期 {model.published}",
            "答复之后才能公开；检查答复日期和发布日期",
        )  # fmt: skip
    days = working_days(model)
    if days is None:
        first, last = known_years()
        report.error(
            ("reply", "date"), "calendar-unknown-year",
            f"节假日日历只含 {first}–{last} 年，无法计算 {received} 至 {replied} 的工作日",
            "升级 chinese-calendar（pip install -U chinese-calendar）",
        )  # fmt: skip
        return
    limit = reply_days(report.config())
    if days > limit:
        report.warning(
            ("reply", "date"), "letter-late",
            f"留言 {received} 收到，{replied} 答复，用时 {days} 个工作日，超过本站规定的 {limit} 个工作日",
            "工作日从收到留言的次日起算；时限在 site_config.yml 的 letters.reply_days 中设置",
        )  # fmt: skip


def category_stats(entries: list[Any], site: Any) -> list[dict]:
    """Per year of the reply (newest first): replies, average and median working days,
    share within the limit."""
    limit = reply_days(site.config)
    years: dict[int, list[int]] = {}
    for entry in entries:
        days = working_days(entry.model)
        if days is not None:
            years.setdefault(entry.model.reply.date.year, []).append(days)
    return [
        {
            "year": year,
            "count": len(days),
            "average": sum(days) / len(days),
            "median": median(days),
            "within": sum(d <= limit for d in days) / len(days),
            "limit": limit,
        }
        for year, days in sorted(years.items(), reverse=True)
    ]
