"""Fuzzing the loader with hypothesis: whatever bytes a content file holds, reading and
validating it ends in a `LoadProblem` or problems with positions — never an exception
escaping as a traceback.

Three generators: raw bytes; YAML-ish text assembled from the characters and tokens
that break parsers (colons, full-width colons, tabs, quotes, brackets, anchors, tags,
BOM, CR); and mutations of a valid item of every type.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.load.read import read_model
from generator.model.registry import TYPES

from helpers import VALID_ITEMS

TOKENS = [
    ":", "：", " ", "  ", "\t", "\n", "\r\n", "-", "- ", "#", "'", '"', "[", "]", "{", "}", ",",
    "&a", "*a", "!!python/object:os.system", "!tag", "---", "...", "|", ">", "\ufeff", "\x00", "\x07",
    "title", "标题", "published", "发布日期", "2024-02-30", "2024-05-06", "index_no", "索引号",
    "children", "amount", "1200.50", "0571", "yes", "~", "null", "你好", "\u2028",
]  # fmt: skip

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _read(tmp_path: Path, name: str, data: bytes) -> None:
    """Read one file as every type, through the loader's own `read_model` (what
    `gongkai check` runs per file): only our own problems, with positions, may come out."""
    path = tmp_path / name
    path.write_bytes(data)
    for ctype in TYPES.values():
        model, doc, problems = read_model(path, tmp_path, ctype)
        assert model is not None or problems
        for found in problems:
            line, col = found.pos
            assert found.code and found.message
            assert line >= (1 if doc is not None else 0) and col >= 0, found


@FUZZ
@given(data=st.binary(max_size=400), md=st.booleans())
def test_arbitrary_bytes(tmp_path, data, md):
    _read(tmp_path, "x.md" if md else "x.yml", data)


@FUZZ
@given(parts=st.lists(st.sampled_from(TOKENS), max_size=60), md=st.booleans())
def test_yaml_like_text(tmp_path, parts, md):
    text = "".join(parts)
    text = ("---\n" + text + "\n---\n正文") if md else text
    _read(tmp_path, "x.md" if md else "x.yml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(
    kind=st.sampled_from(sorted(VALID_ITEMS)),
    cut=st.integers(min_value=0, max_value=2000),
    insert=st.sampled_from(TOKENS),
    drop=st.integers(min_value=0, max_value=40),
)
def test_mutated_valid_items(tmp_path, kind, cut, insert, drop):
    text = VALID_ITEMS[kind]
    at = cut % (len(text) + 1)
    mutated = text[:at] + insert + text[at + drop :]
    suffix = ".md" if mutated.lstrip("\ufeff").startswith("---") else ".yml"
    _read(tmp_path, "x" + suffix, mutated.encode("utf-8"))
