"""An office's own look without a fork (issue 15): `site.logo` in the header and as the
favicon, `site.color` (refused when white text on it fails AA), the site folder's
`assets/*.css` linked after the theme's and copied, `overrides/` laid over gongkai's
templates; the build stays deterministic and the Content-Security-Policy (beside the
output) still allows exactly the inline scripts of the pages."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from buildkit import REPO, build_or_fail, publish, tree_bytes
from generator.cli import main

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#7b1fa2"/></svg>\n'
OVERRIDE_404 = """{% extends "main.html" %}
{% block content %}<h1>临江市民政局：页面没有找到</h1><script>window.gkOffice = 404;</script>{% endblock %}
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("look") / "mzj"
    assert main(["init", str(site), "--name", "临江市民政局", "--org-code", "113302000029550119",
                 "--url", "https://www.linjiang.gov.cn/mzj/", "--preset", "minimal"]) == 0  # fmt: skip
    (site / "assets/fonts").mkdir(parents=True)
    (site / "assets/logo.svg").write_text(LOGO, encoding="utf-8")
    (site / "assets/fonts/readme.txt").write_text("字体文件放这里\n", encoding="utf-8")
    (site / "assets/b-office.css").write_text(".md-header { border-bottom: 3px solid #7b1fa2; }\n", encoding="utf-8")
    (site / "assets/a-print.css").write_text("@media print { .md-header { display: none; } }\n", encoding="utf-8")
    (site / "overrides").mkdir()
    (site / "overrides/404.html").write_text(OVERRIDE_404, encoding="utf-8")
    config = site / "site_config.yml"
    text = config.read_text(encoding="utf-8").replace("  # logo: assets/logo.png", "  logo: assets/logo.svg")
    config.write_text(text.replace('  # color: "#1F5A96"', '  color: "#7B1FA2"'), encoding="utf-8")
    publish(site)
    return site


@pytest.fixture(scope="module")
def built(office, tmp_path_factory) -> Path:
    return build_or_fail(office, tmp_path_factory.mktemp("look-out") / "site")


def _stylesheets(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)


def test_logo_colour_and_stylesheets(built):
    home = (built / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="assets/site/logo.svg">' in home
    assert re.search(r'<img src="assets/site/logo.svg"', home)
    assert (built / "assets/site/logo.svg").read_text(encoding="utf-8") == LOGO
    assert (built / "assets/site/fonts/readme.txt").is_file()  # the folder is copied
    sheets = _stylesheets(home)
    ours = sheets.index("assets/gongkai.css")
    assert sheets[ours + 1:] == ["assets/site/gongkai-color.css", "assets/site/a-print.css", "assets/site/b-office.css"]
    colour = (built / "assets/site/gongkai-color.css").read_text(encoding="utf-8")
    assert "--md-primary-fg-color: #7b1fa2" in colour
    item_shell = (built / "notices/index.html").read_text(encoding="utf-8")
    assert _stylesheets(item_shell)[-1] == "../assets/site/b-office.css"


def test_override_wins_and_its_script_is_allowed(built):
    page = (built / "404.html").read_text(encoding="utf-8")
    assert "临江市民政局：页面没有找到" in page
    policy = next(
        line.split(": ", 1)[1] for line in (built.parent / "site-server/_headers").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("Content-Security-Policy") and "sandbox" not in line
    )  # fmt: skip
    digest = base64.b64encode(hashlib.sha256(b"window.gkOffice = 404;").digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_build_stays_deterministic(office, built, tmp_path):
    again = build_or_fail(office, tmp_path / "site")
    assert tree_bytes(again) == tree_bytes(built)


def test_changing_the_office_css_rebuilds_the_pages(office, tmp_path):
    out = build_or_fail(office, tmp_path / "site")
    (office / "assets/b-office.css").write_text(".md-header { border-bottom: 5px solid #000; }\n", encoding="utf-8")
    try:
        build_or_fail(office, out)
        assert "5px" in (out / "assets/site/b-office.css").read_text(encoding="utf-8")
    finally:
        (office / "assets/b-office.css").write_text(".md-header { border-bottom: 3px solid #7b1fa2; }\n", encoding="utf-8")


@pytest.mark.parametrize(
    "line, code, words",
    [
        ('  color: "#6FA8DC"', "config-invalid-value", "可改用同色调的 #"),
        ("  color: blue", "config-invalid-value", "不是颜色"),
        ("  logo: assets/missing.png", "config-file-missing", "不存在"),
        ("  logo: ../logo.png", "config-invalid-value", "相对路径"),
        ("  favicon: assets/logo.txt", "config-invalid-value", "应是图片"),
    ],
)
def test_wrong_look_settings_are_explained(office, tmp_path, capsys, line, code, words):
    import json
    import shutil

    site = tmp_path / "s"
    shutil.copytree(office, site)
    config = site / "site_config.yml"
    text = re.sub(r"^  (color|logo): .*$", "", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text.replace("  description:", line + "\n  description:", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "-s", str(site), "--format", "json"]) != 0
    found = [p for p in json.loads(capsys.readouterr().out) if p["code"] == code]
    assert found and words in found[0]["message"] and found[0]["path"] == "site_config.yml" and found[0]["line"] > 1


def test_demo_shows_a_logo_and_a_colour():
    from generator.config import load_config
    from generator.problems import Problems

    config = load_config(REPO, Problems())
    assert config.site.logo and (REPO / config.site.logo).is_file() and config.site.color


def test_a_broken_override_is_a_problem_not_a_traceback(office, tmp_path):
    import shutil

    from buildkit import run_build

    site = tmp_path / "s"
    shutil.copytree(office, site)
    (site / "overrides/404.html").write_text('{% extends "main.html" %}\n{% block content %}{{ </h1>{% endblock %}\n', encoding="utf-8")
    done = run_build(site, tmp_path / "site")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "overrides/404.html:2:1: error: 自定义模板 overrides/404.html 有错误" in done.stderr
    assert "[override-template]" in done.stderr and not (tmp_path / "site").exists()
