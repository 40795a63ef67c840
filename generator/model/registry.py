"""The content types: one place that names each type's model, checks and file form.

Adding a type means writing its module (model + optional `check`) and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from generator.model import annual_report, appointment, budget, duty, fee, procedure, work_report
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
    # Figures a page shows that depend on more than its own file (the whole site, private
    # records): `computed(entry, site) -> dict`, given to the template as `computed` and part
    # of the page's key in an update build.
    computed: Callable | None = None
    # `gongkai new`: `scaffold(site_dir, text, today) -> text` adds what only the site knows.
    scaffold: Callable | None = None

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
            "annual_report", "政府信息公开工作年度报告", annual_report.AnnualReport, annual_report.check, suffix=".md",
            about="国办公开办函〔2021〕30号格式的年报：正文为“一、总体情况”，二、三、四部分的表格由内容和申请登记计算",
            computed=annual_report.computed, scaffold=annual_report.scaffold,
            rules=(
                "写出的数字与按内容计算的不一致时给出警告，指出两个数字（annual-figure）",
                "申请情况表每一列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度（annual-arithmetic）",
            ),
        ),
    )
}
