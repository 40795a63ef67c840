"""The order in which `make test` hands out the test files (tests/durations.py, applied by
tests/conftest.py): longest first by tests/durations.json, which knows every test file."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import durations

TESTS = Path(__file__).resolve().parents[1]


def test_durations_name_every_test_file_and_no_other():
    known = set(json.loads((TESTS / "durations.json").read_text(encoding="utf-8")))
    files = {path.relative_to(TESTS.parent).as_posix() for path in TESTS.rglob("test_*.py")}
    files = {path for path in files if "node_modules" not in path}
    assert sorted(files - known) == [], "run `make durations` after `make test`"
    assert sorted(known - files) == [], "run `make durations` after `make test`"


def test_longest_files_first_and_each_file_in_its_own_order(tmp_path):
    weights = tmp_path / "durations.json"
    weights.write_text(json.dumps({"tests/a.py": 1.0, "tests/b.py": 50.0, "tests/c.py": 5.0}), encoding="utf-8")
    ids = ["tests/a.py::x", "tests/a.py::y", "tests/b.py::z[2]", "tests/b.py::z[1]", "tests/new.py::n", "tests/c.py::w"]
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in ids]
    durations.longest_first(items, weights)
    assert [item.nodeid for item in items] == [
        "tests/b.py::z[2]", "tests/b.py::z[1]",  # 50 s
        "tests/new.py::n", "tests/c.py::w",  # unknown: the median, 5 s (stable: collection order)
        "tests/a.py::x", "tests/a.py::y",
    ]  # fmt: skip


def test_a_missing_or_broken_table_leaves_the_order(tmp_path):
    broken = tmp_path / "durations.json"
    broken.write_text("{", encoding="utf-8")
    for path in (broken, tmp_path / "absent.json"):
        items = [SimpleNamespace(nodeid=nodeid) for nodeid in ("tests/a.py::x", "tests/b.py::y")]
        durations.longest_first(items, path)
        assert [item.nodeid for item in items] == ["tests/a.py::x", "tests/b.py::y"]


def test_seconds_per_file_from_a_junit_report(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.unit.test_x" name="a" time="1.25"/>'
        '<testcase classname="tests.unit.test_x.TestGroup" name="b" time="0.5"/>'
        '<testcase classname="tests.browser.test_y" name="c[home]" time="3"/>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    assert durations.per_file(str(report)) == {"tests/browser/test_y.py": 3.0, "tests/unit/test_x.py": 1.8}
