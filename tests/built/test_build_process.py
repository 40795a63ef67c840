"""How `gongkai build` writes its output (issue 3): deterministic, atomic, and never into a
folder it could destroy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from buildkit import publish, run_build, tree_bytes


def test_two_builds_are_byte_identical(demo, demo_again):
    first, second = tree_bytes(demo.root), tree_bytes(demo_again.root)
    only_first = sorted(set(first) - set(second))
    only_second = sorted(set(second) - set(first))
    changed = sorted(name for name in set(first) & set(second) if first[name] != second[name])
    assert (only_first, only_second, changed) == ([], [], []), (
        f"only in the first build: {only_first[:20]}\n"
        f"only in the second: {only_second[:20]}\n"
        f"different bytes: {changed[:40]}"
    )
    assert len(first) > 300


def test_output_folder_names_do_not_leak_into_the_build(demo, demo_again):
    """The two builds went to different folders: no page may name its own folder."""
    for built in (demo, demo_again):
        marker = str(built.root.parent).encode()
        leaks = [
            p.relative_to(built.root).as_posix()
            for p in built.root.rglob("*")
            if p.is_file() and marker in p.read_bytes()
        ]
        assert leaks == []


def test_build_marks_its_output_and_leaves_no_temporary_folders(demo):
    assert (demo.root / ".gongkai-build").is_file()
    server = f"{demo.root.name}-server"  # the server configurations, beside the site on purpose
    leftovers = [p.name for p in demo.root.parent.iterdir() if p.name not in (demo.root.name, server)]
    assert leftovers == []


# ---------------------------------------------------------------------------
# atomic


def _siblings(out: Path) -> list[str]:
    """What a build leaves beside the output besides its server configurations and the
    spare (the site the last update replaced, output.py): nothing."""
    keep = (out.name, f"{out.name}-server", f".{out.name}.spare")
    return sorted(p.name for p in out.parent.iterdir() if p.name not in keep)


def test_failed_build_leaves_the_previous_output_untouched(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0, done.stderr
    before = tree_bytes(out)
    assert "notices/a/index.html" in before
    tiny_site.write(
        "content/notices/b.md", "---\ntitle: 有错误的通知\npublished: 2024-13-45\nunknown_key: 1\n---\n正文\n"
    )
    failed = run_build(tiny_site.path, out)
    assert failed.returncode == 1, failed.stderr
    assert "上一次生成的网站保持不变" in failed.stderr
    assert tree_bytes(out) == before
    assert _siblings(out) == []


def test_build_failing_late_leaves_the_previous_output_untouched(tiny_site, tmp_path):
    """A failure after every page is written (the search indexer fails) must not swap in
    the half-finished site nor leave its temporary folder behind."""
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    before = tree_bytes(out)
    tiny_site.write(
        "content/notices/c.md",
        "---\nindex_no: 11330100002482066D/2024-00002\ntitle: 新通知\npublished: 2024-03-01\n---\n正文\n",
    )
    tiny_site.register()
    publish(tiny_site.path)
    failed = run_build(tiny_site.path, out, env={"PAGEFIND_BINARY_PATH": "/bin/false"})
    assert failed.returncode != 0
    assert "Pagefind" in failed.stderr, "failed at the last stage, the search index"
    assert tree_bytes(out) == before
    assert _siblings(out) == []
    # and the next good build replaces it
    assert run_build(tiny_site.path, out).returncode == 0
    assert (out / "notices/c/index.html").is_file()
    assert _siblings(out) == []


# ---------------------------------------------------------------------------
# output folders that are refused


def refused(tiny_site, out: Path, env: dict | None = None) -> str:
    done = run_build(tiny_site.path, out, env=env)
    assert done.returncode == 2, f"-o {out} was not refused ({done.returncode}):\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.mark.parametrize("where", ["site", "content"])
def test_output_into_the_site_or_content_folder_is_refused(tiny_site, where):
    target = tiny_site.path if where == "site" else tiny_site.path / "content"
    before = tiny_site.snapshot()  # the site's files (gongkai's own cache may be written by the load)
    assert "站点、内容或系统文件夹" in refused(tiny_site, target)
    assert tiny_site.snapshot() == before


def test_output_into_the_root_folder_is_refused(tiny_site):
    assert "站点、内容或系统文件夹" in refused(tiny_site, Path("/"))


def test_output_into_the_home_folder_is_refused(tiny_site, tmp_path):
    """A stand-in home folder that even looks like an old build: refused because it is home."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gongkai-build").write_text("gongkai\n", encoding="utf-8")
    (home / "notes.txt").write_text("keep me", encoding="utf-8")
    assert "站点、内容或系统文件夹" in refused(tiny_site, home, env={"HOME": str(home)})
    assert (home / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_output_into_a_foreign_non_empty_folder_is_refused(tiny_site, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "report.docx").write_bytes(b"PK")
    assert "不是空文件夹" in refused(tiny_site, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["report.docx"]


def test_output_into_an_empty_folder_or_a_previous_build_is_accepted(tiny_site, tmp_path):
    """An empty folder is used; a previous gongkai build is replaced completely."""
    empty = tmp_path / "out" / "empty"
    empty.mkdir(parents=True)
    assert run_build(tiny_site.path, empty).returncode == 0
    assert (empty / ".gongkai-build").is_file()
    (empty / "stale.html").write_text("old", encoding="utf-8")
    assert run_build(tiny_site.path, empty).returncode == 0, "a previous gongkai build may be replaced"
    assert not (empty / "stale.html").exists()
    assert (empty / "notices/a/index.html").is_file()
    assert _siblings(empty) == []


def test_home_folder_stand_in_is_really_used(tmp_path):
    """The home test above relies on HOME deciding Path.home()."""
    import subprocess
    import sys

    home = tmp_path / "h"
    done = subprocess.run(
        [sys.executable, "-c", "import pathlib; print(pathlib.Path.home())"],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home)},
    )
    assert done.stdout.strip() == str(home)
