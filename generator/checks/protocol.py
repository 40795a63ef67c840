"""The small protocol a type's own check talks to, like a yamllint rule: it is given the
validated item (never changed) and a `Report`, and knows nothing of the site, the entry
or the loader. A test can hand it any object with these methods.

`loc` is the field's path in the item (`("notice", "end")`, `("tables", 0, "income")`):
the report turns it into the file, line and column of the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry


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


class EntryReport:
    """The `Report` of one entry during `check`: problems go to the site's list."""

    def __init__(self, entry: "Entry", ctx: "Context"):
        self.entry, self.ctx = entry, ctx

    def error(self, loc: tuple, code: str, message: str, hint: str = "") -> None:
        self.ctx.error(self.entry, loc, code, message, hint)

    def warning(self, loc: tuple, code: str, message: str, hint: str = "") -> None:
        self.ctx.warning(self.entry, loc, code, message, hint)

    def check_file(self, loc: tuple, ref: str) -> Path | None:
        return self.ctx.check_file(self.entry, loc, ref)

    def is_index_no(self, text: str) -> bool:
        return self.ctx.looks_like_index_no(text)

    def find(self, index_no: str):
        return self.ctx.index.get(index_no)

    def link(self, name: str, target) -> None:
        self.entry.links[name] = target
