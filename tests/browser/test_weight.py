"""Weight budgets, measured in Chromium from Playwright's response events (the sum of
the response bodies; the test server does not compress, so the figures are the
uncompressed bytes; what gzip would give is reported beside them).

* an item page of the demo site on first load (empty cache): HTML + CSS + JS + fonts
  ≤ 300 KB;
* the first search query after an update on a 10,000-item site (benchmarks/synth.py,
  else bigsite.py's own generator, then one item revised, published and built again: a
  delta index and a stale result; built once per session in the background): every
  byte fetched from the query until the first results are shown, gzip-compressed,
  ≤ 300 KB, typed into the search page or sent from another page's search form; the
  search page opened cold at ?q= (its CSS and JS loaded too) is reported.

The figures are printed at the end of the run (section "site weight").

The item page is held to what is transferred (gzip, which the shipped
nginx.conf (beside the site) turns on): ≈ 77 KB, against ≈ 330 KB uncompressed, of which
mkdocs-material's own main.css (134 KB), bundle.js (111 KB) and palette.css (12 KB) are
257 KB. A weight over its budget raises BudgetExceeded.

The first query 防汛 after an update (measured with gzip): ≈ 257 KB in 26 requests typed,
≈ 338 KB in 33 requests opened cold. One Pagefind runtime (pagefind.js 13 KB, its
WebAssembly 54 KB) for every shard and the delta (mergeIndex); each shard's metadata
(≈ 35 KB each: its page list) and the index chunk of the word (≈ 20–24 KB each: Pagefind
1.6 closes a chunk at 20,000 word positions, a size it does not let us set); the delta's
metadata and chunk (4 KB); the fragments of the first 10 results (13 KB). Before, the
delta was a second runtime (its own pagefind.js and WebAssembly): ≈ 324 KB in 28
requests typed, ≈ 405 KB in 35 cold. Filters are loaded only when the filter panel is
opened (test_search_ui.py); Pagefind's default UI loaded every filter of every shard on
the first query (18 files for 6 filters × 3 shards) and its worker script. Already-
compressed files (metadata, chunks, fragments, WebAssembly): gzip gains nothing.
"""

from __future__ import annotations

import gzip
import re
import time

import pytest

KB = 1024
ITEM_BUDGET = 300 * KB
SEARCH_BUDGET = 300 * KB
COUNTED = {"document", "stylesheet", "script", "font"}
COMPRESSIBLE = ("text/", "javascript", "json", "xml", "svg", "css")


class Recorder:
    """Every response of a page from now on, with its body (read once loading is over)."""

    def __init__(self, page):
        self.page = page
        self.responses: list = []
        page.on("response", lambda response: self.responses.append(response))

    def mark(self) -> int:
        return len(self.responses)

    def rows(self, start: int = 0) -> list[dict]:
        rows = []
        for response in self.responses[start:]:
            try:
                body = response.body()
            except Exception:  # redirects, aborted requests: no body
                body = b""
            kind = response.headers.get("content-type", "")
            packed = len(gzip.compress(body, 6)) if any(k in kind for k in COMPRESSIBLE) else len(body)
            # from the browser's cache (a file an earlier page loaded): nothing transferred
            try:
                cached = bool(body) and response.request.sizes()["responseBodySize"] <= 0
            except Exception:  # a request that did not finish: no sizes
                cached = False
            rows.append({"url": response.url, "type": response.request.resource_type, "status": response.status,
                         "bytes": len(body), "gzip": 0 if cached else min(packed, len(body)), "mime": kind,
                         "cached": cached})  # fmt: skip
        return rows


class BudgetExceeded(AssertionError):
    """A weight over its budget (and only that: see the module's docstring)."""


def table(rows: list[dict], base: str) -> list[str]:
    return [
        f"    {r['bytes'] / KB:8.1f} KB  gzip {r['gzip'] / KB:7.1f} KB  {r['type']:<10} {r['status']}  "
        f"{r['url'].removeprefix(base)}{'  (cached)' if r['cached'] else ''}"
        for r in rows
    ]


def total(rows: list[dict], key: str = "bytes") -> int:
    return sum(r[key] for r in rows)


def test_item_page_first_load_budget(new_page, demo_site, page_types, report):
    page = new_page(1280, 800)
    recorder = Recorder(page)
    page.goto(page_types["article"], wait_until="load")
    page.wait_for_load_state("networkidle")
    rows = recorder.rows()
    counted = [r for r in rows if r["type"] in COUNTED]
    other = [r for r in rows if r["type"] not in COUNTED]
    raw, packed = total(counted), total(counted, "gzip")
    by_type = {t: total([r for r in counted if r["type"] == t]) for t in sorted(COUNTED)}
    report("site weight",
           f"item page, first load: {raw / KB:.1f} KB (HTML + CSS + JS + fonts; budget {ITEM_BUDGET / KB:.0f} KB), "
           f"{packed / KB:.1f} KB with gzip; " + ", ".join(f"{t} {v / KB:.1f} KB" for t, v in by_type.items() if v)
           + f"; other requests: {len(other)} ({total(other) / KB:.1f} KB)")  # fmt: skip
    for line in table(rows, demo_site.base):
        report("site weight", line)
    assert not [r for r in counted if r["status"] >= 400], "a stylesheet or script is missing"
    # What is transferred: text compressed with gzip, as the shipped nginx.conf (beside the site)
    # turns on (static hosts such as Netlify and Cloudflare Pages compress by default).
    if packed > ITEM_BUDGET:
        raise BudgetExceeded(
            f"item page: {packed / KB:.1f} KB transferred with gzip > {ITEM_BUDGET / KB:.0f} KB "
            f"({raw / KB:.1f} KB uncompressed)"
        )


def pagefind_runtimes(rows: list[dict]) -> tuple[list[str], list[str]]:
    """The Pagefind scripts (pagefind.js) and WebAssembly files among the responses."""
    paths = [r["url"].split("?")[0] for r in rows]
    wasm = [p for p in paths if p.rsplit("/", 1)[-1].startswith("wasm.")]
    return [p for p in paths if p.endswith("/pagefind.js")], wasm


def first_query(page, recorder, site, how: str) -> tuple[list[dict], float]:
    """The responses of the first query 防汛 and the seconds until its first result is
    shown, in a fresh context (an empty cache):
    "typed": typed into the search page once it has loaded;
    "header": submitted from the header's search form of the home page, loaded first
      (the page's CSS and JS are then in the browser's cache, as after any page);
    "cold": the search page opened at ?q=防汛, its own HTML, CSS and JS counted."""
    if how != "cold":
        page.goto(site.url("search/" if how == "typed" else ""), wait_until="load")
        box = page.locator(".gk-search-input" if how == "typed" else "#gk-header-q")
        box.wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
    start = recorder.mark()
    began = time.perf_counter()
    if how == "cold":
        page.goto(site.url("search/?q=防汛"))
    else:
        box.fill("防汛")
        if how == "header":
            box.press("Enter")
    page.locator(".gk-search-result__link").first.wait_for(timeout=60_000)
    shown = time.perf_counter() - began
    page.wait_for_load_state("networkidle")
    return recorder.rows(start), shown


QUERY_CASES = {
    "typed": "typed into the loaded search page",
    "header": "from the home page's search form",
    "cold": "search page opened at ?q= with an empty cache, its own HTML, CSS and JS included",
}


@pytest.mark.slow
def test_first_search_after_an_update_on_a_10000_item_site_budget(new_page, big_site, report):
    """bigsite.py built the site, then updated it (one item revised): the search page
    merges a delta index and hides a stale result. Every byte the first query fetches,
    gzip-compressed as the shipped server configurations serve it, ≤ 300 KB (typed, or
    from another page's search form; a cold visit is reported), with one Pagefind
    runtime (pagefind.js and its WebAssembly) for every shard and the delta."""
    html = (big_site.out / "search" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-delta="[^"]+"', html) and re.search(r'data-stale="[^"]+"', html), "no update was made"
    over = []
    for how, said in QUERY_CASES.items():
        page = new_page(1280, 800)  # a fresh context: an empty cache
        recorder = Recorder(page)
        query, shown = first_query(page, recorder, big_site, how)
        count = page.locator(".gk-search-result").count()
        raw, packed = total(query), total(query, "gzip")
        report("site weight",
               f"first query 防汛 after an update, {said}: {packed / KB:.1f} KB transferred with gzip in {len(query)} "
               f"requests (budget {SEARCH_BUDGET / KB:.0f} KB), {raw / KB:.1f} KB uncompressed; "
               f"{count} results shown after {shown:.1f} s")  # fmt: skip
        for line in table(query, big_site.base):
            report("site weight", line)
        assert count > 0
        assert not [r for r in query if r["status"] >= 400], "a file of the search is missing"
        assert not [r for r in query if "/filter/" in r["url"]], "filters are loaded only when the panel is opened"
        assert not [r for r in query if "pagefind-ui" in r["url"]], "Pagefind's default UI is not used"
        scripts, wasm = pagefind_runtimes(query)
        assert len(scripts) == 1 and len(wasm) == 1, f"one Pagefind runtime for every bundle: {scripts + wasm}"
        assert "/delta/" not in scripts[0] + wasm[0]
        assert [r for r in query if "/pagefind/delta/" in r["url"] and r["url"].endswith(".pf_meta")], "delta merged"
        if packed > SEARCH_BUDGET and how != "cold":
            over.append(f"{said}: {packed / KB:.1f} KB transferred ({raw / KB:.1f} KB uncompressed)")
    if over:
        raise BudgetExceeded(f"first query > {SEARCH_BUDGET / KB:.0f} KB: " + "; ".join(over))
