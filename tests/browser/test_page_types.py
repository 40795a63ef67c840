"""Every page type in Chromium (browserkit.PAGE_TYPES), each loaded once at desktop size
(1280×800) and once on a phone (375×812); every check of a width reads that one load:

- no request fails (a 4xx/5xx response or a failed request);
- links in running text are underlined (told apart by more than colour);
- no page scrolls sideways, and wide tables scroll in a container that fits the phone;
- axe-core finds no serious or critical WCAG 2.1 AA violation (axekit.py: the report);
- a screenshot of each at both widths in test-artifacts/screenshots/<page type>-<width>.png
  (git-ignored).

The checks only read the page; axe, which adds its script, runs last on each page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from axekit import check
from browserkit import PAGE_TYPES, PHONE, SIDEWAYS, new_context, screenshot


@dataclass
class Loaded:
    name: str
    page: object
    failed: list[str] = field(default_factory=list)  # responses ≥ 400 and failed requests, in order


def load(browser, visit, name: str, **viewport) -> tuple[object, Loaded]:
    context = new_context(browser, **viewport)
    page = context.new_page()
    loaded = Loaded(name, page)
    page.on("response", lambda r: r.status >= 400 and loaded.failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: loaded.failed.append(f"failed {r.url}"))
    visit(page, name)
    page.wait_for_load_state("networkidle")
    return context, loaded


@pytest.fixture(scope="module", params=PAGE_TYPES)
def page_type(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def desktop(browser, visit, page_type):
    context, loaded = load(browser, visit, page_type, width=1280, height=800)
    yield loaded
    context.close()


@pytest.fixture(scope="module")
def phone(browser, visit, page_type):
    context, loaded = load(browser, visit, page_type, **PHONE)
    yield loaded
    context.close()


# ---------------------------------------------------------------------------
# desktop


def test_no_request_fails(desktop):
    """Every page loads without a 4xx/5xx response (mkdocs-material's bundle once asked for
    sitemap.xml beside every feed link: /feeds/sitemap.xml, 404 on every page)."""
    assert desktop.failed == []


# Links inside the content whose text does not say by its colour alone that it is a link:
# every <a> in .md-typeset except buttons and the pagination's boxes.
NOT_UNDERLINED = """() => [...document.querySelectorAll('.md-content .md-typeset a[href]')]
  .filter(a => !a.closest('.gk-pagination') && !a.classList.contains('md-button')
               && !a.classList.contains('headerlink') && a.offsetParent !== null)
  .filter(a => !getComputedStyle(a).textDecorationLine.includes('underline'))
  .map(a => a.outerHTML.slice(0, 120))"""


def test_links_in_the_content_are_underlined(desktop):
    """WCAG 1.4.1 (axe link-in-text-block): a link in running text is underlined, e.g. the
    attachment links of an item (2.34:1 against the text by colour alone)."""
    assert desktop.page.evaluate(NOT_UNDERLINED) == []


def test_desktop_never_scrolls_sideways(desktop, artifacts):
    found = desktop.page.evaluate(SIDEWAYS)
    assert found["scrollWidth"] <= found["clientWidth"], found
    screenshot(desktop.page, artifacts, desktop.name, 1280)


def test_axe_has_no_serious_violations(desktop, axe_source):
    check(desktop.page, axe_source, desktop.name)


# ---------------------------------------------------------------------------
# phone

# every table wider than its container sits in a scrolling container that fits the screen
TABLES = """() => Array.from(document.querySelectorAll('.md-content table')).map(table => {
    let box = table.parentElement;
    while (box && box !== document.body && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) {
        box = box.parentElement;
    }
    const t = table.getBoundingClientRect();
    const b = box && box !== document.body ? box.getBoundingClientRect() : null;
    return {cls: table.className, width: t.width, scroller: !!b, boxRight: b ? b.right : null,
            scrolls: b ? box.scrollWidth > box.clientWidth : false, view: document.scrollingElement.clientWidth};
})"""


def test_phone_never_scrolls_sideways(phone, artifacts):
    found = phone.page.evaluate(SIDEWAYS)
    assert found["scrollWidth"] <= found["clientWidth"], found
    assert not found["wide"], found
    for table in phone.page.evaluate(TABLES):
        if table["width"] > table["view"]:
            assert table["scroller"] and table["boxRight"] <= table["view"] + 1, table
            assert table["scrolls"], table
    screenshot(phone.page, artifacts, phone.name, 375)


# ---------------------------------------------------------------------------
# wide tables at desktop size


@pytest.mark.parametrize("name", ["catalogue", "work_report", "appointment", "budget"])
def test_wide_tables_use_the_width_at_desktop_size(new_page, visit, name):
    """At 1280 px, pages without a table of contents give its column to the content, and
    the catalogue shows every column without scrolling sideways."""
    page = visit(new_page(1280, 900), name)
    toc = page.locator(".md-sidebar--secondary")
    assert toc.count() == 0 or not toc.first.is_visible(), "an empty table-of-contents column takes the width"
    content = page.locator(".md-content").bounding_box()
    assert content["width"] > 900, content
    if name == "catalogue":
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('.gk-scroll')].map(s => s.scrollWidth - s.clientWidth)"
        )
        assert overflow and max(overflow) <= 1, f"the catalogue scrolls sideways by {overflow} px at 1280 px"
