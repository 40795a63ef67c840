"""work_report (工作计划与总结): a month's plans set against their results."""

from __future__ import annotations

from generator.model.base import Item, Month, Schema, Visible, ZhEnum, label


class TaskStatus(ZhEnum):
    done = ("done", "已完成")
    partial = ("partial", "部分完成")
    not_done = ("not_done", "未完成")
    carried_over = ("carried_over", "转下期")


class Plan(Schema):
    task: Visible = label("工作任务", "工作任务")
    target: str | None = label("目标", "目标", None)
    owner: str | None = label("责任部门", "责任部门", None)
    result: str | None = label("完成情况", "完成情况", None)
    status: TaskStatus | None = label("状态", "done 已完成 | partial 部分完成 | not_done 未完成 | carried_over 转下期", None)


class WorkReport(Item):
    period: Month = label("期间", "计划所属月份 YYYY-MM")
    plans: list[Plan] = label("工作计划", "工作计划：task 工作任务, target 目标, owner 责任部门, result 完成情况, status 状态", min_length=1)

    @property
    def completion_rate(self) -> float | None:
        """Share of tasks done, among tasks whose status is known."""
        known = [p for p in self.plans if p.status is not None]
        if not known:
            return None
        return sum(p.status is TaskStatus.done for p in known) / len(known)
