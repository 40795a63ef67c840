"""A memo of a whole `gongkai check`: when nothing the check reads has changed since the
last one, its problems are replayed without loading a single model.

Kept in `<site>/.gongkai-cache/check.pickle` (written atomically, like the content
cache): the key of what the check read and the problems it found after discovering the
files (the configuration's and the discovery's own problems are found again every run:
both run before the memo is looked at). The key is

- the content cache's salt (`content_salt`: gongkai's code, Python, pydantic, the
  holiday calendar, the year, `site_config.yml`) and gongkai's UI strings;
- the days the checks may depend on (today, today in the site's time zone,
  `SOURCE_DATE_EPOCH`): a 公示 or a consultation closes on a day, not on an edit;
- every content file discovered, with its category and stamp (one stat each, taken by
  the discovery itself) and the free pages as read;
- every other file the checks read or stat'ed, as they asked for it: the loaders and
  checks go through `noted` (load/cache.py: the registers, the request log and its
  folder, every attachment named, the folders listed for a hint), and the set they
  noted is stored with the memo and stat'ed again next time. No list to keep up to date.

A memo is never written when any of these changed less than two seconds before the run
(a second write in the same clock tick keeps a stamp: the content cache's racy rule),
and never trusted when it cannot be read. Anything different → the normal check, which
records a new memo.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.load.cache import CACHE_DIR, RACY_NS, lstamp, stamp
from generator.problems import Problem
from generator.site import Site

FILE = "check.pickle"
VERSION = 1  # of the memo's form: another version is not read
STRINGS = Path(__file__).resolve().parents[1] / "theme" / "strings"


@dataclass
class Memo:
    key: tuple  # `key()`: what the check read, besides the noted files
    noted: dict[str, tuple]  # path → (stamp, stamp of the name), as `noted` took them
    problems: list[Problem]  # found after the discovery
    entries: int  # items checked ("检查通过：N 个条目")


def key(site: Site, salt: str, found: list, stamps: dict[str, tuple | None]) -> tuple:
    """What decides a check besides the noted files: the salt, the UI strings, the days,
    every content file found (category and stamp) and the free pages."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        zoned = dt.datetime.now(ZoneInfo(site.config.site.timezone)).date()
    except (KeyError, ValueError):  # an unknown zone: the configuration's check says so
        zoned = None
    days = (dt.date.today(), zoned, epoch)
    strings = tuple((p.name, stamp(p)) for p in sorted(STRINGS.glob("*.yml")))
    # `discover` adds one stamp per file found, in the same order (its names: no str(Path))
    files = [(rel, section.key, st) for (rel, st), (_path, section) in zip(stamps.items(), found, strict=True)]
    pages = tuple((p.rel, p.slug, p.title, p.order, p.source) for p in site.pages)
    return (VERSION, salt, strings, days, tuple(files), pages)


def _path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / FILE


def replay(site_dir: Path, now: tuple) -> Memo | None:
    """The memo of the last check when its key is `now` and every file it noted is as it
    was then; None otherwise (also for a memo that cannot be read)."""
    try:
        with _path(site_dir).open("rb") as handle:
            memo = pickle.load(handle)
    except Exception:  # missing, truncated, damaged, from another version: not trusted
        return None
    if not isinstance(memo, Memo) or memo.key != now or not isinstance(memo.noted, dict):
        return None
    for path, then in memo.noted.items():
        if (stamp(Path(path)), lstamp(path)) != then:
            return None
    return memo


def record(site_dir: Path, memo: Memo, started: int) -> None:
    """Save `memo` atomically, unless a file it depends on changed less than RACY_NS
    before the check `started` (it could change again unseen): then any old memo goes."""
    path = _path(site_dir)
    limit = started - RACY_NS
    _version, _salt, strings, _days, files, _pages = memo.key
    stamps = [s for _rel, _section, s in files] + [s for _name, s in strings]
    stamps += [s for pair in memo.noted.values() for s in pair]
    if any(s is not None and (s[1] >= limit or s[2] >= limit) for s in stamps):
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
            pickle.dump(memo, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only site folder still checks
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
