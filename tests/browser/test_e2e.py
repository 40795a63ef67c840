"""End to end, as a person uses the demo site: Chromium through Playwright against the
built demo site (SOURCE_DATE_EPOCH 2024-10-08, Asia/Shanghai) served on 127.0.0.1.

Home → category → item by clicking; search by a Chinese word on the search page and from
the header form; search by an index number (full and 后段码); the 信息公开目录's filters
and sorting; a feed; a permanent link /i/<number>/; an appointment's status before,
during and after its notice period, from the browser's clock. The site is served with
the headers of its `_headers` file (Content-Security-Policy …), as deployed.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urljoin
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIBAO = "policies/2023-09-11-dibao-shishi-banfa/"  # 最低生活保障实施办法: the word 低保
DIBAO_GUIDE = "guides/zuidi-shenghuo-baozhang/"
FANGXUN = "policies/2023-06-07-fangxun-fangtai-yuan/"  # 防汛防台应急预案: the word 防汛
APPOINTMENT = "appointments/2024-09-27-renqian-gongshi/"  # notice 2024-09-27 … 2024-10-09
TIMEOUT = 15_000


def path_of(url: str, site) -> str:
    return unquote(url.removeprefix(site.base).split("?")[0].split("#")[0])


def results(page) -> list[str]:
    """Site paths of the search results, once they are shown."""
    page.locator(".gk-search-result__link").first.wait_for(timeout=TIMEOUT)
    hrefs = page.eval_on_selector_all(".gk-search-result__link", "links => links.map(a => a.href)")
    return [unquote(re.sub(r"^https?://[^/]+/", "", href)) for href in hrefs]


def index_no(page) -> str:
    number = page.locator(".gk-item").get_attribute("data-index-no")
    assert number and "/" in number
    return number


# ---------------------------------------------------------------------------
# browsing


def test_home_to_category_to_item_by_clicking(page, demo_site):
    response = page.goto(demo_site.url())
    if (demo_site.out.parent / f"{demo_site.out.name}-server" / "_headers").is_file():  # served as deployed: with its Content-Security-Policy
        assert "script-src" in response.headers.get("content-security-policy", "")
    assert page.locator("h1").inner_text() == "青山县人民政府办公室"
    page.locator(".gk-home__category h2 a", has_text="政策文件").click()
    page.wait_for_url(demo_site.url("policies/"))
    assert page.locator("h1").inner_text() == "政策文件"
    link = page.locator(".gk-table--items .gk-col-title a").first
    title = link.inner_text().strip()
    link.click()
    page.wait_for_load_state("domcontentloaded")
    assert path_of(page.url, demo_site).startswith("policies/") and path_of(page.url, demo_site) != "policies/"
    assert page.locator("h1.gk-title").inner_text().strip() == title
    # the item page: its catalogue header and its title in the window title
    assert page.locator("table.gk-catalogue th", has_text="索引号").count() == 1
    assert page.title().startswith(title)


def test_nav_leads_to_every_column(page, demo_site):
    page.goto(demo_site.url())
    for name, path in (("信息公开目录", "catalogue/"), ("通知公告", "notices/"), ("站内搜索", "search/")):
        page.locator(".md-nav--primary a.md-nav__link", has_text=name).first.click()
        page.wait_for_url(demo_site.url(path))


# ---------------------------------------------------------------------------
# search


def test_search_page_finds_a_chinese_word(page, demo_site):
    page.goto(demo_site.url("search/"))
    box = page.locator(".gk-search-input")
    box.wait_for(timeout=TIMEOUT)
    box.fill("低保")
    found = results(page)
    assert DIBAO in found and DIBAO_GUIDE in found, found


def test_header_search_form_opens_the_results(page, demo_site):
    page.goto(demo_site.url(DIBAO))
    page.fill("#gk-header-q", "防汛")
    page.press("#gk-header-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert unquote(page.url).endswith("?q=防汛")
    found = results(page)
    assert FANGXUN in found, found
    # the query stays in the search box
    assert page.locator(".gk-search-input").input_value() == "防汛"


@pytest.mark.parametrize("part", ["full", "后段码"])
def test_index_number_search_puts_the_item_first(page, demo_site, part):
    page.goto(demo_site.url(DIBAO))
    number = index_no(page)
    query = number if part == "full" else number.split("/", 1)[1]
    page.goto(demo_site.url("search/?q=" + query))
    hit = page.locator(".gk-search-hit--index a").first
    hit.wait_for(timeout=TIMEOUT)
    assert path_of(hit.get_attribute("href"), demo_site) == DIBAO
    # first: above the results
    first = page.evaluate(
        """() => {
            const hit = document.querySelector('.gk-search-hit--index');
            const results = document.querySelector('.gk-search-results');
            return !!(hit.compareDocumentPosition(results) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert first
    hit.click()
    page.wait_for_url(demo_site.url(DIBAO))


def test_index_number_typed_into_the_search_box(page, demo_site):
    page.goto(demo_site.url(DIBAO_GUIDE))
    number = index_no(page)
    page.goto(demo_site.url("search/"))
    box = page.locator(".gk-search-input")
    box.wait_for(timeout=TIMEOUT)
    box.fill(number.split("/", 1)[1])
    hit = page.locator(".gk-search-hit--index a").first
    hit.wait_for(timeout=TIMEOUT)
    assert path_of(hit.get_attribute("href"), demo_site) == DIBAO_GUIDE


# ---------------------------------------------------------------------------
# 信息公开目录


def visible_rows(page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('table[data-gk-sortable] tbody tr'))
            .filter(row => !row.hidden)
            .map(row => ({category: row.dataset.category, year: row.dataset.year,
                          cells: Array.from(row.cells).map(c => c.textContent.trim())}))"""
    )


def test_catalogue_filters_and_sorting(page, demo_site):
    page.goto(demo_site.url("catalogue/"))
    form = page.locator("form[data-gk-filters]")
    form.wait_for(state="visible", timeout=TIMEOUT)
    everything = visible_rows(page)
    total = len(everything)
    assert total > 50
    count = page.locator("[data-gk-count]")

    page.select_option("#gk-filter-category", "policies")
    rows = visible_rows(page)
    assert rows and len(rows) < total and {r["category"] for r in rows} == {"policies"}
    assert all(r["cells"][-1] == "政策文件" for r in rows)
    assert count.inner_text() == f"共 {total} 条，当前显示 {len(rows)} 条"

    page.select_option("#gk-filter-year", "2023")
    both = visible_rows(page)
    assert both and {(r["category"], r["year"]) for r in both} == {("policies", "2023")}
    assert all(r["cells"][4].startswith("2023-") for r in both)

    # every category and year offered is one that exists
    categories = page.eval_on_selector_all("#gk-filter-category option", "o => o.map(x => x.value).filter(Boolean)")
    assert set(categories) == {r["category"] for r in everything}
    years = page.eval_on_selector_all("#gk-filter-year option", "o => o.map(x => x.value).filter(Boolean)")
    assert years == sorted({r["year"] for r in everything}, reverse=True)

    form.locator("button[type=reset]").click()
    page.wait_for_function("() => Array.from(document.querySelectorAll('table[data-gk-sortable] tbody tr')).every(r => !r.hidden)")
    assert len(visible_rows(page)) == total

    # sorting by the date column: ascending, then descending
    date_header = page.locator("table[data-gk-sortable] thead th", has_text="发布日期")
    date_header.locator("button.gk-sort").click()
    assert date_header.get_attribute("aria-sort") == "ascending"
    dates = [r["cells"][4] for r in visible_rows(page)]
    assert dates == sorted(dates) and dates[0] < dates[-1]
    date_header.locator("button.gk-sort").click()
    assert date_header.get_attribute("aria-sort") == "descending"
    dates = [r["cells"][4] for r in visible_rows(page)]
    assert dates == sorted(dates, reverse=True)
    # by title, with the keyboard; a filter still applies to the sorted rows
    title_button = page.locator("table[data-gk-sortable] thead th", has_text="标题").locator("button.gk-sort")
    title_button.focus()
    page.keyboard.press("Enter")
    assert page.locator("table[data-gk-sortable] thead th", has_text="标题").get_attribute("aria-sort") == "ascending"
    assert date_header.get_attribute("aria-sort") == "none"
    page.select_option("#gk-filter-category", "appointments")
    rows = visible_rows(page)
    assert rows and {r["category"] for r in rows} == {"appointments"}
    titles = [r["cells"][1] for r in rows]
    assert titles == page.evaluate("t => t.slice().sort(new Intl.Collator('zh', {numeric: true}).compare)", titles)


# ---------------------------------------------------------------------------
# feeds and permanent links


def test_feed_link_serves_xml(page, demo_site):
    page.goto(demo_site.url("subscribe/"))
    links = page.locator(".md-content a[href$='.xml']")
    assert links.count() >= 4
    for kind, root_tag in (("rss", "rss"), ("atom", "{http://www.w3.org/2005/Atom}feed")):
        href = page.locator(f".md-content a[href$='all.{kind}.xml']").first.get_attribute("href")
        with page.expect_response(lambda r: r.url.endswith(f"all.{kind}.xml")) as info:
            page.locator(f".md-content a[href$='all.{kind}.xml']").first.click()
        response = info.value
        assert response.status == 200
        assert "xml" in response.headers.get("content-type", ""), response.headers
        root = ET.fromstring(response.body())
        assert root.tag == root_tag
        entries = root.findall("./channel/item") if kind == "rss" else root.findall("{http://www.w3.org/2005/Atom}entry")
        assert entries
        assert href.endswith(f"feeds/all.{kind}.xml")
        page.goto(demo_site.url("subscribe/"))
    # the category page links its own feed
    page.goto(demo_site.url("policies/"))
    response = page.request.get(urljoin(page.url, page.locator("a.gk-feed-link").first.get_attribute("href")))
    assert response.ok and b"<rss" in response.body()


def test_permanent_link_leads_to_the_item(page, demo_site):
    page.goto(demo_site.url(DIBAO))
    number, title = index_no(page), page.locator("h1.gk-title").inner_text()
    page.goto(demo_site.url(f"i/{number}/"))
    page.wait_for_url(demo_site.url(DIBAO), timeout=TIMEOUT)
    assert page.locator("h1.gk-title").inner_text() == title
    # without JavaScript too (meta refresh)
    context = page.context.browser.new_context(java_script_enabled=False)
    try:
        other = context.new_page()
        other.goto(demo_site.url(f"i/{number}/"))
        other.wait_for_url(demo_site.url(DIBAO), timeout=TIMEOUT)
    finally:
        context.close()


# ---------------------------------------------------------------------------
# an appointment's notice status follows the browser's clock

CLOCK = [
    ("2024-09-20T10:00:00", "upcoming", "未开始"),
    ("2024-09-27T00:05:00", "open", "公示中"),
    ("2024-10-09T23:55:00", "open", "公示中"),
    ("2024-10-10T00:05:00", "closed", "已结束"),
    ("2025-06-01T12:00:00", "closed", "已结束"),
]


@pytest.mark.parametrize("when,status,label", CLOCK, ids=[c[0][:10] + "-" + c[1] for c in CLOCK])
def test_notice_status_follows_the_browser_clock(new_page, demo_site, when, status, label):
    page = new_page()
    page.clock.set_fixed_time(dt.datetime.fromisoformat(when).replace(tzinfo=SHANGHAI))
    page.goto(demo_site.url(APPOINTMENT))
    node = page.locator(".gk-notice-status")
    assert node.get_attribute("data-status") == status
    assert page.locator(".gk-notice-status__value").inner_text() == label
    assert f"gk-notice-status--{status}" in node.get_attribute("class")


def test_notice_status_uses_the_site_time_zone(new_page, demo_site):
    """16:30 UTC on 9 October is 00:30 on 10 October in Shanghai: the notice has ended,
    whatever the time zone of the reader's computer."""
    page = new_page(timezone_id="UTC")
    page.clock.set_fixed_time(dt.datetime(2024, 10, 9, 16, 30, tzinfo=dt.timezone.utc))
    page.goto(demo_site.url(APPOINTMENT))
    assert page.locator(".gk-notice-status__value").inner_text() == "已结束"


def test_notice_status_without_javascript_is_the_build_day(new_page, demo_site):
    page = new_page(java_script_enabled=False)
    page.goto(demo_site.url(APPOINTMENT))
    assert page.locator(".gk-notice-status__value").inner_text() == "公示中"  # built on 2024-10-08
