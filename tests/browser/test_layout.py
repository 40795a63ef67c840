"""Layout and requests on every page type, in Chromium: no request that fails, links in
running text told apart by more than colour, wide tables using the width of the page.
"""

from __future__ import annotations

import pytest

from browserkit import PAGE_TYPES

# Links inside the content whose text does not say by its colour alone that it is a link:
# every <a> in .md-typeset except buttons and the pagination's boxes.
NOT_UNDERLINED = """() => [...document.querySelectorAll('.md-content .md-typeset a[href]')]
  .filter(a => !a.closest('.gk-pagination') && !a.classList.contains('md-button')
               && !a.classList.contains('headerlink') && a.offsetParent !== null)
  .filter(a => !getComputedStyle(a).textDecorationLine.includes('underline'))
  .map(a => a.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_request_fails(new_page, visit, name):
    """Every page loads without a 4xx/5xx response (mkdocs-material's bundle once asked for
    sitemap.xml beside every feed link: /feeds/sitemap.xml, 404 on every page)."""
    page = new_page()
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    visit(page, name)
    page.wait_for_load_state("networkidle")
    assert failed == []


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_links_in_the_content_are_underlined(new_page, visit, name):
    """WCAG 1.4.1 (axe link-in-text-block): a link in running text is underlined, e.g. the
    attachment links of an item (2.34:1 against the text by colour alone)."""
    page = visit(new_page(), name)
    assert page.evaluate(NOT_UNDERLINED) == []


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
