"""One content file read as the model of its type will see it: the document with its
keys renamed to the model's, and the problems of reading it (no validation here)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.load.aliases import normalize
from generator.load.documents import LoadProblem, RawDocument, load_document

if TYPE_CHECKING:
    from generator.model.registry import ContentType


def read_document(path: Path, site_dir: Path, ctype: ContentType) -> tuple[RawDocument | None, list[tuple]]:
    """Read a content file and rename its keys to the model's. Returns the document (None
    when it cannot be read) and the problems as (position, code, message, hint)."""
    try:
        doc = load_document(path, site_dir)
    except LoadProblem as exc:
        return None, [((exc.line, exc.col), exc.code, exc.message, exc.hint)]
    found = [(p.pos, p.code, p.message, p.hint) for p in normalize(doc, ctype.model)]
    if doc.body is not None and doc.body.strip():
        if "body" in doc.data:
            found.append((doc.key_pos(("body",)), "duplicate-key", "正文既写在 body 字段里，又写在头信息之后", "只保留一处"))
        doc.data["body"] = doc.body
    return doc, found
