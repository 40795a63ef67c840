"""The privacy guard's screens (`privacy._screens`, `privacy.texts`): a text they pass
over is never scanned, so each must find something in every text the full scan reports
anything in — as written, as rendered, in a person field, in a file name. Checked on
generated texts mixing digits, separators, letters, CJK, markup, entities and @, on every
example of test_privacy.py, and on whole items: the checks report the same with the
screens as with every text scanned."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_privacy import CARD, EVASIONS, ID, ID15, ID_X, NOT_PERSONAL, OWN, RENDERED, md

from generator.checks import file_checks, make_pattern, privacy, prompts
from generator.checks.context import Context
from generator.checks.privacy import _leaves, _scan_markdown, _screens, find
from generator.load.site import load_site
from generator.problems import Problems

# Pieces of personal data and of what surrounds it; hypothesis joins them with noise.
PIECES = [
    ID, ID_X, ID15, CARD, "13812345678", "+86 139 1234 5678", "138-1234-5678", "4111 1111 1111 1111",
    ID[:6], ID[6:14], ID[14:], "1381234", "5678", "6222", "0212", "86",
    "1982-05-12", "1982.05.12", "1982/5/12", "1982 05 12", "1982  05  12", "19820512", "1982年5月12日",
    "1982 年 5 月 12 日", "1982-05", "2024年1月1日",
    "出生", "出生日期", "出生年月日", "出生于", "生于", "生日", "生", "学生", "日", "年", "月",
    "：", ":", "为", "是", " ", "  ", "\n", "\t", "-", ".", ",", "X", "x", "D",
    "zhangsan@qq.com", "a@example.gov.cn", "x@example.com", "张三@163.com", "@", "＠", "qq.com", ".cn",
    "&#64;", "&#49;", "&#x31;", "&nbsp;", "&amp;", "&", "\u00a0", "\u200b", "\u3000", "１", "３８", "ｑｑ",
    "**", "*", "_", "`", "<b>", "</b>", "<span>", "<!-- 注释 -->",
    "[", "]", "(", ")", "](", "~", "\\", ">", ";", "<br>",
    "（填写姓名）", "（在这里用 Markdown 写正文。）", "（",
]  # fmt: skip
ALPHABET = "0123456789 \n\t-.,/@Xx年月日出生于为是：:，。aZ张*_`<>;~[]()!&#\u00a0\u200b１＠"
TEXTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(ALPHABET, max_size=4)), max_size=12).map("".join)
# A date and what may mark it as a birth date, before and after it: the birth-date screen's edges.
KEYWORDS = st.sampled_from(["出生日期", "出生年月日", "生日", "生于", "出生于", "出生", "生", "学生", "日", ""])
SEPARATORS = st.text("：: \n\t为是，\u00a0", max_size=3)
DATES = st.sampled_from(
    ["1982-05-12", "1982.5.12", "1982/05/12", "1982 5 12", "19820512", "1982年5月12日", "1982 年 5 月 12 日"]
)
# A number, or a longer or shorter run of digits, right next to letters, separators, other digits.
NUMBERS = st.sampled_from(
    [ID, ID_X, ID15, CARD, "4111111111111111", "13812345678", "8613812345678", "11330100002482066"]
)
EDGES = st.sampled_from(
    ["", "A", "D", "X", "x", "X1", "Xa", "Z", "z", "1", "12", "-", " ", "/", ".", "\n", "张", "86", "0"]
)
NEXT_TO = st.tuples(EDGES, EDGES, NUMBERS, st.integers(-3, 2), EDGES, EDGES).map(
    lambda t: t[0] + t[1] + (t[2][: len(t[2]) + t[3]] if t[3] < 0 else t[2] + "7" * t[3]) + t[4] + t[5]
)
BIRTHS = st.tuples(st.text(ALPHABET, max_size=3), KEYWORDS, SEPARATORS, DATES, SEPARATORS, KEYWORDS).map("".join)


def assert_screened(text: str) -> None:
    """Whatever the full scan finds in `text`, the screen of its kind of field finds
    something in it too."""
    plain, markdown, person = _screens(prompts.STARTS)
    plain0, markdown0, person0 = _screens(())
    for screen in (plain, plain0):
        if not screen.search(text):
            assert list(find(text, OWN)) == [], text
            assert list(find(text, ())) == [], text
    for screen in (markdown, markdown0):
        if not screen.search(text):
            assert list(_scan_markdown(text, OWN)) == [], text
    for screen in (person, person0):
        if not screen.search(text):
            assert list(find(text, OWN, person=True)) == [], text
            assert list(find(text, OWN, person=True, resume=True)) == [], text
            assert list(_scan_markdown(text, OWN)) == [], text
    if prompts.PROMPT.search(text):
        assert plain.search(text) and markdown.search(text) and person.search(text), text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_a_text_the_screens_pass_over_holds_nothing(text):
    assert_screened(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_pieces_alone(text):
    assert_screened(text)


@settings(max_examples=1500, deadline=None)
@given(NEXT_TO)
def test_numbers_next_to_letters_and_digits(text):
    assert_screened(text)


@settings(max_examples=600, deadline=None)
@given(BIRTHS)
def test_dates_next_to_a_birth_keyword(text):
    assert_screened(text)


def test_every_example_of_the_privacy_tests():
    examples = [t for t, _ in EVASIONS] + NOT_PERSONAL + [b for b, _, _ in RENDERED]
    examples += [
        "张某某，1982年5月12日出生，", "出生日期：1982-05-12", "张某某，1982.05.12生，汉族",
        "出生：**1982-05-12**", "出生日期： 1982-05-12",
        "1982-05-12", "2003.08.01—2011.04 青山县司法局科员", "1982年5月12日出生", "1982-05", "2024-02-30",
        "联系 zhangsan@qq.com", "x@vip.qq.com、y@163.com、Z@Gmail.com", "zhang@例子.中国", "联系：张三@例子.公司",
        f"请汇至{CARD}。", "卡号 4111111111111111", f"证件号码：{ID_X}", "电话13812345678，", "(19912345678)",
        "11010519491231002X", "13812345678a", "8613812345678a", "A13812345678", "1381234567 8", "x4111111111111111",
        "content/notices/13812345678.md", f"content/notices/{ID}/a.md", "content/annual-reports/2021/0104-000013.md",
    ]  # fmt: skip
    for text in examples:
        assert_screened(text)
    # and the screens do pass the texts with personal data (else this test would prove nothing)
    found = [t for t in examples if list(find(t, OWN)) or list(_scan_markdown(t, OWN))]
    assert len(found) > 30
    assert all(_screens(())[0].search(t) or _screens(())[1].search(t) for t in found)


def test_what_the_screens_pass_over():
    plain, markdown, person = _screens(prompts.STARTS)
    passed_over = ("卫生健康支出", "研究生，法学硕士", "2024-01-01", "1977-07", "第1批（第2批）")
    passed_over += ("0571-8677", "0104-000013")
    passed_over += ("11330100002482066D/2020-00102", "861381234567a", "x11330100002482066D", "11330100002482066X1")
    for text in passed_over:
        assert not plain.search(text), text
    assert not person.search("1977-07") and person.search("1977-07-01")
    assert plain.search("（填写姓名）") and not markdown.search("**粗体**") and markdown.search("**2024**")


# ------------------------------------------------------------------ whole items

ITEMS = {
    "content/notices/a.md": md(f"电话 138<b>1234</b>5678。\n\n出生：**1982-05-12**，身份证 {ID}，学生。"),
    "content/notices/b.md": md("（在这里用 Markdown 写正文。）", "summary: 卫生（填写摘要）联系 zhang@qq.com\n"),
    "content/notices/c.md": md("无个人信息的正文，2024年1月1日起施行。", f"keywords: [学生, '{CARD}', 19820512]\n"),
    "content/notices/d.md": md("正文。", "summary: 张某某，1982年5月12日出生，手机１３８１２３４５６７８\n"),
}


def test_items_report_the_same_with_the_screens(make_site):
    site_dir = make_site(ITEMS).path
    problems = Problems()
    site = load_site(site_dir, problems, cache=False)
    screened, everything = Problems(), Problems()
    for entry in site.entries:
        entry.memo = None
        file_checks(entry, Context(site, screened, make_pattern(site, Problems())))
        ctx = Context(site, everything, make_pattern(site, Problems()))
        leaves = _leaves(entry.doc.data)  # every text, unscreened
        privacy.check(entry, ctx, leaves)
        prompts.check(entry, ctx, leaves)
    key = lambda p: (p.path, p.line, p.col, p.code, p.message, p.hint)  # noqa: E731
    got = sorted(map(key, (p for p in screened.items if p.code.startswith(("privacy", "template")))))
    assert got == sorted(map(key, everything.items))
    codes = {code for _, _, _, code, _, _ in got}
    assert {"privacy-id", "privacy-mobile", "privacy-bank-card", "privacy-email", "privacy-birthdate"} <= codes
    assert "template-prompt" in codes
