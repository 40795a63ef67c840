"""The data of a site: the configuration, the category tree, every entry and free page.

Nothing here reads the content folder or checks anything: phase one of the pipeline
(load → normalise → validate → check, `generator/load/site.py`) fills a `Site`, phase two
(`generator/build.py`) and the commands read it.
"""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from generator.config import Category, SiteConfig
from generator.load.cache import FileMemo, no_collection
from generator.load.documents import RawDocument
from generator.load.read import read_document
from generator.model.base import Item
from generator.model.registry import ContentType, field_value
from generator.paths import site_path
from generator.render.markdown import may_link


@dataclass(eq=False)
class Section:
    """A category of the site, with its place in the tree."""

    config: Category
    parent: Section | None = None
    children: list[Section] = field(default_factory=list)

    key = property(lambda self: self.config.key)
    title = property(lambda self: self.config.title)
    type = property(lambda self: self.config.type)
    code = property(lambda self: self.config.code)
    description = property(lambda self: self.config.description)

    @property
    def url(self) -> str:
        return f"{self.key}/"

    @property
    def trail(self) -> list[Section]:
        """This section and its ancestors, root first."""
        return (self.parent.trail if self.parent else []) + [self]

    def descendants(self) -> list[Section]:
        found = [self]
        for child in self.children:
            found.extend(child.descendants())
        return found


class Facts(NamedTuple):
    """What the stages that go over every entry ask of it (order, numbers, dates, status,
    attachments), taken from its model when the file is read and kept with its memo
    (load/cache.py): an entry from the content cache answers them without unpickling its
    model. `links`: a Markdown field holds something that may be a link (checks/links.py)."""

    index_no: str | None
    published: dt.date
    draft: bool
    withdrawn: bool
    updated: dt.date
    publisher: str | None
    attachments: tuple[str, ...]
    links: bool


@dataclass(eq=False)
class Entry:
    """One disclosure item: its validated model plus where it lives on disk and on the site.

    Attribute access falls through to the model, so templates write `item.title`. An
    entry from the content cache holds its model pickled (`blob`) until something asks
    for it: an update of one item at 10,000 unpickles the models it renders and checks,
    not every one; `facts` answers the rest.
    """

    loaded: Item | None  # the model, once unpickled (ask `model`)
    ctype: ContentType
    category: Section
    rel: str  # site-relative source path
    url: str  # site-relative page URL, ending in /
    record: str  # the canonical record of the model as written (register.py), before any check
    raw: RawDocument | None = None  # positions; read again on demand (see `doc`)
    publisher_name: str = ""
    source: Path | None = None  # the file, absolute
    memo: FileMemo | None = None  # what reading it produced, for the content cache
    links: dict = field(default_factory=dict)  # resolved cross-references: {name: Entry} (ContentType.links)
    text_links: dict = field(default_factory=dict)  # its Markdown's links, resolved: {as written: URL} (checks/links.py)
    files: dict = field(default_factory=dict)  # attachment reference → absolute Path
    computed: dict | None = None  # figures from the whole site (ContentType.computed), filled by the checks
    body_html: str = ""
    notes_html: str = ""  # budgets: the notes rendered from Markdown
    unrecorded: bool = False  # a preview's version that `gongkai publish` has not recorded (the 预览 banner)
    blob: bytes | None = None  # the model pickled, while not unpickled (`loaded` is None)
    facts: Facts | None = None  # given with a pickled model; else taken from the model

    def __post_init__(self):
        if self.facts is None:
            self.facts = facts_of(self.model, self.ctype)

    def __getattr__(self, name):
        if name.startswith("__") or name in ("loaded", "blob", "facts"):
            raise AttributeError(name)
        return getattr(self.model, name)

    @property
    def model(self) -> Item:
        model = self.loaded
        if model is None:
            blob = self.blob
            if blob is None:  # another thread unpickled it meanwhile (`loaded` is set before `blob` goes)
                return self.loaded
            model = self.loaded = pickle.loads(blob)
            self.blob = None
        return model

    @property
    def index_no(self) -> str | None:
        return self.facts.index_no

    @property
    def published(self) -> dt.date:
        return self.facts.published

    @property
    def doc(self) -> RawDocument | None:
        """The file as read, with the line of every field. Entries from the content cache
        read their file again only when a check has to point at a line in it."""
        if self.raw is None and self.source is not None:
            site_dir = self.source.parents[len(Path(self.rel).parts) - 1]
            self.raw = read_document(self.source, site_dir, self.ctype)[0]
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
        return self.published.year

    @property
    def is_draft(self) -> bool:
        return self.facts.draft

    @property
    def is_withdrawn(self) -> bool:
        return self.facts.withdrawn

    @property
    def public(self) -> bool:
        """In feeds, search, open data and the sitemap: neither a draft nor withdrawn.
        (Lists show withdrawn items too, and a preview's lists its drafts: build.py.)"""
        return not self.is_draft and not self.is_withdrawn

    @property
    def fee_item(self) -> Entry | None:
        """The fee item a procedure's `fee` names by index number, when it does."""
        return self.links.get("fee_item")

    @property
    def attachments(self) -> list[AttachmentView]:
        views = []
        for a in self.model.attachments:
            size = self.files[a.file].stat().st_size if a.file in self.files else None
            views.append(AttachmentView(a.file, a.title, site_path(a.file), size))
        return views

    @property
    def updated(self) -> dt.date:
        """The date of the last revision, or of publication."""
        return self.facts.updated


@dataclass(frozen=True)
class AttachmentView:
    file: str
    title: str | None
    url: str  # site-relative
    size: int | None  # bytes


@dataclass
class Site:
    config: SiteConfig
    sections: dict[str, Section]
    roots: list[Section]
    entries: list[Entry] = field(default_factory=list)
    pages: list[FreePage] = field(default_factory=list)  # free Markdown pages
    checked: object = field(default=None, repr=False)  # the checks' Context (index, attachments), once run

    @property
    def site_dir(self) -> Path:
        return self.config.site_dir

    @property
    def content_dir(self) -> Path:
        return self.config.content_dir

    def by_index(self) -> dict[str, Entry]:
        return {e.index_no: e for e in self.entries if e.index_no}

    def published(self) -> list[Entry]:
        """Entries that are not drafts, newest first (withdrawn ones included: they keep a page)."""
        return sorted((e for e in self.entries if not e.is_draft), key=sort_key)


def unpickle_models(entries: list[Entry]) -> None:
    """Unpickle the models of `entries` now, all at once, with the cycle collector off: a
    full build's open data asks for every one, and their new objects (none of them garbage)
    would set the collector off again and again (a third more time at 10,000 items)."""
    with no_collection():
        for entry in entries:
            entry.model  # noqa: B018  (the property unpickles it)


def sort_key(entry: Entry):
    """Newest first; ties broken by index number, then path, so order is deterministic."""
    return (-entry.published.toordinal(), entry.index_no or "", entry.rel)


def facts_of(model: Item, ctype: ContentType) -> Facts:
    """What the stages that go over every entry ask of it (`Facts`)."""
    texts = [field_value(model, path) for path in ctype.markdown_paths]
    return Facts(
        model.index_no, model.published, model.is_draft, model.withdrawn is not None,
        max([model.published] + [r.date for r in model.revisions]), model.publisher,
        tuple(a.file for a in model.attachments), any(may_link(text) for text in texts if text),
    )  # fmt: skip


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


