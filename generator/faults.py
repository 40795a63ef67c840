"""Faults of the machine during a build, told to the editor as problems, never as a
traceback: a full disk, a read-only or foreign output folder, a file made immutable, a
cache folder replaced by something else, another build writing the same output.

`problem_of` turns the OSError a build raised into one `Problem` naming the path, what
went wrong and what to do. The build raised it before the new site took the old one's
place (generator/output.py), so the live site and the saved state are untouched.
"""

from __future__ import annotations

import errno
from pathlib import Path

from generator.load.cache import CACHE_DIR
from generator.problems import ERROR, Problem

UNTOUCHED = "上一次生成的网站和缓存保持不变"


class OutputBusy(Exception):
    """Another build held the output (or the cache) longer than we would wait."""

    def __init__(self, path: Path, waited: float):
        super().__init__(str(path))
        self.path, self.waited = path, waited


# errno → (code, what went wrong, what to do)
_FAULTS = {
    errno.ENOSPC: ("output-no-space", "磁盘空间不足", f"腾出空间后重新运行 gongkai build；{UNTOUCHED}，下次只写入有变化的文件"),
    errno.EDQUOT: ("output-no-space", "超出磁盘配额", f"腾出空间或提高配额后重新运行；{UNTOUCHED}"),
    errno.EROFS: ("output-read-only", "所在的文件系统是只读的", "把该文件系统重新挂载为可写（mount -o remount,rw），或用 -o 指定另一个文件夹"),
    errno.EACCES: ("output-permission", "没有写入权限", "用有权限的用户运行，或改变文件夹的属主和权限（chown、chmod），或用 -o 指定另一个文件夹"),
    errno.EPERM: (
        "output-permission", "操作不被允许（文件可能被设为不可修改或只能追加）",
        "用 lsattr 查看，chattr -i（或 chattr -a）解除后重新运行；或检查文件的属主",
    ),
    errno.ENOTDIR: ("output-not-a-folder", "路径中的某一部分是文件，应为文件夹", "删除或改名该文件，或用 -o 指定另一个文件夹"),
    errno.EEXIST: ("output-not-a-folder", "已有同名的文件，应为文件夹", "删除或改名该文件，或用 -o 指定另一个文件夹"),
    errno.EISDIR: ("output-not-a-file", "是一个文件夹，应为文件", "删除该文件夹后重新运行"),
    errno.EXDEV: ("output-error", "不能跨文件系统改名", "让输出文件夹与其上级文件夹在同一文件系统中"),
    errno.EBUSY: ("output-error", "正被使用（可能是挂载点）", "输出到挂载点内的子文件夹，并让网站服务器指向它"),
}


def _shown(path: Path, site_dir: Path) -> str:
    """The path as the editor knows it: relative to the site folder when inside it."""
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def problem_of(exc: OSError, site_dir: Path, out_dir: Path) -> Problem:
    """One problem for an OSError raised while building (the failing path, the reason,
    what to do); paths inside `.gongkai-cache/` are the cache's, which is always safe to
    delete. A path elsewhere (the source of a copy) or none stands for the output."""
    name = exc.filename2 if exc.filename2 is not None and exc.errno == errno.ENOSPC else exc.filename
    path = Path(name) if name is not None else out_dir
    if not (path.is_relative_to(out_dir.parent) or CACHE_DIR in path.parts or path.name == CACHE_DIR):
        path = out_dir
    code, reason, hint = _FAULTS.get(exc.errno, ("output-error", exc.strerror or str(exc), "检查该路径与磁盘后重新运行"))
    in_cache = CACHE_DIR in path.parts or path.name == CACHE_DIR
    what = "写入 gongkai 的缓存" if in_cache else "写入网站"
    if in_cache and code in ("output-not-a-folder", "output-not-a-file", "output-error"):
        code, hint = "cache-broken", f"删除站点文件夹中的 {CACHE_DIR}/（删除它总是安全的）后重新运行"
    message = f"{what}失败：{_shown(path, site_dir)} {reason}（{exc.strerror or exc.errno}）；{UNTOUCHED}"
    return Problem(_shown(path, site_dir), 0, 0, ERROR, code, message, hint)


def problem_of_busy(busy: OutputBusy, site_dir: Path) -> Problem:
    return Problem(
        _shown(busy.path, site_dir), 0, 0, ERROR, "output-busy",
        f"另一个构建正在写入 {busy.path}，等待 {busy.waited:g} 秒后仍未结束；{UNTOUCHED}",
        "等那个构建结束后重新运行，或用 --wait 秒数 等得更久",
    )  # fmt: skip
