"""The type registry is the one home of a type (issue 14): every registered type has its
template, its labels in every UI language, a valid sample that renders, and no code
outside `generator/model/` asks for a type by name. Type checks speak the small `Report`
protocol, so each is tested here on its own, like a yamllint rule."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from generator.checks.protocol import Report
from generator.model import appointment, budget, procedure
from generator.model.capabilities import Window
from generator.model.registry import LANGUAGES, TYPES
from generator.render import THEME_DIR, templates
from generator.render.items import prepare
from helpers import CATEGORY_OF, VALID_ITEMS, item_path, num, with_index

GENERATOR = Path(__file__).resolve().parents[2] / "generator"


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_type_has_a_template_and_a_label_in_every_language(name):
    ctype = TYPES[name]
    assert (THEME_DIR / "gongkai" / ctype.template).is_file()
    for lang in LANGUAGES:
        strings = templates.load_strings(THEME_DIR, lang)
        assert strings["types"][name] == ctype.labels(lang) != name, (name, lang)
    assert re.search("[\u4e00-\u9fff]", ctype.label), "the Chinese label is Chinese"


def test_one_label_per_type_everywhere():
    """The docs and the pages name a type with the same words (文章 vs 文件 once)."""
    zh = templates.load_strings(THEME_DIR, "zh")["types"]
    assert {name: t.label for name, t in TYPES.items()} == zh
    doc = (GENERATOR.parent / "docs" / "content-model.md").read_text(encoding="utf-8")
    for name, t in TYPES.items():
        assert f"### {name} · {t.label}" in doc


def test_every_type_has_a_sample_category_and_a_valid_sample():
    assert set(CATEGORY_OF) == set(TYPES) == set(VALID_ITEMS)


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_sample_loads_without_problems_and_renders_through_its_template(make_site, name):
    site = make_site({item_path(name): with_index(VALID_ITEMS[name], num(2024, 1))})
    assert site.check().problems == []
    loaded, problems = site.load()
    (entry,) = loaded.entries
    assert entry.ctype is TYPES[name] and list(problems) == []
    prepare(entry)
    env = templates.make_env(THEME_DIR, templates.load_strings(THEME_DIR, "zh"))
    ctx = {}
    if entry.ctype.window is not None:
        window = entry.ctype.window(entry.model)
        ctx = {"window": window, "window_status": window.status(window.start)}
    html = templates.render_item(env, entry, ctx)
    assert entry.model.title in html


# Comparisons with a type's name: `type == "appointment"`, `"fee" != kind`, `type in ("budget", …)`.
_NAMES = "|".join(TYPES)
_BRANCH = re.compile(
    rf"""[!=]=\s*["']({_NAMES})["']|["']({_NAMES})["']\s*[!=]=|\bin\s*[(\[{{]\s*["']({_NAMES})["']"""
    rf"""|\.(type|ctype|kind)\s*===?\s*["']({_NAMES})["']"""
)


def test_no_branch_on_a_type_name_outside_the_model():
    found = []
    for path in sorted(GENERATOR.rglob("*")):
        if path.suffix not in (".py", ".html", ".js") or GENERATOR / "model" in path.parents:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _BRANCH.search(line):
                found.append(f"{path.relative_to(GENERATOR)}:{number}: {line.strip()}")
    assert found == []


def test_the_branch_pattern_finds_what_it_is_for():
    assert _BRANCH.search('if entry.type == "appointment":')
    assert _BRANCH.search("{% if item.type == 'budget' %}")
    assert _BRANCH.search('if (node.kind === "fee") {')
    assert _BRANCH.search('if kind in ("budget", "fee"):')
    assert not _BRANCH.search('ctype = TYPES[section.type]')


# ---------------------------------------------------------------------------
# the check protocol: each type check on its own, given a model and a Report


class Recorded:
    """A `Report` that keeps what a check tells it (and knows one other item)."""

    def __init__(self, others: dict | None = None):
        self.problems: list[tuple] = []
        self.links: dict = {}
        self.files: list = []
        self.others = others or {}

    def error(self, loc, code, message, hint=""):
        self.problems.append(("error", loc, code, message))

    def warning(self, loc, code, message, hint=""):
        self.problems.append(("warning", loc, code, message))

    def check_file(self, loc, ref):
        self.files.append((loc, ref))

    def is_index_no(self, text):
        return bool(re.fullmatch(r"\d{4}-\d{5}", text))

    def find(self, index_no):
        return self.others.get(index_no)

    def link(self, name, target):
        self.links[name] = target


def _model(name: str, **over):
    data = yaml.safe_load(VALID_ITEMS[name].removeprefix("---\n").split("\n---\n")[0])
    data.update(over)
    return TYPES[name].model.model_validate(data)


def test_recorded_speaks_the_protocol():
    assert {m for m in dir(Report) if not m.startswith("_")} <= set(dir(Recorded))


def test_appointment_check_reports_and_leaves_the_model_as_written():
    item = _model("appointment", notice={"start": dt.date(2024, 6, 3), "working_days": 3})
    before = item.model_dump()
    report = Recorded()
    appointment.check(item, report)
    assert [(p[1], p[2]) for p in report.problems] == [(("notice", "working_days"), "notice-too-short")]
    assert item.model_dump() == before  # nothing derived into the model
    assert appointment.window(item) == Window(dt.date(2024, 6, 3), dt.date(2024, 6, 5), 3)
    wrong_order = _model("appointment", notice={"start": dt.date(2024, 6, 3), "end": dt.date(2024, 6, 1)})
    report = Recorded()
    appointment.check(wrong_order, report)
    assert [p[2] for p in report.problems] == ["notice-order"]


def test_budget_check_points_at_the_row():
    rows = [{"code": "201", "item": "一般公共服务支出", "amount": "10", "children": [{"item": "行政运行", "amount": "9"}]}]
    report = Recorded()
    budget.check(_model("budget", tables=[{"name": "支出表", "rows": rows}], three_public=None), report)
    assert [(p[1], p[2]) for p in report.problems] == [(("tables", 0, "rows", 0, "amount"), "budget-sum")]
    assert "201 一般公共服务支出" in report.problems[0][3]
    rows[0]["amount"] = "9.005"  # within the tolerance of 0.01
    report = Recorded()
    budget.check(_model("budget", tables=[{"name": "支出表", "rows": rows}], three_public=None), report)
    assert report.problems == []


def test_procedure_check_links_the_fee_item_it_names():
    fee_entry = type("Found", (), {"type": "fee", "title": "不动产登记收费"})()
    item = _model("procedure")
    service = item.service.model_dump()
    service["fee"] = "2024-00002"
    report = Recorded({"2024-00002": fee_entry})
    procedure.check(_model("procedure", service=service), report)
    assert report.problems == [] and report.links == {"fee_item": fee_entry}
    other = type("Found", (), {"type": "article", "title": "通知"})()
    report = Recorded({"2024-00002": other})
    procedure.check(_model("procedure", service=service), report)
    assert [p[2] for p in report.problems] == ["procedure-fee"] and report.links == {}
    report = Recorded()
    procedure.check(_model("procedure", service=service), report)
    assert [p[2] for p in report.problems] == ["procedure-fee"]
