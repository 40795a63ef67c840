"""Long work on large sites (issue 19): progress on a terminal, one line per stage in CI,
summaries instead of a line per version or item, and repeated problems grouped."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap
from pathlib import Path

import pytest

from generator import progress
from generator.fork import fork_map

from helpers import num

ROOT = Path(__file__).resolve().parents[2]


def article(number: str | None, day: int, extra: str = "") -> str:
    index = f"index_no: {number}\n" if number else ""
    return f"---\n{index}title: 通知{day}\npublished: 2024-02-{day:02d}\n{extra}---\n\n正文{day}。\n"


def articles(count: int, numbered: bool = True) -> dict[str, str]:
    return {
        f"content/notices/a{day:02d}.md": article(num(2024, day) if numbered else None, day)
        for day in range(1, count + 1)
    }


# ------------------------------------------------------------------ terminal or CI


def run_in_terminal(script: str, env: dict[str, str]) -> str:
    """Run `script` with stdout and stderr on a pseudo-terminal; everything it drew."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 lines of 100 columns
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], stdin=slave, stdout=slave, stderr=slave,
        cwd=ROOT, env={**os.environ, **env}, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    drawn = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    child.wait(timeout=30)
    os.close(master)
    return drawn.decode("utf-8", "replace")


STAGE_SCRIPT = """
    import time
    from generator import progress

    with progress.stage("items", total=40, size={size}):
        for _ in range(8):
            time.sleep(0.2)
            progress.advance(5)
    with progress.stage("search", size={size}):  # nothing counted: its time
        time.sleep(0.8)
    print("完")
"""


def test_a_terminal_shows_the_stage_count_and_rate_live():
    env = {"CI": "", "PYTHONPATH": str(ROOT)}
    drawn = run_in_terminal(STAGE_SCRIPT.format(size=40), env)  # live whatever the size
    assert "生成条目页" in drawn  # the stage, by its Chinese name
    assert "/40" in drawn and "项/s" in drawn  # done/total and the rate
    assert "\r" in drawn  # redrawn in place, not a line per update
    assert "搜索索引 用时 00:00" in drawn  # a stage that counts nothing shows its time
    assert " 秒" not in drawn  # no CI line on a terminal
    assert drawn.rstrip().endswith("完")


def test_ci_on_a_terminal_is_line_oriented():
    env = {"CI": "true", "PYTHONPATH": str(ROOT)}
    large = run_in_terminal(STAGE_SCRIPT.format(size=progress.LARGE), env).splitlines()
    assert len(large) == 3 and large[1].startswith("搜索索引 用时 ") and large[2] == "完"
    assert large[0].startswith("生成条目页 40/40 用时 ") and large[0].endswith(" 秒")  # one line, at the end
    assert run_in_terminal(STAGE_SCRIPT.format(size=40), env).splitlines() == ["完"]  # a small site: nothing


@pytest.mark.parametrize("ci", ["true", ""])
def test_without_a_terminal_a_large_site_gets_one_line_per_stage(make_site, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)  # captured output is no terminal: line-oriented either way
    site = make_site(articles(3))
    small = site.run("check")
    assert small.err.splitlines() == ["检查通过：3 个条目"]  # a small site's output is unchanged
    monkeypatch.setattr(progress, "LARGE", 3)
    large = site.run("check", "--fresh")
    lines = large.err.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["载入条目", "检查内容", "检查通过：3"]
    assert lines[0].startswith("载入条目 3/3 用时 ") and lines[0].endswith(" 秒")


@pytest.mark.build
def test_a_large_build_names_each_stage_once_in_ci(make_site, monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(progress, "LARGE", 3)
    site = make_site(articles(3))
    assert site.run("publish").code == 0
    result = site.run("build", "-o", str(tmp_path / "out"), "-j", "1")
    assert result.code == 0, result.err
    stages = [line.split(" ", 1)[0] for line in result.err.splitlines() if " 用时 " in line and "已生成" not in line]
    build_stages = stages[stages.index("检查内容") + 1 :]
    assert build_stages == [
        "页面框架",  # a full build: the shells first, then the items at once
        "生成条目页",
        "开放数据",  # after the items: written while Pagefind indexes them
        "首页和目录页",
        "栏目列表",
        "附件",
        "订阅、登记和网站地图",
        "搜索索引",
        "替换网站",
    ]
    assert any(line.startswith("生成条目页 3/3 用时 ") for line in result.err.splitlines())


def test_fork_map_counts_finished_slices_and_keeps_their_order():
    items = list(range(1000))
    with progress.stage("items", size=0) as stage:
        slices = fork_map(lambda part: [x * x for x in part], items, 2, 1)
    assert [x for part in slices for x in part] == [x * x for x in items]
    assert len(slices) > 1  # really forked, slice by slice
    assert (stage.done, stage.total) == (1000, 1000)


def test_outside_a_stage_counting_does_nothing():
    progress.advance(5)
    progress.expect(5)
    assert fork_map(sum, [1, 2, 3], 1, 10) == [6]


# ------------------------------------------------------------------ grouped problems


def test_repeated_problems_are_grouped_in_text_and_complete_elsewhere(make_site):
    site = make_site(articles(25), register=False)  # no registry: a warning per file
    text = site.run("check")
    shown = [line for line in text.out.splitlines() if "[index-unregistered]" in line]
    assert len(shown) == 20
    assert "……另有 5 条同类问题（index-unregistered）；用 --all 查看全部" in text.out.splitlines()
    assert "0 个错误，25 个警告" in text.err
    every = site.run("check", "--all")
    assert len([line for line in every.out.splitlines() if "[index-unregistered]" in line]) == 25
    assert "另有" not in every.out
    assert len(site.check().of("index-unregistered")) == 25  # json stays complete
    github = site.run("check", "--format", "github")
    assert github.out.count("title=index-unregistered") == 25


def test_grouping_counts_each_code_on_its_own(make_site):
    files = articles(22, numbered=False)
    files["content/notices/late.md"] = article(num(2024, 30), 23)
    site = make_site(files, register=False)
    out = site.run("check").out.splitlines()
    assert "……另有 2 条同类问题（index-missing）；用 --all 查看全部" in out
    assert sum("[index-unregistered]" in line for line in out) == 1  # a lone code is shown, not counted


# ------------------------------------------------------------------ summaries


def test_publish_names_a_few_versions_and_counts_them_by_kind(make_site):
    site = make_site(articles(12))
    result = site.run("publish", "--check")
    assert len(result.out.splitlines()) == 10
    assert "……另有 2 个版本未列出；用 -v 查看全部" in result.err
    assert "有 12 个版本尚未登记（新发布 12）" in result.err
    assert len(site.run("publish", "--check", "-v").out.splitlines()) == 12
    result = site.run("publish")
    assert result.code == 0 and "已登记 12 个版本到 content/.register（新发布 12）" in result.err
    assert len(result.out.splitlines()) == 10
    revised = article(num(2024, 1), 1, "revisions:\n  - {date: 2024-02-05, note: 更正}\n").replace("正文1", "正文一")
    site.write("content/notices/a01.md", revised)
    site.write("content/notices/a02.md", article(num(2024, 2), 2, "withdrawn: {date: 2024-05-01, reason: 已调整}\n"))
    result = site.run("publish", "-v")
    assert result.code == 0, result.err
    assert "已登记 2 个版本到 content/.register（修订 1、撤回 1）" in result.err
    assert [line.split("\t")[1] for line in result.out.splitlines()] == ["第 2 版", "第 2 版"]


def test_number_names_a_few_items_and_counts_the_rest(make_site):
    site = make_site(articles(12, numbered=False))
    check = site.run("number", "--check")
    assert check.code == 1 and len(check.out.splitlines()) == 10
    assert "……另有 2 个条目缺少索引号未列出；用 -v 查看全部" in check.err
    assert len(site.run("number", "--check", "-v").out.splitlines()) == 12
    result = site.run("number")
    assert result.code == 0 and "已编号 12 个条目" in result.err
    assert len(result.out.splitlines()) == 10 and "……另有 2 个条目已编号未列出；用 -v 查看全部" in result.err
    registry = site.read("content/.registry").decode().splitlines()
    assert len([line for line in registry if not line.startswith("#")]) == 12  # all numbered all the same


def test_problems_sort_as_their_fields_do_without_duplicates():
    from generator.problems import Problems

    problems = Problems()
    for index in range(300):  # paths, lines, levels and codes in a scrambled order, each twice
        scrambled = (index * 7919) % 300
        problems.add(f"content/{scrambled % 13}.md", scrambled % 5, scrambled % 3, ("error", "warning")[index % 2],
                     f"code-{scrambled % 4}", f"消息 {scrambled % 6}", "提示" if index % 3 else "")  # fmt: skip
        problems.add(f"content/{scrambled % 13}.md", scrambled % 5, scrambled % 3, ("error", "warning")[index % 2],
                     f"code-{scrambled % 4}", f"消息 {scrambled % 6}", "提示" if index % 3 else "")  # fmt: skip
    assert problems.sorted() == sorted(set(problems.items))  # the dataclass's own order and equality
