"""`gongkai new`: a template for every type that, once numbered, passes `gongkai check`."""

from __future__ import annotations

import datetime as dt
import types

import pytest

import generator.cli
from generator import scaffold
from generator.model.registry import TYPES
from helpers import CATEGORY_OF, make_config

TODAY = dt.date(2024, 6, 3)  # a Monday in a year the holiday calendar knows


class _FrozenDate(dt.date):
    @classmethod
    def today(cls):
        return TODAY


@pytest.fixture
def frozen_today(monkeypatch):
    """`gongkai new` dates the file today: freeze it so the appointment notice period
    always falls in a year the holiday calendar knows."""
    monkeypatch.setattr(generator.cli, "dt", types.SimpleNamespace(date=_FrozenDate))


@pytest.mark.parametrize("zh", [False, True], ids=["en", "zh"])
@pytest.mark.parametrize("ctype", sorted(TYPES))
def test_new_then_number_passes_check(make_site, frozen_today, ctype, zh):
    site = make_site({}, register=False)
    args = ["--zh"] if zh else []
    created = site.run("new", CATEGORY_OF[ctype], "关于 2024 年工作的说明", *args)
    assert created.code == 0, created.err
    rel = created.out.strip()
    suffix = TYPES[ctype].suffix
    assert rel == f"content/{CATEGORY_OF[ctype]}/2024/2024-06-03-关于-2024-年工作的说明{suffix}"
    text = site.read(rel).decode("utf-8")
    assert ("标题: 关于 2024 年工作的说明" if zh else "title: 关于 2024 年工作的说明") in text
    assert ("发布日期: 2024-06-03" if zh else "published: 2024-06-03") in text
    assert ("title:" not in text) if zh else ("标题:" not in text.replace("# 标题", ""))

    before_check = site.check()
    assert before_check.codes() == {"index-missing"}  # the only thing left to do is numbering
    numbered = site.run("number")
    assert numbered.code == 0, numbered.err
    after = site.read(rel).decode("utf-8")
    assert after.count("索引号: " if zh else "index_no: ") == 1
    result = site.check()
    assert result.problems == [], result.problems
    assert result.code == 0


def test_every_type_in_one_site(make_site, frozen_today):
    site = make_site({}, register=False)
    for ctype in sorted(TYPES):
        for zh in (False, True):
            assert site.run("new", CATEGORY_OF[ctype], f"{ctype} 模板", *(["--zh"] if zh else [])).code == 0
    assert site.run("number").code == 0
    result = site.check()
    assert result.problems == [] and result.code == 0
    loaded, _ = site.load()
    assert len(loaded.entries) == 2 * len(TYPES)
    assert {e.type for e in loaded.entries} == set(TYPES)


def test_template_values_are_read_back(make_site, frozen_today):
    site = make_site({}, register=False)
    title = '通知: 关于 #1 号 "文件" [重要] 的说明'
    rel = site.run("new", "notices", title).out.strip()
    site.run("number")
    loaded, problems = site.load()
    assert list(problems) == []
    (entry,) = loaded.entries
    assert entry.title == title
    assert entry.rel == rel
    assert entry.published == TODAY


def test_same_title_twice_gets_a_new_file(make_site, frozen_today):
    site = make_site({}, register=False)
    first = site.run("new", "notices", "春节通知").out.strip()
    second = site.run("new", "notices", "春节通知").out.strip()
    third = site.run("new", "notices", "春节通知").out.strip()
    assert first.endswith("2024-06-03-春节通知.md")
    assert second.endswith("2024-06-03-春节通知-2.md")
    assert third.endswith("2024-06-03-春节通知-3.md")


def test_new_into_a_nested_category(make_site, frozen_today):
    categories = "categories:\n  - key: finance\n    title: 财政\n    type: article\n    children:\n      - key: budgets\n        title: 预算\n        type: budget\n"
    site = make_site({}, config=make_config(categories=categories), register=False)
    created = site.run("new", "budgets", "2024年预算")
    assert created.code == 0
    assert site.run("number").code == 0
    assert site.check().problems == []


def test_new_usage_errors(make_site):
    site = make_site({}, register=False)
    unknown = site.run("new", "notice", "x")
    assert unknown.code == 2 and "是不是 notices" in unknown.err
    assert site.run("new", "notices", "   ").code == 2
    assert list((site.path / "content").iterdir()) == []


@pytest.mark.parametrize("ctype", sorted(TYPES))
def test_template_names_every_field(ctype):
    model = TYPES[ctype].model
    text = scaffold.render(TYPES[ctype], "标题", today=TODAY)
    for name in model.model_fields:
        if name not in scaffold.SKIP:
            assert f"{name}:" in text, name
    zh = scaffold.render(TYPES[ctype], "标题", zh=True, today=TODAY)
    for name, info in model.model_fields.items():
        if name not in scaffold.SKIP:
            assert f"{info.title}:" in zh, info.title


def test_markdown_template_shape():
    text = scaffold.render(TYPES["article"], "通知", today=TODAY)
    assert text.startswith("---\ntitle: 通知")
    assert "\n---\n\n" in text


@pytest.mark.parametrize(
    "title, expected",
    [
        ("关于 2024 年春节/放假的通知!", "关于-2024-年春节-放假的通知"),
        ("Annual Report 2024", "Annual-Report-2024"),
        ("!!!", "item"),
        ("长" * 40, "长" * 30),
        ("a" * 29 + " b", "a" * 29),
    ],
)
def test_slug(title, expected):
    assert scaffold.slug(title) == expected
