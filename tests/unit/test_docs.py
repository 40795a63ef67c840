"""docs/content-model.md is generated from the models (`gongkai docs`): it must say what the
models say, and nothing in the repository may point outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from generator.config import SiteConfigModel
from generator.docs import content_model_markdown
from generator.model.base import Item
from generator.model.registry import TYPES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "content-model.md"


def test_the_committed_document_is_what_the_models_generate():
    assert DOC.read_text(encoding="utf-8") == content_model_markdown(), (
        "docs/content-model.md is out of date: run `gongkai docs -o docs/content-model.md`"
    )


def _rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\| `([^`]+)` \| (.*) \|$", line)
        if m:
            rows.setdefault(m.group(1), []).append(m.group(2))
    return rows


def test_every_field_of_every_type_is_documented_with_its_chinese_label():
    text = content_model_markdown()
    rows = _rows(text)
    for t in TYPES.values():
        assert f"### {t.name} · {t.label}" in text
        for name, info in t.model.model_fields.items():
            assert name in rows, f"{t.name}.{name} is missing"
            assert any(r.startswith(f"{info.title} |") for r in rows[name]), (t.name, name, rows[name])
    for name in SiteConfigModel.model_fields:
        assert name in rows


def test_enum_values_required_fields_and_bounds_are_read_from_the_models():
    rows = _rows(content_model_markdown())
    validity = rows["validity"][0]
    assert "`valid` 有效" in validity and "`repealed` 废止" in validity and "`expired` 失效" in validity
    title = rows["title"][0].split(" | ")
    assert title[2] == "是" and Item.model_fields["title"].is_required()
    assert "≥ 0" in rows["service.materials[].copies"][0]
    assert "至少 1 项" in rows["service.materials"][0]
    assert rows["published"][0].split(" | ")[1] == "日期 YYYY-MM-DD"


def test_the_checks_of_a_type_are_listed():
    text = content_model_markdown()
    procedure = text.split("### procedure")[1].split("### ")[0]
    assert "procedure-days" in procedure and "procedure-fee" in procedure


def test_the_command_writes_the_file(tmp_path):
    out = tmp_path / "docs" / "model.md"
    from generator.cli import main

    assert main(["docs", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == content_model_markdown()


def test_nothing_in_the_repository_links_outside_it():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for rel in tracked:
        path = ROOT / rel
        if (
            path.suffix not in {".md", ".py", ".html", ".yml", ".yaml", ".toml", ".js", ".css", ""}
            or not path.is_file()
        ):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "../shared" in text and rel != "tests/unit/test_docs.py":
            offenders.append(rel)
    assert offenders == []
