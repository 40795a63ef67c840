"""Shared by the browser tests: the page types every page-by-page test covers, the rule
for missing tools, and `gongkai publish` for the sites they build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.model.registry import TYPES

REPO = Path(__file__).resolve().parents[2]


def publish(site: Path) -> None:
    """`gongkai publish`: a build publishes recorded versions only."""
    command = [sys.executable, "-m", "generator", "publish", "-s", str(site)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(f"gongkai publish {site} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def new_context(browser, width: int = 1280, height: int = 800, **options):
    """A fresh browser context (zh-CN, Asia/Shanghai) with a viewport of width × height."""
    options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", **options}
    return browser.new_context(viewport={"width": width, "height": height}, **options)


PHONE = {"width": 375, "height": 812, "is_mobile": True, "has_touch": True}

# what scrolls sideways: the page's width and the first elements that reach past it
SIDEWAYS = """() => {
    const root = document.scrollingElement;
    const wide = Array.from(document.querySelectorAll('body *')).filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > root.clientWidth + 1 &&
            !el.closest('.gk-scroll, .md-typeset__scrollwrap, .md-sidebar, .md-header__title, .gk-sr-only, .md-skip');
    }).map(el => el.tagName.toLowerCase() + '.' + String(el.className).split(' ').join('.'));
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide.slice(0, 8)};
}"""


def screenshot(page, artifacts: Path, name: str, width: int) -> None:
    """The whole page, in test-artifacts/screenshots/<name>-<width>.png (git-ignored)."""
    page.screenshot(path=str(artifacts / "screenshots" / f"{name}-{width}.png"), full_page=True)


def missing(what: str, hint: str):
    """A tool the tests need is missing: a failure in CI (CI=true), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: {hint}")
    pytest.skip(f"{what} ({hint})")


PAGE_TYPES = [
    "home", "category", *TYPES, "procurement_category", "letter_category", "catalogue", "search", "subscribe", "data", "page", "withdrawn", "repealed", "pagination",
]  # fmt: skip
# preferred demo pages (the richest of their type); any page of the type otherwise
PREFERRED = {
    "article": "policies/2023-09-11-dibao-shishi-banfa/",
    "budget": "budgets/2024-bumen-yusuan/",
    "appointment": "appointments/2024-09-27-renqian-gongshi/",
    "procedure": "guides/zuidi-shenghuo-baozhang/",
    "duty": "duties/office/",
    "consultation": "consultations/2024-10-08-xingzheng-guifan-zhengqiu/",
    "letter": "letters/2024-10-10-gongjiao-xianlu/",
}
FIXED = {"home": "", "category": "policies/", "catalogue": "catalogue/", "search": "search/", "subscribe": "subscribe/", "data": "data/", "page": "pages/about/",
         "procurement_category": "procurement/", "letter_category": "letters/"}  # category pages with statistics
