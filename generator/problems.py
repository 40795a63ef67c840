"""One record per problem found in the content, and the formatters that print them.

Detection never prints: every stage appends `Problem`s to a `Problems` collection, the
command line sorts and formats them at the end (text, json or GitHub annotations).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the site folder, with forward slashes
    line: int  # 1-based; 0 when the problem concerns the whole file
    col: int  # 1-based; 0 when unknown
    level: str  # "error" | "warning"
    code: str  # stable identifier, e.g. "budget-sum"
    message: str  # one sentence for the editor
    hint: str = ""  # what to write instead, when we know

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Found:
    """A problem of a document before it is tied to a file: what reading, normalising and
    validating return (`load/`, `model/validate.py`); `Problems.report` files it."""

    code: str
    message: str
    pos: tuple[int, int] | None  # (line, col), 1-based; None or (0, 0) for the whole file
    hint: str = ""


@dataclass
class Problems:
    """A collection of problems in the order they were found; sorted on output."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: str, line: int, col: int, level: str, code: str, message: str, hint: str = "") -> Problem:
        problem = Problem(path, line or 0, col or 0, level, code, message, hint)
        self.items.append(problem)
        return problem

    def error(self, path: str, pos: tuple[int, int] | None, code: str, message: str, hint: str = "") -> Problem:
        line, col = pos or (0, 0)
        return self.add(path, line, col, ERROR, code, message, hint)

    def warning(self, path: str, pos: tuple[int, int] | None, code: str, message: str, hint: str = "") -> Problem:
        line, col = pos or (0, 0)
        return self.add(path, line, col, WARNING, code, message, hint)

    def report(self, path: str, found: Iterable[Found], level: str = ERROR) -> None:
        """File each of `found` under `path`."""
        for item in found:
            line, col = item.pos or (0, 0)
            self.add(path, line, col, level, item.code, item.message, item.hint)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        """Without duplicates, in the order of their fields (path, line, col …): compared as
        plain tuples, since the dataclass's generated comparisons cost a second at 100,000."""
        unique = {(p.path, p.line, p.col, p.level, p.code, p.message, p.hint): p for p in self.items}
        return [unique[key] for key in sorted(unique)]

    def has_errors(self, strict: bool = False) -> bool:
        return any(p.level == ERROR or (strict and p.level == WARNING) for p in self.items)


def _level(problem: Problem, strict: bool) -> str:
    return ERROR if strict and problem.level == WARNING else problem.level


SHOWN_PER_CODE = 20  # text output: problems of one code shown in full before the rest are counted


def format_text(problems: Iterable[Problem], strict: bool = False, per_code: int | None = None) -> str:
    """`path:line:col: error: message [code]`, the form editors' tools and CI annotate.

    With `per_code`, only the first `per_code` problems of each code are written out; the
    others of that code are counted in one line at the end (`--all` shows them all): a
    site without a registry has a warning per file, which nobody reads 10,000 times."""
    lines, seen, hidden = [], {}, {}
    for p in problems:
        if per_code is not None:
            seen[p.code] = seen.get(p.code, 0) + 1
            if seen[p.code] > per_code:
                hidden[p.code] = hidden.get(p.code, 0) + 1
                continue
        text = f"{p.path}:{p.line}:{p.col}: {_level(p, strict)}: {p.message} [{p.code}]"
        if p.hint:
            text += f"\n    提示：{p.hint}"
        lines.append(text)
    for code, count in hidden.items():  # in the order the codes first appeared
        lines.append(f"……另有 {count} 条同类问题（{code}）；用 --all 查看全部")
    return "\n".join(lines)


def format_json(problems: Iterable[Problem], strict: bool = False) -> str:
    records = []
    for p in problems:
        record = p.as_dict()
        record["level"] = _level(p, strict)
        records.append(record)
    return json.dumps(records, ensure_ascii=False, indent=2)


def _escape_github(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(problems: Iterable[Problem], strict: bool = False) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`."""
    lines = []
    for p in problems:
        props = [f"file={_escape_github(p.path, True)}"]
        if p.line:
            props.append(f"line={p.line}")
        if p.col:
            props.append(f"col={p.col}")
        props.append(f"title={_escape_github(p.code, True)}")
        message = p.message + (f" 提示：{p.hint}" if p.hint else "")
        lines.append(f"::{_level(p, strict)} {','.join(props)}::{_escape_github(message)}")
    return "\n".join(lines)


def format_gitlab(problems: Iterable[Problem], strict: bool = False) -> str:
    """A GitLab code-quality report (Code Climate JSON): shown on merge requests."""
    import hashlib

    severity = {ERROR: "major", WARNING: "minor"}
    records = []
    for p in problems:
        where = f"{p.path}:{p.line}:{p.col}:{p.code}:{p.message}"
        records.append({
            "description": p.message + (f" 提示：{p.hint}" if p.hint else ""),
            "check_name": p.code,
            "fingerprint": hashlib.sha256(where.encode("utf-8")).hexdigest(),
            "severity": severity.get(_level(p, strict), "info"),
            "location": {"path": p.path, "lines": {"begin": p.line or 1}},
        })  # fmt: skip
    return json.dumps(records, ensure_ascii=False, indent=2)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github, "gitlab": format_gitlab}


def summary(problems: Problems, strict: bool = False) -> str:
    errors = sum(1 for p in problems if _level(p, strict) == ERROR)
    warnings = len(problems) - errors
    return f"{errors} 个错误，{warnings} 个警告"
