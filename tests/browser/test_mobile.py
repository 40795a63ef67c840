"""Phones beyond the one check of every page type (test_page_types.py): wide tables scroll
in their own container, the largest text never makes a page scroll sideways, the header's
controls fit, the keyboard opens the navigation drawer."""

from __future__ import annotations

import pytest

from browserkit import PHONE, SIDEWAYS, screenshot


def test_wide_tables_scroll_in_their_own_container(new_page, visit):
    page = visit(new_page(**PHONE), "appointment")
    scroller = page.locator(".gk-persons .gk-scroll")
    sizes = scroller.evaluate("el => [el.scrollWidth, el.clientWidth, el.getBoundingClientRect().right]")
    assert sizes[0] > sizes[1] and sizes[2] <= 376, sizes
    scroller.evaluate("el => { el.scrollLeft = 200; }")
    assert scroller.evaluate("el => el.scrollLeft") > 0
    assert page.evaluate("window.scrollX") == 0


@pytest.mark.parametrize("name", ["home", "article", "appointment", "catalogue", "budget"])
def test_phone_with_the_largest_text_never_scrolls_sideways(new_page, visit, artifacts, name):
    page = new_page(**PHONE)
    page.context.add_init_script("localStorage.setItem('gk-font-size', '3')")
    visit(page, name)
    found = page.evaluate(SIDEWAYS)
    assert found["scrollWidth"] <= found["clientWidth"], found
    if name == "appointment":
        screenshot(page, artifacts, "appointment-largest-text", 375)


def test_phone_header_controls_fit(new_page, visit, artifacts):
    page = visit(new_page(**PHONE), "article")
    page.click(".gk-display__toggle")
    panel = page.locator(".gk-display__panel")
    box = panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    for button in panel.locator("button").all():
        b = button.bounding_box()
        assert b["width"] >= 24 and b["height"] >= 24  # WCAG 2.5.8 target size
    page.screenshot(path=str(artifacts / "screenshots" / "header-controls-375.png"))
    page.locator(".gk-display__button[data-gk-font-step='1']").click()
    assert page.evaluate("document.documentElement.dataset.gkFont") == "1"
    page.mouse.click(200, 600)  # elsewhere: the panel closes
    assert not panel.is_visible()


def test_keyboard_opens_the_navigation_drawer_on_a_phone(new_page, visit):
    page = visit(new_page(375, 812), "article")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(
            "!!document.activeElement.closest('.md-nav--primary') && document.activeElement.matches('a.md-nav__link')"
        ):
            break
    else:
        raise AssertionError("the navigation is not reachable by keyboard")
    assert page.evaluate("document.getElementById('__drawer').checked")
    page.wait_for_timeout(400)  # Material's drawer slides in
    rect = page.evaluate(
        "(() => { const r = document.activeElement.getBoundingClientRect(); return [r.left, r.right]; })()"
    )
    assert rect[0] >= 0 and rect[1] <= 375, rect
    # Shift+Tab out of the navigation closes the drawer
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if not page.evaluate("!!document.activeElement.closest('.md-sidebar--primary')"):
            break
    assert not page.evaluate("document.getElementById('__drawer').checked")
