"""What the whole-site checks derive from the registers and the records, kept between runs
so that a one-item update does not hash 10,000 records and parse both registers again.

Kept in `<site>/.gongkai-cache/sitememo.pickle` (written atomically), and in memory for the
rest of the run (`gongkai serve`: for every rebuild). Everything in it is filed under a digest
of what it was derived from, never under a file's stamp, so nothing can be stale:

- `derived(site_dir, kind, data, make)`: what `make()` derives from the bytes `data` of a
  register (content/.register, content/.registry), one value per kind — the last one —
  each pickled on its own and unpickled when first asked for (`gongkai check` never asks
  for the public chain);
- `record_hash(fingerprint)`: the content hash (register.py `content_hash`) of a canonical
  record by its digest (`entry.memo.fingerprint`, load/site.py `fingerprints`).

The memo holds gongkai's version and the stamps of the modules that derive its values, as
the process first took them (the code it runs, not what is on disk by the time it saves):
a changed check never replays an old result. A memo that cannot be read is ignored; one that
cannot be written (a read-only site folder) is not written.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from generator import __version__
from generator.load.cache import CACHE_DIR

FILE = "sitememo.pickle"
VERSION = 1
_PACKAGE = Path(__file__).resolve().parent
# the modules whose code decides what is kept here (build.py: what a published register.json records)
_SOURCES = ("sitememo.py", "register.py", "numbering.py", "checks/index_numbers.py", "build.py")
_SALT: tuple | None = None  # `_salt()` as this process first took it: the code it runs


def _process_salt() -> tuple:
    """The salt of the code this process runs: taken once. gongkai changed on disk while
    it runs (`serve`; a `git checkout`, an editable install updated) must not have the
    values its old code derives filed under the new code's stamps."""
    global _SALT
    if _SALT is None:
        _SALT = _salt()
    return _SALT


def _salt() -> tuple:
    stamps = []
    for name in _SOURCES:
        try:
            st = (_PACKAGE / name).stat()
            stamps.append((name, st.st_size, st.st_mtime_ns))
        except OSError:
            stamps.append((name, None))
    return (VERSION, __version__, tuple(stamps))


def digest(data: bytes) -> bytes:
    """256 bits, as the chain's sha256: what is filed under it stands in for the bytes."""
    return hashlib.blake2b(data, digest_size=32).digest()


class SiteMemo:
    def __init__(self, path: Path, salt: tuple):
        self.path, self.salt = path, salt
        self.derived: dict[str, tuple[bytes, bytes]] = {}  # kind → (digest of its source bytes, pickled value)
        self.values: dict[str, tuple[bytes, object]] = {}  # the same, unpickled when first asked for
        self.hashes: dict[bytes, str] = {}  # the record hashes saved with it
        self.dirty = False

    def load(self) -> None:
        try:
            with self.path.open("rb") as handle:
                salt, derived, hashes = pickle.load(handle)
        except Exception:  # missing, truncated, from another version: start over
            return
        if salt != self.salt or type(derived) is not dict or type(hashes) is not dict:
            return
        # of another shape than `save` writes (damaged, written by hand): as if unreadable
        if not all(type(v) is tuple and len(v) == 2 and type(v[0]) is type(v[1]) is bytes for v in derived.values()):
            return
        self.derived, self.hashes = derived, hashes
        _HASHES.update(hashes)

    def save(self, fingerprints: list[bytes] | None) -> None:
        """Write the memo when something was added; the record hashes of `fingerprints`
        only (the site's entries now: the others went with their files), or, for None,
        those it holds."""
        if fingerprints is not None:
            hashes = {fp: _HASHES[fp] for fp in fingerprints if fp in _HASHES}
            self.dirty = self.dirty or hashes != self.hashes  # values too: a damaged one taken again
            self.hashes = hashes
        if not self.dirty:
            return
        hashes = self.hashes
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".sitememo-", dir=self.path.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.salt, self.derived, hashes), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            tmp = None
            self.dirty = False
        except OSError:  # a read-only site folder still checks and builds
            pass
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


_OPEN: dict[Path, SiteMemo] = {}  # memo file → the memo, for the rest of the process
_HASHES: dict[bytes, str] = {}  # record fingerprint → its content hash (a pure function: shared by all sites)


def memo_of(site_dir: Path) -> SiteMemo:
    path = site_dir / CACHE_DIR / FILE
    salt = _process_salt()
    memo = _OPEN.get(path)
    if memo is None or memo.salt != salt:
        memo = _OPEN[path] = SiteMemo(path, salt)
        memo.load()
    return memo


def forget(site_dir: Path) -> None:
    """`--fresh`: nothing kept is taken, neither from the memo file nor from this process;
    what the run derives again is written for the next one."""
    path = site_dir / CACHE_DIR / FILE
    _OPEN[path] = SiteMemo(path, _process_salt())
    _HASHES.clear()


def derived(site_dir: Path, kind: str, data: bytes, make, incremental: bool = False):
    """`make(before)`, the value of `kind` derived from the bytes `data`: kept while they
    stay the same. `make` must derive it from `data` alone; with `incremental`, `before`
    is the value kept for other bytes (None: none), which it may take parts of that the
    bytes it came from decided the same way. The caller must not change what it gets."""
    value = kept(site_dir, kind, data)
    if value is None:
        value = make(_last(memo_of(site_dir), kind) if incremental else None)
        keep(site_dir, kind, data, value)
    return value


def _last(memo: SiteMemo, kind: str):
    """The value kept for `kind`, whatever bytes it came from; None when there is none."""
    known = memo.values.get(kind)
    if known is not None:
        return known[1]
    stored = memo.derived.get(kind)
    return None if stored is None else _unpickled(stored[1])


def _unpickled(blob: bytes):
    try:
        return pickle.loads(blob)
    except Exception:  # damaged: as if there were none
        return None


def kept(site_dir: Path, kind: str, data: bytes):
    """The value `keep` kept for `kind` with these bytes; None when there is none."""
    memo = memo_of(site_dir)
    key = digest(data)
    known = memo.values.get(kind)
    if known is not None and known[0] == key:
        return known[1]
    stored = memo.derived.get(kind)
    if stored is None or stored[0] != key:
        return None
    value = _unpickled(stored[1])
    if value is not None:
        memo.values[kind] = (key, value)
    return value


def keep(site_dir: Path, kind: str, data: bytes, value) -> None:
    """Keep `value` for `kind` with the bytes `data` (replacing what was kept for it)."""
    memo = memo_of(site_dir)
    key = digest(data)
    memo.values[kind] = (key, value)
    memo.derived[kind] = (key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    memo.dirty = True


def record_hash(fingerprint: bytes, make) -> str:
    """The content hash of the record whose fingerprint is `fingerprint`: `make()` once."""
    found = _HASHES.get(fingerprint)
    if type(found) is not str:  # none, or not what `make` gives (a damaged memo): taken again
        found = _HASHES[fingerprint] = make()
    return found


def save(site_dir: Path, fingerprints: list[bytes] | None = None) -> None:
    """Write the memo of `site_dir` when anything was added to it this run; the record
    hashes kept are those of `fingerprints` (the site's entries), or, for None, those
    it holds."""
    memo_of(site_dir).save(fingerprints)
