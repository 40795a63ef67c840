"""The content types: one place that names each type's model, checks and file form.

Adding a type means writing its module (model + optional `check`) and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from generator.model import appointment, budget, duty, fee, procedure, work_report
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

    def __post_init__(self):
        object.__setattr__(self, "template", self.template or f"item/{self.name}.html")


TYPES: dict[str, ContentType] = {
    t.name: t
    for t in (
        ContentType("article", "文章", Article, suffix=".md"),
        ContentType("duty", "机构职能", duty.Duty),
        ContentType("fee", "行政事业性收费", fee.Fee),
        ContentType("procedure", "办事指南", procedure.Procedure, procedure.check),
        ContentType("budget", "预决算", budget.Budget, budget.check),
        ContentType("appointment", "任前公示", appointment.Appointment, appointment.check),
        ContentType("work_report", "工作计划与总结", work_report.WorkReport),
    )
}
