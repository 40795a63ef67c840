"""Reading the models: what kind of value each field takes, its bounds, its nested model.

One walker for everything generated from the models: the content-model document
(`docs.py`), the authoring JSON Schemas (`schema.py`) and the web editor's configuration
(`cms.py`). Each reads a field's annotation through `kind()` and its metadata through
`constraints()`, so the three can never disagree on what a field is.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from enum import Enum

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo


def strip(annotation):
    """`X | None` → X; `Annotated[X, …]` → X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def nested_model(annotation) -> tuple[type[BaseModel] | None, bool]:
    """The model of a mapping field, or of the items of a list field, and whether it is a list."""
    annotation = strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation) or (None,)
        inner = strip(inner)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, True
    return None, False


def fields(model: type[BaseModel], prefix: tuple[str, ...] = ()):
    """(key path, field info, annotation) of every field, nested mappings after their parent;
    list items are written `key[].sub`."""
    for name, info in model.model_fields.items():
        path = prefix + (name,)
        yield path, info, info.annotation
        nested, is_list = nested_model(info.annotation)
        if nested is not None and nested is not model:
            yield from fields(nested, prefix + (name + ("[]" if is_list else ""),))


def annotated_metadata(annotation) -> list:
    """Every `Annotated[…]` argument inside `annotation` (validators, `Field(ge=…)` …)."""
    found = []
    stack = [annotation]
    while stack:
        current = stack.pop()
        if typing.get_origin(current) is typing.Annotated:
            args = typing.get_args(current)
            found.extend(args[1:])
            stack.append(args[0])
        elif typing.get_origin(current) in (typing.Union, types.UnionType):
            stack.extend(typing.get_args(current))
    return found


def validator_names(annotation) -> set[str]:
    """Names of the validator functions of an annotated type (`_month`, `_words` …)."""
    names: set[str] = set()
    for arg in annotated_metadata(annotation):
        func = getattr(arg, "func", None)
        if func is not None:
            names.add(getattr(func, "__name__", ""))
    return names


def is_list(info: FieldInfo) -> bool:
    return typing.get_origin(strip(info.annotation)) is list


def is_optional(annotation) -> bool:
    """Whether `None` is one of the values (`X | None`)."""
    stack = [annotation]
    while stack:
        current = stack.pop()
        origin = typing.get_origin(current)
        if origin is typing.Annotated:
            stack.append(typing.get_args(current)[0])
        elif origin in (typing.Union, types.UnionType):
            if type(None) in typing.get_args(current):
                return True
    return False


def kind(annotation) -> str:
    """The kind of value: `list`, `enum`, `model`, `date`, `bool`, `int`, `number`, `month`
    (YYYY-MM) or `text`."""
    base = strip(annotation)
    if typing.get_origin(base) is list:
        return "list"
    if isinstance(base, type) and issubclass(base, Enum):
        return "enum"
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "model"
    if base is dt.date:
        return "date"
    if base is bool:
        return "bool"
    if base is int:
        return "int"
    if base in (Decimal, float):
        return "number"
    if "_month" in validator_names(annotation):
        return "month"
    return "text"


def list_item(annotation):
    """The annotation of the items of a list field."""
    (inner,) = typing.get_args(strip(annotation)) or (str,)
    return inner


def constraints(info: FieldInfo | None, annotation=None) -> dict:
    """The bounds of a field, by JSON Schema keyword meaning: `ge`, `gt`, `le`, `lt`,
    `min_length`, `max_length`, `pattern` (from the field and its annotated type)."""
    found: dict = {}
    metadata = list(info.metadata) if info is not None else []
    for meta in annotated_metadata(annotation if annotation is not None else info.annotation):
        metadata.extend(getattr(meta, "metadata", []) or [])  # Field(ge=…) inside Annotated
    for meta in metadata:
        for cls, key in ((Ge, "ge"), (Gt, "gt"), (Le, "le"), (Lt, "lt")):
            if isinstance(meta, cls):
                found.setdefault(key, getattr(meta, key))
        if isinstance(meta, MinLen) and meta.min_length:
            found.setdefault("min_length", meta.min_length)
        elif isinstance(meta, MaxLen):
            found.setdefault("max_length", meta.max_length)
        elif getattr(meta, "pattern", None):
            found.setdefault("pattern", meta.pattern)
    return found


def example(info: FieldInfo):
    """The example `gongkai new` writes for the field (`label(…, example=…)`), or None."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return extra.get("example")


def json_value(value):
    """A default, example or bound as JSON: enums by value, amounts as numbers, dates as text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
