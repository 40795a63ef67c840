"""The publication register: a public record that cannot silently change.

`gongkai publish` records every published item (not drafts) in `content/.register`, a
committed text file with one line per version of an item:

    index_no <TAB> version <TAB> date <TAB> content_hash <TAB> revisions <TAB> withdrawn <TAB> path

- `index_no`: the item's 索引号, which identifies it for ever;
- `version`: 1 for the first publication, then 2, 3 … (contiguous, no gaps);
- `date`: the date this version took effect: the latest of `published`, the
  `revisions` dates and the `withdrawn` date (YYYY-MM-DD);
- `content_hash`: `sha256:<hex>` of the item's canonical record (see `record_json`);
- `revisions`: how many `revisions` entries the version has;
- `withdrawn`: the version's `withdrawn` date, or `-`;
- `path`: the source file, relative to the site folder (informational: a file may move).

Lines are written sorted; git merges the file line by line (`merge=union` in
.gitattributes), so two branches that publish different items merge cleanly. A line is
never edited or deleted: `publish` keeps every line as it is, and `gongkai check`
compares the file with git (generator/history.py). Lines recording the same version with the same content (both
sides of a merge published it) count once.

`gongkai check` then holds the content to the register (`check_site`):

- `register-changed`: a registered item whose canonical record differs from its last
  registered version must carry a *new* dated record of the change: new `revisions`
  entries appended after the ones on record, each with a note and dated on or after the
  last version's date, or a new `withdrawn: {date, reason}` dated likewise. Revisions on
  record may not be removed;
- `register-deleted`: a registered item's file is gone, or was turned back into a draft
  (published information is withdrawn, never deleted);
- `register-renumbered`: the file of a registered item now carries another index number;
- `register-conflict` / `register-invalid`: the register itself is damaged (two different
  lines for one version after a merge, malformed lines, missing versions).

A file that moved (same index number, new path) is fine: the next version line records
the new path.

The canonical record of an item is the JSON of its validated data
(`model.model_dump(mode="json", exclude_defaults=True)`) with sorted keys, compact
separators and unescaped Chinese: independent of key order, Chinese or English keys,
BOM, CRLF and comments. It is the data *as written*: the loader takes it
(`canonical_record`) when it validates the file, and the entry carries it as its field
`record`, so no check that fills in derived values (say an appointment's end date computed
from working days) reaches it, and a new holiday calendar never changes a hash.
Fields left at their default are omitted, so adding an optional field to a model does not
change every hash either.

For the built site:

- `public_register(site)` → the bytes of `/data/register.json`:
  `{format, site, hash_rule, genesis, count, head, entries: [{index_no, version, date,
  content_hash, url, prev, hash}]}`, every version recorded in content/.register (never
  one `publish` did not record: `gongkai build` refuses those) in the order (date,
  index_no, version), as a hash chain:

      hash = "sha256:" + hex(sha256(UTF-8 of JSON [prev, index_no, version, date, content_hash]))

  (compact JSON, no spaces); `prev` is the previous link's hash, `GENESIS` for the first;
  `head` is the last hash. `url` (the item's current page, site-relative) is not hashed.
- `seal(entry, fragment)` → (head tags, marked fragment) for an item page: a
  `<meta name="gk-content-hash">` with `page_fingerprint(fragment)` and a
  `<script type="application/json" id="gk-record">` with the canonical record go into
  `<head>`; the fragment is wrapped in `<!--gk-body-start-->` … `<!--gk-body-end-->`.
  `extract(page)` reads the three back; `gongkai verify` checks them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pydantic
import pydantic_core

from generator import sitememo
from generator.load.cache import noted, read_once
from generator.numbering import atomic_write

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry, Site

REGISTER_FILE = ".register"
REGISTER_PATH = f"content/{REGISTER_FILE}"
PUBLIC_PATH = "data/register.json"
FORMAT = "gongkai-register/1"
GENESIS = "sha256:" + "0" * 64
HASH_RULE = (
    'sha256 of the UTF-8 JSON array [prev, index_no, version, date, content_hash], separators (",", ":"), '
    "non-ASCII unescaped"
)

BODY_START = "<!--gk-body-start-->"
BODY_END = "<!--gk-body-end-->"
META_NAME = "gk-content-hash"
RECORD_ID = "gk-record"

REGISTER_HEADER = (
    "# gongkai publication register: one line per published version of an item, written by\n"
    "# `gongkai publish`. Never edit or delete a line. git merges this file line by line.\n"
    "# index_no<TAB>version<TAB>date<TAB>content_hash<TAB>revisions<TAB>withdrawn<TAB>path\n"
)

PREVIEW_BANNER = (
    '<p class="gk-banner gk-banner--draft"><strong class="gk-banner__title">预览</strong> '
    "此版本尚未登记发布（gongkai publish），正式生成时不会出现在网站上。</p>"
)
_HASH = re.compile(r"sha256:[0-9a-f]{64}\Z")


# ---------------------------------------------------------------- canonical record


def canonical(data: object) -> str:
    """The canonical JSON text of plain data: sorted keys, compact, non-ASCII unescaped."""
    return _CANONICAL.encode(data)


# What `json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` makes
# (the same text), made once: dumps makes an encoder for every call with these options.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_record(model: pydantic.BaseModel) -> str:
    """The canonical JSON of an item's validated data, as written (see the module notes).
    Taken by the loader, before any check: an entry carries it as `entry.record`."""
    return canonical(record_data(model))


def record_data(model: pydantic.BaseModel) -> dict:
    """The data whose canonical JSON is the record (`canonical_record`)."""
    return model.model_dump(mode="json", exclude_defaults=True)


def record_json(entry: Entry) -> str:
    """The canonical record of the entry's item (`canonical_record`, taken when it was read)."""
    return entry.record


def content_hash(entry: Entry) -> str:
    """`sha256:<hex>` of `record_json(entry)`. An entry read through the content cache has
    its record's digest (`memo.fingerprint`): the hash is taken once per record and kept
    with it between runs (generator/sitememo.py)."""
    memo = entry.memo
    if memo is not None and memo.fingerprint:
        return sitememo.record_hash(memo.fingerprint, lambda: _record_sha(record_json(entry)))
    return _record_sha(record_json(entry))


@lru_cache(maxsize=1 << 16)
def _record_sha(record: str) -> str:
    """Asked several times a run for each entry (check, publish, the preview's marks);
    an entry keeps its record string, whose hash Python keeps: the lookup is cheap."""
    return sha256(record)


def record_hash(record_text: str) -> str:
    """The content hash of a record read back from a page (any JSON spelling of it)."""
    return sha256(canonical(json.loads(record_text)))


def version_date(entry: Entry) -> dt.date:
    """The date the current version took effect."""
    model = entry.model
    dates = [model.published] + [r.date for r in model.revisions]
    if model.withdrawn is not None:
        dates.append(model.withdrawn.date)
    return max(dates)


def withdrawn_date(entry: Entry) -> dt.date | None:
    return entry.model.withdrawn.date if entry.model.withdrawn is not None else None


# ---------------------------------------------------------------- the register file


@dataclass(frozen=True, order=True)
class Version:
    index_no: str
    version: int
    date: dt.date
    content_hash: str
    revisions: int
    withdrawn: dt.date | None
    path: str
    line: int = field(default=0, compare=False)  # line in content/.register, for messages

    def text(self) -> str:
        withdrawn = self.withdrawn.isoformat() if self.withdrawn else "-"
        date = self.date.isoformat()
        fields = (self.index_no, self.version, date, self.content_hash, self.revisions, withdrawn, self.path)
        return "\t".join(str(f) for f in fields) + "\n"

    @property
    def link(self) -> tuple:
        """What the public chain records of this version."""
        return (self.index_no, self.version, self.date.isoformat(), self.content_hash)


class RegisterError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def read_register(content_dir: Path) -> list[Version]:
    """Every line of content/.register, exact duplicates removed. Raises RegisterError.
    A check, a build and its publishing stage all ask: the file is parsed once while its
    stamp stays the same (`read_once`)."""
    try:
        versions = read_once(content_dir / REGISTER_FILE, _read_register)
    except OSError as exc:
        raise RegisterError(0, f"无法读取发布登记簿：{exc.strerror}") from None
    return list(versions) if versions is not None else []


def _read_register(path: Path) -> list[Version]:
    return _parse_register(_read_bytes(path))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RegisterError(0, f"无法读取发布登记簿：{exc.strerror}") from None


_PARSED: tuple[bytes, list] = (b"", [])  # the bytes last parsed, and their versions: the checks and the chain ask


def _parse_register(data: bytes) -> list[Version]:
    global _PARSED
    known = _PARSED  # one reference, swapped whole (a preview's threads)
    if known[0] != data or not data:
        known = _PARSED = (data, _parse_text(data))  # a failed parse is not kept
    return list(known[1])


def _parse_text(data: bytes) -> list[Version]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterError(0, "发布登记簿不是 UTF-8 编码") from None
    found: dict[tuple, Version] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
            raise RegisterError(number, "发布登记簿中有未解决的 git 合并冲突标记")
        version = _parse_line(line, number)
        found.setdefault(version.link, version)  # the same version recorded twice (say, moved on one branch)
    return sorted(found.values())


def _parse_line(line: str, number: int) -> Version:
    parts = line.split("\t")
    if len(parts) != 7 or not all(p.strip() for p in parts):
        raise RegisterError(
            number, "登记行应为“索引号<TAB>版本<TAB>日期<TAB>内容哈希<TAB>修订数<TAB>撤销日期<TAB>文件路径”"
        )
    index_no, version, date, digest, revisions, withdrawn, path = parts
    if not version.isdigit() or int(version) < 1:
        raise RegisterError(number, f"版本号“{version}”应为正整数")
    try:
        day = dt.date.fromisoformat(date)
        gone = None if withdrawn == "-" else dt.date.fromisoformat(withdrawn)
    except ValueError:
        raise RegisterError(number, f"日期“{date}”或撤销日期“{withdrawn}”应为 YYYY-MM-DD（未撤销写 -）") from None
    if not _HASH.match(digest):
        raise RegisterError(number, f"内容哈希“{digest}”应为 sha256:<64 位十六进制>")
    if not revisions.isdigit():
        raise RegisterError(number, f"修订数“{revisions}”应为非负整数")
    return Version(index_no, int(version), day, digest, int(revisions), gone, path, number)


def history(versions: list[Version]) -> dict[str, list[Version]]:
    """index_no → its versions in order."""
    by_index: dict[str, list[Version]] = {}
    for version in sorted(versions):
        by_index.setdefault(version.index_no, []).append(version)
    return by_index


def register_problems(versions: list[Version]) -> list[tuple[int, str, str, str]]:
    """Damage in the register itself: [(line, code, message, hint)]."""
    return _problems(history(versions))


def _problems(by_index: dict[str, list[Version]]) -> list[tuple[int, str, str, str]]:
    """`register_problems` of the versions `history` gave."""
    found = []
    for number, lines in by_index.items():
        if len(lines) == 1 and lines[0].version == 1:
            continue  # one line, of the first version: nothing to report (most items)
        by_version: dict[int, list[Version]] = {}
        for version in lines:
            by_version.setdefault(version.version, []).append(version)
        for n, same in sorted(by_version.items()):
            if len({v.link for v in same}) > 1:
                rows = "、".join(str(v.line) for v in same)
                found.append((
                    max(v.line for v in same), "register-conflict",
                    f"索引号 {number} 的第 {n} 版登记了不同的内容（第 {rows} 行；两个分支各自修订同一条目后合并所致）",
                    "删除与条目当前内容不符的那一行，核对修订记录后再运行 gongkai publish",
                ))  # fmt: skip
        present = sorted(by_version)
        missing = [n for n in range(1, present[-1] + 1) if n not in by_version]
        if missing:
            found.append((
                min(v.line for v in lines), "register-invalid",
                f"索引号 {number} 缺少第 {'、'.join(map(str, missing))} 版的登记行",
                "登记簿只能追加：用 git 恢复被删除的行",
            ))  # fmt: skip
    return found


def latest(versions: list[Version]) -> dict[str, Version]:
    """index_no → its last registered version."""
    return {number: lines[-1] for number, lines in history(versions).items()}


class View:
    """What the checks and `publish` ask of the register, derived from its bytes and kept
    between runs while they stay the same (generator/sitememo.py): parsing 10,000 lines
    into versions took a tenth of a second of every one-item update. For each index
    number, the content hash of its last version and the line that records it: the
    version itself is parsed from that line when asked for (`last`)."""

    def __init__(self, data: bytes, problems: list, hashes: dict[str, str], lines: dict[str, int]):
        self.data = data  # the file's bytes
        self.problems = problems  # `register_problems`
        self.hashes = hashes  # index_no → the content hash of its last version, in index_no order
        self.lines = lines  # index_no → the line of its last version
        self._text: list[str] | None = None

    def last(self, number: str) -> Version:
        """The last version of `number` (one it has), as `latest` gives it."""
        if self._text is None:
            self._text = self.data.decode("utf-8-sig").splitlines()
        line = self.lines[number]
        return _parse_line(self._text[line - 1].rstrip("\r"), line)

    def versions(self) -> list[Version]:
        return _parse_register(self.data)


def register_view(content_dir: Path) -> View | None:
    """The `View` of content/.register; None when there is none. Raises RegisterError
    as `read_register` does (nothing is kept of a register that cannot be read)."""
    path = content_dir / REGISTER_FILE
    if noted(path) is None:  # as `read_once` notes it, for the memo of the whole check
        return None
    data = _read_bytes(path)
    return View(data, *sitememo.derived(content_dir.parent, "register", data, lambda _: _derive_view(data)))


def _derive_view(data: bytes) -> tuple[list, dict, dict]:
    by_index = history(_parse_register(data))
    last = [(number, lines[-1]) for number, lines in sorted(by_index.items())]
    hashes = {number: version.content_hash for number, version in last}
    return _problems(by_index), hashes, {number: version.line for number, version in last}


def pending(site: Site, versions: list[Version]) -> list[Version]:
    """The version lines `publish` would add now: new items and changed ones."""
    last = latest(versions)
    return _pending(site, {n: v.content_hash for n, v in last.items()}, lambda n: last[n].version)


def _pending(site: Site, hashes: dict[str, str], version_of) -> list[Version]:
    """`pending` against the content hash of each number's last version (`hashes`) and
    its version number (`version_of(index_no)`)."""
    changed = []
    for entry in site.entries:
        number = entry.index_no
        if entry.is_draft or not number:
            continue
        digest = content_hash(entry)
        before = hashes.get(number)
        if before != digest:
            changed.append((entry, digest, before))
    added = []  # in the order of (index_no, path): only the changed entries sorted, not all 10,000
    for entry, digest, before in sorted(changed, key=lambda found: (found[0].index_no, found[0].rel)):
        number = entry.index_no
        version = 1 if before is None else version_of(number) + 1
        revisions = len(entry.model.revisions)
        added.append(Version(number, version, version_date(entry), digest, revisions, withdrawn_date(entry), entry.rel))
    return added


def publish(site: Site, dry_run: bool = False) -> list[Version]:
    """Append a version line for every new or properly revised item. Writes nothing when
    nothing changed. The caller must have run the checks (see `cmd_publish`)."""
    added = _unrecorded(site.content_dir, site)
    if added and not dry_run:
        append_register(site.content_dir, added)
    return added


def append_register(content_dir: Path, added: list[Version]) -> None:
    """Add lines to content/.register, keeping every line already there exactly as it is
    (`gongkai check` compares them with git: see generator/history.py)."""
    path = content_dir / REGISTER_FILE
    kept = path.read_bytes().decode("utf-8-sig").splitlines() if path.exists() else []
    lines = {line.rstrip("\r") + "\n" for line in kept if line.strip() and not line.startswith("#")}
    lines |= {v.text() for v in added}
    atomic_write(path, (REGISTER_HEADER + "".join(sorted(lines))).encode("utf-8"))


def unrecorded(site: Site) -> list[tuple[Entry, Version]]:
    """Published items whose current version is not in content/.register: `gongkai build`
    refuses them (only recorded versions are built), a preview shows them with a banner.
    Raises RegisterError when the register is unreadable."""
    added = _unrecorded(site.content_dir, site)
    if not added:
        return []
    by_index = {e.index_no: e for e in site.entries if e.index_no and not e.is_draft}
    return [(by_index[v.index_no], v) for v in added]


def _unrecorded(content_dir: Path, site: Site) -> list[Version]:
    """`pending(site, read_register(content_dir))`, from the register's `View`."""
    view = register_view(content_dir)
    if view is None:
        return _pending(site, {}, None)
    return _pending(site, view.hashes, lambda number: view.last(number).version)


def mark_unrecorded(site: Site) -> int:
    """For a preview: flag the entries `unrecorded` finds, so that `seal` puts the 预览
    banner on their pages. Returns how many."""
    found = unrecorded(site)
    for entry, _ in found:
        entry.unrecorded = True
    return len(found)


# ---------------------------------------------------------------- `gongkai check`


def check_site(site: Site, ctx: Context) -> None:
    """Hold the content to content/.register (see the module notes for the rules)."""
    problems = ctx.problems
    try:
        view = register_view(site.content_dir)
    except RegisterError as exc:
        hint = "用 git 恢复该文件；登记簿只能由 gongkai publish 追加"
        problems.error(REGISTER_PATH, (exc.line, 1), "register-invalid", str(exc), hint)
        return
    if view is None or not view.hashes:
        return
    for line, code, message, hint in view.problems:
        problems.error(REGISTER_PATH, (line, 1), code, message, hint)
    by_index = {e.index_no: e for e in site.entries if e.index_no}
    by_path = lines_of = None  # what only a missing item needs
    for number, digest in view.hashes.items():
        entry = by_index.get(number)
        if entry is None:
            if by_path is None:
                by_path, lines_of = {e.rel: e for e in site.entries}, history(view.versions())
            _missing(site, ctx, number, view.last(number), by_path, lines_of[number])
        elif entry.is_draft or content_hash(entry) != digest:  # else: as registered, nothing to hold
            _hold(entry, ctx, view.last(number))


def check_entry(entry: Entry, ctx: Context) -> None:
    """What `check_site` holds one entry to (a preview's quick page, checks/__init__.py
    `recheck`); and, for the preview, whether its version is recorded (the 预览 banner).
    An unreadable register is left to `check_site`."""
    number = entry.index_no
    try:
        view = register_view(ctx.site.content_dir) if number else None
    except RegisterError:
        return
    last = view.last(number) if view is not None and number in view.hashes else None
    if last is not None:
        _hold(entry, ctx, last)
    recorded = last is not None and last.content_hash == content_hash(entry)
    entry.unrecorded = bool(number) and not entry.is_draft and not recorded


def _hold(entry: Entry, ctx: Context, last: Version) -> None:
    if entry.is_draft:
        ctx.error(
            entry, ("status",), "register-deleted",
            f"条目 {last.index_no} 已公开发布（登记至第 {last.version} 版，{last.date}），不能改回草稿",
            "已公开的信息只能撤销：恢复 status: published，并加上 withdrawn: {date: YYYY-MM-DD, reason: 撤销原因}",
        )  # fmt: skip
    else:
        _changed(entry, ctx, last)


def _missing(site: Site, ctx: Context, number: str, last: Version, by_path: dict, lines: list[Version]) -> None:
    paths = [v.path for v in reversed(lines)]
    for path in dict.fromkeys(paths):
        holder = by_path.get(path)
        if holder is not None:
            now = holder.index_no
            what = f"现在写成了 {now}" if now else "现在被删除了"
            ctx.error(
                holder, ("index_no",), "register-renumbered",
                f"此文件已登记发布为索引号 {number}（第 {last.version} 版，{last.date}），{what}",
                f"索引号一经公开不得修改：改回 index_no: {number}",
            )  # fmt: skip
            return
        if noted(site.site_dir / path) is not None:
            return  # the file is there but could not be read: its own errors say why
    ctx.problems.error(
        REGISTER_PATH, (last.line, 1), "register-deleted",
        f"已登记发布的条目 {number}（{last.path}，第 {last.version} 版，{last.date}）的文件不见了",
        f"已公开的信息不能删除：用 git 恢复 {last.path}，加上 withdrawn: {{date: YYYY-MM-DD, reason: 撤销原因}} 撤销它",
    )  # fmt: skip


def _changed(entry: Entry, ctx: Context, last: Version) -> None:
    if content_hash(entry) == last.content_hash:
        return
    model = entry.model
    hint = f"在 revisions 末尾加一条 {{date: YYYY-MM-DD, note: 修改说明}}（日期不早于 {last.date}），或撤销这次修改"
    since = f"上次登记为第 {last.version} 版（{last.date}）"
    if len(model.revisions) < last.revisions:
        ctx.error(
            entry, ("revisions",), "register-changed",
            f"已公开的条目 {last.index_no} 的修订记录被删除了：登记的第 {last.version} 版有 {last.revisions} 条，"
            f"现在只有 {len(model.revisions)} 条",
            "修订记录只能追加：恢复被删除的记录，再在末尾加上这次修改的说明",
        )  # fmt: skip
        return
    new = list(enumerate(model.revisions))[last.revisions :]
    newly_withdrawn = model.withdrawn is not None and last.withdrawn is None
    if not new and not newly_withdrawn:
        loc = ("revisions",) if model.revisions else ()
        message = f"已公开的条目 {last.index_no} 内容有改动，但没有新的修订记录；{since}"
        ctx.error(entry, loc, "register-changed", message, hint)
        return
    dated = [(r.date, ("revisions", i, "date"), "修订") for i, r in new]
    if newly_withdrawn:
        dated.append((model.withdrawn.date, ("withdrawn", "date"), "撤销"))
    for date, loc, what in dated:
        if date < last.date:
            ctx.error(
                entry, loc, "register-changed",
                f"已公开的条目 {last.index_no} 内容有改动，"
                f"但新的{what}日期 {date} 早于上次登记的第 {last.version} 版的日期 {last.date}",
                hint,
            )  # fmt: skip
    for i, revision in new:
        if not revision.note.strip():
            message, hint = f"修订记录（{revision.date}）没有说明", "在 note 中写明修改了什么、为什么"
            ctx.error(entry, ("revisions", i, "note"), "register-changed", message, hint)


# ---------------------------------------------------------------- the public register


def public_versions(site: Site) -> list[Version]:
    """Every registered version, in chain order: only what `gongkai publish` recorded is
    ever in the public chain (`gongkai build` refuses unrecorded versions, cli.py)."""
    return sorted(read_register(site.content_dir), key=chain_key)


def chain_key(version) -> tuple:
    """(date, index_no, version): deterministic, and a union-merged register still chains."""
    if isinstance(version, dict):
        return (version["date"], version["index_no"], version["version"])
    return (version.date.isoformat(), version.index_no, version.version)


def link_hash(prev: str, index_no: str, version: int, date: str, digest: str) -> str:
    return sha256(canonical([prev, index_no, version, date, digest]))


def chain(versions: list[Version], urls: dict[str, str] | None = None) -> dict:
    return _chain_data(*_links(versions), urls or {})


def _links(versions: list[Version], before: tuple[list[tuple], str] | None = None) -> tuple[list[tuple], str]:
    """([(index_no, version, date, content_hash, prev, hash)] in chain order, head). The
    links of `before` (the chain of an earlier register) are taken as far as the two
    chains record the same versions: a hash depends on those before it only, and a new
    version is usually the last (a publish adds today's)."""
    ordered, seen = [], set()
    for link in sorted([v.link for v in versions], key=lambda link: (link[2], link[0], link[1])):  # chain_key
        if link not in seen:
            seen.add(link)
            ordered.append(link)
    links = []
    if before is not None:
        same, most = 0, min(len(before[0]), len(ordered))
        while same < most and before[0][same][:4] == ordered[same]:
            same += 1
        links = before[0][:same]
    prev = links[-1][5] if links else GENESIS
    for index_no, number, date, digest in ordered[len(links) :]:
        this = link_hash(prev, index_no, number, date, digest)
        links.append((index_no, number, date, digest, prev, this))
        prev = this
    return links, prev


def _chain_data(links: list[tuple], head: str, urls: dict[str, str]) -> dict:
    entries = [
        {"index_no": index_no, "version": number, "date": date, "content_hash": digest,
         "url": urls.get(index_no), "prev": prev, "hash": this}
        for index_no, number, date, digest, prev, this in links
    ]  # fmt: skip
    return {
        "format": FORMAT, "hash_rule": HASH_RULE, "genesis": GENESIS, "count": len(entries), "head": head,
        "entries": entries,
    }  # fmt: skip


def public_register(site: Site) -> bytes:
    """The bytes of /data/register.json (see the module notes). Raises RegisterError when
    content/.register is unreadable (`gongkai check` reports that first). The chain's
    links are kept with the register's bytes (generator/sitememo.py): only the URLs are
    the site's now."""
    urls = {e.index_no: e.url for e in site.entries if e.index_no and not e.is_draft}
    path = site.content_dir / REGISTER_FILE
    if noted(path) is None:
        links, head = _links([])
    else:
        raw = _read_bytes(path)
        make = lambda before: _links(_parse_register(raw), before)
        links, head = sitememo.derived(site.site_dir, "chain", raw, make, incremental=True)  # saved by the build
    data = _chain_data(links, head, urls)
    data = {"format": data.pop("format"), "site": site.config.site.url, **data}
    text = pydantic_core.to_json(data, indent=1) + b"\n"  # = json.dumps(ensure_ascii=False, indent=1), in Rust
    global _PUBLIC
    _PUBLIC = (text, links)
    return text


_PUBLIC: tuple[bytes, list] = (b"", [])  # the last register.json made, and its links


def public_links(text: bytes) -> list[tuple] | None:
    """[(index_no, version, date, content_hash)] of the register.json `public_register`
    made last, when `text` is it (None otherwise): what its entries record, unparsed."""
    made, links = _PUBLIC
    if text is not made and text != made:
        return None
    return [link[:4] for link in links]


# ---------------------------------------------------------------- item pages


def page_fingerprint(html_fragment: str) -> str:
    """`sha256:<hex>` of an item page's content fragment, exactly as written."""
    return sha256(html_fragment)


def mark_fragment(html_fragment: str) -> str:
    """The fragment between the markers that `extract` looks for."""
    return f"{BODY_START}{html_fragment}{BODY_END}"


def fingerprint_meta(html_fragment: str) -> str:
    return f'<meta name="{META_NAME}" content="{page_fingerprint(html_fragment)}">'


def record_script(entry: Entry) -> str:
    """The canonical record as a JSON script element; `<`, `>`, `&` are escaped as \\u00XX
    so that no text of the item can close the element (the JSON value is unchanged)."""
    text = record_json(entry).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{RECORD_ID}">{text}</script>'


def seal(entry: Entry, html_fragment: str) -> tuple[str, str]:
    """(tags for the page's <head>, the fragment with its markers) for an item page. In a
    preview, an unrecorded version carries the 预览 banner (see `mark_unrecorded`)."""
    if entry.unrecorded:
        html_fragment = PREVIEW_BANNER + html_fragment
    return fingerprint_meta(html_fragment) + record_script(entry), mark_fragment(html_fragment)


_META = re.compile(r"<meta\s+[^>]*\bname\s*=\s*[\"']?" + META_NAME + r"[\"']?[^>]*>", re.IGNORECASE)
_CONTENT = re.compile(r"\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
_RECORD = re.compile(
    r"<script\b[^>]*\bid\s*=\s*[\"']?" + RECORD_ID + r"[\"']?[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)


def extract(page_html: str) -> tuple[str | None, str | None, str | None]:
    """(record JSON text, fingerprint of the meta tag, fragment between the markers);
    None for each part the page does not have."""
    record = _RECORD.search(page_html)
    meta = _META.search(page_html)
    fingerprint = None
    if meta:
        content = _CONTENT.search(meta.group(0))
        if content:
            fingerprint = html.unescape(next(g for g in content.groups() if g is not None))
    fragment = None
    start = page_html.find(BODY_START)
    if start >= 0:
        end = page_html.find(BODY_END, start + len(BODY_START))
        if end >= 0:
            fragment = page_html[start + len(BODY_START) : end]
    return (record.group(1) if record else None), fingerprint, fragment
