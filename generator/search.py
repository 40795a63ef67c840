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

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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
    return f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head><body>{fragment}</body></html>'


def fingerprint(shard: Shard, sources: dict[str, bytes], command: list[str]) -> str:
    """The key of a shard's index: the Pagefind binary and the digest of every source page."""
    digest = hashlib.sha256("\0".join(command).encode())
    for url in shard.urls:
        digest.update(url.encode() + b"\0" + sources[f"{shard.name}/{url}index.html"])
    return digest.hexdigest()[:32]


def _link_tree(source: Path, target: Path) -> None:
    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


CACHE_DAYS = 14  # a cached shard unused this long is removed


def _store(cache_dir: Path, key: str, built: Path) -> None:
    """Put a freshly built shard into the cache atomically: concurrent builds of the same
    site may store the same key, or read it, at the same time."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache_dir))
    try:
        _link_tree(built, staging / "bundle")
        os.rename(staging / "bundle", cache_dir / key)
    except OSError:
        pass  # another build stored it first
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _prune(cache_dir: Path) -> None:
    limit = time.time() - CACHE_DAYS * 86400
    for entry in cache_dir.iterdir():
        try:
            if entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass


class Indexing:
    """Pagefind over every shard whose sources changed, `jobs` processes at a time.

    `start` returns at once (the first processes run while the build writes feeds and
    data); `finish` waits for all of them. Shards the live site already has are skipped,
    shards in the cache are linked from it, the rest are indexed and stored in it."""

    def __init__(self, shards: list[Shard], src_root: Path, output, cache_dir: Path | None, jobs: int = 2):
        self.command = pagefind_command()
        self.src_root, self.cache_dir, self.jobs = src_root, cache_dir, max(1, jobs)
        self.pending: list[tuple[Shard, Path, str]] = []
        self.running: list = []
        self.reused = self.indexed = 0
        for shard in shards:
            key = fingerprint(shard, output.state.sources, self.command)
            if output.unchanged_shard(shard.name, key):
                self.reused += 1
                continue
            target = output.root / OUTPUT_SUBDIR / shard.name
            cached = cache_dir / key if cache_dir else None
            try:
                if cached is not None and cached.is_dir():
                    _link_tree(cached, target)
                    os.utime(cached)  # in use: keep it
                    self.reused += 1
                    continue
            except (OSError, shutil.Error):
                shutil.rmtree(target, ignore_errors=True)  # removed under us: index it instead
            self.pending.append((shard, target, key))
        self._launch()

    def _launch(self) -> None:
        while self.pending and len(self.running) < self.jobs:
            shard, target, key = self.pending.pop(0)
            args = self.command + ["--site", str(self.src_root / shard.name), "--output-path", str(target), "--silent"]
            try:
                process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            except OSError as exc:
                self.cancel()
                raise SearchError(f"无法运行 Pagefind（{self.command[0]}）：{exc}") from None
            self.running.append((process, shard, target, key))

    def finish(self) -> tuple[int, int]:
        """Wait for every shard. Returns (indexed, reused); raises SearchError."""
        failures = []
        while self.running:
            process, shard, target, key = self.running.pop(0)
            output, _ = process.communicate()
            self.indexed += 1
            if process.returncode != 0:
                failures.append(f"{shard.name}: {output.strip()[:1000]}")
            elif self.cache_dir is not None:
                _store(self.cache_dir, key, target)
            self._launch()
        if failures:
            raise SearchError("Pagefind 建立索引失败：" + "; ".join(failures))
        if self.cache_dir is not None and self.cache_dir.is_dir():
            _prune(self.cache_dir)
        return self.indexed, self.reused

    def cancel(self) -> None:
        """The build failed elsewhere: stop the indexers."""
        self.pending.clear()
        for process, *_ in self.running:
            process.kill()
            process.wait()
        self.running.clear()
