"""`gongkai build`: phase two of the pipeline, from a checked `Site` to a static site.

    data     open-data records (also shown on the 数据开放 page)
    render   mkdocs-material renders the shell pages (home, categories, catalogue, pages)
    lists    category pages, 50 items a page, filled into their category's shell
    items    item pages whose inputs changed, in parallel worker processes; then the
             search shards whose pages changed start indexing in the background
    links    /i/<index number>/ permanent links, attachments
    publish  feeds, open data, sitemap, security headers
    search   wait for Pagefind
    commit   the new site takes the old one's place (generator/output.py)

A failed build leaves the previous site untouched. When the output folder holds our
last build, only the files that changed are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from generator import csp, export, feeds, register, search
from generator.load.cache import content_salt, stamp
from generator.output import BACKGROUND_DELETE_FROM, CACHE_DIR, MARKER, Output, discard
from generator.render import pages as P
from generator.render.head import HeadInfo, build_head
from generator.render.items import ItemJob, write_items
from generator.render.mkdocs_site import THEME_DIR, PageSpec, render_site
from generator.render.shell import Shell
from generator.render.templates import load_strings, make_env, render_fragment
from generator.site import Entry, Site, site_path, sort_key


class OutputError(ValueError):
    """The output folder is not one we may write into."""


@dataclass
class BuildResult:
    pages: int = 0
    per_category: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    search: tuple[int, int] = (0, 0)  # search shards (indexed, reused)
    out_dir: Path | None = None
    update: bool = False  # only changed files were written
    rendered: int = 0  # item pages rendered (the others were unchanged)


class Timer:
    def __init__(self, result: BuildResult):
        self.result = result

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.result.timings.append((name, time.perf_counter() - start))


def build_date(site: Site) -> dt.date:
    """Today in the site's time zone, or SOURCE_DATE_EPOCH's day for reproducible builds."""
    zone = ZoneInfo(site.config.site.timezone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), zone).date()
    return dt.datetime.now(zone).date()


def check_output(out_dir: Path, site: Site) -> None:
    """Refuse output folders whose replacement would destroy something else."""
    out = out_dir.resolve()
    site_dir, content = site.site_dir.resolve(), site.content_dir.resolve()
    forbidden = {Path("/"), Path.home().resolve(), site_dir, content, THEME_DIR.resolve(), THEME_DIR.parent.resolve()}
    if out in forbidden or content.is_relative_to(out) or out.is_relative_to(content):
        raise OutputError(f"不能输出到 {out_dir}：它是站点、内容或系统文件夹")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out_dir} 是一个文件，不是文件夹")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputError(f"{out_dir} 不是空文件夹，也不是以前的 gongkai 输出；请指定新的或空的文件夹")


def _nav(site: Site, strings: dict) -> tuple[list, list[PageSpec]]:
    nav_t = strings.get("nav", {})

    def section_nav(section):
        if not section.children:
            return {section.title: f"{section.key}/index.md"}
        return {section.title: [f"{section.key}/index.md"] + [section_nav(c) for c in section.children]}

    nav = [{nav_t.get("home", "首页"): "index.md"}, {nav_t.get("catalogue", "信息公开目录"): "catalogue/index.md"}]
    nav += [section_nav(s) for s in site.roots]
    free = []
    for page in site.pages:
        free.append(PageSpec(f"pages/{page.slug}.md", page.title, source=page.source))
        nav.append({page.title: f"pages/{page.slug}.md"})
    nav.append({nav_t.get("search", "站内搜索"): "search/index.md"})
    nav.append({nav_t.get("subscribe", "订阅"): "subscribe/index.md"})
    nav.append({nav_t.get("data", "数据开放"): "data/index.md"})
    return nav, free


def global_key(site: Site, drafts: bool, index: bool) -> str:
    """Everything that shapes every page: gongkai and site_config.yml (the content cache's
    salt), the theme, the free pages (they are in the navigation), the build options and
    the Pagefind binary. When it changes, the next build is a full one."""
    digest = hashlib.sha256(f"{content_salt(site.site_dir)}|drafts={drafts}|index={index}|{search.pagefind_command()}".encode())
    for path in sorted(THEME_DIR.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest.update(f"{path.relative_to(THEME_DIR)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    for page in site.pages:
        digest.update(f"{page.rel}\0{page.source}\0".encode())
    return digest.hexdigest()


def item_key(entry: Entry, shell: bytes, shard: str | None, today: dt.date) -> str | None:
    """The inputs of an item page: the file as read, its category's shell, its search
    shard, the fee item it links to, its attachments, and the day for a 公示 (its status
    is printed). None when the entry did not come through the content cache."""
    if entry.memo is None:
        return None
    parts: list = [entry.memo.fingerprint, entry.url, shell, shard]
    if entry.type == "appointment":
        parts.append(today.isoformat())
    fee = entry.fee_item
    if fee is not None:
        parts += [fee.url, fee.memo.fingerprint if fee.memo else None]
    parts += [(ref, stamp(path)) for ref, path in sorted(entry.files.items())]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def build(site: Site, out_dir: Path, drafts: bool = False, jobs: int | None = None, index: bool = True, cache_search: bool = True, fresh: bool = False) -> BuildResult:
    """Build `site` into `out_dir`: a full build, or an update of the files that changed
    when `out_dir` holds our last build (generator/output.py). `fresh` forces a full build
    without caches. Raises OutputError for a forbidden output folder."""
    result = BuildResult(out_dir=out_dir)
    timer = Timer(result)
    check_output(out_dir, site)
    for entry in site.entries:
        entry.doc = None  # file positions serve the checks only; at 100,000 items they weigh GBs
    today = build_date(site)
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(dt.datetime.combine(today, dt.time(), ZoneInfo(site.config.site.timezone)).timestamp())))
    output = Output(out_dir, site.site_dir, global_key(site, drafts, index), fresh=fresh, files_hint=len(site.entries))
    result.update = output.update
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.work-", dir=out_dir.parent))  # beside the output: same disk, not /tmp
    indexing = None
    try:
        entries = sorted((e for e in site.entries if drafts or not e.is_draft), key=sort_key)  # newest first
        listed = [e for e in entries if not e.is_withdrawn]  # in lists (drafts too, in a preview)
        public = [e for e in listed if not e.is_draft]  # in feeds, search, data and sitemap, always
        strings = load_strings(THEME_DIR, site.config.site.language)
        env = make_env(THEME_DIR, strings)

        shards = search.plan_shards(public)
        shard_of = {url: shard.name for shard in shards for url in shard.urls} if index else {}

        def item_pages(shells: dict[str, Shell]) -> int:
            """Render the item pages whose inputs changed; returns how many."""
            marks = {url: hashlib.sha256(shell.html.encode()).digest() for url, shell in shells.items()}
            todo = []
            for entry in entries:
                shard = shard_of.get(entry.url)
                key = item_key(entry, marks[entry.category.url], shard, today)
                source = [f"{shard}/{entry.url}index.html"] if shard else []
                if key is None or not output.unchanged_item(entry.url, key, [f"{entry.url}index.html"], source):
                    todo.append(entry)
            output.record(*write_items(ItemJob(site, todo, shells, env, strings, output.root, today, output.search_src, shard_of), jobs))
            output.tidy_sources()
            return len(todo)

        def start_search() -> search.Indexing | None:
            """Pagefind runs while the main process writes the rest."""
            if not index:
                return None
            cache = site.site_dir / CACHE_DIR / "pagefind" if cache_search and not fresh else None
            return search.Indexing(shards, output.search_src, output, cache, jobs or os.cpu_count() or 1)

        # An update renders the changed item pages first, into last build's shells (they
        # depend only on what the global key covers), so that Pagefind starts sooner.
        early = {url: Shell(html, url) for url, html in output.previous.shells.items()} if output.update else {}
        if early and all(e.category.url in early for e in entries):
            with timer.stage("items"):
                result.rendered = item_pages(early)
                indexing = start_search()
        with timer.stage("data"):
            datasets = export.datasets(site, public)
        with timer.stage("render"):
            shells, rendered = _render_shell_pages(site, env, strings, listed, today, output, work, datasets, shards)
            output.state.shells = {url: shell.html for url, shell in shells.items()}
        with timer.stage("lists"):
            for section in site.sections.values():
                members = P.section_entries(section, listed)
                result.per_category[section.key] = len(members)
                for page in P.category_pages(site, env, strings, section, members):
                    output.write(f"{page.url}index.html", shells[section.url].fill(page.url, escape(page.title), page.head, page.html))
                    result.pages += 1
        result.pages += len(entries)
        if output.state.shells != {url: shell.html for url, shell in early.items()} or indexing is None and index:
            with timer.stage("items"):  # a full build, or shells that changed after all
                result.rendered += item_pages(shells)
                if indexing is None:
                    indexing = start_search()
        with timer.stage("links"):
            result.pages += _permalinks(site, entries, output)
            _copy_attachments(entries, output)
        with timer.stage("publish"):
            _publish(site, public, datasets, output)
            csp.write_policy(output.write, rendered)
        if indexing is not None:
            with timer.stage("search"):
                result.search = indexing.finish()
        with timer.stage("commit"):
            output.commit()
    except BaseException:
        if indexing is not None:
            indexing.cancel()
        output.abandon()
        raise
    finally:
        discard(work, background=len(site.entries) >= BACKGROUND_DELETE_FROM)
    return result


def _render_shell_pages(site: Site, env, strings: dict, listed: list[Entry], today: dt.date, output: Output, work: Path, datasets: list, shards: list) -> tuple[dict, list[str]]:
    """mkdocs renders the pages it knows (into the work folder); they join the output.
    Returns the category shells and the text of every page (for the CSP hashes)."""
    nav, free = _nav(site, strings)
    feeds = P.site_feeds(site, strings)
    page_t = strings.get("nav", {})

    def head(url: str, title: str, description: str = "") -> str:
        return build_head(site, HeadInfo(url=url, description=description or site.config.site.description, column=title, feeds=feeds))

    specs = [
        PageSpec("index.md", site.config.site.name, head("", site.config.site.name), P.home_html(site, env, strings, listed, today)),
        PageSpec("catalogue/index.md", page_t.get("catalogue", "信息公开目录"), head("catalogue/", "信息公开目录"), P.catalogue_html(site, env, listed)),
        PageSpec("subscribe/index.md", page_t.get("subscribe", "订阅"), head("subscribe/", "订阅"), P.subscribe_html(site, env, strings)),
        PageSpec("data/index.md", page_t.get("data", "数据开放"), head("data/", "数据开放"), render_fragment(env, "pages/data.html", {"datasets": datasets, "sitemap": "sitemap.xml", "base": "../"})),
        PageSpec("search/index.md", page_t.get("search", "站内搜索"), head("search/", "站内搜索"), render_fragment(env, "pages/search.html", {"org": site.config.org_prefix, "bundles": [s.bundle for s in shards], "base": "../"})),
    ]
    specs += [PageSpec(f"{s.key}/index.md", s.title, shell=True) for s in site.sections.values()]
    specs += free

    def free_head(page) -> str:
        url = page.url.lstrip("/") if hasattr(page, "url") else ""
        return head(url, page.title or "")

    site_head = build_head(site, HeadInfo(url="", column=strings.get("not_found", {}).get("heading", "页面不存在"), feeds=feeds, noindex=True, canonical=False))
    rendered = work / "mkdocs-site"
    plugin = render_site(site, specs, nav, strings, work, rendered, free_head, site_head)
    pages = [path.read_text(encoding="utf-8") for path in output.adopt(rendered) if path.suffix == ".html"]
    return plugin.shells, pages


def _publish(site: Site, listed: list[Entry], datasets: list, output: Output) -> None:
    """Feeds, open data, sitemap and robots.txt (mkdocs's own sitemap lists shells: replaced)."""
    feeds.write_feeds(site, listed, output.write)
    for dataset in datasets:
        output.write(dataset.path, dataset.data)
        if dataset.schema_path:
            output.write(dataset.schema_path, dataset.schema)
    urls: list[tuple[str, dt.date | None]] = [("", None), ("catalogue/", None)]
    urls += [(s.url, None) for s in site.sections.values()]
    urls += [(p.url, None) for p in site.pages]
    urls += [(e.url, e.updated) for e in listed]
    output.write("data/register.json", register.public_register(site))
    output.write("sitemap.xml", export.sitemap(site, urls))
    output.forget("sitemap.xml.gz")
    output.write("robots.txt", export.robots(site))


def _permalinks(site: Site, entries: list[Entry], output: Output) -> int:
    count = 0
    for entry in entries:
        number = entry.model.index_no
        if not number:
            continue
        url = P.permalink_url(number)
        target = P.base_of(url) + entry.url
        output.write(f"{url}index.html", P.redirect_html(target, site.config.site.url + entry.url, entry.model.title))
        count += 1
    return count


def _copy_attachments(entries: list[Entry], output: Output) -> None:
    for entry in entries:
        for reference, source in sorted(entry.files.items()):
            output.copy(site_path(reference), source)
