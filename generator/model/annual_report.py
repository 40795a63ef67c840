"""annual_report (政府信息公开工作年度报告): the 2021 format of 国办公开办函〔2021〕30号.

The body is section 一、总体情况. Sections 二 and 四 are written in the front matter; every
figure left out is computed (generator/annual.py): section 二's 规章 and 规范性文件 from the
items of categories with `counts_as`, section 三 wholly from the private request log, the
totals of section 四. A written figure that contradicts the computed one is a warning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from generator.model.base import Amount, Item, Schema, label

Count = int | None


class Documents(Schema):
    issued: Count = label("本年制发件数", "本年制发件数；不写则按本栏目统计口径计算", None, ge=0)
    repealed: Count = label("本年废止件数", "本年废止件数；不写则按有效性变更日期计算", None, ge=0)
    in_force: Count = label("现行有效件数", "年底现行有效件数；不写则计算", None, ge=0)


class Proactive(Schema):
    rules: Documents | None = label("规章", "规章：issued 本年制发件数, repealed 本年废止件数, in_force 现行有效件数", None)
    normative: Documents | None = label("行政规范性文件", "行政规范性文件：issued, repealed, in_force（同上）", None)
    licensing: Count = label("行政许可", "行政许可 本年处理决定数量", None, ge=0)
    penalty: Count = label("行政处罚", "行政处罚 本年处理决定数量", None, ge=0)
    enforcement: Count = label("行政强制", "行政强制 本年处理决定数量", None, ge=0)
    fees_collected: Amount | None = label("行政事业性收费", "行政事业性收费 本年收费金额（万元）", None, ge=0)


class Results(Schema):
    upheld: int = label("结果维持", "结果维持（件）", 0, ge=0)
    corrected: int = label("结果纠正", "结果纠正（件）", 0, ge=0)
    other: int = label("其他结果", "其他结果（件）", 0, ge=0)
    pending: int = label("尚未审结", "尚未审结（件）", 0, ge=0)

    @property
    def total(self) -> int:
        return self.upheld + self.corrected + self.other + self.pending


class Reviews(Schema):
    review: Results | None = label("行政复议", "行政复议：upheld, corrected, other, pending", None)
    litigation_direct: Results | None = label("未经复议直接起诉", "行政诉讼：未经复议直接起诉", None)
    litigation_after_review: Results | None = label("复议后起诉", "行政诉讼：复议后起诉", None)


class AnnualReport(Item):
    year: int = label("报告年度", "报告年度，如 2024", ge=2008, le=2100)
    proactive: Proactive | None = label("主动公开政府信息情况", "二、主动公开：不写的数字由内容计算", None)
    reviews: Reviews | None = label("行政复议、行政诉讼情况", "四、行政复议、行政诉讼：不写为 0，总计自动计算", None)
    problems: str | None = label("存在的主要问题及改进情况", "五、存在的主要问题及改进情况（Markdown）", None)
    other: str | None = label("其他需要报告的事项", "六、其他需要报告的事项（Markdown）", None)


class Figures(Schema):
    """The tables as published in the open data (data/annual-reports.json): counts only,
    nothing of the request log but its counts (`computed` below)."""

    proactive: dict[str, dict[str, int] | int | Decimal | None] = Field(title="二、主动公开政府信息情况")
    requests: dict[str, dict[str, int]] = Field(title="三、收到和处理政府信息公开申请情况（行 → 申请人 → 件数）")
    reviews: dict[str, dict[str, int]] = Field(title="四、行政复议、行政诉讼情况")


def computed(item: AnnualReport, site: Any, report: Any) -> dict:
    """`ContentType.computed`: the three tables (generator/annual.py) the page and the open
    data show. Written figures that contradict the computed ones are a warning; a column
    of the request table that does not balance is an error."""
    from generator.annual import compute

    tables = compute(item, site)
    for loc, written, value in tables.contradictions:
        label_text = "、".join(str(p) for p in loc)
        report.warning(
            loc, "annual-figure",
            f"{item.year} 年报“{tables.names[loc]}”写的是 {written}，按内容计算是 {value}（{label_text}）",
            "核对内容或登记；删除这个数字则使用计算值",
        )  # fmt: skip
    for column, left, right in tables.unbalanced:
        report.error(
            ("year",), "annual-arithmetic",
            f"{item.year} 年报申请情况表“{column}”列：本年新收 + 上年结转 = {left}，办理结果总计 + 结转下年度 = {right}",
            "每一列应满足 新收 + 上年结转 = 办理结果总计 + 结转下年度；核对申请登记",
        )  # fmt: skip
    return tables.as_dict()


def scaffold(site: Any, text: str, today) -> str:
    """`gongkai new`: the report is for last year; the figures computed now from the site and
    the request log are written beside `proactive` as comments, for the editor to read."""
    import re

    from generator.annual import compute

    year = today.year - 1  # as `examples` wrote it (model/registry.py)
    if site is None:
        return text
    t = compute(AnnualReport(title="-", published=today, year=year), site)
    p, r = t.proactive, t.requests
    notes = [
        f"# 按本站内容和申请登记计算的 {year} 年数字（不写则自动使用；写了不同的数字会得到警告）：",
        *(f"#   {name}：本年制发 {p[k]['issued']}，本年废止 {p[k]['repealed']}，现行有效 {p[k]['in_force']}"
          for k, name in (("rules", "规章"), ("normative", "行政规范性文件"))),
        f"#   申请：本年新收 {r['new']['total']}，上年结转 {r['carried_in']['total']}，"
        f"办理结果总计 {r['total']['total']}，结转下年度 {r['carried_out']['total']}",
    ]  # fmt: skip
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if re.match(r"#? ?(proactive|主动公开政府信息情况):", line)), 1)
    return "\n".join(lines[:at] + notes + lines[at:])
