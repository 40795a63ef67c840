"""Where a build writes, and how the new site takes the old one's place.

Beside the output folder OUT (the web root, always a real folder) a build keeps:

    .OUT.lock             held (flock) while a build writes OUT: a second build waits
    .OUT.building-XXXX    a full build being written
    .OUT.staged-XXXX      an update being prepared
    .OUT.work-XXXX        scratch (mkdocs's output, the sources of the delta index)
    .OUT.ready-PID        a finished site, about to take OUT's place
    .OUT.previous-PID     the old site, set aside by the fallback swap
    .OUT.spare            the site before the last update, kept for the next one
    .OUT.trash-…          being deleted

Three ways to the same bytes:

    full     every file is written into a new folder;
    update   the output is the one our last build wrote (its marker names the digest our
             state recorded) and nothing that shapes every page changed: only files that
             differ are written into the staging folder; at the end every live file the
             build keeps is hard-linked beside them (copied where links are impossible),
             so that the staging folder holds the whole new site;
    spare    an update when the site the last update replaced is still beside OUT as
             `.OUT.spare`, as our state recorded it: that folder is brought up to date in
             place — the files that differ from the new site are written or hard-linked
             from OUT, the ones the new site drops deleted — and takes OUT's place. Its
             work grows with the files that changed, not with the site: hard-linking the
             30,000 files of a 10,000-item site takes seconds (`cp -al`: 4 s here), which
             an edit of one item must not pay. Files are never written through: a file
             to replace is unlinked first (the spare shares its inodes with OUT).

Either way the finished folder then takes OUT's place in one step: `renameat2` with
RENAME_EXCHANGE swaps the two folders atomically (Linux ≥ 3.15). Where the call or the
filesystem lacks it, two renames; a build killed between them is rolled forward by the
next one (the finished folder is named `ready`, the old one `previous`). A reader sees
the old site or the new one, never a mix, and nothing is written into the live folder.
After an update the old site becomes the spare (hard links of OUT's files, no
drafts unless OUT had them); after a full build it is deleted. A live file that could
not be replaced or deleted later (`chattr +i`) is found before the swap and the build
stops. `--fresh` deletes the spare.

The next build, holding the lock, first repairs what a killed one left: OUT missing →
the ready folder (forward) or the previous one (back) takes its place; then every
temporary folder of OUT is deleted at once (each holds a whole copy of the site, drafts
included). The spare is trusted only when `state-spare.pickle` describes it (its marker)
and a survey of its files agrees; a build removes that file before it changes the spare,
so a spare a killed build left half-changed is deleted, never used. The survey's listing
(a stat of every file) is made by a child process started with the build (`Walk`), on
another CPU while this one loads the state; the survey itself is done here, after the
record was removed, from the listing or (the child failed) from a walk of its own.

The state of the last build (the digest, size, time and inode of every file, the inputs
of every item page, the key of every search shard) and the search source pages live in
`<site>/.gongkai-cache/output-<hash of the output path>/`. A build never deletes the
state before its own is safe: the new state is written to `state-next.pickle` before the
swap and renamed to `state.pickle` after it; the next build takes whichever describes the
live site. While a build rewrites the search sources, `sources.dirty` says so: after a
failed build the sources are not trusted (their items are rendered again).

Live bytes are checked: an update writes again every file whose size, modification time
or inode is not what the last build left, unless its bytes, read whole, have the digest
recorded (a CI cache restores the output with new inodes); and it reads a sample of the
others to compare digests. A page defaced with its size and times kept may escape the sample:
`gongkai build --fresh` rebuilds and replaces everything.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import marshal
import os
import pickle
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__
from generator import listing as listing_script
from generator.faults import OutputBusy
from generator.listing import listing
from generator.load.cache import CACHE_DIR, no_collection, stamp

MARKER = ".gongkai-build"  # marks a folder as gongkai output, safe to replace
BACKGROUND_DELETE_FROM = 2000  # files; smaller folders are removed before returning
SAMPLE = 64  # files of an update whose live bytes are read and compared with their digest
LOCK_WAIT = 300.0  # seconds a build waits for another one writing the same output
PAUSE_AT = "GONGKAI_TEST_PAUSE_AT"  # tests: stop (sleep) at a named point of the commit
TEMPORARY = ("building", "staged", "work", "ready", "previous", "trash")  # .OUT.<kind>-…


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
    mkdocs: dict = field(default_factory=dict)  # what the site renderer made (render/mkdocs_site.render_pages)
    values: dict[str, tuple[str, object]] = field(default_factory=dict)  # name → (key, value)
    stamps: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # every file → (size, mtime, inode)
    copies: set[str] = field(default_factory=set)  # files whose digest is of their source's stamp

    @property
    def marker(self) -> str:
        whole = hashlib.sha256()
        for rel in sorted(self.files):
            whole.update(rel.encode() + b"\0" + self.files[rel])
        for name in sorted(self.shards):
            whole.update(f"pagefind/{name}\0{self.shards[name]}".encode())
        return f"gongkai {__version__}\nbuild {whole.hexdigest()[:32]}\n"


@dataclass
class Spare:
    """What the spare folder holds, as the build that set it aside left it."""

    marker: str  # its marker file
    files: dict[str, bytes]  # site file → digest
    shards: dict[str, str]  # search shard → fingerprint
    stamps: dict[str, tuple[int, int, int]]  # every file → (size, mtime, inode)


SPARE_RECORD = "state-spare.pickle"  # beside the state: what the spare folder holds


def _cache_of(site_dir: Path, out_dir: Path) -> Path:
    """The folder of the state of the builds of `site_dir` into `out_dir`."""
    return site_dir / CACHE_DIR / f"output-{hashlib.sha256(str(out_dir).encode()).hexdigest()[:12]}"


def _spare_of(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.spare")


def start_walk(out_dir: Path, site_dir: Path) -> Walk | None:
    """Start listing the spare of `out_dir` (`Walk`), for the `Output` made later (pass it
    as `walking`; it stops the child): the build prepares meanwhile. Hold the lock."""
    return Walk.start(_spare_of(out_dir), _cache_of(site_dir, out_dir) / SPARE_RECORD)


class Output:
    """The files of one build. `write` every file; `commit` puts the site in place.
    Create it while holding `locked(out_dir, …)`."""

    def __init__(
        self, out_dir: Path, site_dir: Path, key: str, fresh: bool = False, files_hint: int = 0,
        walking: Walk | None = None,
    ):  # fmt: skip
        """`walking`: the listing of the spare, when the caller started it (`start_walk`)
        before it had the key; else it is started here, before the state is loaded."""
        self.out_dir = out_dir
        self.background = files_hint >= BACKGROUND_DELETE_FROM
        self.cache = _cache_of(site_dir, out_dir)
        self.state_file = self.cache / "state.pickle"
        self.next_file = self.cache / "state-next.pickle"  # the state of a build being swapped in
        self.spare_file = self.cache / SPARE_RECORD  # what the spare folder holds
        self.spare_dir = _spare_of(out_dir)
        self.dirty = self.cache / "sources.dirty"
        self.lost: set[str] = set()  # files of the last build gone from the live site or changed there
        self.walking = walking
        try:
            self._prepare(out_dir, key, fresh)
        except BaseException:
            self._stop_walking()
            raise

    def _prepare(self, out_dir: Path, key: str, fresh: bool) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)
        for path in (self.state_file, self.next_file, self.spare_file):
            if path.exists() and not path.is_file():  # never silently: the editor must know
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        recover(out_dir, self.background)
        self.live: Spare | None = None  # the live site as the last build left it (the next spare)
        if fresh:
            self._stop_walking()
        elif self.walking is None:  # the spare's files are listed by a child while the state loads
            self.walking = Walk.start(self.spare_dir, self.spare_file)
        self.previous = None if fresh else self._previous(key)
        self.state = State(key)
        # the folder being written: what it holds (digests of the files we trust, every file
        # present, the shards) and the stamps of the files this build did not touch
        self.have: dict[str, bytes] = {}
        self.present: set[str] = set()
        self.have_shards: dict[str, str] = {}
        self.base_stamps: dict[str, tuple[int, int, int]] = {}
        self.touched: set[str] = set()  # files written, linked or removed in it by this build
        self.built_shards: set[str] = set()  # search shards written into it (by Pagefind, a copy)
        # a full build: the stamp of every file as it was written (the shards' are listed at
        # the commit), instead of a walk through the ~20,000 folders of a large site there
        self.stamped: dict[str, tuple[int, int, int]] | None = None if self.update else {}
        self.dirty.touch()  # from here until commit the search sources may be half-written
        self.search_src = self.cache / "search"
        if not self.update:
            discard(self.search_src, self.background)
        self.search_src.mkdir(parents=True, exist_ok=True)
        self.in_place = self.update and self._take_spare()
        self._stop_walking()
        if self.update:
            self._survey_live()
        self.probing: threading.Thread | None = None  # a full build probes the live files meanwhile
        self.probe_error: OSError | None = None
        if not self.update and out_dir.is_dir():
            self.probing = threading.Thread(target=self._probe_all, daemon=True)
            self.probing.start()
        if not self.in_place:
            discard(self.spare_dir, self.background)  # stale, untrusted or unwanted
            self.spare_file.unlink(missing_ok=True)
            kind = "staged" if self.update else "building"
            self.root = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{kind}-", dir=out_dir.parent))
            try:
                self.root.chmod(0o755)  # mkdtemp makes it private; a web server must read the site
            except OSError:
                self.abandon()
                raise

    @property
    def update(self) -> bool:
        return self.previous is not None

    def _stop_walking(self) -> None:
        if self.walking is not None:
            self.walking.stop()
            self.walking = None

    def _previous(self, key: str) -> State | None:
        """The state that describes the live site: the last build's, or the one a build
        killed right after its swap left in state-next.pickle."""
        try:
            marker = (self.out_dir / MARKER).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # no output, or not ours: a full build
            return None
        for path in (self.next_file, self.state_file):
            try:
                state = _load(path)
            except Exception:  # no state, a damaged one: try the other, else a full build
                continue
            if isinstance(state, State) and state.key == key and marker == state.marker:
                break
        else:
            return None
        if path == self.next_file:  # a build killed right after its swap: its state is the state
            os.replace(self.next_file, self.state_file)  # (its sources were complete before the swap)
        elif self.dirty.exists():  # a build stopped while rewriting the search sources
            state.sources = {}
        self.live = Spare(marker, state.files, state.shards, state.stamps)  # what the live site holds
        return state

    def _survey_live(self) -> None:
        """Take out of the last build's state the live files that are gone or changed
        (`_survey`): this build writes them again. Writing into the spare, only the live
        files it may link are looked at: those the spare does not hold as they are live."""
        state, live = self.previous, self.live
        if self.in_place:
            rels = [rel for rel, mark in state.files.items() if self.have.get(rel) != mark]
            names = {name for name, key in state.shards.items() if self.have_shards.get(name) != key}
            rels += [rel for rel in live.stamps if _in_shard(rel, names)] if names else []
            found = {}
            for rel in rels:
                try:
                    st = os.lstat(self.out_dir / rel)
                    found[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
                except OSError:
                    pass
            self.lost = {rel for rel in rels if found.get(rel) != live.stamps.get(rel)}
            for rel in self.lost:
                _forget(rel, state.files, state.shards)
        else:
            _found, self.lost = _survey(self.out_dir, state.files, state.shards, live.stamps, state.copies)
        self.live = Spare(live.marker, dict(state.files), dict(state.shards), live.stamps)
        state.stamps = {}

    def _take_spare(self) -> bool:
        """Write into the spare folder when it is what `state-spare.pickle` says (its
        marker, and a survey of its files): True. The record is removed first: a build
        killed while changing the spare leaves a spare nobody trusts."""
        try:
            spare = _load(self.spare_file)
            marker = (self.spare_dir / MARKER).read_text(encoding="utf-8")
        except Exception:  # none, damaged, or no folder: write a staging folder
            return False
        if not isinstance(spare, Spare) or spare.marker != marker or self.spare_dir.is_symlink():
            return False
        self.spare_file.unlink()
        listed = self.walking.result() if self.walking is not None else None
        found, _lost = _survey(self.spare_dir, spare.files, spare.shards, spare.stamps, set(), listed)
        self.root = self.spare_dir
        self.have, self.have_shards = spare.files, spare.shards
        self.present = set(found)
        self.base_stamps = found
        pause("spare-taken")
        return True

    # ------------------------------------------------------------------ writing

    def _place(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        if rel in self.present:
            _unlink(path)  # never write through: the spare shares its inodes with the live site
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.present.add(rel)
        self.touched.add(rel)
        self._stamp(rel, path)

    def _stamp(self, rel: str, path: Path) -> None:
        if self.stamped is not None:
            st = os.lstat(path)
            self.stamped[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)

    def _drop(self, rel: str) -> None:
        """A file the folder being written must not keep as it is (in a spare, the folders
        it leaves empty go too: a fresh build would not have them)."""
        self.have.pop(rel, None)
        if rel in self.present:
            _unlink(self.root / rel)
            self.present.discard(rel)
            self.touched.add(rel)
            if self.in_place:
                folder = (self.root / rel).parent
                while folder != self.root:
                    try:
                        folder.rmdir()
                    except OSError:
                        break
                    folder = folder.parent

    def write(self, rel: str, data: bytes | str, group: str | None = None) -> bytes:
        """Write one file of the site (unless the live site or the folder being written
        holds these bytes already), as a member of `group` (see `unchanged_group`)."""
        if group is not None:
            self.state.groups[group][1].append(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        mark = digest(data)
        self.state.files[rel] = mark
        if self.have.get(rel) == mark:
            return mark
        if self.previous is not None and self.previous.files.get(rel) == mark:
            self._drop(rel)  # the live file is linked in at the commit
            return mark
        self._place(rel, data)
        self.have[rel] = mark
        return mark

    def forget(self, rel: str) -> None:
        """A file written earlier in this build (by mkdocs) that the site does not keep."""
        self.state.files.pop(rel, None)
        self._drop(rel)

    def copy(self, rel: str, source: Path) -> None:
        """Copy a file (an attachment): compared by size and modification time."""
        st = source.stat()
        mark = digest(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
        self.state.files[rel] = mark
        self.state.copies.add(rel)
        if self.have.get(rel) == mark:
            return
        if self.previous is not None and self.previous.files.get(rel) == mark:
            self._drop(rel)
            return
        target = self.root / rel
        if rel in self.present:
            _unlink(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.present.add(rel)
        self.touched.add(rel)
        self.have[rel] = mark
        self._stamp(rel, target)

    def adopt(self, folder: Path) -> list[Path]:
        """Take over every file another renderer wrote into `folder` (mkdocs); returns them."""
        taken = []
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.write(path.relative_to(folder).as_posix(), path.read_bytes())
                taken.append(path)
        return taken

    def record(
        self, files: list[tuple[str, bytes]], sources: list[tuple[str, bytes]], stamps: dict[str, tuple] | None = None
    ) -> None:  # fmt: skip
        """Digests (and stamps, as written) of files a worker process wrote itself."""
        self.state.files.update(files)
        self.state.sources.update(sources)
        self.have.update(files)
        self.present.update(rel for rel, _ in files)
        self.touched.update(rel for rel, _ in files)
        if self.stamped is not None:
            if stamps is None or any(rel not in stamps for rel, _ in files):
                self.stamped = None  # not known for each: the commit lists the folder
            else:
                self.stamped.update(stamps)

    def shard_dir(self, name: str) -> Path:
        """The folder a search shard is written into, emptied (see `clear`)."""
        target = self.root / "pagefind" / name
        if self.in_place:
            shutil.rmtree(target, ignore_errors=True)
            prefix = f"pagefind/{name}/"
            gone = {rel for rel in self.present if rel.startswith(prefix)}
            self.present -= gone
            self.touched |= gone
        self.have_shards[name] = self.state.shards.get(name, "")
        self.built_shards.add(name)
        return target

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
        """Keep the live file: its digest goes on, and a version written earlier in this
        build (by mkdocs, or an item rendered into an old shell) is dropped."""
        mark = self.state.files[rel] = self.previous.files[rel]
        if self.have.get(rel) != mark:
            self._drop(rel)

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
        """Put the new site in place; nothing before this touched the live output, and
        whatever fails before the swap leaves it (and the saved state) as it was."""
        if self.out_dir.is_dir():
            self._probe_live()
            if self.update:
                self._link_live()
        self._place(MARKER, self.state.marker.encode("utf-8"))
        self.state.stamps = self._stamps()
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.cache)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self.state, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.next_file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        ready = self.out_dir.with_name(f".{self.out_dir.name}.ready-{os.getpid()}")
        os.rename(self.root, ready)
        self.root = ready
        pause("swap")
        keep = self.spare_dir if self.live is not None else None  # after an update, the old site stays
        swap(ready, self.out_dir, self.background, keep=keep)
        pause("swapped")
        try:  # the site is in place; should this fail, the next build reads state-next
            if keep is not None and keep.is_dir():
                _save(self.spare_file, self.live, self.cache)
                _KEPT[self.spare_file] = (stamp(self.spare_file), self.live)
            os.replace(self.next_file, self.state_file)
            _KEPT[self.state_file] = (stamp(self.state_file), self.state)
            self.dirty.unlink(missing_ok=True)
        except OSError:
            pass

    def _probe_live(self) -> None:
        """Every live file this build replaces or drops must be deletable later, with the
        old site or the spare (`chattr +i` cannot): try a hard link of it, which such a
        file refuses too. An update probes only the files it changes; a full build all
        of them, in a thread started with the build (`_probe_all`)."""
        if self.probing is not None:
            self.probing.join()
            if self.probe_error is not None:
                raise self.probe_error
            return
        old, new = self.previous.files, self.state.files
        self._probe([rel for rel, mark in old.items() if new.get(rel) != mark] + sorted(self.lost))

    def _probe_all(self) -> None:
        try:
            self._probe(list(stamps(self.out_dir)))
        except OSError as exc:
            self.probe_error = exc

    def _probe(self, rels: list[str]) -> None:
        probe = os.path.join(self.out_dir.parent, f".{self.out_dir.name}.trash-probe-{os.getpid()}")
        for rel in rels:
            try:
                link_or_copy(os.path.join(self.out_dir, rel), probe, copy=False)
            except FileNotFoundError:
                continue
            _unlink(probe)

    def _link_live(self) -> None:
        """Make the folder being written the whole new site: hard-link every live file it
        keeps that the folder does not hold already (all of them into a staging folder,
        the changed ones into the spare), and delete what the new site no longer has."""
        out, root, state = self.out_dir, self.root, self.state
        for rel in self.present - state.files.keys() - {MARKER}:
            if not _in_shard(rel, state.shards):
                self._drop(rel)
        for name in list(self.have_shards):
            if self.have_shards[name] != state.shards.get(name):
                shutil.rmtree(root / "pagefind" / name, ignore_errors=True)
                gone = {rel for rel in self.present if rel.startswith(f"pagefind/{name}/")}
                self.present -= gone
                self.touched |= gone
                del self.have_shards[name]
        for name, fingerprint in state.shards.items():
            if self.have_shards.get(name) == fingerprint:
                continue
            for dirpath, _dirs, names in os.walk(out / "pagefind" / name):
                rel_dir = os.path.relpath(dirpath, out).replace(os.sep, "/") + "/"
                self._links(out, [rel_dir + n for n in names])
            self.have_shards[name] = fingerprint
        self._links(out, [rel for rel, mark in state.files.items() if self.have.get(rel) != mark])
        for rel in state.files:
            self.have[rel] = state.files[rel]

    def _links(self, out: Path, rels: list[str]) -> None:
        made: set[str] = set()
        for rel in rels:
            target = self.root / rel
            if rel in self.present:
                _unlink(target)
            else:
                parent = rel.rpartition("/")[0]
                if parent and parent not in made:
                    os.makedirs(target.parent, exist_ok=True)
                    made.add(parent)
            link_or_copy(out / rel, target)
            self.present.add(rel)
            self.touched.add(rel)

    def _stamps(self) -> dict[str, tuple[int, int, int]]:
        """(size, modification time, inode) of every file of the new site: in a spare,
        those of the files this build did not touch are known from its survey."""
        if self.stamped is not None:  # a full build: every file was stamped as it was written
            found = {rel: st for rel, st in self.stamped.items() if rel in self.present and rel != MARKER}
            for name in sorted(self.built_shards):
                shard = self.root / "pagefind" / name
                if shard.is_dir():
                    found.update((f"pagefind/{name}/{rel}", st) for rel, st in stamps(shard).items())
            return found
        if not self.in_place:
            return stamps(self.root)
        found = {rel: st for rel, st in self.base_stamps.items() if rel not in self.touched and rel in self.present}
        for rel in self.touched & self.present:
            if rel != MARKER:
                st = os.lstat(self.root / rel)
                found[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
        for name in self.built_shards:  # written by Pagefind, not through `write`
            shard = self.root / "pagefind" / name
            if shard.is_dir():
                found.update((f"pagefind/{name}/{rel}", st) for rel, st in stamps(shard).items())
        return found

    def abandon(self) -> None:
        """The build failed: drop what it wrote; the live site was not touched (a spare
        that was being changed is deleted: nothing describes it any more)."""
        if getattr(self, "walking", None) is not None:
            self._stop_walking()
        if getattr(self, "probing", None) is not None:
            self.probing.join()
        if getattr(self, "root", None) is not None:
            if self.root == self.spare_dir:
                discard(self.root, self.background)
            else:
                shutil.rmtree(self.root, ignore_errors=True)


def _in_shard(rel: str, shards) -> bool:
    parts = rel.split("/", 2)
    return len(parts) == 3 and parts[0] == "pagefind" and parts[1] in shards


_CHILD = [listing_script.__file__]  # what the child runs: generator/listing.py, by its path


class Walk:
    """The listing of the spare folder, made by a child process started with the build:
    ~30,000 stats of a 10,000-item site (0.5–0.9 s here) run on another CPU while this
    process loads the state. Only a listing: what it means is decided by `_survey`, here,
    after the spare's record was removed; the folder is walked again here when the
    child failed (its errors are this process's, as they were)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc

    @classmethod
    def start(cls, folder: Path, record: Path) -> Walk | None:
        """A walk of `folder` when it may be a spare we trust: it and its `record` exist."""
        try:
            if not record.is_file() or folder.is_symlink() or not folder.is_dir():
                return None
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", *_CHILD, str(folder), MARKER],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError:  # the build itself says what is wrong, if it matters
            return None
        return cls(proc)

    def result(self) -> dict | None:
        """The listing; None when the child failed (an unreadable folder …)."""
        try:
            data, _ = self.proc.communicate()
        except OSError:
            self.stop()
            return None
        if self.proc.returncode != 0:
            return None
        try:
            found = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        return found if isinstance(found, dict) else None

    def stop(self) -> None:
        """Not needed (or done): the child is ended and waited for."""
        if self.proc.returncode is None:  # else `result` waited for it
            self.proc.kill()
            self.proc.communicate()


def _survey(
    folder: Path, files: dict, shards: dict, known: dict, copies: set, found: dict | None = None
) -> tuple[dict, set]:
    """Compare a folder with what a build left in it: files gone, or whose size, time or
    inode changed (or, for a sample, whose bytes differ) are taken out of `files` (a
    search shard with such a file out of `shards`), so that the build writes them again.
    `found`: its listing (`listing`), when a child process made it. Returns the stamps of
    every file found and the set of those taken out."""
    if found is None:
        found = listing(str(folder), MARKER)
    changed = {rel for rel, st in known.items() if found.get(rel) != st}
    changed -= _same_bytes(folder, changed, files, copies, known, found)
    readable = sorted(rel for rel in files.keys() - changed - copies if rel in found)
    for rel in random.sample(readable, min(SAMPLE, len(readable))):
        try:
            if digest((folder / rel).read_bytes()) != files[rel]:
                changed.add(rel)
        except OSError:
            changed.add(rel)
    lost = changed | (files.keys() - found.keys())
    for rel in lost:
        _forget(rel, files, shards)
    return found, lost


def _same_bytes(folder: Path, changed: set, files: dict, copies: set, known: dict, found: dict) -> set[str]:
    """The files among `changed` (new stamps) that hold the bytes recorded: read whole and
    compared with their digest. A CI cache restores the output with new inodes (and a
    copy of the output has new times): its files are the last build's, and reading them
    costs far less than rendering them again. A file of another size is not read."""
    same = set()
    for rel in sorted(changed):
        mark, now = files.get(rel), found.get(rel)
        if mark is None or rel in copies or now is None or now[0] != known[rel][0]:
            continue
        try:
            if digest((folder / rel).read_bytes()) == mark:
                same.add(rel)
        except OSError:
            pass
    return same


def _forget(rel: str, files: dict, shards: dict) -> None:
    files.pop(rel, None)
    if rel.startswith("pagefind/"):
        shards.pop(rel.split("/")[1], None)


_KEPT: dict[Path, tuple[tuple, object]] = {}  # state file → (its stamp, what this process wrote into it)


def _load(path: Path):
    """What a state file holds: taken from memory when this process wrote it and it has
    not changed since (`gongkai serve` builds again and again), else unpickled. Taken,
    not shared: the build changes it."""
    kept = _KEPT.pop(path, None)
    if kept is not None and kept[0] == stamp(path):
        return kept[1]
    with path.open("rb") as handle, no_collection():
        return pickle.load(handle)


def _save(path: Path, value, folder: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _unlink(path: Path) -> None:
    """Delete a file; an immutable one (`chattr +i`) is a PermissionError that says so."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except PermissionError as exc:
        _refuse_immutable(exc, path)
        raise


def _refuse_immutable(exc: OSError, path) -> None:
    """Raise the PermissionError that says so when `exc` came from an immutable or
    append-only file (`chattr +i`/`+a`): it can be neither linked nor deleted."""
    if exc.errno == errno.EPERM and _immutable(path):
        message = "文件被设为不可修改（chattr +i）或只能追加（chattr +a）"
        raise PermissionError(errno.EPERM, message, str(path)) from None


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


def stamps(root: Path) -> dict[str, tuple[int, int, int]]:
    """(size, modification time, inode) of every file under `root` but the marker."""
    found = {}
    for dirpath, _dirs, names in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix() + "/" if dirpath != str(root) else ""
        for name in names:
            if rel_dir or name != MARKER:
                st = os.lstat(os.path.join(dirpath, name))
                found[rel_dir + name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


FS_IOC_GETFLAGS = 0x80086601  # linux/fs.h, _IOR('f', 1, long)
FS_IMMUTABLE_FL, FS_APPEND_FL = 0x10, 0x20


def _immutable(path: Path) -> bool:
    """True for a file marked `chattr +i` or `+a`: it can be neither linked nor deleted."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        flags = struct.unpack("i", fcntl.ioctl(fd, FS_IOC_GETFLAGS, bytes(8))[:4])[0]
    except OSError:  # the filesystem keeps no such flags
        return False
    finally:
        os.close(fd)
    return bool(flags & (FS_IMMUTABLE_FL | FS_APPEND_FL))


def link_or_copy(source: Path, target: Path, copy: bool = True) -> None:
    """A hard link of `source` at `target`, or (another filesystem, a filesystem without
    links, too many links) a copy; with `copy` false only the link is tried (a probe).
    Raises PermissionError for an immutable or append-only file: it could not be deleted
    with the old site either."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError as exc:
        _refuse_immutable(exc, source)
        if copy:
            shutil.copy2(source, target)


def pause(point: str) -> None:
    """Tests only: with GONGKAI_TEST_PAUSE_AT=<point>, say so on stderr and sleep here,
    so that a test can kill the build at this very moment."""
    if os.environ.get(PAUSE_AT) == point:
        print(f"paused at {point}", file=sys.stderr, flush=True)
        time.sleep(3600)


_RENAME_EXCHANGE, _AT_FDCWD = 2, -100


def _exchange(new: Path, live: Path) -> bool:
    """Swap two folders atomically (renameat2 RENAME_EXCHANGE); False where the C
    library, the kernel or the filesystem cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(live), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(live))


def swap(new: Path, out_dir: Path, background: bool, keep: Path | None = None) -> None:
    """Put the finished folder `new` in place of `out_dir`: atomically where the system
    can, else with two renames (a build killed between them is rolled forward by
    `recover`). The old site is then renamed to `keep` (the spare), else deleted."""
    if not out_dir.exists():
        os.rename(new, out_dir)
        return
    if _exchange(new, out_dir):
        old = new  # `new` now names the old site
    else:
        old = out_dir.with_name(f".{out_dir.name}.previous-{os.getpid()}")
        os.rename(out_dir, old)
        pause("between-renames")
        try:
            os.rename(new, out_dir)
        except OSError:
            os.rename(old, out_dir)  # back: the old site stays
            raise
    if keep is not None:
        try:
            discard(keep, background)
            os.rename(old, keep)
            return
        except OSError:
            pass
    discard(old, background)


def recover(out_dir: Path, background: bool = False) -> None:
    """Repair what a killed build left beside `out_dir` (call with the lock held): a
    missing output comes back — the finished new site if there is one, else the old —
    and every temporary folder is deleted now."""
    parent, name = out_dir.parent, out_dir.name

    def newest(kind: str) -> list[Path]:
        return sorted(parent.glob(f".{name}.{kind}-*"), key=lambda p: p.stat().st_mtime_ns)[-1:]

    if not out_dir.exists():
        for candidate in newest("ready") or newest("previous"):
            os.rename(candidate, out_dir)
    for kind in TEMPORARY:
        for folder in parent.glob(f".{name}.{kind}-*"):
            if folder.is_dir() and not folder.is_symlink():
                discard(folder, background)
            else:
                folder.unlink(missing_ok=True)


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
    base = folder.name.lstrip(".").removesuffix(".spare")
    for kind in TEMPORARY:  # .OUT.ready-123 → .OUT.trash-…
        base = base.split(f".{kind}-")[0]
    hidden = folder.with_name(f".{base}.trash-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.replace(folder, hidden)
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(hidden)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    except OSError:
        shutil.rmtree(hidden if hidden.exists() else folder, ignore_errors=True)


# ---------------------------------------------------------------------- the lock


@contextmanager
def locked(out_dir: Path, cache_root: Path, wait: float = LOCK_WAIT):
    """Hold the output (`.OUT.lock` beside it, never inside the web root) and then the
    site's cache (`.gongkai-cache/build.lock`) for one build. A second build waits up to
    `wait` seconds, saying so once on stderr, then raises OutputBusy (`wait` 0: at once).
    Lock files are removed when released."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    cache_root.mkdir(parents=True, exist_ok=True)
    with (
        _flock(out_dir.with_name(f".{out_dir.name}.lock"), out_dir, wait),
        _flock(cache_root / "build.lock", cache_root, wait),
    ):
        yield


@contextmanager
def _flock(path: Path, what: Path, wait: float):
    deadline, told = time.monotonic() + wait, False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise OutputBusy(what, wait) from None
            if not told:
                print(f"另一个构建正在写入 {what}，等待中（最多 {wait:g} 秒）……", file=sys.stderr, flush=True)
                told = True
            time.sleep(0.2)
            continue
        try:  # the holder before us may have removed the file: lock the one at `path`
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(path)  # while still holding it: a waiter sees the file gone and retries
        except OSError:
            pass
        os.close(fd)
