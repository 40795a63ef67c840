"""Web server configurations for a built site: an nginx `server` block, a Caddyfile and
`_headers` (Netlify, Cloudflare Pages and similar hosts).

They carry the Content-Security-Policy of `generator/csp.py`, the security headers, gzip,
the charset, long caching of fingerprinted assets, the 404 page and the sandbox of
`/attachments/`. `gongkai build` writes them beside the output (`<output>-server/`, or
`--server-config DIR`), never inside it: a server configuration is not a page of the
site. `--headers-in-site` also puts `_headers` in the site root for hosts that read it
there. A site served under a path (`https://host/gk/`) gets locations under that path.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from generator import csp

NGINX_FILE, CADDY_FILE, HEADERS_FILE = "nginx.conf", "Caddyfile", "_headers"

# Compressed on the fly (an item page is ~77 KB transferred gzipped, ~330 KB without).
COMPRESSED = (
    "text/css application/javascript application/json application/xml "
    "application/rss+xml application/atom+xml image/svg+xml text/plain"
)
# Files whose names carry a digest of their content never change under that name:
# mkdocs-material's bundles (`bundle.<hex>.min.js`, `main.<hex>.min.css`) and
# Pagefind's fragments and index chunks.
FINGERPRINTED = r"(/assets/(javascripts|stylesheets)/.+\.[0-9a-f]{8,}\.min\.(js|css)|/pagefind/(fragment|index)/.+)$"
IMMUTABLE = "public, max-age=31536000, immutable"


def _where(site_url: str) -> tuple[str, str]:
    """(host, path) of the site's address; the path ends with '/'."""
    parts = urlsplit(site_url)
    path = parts.path or "/"
    return parts.hostname or "localhost", path if path.endswith("/") else path + "/"


def nginx(policy: str, site_url: str, root: str = "/var/www", admin: str | None = None) -> str:
    """A complete nginx `server` block for the site at `site_url`, its files under `root`
    (a site on a path /gk/ lives in `root`/gk/); `admin` is the web editor's policy."""
    host, path = _where(site_url)
    headers = {"Content-Security-Policy": policy, **csp.HEADERS}

    def add(values: dict[str, str], indent: str) -> list[str]:
        return [f'{indent}add_header {name} "{value}" always;' for name, value in values.items()]

    lines = [
        f"# gongkai：{host} 的 nginx 配置。放入 /etc/nginx/conf.d/，把网站文件放在 {root}{path}，",
        "# 再按本机关的证书补充 HTTPS（listen 443 ssl; ssl_certificate …）。",
        "server {",
        "    listen 80;",
        f"    server_name {host};",
        f"    root {root};",
        "    index index.html;",
        "    charset utf-8;",
        f"    charset_types {COMPRESSED};",
        "    gzip on;",
        "    gzip_vary on;",
        f"    gzip_types {COMPRESSED};",
        f"    error_page 404 {path}404.html;",
        "    # 下面每一段的 add_header 会取代这里的，所以每段都写全",
        *add(headers, "    "),
        f"    location ~ \"^{path.rstrip('/')}{FINGERPRINTED}\" {{",
        *add(headers, "        "),
        f'        add_header Cache-Control "{IMMUTABLE}" always;',
        "    }",
        "    # 附件：以下载方式提供，放在沙箱中",
        f"    location ^~ {path}attachments/ {{",
        *add(csp.ATTACHMENT_HEADERS, "        "),
        "    }",
    ]
    if admin:
        lines += [
            "    # 网页编辑器（Decap CMS）：它自己的内容安全策略",
            f"    location ^~ {path}admin/ {{",
            *add({**headers, "Content-Security-Policy": admin}, "        "),
            "    }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def caddy(policy: str, site_url: str, root: str = "/var/www", admin: str | None = None) -> str:
    """A Caddyfile for the site at `site_url` (Caddy obtains the HTTPS certificate);
    `admin` is the web editor's policy."""
    host, path = _where(site_url)
    headers = {"Content-Security-Policy": policy, **csp.HEADERS}

    def block(matcher: str, values: dict[str, str]) -> list[str]:
        return [f"    header {matcher}{{"] + [f'        {name} "{value}"' for name, value in values.items()] + ["    }"]

    lines = [
        f"# gongkai：{host} 的 Caddy 配置。网站文件放在 {root}{path}。",
        f"{host} {{",
        f"    root * {root}",
        "    encode gzip",
        *block("", headers),
        *block(f"{path}attachments/* ", csp.ATTACHMENT_HEADERS),
        *(block(f"{path}admin/* ", {"Content-Security-Policy": admin}) if admin else []),
        f'    @fingerprinted path_regexp "^{path.rstrip("/")}{FINGERPRINTED}"',
        f'    header @fingerprinted Cache-Control "{IMMUTABLE}"',
        "    handle_errors {",
        "        @missing expression {err.status_code} == 404",
        f"        rewrite @missing {path}404.html",
        "        file_server",
        "    }",
        "    file_server",
        "}",
    ]
    return "\n".join(lines) + "\n"


def configs(policy: str, site_url: str, admin: str | None = None) -> dict[str, str]:
    """{file name: text} of every server configuration."""
    return {
        NGINX_FILE: nginx(policy, site_url, admin=admin),
        CADDY_FILE: caddy(policy, site_url, admin=admin),
        HEADERS_FILE: csp.headers_file(policy, admin),
    }


def default_folder(out_dir: Path) -> Path:
    """Where `gongkai build -o OUT` writes them: beside the output, `OUT-server/`."""
    return out_dir.parent / f"{out_dir.name}-server"


def write(folder: Path, policy: str, site_url: str, admin: str | None = None) -> list[Path]:
    """Write the configurations into `folder` (made if missing); a file whose text is
    unchanged is left alone. Returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in configs(policy, site_url, admin).items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
