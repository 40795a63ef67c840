"""Measured search quality: every page that contains a Chinese term is found by it.

A site is built where known terms (2–4-character words, personal and place names,
simplified and traditional characters) sit in known pages, inside ordinary running
text. Pagefind's own JS, in headless Chromium, searches each term; recall is the share
of (term, page) pairs returned. The index number lookups are checked too.
"""

from __future__ import annotations

import json
import random

import pytest

from helpers import CONFIG

TERMS = [
    "营商环境", "乡村振兴", "安全生产", "垃圾分类", "防汛", "医保", "养老", "低保",
    "张建国", "李晓燕", "青山县", "桃源镇", "政務公開", "財政預算", "環境保護", "教育",
]  # fmt: skip
FILLER = [
    "县政府办公室认真贯彻落实上级部署，", "进一步提高工作效率和服务水平，", "各乡镇、各部门要高度重视，",
    "切实加强组织领导，明确责任分工，", "确保各项工作落到实处、取得实效。", "会议要求，要坚持问题导向，",
    "群众反映强烈的问题要限期整改。", "相关单位应当于本月底前报送材料。",
]  # fmt: skip
PAGES = 24


def _site_files() -> tuple[dict[str, str], dict[str, set[str]]]:
    """24 articles; each holds 3 of the terms in running text. Returns files and the
    expected {term: {page url}}."""
    rng = random.Random(7)
    files: dict[str, str] = {"site_config.yml": CONFIG}
    expected: dict[str, set[str]] = {term: set() for term in TERMS}
    registry = []
    for n in range(1, PAGES + 1):
        terms = rng.sample(TERMS, 3)
        sentences = []
        for term in terms:
            sentences += rng.sample(FILLER, 2) + [f"重点推进{term}相关工作，", rng.choice(FILLER)]
        number = f"11330100002482066D/2024-{n:05d}"
        path = f"content/notices/n{n:02d}.md"
        files[path] = (
            f"---\nindex_no: {number}\ntitle: 第{n}号工作通报\npublished: 2024-03-{(n % 28) + 1:02d}\n---\n\n"
            + "".join(sentences)
            + "\n"
        )
        registry.append(f"{number}\t{path}")
        for term in terms:
            expected[term].add(f"notices/n{n:02d}/")
    files["content/.registry"] = "\n".join(sorted(registry)) + "\n"
    return files, expected


@pytest.fixture(scope="module", params=["one index", "three shards"])
def recall_site(request, tmp_path_factory, serve_folder):
    from generator import search
    from generator.build import build
    from generator.load.site import load_site
    from generator.problems import Problems

    root = tmp_path_factory.mktemp("recall")
    files, expected = _site_files()
    for rel, text in files.items():
        path = root / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    problems = Problems()
    site = load_site(root / "src", problems)
    assert not problems.has_errors(), [p.message for p in problems]
    if request.param == "three shards":  # 24 items of one year split in 3 merged indexes
        original, search.SHARD_PAGES = search.SHARD_PAGES, 8
    try:
        build(site, root / "out", cache_search=False)
    finally:
        if request.param == "three shards":
            search.SHARD_PAGES = original
    assert len(list((root / "out" / "pagefind").iterdir())) == (3 if request.param == "three shards" else 1)
    return serve_folder(root / "out"), expected


def _search(page, server, term: str) -> list[str]:
    page.goto(server.url + "search/")
    urls = page.evaluate(
        """async (term) => {
            const bundles = document.querySelector('[data-gk-search]').dataset.bundles.split(' ')
                .map(path => new URL(path, location.href).pathname);
            const pf = await import(bundles[0] + 'pagefind.js');
            for (const other of bundles.slice(1)) { await pf.mergeIndex(other); }
            const found = await pf.search(term);
            const data = await Promise.all(found.results.map(r => r.data()));
            return data.map(d => d.url);
        }""",
        term,
    )
    from generator.search import item_url

    return [item_url(url) for url in urls]  # as gongkai.js links them (itemUrl)


def test_every_page_containing_a_term_is_found(page, recall_site):
    server, expected = recall_site
    missed, total = {}, 0
    for term, pages in expected.items():
        found = set(_search(page, server, term))
        total += len(pages)
        if pages - found:
            missed[term] = sorted(pages - found)
    hits = total - sum(len(v) for v in missed.values())
    recall = hits / total
    print(f"\nPagefind recall: {hits}/{total} = {recall:.3f}")
    assert not missed, f"recall {recall:.3f}; missed: {json.dumps(missed, ensure_ascii=False)}"


def test_index_number_lookup_returns_the_item_first(page, recall_site):
    server, _ = recall_site
    for query in ("11330100002482066D/2024-00012", "2024-00012"):
        page.goto(server.url + "search/?q=" + query)
        first = page.locator(".gk-search-hit--index a").first
        first.wait_for(timeout=10_000)
        assert first.get_attribute("href").rstrip("/").endswith("notices/n12")


def test_sort_by_date_merges_the_shards(page, recall_site):
    """Sorted by date, the search page lists every page of a term newest first, also
    when one year is split in three shards, each holding a run of dates (by file name:
    the shards come oldest first here)."""
    server, expected = recall_site
    term = max(sorted(expected), key=lambda t: len(expected[t]))
    page.goto(server.url + "search/?q=" + term + "&sort=date")
    page.locator(".gk-search-result").first.wait_for(timeout=10_000)
    more = page.locator(".gk-search-more")
    while more.is_visible():
        shown = page.locator(".gk-search-result").count()
        more.click()
        page.wait_for_function(
            "n => document.querySelectorAll('.gk-search-result').length > n", arg=shown, timeout=10_000
        )
    urls = page.eval_on_selector_all(
        ".gk-search-result__link", "links => links.map(a => new URL(a.href).pathname.replace(/^\\//, ''))"
    )
    dates = page.eval_on_selector_all(".gk-search-result__date", "nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert set(urls) == expected[term] and len(urls) == len(expected[term])
    assert dates == sorted(dates, reverse=True), dates
    assert page.locator(".gk-search-status").inner_text() == f"找到 {len(expected[term])} 条结果" + (
        f"，已显示 {len(urls)} 条" if len(urls) > 10 else ""
    )
