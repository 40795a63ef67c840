"""Where a build writes, and how the new site takes the old one's place.

Two ways to the same bytes:

    full     every file is written into a new folder beside the output, which is then
             renamed into place (the old folder is deleted afterwards);
    update   the output folder is the one our last build wrote (its marker names the
             digest our state recorded) and nothing that shapes every page changed:
             files are compared by digest and only those that differ are written, into
             a staging folder. When everything is rendered and indexed, they are renamed
             over the old ones and files no longer produced are deleted.

Either way a build that fails leaves the site as it was. An update interrupted during
its renames leaves the marker saying so, and the next build is a full one. The state of
the last build (the digest of every file, the inputs of every item page, the key of
every search shard) and the search source pages live in
`<site>/.gongkai-cache/output-<hash of the output path>/`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__

MARKER = ".gongkai-build"  # marks a folder as gongkai output, safe to replace
CACHE_DIR = ".gongkai-cache"
BACKGROUND_DELETE_FROM = 2000  # files; smaller folders are removed before returning


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass
class State:
    """What the last build wrote."""

    key: str  # everything that shapes every page (see build.global_key)
    files: dict[str, bytes] = field(default_factory=dict)  # site file → digest (not pagefind/)
    items: dict[str, str] = field(default_factory=dict)  # item URL → key of its inputs
    sources: dict[str, bytes] = field(default_factory=dict)  # search source page → digest
    shards: dict[str, str] = field(default_factory=dict)  # search shard → fingerprint
    shells: dict[str, str] = field(default_factory=dict)  # category URL → its page shell
    pages: dict[str, dict] = field(default_factory=dict)  # shard → {item URL: (source digest, result id)}
    groups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # name → (key, its files)
    mkdocs: dict = field(default_factory=dict)  # what the site renderer made (build._run_mkdocs)
    values: dict[str, tuple[str, object]] = field(default_factory=dict)  # name → (key, value)

    @property
    def marker(self) -> str:
        whole = hashlib.sha256()
        for rel in sorted(self.files):
            whole.update(rel.encode() + b"\0" + self.files[rel])
        for name in sorted(self.shards):
            whole.update(f"pagefind/{name}\0{self.shards[name]}".encode())
        return f"gongkai {__version__}\nbuild {whole.hexdigest()[:32]}\n"


class Output:
    """The files of one build. `write` every file; `commit` puts the site in place."""

    def __init__(self, out_dir: Path, site_dir: Path, key: str, fresh: bool = False, files_hint: int = 0):
        self.out_dir = out_dir
        self.background = files_hint >= BACKGROUND_DELETE_FROM
        self.cache = site_dir / CACHE_DIR / f"output-{hashlib.sha256(str(out_dir).encode()).hexdigest()[:12]}"
        self.state_file = self.cache / "state.pickle"
        self.strays: list[str] = []
        self.previous = None if fresh else self._previous(key)
        self.state = State(key)
        self.staged: set[str] = set()  # written by `write` in this build
        try:  # from here until commit the sources may be half-written: no state
            self.state_file.unlink()
        except FileNotFoundError:
            pass
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        leftovers(out_dir)
        kind = "staged" if self.update else "building"
        self.root = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{kind}-", dir=out_dir.parent))
        self.root.chmod(0o755)  # mkdtemp makes it private; a web server must read the site
        self.search_src = self.cache / "search"
        if not self.update:
            discard(self.search_src, self.background)
        self.search_src.mkdir(parents=True, exist_ok=True)

    @property
    def update(self) -> bool:
        return self.previous is not None

    def _previous(self, key: str) -> State | None:
        try:
            with self.state_file.open("rb") as handle:
                state = pickle.load(handle)
            marker = (self.out_dir / MARKER).read_text(encoding="utf-8")
        except Exception:  # no state, a damaged one, no output: a full build
            return None
        if not isinstance(state, State) or state.key != key or marker != state.marker:
            return None
        self.strays = self._survey(state)
        return state

    def _survey(self, state: State) -> list[str]:
        """Files in the output that the last build did not write (to delete), and files it
        wrote that are gone (forgotten, so this build writes them again)."""
        found: list[str] = []

        def walk(folder: str, prefix: str) -> None:
            with os.scandir(folder) as listing:
                for item in listing:
                    if item.is_dir(follow_symlinks=False):
                        if prefix or item.name != "pagefind":  # search shards are whole folders
                            walk(item.path, f"{prefix}{item.name}/")
                    elif prefix or item.name != MARKER:
                        found.append(prefix + item.name)

        walk(str(self.out_dir), "")
        present = set(found)
        for rel in state.files.keys() - present:
            del state.files[rel]
        return sorted(present - state.files.keys())

    # ------------------------------------------------------------------ writing

    def write(self, rel: str, data: bytes | str, group: str | None = None) -> bytes:
        """Write one file of the site (unless the live site holds these bytes already),
        as a member of `group` (see `unchanged_group`)."""
        if group is not None:
            self.state.groups[group][1].append(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        mark = digest(data)
        self.state.files[rel] = mark
        path = self.root / rel
        if self.previous is None or self.previous.files.get(rel) != mark:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        elif rel in self.staged:  # written earlier in this build, now back to the live bytes
            path.unlink(missing_ok=True)
        self.staged.add(rel)
        return mark

    def forget(self, rel: str) -> None:
        """A file written earlier in this build (by mkdocs) that the site does not keep."""
        self.state.files.pop(rel, None)
        (self.root / rel).unlink(missing_ok=True)

    def copy(self, rel: str, source: Path) -> None:
        """Copy a file (an attachment): compared by size and modification time."""
        st = source.stat()
        mark = digest(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
        self.state.files[rel] = mark
        if self.previous is None or self.previous.files.get(rel) != mark:
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def adopt(self, folder: Path) -> list[Path]:
        """Take over every file another renderer wrote into `folder` (mkdocs); returns them."""
        taken = []
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.write(path.relative_to(folder).as_posix(), path.read_bytes())
                taken.append(path)
        return taken

    def record(self, files: list[tuple[str, bytes]], sources: list[tuple[str, bytes]]) -> None:
        """Digests of files a worker process wrote itself."""
        self.state.files.update(files)
        self.state.sources.update(sources)
        self.staged.update(rel for rel, _ in files)

    def unchanged_item(self, url: str, key: str, files: list[str], sources: list[str]) -> bool:
        """True, and the item's files are carried over, when its inputs are the same as
        last time; else remembers `key` and the caller renders it."""
        self.state.items[url] = key
        old = self.previous
        if old is None or old.items.get(url) != key:
            return False
        if any(rel not in old.files for rel in files) or any(rel not in old.sources for rel in sources):
            return False
        for rel in files:
            self._carry(rel)
        self.state.sources.update((rel, old.sources[rel]) for rel in sources)
        return True

    def keep(self, rel: str) -> None:
        """A file of the live site that this build does not write again."""
        if rel in self.previous.files:
            self._carry(rel)

    def _carry(self, rel: str) -> None:
        """Keep the live file: its digest goes on, and a version staged earlier in this
        build (by mkdocs, or an item rendered into an old shell) is dropped."""
        self.state.files[rel] = self.previous.files[rel]
        if rel in self.staged:
            (self.root / rel).unlink(missing_ok=True)
            self.staged.discard(rel)

    def unchanged_group(self, name: str, key: str) -> bool:
        """A group of files made from the same inputs (a category's list pages, the open
        data): True, and its files carried over, when `key` is the same as last time;
        else the caller writes them with `write(..., group=name)`."""
        old = self.previous.groups.get(name) if self.previous is not None else None
        if old is not None and old[0] == key and all(rel in self.previous.files for rel in old[1]):
            for rel in old[1]:
                self._carry(rel)
            self.state.groups[name] = old
            return True
        self.state.groups[name] = (key, [])
        return False

    def reuse(self, name: str, key: str, make):
        """A value made from inputs with this key (a page's content): the last build's
        when the key is the same, else `make()`."""
        old = self.previous.values.get(name) if self.previous is not None else None
        value = old[1] if old is not None and old[0] == key else make()
        self.state.values[name] = (key, value)
        return value

    def unchanged_shard(self, name: str, fingerprint: str) -> bool:
        self.state.shards[name] = fingerprint
        return self.previous is not None and self.previous.shards.get(name) == fingerprint

    def tidy_sources(self) -> None:
        """Delete the search source pages of items gone or moved to another shard."""
        if self.previous is None:
            return
        for rel in self.previous.sources.keys() - self.state.sources.keys():
            _remove(self.search_src / rel, self.search_src)

    # ------------------------------------------------------------------ commit

    def commit(self) -> None:
        """Put the new site in place; nothing before this touched the live output."""
        if self.previous is None:
            (self.root / MARKER).write_text(self.state.marker, encoding="utf-8")
            swap(self.root, self.out_dir, self.background)
        else:
            self._apply()
        self.cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.cache)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(self.state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.state_file)

    def _apply(self) -> None:
        out, old = self.out_dir, self.previous
        (out / MARKER).write_text(f"gongkai {__version__}\nupdating\n", encoding="utf-8")
        staged = self.root
        for name in sorted(self.state.shards):  # whole search shards: swap the folder
            built = staged / "pagefind" / name
            if built.is_dir():
                live = out / "pagefind" / name
                aside = live.with_name(f".{name}.old-{os.getpid()}")
                if live.exists():
                    os.replace(live, aside)
                live.parent.mkdir(parents=True, exist_ok=True)
                os.replace(built, live)
                shutil.rmtree(aside, ignore_errors=True)
        for name in old.shards.keys() - self.state.shards.keys():
            shutil.rmtree(out / "pagefind" / name, ignore_errors=True)
        shutil.rmtree(staged / "pagefind", ignore_errors=True)
        for path in sorted(staged.rglob("*")):
            if path.is_file():
                target = out / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
        for rel in sorted((old.files.keys() | set(self.strays)) - self.state.files.keys()):
            _remove(out / rel, out)
        (out / MARKER).write_text(self.state.marker, encoding="utf-8")
        shutil.rmtree(staged, ignore_errors=True)

    def abandon(self) -> None:
        """The build failed: drop what it wrote; the live site was not touched."""
        shutil.rmtree(self.root, ignore_errors=True)


def _remove(path: Path, root: Path) -> None:
    """Delete a file and the folders it leaves empty, up to `root`."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    folder = path.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def swap(tmp: Path, out_dir: Path, background: bool) -> None:
    """Put a new build in place with renames only; the old one is removed afterwards."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old is not None:
        discard(old, background)


def discard(folder: Path, background: bool = True) -> None:
    """Delete a folder we no longer need, for large sites in a background process:
    removing the 30,000 files of a 10,000-item build takes ~20 s here, and nothing waits
    for it. The folder is first renamed to a hidden name, so a new one can take its place
    at once; one left by an interrupted delete is removed by a later build."""
    if not folder.exists():
        return
    if not background:
        shutil.rmtree(folder, ignore_errors=True)
        return
    hidden = folder.with_name(f".{folder.name.lstrip('.')}.old-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.replace(folder, hidden)
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(hidden)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except OSError:
        shutil.rmtree(hidden if hidden.exists() else folder, ignore_errors=True)


def leftovers(out_dir: Path) -> None:
    """Temporary folders of earlier builds that were interrupted (older than an hour)."""
    limit = time.time() - 3600
    for pattern in (f".{out_dir.name}.old-*", f".{out_dir.name}.work-*", f".{out_dir.name}.building-*", f".{out_dir.name}.staged-*"):
        for folder in out_dir.parent.glob(pattern):
            try:
                if folder.is_dir() and folder.stat().st_mtime < limit:
                    discard(folder)
            except OSError:
                pass
