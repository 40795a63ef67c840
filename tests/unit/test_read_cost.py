"""What reading a file costs less by (the `read` stage of a cold check or build) must
give what the longer way gives: the record and the head of its digests from one walk of
the data (`load/site.py record_texts`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import register
from generator.checks import dates
from generator.load import documents
from generator.load import site as ls
from generator.load.cache import ContentCache, file_digest
from generator.load.documents import LoadProblem, load_document, read_text
from generator.load.site import _MARK, fingerprints, record_texts
from generator.problems import Problems
from generator.workdays import UnknownYear, count_workdays

from helpers import num


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


# ------------------------------------------------------------------ one read, one stat less


NOTICE = "index_no: {n}\ntitle: {t}\npublished: 2024-03-0{d}\nbody: |\n  {body}\n"


def _site(make_site):
    return make_site({
        "content/notices/a.yml": NOTICE.format(n=num(2024, 1), t="停水通知", d=1, body="明日停水。"),
        "content/notices/b.md":
            f"---\nindex_no: {num(2024, 2)}\ntitle: 停电通知\npublished: 2024-03-02\n---\n明日停电。\n",
        "content/notices/c.yml": NOTICE.format(n=num(2024, 3), t="联系方式", d=3, body="联系人手机 13800138000。"),
    })  # fmt: skip


def _opened(monkeypatch) -> list[str]:
    """The names of the files opened (`Path.open`: `read_bytes` too), in order."""
    seen: list[str] = []
    real_open = Path.open

    def open_(self, *args, **kwargs):
        seen.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    return seen


def test_a_file_is_read_once_and_its_digest_is_of_the_bytes_read(make_site, monkeypatch):
    site = _site(make_site)
    problems = Problems()
    loaded, files, stamps = ls._discovered(site.path, problems)
    memos = ContentCache(site.path, read=False)
    memos.stamps = stamps
    opened = _opened(monkeypatch)
    for path, section in files:
        ls.load_entry(path, section, loaded, problems, memos)
    monkeypatch.undo()
    assert sorted(opened) == ["a.yml", "b.md", "c.yml"]  # not twice: for the digest, then for the text
    for path, _section in files:
        assert memos.new[ls._rel(path, site.path)].digest == file_digest(path.read_bytes())
    assert [p.code for p in problems.items] == []  # (the privacy check runs in file_checks, not here)


def test_the_bytes_given_read_as_the_file(make_site):
    site = _site(make_site)
    for path in sorted((site.path / "content/notices").iterdir()):
        assert read_text(path, path.read_bytes()) == read_text(path)
        given, read = load_document(path, site.path, path.read_bytes()), load_document(path, site.path)
        assert given == read and given.rel == "content/notices/" + path.name


def test_bytes_given_too_large_are_refused_as_a_file_too_large(tmp_path, monkeypatch):
    path = tmp_path / "big.yml"
    path.write_bytes(b"title: x\n")
    monkeypatch.setattr(documents, "MAX_BYTES", 4)
    for raw in (None, path.read_bytes()):
        with pytest.raises(LoadProblem) as caught:
            read_text(path, raw)
        assert caught.value.code == "file-too-large"


def test_a_worker_takes_the_stamps_the_prefetch_took(make_site):
    """`_read_slice` (a forked worker of `prefetch`) stamps each memo with the stamp the
    main process took and will ask for, not with a stat of its own."""
    site = _site(make_site)
    problems = Problems()
    loaded, files, stamps = ls._discovered(site.path, problems)
    given = {rel: (stamp[0], stamp[1], stamp[2], stamp[3] + 1) for rel, stamp in stamps.items()}  # no stat gives these
    memos = ls._read_slice(loaded, files, stamps=given)
    assert {rel: memo.stamp for rel, memo in memos.items()} == given
    fresh = ls._read_slice(loaded, files)  # without: a stat each
    assert {rel: memo.stamp for rel, memo in fresh.items()} == stamps
    assert {rel: (m.record, m.check_problems) for rel, m in memos.items()} == {
        rel: (m.record, m.check_problems) for rel, m in fresh.items()
    }


# ------------------------------------------------------------------ front matter without splitting the body


def _split_by_lines(text: str):
    """`split_front_matter` as it was: every line of the file split, the body joined again."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "front-matter-missing"
    for index in range(1, len(lines)):
        if documents._FRONT_END.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return "front-matter-unclosed"


def _split(text: str):
    try:
        return documents.split_front_matter(text)
    except LoadProblem as exc:
        return exc.code


LINE_PIECES = ["---", "...", "--- ", "---\t", " ---", "----", "\n", "\n", "\n", "a: 1", "正文", " ", "\t", "\r",
               "--", "..", "x---", "---x", ".. .", "\x0c", "\u2028"]  # fmt: skip


@pytest.mark.parametrize("text", [
    "", "---", "---\n", "---\n---", "---\n---\n", "---\n...\nbody", "--- \na: 1\n---\t\n正文\n\n", "---\na: 1\n",
    "a: 1\n---\n", "---\n ---\n----\n---x\n...\nb", "---\r\n---\n", "---\n\n\n---\n\n",
])  # fmt: skip
def test_front_matter_split_as_line_by_line(text):
    assert _split(text) == _split_by_lines(text)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=12).map("".join))
def test_front_matter_split_as_line_by_line_on_generated_texts(text):
    assert _split(text) == _split_by_lines(text)


# ------------------------------------------------------------------ 20 working days, counted only when they can be late


class _Item:
    def __init__(self, written, published):
        self.written, self.published, self.revisions, self.withdrawn = written, published, [], None
        self.is_draft, self.review = False, None


class _Report:
    def __init__(self):
        self.found = []
        self.site = type("S", (), {"config": type("C", (), {"require_review": False})()})()

    def warning(self, entry, path, code, message, hint):
        self.found.append((code, message))

    error = warning


def _late(written, published) -> list:
    report = _Report()
    dates.check(type("E", (), {"model": _Item(written, published)})(), report)
    return report.found


def test_a_span_of_20_days_or_less_is_never_counted(monkeypatch):
    def counted(start, end):
        raise AssertionError("counted")

    start = dt.date(2024, 3, 1)
    monkeypatch.setattr(dates, "count_workdays", counted)
    for days in range(dates.PUBLISH_WITHIN_WORKDAYS + 1):
        assert _late(start, start + dt.timedelta(days=days)) == []
    with pytest.raises(AssertionError, match="counted"):
        _late(start, start + dt.timedelta(days=dates.PUBLISH_WITHIN_WORKDAYS + 1))


STARTS = [dt.date(2024, 3, 1), dt.date(2024, 9, 28), dt.date(2023, 12, 30), dt.date(1899, 12, 1)]


@pytest.mark.parametrize("start", STARTS)
def test_the_warning_is_as_counting_every_span(start):
    """Spans around the shortcut's edge (holidays, weekends, a year without a calendar):
    the same warnings as counting each span."""
    for days in range(0, 45):
        end = start + dt.timedelta(days=days)
        try:
            late = count_workdays(start, end) - 1
        except UnknownYear:
            late = 0
        expected = [("publish-late", late)] if late > dates.PUBLISH_WITHIN_WORKDAYS else []
        assert [(code, late) for code, _message in _late(start, end)] == expected
        assert all(f"晚 {late} 个工作日" in message for _code, message in _late(start, end))
