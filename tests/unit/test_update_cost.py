"""What an update of a large site costs follows what changed: the open data renders the
records of the changed entries only and joins the others' from the last build (kept by
what they are made of: export.row_key), the sitemap its changed lines, the lists their
changed pages; the categories' members and the feeds come from one pass over the
entries, not one per category."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator import export, feeds
from generator.load import cache as cache_module
from generator.load.site import load_site
from generator.problems import Problems
from generator.render import pages
from generator.render.pages import section_members
from generator.render.templates import render_fragment
from generator.site import sort_key

from helpers import DEMO_REQUEST, copy_demo, num, retitle_demo_notice, with_index


@pytest.fixture(autouse=True)
def trusted(monkeypatch):
    """Trust files written a moment ago (the racy-file guard would re-read them)."""
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))


@pytest.fixture
def demo(tmp_path) -> Path:
    """A copy of the demo site: every type, nested categories, a 年报 with figures."""
    return copy_demo(tmp_path / "demo")


def _public(site_dir: Path):
    problems = Problems()
    site = load_site(site_dir, problems)
    assert site is not None and not problems.has_errors(), problems.sorted()
    return site, [e for e in sorted(site.entries, key=sort_key) if e.public]


def _files(datasets) -> dict[str, bytes]:
    return {d.path: d.data for d in datasets} | {d.schema_path: d.schema for d in datasets if d.schema_path}


def test_an_update_renders_the_records_of_the_changed_entries_only(demo):
    site, public = _public(demo)
    rows: dict = {}
    first = export.datasets(site, public, rows)
    assert _files(first) == _files(export.datasets(site, public))  # the same bytes, joined from rows
    kept = dict(rows)
    assert len(kept) >= len(public)  # every entry's catalogue row, and its type's records
    retitle_demo_notice(demo, "有关工作的通知", "值班工作的通知")
    log = demo / "records/requests/2024.yml"  # the 2024 年报's figures: its file does not change
    log.write_text(log.read_text(encoding="utf-8") + DEMO_REQUEST, encoding="utf-8")

    site, public = _public(demo)
    second = export.datasets(site, public, rows)
    assert _files(second) == _files(export.datasets(site, public))
    assert _files(second) != _files(first)
    renewed = sorted((key[0], key[1]) for key, rendered in rows.items() if kept.get(key) is not rendered)
    (report,) = [e for e in public if e.type == "annual_report" and e.model.year == 2024]
    assert renewed == sorted([("catalogue", "notices/2022/2022-01-24-chunjie-jiaqi-gongzuo/"),
                              ("annual_report:annual-reports", report.url)])  # fmt: skip
    assert len(rows) == len(kept)  # this build's rows replace the last ones'


def test_entries_without_a_memo_are_rendered_and_not_kept(demo):
    """An entry that did not come through the content cache has no key: never reused."""
    site, public = _public(demo)
    expected = _files(export.datasets(site, public))
    for entry in public:
        entry.memo = None
    rows: dict = {}
    assert _files(export.datasets(site, public, rows)) == expected
    assert rows == {}


def _descendants_of(site, listed):
    """Each category's entries as a scan of the whole list finds them."""
    return {
        key: [e for e in listed if e.category.key in {s.key for s in section.descendants()}]
        for key, section in site.sections.items()
    }


def test_each_categorys_members_come_from_one_pass(demo):
    site, public = _public(demo)
    assert any(section.children for section in site.sections.values())  # nested categories
    assert section_members(site, public) == _descendants_of(site, public)


def test_each_feed_holds_its_categorys_newest_entries(demo):
    site, public = _public(demo)
    members = _descendants_of(site, public)
    members["all"] = public
    plans = feeds.plan(site, public)
    assert [p.key for p in plans] == ["all", *site.sections]
    for plan in plans:
        newest = sorted(
            members[plan.key], key=lambda e: (e.model.published, e.updated, e.model.index_no or ""), reverse=True
        )
        assert plan.entries == newest[: feeds.LIMIT], plan.key


def test_the_sitemap_reuses_the_line_of_each_unchanged_address(demo):
    site, public = _public(demo)
    urls = [(e.url, e.updated) for e in public]
    lines: dict = {}
    assert export.sitemap(site, urls, lines) == export.sitemap(site, urls)
    kept = dict(lines)
    urls[3] = (urls[3][0], dt.date(2024, 10, 1))  # a revision: a new date
    assert export.sitemap(site, urls, lines) == export.sitemap(site, urls)
    assert [key for key, line in lines.items() if kept.get(key) is not line] == [(urls[3][0], "2024-10-01")]
    assert len(lines) == len(urls)


def test_an_update_renders_the_list_pages_whose_items_changed(make_site, tmp_path, monkeypatch):
    """A retitled item on the third page of a category of 120: that page is made again, and
    the first (it shows statistics of all the items); the second is not."""
    from test_incremental_build import run, same_as_fresh

    notice = "---\ntitle: 第{n}号通知\npublished: 2023-{month:02d}-{day:02d}\n---\n正文。\n"
    files = {
        f"content/notices/n{n:03d}.md": with_index(notice.format(n=n, month=1 + n // 28, day=1 + n % 28), num(2023, n))
        for n in range(1, 121)
    }
    site = make_site(files)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    rendered = []

    def spy(env, template, context):  # the real renderer, counted
        if template == "pages/category.html" and context["section"].key == "notices":
            rendered.append(context["page"]["number"])
        return render_fragment(env, template, context)

    monkeypatch.setattr(pages, "render_fragment", spy)
    retitled = notice.format(n=5, month=1, day=6).replace("通知", "公告", 1)
    site.write("content/notices/n005.md", with_index(retitled, num(2023, 5)))
    assert run(site.path, out, index=False).update
    assert sorted(rendered) == [1, 3]  # newest first: the fifth oldest is on the last page
    same_as_fresh(site.path, out, tmp_path, index=False)
