"""Numbers at the ends of their range build; beyond it, the build stops with a problem at the
line. (A budget amount of 1e30 used to pass `check` and crash the build with
`decimal.InvalidOperation` when the page rounded it.)"""

from __future__ import annotations

from generator.model.base import MAX_AMOUNT

from buildkit import build_or_fail, publish, run_build
from helpers import CONFIG, VALID_ITEMS, num, with_index


def _site(tmp_path, budget: str):
    site = tmp_path / "site"
    (site / "content" / "budgets").mkdir(parents=True)
    (site / "site_config.yml").write_text(CONFIG, encoding="utf-8")
    number = num(2024, 1)
    (site / "content" / "budgets" / "2024.yml").write_text(with_index(budget, number), encoding="utf-8")
    (site / "content" / ".registry").write_text(f"{number}\tcontent/budgets/2024.yml\n", encoding="utf-8")
    return site


def _budget(amount: str) -> str:
    return VALID_ITEMS["budget"].replace("1200.50}", f"{amount}}}")


def test_largest_amount_builds_and_is_shown(tmp_path):
    largest = f"{MAX_AMOUNT}.00"
    site = _site(tmp_path, _budget(largest))
    publish(site)
    out = build_or_fail(site, tmp_path / "out")
    page = (out / "budgets" / "2024" / "index.html").read_text(encoding="utf-8")
    assert page.count(largest) == 2  # income and expenditure, rounded to cents without a fault


def test_amount_beyond_the_range_stops_the_build_with_a_problem(tmp_path):
    done = run_build(_site(tmp_path, _budget("1e30")), tmp_path / "out")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output and "InvalidOperation" not in output
    assert "content/budgets/2024.yml:9:32:" in output and "[out-of-range]" in output
    assert not (tmp_path / "out" / "index.html").exists()
