"""What an editor's text can do to the site's own origin (issue 11, points 1 and 3):

- `site.url` is a bare absolute http(s) address (it reaches robots.txt, the sitemap,
  feeds and canonical links verbatim);
- attachments are of an allowed type (`attachment-type`), extended only on purpose by
  `attachments: {allow_types: [...]}`;
- the Content-Security-Policy allows the theme's own inline scripts, never one that a
  page happens to contain, and the server configs serve attachments as sandboxed
  downloads.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from helpers import CONFIG, VALID_ITEMS, num, with_index

from generator import csp
from generator.render import THEME_DIR

N1 = num(2024, 1)


def article(extra: str = "") -> str:
    return f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\n{extra}"


def with_attachment(ref: str) -> str:
    return article(f"attachments:\n  - file: {ref}\n    title: 附件\n")


def config_with(replace: str, by: str) -> str:
    assert replace in CONFIG
    return CONFIG.replace(replace, by, 1)


# ------------------------------------------------------------------ site.url


@pytest.mark.parametrize(
    "url",
    [
        '"https://www.example.gov.cn/\\nSitemap: https://evil.example/x.xml"',  # a newline into robots.txt
        "https://www.example.gov.cn/?x=1",
        "https://www.example.gov.cn/#top",
        '"https://www.example.gov.cn/ junk"',
        "'https://www.example.gov.cn/\"><script>alert(1)</script>'",
        "javascript:alert(1)//https://x",
        "https://user@www.example.gov.cn/",
        "ftp://www.example.gov.cn/",
        "//www.example.gov.cn/",
        "https://",
    ],
)
def test_site_url_with_anything_after_the_address_is_refused(make_site, url):
    site = make_site({}, config=config_with("url: https://www.example.gov.cn/", f"url: {url}"))
    result = site.run("check", "--format", "json")
    assert result.code == 2, result.out
    problem = result.one("config-invalid-value")
    assert problem["path"] == "site_config.yml"
    assert problem["line"] == 3  # site: / name: / url:
    assert "网址" in problem["message"] and "https://www.example.gov.cn/" in problem["message"]
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "url, stored",
    [
        ("https://www.example.gov.cn", "https://www.example.gov.cn/"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
        ("https://www.example.gov.cn/qingshan/gk", "https://www.example.gov.cn/qingshan/gk/"),
        ("https://www.example.gov.cn/%E5%85%AC%E5%BC%80/", "https://www.example.gov.cn/%E5%85%AC%E5%BC%80/"),
    ],
)
def test_site_url_bare_addresses_pass(make_site, url, stored):
    site = make_site({}, config=config_with("url: https://www.example.gov.cn/", f"url: {url}"))
    loaded, problems = site.load()
    assert not problems.has_errors(), problems.items
    assert loaded.config.site.url == stored


# ------------------------------------------------------------------ attachment types


def attached(name: str, data: bytes) -> dict:
    return {"content/notices/a.yml": with_attachment(f"attachments/{name}"), f"content/attachments/{name}": data}


ACTIVE = ["page.html", "page.HTM", "run.js", "mod.mjs", "logo.svg", "data.xml", "a.xhtml", "noext"]


@pytest.mark.parametrize("name", ACTIVE)
def test_attachment_of_active_or_unknown_type_is_refused(make_site, name):
    site = make_site(attached(name, b"<script>x</script>"))
    result = site.check()
    problem = result.one("attachment-type")
    assert (problem["line"], problem["col"]) == (5, 11)
    assert problem["level"] == "error"
    assert f"attachments/{name}" in problem["message"]
    assert "pdf" in problem["hint"] and "ofd" in problem["hint"] and "allow_types" in problem["hint"]
    loaded, _ = site.load()
    assert loaded.entries[0].files == {}  # nothing to copy


@pytest.mark.parametrize("name", ["a.pdf", "b.OFD", "c.wps", "d.xlsx", "e.et", "f.jpg", "g.zip", "h.7z", "i.docx"])
def test_attachment_of_document_type_passes(make_site, name):
    site = make_site(attached(name, b"data"))
    assert site.check().problems == []


def test_procedure_form_of_active_type_is_refused(make_site):
    material = "{name: 申请表, copies: 1, original: 是}"
    form = material[:-1] + ", form: attachments/forms/apply.html}"
    item = with_index(VALID_ITEMS["procedure"], N1).replace(material, form)
    site = make_site({"content/guides/a.yml": item, "content/attachments/forms/apply.html": b"<script>x</script>"})
    problem = site.check().one("attachment-type")
    assert problem["line"] == item.splitlines().index(next(x for x in item.splitlines() if "apply.html" in x)) + 1


def test_allow_types_extends_the_list(make_site):
    config = CONFIG + "attachments:\n  allow_types: [SVG, .xml]\n"
    files = {
        "content/notices/a.yml": with_attachment("attachments/logo.svg"),
        "content/notices/b.yml": with_attachment("attachments/data.xml").replace(N1, num(2024, 2)),
        "content/notices/c.yml": with_attachment("attachments/page.html").replace(N1, num(2024, 3)),
        "content/attachments/logo.svg": b"<svg/>",
        "content/attachments/data.xml": b"<x/>",
        "content/attachments/page.html": b"<p>",
    }
    result = make_site(files, config=config).check()
    assert [p["path"] for p in result.of("attachment-type")] == ["content/notices/c.yml"]


def test_allow_types_must_be_extensions(make_site):
    config = CONFIG + "attachments:\n  allow_types: [\"svg; rm\"]\n"
    result = make_site({}, config=config).run("check", "--format", "json")
    assert result.code == 2
    problem = result.one("config-invalid-value")
    assert problem["line"] == CONFIG.count("\n") + 2 and "扩展名" in problem["message"]


# ------------------------------------------------------------------ the policy


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_policy_hashes_come_from_the_theme_not_from_pages(tmp_path):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "base.html").write_text(
        "<script>var fixed = 1</script>\n"
        '<script>x = new URL("{{ config.extra.scope }}")</script>\n'  # a gongkai constant: rendered
        '<script>y = "{{ config.site_name }}"</script>\n'  # a site setting: never allowed
        '<script>z = "{{ page.url }}"</script>\n'  # per page: never allowed
        '<script type="application/json">{"a": 1}</script><script src="a.js"></script>\n',
        encoding="utf-8",
    )
    hashes = csp.theme_script_hashes([theme])
    assert hashes == sorted([_hash("var fixed = 1"), _hash('x = new URL("/")')])
    assert _hash("window.__pwned = 1") not in csp.policy(hashes)


def test_theme_hashes_cover_materials_base_script():
    """Material's scope script is rendered with gongkai's constant scope."""
    import material

    templates = Path(material.__file__).parent / "templates"
    hashes = csp.theme_script_hashes([THEME_DIR / "overrides", templates])
    source = (templates / "partials" / "javascripts" / "base.html").read_text(encoding="utf-8")
    body = source.split("<script>", 1)[1].split("</script>", 1)[0]
    body = body.replace("{{ config.extra.scope | d(base_url) }}", "/")
    assert _hash(body) in hashes


def test_headers_serve_attachments_as_sandboxed_downloads():
    from generator import servers

    policy = csp.policy([_hash("a")])
    written = servers.configs(policy, "https://www.example.gov.cn/qingshan/")
    headers = written["_headers"].splitlines()
    assert headers[0] == "/*" and f"  Content-Security-Policy: {policy}" in headers
    block = headers[headers.index("/attachments/*") + 1 :]
    assert block == [
        "  Content-Disposition: attachment",
        "  X-Content-Type-Options: nosniff",
        "  Content-Security-Policy: sandbox; default-src 'none'",
        "  Referrer-Policy: strict-origin-when-cross-origin",
    ]
    nginx = written["nginx.conf"]
    location = nginx.split("location ^~ /qingshan/attachments/ {", 1)[1].split("}", 1)[0]
    assert 'add_header Content-Disposition "attachment" always;' in location
    assert 'add_header X-Content-Type-Options "nosniff" always;' in location
    assert "add_header Content-Security-Policy \"sandbox; default-src 'none'\" always;" in location
    assert f'add_header Content-Security-Policy "{policy}" always;' in nginx.split("location", 1)[0]
    caddy = written["Caddyfile"]
    attachments = caddy.split("header /qingshan/attachments/* {", 1)[1].split("}", 1)[0]
    assert "Content-Security-Policy \"sandbox; default-src 'none'\"" in attachments
