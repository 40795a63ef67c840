"""Chinese full-text search with Pagefind, run over the built pages.

Only item pages are indexed (`data-pagefind-body` marks their content); title, index
number, date and category are metadata; category, year, topic, publisher, type and
validity are filters. The extended Pagefind binary segments Chinese text.

Which binary: `PAGEFIND_BINARY_PATH` if set; else Pagefind 1.6 installed from the npm
registry into `tools/pagefind/` (`make` does it), whose ICU4X segmentation finds every
page holding a Chinese term (recall 1.000 in tests/browser/test_search_recall.py, against
0.889 for 1.5.2, upstream issue #1237); else the 1.5 binary from PyPI.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from generator.output import digest, link_or_copy

OUTPUT_SUBDIR = "pagefind"
NPM_DIR = Path(__file__).resolve().parents[1] / "tools" / "pagefind" / "node_modules" / "@pagefind"


class SearchError(RuntimeError):
    pass


def pagefind_command() -> list[str]:
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return [override]
    for binary in sorted(NPM_DIR.glob("*/bin/pagefind_extended*")):
        if binary.is_file() and os.access(binary, os.X_OK) and binary.suffix != ".sha256":
            return [str(binary)]
    try:
        import pagefind_bin_extended

        binary = Path(pagefind_bin_extended.__file__).parent / "pagefind_extended"
        if binary.is_file():
            return [str(binary)]
    except ImportError:
        pass
    return [sys.executable, "-m", "pagefind"]


SHARD_PAGES = 4000  # pages per index: ~1.6 GB for Pagefind 1.6 at this size


@dataclass(frozen=True)
class Shard:
    """One Pagefind index over the items of a run of years; the browser merges them."""

    name: str  # "2024", "2019-2021", "2024.2" (a year split in parts)
    urls: tuple[str, ...]

    @property
    def bundle(self) -> str:
        return f"{OUTPUT_SUBDIR}/{self.name}/"


def plan_shards(entries: list, limit: int | None = None) -> list[Shard]:
    """Shards by publication year, newest first: a year's items stay together so that
    editing one item re-indexes only its year (the other shards come from the cache)."""
    limit = limit or SHARD_PAGES
    by_year: dict[int, list[str]] = {}
    for entry in entries:
        by_year.setdefault(entry.year, []).append(entry.url)
    shards: list[Shard] = []
    run: list[tuple[int, list[str]]] = []

    def close_run():
        if run:
            years = [y for y, _ in run]
            name = str(years[0]) if len(years) == 1 else f"{years[-1]}-{years[0]}"
            shards.append(Shard(name, tuple(u for _, urls in run for u in urls)))
            run.clear()

    for year in sorted(by_year, reverse=True):
        urls = sorted(by_year[year])
        if len(urls) > limit:
            close_run()
            parts = -(-len(urls) // limit)
            size = -(-len(urls) // parts)
            shards += [Shard(f"{year}.{i + 1}", tuple(urls[i * size : (i + 1) * size])) for i in range(parts)]
            continue
        if sum(len(u) for _, u in run) + len(urls) > limit:
            close_run()
        run.append((year, urls))
    close_run()
    return shards


def source_page(lang: str, title: str, fragment: str) -> str:
    """What Pagefind reads for an item: the indexed fragment only, not the navigation."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body>{fragment}</body></html>"
    )


def source_file(shard: str, url: str) -> str:
    """Where an item's source page goes, in the folder of its shard: `notices/2024/a/` →
    `<shard>/notices/2024/a.html`. A file beside the others, not `a/index.html` in a
    folder of its own: a folder costs as much as the file again (~0.3 ms of the kernel's
    time a folder on a CI runner's disk, 10,000 at 10,000 items). Pagefind then gives
    the page the URL `/notices/2024/a.html`, which `item_url` (and gongkai.js) turn back
    into the item's `/notices/2024/a/`."""
    return f"{shard}/{url[:-1]}.html"


def item_url(indexed: str) -> str:
    """The item URL (site-relative, as `Entry.url`) of the URL Pagefind gave a source page."""
    path = indexed.lstrip("/")
    return path[: -len(".html")] + "/" if path.endswith(".html") else path


def fingerprint(shard: Shard, sources: dict[str, bytes], command: list[str]) -> str:
    """The key of a shard's index: the Pagefind binary, and the file and digest of every
    source page (the file gives the page its URL in the index)."""
    digest = hashlib.sha256("\0".join(command).encode())
    for url in shard.urls:
        rel = source_file(shard.name, url)
        digest.update(rel.encode() + b"\0" + sources[rel])
    return digest.hexdigest()[:32]


def _files(folder: Path) -> list[tuple[str, str]]:
    """(relative path, full path) of every file under `folder`, sorted."""
    found = []
    root = str(folder)
    for dirpath, dirs, names in os.walk(root):
        dirs.sort()
        rel_dir = dirpath[len(root) + 1 :].replace(os.sep, "/")
        for name in sorted(names):
            found.append((f"{rel_dir}/{name}" if rel_dir else name, os.path.join(dirpath, name)))
    return found


# A cached shard is one file, `<key>.shard`: the bytes of the bundle's files one after the
# other, then the JSON list of [path, size, digest] of each, its length (8 bytes) and
# PACK_END. One file, not the bundle's ~3,600 (at 10,000 items): creating a file costs
# ~0.3 ms of the kernel's time on a CI runner's disk, a pack of 20 MB a few milliseconds.
# It is a copy: the cache and the live site share no file, and writing into the site
# folder's cache never changes the live site.
PACK_SUFFIX = ".shard"
PACK_END = b"gongkai-shard-1\n"


def _pack(built: Path, target: Path) -> None:
    """Write the files of the bundle `built` into the pack `target`."""
    index = []
    with open(target, "wb") as pack:
        for rel, path in _files(built):
            with open(path, "rb") as handle:
                data = handle.read()
            pack.write(data)
            index.append([rel, len(data), digest(data).hex()])
        listing = json.dumps(index, ensure_ascii=False).encode("utf-8")
        pack.write(listing + len(listing).to_bytes(8, "big") + PACK_END)


def _restore(cached: Path, target: Path) -> None:
    """Write the files of the pack `cached` into `target`, each checked against the
    digest it was stored with; raises ValueError for a pack that is not what was stored."""
    data = cached.read_bytes()
    if not data.endswith(PACK_END) or len(data) < len(PACK_END) + 8:
        raise ValueError(f"缓存的搜索索引 {cached} 不完整")
    end = len(data) - len(PACK_END)
    size = int.from_bytes(data[end - 8 : end], "big")
    try:
        index = json.loads(data[end - 8 - size : end - 8].decode("utf-8"))
        entries = [(str(rel), int(length), str(mark)) for rel, length, mark in index]
    except (ValueError, TypeError) as exc:
        raise ValueError(f"缓存的搜索索引 {cached} 已损坏：{exc}") from None
    at, made = 0, set()
    for rel, length, mark in entries:
        part = data[at : at + length]
        at += length
        if rel.startswith("/") or ".." in rel.split("/") or digest(part).hex() != mark:
            raise ValueError(f"缓存的搜索索引 {cached} 已损坏")
        parent = rel.rpartition("/")[0]
        if parent not in made:
            (target / parent).mkdir(parents=True, exist_ok=True)
            made.add(parent)
        with open(target / rel, "wb") as handle:
            handle.write(part)
    if at != end - 8 - size:
        raise ValueError(f"缓存的搜索索引 {cached} 已损坏")


CACHE_DAYS = 14  # a cached shard unused this long is removed


def _store(cache_dir: Path, key: str, built: Path) -> None:
    """Put a freshly built shard into the cache atomically: concurrent builds of the same
    site may store the same key, or read it, at the same time."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=cache_dir)
        os.close(fd)
    except OSError:
        return  # no room, a read-only site folder: the cache is only a cache
    try:
        _pack(built, Path(tmp))
        os.replace(tmp, cache_dir / f"{key}{PACK_SUFFIX}")
    except OSError:
        pass
    finally:
        Path(tmp).unlink(missing_ok=True)


def _prune(cache_dir: Path) -> None:
    limit = time.time() - CACHE_DAYS * 86400
    for entry in cache_dir.iterdir():
        try:
            if entry.lstat().st_mtime < limit:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)  # (a shard cached by gongkai before packs)
                else:
                    entry.unlink()
        except OSError:
            pass


DELTA = "delta"  # the small index of pages changed since their shard was indexed
DELTA_LIMIT = 200  # pages the delta may hold (or hide); beyond, the changed shards are indexed again


RUNTIME = ("pagefind*.js", "pagefind*.css", "wasm.*.pagefind")  # a bundle's own runtime and UI


def drop_runtime(bundle: Path) -> None:
    """Remove the runtime and UI files Pagefind writes into every bundle (~570 KB): the
    browser merges the delta into the runtime of the first shard (mergeIndex in
    gongkai.js), which reads only its entry, metadata, index chunks and fragments."""
    for pattern in RUNTIME:
        for path in bundle.glob(pattern):
            path.unlink()


def fragment_ids(bundle: Path) -> dict[str, str]:
    """Item URL → the id Pagefind gives its result (the fragment file's name), read from
    the fragments of a built index. A fragment is `pagefind_dcd` and the page's JSON,
    gzipped, its `url` first (Pagefind's field order): only the start of each is
    decompressed (the whole of a 10,000-item site's fragments took 1.4 s of CPU)."""
    found = {}
    folder = bundle / "fragment"
    if not folder.is_dir():
        return found
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".pf_fragment"):
                with open(entry.path, "rb") as handle:
                    data = handle.read()
                found[item_url(_fragment_url(data))] = entry.name.removesuffix(".pf_fragment")
    return found


_URL_FIRST = '{"url":"'


def _fragment_url(data: bytes) -> str:
    head = zlib.decompressobj(wbits=31).decompress(data, 4096).decode("utf-8", "ignore")
    start = head.find("{")
    if head.startswith(_URL_FIRST, start):
        try:
            return json.decoder.scanstring(head, start + len(_URL_FIRST))[0]
        except ValueError:  # the URL runs past the part decompressed
            pass
    text = gzip.decompress(data).decode("utf-8")
    return json.loads(text[text.index("{") :])["url"]


class Indexing:
    """Pagefind over the search source pages, `jobs` processes at a time.

    A full build indexes every shard (or links it from the cache). An update keeps the
    live shards and indexes only the pages changed since (new, edited) into a small
    delta index, listing the stale results of the live shards for the browser to hide;
    when more than DELTA_LIMIT pages changed, the changed shards are indexed again.
    `__init__` starts the processes and returns (they run while the build writes the
    rest); `finish` waits for them. A thread waits for each process and, the moment it
    ends, reads what the shard holds and stores it in the cache (~1 s a shard at 10,000
    items: done one after another by `finish`, it came after the last Pagefind), then
    starts the next shard."""

    def __init__(
        self,
        shards: list[Shard],
        src_root: Path,
        output,
        cache_dir: Path | None,
        jobs: int = 2,
        work: Path | None = None,
        allow_delta: bool = False,
    ):
        self.command = pagefind_command()
        # one Pagefind more than CPUs: each is single-threaded, and with three shards on two
        # CPUs the third would otherwise run alone at the end (~8 s at 10,000 items)
        self.output, self.src_root, self.cache_dir, self.jobs = output, src_root, cache_dir, max(1, jobs) + 1
        self.pending: list[tuple[str, Path, Path, str]] = []  # (name, sources, target, key)
        self.running: list = []  # the Pagefind processes
        self.waiting: list[threading.Thread] = []  # one a process: waits for it, then files its shard
        self.failures: list[str] = []  # shards Pagefind failed on
        self.unstartable: str | None = None  # why Pagefind cannot run at all
        self.lock = threading.Lock()
        self.cancelled = False
        self.reused = self.indexed = 0
        self.delta: str | None = None  # the delta bundle, site-relative
        self.stale: list[str] = []
        self.urls = {shard.name: shard.urls for shard in shards}
        sources = output.state.sources
        if not (allow_delta and work is not None and self._plan_delta(shards, work)):
            for shard in shards:
                self._shard(shard, fingerprint(shard, sources, self.command))
        self._launch()
        if self.unstartable:  # say so now, not after the rest of the build
            self.cancel()
            raise SearchError(self.unstartable)

    def _shard(self, shard: Shard, key: str) -> None:
        old = self.output.previous
        state = self.output.state
        if self.output.unchanged_shard(shard.name, key):
            state.pages[shard.name] = old.pages.get(shard.name, {})
            self.reused += 1
            return
        target = self.output.shard_dir(shard.name)  # empty: the spare's files are links of live ones
        cached = self.cache_dir / f"{key}{PACK_SUFFIX}" if self.cache_dir else None
        try:
            if cached is not None and cached.is_file() and not cached.is_symlink():
                _restore(cached, target)
                os.utime(cached)  # in use: keep it
                self._pages(shard.name, target, shard.urls)
                self.reused += 1
                return
        except OSError:  # removed under us, or no room: index it instead
            shutil.rmtree(target, ignore_errors=True)
        except ValueError:  # damaged: never published; indexed again and stored anew
            shutil.rmtree(target, ignore_errors=True)
            cached.unlink(missing_ok=True)
        self.pending.append((shard.name, self.src_root / shard.name, target, key))

    def _pages(self, name: str, bundle: Path, urls) -> None:
        """Remember what a built shard holds: each page's source digest and result id."""
        ids = fragment_ids(bundle)
        sources = self.output.state.sources
        self.output.state.pages[name] = {
            url: (sources[source_file(name, url)], ids[url]) for url in urls if url in ids
        }

    def _plan_delta(self, shards: list[Shard], work: Path) -> bool:
        old = self.output.previous
        if (
            old is None
            or sorted(old.pages) != sorted(s.name for s in shards)
            or any(s.name not in old.shards for s in shards)
        ):
            return False
        sources = self.output.state.sources
        changed, stale = [], []
        for shard in shards:
            base = old.pages[shard.name]
            for url in shard.urls:
                digest = sources[source_file(shard.name, url)]
                held = base.get(url)
                if held is None or held[0] != digest:
                    changed.append((shard.name, url))
                    if held is not None:
                        stale.append(held[1])
            stale += [base[url][1] for url in base.keys() - set(shard.urls)]
        if len(changed) > DELTA_LIMIT or len(stale) > DELTA_LIMIT:
            return False
        for shard in shards:  # the live shards stay as they are
            self.output.unchanged_shard(shard.name, old.shards[shard.name])
            self.output.state.pages[shard.name] = old.pages[shard.name]
        self.reused = len(shards)
        self.stale = sorted(stale)
        if not changed:
            return True
        self.delta = f"{OUTPUT_SUBDIR}/{DELTA}/"
        digest = hashlib.sha256("\0".join(self.command).encode())
        folder = work / "search-delta"
        for name, url in sorted(changed, key=lambda c: c[1]):
            rel = source_file(name, url)
            digest.update(rel.encode() + b"\0" + sources[rel])
            target = folder / rel.partition("/")[2]
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(self.src_root / rel, target)  # the cache may be on another filesystem
        key = digest.hexdigest()[:32]
        if self.output.unchanged_shard(DELTA, key):
            self.reused += 1
        else:
            self.pending.append((DELTA, folder, self.output.shard_dir(DELTA), ""))
        return True

    def _launch(self) -> None:
        with self.lock:
            while self.pending and len(self.running) < self.jobs and not self.cancelled:
                name, sources, target, key = self.pending.pop(0)
                args = self.command + ["--site", str(sources), "--output-path", str(target), "--silent"]
                try:
                    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                except OSError as exc:
                    self.unstartable = f"无法运行 Pagefind（{self.command[0]}）：{exc}"
                    self.pending.clear()
                    return
                self.running.append(process)
                thread = threading.Thread(target=self._wait, args=(process, name, target, key), daemon=True)
                self.waiting.append(thread)
                thread.start()

    def _wait(self, process: subprocess.Popen, name: str, target: Path, key: str) -> None:
        output, _ = process.communicate()
        try:
            if self.cancelled:
                return
            if process.returncode != 0:
                self.failures.append(f"{name}: {output.strip()[:1000]}")
            elif name != DELTA:
                self._pages(name, target, self.urls[name])
                if self.cache_dir is not None:
                    _store(self.cache_dir, key, target)
            else:
                drop_runtime(target)
        except Exception as exc:  # a shard Pagefind wrote wrong, a disk fault: the build fails, not the thread
            self.failures.append(f"{name}: {type(exc).__name__}: {exc}")
        finally:
            with self.lock:
                self.running.remove(process)
                self.indexed += 1
            self._launch()

    def finish(self) -> tuple[int, int]:
        """Wait for every shard. Returns (indexed, reused); raises SearchError."""
        while True:
            with self.lock:
                alive = [thread for thread in self.waiting if thread.is_alive()]
            if not alive:
                break
            alive[0].join()
        if self.unstartable:
            raise SearchError(self.unstartable)
        if self.failures:
            raise SearchError("Pagefind 建立索引失败：" + "; ".join(self.failures))
        if self.cache_dir is not None and self.cache_dir.is_dir():
            _prune(self.cache_dir)
        return self.indexed, self.reused

    def cancel(self) -> None:
        """The build failed elsewhere: stop the indexers."""
        with self.lock:
            self.cancelled = True
            self.pending.clear()
            running = list(self.running)
        for process in running:
            process.kill()
        for thread in self.waiting:
            thread.join()
