"""YAML text → plain Python data plus the position of every key and value.

We build the data ourselves (safe: no Python tags are ever constructed), which lets us
- record `{key path: (line, col)}` for every value and key (1-based, file lines);
- report duplicate keys instead of silently keeping the last one;
- refuse custom tags and alias expansion bombs;
- keep decimals exact (`1200.50` → Decimal) and numbers with a leading zero as text
  (`0571` is a phone prefix, not the octal number 377).

Three ways, one result; each takes only what it is sure to read as the last one does:
1. `_Lines`: the common document — `key: value` and `- value` lines, one-line values,
   `|` blocks — read line by line (less than half the cost of the third way);
2. `_Events`: any other document without an anchor, alias, tag, merge or duplicate key,
   control character or thousands separator, built in one pass over libyaml's events;
3. `_composed`: libyaml's node tree (PyYAML's Python resolver called for every node),
   walked by `_Builder`: every document, and the problem of each that has one, at its
   line. What a file is read as, or what is wrong with it, never depends on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

from generator.load.syntax import GENERIC_HINT, explain

try:  # libyaml is ~10× faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

Path_ = tuple  # a key path: ("service", "steps", 2, "days")

MAX_NODES = 100_000  # node visits per document; an alias bomb needs far more
MAX_DEPTH = 64  # nesting levels; real content needs fewer than ten
SIMPLE_KEY_LIMIT = 1024  # characters of a plain key: libyaml finds no `:` after a longer one
FLOW_BRACKETS_TRUSTED = 1000  # with fewer `[`/`{` than this, libyaml's recursion is safe

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_BOOL = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


class YamlProblem(Exception):
    """A problem that stops the reading of one document; carries a position and a code."""

    def __init__(self, code: str, message: str, line: int = 0, col: int = 0, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.line, self.col, self.hint = code, message, line, col, hint


@dataclass
class Parsed:
    data: object
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # value positions
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # key positions
    duplicates: list[tuple[Path_, tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def _check_depth(text: str, line_offset: int) -> None:
    """Refuse nesting deeper than MAX_DEPTH, measured on the parser's events (the parser
    does not recurse, the composers do)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise YamlProblem(
                    "yaml-too-deep", f"YAML 嵌套超过 {MAX_DEPTH} 层", mark.line + 1 + line_offset, mark.column + 1,
                    "检查缩进和括号是否成对",
                )  # fmt: skip
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _check_flow_depth(text: str, line_offset: int) -> None:
    """libyaml's composer recurses in C: `[[[[…` tens of thousands deep overflows the stack
    (a segmentation fault, not an exception) in the versions of libyaml without a nesting
    limit of their own. Measure the depth first when the brackets could nest that deep."""
    if text.count("[") + text.count("{") > FLOW_BRACKETS_TRUSTED:
        _check_depth(text, line_offset)  # block nesting is bounded by MAX_BYTES (indentation)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, line_offset: int) -> YamlProblem:
    """A parser error in the editor's language (see `syntax.py`), at file lines."""
    found = explain(exc, text, line_offset)
    return YamlProblem(found.code, found.message, found.line + 1 + line_offset, found.col + 1, found.hint)


def parse(text: str, line_offset: int = 0) -> Parsed:
    """Parse one YAML document. `line_offset` is added to every line (front matter)."""
    parsed = _from_lines(text, line_offset)
    if parsed is None:
        parsed = _from_events(text, line_offset)
    return parsed if parsed is not None else _composed(text, line_offset)


def _composed(text: str, line_offset: int) -> Parsed:
    """The third way (module notes): libyaml's node tree, walked by `_Builder`, which
    takes every document and says what is wrong with it."""
    try:
        _check_flow_depth(text, line_offset)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, text, line_offset) from None
    except yaml.reader.ReaderError as exc:  # a control character (libyaml gives a byte offset: find it ourselves)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        at = text.find(char)
        line = text.count("\n", 0, at) + 1 + line_offset if at >= 0 else 0
        col = at - text.rfind("\n", 0, at) if at >= 0 else 0
        raise YamlProblem(
            "control-char", f"文件含有不可见的控制字符 U+{ord(char):04X}", line, col,
            "删除这个字符（常见于从 Word 或网页复制来的文字）",
        ) from None  # fmt: skip
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml-syntax", f"YAML 无法读取（解析器：{exc}）", hint=GENERIC_HINT) from None
    except RecursionError:  # the pure-Python composer recurses once per level: find the level
        try:
            _check_depth(text, line_offset)
        except yaml.YAMLError:
            pass
        raise YamlProblem("yaml-too-deep", "YAML 嵌套层级过深", hint="检查缩进和括号是否成对") from None
    parsed = Parsed(data=None)
    if root is None:
        return parsed
    builder = _Builder(parsed, line_offset, text)
    parsed.data = builder.build(root, ())
    return parsed


class _Unusual(Exception):
    """The document needs a later way (module notes)."""


# Lines `_Lines` reads: printable characters but tabs, carriage returns, line and paragraph
# separators, bidi controls (`_FORBIDDEN`) and byte order marks (anything else: the
# parser's events). Keys it reads: a name in ASCII letters, digits and _, or Chinese
# characters, then `:` and spaces or the end of the line.
_NOT_LINES = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202f-\u2065\u206a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY = re.compile(r"([A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*):(?: +|$)")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")  # a plain value cannot start with one (we take none)
_SINGLE = re.compile(r"'((?:[^']|'')*)' *")  # 'text', '' for a quote
_DOUBLE = re.compile(r'"([^"\\]*)" *')  # "text", without escapes
_FLOW = re.compile(r"\[([^\[\]{}#'\":]*)\] *")  # [a, b, c]


def _from_lines(text: str, line_offset: int) -> Parsed | None:
    """The first way (module notes): the document read line by line, or None when it is
    not made of `key: value` lines, `- value` lines and `|` blocks alone."""
    if len(text) >= MAX_NODES or _NOT_LINES.search(text):
        return None
    try:
        return _Lines(text, line_offset).document()
    except _Unusual:
        return None


class _Lines:
    """The common document read line by line, as libyaml reads it: block mappings whose
    keys are names, block lists, values plain (one line), quoted (one line, no escape),
    `[a, b]` of plain values, or `|` / `|-` blocks; comments on lines of their own. Any
    other line (a value continued on the next line, a comment after a value, an anchor,
    a tag, flow mappings, odd indentation…) is `_Unusual`: the parser's events read it.
    The reader walks the rows: the lines that hold something (not blank, not a comment)."""

    def __init__(self, text: str, line_offset: int):
        self.lines = lines = text.split("\n")
        self.offset = line_offset + 1
        self.parsed = Parsed(data=None)
        self.rows = rows = []  # 0-based
        self.indents = indents = []  # their indentation
        for index, line in enumerate(lines):
            content = line.lstrip(" ")
            if content and content[0] != "#":
                rows.append(index)
                indents.append(len(line) - len(content))

    def dash(self, row: int) -> bool:
        """Whether the row is a list item (`- …` or `-`)."""
        line, indent = self.lines[self.rows[row]], self.indents[row]
        return line[indent] == "-" and (len(line) == indent + 1 or line[indent + 1] == " ")

    def document(self) -> Parsed:
        if not self.rows:
            raise _Unusual  # no value at all
        self.parsed.data, after = self.node(0, ())
        if after != len(self.rows):
            raise _Unusual  # a row we did not take
        return self.parsed

    def node(self, row: int, path: Path_):
        """The mapping or list that starts on `row`; returns it and the row after it."""
        indent = self.indents[row]
        if len(path) >= MAX_DEPTH:
            raise _Unusual
        self.parsed.positions[path] = (self.rows[row] + self.offset, indent + 1)
        if self.dash(row):
            return self.sequence(row, indent, path)
        if _KEY.match(self.lines[self.rows[row]], indent):
            return self.mapping(row, indent, path)
        raise _Unusual  # a value on a line of its own

    def mapping(self, row: int, indent: int, path: Path_):
        result: dict = {}
        lines, rows, indents, end, offset = self.lines, self.rows, self.indents, len(self.rows), self.offset
        positions, key_positions = self.parsed.positions, self.parsed.key_positions
        key_match, keys, indicators, firsts = _KEY.match, _KEYS, _INDICATORS, _FIRSTS
        while True:
            index = rows[row]
            line = lines[index]
            match = key_match(line, indent)
            if match is None or match.end(1) - indent >= SIMPLE_KEY_LIMIT:
                raise _Unusual  # (libyaml refuses a key of more than 1024 characters: a problem)
            name = match.group(1)
            key = keys.get(name)  # (`_plain_key`, its memo first)
            if key is None:
                key = _plain_key(name)
            if key in result:
                raise _Unusual
            child = path + (key,)
            number = index + offset
            key_positions[child] = (number, indent + 1)
            column = match.end()
            if column < len(line) and line[column] not in indicators:  # `key: value`, plain (most keys)
                positions[child] = (number, column + 1)
                text = line[column:].rstrip(" ")  # (`_line_plain`, written out)
                if ": " in text or text[-1] == ":" or " #" in text:
                    raise _Unusual
                result[key] = text if text[0] not in firsts else _plain(text)
                row += 1
            elif column < len(line):
                result[key], row = self.value(row, column, indent, child)
            elif row + 1 < end and (indents[row + 1] > indent or (indents[row + 1] == indent and self.dash(row + 1))):
                result[key], row = self.node(row + 1, child)
            else:  # `key:` left empty: libyaml puts the null just after the colon
                positions[child] = (index + offset, match.end(1) + 2)
                result[key], row = None, row + 1
            if row == end or indents[row] < indent:
                return result, row
            if indents[row] > indent:
                raise _Unusual  # a value continued on the next line, or a mistake

    def sequence(self, row: int, indent: int, path: Path_):
        result: list = []
        lines, rows, indents, end = self.lines, self.rows, self.indents, len(self.rows)
        positions, key_match, indicators, firsts = self.parsed.positions, _KEY.match, _INDICATORS, _FIRSTS
        while True:
            index = rows[row]
            line = lines[index]
            child = path + (len(result),)
            after = line[indent + 1 :].lstrip(" ")
            column = len(line) - len(after)
            if not after:  # `-` alone: a mapping or list below it, or nothing
                if row + 1 < end and indents[row + 1] > indent:
                    value, row = self.node(row + 1, child)
                else:
                    positions[child] = (index + self.offset, indent + 2)
                    value, row = None, row + 1
            elif after[0] == "-" or key_match(after):  # `- key: …`, `- - …`: the dash as indentation
                lines[index], indents[row] = " " * column + after, column
                value, row = self.node(row, child)
            elif after[0] not in indicators:  # `- value`, plain (`value`, written out)
                positions[child] = (index + self.offset, column + 1)
                text = after.rstrip(" ")  # (`_line_plain`)
                if ": " in text or text[-1] == ":" or " #" in text:
                    raise _Unusual
                value, row = (text if text[0] not in firsts else _plain(text)), row + 1
            else:
                value, row = self.value(row, column, indent, child)
            result.append(value)
            if row == end:
                return result, row
            below = indents[row]
            if below < indent:
                return result, row
            if below > indent:
                raise _Unusual
            line = lines[rows[row]]  # (`dash`)
            if line[indent] != "-" or (len(line) != indent + 1 and line[indent + 1] != " "):
                return result, row  # the next key of the mapping this list is the value of

    def value(self, row: int, column: int, indent: int, path: Path_):
        """The value written on `row` from `column` (after `key: ` or `- `), in a mapping
        or list at `indent`; returns it and the row after it."""
        index = self.rows[row]
        text = self.lines[index][column:]
        self.parsed.positions[path] = (index + self.offset, column + 1)
        first = text[0]
        if first not in _INDICATORS:  # plain (in a list: `mapping` reads its own)
            return _line_plain(text), row + 1
        if first == "'" or first == '"':
            match = (_SINGLE if first == "'" else _DOUBLE).fullmatch(text)
            if match is None:
                raise _Unusual
            return match.group(1).replace("''", "'") if first == "'" else match.group(1), row + 1
        if first == "[":
            return self.flow(text, index, column, path), row + 1
        if first == "|":
            return self.block(text, row, indent)
        raise _Unusual

    def flow(self, text: str, index: int, column: int, path: Path_) -> list:
        """`[a, b, c]` of plain values on one line."""
        match = _FLOW.fullmatch(text)
        if match is None or len(path) >= MAX_DEPTH:
            raise _Unusual
        inner = match.group(1)
        if not inner.strip(" "):
            return []
        result: list = []
        at = column + 1
        for part in inner.split(","):
            written = part.strip(" ")
            if not written or written[0] in _INDICATORS:
                raise _Unusual
            start = at + len(part) - len(part.lstrip(" "))
            self.parsed.positions[path + (len(result),)] = (index + self.offset, start + 1)
            result.append(_plain(written))
            at += len(part) + 1
        return result

    def block(self, header: str, row: int, indent: int):
        """A `|` (or `|-`) block: the lines below it indented deeper than `indent`."""
        header = header.rstrip(" ")
        if header != "|" and header != "|-":
            raise _Unusual
        lines, taken, deeper = self.lines, [], None
        index = self.rows[row]
        last = at = index  # the last line of the block's text; the line read
        for at in range(index + 1, len(lines) + 1):
            line = lines[at] if at < len(lines) else "\0"
            content = line.lstrip(" ")
            if not content:
                if line:
                    raise _Unusual  # spaces on an empty line: libyaml weighs them
                taken.append("")
                continue
            margin = len(line) - len(content)
            if deeper is None and margin > indent:
                deeper = margin
            if deeper is None or margin < deeper or at == len(lines):
                break
            taken.append(line[deeper:])
            last = at
        text = "\n".join(taken[: last - index])  # trailing empty lines are not the text's
        if text and header == "|" and last + 1 < len(lines):
            text += "\n"  # the line break after the last line (none at the end of a file without one)
        while row < len(self.rows) and self.rows[row] < at:
            row += 1
        return text, row


def _line_plain(text: str):
    """A plain value that fills the rest of its line (`_Lines`), not starting with an indicator."""
    text = text.rstrip(" ")
    if ": " in text or text[-1] == ":" or " #" in text:
        raise _Unusual  # a mapping in a value (libyaml refuses it), or a comment after it
    return text if text[0] not in _FIRSTS else _plain(text)


def _from_events(text: str, line_offset: int) -> Parsed | None:
    """The second way (module notes): the document built from the parser's events, or None
    when it holds anything but plain mappings, lists and values (then `_composed` reads it)."""
    if len(text) >= MAX_NODES or _FORBIDDEN.search(text):
        return None  # (each value takes a character: a shorter text has fewer values than MAX_NODES)
    events = _Events(text, line_offset)
    try:
        return events.document()
    except (_Unusual, yaml.YAMLError):
        return None


class _Events:
    """One pass over the parser's events, making what `_Builder` makes of the node tree:
    the data, `{path: (line, col)}` of values and keys, in the same order. It refuses
    (`_Unusual`) everything `_Builder` would refuse or treat specially, so that the
    third way finds it: anchors, aliases, tags, merge keys, keys that are not plain
    values, duplicate keys, escaped control characters, thousands separators, nesting
    deeper than MAX_DEPTH, a second document."""

    def __init__(self, text: str, line_offset: int):
        self.next = _Parser(text).get_event
        self.offset = line_offset + 1
        self.escapes = "\\" in text  # double quotes can write a control character only as an escape
        self.parsed = Parsed(data=None)

    def document(self) -> Parsed:
        next_event = self.next
        next_event()  # the stream's start
        event = next_event()
        if type(event) is not StreamEndEvent:  # a document (none: an empty file)
            self.parsed.data = self.value(next_event(), ())
            next_event()  # the document's end
            if type(next_event()) is not StreamEndEvent:
                raise _Unusual  # a second document: `_composed` says so
        return self.parsed

    def value(self, event, path: Path_):
        """The value starting with `event` (its first event)."""
        if event.anchor is not None or event.tag is not None:
            raise _Unusual  # (an alias is an event with an anchor)
        mark = event.start_mark
        self.parsed.positions[path] = (mark.line + self.offset, mark.column + 1)
        kind = type(event)
        if kind is ScalarEvent:
            if event.implicit[0]:
                return _plain(event.value)
            if self.escapes and event.style == '"' and _FORBIDDEN.search(event.value):
                raise _Unusual
            return event.value
        if len(path) >= MAX_DEPTH:
            raise _Unusual  # its values would be too deep
        if kind is MappingStartEvent:
            return self.mapping(event.flow_style, path)
        if kind is not SequenceStartEvent:
            raise _Unusual  # pragma: no cover (the parser starts a value with one of these)
        result: list = []
        next_event = self.next
        event = next_event()
        while type(event) is not SequenceEndEvent:
            result.append(self.value(event, path + (len(result),)))
            event = next_event()
        return result

    def mapping(self, flow: bool, path: Path_) -> dict:
        result: dict = {}
        next_event, offset = self.next, self.offset
        positions, key_positions = self.parsed.positions, self.parsed.key_positions
        event = next_event()
        while type(event) is not MappingEndEvent:
            if type(event) is not ScalarEvent or event.anchor is not None or event.tag is not None:
                raise _Unusual
            key = event.value
            if key == "<<" or (self.escapes and event.style == '"' and _FORBIDDEN.search(key)):
                raise _Unusual
            key = _plain_key(key) if event.implicit[0] else key.strip()
            if key in result:
                raise _Unusual
            child = path + (key,)
            mark = event.start_mark
            key_positions[child] = (mark.line + offset, mark.column + 1)
            event = next_event()
            if type(event) is ScalarEvent and event.implicit[0] and event.anchor is None and event.tag is None:
                if flow and _THOUSANDS_HEAD.match(event.value):
                    raise _Unusual  # `{amount: 1,000.00}`: `_Builder._thousands` tells
                mark = event.start_mark  # a plain value (most values): `value`, shorter
                positions[child] = (mark.line + offset, mark.column + 1)
                text = event.value
                result[key] = text if text and text[0] not in _FIRSTS else _plain(text)
            else:
                result[key] = self.value(event, child)
            event = next_event()
        return result


class _Builder:
    def __init__(self, parsed: Parsed, line_offset: int, text: str):
        self.parsed = parsed
        self.offset = line_offset
        self.text = text
        self.visits = 0

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def build(self, node: yaml.Node, path: Path_):
        self.visits += 1
        if self.visits > MAX_NODES:
            line, col = self.pos(node)
            raise YamlProblem(
                "yaml-too-large",
                f"YAML 展开后超过 {MAX_NODES} 个节点（可能是别名炸弹 alias bomb），已拒绝读取",
                line,
                col,
                "不要在内容文件中使用锚点（&）和别名（*）",
            )
        if len(path) > MAX_DEPTH:
            line, col = self.pos(node)
            raise YamlProblem("yaml-too-deep", f"YAML 嵌套超过 {MAX_DEPTH} 层", line, col, "检查缩进和括号是否成对")
        if node.tag not in _ALLOWED_TAGS:
            line, col = self.pos(node)
            raise YamlProblem(
                "yaml-tag", f"不支持 YAML 标签 {node.tag}", line, col, "删除以 ! 开头的标签，只写普通的值"
            )
        self.parsed.positions[path] = self.pos(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        self._check_chars(node, path)
        return _scalar(node)

    def _check_chars(self, node: yaml.ScalarNode, path: Path_, is_key: bool = False) -> None:
        """Refuse control characters (also when written as escapes in double quotes, which the
        reader never sees) and bidi overrides, which make a page show other text than it holds."""
        found = _FORBIDDEN.search(node.value)
        if found is None:
            return
        char = found.group()
        line, col = self.pos(node)
        if not node.style and "\n" not in node.value[: found.start()]:
            col += found.start()  # a plain one-line value: point at the character itself
        field = next((f"“{part}”的值" for part in reversed(path) if isinstance(part, str)), "值")
        field = "键" if is_key else field
        escaped = f"（在双引号中写成了转义，如 \\u{ord(char):04X}）" if node.style == '"' else ""
        if _BIDI.match(char):
            raise YamlProblem(
                "bidi-control",
                f"{field}含有改变文字方向的控制字符 U+{ord(char):04X}{escaped}",
                line,
                col,
                "删除这个字符：它让页面上显示的文字顺序与实际内容不同，可被用来伪装文字",
            )
        raise YamlProblem(
            "control-char",
            f"{field}含有不可见的控制字符 U+{ord(char):04X}{escaped}",
            line,
            col,
            "删除这个字符；换行直接换行书写（多行文字在冒号后写 |），不要用 \\x、\\u 转义写控制字符",
        )

    def _thousands(self, pairs: list, index: int) -> None:
        """`{amount: 1,000.00}`: YAML splits a number with thousands separators at the comma
        into a value `1` and a key `000.00`. Refuse it, naming the number as written."""
        key_node, value_node = pairs[index]
        if not (_THOUSANDS_HEAD.match(value_node.value or "") and not value_node.style):
            return
        digits, end = [value_node.value], value_node.end_mark.index
        for next_key, next_value in pairs[index + 1 :]:
            joined = self.text[end : end + 1] == "," and next_key.start_mark.index == end + 1  # `1,000`, not `1, 000`
            bare = not next_key.style and next_value.value == "" and isinstance(next_value, yaml.ScalarNode)
            if not (joined and bare and _THOUSANDS_TAIL.match(next_key.value)):
                break
            digits.append(next_key.value)
            end = next_key.end_mark.index
        if len(digits) > 1:
            line, col = self.pos(value_node)
            raise YamlProblem(
                "number-format",
                f"“{key_node.value}”的值“{','.join(digits)}”用了千分位逗号，YAML 在逗号处把它拆开了",
                line,
                col,
                f"数字不写千分位逗号：写成 {''.join(digits)}",
            )

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
        result: dict = {}
        for index, (key_node, value_node) in enumerate(node.value):
            if node.flow_style and isinstance(value_node, yaml.ScalarNode):
                self._thousands(node.value, index)
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = self.pos(key_node)
                raise YamlProblem("yaml-key", "键必须是简单的文字", line, col)
            if key_node.tag == _STD + "merge" or key_node.value == "<<":
                line, col = self.pos(key_node)
                raise YamlProblem("yaml-merge", "不支持 YAML 合并键 <<", line, col, "把要复用的字段直接写出来")
            self._check_chars(key_node, path, is_key=True)
            key = key_node.value if key_node.tag == _STD + "str" else str(_scalar(key_node))
            key = key.strip()
            child = path + (key,)
            if key in result:
                self.parsed.duplicates.append((child, self.parsed.key_positions[child], self.pos(key_node)))
                continue
            self.parsed.key_positions[child] = self.pos(key_node)
            result[key] = self.build(value_node, child)
        return result


_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_THOUSANDS_HEAD = re.compile(r"^[-+]?[1-9][0-9]{0,2}$")  # `1` of `1,000.00`
_THOUSANDS_TAIL = re.compile(r"^[0-9]{3}(\.[0-9]+)?$")  # `000.00` of `1,000.00`


_STR = _STD + "str"
_RESOLVER = yaml.resolver.Resolver()  # the implicit types of YAML 1.1, as the safe loaders have them
_FIRSTS = frozenset(_RESOLVER.yaml_implicit_resolvers)  # the first characters of a value not always text
_PLAIN: dict[str, object] = {}  # plain value as written → its value (`_plain`)
_PLAIN_KEPT = 4096
_PLAIN_LENGTH = 12  # `2024-01-02`, `1200.50`, `yes`


def _resolve(text: str) -> str:
    """The tag of a plain (unquoted) value, as the composer's resolver gives it."""
    if text and text[0] not in _FIRSTS:
        return _STR  # `县公安局`, `http://…`: text, found without the resolver's patterns
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))


def _plain(text: str):
    """The value of a plain value as written (`_value` of its resolved tag); the values that
    are not text are remembered (dates, numbers, `yes` recur). A tag `_Builder` refuses
    (`=`, `<<`) is `_Unusual`."""
    if text and text[0] not in _FIRSTS:
        return text
    try:
        return _PLAIN[text]
    except KeyError:
        tag = _resolve(text)
        if tag not in _ALLOWED_TAGS:
            raise _Unusual from None
        value = _value(tag, text)
        if len(text) <= _PLAIN_LENGTH:  # not an index number or a phone number, seen once
            if len(_PLAIN) >= _PLAIN_KEPT:
                _PLAIN.clear()
            _PLAIN[text] = value
        return value


def _plain_key(text: str) -> str:
    """A plain key as `_Builder._mapping` takes it: `yes` is `True`, `010` stays `010`."""
    try:
        return _KEYS[text]
    except KeyError:
        tag = _resolve(text)
        if len(_KEYS) >= _PLAIN_KEPT:
            _KEYS.clear()
        key = _KEYS[text] = (text if tag == _STR else str(_value(tag, text))).strip()
        return key


_KEYS: dict[str, str] = {}  # plain key as written → the key (`_plain_key`)


def _scalar(node: yaml.ScalarNode):
    return _value(node.tag, node.value)


def _value(tag: str, text: str):
    """A value of the type its tag names (the composer's resolution, our numbers)."""
    if tag == _STD + "str" or tag == _STD + "timestamp":
        return text  # dates are parsed (and checked) by the schema
    if tag == _STD + "null":
        return None
    if tag == _STD + "bool":
        return _BOOL.get(text.lower(), text)
    if tag == _STD + "int":
        if _LEADING_ZERO.match(text):
            return text  # a phone prefix or a code, not an octal number
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return text
    if tag == _STD + "float":
        try:
            return Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text
    return text
