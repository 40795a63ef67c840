"""Item pages: Markdown bodies, the type's template, the category shell — in parallel.

Work is split into contiguous slices of the entry list and handed to forked worker
processes (`generator/fork.py`), which inherit the site (no pickling of entries) and
write their pages directly. Each page is a pure function of its entry, so the order of work never changes
the output.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import partial
from html import escape
from pathlib import Path

from generator import register
from generator.fork import fork_map
from generator.model.registry import field_value
from generator.output import digest
from generator.render import markdown
from generator.render.head import HeadInfo, build_head
from generator.render.pages import base_of, permalink_url, redirect_html, section_feeds, section_label, site_feeds
from generator.render.shell import Shell
from generator.render.templates import render_item
from generator.search import source_file, source_page
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
    live: dict[str, bytes] | None = None  # file → digest of the live site's, in an update
    columns: dict = field(default_factory=dict)  # category url → its head values (column_of)


def prepare(entry: Entry) -> None:
    """Render the Markdown fields of an entry (its type's `markdown`: body, budget notes,
    nested ones such as `reply.text` …) into `entry.<field>_html` (`reply_text_html`),
    their links to attachments and items rewritten from the item's page (checks/links.py)."""
    links, base = entry.text_links, base_of(entry.url)
    for path in entry.ctype.markdown_paths:
        setattr(entry, f"{'_'.join(path)}_html", markdown.render_html(field_value(entry.model, path), links, base))


def column_of(job: ItemJob, section) -> tuple[str, list]:
    """(the category's type label, its page's feeds): the same for all its items, made
    once per category in a job (a worker fills its own copy)."""
    found = job.columns.get(section.url)
    if found is None:
        found = job.columns[section.url] = (
            section_label(section, job.strings),
            site_feeds(job.site, job.strings) + section_feeds(section),
        )
    return found


def item_head(job: ItemJob, entry: Entry) -> str:
    model, section = entry.model, entry.category
    column_type, feeds = column_of(job, section)
    return build_head(
        job.site,
        HeadInfo(
            url=entry.url,
            description=model.summary or model.title,
            column=section.title,
            column_type=column_type,
            column_description=section.description,
            article_title=model.title,
            pub_date=model.published.isoformat(),
            source=entry.publisher_name,
            keywords=list(model.keywords),
            feeds=feeds,
            noindex=entry.is_draft,
        ),
    )


def render_page(job: ItemJob, entry: Entry) -> tuple[str, str]:
    """(the item's page, its sealed content fragment)."""
    prepare(entry)
    ctx = {"base": base_of(entry.url), "feedback": job.site.config.feedback, "today": job.today}
    if entry.ctype.window is not None:  # a time window: its status on the day of the build
        window = entry.ctype.window(entry.model)
        ctx.update(window=window, window_status=window.status(job.today))
        ctx["page_url"] = job.site.config.site.url + entry.url  # printed notice: address and QR code
    fragment = render_item(job.env, entry, ctx)
    seal_tags, sealed = register.seal(entry, fragment)  # record + fingerprint for `gongkai verify`
    shell = job.shells[entry.category.url]
    return shell.fill(entry.url, escape(entry.model.title), item_head(job, entry) + "\n    " + seal_tags, sealed), sealed


def _write_slice(job: ItemJob, entries: list) -> tuple[list, list, list, dict]:
    """Write the pages (and search source pages) of a slice of the entries; returns the
    digests of what was written, the files left as the live site holds them and the
    stamps of the site's files written, for the build's state."""
    lang = job.site.config.site.language
    files, sources, same = [], [], []
    stamps: dict[str, tuple[int, int, int]] = {}
    out, search = str(job.out_dir), str(job.search_root)
    made: set[str] = set()  # folders this call made or found: one mkdir each, not one a file
    for entry in entries:
        page, fragment = render_page(job, entry)
        files.append(_put(out, f"{entry.url}index.html", page, made, stamps))
        link = permalink(job.site, entry)
        if link is not None:
            if job.live is not None and job.live.get(link[0]) == digest(link[1].encode("utf-8")):
                same.append(link[0])  # the live one holds these bytes (an edited body keeps its link)
            else:
                files.append(_put(out, *link, made, stamps))
        shard = job.shard_of.get(entry.url) if job.shard_of else None
        if shard is not None:
            source = source_page(lang, escape(entry.model.title), fragment)
            sources.append(_put(search, source_file(shard, entry.url), source, made))
    return files, sources, same, stamps


def permalink_file(entry: Entry) -> str | None:
    """The item's permanent link page, `i/<index number>/index.html`, when it has a number."""
    return f"{permalink_url(entry.index_no)}index.html" if entry.index_no else None


def item_files(entry: Entry) -> list[str]:
    """The files of the site written for an item: its page and its permanent link."""
    link = permalink_file(entry)
    return [f"{entry.url}index.html"] + ([link] if link else [])


def permalink(site: Site, entry: Entry) -> tuple[str, str] | None:
    """(file, page) of the redirect from /i/<index number>/ to the item's page: written
    with the item (its inputs are the item's: number, title, URL), in the workers."""
    rel = permalink_file(entry)
    if rel is None:
        return None
    target = base_of(rel.removesuffix("index.html")) + entry.url
    return rel, redirect_html(target, site.config.site.url + entry.url, entry.model.title)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _put(root: str, rel: str, text: str, made: set[str], stamps: dict | None = None) -> tuple[str, bytes]:
    """Write a file anew, never through: the folder may be the spare, whose files are
    hard links of the live site's (output.py). `made`: folders known to exist (filled
    here). A new file costs one `open` (O_EXCL); only one that exists is unlinked first.
    `stamps` gets the file's (size, modification time, inode) as written (`Output.record`)."""
    data = text.encode("utf-8")
    path = f"{root}/{rel}"
    _folder(path[: path.rfind("/")], made)
    try:
        fd = os.open(path, _CREATE, 0o666)  # the mode `open(path, "wb")` gives (umask applied)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(fd, view) :]
        if stamps is not None:
            st = os.fstat(fd)
            stamps[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    finally:
        os.close(fd)
    return rel, digest(data)


def _folder(path: str, made: set[str]) -> None:
    """Make the folder `path` (and its parents) unless `made` says it exists. A folder
    whose parent is in `made` costs one `mkdir` (`os.makedirs` would look at the parent
    first); a parent gone since (removed by someone else) is made again."""
    if path in made:
        return
    parent = path[: path.rfind("/")]
    if parent in made:
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
        except FileNotFoundError:
            os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(path, exist_ok=True)
        made.add(parent)
    made.add(path)


def write_items(job: ItemJob, jobs: int | None = None) -> tuple[list, list, list, dict]:
    """Write every entry's page. Returns the digests of the pages and source pages, the
    files left as the live site holds them, and the stamps of the pages written."""
    files, sources, same, stamps = [], [], [], {}
    for written, indexed, kept, stamped in fork_map(
        partial(_write_slice, job), job.entries, jobs or os.cpu_count() or 1, PARALLEL_FROM
    ):  # fmt: skip
        files += written
        sources += indexed
        same += kept
        stamps.update(stamped)
    return files, sources, same, stamps
