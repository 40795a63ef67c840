"""Fixtures of the build tests (issue 3, the public site; issue 4, feeds and exports).

The demo site (the repository itself: site_config.yml + content/) is built once per
session, with SOURCE_DATE_EPOCH fixed at 2024-10-08 00:00 Asia/Shanghai so that
date-dependent output (the notice status of appointments, the home page's open notices)
is predictable. A second, synthetic site with more than 50 items in one category covers
pagination, the 50-item feed limit and a procedure whose fee names a fee item by its
index number. Every build runs the installed `gongkai build` in a subprocess; the four
session builds start side by side on first use.

Helpers (HTML parsing with lxml.html, an independent reader of the content files, a
minimal JSON Schema check) are in buildkit.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))

from buildkit import DEMO_SITE, Built, Source, publish, start_build  # noqa: E402
from helpers import SiteDir, dedent, make_config, num  # noqa: E402


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.build)


@pytest.fixture(scope="session")
def demo_source() -> Source:
    return Source(DEMO_SITE)


class Launcher:
    """The session's builds, started side by side on first use (each is a subprocess:
    mkdocs is single-threaded, so parallel builds save wall time)."""

    def __init__(self, tmp_path_factory, demo_source: Source):
        self.factory = tmp_path_factory
        self.demo_source = demo_source
        self.running: dict[str, tuple] = {}

    def start(self, name: str, site: Path, *args: str) -> None:
        if name not in self.running:
            out = self.factory.mktemp(name) / "site"
            self.running[name] = (start_build(site, out, *args), out)

    def result(self, name: str, base_url: str) -> Built:
        process, out = self.running[name]
        stdout, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, f"build {name} failed ({process.returncode}):\n{stdout}\n{stderr}"
        return Built(out, base_url, stdout, stderr)


@pytest.fixture(scope="session")
def launcher(tmp_path_factory, demo_source, synthetic_source) -> Launcher:
    launcher = Launcher(tmp_path_factory, demo_source)
    launcher.start("demo", DEMO_SITE)
    launcher.start("synthetic-out", synthetic_source.dir)
    launcher.start("demo-again", DEMO_SITE)
    launcher.start("demo-drafts", DEMO_SITE, "--drafts")
    yield launcher
    for process, _ in launcher.running.values():
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def demo(launcher, demo_source) -> Built:
    """The demo site built once, on 2024-10-08 (Asia/Shanghai)."""
    return launcher.result("demo", demo_source.base_url)


@pytest.fixture(scope="session")
def demo_again(launcher, demo_source) -> Built:
    """A second build of the demo site into another folder (determinism)."""
    return launcher.result("demo-again", demo_source.base_url)


@pytest.fixture(scope="session")
def demo_drafts(launcher, demo_source) -> Built:
    """The demo site built with --drafts (a preview)."""
    return launcher.result("demo-drafts", demo_source.base_url)


# ---------------------------------------------------------------------------
# a synthetic site: 120 notices over three years, a fee item, a procedure

SYNTHETIC_CATEGORIES = """\
categories:
  - key: notices
    title: 通知公告
    type: article
    description: 合成站点的通知公告
  - key: fees
    title: 行政事业性收费
    type: fee
  - key: guides
    title: 办事指南
    type: procedure
"""

# notices per year, newest year first: 60 + 40 + 20 = 120 → pages of 50, 50, 20
YEARS = {2024: 60, 2023: 40, 2022: 20}
FEE_NUMBER = num(2024, 61)


def _notice(year: int, n: int) -> tuple[str, str]:
    """The n-th notice of `year` (1-based): published on day n of the year."""
    import datetime as dt

    day = dt.date(year, 1, 1) + dt.timedelta(days=n - 1)
    body = dedent(
        f"""
        ---
        index_no: {num(year, n)}
        title: 合成通知 {year} 第{n:02d}号
        published: {day.isoformat()}
        summary: 合成站点第 {year} 年第 {n} 条通知。
        ---
        第 {n} 条通知的正文。
        """
    )
    return f"content/notices/{year}/n{n:03d}.md", body


def synthetic_files() -> dict[str, str]:
    files = dict(_notice(year, n) for year, count in YEARS.items() for n in range(1, count + 1))
    files["content/fees/budongchan.yml"] = dedent(
        f"""
        index_no: {FEE_NUMBER}
        title: 不动产登记收费
        published: 2024-03-02
        department: 县自然资源和规划局
        items:
          - name: 不动产登记费
            standard: 住宅类每件80元
            amount: 80
            unit: 元/件
            basis: 发改价格规〔2016〕2559号
            management: 缴入国库
            level: 中央
        """
    )
    files["content/guides/dengji.yml"] = dedent(
        f"""
        index_no: {num(2024, 62)}
        title: 不动产登记办事指南
        published: 2024-03-03
        service:
          kind: 公共服务
          legal_basis: [《不动产登记暂行条例》]
          conditions: [申请人为不动产权利人]
          materials:
            - {{name: 申请表, copies: 1, original: true}}
          steps:
            - {{name: 受理, actor: 窗口, days: 1}}
            - {{name: 登簿, actor: 登记科, days: 2}}
          legal_days: 30
          promised_days: 3
          fee: {FEE_NUMBER}
          location: 县政务服务中心
          hours: 工作日 9:00-17:00
          phone: 0571-00000000
        """
    )
    return files


def write_site(root: Path, files: dict[str, str], config: str, record: bool = True) -> SiteDir:
    """A site folder with its numbers registered and, with `record`, its versions recorded by
    `gongkai publish` (a site whose content is meant to be refused cannot be published)."""
    site = SiteDir(root, None)
    root.mkdir(parents=True, exist_ok=True)
    site.write("site_config.yml", config)
    (root / "content").mkdir(exist_ok=True)
    for rel, content in files.items():
        site.write(rel, content)
    site.register()
    if record:
        publish(root)
    return site


@pytest.fixture(scope="session")
def synthetic_source(tmp_path_factory) -> Source:
    root = tmp_path_factory.mktemp("synthetic") / "site"
    write_site(root, synthetic_files(), make_config(categories=SYNTHETIC_CATEGORIES))
    return Source(root)


@pytest.fixture(scope="session")
def synthetic(launcher, synthetic_source) -> Built:
    return launcher.result("synthetic-out", synthetic_source.base_url)


TINY_NOTICE = dedent(
    f"""
    ---
    index_no: {num(2024, 1)}
    title: 小站点的通知
    published: 2024-02-01
    ---
    正文。
    """
)


@pytest.fixture
def tiny_site(tmp_path) -> SiteDir:
    """A one-item site, built by the tests that build several times."""
    return write_site(tmp_path / "tiny", {"content/notices/a.md": TINY_NOTICE}, make_config(categories=SYNTHETIC_CATEGORIES))

