"""The shared context of a build: the configuration, the category tree and every entry.

`load_site` runs the first phase of the pipeline (load → normalise → validate → check)
and returns a `Site` with all problems collected; nothing is written here.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import pickle
import posixpath
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from contextlib import contextmanager
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

from generator.config import Category, SiteConfig, load_config
from generator import register
from generator.load.aliases import normalize
from generator.load.cache import ContentCache, FileMemo, stamp
from generator.load.documents import LoadProblem, RawDocument, load_document
from generator.model.base import Item, Schema, label
from generator.model.registry import TYPES, ContentType
from generator.model.validate import validate
from generator.paths import check_outputs, refused, site_root
from generator.problems import Problems

CONTENT_SUFFIXES = {".yml", ".yaml", ".md"}
SPECIAL_FOLDERS = {"pages", "attachments"}


@dataclass(eq=False)
class Section:
    """A category of the site, with its place in the tree."""

    config: Category
    parent: "Section | None" = None
    children: list["Section"] = field(default_factory=list)

    key = property(lambda self: self.config.key)
    title = property(lambda self: self.config.title)
    type = property(lambda self: self.config.type)
    code = property(lambda self: self.config.code)
    description = property(lambda self: self.config.description)

    @property
    def url(self) -> str:
        return f"{self.key}/"

    @property
    def trail(self) -> list["Section"]:
        """This section and its ancestors, root first."""
        return (self.parent.trail if self.parent else []) + [self]

    def descendants(self) -> list["Section"]:
        found = [self]
        for child in self.children:
            found.extend(child.descendants())
        return found


@dataclass(eq=False)
class Entry:
    """One disclosure item: its validated model plus where it lives on disk and on the site.

    Attribute access falls through to the model, so templates write `item.title`.
    """

    model: Item
    ctype: ContentType
    category: Section
    rel: str  # site-relative source path
    url: str  # site-relative page URL, ending in /
    raw: RawDocument | None = None  # positions; read again on demand (see `doc`)
    publisher_name: str = ""
    source: Path | None = None  # the file, absolute
    memo: FileMemo | None = None  # what reading it produced, for the content cache
    links: dict = field(default_factory=dict)  # resolved cross-references
    files: dict = field(default_factory=dict)  # attachment reference → absolute Path
    body_html: str = ""
    notes_html: str = ""  # budgets: the notes rendered from Markdown
    fields_html: dict = field(default_factory=dict)  # the type's other Markdown fields ("reply.text" → HTML)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.model, name)

    @property
    def doc(self) -> RawDocument | None:
        """The file as read, with the line of every field. Entries from the content cache
        read their file again only when a check has to point at a line in it."""
        if self.raw is None and self.source is not None:
            self.raw = read_document(self.source, self.source.parents[len(Path(self.rel).parts) - 1], self.ctype)[0]
        return self.raw

    @doc.setter
    def doc(self, value: RawDocument | None) -> None:
        self.raw = value

    @property
    def type(self) -> str:
        return self.ctype.name

    @property
    def path(self) -> str:
        return self.rel

    @property
    def year(self) -> int:
        return self.model.published.year

    @property
    def is_draft(self) -> bool:
        return self.model.is_draft

    @property
    def is_withdrawn(self) -> bool:
        return self.model.withdrawn is not None

    @property
    def listed(self) -> bool:
        """Shown in lists, feeds, search and exports."""
        return not self.is_draft and not self.is_withdrawn

    @property
    def fee_item(self) -> "Entry | None":
        """The fee item a procedure's `fee` names by index number, when it does."""
        return self.links.get("fee_item")

    @property
    def attachments(self) -> list["AttachmentView"]:
        return [
            AttachmentView(a.file, a.title, site_path(a.file), self.files[a.file].stat().st_size if a.file in self.files else None)
            for a in self.model.attachments
        ]

    @property
    def updated(self) -> dt.date:
        """The date of the last revision, or of publication."""
        return max([self.model.published] + [r.date for r in self.model.revisions])


@dataclass(frozen=True)
class AttachmentView:
    file: str
    title: str | None
    url: str  # site-relative
    size: int | None  # bytes


def site_path(reference: str) -> str:
    """Where a file under content/ is published: `attachments/x.pdf` → `attachments/x.pdf`."""
    text = posixpath.normpath(reference.strip().replace("\\", "/")).lstrip("./")
    return text.removeprefix("content/")


@dataclass
class Site:
    config: SiteConfig
    sections: dict[str, Section]
    roots: list[Section]
    entries: list[Entry] = field(default_factory=list)
    pages: list["FreePage"] = field(default_factory=list)  # free Markdown pages

    @property
    def site_dir(self) -> Path:
        return self.config.site_dir

    @property
    def content_dir(self) -> Path:
        return self.config.content_dir

    def by_index(self) -> dict[str, Entry]:
        return {e.model.index_no: e for e in self.entries if e.model.index_no}

    def published(self) -> list[Entry]:
        """Entries that are not drafts, newest first (withdrawn ones included: they keep a page)."""
        return sorted((e for e in self.entries if not e.is_draft), key=sort_key)


def sort_key(entry: Entry):
    """Newest first; ties broken by index number, then path, so order is deterministic."""
    return (-entry.model.published.toordinal(), entry.model.index_no or "", entry.rel)


def build_sections(config: SiteConfig) -> tuple[dict[str, Section], list[Section]]:
    sections: dict[str, Section] = {}

    def add(category: Category, parent: Section | None) -> Section:
        section = Section(category, parent)
        sections[category.key] = section
        section.children = [add(child, section) for child in category.children]
        return section

    roots = [add(category, None) for category in config.categories]
    return sections, roots


def discover(site: Site, problems: Problems) -> list[tuple[Path, Section]]:
    """Every content file with the category it belongs to; strays are reported. Nothing
    is taken from outside the site folder (paths.py): links out of it, hard links and
    names a URL cannot carry are reported and skipped."""
    content = site.content_dir
    found: list[tuple[Path, Section]] = []
    if not content.is_dir():
        problems.error("content", None, "content-missing", "找不到 content/ 文件夹", "在站点文件夹中建立 content/，每个栏目一个子文件夹")
        return found
    root = site_root(site.site_dir)
    if refused(content, "content", root, problems):
        return found
    for child in sorted(content.iterdir()):
        rel = child.relative_to(site.site_dir).as_posix()
        if refused(child, rel, root, problems):
            continue
        if child.is_dir():
            if child.name == "pages":
                site.pages = load_free_pages(site, child, problems)
            elif child.name in SPECIAL_FOLDERS:
                continue
            elif child.name in site.sections:
                _walk(child, site.sections[child.name], site, found, problems)
            else:
                close = get_close_matches(child.name, list(site.sections), n=1, cutoff=0.6)
                hint = f"是不是“{close[0]}”？" if close else f"在 site_config.yml 的 categories 中加入键为 {child.name} 的栏目，或改名为已有栏目：{'、'.join(site.sections)}"
                problems.error(rel, None, "unknown-folder", f"文件夹“{child.name}”不是 site_config.yml 中的栏目", hint)
        elif child.suffix.lower() in CONTENT_SUFFIXES:
            problems.error(rel, None, "misplaced-file", "条目文件应放在栏目文件夹中", "移到 content/<栏目键>/ 下")
    return found


@dataclass
class FreePage:
    """A Markdown page of content/pages/ (信息公开指南, 关于本站 …): no index number."""

    rel: str
    slug: str  # pages/<slug>/ on the site
    title: str
    order: int
    source: str  # the whole file, front matter included
    links: dict = field(default_factory=dict)  # resolved links of its text (checks/links.py)
    files: dict = field(default_factory=dict)  # attachment reference → absolute Path

    @property
    def url(self) -> str:
        """Where mkdocs writes it: `pages/<slug>/`, but an `index.md` or `README.md` is the
        page of its folder (`pages/guide/index.md` → `pages/guide/`)."""
        folder, _, name = self.slug.rpartition("/")
        if name in ("index", "README"):
            return f"pages/{folder}/" if folder else "pages/"
        return f"pages/{self.slug}/"


class FreePageMeta(Schema):
    """The front matter of a free page. Nothing else is accepted: mkdocs would act on
    keys such as `template` (another page template) or `hide`."""

    title: str = label("标题", "页面标题", min_length=1)
    order: int = label("排序", "在导航中的位置，小的在前", 100)


def load_free_pages(site: "Site", folder: Path, problems: Problems) -> list[FreePage]:
    pages = []
    for path in _page_files(folder, site, problems):
        rel = path.relative_to(site.site_dir).as_posix()
        try:
            doc = load_document(path, site.site_dir)
        except LoadProblem as exc:
            problems.error(rel, (exc.line, exc.col), exc.code, exc.message, exc.hint)
            continue
        found = [(p.pos, p.code, p.message, p.hint) for p in normalize(doc, FreePageMeta)]
        meta, errors = validate(doc, FreePageMeta)
        found += [(p.pos, p.code, p.message, p.hint) for p in errors]
        for pos, code, message, hint in found:
            problems.error(rel, pos, code, message, hint)
        if meta is None or found:
            continue
        source = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        pages.append(FreePage(rel, path.relative_to(folder).with_suffix("").as_posix(), meta.title, meta.order, source))
    return sorted(pages, key=lambda p: (p.order, p.slug))


def _page_files(folder: Path, site: Site, problems: Problems) -> list[Path]:
    """The Markdown files of content/pages/, checked like content files (`refused`)."""
    root, found = site_root(site.site_dir), []
    with os.scandir(folder) as listing:
        items = sorted(listing, key=lambda item: item.name)
    for item in items:
        path = folder / item.name
        if refused(path, _rel(path, site.site_dir), root, problems):
            continue
        if item.is_dir():
            if not _loops(path, folder, site, problems):
                found += _page_files(path, site, problems)
        elif item.name.lower().endswith(".md"):
            found.append(path)
    return found


def _loops(path: Path, folder: Path, site: Site, problems: Problems) -> bool:
    """A link to the folder it is in (or above): reported, not followed."""
    if path.is_symlink() and path.resolve() in (folder.resolve(), *folder.resolve().parents):
        problems.warning(_rel(path, site.site_dir), None, "symlink-loop", "这个链接指向它所在的文件夹，已跳过", "删除这个链接")
        return True
    return False


def _walk(folder: Path, section: Section, site: Site, found: list, problems: Problems) -> None:
    children = {c.key: c for c in section.children}
    with os.scandir(folder) as listing:  # DirEntry knows file from folder without a stat
        items = sorted(listing, key=lambda item: item.name)
    root = site_root(site.site_dir)
    for item in items:
        path = folder / item.name
        if refused(path, _rel(path, site.site_dir), root, problems):
            continue
        if item.is_dir():
            if _loops(path, folder, site, problems):
                continue
            _walk(path, children.get(item.name, section), site, found, problems)
        elif Path(item.name).suffix.lower() in CONTENT_SUFFIXES:
            found.append((path, section))
        else:
            problems.warning(
                _rel(path, site.site_dir), None, "stray-file",
                "栏目文件夹中的非内容文件会被忽略", "附件请放在 content/attachments/ 下，并在条目的 attachments 中引用",
            )  # fmt: skip


def entry_url(rel: str, section: Section) -> str:
    """`content/notices/2024/fire.md` → `notices/2024/fire/`: the section, the folders
    below it, the file name without suffix."""
    *folders, name = rel.split("/")[1:]
    start = len(folders) - folders[::-1].index(section.key)  # below the last folder named like it
    return "/".join([section.key, *folders[start:], name.rsplit(".", 1)[0]]) + "/"


def read_document(path: Path, site_dir: Path, ctype: ContentType) -> tuple[RawDocument | None, list[tuple]]:
    """Read a content file and rename its keys to the model's. Returns the document (None
    when it cannot be read) and the problems as (position, code, message, hint)."""
    try:
        doc = load_document(path, site_dir)
    except LoadProblem as exc:
        return None, [((exc.line, exc.col), exc.code, exc.message, exc.hint)]
    found = [(p.pos, p.code, p.message, p.hint) for p in normalize(doc, ctype.model)]
    if doc.body is not None and doc.body.strip():
        if "body" in doc.data:
            found.append((doc.key_pos(("body",)), "duplicate-key", "正文既写在 body 字段里，又写在头信息之后", "只保留一处"))
        doc.data["body"] = doc.body
    return doc, found


def load_entry(path: Path, section: Section, site: Site, problems: Problems, cache: ContentCache | None = None) -> Entry | None:
    rel = _rel(path, site.site_dir)
    ctype = TYPES[section.type]
    file_stamp = stamp(path) if cache is not None else None
    if file_stamp is None:
        cache = None
    memo = cache.get(rel, file_stamp, ctype.name) if cache is not None else None
    if memo is not None:
        problems.extend(memo.load_problems)
        if memo.model is None:
            cache.put(rel, memo)
            return None
        model = pickle.loads(memo.model)
        entry = _entry(model, ctype, section, rel, path, site, None)
        register.remember(entry, memo.record)
    else:
        first = len(problems)
        doc, found = read_document(path, site.site_dir, ctype)
        for pos, code, message, hint in found:
            problems.error(rel, pos, code, message, hint)
        model = None
        if doc is not None:
            model, errors = validate(doc, ctype.model)
            for problem in errors:
                problems.error(rel, problem.pos, problem.code, problem.message, problem.hint)
        failed = model is None or len(problems) > first
        entry = None if failed else _entry(model, ctype, section, rel, path, site, doc)
        if cache is None:
            return entry
        blob = None if entry is None else pickle.dumps(model, pickle.HIGHEST_PROTOCOL)
        record = "" if entry is None else register.record_json(entry)  # canonical: pickles are not
        memo = FileMemo(file_stamp, ctype.name, blob, record=record, load_problems=problems.items[first:])
        if entry is not None:
            memo.fingerprint, memo.head = fingerprints(ctype.name, record)
    cache.put(rel, memo)
    if entry is not None:
        entry.memo = memo
    return entry


def fingerprints(type_name: str, record: str) -> tuple[bytes, bytes]:
    """Digests of an entry as read (its canonical record: pickles differ between
    processes), whole and without the body and notes (what lists and data show)."""
    head = json.loads(record)
    head.pop("body", None)
    head.pop("notes", None)
    return (
        hashlib.blake2b(f"{type_name}\0{record}".encode(), digest_size=16).digest(),
        hashlib.blake2b(f"{type_name}\0{register.canonical(head)}".encode(), digest_size=16).digest(),
    )


def _rel(path: Path, site_dir: Path) -> str:
    """`path` relative to the site folder, with forward slashes (string work: pathlib's
    relative_to costs 0.3 s per 10,000 files)."""
    text, root = str(path), str(site_dir).rstrip("/") + "/"
    return text[len(root):] if text.startswith(root) else path.relative_to(site_dir).as_posix()


def _entry(model: Item, ctype: ContentType, section: Section, rel: str, path: Path, site: Site, doc: RawDocument | None) -> Entry:
    publisher = model.publisher or site.config.organization.name
    return Entry(model, ctype, section, rel, entry_url(rel, section), doc, publisher, source=path)


PARALLEL_READ_FROM = 1000  # files to read; below this, forking costs more than it saves
_READ_JOB: tuple | None = None  # (site, files) for the forked readers


def prefetch(site: Site, found: list[tuple[Path, Section]], memos: ContentCache) -> None:
    """Read the files the cache does not hold in worker processes (all CPUs): each worker
    reads, validates and runs the single-file checks, and returns the memos, which the
    main process then takes as if they came from the cache."""
    global _READ_JOB
    jobs = os.cpu_count() or 1
    todo = []
    for path, section in found:
        file_stamp = stamp(path)
        if file_stamp is not None and not memos.cached(_rel(path, site.site_dir), file_stamp, section.type):
            todo.append((path, section))
    if jobs < 2 or len(todo) < PARALLEL_READ_FROM:
        return
    size = -(-len(todo) // (jobs * 4))
    _READ_JOB = (site, todo)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            for memos_read in pool.map(_read_slice, [(i, min(i + size, len(todo))) for i in range(0, len(todo), size)]):
                memos.prefetched.update(memos_read)
    finally:
        _READ_JOB = None


def _read_slice(bounds: tuple[int, int]) -> dict:
    from generator.checks import file_checks, make_pattern
    from generator.checks.context import Context

    site, todo = _READ_JOB
    problems = Problems()
    ctx = Context(site, problems, make_pattern(site, Problems()))
    local = ContentCache(site.site_dir, read=False)
    for path, section in todo[bounds[0] : bounds[1]]:
        entry = load_entry(path, section, site, problems, local)
        if entry is not None:
            file_checks(entry, ctx)
    return local.new


@contextmanager
def _no_collection():
    """Loading 10,000 items makes millions of objects, which Python's cycle collector
    would scan again and again (a third of a warm load). It is off while loading; what
    was loaded is then frozen out of later collections (unfrozen first: `serve` loads
    again and again, and the last site must become collectable)."""
    gc.unfreeze()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_site(site_dir: Path, problems: Problems, cache: bool = True) -> Site | None:
    """Phase one: read and check everything. None when the configuration is unusable.
    With `cache`, files unchanged since the last run are not read again (load/cache.py)."""
    with _no_collection():
        return _load_site(site_dir, problems, cache)


def _load_site(site_dir: Path, problems: Problems, cache: bool) -> Site | None:
    from generator.checks import run_checks

    config = load_config(site_dir, problems)
    if config is None:
        return None
    sections, roots = build_sections(config)
    site = Site(config, sections, roots)
    memos = ContentCache(site_dir, read=cache)
    found = discover(site, problems)
    prefetch(site, found, memos)
    for path, section in found:
        entry = load_entry(path, section, site, problems, memos)
        if entry is not None:
            site.entries.append(entry)
    run_checks(site, problems)
    check_outputs(site, problems)
    if cache:
        memos.save()
    for memo in memos.new.values():
        memo.model = None  # saved (or not wanted): the entries hold the models themselves
    return site
