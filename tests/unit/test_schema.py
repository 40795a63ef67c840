"""`gongkai schema`: the authoring JSON Schemas hold the demo content, refuse what `check`
refuses for structure, and accept Chinese keys — checked with a real validator."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from generator import scaffold, schema
from generator.config import walk_categories
from generator.load.aliases import field_specs
from generator.load.documents import split_front_matter
from generator.model import introspect
from generator.model.registry import TYPES
from helpers import CATEGORY_OF, VALID_ITEMS, run_cli

DEMO = Path(__file__).resolve().parents[2]
SCHEMAS = schema.all_schemas()


class _TextDates(yaml.SafeLoader):
    """YAML as the YAML language server hands it to a schema: dates stay text."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _instance(text: str, suffix: str):
    if suffix == ".md":
        text = split_front_matter(text)[0]
    return yaml.load(text, Loader=_TextDates)


def _errors(name: str, instance) -> list[str]:
    validator = Draft202012Validator(SCHEMAS[name], format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def test_every_schema_is_a_valid_draft_2020_12_schema():
    assert set(SCHEMAS) == {f"{t}.schema.json" for t in TYPES} | {"site_config.schema.json"}
    for name, found in SCHEMAS.items():
        Draft202012Validator.check_schema(found)
        assert found["$schema"] == "https://json-schema.org/draft/2020-12/schema", name


def test_every_property_has_a_chinese_title_and_description():
    def walk(node, where):
        if isinstance(node, dict):
            for key, prop in node.get("properties", {}).items():
                assert prop.get("title") and prop.get("description"), f"{where}.{key}"
                assert any("\u4e00" <= ch <= "\u9fff" for ch in prop["title"]), f"{where}.{key}: {prop['title']}"
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for name, found in SCHEMAS.items():
        walk(found, name)


def test_enums_list_english_and_chinese_values():
    validity = SCHEMAS["article.schema.json"]["properties"]["validity"]["anyOf"][0]["enum"]
    assert {"valid", "有效", "repealed", "废止", "expired", "失效"} <= set(validity)
    stage = SCHEMAS["budget.schema.json"]["properties"]["类别"]["enum"]
    assert {"budget", "预算", "final", "决算"} == set(stage)


def test_every_demo_file_and_the_demo_config_validate():
    config = yaml.load((DEMO / "site_config.yml").read_text(encoding="utf-8"), Loader=_TextDates)
    assert _errors("site_config.schema.json", config) == []
    from generator.config import load_config
    from generator.problems import Problems

    site = load_config(DEMO, Problems())
    checked = 0
    for category in walk_categories(site.model.categories):
        ctype = TYPES[category.type]
        for path in sorted((DEMO / "content" / category.key).rglob(f"*{ctype.suffix}")):
            errors = _errors(schema.schema_file(ctype.name), _instance(path.read_text(encoding="utf-8-sig").replace("\r\n", "\n"), path.suffix))
            assert errors == [], f"{path.relative_to(DEMO)}: {errors}"
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("type_name", list(TYPES))
def test_a_file_with_chinese_keys_validates(type_name, make_site):
    """`gongkai new --zh` writes every field under its Chinese key: check and schema accept it."""
    ctype = TYPES[type_name]
    text = scaffold.render(ctype, "测试标题", zh=True, today=dt.date(2024, 6, 3))
    instance = _instance(text, ctype.suffix)
    assert any("\u4e00" <= key[0] <= "\u9fff" for key in instance)
    assert _errors(schema.schema_file(type_name), instance) == []


# --------------------------------------------------------------------------- refusals


def _mutations(node: dict, model, path: tuple = ()):
    """(what, change) for every structural slip of a valid item: each required field left
    out, each enum given a value it does not have, an unknown key, a field written under
    both spellings — at the top and in every nested mapping the item has (`node` at `path`)."""
    specs = field_specs(model)
    for key, value in list(node.items()):
        name = next(n for n, s in specs.items() if key in (n, s.zh, *s.aliases))
        info = model.model_fields[name]
        if info.is_required():
            yield f"{path + (key,)} missing", _change(path, lambda m, k=key: m.pop(k))
        if introspect.kind(info.annotation) == "enum":
            yield f"{path + (key,)} bad enum", _change(path, lambda m, k=key: m.__setitem__(k, "不存在的选项"))
        nested, many = introspect.nested_model(info.annotation)
        if nested is not None and isinstance(value, (dict, list)):
            for i, child in enumerate(value if many else [value]):
                yield from _mutations(child, nested, path + (key,) + ((i,) if many else ()))
        twin = specs[name].zh if key == name else name
        yield f"{path + (key,)} twice", _change(path, lambda m, k=key, t=twin: m.__setitem__(t, m[k]))
    yield f"{path} unknown key", _change(path, lambda m: m.__setitem__("未知字段", "x"))


def _change(path: tuple, change):
    """A function that applies `change` to the mapping at `path` of a copy of an item."""

    def apply(item: dict) -> dict:
        item = copy.deepcopy(item)
        node = item
        for part in path:
            node = node[part]
        change(node)
        return item

    return apply


@pytest.mark.parametrize("type_name", list(TYPES))
def test_what_check_refuses_for_structure_the_schema_refuses(type_name, make_site):
    ctype = TYPES[type_name]
    text = VALID_ITEMS[type_name]
    item = _instance(text, ctype.suffix)
    body = split_front_matter(text)[1] if ctype.suffix == ".md" else None
    assert _errors(schema.schema_file(type_name), item) == []
    site = make_site()
    rel = f"content/{CATEGORY_OF[type_name]}/bad{ctype.suffix}"
    cases = list(_mutations(item, ctype.model))
    assert len(cases) > 5
    structural = {"missing-field", "invalid-choice", "unknown-key", "duplicate-key", "invalid-value"}
    for what, change in cases:
        changed = change(item)
        dumped = yaml.safe_dump(changed, allow_unicode=True, sort_keys=False)
        site.write(rel, f"---\n{dumped}---\n{body}" if body is not None else dumped)
        codes = {p["code"] for p in site.check().errors() if p["path"] == rel}
        assert codes & structural, f"{what}: check accepted it ({codes})"
        assert _errors(schema.schema_file(type_name), changed), f"{what}: the schema accepted what check refuses"


# --------------------------------------------------------------------------- command and editors


def test_schema_command_writes_the_schemas_and_the_demo_keeps_them(tmp_path):
    result = run_cli("schema", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(SCHEMAS)
    for name in written:
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert json.loads(text) == SCHEMAS[name]
        assert (DEMO / schema.SCHEMA_DIR / name).read_text(encoding="utf-8") == text, (
            f"{schema.SCHEMA_DIR}/{name} is stale: run gongkai schema -o {schema.SCHEMA_DIR}"
        )


def test_demo_vscode_settings_map_every_yaml_folder_to_its_schema():
    from generator.config import load_config
    from generator.problems import Problems

    config = load_config(DEMO, Problems())
    settings = json.loads((DEMO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings == schema.vscode_settings(config)
    mapped = {glob: target for target, globs in settings["yaml.schemas"].items() for glob in globs}
    for category in walk_categories(config.model.categories):
        if TYPES[category.type].suffix == ".yml":
            target = mapped[f"content/{category.key}/**/*.yml"]
            assert target == f"./schemas/{category.type}.schema.json"
            assert (DEMO / target).is_file()


def test_new_writes_the_schema_line_for_yaml_files(make_site):
    site = make_site()
    schema.write_schemas(site.path / schema.SCHEMA_DIR)
    result = site.run("new", "fees", "Test fee")
    assert result.code == 0, result.err
    written = site.path / result.out.strip()
    first = written.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schemas/fee.schema.json"
    assert (written.parent / first.split("=", 1)[1]).resolve() == (site.path / "schemas/fee.schema.json").resolve()
    article = site.run("new", "notices", "Test notice")
    assert (site.path / article.out.strip()).read_text(encoding="utf-8").startswith("---\n")
