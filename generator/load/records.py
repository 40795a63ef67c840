"""Private records of the site folder: the request log `records/requests/<year>.yml`.

Read and checked like content (file:line:col, Chinese keys, enums, dates), but never
published: nothing under `records/` is copied, rendered, indexed or exported. The 年报
reads the counts (`generator/annual.py`), `gongkai audit` the deadlines.
"""

from __future__ import annotations

from pathlib import Path

from generator.load.aliases import normalize
from generator.load.cache import noted
from generator.load.documents import LoadProblem, RawDocument, _parse, read_text
from generator.model import requests as model
from generator.model.validate import validate
from generator.problems import Problems

REQUESTS_DIR = "records/requests"


def request_files(site_dir: Path, problems: Problems) -> list[Path]:
    """The log's files; links are not followed (a log is never taken from outside the site)."""
    folder = site_dir / REQUESTS_DIR
    noted(folder)  # its listing: a file added or removed changes the folder's stamp
    try:
        if not folder.is_dir() or folder.is_symlink():
            return []
        files = sorted(
            p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file() and not p.is_symlink()
        )
        for path in files:
            noted(path)
        return files
    except OSError as exc:
        problems.error(REQUESTS_DIR, None, "file-unreadable", f"无法读取申请登记文件夹：{exc.strerror}", "检查文件夹的权限")
        return []


def _read(path: Path, site_dir: Path) -> RawDocument:
    """The file as a document whose data is `{"requests": [...]}` (the model's one field)."""
    rel = path.relative_to(site_dir).as_posix()
    text, bom, newline = read_text(path)
    parsed = _parse(text, 0)
    if parsed.data is None:
        parsed.data = []
    if not isinstance(parsed.data, list):
        line, col = parsed.positions.get((), (1, 1))
        raise LoadProblem("not-a-list", "申请登记文件应是申请的列表", line, col, "每个申请以“- no: …”开头")
    for request in parsed.data:  # YAML 1.1 reads the key `no:` as the boolean false ("False")
        if isinstance(request, dict) and "False" in request:
            request["no"] = request.pop("False")
    fix = lambda path: tuple("no" if i == 1 and part == "False" else part for i, part in enumerate(path))  # noqa: E731
    shift = lambda table: {("requests",) + fix(k): v for k, v in table.items()}  # noqa: E731
    return RawDocument(
        path=path, rel=rel, data={"requests": parsed.data}, positions=shift(parsed.positions),
        key_positions=shift(parsed.key_positions),
        duplicates=[(("requests",) + p, a, b) for p, a, b in parsed.duplicates], bom=bom, newline=newline,
    )  # fmt: skip


def load_requests(site_dir: Path, problems: Problems) -> list[model.Logged]:
    """Every request of the log, checked; problems at their file:line:col. A file with an
    error contributes none of its requests (its counts would be wrong)."""
    logged: list[model.Logged] = []
    for path in request_files(site_dir, problems):
        rel = path.relative_to(site_dir).as_posix()
        try:
            doc = _read(path, site_dir)
        except LoadProblem as exc:
            problems.error(rel, (exc.line, exc.col), exc.code, exc.message, exc.hint)
            continue
        found = normalize(doc, model.RequestLog)
        log, errors = validate(doc, model.RequestLog)
        for p in found + errors:
            problems.error(rel, p.pos, p.code, p.message, p.hint)
        if log is None or found:
            continue
        logged += [model.Logged(r, rel, i, doc) for i, r in enumerate(log.requests)]
    model.check(logged, problems)
    return logged
