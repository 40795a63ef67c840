"""RSS 2.0 and Atom feeds (issue 4): site-wide and per category, parsed as XML and compared
with the content; their links from every page, the category pages and the 订阅 page."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

import pytest
from lxml import etree

from buildkit import DEMO_SITE, Source, article, by_class, one, text

SOURCE = Source(DEMO_SITE)
ATOM = {"a": "http://www.w3.org/2005/Atom"}
FEEDS = ["all"] + list(SOURCE.categories)


def members(source: Source, key: str):
    return source.listed(None if key == "all" else key)


def page_of(key: str) -> str:
    return "" if key == "all" else f"{key}/"


def newest(items, limit=50):
    """The items a feed must hold: the `limit` newest; at a tie on the cut-off date any
    of the tied items may be in."""
    ordered = sorted(items, key=lambda i: i.published, reverse=True)
    if len(ordered) <= limit:
        return {i.url for i in ordered}, set()
    cutoff = ordered[limit - 1].published
    sure = {i.url for i in ordered if i.published > cutoff}
    maybe = {i.url for i in ordered if i.published == cutoff}
    return sure, maybe


def check_membership(urls: list[str], items, limit=50) -> None:
    sure, maybe = newest(items, limit)
    assert len(urls) == len(set(urls)) == min(limit, len(items))
    assert sure <= set(urls) <= sure | maybe


def rss(built, key):
    return etree.parse(str(built.root / "feeds" / f"{key}.rss.xml")).getroot()


def atom(built, key):
    return etree.parse(str(built.root / "feeds" / f"{key}.atom.xml")).getroot()


def test_every_feed_is_written(demo):
    written = {p.name for p in (demo.root / "feeds").iterdir()}
    assert written == {f"{k}.{kind}.xml" for k in FEEDS for kind in ("rss", "atom")}


@pytest.mark.parametrize("key", FEEDS)
def test_rss_feed(demo, key):
    root = rss(demo, key)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = one(root.xpath("./channel"))
    base = SOURCE.base_url
    assert channel.findtext("title").startswith(
        SOURCE.categories[key].title if key != "all" else SOURCE.config["site"]["name"]
    )
    assert channel.findtext("description")
    assert channel.findtext("link") == base + page_of(key), "the channel links the HTML page, not the feed"
    assert channel.xpath("./a:link[@rel='self']/@href", namespaces=ATOM) == [f"{base}feeds/{key}.rss.xml"]
    assert channel.findtext("language") == "zh-CN"
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")).tzinfo is not None
    items = channel.xpath("./item")
    by_url = {i.url: i for i in members(SOURCE, key)}
    urls = [item.findtext("link").removeprefix(base) for item in items]
    check_membership(urls, members(SOURCE, key))
    dates = []
    for element, url in zip(items, urls):
        source = by_url[url]
        assert element.findtext("title") == source.title
        guid = element.find("guid")
        assert source.index_no in guid.text and guid.text == f"{base}i/{source.index_no}/"
        assert guid.get("isPermaLink") == "true"
        when = parsedate_to_datetime(element.findtext("pubDate"))
        assert when.tzinfo is not None and when.utcoffset() == dt.timedelta(hours=8)
        assert when.date().isoformat() == source.published
        assert source.index_no in element.findtext("description")
        if source.summary:
            assert source.summary in element.findtext("description")
        assert element.findtext("category") == SOURCE.categories[source.category].title
        dates.append(when)
    assert dates == sorted(dates, reverse=True), "newest first"


@pytest.mark.parametrize("key", FEEDS)
def test_atom_feed(demo, key):
    root = atom(demo, key)
    base = SOURCE.base_url
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.findtext("a:title", namespaces=ATOM)
    assert root.findtext("a:id", namespaces=ATOM) == base + page_of(key)
    assert root.xpath("./a:link[@rel='self']/@href", namespaces=ATOM) == [f"{base}feeds/{key}.atom.xml"]
    assert root.xpath("./a:link[@rel='alternate']/@href", namespaces=ATOM) == [base + page_of(key)]
    assert dt.datetime.fromisoformat(root.findtext("a:updated", namespaces=ATOM)).tzinfo is not None
    entries = root.xpath("./a:entry", namespaces=ATOM)
    by_url = {i.url: i for i in members(SOURCE, key)}
    urls = []
    for entry in entries:
        links = entry.xpath("./a:link", namespaces=ATOM)
        assert [(link.get("rel"), link.get("type")) for link in links] == [("alternate", "text/html")]
        urls.append(links[0].get("href").removeprefix(base))
    check_membership(urls, members(SOURCE, key))
    published = []
    for entry, url in zip(entries, urls):
        source = by_url[url]
        assert entry.findtext("a:title", namespaces=ATOM) == source.title
        assert entry.findtext("a:id", namespaces=ATOM) == f"{base}i/{source.index_no}/"
        first = dt.datetime.fromisoformat(entry.findtext("a:published", namespaces=ATOM))
        updated = dt.datetime.fromisoformat(entry.findtext("a:updated", namespaces=ATOM))
        assert first.tzinfo is not None and updated.tzinfo is not None
        assert first.utcoffset() == dt.timedelta(hours=8)
        assert first.date().isoformat() == source.published
        assert updated.date().isoformat() == source.updated, "a revision moves `updated`"
        assert entry.findtext("a:author/a:name", namespaces=ATOM) == SOURCE.publisher(source)
        published.append(first)
    assert published == sorted(published, reverse=True)


def test_feeds_hold_no_drafts_or_withdrawn_items(demo, demo_drafts):
    hidden = {i.url for i in SOURCE.items if not i.listed}
    assert len(hidden) >= 2
    for built in (demo, demo_drafts):
        for key in FEEDS:
            links = set(rss(built, key).xpath("//item/link/text()")) | set(
                atom(built, key).xpath("//a:entry/a:link/@href", namespaces=ATOM)
            )
            assert not {link.removeprefix(SOURCE.base_url) for link in links} & hidden, key


def test_feeds_hold_at_most_the_50_newest_items(synthetic, synthetic_source):
    notices = synthetic_source.listed("notices")
    assert len(notices) == 120
    for key in ("all", "notices"):
        rss_urls = [link.removeprefix(synthetic.base_url) for link in rss(synthetic, key).xpath("//item/link/text()")]
        atom_urls = [
            h.removeprefix(synthetic.base_url)
            for h in atom(synthetic, key).xpath("//a:entry/a:link/@href", namespaces=ATOM)
        ]
        expected = [i.url for i in sorted(members(synthetic_source, key), key=lambda i: i.published, reverse=True)[:50]]
        assert rss_urls == atom_urls == expected, key


def test_revised_item_moves_its_atom_updated_date(demo):
    revised = [i for i in SOURCE.listed("policies") if i.revisions][0]
    entry = one(
        [
            e
            for e in atom(demo, "policies").xpath("//a:entry", namespaces=ATOM)
            if e.findtext("a:id", namespaces=ATOM).endswith(f"/{revised.index_no}/")
        ]
    )
    assert entry.findtext("a:updated", namespaces=ATOM)[:10] == revised.updated > revised.published


# ---------------------------------------------------------------------------
# links to the feeds


@pytest.mark.parametrize("key", list(SOURCE.categories))
def test_category_page_links_its_feeds_visibly(demo, key):
    meta = one(by_class(article(demo.page(f"{key}/")), "gk-category__meta", "p"))
    links = by_class(meta, "gk-feed-link", "a")
    found = {(a.get("type"), demo.resolve(f"{key}/", a.get("href"))) for a in links}
    assert found == {("application/rss+xml", f"feeds/{key}.rss.xml"), ("application/atom+xml", f"feeds/{key}.atom.xml")}
    for a in links:
        visible = (a.text or "").strip()
        assert visible in ("订阅 RSS", "订阅 ATOM"), "the link text is visible, not only for screen readers"
        assert not a.xpath("ancestor-or-self::*[@hidden]")


def test_subscribe_page_lists_every_feed(demo):
    page = article(demo.page("subscribe/"))
    table = one(by_class(page, "gk-table--feeds", "table"))
    hrefs = {demo.resolve("subscribe/", a.get("href")) for a in table.xpath(".//td/a")}
    files = {f"feeds/{p.name}" for p in (demo.root / "feeds").glob("*.xml")}
    assert hrefs == files
    rows = {
        text(tr.xpath("./th")[0]): [demo.resolve("subscribe/", a.get("href")) for a in tr.xpath("./td/a")]
        for tr in table.xpath("./tbody/tr")
    }
    assert rows["全站"] == ["feeds/all.rss.xml", "feeds/all.atom.xml"]
    for key, category in SOURCE.categories.items():
        assert rows[category.title] == [f"feeds/{key}.rss.xml", f"feeds/{key}.atom.xml"]
    assert demo.exists("subscribe/")
