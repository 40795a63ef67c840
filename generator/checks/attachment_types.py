"""Which files may be published as attachments, by extension.

Attachments are served from the site's own origin, where the site's Content-Security-
Policy allows scripts from `'self'`: an `.html` attachment loading a `.js` attachment, or
an SVG with a script, would run as the site itself. So only document, spreadsheet,
image, archive and media types are published; `attachments: {allow_types: [...]}` in
`site_config.yml` adds others on purpose. (The server configs also send attachments with
`Content-Disposition: attachment` and a sandboxing policy: `generator/csp.py`.)
"""

from __future__ import annotations

from pathlib import PurePosixPath

ALLOWED_TYPES = (
    # documents
    "pdf", "ofd", "doc", "docx", "dot", "dotx", "wps", "wpt", "rtf", "txt", "odt", "ceb", "caj",
    # spreadsheets
    "xls", "xlsx", "et", "ett", "csv", "ods",
    # presentations
    "ppt", "pptx", "dps", "odp",
    # images (no SVG: it can carry scripts)
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff",
    # archives
    "zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz",
    # audio and video
    "mp3", "wav", "mp4",
)  # fmt: skip


def type_problem(ref: str, extra: list[str] | tuple[str, ...] = ()) -> tuple[str, str, str] | None:
    """None when `ref` (an attachment reference) has an allowed extension (case does not
    matter), else (code, message, hint) naming the allowed types and the option."""
    suffix = PurePosixPath(ref.strip().replace("\\", "/")).suffix.lower().lstrip(".")
    if suffix in ALLOWED_TYPES or suffix in extra:
        return None
    allowed = "、".join(ALLOWED_TYPES + tuple(e for e in extra if e not in ALLOWED_TYPES))
    what = f"类型“.{suffix}”" if suffix else "没有扩展名"
    hint = (
        f"可发布的附件类型：{allowed}。网页、脚本、SVG、XML 在本站域名下会作为本站内容运行；"
        "确需发布的，在 site_config.yml 的 attachments: {allow_types: [扩展名]} 中列出"
    )
    return "attachment-type", f"附件“{ref}”的{what}不允许发布", hint
