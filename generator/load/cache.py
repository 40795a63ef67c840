"""What reading each content file produced, kept between runs so that a rebuild reads
only the files that changed.

Kept per file, in `<site>/.gongkai-cache/content.pickle`: the validated model as written
(before any check fills in derived values), its canonical register record, and the
problems of reading it and of the single-file checks (privacy, markup). Nothing that
depends on another file is kept: the cross-file checks (index numbers, register,
references, attachments) always run on every entry.

A file is taken from the cache when its stat stamp (size, mtime, ctime, inode) is the
one recorded, or — a fresh clone, a restored CI cache — when its bytes have the digest
recorded; a file changed in the two seconds before the run that cached it (a second
write in the same clock tick keeps the stamp: git's "racy" case) only by its digest.
Everything is read again when gongkai, Python, pydantic, the holiday calendar or
`site_config.yml` changed. A cache that cannot be read is ignored, never trusted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from generator import __version__
from generator.problems import Problem

CACHE_DIR = ".gongkai-cache"  # in the site folder: every cache of gongkai (content, output state, Pagefind)
FILE = "content.pickle"
BACKGROUND_FROM = 2000  # memos; a larger cache is written by a forked child (~0.4 s at 10,000)
RACY_NS = 2_000_000_000  # files changed this close to the run are read again next time
_PACKAGE = Path(__file__).resolve().parents[1]


def stamp(path: Path) -> tuple[int, int, int, int] | None:
    """None for a file that cannot be stat'ed (a dangling link): it is never cached."""
    try:
        st = path.stat()
    except OSError:
        return None
    return stamp_of(st)


def stamp_of(st: os.stat_result) -> tuple[int, int, int, int]:
    """The stamp of a stat result already taken (`os.scandir`'s `DirEntry.stat()`)."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@contextmanager
def no_collection():
    """Python's cycle collector off while much is unpickled (a build's state, every model
    of a full build): its hundreds of thousands of containers would set off collections
    again and again, and none of them is garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_READING: list[dict[str, tuple]] = []  # the records `reading()` keeps open


@contextmanager
def reading():
    """While open, a record (path → stamps) of every file asked for through `noted` (and
    `read_once`): what the checks read besides the content files, which a memo of the
    whole check (load/checkmemo.py) must find unchanged to be replayed."""
    record: dict[str, tuple] = {}
    _READING.append(record)
    try:
        yield record
    finally:
        _READING.remove(record)


def noted(path: Path) -> tuple[int, int, int, int] | None:
    """`stamp(path)` (None: missing), kept in every open `reading()` record with the
    stamp of the name itself (a link changed to point elsewhere) and its real path (a
    link on the way moved out of the site: `leaves`). Read or stat every file that the
    checks depend on through this (a folder whose listing counts, too)."""
    now = stamp(path)
    for record in _READING:
        if str(path) not in record:  # the first: a file changed during the run never matches
            record[str(path)] = (now, lstamp(path), os.path.realpath(path))
    return now


def lstamp(path: Path | str) -> tuple[int, int, int, int] | None:
    """The stamp of the name itself, not following a link."""
    try:
        return stamp_of(os.lstat(path))
    except OSError:
        return None


_ONCE: dict[tuple[Path, object], tuple[tuple, object]] = {}  # (file, reader) → (its stamp, what it gave)


def read_once(path: Path, read):
    """`read(path)`, taken from memory while the file's stamp stays the same: the register
    and the UI strings are asked for several times a run, and on every rebuild of
    `gongkai serve`. Returns None for a missing file. The caller must not change what
    it gets."""
    now = noted(path)
    if now is None:
        return None
    known = _ONCE.get((path, read))
    if known is not None and known[0] == now:
        return known[1]
    value = read(path)
    _ONCE[(path, read)] = (now, value)
    return value


# the libraries whose upgrade may change what reading and checking a file produce: the
# models (pydantic), the holidays (the 20-working-day rule), the parsers and the privacy scan
LIBRARIES = ("pydantic", "pydantic_core", "chinese_calendar", "yaml", "cmarkgfm", "nh3")


def code_stamps() -> tuple:
    """gongkai's version and sources (size and time of each), Python's version and the
    stamp of the file each of `LIBRARIES` is loaded from (a new version is new files),
    found without importing a library: the content salt's part that is not the site's,
    and the key of a replayed check (load/checkmemo.py), which must not import them."""
    sources = []
    for folder, dirs, files in os.walk(_PACKAGE):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                sources.append((os.path.relpath(folder, _PACKAGE), name, st.st_size, st.st_mtime_ns))
    libraries = []
    for name in LIBRARIES:
        spec = find_spec(name)
        origin = None if spec is None else spec.origin
        libraries.append((name, origin, None if origin is None else stamp(Path(origin))))
    return (__version__, sys.version, tuple(sources), tuple(libraries))


def content_salt(site_dir: Path) -> str:
    """Everything besides the file itself that decides what reading it produces: the
    code (`code_stamps`), the year and site_config.yml."""
    digest = hashlib.sha256(f"{code_stamps()}|{dt.date.today().year}".encode())
    config = site_dir / "site_config.yml"
    digest.update(config.read_bytes() if config.is_file() else b"")
    return digest.hexdigest()


@dataclass
class FileMemo:
    """What reading one file produced."""

    stamp: tuple
    type: str  # the content type it was validated as
    model: bytes | None  # the pickled model as written; None when the file has errors
    record: str = ""  # canonical register record
    fingerprint: bytes = b""  # digest of the canonical record: changes exactly when what was read does
    head: bytes = b""  # the same without the body and notes: what lists and data show
    load_problems: list[Problem] = field(default_factory=list)
    check_problems: list[Problem] | None = None  # single-file checks; None until they ran
    type_problems: list[Problem] | None = None  # the type's own check, when it read nothing else (checks.type_check)
    digest: bytes = b""  # of the file's bytes: a new stamp on the same bytes keeps the memo
    facts: tuple | None = None  # site.Facts of the model: what an entry answers without unpickling it


def file_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class FileMarks:
    """The digest of a file's bytes (an attachment an item page describes), read again
    only when its stamp changed since `known` recorded it: a fresh clone or a restored CI
    cache gives every file a new stamp, not new bytes. `seen` is what to record for the
    next build. None for a file that cannot be read (its page says why)."""

    def __init__(self, known: dict[str, tuple] | None = None):
        self.known, self.seen = known or {}, {}

    def __call__(self, path: Path) -> bytes | None:
        key = str(path)
        if key in self.seen:
            return self.seen[key][1]
        now, old = stamp(path), self.known.get(key)
        if now is not None and old is not None and old[0] == now:
            mark = old[1]
        else:
            try:
                with open(path, "rb") as handle:
                    mark = hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).digest()
            except OSError:
                mark = now = None
        if now is not None:
            self.seen[key] = (now, mark)
        return mark


_KEPT: dict[Path, tuple[str, dict[str, FileMemo]]] = {}  # cache file → (salt, memos) a `keep` run saved


def _settled(memo: FileMemo, limit: int) -> FileMemo | None:
    """The memo as it may be saved. A file changed in the two seconds before the run
    (racy: a second write in the same clock tick may keep its stamp) is saved with a
    stamp nothing matches, so that only the digest of its bytes can take it — a CI
    build right after `git clone` still leaves a cache the next one can use."""
    if memo.stamp[1] < limit and memo.stamp[2] < limit:
        return memo
    if not memo.digest:
        return None
    return dataclasses.replace(memo, stamp=(memo.stamp[0], -1, -1, -1))


class ContentCache:
    """`keep`: a long-running process (`gongkai serve`) keeps the memos it saved in memory
    and takes them from there next time instead of reading the file again."""

    def __init__(
        self, site_dir: Path, enabled: bool = True, read: bool = True, keep: bool = False, salt: str | None = None
    ):  # fmt: skip
        self.path = site_dir / CACHE_DIR / FILE
        self.enabled = enabled
        self.keep = keep
        self.started = time.time_ns()
        if salt is None:
            salt = content_salt(site_dir) if enabled and read else ""
        self.salt = salt  # `salt`: computed already by the caller (load/checkmemo.py)
        kept = _KEPT.get(self.path) if keep else None
        if kept is not None and kept[0] == self.salt:
            self.old: dict[str, FileMemo] = kept[1]
        else:
            self.old = self._read() if enabled and read else {}
        self.new: dict[str, FileMemo] = {}
        self.prefetched: dict[str, FileMemo] = {}  # read in this run by worker processes
        self.stamps: dict[str, tuple | None] = {}  # taken by `prefetch`, used once by `load_entry`

    def _read(self) -> dict[str, FileMemo]:
        try:
            with self.path.open("rb") as handle:
                salt, memos = pickle.load(handle)
        except Exception:  # missing, truncated, from another version: start over
            return {}
        return memos if salt == self.salt and isinstance(memos, dict) else {}

    def cached(self, rel: str, file_stamp: tuple, type_name: str) -> bool:
        return self._memo(rel, file_stamp, type_name) is not None

    def get(self, rel: str, file_stamp: tuple, type_name: str) -> FileMemo | None:
        fresh = self.prefetched.pop(rel, None)
        if fresh is not None and fresh.stamp == file_stamp:
            return fresh
        return self._memo(rel, file_stamp, type_name)

    def _memo(self, rel: str, file_stamp: tuple, type_name: str) -> FileMemo | None:
        """The memo of a file as it is now: by its stamp, or — a fresh clone, a CI cache
        restored, a checkout: new stamps on the same bytes — by the digest of its bytes
        (the memo is then taken with the new stamp)."""
        memo = self.old.get(rel)
        if memo is None or memo.type != type_name:
            return None
        if memo.stamp == file_stamp:
            return memo
        if not memo.digest or file_stamp is None or file_stamp[0] != memo.stamp[0]:
            return None  # another size: other bytes
        try:
            data = (self.path.parents[1] / rel).read_bytes()
        except OSError:
            return None
        if file_digest(data) != memo.digest:
            return None
        memo = self.old[rel] = dataclasses.replace(memo, stamp=file_stamp)
        return memo

    def put(self, rel: str, memo: FileMemo) -> None:
        self.new[rel] = memo

    def save(self) -> None:
        """Write the memos of this run (atomically); racy files only to be taken by their
        bytes (`_settled`)."""
        if not self.enabled:
            return
        limit = self.started - RACY_NS
        memos = {rel: _settled(memo, limit) for rel, memo in self.new.items()}
        memos = {rel: memo for rel, memo in memos.items() if memo is not None}
        if self.keep:
            _KEPT[self.path] = (self.salt, memos)
        if memos.keys() == self.old.keys() and all(memos[rel] is self.old[rel] for rel in memos):
            return
        if len(memos) >= BACKGROUND_FROM and hasattr(os, "fork"):
            child = os.fork()
            if child:  # the parent goes on at once (the child only forks the writer)
                os.waitpid(child, 0)
                return
            try:
                if os.fork() == 0:  # the writer, adopted by init: no zombie in `serve`
                    self._write(memos)
            finally:
                os._exit(0)
        self._write(memos)

    def _write(self, memos: dict[str, FileMemo]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".content-", dir=self.path.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.salt, memos), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:  # a read-only site folder still checks and builds
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass
