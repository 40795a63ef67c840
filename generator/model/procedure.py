"""procedure (办事指南): every element of a service guide, and its domain checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.model.base import Item, Link, Schema, TextList, Visible, WorkingDays, YesNo, label

if TYPE_CHECKING:
    from generator.model.protocol import Report

MAX_COPIES = 99  # copies of one material
MAX_VISITS = 20  # visits in person (最多跑一次: 0 or 1)


class Material(Schema):
    name: Visible = label("材料名称", "材料名称")
    copies: int | None = label("份数", "份数", None, ge=0, le=MAX_COPIES)
    original: YesNo | None = label("是否原件", "true 原件 | false 复印件", None)
    form: str | None = label("表格", "空白表格文件，如 attachments/forms/apply.pdf", None)


class Step(Schema):
    name: Visible = label("环节名称", "如 受理、审查、决定")
    actor: str | None = label("办理主体", "办理人员或科室", None)
    days: WorkingDays | None = label("时限", "本环节时限（工作日）", None)


class Faq(Schema):
    q: str = label("问题", "问题")
    a: str = label("解答", "解答")


class Service(Schema):
    code: str | None = label("事项编码", "事项编码", None)
    kind: str = label("事项类型", "如 行政许可、公共服务")
    legal_basis: TextList = label("设定依据", "法律法规依据列表", min_length=1)
    conditions: TextList = label("申请条件", "申请条件列表", min_length=1)
    materials: list[Material] = label("申请材料", "申请材料：name 材料名称, copies 份数, original 是否原件, form 表格", min_length=1)
    steps: list[Step] = label("办理流程", "办理流程：name 环节名称, actor 办理主体, days 时限", min_length=1)
    legal_days: WorkingDays = label("法定时限", "法定办结时限（工作日）", example=20)
    promised_days: WorkingDays = label("承诺时限", "承诺办结时限（工作日），0 表示即办件", example=5)
    fee: str = label("收费", "不收费，或收费标准，或收费条目的索引号")
    location: str = label("办理地点", "办理地点")
    hours: str = label("办理时间", "办理时间")
    phone: str = label("咨询电话", "咨询电话")
    complaint_phone: str | None = label("投诉电话", "投诉电话", None)
    visits: int | None = label("到现场次数", "到现场次数", None, ge=0, le=MAX_VISITS)
    online_url: Link | None = label("网上办理", "网上办理地址", None)
    faq: list[Faq] = label("常见问题", "常见问题：q 问题, a 解答", [])


class Procedure(Item):
    service: Service = label("事项", "办事事项的全部要素")


def check(item: Procedure, report: "Report") -> None:
    service = item.service
    if service.promised_days > service.legal_days:
        report.error(
            ("service", "promised_days"), "procedure-days",
            f"承诺时限 {service.promised_days} 个工作日超过了法定时限 {service.legal_days} 个工作日",
            "承诺时限应小于或等于法定时限",
        )  # fmt: skip
    step_days = sum(step.days or 0 for step in service.steps)
    if step_days > service.legal_days:
        report.warning(
            ("service", "steps"), "procedure-steps",
            f"各环节时限合计 {step_days} 个工作日，超过法定时限 {service.legal_days} 个工作日",
            "核对各环节的 days",
        )  # fmt: skip
    fee = service.fee.strip()
    if report.is_index_no(fee):
        target = report.find(fee)
        if target is None:
            report.error(("service", "fee"), "procedure-fee", f"收费写的是索引号 {fee}，但没有这个索引号的条目", "填写已发布收费条目的索引号，或直接写收费标准")
        elif target.type != "fee":
            report.error(("service", "fee"), "procedure-fee", f"索引号 {fee} 指向的“{target.title}”不是收费条目")
        else:
            report.link("fee_item", target)
    for i, material in enumerate(service.materials):
        if material.form:
            report.check_file(("service", "materials", i, "form"), material.form)
