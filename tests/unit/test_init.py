"""`gongkai init DIR` (issue 15): a new office's site that passes `check --strict`, the
answers checked before anything is written, files never overwritten, Chinese keys, the
git, pre-commit and CI files; and the Chinese command line around it."""

from __future__ import annotations

import io
import json
import sys

import pytest
import yaml

from generator import init, schema
from generator.cli import main
from generator.config import load_config
from generator.problems import Problems

NAME, CODE, URL = "临江市民政局", "113302000029550119", "https://mzj.linjiang.gov.cn/"
FLAGS = ["--name", NAME, "--org-code", CODE, "--url", URL]


def run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("preset", sorted(init.PRESETS))
@pytest.mark.parametrize("zh", [False, True])
def test_init_writes_a_site_that_passes_strict_check(tmp_path, capsys, preset, zh):
    site = tmp_path / "mzj"
    code, out, _ = run(capsys, "init", str(site), *FLAGS, "--preset", preset, *(["--zh"] if zh else []))
    assert code == 0
    authoring = {f"{schema.SCHEMA_DIR}/{name}" for name in schema.all_schemas()} | {".vscode/settings.json"}
    assert set(out.split()) == set(init.FILES.values()) | authoring  # and the editor's schemas (generator/schema.py)
    code, _, err = run(capsys, "check", "-s", str(site), "--strict")
    assert code == 0, err
    config = load_config(site, Problems())
    assert config.site.name == NAME and config.organization.code == CODE and config.site.url == URL
    keys = [c.key for c in config.categories]
    assert keys == [key for key, *_ in init.PRESETS[preset]]
    assert config.identity.sponsor == NAME
    # the footer's pages exist, filled from the answers
    assert NAME in (site / "content/pages/gongkai-zhinan.md").read_text(encoding="utf-8")
    assert (site / "content/pages/about.md").is_file()


def test_zh_config_holds_the_same_settings_with_chinese_keys(tmp_path, capsys):
    run(capsys, "init", str(tmp_path / "en"), *FLAGS)
    run(capsys, "init", str(tmp_path / "zh"), *FLAGS, "--zh")
    text = (tmp_path / "zh/site_config.yml").read_text(encoding="utf-8")
    assert "\n网站:\n  名称: 临江市民政局" in text and "\nsite:" not in text
    assert "# 签名:\n#   公钥:" in text  # commented-out sections too
    english = load_config(tmp_path / "en", Problems()).model
    chinese = load_config(tmp_path / "zh", Problems()).model
    assert english == chinese


def test_every_section_of_the_config_is_present_and_commented(tmp_path, capsys):
    from generator.config import SiteConfigModel

    run(capsys, "init", str(tmp_path / "s"), *FLAGS)
    lines = (tmp_path / "s/site_config.yml").read_text(encoding="utf-8").splitlines()
    for key in SiteConfigModel.model_fields:
        at = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith(f"{key}:"))
        comment = lines[at - 1]  # the line above each section says what it is, in Chinese
        assert comment.startswith("# ") and any("\u4e00" <= ch <= "\u9fff" for ch in comment), key


@pytest.mark.parametrize(
    "flag, value, words",
    [
        ("--org-code", "113302000029550118", "校验位"),
        ("--org-code", "12345", "长度"),
        ("--url", "mzj.linjiang.gov.cn", "完整网址"),
        ("--name", "  ", "机关名称"),
    ],
)
def test_a_wrong_answer_writes_nothing(tmp_path, capsys, flag, value, words):
    flags = dict(zip(FLAGS[::2], FLAGS[1::2]), **{flag: value})
    site = tmp_path / "new"
    code, _, err = run(capsys, "init", str(site), *[x for pair in flags.items() for x in pair])
    assert code == 2 and words in err and "未写入任何文件" in err
    assert not site.exists()


def test_a_non_empty_folder_is_refused_and_force_never_overwrites(tmp_path, capsys):
    site = tmp_path / "s"
    site.mkdir()
    (site / "site_config.yml").write_text("# 我们自己的配置\n", encoding="utf-8")
    code, _, err = run(capsys, "init", str(site), *FLAGS)
    assert code == 2 and "不是空的" in err and "--force" in err
    assert sorted(p.name for p in site.iterdir()) == ["site_config.yml"]
    code, out, err = run(capsys, "init", str(site), *FLAGS, "--force")
    assert code == 0 and "已存在，未覆盖：site_config.yml" in err and "site_config.yml" not in out.split()
    assert (site / "site_config.yml").read_text(encoding="utf-8") == "# 我们自己的配置\n"
    assert (site / ".gitignore").is_file()


def test_interactive_answers_with_defaults_shown(tmp_path, capsys, monkeypatch):
    """Asked in Chinese with the default in brackets; a wrong code is explained and asked again."""
    replies = iter([NAME, "113302000029550118", CODE, URL, ""])  # "" keeps the default preset
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        return next(replies)

    said: list[str] = []
    answers = init.ask(init.Answers("", "", ""), read=read, write=said.append)
    assert answers == init.Answers(NAME, CODE, URL, "standard")
    assert prompts[0].startswith("机关名称") and prompts[-1].endswith("[standard]：")
    assert len(prompts) == 5 and "校验位" in said[0]


def test_without_a_terminal_missing_flags_are_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(capsys, "init", str(tmp_path / "s"), "--name", NAME)
    assert code == 2 and "--org-code" in err and not (tmp_path / "s").exists()


def test_git_files_and_pre_commit_hook(tmp_path, capsys):
    site = tmp_path / "s"
    run(capsys, "init", str(site), *FLAGS)
    attributes = (site / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "content/.registry merge=union" in attributes and "content/.register merge=union" in attributes
    ignored = (site / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/site/", "/site-server/", ".gongkai-cache/"} <= set(ignored)
    editor = (site / ".editorconfig").read_text(encoding="utf-8")
    assert "charset = utf-8" in editor and "end_of_line = lf" in editor and "indent_style = space" in editor
    hooks = yaml.safe_load((site / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = [hook["entry"] for repo in hooks["repos"] for hook in repo["hooks"]]
    assert entries == ["gongkai check --strict", "gongkai publish --check"]


def _steps(workflow: dict) -> list[str]:
    return [step.get("run", "") + str(step.get("with", "")) for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("path", [".github/workflows/gongkai.yml", ".gitea/workflows/gongkai.yml"])
def test_actions_workflows_check_build_cache_and_verify(tmp_path, capsys, path):
    site = tmp_path / "s"
    run(capsys, "init", str(site), *FLAGS)
    workflow = yaml.safe_load((site / path).read_text(encoding="utf-8"))
    steps = _steps(workflow)
    order = ["pip install", ".gongkai-cache", "gongkai check --strict --format github", "gongkai build", f"gongkai verify site --extends {URL}"]
    at = [next(i for i, step in enumerate(steps) if needle in step) for needle in order]
    assert at == sorted(at), steps
    checkout = workflow["jobs"]["site"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0  # the registers are compared with the history


def test_gitlab_ci_reports_code_quality_and_caches(tmp_path, capsys):
    site = tmp_path / "s"
    run(capsys, "init", str(site), *FLAGS)
    ci = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ".gongkai-cache/" in ci["cache"]["paths"]
    assert ci["check"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert any("--format gitlab > gl-code-quality-report.json" in line for line in ci["check"]["script"])
    assert any(line.startswith("gongkai build") for line in ci["build"]["script"])
    assert f"gongkai verify site --extends {URL}" in ci["deploy"]["script"]


def test_gitlab_format_is_a_code_quality_report(tmp_path, capsys):
    site = tmp_path / "s"
    run(capsys, "init", str(site), *FLAGS)
    (site / "content/notices").mkdir()
    (site / "content/notices/a.md").write_text("---\ntitle: 通知\npublished: 2024-02-30\n---\n正文\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "-s", str(site), "--format", "gitlab")
    report = json.loads(out)
    assert code == 1 and report
    bad = next(r for r in report if r["check_name"] == "invalid-date")
    assert bad["location"] == {"path": "content/notices/a.md", "lines": {"begin": 3}}
    assert bad["severity"] == "major" and len(bad["fingerprint"]) == 64
    (site / "content/notices/a.md").unlink()
    code, out, _ = run(capsys, "check", "-s", str(site), "--format", "gitlab")
    assert code == 0 and json.loads(out) == []


def test_add_file_never_replaces(tmp_path):
    assert init.add_file(tmp_path, ".vscode/settings.json", "{}\n")
    assert not init.add_file(tmp_path, ".vscode/settings.json", '{"x": 1}\n')
    assert (tmp_path / ".vscode/settings.json").read_text(encoding="utf-8") == "{}\n"


# ------------------------------------------------------------------ Chinese command line


@pytest.mark.parametrize(
    "args, words",
    [
        (["bogus"], "没有 'bogus' 这一项"),
        (["new"], "缺少参数：栏目, 标题"),
        (["build", "-j", "x"], "不是有效的值（应为整数）"),
        (["check", "--nope"], "无法识别的参数：--nope"),
        (["check", "--format"], "后面要写一个值"),
    ],
)
def test_argparse_errors_are_chinese(capsys, args, words):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and words in err and err.startswith("用法：") and "错误：" in err
    assert "usage" not in err and "error:" not in err


def test_help_is_chinese_and_every_option_has_help(capsys):
    from generator.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in [("gongkai", parser), *commands.items()]:
        text = sub.format_help()
        assert text.startswith("用法：") and "options:" not in text and "show this help" not in text, name
        for action in sub._actions:
            assert action.help and any("\u4e00" <= ch <= "\u9fff" for ch in action.help), (name, action.dest)


def test_new_accepts_a_category_title(tmp_path, capsys):
    site = tmp_path / "s"
    run(capsys, "init", str(site), *FLAGS)
    code, out, err = run(capsys, "new", "-s", str(site), "通知公告", "关于春节放假的通知")
    assert code == 0, err
    assert out.startswith("content/notices/")
    code, _, err = run(capsys, "new", "-s", str(site), "通知公", "关于春节放假的通知")
    assert code == 2 and "是不是 通知公告？" in err and "notices（通知公告）" in err


@pytest.mark.parametrize("ctype", ["article", "budget", "duty"])
def test_zh_templates_write_chinese_values(ctype):
    """`gongkai new --zh`: every choice in the template is written as its Chinese value."""
    import datetime as dt
    from enum import Enum

    from generator import scaffold
    from generator.model.registry import TYPES

    text = scaffold.render(TYPES[ctype], "标题", zh=True, today=dt.date(2025, 1, 2))
    values = {line.split(":", 1)[1].split("#")[0].strip() for line in text.splitlines() if ":" in line}
    english = {m.value for model in [TYPES[ctype].model] for f in model.model_fields.values()
               for m in (f.annotation if isinstance(f.annotation, type) and issubclass(f.annotation, Enum) else [])}
    assert english and not values & english, values & english
    assert "有效性: 有效" in text and "状态: 草稿" in text
    if ctype == "budget":
        assert "类别: 预算" in text
