"""procurement (政府采购): a procurement notice — project, method, category, budget, stage,
result — its checks and the category page's statistics per year (its open dataset is
declared with the type in registry.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from generator.model.base import Amount, Date, Item, Schema, Visible, ZhEnum, label

if TYPE_CHECKING:
    from generator.model.protocol import Report


class Method(ZhEnum):
    open_tender = ("open_tender", "公开招标")
    invited_tender = ("invited_tender", "邀请招标")
    competitive_negotiation = ("competitive_negotiation", "竞争性谈判")
    competitive_consultation = ("competitive_consultation", "竞争性磋商")
    inquiry = ("inquiry", "询价")
    single_source = ("single_source", "单一来源")
    framework = ("framework", "框架协议")
    other = ("other", "其他")


class Category(ZhEnum):
    goods = ("goods", "货物")
    works = ("works", "工程")
    services = ("services", "服务")


class Stage(ZhEnum):
    intent = ("intent", "采购意向")
    notice = ("notice", "采购公告")
    change = ("change", "更正公告")
    result = ("result", "中标（成交）结果")
    termination = ("termination", "终止公告")
    contract = ("contract", "合同公告")


RESULT_STAGES = (Stage.result, Stage.contract)


class Project(Schema):
    code: str | None = label("项目编号", "采购项目编号，如 QSCG-2024-015", None)
    name: Visible = label("项目名称", "采购项目名称")
    method: Method = label("采购方式", Method.choices())
    category: Category = label("采购品目", Category.choices())
    budget: Amount = label("预算金额", "预算金额（万元）", ge=0)
    stage: Stage = label("公告类型", Stage.choices())
    single_source_reason: str | None = label("单一来源理由", "采用单一来源方式的理由（单一来源时必填）", None)


class Result(Schema):
    supplier: Visible = label("中标（成交）供应商", "中标（成交）供应商名称")
    amount: Amount = label("中标（成交）金额", "中标（成交）金额（万元），不超过预算", ge=0)
    date: Date = label("确定日期", "确定中标（成交）供应商的日期 YYYY-MM-DD")


class Procurement(Item):
    project: Project = label(
        "采购项目",
        "采购项目：code 项目编号, name 项目名称, method 采购方式, category 采购品目, budget 预算金额, "
        "stage 公告类型",
    )
    result: Result | None = label(
        "中标（成交）结果", "结果公告、合同公告必填：supplier 供应商, amount 金额, date 确定日期", None
    )


def check(item: Procurement, report: Report) -> None:
    """Award within budget; a reason for a single source; a result for result/contract; dates in order."""
    model = item
    project, result = model.project, model.result
    if project.method is Method.single_source and not project.single_source_reason:
        report.error(
            ("project", "method"), "procurement-single-source",
            "采购方式为单一来源，但没有写单一来源理由",
            "在 project 下加上 single_source_reason（单一来源理由），说明为何只能从唯一供应商处采购",
        )  # fmt: skip
    if result is None:
        if project.stage in RESULT_STAGES:
            report.error(
                ("project", "stage"), "procurement-result-missing",
                f"公告类型为“{project.stage.label}”，但没有写中标（成交）结果",
                "加上 result: {supplier: 供应商, amount: 金额（万元）, date: 确定日期}",
            )  # fmt: skip
        return
    if result.amount > project.budget:
        report.error(
            ("result", "amount"), "procurement-over-budget",
            f"中标（成交）金额 {result.amount} 万元超过预算金额 {project.budget} 万元",
            "成交金额不得超过采购预算；检查金额单位是否都是万元",
        )  # fmt: skip
    if result.date > model.published:
        report.error(
            ("result", "date"), "procurement-dates",
            f"确定日期 {result.date} 晚于发布日期 {model.published}：结果要先确定才能公告",
            "检查确定日期和发布日期",
        )  # fmt: skip


def _rate(budget: Decimal, award: Decimal) -> Decimal | None:
    """Savings rate (budget − award) / budget, as a fraction; None without a budget."""
    return (budget - award) / budget if budget else None


def _row(label_text: str, rows: list[Procurement]) -> dict:
    budget = sum((m.project.budget for m in rows), Decimal(0))
    award = sum((m.result.amount for m in rows), Decimal(0))
    return {"label": label_text, "count": len(rows), "budget": budget, "award": award, "rate": _rate(budget, award)}


def awarded(entries: list[Any]) -> list[Any]:
    """The notices that carry an award (result or contract stage), one per project code:
    a contract notice of a project already counted by its result notice is not counted again."""
    seen, out = set(), []
    for entry in sorted(entries, key=lambda e: (e.model.published, e.url)):
        m = entry.model
        if m.result is None or m.project.stage not in RESULT_STAGES:
            continue
        key = m.project.code or entry.url
        if key in seen:
            continue
        seen.add(key)
        out.append(entry)
    return out


def category_stats(entries: list[Any], site: Any) -> list[dict]:
    """Per year of the award (newest first): totals, by method and by category."""
    years: dict[int, list[Procurement]] = {}
    for entry in awarded(entries):
        years.setdefault(entry.model.result.date.year, []).append(entry.model)
    out = []
    for year in sorted(years, reverse=True):
        models = years[year]
        by_method = [_row(m.label, [x for x in models if x.project.method is m]) for m in Method]
        by_category = [_row(c.label, [x for x in models if x.project.category is c]) for c in Category]
        out.append(
            {
                "year": year,
                "total": _row("合计", models),
                "by_method": [r for r in by_method if r["count"]],
                "by_category": [r for r in by_category if r["count"]],
            }
        )
    return out
