"""The command-line contract: exit codes, output formats, paths, and no traceback whatever
the files hold."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat

import pytest

from generator.cli import main

from helpers import CONFIG, VALID_ITEMS, item_path, make_config, num, run_cli, start_cli, with_index

N1 = num(2024, 1)
GOOD = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\n"
BAD_DATE = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-30\n"


# ------------------------------------------------------------------ exit codes


def test_clean_site_exits_0(make_site):
    result = make_site({"content/notices/a.yml": GOOD}).run("check")
    assert result.code == 0
    assert result.out == ""
    assert "检查通过：1 个条目" in result.err


def test_content_error_exits_1(make_site):
    result = make_site({"content/notices/a.yml": BAD_DATE}).run("check")
    assert result.code == 1
    assert "content/notices/a.yml:3:12: error: " in result.out and "[invalid-date]" in result.out
    assert "提示：" in result.out
    assert "1 个错误，0 个警告" in result.err


def test_missing_config_exits_2(make_site):
    site = make_site({"content/notices/a.yml": GOOD}, config=None)
    result = site.check()
    assert result.code == 2
    assert result.one("config-missing")["path"] == "site_config.yml"


@pytest.mark.parametrize(
    "config, code, line",
    [
        (
            CONFIG.replace("  name: 测试县人民政府办公室\n  url:", "  name: 测试县人民政府办公室\n   url:", 1),
            "yaml-syntax",
            3,
        ),
        (CONFIG.encode("gbk"), "encoding", 2),
        ("- site\n- organization\n", "not-a-mapping", 1),
        ("", "empty-file", 1),
        (CONFIG.replace("https://www.example.gov.cn/", "www.example.gov.cn"), "config-invalid-value", 3),
        (CONFIG.replace("identity:\n  sponsor: 测试县人民政府办公室\n", ""), "config-missing-field", 1),
        (CONFIG.replace("  url: https", "  ulr: https"), "config-unknown-key", 3),
        (CONFIG.replace("type: fee", "type: fees"), "config-invalid-value", 22),
        (CONFIG.replace("key: fees", "key: pages"), "config-invalid-value", 20),
        (CONFIG.replace("key: fees", "key: notices"), "config-invalid-value", 20),
        (make_config(code="11330100002482066E"), "org-code", 6),
        (make_config(pattern="{org}/{seq:q}"), "index-pattern", 10),
    ],
)
def test_broken_config_exits_2(make_site, config, code, line):
    site = make_site({"content/notices/a.yml": GOOD}, config=config)
    result = site.check()
    assert result.code == 2
    problem = result.one(code)
    assert problem["path"] == "site_config.yml"
    assert problem["line"] == line
    assert site.run("number").code == 2
    assert site.run("new", "notices", "x").code == 2


def test_duplicate_category_key_names_both_lines(make_site):
    site = make_site({}, config=CONFIG.replace("key: fees", "key: notices"))
    problem = site.check().one("config-invalid-value")
    assert (problem["line"], problem["col"]) == (20, 10)
    assert "notices" in problem["message"] and "第 12 行" in problem["message"]


def test_unknown_config_key_suggests(make_site):
    site = make_site({}, config=CONFIG.replace("  url: https", "  ulr: https"))
    assert "“url”" in site.check().one("config-unknown-key")["hint"]


def test_missing_site_folder_exits_2(tmp_path, capsys):
    code = main(["check", "-s", str(tmp_path / "nowhere"), "--format", "json"])
    problems = json.loads(capsys.readouterr().out)
    assert code == 2
    assert problems[0]["code"] == "site-missing"


def test_site_folder_that_is_a_file_exits_2(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["check", "-s", str(tmp_path / "file")]) == 2
    assert "site-missing" in capsys.readouterr().out
    assert main(["number", "-s", str(tmp_path / "file")]) == 2


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "gongkai" in capsys.readouterr().out


def test_missing_content_folder(make_site):
    site = make_site({}, register=False)
    (site.path / "content").rmdir()
    result = site.check()
    assert result.code == 1
    assert result.one("content-missing")["path"] == "content"


def test_strict_turns_a_warning_into_exit_1(make_site):
    site = make_site({"content/notices/a.yml": GOOD}, register=False)  # index-unregistered is a warning
    plain = site.check()
    assert plain.code == 0
    assert [p["level"] for p in plain.problems] == ["warning"]
    strict = site.check("--strict")
    assert strict.code == 1
    assert [p["level"] for p in strict.problems] == ["error"]
    text = site.run("check", "--strict")
    assert text.code == 1 and ": error: " in text.out
    assert "检查通过：1 个条目，1 个警告" in site.run("check").err


# ------------------------------------------------------------------ formats


def test_json_format(make_site):
    files = {
        "content/notices/a.yml": BAD_DATE,
        "content/notices/b.yml": GOOD.replace(N1, num(2024, 2)).replace("title", "titel"),
    }
    result = make_site(files).check()
    problems = json.loads(result.out)
    assert isinstance(problems, list) and len(problems) == 3  # b.yml: unknown `titel`, so `title` is missing
    for problem in problems:
        assert set(problem) == {"path", "line", "col", "level", "code", "message", "hint"}
        assert isinstance(problem["line"], int) and isinstance(problem["col"], int)
        assert problem["level"] in ("error", "warning")
    assert [(p["path"], p["line"]) for p in problems] == [
        ("content/notices/a.yml", 3),
        ("content/notices/b.yml", 1),
        ("content/notices/b.yml", 2),
    ]
    assert result.code == 1
    assert "检查通过" not in result.err


def test_json_format_clean_site_is_an_empty_list(make_site):
    result = make_site({"content/notices/a.yml": GOOD}).check()
    assert json.loads(result.out) == [] and result.code == 0


def test_github_format(make_site):
    files = {"content/notices/a.yml": BAD_DATE, "content/notices/b.yml": GOOD.replace(N1, num(2024, 2))}
    site = make_site(files, register=False)
    site.register({N1: "content/notices/a.yml"})
    result = site.run("check", "--format", "github")
    assert result.code == 1
    lines = result.out.strip().splitlines()
    error = next(line for line in lines if "invalid-date" in line)
    assert re.fullmatch(r"::error file=content/notices/a\.yml,line=3,col=12,title=invalid-date::.*2024-02-30.*", error)
    warning = next(line for line in lines if "index-unregistered" in line)
    assert warning.startswith("::warning file=content/notices/b.yml,line=1,col=11,")
    strict = site.run("check", "--format", "github", "--strict")
    assert all(line.startswith("::error ") for line in strict.out.strip().splitlines())


def test_github_format_escapes_and_whole_file_problems(make_site):
    result = make_site({"content/notice/a.yml": GOOD}).run("check", "--format", "github")
    (line,) = result.out.strip().splitlines()
    assert line.startswith("::error file=content/notice,title=unknown-folder::")  # no line=0
    assert "\n" not in line


def test_paths_are_relative_to_the_site_folder(make_site, tmp_path, monkeypatch):
    site = make_site({"content/notices/2024/a.yml": BAD_DATE})
    monkeypatch.chdir(tmp_path.parent)
    result = site.check()
    assert result.one("invalid-date")["path"] == "content/notices/2024/a.yml"
    text = site.run("check")
    assert text.out.startswith("content/notices/2024/a.yml:3:12: error")
    assert str(tmp_path) not in text.out


def test_relative_site_argument(make_site, tmp_path, monkeypatch, capsys):
    make_site({"content/notices/a.yml": BAD_DATE})
    monkeypatch.chdir(tmp_path)
    assert main(["check", "-s", "site", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["path"] == "content/notices/a.yml"
    monkeypatch.chdir(tmp_path / "site")
    assert main(["check", "--format", "json"]) == 1  # default: the current folder
    assert json.loads(capsys.readouterr().out)[0]["path"] == "content/notices/a.yml"


def test_subprocess_runs_like_in_process(make_site):
    site = make_site({"content/notices/a.yml": BAD_DATE})
    done = run_cli("check", "-s", str(site.path), "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout)[0]["code"] == "invalid-date"


# ------------------------------------------------------------------ broken files never crash


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


BROKEN = {
    "binary.yml": bytes(range(256)) * 8,
    "nul.yml": b"title: a\x00b\npublished: 2024-02-01\n",
    "gbk.yml": "title: 关于春节放假的通知\npublished: 2024-02-01\n".encode("gbk"),
    "truncated.yml": 'title: "关于春节放假\npublished: [2024-02-01\n',
    "list.yml": "- title: a\n- published: 2024-02-01\n",
    "bomb.yml": _alias_bomb(),
    "python-tag.yml": 'title: !!python/object/apply:os.system ["touch PWNED"]\npublished: 2024-02-01\n',
    "huge.yml": "title: a\npublished: 2024-02-01\nsummary: " + "长" * (2 * 1024 * 1024) + "\n",  # 6 MB of UTF-8
    "deep-flow.yml": "title: a\nsummary: " + "[" * 200_000 + "]" * 200_000 + "\n",  # libyaml would overflow the C stack
    "deep-block.yml": "title: a\nsummary:\n" + "".join(" " * i + "k:\n" for i in range(1, 400)),
    "unclosed.md": "---\ntitle: a\npublished: 2024-02-01\n\n正文\n",
    "list-key.yml": "? [title, published]\n: a\n",
    "dict-key.yml": "{a: 1}: x\ntitle: a\n",
    "scalar.yml": "just some text\n",
    "fields-wrong-type.yml": "title: [a, b]\npublished: {date: 2024-02-01}\nattachments: x\nrevisions: [1, 2]\n",
    "control-char.yml": "title: a\x07b\npublished: 2024-02-01\n",
    "lone-surrogate.yml": b"title: \xed\xa0\x80\npublished: 2024-02-01\n",
}


@pytest.fixture(scope="module")
def broken_runs(tmp_path_factory):
    """`gongkai check` on a site holding one broken file, for every kind, run side by side;
    plus `gongkai number` on a site holding all of them."""
    root = tmp_path_factory.mktemp("broken")
    runs = {}
    for name, data in BROKEN.items():
        site = root / name.replace(".", "_")
        (site / "content/notices").mkdir(parents=True)
        (site / "site_config.yml").write_text(CONFIG, encoding="utf-8")
        target = site / "content/notices" / name
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        runs[name] = start_cli("check", "-s", str(site))
    everything = root / "all"
    (everything / "content/notices").mkdir(parents=True)
    (everything / "site_config.yml").write_text(CONFIG, encoding="utf-8")
    for name, data in BROKEN.items():
        (everything / "content/notices" / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    (everything / "content/notices/good.yml").write_text("title: 好\npublished: 2024-02-01\n", encoding="utf-8")
    results = {}
    for name, process in runs.items():
        out, err = process.communicate(timeout=60)
        results[name] = (process.returncode, out, err)
    number = start_cli("number", "-s", str(everything))
    out, err = number.communicate(timeout=60)
    results["number"] = (number.returncode, out, err)
    results["all-dir"] = everything
    return results


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_is_reported_without_traceback(broken_runs, name):
    code, out, err = broken_runs[name]
    assert "Traceback" not in out and "Traceback" not in err, err[-2000:]
    assert code == 1
    assert f"content/notices/{name}:" in out
    assert re.search(rf"content/notices/{re.escape(name)}:\d+:\d+: error: .+ \[[a-z-]+\]", out)


def test_number_with_every_kind_of_broken_file(broken_runs):
    code, out, err = broken_runs["number"]
    assert "Traceback" not in out and "Traceback" not in err, err[-2000:]
    assert code == 1
    assert "content/notices/good.yml" in out
    assert f"{len(BROKEN)} 个文件有错误未能编号" in err
    everything = broken_runs["all-dir"]
    for name, data in BROKEN.items():
        raw = data.encode("utf-8") if isinstance(data, str) else data
        assert (everything / "content/notices" / name).read_bytes() == raw, name
    assert not (everything / "PWNED").exists()


@pytest.mark.parametrize("name", ["truncated.yml", "fields-wrong-type.yml", "bomb.yml"])
def test_broken_file_codes(broken_runs, name):
    code, out, err = broken_runs[name]
    expected = {
        "truncated.yml": "[yaml-syntax]",
        "fields-wrong-type.yml": "[invalid-value]",
        "bomb.yml": "[yaml-too-large]",
    }[name]
    assert expected in out


def test_broken_registry_variants_do_not_crash(make_site):
    site = make_site({"content/notices/a.yml": GOOD}, register=False)
    (site.path / "content/.registry").mkdir()
    result = site.check()
    assert result.one("registry-invalid")["path"] == "content/.registry"
    assert site.run("number").code == 1


def test_unreadable_file(make_site):
    import os

    site = make_site({"content/notices/a.yml": GOOD})
    os.symlink(site.path / "missing-target.yml", site.path / "content/notices/dangling.yml")
    result = site.check()
    assert result.one("file-unreadable")["path"] == "content/notices/dangling.yml"
    assert result.code == 1


# ------------------------------------------------------------------ every type through the CLI


@pytest.mark.parametrize("ctype", sorted(VALID_ITEMS))
def test_error_in_every_type_is_located(make_site, ctype):
    text = with_index(VALID_ITEMS[ctype], N1).replace("published: 2024-", "published: 2023-13-", 1)
    result = make_site({item_path(ctype): text}).check()
    problem = result.one("invalid-date")
    expected_line = (
        text.splitlines().index(next(line for line in text.splitlines() if line.startswith("published:"))) + 1
    )
    assert problem["line"] == expected_line and problem["col"] == 12
    assert result.code == 1


def test_new_reports_unknown_category(make_site):
    site = make_site({})
    result = site.run("new", "notice", "标题")
    assert result.code == 2
    assert "是不是 notices" in result.err
    assert site.run("new", "notices", "  ").code == 2


# ------------------------------------------------------------------ the site folder and its configuration


@pytest.mark.parametrize("config", ["", "\n\n", "# 只有注释\n"])
def test_empty_config_is_told_what_to_write(make_site, config):
    site = make_site({}, config=config)
    result = site.check()
    assert result.code == 2
    problem = result.one("empty-file")
    assert problem["path"] == "site_config.yml" and problem["line"] == 1
    assert "site_config.yml" in problem["message"]
    assert "gongkai new" not in problem["hint"] and "organization" in problem["hint"]


def test_site_argument_may_name_the_config_file(make_site, tmp_path, monkeypatch, capsys):
    site = make_site({"content/notices/a.yml": BAD_DATE})
    assert main(["check", "-s", str(site.path / "site_config.yml"), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["path"] == "content/notices/a.yml"
    monkeypatch.chdir(site.path)
    assert main(["check", "-s", "site_config.yml", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["code"] == "invalid-date"
    assert main(["new", "-s", "site_config.yml", "notices", "Spring notice"]) == 0
    today = dt.date.today()
    assert capsys.readouterr().out.strip() == f"content/notices/{today.year}/{today}-spring-notice.md"


def test_site_argument_that_is_another_file_says_so(make_site, capsys):
    site = make_site({})
    other = site.write("notes.txt", "x")
    assert main(["check", "-s", str(other), "--format", "json"]) == 2
    (problem,) = json.loads(capsys.readouterr().out)
    assert problem["code"] == "site-missing" and "是文件" in problem["message"] and "site_config.yml" in problem["hint"]
    assert main(["serve", "-s", str(other)]) == 2
    assert "是文件" in capsys.readouterr().err


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_registry_and_register_follow_the_umask(make_site, umask):
    site = make_site({"content/notices/a.yml": "title: 通知\npublished: 2024-02-01\n"}, register=False)
    old = os.umask(umask)
    try:
        assert site.run("number").code == 0
        assert site.run("publish").code == 0
    finally:
        os.umask(old)
    for name in (".registry", ".register"):
        assert stat.S_IMODE((site.path / "content" / name).stat().st_mode) == 0o666 & ~umask, name


def test_the_git_comparison_counts_only_for_a_site_that_loads(make_site, monkeypatch, capsys):
    """The registers are compared with git while the site loads (cli._Compared): with an
    unusable configuration its problems do not reach the user; with a usable one they
    follow the load's."""
    from generator import history
    from generator.problems import Problems

    def compare(site_dir, problems: Problems, since=None):
        problems.error("content/.register", None, "register-removed", "git said so")

    monkeypatch.setattr(history, "compare", compare)
    site = make_site()
    site.write("site_config.yml", "site: [")
    assert main(["check", "-s", str(site.path)]) == 2
    assert "register-removed" not in "".join(capsys.readouterr())
    site.write("site_config.yml", make_config())
    assert main(["check", "-s", str(site.path)]) == 1
    assert "register-removed" in "".join(capsys.readouterr())
