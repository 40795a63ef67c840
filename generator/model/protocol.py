"""What a type's own `check(entry, ctx)` may use, as protocols: the model layer names
no class of the layers above it (`generator/site.py`'s `Entry`, `checks/context.py`'s
`Context` implement these), so the import graph has no cycle through the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class CheckedEntry(Protocol):
    """The entry a check looks at: its validated model and resolved cross-references."""

    model: Any
    links: dict


class CheckContext(Protocol):
    """Where a check reports (at the line of a field), and what it may look up."""

    index: dict[str, Any]  # index number → entry

    def error(self, entry: Any, loc: tuple, code: str, message: str, hint: str = "") -> None: ...

    def warning(self, entry: Any, loc: tuple, code: str, message: str, hint: str = "") -> None: ...

    def looks_like_index_no(self, text: str) -> bool: ...

    def check_file(self, entry: Any, loc: tuple, ref: str) -> Path | None: ...
