"""Search results ordered by relevance (default) or by publication date, newest first,
from the sort form of the search page (a plain GET form: ?sort=date)."""

from __future__ import annotations

import re

DATE = re.compile(r"(\d{4}-\d\d-\d\d)")


def _dates(page) -> list[str]:
    page.locator(".pagefind-ui__result").first.wait_for(timeout=15_000)
    page.wait_for_timeout(500)
    texts = page.locator(".pagefind-ui__result").all_inner_texts()
    return [m.group(1) for m in (DATE.search(t) for t in texts) if m]


def test_sort_by_date_newest_first(new_page, demo_site):
    page = new_page(1280, 900)
    page.goto(demo_site.url("search/?q=政务&sort=date"))
    dates = _dates(page)
    assert len(dates) >= 5
    assert dates == sorted(dates, reverse=True)
    assert page.locator("#gk-sort").input_value() == "date"


def test_sort_form_switches_the_order(new_page, demo_site):
    page = new_page(1280, 900)
    page.goto(demo_site.url("search/?q=政务"))
    relevance = _dates(page)
    with page.expect_navigation():
        page.select_option("#gk-sort", "date")
    assert "sort=date" in page.url and "q=" in page.url
    by_date = _dates(page)
    assert by_date == sorted(by_date, reverse=True)
    assert by_date != relevance
