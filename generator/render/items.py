"""Item pages: Markdown bodies, the type's template, the category shell — in parallel.

Work is split into contiguous slices of the entry list and handed to forked worker
processes, which inherit the site (no pickling of entries) and write their pages
directly. Each page is a pure function of its entry, so the order of work never changes
the output.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from html import escape
from multiprocessing import get_context
from pathlib import Path

from generator import register
from generator.output import digest
from generator.render import markdown
from generator.render.head import HeadInfo, build_head
from generator.render.pages import base_of, section_feeds, site_feeds
from generator.render.shell import Shell
from generator.render.templates import render_item
from generator.search import source_page
from generator.site import Entry, Site

PARALLEL_FROM = 300  # below this, forking costs more than it saves


@dataclass
class ItemJob:
    site: Site
    entries: list[Entry]
    shells: dict[str, Shell]
    env: object
    strings: dict
    out_dir: Path
    today: dt.date
    search_root: Path | None = None  # where Pagefind's source pages go, by shard
    shard_of: dict[str, str] | None = None  # item url → shard name


_JOB: ItemJob | None = None  # set before forking; workers read it


def notice_status(entry: Entry, today: dt.date) -> str:
    notice = entry.model.notice
    if today < notice.start:
        return "upcoming"
    return "open" if notice.end is None or today <= notice.end else "closed"


def prepare(entry: Entry) -> None:
    """Render the Markdown parts of an entry (body, budget notes), their links to
    attachments and items rewritten from the item's page (checks/links.py)."""
    links, base = entry.links.get("body"), base_of(entry.url)
    entry.body_html = markdown.render(entry.model.body, links, base).html
    if entry.type == "budget" and entry.model.notes:
        entry.notes_html = markdown.render(entry.model.notes, links, base).html


def item_head(job: ItemJob, entry: Entry) -> str:
    model, section = entry.model, entry.category
    return build_head(
        job.site,
        HeadInfo(
            url=entry.url,
            description=model.summary or model.title,
            column=section.title,
            column_type=job.strings.get("types", {}).get(section.type, section.type),
            column_description=section.description,
            article_title=model.title,
            pub_date=model.published.isoformat(),
            source=entry.publisher_name,
            keywords=list(model.keywords),
            feeds=site_feeds(job.site, job.strings) + section_feeds(section),
            noindex=entry.is_draft,
        ),
    )


def render_page(job: ItemJob, entry: Entry) -> tuple[str, str]:
    """(the item's page, its sealed content fragment)."""
    prepare(entry)
    ctx = {"base": base_of(entry.url), "feedback": job.site.config.feedback, "today": job.today}
    if entry.type == "appointment":
        ctx["notice_status"] = notice_status(entry, job.today)
        ctx["page_url"] = job.site.config.site.url + entry.url  # printed notice: address and QR code
    if entry.ctype.computed is not None:  # figures from beyond the item's file (model/registry.py)
        ctx["computed"] = entry.ctype.computed(entry, job.site)
    fragment = render_item(job.env, entry, ctx)
    seal_tags, sealed = register.seal(entry, fragment)  # record + fingerprint for `gongkai verify`
    shell = job.shells[entry.category.url]
    return shell.fill(entry.url, escape(entry.model.title), item_head(job, entry) + "\n    " + seal_tags, sealed), sealed


def _write_slice(bounds: tuple[int, int]) -> tuple[list, list]:
    """Write the pages (and search source pages) of a slice of the entries; returns the
    digests of what was written, for the build's state."""
    job = _JOB
    assert job is not None
    lang = job.site.config.site.language
    files, sources = [], []
    for entry in job.entries[bounds[0] : bounds[1]]:
        page, fragment = render_page(job, entry)
        files.append(_put(job.out_dir, f"{entry.url}index.html", page))
        shard = job.shard_of.get(entry.url) if job.shard_of else None
        if shard is not None:
            sources.append(_put(job.search_root, f"{shard}/{entry.url}index.html", source_page(lang, escape(entry.model.title), fragment)))
    return files, sources


def _put(root: Path, rel: str, text: str) -> tuple[str, bytes]:
    data = text.encode("utf-8")
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return rel, digest(data)


def write_items(job: ItemJob, jobs: int | None = None) -> tuple[list, list]:
    """Write every entry's page. Returns the digests of the pages and source pages."""
    global _JOB
    _JOB = job
    total = len(job.entries)
    jobs = jobs or os.cpu_count() or 1
    try:
        if jobs == 1 or total < PARALLEL_FROM:
            return _write_slice((0, total))
        size = -(-total // (jobs * 4))
        slices = [(start, min(start + size, total)) for start in range(0, total, size)]
        files, sources = [], []
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            for written, indexed in pool.map(_write_slice, slices):
                files += written
                sources += indexed
        return files, sources
    finally:
        _JOB = None
