"""`gongkai schema`: JSON Schemas (draft 2020-12) for the files editors write, from the models.

An editor with VS Code (and the YAML extension, i.e. the YAML language server) gets
completion, the Chinese label and description of every field on hover, and red marks
where `gongkai check` would refuse the structure: an unknown key, a value that is not one
of an enum's, a missing required field. Every key is accepted under each of its
spellings — the English key, the Chinese label and any further alias, as the loader
accepts them (`load/aliases.py`) — and a rule refuses the same field given twice. Enums
list their English and Chinese values. Dates are strings `YYYY-MM-DD` (`format: date`),
as the YAML language server reads them.

The schemas describe structure only: what the checks compute across fields and items
(budget sums, working days, index numbers) stays with `gongkai check`. Where a type
accepts more than one form (a single paragraph for a list, `是`/`否` for true/false,
numbers where text is expected) the schema accepts the same forms, so that it never
refuses a file that `check` accepts.

A `.md` type's schema describes its front matter (the YAML between the `---` lines).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.config import Category, SiteConfigModel, walk_categories
from generator.load.aliases import field_specs
from generator.model import introspect
from generator.model.registry import TYPES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = "schemas"  # where the demo (and `gongkai init`) keep them, beside site_config.yml
CONFIG_SCHEMA = "site_config.schema.json"


def schema_file(type_name: str) -> str:
    return f"{type_name}.schema.json"


def all_schemas() -> dict[str, dict]:
    """{file name: schema} for every content type and for site_config.yml, in registry order."""
    found = {schema_file(t.name): model_schema(t.model, f"{t.label}（{t.name}）", _about(t)) for t in TYPES.values()}
    found[CONFIG_SCHEMA] = model_schema(SiteConfigModel, "站点配置 site_config.yml", "网站、机关、页脚、索引号和栏目")
    return found


def _about(ctype) -> str:
    form = "文件的 YAML 头部（front matter，两行 --- 之间）" if ctype.suffix == ".md" else "整个 YAML 文件"
    return f"{ctype.about}。本模式描述{form}；跨字段和跨条目的检查由 gongkai check 完成。"


def model_schema(model: type[BaseModel], title: str, description: str) -> dict:
    """The schema of a file whose top-level mapping is `model`."""
    defs: dict[str, dict] = {}
    root = _object(model, defs)
    schema = {"$schema": DRAFT, "title": title, "description": description, **root}
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def dumps(schema: dict) -> str:
    """Deterministic text of a schema: sorted nowhere (the order of the model is kept), UTF-8."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        path = folder / name
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------- objects


def _object(model: type[BaseModel], defs: dict) -> dict:
    """A mapping of `model`: one property per spelling, unknown keys refused, each field once."""
    properties: dict[str, dict] = {}
    rules: list[dict] = []
    for name, info in model.model_fields.items():
        spec = field_specs(model)[name]
        spellings = list(dict.fromkeys((name, spec.zh, *spec.aliases)))
        value = _field(info, defs, model, name)
        for spelling in spellings:
            properties[spelling] = value
        if len(spellings) > 1:  # the same field under two spellings is `duplicate-key`
            for i, spelling in enumerate(spellings[:-1]):
                others = [{"required": [other]} for other in spellings[i + 1 :]]
                rules.append({"if": {"required": [spelling]}, "then": {"not": {"anyOf": others}}})
        if info.is_required():
            rules.append({"anyOf": [{"required": [s]} for s in spellings]})
    schema: dict = {"type": "object", "properties": properties, "additionalProperties": False}
    if rules:
        schema["allOf"] = rules
    return schema


def _ref(model: type[BaseModel], defs: dict) -> dict:
    """Nested models are `$defs` entries (a budget row holds rows)."""
    name = model.__name__
    if name not in defs:
        defs[name] = {}  # placeholder: a model that refers to itself finds its name taken
        defs[name] = _object(model, defs)
    return {"$ref": f"#/$defs/{name}"}


def _field(info: FieldInfo, defs: dict, owner: type[BaseModel], name: str) -> dict:
    """A property: Chinese title and description, its value, an example or the default."""
    value = _value(info.annotation, info, defs)
    if owner is Category and name == "type":
        value = {"enum": list(TYPES)}  # a category's type: one of the registry's
    if introspect.is_optional(info.annotation) or not info.is_required():
        # `key:` left empty means "not given" (load/aliases.py): the default applies.
        value = {"anyOf": [value, {"type": "null"}]}
    schema = {"title": info.title or name, "description": info.description or info.title or name, **value}
    example = introspect.example(info)
    if example is None:  # dates and months: the form, as an example
        example = {"date": "2024-05-06", "month": "2024-05"}.get(introspect.kind(info.annotation))
    if example is not None:
        schema["examples"] = [introspect.json_value(example)]
    if not info.is_required() and info.default not in (None, [], "") and info.default_factory is None:
        schema["default"] = introspect.json_value(info.default)
    return schema


def _value(annotation, info: FieldInfo | None, defs: dict) -> dict:
    """The schema of a value (without title): by the kind of the annotation."""
    kind = introspect.kind(annotation)
    bounds = introspect.constraints(info, annotation)
    validators = introspect.validator_names(annotation)
    if kind == "list":
        inner = introspect.list_item(annotation)
        nested, _ = introspect.nested_model(annotation)
        items = _ref(nested, defs) if nested is not None else _value(inner, None, defs)
        schema: dict = {"type": "array", "items": items}
        if "min_length" in bounds:
            schema["minItems"] = bounds["min_length"]
        if "max_length" in bounds:
            schema["maxItems"] = bounds["max_length"]
        if validators & {"_words", "_text_list"}:  # one line of words, or a single paragraph
            return {"anyOf": [schema, {"type": "string"}]}
        return schema
    if kind == "enum":
        enum = introspect.strip(annotation)
        values = [m.value for m in enum] + [getattr(m, "label", m.value) for m in enum]
        names = " · ".join(f"{m.value}（{getattr(m, 'label', m.value)}）" for m in enum)
        return {"enum": list(dict.fromkeys(values)), "$comment": f"可选：{names}"}
    if kind == "model":
        return _ref(introspect.strip(annotation), defs)
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if kind == "month":
        return {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}
    if kind == "bool":
        if "_yes_no" in validators:
            return {"anyOf": [{"type": "boolean"}, {"enum": ["是", "否", "有", "无"]}]}
        return {"type": "boolean"}
    if kind in ("int", "number"):
        schema = {"type": "integer" if kind == "int" else "number"}
        for key, word in (("ge", "minimum"), ("gt", "exclusiveMinimum"), ("le", "maximum"), ("lt", "exclusiveMaximum")):
            if key in bounds:
                schema[word] = introspect.json_value(bounds[key])
        return schema
    # Text: numbers are accepted where text is expected (`coerce_numbers_to_str`: 邮编 310000).
    schema = {"type": ["string", "number"]}
    if "pattern" in bounds:
        schema = {"type": "string", "pattern": bounds["pattern"]}
    if "min_length" in bounds:
        schema["minLength"] = bounds["min_length"]
    if "max_length" in bounds:
        schema["maxLength"] = bounds["max_length"]
    return schema


# --------------------------------------------------------------------------- editors


def vscode_settings(config, schema_dir: str = SCHEMA_DIR) -> dict:
    """`.vscode/settings.json` of a site: every content folder's YAML files mapped to their
    type's schema (`yaml.schemas`), `site_config.yml` to its own. `.md` files are left out:
    the YAML language server does not read front matter (their schema is for other tools)."""
    globs: dict[str, list[str]] = {}
    for category in walk_categories(config.model.categories):
        ctype = TYPES[category.type]
        if ctype.suffix != ".yml":
            continue
        globs.setdefault(f"./{schema_dir}/{schema_file(ctype.name)}", []).append(f"content/{category.key}/**/*.yml")
    globs[f"./{schema_dir}/{CONFIG_SCHEMA}"] = ["site_config.yml"]
    return {"yaml.schemas": globs, "files.associations": {"*.yml": "yaml"}}


def modeline(file: Path, site_dir: Path, type_name: str, schema_dir: str = SCHEMA_DIR) -> str | None:
    """The `# yaml-language-server: $schema=…` line for a new `.yml` file (relative to it),
    when the site keeps its schemas in `schema_dir`; None for `.md` files and otherwise."""
    schema = site_dir / schema_dir / schema_file(type_name)
    if file.suffix != ".yml" or not schema.is_file():
        return None
    rel = os.path.relpath(schema, file.parent).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={rel}"
