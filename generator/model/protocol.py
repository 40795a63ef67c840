"""The small protocol a type's own check talks to, like a yamllint rule: it is given the
validated item (never changed) and a `Report`, and knows nothing of the site, the entry
or the loader. A test can hand it any object with these methods. It lives in the model
layer, which names no class of the layers above it (`checks/protocol.py`'s `EntryReport`
implements it), so the import graph has no cycle through the models.

`loc` is the field's path in the item (`("notice", "end")`, `("tables", 0, "income")`):
the report turns it into the file, line and column of the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class Report(Protocol):
    def error(self, loc: tuple, code: str, message: str, hint: str = "") -> None:
        """A problem that blocks publication."""

    def warning(self, loc: tuple, code: str, message: str, hint: str = "") -> None:
        """A problem worth a look (`--strict` blocks it too)."""

    def check_file(self, loc: tuple, ref: str) -> Path | None:
        """An attachment reference: reported when it does not resolve, else its path."""

    def is_index_no(self, text: str) -> bool:
        """Whether `text` has the form of an index number of this site."""

    def find(self, index_no: str) -> Any | None:
        """The item numbered `index_no` (its `type`, `title`, `url` …), or None."""

    def link(self, name: str, target: Any) -> None:
        """Record a cross-reference (a page shows it; the incremental build follows it)."""
