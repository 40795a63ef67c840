"""A real distribution (issue 15): the sdist and the wheel built from it carry everything a
build needs. From a clean copy of the repository (the files git tracks or would track),
build the sdist, build the wheel from the sdist, install it into a fresh virtualenv
outside the repository (dependencies from the package index, pinned by constraints.txt),
delete the copy, and run, as a new office would: `gongkai init` (flags) → `gongkai new`
+ fill → `gongkai number` → `gongkai check --strict` → `gongkai publish` → `gongkai build`.
The built site has no broken internal link. Slow (a virtualenv, ~1 minute with pip's cache)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

REPO = Path(__file__).resolve().parents[2]
NAME, CODE, URL = "临江市民政局", "113302000029550119", "https://mzj.linjiang.gov.cn/"

pytestmark = pytest.mark.slow


def run(*command, cwd: Path, env: dict | None = None, timeout: float = 900) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def clean_copy(target: Path) -> None:
    """The files of the repository that git tracks or would track (no venv, no caches)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode("utf-8").split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


def package_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "generator").rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh virtualenv with gongkai installed from a wheel made from the sdist."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout of gongkai")
    base = tmp_path_factory.mktemp("dist")
    source, dist, venv = base / "src", base / "dist", base / "venv"
    clean_copy(source)
    run(sys.executable, "-m", "venv", venv, cwd=base)
    pip = [venv / "bin/python", "-m", "pip", "--disable-pip-version-check", "-q"]
    run(*pip, "install", "setuptools>=77", cwd=base)
    build_sdist = f"from setuptools import build_meta; print(build_meta.build_sdist({str(dist)!r}))"
    sdist = dist / run(venv / "bin/python", "-c", build_sdist, cwd=source).strip().splitlines()[-1]
    expected = package_files(source)
    with tarfile.open(sdist) as archive:  # the sdist carries every file of the package, and the licence
        top = sdist.name.removesuffix(".tar.gz")
        names = {n.removeprefix(top + "/") for n in archive.getnames()}
    assert expected <= names, sorted(expected - names)
    assert "LICENSE" in names
    shutil.rmtree(source)  # from here on, nothing of the checkout can be used
    run(*pip, "wheel", "--no-deps", "-w", dist, sdist, cwd=base)
    wheel = next(dist.glob("gongkai-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {n for n in expected if not n.endswith(".pyc")} <= names, sorted(expected - names)
    run(*pip, "install", "-c", REPO / "constraints.txt", wheel, cwd=base)
    return venv / "bin"


def broken_links(out: Path, site_url: str) -> list[tuple[str, str]]:
    """(page, link) of every link or resource of every page that names a file the site
    does not have: relative, site-absolute, or absolute under the site's own address."""
    broken = []
    for page in sorted(out.rglob("*.html")):
        document = lxml.html.fromstring(page.read_bytes())
        for element in document.iter("a", "link", "script", "img", "source", "iframe"):
            link = element.get("href") or element.get("src")
            if not link or link.startswith("#"):
                continue
            if link.startswith(site_url):
                target = out / unquote(urlsplit(link).path).lstrip("/")
            else:
                parts = urlsplit(link)
                if parts.scheme or parts.netloc:
                    continue  # another host: mailto:, tel:, or a link an editor wrote
                base = out if parts.path.startswith("/") else page.parent
                target = base / unquote(parts.path).lstrip("/")
                if not parts.path:
                    continue
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append((page.relative_to(out).as_posix(), link))
    return broken


def test_wheel_from_a_clean_copy_starts_and_builds_a_site(installed, tmp_path):
    gongkai = installed / "gongkai"
    env = {**os.environ, "PATH": f"{installed}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    work = tmp_path / "office"  # outside the repository
    work.mkdir()
    run(gongkai, "init", "mzj", "--name", NAME, "--org-code", CODE, "--url", URL, cwd=work, env=env)
    rel = run(gongkai, "new", "-s", "mzj", "通知公告", "关于2025年春节放假的通知", cwd=work, env=env).strip()
    item = work / "mzj" / rel
    text = item.read_text(encoding="utf-8")
    text = text.replace("status: draft", "status: published  #").replace("（在这里用 Markdown 写正文。）", "春节放假安排如下。")
    item.write_text(text, encoding="utf-8")
    numbered = run(gongkai, "number", "-s", "mzj", cwd=work, env=env)
    assert numbered.startswith(f"{CODE}/")
    run(gongkai, "check", "-s", "mzj", "--strict", cwd=work, env=env)
    run(gongkai, "publish", "-s", "mzj", cwd=work, env=env)
    run(gongkai, "build", "-s", "mzj", "-o", "site", cwd=work, env=env)
    out = work / "site"
    assert (out / "index.html").is_file() and (out / "pages/about/index.html").is_file()
    assert not (out / "_headers").exists() and (work / "site-server" / "nginx.conf").is_file()
    pages = list(out.rglob("*.html"))
    assert len(pages) > 10
    assert broken_links(out, URL) == []
