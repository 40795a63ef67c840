"""appointment (干部任前公示): persons, the notice period in working days, feedback channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import model_validator

from generator.model.base import Date, Item, Month, Schema, Visible, label
from generator.model.capabilities import Window
from generator.workdays import UnknownYear, count_workdays, known_years, nth_workday

if TYPE_CHECKING:
    from generator.model.protocol import Report

MIN_WORKING_DAYS = 5  # 《党政领导干部选拔任用工作条例》
MAX_WORKING_DAYS = 60  # a notice period of three months is a slip


class Notice(Schema):
    start: Date = label("开始日期", "公示开始日期 YYYY-MM-DD")
    working_days: int | None = label(
        "工作日数", "公示工作日数，不少于 5 个工作日", None, ge=1, le=MAX_WORKING_DAYS, example=MIN_WORKING_DAYS
    )
    end: Date | None = label("结束日期", "公示结束日期（与工作日数二选一）", None)

    @model_validator(mode="after")
    def _one_of(self):
        if self.working_days is None and self.end is None:
            raise ValueError("公示期要写工作日数 working_days 或结束日期 end 之一")
        return self


class Person(Schema):
    name: Visible = label("姓名", "姓名")
    gender: str | None = label("性别", "男 | 女", None)
    ethnicity: str | None = label("民族", "如 汉族", None)
    birth: Month | None = label("出生年月", "出生年月 YYYY-MM（不写具体日期）", None)
    party: str | None = label("政治面貌", "如 中共党员", None)
    education: str | None = label("学历学位", "如 大学，管理学硕士", None)
    work_start: Month | None = label("参加工作时间", "参加工作时间 YYYY-MM", None)
    current_post: str | None = label("现任职务", "现任职务", None)
    proposed_post: Visible = label("拟任职务", "拟任职务")
    resume: str | None = label("简历", "简历（简短）", None)


class Channels(Schema):
    phone: str | None = label("电话", "举报电话，如 12380", None, example="12380")
    address: str | None = label("地址", "来信地址", None)
    postcode: str | None = label("邮编", "邮政编码", None)
    email: str | None = label("电子邮箱", "电子邮箱", None)


class Appointment(Item):
    notice: Notice = label("公示期", "公示期：start 开始日期, working_days 工作日数 或 end 结束日期")
    persons: list[Person] = label("公示对象", "公示对象列表", min_length=1)
    feedback: Channels | None = label("反映渠道", "反映渠道：phone 电话, address 地址, postcode 邮编, email 电子邮箱", None)


def window(item: Appointment) -> Window:
    """The notice period (公示期), its end derived from the working days when only they are
    written. The model stays as written: the derived end lives in the window."""
    notice = item.notice
    try:
        if notice.end is not None:
            days = count_workdays(notice.start, notice.end) if notice.end >= notice.start else None
            return Window(notice.start, notice.end, days)
        return Window(notice.start, nth_workday(notice.start, notice.working_days), notice.working_days)
    except UnknownYear:
        return Window(notice.start, notice.end, notice.working_days)


def check(item: Appointment, report: "Report") -> None:
    """Hold the notice period to 5 working days (and its end and length to agree)."""
    notice = item.notice
    try:
        if notice.end is not None:
            if notice.end < notice.start:
                report.error(("notice", "end"), "notice-order", f"公示结束日期 {notice.end} 早于开始日期 {notice.start}")
                return
            days = count_workdays(notice.start, notice.end)
            if notice.working_days is not None and notice.working_days != days:
                report.error(
                    ("notice", "working_days"), "notice-days",
                    f"公示期 {notice.start} 至 {notice.end} 含 {days} 个工作日，与所写的 {notice.working_days} 个不符",
                    "只写 end 或 working_days 之一即可",
                )  # fmt: skip
            if days < MIN_WORKING_DAYS:
                report.error(
                    ("notice", "end"), "notice-too-short",
                    f"公示期 {notice.start} 至 {notice.end} 只有 {days} 个工作日，少于 {MIN_WORKING_DAYS} 个工作日",
                    f"结束日期至少应为 {nth_workday(notice.start, MIN_WORKING_DAYS)}",
                )  # fmt: skip
        else:
            if notice.working_days < MIN_WORKING_DAYS:
                report.error(
                    ("notice", "working_days"), "notice-too-short",
                    f"公示期 {notice.working_days} 个工作日，少于 {MIN_WORKING_DAYS} 个工作日",
                )  # fmt: skip
            nth_workday(notice.start, notice.working_days)  # the end must be computable
    except UnknownYear as exc:
        first, last = known_years()
        report.error(
            ("notice", "start"), "calendar-unknown-year",
            f"节假日日历不含 {exc.year} 年（已知 {first}–{last} 年），无法计算工作日",
            "升级 chinese-calendar（pip install -U chinese-calendar），或改写明确的结束日期 end 并确认不少于 5 个工作日",
        )  # fmt: skip
