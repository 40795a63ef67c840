"""budget (预算 / 决算): tables of nested rows, the “三公”经费, and their arithmetic."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import model_validator

from generator.model.base import Amount, Item, Schema, Visible, ZhEnum, label

if TYPE_CHECKING:
    from generator.model.protocol import Report

TOLERANCE = Decimal("0.01")


class Stage(ZhEnum):
    budget = ("budget", "预算")
    final = ("final", "决算")


class Row(Schema):
    code: str | None = label("科目编码", "功能分类科目编码，如 201、20103", None)
    item: Visible = label("项目", "项目名称")
    amount: Amount = label("金额", "金额")
    children: list["Row"] = label("明细", "下级科目（款、项）", [])


class Table(Schema):
    name: Visible = label("表名", "如 收支总表")
    income: list[Row] = label("收入", "收入行", [])
    expenditure: list[Row] = label("支出", "支出行", [])
    rows: list[Row] = label("行", "表格行", [])
    note: str | None = label("说明", "本表说明（如本表无数据的原因）", None)


class ThreePublic(Schema):
    overseas: Amount = label("因公出国（境）费", "因公出国（境）费", Decimal(0), aliases=("因公出国(境)费", "因公出国费"))
    vehicle_purchase: Amount = label("公务用车购置费", "公务用车购置费", Decimal(0))
    vehicle_operation: Amount = label("公务用车运行费", "公务用车运行费", Decimal(0))
    reception: Amount = label("公务接待费", "公务接待费", Decimal(0))
    total: Amount | None = label("合计", "合计（应等于以上四项之和）", None)

    @property
    def parts_sum(self) -> Decimal:
        return self.overseas + self.vehicle_purchase + self.vehicle_operation + self.reception


class Budget(Item):
    fiscal_year: int = label("预算年度", "预算年度，如 2024", ge=1949, le=2100)
    stage: Stage = label("类别", "budget 预算 | final 决算")
    unit: str = label("单位", "金额单位", "万元")
    tables: list[Table] = label("表格", "表格：name 表名, income 收入, expenditure 支出, rows 行", [])
    three_public: ThreePublic | None = label("“三公”经费", "“三公”经费", None, aliases=("三公经费", '"三公"经费'))
    notes: str | None = label("说明", "说明（Markdown）", None)

    @model_validator(mode="after")
    def _default_unit(self):
        self.unit = self.unit or "万元"
        return self


def _sum(rows: list[Row]) -> Decimal:
    return sum((row.amount for row in rows), Decimal(0))


def _check_rows(report: "Report", table: Table, rows: list[Row], path: tuple, unit: str) -> None:
    for i, row in enumerate(rows):
        if row.children:
            total = _sum(row.children)
            if abs(total - row.amount) > TOLERANCE:
                name = f"{row.code} {row.item}" if row.code else row.item
                report.error(
                    path + (i, "amount"), "budget-sum",
                    f"“{table.name}”中“{name}”的金额 {row.amount} {unit} 不等于其明细之和 {total} {unit}",
                    "上级科目金额应等于下级科目金额之和（允许 0.01 的舍入误差）",
                )  # fmt: skip
            _check_rows(report, table, row.children, path + (i, "children"), unit)


def check(budget: Budget, report: "Report") -> None:
    unit = budget.unit
    for t, table in enumerate(budget.tables):
        for part in ("income", "expenditure", "rows"):
            _check_rows(report, table, getattr(table, part), ("tables", t, part), unit)
        if table.income and table.expenditure:
            income, expenditure = _sum(table.income), _sum(table.expenditure)
            if abs(income - expenditure) > TOLERANCE:
                report.error(
                    ("tables", t, "expenditure"), "budget-balance",
                    f"“{table.name}”收入总计 {income} {unit} 不等于支出总计 {expenditure} {unit}",
                    "收支总表的收入合计应等于支出合计",
                )  # fmt: skip
    three = budget.three_public
    if three is not None and three.total is not None and abs(three.parts_sum - three.total) > TOLERANCE:
        report.error(
            ("three_public", "total"), "budget-three-public",
            f"“三公”经费合计 {three.total} {unit} 不等于各项之和 {three.parts_sum} {unit}",
            "合计 = 因公出国（境）费 + 公务用车购置费 + 公务用车运行费 + 公务接待费",
        )  # fmt: skip
