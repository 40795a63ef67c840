"""Issue 19, reading a content file at a third of the cost: the loader's first way (the
document built from libyaml's events, `yamlnodes._from_events`), the alias walk skipped
when every key is already the model's own (`aliases._named`) and the record's head digest
made from its data (`load/site.py fingerprints`) must read every file exactly as the
second way does: the same data, positions, types of values and problems."""

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
from generator.load.yamlnodes import YamlProblem, _composed, _from_events, parse
from generator.model.article import Article
from generator.model.procedure import Procedure
from generator.model.registry import TYPES

from helpers import dedent

REPO = Path(__file__).resolve().parents[2]


def _outcome(read, text: str, offset: int = 0):
    """What a way makes of `text`: its data (with the types of its values), positions of
    values and keys in their order, duplicates; or its problem."""
    try:
        parsed = read(text, offset)
    except YamlProblem as exc:
        return ("problem", exc.code, exc.message, exc.line, exc.col, exc.hint)
    return (repr(parsed.data), list(parsed.positions.items()), list(parsed.key_positions.items()), parsed.duplicates)


def _yaml_of(path: Path) -> tuple[str, int]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if path.suffix == ".md":
        front, _body, _line = split_front_matter(text)
        return front, 1
    return text, 0


# ------------------------------------------------------------------ the first way reads as the second


def test_every_demo_file_reads_the_same_both_ways():
    files = sorted(p for p in (REPO / "content").rglob("*") if p.suffix in (".yml", ".md") and "pages" not in p.parts)
    first = 0
    for path in files:
        text, offset = _yaml_of(path)
        fast = _from_events(text, offset)
        if fast is not None:
            first += 1
            assert _outcome(lambda t, o: fast, text, offset) == _outcome(_composed, text, offset), path
        assert _outcome(parse, text, offset) == _outcome(_composed, text, offset), path
    assert first >= len(files) * 0.9, "the demo's files are common documents: the first way reads them"


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
    assert parsed.data == {"a": Decimal("1200.50"), "b": "0571", "c": True, "d": "2024-01-02", "e": 31, "f": None, "g": "12"}
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
    parsed = _from_events(text, 1)  # front matter: the file's line 2 is its line 1
    assert parsed is not None
    assert parsed.positions[()] == (2, 1)
    assert parsed.key_positions[("title",)] == (2, 1) and parsed.positions[("title",)] == (2, 8)
    assert parsed.positions[("keywords",)] == (4, 3) and parsed.positions[("keywords", 1)] == (5, 5)
    assert parsed.key_positions[("service", "steps", 1, "name")] == (10, 7)
    assert parsed.positions[("service", "steps", 1, "name")] == (10, 13)
    assert parsed.positions[("service", "steps", 1, "days")] == (11, 13)
    assert parsed.positions[("body",)] == (12, 7)
    assert _outcome(lambda t, o: parsed, text, 1) == _outcome(_composed, text, 1)


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
}


@pytest.mark.parametrize("name", list(UNUSUAL))
def test_unusual_documents_go_the_second_way(name):
    text = UNUSUAL[name]
    assert _from_events(text, 0) is None
    assert _outcome(parse, text) == _outcome(_composed, text)


TOKENS = [
    "a", "b", "标题", "title", ":", ": ", "：", " ", "  ", "\n", "\n  ", "\n- ", "- ", "#", "'", '"', "[", "]", "{",
    "}", ",", ", ", "&a ", "*a", "!!str ", "! ", "|", "|\n  ", ">", "~", "yes", "0571", "1,000", "1.5", "0x1F",
    "2024-01-02", "<<", "=", "?", "\\u0007", "\\", "\u2028", "\x85", "---", "...", "%YAML 1.1\n", "1:20", ".inf",
]  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(TOKENS), max_size=40))
def test_whatever_the_first_way_reads_the_second_reads_the_same(parts):
    text = "".join(parts)
    fast = _from_events(text, 2)
    if fast is not None:
        assert _outcome(lambda t, o: fast, text, 2) == _outcome(_composed, text, 2)


# ------------------------------------------------------------------ keys already the model's own


def _doc(text: str) -> RawDocument:
    parsed = parse(text)
    return RawDocument(Path("/s/x.yml"), "x.yml", parsed.data, parsed.positions, parsed.key_positions, parsed.duplicates)


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
    assert whole == hashlib.blake2b(f"article\0{record}".encode(), digest_size=16).digest()


@pytest.mark.parametrize(
    "data", [{"b": 1, "a": [1.5, None, True]}, {"标题": "通知\n\"引号\"", "z": {"y": "\u2028", "x": -0.0}}, "x", [], {}]
)
def test_canonical_json_is_what_dumps_makes(data):
    assert register.canonical(data) == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
