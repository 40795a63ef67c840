"""Accessibility in Chromium beyond the one check of every page type (test_page_types.py):
axe-core's WCAG 2.1 AA rules in high contrast, on a phone with the controls open, with the
largest text and on the search page's open filters; the keyboard, text alternatives of
charts, and the reading controls (适老化). Findings go to the axe report (axekit.py).
"""

from __future__ import annotations

import pytest

from axekit import check

APPOINTMENT = "appointment"


@pytest.mark.parametrize("name", ["home", "article", APPOINTMENT, "budget", "catalogue", "search"])
def test_axe_high_contrast(new_page, visit, axe_source, name):
    page = new_page()
    page.context.add_init_script("localStorage.setItem('gk-contrast', 'high')")
    visit(page, name)
    assert page.evaluate("document.documentElement.dataset.gkContrast") == "high"
    check(page, axe_source, f"{name} (high contrast)")


@pytest.mark.parametrize("name", ["home", APPOINTMENT, "catalogue"])
def test_axe_on_a_phone_with_the_controls_open(new_page, visit, axe_source, name):
    page = visit(new_page(375, 812, is_mobile=True, has_touch=True), name)
    page.click(".gk-display__toggle")
    assert page.locator(".gk-display__panel").is_visible()
    check(page, axe_source, f"{name} (375 px, controls open)")


SEARCH_CASES = {
    "desktop": ({}, None),
    "high contrast": ({}, "localStorage.setItem('gk-contrast', 'high')"),
    "375 px": ({"width": 375, "height": 812, "is_mobile": True, "has_touch": True}, None),
}


@pytest.mark.parametrize("case", list(SEARCH_CASES))
def test_axe_search_with_more_results_and_the_filters_open(new_page, visit, axe_source, case):
    """The search page (its results are checked with the
    other page types in test_page_types.py, with ?q=低保) once the
    reader has asked for more results, opened the filter panel and chosen a filter."""
    options, script = SEARCH_CASES[case]
    page = new_page(**options)
    if script:
        page.context.add_init_script(script)
    visit(page, "search")
    page.goto(page.url.split("?")[0] + "?q=政务")
    page.locator(".gk-search-result__link").first.wait_for(timeout=15_000)
    page.click(".gk-search-more")
    page.wait_for_function("() => document.querySelectorAll('.gk-search-result').length > 10", timeout=15_000)
    page.click(".gk-search-filters summary")
    page.locator(".gk-search-filters fieldset").first.wait_for(timeout=15_000)
    before = page.locator(".gk-search-status").inner_text()
    page.locator(".gk-search-filters fieldset input").first.check()
    page.wait_for_function(
        "t => document.querySelector('.gk-search-status').textContent !== t", arg=before, timeout=15_000
    )
    page.locator(".gk-search-result__link").first.wait_for(timeout=15_000)
    check(page, axe_source, f"search (more results, filters open, {case})")


def test_axe_largest_text(new_page, visit, axe_source):
    page = new_page()
    page.context.add_init_script("localStorage.setItem('gk-font-size', '3')")
    visit(page, APPOINTMENT)
    check(page, axe_source, "appointment (largest text)")


# ---------------------------------------------------------------------------
# keyboard

FOCUS_INFO = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el), r = el.getBoundingClientRect();
    return {
        key: el.tagName + '#' + el.id + '.' + el.className + '|' + (el.getAttribute('href') || '') + '|' +
            (el.textContent || '').trim().slice(0, 20),
        tag: el.tagName, text: (el.textContent || el.value || '').trim().slice(0, 30),
        outline: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth) || 0, shadow: cs.boxShadow,
        box: r.width > 0 && r.height > 0,
        header: !!el.closest('.md-header'), search: !!el.closest('.gk-header-search'),
        display: !!el.closest('.gk-display'), nav: !!el.closest('.md-nav--primary'),
        scroller: el.classList.contains('gk-scroll'), skip: el.classList.contains('gk-skip'),
    };
}"""


def visible_focus(info: dict) -> bool:
    return (info["outline"] not in ("none", "") and info["outlineWidth"] > 0) or info["shadow"] not in ("none", "")


def tab_through(page, limit: int, until) -> list[dict]:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_INFO)
        assert info is not None, f"focus lost after {[s['key'] for s in seen[-3:]]}"
        assert not seen or info["key"] != seen[-1]["key"], f"focus did not move from {info['key']}"
        assert info["box"], f"focused element is not visible: {info['key']}"
        assert visible_focus(info), (
            f"no visible focus indicator on {info['key']}: "
            f"outline {info['outline']} {info['outlineWidth']}px, box-shadow {info['shadow']}"
        )
        seen.append(info)
        if until(info):
            return seen
    raise AssertionError(f"not reached in {limit} Tab presses: {[s['key'] for s in seen]}")


def test_keyboard_reaches_every_kind_of_control_with_a_visible_focus(new_page, visit):
    page = visit(new_page(1280, 900), APPOINTMENT)
    seen = tab_through(page, 90, lambda info: info["scroller"])
    kinds = {kind for info in seen for kind in ("skip", "search", "display", "nav", "scroller") if info[kind]}
    assert kinds == {"skip", "search", "display", "nav", "scroller"}, kinds
    texts = [info["text"] for info in seen if info["display"]]
    assert [t[:2] for t in texts] == ["A−", "A ", "A+", "高对"], texts
    # the skip link leads to the content
    page.goto(page.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('gk-skip')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "gk-main"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.md-content')")
    # a table scroller scrolls with the arrow keys once focused
    scroller = page.locator(".gk-persons .gk-scroll")
    scroller.focus()
    before = scroller.evaluate("el => el.scrollLeft")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth") or page.viewport_size["width"] >= 1280
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    if scroller.evaluate("el => el.scrollWidth > el.clientWidth"):  # (smooth scrolling: wait for it)
        page.wait_for_function(
            "([el, before]) => el.scrollLeft > before", arg=[scroller.element_handle(), before], timeout=5_000
        )


def test_keyboard_on_a_phone_opens_and_closes_the_controls(new_page, visit):
    page = visit(new_page(375, 812), APPOINTMENT)
    seen = tab_through(page, 12, lambda info: info["display"])
    toggle = page.locator(".gk-display__toggle")
    assert page.evaluate("document.activeElement.classList.contains('gk-display__toggle')"), seen[-1]
    assert toggle.get_attribute("aria-expanded") == "false" and not page.locator(".gk-display__panel").is_visible()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator(".gk-display__panel").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.gkFontStep") == "-1"
    assert visible_focus(page.evaluate(FOCUS_INFO))
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not page.locator(".gk-display__panel").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('gk-display__toggle')")


def test_catalogue_controls_by_keyboard(new_page, visit):
    page = visit(new_page(1280, 900), "catalogue")
    seen = tab_through(page, 60, lambda info: info["tag"] == "BUTTON" and "gk-sort" in info["key"])
    tags = [info["tag"] for info in seen]
    assert tags.count("SELECT") >= 2
    page.keyboard.press("Enter")
    assert page.locator("th[aria-sort='ascending']").count() == 1


# ---------------------------------------------------------------------------
# text alternatives


def test_charts_and_flowcharts_have_text_alternatives(new_page, visit):
    for name, min_charts in (("budget", 1), ("procedure", 1)):
        page = visit(new_page(), name)
        charts = page.locator("svg.gk-chart")
        assert charts.count() >= min_charts, name
        for i in range(charts.count()):
            chart = charts.nth(i)
            assert chart.get_attribute("role") == "img"
            title = chart.evaluate(
                "svg => (document.getElementById(svg.getAttribute('aria-labelledby')) || {}).textContent || ''"
            ).strip()
            desc = chart.evaluate(
                "svg => (document.getElementById(svg.getAttribute('aria-describedby')) || {}).textContent || ''"
            ).strip()
            assert title and len(desc) > len(title), (name, title, desc)
            assert page.get_by_role("img", name=title).count() >= 1
            # and a text version beside it: the data list of a chart, the list of steps of a flow
            figure = chart.locator("xpath=ancestor::figure[1]")
            if "gk-chart--flow" in chart.get_attribute("class"):
                steps = page.locator("ol.gk-steps > li")
                assert steps.count() >= 2 and f"共{steps.count()}个环节" in desc, desc
                assert all(text.strip() for text in steps.all_inner_texts())
            else:
                data = figure.locator(".gk-chart-data li").all_inner_texts()
                assert data and all(line.strip() in desc for line in data), (data, desc)
    page = visit(new_page(), "work_report")
    meter = page.locator(".gk-meter")
    assert meter.get_attribute("aria-label") and page.locator(".gk-completion__text").inner_text().strip()


def test_images_and_icons_are_named_or_hidden(new_page, visit):
    page = visit(new_page(), "home")
    unnamed = page.evaluate(
        """() => Array.from(document.querySelectorAll('img, svg')).filter(el => {
            if (el.closest('[aria-hidden="true"]') || el.getAttribute('aria-hidden') === 'true') return false;
            if (el.tagName === 'IMG') return !el.hasAttribute('alt');
            const link = el.closest('a, button, label');
            const named = link &&
                (link.getAttribute('aria-label') || link.textContent.trim() || link.getAttribute('title'));
            if (named) return false;
            return el.getAttribute('role') === 'img' && !el.getAttribute('aria-label') &&
                !el.getAttribute('aria-labelledby');
        }).map(el => el.outerHTML.slice(0, 80))"""
    )
    assert not unnamed


# ---------------------------------------------------------------------------
# reading controls (适老化): text size and high contrast, kept across pages

ROOT_SIZE = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
AT_BODY = """
window.__gkAtBody = 'unset';
new MutationObserver((records, observer) => {
    if (document.body) {
        const root = document.documentElement;
        window.__gkAtBody = [root.getAttribute('data-gk-font'), root.getAttribute('data-gk-contrast')];
        observer.disconnect();
    }
}).observe(document, {childList: true, subtree: true});
"""


def test_text_size_controls_work_and_persist(new_page, visit, page_types):
    page = new_page(1280, 900)
    page.context.add_init_script(AT_BODY)
    visit(page, "article")
    base = page.evaluate(ROOT_SIZE)
    larger, smaller, reset = (page.locator(f".gk-display__button[data-gk-font-step='{s}']") for s in ("1", "-1", "0"))
    assert reset.get_attribute("aria-disabled") == "true"
    larger.click()
    larger.click()
    assert page.evaluate("document.documentElement.dataset.gkFont") == "2"
    assert page.evaluate(ROOT_SIZE) == pytest.approx(base * 1.3, rel=0.01)
    assert page.evaluate("localStorage.getItem('gk-font-size')") == "2"
    body_size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.gk-body p, .md-typeset p')).fontSize)"
    )

    # a navigation by clicking: the size is there before the first paint of the next page
    page.locator(".md-nav--primary a.md-nav__link", has_text="信息公开目录").first.click()
    page.wait_for_url(page_types["catalogue"])
    assert page.evaluate("window.__gkAtBody") == ["2", None]
    assert page.evaluate(ROOT_SIZE) == pytest.approx(base * 1.3, rel=0.01)
    assert page.locator(".gk-display__button[data-gk-font-step='0']").get_attribute("aria-disabled") == "false"
    visit(page, "article")
    assert page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.gk-body p, .md-typeset p')).fontSize)"
    ) == pytest.approx(body_size, rel=0.01)

    # bounds: never larger than level 3, never smaller than −1
    for _ in range(4):  # aria-disabled at the bound: Playwright would wait for it to be enabled
        page.locator(".gk-display__button[data-gk-font-step='1']").click(force=True)
    assert page.evaluate("document.documentElement.dataset.gkFont") == "3"
    assert page.locator(".gk-display__button[data-gk-font-step='1']").get_attribute("aria-disabled") == "true"
    page.locator(".gk-display__button[data-gk-font-step='0']").click()
    assert page.evaluate("document.documentElement.hasAttribute('data-gk-font')") is False
    assert page.evaluate("localStorage.getItem('gk-font-size')") is None
    assert page.evaluate(ROOT_SIZE) == pytest.approx(base)
    for _ in range(3):
        page.locator(".gk-display__button[data-gk-font-step='-1']").click(force=True)
    assert page.evaluate("document.documentElement.dataset.gkFont") == "-1"
    assert page.evaluate(ROOT_SIZE) < base
    assert page.locator(".gk-display__button[data-gk-font-step='-1']").get_attribute("aria-disabled") == "true"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.gkFont") == "-1"


def test_high_contrast_toggle_works_and_persists(new_page, visit, page_types):
    page = new_page(1280, 900)
    page.context.add_init_script(AT_BODY)
    visit(page, APPOINTMENT)
    button = page.locator("[data-gk-contrast-toggle]")
    header_bg = "() => getComputedStyle(document.querySelector('.md-header')).backgroundColor"
    normal = page.evaluate(header_bg)
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.dataset.gkContrast") == "high"
    assert page.evaluate(header_bg) == "rgb(0, 0, 0)" != normal
    assert page.evaluate("() => getComputedStyle(document.querySelector('.md-typeset')).color") == "rgb(0, 0, 0)"
    assert "underline" in page.evaluate(
        "() => getComputedStyle(document.querySelector('.md-typeset a[href]')).textDecorationLine"
    )

    page.locator(".md-nav--primary a.md-nav__link", has_text="通知公告").first.click()
    page.wait_for_url(page_types["home"] + "notices/")
    assert page.evaluate("window.__gkAtBody") == [None, "high"]
    assert page.locator("[data-gk-contrast-toggle]").get_attribute("aria-pressed") == "true"
    assert page.evaluate(header_bg) == "rgb(0, 0, 0)"

    page.locator("[data-gk-contrast-toggle]").click()
    assert page.evaluate("localStorage.getItem('gk-contrast')") is None
    page.goto(page_types["home"])
    assert page.evaluate("document.documentElement.hasAttribute('data-gk-contrast')") is False
    assert page.evaluate(header_bg) == normal


def test_controls_are_hidden_without_javascript(new_page, page_types):
    page = new_page(java_script_enabled=False)
    page.goto(page_types["article"])
    assert not page.locator(".gk-display").is_visible()
    assert page.locator("#gk-header-q").is_visible()  # the search form works without JS
