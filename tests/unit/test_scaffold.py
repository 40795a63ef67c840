"""`gongkai new`: a template for every type that, once numbered, passes `gongkai check`."""

from __future__ import annotations

import datetime as dt
import re
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


def _value_part(line: str) -> str:
    """A template line without its comment (comments may mention 填写)."""
    return line.split("  #", 1)[0] if not line.lstrip().startswith("#") else ""


def _prompt_lines(text: str) -> list[int]:
    """The lines where the template asks the editor to write something."""
    return [n for n, line in enumerate(text.splitlines(), 1) if "（填写" in _value_part(line) or "（在这里" in line]


def _publish(text: str, zh: bool) -> str:
    return text.replace("状态: 草稿", "状态: 已发布") if zh else text.replace("status: draft", "status: published")


@pytest.mark.parametrize("zh", [False, True], ids=["en", "zh"])
@pytest.mark.parametrize("ctype", sorted(TYPES))
def test_new_writes_a_draft_whose_prompts_block_publication(make_site, frozen_today, ctype, zh):
    site = make_site({}, register=False)
    args = ["--zh"] if zh else []
    created = site.run("new", CATEGORY_OF[ctype], "关于 2024 年工作的说明", *args)
    assert created.code == 0, created.err
    rel = created.out.strip()
    suffix = TYPES[ctype].suffix
    assert rel == f"content/{CATEGORY_OF[ctype]}/2024/2024-06-03-01{suffix}"  # no ASCII word: a sequence
    text = site.read(rel).decode("utf-8")
    assert ("标题: 关于 2024 年工作的说明" if zh else "title: 关于 2024 年工作的说明") in text
    assert ("发布日期: 2024-06-03" if zh else "published: 2024-06-03") in text
    assert ("title:" not in text) if zh else ("标题:" not in text.replace("# 标题", ""))
    status = next(line for line in text.splitlines() if line.startswith("状态:" if zh else "status:"))
    assert status.startswith("状态: 草稿" if zh else "status: draft") and "published" in status  # the comment says how

    draft = site.check()
    assert draft.problems == [] and draft.code == 0  # a draft may keep its prompts
    assert site.run("number").code == 0
    assert "index_no" not in site.read(rel).decode("utf-8")  # drafts are not numbered

    site.write(rel, _publish(text, zh))
    published = site.check()
    assert published.code == 1
    prompts = published.of("template-prompt")
    expected = _prompt_lines(text)  # none for a budget: its fields are numbers and dates
    assert bool(expected) == (ctype != "budget")
    assert sorted(p["line"] for p in prompts) == expected
    assert all(p["level"] == "error" and p["path"] == rel and "模板提示" in p["message"] for p in prompts)
    assert published.codes() == {"template-prompt", "index-missing"} - (
        {"template-prompt"} if ctype == "budget" else set()
    )

    filled = (
        "\n".join(
            re.sub(r"（(填写|在这里)[^）]*）", "示例内容", _value_part(line)) if "（" in _value_part(line) else line
            for line in _publish(text, zh).splitlines()
        )
        + "\n"
    )
    site.write(rel, filled)
    numbered = site.run("number")
    assert numbered.code == 0, numbered.err
    after = site.read(rel).decode("utf-8")
    assert after.count("索引号: " if zh else "index_no: ") == 1
    result = site.check()
    assert result.problems == [], result.problems
    assert result.code == 0


def test_prompt_anywhere_in_a_published_item(make_site):
    text = (
        "---\ntitle: 通知\npublished: 2024-02-01\nsummary: 关于（填写内容概述）的说明\nkeywords:\n  - 年报\n"
        "  - （填写主题词）\n---\n\n第一段。\n\n  第二段（在这里用 Markdown 写正文。）\n"
    )
    site = make_site({"content/notices/a.md": text}, register=False)
    found = site.check().of("template-prompt")
    assert sorted((p["line"], p["col"]) for p in found) == [(4, 10), (7, 5), (12, 6)]
    assert "（填写内容概述）" in found[0]["message"] and "内容概述" in found[0]["message"]
    assert any(p["line"] == 12 and "正文" in p["message"] for p in found)
    site.write("content/notices/a.md", text.replace("title: 通知", "title: 通知\nstatus: draft"))
    assert site.check().of("template-prompt") == []


def test_every_prompt_the_templates_write_is_recognised():
    """The check's pattern is scaffold's own: every prompt any template writes matches it."""
    for ctype in TYPES.values():
        for zh in (False, True):
            for line in scaffold.render(ctype, "标题", zh=zh, today=TODAY).splitlines():
                value = _value_part(line)
                for start in [i for i, c in enumerate(value) if c == "（"]:
                    assert scaffold.PROMPT.match(value, start), value
    assert scaffold.PROMPT.fullmatch(scaffold.field_prompt("拟任职务"))
    assert scaffold.PROMPT.fullmatch(scaffold.BODY_PROMPT)
    assert not scaffold.PROMPT.search("依照《条例》（2019年修订）办理")


def test_template_values_are_read_back(make_site, frozen_today):
    site = make_site({}, register=False)
    title = '通知: 关于 #1 号 "文件" [重要] 的说明'
    rel = site.run("new", "notices", title).out.strip()
    loaded, problems = site.load()
    assert list(problems) == []
    (entry,) = loaded.entries
    assert entry.title == title
    assert entry.rel == rel
    assert entry.published == TODAY


def test_file_names_are_ascii_by_default(make_site, frozen_today):
    site = make_site({}, register=False)
    names = [site.run("new", "notices", "春节通知").out.strip() for _ in range(3)]
    assert names == [f"content/notices/2024/2024-06-03-0{n}.md" for n in (1, 2, 3)]
    english = [site.run("new", "notices", "关于 Annual Report 2024 的说明").out.strip() for _ in range(2)]
    stem = "content/notices/2024/2024-06-03-annual-report-2024"
    assert english == [f"{stem}.md", f"{stem}-2.md"]
    assert all(name.isascii() for name in names + english)
    assert "title: 春节通知" in site.read(names[0]).decode("utf-8")  # the title stays in the file


def test_name_from_title_keeps_the_title(make_site, frozen_today):
    site = make_site({}, register=False)
    first = site.run("new", "notices", "春节通知", "--name-from-title").out.strip()
    second = site.run("new", "notices", "春节通知", "--name-from-title").out.strip()
    third = site.run("new", "notices", "春节通知", "--name-from-title").out.strip()
    assert first.endswith("2024-06-03-春节通知.md")
    assert second.endswith("2024-06-03-春节通知-2.md")
    assert third.endswith("2024-06-03-春节通知-3.md")


def test_new_into_a_nested_category(make_site, frozen_today):
    categories = (
        "categories:\n"
        "  - key: finance\n    title: 财政\n    type: article\n"
        "    children:\n"
        "      - key: budgets\n        title: 预算\n        type: budget\n"
    )
    site = make_site({}, config=make_config(categories=categories), register=False)
    created = site.run("new", "budgets", "2024年预算")
    assert created.code == 0
    assert created.out.strip() == "content/budgets/2024/2024-06-03-01.yml"
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


@pytest.mark.parametrize(
    "title, expected",
    [
        ("关于 2024 年春节的通知", ""),
        ("Annual Report 2024!", "annual-report-2024"),
        ("关于ICP备案", "icp"),
        ("x" * 40, "x" * 30),
    ],
)
def test_ascii_slug(title, expected):
    assert scaffold.ascii_slug(title) == expected
