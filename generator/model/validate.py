"""Validate a normalised document against its model; map every error to its file line.

pydantic reports `loc = ("service", "steps", 2, "days")`; the document knows where
that value stands in the file. Messages are rewritten for editors, in Chinese, naming
the field by both its English key and its Chinese label.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.load.aliases import AliasProblem, field_specs
from generator.load.documents import RawDocument


def _labels(model: type[BaseModel], loc: tuple) -> str:
    """`service.steps[2].days` → `事项 › 办理流程 › 第 3 项 › 时限 (service.steps[2].days)`."""
    names, dotted, current = [], "", model
    for part in loc:
        if isinstance(part, int):
            names.append(f"第 {part + 1} 项")
            dotted += f"[{part}]"
            continue
        spec = field_specs(current).get(part) if current else None
        names.append(spec.zh if spec else str(part))
        dotted += ("." if dotted else "") + str(part)
        current = spec.model if spec else None
    return f"{' › '.join(names)}（{dotted}）" if names else "文件"


SHOWN_CHARS = 40  # a value quoted in a message is cut to this many characters
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")  # `1,000.00`


def _shown(given: Any) -> str:
    """The value as the editor wrote it, cut short: a 5000-digit number is not repeated."""
    text = given if isinstance(given, str) else repr(given) if not isinstance(given, int) else str(given)
    if len(text) > SHOWN_CHARS:
        text = f"{text[:SHOWN_CHARS]}…（共 {len(text)} 个字符）"
    return f"“{text}”" if isinstance(given, str) else text


def _range(bounds: dict) -> str:
    """`0 至 99` from the bounds of a field (`ge`, `gt`, `le`, `lt`)."""
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    if low is not None and high is not None:
        return f"允许的范围是 {low} 至 {high}"
    return f"应不小于 {low}" if low is not None else f"应不大于 {high}"


def _describe(error: dict, bounds: dict | None = None) -> tuple[str, str]:
    """(what is wrong, what to write instead) for one pydantic error; `bounds` are the
    field's numeric limits, when it has any."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    shown = _shown(given)
    bounds = bounds or {}
    if isinstance(given, str) and _THOUSANDS.match(given.strip()) and kind.startswith(("int_", "decimal_", "float_")):
        return f"{shown} 用了千分位逗号", f"数字不写千分位逗号：写成 {given.strip().replace(',', '')}"
    if kind == "missing":
        return "缺少必填字段", "补上这个字段"
    if kind in _DATE_ERRORS:
        return f"{shown} 不是有效日期", "写成 YYYY-MM-DD 格式的真实日期，如 2024-05-06"
    if kind == "int_parsing_size":
        return f"{shown} 位数太多，不是合理的数", _range(bounds) if bounds else "写一个合理大小的整数"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown} 不是整数", "写一个整数，不带单位"
    if kind == "finite_number":
        return f"{shown} 不是有限的数", "写一个具体的数字"
    if kind == "decimal_max_places":
        return f"{shown} 的小数位数太多", f"最多保留 {ctx.get('decimal_places')} 位小数"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type", "decimal_max_digits"):
        return f"{shown} 不是数字", "写一个数字，如 1200.50，不带单位和千分位逗号"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown} 不是“是/否”", "写 true（是）或 false（否）"
    if kind in ("string_type",):
        return f"应为一段文字，而不是 {type(given).__name__}", "写成一行文字；多行文字用 | 开头"
    if kind in ("list_type",):
        return "应为列表", "每项一行，以 “- ” 开头"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "应为“键: 值”形式的字段组", "在下一行缩进两个空格写各个子字段"
    if kind == "enum":
        return f"{shown} 不是可选值", f"可选：{ctx.get('expected', '')}"
    if kind in ("too_short",):
        return "至少要有一项", "补充内容"
    if kind in ("string_too_short",):
        return "不能为空", "填写内容"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{shown} 太小", _range(bounds or ctx)
    if kind in ("less_than_equal", "less_than"):
        return f"{shown} 太大", _range(bounds or ctx)
    if kind == "extra_forbidden":
        return "未知字段", ""
    if kind == "value_error":
        cause = ctx.get("error", error["msg"])
        return str(cause), getattr(cause, "hint", "")
    return error["msg"], ""


def validate(doc: RawDocument, model: type[BaseModel]) -> tuple[Any, list[AliasProblem]]:
    """Return (model instance or None, problems)."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            # A failed Union or Annotated branch adds a type name to `loc`: drop it.
            loc = tuple(part for part in loc if isinstance(part, int) or part in _all_fields(model, loc))
            what, hint = _describe(error, _bounds(model, loc))
            if error["type"] == "enum":
                choices = _enum_choices(model, loc)
                hint = f"可选：{choices}" if choices else hint
            pos = doc.key_pos(loc) if error["type"] in ("missing", "extra_forbidden") else doc.pos(loc)
            if error["type"] == "missing":
                pos = doc.key_pos(loc[:-1]) if loc[:-1] else doc.pos(())
            code = _code(error)
            problems.append(AliasProblem(code, f"{_labels(model, loc)}：{what}", pos, hint))
        return None, problems


_DATE_ERRORS = {"date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"}


def _code(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing-field"
    if kind in _DATE_ERRORS:
        return "invalid-date"
    if kind == "enum":
        return "invalid-choice"
    given = error.get("input")
    if isinstance(given, str) and _THOUSANDS.match(given.strip()) and kind.startswith(("int_", "decimal_", "float_")):
        return "number-format"
    if kind in _RANGE_ERRORS:
        return "out-of-range"
    cause = (error.get("ctx") or {}).get("error")
    return getattr(cause, "code", "invalid-value")


_RANGE_ERRORS = {
    "greater_than_equal", "greater_than", "less_than_equal", "less_than", "int_parsing_size", "finite_number",
}  # fmt: skip


def _field_at(model: type[BaseModel], loc: tuple):
    """The pydantic `FieldInfo` of the field at `loc` (list indexes skipped), or None."""
    from generator.load.aliases import nested_model

    current, info = model, None
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        info = current.model_fields[part]
        current = nested_model(info.annotation)
    return info


def _bounds(model: type[BaseModel], loc: tuple) -> dict:
    """The numeric limits (`ge`, `gt`, `le`, `lt`) of the field at `loc`, to name both ends."""
    info = _field_at(model, loc)
    if info is None:
        return {}
    found: dict = {}
    pending = list(info.metadata)
    pending += [m for arg in typing.get_args(info.annotation) for m in getattr(arg, "__metadata__", ())]
    for item in pending:
        pending.extend(getattr(item, "metadata", ()))  # a `Field(…)` inside `Annotated`
        for name in ("ge", "gt", "le", "lt"):
            if getattr(item, name, None) is not None:
                found[name] = getattr(item, name)
    return found


def _enum_choices(model: type[BaseModel], loc: tuple) -> str:
    """`valid（有效） | repealed（废止） | …` for the bilingual enum field at `loc`, if it is one."""
    from enum import Enum

    info = _field_at(model, loc)
    pending = [info.annotation] if info is not None else []
    while pending:
        kind = pending.pop()
        if isinstance(kind, type) and issubclass(kind, Enum) and hasattr(kind, "choices"):
            return kind.choices()
        pending.extend(typing.get_args(kind))
    return ""


def _all_fields(model: type[BaseModel], loc: tuple) -> set[str]:
    """Every field name reachable along `loc` (to tell field names from type tags)."""
    names, current = set(), model
    for part in loc:
        if current is None or isinstance(part, int):
            continue
        specs = field_specs(current)
        names.update(specs)
        current = specs[part].model if part in specs else current
    return names
