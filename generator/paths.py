"""Which files under content/ may leave the site, and under which names.

A build publishes what it finds in content/: a symbolic link that points outside the
site folder (`content/attachments -> /`) or a hard link to a file kept elsewhere would
publish that file (`/etc/passwd`, the CI's secrets). A file name that a URL cannot carry
as it is (`?`, `#`, `%`, a newline …) makes broken links. Everything here reports such a
path as a problem and tells the caller not to use it.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import unicodedata
from pathlib import Path

from generator.problems import Problems

# Characters a file name under content/ may not hold: they end a URL's path (`?`, `#`),
# start an escape (`%`), separate paths on Windows (`\`), break HTML and YAML quoting, or
# may not appear unencoded in a URL (RFC 3986: spaces, `<>^`{|}[]`). The name is written
# as it is into links, the sitemap and the feeds, so it must need no encoding but UTF-8.
BAD_CHARS = set('?#%\\"\'<>^`{}|[]')
# Hidden files that belong in content/ and are read by gongkai or git: not reported.
KNOWN_HIDDEN = {".registry", ".register", ".gitkeep", ".keep", ".gitignore", ".gitattributes", ".DS_Store"}


# Letters, digits (of any script: no space, control or format character is one), `_`,
# `.` and `-`: a name of these alone is safe, known without looking at each character.
_SAFE_NAME = re.compile(r"[\w.\-]+")


def name_problem(name: str) -> str | None:
    """Why `name` (one file or folder name) cannot be published as it is, or None."""
    if _SAFE_NAME.fullmatch(name):
        return None
    for char in name:
        if char.isspace() and unicodedata.category(char) not in ("Cc", "Zl", "Zp"):
            return "含有空格"
        if char in BAD_CHARS:
            return f"含有字符“{char}”"
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"含有控制字符 U+{ord(char):04X}"
    return None


def site_root(site_dir: Path) -> str:
    """The real path of the site folder, the boundary no published file may cross."""
    return os.path.realpath(site_dir)


def leaves(path: Path, root: str) -> bool:
    """Whether `path`, with every link in it followed, is outside `root` (a real path)."""
    real = os.path.realpath(path)
    return real != root and not real.startswith(root.rstrip(os.sep) + os.sep)


def hard_linked(path: Path) -> bool:
    """A regular file with more than one name: another name may be outside the site (git
    never makes hard links in a work tree; `cp -al` backups and some tools do)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_nlink > 1 and stat.S_ISREG(st.st_mode)


def refused(path: Path, rel: str, root: str, problems: Problems, hidden_ok: bool = False) -> bool:
    """Report `path` (shown as `rel`) if it must not be read: an unsafe name, a link out
    of the site folder, a hard link. A hidden name (`.x`) is a warning: it is skipped.
    Returns True when the caller must skip the path."""
    if _bad_name(path.name, rel, problems, hidden_ok):
        return True
    if os.path.islink(path) and _outside(path, rel, root, problems):
        return True
    if hard_linked(path):
        _hard_link(rel, problems)
        return True
    return False


def refused_entry(item: os.DirEntry, rel: str, root: str, problems: Problems) -> tuple[bool, os.stat_result | None]:
    """`refused` for an entry of `os.scandir`, at the cost of at most one stat: whether
    it is a link and a folder comes with the listing (d_type), and a file's one stat
    (following a link, as `stamp` does) also says whether it is hard-linked. Returns
    (refused, the stat of a file; None for a folder or a file that cannot be stat'ed)."""
    if _bad_name(item.name, rel, problems, False):
        return True, None
    if item.is_symlink() and _outside(Path(item.path), rel, root, problems):
        return True, None
    if item.is_dir():
        return False, None
    try:
        st = item.stat()
    except OSError:  # a dangling link: nothing to read, the loader says so
        return False, None
    if st.st_nlink > 1 and stat.S_ISREG(st.st_mode):
        _hard_link(rel, problems)
        return True, None
    return False, st


def _bad_name(name: str, rel: str, problems: Problems, hidden_ok: bool) -> bool:
    """A hidden name (a warning, unless known or `hidden_ok`) or one a URL cannot carry."""
    if name.startswith("."):
        if not hidden_ok and name not in KNOWN_HIDDEN:
            problems.warning(
                rel,
                None,
                "hidden-file",
                f"以“.”开头的“{name}”是隐藏文件，已跳过，不会发布",
                "要发布就去掉文件名开头的“.”",
            )
        return True
    reason = name_problem(name)
    if reason is not None:
        problems.error(
            rel, None, "file-name", f"文件名“{_shown(name)}”{reason}，不能用作网址",
            "改名：只用汉字、字母、数字、-、_ 和 .；不要用空格（可换成 -）和 ? # % \\ 引号 < > 等符号",
        )  # fmt: skip
        return True
    return False


def _outside(path: Path, rel: str, root: str, problems: Problems) -> bool:
    """A link (`path`) that leads out of the site folder: reported."""
    if not leaves(path, root):
        return False
    problems.error(
        rel, None, "symlink-outside", f"“{rel}”是指向站点文件夹之外（{os.readlink(path)}）的链接，已拒绝",
        "站点之外的文件不会被发布：把需要的文件复制到站点文件夹中，删除这个链接",
    )  # fmt: skip
    return True


def _hard_link(rel: str, problems: Problems) -> None:
    problems.error(
        rel, None, "hard-link", f"“{rel}”是硬链接（同一文件还有别的名字，可能在站点之外），已拒绝",
        f"换成一份独立的副本：cp {rel} {rel}.tmp && mv {rel}.tmp {rel}",
    )  # fmt: skip


def _shown(name: str) -> str:
    """A name with control characters made visible, for a message on one line."""
    return "".join(c if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") else f"\\u{ord(c):04x}" for c in name)


# ---------------------------------------------------------------- one page per source


def check_outputs(site, problems: Problems) -> None:
    """Every output path has exactly one source. Two files that would be written to the
    same place (`x.md` beside `x.yml`; a file of a child category also reached through its
    parent's folder; names that differ only in case or Unicode form, the same file on a
    case-insensitive disk) are errors at both files, and no item may take the place of a
    list page (`<category>/page/2/`). Drafts count: a preview publishes them."""
    owners: dict[str, tuple[str, str]] = {}  # folded output path → (output path, source)

    def claim(output: str, source: str) -> None:
        folded = unicodedata.normalize("NFC", output).lower()
        if folded not in owners:
            owners[folded] = (output, source)
            return
        first_output, first = owners[folded]
        if first == source:
            return
        how = "同一个网址" if first_output == output else f"只差大小写或字形的网址（{first_output}）"
        for here, other in ((source, first), (first, source)):
            problems.error(
                here, None, "path-collision", f"此文件与 {other} 会生成{how} {output}，后生成的会覆盖先生成的",
                "每个网址只能来自一个文件：给其中一个文件改名，或删除多余的那个",
            )  # fmt: skip

    lists = {key.lower() for key in site.sections}
    for entry in sorted(site.entries, key=lambda e: e.rel):
        parts = entry.url.lower().split("/")
        if len(parts) == 4 and parts[0] in lists and parts[1] == "page" and parts[2].isascii() and parts[2].isdigit():
            problems.error(
                entry.rel, None, "path-collision", f"此文件的网址 {entry.url} 是栏目列表第 {parts[2]} 页的网址",
                f"“{entry.category.key}/page/数字/”留给列表分页：给文件夹 page 改名",
            )  # fmt: skip
            continue
        claim(entry.url, entry.rel)
    for page in site.pages:
        claim(page.url, page.rel)
    files = {site_path(ref): path for entry in site.entries for ref, path in entry.files.items()}
    for output in sorted(files):
        claim(output, "content/" + output)


def site_path(reference: str) -> str:
    """Where a file under content/ is published (site-relative): `attachments/x.pdf`,
    `./attachments/x.pdf`, `content/attachments/x.pdf` and `attachments\\x.pdf` →
    `attachments/x.pdf`. The one rule for attachments, links and templates."""
    text = posixpath.normpath(reference.strip().replace("\\", "/")).lstrip("/")
    return text.removeprefix("content/")
