"""`EntryReport`: the `Report` (generator/model/protocol.py) a type's own check talks to
during `gongkai check`, for one entry: problems go to the site's list at the file, line
and column of the field's path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.model.protocol import Report  # noqa: F401  (the protocol EntryReport implements)

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry


class EntryReport:
    """The `Report` of one entry during `check`: problems go to the site's list."""

    def __init__(self, entry: Entry, ctx: Context):
        self.entry, self.ctx = entry, ctx
        self.asked = False  # anything of the site beyond the entry's file and the configuration

    def error(self, loc: tuple, code: str, message: str, hint: str = "") -> None:
        self.ctx.error(self.entry, loc, code, message, hint)

    def warning(self, loc: tuple, code: str, message: str, hint: str = "") -> None:
        self.ctx.warning(self.entry, loc, code, message, hint)

    def check_file(self, loc: tuple, ref: str) -> Path | None:
        self.asked = True
        return self.ctx.check_file(self.entry, loc, ref)

    def is_index_no(self, text: str) -> bool:
        self.asked = True
        return self.ctx.looks_like_index_no(text)

    def find(self, index_no: str):
        self.asked = True
        return self.ctx.index.get(index_no)

    def line(self, loc: tuple) -> int:
        return self.entry.doc.pos(loc)[0]

    def config(self):
        return self.ctx.site.config

    def link(self, name: str, target) -> None:
        self.asked = True
        self.entry.links[name] = target
