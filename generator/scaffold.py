"""`gongkai new`: a new item file with every field of its type, one comment per field.

The template is generated from the model, so it always matches the schema: required
fields get a value that passes validation (today's date, the title, `（填写…）` prompts),
optional fields are present and empty. A new file is a draft (`status: draft`): `check`
reports every prompt left in a published item (`template-prompt`, matched by `PROMPT`
below, the one definition of what a prompt looks like), so none goes live unfilled.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal
from enum import Enum
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.load.aliases import field_specs
from generator.model.base import Status
from generator.model.registry import ContentType
from generator.numbering import yaml_scalar

SKIP = {"index_no", "body"}  # numbered by `gongkai number`; the body follows the front matter

# The prompts the templates write where the editor must write. `PROMPT` matches every one
# of them (the field prompt with any label, the body prompt): `checks/prompts.py` uses it.
FIELD_PROMPT = ("（填写", "）")  # around the field's Chinese label: （填写姓名）
BODY_PROMPT = "（在这里用 Markdown 写正文。）"
PROMPT = re.compile(rf"{FIELD_PROMPT[0]}[^（）\n]{{1,40}}{FIELD_PROMPT[1]}|{re.escape(BODY_PROMPT)}")
DRAFT_NOTE = "新文件是草稿，不会发布；把所有“填写”提示换成实际内容后改为 published（已发布）"


def _base(annotation):
    """The innermost type of `X | None`, `Annotated[X, …]`."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base(typing.get_args(annotation)[0])
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is not None and origin is not list and args:
        return _base(args[0])
    return annotation


def _is_list(annotation) -> bool:
    return typing.get_origin(_base(annotation)) is list


def field_prompt(label: str) -> str:
    return f"{FIELD_PROMPT[0]}{label}{FIELD_PROMPT[1]}"


def _example(name: str, info: FieldInfo, today: dt.date, title: str, examples: dict):
    """A value for a required field that validates and tells the editor what to write:
    the field's own `example`, or the type's example of the day (`ContentType.examples`),
    or one made from the field's kind."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if name == "title":
        return title
    if name in examples:
        return examples[name](today)
    if "example" in extra:
        return extra["example"]
    kind = _base(info.annotation)
    if typing.get_origin(kind) is list:
        (inner,) = typing.get_args(kind) or (str,)
        inner = _base(inner)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return [inner]
        return [field_prompt(info.title)]
    if kind is dt.date:
        return today
    if kind is int:
        return 0
    if kind is Decimal:
        return Decimal(0)
    if kind is bool:
        return False
    if isinstance(kind, type) and issubclass(kind, Enum):
        return next(iter(kind))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind
    return field_prompt(info.title)


def _scalar(value, zh: bool = False) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):  # --zh: the Chinese value (有效, 预算 …), which the loader accepts
        return getattr(value, "label", value.value) if zh else value.value
    if isinstance(value, (int, Decimal, bool)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return yaml_scalar(str(value))


def _emit(
    model: type[BaseModel], zh: bool, indent: str, today: dt.date, title: str, lines: list[str], examples: dict,
    first_prefix: str = "", off: bool = False, seen: tuple = (),
) -> None:
    """Append the template lines of `model`'s fields. `off` comments the lines out (an
    optional group an editor fills in only when it applies, such as 撤销)."""
    specs = field_specs(model)
    prefix = first_prefix or indent
    seen = seen + (model,)
    mark = "# " if off else ""
    for name, info in model.model_fields.items():
        if name in SKIP:
            continue
        spec = specs[name]
        key = spec.zh if zh else name
        note = spec.description if spec.description and spec.description != spec.zh else ""
        comment = f"  # {spec.zh}：{note}" if note else f"  # {spec.zh}"
        if zh and not note:
            comment = ""
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if _base(info.annotation) is Status:  # a new file waits as a draft until its prompts are filled in
            value = Status.draft.label if zh else Status.draft
            comment = f"  # {spec.zh}：{DRAFT_NOTE}"
        elif info.is_required():
            value = _example(name, info, today, title, examples)
        elif "example" in extra:
            value = extra["example"]
        elif info.default is not None and not isinstance(info.default, (list, dict)):
            value = info.default
        else:
            value = None
        nested, many = spec.model, _is_list(info.annotation)
        if isinstance(value, type):
            lines.append(f"{mark}{prefix}{key}:{comment}")
            _emit(value, zh, indent + "  ", today, title, lines, examples, off=off, seen=seen)
        elif isinstance(value, list) and value and isinstance(value[0], type):
            lines.append(f"{mark}{prefix}{key}:{comment}")
            item_prefix = indent + "  - "
            _emit(value[0], zh, indent + "    ", today, title, lines, examples, item_prefix, off=off, seen=seen)
        elif isinstance(value, list):
            lines.append(f"{mark}{prefix}{key}:{comment}")
            lines.extend(f"{mark}{indent}  - {_scalar(v, zh)}" for v in value)
        elif value is None and nested is not None:
            if many:  # an optional list of groups: empty, with one commented example
                lines.append(f"{mark}{prefix}{key}: []{comment}")
                if nested not in seen:  # budget rows nest rows: show one level
                    item_prefix = indent + "  - "
                    _emit(nested, zh, indent + "    ", today, title, lines, examples, item_prefix, off=True, seen=seen)
            else:
                lines.append(f"# {prefix}{key}:{comment}")
                _emit(nested, zh, indent + "  ", today, title, lines, examples, off=True, seen=seen)
        elif value is None:
            lines.append(f"{mark}{prefix}{key}:{' []' if many else ''}{comment}")
        else:
            lines.append(f"{mark}{prefix}{key}: {_scalar(value, zh)}{comment}")
        prefix = indent


def render(ctype: ContentType, title: str, zh: bool = False, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    lines: list[str] = []
    _emit(ctype.model, zh, "", today, title, lines, ctype.examples)
    text = "\n".join(lines) + "\n"
    if ctype.suffix == ".md":
        return f"---\n{text}---\n\n{BODY_PROMPT}\n"
    return text


def slug(title: str) -> str:
    """A file-name-safe form of the title: CJK, letters and digits kept, the rest dashes."""
    text = re.sub(r"[^\w\u4e00-\u9fff]+", "-", title).strip("-_")
    return text[:30].rstrip("-_") or "item"


def ascii_slug(title: str) -> str:
    """The title's ASCII words, lower case, joined by dashes ("" when it has no ASCII word
    with a letter): file names and URLs that every tool and server handles alike."""
    text = "-".join(re.findall(r"[A-Za-z0-9]+", title)).lower()[:30].strip("-")
    return text if re.search(r"[a-z]", text) else ""


def new_path(category_dir: Path, ctype: ContentType, title: str, today: dt.date, from_title: bool = False) -> Path:
    """The new file: `<year>/<date>-<ASCII slug>` or, for a title without ASCII words,
    `<year>/<date>-01`, `-02` …; with `from_title` the slug keeps the Chinese title. The
    title itself is in the file, so the name only has to be unique and stable."""
    folder = category_dir / f"{today.year}"
    name = slug(title) if from_title else ascii_slug(title)
    n = 0
    while True:
        n += 1
        if name:
            stem = f"{today.isoformat()}-{name}" + (f"-{n}" if n > 1 else "")
        else:
            stem = f"{today.isoformat()}-{n:02d}"
        path = folder / f"{stem}{ctype.suffix}"
        if not path.exists():
            return path
