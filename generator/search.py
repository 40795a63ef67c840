"""Chinese full-text search with Pagefind, run over the built pages.

Only item pages are indexed (`data-pagefind-body` marks their content); title, index
number, date and category are metadata; category, year, topic, publisher, type and
validity are filters. The extended Pagefind binary segments Chinese text.
`PAGEFIND_BINARY_PATH` selects another build (e.g. 1.6 from the npm registry).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OUTPUT_SUBDIR = "pagefind"


class SearchError(RuntimeError):
    pass


def pagefind_command() -> list[str]:
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return [override]
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
