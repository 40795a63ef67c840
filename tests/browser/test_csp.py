"""The Content-Security-Policy shipped in `_headers` holds on every page type: served
with it, Chromium reports no violation, and search (WebAssembly) still works."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from generator import servers

from helpers import QuietServer

PAGES = [
    "",
    "catalogue/",
    "notices/",
    "notices/2024/2024-03-15-spring-fire-safety/",
    "duties/office/",
    "fees/gonganju/",
    "guides/yishenqing-gongkai/",
    "budgets/2024-bumen-yusuan/",
    "appointments/2024-09-27-renqian-gongshi/",
    "work-plans/2024-05/",
    "subscribe/",
    "data/",
    "pages/about/",
    "search/?q=防汛",
]

RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _headers(site: Path) -> dict[str, str]:
    """The headers of the `/*` block of `_headers` (the pages; attachments have their own),
    in the server configurations' folder `site` (beside the output)."""
    headers = {}
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines()[1:]:
        if not line[:1].isspace():
            break
        name, _, value = line.strip().partition(": ")
        headers[name] = value
    return headers


class _WithHeaders(http.server.SimpleHTTPRequestHandler):
    extra: dict[str, str] = {}

    def end_headers(self):
        for name, value in self.extra.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def csp_server(tmp_path_factory):
    from generator.build import build
    from generator.load.site import load_site
    from generator.problems import Problems

    out = tmp_path_factory.mktemp("csp") / "site"
    site = load_site(Path(__file__).resolve().parents[2], Problems())
    result = build(site, out)
    servers.write(servers.default_folder(out), result.policy, site.config.site.url)  # as `gongkai build` does
    handler = type("H", (_WithHeaders,), {"extra": _headers(servers.default_folder(out))})
    httpd = QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", out
    httpd.shutdown()


def test_policy_present_and_strict(csp_server):
    _, out = csp_server
    policy = _headers(servers.default_folder(out))["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "default-src 'self'" in policy
    assert "Content-Security-Policy" in (servers.default_folder(out) / "nginx.conf").read_text(encoding="utf-8")
    assert not (out / "_headers").exists()  # a server configuration is not a page of the site


def test_no_violation_on_any_page_type(browser, csp_server):
    base, out = csp_server
    for path in PAGES:
        assert (out / path.split("?")[0] / "index.html").exists(), path
    context = browser.new_context()
    context.add_init_script(RECORD)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    violations = {}
    for path in PAGES:
        page.goto(base + path, wait_until="load")
        if path.startswith("search/"):
            page.wait_for_selector(".gk-search-result", timeout=15_000)
        found = page.evaluate("window.__csp")
        if found:
            violations[path] = found
    seen = list(console)
    # The recorder works: an injected inline script is refused and reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; "
        "document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    control = page.evaluate("[window.__csp.length, window.__ran === 1]")
    context.close()
    assert not violations and not seen, (violations, seen)
    assert control == [1, False]
