"""A hostile site (issue 11): every string an editor or a site's configuration controls
carries an attack, and no script of the attacker's runs.

The site has one category of every type and one item of each, a free page and
attachments. The attack text goes into site.name, site.description, organization.*,
identity.*, feedback.*, every category's title and description, the free page's title,
headings and body, and every free-text field of every item (title, summary, keywords,
publisher, … and the fields of each type), plus attachment titles. Scripts are planted
in bodies, and as .html / .js / .svg attachments (published here through
`attachments.allow_types`, the option that lets them through the type check).

The built site is served with the headers of its own `_headers` file (its
Content-Security-Policy; attachments as sandboxed downloads) and every page is opened in
Chromium. An attack that ran would set `window.__pwned` or request `/__pwned/…`; one
that reached the page as markup but was blocked by the policy shows up as a CSP
violation. Each page must show the attack as text (escaped), in its title.

Other classes of attack (paths, personal data …) add their own tests beside this one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CATEGORY_OF, ORG, VALID_ITEMS, num  # noqa: E402
from browserkit import publish  # noqa: E402

from generator.model.registry import TYPES  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EPOCH = "1728316800"  # 2024-10-08 Asia/Shanghai
MARK = "__pwned"


def attack(where: str) -> str:
    """Text that closes elements and attributes, then tries a script and an event handler.
    `where` names the field, so a failure says which one got through."""
    run = f"window.{MARK}=(window.{MARK}||[]).concat('{where}');fetch('/{MARK}/{where}')"
    return f"{where}</title></textarea>\"'><script>{run}</script><img src=x onerror=\"{run}\">"


# Keys whose values are choices, dates or references: left as the valid item has them.
KEEP = {"kind", "stage", "status", "gender", "validity", "有效性", "original", "topic", "period", "birth", "fee", "unit"}


def poison(value, where: str):
    """`value` with the attack appended to every free-text string."""
    if isinstance(value, dict):
        return {k: v if k in KEEP else poison(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, f"{where}{i}") for i, v in enumerate(value)]
    if isinstance(value, str):
        return value + attack(where)
    return value


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted scalar


def hostile_config() -> str:
    categories = "".join(
        f"  - key: {key}\n    title: {q(attack(f'cat.{key}.title'))}\n    type: {ctype}\n"
        f"    description: {q(attack(f'cat.{key}.desc'))}\n"
        for ctype, key in CATEGORY_OF.items()
    )
    return (
        f"site:\n  name: {q(attack('site.name'))}\n  url: https://www.example.gov.cn/\n"
        f"  description: {q(attack('site.desc'))}\n"
        f"organization:\n  name: {q(attack('org.name'))}\n  code: {ORG}\n  address: {q(attack('org.address'))}\n"
        f"  phone: {q(attack('org.phone'))}\n  email: {q(attack('org.email'))}\n  hours: {q(attack('org.hours'))}\n"
        f"identity:\n  sponsor: {q(attack('id.sponsor'))}\n  organizer: {q(attack('id.organizer'))}\n"
        f"  icp: {q(attack('id.icp'))}\n  public_security: {q(attack('id.ps'))}\n"
        f"feedback:\n  phone: {q(attack('fb.phone'))}\n  email: {q(attack('fb.email'))}\n"
        "attachments:\n  allow_types: [html, js, svg]\n"
        f"categories:\n{categories}"
    )


BODY = f"""
## 标题<script>fetch('/{MARK}/body.h2')</script>

<script>window.{MARK}='body';fetch('/{MARK}/body')</script>
<img src="x" onerror="fetch('/{MARK}/body.img')">
[点此](javascript:fetch('/{MARK}/body.link'))
"""

FILES = {
    "content/attachments/guide.pdf": b"%PDF-1.4\n",
    "content/attachments/evil.html": (
        f"<script src='evil.js'></script><script>fetch('/{MARK}/att.html')</script>"
    ).encode(),
    "content/attachments/evil.js": f"fetch('/{MARK}/att.js')".encode(),
    "content/attachments/evil.svg": (
        f'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/{MARK}/att.svg")</script></svg>'
    ).encode(),
}
ATTACHMENTS = ["attachments/guide.pdf", "attachments/evil.html", "attachments/evil.js", "attachments/evil.svg"]


def write_hostile_site(root: Path) -> None:
    """The site's files under `root`."""
    files: dict[str, str | bytes] = dict(FILES)
    files["site_config.yml"] = hostile_config()
    registry = []
    for n, (ctype, text) in enumerate(sorted(VALID_ITEMS.items()), start=1):
        suffix = TYPES[ctype].suffix  # .md: front matter and a Markdown body
        front, _, body = text.removeprefix("---\n").partition("\n---\n") if suffix == ".md" else (text, "", "")
        data = poison(yaml.safe_load(front), ctype)
        data["index_no"] = num(2024, n)
        data["summary"] = attack(f"{ctype}.summary")
        data["keywords"] = [attack(f"{ctype}.keyword")]
        data["publisher"] = attack(f"{ctype}.publisher")
        data["doc_no"] = attack(f"{ctype}.doc_no")
        data["attachments"] = [{"file": ref, "title": attack(f"{ctype}.att{i}")} for i, ref in enumerate(ATTACHMENTS)]
        dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path = f"content/{CATEGORY_OF[ctype]}/hostile-{ctype}{suffix}"
        files[path] = f"---\n{dumped}---\n{body}{BODY}" if suffix == ".md" else dumped
        registry.append(f"{data['index_no']}\t{path}")
    files["content/.registry"] = "\n".join(sorted(registry)) + "\n"
    files["content/pages/hostile.md"] = f"---\ntitle: {q(attack('page.title'))}\n---\n{BODY}"
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, serve_site):
    root = tmp_path_factory.mktemp("hostile")
    write_hostile_site(root / "src")
    publish(root / "src")
    out = root / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    command = [sys.executable, "-m", "generator", "build", "-s", str(root / "src"), "-o", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    assert done.returncode == 0, f"the hostile site did not build:\n{done.stdout}\n{done.stderr}"
    return out, serve_site(out)


RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def pages_of(out: Path) -> list[str]:
    """Every HTML page of the site but the /i/ redirects (they navigate away at once) and
    attachments (downloads: `test_active_attachments_are_sandboxed_downloads`)."""
    pages = []
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        if rel.startswith(("i/", "pagefind/", "attachments/")):
            continue
        pages.append(rel.removesuffix("index.html"))
    return pages


def test_attack_text_is_escaped_in_every_built_page(hostile):
    out, _ = hostile
    pages = list(out.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert f"<script>window.{MARK}" not in html, path
        assert f'onerror="window.{MARK}' not in html, path
        assert f"onerror=\"fetch('/{MARK}" not in html, path


def test_no_attack_runs_in_chromium_under_the_sites_policy(browser, hostile):
    out, server = hostile
    base = server.url
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(RECORD)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url) if f"/{MARK}/" in r.url else None)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    failures: dict[str, object] = {}
    paths = pages_of(out)
    assert {"", "catalogue/", "search/", "subscribe/", "data/", "pages/hostile/", "404.html"} <= set(paths)
    assert all(f"{key}/" in paths for key in CATEGORY_OF.values())
    assert sum(1 for p in paths if "/hostile-" in p) == len(VALID_ITEMS)
    for path in paths + [f"search/?q={MARK}"]:
        page.goto(base + path, wait_until="load")
        if path.startswith("search/?"):
            page.wait_for_selector(".gk-search-result", timeout=15_000)
        state = page.evaluate(f"[window.{MARK} || null, window.__csp, document.title]")
        if state[0] is not None or state[1]:
            failures[path] = state[:2]
        # the attack is shown as text: the site name is in every page's title
        if attack("site.name") not in state[2]:
            failures[path] = ("title", state[2])
    item = next(p for p in paths if "/hostile-article" in p)
    page.goto(base + item, wait_until="load")
    title = yaml.safe_load(VALID_ITEMS["article"].split("---")[1])["title"] + attack("article.title")
    assert page.locator("h1").first.inner_text().strip() == title  # shown as written
    context.close()
    assert not failures, failures
    assert not requests and not console, (requests, console)


@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "evil.js"])
def test_active_attachments_are_sandboxed_downloads(browser, hostile, name):
    out, server = hostile
    assert (out / "attachments" / name).is_file()  # published, through allow_types
    with urllib.request.urlopen(server.url + "attachments/" + name) as response:
        headers = response.headers
    assert headers["Content-Disposition"] == "attachment"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox; default-src 'none'" in headers.get_all("Content-Security-Policy")
    context = browser.new_context(accept_downloads=True)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url) if f"/{MARK}/" in r.url else None)
    page = context.new_page()
    with page.expect_download() as download:
        try:
            page.goto(server.url + "attachments/" + name)
        except Exception as exc:  # Chromium reports a download as an aborted navigation
            assert "Download is starting" in str(exc) or "ERR_ABORTED" in str(exc), exc
    assert download.value.suggested_filename == name
    page.wait_for_timeout(300)
    context.close()
    assert not requests, requests
