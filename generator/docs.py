"""`gongkai docs`: the content model as a Markdown document, generated from the models.

Every field of `site_config.yml` and of each content type is read from its pydantic
model: the English key, the Chinese label (the field's `title`, also accepted as a key),
the kind of value, whether it is required, its bounds, the allowed values of an enum
(with their Chinese aliases), an example and the one-line description that `gongkai new`
writes as a comment. The checks of a type come from its registry entry. The file
`docs/content-model.md` of this repository is this output; a test holds it to the models.
"""

from __future__ import annotations

import datetime as dt
import typing
from decimal import Decimal
from enum import Enum

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.config import SiteConfigModel
from generator.model.base import Item
from generator.model.introspect import fields as _fields
from generator.model.introspect import is_list as _is_list
from generator.model.introspect import nested_model as _nested_model
from generator.model.introspect import strip as _strip
from generator.model.introspect import validator_names as _validator_names
from generator.model.registry import TYPES

HEADER = """\
# 内容模型 · Content model

<!-- 本文件由 `gongkai docs -o docs/content-model.md` 从 generator/model/ 的模型生成，请勿手改。
     Generated from the models by `gongkai docs`; do not edit by hand. -->

这是编辑与生成器之间的约定：编辑提交的文件，以及文件中的字段。每个字段都有英文键和中文名，
两者都可以作为键使用（`索引号:` 等同于 `index_no:`），同一字段不能写两次；选项的值也可以写中文
（`有效性: 废止`）。未知的键是错误（几乎总是笔误），`gongkai check` 会给出最接近的键。

The contract between editors and the generator. Every field has an English key and its
Chinese label, both accepted as keys; enum values accept their Chinese names too; unknown
keys are errors, reported with the closest known key.

## 文件 · Files

```
site_config.yml            每个站点一个：名称、机关、页脚、索引号、栏目
content/
  pages/                   自由页面（信息公开指南、关于本站……），Markdown，带 title，不编索引号
  attachments/             条目引用的附件（PDF、DOCX、XLSX、图片……），写作 attachments/…
  <栏目键>/                 site_config.yml 中每个栏目一个文件夹，可以有子文件夹
    任意名称.yml            结构化条目（全部字段写成 YAML）
    任意名称.md             YAML 头部（front matter）+ Markdown 正文
  .registry                已分配的索引号（gongkai number 维护，只增不改）
  .register                已发布版本的登记（gongkai publish 维护，只增不改）
```

一个文件就是一条公开信息。文件夹决定栏目，栏目决定类型，类型决定字段。日期写 `YYYY-MM-DD`，
年月写 `YYYY-MM`，金额写数字。

表中“必填”一栏：**是** = 必须填写；空白 = 可以不写。
"""


def content_model_markdown() -> str:
    """The whole document, deterministic (fields in model order, types in registry order)."""
    parts = [HEADER, "## site_config.yml\n", _table(SiteConfigModel), ""]
    parts += ["## 每个条目都有的字段 · Fields every item has\n", _table(Item), ""]
    parts.append("## 类型 · Types\n")
    parts.append("| 类型 type | 中文 | 文件 | 说明 |\n|---|---|---|---|")
    for t in TYPES.values():
        parts.append(f"| [`{t.name}`](#{t.name}) | {t.label} | `{t.suffix}` | {_cell(t.about)} |")
    parts.append("")
    for t in TYPES.values():
        form = "YAML 头部 + Markdown 正文（正文即 body）" if t.suffix == ".md" else "YAML"
        parts.append(f'<a id="{t.name}"></a>\n\n### {t.name} · {t.label}\n')
        parts.append(f"文件：`{t.suffix}`，{form}。除上面每个条目都有的字段外：\n")
        own = _table(t.model, skip=set(Item.model_fields))
        parts.append(own if own.count("\n") > 1 else "（没有其他字段。）")
        if t.rules:
            parts.append("\n检查（`gongkai check`）：\n")
            parts.extend(f"- {rule}" for rule in t.rules)
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


# --------------------------------------------------------------------------- tables


def _table(model: type[BaseModel], skip: set[str] = frozenset()) -> str:
    rows = ["| 键 key | 中文 | 值 | 必填 | 说明 | 示例 |", "|---|---|---|---|---|---|"]
    for path, info, annotation in _fields(model, ()):
        if path[0].removesuffix("[]") in skip:
            continue
        key = ".".join(path)
        required = "是" if info.is_required() else ""
        rows.append(
            f"| `{key}` | {_cell(info.title or '')} | {_cell(_kind(annotation, info))} | {required} "
            f"| {_cell(info.description or '')} | {_cell(_example(info))} |"
        )
    return "\n".join(rows)


def _kind(annotation, info: FieldInfo | None = None) -> str:
    """The kind of value in Chinese, with its bounds."""
    validators = _validator_names(annotation)
    base = _strip(annotation)
    if typing.get_origin(base) is list:
        (inner,) = typing.get_args(base) or (str,)
        nested, _ = _nested_model(base)
        word = "映射" if nested else _kind(inner)
        text = f"{word}的列表"
        if "_words" in validators:
            text += "（也可写成一行，用空格或顿号分隔）"
        elif "_text_list" in validators:
            text += "（只有一项时可直接写一段文字）"
    elif isinstance(base, type) and issubclass(base, Enum):
        text = "选项：" + " · ".join(f"`{m.value}` {getattr(m, 'label', '')}".rstrip() for m in base)
    elif isinstance(base, type) and issubclass(base, BaseModel):
        text = "映射（见下方各行）"
    elif base is dt.date:
        text = "日期 YYYY-MM-DD"
    elif base is bool:
        text = "是/否（true/false）"
    elif base is int:
        text = "整数"
    elif base in (Decimal, float):
        text = "数字"
    elif "_month" in validators:
        text = "年月 YYYY-MM"
    else:
        text = "文本"
    bounds = _bounds(info) if info is not None else ""
    return text + (f"，{bounds}" if bounds else "")


def _bounds(info: FieldInfo) -> str:
    words = []
    for meta in info.metadata:
        if isinstance(meta, Ge):
            words.append(f"≥ {meta.ge}")
        elif isinstance(meta, Gt):
            words.append(f"> {meta.gt}")
        elif isinstance(meta, Le):
            words.append(f"≤ {meta.le}")
        elif isinstance(meta, Lt):
            words.append(f"< {meta.lt}")
        elif isinstance(meta, MinLen) and meta.min_length:
            words.append(f"至少 {meta.min_length} 项" if _is_list(info) else f"至少 {meta.min_length} 个字")
        elif isinstance(meta, MaxLen):
            words.append(f"至多 {meta.max_length} 项" if _is_list(info) else f"至多 {meta.max_length} 个字")
        elif getattr(meta, "pattern", None):
            words.append(f"格式 `{meta.pattern}`")
    return "，".join(words)


def _example(info: FieldInfo) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    example = extra.get("example")
    if example is None and not info.is_required() and info.default_factory is None and info.default not in (None, [], ""):
        default = info.default
        example = default.value if isinstance(default, Enum) else default
        return f"默认 `{example}`" if not isinstance(example, bool) else f"默认 {'是' if example else '否'}"
    return f"`{example}`" if example is not None else ""


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()
