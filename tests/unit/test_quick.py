"""A preview's quick pages (generator/quick.py): the edited item's page, rendered from the
saved file before the full rebuild, is the page the full rebuild then writes; what the
entry alone cannot show waits for the full rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build
from generator.load.site import load_site
from generator.problems import Problems
from generator.quick import quick_pages
from generator.serve import start_observer

from helpers import num, with_index

pytestmark = pytest.mark.build

ARTICLE = """\
---
title: 关于开展安全检查的通知
published: 2024-03-01
attachments:
  - {title: 检查表, file: attachments/forms/check.pdf}
---
正文见[上一份通知](notices/b.md)和附件。
"""
OTHER = "---\ntitle: 上一份通知\npublished: 2024-02-01\n---\n正文。\n"


@pytest.fixture
def previewed(make_site, tmp_path):
    """A site built as `gongkai serve` builds it: (site folder, preview folder, the build)."""
    site_dir = make_site({
        "content/notices/a.md": with_index(ARTICLE, num(2024, 2)),
        "content/notices/b.md": with_index(OTHER, num(2024, 1)),
        "content/attachments/forms/check.pdf": b"%PDF-1.4\n%%EOF\n",
    })  # fmt: skip
    out = tmp_path / "preview"

    def full():
        problems = Problems()
        site = load_site(site_dir.path, problems, keep=True)
        assert not problems.has_errors(), problems.sorted()
        return build(site, out, drafts=True, jobs=1, index=False, preview=True)

    return site_dir.path, out, full


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("和附件。", "和附件。\n\n新增的一段说明。", "新增的一段说明"),  # the body
        ("关于开展安全检查的通知", "关于开展消防安全检查的通知", "消防安全检查"),  # the title: the permanent link too
        ("published: 2024-03-01", "published: 2024-03-01\nkeywords: [检查专项]", "检查专项"),  # a field
    ],
)
def test_the_quick_page_is_the_page_the_full_rebuild_writes(previewed, old, new, shown):
    site_dir, out, full = previewed
    job = full().item_job
    path = site_dir / "content/notices/a.md"
    _edit(path, old, new)
    urls = quick_pages(job, {path})
    assert urls == ["notices/a/"]
    quick = (out / "notices/a/index.html").read_bytes()
    link = (out / "i" / num(2024, 2) / "index.html").read_bytes()
    assert shown in quick.decode("utf-8")
    full()
    assert (out / "notices/a/index.html").read_bytes() == quick
    assert (out / "i" / num(2024, 2) / "index.html").read_bytes() == link


def test_what_the_entry_alone_cannot_show_waits_for_the_full_rebuild(previewed):
    site_dir, out, full = previewed
    job = full().item_job
    path = site_dir / "content/notices/a.md"
    before = (out / "notices/a/index.html").read_bytes()
    original = path.read_text(encoding="utf-8")

    _edit(path, "published: 2024-03-01", "published: 2024-13-01")  # a problem in the file
    assert quick_pages(job, {path}) == []
    path.write_text(original, encoding="utf-8")
    _edit(path, "notices/b.md", "notices/c.md")  # a link to nothing: a problem only the site shows
    assert quick_pages(job, {path}) == []
    path.write_text(original, encoding="utf-8")
    _edit(path, "attachments/forms/check.pdf", "attachments/forms/gone.pdf")  # an attachment that is not there
    assert quick_pages(job, {path}) == []
    path.write_text(original, encoding="utf-8")
    _edit(path, num(2024, 2), num(2024, 9))  # another number: the whole site's to check
    assert quick_pages(job, {path}) == []
    path.write_text(original, encoding="utf-8")
    _edit(path, "published: 2024-03-01", "published: 2024-03-01\nstatus: draft")  # leaves the lists
    assert quick_pages(job, {path}) == []
    path.write_text(original, encoding="utf-8")

    new = site_dir / "content/notices/new.md"  # a new file; the configuration
    new.write_text(OTHER, encoding="utf-8")
    assert quick_pages(job, {new}) == []
    assert quick_pages(job, {path, site_dir / "site_config.yml"}) == []
    assert quick_pages(None, {path}) == []  # no good build yet
    assert (out / "notices/a/index.html").read_bytes() == before  # nothing written by any of them


def test_the_watcher_uses_the_systems_notifications_and_falls_back_to_looking(tmp_path, monkeypatch, capsys):
    """inotify where there is one; when it refuses (its watch limit), polling, said once."""
    import watchdog.observers
    from watchdog.observers.polling import PollingObserver

    seen = []
    observer = start_observer([(str(tmp_path), True)], seen.append)
    try:
        assert not isinstance(observer, PollingObserver)
    finally:
        observer.stop()
        observer.join()

    def refuse(self, *args, **kwargs):
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watchdog.observers.Observer, "schedule", refuse)
    observer = start_observer([(str(tmp_path), True)], seen.append)
    try:
        assert isinstance(observer, PollingObserver)
    finally:
        observer.stop()
        observer.join()
    assert "改为每半秒检查一次" in capsys.readouterr().err
