"""The `<head>` of every page: description, canonical link, feed autodiscovery, and the
`<meta>` tags government sites carry for aggregators (《政府网站发展指引》): SiteName,
SiteDomain, SiteIDCode, ColumnName, ColumnDescription, ColumnType, ArticleTitle, PubDate,
ContentSource, Keywords, Description."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from urllib.parse import urlsplit

FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@dataclass(frozen=True)
class Feed:
    title: str
    url: str  # site-relative
    kind: str  # rss | atom

    @property
    def mime(self) -> str:
        return FEED_TYPES[self.kind]


@dataclass
class HeadInfo:
    url: str  # site-relative URL of the page
    description: str = ""
    column: str = ""  # ColumnName: the category (栏目) the page belongs to
    column_type: str = ""
    column_description: str = ""
    article_title: str = ""
    pub_date: str = ""
    source: str = ""
    keywords: list[str] = field(default_factory=list)
    feeds: list[Feed] = field(default_factory=list)
    noindex: bool = False
    canonical: bool = True  # False for pages with no address of their own (404)


def _meta(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{escape(content, quote=True)}">' if content else ""


@lru_cache(maxsize=16)
def _site_tags(name: str, base_url: str, site_code: str) -> tuple[str, str, str]:
    """SiteName, SiteDomain, SiteIDCode: the same on every page of a site (10,000 item
    pages would each parse the site's URL and escape its name again)."""
    domain = urlsplit(base_url).hostname or ""
    return _meta("SiteName", name), _meta("SiteDomain", domain), _meta("SiteIDCode", site_code)


@lru_cache(maxsize=1024)
def _feed_tags(feeds: tuple[Feed, ...], depth_prefix: str) -> tuple[str, ...]:
    """The feed links of a page at a depth: a category's items share them."""
    # rel "alternate feed", not "alternate" alone: mkdocs-material's bundle fetches
    # sitemap.xml beside every link[rel=alternate] (its language switcher), and a feed's
    # address is no language version (a 404 for /feeds/sitemap.xml on every page)
    return tuple(
        f'<link rel="alternate feed" type="{feed.mime}" title="{escape(feed.title, quote=True)}" '
        f'href="{escape(depth_prefix + feed.url, quote=True)}">'
        for feed in feeds
    )


def build_head(site, info: HeadInfo) -> str:
    cfg = site.config
    base_url = cfg.site.url
    description = " ".join((info.description or cfg.site.description or cfg.site.name).split())[:200]
    tags = [
        _meta("description", description),
        f'<link rel="canonical" href="{escape(base_url + info.url, quote=True)}">' if info.canonical else "",
        *_site_tags(cfg.site.name, base_url, cfg.identity.site_code or ""),
        _meta("ColumnName", info.column),
        _meta("ColumnDescription", info.column_description),
        _meta("ColumnType", info.column_type or info.column),  # pages outside a category: their own name
        _meta("ArticleTitle", info.article_title),
        _meta("PubDate", info.pub_date),
        _meta("ContentSource", info.source),
        _meta("Keywords", ",".join(info.keywords)),
        _meta("Description", description if info.article_title else ""),
        '<meta name="robots" content="noindex">' if info.noindex else "",
    ]
    if info.feeds:
        tags += _feed_tags(tuple(info.feeds), "../" * info.url.count("/"))
    return "\n    ".join(tag for tag in tags if tag)
