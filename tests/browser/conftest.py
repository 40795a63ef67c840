"""Browser tests: Playwright for Python driving Debian's chromium (no browser download).

`make test` installs chromium with apt-get when it is missing. In CI (CI=true) a missing
browser is a failure, never a skip.

Sites (session fixtures, each built once by `gongkai build` in a subprocess):
    demo_site      the repository's demo site, SOURCE_DATE_EPOCH = 2024-10-08 (Asia/Shanghai)
    paged_site     60 notices: a category with a second list page
    big_site       10,000 items (benchmarks/synth.py, else bigsite.py's own generator);
                   started in the background once the tests that need it are selected
Helpers: `new_page(width=…)` opens pages in fresh contexts; `axe_source` is axe-core's
script (tests/browser/node_modules, `npm ci --prefix tests/browser`; the session's axe
report is written when it ends, axekit.py); `report(section,
line)` adds a line to the summary printed at the end of the run (figures, axe findings).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.model.registry import TYPES

import axekit
from browserkit import FIXED, PAGE_TYPES, PREFERRED, missing, new_context, publish
from helpers import QuietServer, report_line, shared

CHROMIUM = os.environ.get("GONGKAI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "test-artifacts"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
DEMO_EPOCH = "1728316800"  # 2024-10-08 00:00 Asia/Shanghai: the demo's appointment of 2024-09-27 is open
BIG_ITEMS = 10_000


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds a 10,000-item site (about 2 minutes); runs in CI")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def pytest_collection_finish(session):
    if any("big_site" in getattr(item, "fixturenames", ()) for item in session.items):
        _BigSite.start()


# ---------------------------------------------------------------------------
# the end-of-run summary: measured figures and accessibility findings

@pytest.fixture(scope="session")
def report():
    """report(section, line): a line for the summary at the end of the run (tests/conftest.py)."""
    return report_line


# ---------------------------------------------------------------------------
# sites


def _gongkai(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def _build(site: Path, out: Path, epoch: str = DEMO_EPOCH) -> Path:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    done = subprocess.run(_gongkai("build", "-s", str(site), "-o", str(out)), capture_output=True, text=True, env=env, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(f"gongkai build {site} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return out


class Built:
    """A built site served on 127.0.0.1: `url(path)` is the address of a site path."""

    def __init__(self, out: Path, server: Server):
        self.out = out
        self.server = server
        self.base = server.url

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")


def _site_headers(root: Path) -> list[tuple[str, str, str]]:
    """(path pattern, header, value) from the site's `_headers` file (Netlify's format,
    written by the build for the web server beside the output: Content-Security-Policy …)."""
    from generator import servers

    rules, pattern = [], None
    path = servers.default_folder(root) / "_headers"
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            pattern = line.strip()
        elif pattern and line.strip().startswith("!"):  # `! Name` drops a header of a wider rule
            rules.append((pattern, "!", line.strip()[1:].strip()))
        elif pattern and ":" in line:
            name, value = line.strip().split(":", 1)
            rules.append((pattern, name.strip(), value.strip()))
    return rules


class _WithHeaders(http.server.SimpleHTTPRequestHandler):
    rules: list = []

    def end_headers(self):
        path = self.path.split("?")[0]
        headers: list[tuple[str, str]] = []
        for pattern, name, value in self.rules:
            if pattern == "/*" or pattern == path or (pattern.endswith("*") and path.startswith(pattern[:-1])):
                if name == "!":
                    headers = [(n, v) for n, v in headers if n.lower() != value.lower()]
                else:
                    headers.append((name, value))
        for name, value in headers:
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve_site(serve_folder):
    """serve_site(folder) → a Server that also sends the site's `_headers` (its
    Content-Security-Policy …), so that the tests see what a visitor's browser sees."""

    def start(root: Path) -> Server:
        server = serve_folder(root)
        handler = type("Handler", (_WithHeaders,), {"rules": _site_headers(root)})
        server.httpd.RequestHandlerClass = functools.partial(handler, directory=str(root))
        return server

    return start


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory, serve_site) -> Built:
    out = _build(REPO, tmp_path_factory.mktemp("demo") / "site")
    return Built(out, serve_site(out))


@pytest.fixture(scope="session")
def paged_site(tmp_path_factory, serve_site) -> Built:
    """60 notices in one category: its list has a second page (50 items a page)."""
    sys.path.insert(0, str(HERE.parent))
    from helpers import CONFIG, num

    root = tmp_path_factory.mktemp("paged")
    src = root / "src"
    registry = []
    for n in range(1, 61):
        path = f"content/notices/n{n:02d}.md"
        number = num(2024, n)
        text = f"---\nindex_no: {number}\ntitle: 关于第{n}批惠民政策落实情况的通知\npublished: 2024-{(n % 9) + 1:02d}-{(n % 27) + 1:02d}\n---\n\n各乡镇、各部门要高度重视，切实加强组织领导。\n"
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(text, encoding="utf-8")
        registry.append(f"{number}\t{path}")
    (src / "site_config.yml").write_text(CONFIG, encoding="utf-8")
    (src / "content" / ".registry").write_text("\n".join(sorted(registry)) + "\n", encoding="utf-8")
    publish(src)
    out = _build(src, root / "site")
    return Built(out, serve_site(out))


class _BigSite:
    """The 10,000-item site, generated and built by bigsite.py in a background process
    started at collection time, so that the other browser tests run meanwhile. One
    process of the run starts it, in the run's shared folder (tests/conftest.py): with
    several workers, the first to collect; any worker waits for it."""

    process: subprocess.Popen | None = None

    @staticmethod
    def root() -> Path:
        return shared() / "big"

    @classmethod
    def start(cls) -> None:
        root = cls.root()
        try:
            root.mkdir()
        except FileExistsError:
            return  # started by this process or another worker
        env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH}
        with open(root / "build.log", "w", encoding="utf-8") as log:
            cls.process = subprocess.Popen(
                [sys.executable, str(HERE / "bigsite.py"), str(BIG_ITEMS), str(root)],
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO,
            )  # fmt: skip
        (root / "pid").write_text(str(cls.process.pid))  # killed at the end of the run if nobody waited

    @classmethod
    def wait(cls) -> Path:
        """The built site; bigsite.py writes its exit status to `exit` when it ends."""
        cls.start()
        root, deadline = cls.root(), time.monotonic() + 900
        while not (root / "exit").exists():
            if cls.process is not None and cls.process.poll() is not None:
                break  # ended without writing its status: killed
            if time.monotonic() > deadline:
                raise AssertionError(f"building the {BIG_ITEMS}-item site took more than 15 minutes")
            time.sleep(0.5)
        status = (root / "exit").read_text().strip() if (root / "exit").exists() else "killed"
        log = (root / "build.log").read_text(encoding="utf-8", errors="replace")
        if status != "0":
            raise AssertionError(f"building the {BIG_ITEMS}-item site failed ({status}):\n{log[-4000:]}")
        return root / "site"


@pytest.fixture(scope="session")
def big_site(serve_site, report) -> Built:
    out = _BigSite.wait()
    log = (out.parent / "build.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
    report("site weight", f"{BIG_ITEMS}-item site: " + " / ".join(line for line in log if line.startswith("bigsite:")))
    return Built(out, serve_site(out))


# ---------------------------------------------------------------------------
# pages and tools


@pytest.fixture(scope="session")
def axe_source(artifacts, report):
    """axe-core's script; at the end of the session, the report of what axe found (axekit.py)."""
    if not AXE.is_file():
        missing("axe-core is not installed", "run `npm ci --prefix tests/browser` (make test does)")
    yield AXE.read_text(encoding="utf-8")
    axekit.write_report(artifacts, report)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_page(browser):
    """new_page(width=1280, height=800, **context options) → a page in a fresh context
    (zh-CN, Asia/Shanghai). The sites are served with their own Content-Security-Policy:
    test tools are injected with page.evaluate, which the policy does not restrict."""
    contexts = []

    def open_page(width: int = 1280, height: int = 800, **options):
        context = new_context(browser, width, height, **options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server:
    """A static file server on 127.0.0.1 for one folder, in a thread."""

    def __init__(self, root: Path):
        handler = functools.partial(_Quiet, directory=str(root))
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.root = root
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def serve_folder():
    servers = []

    def start(root: Path) -> Server:
        server = Server(root)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)")
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    yield page
    context.close()


# ---------------------------------------------------------------------------
# one page of every type


def _find_pages(out: Path) -> dict[str, str]:
    """Site paths of item pages by marker class: gk-item--<type>, --withdrawn, --repealed."""
    found: dict[str, str] = {}
    markers = {name: f"gk-item--{name}" for name in (*TYPES, "withdrawn", "repealed")}
    for path in sorted(out.rglob("index.html")):
        rel = path.parent.relative_to(out).as_posix() + "/"
        if rel.startswith("i/"):
            continue
        html = path.read_text(encoding="utf-8", errors="replace")
        for name, marker in markers.items():
            if name not in found and (f"{marker} " in html or f'{marker}"' in html):
                found[name] = rel
    return found


@pytest.fixture(scope="session")
def page_types(demo_site, paged_site) -> dict[str, str]:
    """{page type: absolute URL} for PAGE_TYPES (the pagination page is on paged_site)."""
    found = _find_pages(demo_site.out)
    urls = {}
    for name in PAGE_TYPES:
        if name == "pagination":
            urls[name] = paged_site.url("notices/page/2/")
            assert (paged_site.out / "notices" / "page" / "2" / "index.html").is_file(), "no second list page"
            continue
        if name in FIXED:
            path = FIXED[name]
        elif name in PREFERRED and (demo_site.out / PREFERRED[name] / "index.html").is_file():
            path = PREFERRED[name]
        else:
            path = found.get(name)
        assert path is not None, f"the demo site has no {name} page"
        urls[name] = demo_site.url(path)
    return urls


READY = "() => { const box = document.querySelector('[data-gk-display]'); return !!box && !box.hidden; }"


@pytest.fixture(scope="session")
def visit(page_types):
    """visit(page, page type) → opens that page and waits until it is complete: gongkai.js
    has run (the header's reading controls are shown), search results are shown
    (search/?q=低保), the catalogue's filters are ready, fonts are loaded."""

    def go(page, name: str):
        url = page_types[name] + ("?q=低保" if name == "search" else "")
        page.goto(url, wait_until="load")
        page.wait_for_function(READY, timeout=15_000)
        if name == "search":
            page.locator(".gk-search-result__link").first.wait_for(timeout=15_000)
        if name == "catalogue":
            page.locator("form[data-gk-filters]").wait_for(state="visible", timeout=15_000)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        return page

    return go
