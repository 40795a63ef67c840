"""duty (机构职能): the organisation card, its duties and its internal departments."""

from __future__ import annotations

from generator.model.base import Item, Schema, TextList, Visible, label


class OrganizationCard(Schema):
    name: Visible = label("名称", "机构名称")
    leader: str | None = label("负责人", "负责人姓名", None)
    address: str | None = label("办公地址", "办公地址", None)
    phone: str | None = label("联系电话", "办公电话", None)
    hours: str | None = label("办公时间", "如 工作日 8:30-12:00, 13:30-17:00", None)


class Department(Schema):
    name: Visible = label("名称", "内设机构名称")
    head: str | None = label("负责人", "负责人", None)
    phone: str | None = label("联系电话", "办公电话", None)
    duties: TextList = label("职责", "职责列表", [])


class Duty(Item):
    organization: OrganizationCard = label("机构", "机构信息：name 名称, leader 负责人, address 办公地址, phone 联系电话, hours 办公时间")
    duties: TextList = label("主要职责", "主要职责列表", min_length=1)
    departments: list[Department] = label("内设机构", "内设机构：name 名称, head 负责人, phone 联系电话, duties 职责", [])
