"""The server configurations of the demo build (`_headers`, `nginx.conf`, beside the output): the
pages' Content-Security-Policy allows every inline script the pages carry (all of them
the theme's) and nothing else inline, and attachments are sandboxed downloads."""

from __future__ import annotations

import base64
import hashlib
import re

import lxml.html

SANDBOX = {
    "Content-Disposition": "attachment",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}


def blocks(text: str) -> dict[str, dict[str, str]]:
    """`_headers` as {path pattern: {header: value}}."""
    found: dict[str, dict[str, str]] = {}
    pattern = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            pattern = line.strip()
            found[pattern] = {}
        elif line.strip():
            name, _, value = line.strip().partition(": ")
            found[pattern][name] = value
    return found


def server_file(demo, name: str) -> str:
    """A file of the server configurations `gongkai build` writes beside the output."""
    return (demo.root.parent / f"{demo.root.name}-server" / name).read_text(encoding="utf-8")


def test_attachments_are_served_as_sandboxed_downloads(demo):
    headers = blocks(server_file(demo, "_headers"))
    assert set(headers) == {"/*", "/attachments/*", "/admin/*"}  # the demo has the web editor
    assert SANDBOX.items() <= headers["/attachments/*"].items()
    nginx = server_file(demo, "nginx.conf")
    location = re.search(r"location \^~ /attachments/ \{(.*?)\}", nginx, re.S)
    assert location, nginx
    for name, value in SANDBOX.items():
        assert f'add_header {name} "{value}" always;' in location.group(1)
    assert (demo.root / "attachments").is_dir() and any((demo.root / "attachments").rglob("*.pdf"))


def test_policy_allows_exactly_the_inline_scripts_of_the_pages(demo):
    """Every executable inline script of every page is allowed by its hash; the policy
    allows no inline script by any other means."""
    policy = blocks(server_file(demo, "_headers"))["/*"]["Content-Security-Policy"]
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src ")).split()[1:]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    allowed = {s for s in script_src if s.startswith("'sha256-")}
    assert set(script_src) - allowed == {"'self'", "'wasm-unsafe-eval'"}
    seen = set()
    for path in sorted(demo.root.rglob("*.html")):
        if "pagefind" in path.parts:
            continue
        document = lxml.html.fromstring(path.read_bytes())
        for script in document.iter("script"):
            if script.get("src") or script.get("type") in ("application/json", "application/ld+json"):
                continue
            digest = "'sha256-" + base64.b64encode(hashlib.sha256((script.text or "").encode()).digest()).decode() + "'"
            assert digest in allowed, (path, (script.text or "")[:80])
            seen.add(digest)
    assert seen  # Material's scope script is on every page
