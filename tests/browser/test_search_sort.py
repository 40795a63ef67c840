"""Search results ordered by relevance (default) or by publication date, newest first,
from the sort form of the search page (a plain GET form: ?sort=date).

Sorted by date, Pagefind scores each result by its position inside its own index and
merges the indexes (shards) by score, which interleaves them; gongkai.js takes the
merged list apart again and merges the shards by date (test_sort_by_date_across_shards,
on the 3-shard 10,000-item site; test_search_recall.py checks a year split in 3 shards)."""

from __future__ import annotations

import pytest


def _dates(page, pages: int = 1) -> list[str]:
    """The publication dates of the results shown, after `pages` − 1 clicks on 更多结果."""
    page.locator(".gk-search-result").first.wait_for(timeout=60_000)
    for n in range(1, pages):
        more = page.locator(".gk-search-more")
        if not more.is_visible():
            break
        more.click()
        page.wait_for_function(
            "n => document.querySelectorAll('.gk-search-result').length > n", arg=n * 10, timeout=30_000
        )
    return page.eval_on_selector_all(".gk-search-result__date", "nodes => nodes.map(n => n.getAttribute('datetime'))")


def test_sort_by_date_newest_first(new_page, demo_site):
    page = new_page(1280, 900)
    page.goto(demo_site.url("search/?q=政务&sort=date"))
    dates = _dates(page, pages=4)
    assert len(dates) >= 20
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
    assert page.locator(".gk-search-input").input_value() == "政务"


@pytest.mark.slow
def test_sort_by_date_across_shards(new_page, big_site):
    """Three shards (2024–2025, 2022–2023, 2020–2021): the newest results of all of them
    first, in order, over several pages of results."""
    assert len(list((big_site.out / "pagefind").iterdir())) >= 2
    page = new_page(1280, 900)
    page.goto(big_site.url("search/?q=防汛&sort=date"))
    dates = _dates(page, pages=3)
    assert len(dates) == 30
    assert dates == sorted(dates, reverse=True), dates
    assert dates[0] >= "2025-"  # the newest shard comes first
