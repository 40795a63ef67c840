"""fee (行政事业性收费): the charging unit and its fee items as published."""

from __future__ import annotations

from generator.model.base import Amount, Item, Schema, Visible, label


class FeeRow(Schema):
    name: Visible = label("项目名称", "收费项目名称")
    standard: str | None = label("收费标准", "收费标准（按公布的文字）", None)
    amount: Amount | None = label("金额", "金额（数字，可选）", None)
    unit: str | None = label("计量单位", "如 元/件", None)
    basis: str | None = label("收费依据", "收费依据文件", None)
    management: str | None = label("资金管理方式", "如 缴入国库", None)
    level: str | None = label("设立级次", "中央 | 省 | 市 | 县", None)
    note: str | None = label("备注", "备注", None)


class Fee(Item):
    department: str | None = label("执收单位", "执收单位", None)
    items: list[FeeRow] = label("收费项目", "收费项目列表", min_length=1)
