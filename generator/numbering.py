"""Index numbers (索引号): the configurable pattern, the registry of issued numbers, and
assignment in place.

A number is `前段码/后段码`, by default `{org}/{year}-{seq:05d}` (e.g.
`11330100002482066D/2024-00012`). Sequences rise with publication date within a scope
(everything in the pattern but `seq`: org, period, category code) and continue after the
highest number ever issued in that scope, so a number is never given twice, even after
its file is deleted. Issued numbers are kept in `content/.registry`, one sorted
`number<TAB>path` line each, which git merges line by line (`merge=union`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REGISTRY_FILE = ".registry"
PLACEHOLDERS = {"org", "year", "yearmonth", "category_code", "seq"}
# The text of a pattern between placeholders: a number becomes a path under /i/, so
# nothing that could climb out of it (`..`) or need escaping in a URL.
LITERAL = re.compile(r"[0-9A-Za-z._/-]*")
SAFE_NUMBER = re.compile(r"[0-9A-Za-z._/-]+")
MAX_SEQ_DIGITS = 9  # a sequence of 1,000,000,000 items in one period is a typing slip


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class IndexPattern:
    pattern: str
    org: str

    def __post_init__(self):
        regex, names = "", []
        try:
            fields = list(string.Formatter().parse(self.pattern))
        except ValueError:
            raise PatternError(f"索引号格式 {self.pattern} 中的花括号不成对；占位符写成如 {{year}}") from None
        for literal, name, spec, conversion in fields:
            if not LITERAL.fullmatch(literal):
                bad = next(c for c in literal if not LITERAL.fullmatch(c))
                raise PatternError(f"索引号格式 {self.pattern} 中有字符“{bad}”；占位符之外只能用字母、数字和 . _ - /")
            regex += re.escape(literal)
            if name is None:
                continue
            if name not in PLACEHOLDERS:
                raise PatternError(f"索引号格式中有未知占位符 {{{name}}}，可用：{', '.join(sorted(PLACEHOLDERS))}")
            if name in names:
                raise PatternError(f"索引号格式中 {{{name}}} 出现了两次")
            if conversion or (spec and name != "seq"):
                raise PatternError(f"索引号格式中的 {{{name}}} 不能带格式说明，只有 {{seq}} 可以写成如 {{seq:05d}}")
            names.append(name)
            if name == "seq":
                width = re.match(r"(?:0([0-9]+))?d?$", spec or "d")  # `{seq:5}` would pad with spaces
                if not width:
                    raise PatternError(f"序号格式 {{seq:{spec}}} 应写成如 {{seq:05d}}")
                regex += _seq_regex(int(width.group(1) or 1))
            elif name == "year":  # [0-9], not \d: \d takes every script's digits (２０２４, ٢٠٢٤)
                regex += r"(?P<year>[0-9]{4})"
            elif name == "yearmonth":
                regex += r"(?P<yearmonth>[0-9]{6})"
            elif name == "category_code":  # empty for a category without a code
                regex += r"(?P<category_code>[^/\s]*?)"
            else:
                regex += rf"(?P<{name}>[^/\s]+?)"
        if "seq" not in names:
            raise PatternError("索引号格式必须包含 {seq}")
        if any(part and not part.strip(".") for part in self.pattern.split("/")):
            raise PatternError(f"索引号格式 {self.pattern} 中有只由“.”组成的一段，会让永久链接指向站点之外")
        object.__setattr__(self, "_names", tuple(names))
        object.__setattr__(self, "_regex", re.compile(regex + r"\Z"))

    @property
    def names(self) -> tuple[str, ...]:
        return self._names  # type: ignore[attr-defined]

    def parse(self, number: str) -> dict[str, str] | None:
        """The parts of `number`, or None when it is not a number of this pattern (or is
        not safe as a path under /i/: a `..` segment, a character outside [0-9A-Za-z._-/])."""
        if not SAFE_NUMBER.fullmatch(number) or any(part and not part.strip(".") for part in number.split("/")):
            return None
        match = self._regex.match(number)  # type: ignore[attr-defined]
        return match.groupdict() if match else None

    def values(self, published: dt.date, category_code: str | None) -> dict[str, object]:
        return {
            "org": self.org,
            "year": f"{published.year:04d}",
            "yearmonth": f"{published.year:04d}{published.month:02d}",
            "category_code": category_code or "",
        }

    def format(self, published: dt.date, category_code: str | None, seq: int) -> str:
        return self.pattern.format(**self.values(published, category_code), seq=seq)

    def scope(self, parts: dict[str, object]) -> tuple:
        """What a sequence counts within: every placeholder but `seq`."""
        return tuple(str(parts.get(name, "")) for name in self.names if name != "seq")

    def example(self) -> str:
        return self.format(dt.date(2024, 1, 1), "01", 12)


def _seq_regex(width: int) -> str:
    """A sequence of `width` digits (zero-padded), or more without a leading zero: one
    spelling per number, at most MAX_SEQ_DIGITS digits."""
    if width > MAX_SEQ_DIGITS:
        raise PatternError(f"序号宽度最多 {MAX_SEQ_DIGITS} 位，如 {{seq:05d}}")
    longer = f"|[1-9][0-9]{{{width},{MAX_SEQ_DIGITS - 1}}}" if width < MAX_SEQ_DIGITS else ""
    return f"(?P<seq>[0-9]{{{width}}}{longer})"


# ---------------------------------------------------------------- the registry file


@dataclass(frozen=True, order=True)
class Issued:
    number: str
    path: str  # site-relative path of the file the number was issued to
    line: int = field(default=0, compare=False)  # line in the registry file, for messages


class RegistryError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def read_registry(content_dir: Path) -> list[Issued]:
    from generator.load.cache import noted
    from generator.paths import leaves, site_root

    path = content_dir / REGISTRY_FILE
    noted(path)  # a memo of the whole check depends on it (load/checkmemo.py)
    if path.is_symlink() and leaves(path, site_root(content_dir.parent)):
        raise RegistryError(0, "索引号登记簿是指向站点文件夹之外的链接，已拒绝读取；请用 git 恢复该文件")
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RegistryError(_decode_error_line(exc), "索引号登记簿不是 UTF-8 编码") from None
    except OSError as exc:
        raise RegistryError(0, f"无法读取索引号登记簿：{exc.strerror}") from None
    return parse_registry(text)


def parse_registry(text: str) -> list[Issued]:
    """The lines of content/.registry (its text as read: newlines as "\n"). Raises RegistryError."""
    issued = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("<<<<<<<", "=======", ">>>>>>>")):
            raise RegistryError(number, "索引号登记簿中有未解决的 git 合并冲突标记")
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise RegistryError(number, "登记行应为“索引号<TAB>文件路径”")
        issued.append(Issued(parts[0], parts[1], number))
    return issued


def _decode_error_line(exc: UnicodeDecodeError) -> int:
    return exc.object[: exc.start].count(b"\n") + 1


REGISTRY_HEADER = (
    "# gongkai: every index number ever issued, one per line (number<TAB>file). Never edit or\n"
    "# delete a line: numbers are never reused. git merges this file line by line (merge=union).\n"
)


def write_registry(content_dir: Path, issued: list[Issued]) -> None:
    lines = sorted({(i.number, i.path) for i in issued})  # Issued's order, without its slow __lt__
    text = REGISTRY_HEADER + "".join(f"{number}\t{path}\n" for number, path in lines)
    atomic_write(content_dir / REGISTRY_FILE, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename over it: never half-written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())  # mkstemp: 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- assignment


def next_numbers(pattern: IndexPattern, used: list[str], wanted: list[tuple[dt.date, str, str | None]]) -> list[str]:
    """Numbers for `wanted` = [(published, path, category_code)], in that order of input.

    Sequences continue after the highest number in `used` within each scope; items are
    numbered in order of publication date, then path.
    """
    highest: dict[tuple, int] = {}
    for number in set(used):  # the registry and the files name most numbers twice: parse each once
        parts = pattern.parse(number)
        if parts is None:
            continue
        key = pattern.scope(parts)
        highest[key] = max(highest.get(key, 0), int(parts["seq"]))
    taken = set(used)  # a pattern without separators can parse ambiguously: never trust the scope alone
    result: dict[int, str] = {}
    for index in sorted(range(len(wanted)), key=lambda i: (wanted[i][0], wanted[i][1])):
        published, _, category_code = wanted[index]
        key = pattern.scope(pattern.values(published, category_code))
        number = None
        while number is None or number in taken:
            highest[key] = highest.get(key, 0) + 1
            if highest[key] >= 10**MAX_SEQ_DIGITS:
                period = pattern.format(published, category_code, 1)
                raise PatternError(f"序号已到上限（{MAX_SEQ_DIGITS} 位）：{period} 所在期间不能再编号")
            number = pattern.format(published, category_code, highest[key])
        taken.add(number)
        result[index] = number
    return [result[i] for i in range(len(wanted))]


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value}:
            return value
    except yaml.YAMLError:
        pass
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def insert_index_line(raw: bytes, first_key_line: int, number: str) -> bytes:
    """Insert `index_no: NUMBER` before file line `first_key_line` (1-based).

    Every other byte stays as it was: BOM, line endings, comments, key order. The key is
    written in Chinese (索引号) when the line it goes before starts with a Chinese key.
    """
    lines = raw.splitlines(keepends=True)
    at = first_key_line - 1
    anchor = lines[at] if at < len(lines) else (lines[-1] if lines else b"\n")
    newline = b"\r\n" if anchor.endswith(b"\r\n") else b"\r" if anchor.endswith(b"\r") else b"\n"
    head = anchor.lstrip(b"\xef\xbb\xbf").lstrip()
    key = "索引号" if head[:1] and head[0] >= 0x80 else "index_no"
    unmarked = anchor.lstrip(b"\xef\xbb\xbf")
    indent = unmarked[: len(unmarked) - len(unmarked.lstrip(b" "))] if head else b""  # keys may be indented alike
    new = indent + f"{key}: {yaml_scalar(number)}".encode() + newline
    if at == 0 and raw.startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
        new = b"\xef\xbb\xbf" + new
    if at >= len(lines) and lines and not lines[-1].endswith((b"\n", b"\r")):
        lines[-1] += newline
    return b"".join(lines[:at] + [new] + lines[at:])


_EMPTY_INDEX = re.compile(
    rb"^(?P<key>(?:\xef\xbb\xbf)?[ ]*[\"']?(?:index_no|" + "索引号".encode() + rb")[\"']?[ \t]*:)"
    rb"[ \t]*(?:\"\"|''|~|null|Null|NULL)?(?P<comment>[ \t]+#.*?)?[ \t]*(?P<newline>\r\n|\r|\n)?$",
    re.DOTALL,
)


def fill_index_line(raw: bytes, key_line: int, number: str) -> bytes | None:
    """Write NUMBER into an empty `index_no:` (or `索引号:`) on file line `key_line`.

    None when that line is not such a key. Every other byte stays as it was."""
    lines = raw.splitlines(keepends=True)
    if not 0 < key_line <= len(lines):
        return None
    match = _EMPTY_INDEX.match(lines[key_line - 1])
    if match is None:
        return None
    value = yaml_scalar(number).encode("utf-8")
    lines[key_line - 1] = match["key"] + b" " + value + (match["comment"] or b"") + (match["newline"] or b"")
    return b"".join(lines)


# ---------------------------------------------------------------- `gongkai number`


class _ReadBackLoader(yaml.SafeLoader):
    """YAML as the content loader reads it, where an integer too long for int() (Python
    refuses over 4,300 digits) stays text instead of stopping `gongkai number`."""


def _long_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_ReadBackLoader.add_constructor("tag:yaml.org,2002:int", _long_int)


def _read_back(data: bytes, suffix: str) -> object:
    """The index number a file holds, read the way the loader reads it (None if unreadable)."""
    from generator.load.documents import LoadProblem, split_front_matter

    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
        if suffix == ".md":
            text = split_front_matter(text)[0]
        mapping = yaml.load(text, Loader=_ReadBackLoader)  # noqa: S506 (a SafeLoader)
    except (UnicodeDecodeError, LoadProblem, yaml.YAMLError, ValueError):
        return None
    if not isinstance(mapping, dict) or ("index_no" in mapping and "索引号" in mapping):
        return None
    return mapping.get("index_no", mapping.get("索引号"))


def never_reissue(used: list[str], known: Iterable[str]) -> list[str]:
    """The numbers in use plus those the git history and the published chain know
    (`history.known_numbers`): a number whose lines were deleted is still never issued
    again, so a permanent link never names another document."""
    return used + sorted(set(known) - set(used))


def assign(
    site, pattern: IndexPattern, dry_run: bool = False, problems=None, known: Iterable[str] = ()
) -> list[tuple[object, str]]:
    """Number every published entry that lacks a number; register every number in use.

    Returns [(entry, number)] for the entries numbered. Each file gains exactly one line
    (or, when it has an empty `index_no:`, that line gets its value). A file the number
    cannot be written into safely is left alone and reported as `index-insert`.

    Every change is prepared before anything is written; then each file is replaced
    atomically, and the registry last. When a write fails, the files already written
    get their old bytes back: all files change, or none (`number-write`).
    """
    issued = read_registry(site.content_dir)
    missing = [e for e in site.entries if not e.index_no and not e.is_draft]
    used = [i.number for i in issued] + [e.index_no for e in site.entries if e.index_no]
    used = never_reissue(used, known)
    wanted = [(e.published, e.rel, e.category.code) for e in missing]
    try:
        numbers = next_numbers(pattern, used, wanted)
    except PatternError as exc:
        if problems is None:
            raise
        hint = "检查 site_config.yml 的 index_number.pattern"
        problems.error(f"content/{REGISTRY_FILE}", None, "index-format", str(exc), hint)
        return []
    done = list(zip(missing, numbers))
    if dry_run:
        return done
    registered = {i.number for i in issued}
    adopted = [
        Issued(e.index_no, e.rel) for e in site.entries if e.index_no and e.index_no not in registered
    ]
    issued += adopted  # numbers written by hand or copied in from elsewhere: never reissue them
    changes = [change for change in (_prepare(entry, number, site, problems) for entry, number in done) if change]
    if not changes and not adopted:
        return []
    issued += [Issued(number, entry.rel) for entry, number, _, _, _ in changes]
    written: list[tuple[Path, bytes]] = []
    try:
        for _entry, _number, path, old, new in changes:
            atomic_write(path, new)
            written.append((path, old))
        write_registry(site.content_dir, issued)
    except OSError as exc:
        failed = changes[len(written)][0].rel if len(written) < len(changes) else f"content/{REGISTRY_FILE}"
        for path, old in reversed(written):  # the old bytes back: nothing is left half numbered
            try:
                atomic_write(path, old)
            except OSError:
                pass
        if problems is None:
            raise
        problems.error(
            failed, None, "number-write", f"无法写入此文件（{exc.strerror or exc}），所有文件均已恢复原样，没有编号",
            "检查文件和文件夹的写权限与磁盘空间，再运行 gongkai number",
        )  # fmt: skip
        return []
    for entry, number, _, _, _ in changes:
        entry.model.index_no = number
        entry.facts = entry.facts._replace(index_no=number)
    return [(entry, number) for entry, number, _, _, _ in changes]


def _prepare(entry, number: str, site, problems) -> tuple | None:
    """(entry, number, path, old bytes, new bytes), or None (reported as `index-insert`)
    when the number cannot be written into the file safely. A file that is a link out of
    the site folder is never written through (discovery refuses it; checked again here)."""
    from generator.paths import leaves, site_root

    path = entry.doc.path
    position = (1, 1)
    new = None
    if not leaves(path, site_root(site.site_dir)):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            if problems is None:
                raise
            message = f"无法读取此文件（{exc.strerror}），没有编号"
            problems.error(entry.rel, None, "number-write", message, "检查文件的读写权限")
            return None
        top_keys = [pos[0] for key, pos in entry.doc.key_positions.items() if len(key) == 1]
        first = min(top_keys) if top_keys else entry.doc.front_line or 1
        empty_key_line = entry.doc.key_positions.get(("index_no",), (0, 0))[0]  # `index_no:` left blank
        position = (empty_key_line or first, 1)
        new = fill_index_line(raw, empty_key_line, number) if empty_key_line else insert_index_line(raw, first, number)
    if new is None or _read_back(new, path.suffix.lower()) != number:  # never write a file we cannot read back
        if problems is None:
            raise RuntimeError(f"{entry.rel}: could not insert the index number safely")
        problems.error(
            entry.rel, position, "index-insert", f"无法自动在此文件中写入索引号 {number}",
            "把文件改写成每行一个“键: 值”的写法（不用 {…} 花括号），再运行 gongkai number",
        )  # fmt: skip
        return None
    return entry, number, path, raw, new
