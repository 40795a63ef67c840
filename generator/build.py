"""`gongkai build`: phase two of the pipeline, from a checked `Site` to a static site.

`build` takes the locks and runs one `Build`, whose `run` calls a method per stage:

    data     open-data records (also shown on the 数据开放 page)
    render   mkdocs-material renders the shell pages (home, categories, catalogue, pages)
    lists    category pages, 50 items a page, filled into their category's shell
    items    item pages (and their permanent links) whose inputs changed, in parallel
             worker processes; then the search shards whose pages changed start
             indexing in the background
    links    attachments (the /i/<index number>/ permanent links come with the items)
    publish  feeds, open data, sitemap, security headers
    search   wait for Pagefind
    commit   the new site takes the old one's place (generator/output.py)

A failed build leaves the previous site untouched. When the output folder holds our
last build, only the files that changed are written, and `items` runs first, into the
last build's shells, so that Pagefind starts sooner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import resource
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

from generator import cms, csp, export, feeds, look, progress, register, search, signing, sitememo, verify
from generator.load.cache import CACHE_DIR, FileMarks, content_salt
from generator.output import BACKGROUND_DELETE_FROM, LOCK_WAIT, MARKER, Output, discard, locked, start_walk
from generator.paths import site_path
from generator.render import THEME_DIR
from generator.render import pages as P
from generator.render.items import ItemJob, item_files, write_items
from generator.render.shell import CONTENT, Shell
from generator.render.templates import load_strings, make_env, render_fragment
from generator.site import Entry, Site, sort_key, unpickle_models

# The pages the renderer leaves a content marker in, which `Build.pages` fills (in this order).
FILLED = ("index.html", "catalogue/index.html", "subscribe/index.html", "data/index.html", "search/index.html")


class OutputError(ValueError):
    """The output folder is not one we may write into."""


class ChainBroken(ValueError):
    """The new chain does not extend the one published in the output folder."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def published_chain(out_dir: Path, new: bytes | None, site_dir: Path | None = None) -> None:
    """Refuse to replace a published data/register.json by a chain that does not hold
    every one of its entries unchanged (`verify.consistency`); `--fresh` does not change
    that. A preview (`new` None) never goes into a published site's folder.

    With `site_dir`, what each chain records is kept with its bytes (generator/sitememo.py,
    saved by the caller), so that the next build reads the published one without parsing
    it; and a new chain that begins with every entry of the published one, in its order,
    under numbers and versions it records once, holds them all: `verify.consistency` is
    not asked."""
    old = out_dir / register.PUBLIC_PATH
    if not old.is_file():
        return
    if new is None:
        raise OutputError(f"{out_dir} 是已发布的网站（有 {register.PUBLIC_PATH}）：预览请输出到别的文件夹")
    try:
        raw = old.read_bytes()
        before = _recorded(raw, site_dir, lambda _: _entries(json.loads(raw)))
    except (OSError, ValueError):
        raise ChainBroken([f"{old} 无法读取或不是有效的 JSON：不能确认新的登记包含已发布的全部版本"]) from None
    links = register.public_links(new)
    now = _recorded(new, site_dir, lambda _: _entries(json.loads(new)) if links is None else links)
    if len(before) <= len(now) and now[: len(before)] == before and len({link[:2] for link in now}) == len(now):
        return  # every published entry where it was, each (number, version) once: nothing lost
    lost, _ = verify.consistency(_chain(before), _chain(now))
    if lost:
        raise ChainBroken(lost)


_FIELDS = ("index_no", "version", "date", "content_hash")  # what verify.consistency reads of an entry


def _recorded(text: bytes, site_dir: Path | None, make) -> list:
    """`make(None)`: the entries of the register.json `text` (`_entries`), kept with it."""
    return make(None) if site_dir is None else sitememo.derived(site_dir, "published", text, make)


def _entries(data: object) -> list:
    """Of a parsed register.json, each entry's `_FIELDS` (None for an entry that is not an
    object): all that `verify.consistency` reads of it."""
    entries = (data.get("entries") or []) if isinstance(data, dict) else []
    return [tuple(link.get(name) for name in _FIELDS) if isinstance(link, dict) else None for link in entries]


def _chain(entries: list) -> dict:
    """A chain holding `entries` as `verify.consistency` reads it."""
    return {"entries": [dict(zip(_FIELDS, link)) if link is not None else None for link in entries]}


@dataclass
class BuildResult:
    pages: int = 0
    per_category: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    cpu: list[tuple[float, float]] = field(default_factory=list)  # per timing: CPU s of this process, of children
    search: tuple[int, int] = (0, 0)  # search shards (indexed, reused)
    out_dir: Path | None = None
    update: bool = False  # only changed files were written
    rendered: int = 0  # item pages rendered (the others were unchanged)
    policy: str = ""  # the Content-Security-Policy of the pages (csp.py), for servers.py
    admin_policy: str | None = None  # that of the web editor at /admin/ (cms.py), when enabled
    item_job: ItemJob | None = None  # a preview's: what renders an item page into it (quick.py)


def cpu_times() -> tuple[float, float]:
    """CPU seconds (user + system) used so far by this process, and by its children that
    ended (worker processes, Pagefind): the floor a stage's wall time cannot go below."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


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
        raise OutputError(
            f"{out_dir} 是一个挂载点，无法整体替换；请输出到其中的子文件夹（如 {out_dir}/site），并让网站服务器指向它"
        )


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
    for path in look.site_files(site.site_dir, site.config.site):  # the office's look
        digest.update(f"{path.relative_to(site.site_dir)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


def item_key(entry: Entry, shell: bytes, shard: str | None, today: dt.date, files: FileMarks) -> str | None:
    """The inputs of an item page: the file as read, its category's shell, its search
    shard, the items it links to (a guide's fee item …), the URLs its text links to, its
    attachments (`files`: the digests of their bytes), the day for a type with a time
    window (its status is printed), and the figures its type computes from the whole site
    (`entry.computed`). None when the entry did not come through the content cache."""
    if entry.memo is None:
        return None
    parts: list = [entry.memo.fingerprint, entry.url, shell, shard]
    if entry.ctype.window is not None:
        parts.append(today.isoformat())
    if entry.computed is not None:  # figures from the whole site (ContentType.computed)
        parts.append(entry.computed)
    for name, target in sorted(entry.links.items()):
        parts += [name, target.url, target.memo.fingerprint if target.memo else None]
    parts.append(sorted(entry.text_links.items()))
    parts += [(ref, files(path)) for ref, path in sorted(entry.files.items())]
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
    signer: signing.Signer | None = None, headers_in_site: bool = False,
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
    options = Options(drafts, jobs, index, cache_search, fresh, preview, signer, headers_in_site)
    with locked(out_dir, site.site_dir / CACHE_DIR, wait):
        return Build(site, out_dir, options).run()


@dataclass(frozen=True)
class Options:
    drafts: bool  # drafts get pages (and are in lists)
    jobs: int | None  # worker processes; None: every CPU
    index: bool  # run Pagefind
    cache_search: bool  # reuse the search shards of earlier builds
    fresh: bool  # a full build, no caches
    preview: bool  # no register, 预览 banners
    signer: signing.Signer | None
    headers_in_site: bool = False  # `_headers` also in the site root (hosts that read it there)


class Build:
    """One build of a site into a folder: what its stages share, and a method per stage,
    called in order by `run`."""

    def __init__(self, site: Site, out_dir: Path, options: Options):
        self.site, self.options = site, options
        walking = None if options.fresh else start_walk(out_dir, site.site_dir)  # the spare's files, listed meanwhile
        try:
            self.result = BuildResult(out_dir=out_dir)
            self.today = build_date(site)
            self.chain = None if options.preview else register.public_register(site)  # the bytes of data/register.json
            published_chain(out_dir, self.chain, site.site_dir)
            sitememo.save(site.site_dir)  # the chain's links, what it records: for the next build (one write)
            if options.preview:
                register.mark_unrecorded(site)
            for entry in site.entries:
                entry.doc = None  # file positions serve the checks only; at 100,000 items they weigh GBs
            key = global_key(site, options.drafts, options.index, options.preview)
        except BaseException:
            if walking is not None:
                walking.stop()
            raise
        self.output = Output(out_dir, site.site_dir, key, options.fresh, len(site.entries), walking)
        self.result.update = self.output.update
        known = self.output.previous.values.get("attachments", ("", {}))[1] if self.output.update else {}
        self.file_marks = FileMarks(known)  # the digests of the attachments, by their stamps
        drafts = options.drafts
        self.entries = sorted((e for e in site.entries if drafts or not e.is_draft), key=sort_key)  # each has a page
        self.in_lists = [e for e in self.entries if not e.is_withdrawn]  # drafts too, in a preview
        self.public = [e for e in self.entries if e.public]  # feeds, search, data and sitemap, always
        self.strings = load_strings(THEME_DIR, site.config.site.language)
        self.env = make_env(THEME_DIR, self.strings, cache_dir=site.site_dir / CACHE_DIR / "jinja")
        self.shards = search.plan_shards(self.public)
        self.shard_of = {url: shard.name for shard in self.shards for url in shard.urls} if options.index else {}
        self.work: Path | None = None  # scratch folder beside the output (same disk, not /tmp)
        self.indexing: search.Indexing | None = None  # Pagefind, running in the background
        self.shells: dict[str, Shell] = {}  # category URL → its shell
        self.script_hashes: list[str] = []  # CSP hashes of the theme's inline scripts
        self.data_key = ""
        self.datasets: list | None = None  # None: the open data did not change

    def run(self) -> BuildResult:
        output, out_dir = self.output, self.result.out_dir
        try:
            self.work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.work-", dir=out_dir.parent))
            early = self.last_shells()
            if early:
                # An update renders the changed item pages first, into last build's shells
                # (they depend only on what the global key covers): Pagefind starts sooner.
                self.stage("items", self.items, early, allow_delta=True)
                self.stage("data", self.data)
                self.stage("render", self.render)
                self.stage("pages", self.pages)
                if output.state.shells != {url: shell.html for url, shell in early.items()} or (
                    self.options.index and self.indexing is None
                ):  # shells that changed after all (the keys of their items change)
                    self.stage("items", self.items, self.shells, allow_delta=False)
            else:
                # A full build: the shells, then the items at once (Pagefind starts on them);
                # the open data and the pages gongkai fills come after, while it indexes,
                # instead of keeping a CPU idle before the items (~3 s at 10,000 items).
                self.stage("render", self.render)
                self.stage("items", self.items, self.shells, allow_delta=False)
                self.stage("data", self.data)
                self.stage("pages", self.pages)
            self.result.pages += len(self.entries)  # one item page each
            self.stage("lists", self.lists)  # after the items: while Pagefind indexes them
            self.stage("links", self.links)
            self.stage("publish", self.publish)
            if self.indexing is not None:
                self.stage("search", self.search)
            self.stage("commit", output.commit)
            if self.options.preview:  # the shells, templates and day of this build, for quick pages
                self.result.item_job = ItemJob(self.site, [], self.shells, self.env, self.strings, out_dir, self.today)
        except BaseException:
            if self.indexing is not None:
                self.indexing.cancel()
            output.abandon()
            raise
        finally:
            if self.work is not None:
                discard(self.work, background=len(self.site.entries) >= BACKGROUND_DELETE_FROM)
        return self.result

    def stage(self, name: str, method, *args, **kwargs) -> None:
        """Run one stage, timed: wall and CPU time (`gongkai build --profile`), and shown
        (generator/progress.py)."""
        start, cpu = time.perf_counter(), cpu_times()
        try:
            with progress.stage(name, size=len(self.site.entries)):
                method(*args, **kwargs)
        finally:
            self.result.timings.append((name, time.perf_counter() - start))
            now = cpu_times()
            self.result.cpu.append((now[0] - cpu[0], now[1] - cpu[1]))

    def last_shells(self) -> dict[str, Shell]:
        """The category shells of the last build, when this is an update and every item's
        category has one; else nothing."""
        if not self.output.update:
            return {}
        early = {url: Shell(html, url) for url, html in self.output.previous.shells.items()}
        return early if all(e.category.url in early for e in self.entries) else {}

    # ------------------------------------------------------------------ the stages

    def items(self, shells: dict[str, Shell], allow_delta: bool) -> None:
        """Render the item pages whose inputs changed, then start Pagefind on them. A delta
        index is only possible before the search page is rendered (it names the delta)."""
        output = self.output
        marks = {url: hashlib.sha256(shell.html.encode()).digest() for url, shell in shells.items()}
        todo = []
        for entry in self.entries:
            shard = self.shard_of.get(entry.url)
            key = item_key(entry, marks[entry.category.url], shard, self.today, self.file_marks)
            source = [search.source_file(shard, entry.url)] if shard else []
            if key is None or not output.unchanged_item(entry.url, key, item_files(entry), source):
                todo.append(entry)
        job = ItemJob(
            self.site, todo, shells, self.env, self.strings, output.root, self.today, output.search_src, self.shard_of,
            live=output.previous.files if output.previous is not None else None,
        )  # fmt: skip
        output.state.values["attachments"] = ("", self.file_marks.seen)  # for the next build's keys
        files, sources, same, stamps = write_items(job, self.options.jobs)
        output.record(files, sources, stamps)
        for rel in same:
            output.keep(rel)
        output.tidy_sources()
        self.result.rendered += len(todo)
        if self.indexing is None and self.options.index:
            options = self.options
            cache = self.site.site_dir / CACHE_DIR / "pagefind" if options.cache_search and not options.fresh else None
            jobs = options.jobs or os.cpu_count() or 1
            self.indexing = search.Indexing(self.shards, output.search_src, output, cache, jobs, self.work, allow_delta)

    def data(self) -> None:
        """The open data: written again when what it holds changed (every dataset is made
        of fields other than the bodies, and of the figures types compute)."""
        output = self.output
        self.data_key = group_key(self.public, tuple(e.computed for e in self.public if e.computed is not None))
        # each entry's records, rendered, by what they are made of (export.row_key): an
        # update renders those of the changed entries and joins the rest
        output.state.values["data-rows"] = ("", _kept(output, "data-rows"))
        if output.unchanged_group("data", self.data_key):
            return
        if not output.update:  # no record is kept: every public entry's model is asked for
            unpickle_models(self.public)
        self.datasets = export.datasets(self.site, self.public, output.state.values["data-rows"][1])
        for dataset in self.datasets:
            self.output.write(dataset.path, dataset.data, group="data")
            if dataset.schema_path:
                self.output.write(dataset.schema_path, dataset.schema, group="data")

    def render(self) -> None:
        """The pages of the site renderer: the shells of the categories, the free pages and,
        with a content marker, the pages whose content changes with every build (home,
        catalogue, data, search, subscribe), which `pages` fills.

        What mkdocs renders depends only on what the global key covers, so an update takes
        it from the last build (state.mkdocs) and mkdocs does not run at all."""
        site, output = self.site, self.output
        rendered = output.previous.mkdocs if output.update else None
        if rendered and output.lost.isdisjoint(rendered["files"]):  # none gone from the live site or changed
            for rel in rendered["files"]:
                output.keep(rel)
        else:
            from generator.render import mkdocs_site  # mkdocs loads only when it runs

            with _source_date(site, self.today):
                rendered = mkdocs_site.render_pages(site, self.strings, list(FILLED), self.work, output.adopt)
        output.state.mkdocs = rendered
        self.shells = {url: Shell(html, url) for url, html in rendered["shells"].items()}
        self.script_hashes = rendered["hashes"]
        output.state.shells = dict(rendered["shells"])

    def pages(self) -> None:
        """The content of the pages the renderer left a marker in: home, catalogue (their
        rows kept by what they are made of), subscribe, open data and search. After the
        open data (the data page lists it) and, in a full build, after the items (the
        search page names the delta index an update's items made)."""
        site, env, output, indexing = self.site, self.env, self.output, self.indexing
        datasets, data_rows = self.datasets, output.state.values["data-rows"][1]
        rows = _kept(output, "catalogue-rows")
        contents = {
            "index.html": output.reuse("page:home", group_key(self.in_lists, self.today),
                                       lambda: P.home_html(site, env, self.strings, self.in_lists, self.today)),
            "catalogue/index.html": output.reuse("page:catalogue", group_key(self.in_lists),
                                                 lambda: P.catalogue_html(site, env, self.in_lists, rows)),
            "subscribe/index.html": P.subscribe_html(site, env, self.strings),
            "data/index.html": output.reuse("page:data", self.data_key, lambda: render_fragment(
                env, "pages/data.html", {
                    "datasets": datasets if datasets is not None else export.datasets(site, self.public, data_rows),
                    "sitemap": "sitemap.xml", "base": "../",
                    "site_url": site.config.site.url, "signing": signing.shown(site.config.signing),
                },
            )),
            "search/index.html": render_fragment(env, "pages/search.html", {
                "org": site.config.org_prefix, "bundles": [s.bundle for s in self.shards], "base": "../",
                "delta": indexing.delta if indexing else None, "stale": indexing.stale if indexing else [],
            }),
        }  # fmt: skip
        pages = output.state.mkdocs["pages"]
        for rel in FILLED:
            output.write(rel, pages[rel].replace(CONTENT, contents[rel], 1))
        output.state.values["catalogue-rows"] = ("", rows)  # this build's rows (the last ones, if reused)

    def lists(self) -> None:
        """Category pages, 50 items a page, filled into their category's shell. A page is
        made again when what it shows changed: its items; the category's count of items
        per year and of pages; on the first page, all of them (a type's statistics)."""
        output = self.output
        members_of = P.section_members(self.site, self.in_lists)
        for section in self.site.sections.values():
            members = members_of[section.key]
            count = P.page_count(members)
            self.result.per_category[section.key] = len(members)
            self.result.pages += count
            shell = self.shells[section.url]
            whole = group_key(shell.html, count, P.year_counts(members))

            def wanted(number: int, chunk: list[Entry], section=section, members=members, whole=whole) -> bool:
                key = group_key(whole, members if number == 1 else chunk)
                return not output.unchanged_group(f"list:{P.page_url(section, number)}", key)

            for page in P.category_pages(self.site, self.env, self.strings, section, members, wanted):
                html = shell.fill(page.url, escape(page.title), page.head, page.html)
                output.write(f"{page.url}index.html", html, group=f"list:{page.url}")

    def links(self) -> None:
        """The attachments (the /i/<index number>/ permanent links are written with the
        items, render/items.py)."""
        self.result.pages += sum(1 for e in self.entries if e.index_no)  # written with the items
        for source_of in [*self.entries, *self.site.pages]:  # the files items and free pages name
            for reference, source in sorted(source_of.files.items()):
                self.output.copy(site_path(reference), source)

    def publish(self) -> None:
        _publish(self.site, self.public, self.output, self.chain, self.options.signer, self.entries)
        self.result.policy = csp.policy(self.script_hashes)  # for the server configurations (servers.py)
        self.result.admin_policy = cms.admin_policy(self.site.config)  # the web editor's, if any
        if self.options.headers_in_site:  # hosts that read `_headers` from the site root
            self.output.write("_headers", csp.headers_file(self.result.policy, self.result.admin_policy))
        try:  # the web editor at /admin/, when site_config.yml enables it (cms.py)
            cms.write_admin(self.site.config, self.output)
        except cms.EditorMissing as exc:
            raise OutputError(str(exc)) from None

    def search(self) -> None:
        """Wait for Pagefind."""
        self.result.search = self.indexing.finish()


def _kept(output: Output, name: str) -> dict:
    """What the last build kept of its work under `name` (rows rendered, by what they are
    made of), copied for this build to take from; empty in a full build."""
    last = output.previous.values.get(name) if output.update else None
    return dict(last[1]) if last is not None else {}


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


def _publish(
    site: Site, public: list[Entry], output: Output, chain: bytes | None, signer: signing.Signer | None,
    entries: list[Entry],
) -> None:
    """Feeds, the register and its (signed) head, sitemap and robots.txt (mkdocs's own
    sitemap lists shells: replaced). A preview (`chain` None) has no register."""
    for feed in feeds.plan(site, public):  # a feed is made again when what it shows changed
        name = f"feed:{feed.key}"
        if not output.unchanged_group(name, group_key(feed.entries, whole=True)):
            feeds.write_feed(site, feed, lambda rel, data, name=name: output.write(rel, data, group=name))
    urls: list[tuple[str, dt.date | None]] = [("", None), ("catalogue/", None)]
    urls += [(s.url, None) for s in site.sections.values()]
    urls += [(p.url, None) for p in site.pages]
    urls += [(e.url, e.updated) for e in public]
    if chain is not None:
        files = {site_path(ref): source for entry in [*entries, *site.pages] for ref, source in entry.files.items()}
        attachments = signing.attachments_file(files)
        output.write(register.PUBLIC_PATH, chain)
        output.write(signing.ATTACHMENTS_PATH, attachments)
        signed_at = signing.head_time(build_date(site), ZoneInfo(site.config.site.timezone))
        output.write(signing.HEAD_PATH, signing.head_file(site.config.site.url, chain, signer, attachments, signed_at))
    lines = _kept(output, "sitemap-lines")  # each address's line, by (URL, date)
    output.write("sitemap.xml", export.sitemap(site, urls, lines))
    output.state.values["sitemap-lines"] = ("", lines)
    output.forget("sitemap.xml.gz")
    output.write("robots.txt", export.robots(site))
