"""Chinese keys → English keys, in the place the schema gives them, with positions kept.

The alias table is read from the models themselves: a field's `title` is its Chinese
label, `json_schema_extra["aliases"]` lists further accepted spellings. Unknown keys are
reported with the closest known key; a field written twice (say `title:` and `标题:`)
is reported naming both lines.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache

from pydantic import BaseModel

from generator.load.documents import RawDocument
from generator.problems import Found


@dataclass(frozen=True)
class FieldSpec:
    name: str
    zh: str
    aliases: tuple[str, ...]
    model: type[BaseModel] | None  # the nested schema of a mapping (or list of mappings)
    description: str


AliasProblem = Found  # (model/validate.py's name) the one shape of a problem not yet tied to a file (problems.py)


def nested_model(annotation) -> type[BaseModel] | None:
    """The BaseModel inside `X`, `X | None`, `list[X]`, `Annotated[X, …]`, if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return nested_model(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = nested_model(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


@cache
def field_specs(model: type[BaseModel]) -> dict[str, FieldSpec]:
    specs = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        specs[name] = FieldSpec(
            name=name,
            zh=info.title or name,
            aliases=tuple(extra.get("aliases", ())),
            model=nested_model(info.annotation),
            description=info.description or "",
        )
    return specs


@cache
def key_table(model: type[BaseModel]) -> dict[str, str]:
    """Every accepted spelling of every key of `model` → the field name."""
    table = {}
    for spec in field_specs(model).values():
        table[spec.name] = spec.name
        table[spec.zh] = spec.name
        for alias in spec.aliases:
            table[alias] = spec.name
    return table


# Words editors write for a key by meaning, not by spelling: `发布时间` is 发布日期 (difflib
# would say 发布机构, which shares more characters). Whole keys first, then single words
# replaced inside a key; a suggestion is made only when the result is a key of the model.
SYNONYMS = {
    "发布时间": "发布日期", "公布日期": "发布日期", "公开日期": "发布日期", "发文日期": "成文日期",
    "印发日期": "成文日期", "签发日期": "成文日期", "成文时间": "成文日期", "文号": "发文字号",
    "发文号": "发文字号", "字号": "发文字号", "公文字号": "发文字号", "题目": "标题", "名称": "标题",
    "关键词": "主题词", "关键字": "主题词", "摘要": "内容概述", "概述": "内容概述", "简介": "内容概述",
    "发布单位": "发布机构", "发文机关": "发布机构", "发布部门": "发布机构", "来源": "发布机构",
    "分类": "主题分类", "主题": "主题分类", "效力": "有效性", "状况": "状态", "编号": "索引号",
    "date": "published", "publish_date": "published", "pub_date": "published", "doc_number": "doc_no",
    "docno": "doc_no", "number": "doc_no", "abstract": "summary", "tags": "keywords", "source": "publisher",
}  # fmt: skip
WORD_SYNONYMS = {"时间": "日期", "日子": "日期", "单位": "机构", "部门": "机构", "期限": "时限", "天数": "时限"}


def _by_meaning(key: str, table: dict[str, str]) -> str | None:
    """The accepted spelling `key` means, by the synonym tables, if the model has it."""
    found = SYNONYMS.get(key.lower(), SYNONYMS.get(key))
    if found in table:
        return found
    for word, meant in WORD_SYNONYMS.items():
        if word in key and key.replace(word, meant) in table:
            return key.replace(word, meant)
    return None


def suggest(key: str, model: type[BaseModel]) -> str:
    table = key_table(model)
    meant = _by_meaning(key, table)
    close = [meant] if meant else get_close_matches(key, list(table), n=1, cutoff=0.5)
    if close:
        name = table[close[0]]
        spec = field_specs(model)[name]
        return f"是不是“{close[0]}”（{spec.name} / {spec.zh}）？"
    keys = "、".join(f"{s.name}（{s.zh}）" for s in field_specs(model).values() if s.name != "body")
    return f"这里可以写的字段：{keys}"


def normalize(doc: RawDocument, model: type[BaseModel]) -> list[Found]:
    """Rewrite `doc.data` and its positions to English keys. Returns the problems found."""
    problems: list[Found] = []
    for path, first, second in doc.duplicates:
        problems.append(
            Found(
                "duplicate-key",
                f"字段“{path[-1]}”写了两次（第 {first[0]} 行和第 {second[0]} 行）",
                second,
                "删除其中一个",
            )
        )
    if _named(doc.data, model):
        return problems  # (most files) nothing to rename or drop: the data and positions stand
    positions, key_positions = {}, {}
    doc.data = _mapping(doc, doc.data, model, (), (), positions, key_positions, problems)
    doc.positions, doc.key_positions = positions, key_positions
    return problems


def _named(data: dict, model: type[BaseModel]) -> bool:
    """Whether every key of `data`, and of the mappings below it that have a schema, is
    already its field's own name, with a value: `_mapping` would then make the same data
    and the same positions again (a key left empty is dropped, so it needs the walk)."""
    table, specs = key_table(model), field_specs(model)
    for key, value in data.items():
        if value is None or table.get(key) != key:
            return False
        inner = specs[key].model
        if inner is not None and not _named_values(value, inner):
            return False
    return True


def _named_values(value, model: type[BaseModel]) -> bool:
    """`_named` of a field's value: a mapping, or the mappings in a list (as `_copy` goes)."""
    if isinstance(value, dict):
        return _named(value, model)
    if isinstance(value, list):
        for child in value:  # (a loop: `all` of a generator costs more than the walk it saves)
            if not _named_values(child, model):
                return False
    return True


def _copy(doc: RawDocument, value, model, src: tuple, dst: tuple, pos: dict, kpos: dict, problems: list):
    if src in doc.positions:
        pos[dst] = doc.positions[src]
    if isinstance(value, dict):
        if model is not None:
            return _mapping(doc, value, model, src, dst, pos, kpos, problems)
        for key, child in value.items():
            if src + (key,) in doc.key_positions:
                kpos[dst + (key,)] = doc.key_positions[src + (key,)]
            value[key] = _copy(doc, child, None, src + (key,), dst + (key,), pos, kpos, problems)
        return value
    if isinstance(value, list):
        return [_copy(doc, child, model, src + (i,), dst + (i,), pos, kpos, problems) for i, child in enumerate(value)]
    return value


def _mapping(doc, data: dict, model, src: tuple, dst: tuple, pos: dict, kpos: dict, problems: list) -> dict:
    if src in doc.positions:
        pos[dst] = doc.positions[src]
    table, specs = key_table(model), field_specs(model)
    result: dict = {}
    written_as: dict[str, str] = {}
    for key, value in data.items():
        key_pos = doc.key_positions.get(src + (key,), doc.pos(src))
        name = table.get(key)
        if name is None:
            hint = suggest(key, model)
            if "：" in key or ":" in key:
                hint = "键和值之间要用半角冒号加空格（如 `标题: …`），不要用全角冒号“：”"
            problems.append(Found("unknown-key", f"未知字段“{key}”", key_pos, hint))
            continue
        if name in written_as:
            first_line = kpos[dst + (name,)][0]
            problems.append(
                Found(
                    "duplicate-key",
                    f"字段“{written_as[name]}”和“{key}”是同一个字段（{name}），"
                    f"写了两次（第 {first_line} 行和第 {key_pos[0]} 行）",
                    key_pos,
                    "只保留其中一个",
                )
            )
            continue
        written_as[name] = key
        kpos[dst + (name,)] = key_pos
        if value is None:
            continue  # `key:` left empty means "not given": the default applies
        result[name] = _copy(doc, value, specs[name].model, src + (key,), dst + (name,), pos, kpos, problems)
    return result
