"""A memo of a whole `gongkai check`: when nothing the check reads has changed since the
last one, its problems are replayed without loading a single model.

Kept in `<site>/.gongkai-cache/check.pickle` (written atomically, like the content
cache). It is looked at twice:

1. `replay_seen`, first of all, before the configuration's model (pydantic, the types) is
   imported: the key is gongkai's code, Python and the libraries the content salt names
   (by the files they are loaded from), the digest of `site_config.yml`'s bytes, the UI
   strings, the days and the site folder's real path; then everything the configuration
   and the discovery looked at (`Seen`: every folder listed and entry stat'ed under
   content/, with where each link leads; the logo and favicon the configuration names)
   and every noted file (below) must be as it was. The problems replayed are then the
   configuration's and the discovery's too.
2. `replay`, after the configuration was read and the files discovered (their problems
   found again), when something the discovery looked at changed but no content file
   did (a stray file, a touched folder): the key is

- the content cache's salt (`content_salt`: gongkai's code, Python, the libraries, the
  holiday calendar and parsers by the files they are loaded from, the year,
  `site_config.yml`) and gongkai's UI strings;
- the days the checks may depend on (today, today in the site's time zone,
  `SOURCE_DATE_EPOCH`): a 公示 or a consultation closes on a day, not on an edit;
- every content file discovered, with its category and stamp (one stat each, taken by
  the discovery itself) and the free pages as read;
- every other file the checks read or stat'ed, as they asked for it: the loaders and
  checks go through `noted` (load/cache.py: the registers, the request log and its
  folder, every attachment named, the folders and links listed for a hint), and the set
  they noted is stored with the memo (each path's stamp, its own and its real path) and
  looked at again next time. No list to keep up to date.

A memo is never written when any of these (or gongkai's sources) changed less than two
seconds before the run (a second write in the same clock tick keeps a stamp: the
content cache's racy rule), nor when site_config.yml was written during the run (the
keys hold the digest of its bytes), and never trusted when it cannot be read or has
another shape. Anything different → the normal check, which
records a new memo.

This module imports nothing of the configuration, the models or the checks: a replayed
check is decided (`replay_seen`) and answered with what it imports alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import stat
import tempfile
from array import array
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.load.cache import CACHE_DIR, RACY_NS, code_stamps, lstamp, stamp, stamp_of
from generator.problems import Problem

if TYPE_CHECKING:  # not at run time: generator.site imports the configuration (pydantic)
    from generator.site import Site

FILE = "check.pickle"
VERSION = 2  # of the memo's form: another version is not read
CONFIG_FILE = "site_config.yml"  # config.CONFIG_FILE (not imported here: config.py imports pydantic)
_PACKAGE = Path(__file__).resolve().parents[1]
STRINGS = _PACKAGE / "theme" / "strings"


@dataclass
class Seen:
    """What the configuration and the discovery looked at, for `replay_seen` (made by
    `Seen.of`). The discovery's view of each path (`now`) is kept in two parts: the stamps
    of the paths that are no link, as one array (unpickled at once, compared at once),
    and the rest (links, paths that could not be stat'ed) as they were."""

    key: tuple  # `seen_key()`, taken before the configuration was read
    timezone: str  # the configuration's
    days: tuple  # `days(timezone)`
    names: str  # the paths that are no link, joined by NUL
    stamps: array  # their stamps, four numbers each (`stamp_of`)
    other: dict[str, tuple | None]  # path → `now(path)`: links and paths that could not be stat'ed
    resolved: dict[str, tuple]  # path → (stamp, real path): the logo and favicon the configuration names
    problems: list[Problem]  # the configuration's and the discovery's

    @classmethod
    def of(cls, key: tuple, timezone: str, tree: dict[str, tuple | None], resolved: dict, problems: list) -> Seen:
        """What the discovery saw (`tree`: path → `now(path)`), in its two parts."""
        plain = [(path, then) for path, then in tree.items() if then is not None and len(then) == 4]
        other = {path: then for path, then in tree.items() if then is None or len(then) != 4}
        try:
            stamps = array("q", [n for _path, then in plain for n in then])
        except OverflowError:  # a number beyond 64 bits: kept as it is
            plain, other, stamps = [], dict(tree), array("q")
        names = "\0".join(path for path, _then in plain)
        return cls(key, timezone, days(timezone), names, stamps, other, resolved, list(problems))


@dataclass
class Memo:
    key: tuple | bytes  # `key()`: what the check read, besides the noted files (pickled, on disk)
    noted: dict[str, tuple]  # path → (stamp, stamp of the name, real path), as `noted` took them
    problems: list[Problem]  # found after the discovery
    entries: int  # items checked ("检查通过：N 个条目")
    seen: Seen | None = None  # for a replay before the configuration is read


def days(timezone: str) -> tuple:
    """The days a check may depend on: today, today in the site's time zone (None for an
    unknown zone: the configuration's check says so) and `SOURCE_DATE_EPOCH`."""
    from zoneinfo import ZoneInfo

    try:
        zoned = dt.datetime.now(ZoneInfo(timezone)).date()
    except (KeyError, ValueError):
        zoned = None
    return (dt.date.today(), zoned, os.environ.get("SOURCE_DATE_EPOCH", ""))


def _strings() -> tuple:
    return tuple((p.name, stamp(p)) for p in sorted(STRINGS.glob("*.yml")))


def key(site: Site, salt: str, found: list, stamps: dict[str, tuple | None]) -> tuple:
    """What decides a check besides the noted files: the salt, the UI strings, the days,
    every content file found (category and stamp) and the free pages."""
    # `discover` adds one stamp per file found, in the same order (its names: no str(Path))
    files = [(rel, section.key, st) for (rel, st), (_path, section) in zip(stamps.items(), found, strict=True)]
    pages = tuple((p.rel, p.slug, p.title, p.order, p.source) for p in site.pages)
    return (VERSION, salt, _strings(), days(site.config.site.timezone), tuple(files), pages)


def seen_key(site_dir: Path) -> tuple | None:
    """The key of `Seen` (taken before the configuration is read: the digest is of bytes
    no older than those read): gongkai's code and the libraries (`cache.code_stamps`), the digest of
    site_config.yml's bytes, the UI strings and the site folder's real path (the boundary
    of what the discovery takes). None without a readable site_config.yml."""
    try:
        config = (site_dir / CONFIG_FILE).read_bytes()
    except OSError:
        return None
    return (VERSION, code_stamps(), hashlib.sha256(config).digest(), _strings(), os.path.realpath(site_dir))


def now(path: str) -> tuple | None:
    """What the discovery sees of `path` (a folder listed or an entry stat'ed): its stamp
    (following a link, as `stamp`); for a link, also the stamp of the link itself and the
    real path it leads to. None when it cannot be stat'ed."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISLNK(st.st_mode):
        return stamp_of(st)
    return (stamp(Path(path)), stamp_of(st), os.path.realpath(path))


def resolved(path: Path) -> tuple:
    """What the configuration's check of a file it names sees: its stamp and real path."""
    return (stamp(path), os.path.realpath(path))


def _path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / FILE


def _read(site_dir: Path) -> Memo | None:
    try:
        with _path(site_dir).open("rb") as handle:
            memo = pickle.load(handle)
    except Exception:  # missing, truncated, damaged, from another version: not trusted
        return None
    if not isinstance(memo, Memo) or not isinstance(memo.noted, dict) or not _problems(memo.problems):
        return None
    return memo if type(memo.entries) is int else None


def _problems(problems) -> bool:
    """Whether `problems` is what a memo keeps of them: a list of `Problem`s."""
    return isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)


def _key(memo: Memo) -> tuple | None:
    """The memo's key, unpickled (`record` keeps it pickled apart: every content file)."""
    try:
        return pickle.loads(memo.key) if isinstance(memo.key, bytes) else memo.key
    except Exception:
        return None


def _unchanged(noted: dict[str, tuple]) -> bool:
    return all((stamp(Path(path)), lstamp(path), os.path.realpath(path)) == then for path, then in noted.items())


def replay(site_dir: Path, current: tuple) -> Memo | None:
    """The memo of the last check when its key is `current` and every file it noted is as
    it was then; None otherwise (also for a memo that cannot be read)."""
    memo = _read(site_dir)
    try:
        if memo is None or _key(memo) != current or not _unchanged(memo.noted):
            return None
    except (TypeError, ValueError):  # a memo of another shape: not trusted
        return None
    memo.key = current
    return memo


def replay_seen(site_dir: Path) -> Memo | None:
    """The memo of the last check when nothing it read changed, the configuration and the
    discovery included (`Seen`): its problems are `memo.seen.problems + memo.problems`.
    None otherwise."""
    memo = _read(site_dir)
    seen = None if memo is None else memo.seen
    try:
        if not isinstance(seen, Seen) or not _problems(seen.problems):
            return None
        return memo if _same(site_dir, seen) and _unchanged(memo.noted) else None
    except (AttributeError, TypeError, ValueError):  # a memo of another shape: not trusted
        return None


def _same(site_dir: Path, seen: Seen) -> bool:
    """Whether the configuration and the discovery would see what they saw (`seen`)."""
    if seen_key(site_dir) != seen.key or days(seen.timezone) != seen.days:
        return False
    numbers: list[int] = []
    add, lstat = numbers.extend, os.lstat
    try:
        for path in seen.names.split("\0") if seen.names else ():  # one lstat each
            st = lstat(path)  # a link now has a stamp of its own
            add((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))  # stamp_of
        if array("q", numbers) != seen.stamps:
            return False
    except (OSError, OverflowError):
        return False
    if any(now(path) != then for path, then in seen.other.items()):
        return False
    return all(resolved(Path(path)) == then for path, then in seen.resolved.items())


def config_stamp(site_dir: Path) -> tuple | None:
    """The stamp of site_config.yml, taken before the check reads it (`seen_key`, the
    configuration, the content salt): `record` keeps nothing of a check during which it
    was written (the keys hold a digest of its bytes: bytes restored would match)."""
    return stamp(site_dir / CONFIG_FILE)


def record(site_dir: Path, memo: Memo, started: int, config: tuple | None) -> None:
    """Save `memo` atomically, unless a file it depends on changed less than RACY_NS
    before the check `started` (it could change again unseen), or site_config.yml is no
    longer as it was before the check read it (`config`: `config_stamp`): then any old
    memo goes."""
    path = _path(site_dir)
    limit = started - RACY_NS
    _version, _salt, strings, _days, files, _pages = memo.key
    stamps = [s for _rel, _section, s in files] + [s for _name, s in strings] + [config]
    stamps += [s for then in memo.noted.values() for s in then[:2]]  # (stamp, stamp of the name, real path)
    newest = 0
    if memo.seen is not None:  # a link's `now`: (stamp, stamp of the link, real path)
        other = [then for then in memo.seen.other.values() if then is not None]
        stamps += [s for then in other for s in then[:2]] + [then[0] for then in memo.seen.resolved.values()]
        newest = max([*memo.seen.stamps[1::4], *memo.seen.stamps[2::4]], default=0)  # times of the others
        sources = memo.seen.key[1][2]  # `code_stamps`: gongkai's sources (folder, name, size, mtime), imported before
        newest = max(newest, max((mtime for *_name, mtime in sources), default=0))
    changed = config is None or config_stamp(site_dir) != config
    if changed or newest >= limit or any(s is not None and (s[1] >= limit or s[2] >= limit) for s in stamps):
        try:
            path.unlink()
        except OSError:
            pass
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".check-", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            key = pickle.dumps(memo.key, protocol=pickle.HIGHEST_PROTOCOL)  # unpickled by `replay` alone
            pickle.dump(replace(memo, key=key), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only site folder still checks
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
