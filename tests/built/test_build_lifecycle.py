"""Withdrawn, repealed and draft items (issue 3): where each appears and how it is marked."""

from __future__ import annotations

import csv
import io
import json

import pytest
from lxml import etree

from buildkit import DEMO_SITE, Source, article, by_class, meta, one, text

SOURCE = Source(DEMO_SITE)
WITHDRAWN = SOURCE.by_rel("content/notices/2023/2023-09-11-zhengwu-xinmeiti-yunwei-gonggao.md")
REPEALED = SOURCE.by_rel("content/policies/2022-06-24-gonggong-ziyuan-jiaoyi.md")
EXPIRED = SOURCE.by_rel("content/policies/2023-02-20-zhongdian-gongzuo-fenjie.md")
DRAFT = SOURCE.by_rel("content/notices/2024/2024-12-20-yuandan-chunjie-zoufang-weiwen.md")


def test_the_demo_has_one_of_each():
    assert WITHDRAWN.withdrawn and not WITHDRAWN.is_draft
    assert REPEALED.validity_value == "repealed"
    assert EXPIRED.validity_value == "expired"
    assert DRAFT.is_draft and not DRAFT.index_no


def linked_urls(built, url: str) -> set[str]:
    page = article(built.page(url))
    return {built.resolve(url, a.get("href")) for a in page.xpath(".//a[@href]")}


def feed_links(built) -> dict[str, set[str]]:
    """Every feed's item links (site-relative), by feed file."""
    found = {}
    for path in sorted((built.root / "feeds").glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        links = root.xpath("//item/link/text()") + root.xpath("//a:entry/a:link/@href", namespaces={"a": "http://www.w3.org/2005/Atom"})
        found[path.name] = {link.removeprefix(built.base_url) for link in links}
    return found


def sitemap_urls(built) -> set[str]:
    root = etree.parse(str(built.root / "sitemap.xml")).getroot()
    return {loc.removeprefix(built.base_url) for loc in root.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})}


def data_titles(built) -> set[str]:
    records = json.loads(built.file("data/catalogue.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(built.file("data/catalogue.csv").read_text(encoding="utf-8-sig"))))
    return {r["title"] for r in records} | {r["标题"] for r in rows}


# ---------------------------------------------------------------------------
# withdrawn


def test_withdrawn_item_keeps_its_page_with_the_notice_and_reason(demo):
    page = demo.page(WITHDRAWN.url)
    view = one(by_class(article(page), "gk-item", "div"))
    assert "gk-item--withdrawn" in view.get("class")
    banner = one(by_class(view, "gk-banner--withdrawn", "div"), "withdrawal notice")
    assert text(banner.xpath("./p")[0]) == f"本信息已撤销 撤销日期：{WITHDRAWN.withdrawn['date'].isoformat()}"
    assert banner.xpath(".//time/@datetime") == [WITHDRAWN.withdrawn["date"].isoformat()]
    assert text(banner.xpath("./p")[1]) == f"撤销原因：{WITHDRAWN.withdrawn['reason']}"
    assert view.get("data-pagefind-body") is None, "not in the search index"
    assert demo.exists(f"i/{WITHDRAWN.index_no}/"), "its permanent link still works"


def test_withdrawn_item_is_out_of_every_list(demo):
    url = WITHDRAWN.url
    for page in ("", "notices/", "catalogue/"):
        assert url not in linked_urls(demo, page), page
    for name, links in feed_links(demo).items():
        assert url not in links, name
    assert url not in sitemap_urls(demo)
    assert WITHDRAWN.title not in data_titles(demo)
    # its corrected successor, published two days later, is listed
    successor = SOURCE.by_rel("content/notices/2023/2023-09-13-zhengwu-xinmeiti-yunwei-gonggao-gengzheng.md")
    assert successor.url in linked_urls(demo, "notices/") and successor.url in sitemap_urls(demo)


# ---------------------------------------------------------------------------
# repealed, expired


@pytest.mark.parametrize(
    "item,label,banner",
    [(REPEALED, "废止", "本文件已废止"), (EXPIRED, "失效", "本文件已失效")],
    ids=["repealed", "expired"],
)
def test_repealed_or_expired_document_is_marked_on_its_page(demo, item, label, banner):
    view = one(by_class(article(demo.page(item.url)), "gk-item", "div"))
    assert f"gk-item--{item.validity_value}" in view.get("class")
    assert text(one(by_class(view, f"gk-banner--{item.validity_value}", "p"))) == banner
    mark = one(view.xpath(".//td[@headers='gk-cat-validity']/span"))
    assert (text(mark), mark.get("class")) == (label, f"gk-validity gk-validity--{item.validity_value}")


@pytest.mark.parametrize("item,label", [(REPEALED, "废止"), (EXPIRED, "失效")], ids=["repealed", "expired"])
def test_repealed_or_expired_document_is_marked_in_lists(demo, item, label):
    for page in ("policies/", "catalogue/"):
        rows = [
            tr
            for tr in article(demo.page(page)).xpath(".//tbody/tr")
            if any(demo.resolve(page, a.get("href")) == item.url for a in tr.xpath(".//a"))
        ]
        row = one(rows, f"row of {item.rel} on {page}")
        assert [text(s) for s in by_class(row, "gk-validity", "span")] == [label], page
    home = article(demo.page(""))
    entries = [
        li for li in home.xpath(".//li") if any(demo.resolve("", a.get("href")) == item.url for a in li.xpath("./a"))
    ]
    for li in entries:  # on the home page only while among the five newest
        assert [text(s) for s in by_class(li, "gk-validity", "span")] == [label]


def test_repealed_document_stays_listed_and_in_exports(demo):
    assert REPEALED.url in linked_urls(demo, "policies/")
    records = {r["index_no"]: r for r in json.loads(demo.file("data/catalogue.json").read_text(encoding="utf-8"))}
    assert records[REPEALED.index_no]["validity"] == "repealed"
    assert records[EXPIRED.index_no]["validity"] == "expired"


# ---------------------------------------------------------------------------
# drafts


def test_draft_is_absent_everywhere_in_a_normal_build(demo):
    assert not demo.exists(DRAFT.url)
    title = DRAFT.title.encode("utf-8")
    url = DRAFT.url.encode("utf-8")
    found = [
        p.relative_to(demo.root).as_posix()
        for p in demo.root.rglob("*")
        if p.is_file() and (title in p.read_bytes() or url in p.read_bytes())
    ]
    assert found == [], "the draft's title or URL leaked into these files"


def test_draft_is_shown_with_a_banner_in_a_preview_build(demo_drafts):
    page = demo_drafts.page(DRAFT.url)
    view = one(by_class(article(page), "gk-item", "div"))
    banner = one(by_class(view, "gk-banner--draft", "p"), "draft banner")
    assert text(banner) == "草稿 本页为预览草稿，尚未正式发布。"
    assert meta(page, "robots") == "noindex"
    assert view.get("data-pagefind-body") is None
    assert text(one(by_class(view, "gk-title", "h1"))) == DRAFT.title


def test_draft_is_marked_in_the_lists_of_a_preview_build(demo_drafts):
    rows = [
        tr
        for table in by_class(article(demo_drafts.page("notices/")), "gk-table--items", "table")
        for tr in table.xpath("./tbody/tr")
    ]
    row = one(
        [tr for tr in rows if demo_drafts.resolve("notices/", tr.xpath(".//a")[0].get("href")) == DRAFT.url],
        "draft row",
    )
    assert text(one(by_class(row, "gk-badge--status-draft", "span"))) == "草稿"


def test_draft_stays_out_of_the_feeds_of_a_preview_build(demo_drafts):
    for name, links in feed_links(demo_drafts).items():
        assert DRAFT.url not in links, name
