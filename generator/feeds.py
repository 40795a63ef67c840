"""RSS 2.0 and Atom feeds with feedgen: one for the whole site, one per category.

Each feed holds the newest 50 listed items (no drafts, nothing withdrawn). An entry's
id/guid is the item's permanent link `…/i/<index number>/`, so it never changes when a
title or folder does; a revision moves the Atom `updated` date. Dates carry the site's
time zone. feedgen 1.0.0 drops `rel`/`type` of entry links in Atom (upstream #135): we
put them back on the generated tree.

Summaries are plain text: markup an editor wrote in a summary or body is reduced to its
text (`plain`), and the RSS `<description>`, which readers show as HTML, carries that
text HTML-escaped — never live markup. Every URL is percent-encoded (Chinese file
names), as in the open data.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import nh3

from generator.export import encode_url
from generator.render.pages import permalink_url, section_members
from generator.site import Entry, Site

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

LIMIT = 50
ATOM = "{http://www.w3.org/2005/Atom}"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str | None) -> str:
    """Text safe for XML 1.0: no control characters."""
    return _CONTROL.sub("", text or "")


def plain(text: str | None) -> str:
    """Markup → its text: tags dropped (scripts and styles with their content), entities
    decoded, whitespace collapsed; safe for XML."""
    return clean(" ".join(html.unescape(nh3.clean(text or "", tags=set())).split()))


def _moment(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), zone)


def entry_id(site: Site, entry: Entry) -> str:
    if entry.index_no:
        return encode_url(site.config.site.url + permalink_url(entry.index_no))
    return encode_url(site.config.site.url + entry.url)


def _newest_first(entry: Entry) -> tuple:
    """The order of a feed (reversed): publication, then revision date, then number."""
    return entry.published, entry.updated, entry.index_no or ""


def make_feed(
    site: Site, title: str, description: str, page_url: str, feed_base: str, entries: list[Entry]
) -> FeedGenerator:
    """A feed of `entries` (newest first). `feed_base` is e.g. `feeds/notices`."""
    cfg, zone = site.config, ZoneInfo(site.config.site.timezone)
    base = cfg.site.url
    from feedgen.feed import FeedGenerator  # feedgen and lxml load only when a feed is made (~30 ms)

    newest = sorted(entries, key=_newest_first, reverse=True)[:LIMIT]
    fg = FeedGenerator()
    fg.id(encode_url(base + page_url))
    fg.title(clean(title))
    fg.subtitle(clean(description) or clean(title))
    fg.description(clean(description) or clean(title))
    fg.author(
        {"name": clean(cfg.organization.name), "email": cfg.organization.email}
        if cfg.organization.email
        else {"name": clean(cfg.organization.name)}
    )
    fg.link(href=encode_url(base + page_url), rel="alternate", type="text/html")
    fg.link(href=encode_url(f"{base}{feed_base}.atom.xml"), rel="self", type="application/atom+xml")
    fg.language("zh-CN" if cfg.site.language == "zh" else "en")
    fg.generator("gongkai")
    updated = max((e.updated for e in newest), default=dt.date(2000, 1, 1))
    fg.updated(_moment(updated, zone))
    fg.lastBuildDate(_moment(updated, zone))
    for entry in newest:
        model = entry.model
        fe = fg.add_entry(order="append")
        fe.id(entry_id(site, entry))
        fe.guid(entry_id(site, entry), permalink=bool(model.index_no))
        fe.title(clean(model.title))
        fe.link(href=encode_url(base + entry.url), rel="alternate", type="text/html")
        summary = plain(model.summary) or _first_text(model.body) or clean(model.title)
        label = f"索引号：{model.index_no}。" if model.index_no else ""
        fe.summary(label + summary)  # Atom: type text
        fe.description(html.escape(label + summary, quote=False))  # RSS: read as HTML, so escaped
        fe.published(_moment(model.published, zone))
        fe.updated(_moment(entry.updated, zone))
        fe.category(term=entry.category.key, label=clean(entry.category.title))
        fe.author({"name": clean(entry.publisher_name)})
    return fg


def _first_text(body: str | None, limit: int = 200) -> str:
    """The opening words of a body as plain text (Markdown signs and markup dropped)."""
    if not body:
        return ""
    text = " ".join(re.sub(r"[#>*_`|\[\]()-]+", " ", plain(body[: limit * 20])).split())
    return text[:limit] + ("…" if len(text) > limit else "")


def atom_bytes(fg: FeedGenerator) -> bytes:
    """Atom XML with the entry links' rel/type restored (feedgen 1.0.0, upstream #135)."""
    from lxml import etree

    root = etree.fromstring(fg.atom_str(pretty=True))
    for link in root.iter(f"{ATOM}link"):
        if link.getparent().tag == f"{ATOM}entry":
            link.set("rel", "alternate")
            link.set("type", "text/html")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass(frozen=True)
class Plan:
    """One feed to write: its files are `feeds/<key>.atom.xml` and `.rss.xml`."""

    key: str
    title: str
    description: str
    page_url: str
    entries: list[Entry]  # the newest LIMIT entries, newest first: all the feed shows of them


def plan(site: Site, entries: list[Entry]) -> list[Plan]:
    """Every feed: the whole site's, then one per category. The entries are sorted once
    and shared out among the categories in one pass (not a sort and a scan of the whole
    site per category)."""
    newest = sorted((e for e in entries if e.public), key=_newest_first, reverse=True)  # stable: as each feed sorts
    members = section_members(site, newest)
    name = site.config.site.name
    feeds = [Plan("all", name, site.config.site.description, "", newest[:LIMIT])]
    for section in site.sections.values():
        title = f"{section.title} - {name}"
        feeds.append(Plan(section.key, title, section.description, section.url, members[section.key][:LIMIT]))
    return feeds


def write_feed(site: Site, feed: Plan, write) -> list[str]:
    """Write the Atom and RSS files of one feed with `write(site-relative path, bytes)`;
    returns their paths."""
    key, page_url = feed.key, feed.page_url
    fg = make_feed(site, feed.title, feed.description, page_url, f"feeds/{key}", feed.entries)
    write(f"feeds/{key}.atom.xml", atom_bytes(fg))
    base = site.config.site.url
    # feedgen takes the RSS <channel><link> from the *last* link: the HTML page goes last
    fg.link([
        {"href": encode_url(f"{base}feeds/{key}.rss.xml"), "rel": "self", "type": "application/rss+xml"},
        {"href": encode_url(base + page_url), "rel": "alternate", "type": "text/html"},
    ], replace=True)  # fmt: skip
    write(f"feeds/{key}.rss.xml", fg.rss_str(pretty=True))
    return [f"feeds/{key}.atom.xml", f"feeds/{key}.rss.xml"]


def write_feeds(site: Site, entries: list[Entry], write) -> list[str]:
    """Write every feed with `write(site-relative path, bytes)`; returns the paths."""
    return [path for feed in plan(site, entries) for path in write_feed(site, feed, write)]
