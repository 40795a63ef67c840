"""Index numbers in the content: form, organisation, period, uniqueness, and agreement
with the registry of issued numbers (a number never changes and is never reused)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator import sitememo
from generator.load.cache import noted
from generator.numbering import REGISTRY_FILE, RegistryError, parse_registry, read_registry

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry, Site

LOC = ("index_no",)
REGISTRY_PATH = f"content/{REGISTRY_FILE}"
# A top-level `index_no: value` (or `索引号:`, either quoted) at the start of a line.
_KEY_LINE = re.compile(r"""(?:index_no|索引号|"index_no"|'index_no'|"索引号"|'索引号')[ \t]*:[ \t]+""")


def number_pos(entry: Entry) -> tuple[int, int]:
    """Where the entry's index number is written: `entry.doc.pos(LOC)`, found without
    parsing the file again when the entry came from the content cache (a site without a
    registry warns on every file: parsing 100,000 files again took a minute of
    `gongkai number`). Only the plain one-line form is taken from the text, and only
    when it holds the number the model has; anything else is parsed as before."""
    if entry.raw is not None or entry.source is None:
        return entry.doc.pos(LOC)
    try:
        lines = entry.source.read_bytes().decode("utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return entry.doc.pos(LOC)
    start, end = 0, len(lines)
    if entry.source.suffix.lower() == ".md":  # the front matter only
        close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if lines[0].rstrip() != "---" or close is None:
            return entry.doc.pos(LOC)
        start, end = 1, close
    found = [(i, match) for i in range(start, end) if (match := _KEY_LINE.match(lines[i]))]
    if len(found) == 1:
        index, match = found[0]
        value = lines[index][match.end() :].rstrip("\r")
        value = value.split(" #", 1)[0].rstrip()  # a comment after the value
        if value[1:-1] == entry.index_no and value[:1] == value[-1:] and value[:1] in ("'", '"'):
            value = value[1:-1]  # quoted, nothing to unescape (numbers are [0-9A-Za-z._/-])
        if value == entry.index_no:
            return index + 1, match.end() + 1
    return entry.doc.pos(LOC)


def check_entry(entry: Entry, ctx: Context) -> None:
    number = entry.index_no
    if not number:
        if not entry.is_draft:
            ctx.error(
                entry,
                (),
                "index-missing",
                "已发布的条目还没有索引号",
                "运行 gongkai number 自动生成（会在文件中加一行 index_no）",
            )
        return
    pattern = ctx.pattern
    if pattern is None:
        return
    parts = pattern.parse(number)
    if parts is None:
        ctx.error(
            entry,
            LOC,
            "index-format",
            f"索引号“{number}”不符合本站格式 {pattern.pattern}",
            f"应形如 {pattern.example()}；新条目请删除此行后运行 gongkai number",
        )
        return
    if "org" in parts and parts["org"] != pattern.org:
        ctx.error(
            entry,
            LOC,
            "index-org",
            f"索引号前段码“{parts['org']}”不是本站的机构代码 {pattern.org}",
            "索引号只能由本机关的目录系统生成",
        )
    published = entry.published
    if "year" in parts and int(parts["year"]) != published.year:
        ctx.error(
            entry,
            LOC,
            "index-year",
            f"索引号中的年份 {parts['year']} 与发布日期 {published} 的年份不一致",
            "索引号的年份是发布年份",
        )
    if "yearmonth" in parts and parts["yearmonth"] != f"{published.year:04d}{published.month:02d}":
        ctx.error(
            entry,
            LOC,
            "index-year",
            f"索引号中的年月 {parts['yearmonth']} 与发布日期 {published} 不一致",
            "索引号的年月是发布年月",
        )
    code = entry.category.code or ""
    if "category_code" in parts and parts["category_code"] != code:
        ctx.error(
            entry,
            LOC,
            "index-category",
            f"索引号中的类别代码“{parts['category_code']}”不是栏目“{entry.category.title}”的代码“{code}”",
        )


def check_site(site: Site, ctx: Context) -> None:
    seen: dict[str, Entry] = {}
    folded: dict[str, Entry] = {}  # numbers differing only in case share a /i/ folder on some disks
    pattern = repr(None if ctx.pattern is None else (ctx.pattern.pattern, ctx.pattern.org)).encode()
    clean = sitememo.kept(site.site_dir, "index-clean", pattern) or frozenset()
    now = set()
    problems = ctx.problems
    for entry in site.entries:
        # `check_entry` reads the record (number, status, date), the pattern and the
        # category's code: an entry it found nothing in is not checked again while they stay
        key = entry.memo.fingerprint + (entry.category.code or "").encode() if entry.memo else None
        if key is None or key not in clean:
            first = len(problems)
            check_entry(entry, ctx)
            if key is not None and len(problems) == first:
                now.add(key)
        else:
            now.add(key)
        number = entry.index_no
        if not number:
            continue
        first = folded.get(number.lower())
        if first is not None:
            same = "重复" if first.index_no == number else f"只差大小写（{first.index_no}），永久链接会重合"
            ctx.error(
                entry, LOC, "index-duplicate",
                f"索引号 {number} 与 {first.rel} {same}",
                "索引号全站唯一：复制来的文件请删除 index_no 这一行，再运行 gongkai number",
            )  # fmt: skip
            mirrored = same.replace(first.index_no, number)  # the other number, seen from the first file
            ctx.error(first, LOC, "index-duplicate", f"索引号 {first.index_no} 与 {entry.rel} {mirrored}")
        else:
            seen[number] = folded[number.lower()] = entry
    if now != clean:
        sitememo.keep(site.site_dir, "index-clean", pattern, frozenset(now))
    ctx.index = seen
    _check_registry(site, ctx)


def _check_registry(site: Site, ctx: Context) -> None:
    try:
        conflicts, registered, numbers_of = _registry(site)
    except RegistryError as exc:
        ctx.problems.error(
            REGISTRY_PATH,
            (exc.line, 1),
            "registry-invalid",
            str(exc),
            "用 git 恢复该文件；登记簿只能由 gongkai number 追加",
        )
        return
    for line, number, paths in conflicts:
        ctx.problems.error(
            REGISTRY_PATH, (line, 1), "index-conflict",
            f"索引号 {number} 被登记给了多个文件：{'、'.join(paths)}（两个分支各自编号后合并所致）",
            "保留先发布的一个；其余未发布的文件删除 index_no 行和登记簿中对应的行，再运行 gongkai number",
        )  # fmt: skip
    by_path = {e.rel: e for e in site.entries}
    for entry in site.entries:
        number = entry.index_no
        if number and number not in registered:
            ctx.problems.warning(
                entry.rel,
                number_pos(entry),
                "index-unregistered",
                f"索引号 {number} 不在登记簿 {REGISTRY_PATH} 中",
                "运行 gongkai number 登记已有的索引号",
            )
    for path, numbers in numbers_of.items():
        entry = by_path.get(path)
        if entry is None or (
            entry.index_no == numbers if type(numbers) is str else entry.index_no in numbers
        ):
            continue
        issued_to = numbers if type(numbers) is str else "、".join(numbers)
        if entry.index_no:
            ctx.error(
                entry, LOC, "index-changed",
                f"此文件的索引号是 {issued_to}，现在写成了 {entry.index_no}",
                f"索引号一经生成不得修改：改回 index_no: {issued_to}",
            )  # fmt: skip
        else:
            ctx.error(
                entry,
                (),
                "index-changed",
                f"此文件的索引号 {issued_to} 被删除了",
                f"索引号一经生成不得修改：加回 index_no: {issued_to}",
            )


def _registry(site: Site) -> tuple[list, frozenset, dict]:
    """What the checks ask of content/.registry: (conflicts [(line, number, paths)], the
    numbers issued, {path: its number, or its numbers sorted} in path order). Kept with
    the registry's bytes between runs (generator/sitememo.py); a link, a file that cannot
    be read or decoded goes to `read_registry` as before, and nothing is kept of it.
    Raises RegistryError."""
    path = site.content_dir / REGISTRY_FILE
    try:
        if path.is_symlink() or not path.is_file():
            raise OSError
        data = path.read_bytes()
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads it
    except (OSError, UnicodeDecodeError):
        return _derive_registry(read_registry(site.content_dir))
    noted(path)  # as read_registry notes it, for the memo of the whole check
    return sitememo.derived(site.site_dir, "registry", data, lambda _: _derive_registry(parse_registry(text)))


def _derive_registry(issued: list) -> tuple[list, frozenset, dict]:
    paths_of: dict[str, set[str]] = {}
    numbers_of: dict[str, set[str]] = {}
    lines_of: dict[str, list[int]] = {}
    for record in issued:
        paths_of.setdefault(record.number, set()).add(record.path)
        lines_of.setdefault(record.number, []).append(record.line)
        numbers_of.setdefault(record.path, set()).add(record.number)
    conflicts = [
        (sorted(lines_of[number])[1], number, sorted(paths))
        for number, paths in sorted(paths_of.items())
        if len(paths) > 1
    ]
    by_path = {  # one number: the string itself (a tuple each would be a fifth of reading the memo)
        path: next(iter(numbers)) if len(numbers) == 1 else tuple(sorted(numbers))
        for path, numbers in sorted(numbers_of.items())
    }
    return conflicts, frozenset(paths_of), by_path
