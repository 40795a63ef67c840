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


def missing(what: str, hint: str):
    """A tool the tests need is missing: a failure in CI (CI=true), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: {hint}")
    pytest.skip(f"{what} ({hint})")


PAGE_TYPES = [
    "home", "category", *TYPES, "catalogue", "search", "subscribe", "data", "page", "withdrawn", "repealed", "pagination",
]  # fmt: skip
# preferred demo pages (the richest of their type); any page of the type otherwise
PREFERRED = {
    "article": "policies/2023-09-11-dibao-shishi-banfa/",
    "budget": "budgets/2024-bumen-yusuan/",
    "appointment": "appointments/2024-09-27-renqian-gongshi/",
    "procedure": "guides/zuidi-shenghuo-baozhang/",
    "duty": "duties/office/",
}
FIXED = {"home": "", "category": "policies/", "catalogue": "catalogue/", "search": "search/", "subscribe": "subscribe/", "data": "data/", "page": "pages/about/"}
