"""Server configurations (issue 15): a complete nginx `server` block and a Caddyfile with
the Content-Security-Policy, security headers, gzip, charset, 404 page, long caching of
fingerprinted assets and the sandbox of attachments, for a site at the root or on a
path; `nginx -t` accepts the block when nginx is installed (`make test` does not install
it: Debian's package starts a server on port 80). robots.txt under the site's path."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from generator import csp, servers

POLICY = csp.policy(["'sha256-AAAA'"])


def blocks(text: str) -> dict[str, list[str]]:
    """A tiny parser of nginx/Caddy syntax: {block header: its directive lines}; braces must
    balance and every nginx directive ends with ';'."""
    found: dict[str, list[str]] = {}
    stack: list[str] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.strip().startswith("#") else ""
        if not line:
            continue
        if line.endswith("{"):
            stack.append(line[:-1].strip())
            found.setdefault(stack[-1], [])
        elif line == "}":
            assert stack, "unbalanced }"
            stack.pop()
        else:
            assert stack, f"directive outside a block: {line}"
            found[stack[-1]].append(line)
    assert not stack, f"unclosed block {stack}"
    return found


@pytest.mark.parametrize("url, path", [("https://mzj.linjiang.gov.cn/", "/"), ("https://www.linjiang.gov.cn/mzj/", "/mzj/")])
def test_nginx_server_block_is_complete(url, path):
    parsed = blocks(servers.nginx(POLICY, url))
    server = parsed["server"]
    assert all(line.endswith(";") for lines in parsed.values() for line in lines)
    for directive in ["server_name " + url.split("/")[2] + ";", "charset utf-8;", "gzip on;", f"error_page 404 {path}404.html;"]:
        assert directive in server
    assert f'add_header Content-Security-Policy "{POLICY}" always;' in server
    assert 'add_header X-Content-Type-Options "nosniff" always;' in server
    attachments = parsed[f"location ^~ {path}attachments/"]
    assert 'add_header Content-Disposition "attachment" always;' in attachments
    cached = next(lines for header, lines in parsed.items() if "pagefind/(fragment|index)" in header)
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in cached
    assert f'add_header Content-Security-Policy "{POLICY}" always;' in cached  # not lost in the location
    pattern = next(h for h in parsed if "pagefind" in h).split('"')[1]
    assert re.search(pattern, f"{path}assets/javascripts/bundle.5a2dcb6a.min.js")
    assert re.search(pattern, f"{path}pagefind/fragment/zh_1a2b3c.pf_fragment")
    assert not re.search(pattern, f"{path}assets/gongkai.js")  # not fingerprinted: revalidated


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
@pytest.mark.parametrize("url", ["https://mzj.linjiang.gov.cn/", "https://www.linjiang.gov.cn/mzj/"])
def test_nginx_accepts_the_server_block(tmp_path, url):
    (tmp_path / "site.conf").write_text(servers.nginx(POLICY, url), encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        "http {\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "warn" not in done.stderr, done.stderr


@pytest.mark.parametrize("url, path", [("https://mzj.linjiang.gov.cn/", "/"), ("https://www.linjiang.gov.cn/mzj/", "/mzj/")])
def test_caddyfile_is_complete(url, path):
    text = servers.caddy(POLICY, url)
    parsed = blocks(text)
    site = parsed[url.split("/")[2]]
    assert "encode gzip" in site and "root * /var/www" in site and "file_server" in site
    assert f'Content-Security-Policy "{POLICY}"' in parsed["header"]
    assert 'Content-Disposition "attachment"' in parsed[f"header {path}attachments/*"]
    assert f"rewrite @missing {path}404.html" in parsed["handle_errors"]
    assert any(line.startswith("@fingerprinted path_regexp") for line in site)


def test_written_beside_the_output_and_left_alone_when_unchanged(tmp_path):
    folder = servers.default_folder(tmp_path / "site")
    assert folder == tmp_path / "site-server"
    written = servers.write(folder, POLICY, "https://mzj.linjiang.gov.cn/")
    assert sorted(p.name for p in written) == ["Caddyfile", "_headers", "nginx.conf"]
    stamps = {p: p.stat().st_mtime_ns for p in written}
    servers.write(folder, POLICY, "https://mzj.linjiang.gov.cn/")
    assert {p: p.stat().st_mtime_ns for p in written} == stamps


def test_robots_txt_under_the_site_path(tmp_path, capsys):
    """A site on a path (/mzj/): its robots rules name that path."""
    from generator import export
    from generator.cli import main
    from generator.problems import Problems
    from generator.load.site import load_site

    main(["init", str(tmp_path / "s"), "--name", "临江市民政局", "--org-code", "113302000029550119",
          "--url", "https://www.linjiang.gov.cn/mzj/"])  # fmt: skip
    site = load_site(tmp_path / "s", Problems())
    lines = export.robots(site).decode().splitlines()
    assert "Allow: /mzj/" in lines and "Disallow: /mzj/i/" in lines and "Disallow: /i/" not in lines
    assert "Sitemap: https://www.linjiang.gov.cn/mzj/sitemap.xml" in lines
