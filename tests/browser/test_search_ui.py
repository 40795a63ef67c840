"""The search page's own UI (gongkai.js over Pagefind's JS API) on the demo site, served
with its Content-Security-Policy: the status line, 更多结果, the address (?q=), the
filter panel (its files are fetched only once it is opened), the keyboard, a phone, a
failure to load Pagefind, and the delta index with stale results.

The demo site has one Pagefind index. The delta (data-delta: merged into the one
Pagefind runtime of the base with mergeIndex) and the stale results (data-stale: ids of
base results to hide) are set here by rewriting the served search page; the delta is a
copy of the base index served under another URL (pagefind-delta/), so every result is
found twice: once in each bundle. `updated_site` makes a real one: the demo built, one item edited (with a
revision), built again into the same folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browserkit import PHONE, SIDEWAYS

TIMEOUT = 15_000
REPO = Path(__file__).resolve().parents[2]
EPOCH = "1728316800"  # 2024-10-08, as the demo site of conftest.py
FANGXUN = "content/policies/2023-06-07-fangxun-fangtai-yuan.md"
NEW_WORDS = "转移避险演练"  # only in the edited version of FANGXUN
QUERY = "政务"
FOUND = re.compile(r"^找到 (\d+) 条结果(?:，已显示 (\d+) 条)?$")


# ---------------------------------------------------------------------------
# helpers


def status(page) -> str:
    return page.locator(".gk-search-status").inner_text().strip()


def found(page) -> int:
    """The count the status line announces, once the results are shown."""
    page.wait_for_function(
        "() => /^找到 \\d+ 条结果/.test(document.querySelector('.gk-search-status').textContent)"
        " && document.querySelector('.gk-search-result')",
        timeout=TIMEOUT,
    )
    match = FOUND.match(status(page))
    assert match, status(page)
    return int(match.group(1))


def settle(page, before: str) -> None:
    """Waits until the status line changes from `before` to a final state."""
    page.wait_for_function(
        "before => { const t = document.querySelector('.gk-search-status').textContent;"
        " return t !== before && !/正在/.test(t); }",
        arg=before,
        timeout=TIMEOUT,
    )


def shown(page) -> int:
    return page.locator(".gk-search-result").count()


def show_all(page) -> None:
    more = page.locator(".gk-search-more")
    while more.is_visible():
        n = shown(page)
        more.click()
        page.wait_for_function("n => document.querySelectorAll('.gk-search-result').length > n", arg=n, timeout=TIMEOUT)


def result_paths(page) -> list[str]:
    hrefs = page.eval_on_selector_all(".gk-search-result__link", "links => links.map(a => a.href)")
    return [unquote(urlparse(href).path) for href in hrefs]


def categories(page) -> list[str]:
    return page.eval_on_selector_all(".gk-search-result__category", "nodes => nodes.map(n => n.lastChild.textContent)")


def bundles_of(site) -> list[str]:
    html = (site.out / "search" / "index.html").read_text(encoding="utf-8")
    return re.search(r'data-bundles="([^"]*)"', html).group(1).split()


def pagefind_results(new_page, site, term: str) -> list[dict]:
    """[{id, url}] of the base index, from Pagefind's own API (in a page of its own: the
    module is shared by a page's scripts); `url` is the item's, as gongkai.js links it
    (Pagefind's is that of its source page, search.source_file)."""
    from generator.search import item_url

    page = new_page()
    page.goto(site.url("search/"))
    found = page.evaluate(
        """async (term) => {
            const bundles = document.querySelector('[data-gk-search]').dataset.bundles.split(' ')
                .filter(Boolean).map(path => new URL(path, location.href).pathname);
            const pf = await import(bundles[0] + 'pagefind.js');
            for (const other of bundles.slice(1)) { await pf.mergeIndex(other); }
            const found = await pf.search(term);
            return Promise.all(found.results.map(async r => ({id: r.id, url: (await r.data()).url})));
        }""",
        term,
    )
    return [{"id": r["id"], "url": "/" + item_url(r["url"])} for r in found]


def rewrite_search_page(page, replace: dict[str, str]) -> None:
    """Serves the search page with its text replaced (its headers kept: the CSP)."""

    def handle(route):
        response = route.fetch()
        html = response.text()
        for old, new in replace.items():
            assert old in html, old
            html = html.replace(old, new)
        route.fulfill(response=response, body=html)

    page.route(lambda url: urlparse(url).path.endswith("/search/"), handle)


def serve_delta_copy(page, site) -> list[str]:
    """pagefind-delta/… answers with the files of the site's (first) base index; returns
    the requests made to it."""
    shard = site.out / bundles_of(site)[0].replace("../", "")
    requested: list[str] = []

    def handle(route):
        rest = route.request.url.split("/pagefind-delta/", 1)[1].split("?")[0]
        requested.append(rest)
        path = shard / rest
        if not path.is_file():
            route.fulfill(status=404, body="")
            return
        kind = (
            "text/javascript"
            if rest.endswith(".js")
            else "application/json"
            if rest.endswith(".json")
            else "application/octet-stream"
        )
        route.fulfill(path=str(path), content_type=kind)

    page.route("**/pagefind-delta/**", handle)
    return requested


@pytest.fixture
def errors():
    """Collects uncaught errors of the pages given to watch(page)."""
    seen: list[str] = []

    def watch(page):
        page.on("pageerror", lambda error: seen.append(str(error)))
        return page

    watch.seen = seen
    return watch


# ---------------------------------------------------------------------------
# results, status, 更多结果, the address


def test_status_announces_the_count_and_more_appends(new_page, demo_site, errors):
    page = errors(new_page())
    page.goto(demo_site.url(f"search/?q={QUERY}"))
    total = found(page)
    line = page.locator(".gk-search-status")
    assert line.get_attribute("role") == "status" and line.get_attribute("aria-live") == "polite"
    assert total > 20, total
    assert status(page) == f"找到 {total} 条结果"
    assert shown(page) == 10
    # each result: its title linked, an excerpt with the words marked, 索引号 · 发布日期 · 类别
    first = page.locator(".gk-search-result").first
    assert first.locator("a.gk-search-result__link").inner_text().strip()
    assert first.locator(".gk-search-result__excerpt").count() == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", first.locator(".gk-search-result__date").get_attribute("datetime"))
    assert page.locator(".gk-search-result__excerpt mark").count() > 0
    assert page.evaluate("document.querySelector('.gk-search-results').tagName") == "OL"

    more = page.locator(".gk-search-more")
    assert more.is_visible() and more.inner_text() == "更多结果"
    more.click()
    page.wait_for_function("() => document.querySelectorAll('.gk-search-result').length === 20", timeout=TIMEOUT)
    assert status(page) == f"找到 {total} 条结果，已显示 20 条"
    # focus moves to the first of the results added
    focused = page.evaluate(
        "document.activeElement.closest('.gk-search-result') === document.querySelectorAll('.gk-search-result')[10]"
    )
    assert focused and page.evaluate("document.activeElement.classList.contains('gk-search-result__link')")
    show_all(page)
    assert shown(page) == total and not more.is_visible()
    paths = result_paths(page)
    assert len(set(paths)) == total
    assert not errors.seen


def test_typing_searches_and_keeps_the_query_in_the_address(new_page, demo_site, errors):
    page = errors(new_page())
    page.goto(demo_site.url("search/"))
    box = page.locator("input.gk-search-input")
    assert page.locator("label[for=gk-search-q]").inner_text() == "关键词或索引号"
    assert (
        page.locator(".gk-search form[role=search]").get_attribute("aria-label") == "站内搜索"
        and box.get_attribute("type") == "search"
    )
    assert status(page) == ""
    page.evaluate("window.__same = 1")
    box.press_sequentially("防汛", delay=50)
    assert found(page) >= 1
    assert "policies/2023-06-07-fangxun-fangtai-yuan/" in " ".join(result_paths(page))
    assert unquote(page.url).endswith("search/?q=防汛")
    # the submit button searches in place: no page load
    box.fill("低保")
    page.locator(".gk-search-form__submit").click()
    page.wait_for_function("() => decodeURIComponent(location.search) === '?q=低保'", timeout=TIMEOUT)
    found(page)
    assert any("dibao" in p for p in result_paths(page))
    assert page.evaluate("window.__same") == 1
    # an empty box: no results, no query in the address
    box.fill("")
    page.wait_for_function("() => !document.querySelector('.gk-search-result') && !location.search", timeout=TIMEOUT)
    assert status(page) == ""
    # nothing found
    box.fill("qzxjvw")
    box.press("Enter")
    page.wait_for_function(
        "() => /没有找到/.test(document.querySelector('.gk-search-status').textContent)", timeout=TIMEOUT
    )
    assert status(page) == "没有找到与“qzxjvw”相关的结果。"
    assert shown(page) == 0 and not page.locator(".gk-search-more").is_visible()
    assert not errors.seen


def test_without_javascript_only_the_notice_is_shown(new_page, demo_site):
    page = new_page(java_script_enabled=False)
    page.goto(demo_site.url("search/"))
    assert not page.locator(".gk-search").is_visible()
    assert "JavaScript" in page.locator(".gk-search-page").inner_text()


# ---------------------------------------------------------------------------
# filters


def test_filters_are_loaded_only_when_the_panel_is_opened(new_page, demo_site, errors):
    page = errors(new_page())
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(demo_site.url(f"search/?q={QUERY}"))
    total = found(page)
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if "/filter/" in u], "filters fetched before the panel is opened"
    assert not [u for u in requests if "pagefind-ui" in u], "Pagefind's default UI is not used"

    panel = page.locator("details.gk-search-filters")
    assert panel.locator("summary").inner_text().strip().endswith("筛选")
    panel.locator("summary").click()
    panel.locator("fieldset").first.wait_for(timeout=TIMEOUT)
    assert [u for u in requests if "/filter/" in u]
    legends = panel.locator("legend").all_inner_texts()
    assert legends[:2] == ["类别", "年份"] and {"主题分类", "发布机构", "信息类型", "有效性"} <= set(legends)
    category = panel.locator("fieldset", has=page.locator("legend", has_text="类别"))
    labels = category.locator("label").all_inner_texts()
    assert "通知公告（12）" in labels, labels
    years = (
        panel.locator("fieldset", has=page.locator("legend", has_text="年份"))
        .locator("input")
        .evaluate_all("boxes => boxes.map(b => b.value)")
    )
    assert years == sorted(years, reverse=True)

    # one category: fewer results, all of it
    before = status(page)
    category.locator("label", has_text="通知公告").locator("input").check()
    settle(page, before)
    notices = found(page)
    assert 0 < notices < total
    show_all(page)
    assert set(categories(page)) == {"通知公告"}
    # a second category: either of them
    before = status(page)
    category.locator("label", has_text="工作动态").locator("input").check()
    settle(page, before)
    both = found(page)
    show_all(page)
    assert both > notices and set(categories(page)) == {"通知公告", "工作动态"}
    # 清除筛选: all results again
    before = status(page)
    panel.locator("button.gk-search-filters__clear").click()
    settle(page, before)
    assert found(page) == total
    assert not panel.locator("input:checked").count()
    # filters alone, without a query: every item of the category (the count in its label)
    page.locator(".gk-search-input").fill("")
    page.wait_for_function("() => !document.querySelector('.gk-search-result')", timeout=TIMEOUT)
    category.locator("label", has_text="通知公告").locator("input").check()
    assert found(page) == 12
    assert not errors.seen


def test_keyboard_reaches_and_operates_the_search(new_page, demo_site):
    page = new_page()
    page.goto(demo_site.url("search/"))
    box = page.locator(".gk-search-input")
    box.focus()
    page.keyboard.type(QUERY)
    page.keyboard.press("Enter")
    total = found(page)
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const el = document.activeElement, cs = getComputedStyle(el);
                const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 ||
                    cs.boxShadow !== 'none';
                return {tag: el.tagName, cls: el.className, outline: outline}; }"""
        )
        order.append(info)
        assert info["outline"], f"no visible focus on {info}"
        if info["tag"] == "SUMMARY":
            break
    assert order[-1]["tag"] == "SUMMARY", order
    page.keyboard.press("Enter")
    page.locator(".gk-search-filters fieldset").first.wait_for(timeout=TIMEOUT)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "checkbox"
    before = status(page)
    page.keyboard.press("Space")
    settle(page, before)
    assert found(page) < total


# ---------------------------------------------------------------------------
# a phone


def test_phone_with_results_and_the_filters_open(new_page, demo_site, artifacts):
    page = new_page(**PHONE)
    page.goto(demo_site.url(f"search/?q={QUERY}"))
    found(page)
    page.locator(".gk-search-filters summary").click()
    page.locator(".gk-search-filters fieldset").first.wait_for(timeout=TIMEOUT)
    page.locator(".gk-search-more").click()
    page.wait_for_function("() => document.querySelectorAll('.gk-search-result').length === 20", timeout=TIMEOUT)
    sideways = page.evaluate(SIDEWAYS)
    assert sideways["scrollWidth"] <= sideways["clientWidth"] and not sideways["wide"], sideways
    # the box and its button on one line, the button big enough to touch
    box = page.locator(".gk-search-input").bounding_box()
    button = page.locator(".gk-search-form__submit").bounding_box()
    assert abs(box["y"] - button["y"]) < 4 and button["height"] >= 40
    page.screenshot(path=str(artifacts / "screenshots" / "search-filters-375.png"), full_page=True)


# ---------------------------------------------------------------------------
# Pagefind not available


def test_failure_to_load_pagefind_is_shown(new_page, demo_site, errors):
    page = errors(new_page())
    page.route("**/pagefind.js", lambda route: route.abort())
    page.goto(demo_site.url(f"search/?q={QUERY}"))
    page.wait_for_function(
        "() => document.querySelector('.gk-search').classList.contains('gk-search--failed')", timeout=TIMEOUT
    )
    assert status(page) == "搜索暂时无法使用，请使用信息公开目录浏览。"
    assert shown(page) == 0
    # the filter panel says so too
    page.locator(".gk-search-filters summary").click()
    page.wait_for_function(
        "() => /无法加载/.test(document.querySelector('.gk-search-filters__body').textContent)", timeout=TIMEOUT
    )
    assert not errors.seen


def test_a_browser_without_dynamic_import_keeps_everything_but_the_results(new_page, demo_site, errors):
    """import() lives in gongkai-import.js: when that file cannot run (an old browser
    rejects its syntax; here it is served as a script that defines nothing), the search
    page says so and the rest of gongkai.js still works (the index-number lookup)."""
    page = errors(new_page())
    page.route(
        "**/assets/gongkai-import.js",
        lambda route: route.fulfill(status=200, content_type="application/javascript", body="/* no import() here */"),
    )
    page.goto(demo_site.url("search/?q=2024-00001"))
    page.wait_for_function(
        "() => document.querySelector('.gk-search').classList.contains('gk-search--failed')", timeout=TIMEOUT
    )
    assert status(page) == "搜索暂时无法使用，请使用信息公开目录浏览。"
    page.wait_for_function("() => document.querySelector('[data-gk-index-lookup] a')", timeout=TIMEOUT)
    assert not errors.seen


def test_opened_from_the_disk_shows_the_failure(new_page, demo_site, errors):
    page = errors(new_page())
    page.goto(Path(demo_site.out / "search" / "index.html").as_uri() + f"?q={QUERY}")
    page.wait_for_function(
        "() => document.querySelector('.gk-search').classList.contains('gk-search--failed')", timeout=TIMEOUT
    )
    assert status(page) == "搜索暂时无法使用，请使用信息公开目录浏览。"
    assert not errors.seen


# ---------------------------------------------------------------------------
# delta index and stale results


def test_stale_results_are_hidden(new_page, demo_site, errors):
    base = pagefind_results(new_page, demo_site, QUERY)
    hidden = base[0]
    page = errors(new_page())
    page.goto(demo_site.url(f"search/?q={QUERY}"))
    total = found(page)
    assert total == len(base)
    show_all(page)
    assert unquote(hidden["url"]) in result_paths(page)

    page = errors(new_page())
    rewrite_search_page(page, {'data-stale=""': f'data-stale="zh_0000000 {hidden["id"]}"'})
    page.goto(demo_site.url(f"search/?q={QUERY}"))
    assert found(page) == total - 1
    show_all(page)
    paths = result_paths(page)
    assert len(paths) == total - 1 and unquote(hidden["url"]) not in paths
    assert not errors.seen


def test_delta_index_is_merged_into_the_one_runtime(new_page, demo_site, errors):
    base = pagefind_results(new_page, demo_site, QUERY)
    total = len(base)
    page = errors(new_page())
    requested = serve_delta_copy(page, demo_site)
    rewrite_search_page(page, {'data-delta=""': 'data-delta="../pagefind-delta/"'})
    page.goto(demo_site.url(f"search/?q={QUERY}"))
    assert found(page) == 2 * total
    # its metadata and index chunks, never a runtime of its own (pagefind.js, WebAssembly)
    assert any(r.endswith(".pf_meta") for r in requested) and any(r.startswith("index/") for r in requested)
    assert not [r for r in requested if r.endswith(".js") or r.startswith("wasm.")], requested
    show_all(page)
    paths = result_paths(page)
    assert len(paths) == 2 * total and all(paths.count(p) == 2 for p in paths)
    # its filter counts are added to those of the base
    page.locator(".gk-search-filters summary").click()
    page.locator(".gk-search-filters fieldset").first.wait_for(timeout=TIMEOUT)
    assert "通知公告（24）" in page.locator(".gk-search-filters label").all_inner_texts()
    assert any(r.startswith("filter/") for r in requested)
    assert not errors.seen


def test_delta_and_stale_together_sorted_by_date(new_page, demo_site, errors):
    """The delta holds the current version of a page, the base's version is stale: the
    page is found once; sorted by date, base and delta are merged newest first."""
    base = pagefind_results(new_page, demo_site, QUERY)
    total = len(base)
    page = errors(new_page())
    serve_delta_copy(page, demo_site)
    stale = " ".join(r["id"] for r in base[:3])
    rewrite_search_page(
        page, {'data-delta=""': 'data-delta="../pagefind-delta/"', 'data-stale=""': f'data-stale="{stale}"'}
    )
    page.goto(demo_site.url(f"search/?q={QUERY}&sort=date"))
    assert found(page) == 2 * total - 3
    show_all(page)
    paths = result_paths(page)
    for r in base[:3]:
        assert paths.count(unquote(r["url"])) == 1
    dates = page.eval_on_selector_all(".gk-search-result__date", "nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert len(dates) == 2 * total - 3 and dates == sorted(dates, reverse=True)
    assert not errors.seen


@pytest.fixture(scope="module")
def updated_site(tmp_path_factory, serve_site):
    """The demo site built, FANGXUN edited (a revision, a sentence with NEW_WORDS), built
    again into the same folder: an update, with a delta index and a stale result."""
    root = tmp_path_factory.mktemp("updated")
    src, out = root / "src", root / "site"
    src.mkdir()
    shutil.copytree(REPO / "content", src / "content")
    shutil.copy(REPO / "site_config.yml", src / "site_config.yml")
    shutil.copytree(REPO / "assets", src / "assets")  # site.logo
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}

    def build():
        publish = [sys.executable, "-m", "generator", "publish", "-s", str(src)]  # build takes recorded versions only
        published = subprocess.run(publish, capture_output=True, text=True, env=env, cwd=REPO)
        assert published.returncode == 0, published.stdout + published.stderr
        done = subprocess.run(
            [sys.executable, "-m", "generator", "build", "-s", str(src), "-o", str(out)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    build()
    path = src / FANGXUN
    text = path.read_text(encoding="utf-8")
    marker = "revisions:\n"
    assert marker in text and "请认真组织实施。" in text
    text = text.replace(marker, marker + "  - date: 2024-10-01\n    note: 补充山洪灾害转移避险要求。\n", 1)
    path.write_text(
        text.replace("请认真组织实施。", f"请认真组织实施。各地要做好山洪灾害{NEW_WORDS}。", 1), encoding="utf-8"
    )
    build()
    return out, serve_site(out)


def test_a_real_update_is_searched_through_its_delta(new_page, updated_site, errors):
    out, server = updated_site
    html = (out / "search" / "index.html").read_text(encoding="utf-8")
    delta = re.search(r'data-delta="([^"]*)"', html).group(1)
    stale = re.search(r'data-stale="([^"]*)"', html).group(1).split()
    assert delta and (out / "search" / delta / "pagefind-entry.json").is_file(), "the update made no delta index"
    assert len(stale) == 1
    page = errors(new_page())
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(urlparse(request.url).path))
    # the edited text: only in the delta
    page.goto(server.url + "search/?q=" + NEW_WORDS)
    assert found(page) == 1
    assert result_paths(page) == ["/policies/2023-06-07-fangxun-fangtai-yuan/"]
    # one Pagefind runtime, of the first shard; the delta merged into it (its metadata and chunk only)
    runtimes = [p for p in fetched if p.endswith("/pagefind.js")]
    wasm = [p for p in fetched if p.rsplit("/", 1)[-1].startswith("wasm.")]
    assert len(runtimes) == 1 and len(wasm) == 1, fetched
    assert runtimes[0].rsplit("/", 2)[-2] != "delta" and wasm[0].rsplit("/", 2)[-2] != "delta"
    assert [p for p in fetched if "/delta/" in p and p.endswith(".pf_meta")], fetched
    # a word of both versions: the page once (its old version is stale), by relevance and by date
    for order in ("", "&sort=date"):
        page.goto(server.url + "search/?q=防汛" + order)
        total = found(page)
        show_all(page)
        paths = result_paths(page)
        assert len(paths) == total and paths.count("/policies/2023-06-07-fangxun-fangtai-yuan/") == 1, paths
    dates = page.eval_on_selector_all(".gk-search-result__date", "nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    assert not errors.seen
