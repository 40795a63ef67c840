"""The registers only grow: `content/.register` and `content/.registry` against git.

`gongkai check` (and `build`, `publish`) compare both files with the last commit, and with
`--since REF` (say the target branch in CI) with that commit too: every line a commit holds
must still be there, character for character. A removed or changed line is an error
(`register-removed`, `registry-removed`) naming the line, its text and the commit. A union
merge of two branches (`merge=union` in .gitattributes) keeps the lines of both, so it
stays valid; `gongkai publish` and `gongkai number` only ever add lines.

`known_numbers` lists every index number the history or the published chain knows, so
that `gongkai number` never issues a number again after its lines were deleted.

Outside a git repository nothing is compared (and nothing said) unless `--since` asks for
it; a commit that cannot be found (a shallow clone) is an error with the fix.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from generator.problems import Problems

# register.REGISTER_FILE and numbering.REGISTRY_FILE (tests/unit/test_check_memo.py holds
# them equal), not imported: those modules import pydantic and yaml, and `gongkai check`
# compares in a thread while it replays its last check without either (load/checkmemo.py).
REGISTER_FILE, REGISTRY_FILE = ".register", ".registry"
FILES = {REGISTER_FILE: "register-removed", REGISTRY_FILE: "registry-removed"}
NAMES = {REGISTER_FILE: "发布登记簿", REGISTRY_FILE: "索引号登记簿"}
TIMEOUT = 60


class GitUnavailable(Exception):
    """Not a git work tree, or git is not installed."""


def git(site_dir: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(["git", "-C", str(site_dir), *args], capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitUnavailable(f"无法运行 git：{exc}") from None
    return done


def in_work_tree(site_dir: Path) -> bool:
    try:
        done = git(site_dir, "rev-parse", "--is-inside-work-tree")
    except GitUnavailable:
        return False
    return done.returncode == 0 and done.stdout.strip() == b"true"


def commit_of(site_dir: Path, ref: str) -> str | None:
    """The short id of the commit `ref` names, or None when git does not know it."""
    done = git(site_dir, "rev-parse", "--verify", "--quiet", "--short", f"{ref}^{{commit}}")
    return done.stdout.decode("ascii", "replace").strip() if done.returncode == 0 else None


def file_at(site_dir: Path, commit: str, rel: str) -> str | None:
    """The text of a site-relative file in a commit, or None when the commit lacks it."""
    done = git(site_dir, "show", f"{commit}:./{rel}")
    return done.stdout.decode("utf-8-sig", "replace") if done.returncode == 0 else None


def _lines(text: str) -> dict[str, int]:
    """Data lines (not comments, not blank) → their first line number."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            found.setdefault(line, number)
    return found


def compare(site_dir: Path, problems: Problems, since: str | None = None) -> None:
    """Report every line of the registers that HEAD (or `since`) holds and the working
    files do not."""
    if not in_work_tree(site_dir):
        if since:
            problems.error(
                "content", None, "register-history", f"无法与 {since} 比较：{site_dir} 不在 git 仓库中",
                "在 git 仓库中运行，或去掉 --since",
            )  # fmt: skip
        return
    refs = ["HEAD"] + ([since] if since else [])
    for ref in dict.fromkeys(refs):
        commit = commit_of(site_dir, ref)
        if commit is None:
            if ref != "HEAD":  # HEAD is missing only in a repository without commits
                shallow = git(site_dir, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
                why = "这是浅克隆，历史不全" if shallow else "git 中没有这个提交或分支"
                problems.error(
                    "content", None, "register-history", f"无法与 {ref} 比较登记簿：{why}",
                    "CI 中检出完整历史（如 actions/checkout 的 fetch-depth: 0），或先 git fetch origin 该分支",
                )  # fmt: skip
            continue
        for name, code in FILES.items():
            _compare_file(site_dir, problems, ref, commit, name, code)


def _compare_file(site_dir: Path, problems: Problems, ref: str, commit: str, name: str, code: str) -> None:
    rel = f"content/{name}"
    before = file_at(site_dir, commit, rel)
    if before is None:
        return
    try:
        text = (site_dir / rel).read_bytes().decode("utf-8-sig", "replace")
    except FileNotFoundError:
        text = ""
    except OSError:
        return  # unreadable: the register checks say so
    if text == before:
        return  # unchanged since the commit (the usual case): no line to look for
    now = _lines(text)
    where = f"{ref}（提交 {commit}）" if ref != commit else f"提交 {commit}"
    for line, number in _lines(before).items():
        if line not in now:
            problems.error(
                rel, (number, 1), code,
                f"{NAMES[name]}中 {where} 已有的第 {number} 行被删除或修改了：“{line}”",
                f"登记簿只能追加：用 git checkout {commit} -- {rel} 恢复后，再运行 gongkai number / gongkai publish",
            )  # fmt: skip


# ---------------------------------------------------------------- numbers known elsewhere


def known_numbers(site_dir: Path, published: Path | None = None) -> set[str]:
    """Every index number in the git history of both registers (any branch) and in the
    published chain (`published`: a built site folder, default `site/`)."""
    found: set[str] = set()
    if in_work_tree(site_dir):
        files = [f"content/{REGISTRY_FILE}", f"content/{REGISTER_FILE}"]
        done = git(site_dir, "log", "--all", "--format=", "-p", "--", *files)
        for line in done.stdout.decode("utf-8", "replace").splitlines():
            if line[:1] in "+-" and not line.startswith(("+++", "---")):
                first = line[1:].split("\t", 1)[0].strip()
                if first and not first.startswith("#") and "\t" in line:
                    found.add(first)
    from generator.register import PUBLIC_PATH

    chain = (published or site_dir / "site") / PUBLIC_PATH
    try:
        data = json.loads(chain.read_bytes())
        found |= {e["index_no"] for e in data["entries"] if isinstance(e, dict) and isinstance(e.get("index_no"), str)}
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no published chain here
    return found
