"""What reading a file costs less by (the `read` stage of a cold check or build) must
give what the longer way gives: the record and the head of its digests from one walk of
the data (`load/site.py record_texts`)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import register
from generator.load.site import _MARK, fingerprints, record_texts


def _whole(data: dict) -> tuple[str, str]:
    head = {key: value for key, value in data.items() if key not in ("body", "notes")}
    return register.canonical(data), register.canonical(head)


CASES = [
    {},
    {"title": "通知"},
    {"body": "正文"},
    {"notes": "说明"},
    {"body": "正文", "notes": "说明"},
    {"a": 1, "body": "正文"},
    {"body": "正文", "z": 1},
    {"a": 1, "body": "正文", "c": [1, 2], "notes": "说明", "z": {"body": "内层"}},
    {"a": "x", "body": 'quote " and \\ and \n and \u2028', "notes": "", "bodyx": "y", "nota": "z"},
    {"body": None, "title": "t"},  # not a text: the whole way
    {"body": ["a"], "notes": "说明"},
    {"body": f"content holding the mark {_MARK}", "title": "t"},  # the mark itself in the content
    {"title": _MARK, "body": "正文"},
    {"a": {"body": _MARK}, "body": "正文"},
    {"body": '"notes":' + register.canonical(_MARK), "notes": "n"},
]


@pytest.mark.parametrize("data", CASES)
def test_record_texts_are_the_canonical_json_whole_and_without_body_and_notes(data):
    assert record_texts(data) == _whole(data)


KEYS = st.sampled_from(["a", "body", "notes", "title", "z", "标题", "bodyx", "not", '"body"'])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just(_MARK),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_record_texts_on_generated_data(data):
    assert record_texts(data) == _whole(data)


def test_the_mark_is_taken_out_in_one_walk(monkeypatch):
    """The record of an item with a body is encoded once whole, not twice (a head without
    the body would be a second walk of every field)."""
    data = {"title": "通知", "published": "2024-01-02", "body": "正文", "notes": "说明", "items": [{"a": 1}]}
    walked = []
    real = register.canonical

    def counting(value):
        if isinstance(value, dict):
            walked.append(sorted(value))
        return real(value)

    monkeypatch.setattr(register, "canonical", counting)
    assert record_texts(data) == _whole({**data})
    assert len(walked) == 1 + 2  # the two whole encodings of `_whole` are counted too
    assert walked[0] == sorted(data)


def test_fingerprints_take_the_head_given_or_make_it():
    data = {"title": "通知", "body": "正文", "notes": "说明"}
    record, head = record_texts(data)
    assert fingerprints("article", record, data, head) == fingerprints("article", record, data)
    assert json.loads(head) == {"title": "通知"}
