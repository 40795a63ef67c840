"""Chinese full-text search with Pagefind, run over the built pages.

Only item pages are indexed (`data-pagefind-body` marks their content); title, index
number, date and category are metadata; category, year, topic, publisher, type and
validity are filters. The extended Pagefind binary segments Chinese text.

Which binary: `PAGEFIND_BINARY_PATH` if set; else Pagefind 1.6 installed from the npm
registry into `tools/pagefind/` (`make` does it), whose ICU4X segmentation finds every
page holding a Chinese term (recall 1.000 in tests/browser/test_search_recall.py, against
0.889 for 1.5.2, upstream issue #1237); else the 1.5 binary from PyPI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OUTPUT_SUBDIR = "pagefind"
NPM_DIR = Path(__file__).resolve().parents[1] / "tools" / "pagefind" / "node_modules" / "@pagefind"


class SearchError(RuntimeError):
    pass


def pagefind_command() -> list[str]:
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return [override]
    for binary in sorted(NPM_DIR.glob("*/bin/pagefind_extended*")):
        if binary.is_file() and os.access(binary, os.X_OK) and binary.suffix != ".sha256":
            return [str(binary)]
    try:
        import pagefind_bin_extended

        binary = Path(pagefind_bin_extended.__file__).parent / "pagefind_extended"
        if binary.is_file():
            return [str(binary)]
    except ImportError:
        pass
    return [sys.executable, "-m", "pagefind"]


def index_site(out_dir: Path) -> None:
    command = pagefind_command() + ["--site", str(out_dir), "--output-subdir", OUTPUT_SUBDIR, "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SearchError(f"无法运行 Pagefind（{command[0]}）：{exc}") from None
    if done.returncode != 0:
        raise SearchError(f"Pagefind 建立索引失败：{(done.stderr or done.stdout).strip()[:2000]}")
