"""The content types: one place that names each type's model, checks and file form.

Adding a type means writing its module (model + optional `check`) and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from generator.model import appointment, budget, consultation, duty, fee, letter, procedure, procurement, work_report
from generator.model.article import Article
from generator.model.base import Item


@dataclass(frozen=True)
class ContentType:
    name: str
    label: str  # Chinese name shown to editors
    model: type[Item]
    check: Callable | None = None  # domain checks beside the model
    suffix: str = ".yml"  # the form `gongkai new` writes
    template: str = ""
    about: str = ""  # what it is for, in Chinese (docs/content-model.md)
    rules: tuple[str, ...] = ()  # its own checks, in Chinese, with their problem codes
    # Hooks that generic code iterates over (none names a type):
    markdown: tuple[tuple[str, ...], ...] = ()  # Markdown fields besides body: rendered, scanned like bodies
    period: Callable | None = None  # model → (start, end): a time window, listed on the home page while open
    status: Callable | None = None  # (model, today) → live status key; the page changes with the day
    category_stats: Callable | None = None  # (entries, site) → rows of lists/stats/<name>.html
    datasets: Callable | None = None  # (site, listed) → the type's open-data files (export.Dataset)

    def __post_init__(self):
        object.__setattr__(self, "template", self.template or f"item/{self.name}.html")


TYPES: dict[str, ContentType] = {
    t.name: t
    for t in (
        ContentType("article", "文章", Article, suffix=".md", about="通知公告、政策文件、工作动态、年报等：通用字段加正文"),
        ContentType("duty", "机构职能", duty.Duty, about="机构概况、主要职责、内设机构"),
        ContentType("fee", "行政事业性收费", fee.Fee, about="执收单位及其收费项目、标准和依据"),
        ContentType(
            "procedure", "办事指南", procedure.Procedure, procedure.check, about="事项的全部要素：依据、条件、材料、流程、时限、收费",
            rules=(
                "承诺时限不得超过法定时限（procedure-days）",
                "各环节时限之和不得超过法定时限（procedure-steps）",
                "收费写索引号时，须是本站一条收费条目的索引号（procedure-fee）",
            ),
        ),
        ContentType(
            "budget", "预决算", budget.Budget, budget.check, about="预算或决算的表格（可嵌套到款、项）和“三公”经费",
            rules=(
                "每一行的金额等于其明细之和，误差不超过 0.01（budget-sum）",
                "同一张表的收入总计等于支出总计（budget-balance）",
                "“三公”经费合计等于各项之和（budget-three-public）",
            ),
        ),
        ContentType(
            "appointment", "任前公示", appointment.Appointment, appointment.check, about="干部任前公示：公示对象、公示期、反映渠道",
            rules=(
                "公示期不少于 5 个工作日，节假日和调休上班日按国家安排计算（notice-too-short）",
                "结束日期不早于开始日期（notice-order）；同时写结束日期和工作日数时两者一致（notice-days）",
                "节假日安排未知的年份无法计算工作日（calendar-unknown-year）",
            ),
        ),
        ContentType("work_report", "工作计划与总结", work_report.WorkReport, about="一个月的工作计划与完成情况对照"),
        ContentType(
            "consultation", "征求意见", consultation.Consultation, consultation.check, suffix=".md",
            about="草案征求意见（预公开）：征求意见期及实时状态、反馈渠道、草案或起草说明、意见采纳情况",
            rules=(
                "截止日期不早于开始日期（consultation-order）；少于 30 日给出警告（consultation-short）",
                "收到意见条数等于采纳、部分采纳、未采纳之和（consultation-counts）",
                "反馈日期在截止日期之后（consultation-report-early）",
            ),
            markdown=(("feedback_report", "summary"),),
            period=consultation.period,
            status=consultation.status,
        ),  # fmt: skip
        ContentType(
            "procurement", "政府采购", procurement.Procurement, procurement.check,
            about="政府采购公告：项目、采购方式、品目、预算、中标（成交）结果；栏目页按年统计，并作为开放数据发布",
            rules=(
                "中标（成交）金额不超过预算金额（procurement-over-budget）",
                "单一来源采购须写单一来源理由（procurement-single-source）",
                "结果公告、合同公告须写中标（成交）结果（procurement-result-missing）",
                "确定日期不晚于发布日期（procurement-dates）",
            ),
            category_stats=procurement.category_stats,
            datasets=procurement.datasets,
        ),  # fmt: skip
        ContentType(
            "letter", "留言答复", letter.LetterItem, letter.check,
            about="群众留言及本机关的公开答复：答复用时按工作日计算（收到留言次日起算，节假日除外）；栏目页按年统计",
            rules=(
                "答复日期不早于留言日期、不晚于发布日期（letter-order）",
                "答复用时超过 site_config.yml 中 letters.reply_days 个工作日时给出警告（letter-late）",
                "节假日安排未知的年份无法计算工作日（calendar-unknown-year）",
            ),
            markdown=(("letter", "question"), ("reply", "text")),
            category_stats=letter.category_stats,
        ),  # fmt: skip
    )
}
