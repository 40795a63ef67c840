"""Phase one of the pipeline: read and check everything, write nothing.

`load_site` reads `site_config.yml`, finds every content file (`discover`), reads each
one (from the content cache when it did not change, in forked workers when many did),
validates it against its type's model, runs the checks and returns a `Site` with every
problem collected. The data it fills (`Site`, `Section`, `Entry`, `FreePage`) lives in
`generator/site.py`, which imports nothing of this procedure.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import time
from contextlib import contextmanager
from difflib import get_close_matches
from functools import partial
from pathlib import Path

from generator import progress
from generator.config import Category, SiteConfig, load_config, named_files
from generator.load import checkmemo
from generator.load.aliases import normalize
from generator.load.cache import ContentCache, FileMemo, content_salt, file_digest, reading, stamp, stamp_of
from generator.load.documents import LoadProblem, RawDocument, load_document
from generator.model.base import Item, Schema, label
from generator.model.registry import TYPES, ContentType
from generator.model.validate import validate
from generator.paths import check_outputs, refused, refused_entry, site_root
from generator.problems import Problems
from generator.render.markdown import DANGEROUS
from generator.site import Entry, FreePage, Section, Site

# The checks, the register and the readers of content files are imported where they are
# used: a replayed check (`check_site`) reads no content file and runs no check, and
# importing them would be a fifth of its time.

CONTENT_SUFFIXES = {".yml", ".yaml", ".md"}
_SUFFIXES = tuple(CONTENT_SUFFIXES)
SPECIAL_FOLDERS = {"pages", "attachments"}


def build_sections(config: SiteConfig) -> tuple[dict[str, Section], list[Section]]:
    sections: dict[str, Section] = {}

    def add(category: Category, parent: Section | None) -> Section:
        section = Section(category, parent)
        sections[category.key] = section
        section.children = [add(child, section) for child in category.children]
        return section

    roots = [add(category, None) for category in config.categories]
    return sections, roots


def discover(
    site: Site, problems: Problems, stamps: dict | None = None, seen: dict | None = None
) -> list[tuple[Path, Section]]:  # fmt: skip
    """Every content file with the category it belongs to; strays are reported. Nothing
    is taken from outside the site folder (paths.py): links out of it, hard links and
    names a URL cannot carry are reported and skipped. The stamp of each file found goes
    into `stamps` (rel → stamp): one stat per file (`_walk`). `seen` (path →
    `checkmemo.now`) records each folder listed and each entry looked at beyond its name,
    for a replayed check (load/checkmemo.py `Seen`)."""
    content = site.content_dir
    found: list[tuple[Path, Section]] = []
    if seen is not None:
        seen[str(content)] = checkmemo.now(str(content))
    if not content.is_dir():
        hint = "在站点文件夹中建立 content/，每个栏目一个子文件夹"
        problems.error("content", None, "content-missing", "找不到 content/ 文件夹", hint)
        return found
    root = site_root(site.site_dir)
    if refused(content, "content", root, problems):
        return found
    for child in sorted(content.iterdir()):
        rel = child.relative_to(site.site_dir).as_posix()
        if seen is not None and not child.name.startswith("."):  # a hidden name is skipped for its name
            seen[str(child)] = checkmemo.now(str(child))
        if refused(child, rel, root, problems):
            continue
        if child.is_dir():
            if child.name == "pages":
                site.pages = load_free_pages(site, child, problems, seen)
            elif child.name in SPECIAL_FOLDERS:
                continue
            elif child.name in site.sections:
                _walk(child, site.sections[child.name], site, found, problems, stamps, seen)
            else:
                close = get_close_matches(child.name, list(site.sections), n=1, cutoff=0.6)
                hint = f"是不是“{close[0]}”？" if close else (
                    f"在 site_config.yml 的 categories 中加入键为 {child.name} 的栏目，"
                    f"或改名为已有栏目：{'、'.join(site.sections)}"
                )
                message = f"文件夹“{child.name}”不是 site_config.yml 中的栏目"
                problems.error(rel, None, "unknown-folder", message, hint)
        elif child.suffix.lower() in CONTENT_SUFFIXES:
            problems.error(rel, None, "misplaced-file", "条目文件应放在栏目文件夹中", "移到 content/<栏目键>/ 下")
    return found


class FreePageMeta(Schema):
    """The front matter of a free page. Nothing else is accepted: mkdocs would act on
    keys such as `template` (another page template) or `hide`."""

    title: str = label("标题", "页面标题", min_length=1)
    order: int = label("排序", "在导航中的位置，小的在前", 100)


def load_free_pages(site: Site, folder: Path, problems: Problems, seen: dict | None = None) -> list[FreePage]:
    pages = []
    for path in _page_files(folder, site, problems, seen):
        rel = path.relative_to(site.site_dir).as_posix()
        try:
            doc = load_document(path, site.site_dir)
        except LoadProblem as exc:
            problems.report(rel, [exc.found])
            continue
        found = normalize(doc, FreePageMeta)
        meta, errors = validate(doc, FreePageMeta)
        found += errors
        problems.report(rel, found)
        if meta is None or found:
            continue
        _unsafe_markup(rel, doc, problems)
        source = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        pages.append(FreePage(rel, path.relative_to(folder).with_suffix("").as_posix(), meta.title, meta.order, source))
    return sorted(pages, key=lambda p: (p.order, p.slug))


def _unsafe_markup(rel: str, doc: RawDocument, problems: Problems) -> None:
    """Markup the sanitiser strips from a free page (render/mkdocs_site.py): a warning at
    its line, as for item bodies (checks/markup.py), so that `--strict` refuses it."""
    text = doc.body or ""
    for pattern, name in DANGEROUS:
        match = pattern.search(text)
        if match is not None:
            before = text[: match.start()]
            pos = (doc.body_line + before.count("\n"), len(before) - before.rfind("\n"))
            message = f"页面中的 {name} 会在发布时被删除（不安全的网页代码）"
            problems.warning(rel, pos, "unsafe-html", message, "删除这段代码；需要嵌入的内容请改为附件或普通链接")


def _page_files(folder: Path, site: Site, problems: Problems, seen: dict | None = None) -> list[Path]:
    """The Markdown files of content/pages/, checked like content files (`refused`)."""
    root, found = site_root(site.site_dir), []
    if seen is not None:
        seen[str(folder)] = checkmemo.now(str(folder))
    with os.scandir(folder) as listing:
        items = sorted(listing, key=lambda item: item.name)
    for item in items:
        path = folder / item.name
        if seen is not None and not item.name.startswith("."):
            seen[str(path)] = checkmemo.now(str(path))
        if refused(path, _rel(path, site.site_dir), root, problems):
            continue
        if item.is_dir():
            if not _loops(path, folder, site, problems):
                found += _page_files(path, site, problems, seen)
        elif item.name.lower().endswith(".md"):
            found.append(path)
    return found


def _loops(path: Path, folder: Path, site: Site, problems: Problems) -> bool:
    """A link to the folder it is in (or above): reported, not followed."""
    if path.is_symlink() and path.resolve() in (folder.resolve(), *folder.resolve().parents):
        message = "这个链接指向它所在的文件夹，已跳过"
        problems.warning(_rel(path, site.site_dir), None, "symlink-loop", message, "删除这个链接")
        return True
    return False


def _walk(
    folder: Path, section: Section, site: Site, found: list, problems: Problems, stamps: dict | None = None,
    seen: dict | None = None,
) -> None:  # fmt: skip
    """The content files below `folder`, at one stat each (`refused_entry`: the listing
    says what is a link or a folder); their stamps go into `stamps` (rel → stamp), which
    the content cache then takes instead of stat'ing each file again (`prefetch`). `seen`:
    as for `discover`, the folder and every entry not skipped for its name alone (a file
    by the stat already taken; a link with where it leads)."""
    children = {c.key: c for c in section.children}
    if seen is not None:
        seen[str(folder)] = checkmemo.now(str(folder))
    with os.scandir(folder) as listing:  # DirEntry knows file from folder without a stat
        items = sorted(listing, key=lambda item: item.name)
    root = site_root(site.site_dir)
    base = _rel(folder, site.site_dir) + "/"
    child = getattr(folder, "_make_child_relpath", folder.joinpath)  # a name from the listing: not parsed again
    for item in items:
        rel = base + item.name
        skip, st = refused_entry(item, rel, root, problems)
        if seen is not None and not item.name.startswith("."):  # a file's stat taken is its lstat
            seen[item.path] = checkmemo.now(item.path) if st is None or item.is_symlink() else stamp_of(st)
        if skip:
            continue
        if item.is_dir():
            path = folder / item.name
            if _loops(path, folder, site, problems):
                continue
            _walk(path, children.get(item.name, section), site, found, problems, stamps, seen)
        elif item.name.lower().endswith(_SUFFIXES):  # a hidden name (".md") was refused above
            found.append((child(item.name), section))
            if stamps is not None:
                stamps[rel] = None if st is None else stamp_of(st)
        else:
            problems.warning(
                rel, None, "stray-file",
                "栏目文件夹中的非内容文件会被忽略", "附件请放在 content/attachments/ 下，并在条目的 attachments 中引用",
            )  # fmt: skip


def entry_url(rel: str, section: Section) -> str:
    """`content/notices/2024/fire.md` → `notices/2024/fire/`: the section, the folders
    below it, the file name without suffix."""
    *folders, name = rel.split("/")[1:]
    start = len(folders) - folders[::-1].index(section.key)  # below the last folder named like it
    return "/".join([section.key, *folders[start:], name.rsplit(".", 1)[0]]) + "/"


_MODELS: dict[tuple[str, bytes], Item] = {}  # (file, fingerprint) → its model, in a `keep` run


def load_entry(
    path: Path, section: Section, site: Site, problems: Problems, cache: ContentCache | None = None
) -> Entry | None:
    rel = _rel(path, site.site_dir)
    ctype = TYPES[section.type]
    file_stamp = (cache.stamps.pop(rel, None) or stamp(path)) if cache is not None else None
    if file_stamp is None:
        cache = None
    memo = cache.get(rel, file_stamp, ctype.name) if cache is not None else None
    if memo is not None:
        problems.extend(memo.load_problems)
        if memo.model is None:
            cache.put(rel, memo)
            return None
        model = _MODELS.get((rel, memo.fingerprint)) if cache.keep else None  # models are never changed
        if model is None and memo.facts is None:  # (a memo without them: its model now)
            model = pickle.loads(memo.model)
        entry = _entry(model, memo.record, ctype, section, rel, path, site, None, memo)
    else:
        first = len(problems)
        try:  # read once: the digest is of the bytes read
            raw = path.read_bytes() if cache is not None else None
        except OSError:
            raw = None  # read_model reads again, and says why
        digest = b"" if raw is None else file_digest(raw)
        from generator import register
        from generator.load.read import read_model

        model, doc, found = read_model(path, site.site_dir, ctype, raw)
        if digest and stamp(path) != file_stamp:
            digest = b""  # changed while being read: known by its stamp only
        problems.report(rel, found)
        failed = model is None
        data = None if failed else register.record_data(model)
        record, head = ("", "") if failed else record_texts(data)  # canonical_record; canonical: pickles are not
        entry = None if failed else _entry(model, record, ctype, section, rel, path, site, doc)
        if cache is None:
            return entry
        blob = None if entry is None else pickle.dumps(model, pickle.HIGHEST_PROTOCOL)
        memo = FileMemo(
            file_stamp, ctype.name, blob, record=record, load_problems=problems.items[first:], digest=digest,
            facts=None if entry is None else entry.facts,
        )
        if entry is not None:
            memo.fingerprint, memo.head = fingerprints(ctype.name, record, data, head)
    cache.put(rel, memo)
    if entry is not None:
        entry.memo = memo
    return entry


def fingerprints(type_name: str, record: str, data: dict, head: str | None = None) -> tuple[bytes, bytes]:
    """Digests of an entry as read (its canonical record: pickles differ between
    processes), whole and without the body and notes (what lists and data show). The
    whole one is 256 bits: the site memo gives the record's content hash by it
    (generator/sitememo.py `record_hash`), so it must be as hard to collide as sha256.
    `data` is the record's data (`register.record_data`), not read back from its JSON;
    `head`, the canonical JSON of it without the body and notes (`record_texts`), when
    the caller has it."""
    if head is None:
        from generator import register

        head = register.canonical({key: value for key, value in data.items() if key != "body" and key != "notes"})
    return (
        hashlib.blake2b(f"{type_name}\0{record}".encode(), digest_size=32).digest(),  # stands in for sha256(record)
        hashlib.blake2b(f"{type_name}\0{head}".encode(), digest_size=16).digest(),
    )


_MARK = "\0gongkai:taken out\0"  # stands for the body and notes in `record_texts` (no content holds a NUL)
_APART = ("body", "notes")  # in the order of sorted keys


def record_texts(data: dict) -> tuple[str, str]:
    """The canonical JSON of the record's data (`register.canonical`), and of it without
    the body and notes (the head of `fingerprints`), from one walk of the data: the body
    and notes are encoded alone (one string each) and put in place of a mark, or taken
    out with it. When a mark is not alone in the text (or the body is not a text), both
    are encoded whole."""
    from generator import register

    apart = [key for key in _APART if key in data]
    if not apart:
        text = register.canonical(data)
        return text, text
    if any(type(data[key]) is not str for key in apart):
        return _texts_whole(data)
    marked = dict(data)
    for key in apart:
        marked[key] = _MARK
    text = register.canonical(marked)
    mark = register.canonical(_MARK)
    if text.count(mark) != len(apart):
        return _texts_whole(data)  # a mark written in the content itself
    record = head = text
    for key in apart:
        pair = f'"{key}":{mark}'
        record = record.replace(pair, f'"{key}":{register.canonical(data[key])}', 1)
        at = head.index(pair)
        if head[at - 1] == ",":  # `…,"body":…` (or `{"body":…,…`, or `{"body":…}`)
            head = head[: at - 1] + head[at + len(pair) :]
        elif head[at + len(pair)] == ",":
            head = head[:at] + head[at + len(pair) + 1 :]
        else:
            head = head[:at] + head[at + len(pair) :]
    return record, head


def _texts_whole(data: dict) -> tuple[str, str]:
    from generator import register

    return register.canonical(data), register.canonical({k: v for k, v in data.items() if k not in _APART})


def _rel(path: Path, site_dir: Path) -> str:
    """`path` relative to the site folder, with forward slashes (string work: pathlib's
    relative_to costs 0.3 s per 10,000 files)."""
    text, root = str(path), str(site_dir).rstrip("/") + "/"
    return text[len(root):] if text.startswith(root) else path.relative_to(site_dir).as_posix()


def _entry(
    model: Item | None, record: str, ctype: ContentType, section: Section, rel: str, path: Path, site: Site,
    doc: RawDocument | None, memo: FileMemo | None = None,
) -> Entry:  # fmt: skip
    """The entry of a model just read, or of a memo of the content cache: its model (when
    not given) is unpickled when first asked for (site.Entry)."""
    facts, blob = (memo.facts, memo.model if model is None else None) if memo is not None else (None, None)
    entry = Entry(model, ctype, section, rel, entry_url(rel, section), record, doc, source=path, blob=blob, facts=facts)
    entry.publisher_name = entry.facts.publisher or site.config.organization.name
    return entry


PARALLEL_READ_FROM = 1000  # files to read; below this, forking costs more than it saves


def prefetch(site: Site, found: list[tuple[Path, Section]], memos: ContentCache) -> None:
    """Read the files the cache does not hold in worker processes (all CPUs): each worker
    reads, validates and runs the single-file checks, and returns the memos, which the
    main process then takes as if they came from the cache."""
    jobs = os.cpu_count() or 1
    todo = []
    for path, section in found:
        rel = _rel(path, site.site_dir)
        file_stamp = memos.stamps[rel] if rel in memos.stamps else stamp(path)  # discover took it
        memos.stamps[rel] = file_stamp  # load_entry uses it
        if file_stamp is not None and not memos.cached(rel, file_stamp, section.type):
            todo.append((path, section))
    if jobs < 2 or len(todo) < PARALLEL_READ_FROM:
        return  # the main process reads them as it goes
    for ctype in {TYPES[section.type] for _path, section in todo}:  # validators are built on first use
        ctype.model.model_rebuild()  # (model/base.py defer_build): once here, not once per worker
    from generator.fork import fork_map

    for memos_read in fork_map(partial(_read_slice, site, stamps=memos.stamps), todo, jobs, PARALLEL_READ_FROM):
        memos.prefetched.update(memos_read)


def _read_slice(site: Site, todo: list[tuple[Path, Section]], stamps: dict | None = None) -> dict:
    """The memos of the files `todo`, read and checked; `stamps` (rel → stamp): those
    `prefetch` took (the stamps the main process will ask the memos for), not taken again."""
    problems = Problems()
    from generator.checks import file_checks, make_pattern
    from generator.checks.context import Context

    ctx = Context(site, problems, make_pattern(site, Problems()))
    local = ContentCache(site.site_dir, read=False)
    if stamps:
        local.stamps = {rel: stamps.get(rel) for rel in (_rel(path, site.site_dir) for path, _section in todo)}
    for path, section in todo:
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


def load_site(site_dir: Path, problems: Problems, cache: bool = True, keep: bool = False) -> Site | None:
    """Phase one: read and check everything. None when the configuration is unusable.
    With `cache`, files unchanged since the last run are not read again (load/cache.py);
    with `keep` (a long-running `gongkai serve`), what this load read stays in memory for
    the next one: the memos, and the models of unchanged files are not unpickled again."""
    with _no_collection():
        return _load_site(site_dir, problems, cache, keep and cache)


def _load_site(site_dir: Path, problems: Problems, cache: bool, keep: bool = False) -> Site | None:
    found = _discovered(site_dir, problems)
    if found is None:
        return None
    site, files, stamps = found
    _load_files(site, files, stamps, problems, cache, keep)
    return site


def _discovered(site_dir: Path, problems: Problems, seen: dict | None = None) -> tuple[Site, list, dict] | None:
    """The configuration, the site and its content files with their stamps (rel → stamp);
    None when the configuration is unusable. `seen`: as for `discover`."""
    config = load_config(site_dir, problems)
    if config is None:
        return None
    sections, roots = build_sections(config)
    site = Site(config, sections, roots)
    stamps: dict[str, tuple | None] = {}
    return site, discover(site, problems, stamps, seen), stamps


def _load_files(
    site: Site, found: list, stamps: dict, problems: Problems, cache: bool, keep: bool, salt: str | None = None
) -> None:  # fmt: skip
    """Read, validate and check the files `discover` found (their stamps: `stamps`)."""
    memos = ContentCache(site.site_dir, read=cache, keep=keep, salt=salt)
    memos.stamps = stamps
    with progress.stage("read", size=len(found), counted=True):  # files not in the cache, in workers
        prefetch(site, found, memos)
    with progress.stage("load", total=len(found)):
        for path, section in found:
            entry = load_entry(path, section, site, problems, memos)
            if entry is not None:
                site.entries.append(entry)
            progress.advance()
    with progress.stage("check", size=len(found)):
        from generator.checks import run_checks

        run_checks(site, problems)
        check_outputs(site, problems)
    if cache:
        memos.save()
    if keep:  # the memos stay whole in memory (load/cache.py _KEPT); the models beside them
        _MODELS.clear()
        _MODELS.update(((e.rel, e.memo.fingerprint), e.model) for e in site.entries if e.memo is not None)
        return
    for memo in memos.new.values():
        memo.model = None  # saved (or not wanted): the entries hold the models themselves


def check_site(site_dir: Path, problems: Problems, cache: bool = True) -> int | None:
    """`gongkai check`: phase one, for its problems alone. When nothing the check reads
    changed since the last one, the problems it found are replayed without reading a
    file (load/checkmemo.py); otherwise the files are loaded and checked, and what they
    read is recorded for the next time. Without `cache` (`--fresh`) the memo is not
    replayed, only recorded. Returns the number of entries; None when the configuration
    is unusable.

    This replays after the configuration was read and the files discovered; the memo it
    records also holds what those two looked at and found (`checkmemo.Seen`), which the
    command replays before importing either (`checkmemo.replay_seen`, cli.py)."""
    with _no_collection():
        started = time.time_ns()
        first = len(problems)
        config = checkmemo.config_stamp(site_dir)  # before its bytes are read: a write during the check is seen
        before = checkmemo.seen_key(site_dir)  # before the configuration is read
        tree: dict[str, tuple | None] = {}
        found = _discovered(site_dir, problems, tree)
        if found is None:
            return None
        site, files, stamps = found
        seen = None
        if before is not None:
            zone, named = site.config.site.timezone, named_files(site.config)
            resolved = {str(path): checkmemo.resolved(path) for path in named}
            seen = checkmemo.Seen.of(before, zone, tree, resolved, problems.items[first:])
        salt = content_salt(site_dir)
        key = checkmemo.key(site, salt, files, stamps)
        memo = checkmemo.replay(site_dir, key) if cache else None
        if memo is not None:
            problems.extend(memo.problems)
            memo.seen = seen  # what the configuration and the discovery saw this time
            checkmemo.record(site_dir, memo, started, config)
            return memo.entries
        after = len(problems)
        with reading() as read:
            _load_files(site, files, stamps, problems, cache, False, salt)
        memo = checkmemo.Memo(key, read, problems.items[after:], len(site.entries), seen)
        checkmemo.record(site_dir, memo, started, config)
        return len(site.entries)
