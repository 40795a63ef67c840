"""`gongkai build`: phase two of the pipeline, from a checked `Site` to a static site.

    render   mkdocs-material renders the shell pages (home, categories, catalogue, pages)
    lists    category pages, 50 items a page, filled into their category's shell
    items    every item page, in parallel worker processes
    links    /i/<index number>/ permanent links, attachments
    publish  feeds, open data, search index (later stages), then an atomic swap

Everything is written into a temporary folder beside the output and renamed into place
at the end, so a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from html import escape
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from generator import __version__, csp, export, feeds, register, search
from generator.render import pages as P
from generator.render.head import HeadInfo, build_head
from generator.render.items import ItemJob, write_items
from generator.render.mkdocs_site import THEME_DIR, PageSpec, render_site
from generator.render.templates import load_strings, make_env, render_fragment
from generator.site import Entry, Site, site_path, sort_key

MARKER = ".gongkai-build"  # marks a folder as gongkai output, safe to replace
CACHE_DIR = ".gongkai-cache"  # in the site folder: search shards of unchanged years


class OutputError(ValueError):
    """The output folder is not one we may write into."""


@dataclass
class BuildResult:
    pages: int = 0
    per_category: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    search: tuple[int, int] = (0, 0)  # search shards (indexed, reused from the cache)
    out_dir: Path | None = None


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


def _write(out_dir: Path, url: str, html: str) -> None:
    path = out_dir / url / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def build(site: Site, out_dir: Path, drafts: bool = False, jobs: int | None = None, index: bool = True, cache_search: bool = True) -> BuildResult:
    """Build `site` into `out_dir`. Raises OutputError for a forbidden output folder."""
    result = BuildResult(out_dir=out_dir)
    timer = Timer(result)
    check_output(out_dir, site)
    for entry in site.entries:
        entry.doc = None  # file positions serve the checks only; at 100,000 items they weigh GBs
    today = build_date(site)
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(dt.datetime.combine(today, dt.time(), ZoneInfo(site.config.site.timezone)).timestamp())))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _leftovers(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.building-", dir=out_dir.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a web server must read the site
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.work-", dir=out_dir.parent))  # beside the output: same disk, not /tmp
    try:
        entries = sorted((e for e in site.entries if drafts or not e.is_draft), key=sort_key)  # newest first
        listed = [e for e in entries if not e.is_withdrawn]  # in lists (drafts too, in a preview)
        public = [e for e in listed if not e.is_draft]  # in feeds, search, data and sitemap, always
        strings = load_strings(THEME_DIR, site.config.site.language)
        env = make_env(THEME_DIR, strings)

        shards = search.plan_shards(public)
        with timer.stage("data"):
            datasets = export.datasets(site, public)
        with timer.stage("render"):
            shells = _render_shell_pages(site, env, strings, listed, today, tmp, work, datasets, shards)
            rendered = [page.read_text(encoding="utf-8") for page in sorted(tmp.rglob("*.html"))]
        with timer.stage("lists"):
            for section in site.sections.values():
                members = P.section_entries(section, listed)
                result.per_category[section.key] = len(members)
                for page in P.category_pages(site, env, strings, section, members):
                    _write(tmp, page.url, shells[section.url].fill(page.url, escape(page.title), page.head, page.html))
                    result.pages += 1
        with timer.stage("items"):
            shard_of = {url: shard.name for shard in shards for url in shard.urls} if index else None
            job = ItemJob(site, entries, shells, env, strings, tmp, today, work / "search", shard_of)
            result.pages += write_items(job, jobs)
        with timer.stage("links"):
            result.pages += _permalinks(site, entries, tmp)
            _copy_attachments(entries, tmp)
        with timer.stage("publish"):
            _publish(site, public, datasets, tmp)
        if index:
            with timer.stage("search"):
                cache = site.site_dir / CACHE_DIR / "pagefind" if cache_search else None
                result.search = search.index_shards(shards, work / "search", tmp, cache, jobs or os.cpu_count() or 1)
        csp.write_policy(tmp, rendered)
        (tmp / MARKER).write_text(f"gongkai {__version__}\n", encoding="utf-8")
        with timer.stage("swap"):
            _swap(tmp, out_dir, background=len(site.entries) >= BACKGROUND_DELETE_FROM)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        discard(work, background=len(site.entries) >= BACKGROUND_DELETE_FROM)
    return result


def _render_shell_pages(site: Site, env, strings: dict, listed: list[Entry], today: dt.date, out: Path, work: Path, datasets: list, shards: list) -> dict:
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
    plugin = render_site(site, specs, nav, strings, work, out, free_head, site_head)
    return plugin.shells


def _publish(site: Site, listed: list[Entry], datasets: list, out: Path) -> None:
    """Feeds, open data, sitemap and robots.txt (mkdocs's own sitemap lists shells: replaced)."""
    feeds.write_feeds(site, listed, out)
    for dataset in datasets:
        (out / dataset.path).parent.mkdir(parents=True, exist_ok=True)
        (out / dataset.path).write_bytes(dataset.data)
        if dataset.schema_path:
            (out / dataset.schema_path).write_bytes(dataset.schema)
    urls: list[tuple[str, dt.date | None]] = [("", None), ("catalogue/", None)]
    urls += [(s.url, None) for s in site.sections.values()]
    urls += [(p.url, None) for p in site.pages]
    urls += [(e.url, e.updated) for e in listed]
    (out / "data" / "register.json").write_bytes(register.public_register(site))
    (out / "sitemap.xml").write_bytes(export.sitemap(site, urls))
    (out / "sitemap.xml.gz").unlink(missing_ok=True)
    (out / "robots.txt").write_bytes(export.robots(site))


def _permalinks(site: Site, entries: list[Entry], out: Path) -> int:
    count = 0
    for entry in entries:
        number = entry.model.index_no
        if not number:
            continue
        url = P.permalink_url(number)
        target = P.base_of(url) + entry.url
        _write(out, url, P.redirect_html(target, site.config.site.url + entry.url, entry.model.title))
        count += 1
    return count


def _copy_attachments(entries: list[Entry], out: Path) -> None:
    for entry in entries:
        for reference, source in sorted(entry.files.items()):
            target = out / site_path(reference)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)


def _swap(tmp: Path, out_dir: Path, background: bool) -> None:
    """Put the new build in place with renames only; the old one is removed afterwards."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old is not None:
        discard(old, background)


BACKGROUND_DELETE_FROM = 2000  # items; smaller folders are removed before returning


def discard(folder: Path, background: bool = True) -> None:
    """Delete a folder we no longer need, for large sites in a background process:
    removing the 30,000 files of a 10,000-item build takes ~20 s here, and nothing waits
    for it. A folder left by an interrupted delete is hidden (dot-name) and removed by a
    later build."""
    if not background:
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _leftovers(out_dir: Path) -> None:
    """Temporary folders of earlier builds that were interrupted (older than an hour)."""
    limit = time.time() - 3600
    for pattern in (f".{out_dir.name}.old-*", f".{out_dir.name}.work-*", f".{out_dir.name}.building-*"):
        for folder in out_dir.parent.glob(pattern):
            try:
                if folder.is_dir() and folder.stat().st_mtime < limit:
                    discard(folder)
            except OSError:
                pass
