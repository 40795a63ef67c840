"""The content cache: a second run reads only changed files and reports exactly what a
fresh run reports (generator/load/cache.py)."""

from __future__ import annotations

import os
import pickle

import pytest

from generator.load import cache as cache_module
from generator.load import documents
from generator.load.site import load_site
from generator.problems import Problems

from helpers import num

NOTICE = "index_no: {n}\ntitle: {t}\npublished: 2024-03-0{d}\nbody: |\n  {body}\n"
PHONE_NOTICE = NOTICE.format(n=num(2024, 3), t="联系方式", d=3, body="联系人手机 13800138000。")


@pytest.fixture
def trusted(monkeypatch):
    """Trust files written a moment ago (the racy-file guard would re-read them)."""
    monkeypatch.setattr(cache_module, "RACY_NS", -10**12)


@pytest.fixture
def reads(monkeypatch):
    """The files load_document opens, in order."""
    opened: list[str] = []
    original = documents.load_document

    def spy(path, site_dir, raw=None):  # (`raw`: the bytes the loader read already)
        opened.append(path.name)
        return original(path, site_dir, raw)

    monkeypatch.setattr("generator.load.read.load_document", spy)
    return opened


def three(make_site):
    return make_site({
        "content/notices/a.yml": NOTICE.format(n=num(2024, 1), t="停水通知", d=1, body="明日停水。"),
        "content/notices/b.md":
            f"---\nindex_no: {num(2024, 2)}\ntitle: 停电通知\npublished: 2024-03-02\n---\n明日停电。\n",
        "content/notices/c.yml": PHONE_NOTICE,
    })  # fmt: skip


def load(site, cache=True):
    problems = Problems()
    loaded = load_site(site.path, problems, cache=cache)
    return loaded, sorted(problems.items)


def test_second_run_reads_nothing_and_reports_the_same(make_site, trusted, reads):
    site = three(make_site)
    first, first_problems = load(site)
    assert sorted(reads) == ["a.yml", "b.md", "c.yml"]
    assert any(p.code == "privacy-mobile" for p in first_problems)  # a single-file check, cached with the file
    reads.clear()
    second, second_problems = load(site)
    assert reads == []
    assert second_problems == first_problems
    assert [e.model for e in second.entries] == [e.model for e in first.entries]
    assert [e.url for e in second.entries] == [e.url for e in first.entries]


def test_an_edited_file_is_read_again(make_site, trusted, reads):
    site = three(make_site)
    load(site)
    reads.clear()
    site.write("content/notices/a.yml", NOTICE.format(n=num(2024, 1), t="停水通知（更正）", d=1, body="后天停水。"))
    loaded, _ = load(site)
    assert reads == ["a.yml"]
    assert {e.model.title for e in loaded.entries} >= {"停水通知（更正）", "停电通知"}


def test_a_fresh_run_ignores_the_cache(make_site, trusted, reads):
    site = three(make_site)
    load(site)
    reads.clear()
    load(site, cache=False)
    assert sorted(reads) == ["a.yml", "b.md", "c.yml"]


def test_changing_site_config_reads_everything(make_site, trusted, reads):
    site = three(make_site)
    load(site)
    reads.clear()
    site.write("site_config.yml", site.read("site_config.yml") + b"\n# a comment\n")
    load(site)
    assert sorted(reads) == ["a.yml", "b.md", "c.yml"]


def test_files_with_errors_are_cached_with_their_errors(make_site, trusted, reads):
    site = three(make_site)
    site.write("content/notices/bad.yml", "title: 缺日期\n")
    _, first = load(site)
    reads.clear()
    _, second = load(site)
    assert reads == []
    assert second == first and any(p.path == "content/notices/bad.yml" and p.code == "missing-field" for p in second)


def test_cross_file_problem_on_a_cached_entry_names_its_line(make_site, trusted, reads):
    """Index-number uniqueness always runs; the cached file is read again for the line."""
    site = three(make_site)
    load(site)
    reads.clear()
    site.write("content/notices/d.yml", "title: 重复\npublished: 2024-03-04\nindex_no: " + num(2024, 1) + "\n")
    _, problems = load(site)
    duplicate = [p for p in problems if p.code == "index-duplicate"]
    assert duplicate and {p.path for p in duplicate} <= {"content/notices/a.yml", "content/notices/d.yml"}
    where = {p.path: p.line for p in duplicate}
    assert where.get("content/notices/d.yml", 3) == 3 and where.get("content/notices/a.yml", 1) == 1


def test_a_damaged_cache_is_ignored(make_site, trusted, reads):
    site = three(make_site)
    _, first = load(site)
    (site.path / ".gongkai-cache" / "content.pickle").write_bytes(b"\x80\x05garbage")
    reads.clear()
    _, second = load(site)
    assert sorted(reads) == ["a.yml", "b.md", "c.yml"] and second == first


def test_racy_files_are_taken_by_their_bytes_only(make_site, reads):
    """Written within the last two seconds: a same-size rewrite could keep the stamp, so
    their memos are saved to be taken only by the digest of the bytes (a CI build right
    after `git clone` still leaves a cache the next one can use)."""
    site = three(make_site)
    load(site)
    reads.clear()
    load(site)
    assert reads == [], "the same bytes: taken by their digest"
    path = site.path / "content/notices/a.yml"
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("明日", "后日"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same size and time
    reads.clear()
    loaded, _ = load(site)
    assert reads == ["a.yml"]
    assert any("后日" in (e.model.body or "") for e in loaded.entries)


def test_same_size_rewrite_with_the_old_mtime_is_still_seen(make_site, trusted, reads):
    """The stamp includes ctime, which no editor or checkout can set back."""
    site = three(make_site)
    path = site.path / "content/notices/a.yml"
    load(site)
    before = path.stat()
    site.write("content/notices/a.yml", path.read_text(encoding="utf-8").replace("明日", "后日"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()
    loaded, _ = load(site)
    assert reads == ["a.yml"]
    assert any("后日" in e.model.body for e in loaded.entries)


def test_cache_holds_models_as_written(make_site, trusted):
    """Checks fill in derived values (an appointment's notice end); the cache keeps the
    model before them, so the register record of a cached entry is unchanged."""
    from helpers import VALID_ITEMS

    site = make_site({"content/appointments/a.yml": VALID_ITEMS["appointment"]})
    first, _ = load(site)
    salt, memos = pickle.loads((site.path / ".gongkai-cache" / "content.pickle").read_bytes())
    cached = pickle.loads(memos["content/appointments/a.yml"].model)
    assert cached.notice.end is None or "end" in VALID_ITEMS["appointment"]
    second, _ = load(site)
    from generator import register

    assert register.record_json(second.entries[0]) == register.record_json(first.entries[0])
    assert second.entries[0].model.notice.end == first.entries[0].model.notice.end


def test_reading_in_worker_processes_gives_what_one_process_gives(make_site, monkeypatch):
    """Large sites read their files in forked workers (load/site.py prefetch)."""
    import generator.load.site as site_module

    from helpers import VALID_ITEMS, item_path

    files = {item_path(t, f"{t}-{i}"): text for i in range(3) for t, text in VALID_ITEMS.items()}
    files["content/notices/phone.yml"] = PHONE_NOTICE
    files["content/notices/bad.yml"] = "title: 缺日期\n"
    site = make_site(files)
    serial, serial_problems = load(site, cache=False)
    monkeypatch.setattr(site_module, "PARALLEL_READ_FROM", 1)
    monkeypatch.setattr(site_module.os, "cpu_count", lambda: 2)
    parallel, parallel_problems = load(site, cache=False)
    assert parallel_problems == serial_problems
    assert {p.code for p in parallel_problems} >= {"privacy-mobile", "missing-field"}
    assert [(e.rel, e.model) for e in parallel.entries] == [(e.rel, e.model) for e in serial.entries]


def test_a_copy_of_the_site_with_its_cache_reads_nothing(make_site, trusted, reads, tmp_path):
    """A fresh clone with `.gongkai-cache/` restored (CI): every file has a new stamp but
    the same bytes, so the memos are taken by the digest of the bytes, not read again."""
    import shutil

    site = three(make_site)
    _, first_problems = load(site)
    copy = tmp_path / "clone"
    shutil.copytree(site.path, copy)
    for path in (copy / "content").rglob("*.*"):  # new stamps, as a checkout writes them
        path.write_bytes(path.read_bytes())
    (copy / "content/notices/b.md").write_text(
        f"---\nindex_no: {num(2024, 2)}\ntitle: 停气通知\npublished: 2024-03-02\n---\n明日停电。\n", encoding="utf-8"
    )  # the same size, other bytes: read again
    reads.clear()
    problems = Problems()
    loaded = load_site(copy, problems)
    assert reads == ["b.md"]
    assert sorted(problems.items) == first_problems
    assert {e.model.title for e in loaded.entries} == {"停水通知", "停气通知", "联系方式"}
