"""The order of the test files: longest first, by the seconds each took in a whole run
(tests/durations.json, from the JUnit XML report `make test` writes to
test-artifacts/junit.xml: `make durations`). tests/conftest.py applies it to every run.

    python tests/durations.py test-artifacts/junit.xml > tests/durations.json
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

TABLE = Path(__file__).with_name("durations.json")


def longest_first(items: list, table: Path | None = None) -> None:
    """Sorts the collected tests so that the longest files come first (longest processing
    time first: pytest-xdist, told `--no-loadscope-reorder`, hands the files out in this
    order and the workers end together). A file the table does not know counts as the
    median. The sort is stable: a file's tests keep their order. Without a readable
    table the order is left as collected."""
    try:
        seconds = json.loads((table or TABLE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    known = sorted(seconds.values())
    median = known[len(known) // 2] if known else 0.0
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::", 1)[0], median))


def per_file(report: str) -> dict[str, float]:
    seconds: Counter[str] = Counter()
    for case in ET.parse(report).iter("testcase"):
        parts = case.get("classname", "").split(".")
        # tests.browser.test_a11y[.Class] → tests/browser/test_a11y.py
        module = next((i for i, part in enumerate(parts) if part.startswith("test_")), len(parts) - 1)
        seconds["/".join(parts[: module + 1]) + ".py"] += float(case.get("time") or 0)
    return {path: round(value, 1) for path, value in sorted(seconds.items())}


if __name__ == "__main__":
    json.dump(per_file(sys.argv[1]), sys.stdout, indent=1)
    sys.stdout.write("\n")
