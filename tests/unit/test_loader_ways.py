"""Issue 19, reading a content file at a fraction of the cost: the loader's first two
ways (the document read line by line, `yamlnodes._Lines`; built from libyaml's events,
`yamlnodes._Events`), the alias walk skipped when every key is already the model's own
(`aliases._named`) and the record's head digest made from its data (`load/site.py
fingerprints`) must read every file exactly as the old way (`_composed`) does: the same
data, positions, types of values and problems."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import register
from generator.load import aliases, yamlnodes
from generator.load.documents import RawDocument, split_front_matter
from generator.load.site import fingerprints
from generator.load.yamlnodes import YamlProblem, _composed, _from_events, _from_lines, parse
from generator.model.article import Article
from generator.model.procedure import Procedure
from generator.model.registry import TYPES

from helpers import dedent

REPO = Path(__file__).resolve().parents[2]


def _outcome(read, text: str, offset: int = 0):
    """What a way makes of `text`: its data (with the types of its values), positions of
    values and keys in their order, duplicates; or its problem."""
    try:
        return _read_as(read(text, offset))
    except YamlProblem as exc:
        return ("problem", exc.code, exc.message, exc.line, exc.col, exc.hint)


def _read_as(parsed) -> tuple:
    return (repr(parsed.data), list(parsed.positions.items()), list(parsed.key_positions.items()), parsed.duplicates)


def _yaml_of(path: Path) -> tuple[str, int]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if path.suffix == ".md":
        front, _body, _line = split_front_matter(text)
        return front, 1
    return text, 0


# ------------------------------------------------------------------ the first way reads as the second


def test_every_demo_file_reads_the_same_every_way(yaml_loader):
    files = sorted(p for p in (REPO / "content").rglob("*") if p.suffix in (".yml", ".md") and "pages" not in p.parts)
    taken = {_from_lines: 0, _from_events: 0}
    for path in files:
        text, offset = _yaml_of(path)
        for way in taken:
            fast = way(text, offset)
            if fast is not None:
                taken[way] += 1
                assert _read_as(fast) == _outcome(_composed, text, offset), path
        assert _outcome(parse, text, offset) == _outcome(_composed, text, offset), path
    assert taken[_from_lines] >= len(files) * 0.8, "the demo's files are common documents: the first way reads them"
    assert taken[_from_events] >= len(files) * 0.9


SCALARS = [
    "yes", "No", "ON", "off", "true", "False", "y", "n", "~", "null", "Null", "", "0x1F", "0o17", "0b101", "017",
    "0571", "-0", "+12", "1_000", "1:20", "190:20:30", "1.5", "1_000.50", "1e3", "1.0e+3", "-.5", ".inf", "-.Inf",
    ".NaN", "2024-01-02", "2024-1-2", "2024-01-02 10:00:00", "2024-01-02T10:00:00Z", "'yes'", '"1.5"', "'~'",
    "县公安局", "http://a.b/c", "a b", "12:30", "0.", "1,5", "nothing",
]  # fmt: skip


@pytest.mark.parametrize("written", SCALARS)
def test_values_resolve_as_yaml_1_1(written):
    """Each value is resolved as PyYAML's SafeLoader (its pure-Python composer) resolves
    it, and becomes the same value both ways (Decimal, int, text for dates and codes)."""
    text = f"v: {written}\n{written or 'k'}: x\n"
    assert _outcome(parse, text) == _outcome(_composed, text)
    if written.startswith(("'", '"')):
        return
    value_tag = yaml.compose(f"v: {written}", Loader=yaml.SafeLoader).value[0][1].tag
    assert yamlnodes._resolve(written) == value_tag


def test_values_keep_their_types():
    parsed = parse("a: 1200.50\nb: 0571\nc: yes\nd: 2024-01-02\ne: 0x1F\nf: ~\ng: '12'\n")
    assert _from_events("a: 1200.50\n", 0) is not None
    expected = {"a": Decimal("1200.50"), "b": "0571", "c": True, "d": "2024-01-02", "e": 31, "f": None, "g": "12"}
    assert parsed.data == expected
    assert parse("yes: 1\n010: 2\n~: 3\n").data == {"True": 1, "010": 2, "None": 3}


def test_positions_of_a_representative_front_matter():
    text = dedent(
        """
        title: 通知
        keywords:
          - 春节
          - 值班
        service:
          steps:
            - name: 受理
              days: 1
            - name: '审查'
              days: 3
        body: |
          第一行
        """
    )  # fmt: skip
    parsed = _from_lines(text, 1)  # front matter: the file's line 2 is its line 1
    assert parsed is not None
    assert _read_as(parsed) == _outcome(_from_events, text, 1)
    assert parsed.positions[()] == (2, 1)
    assert parsed.key_positions[("title",)] == (2, 1) and parsed.positions[("title",)] == (2, 8)
    assert parsed.positions[("keywords",)] == (4, 3) and parsed.positions[("keywords", 1)] == (5, 5)
    assert parsed.key_positions[("service", "steps", 1, "name")] == (10, 7)
    assert parsed.positions[("service", "steps", 1, "name")] == (10, 13)
    assert parsed.positions[("service", "steps", 1, "days")] == (11, 13)
    assert parsed.positions[("body",)] == (12, 7)
    assert _read_as(parsed) == _outcome(_composed, text, 1)


UNUSUAL = {
    "anchor and alias": "a: &x [1, 2]\nb: *x\n",
    "tag": "a: !!str 1\n",
    "custom tag": "a: !x 1\n",
    "merge key": "base: {a: 1}\n<<: {b: 2}\n",
    "duplicate key": "a: 1\na: 2\n",
    "thousands": "fee: {amount: 1,000.00}\n",
    "escaped control character": 'a: "x\\u0007y"\n',
    "escaped bidi override": 'a: "x\\u202Ey"\n',
    "control character in a comment": "a: 1  # \x85\n",
    "key that is a list": "[a, b]: 1\n",
    "second document": "a: 1\n---\nb: 2\n",
    "value tag": "a: =\n",
    "too deep": "a: " + "[" * (yamlnodes.MAX_DEPTH + 2) + "]" * (yamlnodes.MAX_DEPTH + 2) + "\n",
    "syntax error": "a: b: c\n",
    "key over libyaml's 1024 characters": "k" * 1025 + ": v\n",
    "Chinese key over 1024 characters, after a key": "a: 1\n" + "标" * 1030 + ": v\n",
    "long key in a list item": "- " + "k" * 1030 + ": v\n",
    "long nested key": "a:\n  " + "k" * 1025 + ": 1\n",
}


@pytest.mark.parametrize("name", list(UNUSUAL))
def test_unusual_documents_go_the_third_way(name):
    text = UNUSUAL[name]
    assert _from_lines(text, 0) is None and _from_events(text, 0) is None
    assert _outcome(parse, text) == _outcome(_composed, text)


LINES = {
    "empty values": "a:\nb:   \nc: 1\nd:",
    "list at the key's indentation": "k:\n- a\n-\n- b\nz: 1\n",
    "list deeper": "k:\n    - a\n    - b\n",
    "mappings in a list": "- a: 1\n  b:\n- c\n- - d\n  - e\n-\n  f: 2\n",
    "comments": "# top\na: 1\n\n  # deeper\nb:\n  # inside\n  c: 2\n",
    "quoted": "a: 'it''s'\nb: \"x: #y\"\nc: ''\nd: '1.5'\n",
    "flow lists": "a: [春节, 1, yes, ~]\nb: []\nc: [ ]\nd: [x y,z]\n",
    "block": "a: |\n  x\n   y\n\n  z\n\n\nb: 1\n",
    "block kept without its last break": "a: |-\n  x\n\nb: |\n\n  y\n",
    "block at the end without a newline": "a: |\n  x",
    "empty block": "a: |\nb: 1\n",
    "block with comment-like lines": "a: |\n  # not a comment\n  x\n# a comment\nb: 2\n",
    "plain values": "a: b:c\nb: x[1], y\nc: a#b\nd: 2024-01-02  \ne: ...\nf: 1:20\n标题: 通知\n",
    "keys that are not text": "yes: 1\nnull: 2\nOff: 3\n",
}


@pytest.mark.parametrize("name", list(LINES))
def test_the_first_way_reads_lines_as_libyaml(name):
    text = LINES[name]
    parsed = _from_lines(text, 3)
    assert parsed is not None
    assert _read_as(parsed) == _outcome(_composed, text, 3)


TOKENS = [
    "a", "b", "标题", "title", ":", ": ", "：", " ", "  ", "\n", "\n  ", "\n- ", "- ", "#", "'", '"', "[", "]", "{",
    "}", ",", ", ", "&a ", "*a", "!!str ", "! ", "|", "|\n  ", ">", "~", "yes", "0571", "1,000", "1.5", "0x1F",
    "2024-01-02", "<<", "=", "?", "\\u0007", "\\", "\u2028", "\x85", "---", "...", "%YAML 1.1\n", "1:20", ".inf",
]  # fmt: skip


FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same_all_ways(text: str) -> None:
    for way in (_from_lines, _from_events):
        fast = way(text, 2)
        if fast is not None:
            assert _read_as(fast) == _outcome(_composed, text, 2), way


@FUZZ
@given(parts=st.lists(st.sampled_from(TOKENS), max_size=40))
def test_whatever_a_first_way_reads_the_third_reads_the_same(parts):
    _same_all_ways("".join(parts))


KEYS = ["a", "b", "title", "yes", "null", "Off", "标题", "_x1"]
VALUES = [
    "x", "1", "1.5", "0571", "~", "2024-01-02", "1:20", "a b", "a:b", "a, b", "x[1]", "a #b", "a#b", "'q'", "'it''s'",
    '"d"', '"a\\"', "[a, b]", "[]", "[a,,b]", "[a, b,]", "[-1]", "|", "|-", "|+", ">", "...", "---", "x:", "&a x",
    "*a", "!x y", "=", "<<", "-", "- x", "a: b", "%x", "?x", ":x", "x'y", "多字 值", "1_000", "-.5",
]  # fmt: skip
LINE_FORMS = ["{k}: {v}", "{k}:", "- {v}", "-", "- {k}: {v}", "- {k}:", "#c", "", "  ", "{v}", "- - {v}"]


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([0, 0, 1, 2, 2, 3, 4, 6]), st.sampled_from(LINE_FORMS), st.sampled_from(KEYS),
            st.sampled_from(VALUES), st.sampled_from(["", "", " ", "  # c"]),
        ),
        min_size=1, max_size=8,
    ),
    end=st.sampled_from(["", "\n", "\n\n"]),
)  # fmt: skip
def test_whatever_a_first_way_reads_in_lines_the_third_reads_the_same(rows, end):
    text = "\n".join(" " * indent + form.format(k=key, v=value) + tail for indent, form, key, value, tail in rows)
    _same_all_ways(text + end)


# ------------------------------------------------------------------ keys already the model's own


def _doc(text: str) -> RawDocument:
    parsed = parse(text)
    positions, key_positions = parsed.positions, parsed.key_positions
    return RawDocument(Path("/s/x.yml"), "x.yml", parsed.data, positions, key_positions, parsed.duplicates)


def _walked(doc: RawDocument, model) -> tuple:
    """`normalize`'s walk, whatever the keys: what `_named` lets it skip."""
    positions, key_positions, problems = {}, {}, []
    data = aliases._mapping(doc, doc.data, model, (), (), positions, key_positions, problems)
    return repr(data), list(positions.items()), list(key_positions.items()), problems


@pytest.mark.parametrize(
    "text, skipped",
    [
        ("title: 通知\npublished: 2024-01-02\nkeywords: [a, b]\n", True),
        ("title: 事项\nservice:\n  steps:\n    - name: 受理\n      days: 1\n", True),
        ("title: 通知\nsummary:\npublished: 2024-01-02\n", False),  # a key left empty is dropped
        ("标题: 通知\npublished: 2024-01-02\n", False),
        ("title: 事项\nservice:\n  steps:\n    - 名称: 受理\n", False),
        ("title: 通知\ntitel: x\n", False),
    ],
)
def test_keys_already_named_are_not_walked_again(text, skipped):
    model = Procedure if "service" in text else Article
    assert aliases._named(parse(text).data, model) is skipped
    walked = _walked(_doc(text), model)
    doc = _doc(text)
    problems = aliases.normalize(doc, model)
    assert (repr(doc.data), list(doc.positions.items()), list(doc.key_positions.items()), problems) == walked


# ------------------------------------------------------------------ the record's digests


def test_head_digest_is_the_record_without_body_and_notes():
    """`memo.head` keys the list pages and open data of an update: made from the record's
    data, it is the digest of the record read back without its body and notes."""
    path = REPO / "content/notices/2022/2022-01-24-chunjie-jiaqi-gongzuo.md"
    from generator.load.read import read_model

    model, _doc, found = read_model(path, REPO, TYPES["article"])
    assert model is not None and not found
    data = register.record_data(model)
    record = register.canonical(data)
    assert record == register.canonical_record(model) and "body" in data
    whole, head = fingerprints("article", record, data)
    read_back = json.loads(record)
    read_back.pop("body", None)
    read_back.pop("notes", None)
    text = json.dumps(read_back, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert head == hashlib.blake2b(f"article\0{text}".encode(), digest_size=16).digest()
    assert whole == hashlib.blake2b(f"article\0{record}".encode(), digest_size=32).digest()


@pytest.mark.parametrize(
    "data", [{"b": 1, "a": [1.5, None, True]}, {"标题": '通知\n"引号"', "z": {"y": "\u2028", "x": -0.0}}, "x", [], {}]
)
def test_canonical_json_is_what_dumps_makes(data):
    assert register.canonical(data) == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
