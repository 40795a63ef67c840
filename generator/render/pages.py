"""The list pages of the site: home, category pages (paginated), catalogue, feed list,
free pages, permanent links — as content fragments plus head tags, renderer-neutral."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from math import ceil

from markupsafe import Markup

from generator.model.registry import TYPES
from generator.render.head import Feed, HeadInfo, build_head
from generator.render.templates import render_fragment
from generator.site import Entry, Section, Site

PAGE_SIZE = 50
HOME_LATEST = 5


@dataclass
class Page:
    """A page filled into a shell (or injected into the renderer)."""

    url: str
    title: str
    head: str
    html: str


def base_of(url: str) -> str:
    """Relative prefix from the page at `url` to the site root."""
    return "../" * url.count("/")


def site_feeds(site: Site, strings: dict) -> list[Feed]:
    name = site.config.site.name
    return [Feed(f"{name} (RSS)", "feeds/all.rss.xml", "rss"), Feed(f"{name} (Atom)", "feeds/all.atom.xml", "atom")]


def section_feeds(section: Section) -> list[Feed]:
    return [Feed(f"{section.title} (RSS)", f"feeds/{section.key}.rss.xml", "rss"), Feed(f"{section.title} (Atom)", f"feeds/{section.key}.atom.xml", "atom")]


def section_members(site: Site, listed: list[Entry]) -> dict[str, list[Entry]]:
    """Each category's entries (its subcategories' too), in the order of `listed`, by
    category key: one pass over the entries, not one per category."""
    members: dict[str, list[Entry]] = {key: [] for key in site.sections}
    trails: dict[str, list[list[Entry]]] = {}  # category key → the lists of it and its ancestors
    for e in listed:
        key = e.category.key
        lists = trails.get(key)
        if lists is None:
            lists = trails[key] = [members[s.key] for s in e.category.trail]
        for found in lists:
            found.append(e)
    return members


def page_url(section: Section, number: int) -> str:
    return section.url if number == 1 else f"{section.url}page/{number}/"


def page_count(entries: list) -> int:
    """How many list pages a category of `entries` has."""
    return max(1, ceil(len(entries) / PAGE_SIZE))


def year_counts(entries: list[Entry]) -> dict[int, int]:
    """How many of `entries` each year has (every list page of a category shows them)."""
    years: dict[int, int] = {}
    for entry in entries:
        years[entry.year] = years.get(entry.year, 0) + 1
    return years


def category_pages(
    site: Site, env, strings: dict, section: Section, entries: list[Entry], wanted=None
) -> list[Page]:
    """Every list page of one category: newest first, grouped by year, 50 a page. With
    `wanted(number, items of the page)`, only the pages it returns True for (an update
    makes again the pages whose inputs changed)."""
    count = page_count(entries)
    urls = [page_url(section, n) for n in range(1, count + 1)]
    years = year_counts(entries)
    ctype = TYPES.get(section.type)  # a type may declare statistics shown on its category's first page
    pages = []
    for number in range(1, count + 1):
        url = urls[number - 1]
        chunk = entries[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        if wanted is not None and not wanted(number, chunk):
            continue
        stats = None
        if number == 1 and ctype is not None and ctype.category_stats is not None:
            stats = ctype.category_stats(entries, site)
        pager = {
            "number": number,
            "count": count,
            "urls": urls,
            "prev_url": urls[number - 2] if number > 1 else None,
            "next_url": urls[number] if number < count else None,
        }
        html = render_fragment(
            env,
            "pages/category.html",
            {
                "section": section, "items": chunk, "page": pager, "year_counts": years, "total": len(entries),
                "feeds": section_feeds(section), "base": base_of(url), "stats": stats,
            },
        )  # fmt: skip
        title = section.title if number == 1 else f"{section.title}（第 {number} 页）"
        head = build_head(
            site,
            HeadInfo(
                url=url,
                description=section.description or section.title,
                column=section.title,
                column_type=section_label(section, strings),
                column_description=section.description,
                feeds=site_feeds(site, strings) + section_feeds(section),
            ),
        )
        pages.append(Page(url, title, head, html))
    return pages


def section_label(section: Section, strings: dict) -> str:
    """The label of a category's type in the UI language (the `types:` strings)."""
    return strings.get("types", {}).get(section.type, section.type)


def home_html(site: Site, env, strings: dict, listed: list[Entry], today: dt.date) -> str:
    members = section_members(site, listed)
    categories = [{"category": s, "items": members[s.key][:HOME_LATEST]} for s in site.roots]
    open_now = []  # items in their time window today (公示中 …), each with its window
    for e in listed:
        window = e.ctype.window(e.model) if e.ctype.window is not None else None
        if window is not None and window.end is not None and window.status(today) == "open":
            open_now.append({"item": e, "window": window})
    feeds = [{"title": f.title, "href": f.url, "type": f.mime} for f in site_feeds(site, strings)]
    return render_fragment(
        env,
        "pages/home.html",
        {
            "site": site.config.site, "categories": categories, "open_now": open_now, "feeds": feeds,
            "catalogue_url": "catalogue/", "base": "",
        },  # fmt: skip
    )


def catalogue_html(site: Site, env, listed: list[Entry], rows: dict | None = None) -> str:
    """The 信息公开目录, a row per item. `rows` holds the rows of the last build by (URL,
    what lists show of the item): an edit renders its own row again, not 10,000; it is
    replaced by this build's rows."""
    base, known = base_of("catalogue/"), rows or {}
    keys = [(e.url, e.memo.head) if e.memo is not None else None for e in listed]
    missing = [e for e, key in zip(listed, keys) if key not in known]
    sep = Markup("<!--gk-row-->")  # never in a row: the rows' own text is escaped
    fresh = render_fragment(env, "pages/catalogue_row.html", {"items": missing, "sep": sep, "base": base})
    fresh_rows = iter(Markup(row.strip() + "\n") for row in fresh.split(sep)[: len(missing)])
    made = [known[key] if key in known else next(fresh_rows) for key in keys]
    if rows is not None:
        rows.clear()
        rows.update((key, row) for key, row in zip(keys, made) if key is not None)
    return render_fragment(env, "pages/catalogue.html", {"rows": made, "base": base})


def subscribe_html(site: Site, env, strings: dict) -> str:
    groups = [{"section": None, "feeds": site_feeds(site, strings)}]
    groups += [{"section": s, "feeds": section_feeds(s)} for s in site.sections.values()]
    return render_fragment(env, "pages/subscribe.html", {"groups": groups, "base": base_of("subscribe/")})


def permalink_url(number: str) -> str:
    """`11330100002482066D/2024-00012` → `i/11330100002482066D/2024-00012/`.

    The `/` of the number stays a path separator, so a reader can type the number after
    `/i/`; any character outside `[0-9A-Za-z._-]` is percent-encoded."""
    from urllib.parse import quote

    return "i/" + quote(number, safe="/") + "/"


def redirect_html(target_from_here: str, absolute: str, title: str) -> str:
    """A static redirect: meta refresh, canonical link and a visible link (no script)."""
    t, a = escape(target_from_here, quote=True), escape(absolute, quote=True)
    return (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={t}">\n'
        f'<link rel="canonical" href="{a}">\n<meta name="robots" content="noindex">\n'
        f'</head>\n<body>\n<p><a href="{t}">{escape(title)}</a></p>\n</body>\n</html>\n'
    )
