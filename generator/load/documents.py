"""Content files → `RawDocument`s: bytes, encodings, line endings, front matter.

A `.yml` file is one YAML mapping. A `.md` file is YAML front matter between `---`
lines followed by a Markdown body. Both may be UTF-8 with or without BOM, LF or CRLF.
Positions are always lines of the file itself (front matter offset included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.load.yamlnodes import Parsed, YamlProblem, parse
from generator.problems import Found

MAX_BYTES = 5 * 1024 * 1024  # 5 MB of text is far beyond any real disclosure
BOM = b"\xef\xbb\xbf"

_FRONT_END = re.compile(r"^(---|\.\.\.)[ \t]*$")
_TAB_INDENT = re.compile(r"^ *\t")
# `标题：…` where a key was meant: a full-width colon before any ASCII `: `.
_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?([^\s:#'\"\-][^:：#]{0,40}?)\s*：")


@dataclass
class RawDocument:
    path: Path  # absolute
    rel: str  # relative to the site folder, forward slashes
    data: dict
    positions: dict = field(default_factory=dict)
    key_positions: dict = field(default_factory=dict)
    duplicates: list = field(default_factory=list)
    body: str | None = None  # Markdown body of a .md file
    body_line: int = 0  # file line where the body starts
    front_line: int = 0  # file line of the first front-matter line (0 for .yml)
    bom: bool = False
    newline: str = "\n"

    def pos(self, path: tuple) -> tuple[int, int]:
        """Position of the value at `path`, or of its nearest enclosing value."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path) or (max(self.front_line, 1), 1)

    def key_pos(self, path: tuple) -> tuple[int, int]:
        return self.key_positions.get(path) or self.pos(path)


class LoadProblem(Exception):
    def __init__(self, code: str, message: str, line: int = 0, col: int = 0, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.line, self.col, self.hint = code, message, line, col, hint

    @property
    def found(self) -> Found:
        return Found(self.code, self.message, (self.line, self.col), self.hint)


def read_text(path: Path, raw: bytes | None = None) -> tuple[str, bool, str]:
    """Decode a content file (`raw`: its bytes, when the caller read them already).
    Returns (text with LF newlines, had BOM, newline style)."""
    try:
        if (path.stat().st_size if raw is None else len(raw)) > MAX_BYTES:
            raise LoadProblem(
                "file-too-large",
                f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，已拒绝读取",
                hint="把大文件作为附件放在 content/attachments/，在条目中链接",
            )
        if raw is None:
            raw = path.read_bytes()
    except OSError as exc:
        raise LoadProblem("file-unreadable", f"无法读取文件：{exc.strerror}") from None
    bom = raw.startswith(BOM)
    if bom:
        raw = raw[len(BOM) :]
    if not raw.strip():
        raise LoadProblem("empty-file", "文件是空的", 1, 1, "用 gongkai new 生成模板，或删除这个文件")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "用编辑器以 UTF-8 编码另存此文件"
        try:
            raw.decode("gb18030")
            hint = (
                "文件看起来是 GBK/GB18030 编码：用编辑器另存为 UTF-8，"
                f"或运行 iconv -f GBK -t UTF-8 {path.name} -o {path.name}.utf8"
            )
        except UnicodeDecodeError:
            pass
        raise LoadProblem("encoding", "文件不是 UTF-8 编码", line, 1, hint) from None
    if "\x00" in text:
        raise LoadProblem("encoding", "文件含有 NUL 字符，不是文本文件", text[: text.index("\x00")].count("\n") + 1, 1)
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), bom, newline


def _slips(yaml_text: str, line_offset: int) -> None:
    """Editor slips that YAML reports badly: tabs used for indentation."""
    if "\t" not in yaml_text:
        return  # (most files) line by line only when there is a tab
    for number, line in enumerate(yaml_text.split("\n"), start=1):
        if _TAB_INDENT.match(line):
            raise LoadProblem(
                "tab-indent", "缩进中使用了制表符（Tab）", number + line_offset, line.index("\t") + 1,
                "YAML 只能用空格缩进：把 Tab 换成两个空格",
            )  # fmt: skip


def _explain_syntax(exc: YamlProblem, yaml_text: str, line_offset: int) -> LoadProblem:
    """Turn a YAML syntax error into the editor slip that caused it, when we can see one."""
    lines = yaml_text.split("\n")
    last = max(1, min(len(lines), (exc.line - line_offset) if exc.line else len(lines)))
    for number in range(1, last + 1):
        line = lines[number - 1]
        match = _FULLWIDTH_KEY.match(line)
        if match and ": " not in line[: match.end()]:
            return LoadProblem(
                "fullwidth-colon",
                f"“{match.group(1)}”后面用了全角冒号“：”",
                number + line_offset,
                line.index("：") + 1,
                f"键和值之间要用半角冒号加空格，如 `{match.group(1)}: …`",
            )
    return LoadProblem(exc.code, exc.message, exc.line, exc.col, exc.hint or "检查这一行及上一行的缩进、冒号和引号")


def _parse(yaml_text: str, line_offset: int) -> Parsed:
    _slips(yaml_text, line_offset)
    try:
        return parse(yaml_text, line_offset)
    except YamlProblem as exc:
        if exc.code == "yaml-syntax":
            raise _explain_syntax(exc, yaml_text, line_offset) from None
        raise LoadProblem(exc.code, exc.message, exc.line, exc.col, exc.hint) from None


_FRONT_END_LINE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)  # `_FRONT_END`, a line of a whole text


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, file line where the body starts). The text is
    not split into lines: the closing line is searched for, the body sliced off."""
    first = text.find("\n")
    if (text if first < 0 else text[:first]).rstrip() != "---":
        raise LoadProblem(
            "front-matter-missing", "Markdown 文件必须以 --- 开头的 YAML 头信息开始", 1, 1,
            "第一行写 ---，接着写 title: 等字段，再写一行 ---，然后是正文",
        )  # fmt: skip
    end = None if first < 0 else _FRONT_END_LINE.search(text, first + 1)
    if end is None:
        raise LoadProblem("front-matter-unclosed", "YAML 头信息没有以 --- 结束", 1, 1, "在字段之后、正文之前加一行 ---")
    start = end.start()
    return text[first + 1 : max(start - 1, first + 1)], text[end.end() + 1 :], text.count("\n", 0, start) + 2


def load_document(path: Path, site_dir: Path, raw: bytes | None = None) -> RawDocument:
    """Read one content file (`raw`: its bytes, when the caller read them already).
    Raises LoadProblem for anything that stops reading."""
    text, root = str(path), str(site_dir).rstrip("/") + "/"  # (string work: `relative_to` costs more)
    rel = text[len(root) :] if text.startswith(root) else path.relative_to(site_dir).as_posix()
    text, bom, newline = read_text(path, raw)
    body, body_line, front_line = None, 0, 0
    if path.suffix.lower() == ".md":
        yaml_text, body, body_line = split_front_matter(text)
        front_line = 2
        parsed = _parse(yaml_text, 1)
    else:
        parsed = _parse(text, 0)
    if parsed.data is None:
        hint = "至少写 title: 和 published: 两个字段"
        raise LoadProblem("empty-file", "文件没有任何字段", max(front_line, 1), 1, hint)
    if not isinstance(parsed.data, dict):
        line, col = parsed.positions.get((), (1, 1))
        hint = "每一行写成 `键: 值`（半角冒号后有空格）"
        if isinstance(parsed.data, str) and "：" in parsed.data:
            hint = "键和值之间要用半角冒号加空格，不要用全角冒号“：”"
        raise LoadProblem("not-a-mapping", "文件内容应是“键: 值”形式的字段列表", line, col, hint)
    return RawDocument(
        path=path,
        rel=rel,
        data=parsed.data,
        positions=parsed.positions,
        key_positions=parsed.key_positions,
        duplicates=parsed.duplicates,
        body=body,
        body_line=body_line,
        front_line=front_line,
        bom=bom,
        newline=newline,
    )
