"""The privacy guard's patterns written for speed (`privacy._CHAIN`, `_FULL_DATE`,
`_DIGIT_MARKUP`, `normalise`'s `_SPECIAL_FIRST`): each starts with a character (class)
the regex engine skips to, instead of a look-behind tried at every character. Each must
find exactly what the pattern it replaced found: the same matches, spans and groups
(`finditer`, `match`, `search`), on generated texts mixing digits, separators, dates,
markup, entities and the characters `normalise` rewrites."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_privacy_screen import BIRTHS, NEXT_TO, TEXTS

from generator.checks import privacy

# The patterns as they were written before (look-behind first, or an alternation of classes).
OLD_CHAIN = re.compile(
    r"(?<![0-9])(?=[0-9][0-9 \t\n.-]{10})"
    r"[0-9]+(?:(?:[ \t]{1,3}|[ \t]*\n[ \t]*|-|\.)[0-9]+)*(?:[Xx](?![0-9A-Za-z]))?"
)
OLD_FULL_DATE = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})(?:(?P<s>[-./]| {1,2})(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})"
    r"| ?年 ?(?P<m2>[0-9]{1,2}) ?月 ?(?P<d2>[0-9]{1,2}) ?日|(?P<m3>[01][0-9])(?P<d3>[0-3][0-9]))(?![0-9])"
)
OLD_DIGIT_MARKUP = re.compile(r"[0-9０-９][*_<&`\\~\[\]]|[*_>;`\\~\]][0-9０-９]")

DIGITS = st.text("0123456789 \n\t-.X/年月日*_<>&`\\~[];９", max_size=40)
SAMPLES = st.one_of(TEXTS, BIRTHS, NEXT_TO, DIGITS, st.tuples(TEXTS, NEXT_TO, BIRTHS).map("".join))
EXAMPLES = [
    "", "1", "12345678901", "a12345678901", "0571-89529764", "138 1234 5678", "1381234567８",
    "19820512", "x19820512", "119820512", "1982-05-12", "2024年1月1日", "1982 年 5 月 12 日",
    "3301021990030712**3**0", "`1`", "1]", "]1", "*1", "1*", "９*", ";1", "&#49;", "a&b", "&amp;",
    "\u00a0", "\u200b", "１２", "12345678901234567890123456789", "20" * 20, "19" * 20,
]  # fmt: skip


def _matches(pattern: re.Pattern, text: str) -> list:
    return [(m.span(), m.groupdict() or m.group()) for m in pattern.finditer(text)]


def assert_same(text: str) -> None:
    assert _matches(privacy._CHAIN, text) == _matches(OLD_CHAIN, text), text
    assert _matches(privacy._FULL_DATE, text) == _matches(OLD_FULL_DATE, text), text
    for start in range(min(len(text), 6)):  # `mask` matches at the start; a look-behind sees what is before
        new, old = privacy._FULL_DATE.match(text, start), OLD_FULL_DATE.match(text, start)
        assert (new and (new.span(), new.groupdict())) == (old and (old.span(), old.groupdict())), text
    assert bool(privacy._DIGIT_MARKUP.search(text)) == bool(OLD_DIGIT_MARKUP.search(text)), text
    assert _matches(privacy._DIGIT_MARKUP, text) == _matches(OLD_DIGIT_MARKUP, text), text
    # `normalise` leaves a text without a first character of `_SPECIAL` as it is
    assert bool(privacy._SPECIAL_FIRST.search(text)) >= bool(privacy._SPECIAL.search(text)), text


def test_examples():
    for text in EXAMPLES:
        assert_same(text)
        assert_same(f"张{text}三")


@settings(max_examples=3000, deadline=None)
@given(SAMPLES)
def test_generated(text):
    assert_same(text)


def test_a_text_without_special_characters_is_not_rewritten():
    assert privacy.normalise("联系电话：0571-89529764") == ("联系电话：0571-89529764", None)
    text, where = privacy.normalise("电话&#49;３\u200b8")
    assert text == "电话138" and where is not None
