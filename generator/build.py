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
import json
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

from generator import csp, export, feeds, register, search, signing, verify
from generator.load.cache import content_salt, stamp
from generator.output import BACKGROUND_DELETE_FROM, CACHE_DIR, LOCK_WAIT, MARKER, Output, discard, locked
from generator.render import THEME_DIR
from generator.render import pages as P
from generator.render.head import HeadInfo, build_head
from generator.render.items import ItemJob, write_items
from generator.render.shell import CONTENT, Shell
from generator.render.templates import load_strings, make_env, render_fragment
from generator.site import Entry, Site, site_path, sort_key


class OutputError(ValueError):
    """The output folder is not one we may write into."""


class ChainBroken(ValueError):
    """The new chain does not extend the one published in the output folder."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def published_chain(out_dir: Path, new: bytes | None) -> None:
    """Refuse to replace a published data/register.json by a chain that does not hold
    every one of its entries unchanged (`verify.consistency`); `--fresh` does not change
    that. A preview (`new` None) never goes into a published site's folder."""
    old = out_dir / register.PUBLIC_PATH
    if not old.is_file():
        return
    if new is None:
        raise OutputError(f"{out_dir} 是已发布的网站（有 {register.PUBLIC_PATH}）：预览请输出到别的文件夹")
    try:
        data = json.loads(old.read_bytes())
    except (OSError, ValueError):
        raise ChainBroken([f"{old} 无法读取或不是有效的 JSON：不能确认新的登记包含已发布的全部版本"]) from None
    lost, _ = verify.consistency(data if isinstance(data, dict) else {}, json.loads(new))
    if lost:
        raise ChainBroken(lost)


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
    if out.is_dir() and os.path.ismount(out):  # a mount point cannot be replaced by a rename
        raise OutputError(f"{out_dir} 是一个挂载点，无法整体替换；请输出到其中的子文件夹（如 {out_dir}/site），并让网站服务器指向它")


def _nav(site: Site, strings: dict) -> tuple[list, list]:
    from generator.render.mkdocs_site import PageSpec

    nav_t = strings.get("nav", {})

    def section_nav(section):
        if not section.children:
            return {section.title: f"{section.key}/index.md"}
        return {section.title: [f"{section.key}/index.md"] + [section_nav(c) for c in section.children]}

    nav = [{nav_t.get("home", "首页"): "index.md"}, {nav_t.get("catalogue", "信息公开目录"): "catalogue/index.md"}]
    nav += [section_nav(s) for s in site.roots]
    free = []
    for page in site.pages:
        free.append(PageSpec(f"pages/{page.slug}.md", page.title, source=page.source, links=page.links))
        nav.append({page.title: f"pages/{page.slug}.md"})
    nav.append({nav_t.get("search", "站内搜索"): "search/index.md"})
    nav.append({nav_t.get("subscribe", "订阅"): "subscribe/index.md"})
    nav.append({nav_t.get("data", "数据开放"): "data/index.md"})
    return nav, free


def global_key(site: Site, drafts: bool, index: bool, preview: bool = False) -> str:
    """Everything that shapes every page: gongkai and site_config.yml (the content cache's
    salt), the theme, the free pages (they are in the navigation), the build options and
    the Pagefind binary. When it changes, the next build is a full one."""
    renderer = "|".join(_version(name) for name in ("mkdocs", "mkdocs-material", "Jinja2", "feedgen"))
    options = f"drafts={drafts}|preview={preview}|index={index}"
    digest = hashlib.sha256(f"{content_salt(site.site_dir)}|{renderer}|{options}|{search.pagefind_command()}".encode())
    for path in sorted(THEME_DIR.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest.update(f"{path.relative_to(THEME_DIR)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    for page in site.pages:  # with the URLs its links resolved to (they move with their items)
        digest.update(f"{page.rel}\0{page.source}\0{sorted(page.links.items())}\0".encode())
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


def item_key(entry: Entry, shell: bytes, shard: str | None, today: dt.date, site: Site | None = None) -> str | None:
    """The inputs of an item page: the file as read, its category's shell, its search
    shard, the fee item it links to, the URLs its body links to, its attachments, and the
    day for a 公示 (its status is printed). None when the entry did not come through the
    content cache."""
    if entry.memo is None:
        return None
    parts: list = [entry.memo.fingerprint, entry.url, shell, shard]
    if entry.type == "appointment":
        parts.append(today.isoformat())
    if entry.ctype.computed is not None and site is not None:  # a 年报's figures come from the whole site
        parts.append(repr(entry.ctype.computed(entry, site)))
    fee = entry.fee_item
    if fee is not None:
        parts += [fee.url, fee.memo.fingerprint if fee.memo else None]
    parts.append(sorted(entry.links.get("body", {}).items()))
    parts += [(ref, stamp(path)) for ref, path in sorted(entry.files.items())]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def group_key(*parts, whole: bool = False) -> str:
    """The key of what is made from these parts. A list of entries stands for what was
    read from their files: without the bodies (lists, catalogue, data), or `whole`."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, list):
            for entry in part:
                if entry.memo is None:  # not read through the content cache: never equal
                    return f"uncached-{time.monotonic_ns()}"
                digest.update(entry.url.encode() + b"\0" + (entry.memo.fingerprint if whole else entry.memo.head))
        else:
            digest.update(repr(part).encode())
        digest.update(b"\1")
    return digest.hexdigest()


def build(
    site: Site, out_dir: Path, drafts: bool = False, jobs: int | None = None, index: bool = True,
    cache_search: bool = True, fresh: bool = False, wait: float = LOCK_WAIT, preview: bool = False,
    signer: signing.Signer | None = None,
) -> BuildResult:  # fmt: skip
    """Build `site` into `out_dir`: a full build, or an update of the files that changed
    when `out_dir` holds our last build (generator/output.py). `fresh` forces a full build
    without caches. Another build writing `out_dir` (or from this site) is waited for up
    to `wait` seconds (OutputBusy). Raises OutputError for a forbidden output folder,
    ChainBroken when the chain would not extend the one published there, and OSError for
    a fault of the machine (generator/faults.py): the live site is untouched.

    A `preview` writes no data/register.json (nor its head) and puts the 预览 banner on
    the pages of unrecorded versions; `gongkai build` refuses those otherwise (cli.py).
    `signer` signs the chain head (data/register.head.json)."""
    check_output(out_dir, site)
    with locked(out_dir, site.site_dir / CACHE_DIR, wait):
        return _build(site, out_dir, drafts, jobs, index, cache_search, fresh, preview, signer)


def _build(
    site: Site, out_dir: Path, drafts: bool, jobs: int | None, index: bool, cache_search: bool, fresh: bool,
    preview: bool, signer: signing.Signer | None,
) -> BuildResult:  # fmt: skip
    result = BuildResult(out_dir=out_dir)
    timer = Timer(result)
    today = build_date(site)
    chain = None if preview else register.public_register(site)
    published_chain(out_dir, chain)
    if preview:
        register.mark_unrecorded(site)
    for entry in site.entries:
        entry.doc = None  # file positions serve the checks only; at 100,000 items they weigh GBs
    key = global_key(site, drafts, index, preview)
    output = Output(out_dir, site.site_dir, key, fresh=fresh, files_hint=len(site.entries))
    result.update = output.update
    work = None
    indexing = None
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.work-", dir=out_dir.parent))  # same disk, not /tmp
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
                key = item_key(entry, marks[entry.category.url], shard, today, site)
                source = [f"{shard}/{entry.url}index.html"] if shard else []
                if key is None or not output.unchanged_item(entry.url, key, [f"{entry.url}index.html"], source):
                    todo.append(entry)
            output.record(*write_items(ItemJob(site, todo, shells, env, strings, output.root, today, output.search_src, shard_of), jobs))
            output.tidy_sources()
            return len(todo)

        def start_search(allow_delta: bool) -> search.Indexing | None:
            """Pagefind runs while the main process writes the rest. A delta index is only
            possible before the search page is rendered (it names the delta)."""
            if not index:
                return None
            cache = site.site_dir / CACHE_DIR / "pagefind" if cache_search and not fresh else None
            return search.Indexing(shards, output.search_src, output, cache, jobs or os.cpu_count() or 1, work, allow_delta)

        # An update renders the changed item pages first, into last build's shells (they
        # depend only on what the global key covers), so that Pagefind starts sooner.
        early = {url: Shell(html, url) for url, html in output.previous.shells.items()} if output.update else {}
        if early and all(e.category.url in early for e in entries):
            with timer.stage("items"):
                result.rendered = item_pages(early)
                indexing = start_search(allow_delta=True)
        with timer.stage("data"):  # the open data: again when what it holds changed
            # every dataset is made of fields other than the bodies, and of what types compute
            data_key = group_key(public, repr([e.ctype.computed(e, site) for e in public if e.ctype.computed]))
            if output.unchanged_group("data", data_key):
                datasets = None
            else:
                datasets = export.datasets(site, public)
                for dataset in datasets:
                    output.write(dataset.path, dataset.data, group="data")
                    if dataset.schema_path:
                        output.write(dataset.schema_path, dataset.schema, group="data")
        with timer.stage("render"):
            data_page = output.reuse("page:data", data_key, lambda: render_fragment(env, "pages/data.html", {
                "datasets": datasets if datasets is not None else export.datasets(site, public), "sitemap": "sitemap.xml", "base": "../",
                "site_url": site.config.site.url, "signing": signing.shown(site.config.signing),
            }))  # fmt: skip
            shells, script_hashes = _render_shell_pages(site, env, strings, listed, today, output, work, data_page, shards, indexing)
            output.state.shells = {url: shell.html for url, shell in shells.items()}
        with timer.stage("lists"):
            for section in site.sections.values():
                members = P.section_entries(section, listed)
                result.per_category[section.key] = len(members)
                result.pages += P.page_count(members)
                if output.unchanged_group(f"list:{section.key}", group_key(shells[section.url].html, members)):
                    continue
                for page in P.category_pages(site, env, strings, section, members):
                    output.write(f"{page.url}index.html", shells[section.url].fill(page.url, escape(page.title), page.head, page.html), group=f"list:{section.key}")
        result.pages += len(entries)
        if output.state.shells != {url: shell.html for url, shell in early.items()} or (index and indexing is None):
            with timer.stage("items"):  # a full build, or shells that changed after all
                result.rendered += item_pages(shells)
                if indexing is None:
                    indexing = start_search(allow_delta=False)
        with timer.stage("links"):
            numbered = [(e.model.index_no, e.url, e.model.title) for e in entries if e.model.index_no]
            result.pages += len(numbered)
            if not output.unchanged_group("permalinks", group_key(site.config.site.url, tuple(numbered))):
                _permalinks(site, numbered, output)
            _copy_attachments([*entries, *site.pages], output)
        with timer.stage("publish"):
            _publish(site, public, output, chain, signer, entries)
            csp.write_policy(output.write, script_hashes, site.config.site.url)
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
        if work is not None:
            discard(work, background=len(site.entries) >= BACKGROUND_DELETE_FROM)
    return result


def _render_shell_pages(site: Site, env, strings: dict, listed: list[Entry], today: dt.date, output: Output, work: Path, data_page: str, shards: list, indexing) -> tuple[dict, list[str]]:
    """The pages of the site renderer: the shells of the categories, the free pages and
    the pages whose content changes with every build (home, catalogue, data, search,
    subscribe), which mkdocs renders with a content marker that is filled here.

    What mkdocs renders depends only on what the global key covers, so an update takes
    it from the last build (state.mkdocs) and mkdocs does not run at all. Returns the
    category shells and the CSP hashes of the theme's inline scripts."""
    page_t = strings.get("nav", {})
    listed_key = group_key(listed)
    contents = {
        "index.html": output.reuse("page:home", group_key(listed, today), lambda: P.home_html(site, env, strings, listed, today)),
        "catalogue/index.html": output.reuse("page:catalogue", listed_key, lambda: P.catalogue_html(site, env, listed)),
        "subscribe/index.html": P.subscribe_html(site, env, strings),
        "data/index.html": data_page,
        "search/index.html": render_fragment(env, "pages/search.html", {
            "org": site.config.org_prefix, "bundles": [s.bundle for s in shards], "base": "../",
            "delta": indexing.delta if indexing else None, "stale": indexing.stale if indexing else [],
        }),
    }  # fmt: skip
    cached = output.previous.mkdocs if output.update else None
    if cached and output.lost.isdisjoint(cached["files"]):  # none gone from the live site or changed
        for rel in cached["files"]:
            output.keep(rel)
    else:
        with _source_date(site, today):
            cached = _run_mkdocs(site, strings, page_t, output, work, list(contents))
    output.state.mkdocs = cached
    for rel, content in contents.items():
        output.write(rel, cached["pages"][rel].replace(CONTENT, content, 1))
    return {url: Shell(html, url) for url, html in cached["shells"].items()}, cached["hashes"]


@contextmanager
def _source_date(site: Site, today: dt.date):
    """SOURCE_DATE_EPOCH set to the build's day for mkdocs (its build date), only while it
    runs: set for the whole process, the next build of a long `gongkai serve` would keep
    the first day (and its 公示 status) after midnight."""
    zone = ZoneInfo(site.config.site.timezone)
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = before or str(int(dt.datetime.combine(today, dt.time(), zone).timestamp()))
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]


def _run_mkdocs(site: Site, strings: dict, page_t: dict, output: Output, work: Path, content_pages: list[str]) -> dict:
    from generator.render.mkdocs_site import PageSpec, render_site  # mkdocs loads only when it runs

    nav, free = _nav(site, strings)
    feeds = P.site_feeds(site, strings)

    def head(url: str, title: str) -> str:
        return build_head(site, HeadInfo(url=url, description=site.config.site.description, column=title, feeds=feeds))

    titles = {
        "index.html": site.config.site.name,
        "catalogue/index.html": page_t.get("catalogue", "信息公开目录"),
        "subscribe/index.html": page_t.get("subscribe", "订阅"),
        "data/index.html": page_t.get("data", "数据开放"),
        "search/index.html": page_t.get("search", "站内搜索"),
    }
    columns = {"index.html": site.config.site.name, "catalogue/index.html": "信息公开目录", "subscribe/index.html": "订阅", "data/index.html": "数据开放", "search/index.html": "站内搜索"}
    specs = [PageSpec(rel.removesuffix(".html") + ".md", titles[rel], head(rel.removesuffix("index.html"), columns[rel]), CONTENT) for rel in content_pages]
    specs += [PageSpec(f"{s.key}/index.md", s.title, shell=True) for s in site.sections.values()]
    specs += free

    def free_head(page) -> str:
        url = page.url.lstrip("/") if hasattr(page, "url") else ""
        return head(url, page.title or "")

    site_head = build_head(site, HeadInfo(url="", column=strings.get("not_found", {}).get("heading", "页面不存在"), feeds=feeds, noindex=True, canonical=False))
    rendered = work / "mkdocs-site"
    plugin = render_site(site, specs, nav, strings, work, rendered, free_head, site_head)
    pages = {}
    for rel in content_pages:
        page = rendered / rel
        pages[rel] = page.read_text(encoding="utf-8")
        if pages[rel].count(CONTENT) != 1:
            raise ValueError(f"the page {rel} lost its content marker: check theme/overrides/main.html")
        page.unlink()
    taken = output.adopt(rendered)
    return {
        "files": [path.relative_to(rendered).as_posix() for path in taken],
        "pages": pages,
        "shells": {url: shell.html for url, shell in plugin.shells.items()},
        "hashes": csp.theme_script_hashes(plugin.template_dirs + [THEME_DIR / "gongkai"]),  # not the pages'.
    }


def _publish(
    site: Site, listed: list[Entry], output: Output, chain: bytes | None, signer: signing.Signer | None,
    entries: list[Entry],
) -> None:
    """Feeds, the register and its (signed) head, sitemap and robots.txt (mkdocs's own
    sitemap lists shells: replaced). A preview (`chain` None) has no register."""
    feeds.write_feeds(site, listed, output.write)
    urls: list[tuple[str, dt.date | None]] = [("", None), ("catalogue/", None)]
    urls += [(s.url, None) for s in site.sections.values()]
    urls += [(p.url, None) for p in site.pages]
    urls += [(e.url, e.updated) for e in listed]
    if chain is not None:
        files = {site_path(ref): source for entry in entries for ref, source in entry.files.items()}
        attachments = signing.attachments_file(files)
        output.write(register.PUBLIC_PATH, chain)
        output.write(signing.ATTACHMENTS_PATH, attachments)
        signed_at = signing.head_time(build_date(site), ZoneInfo(site.config.site.timezone))
        output.write(signing.HEAD_PATH, signing.head_file(site.config.site.url, chain, signer, attachments, signed_at))
    output.write("sitemap.xml", export.sitemap(site, urls))
    output.forget("sitemap.xml.gz")
    output.write("robots.txt", export.robots(site))


def _permalinks(site: Site, numbered: list[tuple[str, str, str]], output: Output) -> None:
    """/i/<index number>/ → the item's page, for every (index number, URL, title)."""
    for number, page, title in numbered:
        url = P.permalink_url(number)
        target = P.base_of(url) + page
        output.write(f"{url}index.html", P.redirect_html(target, site.config.site.url + page, title), group="permalinks")


def _copy_attachments(entries: list, output: Output) -> None:
    """The files of content/attachments/ that entries and free pages name."""
    for entry in entries:
        for reference, source in sorted(entry.files.items()):
            output.copy(site_path(reference), source)
