"""A Content-Security-Policy that the built site actually satisfies.

Scripts come only from the site itself; the few inline scripts of the theme are allowed
by their sha256 hashes, computed from the built pages (so a theme change can never
silently break the policy); Pagefind needs WebAssembly. Shipped as `_headers` (the
format of Netlify, Cloudflare Pages and similar hosts) and `nginx-headers.conf`.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json")


def inline_script_hashes(pages: list[str]) -> list[str]:
    """sha256 sources of every executable inline script in `pages` (HTML texts). The
    renderer's pages suffice: item pages are its shells plus sanitised fragments."""
    hashes: set[str] = set()
    for html in pages:
        for match in _INLINE.finditer(html):
            attrs = match.group("attrs").lower()
            if "src=" in attrs or any(kind in attrs for kind in _DATA_TYPES):
                continue
            digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
            hashes.add("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")
    return sorted(hashes)


def policy(hashes: list[str]) -> str:
    directives = [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
    return "; ".join(d.strip() for d in directives)


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def write_policy(write, hashes: list[str]) -> str:
    """`_headers` (Netlify, Cloudflare Pages) and `nginx-headers.conf`, through
    `write(site-relative path, text)`, allowing the inline scripts of these hashes
    (`inline_script_hashes` of the renderer's pages). Returns the policy."""
    csp = policy(hashes)
    headers = {"Content-Security-Policy": csp, **HEADERS}
    lines = ["/*"] + [f"  {name}: {value}" for name, value in headers.items()]
    write("_headers", "\n".join(lines) + "\n")
    nginx = ["# gongkai: include in the server block that serves this site."]
    nginx += [f'add_header {name} "{value}" always;' for name, value in headers.items()]
    nginx += [
        "gzip on;  # an item page is ~77 KB transferred compressed, ~330 KB without",
        "gzip_types text/css application/javascript application/json application/xml application/rss+xml application/atom+xml image/svg+xml;",
    ]
    write("nginx-headers.conf", "\n".join(nginx) + "\n")
    return csp
