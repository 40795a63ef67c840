"""YAML syntax errors in the editor's language, at the line the editor must look at.

libyaml (and PyYAML's pure-Python parser, which words the same problems differently)
reports `did not find expected ',' or ']'` at the line *after* an unclosed bracket, and
`mapping values are not allowed in this context` for three different slips. `explain`
matches the parser's problem against a small table and returns a Chinese message, a
hint naming the slip (a colon inside an unquoted value, no space after a colon, a
backslash inside double quotes, an unclosed bracket or quote …) and the position of its
cause: the opening bracket or quote rather than the end of the file.

Both parsers' wordings are in the table; a problem we do not know keeps the parser's
words in parentheses after a Chinese message, so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml


@dataclass
class Explained:
    """What `explain` found: a problem code, Chinese message and hint, a 0-based position."""

    code: str
    message: str
    hint: str
    line: int  # 0-based line of the text given to the parser
    col: int  # 0-based column (characters)


GENERIC_HINT = "检查这一行及上一行的缩进、冒号和引号"
_QUOTE_HINT = "把整个值用引号括起来"


class _Context:
    """The error and the text, with the helpers the rules share."""

    def __init__(self, exc: yaml.MarkedYAMLError, text: str, line_offset: int):
        self.exc = exc
        self.offset = line_offset  # added to the line numbers written in messages
        self.lines = text.split("\n")
        self.problem = (exc.problem or "").strip()
        self.context = (exc.context or "").strip()
        mark = exc.problem_mark or exc.context_mark
        self.line, self.col = (mark.line, mark.column) if mark else (0, 0)
        opened = exc.context_mark
        self.opened = (opened.line, opened.column) if opened else (self.line, self.col)

    def text_of(self, line: int) -> str:
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    def at(self, message: str, hint: str, line: int | None = None, col: int | None = None, code: str = "yaml-syntax"):
        line = self.line if line is None else line
        return Explained(code, message, hint, line, self.col if col is None else col)


def _key_and_value(line: str) -> tuple[str, str]:
    """`  - title: 通知: 关于` → ("title", "通知: 关于")."""
    body = re.sub(r"^\s*(?:-\s+)?", "", line)
    key, _, value = body.partition(":")
    return key.strip(), value.strip()


def _quoted(key: str, value: str) -> str:
    """An example line with the value quoted in the quote it does not contain."""
    quote = "'" if '"' in value else '"'
    return f"{key}: {quote}{value}{quote}"


def _too_deep(c: _Context) -> Explained:
    return c.at("YAML 嵌套层级过深，超过解析器的上限", "检查缩进和括号是否成对", code="yaml-too-deep")


def _too_long(c: _Context) -> Explained:
    return c.at("YAML 内容过长，超过解析器的上限", "把大段内容作为附件放在 content/attachments/", code="yaml-too-large")


def _mapping_value(c: _Context) -> Explained:
    """`: ` where YAML expects none: a colon inside a value, or a key indented too far."""
    line = c.text_of(c.line)
    before = line[: c.col]
    if re.search(r":(\s|$)", before):
        key, value = _key_and_value(line)
        return c.at(
            f"“{key}”的值里有“: ”（冒号加空格），YAML 把它当成了新的键",
            f"{_QUOTE_HINT}，如 {_quoted(key, value)}",
        )
    if c.col >= 1024:
        return c.at("冒号前的键超过 1024 个字符", "键要简短；长文字写在冒号之后")
    key = before.strip().lstrip("-").strip()
    return c.at(
        f"“{key}”的缩进与上一行不一致",
        "同一层的字段要左对齐；只有以冒号结尾的键下面才能缩进写子字段（两个空格）",
        col=len(before) - len(before.lstrip()),
    )


def _simple_key(c: _Context) -> Explained:
    """`published:2024-01-01`: a key whose colon has no space after it."""
    line_no = c.opened[0]
    line = c.text_of(line_no)
    match = re.search(r"[^\s:]:(?=[^\s/])", line)
    if match:
        key, value = _key_and_value(line)
        return c.at(
            f"“{key}”后面的冒号缺少空格",
            f"键和值之间写半角冒号加一个空格，如 {key}: {value}",
            line_no,
            match.end() - 1,
        )
    return c.at(
        "这一行不是“键: 值”的形式",
        "每个字段写成 `键: 值`；多行文字在冒号后写 | 再换行缩进",
        line_no,
        c.opened[1],
    )


def _escape(c: _Context) -> Explained:
    """`"C:\\dir"`: a backslash inside double quotes starts an escape."""
    line = c.text_of(c.line)
    at = line.rfind("\\", 0, c.col + 1)
    return c.at(
        "双引号里的反斜杠“\\”被当作转义符",
        "把值改用单引号括起来（如 'C:\\文件'），或把每个 \\ 写成两个 \\\\",
        col=at if at >= 0 else c.col,
    )


def _closing(line: str, start: int, opening: str, closing: str) -> bool:
    """Whether the bracket opened at `start` is closed on its own line (quotes skipped)."""
    depth, quote = 0, ""
    for char in line[start:]:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return True
    return False


def _flow(opening: str, closing: str, kind: str, example: str) -> Callable[[_Context], Explained]:
    def rule(c: _Context) -> Explained:
        line_no, col = c.opened
        if not _closing(c.text_of(line_no), col, opening, closing):
            return c.at(
                f"第 {line_no + 1 + c.offset} 行的“{opening}”没有配对的“{closing}”",
                f"在{kind}的最后一项之后补上“{closing}”，并写在同一行，如 {example}",
                line_no,
                col,
            )
        return c.at(
            f"{kind}“{opening} … {closing}”中这里的写法不对",
            "各项之间用英文逗号“,”分隔；含有冒号、逗号或括号的项用引号括起来",
        )

    return rule


def _unclosed_quote(c: _Context) -> Explained:
    line_no, col = c.opened
    quote = c.text_of(line_no)[col : col + 1] or '"'
    return c.at(
        f"第 {line_no + 1 + c.offset} 行的引号 {quote} 没有闭合",
        f"在值的末尾补上 {quote}；值里本身有 {quote} 时改用另一种引号括起来",
        line_no,
        col,
    )


def _expected_key(c: _Context) -> Explained:
    """Text after a closed quote, or a line that is not aligned with its siblings."""
    before = c.text_of(c.line)[: c.col]
    if before.strip() and before.rstrip()[-1:] in ("'", '"'):
        return c.at(
            "引号结束之后还有文字",
            "把整个值放进引号里；值里有引号时改用另一种引号括起来，如 title: '关于“春节”的通知'",
        )
    return c.at("缩进没有对齐", "同一层的字段和列表项要左对齐（用空格缩进）")


def _dash(c: _Context) -> Explained:
    return c.at("列表中有一行不以“- ”开头，或缩进与列表项不一致", "列表的每一项写成“- 值”，与上一项左对齐")


def _bad_start(c: _Context) -> Explained:
    line = c.text_of(c.line)
    char = line[c.col : c.col + 1]
    if char == "\t":
        return c.at("这里有制表符（Tab）", "YAML 只能用空格：把 Tab 换成空格")
    key, value = _key_and_value(line)
    example = f"，如 {_quoted(key, value)}" if value else ""
    return c.at(f"值不能以“{char}”开头", f"{_QUOTE_HINT}{example}")


def _indicator(char: str, meaning: str) -> Callable[[_Context], Explained]:
    def rule(c: _Context) -> Explained:
        line = c.text_of(c.line)
        key, value = _key_and_value(line)
        example = f"，如 {_quoted(key, value)}" if value else ""
        at = line.rfind(char, 0, c.col + 1)
        return c.at(
            f"值不能以“{char}”开头（YAML 把它当作{meaning}）", f"{_QUOTE_HINT}{example}", col=at if at >= 0 else c.col
        )

    return rule


def _no_content(c: _Context) -> Explained:
    return c.at("这里缺少值，或多了“]”“}”“,”", "检查括号是否成对；值以这些符号开头时用引号括起来")


def _tab(c: _Context) -> Explained:
    return c.at("缩进中使用了制表符（Tab）", "YAML 只能用空格缩进：把 Tab 换成两个空格")


# (words of the problem or its context, in either parser's wording) → rule.
RULES: list[tuple[tuple[str, ...], Callable[[_Context], Explained]]] = [
    (("maximum nesting depth",), _too_deep),
    (("input is too long",), _too_long),
    (("tab character",), _tab),
    (("mapping values are not allowed",), _mapping_value),
    (("could not find expected ':'",), _simple_key),
    (("unknown escape character",), _escape),
    (("expected ',' or ']'",), _flow("[", "]", "列表", "keywords: [政务公开, 年报]")),
    (("expected ',' or '}'",), _flow("{", "}", "字段组", "- {name: 受理, days: 1}")),
    (("quoted scalar",), _unclosed_quote),  # with "end of stream" (checked in explain)
    (("expected '-' indicator", "parsing a block collection"), _dash),
    (("expected key", "expected <block end>"), _expected_key),
    (("cannot start any token",), _bad_start),
    (("undefined alias", "scanning an alias"), _indicator("*", "别名")),
    (("scanning an anchor",), _indicator("&", "锚点")),
    (("scanning a tag",), _indicator("!", "标签")),
    (("node content",), _no_content),
]


def explain(exc: yaml.MarkedYAMLError, text: str, line_offset: int = 0) -> Explained:
    """The Chinese explanation of one parser error in `text` (the text that was parsed);
    `line_offset` is added to the line numbers the message names (front matter)."""
    c = _Context(exc, text, line_offset)
    words = f"{c.problem} | {c.context}"
    for keys, rule in RULES:
        if rule is _unclosed_quote and "end of stream" not in c.problem:
            continue
        if any(key in words for key in keys):
            return rule(c)
    return c.at(f"YAML 语法错误（解析器：{c.problem or str(exc)}）", GENERIC_HINT)
