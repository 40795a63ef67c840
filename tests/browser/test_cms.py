"""The web editor for real: Decap CMS from the built /admin/ in Chromium, against
decap-server (its local git backend) on a copy of the demo site.

An editor creates a notice and a fee item by typing into the widgets and saving. With the
editorial workflow each is a commit on a branch of its own (the merge request); merged,
the files pass `gongkai check` once `gongkai number` and `gongkai publish` have run in
the repository, and the next build shows them. No page error, no request to another host.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browserkit import missing

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DECAP_SERVER = REPO / "tools" / "decap" / "node_modules" / "decap-server" / "dist" / "index.js"
LOOPBACK = {"127.0.0.1", "localhost"}
NOTICE = "关于网页编辑器试运行的通知"
FEE = "网页编辑器测试收费"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _git(src: Path, *args: str) -> str:
    command = ["git", "-C", str(src), "-c", "user.name=测试", "-c", "user.email=t@example.gov.cn", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def _gongkai(src: Path, *args: str, epoch: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"SOURCE_DATE_EPOCH": epoch} if epoch else {})}
    command = [sys.executable, "-m", "generator", *args, "-s", str(src)]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env)


@pytest.fixture
def decap_site(tmp_path):
    """(site folder, decap-server): a copy of the demo site in a git repository, with
    decap-server serving it on 127.0.0.1 (killed at the end at the latest);
    site_config.yml points the editor at that port."""
    if not DECAP_SERVER.is_file() or shutil.which("node") is None:
        missing("decap-server is not installed", "run `make` (npm ci --prefix tools/decap)")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copytree(REPO / "content", src / "content")
    shutil.copy(REPO / ".gitignore", src / ".gitignore")
    port = _free_port()
    config = (REPO / "site_config.yml").read_text(encoding="utf-8")
    assert "\ncms:\n  backend: local\n" in config
    local = f"\ncms:\n  backend: local\n  local_url: http://127.0.0.1:{port}/api/v1\n"
    config = config.replace("\ncms:\n  backend: local\n", local)
    (src / "site_config.yml").write_text(config, encoding="utf-8")
    _git(src, "init", "-q", "-b", "main")
    _git(src, "add", "-A")
    _git(src, "commit", "-q", "-m", "演示站点")
    env = {**os.environ, "MODE": "git", "GIT_REPO_DIRECTORY": str(src), "PORT": str(port), "BIND_HOST": "127.0.0.1"}
    env["LOG_LEVEL"] = "warn"
    server = subprocess.Popen(["node", str(DECAP_SERVER)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                alive = server.poll() is None and time.monotonic() < deadline
                assert alive, server.stdout.read().decode(errors="replace")
                time.sleep(0.2)
        yield src, server
    finally:
        server.kill()
        server.wait()


def _wait_for_branch(src: Path, collection: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        branches = [b.strip(" *") for b in _git(src, "branch", "--list", f"cms/{collection}/*").splitlines()]
        if branches:
            return branches[0]
        time.sleep(0.3)
    raise AssertionError(f"the editor committed no branch for {collection}")


def _save(page):
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("内容已保存").wait_for(timeout=20_000)


def test_an_editor_creates_a_notice_and_a_fee_item_that_pass_check(
    decap_site, tmp_path, serve_site, new_page, artifacts
):
    src, decap_server = decap_site
    built = _gongkai(src, "build", "-o", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    server = serve_site(tmp_path / "site")
    page = new_page(width=1280, height=900)
    errors, requests = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    shots = artifacts / "screenshots"

    page.goto(server.url + "admin/", wait_until="load")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("通知公告").first.wait_for(timeout=20_000)
    page.screenshot(path=str(shots / "cms-collections.png"))

    # A notice: title, publication date, body in the rich-text editor.
    page.goto(server.url + "admin/#/collections/notices/new")
    page.get_by_label("标题", exact=True).fill(NOTICE)
    page.get_by_label("发布日期", exact=True).fill("2024-06-03")
    page.get_by_label("发文字号 (可选)").fill("青政办发〔2024〕99号")
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("网页编辑器自即日起试运行。")
    page.screenshot(path=str(shots / "cms-notice.png"), full_page=True)
    _save(page)
    notice_branch = _wait_for_branch(src, "notices")

    # A fee item: the unit, and one row of the nested list of fee items.
    page.goto(server.url + "admin/#/collections/fees/new")
    page.reload()  # a fresh editor: the last one is still leaving its saved entry
    page.get_by_label("执收单位 (可选)").wait_for(timeout=20_000)
    page.get_by_label("标题", exact=True).fill(FEE)
    page.get_by_label("发布日期", exact=True).fill("2024-06-04")
    page.get_by_label("执收单位 (可选)").fill("县自然资源和规划局")
    page.get_by_role("button", name="新增收费项目").click()
    page.get_by_label("项目名称", exact=True).fill("测试登记费")
    page.get_by_label("收费标准 (可选)").fill("每件80元")
    page.get_by_label("金额 (可选)").fill("80")
    page.screenshot(path=str(shots / "cms-fee.png"), full_page=True)
    _save(page)
    fee_branch = _wait_for_branch(src, "fees")

    assert errors == [], errors
    web = [urlsplit(url) for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")]
    foreign = sorted({url.geturl() for url in web if url.hostname not in LOOPBACK})
    assert foreign == [], foreign

    # The merge requests are merged; numbers and the register are made in the repository.
    decap_server.kill()  # it checks branches out in the working tree while it runs
    decap_server.wait()
    _git(src, "checkout", "-q", "main")
    _git(src, "tag", "before-merge")
    for branch in (notice_branch, fee_branch):
        _git(src, "merge", "-q", "--no-ff", "-m", f"合并 {branch}", branch)
    created = [src / name for name in _git(src, "diff", "--name-only", "before-merge", "HEAD").split()]
    assert len(created) == 2, created
    for path in created:
        assert "index_no" not in path.read_text(encoding="utf-8")  # the editor never numbers
    before = _gongkai(src, "check", "--format", "json")  # what the merge request's CI shows before numbering
    errors_before = [p for p in json.loads(before.stdout) if p["level"] == "error"]
    assert {(p["code"], p["path"]) for p in errors_before} == {("index-missing", str(p.relative_to(src))) for p in created}
    for command in ("number", "publish"):
        done = _gongkai(src, command)
        assert done.returncode == 0, done.stdout + done.stderr
    checked = _gongkai(src, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for path in created:
        assert "index_no: 11330100002482066D/2024-" in path.read_text(encoding="utf-8")

    again = _gongkai(src, "build", "-o", str(tmp_path / "next"))
    assert again.returncode == 0, again.stderr
    assert NOTICE in (tmp_path / "next" / "notices" / "index.html").read_text(encoding="utf-8")
    fees = (tmp_path / "next" / "fees" / "index.html").read_text(encoding="utf-8")
    assert FEE in fees
    pages = [p for p in (tmp_path / "next" / "fees").rglob("index.html") if "测试登记费" in p.read_text(encoding="utf-8")]
    assert pages, "the fee item's page does not show its row"
