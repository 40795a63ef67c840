"""End to end: the demo site, built, verifies; one character changed in one item page
fails verification naming that page."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import build
from generator.cli import main
from generator.problems import Problems
from generator.site import load_site

REPO = Path(__file__).resolve().parents[2]
PAGE = "notices/2024/2024-03-15-spring-fire-safety/index.html"


def test_fresh_build_verifies_and_a_changed_character_does_not(tmp_path, capsys):
    site = load_site(REPO, Problems())
    out = tmp_path / "site"
    build(site, out, index=False)
    assert main(["verify", str(out)]) == 0
    assert "校验通过" in capsys.readouterr().out

    tampered = tmp_path / "tampered"
    shutil.copytree(out, tampered)
    page = tampered / PAGE
    html = page.read_text(encoding="utf-8")
    start = html.index("<!--gk-body-start-->")
    at = html.index("森林", start)
    page.write_text(html[:at] + "树" + html[at + 1 :], encoding="utf-8")
    assert main(["verify", str(tampered)]) == 1
    captured = capsys.readouterr()
    assert PAGE in captured.out + captured.err
