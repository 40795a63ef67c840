"""One content file read as the model of its type sees it: the document with its keys
renamed to the model's (`read_document`), then validated (`read_model`). Problems come
back as `Found` (problems.py); nothing is raised for a file's content."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.load.aliases import normalize
from generator.load.documents import LoadProblem, RawDocument, load_document
from generator.model.validate import validate
from generator.problems import Found

if TYPE_CHECKING:
    from generator.model.base import Item
    from generator.model.registry import ContentType


def read_document(
    path: Path, site_dir: Path, ctype: ContentType, raw: bytes | None = None
) -> tuple[RawDocument | None, list[Found]]:  # fmt: skip
    """Read a content file (`raw`: its bytes, when the caller read them already) and
    rename its keys to the model's. Returns the document (None when it cannot be read)
    and its problems."""
    try:
        doc = load_document(path, site_dir, raw)
    except LoadProblem as exc:
        return None, [exc.found]
    found = normalize(doc, ctype.model)
    if doc.body is not None and doc.body.strip():
        if "body" in doc.data:
            message = "正文既写在 body 字段里，又写在头信息之后"
            found.append(Found("duplicate-key", message, doc.key_pos(("body",)), "只保留一处"))
        doc.data["body"] = doc.body
    return doc, found


def read_model(
    path: Path, site_dir: Path, ctype: ContentType, raw: bytes | None = None
) -> tuple[Item | None, RawDocument | None, list[Found]]:  # fmt: skip
    """Read a content file (`raw`: its bytes, when the caller read them already) and
    validate it as `ctype`: (the model, None when the file has any problem; the document,
    None when it cannot be read; the problems)."""
    doc, found = read_document(path, site_dir, ctype, raw)
    if doc is None:
        return None, None, found
    model, errors = validate(doc, ctype.model)
    found += errors
    return (model if not found else None), doc, found
