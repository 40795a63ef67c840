"""Faults of the machine during `gongkai build` (issue 11): never a traceback, never a
broken or mixed live site. Done for real: builds are killed with SIGKILL, disks filled,
filesystems mounted read-only or on another device (tmpfs), files made immutable
(chattr +i), the output locked by a build that is still running.

Tests that need `mount` or `chattr` skip (with the reason) when they are not permitted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from buildkit import REPO, SOURCE_DATE_EPOCH, gongkai_command, publish, run_build, start_build, tree_bytes
from helpers import num

EDITED = "---\nindex_no: {no}\ntitle: 小站点的通知\npublished: 2024-02-01\nrevisions:\n{revisions}---\n{body}\n"


def edit(site, body: str) -> None:
    """An editor's correction as gongkai wants it: a new revision entry with the changed
    body, recorded by `gongkai publish` (a build publishes recorded versions only)."""
    path = site.path / "content/notices/a.md"
    made = path.read_text(encoding="utf-8").count("- {date: ")
    revisions = "".join(f"  - {{date: 2024-02-{2 + i:02d}, note: 第{i + 1}次更正}}\n" for i in range(made + 1))
    site.write("content/notices/a.md", EDITED.format(no=num(2024, 1), revisions=revisions, body=body))
    publish(site.path)


def siblings(out: Path) -> list[str]:
    keep = (out.name, f"{out.name}-server", f".{out.name}.spare")  # the spare: the site before the last update
    return sorted(p.name for p in out.parent.iterdir() if p.name not in keep)


def fresh_tree(site, tmp_path: Path) -> dict[str, bytes]:
    """What a fresh full build of the site's current content writes."""
    out = tmp_path / "fresh-build" / "site"
    shutil.rmtree(out.parent, ignore_errors=True)
    done = run_build(site.path, out, "--fresh")
    assert done.returncode == 0, done.stderr
    return tree_bytes(out)


def comparable(tree: dict[str, bytes]) -> dict[str, bytes]:
    """A site without its search index, the search page naming it and the marker: an
    update indexes an edited page into a small delta index that a fresh build has not."""
    skipped = ("search/index.html", ".gongkai-build")
    return {rel: data for rel, data in tree.items() if not rel.startswith("pagefind/") and rel not in skipped}


def same_site(out: Path, expected: dict[str, bytes]) -> None:
    found = tree_bytes(out)
    if (out / "pagefind" / "delta").is_dir():
        found, expected = comparable(found), comparable(expected)
    assert sorted(found) == sorted(expected)
    assert [rel for rel in expected if found[rel] != expected[rel]] == []


def clean_failure(done: subprocess.CompletedProcess, code: str) -> str:
    """A build that failed as the editor must see it: exit 2, a Chinese problem, no traceback."""
    assert done.returncode == 2, f"exit {done.returncode}:\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    assert f"[{code}]" in done.stderr, done.stderr
    assert "上一次生成的网站和缓存保持不变" in done.stderr
    return done.stderr


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "64m"):
    """A tmpfs mounted at `where` (another filesystem than the site's); unmounted after."""
    where.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(where)], capture_output=True)
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def inodes(root: Path) -> set[tuple[int, int]]:
    return {(p.stat().st_dev, p.stat().st_ino) for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------
# another filesystem; the Pagefind cache


def test_output_on_another_filesystem_updates_every_time(tiny_site, tmp_path):
    with tmpfs(tmp_path / "mnt") as mnt:
        out = mnt / "www" / "site"
        assert os.stat(out.parent.parent).st_dev != os.stat(tiny_site.path).st_dev
        first = run_build(tiny_site.path, out)
        assert first.returncode == 0 and "完整生成" in first.stderr, first.stderr
        for body in ("第一次修改的正文。", "第二次修改的正文。", "第三次修改的正文。"):
            edit(tiny_site, body)
            done = run_build(tiny_site.path, out)
            assert done.returncode == 0, done.stderr
            assert "更新了有变化的文件" in done.stderr, done.stderr
            assert body in (out / "notices/a/index.html").read_text(encoding="utf-8")
        assert siblings(out) == []
        same_site(out, fresh_tree(tiny_site, tmp_path))


def test_the_pagefind_cache_shares_no_file_with_the_live_site(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    cache = tiny_site.path / ".gongkai-cache" / "pagefind"
    cached = [p for p in cache.glob("*.shard") if p.is_file()]
    assert cached, "the shard was stored in the cache"
    assert inodes(tiny_site.path / ".gongkai-cache") & inodes(out) == set()
    before = tree_bytes(out)
    garbled = {}
    for path in cached:  # writing into the cache must not change the live site
        data = bytearray(path.read_bytes())
        data[len(data) // 4] ^= 0xFF  # a byte of a file the shard holds
        path.write_bytes(garbled.setdefault(path, bytes(data)))
    assert tree_bytes(out) == before
    # a full build that takes the shard from the cache sees it is garbled and indexes again
    shutil.rmtree(out)
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0, done.stderr
    assert tree_bytes(out) == before
    assert all(path.read_bytes() != garbled[path] for path in cached)  # stored anew


# ---------------------------------------------------------------------------
# the lock


def wait_for_pause(process: subprocess.Popen, point: str) -> None:
    """Read the build's stderr until it says it paused at `point`."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if f"paused at {point}" in line:
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"the build ended ({process.returncode}) before {point}: {process.stderr.read()}")
    raise AssertionError(f"the build did not reach {point}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    process.stdout.close()


def test_a_second_build_waits_for_the_first_or_says_it_is_busy(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    edit(tiny_site, "锁定期间的正文。")
    first = start_build(tiny_site.path, out, env={"GONGKAI_TEST_PAUSE_AT": "swap"})
    try:
        wait_for_pause(first, "swap")
        busy = run_build(tiny_site.path, out, "--wait", "0")
        assert "另一个构建正在写入" in clean_failure(busy, "output-busy")
        waiting = start_build(tiny_site.path, out, "--wait", "120")
        line = waiting.stderr.readline()
        assert "另一个构建正在写入" in line and "等待中" in line, line
    finally:
        kill(first)
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "锁定期间的正文" in (out / "notices/a/index.html").read_text(encoding="utf-8")
    assert siblings(out) == []
    same_site(out, fresh_tree(tiny_site, tmp_path))


def test_two_builds_started_together_both_succeed_one_after_the_other(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    edit(tiny_site, "同时开始的两个构建。")
    builds = [start_build(tiny_site.path, out) for _ in range(2)]
    for build in builds:
        _, err = build.communicate(timeout=180)
        assert build.returncode == 0, err
    assert siblings(out) == []
    same_site(out, fresh_tree(tiny_site, tmp_path))


# ---------------------------------------------------------------------------
# killed at the wrong moment


def without_exchange(site: Path, out: Path, env: dict) -> subprocess.Popen:
    """A build on a system without renameat2's RENAME_EXCHANGE: two renames."""
    code = "import generator.output as o; o._exchange = lambda new, live: False; from generator.cli import main"
    return subprocess.Popen(
        [sys.executable, "-c", f"import sys; {code}; sys.exit(main())", "build", "-s", str(site), "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=REPO,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **env},
    )  # fmt: skip


@pytest.mark.parametrize("point", ["swap", "between-renames", "swapped"])
def test_a_build_killed_at_the_swap_leaves_the_old_or_the_new_site(tiny_site, tmp_path, point):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    old = tree_bytes(out)
    (out.parent / f".{out.name}.building-left").mkdir()  # a folder left by a build killed long ago
    (out.parent / f".{out.name}.building-left" / "draft.html").write_text("草稿", encoding="utf-8")
    edit(tiny_site, "被中断的更新。")
    new = fresh_tree(tiny_site, tmp_path)
    env = {"GONGKAI_TEST_PAUSE_AT": point}
    if point == "between-renames":
        build = without_exchange(tiny_site.path, out, env)
    else:
        build = start_build(tiny_site.path, out, env=env)
    wait_for_pause(build, point)
    kill(build)
    if point == "swap":
        assert tree_bytes(out) == old
    elif point == "swapped":
        same_site(out, new)
    else:
        assert not out.exists(), "killed between the renames"
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0, done.stderr
    if point != "swap":  # rolled forward: the killed build's site and state are taken
        assert "更新了有变化的文件（重新生成 0 个条目页）" in done.stderr, done.stderr
    same_site(out, new)
    assert siblings(out) == [], "temporary folders are removed at once"


# ---------------------------------------------------------------------------
# a full disk, a read-only output, a parent we may not write


def test_a_full_disk_fails_clearly_and_keeps_the_state(tiny_site, tmp_path):
    with tmpfs(tmp_path / "mnt", "16m") as mnt:
        out = mnt / "site"
        assert run_build(tiny_site.path, out).returncode == 0
        before = tree_bytes(out)
        size = sum(len(data) for data in before.values())
        filler = mnt / "filler"
        with filler.open("wb") as handle, contextlib.suppress(OSError):  # fill the disk
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        edit(tiny_site, "磁盘满时的修改。" * 200)
        done = run_build(tiny_site.path, out)
        assert "磁盘空间不足" in clean_failure(done, "output-no-space")
        assert tree_bytes(out) == before
        assert siblings(out) == ["filler"]
        # free less than a full build needs: the next build is an update and succeeds
        with filler.open("r+b") as handle:
            handle.truncate(filler.stat().st_size - size // 3)
        done = run_build(tiny_site.path, out)
        assert done.returncode == 0, done.stderr
        assert "更新了有变化的文件" in done.stderr
        assert "磁盘满时的修改" in (out / "notices/a/index.html").read_text(encoding="utf-8")
        filler.unlink()
        same_site(out, fresh_tree(tiny_site, tmp_path))


def test_a_read_only_output_fails_clearly(tiny_site, tmp_path):
    with tmpfs(tmp_path / "mnt") as mnt:
        out = mnt / "site"
        assert run_build(tiny_site.path, out).returncode == 0
        before = tree_bytes(out)
        assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)]).returncode == 0
        edit(tiny_site, "只读时的修改。")
        assert "只读" in clean_failure(run_build(tiny_site.path, out), "output-read-only")
        assert tree_bytes(out) == before
        assert subprocess.run(["mount", "-o", "remount,rw", str(mnt)]).returncode == 0
        done = run_build(tiny_site.path, out)
        assert done.returncode == 0 and "更新了有变化的文件" in done.stderr, done.stderr


def test_a_parent_folder_we_may_not_write_fails_clearly(tiny_site, tmp_path):
    """The output's parent belongs to another user. Root ignores permissions, so the build
    runs as root without CAP_DAC_OVERRIDE (setpriv), like any user who may not write."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop the capability to ignore permissions")
    www = tmp_path / "www"
    www.mkdir(mode=0o755)
    os.chown(www, 65534, 65534)  # nobody's
    out = www / "site"
    command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] + gongkai_command()
    done = subprocess.run(
        command + ["build", "-s", str(tiny_site.path), "-o", str(out)], capture_output=True, text=True,
        encoding="utf-8", env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}, timeout=120,
    )  # fmt: skip
    if "Operation not permitted" in done.stderr and "setpriv" in done.stderr:
        pytest.skip(f"setpriv cannot drop capabilities here: {done.stderr.strip()}")
    assert "没有写入权限" in clean_failure(done, "output-permission")
    assert list(www.iterdir()) == []


def test_a_mount_point_as_the_output_is_refused(tiny_site, tmp_path):
    with tmpfs(tmp_path / "mnt") as mnt:
        done = run_build(tiny_site.path, mnt)
        assert done.returncode == 2 and "挂载点" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------
# an immutable live file; the cache replaced by something else


def chattr(flag: str, path: Path) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("no chattr command")
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr {flag} is not possible here: {done.stderr.strip()}")


def test_an_immutable_live_file_stops_the_build_before_the_swap(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    before = tree_bytes(out)
    page = out / "notices/a/index.html"
    chattr("+i", page)
    try:
        edit(tiny_site, "不可修改时的修改。")
        stderr = clean_failure(run_build(tiny_site.path, out), "output-permission")
        assert "notices/a/index.html" in stderr and "chattr -i" in stderr
        assert tree_bytes(out) == before
        assert siblings(out) == []
    finally:
        subprocess.run(["chattr", "-i", str(page)])
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0 and "更新了有变化的文件" in done.stderr, done.stderr


@pytest.mark.parametrize("damage", ["state-is-a-folder", "cache-is-a-file"])
def test_a_broken_cache_fails_clearly(tiny_site, tmp_path, damage):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    before = tree_bytes(out)
    cache = tiny_site.path / ".gongkai-cache"
    if damage == "state-is-a-folder":
        state = next(cache.glob("output-*/state.pickle"))
        state.unlink()
        state.mkdir()
    else:
        shutil.rmtree(cache)
        cache.write_text("not a folder", encoding="utf-8")
    edit(tiny_site, "缓存损坏时的修改。")
    stderr = clean_failure(run_build(tiny_site.path, out), "cache-broken")
    assert ".gongkai-cache" in stderr
    assert tree_bytes(out) == before
    if damage == "cache-is-a-file":
        cache.unlink()
    else:
        shutil.rmtree(cache)
    assert run_build(tiny_site.path, out).returncode == 0


# ---------------------------------------------------------------------------
# a defaced live page


def test_a_defaced_live_page_is_repaired_by_the_next_update(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    expected = tree_bytes(out)
    (out / "notices/a/index.html").write_text("<h1>被篡改</h1>", encoding="utf-8")  # in place: same inode
    (out / "index.html").unlink()
    (out / "index.html").write_text("<h1>被替换</h1>", encoding="utf-8")
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0 and "更新了有变化的文件" in done.stderr, done.stderr
    assert tree_bytes(out) == expected


def test_fresh_repairs_a_page_defaced_with_its_size_and_times_kept(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    expected = tree_bytes(out)
    page = out / "notices/a/index.html"
    st = page.stat()
    data = page.read_bytes()
    with page.open("r+b") as handle:  # same size, same inode, then the times put back
        handle.write(b"X" * 64)
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert page.read_bytes() != data and page.stat().st_size == st.st_size
    done = run_build(tiny_site.path, out, "--fresh")
    assert done.returncode == 0 and "完整生成" in done.stderr, done.stderr
    assert tree_bytes(out) == expected


# ---------------------------------------------------------------------------
# the spare: the site before the last update, brought up to date in place


def test_an_update_brings_the_spare_up_to_date_in_place(tiny_site, tmp_path):
    """From the second update on, the site the last update replaced is changed in place
    (only the files that differ) and takes the live site's place: the same bytes as a
    fresh build, and the live files it did not change are the same inodes."""
    out = tmp_path / "out" / "site"
    spare = out.with_name(f".{out.name}.spare")
    assert run_build(tiny_site.path, out).returncode == 0
    assert not spare.exists(), "a full build keeps no spare"
    edit(tiny_site, "第一次更新。")
    assert run_build(tiny_site.path, out).returncode == 0
    assert spare.is_dir(), "the site the update replaced is kept"
    folder, unchanged = spare.stat().st_ino, (out / "catalogue/index.html").stat().st_ino
    edit(tiny_site, "第二次更新。")
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0 and "更新了有变化的文件" in done.stderr, done.stderr
    assert out.stat().st_ino == folder, "the spare folder became the live site"
    assert (out / "catalogue/index.html").stat().st_ino == unchanged, "unchanged files are links, not copies"
    same_site(out, fresh_tree(tiny_site, tmp_path))
    assert siblings(out) == []


def test_a_spare_changed_behind_our_back_is_repaired(tiny_site, tmp_path):
    out = tmp_path / "out" / "site"
    spare = out.with_name(f".{out.name}.spare")
    assert run_build(tiny_site.path, out).returncode == 0
    edit(tiny_site, "第一次更新。")
    assert run_build(tiny_site.path, out).returncode == 0
    (spare / "index.html").unlink()
    (spare / "index.html").write_text("<h1>被替换</h1>", encoding="utf-8")
    (spare / "catalogue/index.html").unlink()
    (spare / "stray.html").write_text("<h1>多出来的</h1>", encoding="utf-8")
    edit(tiny_site, "第二次更新。")
    assert run_build(tiny_site.path, out).returncode == 0
    same_site(out, fresh_tree(tiny_site, tmp_path))


def test_a_build_killed_while_changing_the_spare_leaves_it_untrusted(tiny_site, tmp_path):
    """The record of the spare is removed before it is changed: after a kill, the next
    build deletes the half-changed spare and still writes exactly the new site."""
    out = tmp_path / "out" / "site"
    spare = out.with_name(f".{out.name}.spare")
    assert run_build(tiny_site.path, out).returncode == 0
    edit(tiny_site, "第一次更新。")
    assert run_build(tiny_site.path, out).returncode == 0
    live = tree_bytes(out)
    edit(tiny_site, "被中断的更新。")
    build = start_build(tiny_site.path, out, env={"GONGKAI_TEST_PAUSE_AT": "spare-taken"})
    wait_for_pause(build, "spare-taken")
    (spare / "index.html").unlink()  # what a killed writer leaves (never through a link)
    (spare / "index.html").write_bytes(b"half-written")
    kill(build)
    assert tree_bytes(out) == live
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0, done.stderr
    same_site(out, fresh_tree(tiny_site, tmp_path))


def test_a_live_page_defaced_after_an_update_is_not_linked_into_the_spare(tiny_site, tmp_path):
    """The spare holds the page as it was before the last update; the build takes the
    live one by a hard link — unless the live one is no longer what the last build wrote."""
    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    edit(tiny_site, "第一次更新。")
    assert run_build(tiny_site.path, out).returncode == 0
    expected = tree_bytes(out)
    page = out / "notices/a/index.html"
    page.unlink()
    page.write_text("<h1>被替换</h1>", encoding="utf-8")
    done = run_build(tiny_site.path, out)
    assert done.returncode == 0 and "更新了有变化的文件" in done.stderr, done.stderr
    assert tree_bytes(out) == expected


def test_the_state_of_a_spare_update_knows_every_live_file(tiny_site, tmp_path):
    """The stamps an update in place records (those it did not touch from the spare's
    survey, the others read) are exactly the live files': search shards written by
    Pagefind included, so that the next survey can see any of them change."""
    import pickle

    from generator.output import MARKER, stamps

    out = tmp_path / "out" / "site"
    assert run_build(tiny_site.path, out).returncode == 0
    edit(tiny_site, "第一次更新。")
    assert run_build(tiny_site.path, out).returncode == 0
    edit(tiny_site, "第二次更新，搜索索引有新的页面。")
    assert run_build(tiny_site.path, out).returncode == 0
    assert (out / "pagefind" / "delta").is_dir(), "the update indexed the edited page in place"
    state = pickle.loads(next((tiny_site.path / ".gongkai-cache").glob("output-*/state.pickle")).read_bytes())
    live = stamps(out)
    assert MARKER not in live and state.stamps == live
