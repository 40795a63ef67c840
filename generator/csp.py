"""A Content-Security-Policy that allows only the scripts the theme ships.

Scripts come only from the site itself; the few inline scripts of the theme are allowed
by their sha256 hashes, computed from the theme's own templates (never from the built
pages: a script that reached a page through an editor's text must not be allowed). An
inline script whose text depends on anything but `THEME_CONSTANTS` is not allowed, so
the theme keeps settings in data blocks (`<script type="application/json">`) instead.
Pagefind needs WebAssembly. Attachments are served as downloads under a sandbox
(`ATTACHMENT_HEADERS`). The web server configurations that carry these headers
(`_headers`, an nginx server block, a Caddyfile) are written by `generator/servers.py`,
beside the site, not inside it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import jinja2

_INLINE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json")

# The only values an inline script of the theme may contain: constants of gongkai
# (`render/mkdocs_site.py` hands mkdocs the same scope), never the site's configuration.
THEME_CONSTANTS = {"config": {"extra": {"scope": "/"}}}


def _hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _executable(attrs: str) -> bool:
    attrs = attrs.lower()
    return "src=" not in attrs and not any(kind in attrs for kind in _DATA_TYPES)


def theme_script_hashes(template_dirs: list[Path]) -> list[str]:
    """sha256 sources of the inline scripts written in the templates of `template_dirs`
    (gongkai's overrides and fragments, the renderer's own theme). A script with
    template code in it is rendered with `THEME_CONSTANTS` alone; one that needs
    anything else (a page's URL, a site setting) cannot be constant and is left out."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    hashes: set[str] = set()
    for folder in template_dirs:
        for path in sorted(Path(folder).rglob("*.html")):
            for match in _INLINE.finditer(path.read_text(encoding="utf-8")):
                if not _executable(match.group("attrs")):
                    continue
                body = match.group("body")
                if "{{" in body or "{%" in body or "{#" in body:
                    try:
                        body = env.from_string(body).render(THEME_CONSTANTS)
                    except jinja2.TemplateError:
                        continue
                hashes.add(_hash(body))
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


def admin_policy(connect: list[str]) -> str:
    """The policy of the web editor's page (`/admin/`, Decap CMS: `cms.py`), as strict as
    Decap allows. Its scripts are its own files ('self', no inline script), but it
    validates its configuration with AJV, which compiles validators with `new Function`:
    Decap does not start without `'unsafe-eval'` (the public pages never allow it); it injects
    its styles at run time (emotion: `'unsafe-inline'` styles, no script); previews of
    uploads are `blob:` and `data:` images; it talks to the repository's API and, for
    previews, to decap-server on this machine (`connect`: origins from site_config.yml).
    Nothing else: no other script host, no frames, no plugins, never framed itself."""
    hosts = " ".join(connect)
    directives = [
        "default-src 'self'",
        "script-src 'self' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {hosts}",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        f"connect-src 'self' {hosts}",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(" ".join(d.split()) for d in directives)


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

# Attachments are downloads, never pages of the site: even a file that could run script
# (an HTML or SVG file allowed by `attachments.allow_types`) opens in a sandbox with no
# origin, no script and nothing loaded.
ATTACHMENT_HEADERS = {
    "Content-Disposition": "attachment",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Referrer-Policy": HEADERS["Referrer-Policy"],
}


def headers_file(csp: str, admin: str | None = None) -> str:
    """`_headers` (the format of Netlify, Cloudflare Pages and similar hosts) for the
    policy `csp`: every page, then the attachments' sandbox, then the web editor's own
    policy (`admin`, cms.py) when the site has one."""
    headers = {"Content-Security-Policy": csp, **HEADERS}
    lines = ["/*"] + [f"  {name}: {value}" for name, value in headers.items()]
    lines += ["/attachments/*"] + [f"  {name}: {value}" for name, value in ATTACHMENT_HEADERS.items()]
    if admin:  # `! name` drops the header of `/*` (Cloudflare Pages): two policies would both apply
        lines += ["/admin/*", "  ! Content-Security-Policy", f"  Content-Security-Policy: {admin}"]
    return "\n".join(lines) + "\n"
