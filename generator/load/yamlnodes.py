"""YAML text → plain Python data plus the position of every key and value.

We compose the node tree with libyaml (safe: no Python tags are ever constructed) and
build the data ourselves, which lets us
- record `{key path: (line, col)}` for every value and key (1-based, file lines);
- report duplicate keys instead of silently keeping the last one;
- refuse custom tags and alias expansion bombs;
- keep decimals exact (`1200.50` → Decimal) and numbers with a leading zero as text
  (`0571` is a phone prefix, not the octal number 377).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

from generator.load.syntax import GENERIC_HINT, explain

try:  # libyaml is ~10× faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple  # a key path: ("service", "steps", 2, "days")

MAX_NODES = 100_000  # node visits per document; an alias bomb needs far more
MAX_DEPTH = 64  # nesting levels; real content needs fewer than ten
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


def _scalar(node: yaml.ScalarNode):
    tag, text = node.tag, node.value
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
