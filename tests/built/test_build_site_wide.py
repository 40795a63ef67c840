"""What every page of the site carries (issue 3): the government footer, the <meta> tags
aggregators read, canonical links, feed autodiscovery, one <h1>; and no request to any
third party from any page, style sheet or script."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from buildkit import DEMO_SITE, Source, by_class, meta, one, text

SOURCE = Source(DEMO_SITE)
IDENTITY = SOURCE.config["identity"]
ORG = SOURCE.config["organization"]
ITEMS = {i.url: i for i in SOURCE.items if i.published_page}
FREE_PAGES = {f"pages/{slug}/" for slug, _ in SOURCE.free_pages()}
SPECIAL = FREE_PAGES | {"404.html"}  # rendered by mkdocs from Markdown / its own template


def generated_pages(built) -> list[str]:
    """Pages whose content gongkai generates: home, lists, items, catalogue, services."""
    return [u for u in built.content_pages() if u not in SPECIAL]


def test_the_site_has_the_expected_pages(demo):
    pages = set(demo.content_pages())
    assert set(ITEMS) <= pages
    assert {f"{k}/" for k in SOURCE.categories} <= pages
    assert {"", "catalogue/", "subscribe/", "data/", "search/", "404.html"} | FREE_PAGES <= pages


# ---------------------------------------------------------------------------
# footer


def test_footer_on_every_page(demo):
    problems = []
    records = re.sub(r"\D", "", IDENTITY["public_security"])
    for url in demo.content_pages():
        page = demo.page(url)
        footers = by_class(page, "gk-footer", "footer")
        if len(footers) != 1:
            problems.append(f"{url}: {len(footers)} footers")
            continue
        footer = footers[0]
        lines = [text(li) for li in footer.xpath(".//li")]
        expected = [
            f"主办单位：{IDENTITY['sponsor']}",
            f"联系电话：{ORG['phone']}",
            f"电子邮箱：{ORG['email']}",
            f"联系地址：{ORG['address']}（邮编：{ORG['postcode']}）",
            f"网站标识码：{IDENTITY['site_code']}",
            f"ICP备案号：{IDENTITY['icp']}",
            f"公安机关备案号：{IDENTITY['public_security']}",
        ]
        missing = [line for line in expected if line not in lines]
        links = {text(a): a.get("href") for a in footer.xpath(".//a")}
        if links.get(IDENTITY["icp"]) != "https://beian.miit.gov.cn/":
            missing.append(f"ICP link {links.get(IDENTITY['icp'])}")
        security = links.get(IDENTITY["public_security"]) or ""
        parts = urlsplit(security)
        if parts.scheme != "https" or parts.hostname != "www.beian.gov.cn" or f"recordcode={records}" not in parts.query:
            missing.append(f"公安备案 link {security!r}")
        if links.get(ORG["email"]) != f"mailto:{ORG['email']}":
            missing.append("e-mail link")
        if missing:
            problems.append(f"{url or '/'}: {missing}")
    assert not problems, "\n".join(problems[:20])


def test_footer_has_the_accessibility_entry(demo):
    footer = one(by_class(demo.page("notices/"), "gk-footer", "footer"))
    link = one(by_class(footer, "gk-footer__a11y", "a"))
    assert demo.exists(demo.resolve("notices/", link.get("href")))


# ---------------------------------------------------------------------------
# <meta>


def site_meta_problems(built, urls) -> list[str]:
    host = urlsplit(SOURCE.base_url).hostname
    expected = {"SiteName": SOURCE.config["site"]["name"], "SiteDomain": host, "SiteIDCode": IDENTITY["site_code"]}
    problems = []
    for url in urls:
        page = built.page(url)
        for name, value in expected.items():
            if page.xpath(f"//meta[@name='{name}']/@content") != [value]:
                problems.append(f"{url or '/'}: {name} = {page.xpath(f'//meta[@name={name!r}]/@content')}")
        for name in ("ColumnName", "ColumnType"):
            if len(page.xpath(f"//meta[@name='{name}']")) != 1 or not meta(page, name):
                problems.append(f"{url or '/'}: no {name}")
    return problems


def test_site_and_column_meta_on_every_generated_page(demo):
    problems = site_meta_problems(demo, generated_pages(demo))
    assert not problems, "\n".join(problems[:30])


def test_site_and_column_meta_on_free_pages_and_404(demo):
    problems = site_meta_problems(demo, sorted(SPECIAL))
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("url", sorted(ITEMS), ids=lambda u: u.rstrip("/"))
def test_article_meta_on_item_pages(demo, url):
    item = ITEMS[url]
    page = demo.page(url)
    assert meta(page, "ArticleTitle") == item.title
    assert meta(page, "PubDate") == item.published
    assert meta(page, "ContentSource") == SOURCE.publisher(item)
    assert meta(page, "ColumnName") == SOURCE.categories[item.category].title
    if item.keywords:
        assert meta(page, "Keywords") == ",".join(item.keywords)
    description = " ".join((item.summary or item.title).split())[:200]
    assert meta(page, "Description") == description
    assert meta(page, "description") == description


def test_list_pages_carry_no_article_meta(demo):
    for url in ("", "notices/", "catalogue/", "data/"):
        page = demo.page(url)
        assert [meta(page, n) for n in ("ArticleTitle", "PubDate", "ContentSource")] == [None, None, None], url


# ---------------------------------------------------------------------------
# canonical links


def test_canonical_link_is_the_page_own_address(demo):
    problems = []
    for url in demo.content_pages():
        if url == "404.html":
            continue
        found = demo.page(url).xpath("//link[@rel='canonical']/@href")
        if found != [SOURCE.base_url + url]:
            problems.append(f"{url or '/'}: {found}")
    assert not problems, "\n".join(problems[:30])


# ---------------------------------------------------------------------------
# headings

BODY = "ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' gk-body ')]"


def test_exactly_one_h1_outside_markdown_bodies(demo):
    problems = []
    for url in demo.content_pages():
        found = [text(h) for h in demo.page(url).xpath(f"//h1[not({BODY})]")]
        if len(found) != 1:
            problems.append(f"{url or '/'}: {found}")
    assert not problems, "\n".join(problems[:30])


def test_exactly_one_h1_on_every_page(demo):
    problems = [f"{url or '/'}" for url in demo.content_pages() if len(demo.page(url).xpath("//h1")) != 1]
    assert not problems, "pages with more than one <h1>:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------
# feed autodiscovery


def autodiscovery_problems(built, urls) -> list[str]:
    problems = []
    for url in urls:
        links = built.page(url).xpath("//head/link[contains(concat(' ', @rel, ' '), ' alternate ')]")
        found = {(link.get("type"), built.resolve(url, link.get("href"))) for link in links}
        wanted = {("application/rss+xml", "feeds/all.rss.xml"), ("application/atom+xml", "feeds/all.atom.xml")}
        item = ITEMS.get(url)
        key = item.category if item else (url.split("/")[0] if url.split("/")[0] in SOURCE.categories else None)
        if key:
            wanted |= {("application/rss+xml", f"feeds/{key}.rss.xml"), ("application/atom+xml", f"feeds/{key}.atom.xml")}
        if not wanted <= found:
            problems.append(f"{url or '/'}: missing {sorted(wanted - found)}")
        for _, target in found:
            if target is None or not built.exists(target):
                problems.append(f"{url or '/'}: feed link to a missing file {target}")
        if any(not link.get("title") for link in links):
            problems.append(f"{url or '/'}: feed link without a title")
    return problems


def test_feed_autodiscovery_on_every_generated_page(demo):
    problems = autodiscovery_problems(demo, generated_pages(demo))
    assert not problems, "\n".join(problems[:30])


def test_feed_autodiscovery_on_free_pages_and_404(demo):
    problems = autodiscovery_problems(demo, sorted(SPECIAL))
    assert not problems, "\n".join(problems[:30])


# ---------------------------------------------------------------------------
# no third-party requests

# elements whose URL attributes make the browser fetch something
FETCHING = {
    "script": ["src"], "img": ["src", "srcset"], "iframe": ["src"], "frame": ["src"], "source": ["src", "srcset"],
    "video": ["src", "poster"], "audio": ["src"], "track": ["src"], "embed": ["src"], "object": ["data"],
    "input": ["src"], "image": ["href", "{http://www.w3.org/1999/xlink}href"], "use": ["href", "{http://www.w3.org/1999/xlink}href"],
}  # fmt: skip
LINK_FETCHING = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "prefetch", "modulepreload", "preconnect", "dns-prefetch", "manifest", "mask-icon"}
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.S)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(['"]?)([^'")\s;]+)""")
JS_LOAD = re.compile(
    r"""(?:\b(?P<fn>[A-Za-z_$][\w$]*)\s*\(\s*|\bfrom\s+|\bimport\s+|\.src\s*=\s*|\.href\s*=\s*)(?P<q>["'`])(?P<url>(?:https?:)?//[^"'`\s]+)"""
)
NOT_A_REQUEST = {"URL", "createElementNS", "setAttributeNS", "getAttributeNS", "hasAttributeNS", "removeAttributeNS", "createAttributeNS", "test", "match", "replace", "startsWith", "indexOf"}


def remote(url: str, own_host: str) -> bool:
    """An absolute or protocol-relative URL to a host other than the site's own."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname not in (None, own_host)


def css_remote(css: str, own_host: str) -> list[str]:
    css = CSS_COMMENT.sub("", css)
    urls = [m.group(2) for m in CSS_URL.finditer(css)] + [m.group(2) for m in CSS_IMPORT.finditer(css)]
    return [u for u in urls if not u.startswith("data:") and remote(u, own_host)]


def js_remote(js: str, own_host: str) -> list[str]:
    found = []
    for m in JS_LOAD.finditer(js):
        if m.group("fn") in NOT_A_REQUEST or "www.w3.org/" in m.group("url"):
            continue
        if remote(m.group("url").split("${")[0] or m.group("url"), own_host):
            found.append(m.group("url")[:100])
    return found


def html_remote(built, url: str, own_host: str) -> list[str]:
    page = built.page(url)
    found = []
    for element in page.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1].lower()
        names = list(FETCHING.get(local, []))
        if local == "link":
            rels = set((element.get("rel") or "").lower().split())
            if rels & LINK_FETCHING or not rels & {"canonical", "alternate", "prev", "next", "search", "license", "author", "help"}:
                names.append("href")
            elif remote(element.get("href") or "", own_host):
                found.append(f"<link rel={element.get('rel')}> to another site: {element.get('href')}")
        for name in names:
            value = element.get(name)
            if value is None:
                continue
            candidates = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
            found += [f"<{local} {name}={c}>" for c in candidates if remote(c, own_host)]
        style = element.get("style")
        if style:
            found += [f"style url({u})" for u in css_remote(style, own_host)]
        if local == "style":
            found += [f"<style> {u}" for u in css_remote(element.text or "", own_host)]
        if local == "script" and not element.get("src"):
            found += [f"<script> {u}" for u in js_remote(element.text or "", own_host)]
    return found


def test_no_third_party_requests_from_html(demo):
    own = urlsplit(SOURCE.base_url).hostname
    problems = [f"{url or '/'}: {hit}" for url in demo.html_pages() for hit in html_remote(demo, url, own)]
    assert not problems, "\n".join(problems[:30])


def test_no_third_party_requests_from_css(demo):
    own = urlsplit(SOURCE.base_url).hostname
    sheets = sorted(demo.root.rglob("*.css"))
    assert any(p.name == "gongkai.css" for p in sheets)
    problems = [f"{p.relative_to(demo.root)}: {u}" for p in sheets for u in css_remote(p.read_text(encoding="utf-8", errors="replace"), own)]
    assert not problems, "\n".join(problems)


MATERIAL_BUNDLE = re.compile(r"^assets/javascripts/bundle\.[0-9a-f]+\.min\.js$")


def js_problems(demo, bundle: bool) -> list[str]:
    own = urlsplit(SOURCE.base_url).hostname
    problems = []
    for path in sorted(demo.root.rglob("*")):
        rel = path.relative_to(demo.root).as_posix()
        if path.suffix not in (".js", ".mjs") or bool(MATERIAL_BUNDLE.match(rel)) != bundle:
            continue
        if rel.startswith("admin/"):  # Decap CMS: its requests are recorded in Chromium (tests/browser/test_cms.py)
            continue
        problems += [f"{rel}: {u}" for u in js_remote(path.read_text(encoding="utf-8", errors="replace"), own)]
    return problems


def test_no_third_party_requests_from_scripts(demo):
    """gongkai.js, Pagefind and everything else except Material's bundle (next test)."""
    assert (demo.root / "assets/gongkai.js").is_file()
    problems = js_problems(demo, bundle=False)
    assert not problems, "\n".join(problems)


def test_no_third_party_requests_from_the_material_bundle(demo):
    problems = js_problems(demo, bundle=True)
    assert not problems, "\n".join(problems)


def test_the_scanners_catch_what_they_must():
    """The checks above are only as good as their patterns: each kind of request is caught."""
    own = "www.qingshan.gov.cn"
    assert css_remote("@import url('https://fonts.googleapis.com/css?family=Noto');", own)
    assert css_remote('@import "//cdn.example.com/x.css";', own)
    assert css_remote("a{background:url(https://cdn.example.com/a.png)}", own)
    assert not css_remote("/* https://fontawesome.com */ a{background:url(\"data:image/svg+xml;xmlns='http://www.w3.org/2000/svg'\")}", own)
    assert not css_remote("a{background:url(../img/a.png)}", own)
    assert js_remote('import x from "https://cdn.example.com/x.js";', own)
    assert js_remote('await import("https://cdn.example.com/x.js")', own)
    assert js_remote("fetch(`https://api.example.com/${id}`)", own)
    assert js_remote('s.src = "https://cdn.example.com/x.js"', own)
    assert not js_remote('new URL("https://example.com" + x)', own)
    assert not js_remote('document.createElementNS("http://www.w3.org/2000/svg", "svg")', own)
    assert not js_remote('fetch("https://www.qingshan.gov.cn/data/catalogue.json")', own)


def test_page_titles_name_the_page_then_the_site(demo):
    """The home page is titled with the site name alone; every other page with its own
    name first (not 'site name - site name' on the home page)."""
    name = Source(DEMO_SITE).config["site"]["name"]
    assert text(demo.page("").xpath("//title")[0]) == name
    for url, heading in (("catalogue/", "信息公开目录"), ("notices/", "通知公告"), ("notices/2024/2024-03-15-spring-fire-safety/", "青山县人民政府关于进入2024年春季森林防火紧要期的通告")):
        assert text(demo.page(url).xpath("//title")[0]) == f"{heading} - {name}"
