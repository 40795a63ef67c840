"""The content types: the one home of a type — its model, checks, file form, template,
labels and the capabilities the rest of the generator iterates over.

Adding a type means writing its module (model + optional `check`), its template
(`theme/gongkai/item/<name>.html`), its labels (`types:` in `theme/strings/<lang>.yml`)
and one entry here. Nothing outside `generator/model/` asks for a type by name: a page
with a time window, Markdown fields, cross-references, open datasets, person fields,
the examples of `gongkai new`, figures computed from the whole site (`computed`) and
what `gongkai new` adds from the site (`scaffold`) all come from the `ContentType`
(capabilities.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import yaml

from generator.model import (
    annual_report,
    appointment,
    budget,
    consultation,
    duty,
    fee,
    letter,
    procedure,
    procurement,
    work_report,
)
from generator.model.article import Article
from generator.model.base import Item
from generator.model.capabilities import Dataset, Window
from generator.render import THEME_DIR

LANGUAGES = ("zh", "en")  # the UI languages: each has theme/strings/<lang>.yml


@cache
def type_labels(lang: str) -> dict[str, str]:
    """The labels of the types in `lang`: the `types:` table of its strings file, the one
    place a type's name for readers and editors is written."""
    with (THEME_DIR / "strings" / f"{lang}.yml").open(encoding="utf-8") as fh:
        return dict((yaml.safe_load(fh) or {}).get("types") or {})


@dataclass(frozen=True, eq=False)  # one object per type: hashed by identity
class ContentType:
    name: str
    model: type[Item]
    check: Callable | None = None  # domain checks beside the model: check(item, report)
    suffix: str = ".yml"  # the form `gongkai new` writes
    about: str = ""  # what it is for, in Chinese (docs/content-model.md)
    rules: tuple[str, ...] = ()  # its own checks, in Chinese, with their problem codes
    markdown: tuple[str, ...] = ("body",)  # fields written in Markdown: rendered to entry.<name>_html
    window: Callable[[Any], Window] | None = None  # the item's time window (公示期), when it has one
    links: tuple[str, ...] = ()  # the cross-references its check resolves (entry.links[name])
    datasets: tuple[Dataset, ...] = ()  # its open-data files
    persons: tuple[str, ...] = ()  # top-level fields that describe natural persons (privacy guard)
    examples: dict[str, Callable[[dt.date], Any]] = field(default_factory=dict)  # `gongkai new`: field → value of today
    category_stats: Callable | None = None  # (entries, site) → rows of lists/stats/<name>.html (its category page)
    # Figures that depend on more than the item's file (the whole site, private records):
    # `computed(item, site, report) -> dict`, called once per entry by the checks
    # (checks/__init__.py), which keep it in `entry.computed`: the template reads
    # `item.computed`, the incremental build keys pages and data on it, and a dataset's
    # `computed` fields come from it. Problems with the figures go to `report`.
    computed: Callable | None = None
    # `gongkai new`: `scaffold(site_dir, text, today) -> text` adds what only the site knows
    # (called by cli.cmd_new after the generic draft is written).
    scaffold: Callable | None = None

    @property
    def template(self) -> str:
        """The theme template of its content fragment."""
        return f"item/{self.name}.html"

    @property
    def label(self) -> str:
        """Its Chinese name (the `types:` table of theme/strings/zh.yml)."""
        return self.labels("zh")

    def labels(self, lang: str) -> str:
        return type_labels(lang).get(self.name, self.name)

    @cached_property  # asked for every text of every file by the privacy guard
    def markdown_paths(self) -> tuple[tuple[str, ...], ...]:
        """Its Markdown fields as paths: `reply.text` → ("reply", "text")."""
        return tuple(tuple(name.split(".")) for name in self.markdown)


def field_value(model: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` in a model (None where a part on the way is missing)."""
    value = model
    for key in path:
        value = getattr(value, key, None) if value is not None else None
    return value


def field_title(model: Any, path: tuple[str, ...]) -> str:
    """The Chinese title of the field at `path` (its name when it has none)."""
    cls = type(model)
    for key in path[:-1]:
        model = getattr(model, key, None)
        if model is None:
            return path[-1]
        cls = type(model)
    info = cls.model_fields.get(path[-1])
    return (info.title if info is not None else None) or path[-1]


def _year(today: dt.date) -> int:
    return today.year


def _last_year(today: dt.date) -> int:
    return today.year - 1


def _month(today: dt.date) -> str:
    return f"{today:%Y-%m}"


def _thirty_days_on(today: dt.date) -> dt.date:
    """The last day of a 30-day period from today (征求意见期不少于 30 日)."""
    return today + dt.timedelta(days=consultation.MIN_DAYS - 1)


TYPES: dict[str, ContentType] = {
    t.name: t
    for t in (
        ContentType("article", Article, suffix=".md", about="通知公告、政策文件、工作动态、年报等：通用字段加正文"),
        ContentType("duty", duty.Duty, about="机构概况、主要职责、内设机构"),
        ContentType(
            "fee", fee.Fee, about="执收单位及其收费项目、标准和依据",
            datasets=(
                Dataset(
                    "fees", "行政事业性收费目录", "每个收费项目一行", ("index_no", "title", "department"),
                    rows="items", formats=("csv",), title_label="收费目录标题",
                ),
            ),
        ),  # fmt: skip
        ContentType(
            "procedure", procedure.Procedure, procedure.check, about="事项的全部要素：依据、条件、材料、流程、时限、收费",
            rules=(
                "承诺时限不得超过法定时限（procedure-days）",
                "各环节时限之和不得超过法定时限（procedure-steps）",
                "收费写索引号时，须是本站一条收费条目的索引号（procedure-fee）",
            ),
            links=("fee_item",),
            datasets=(
                Dataset(
                    "procedures", "办事指南", "各办事事项的全部要素",
                    ("index_no", "title", "publisher", "published", "service"), title_label="事项名称",
                ),
            ),
        ),  # fmt: skip
        ContentType(
            "budget", budget.Budget, budget.check, about="预算或决算的表格（可嵌套到款、项）和“三公”经费",
            rules=(
                "每一行的金额等于其明细之和，误差不超过 0.01（budget-sum）",
                "同一张表的收入总计等于支出总计（budget-balance）",
                "“三公”经费合计等于各项之和（budget-three-public）",
            ),
            markdown=("body", "notes"),
            datasets=(
                Dataset(
                    "budgets", "预算、决算", "各预决算表格，科目逐级嵌套",
                    ("index_no", "title", "publisher", "fiscal_year", "stage", "unit", "published", "tables",
                     "three_public"),
                ),
            ),
            examples={"fiscal_year": _year},
        ),  # fmt: skip
        ContentType(
            "appointment", appointment.Appointment, appointment.check, about="干部任前公示：公示对象、公示期、反映渠道",
            rules=(
                "公示期不少于 5 个工作日，节假日和调休上班日按国家安排计算（notice-too-short）",
                "结束日期不早于开始日期（notice-order）；同时写结束日期和工作日数时两者一致（notice-days）",
                "节假日安排未知的年份无法计算工作日（calendar-unknown-year）",
            ),
            window=appointment.window,
            persons=("persons",),
        ),  # fmt: skip
        ContentType(
            "work_report", work_report.WorkReport, about="一个月的工作计划与完成情况对照", examples={"period": _month}
        ),
        ContentType(
            "consultation", consultation.Consultation, consultation.check, suffix=".md",
            about="草案征求意见（预公开）：征求意见期及实时状态、反馈渠道、草案或起草说明、意见采纳情况",
            rules=(
                "截止日期不早于开始日期（consultation-order）；少于 30 日给出警告（consultation-short）",
                "收到意见条数等于采纳、部分采纳、未采纳之和（consultation-counts）",
                "反馈日期在截止日期之后（consultation-report-early）",
            ),
            markdown=("body", "feedback_report.summary"),
            window=consultation.window,
            examples={"end": _thirty_days_on},
        ),  # fmt: skip
        ContentType(
            "procurement", procurement.Procurement, procurement.check,
            about="政府采购公告：项目、采购方式、品目、预算、中标（成交）结果；栏目页按年统计，并作为开放数据发布",
            rules=(
                "中标（成交）金额不超过预算金额（procurement-over-budget）",
                "单一来源采购须写单一来源理由（procurement-single-source）",
                "结果公告、合同公告须写中标（成交）结果（procurement-result-missing）",
                "确定日期不晚于发布日期（procurement-dates）",
            ),
            category_stats=procurement.category_stats,
            datasets=(
                Dataset(
                    "procurement", "政府采购", "采购项目、方式、品目、预算及中标（成交）结果，金额单位为万元",
                    ("index_no", "title", "publisher", "published"), formats=("json", "csv"),
                    nested=("project", "result"), enum_labels=True,
                ),
            ),
        ),  # fmt: skip
        ContentType(
            "letter", letter.LetterItem, letter.check,
            about="群众留言及本机关的公开答复：答复用时按工作日计算（收到留言次日起算，节假日除外）；栏目页按年统计",
            rules=(
                "答复日期不早于留言日期、不晚于发布日期（letter-order）",
                "答复用时超过 site_config.yml 中 letters.reply_days 个工作日时给出警告（letter-late）",
                "节假日安排未知的年份无法计算工作日（calendar-unknown-year）",
            ),
            markdown=("body", "letter.question", "reply.text"),
            category_stats=letter.category_stats,
        ),  # fmt: skip
        ContentType(
            "annual_report", annual_report.AnnualReport, suffix=".md",
            about="国办公开办函〔2021〕30号格式的年报：正文为“一、总体情况”，二、三、四部分的表格由内容和申请登记计算",
            rules=(
                "写出的数字与按内容计算的不一致时给出警告，指出两个数字（annual-figure）",
                "申请情况表每一列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度（annual-arithmetic）",
            ),
            markdown=("body", "problems", "other"),
            computed=annual_report.computed, scaffold=annual_report.scaffold,
            datasets=(
                Dataset(
                    "annual-reports", "政府信息公开工作年度报告", "各年报第二、三、四部分的表格（2021 年格式）",
                    ("index_no", "title", "year", "published"), computed=annual_report.Figures,
                ),
            ),
            examples={"year": _last_year},  # a 年报 is written in January for the year before
        ),  # fmt: skip
    )
}
