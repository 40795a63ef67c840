"""YAML syntax errors in the editor's language (generator/load/syntax.py): each common slip
gets a Chinese message, a hint naming it, and the line of its cause — with libyaml and
with PyYAML's pure-Python parser, which word the same problems differently. Also the
limits of libyaml itself mapped to our codes, and numbers split at a thousands comma."""

from __future__ import annotations

import pytest
import yaml

from generator.load.syntax import explain
from generator.load.yamlnodes import YamlProblem, parse

from helpers import num

N1 = num(2024, 1)


# text, (line, col) of the cause, words of the message, words of the hint
SLIPS = [
    (
        "title: 通知\npublished:2024-01-01\nsummary: x\n",
        (2, 10),
        "“published”后面的冒号缺少空格",
        "published: 2024-01-01",
    ),
    ("title: 关于 a: b 的通知\n", (1, 12), "“title”的值里有“: ”", 'title: "关于 a: b 的通知"'),
    ('title: 关于"通知": 补充\n', (1, 14), "“title”的值里有“: ”", "title: '关于\"通知\": 补充'"),
    ("title: 通知\npublished: 2024-02-01\n  summary: 缩进错了\n", (3, 3), "“summary”的缩进与上一行不一致", "左对齐"),
    ('path: "C:\\文件"\n', (1, 10), "双引号里的反斜杠", "单引号"),
    (
        "title: 通知\nkeywords: [政务公开, 年报\npublished: 2024-02-01\n",
        (2, 11),
        "第 2 行的“[”没有配对的“]”",
        "补上“]”",
    ),
    ("title: 通知\nkeywords: [政务公开, 年报\n", (2, 11), "第 2 行的“[”没有配对的“]”", "补上“]”"),
    ("steps:\n  - {name: 受理, days: 1\ntitle: x\n", (2, 5), "第 2 行的“{”没有配对的“}”", "补上“}”"),
    ("keywords: [a: b: c]\n", (1, 16), "列表“[ … ]”中这里的写法不对", "用引号括起来"),
    ('title: "通知\npublished: 2024-01-01\n', (1, 8), '第 1 行的引号 " 没有闭合', '补上 "'),
    ("title: '通知\npublished: 2024-01-01\n", (1, 8), "第 1 行的引号 ' 没有闭合", "补上 '"),
    ('title: "通知" 补充\n', (1, 13), "引号结束之后还有文字", "另一种引号"),
    ("a:\n  - x\n - y\n", (3, 2), "缩进没有对齐", "左对齐"),
    ("- a\nb: c\n", (2, 1), "不以“- ”开头", "“- 值”"),
    ("title: @通知\n", (1, 8), "值不能以“@”开头", 'title: "@通知"'),
    ("title: *通知\n", (1, 8), "值不能以“*”开头", "引号"),
    ("a: ]\n", (1, 4), "缺少值", "括号"),
]


@pytest.mark.parametrize("text, at, message, hint", SLIPS)
def test_syntax_slips_in_chinese_at_their_cause(yaml_loader, text, at, message, hint):
    with pytest.raises(YamlProblem) as exc:
        parse(text)
    problem = exc.value
    assert problem.code == "yaml-syntax"
    assert (problem.line, problem.col) == at
    assert message in problem.message and hint in problem.hint
    assert not any(word in problem.message for word in ("expected", "mapping values", "escape"))  # no English


def test_front_matter_offset_applies_to_the_line_of_the_cause(yaml_loader):
    with pytest.raises(YamlProblem) as exc:
        parse("title: 通知\nkeywords: [a, b\npublished: 2024-02-01\n", line_offset=1)
    assert (exc.value.line, exc.value.col) == (3, 11) and "第 3 行" in exc.value.message


def test_unknown_parser_problem_keeps_its_words_after_a_chinese_message():
    mark = yaml.Mark("<x>", 0, 0, 0, None, None)
    error = yaml.scanner.ScannerError("while doing something", mark, "found a new kind of problem", mark)
    found = explain(error, "a\n")
    assert found.code == "yaml-syntax" and found.message.startswith("YAML 语法错误")
    assert "found a new kind of problem" in found.message and found.hint


@pytest.mark.parametrize(
    "context, problem, code",
    [
        ("while increasing flow level", "exceeded maximum nesting depth", "yaml-too-deep"),
        ("while increasing block level", "exceeded maximum nesting depth", "yaml-too-deep"),
        (None, "input is too long", "yaml-too-large"),
    ],
)
def test_libyaml_own_limits_map_to_our_codes(context, problem, code):
    """PyYAML ≥ 6.0.4 ships a libyaml that refuses deep nesting itself; whichever version
    is installed, its words must give our codes (the errors below are libyaml's own)."""
    mark = yaml.Mark("<x>", 1002, 0, 1002, None, None)
    found = explain(yaml.scanner.ScannerError(context, mark, problem, mark), "k: [[[\n")
    assert found.code == code and (found.line, found.col) == (0, 1002)


def test_libyaml_nesting_limit_through_the_loader(yaml_loader):
    """1,100 levels: libyaml (where it has a limit) refuses at 1,000, our builder at 64."""
    with pytest.raises(YamlProblem) as exc:
        parse("k: " + "[" * 1100 + "]" * 1100 + "\n")
    assert exc.value.code == "yaml-too-deep" and exc.value.line == 1


# ------------------------------------------------------------------ thousands separators


@pytest.mark.parametrize(
    "text, written, meant",
    [
        ("rows:\n  - {item: 办公费, amount: 1,000.00}\n", "1,000.00", "1000.00"),
        ("a: {x: 1,234,567.5, y: 2}\n", "1,234,567.5", "1234567.5"),
        ("a: {x: -12,000}\n", "-12,000", "-12000"),
    ],
)
def test_thousands_separator_in_a_flow_mapping(yaml_loader, text, written, meant):
    with pytest.raises(YamlProblem) as exc:
        parse(text)
    assert exc.value.code == "number-format"
    assert f"“{written}”" in exc.value.message and meant in exc.value.hint
    assert exc.value.line == text.count("\n", 0, text.index(written)) + 1


@pytest.mark.parametrize("text", ["a: {x: 1, y: 2}\n", "a: {x: 1, 234: 2}\n", "a: {x: 100,200: 3}\n", "a: [1,000]\n"])
def test_commas_that_are_not_thousands_separators(yaml_loader, text):
    parse(text)  # no problem


def test_thousands_separator_through_check(make_site, valid_items):
    text = f"index_no: {N1}\n" + valid_items["budget"].replace("amount: 1200.50}", "amount: 1,200.50}", 1)
    problem = make_site({"content/budgets/a.yml": text}).check().one("number-format")
    assert (problem["line"], problem["col"]) == (9, 32)
    assert "1200.50" in problem["hint"]
    assert not make_site({"content/budgets/a.yml": text}).check().of("unknown-key")


def test_thousands_separator_in_a_block_value(make_site, valid_items):
    text = f"index_no: {N1}\n" + valid_items["fee"].replace("amount: 80", "amount: 1,080.00")
    problem = make_site({"content/fees/a.yml": text}).check().one("number-format")
    assert problem["line"] == 8 and "金额" in problem["message"] and "“1,080.00”" in problem["message"]
    assert "1080.00" in problem["hint"]


# ------------------------------------------------------------------ invisible characters in values


@pytest.mark.parametrize(
    "text, char, escaped",
    [
        ('title: "关于春节\\u0007的通知"\n', "U+0007", True),
        ('title: "\\x1b[31m通知"\n', "U+001B", True),
        ('summary: "第一行\\r第二行"\n', "U+000D", True),
        ('keywords: ["a\\u0085b"]\n', "U+0085", True),
    ],
)
def test_control_characters_written_as_escapes(yaml_loader, text, char, escaped):
    with pytest.raises(YamlProblem) as exc:
        parse(text, line_offset=1)
    assert exc.value.code == "control-char" and exc.value.line == 2
    assert char in exc.value.message and ("转义" in exc.value.message) == escaped
    assert text.split(":")[0] in exc.value.message  # names the field


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069"])
def test_bidi_overrides_are_refused_at_the_character(yaml_loader, char):
    with pytest.raises(YamlProblem) as exc:
        parse(f"title: 关于{char}的通知\n")
    assert exc.value.code == "bidi-control"
    assert (exc.value.line, exc.value.col) == (1, 10)
    assert f"U+{ord(char):04X}" in exc.value.message and "伪装" in exc.value.hint


def test_keys_are_checked_too(yaml_loader):
    with pytest.raises(YamlProblem) as exc:
        parse('title: a\n"sum\u202emary": b\n')
    assert exc.value.code == "bidi-control" and exc.value.line == 2 and exc.value.message.startswith("键")


def test_tabs_and_newlines_in_values_are_fine(yaml_loader):
    assert parse('a: "x\\ty\\nz"\nb: |\n  one\n  two\n').data == {"a": "x\ty\nz", "b": "one\ntwo\n"}


def test_bidi_override_through_check(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nsummary: 付款 \u202e1.00 元\n"
    assert make_site({"content/notices/a.yml": text}).check().at("bidi-control") == (4, 13)
