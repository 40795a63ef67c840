"""`gongkai build` writes the server configurations beside the output, not inside it
(issue 15): `OUT-server/` by default, `--server-config DIR` on request, `_headers` in the
site root only with `--headers-in-site`; robots.txt names the site's path."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildkit import build_or_fail, publish, run_build
from generator.cli import main


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("servers") / "mzj"
    assert main(["init", str(site), "--name", "临江市民政局", "--org-code", "113302000029550119",
                 "--url", "https://www.linjiang.gov.cn/mzj/", "--preset", "minimal"]) == 0  # fmt: skip
    publish(site)
    return site


def test_default_beside_the_output(office, tmp_path):
    out = build_or_fail(office, tmp_path / "site")
    assert not (out / "_headers").exists() and not (out / "nginx-headers.conf").exists()
    beside = tmp_path / "site-server"
    assert sorted(p.name for p in beside.iterdir()) == ["Caddyfile", "_headers", "nginx.conf"]
    nginx = (beside / "nginx.conf").read_text(encoding="utf-8")
    assert "server_name www.linjiang.gov.cn;" in nginx and "error_page 404 /mzj/404.html;" in nginx
    assert (out / "404.html").is_file()
    robots = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "Disallow: /mzj/i/" in robots and "Sitemap: https://www.linjiang.gov.cn/mzj/sitemap.xml" in robots


def test_on_request_and_headers_in_site(office, tmp_path):
    out = build_or_fail(office, tmp_path / "site", "--server-config", str(tmp_path / "conf"), "--headers-in-site")
    assert (out / "_headers").read_bytes() == (tmp_path / "conf/_headers").read_bytes()
    assert (tmp_path / "conf/nginx.conf").is_file() and not (tmp_path / "site-server").exists()


def test_never_inside_the_site(office, tmp_path):
    done = run_build(office, tmp_path / "site", "--server-config", str(tmp_path / "site/conf"))
    assert done.returncode == 2 and "不能写进网站文件夹" in done.stderr and "Traceback" not in done.stderr
