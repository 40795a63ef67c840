"""A build into the folder of the last build writes only what changed, and the result is
byte for byte what a fresh full build writes (generator/output.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator import output
from generator.build import build
from generator.load import cache as cache_module
from generator.load.site import load_site
from generator.output import MARKER
from generator.problems import Problems
from generator.search import _fragment_url as fragment_url
from generator.search import fragment_ids

from helpers import VALID_ITEMS, item_path, num, with_index

pytestmark = pytest.mark.build  # every test here builds a site: not in `make test-fast`

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def trusted(monkeypatch):
    """Trust files written a moment ago (the racy-file guard would re-read them)."""
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run(site_dir: Path, out: Path, fresh: bool = False, index: bool = True):
    problems = Problems()
    site = load_site(site_dir, problems, cache=not fresh)
    assert not problems.has_errors(), problems.sorted()
    return build(site, out, jobs=1, index=index, fresh=fresh)


def same_as_fresh(site_dir: Path, out: Path, tmp_path: Path, index: bool = True) -> None:
    """Byte for byte what a fresh build writes; with a delta search index, everything but
    the search indexes, the search page that names them and the marker."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    run(site_dir, fresh, fresh=True, index=index)
    updated, expected = tree(out), tree(fresh)
    if (out / "pagefind" / "delta").is_dir():

        def ignore(rel):
            return rel.startswith("pagefind/") or rel in ("search/index.html", MARKER)

        updated = {k: v for k, v in updated.items() if not ignore(k)}
        expected = {k: v for k, v in expected.items() if not ignore(k)}
    assert sorted(updated) == sorted(expected)
    different = [rel for rel in expected if updated[rel] != expected[rel]]
    assert different == []


def small_site(make_site):
    files = {
        item_path(t, f"{t}-a"): with_index(text, num(2024, i + 1))
        for i, (t, text) in enumerate(sorted(VALID_ITEMS.items()))
    }
    files["content/notices/b.md"] = with_index(
        "---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n正文。\n", num(2023, 1)
    )
    files["content/notices/d.md"] = with_index(
        "---\ntitle: 第三条通知\npublished: 2023-04-01\n---\n正文。\n", num(2023, 2)
    )
    return make_site(files)


def attach_form(site) -> None:
    """An attachment, named by the notice d."""
    site.write("content/attachments/form.pdf", b"%PDF-1.4\n%%EOF\n")
    site.write(
        "content/notices/d.md",
        with_index(
            "---\ntitle: 第三条通知\npublished: 2023-04-01\nattachments:\n"
            "  - {title: 申请表, file: attachments/form.pdf}\n---\n正文。\n",
            num(2023, 2),
        ),
    )


def test_nothing_changed_renders_nothing_and_writes_nothing(make_site, tmp_path):
    site = small_site(make_site)
    out = tmp_path / "out"
    first = run(site.path, out)
    assert not first.update and first.rendered == len(VALID_ITEMS) + 2  # one of each type, two more notices
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != MARKER}
    second = run(site.path, out)
    assert second.update and second.rendered == 0 and second.search[0] == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != MARKER} == mtimes
    same_as_fresh(site.path, out, tmp_path)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_build_stamps_every_file_as_it_writes_it(make_site, tmp_path, monkeypatch, jobs):
    """A full build records the stamp of each file as it writes it (item pages in the
    workers, the rest through `Output`: written, copied, taken from mkdocs; the search
    shards listed at the commit) instead of walking the new site: the same stamps a
    walk finds, for every file but the marker, and for nothing else."""
    import pickle

    from generator.render import items as items_module

    monkeypatch.setattr(items_module, "PARALLEL_FROM", 1)  # forked workers even for a small site
    site = small_site(make_site)
    attach_form(site)
    out = tmp_path / "out"
    problems = Problems()
    result = build(load_site(site.path, problems), out, jobs=jobs, index=True)
    assert not result.update
    state = pickle.loads(next((site.path / ".gongkai-cache").glob("output-*/state.pickle")).read_bytes())
    walked = output.stamps(out)
    assert state.copies and any(rel.startswith("pagefind/") for rel in walked)
    assert state.stamps == walked


def test_a_second_process_finds_nothing_to_render(make_site, tmp_path):
    """What identifies an item's inputs is the same in every process (a pickle is not:
    hash seeds and object sharing differ), even for files read again (racy)."""
    from helpers import run_cli

    site = small_site(make_site)
    assert site.run("publish").code == 0  # `gongkai build` builds recorded versions only
    out = tmp_path / "out"
    first = run_cli("build", "-s", str(site.path), "-o", str(out))
    assert first.returncode == 0 and "完整生成" in first.stderr
    second = run_cli("build", "-s", str(site.path), "-o", str(out))
    assert second.returncode == 0 and "重新生成 0 个条目页" in second.stderr, second.stderr


def test_an_edited_body_rerenders_one_page_and_its_search_shard(make_site, tmp_path, monkeypatch):
    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out)
    page = out / "notices/b/index.html"
    before = {
        p: p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and p != page and p.name != MARKER and "pagefind" not in p.parts
    }
    site.write(
        "content/notices/b.md",
        with_index("---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n正文已经更新，增加防汛内容。\n", num(2023, 1)),
    )
    result = run(site.path, out)
    assert result.update and result.rendered == 1
    assert "防汛" in page.read_text(encoding="utf-8")
    assert result.search == (1, 1)  # a delta index of the one page; the shard stays
    delta = fragment_ids(out / "pagefind" / "delta")
    assert list(delta) == ["notices/b/"]
    rewritten = [p.relative_to(out).as_posix() for p, t in before.items() if p.stat().st_mtime_ns != t]
    # the search page names the delta index; the feeds (a summary from the body) change;
    # lists, catalogue, home, open data and the register (nothing was published) do not
    feeds = ["feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/notices.atom.xml", "feeds/notices.rss.xml"]
    assert sorted(rewritten) == feeds + ["search/index.html"]
    same_as_fresh(site.path, out, tmp_path)


def test_the_delta_is_an_index_without_a_runtime_of_its_own(make_site, tmp_path, monkeypatch):
    """The search page names the shards and the delta; the browser loads the runtime of
    the first shard and merges the others into it: every bundle from the same Pagefind
    (one runtime reads them all), and the delta holds no pagefind.js, WebAssembly or UI."""
    import re

    import generator.search as search

    monkeypatch.setattr(search, "SHARD_PAGES", len(VALID_ITEMS))  # 2024 and 2023: two shards
    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out)
    site.write(
        "content/notices/b.md", with_index("---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n更新。\n", num(2023, 1))
    )
    assert run(site.path, out).search == (1, 2)
    page = (out / "search/index.html").read_text(encoding="utf-8")
    bundles = re.search(r'data-bundles="([^"]*)"', page).group(1).split()
    delta = re.search(r'data-delta="([^"]*)"', page).group(1)
    assert bundles == ["../pagefind/2024/", "../pagefind/2023/"] and delta == "../pagefind/delta/"
    runtime = (out / "pagefind/2024/pagefind.js").read_text(encoding="utf-8")
    version = re.match(r'const pagefind_version="([^"]+)"', runtime).group(1)
    first = out / "pagefind/2024"
    wasm = {p.name for p in first.glob("wasm.*.pagefind")}
    assert wasm, "the runtime's WebAssembly is beside it"
    for bundle in [out / "search" / b for b in [*bundles[1:], delta]]:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert entry["version"] == version  # mergeIndex reads indexes of its own version
        assert {f"wasm.{lang['wasm'] or 'unknown'}.pagefind" for lang in entry["languages"].values()} <= wasm
        assert list(bundle.glob("*.pf_meta")) and list((bundle / "index").glob("*.pf_index"))
    assert not [p.name for p in (out / "pagefind/delta").iterdir() if p.is_file() and p.suffix in (".js", ".css")]
    assert not list((out / "pagefind/delta").glob("wasm.*"))
    assert list(fragment_ids(out / "pagefind/delta")) == ["notices/b/"]


def test_the_delta_hides_stale_results_and_folds_back_past_its_limit(make_site, tmp_path, monkeypatch):
    import generator.search as search

    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out)
    shard = next(p for p in (out / "pagefind").iterdir())
    old_id = fragment_ids(shard)["notices/b/"]
    site.write(
        "content/notices/b.md", with_index("---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n更新。\n", num(2023, 1))
    )
    (site.path / "content/notices/d.md").unlink()
    first = run(site.path, out)
    assert first.search == (1, 1)
    gone = fragment_ids(shard)["notices/d/"]
    page = (out / "search/index.html").read_text(encoding="utf-8")
    state = next((site.path / ".gongkai-cache").glob("output-*/state.pickle"))
    import pickle

    stale = pickle.loads(state.read_bytes()).pages  # the live shard is still the one built first
    assert stale[shard.name]["notices/b/"][1] == old_id
    assert "pagefind/delta/" in page and old_id in page and gone in page
    assert list(fragment_ids(out / "pagefind" / "delta")) == ["notices/b/"]
    assert run(site.path, out).search == (0, 2)  # nothing new: the delta stays as it is
    monkeypatch.setattr(search, "DELTA_LIMIT", 0)
    site.write(
        "content/notices/b.md",
        with_index("---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n再次更新。\n", num(2023, 1)),
    )
    folded = run(site.path, out)
    assert folded.search == (1, 0) and not (out / "pagefind" / "delta").exists()
    same_as_fresh(site.path, out, tmp_path)  # everything, the search index included


def test_added_retitled_and_deleted_items(make_site, tmp_path):
    site = small_site(make_site)
    guide, fee = item_path("procedure", "procedure-a"), item_path("fee", "fee-a")
    fee_no = next(
        line.split(": ", 1)[1] for line in site.read(fee).decode().splitlines() if line.startswith("index_no:")
    )
    site.write(guide, site.read(guide).decode().replace("fee: 不收费", f"fee: {fee_no}"))
    out = tmp_path / "out"
    run(site.path, out)
    assert "不动产登记收费" in (out / "guides/procedure-a/index.html").read_text(encoding="utf-8")
    site.write(
        "content/notices/c.md",
        with_index("---\ntitle: 新增通知\npublished: 2024-06-01\n---\n新内容。\n", num(2024, 20)),
    )
    (site.path / "content/notices/b.md").unlink()
    site.write(fee, (site.path / fee).read_text(encoding="utf-8").replace("不动产登记收费", "不动产登记费收费标准"))
    site.register()
    result = run(site.path, out)
    assert result.update and result.rendered == 3  # the new notice, the fee and the guide that links it
    assert not (out / "notices/b").exists()
    assert "不动产登记费收费标准" in (out / "guides/procedure-a/index.html").read_text(encoding="utf-8")
    assert "新增通知" in (out / "notices/index.html").read_text(encoding="utf-8")
    same_as_fresh(site.path, out, tmp_path)


def test_a_page_linking_an_item_that_moves_is_rendered_again(make_site, tmp_path):
    """A body (or a free page) linking another item by its index number points at that
    item's URL: when the item's file moves, the linking pages follow (issue 12)."""
    site = small_site(make_site)
    body = f"---\ntitle: 链接通知\npublished: 2024-06-01\n---\n详见[第二条通知]({num(2023, 1)})。\n"
    site.write("content/notices/link.md", with_index(body, num(2024, 30)))
    site.register()
    out = tmp_path / "out"
    run(site.path, out)
    assert 'href="../../notices/b/"' in (out / "notices/link/index.html").read_text(encoding="utf-8")
    (site.path / "content/notices/2023").mkdir()
    (site.path / "content/notices/b.md").rename(site.path / "content/notices/2023/b.md")
    site.register()
    result = run(site.path, out)
    assert result.update and result.rendered == 2  # the moved item and the page linking it
    assert 'href="../../notices/2023/b/"' in (out / "notices/link/index.html").read_text(encoding="utf-8")
    same_as_fresh(site.path, out, tmp_path)
    # a free page is rendered by mkdocs, which runs again when a link of a free page moves
    site.write("content/pages/guide.md", f"---\ntitle: 指南\n---\n见[第二条通知]({num(2023, 1)})。\n")
    run(site.path, out)
    (site.path / "content/notices/2023/b.md").rename(site.path / "content/notices/b.md")
    site.register()
    run(site.path, out)
    assert 'href="../../notices/b/"' in (out / "pages/guide/index.html").read_text(encoding="utf-8")
    same_as_fresh(site.path, out, tmp_path)


def test_changed_configuration_builds_everything(make_site, tmp_path):
    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    site.write(
        "site_config.yml",
        site.read("site_config.yml").replace("青山县", "青山市", 1)
        if b"\xe9\x9d\x92\xe5\xb1\xb1\xe5\x8e\xbf" in site.read("site_config.yml")
        else site.read("site_config.yml") + b"\n# changed\n",
    )
    result = run(site.path, out, index=False)
    assert not result.update
    same_as_fresh(site.path, out, tmp_path, index=False)


def test_a_hand_edited_output_is_rebuilt_in_full(make_site, tmp_path):
    """The marker names the digest of everything we wrote; another build's output (or a
    marker changed by hand) means a full build."""
    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    (out / MARKER).write_text("gongkai\n", encoding="utf-8")
    assert not run(site.path, out, index=False).update


def test_stray_files_go_and_deleted_files_come_back(make_site, tmp_path):
    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    (out / "stray.html").write_text("不是本站生成的", encoding="utf-8")
    (out / "notices/b/index.html").unlink()
    (out / "feeds/all.rss.xml").unlink()
    result = run(site.path, out, index=False)
    assert result.update and result.rendered == 1
    assert not (out / "stray.html").exists()
    same_as_fresh(site.path, out, tmp_path, index=False)


def test_an_output_restored_by_a_ci_cache_is_updated_not_rebuilt(make_site, tmp_path):
    """CI restores `site/` and `.gongkai-cache/` (the templates of `gongkai init`): every
    file comes back with a new inode. Files holding the bytes recorded are kept (read
    once, compared by digest); one changed behind our back, even of the same size, is
    written again; an edited item is rendered, the others are not — an item with an
    attachment too, though the clone gave the attachment a new stamp (not new bytes)."""
    site = small_site(make_site)
    attach_form(site)
    out = tmp_path / "out"
    run(site.path, out)
    for path in (site.path / "content").rglob("*.*"):  # a fresh clone: new stamps, the same bytes
        path.write_bytes(path.read_bytes())
    restored = tmp_path / "restored"
    shutil.copytree(out, restored)  # new inodes, times kept: what tar in a CI cache gives
    shutil.rmtree(out)
    restored.rename(out)
    feed = out / "feeds/all.rss.xml"
    feed.write_bytes(feed.read_bytes().replace("第三条通知".encode(), "第四条通知".encode()))  # same size
    site.write(
        "content/notices/b.md",
        with_index("---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n正文已经更新。\n", num(2023, 1)),
    )
    result = run(site.path, out)
    assert result.update and result.rendered == 1
    assert "第三条通知".encode() in feed.read_bytes()
    same_as_fresh(site.path, out, tmp_path)


def test_item_pages_rendered_early_into_stale_shells_are_rendered_again(make_site, tmp_path):
    """An update renders changed items into the last build's shells before mkdocs runs;
    should mkdocs's shells differ after all, every item of that category is redone."""
    import pickle

    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    state_file = next((site.path / ".gongkai-cache").glob("output-*/state.pickle"))
    state = pickle.loads(state_file.read_bytes())
    state.shells["notices/"] = state.shells["notices/"].replace("</footer>", "<p>旧外壳</p></footer>", 1)
    state_file.write_bytes(pickle.dumps(state))
    site.write(
        "content/notices/b.md",
        with_index("---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n改过了。\n", num(2023, 1)),
    )
    result = run(site.path, out, index=False)
    assert result.update and result.rendered == 3 + 1  # every notice early (its shell changed); b again
    assert "旧外壳" not in (out / "notices/b/index.html").read_text(encoding="utf-8")
    same_as_fresh(site.path, out, tmp_path, index=False)


def test_a_failed_update_leaves_the_site_and_the_state(make_site, tmp_path, monkeypatch):
    """The saved state is never dropped before the new one is safe: the build after a
    failed one is still an update (a full build would need the space of two sites)."""
    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    before = tree(out)
    site.write(
        "content/notices/b.md", with_index("---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n改。\n", num(2023, 1))
    )

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("generator.build.export.sitemap", boom)
    with pytest.raises(RuntimeError):
        run(site.path, out, index=False)
    assert tree(out) == before
    assert not list(tmp_path.glob(".out.staged-*"))
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))
    assert run(site.path, out, index=False).update
    same_as_fresh(site.path, out, tmp_path, index=False)


def test_demo_site_edit_with_revision_equals_fresh_build(tmp_path):
    """The demo (every type, attachments, fee links, 公示, free pages): an edited policy
    with a new revision updates in place to exactly the fresh build."""
    site_dir = tmp_path / "demo"
    site_dir.mkdir()
    shutil.copy(REPO / "site_config.yml", site_dir)
    shutil.copytree(REPO / "content", site_dir / "content")
    shutil.copytree(REPO / "assets", site_dir / "assets")  # site.logo
    out = tmp_path / "out"
    run(site_dir, out, index=False)
    path = next(
        p
        for p in sorted((site_dir / "content" / "notices").rglob("*.md"))
        if "revisions:" not in p.read_text(encoding="utf-8")
    )
    text = path.read_text(encoding="utf-8-sig")
    head, body = text.split("\n---\n", 1)
    path.write_text(
        head
        + "\nrevisions:\n  - date: 2026-11-20\n    note: 补充联系方式\n---\n"
        + body
        + "\n补充：咨询电话 0571-00000000。\n",
        encoding="utf-8",
    )
    result = run(site_dir, out, index=False)
    assert result.update and result.rendered == 1
    same_as_fresh(site_dir, out, tmp_path, index=False)


def test_an_update_runs_mkdocs_only_when_one_of_its_live_files_was_lost(make_site, tmp_path, monkeypatch):
    """mkdocs's pages and assets come from the last build, unless one of them is gone
    from the live site or was changed there: then mkdocs runs and puts it back."""
    import generator.render.mkdocs_site as mkdocs_module

    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    real, runs = mkdocs_module.render_pages, []
    monkeypatch.setattr(mkdocs_module, "render_pages", lambda *a: runs.append(1) or real(*a))
    assert run(site.path, out, index=False).update and runs == []
    asset = next(p for p in sorted((out / "assets").rglob("*.css")) if p.is_file())
    asset.write_text("body{display:none}", encoding="utf-8")
    assert run(site.path, out, index=False).update and runs == [1]
    same_as_fresh(site.path, out, tmp_path, index=False)


def test_a_page_defaced_with_its_size_and_times_kept_is_found_by_the_digest_sample(make_site, tmp_path, monkeypatch):
    """Size, time and inode unchanged: only reading the bytes finds it (every file here)."""
    import os

    import generator.output as output_module

    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    page = out / "notices/b/index.html"
    st, data = page.stat(), page.read_bytes()
    with page.open("r+b") as handle:
        handle.write(b"X" * 32)
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    monkeypatch.setattr(output_module, "SAMPLE", 10**6)
    result = run(site.path, out, index=False)
    assert result.update and result.rendered == 1
    assert page.read_bytes() == data
    same_as_fresh(site.path, out, tmp_path, index=False)


# ---------------------------------------------------------------------------
# the spare's listing, made by a child process while the state loads


def _folder_with_files(root: Path) -> Path:
    for rel in ("index.html", MARKER, "a/index.html", "a/b/c/index.html", f"a/{MARKER}", "pagefind/x/y.pf"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(rel.encode())
    return root


def test_the_child_lists_a_folder_as_this_process_does(tmp_path):
    """Every file's (size, time, inode) but the marker at the root, as `stamps` sees it."""
    folder = _folder_with_files(tmp_path / "spare")
    record = tmp_path / "record"
    record.write_bytes(b"x")
    walk = output.Walk.start(folder, record)
    assert walk is not None
    found = walk.result()
    assert walk.proc.returncode == 0
    assert found == output.listing(str(folder), MARKER) == output.stamps(folder)
    assert f"a/{MARKER}" in found and MARKER not in found


def test_no_child_without_a_record_or_a_real_folder(tmp_path):
    folder = _folder_with_files(tmp_path / "spare")
    record = tmp_path / "record"
    assert output.Walk.start(folder, record) is None  # no record of the spare
    record.write_bytes(b"x")
    assert output.Walk.start(tmp_path / "missing", record) is None
    (tmp_path / "link").symlink_to(folder)
    assert output.Walk.start(tmp_path / "link", record) is None


@pytest.mark.parametrize(
    "child",
    [["-c", "raise SystemExit(3)"], ["-c", "import sys; sys.stdout.write('not marshal')"], ["/no/such/file.py"]],
)
def test_a_failed_child_gives_no_listing_and_the_survey_walks_here(tmp_path, monkeypatch, child):
    folder = _folder_with_files(tmp_path / "spare")
    record = tmp_path / "record"
    record.write_bytes(b"x")
    monkeypatch.setattr(output, "_CHILD", child)
    walk = output.Walk.start(folder, record)
    assert walk.result() is None
    known = output.stamps(folder)
    files = {rel: b"d" for rel in known}
    found, lost = output._survey(folder, files, {}, known, set(files), None)  # copies: no sample read
    assert found == known and lost == set()


def _spare_update(make_site, tmp_path):
    """A site built, then updated once (the spare is set aside), then edited again."""
    site = small_site(make_site)
    out = tmp_path / "out"
    run(site.path, out, index=False)
    for n in (1, 2):
        site.write(
            "content/notices/b.md",
            with_index(f"---\ntitle: 第二条通知\npublished: 2023-05-06\n---\n第{n}次修改。\n", num(2023, 1)),
        )
        if n == 1:
            assert run(site.path, out, index=False).update
    return site, out


def _children(monkeypatch) -> list:
    """The listing children the build starts (`Walk.start`), as they are started."""
    started = []
    original = output.Walk.start

    def start(folder, record):
        walk = original(folder, record)
        started.append(walk)
        return walk

    monkeypatch.setattr(output.Walk, "start", staticmethod(start))
    return started


def test_an_update_in_place_takes_the_childs_listing_and_leaves_no_child(make_site, tmp_path, monkeypatch):
    site, out = _spare_update(make_site, tmp_path)
    started = _children(monkeypatch)

    def here(*args):
        raise AssertionError("the spare was listed in this process")

    monkeypatch.setattr(output, "listing", here)
    spare_inode = out.with_name(f".{out.name}.spare").stat().st_ino
    assert run(site.path, out, index=False).update
    assert out.stat().st_ino == spare_inode, "the spare became the live site"
    assert len(started) == 1 and started[0].proc.returncode == 0
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))
    same_as_fresh(site.path, out, tmp_path, index=False)


def test_an_update_in_place_whose_child_failed_lists_the_spare_here(make_site, tmp_path, monkeypatch):
    site, out = _spare_update(make_site, tmp_path)
    spare = out.with_name(f".{out.name}.spare")
    (spare / "index.html").unlink()  # changed behind our back: still seen
    (spare / "index.html").write_text("<h1>被替换</h1>", encoding="utf-8")
    monkeypatch.setattr(output, "_CHILD", ["-c", "raise SystemExit(1)"])
    spare_inode = spare.stat().st_ino
    assert run(site.path, out, index=False).update
    assert out.stat().st_ino == spare_inode
    same_as_fresh(site.path, out, tmp_path, index=False)


def test_a_full_build_stops_the_child_it_started(make_site, tmp_path, monkeypatch):
    """A spare with its record beside an output whose state is gone: the child is
    started, the build is a full one, and the child is ended and waited for."""
    site, out = _spare_update(make_site, tmp_path)
    for state in (site.path / ".gongkai-cache").glob("output-*/state.pickle"):
        state.unlink()
    started = _children(monkeypatch)
    assert not run(site.path, out, index=False).update
    assert len(started) == 1 and started[0].proc.returncode is not None
    assert not out.with_name(f".{out.name}.spare").exists()


def test_a_build_that_fails_before_its_output_stops_the_child(make_site, tmp_path, monkeypatch):
    """The build starts the listing first (before the register and the global key) and
    ends it when it fails before handing it to its `Output`; the spare stays as it was."""
    site, out = _spare_update(make_site, tmp_path)
    started = _children(monkeypatch)
    def boom(*args, **kwargs):
        raise RuntimeError("磁盘故障")

    monkeypatch.setattr("generator.build.global_key", boom)
    spare = out.with_name(f".{out.name}.spare")
    before = tree(spare)
    with pytest.raises(RuntimeError):
        run(site.path, out, index=False)
    assert len(started) == 1 and started[0].proc.returncode is not None
    assert tree(spare) == before


def test_a_state_is_unpickled_without_the_cycle_collector(tmp_path, monkeypatch):
    import gc
    import pickle

    path = tmp_path / "state.pickle"
    path.write_bytes(pickle.dumps(output.State("key", files={"a": b"d"})))
    seen = []
    real = pickle.load

    def load(handle):
        seen.append(gc.isenabled())
        return real(handle)

    monkeypatch.setattr(output.pickle, "load", load)
    assert gc.isenabled()
    assert output._load(path).files == {"a": b"d"}
    assert seen == [False] and gc.isenabled()


def test_no_child_when_the_spare_cannot_be_looked_at(tmp_path, monkeypatch):
    folder = _folder_with_files(tmp_path / "spare")
    record = tmp_path / "record"
    record.write_bytes(b"x")

    def refused(self):
        raise PermissionError(13, "权限不够", str(self))

    monkeypatch.setattr(Path, "is_symlink", refused)
    assert output.Walk.start(folder, record) is None


@pytest.mark.parametrize(
    "page",
    [
        {"url": "/notices/b/", "content": "正文"},  # Pagefind's order: the URL first
        {"content": "正文", "url": "/notices/b/"},  # another order: the whole fragment is read
        {"url": "/notices/" + "长" * 3000 + "/", "content": "正文"},  # a URL past the part decompressed
        {"url": "/notices/\"quoted\"/", "content": "x"},
    ],
)
def test_a_fragments_url_is_read_from_its_start_or_else_from_the_whole(page):
    import gzip

    data = gzip.compress(b"pagefind_dcd" + json.dumps(page, ensure_ascii=False).encode("utf-8"))
    assert fragment_url(data) == page["url"]


def test_a_cached_shard_is_one_pack_restored_only_whole_and_unchanged(tmp_path):
    """A shard goes into the cache as one file and comes back file for file; a pack cut
    short, with a byte changed, or naming a path outside the shard is refused."""
    from generator import search

    bundle = tmp_path / "bundle"
    files = {"pagefind-entry.json": b"{}", "fragment/a.pf_fragment": b"\x1f\x8b" * 50, "index/x.pf_index": b"i"}
    for rel, data in files.items():
        (bundle / rel).parent.mkdir(parents=True, exist_ok=True)
        (bundle / rel).write_bytes(data)
    cache = tmp_path / "cache"
    search._store(cache, "k", bundle)
    assert [p.name for p in cache.iterdir()] == ["k.shard"]
    pack = (cache / "k.shard").read_bytes()
    search._restore(cache / "k.shard", tmp_path / "back")
    assert tree(tmp_path / "back") == tree(bundle)

    def refused(data: bytes) -> bool:
        (cache / "bad.shard").write_bytes(data)
        target = tmp_path / "refused"
        shutil.rmtree(target, ignore_errors=True)
        try:
            search._restore(cache / "bad.shard", target)
        except ValueError:
            return True
        return False

    assert refused(pack[:-3]) and refused(pack[: len(pack) // 2]) and refused(b"")
    changed = bytearray(pack)
    changed[5] ^= 1
    assert refused(bytes(changed))
    escaping = json.dumps([["../outside", 2, search.digest(b"{}").hex()]]).encode()
    assert refused(b"{}" + escaping + len(escaping).to_bytes(8, "big") + search.PACK_END)
    assert not (tmp_path / "outside").exists()


def test_a_shards_key_covers_the_file_each_page_is_indexed_from(monkeypatch):
    """The file of a source page gives the page its URL in the index: a shard cached when
    the pages lay elsewhere (an older gongkai: `<url>index.html`) is not taken."""
    from generator import search

    shard, page = search.Shard("2024", ("notices/a/",)), "<html lang=zh><body>正文</body></html>".encode()
    now = search.fingerprint(shard, {search.source_file("2024", "notices/a/"): page}, ["pagefind"])
    assert search.source_file("2024", "notices/a/") == "2024/notices/a.html"
    monkeypatch.setattr(search, "source_file", lambda name, url: f"{name}/{url}index.html")
    assert search.fingerprint(shard, {"2024/notices/a/index.html": page}, ["pagefind"]) != now


@pytest.mark.parametrize(
    ("indexed", "item"),
    [("/notices/2024/a.html", "notices/2024/a/"), ("/a.html", "a/"), ("/notices/a/", "notices/a/")],
)
def test_the_url_pagefind_gives_a_source_page_is_mapped_back_to_its_item(indexed, item):
    from generator.search import item_url

    assert item_url(indexed) == item
