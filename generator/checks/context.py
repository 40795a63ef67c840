"""What a domain check needs: where to report, the site's index, file resolution."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.checks.attachment_types import type_problem
from generator.load.cache import noted
from generator.numbering import IndexPattern
from generator.paths import hard_linked, leaves, name_problem, site_root
from generator.problems import Problems

if TYPE_CHECKING:
    from generator.site import Entry, Site


@dataclass
class Context:
    site: Site
    problems: Problems
    pattern: IndexPattern | None
    index: dict[str, Entry] = field(default_factory=dict)
    resolved: dict[str, tuple] = field(default_factory=dict)  # attachment reference → resolve_attachment()

    def error(self, entry: Entry, loc: tuple, code: str, message: str, hint: str = "") -> None:
        self.problems.error(entry.rel, entry.doc.pos(loc), code, message, hint)

    def warning(self, entry: Entry, loc: tuple, code: str, message: str, hint: str = "") -> None:
        self.problems.warning(entry.rel, entry.doc.pos(loc), code, message, hint)

    def looks_like_index_no(self, text: str) -> bool:
        return self.pattern is not None and self.pattern.parse(text) is not None

    def check_file(self, entry: Entry, loc: tuple, ref: str) -> Path | None:
        """Resolve an attachment reference; it must stay inside content/attachments/ and
        be of an allowed type (`checks/attachment_types.py`).
        Items share attachments (forms, templates): each reference is resolved once."""
        found = self.resolved.get(ref)
        if found is None:
            found = self.resolved[ref] = resolve_attachment(self.site.content_dir, ref)
        path, problem = found
        if not problem:  # resolved: is its type one that may be served from our origin?
            problem = type_problem(ref, self.site.config.attachments.allow_types)
        if problem:
            code, message, hint = problem
            self.error(entry, loc, code, message, hint)
            return None
        entry.files[ref] = path
        return path


def resolve_attachment(content_dir: Path, ref: str) -> tuple[Path | None, tuple[str, str, str] | None]:
    """(absolute path, None) or (None, (code, message, hint))."""
    text = ref.strip().replace("\\", "/")
    pure = PurePosixPath(text)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):  # a NUL would crash the file system call
        return None, (
            "attachment-path",
            f"附件路径 {text!r} 含有不可见的控制字符",
            "删除路径中的控制字符（如 %00），只写文件名",
        )
    if "://" in text or text.startswith("mailto:"):
        return None, (
            "attachment-url",
            f"附件“{ref}”是网址，不是本站文件",
            "附件文件放在 content/attachments/ 下；外部链接写在正文中",
        )
    if pure.is_absolute() or (len(text) > 1 and text[1] == ":"):
        return None, (
            "attachment-path",
            f"附件路径“{ref}”是绝对路径",
            "写成相对于 content/ 的路径，如 attachments/2024/apply.pdf",
        )
    if ".." in pure.parts:
        return None, ("attachment-path", f"附件路径“{ref}”含有“..”", "附件必须在 content/attachments/ 之内")
    for part in pure.parts:
        reason = "以“.”开头，是隐藏文件" if part.startswith(".") else name_problem(part)
        if reason:
            message = f"附件路径“{ref}”中的“{part}”{reason}，不能用作网址"
            return None, ("file-name", message, "给文件改名：只用汉字、字母、数字、-、_ 和 .")
    if pure.parts[:1] == ("content",):
        pure = PurePosixPath(*pure.parts[1:])
    if pure.parts[:1] != ("attachments",):
        return None, (
            "attachment-path",
            f"附件“{ref}”不在 attachments/ 下",
            f"把文件放进 content/attachments/，写成 attachments/{pure.name}",
        )
    path = content_dir / pure
    noted(path)  # what follows depends on the file (and on the links on the way to it)
    root = (content_dir / "attachments").resolve()
    try:
        resolved = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        names = _attachment_names(content_dir, root)
        close = get_close_matches(pure.as_posix(), names, n=1, cutoff=0.6)
        hint = f"是不是“{close[0]}”？" if close else "把文件放进 content/attachments/ 并核对文件名（区分大小写）"
        return None, ("attachment-missing", f"找不到附件文件“{ref}”", hint)
    if leaves(path, site_root(content_dir.parent)) or not resolved.is_relative_to(root):  # `attachments -> /` too
        message = f"附件“{ref}”是指向 content/attachments/ 之外的链接，已拒绝"
        return None, ("attachment-path", message, "把真实文件复制到 content/attachments/ 下")
    if resolved != path:
        noted(resolved)
    if not resolved.is_file():
        return None, ("attachment-missing", f"附件“{ref}”不是文件", "")
    if hard_linked(resolved):
        message = f"附件“{ref}”是硬链接（同一文件还有别的名字，可能在站点之外），已拒绝"
        return None, ("hard-link", message, "换成一份独立的副本：先复制为新文件，再改回原名")
    return resolved, None


def _attachment_names(content_dir: Path, root: Path) -> list[str]:
    """Every file under content/attachments/ (for a “是不是…？” hint), each folder and
    link of it noted: a file added anywhere, or a link's file removed, changes the hint."""
    noted(root)
    if not root.is_dir():
        return []
    names = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            noted(path)  # where it leads: a file there or not, its folder unchanged
        if path.is_dir():
            noted(path)
        elif path.is_file():
            names.append(path.relative_to(content_dir).as_posix())
    return names
