"""Bounds on field values (issue 11): links only to web, mail and phone; dates within a sane
range; numbers within their field's range (never a 5000-digit integer, never 1e30);
titles and names that show something. Each refused value is an error at its line, in
Chinese, naming the field and what is allowed."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.model.base import EARLIEST_DATE, MAX_AMOUNT, latest_date

from helpers import num, with_index

N1 = num(2024, 1)
HUGE = "9" * 5000


def _check(make_site, ctype: str, text: str):
    folder = {"procedure": "guides", "budget": "budgets", "appointment": "appointments", "fee": "fees"}[ctype]
    return make_site({f"content/{folder}/a.yml": with_index(text, N1)}).check()


def _line_of(text: str, fragment: str) -> int:
    return with_index(text, N1)[: with_index(text, N1).index(fragment)].count("\n") + 1


# ------------------------------------------------------------------ links


def _with_url(procedure: str, url: str) -> str:
    return procedure.replace("  phone: 0571-00000000\n", f"  phone: 0571-00000000\n  online_url: {url}\n")


@pytest.mark.parametrize(
    "url, scheme",
    [
        ("javascript:alert(1)", "javascript"),
        ("JaVaScRiPt:alert(1)", "JaVaScRiPt"),
        ('"java\\tscript:alert(1)"', "javascript"),
        ('" javascript:alert(1)"', "javascript"),
        ("data:text/html;base64,PHNjcmlwdD4=", "data"),
        ("vbscript:msgbox", "vbscript"),
        ("file:///etc/passwd", "file"),
    ],
)
def test_online_url_refuses_other_schemes(make_site, valid_items, url, scheme):
    text = _with_url(valid_items["procedure"], url)
    problem = _check(make_site, "procedure", text).one("unsafe-url")
    assert problem["line"] == _line_of(text, "online_url")
    assert f"“{scheme}:”" in problem["message"] and "网上办理" in problem["message"]
    assert "https://" in problem["hint"] and "mailto:" in problem["hint"]


@pytest.mark.parametrize(
    "url", ["https://zwfw.example.gov.cn/a?b=1", "http://x.cn", "mailto:gkb@example.gov.cn", "tel:1", "/a/", "a/"]
)
def test_online_url_accepts_web_mail_phone_and_site_relative(make_site, valid_items, url):
    text = _with_url(valid_items["procedure"], url)
    assert not _check(make_site, "procedure", text).errors()


# ------------------------------------------------------------------ text


@pytest.mark.parametrize("title", ['"\\u200b"', '"\\u200b\\u200c\\u2060"', '"\\ufeff \\u200d"'])
def test_title_of_zero_width_characters_only(make_site, valid_items, title):
    text = valid_items["fee"].replace("title: 不动产登记收费", f"title: {title}")
    problem = _check(make_site, "fee", text).one("invisible-text")
    assert problem["line"] == 2 and "标题" in problem["message"] and "零宽" in problem["message"]


def test_names_of_zero_width_characters_only(make_site, valid_items):
    text = valid_items["fee"].replace("  - name: 不动产登记费", '  - name: "\\u200b"')
    problem = _check(make_site, "fee", text).one("invisible-text")
    assert problem["line"] == 6 and "项目名称" in problem["message"]


def test_zero_width_joiner_inside_a_title_is_kept(make_site, valid_items):
    text = valid_items["fee"].replace("title: 不动产登记收费", 'title: "不动产\\u200d登记收费"')
    assert not _check(make_site, "fee", text).errors()


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize("date", ["9999-12-31", "1900-01-01", "1949-09-30", f"{latest_date().year + 1}-01-01"])
def test_published_date_outside_the_sane_range(make_site, valid_items, date):
    text = valid_items["fee"].replace("published: 2024-01-03", f"published: {date}")
    problem = _check(make_site, "fee", text).one("date-range")
    assert (problem["line"], problem["col"]) == (3, 12)
    assert date in problem["message"] and str(EARLIEST_DATE) in problem["message"]
    assert str(latest_date()) in problem["message"] and "索引号" in problem["hint"]


def test_dates_at_the_ends_of_the_range_are_accepted(make_site, valid_items):
    for date in (EARLIEST_DATE, dt.date(2024, 1, 3)):
        text = valid_items["fee"].replace("published: 2024-01-03", f"published: {date}")
        assert not _check(make_site, "fee", text).of("date-range")
    assert latest_date() >= dt.date.today() + dt.timedelta(days=365)


def test_every_date_field_is_bounded(make_site, valid_items):
    text = valid_items["appointment"].replace("start: 2024-06-03", "start: 9999-06-03")
    text += "revisions:\n  - {date: 0999-01-01, note: 改正}\n"
    result = _check(make_site, "appointment", text)
    lines = sorted(p["line"] for p in result.of("date-range"))
    assert lines == [_line_of(text, "notice:"), _line_of(text, "revisions:") + 1]


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    "old, new, label, allowed",
    [
        ("copies: 1", f"copies: {HUGE}", "份数", "0 至 99"),
        ("copies: 1", "copies: 100", "份数", "0 至 99"),
        ("days: 15}", f"days: {HUGE}}}", "时限", "0 至 1000"),
        ("legal_days: 20", "legal_days: 100000", "法定时限", "0 至 1000"),
        ("promised_days: 15", "promised_days: -1", "承诺时限", "0 至 1000"),
    ],
)
def test_procedure_numbers_are_bounded(make_site, valid_items, old, new, label, allowed):
    text = valid_items["procedure"].replace(old, new, 1)
    problem = _check(make_site, "procedure", text).one("out-of-range")
    assert problem["line"] == _line_of(text, new)
    assert label in problem["message"] and f"允许的范围是 {allowed}" in problem["hint"]
    assert len(problem["message"]) < 200  # a 5000-digit number is not repeated


def test_notice_working_days_are_bounded(make_site, valid_items):
    text = valid_items["appointment"].replace("working_days: 5", f"working_days: {HUGE}")
    problem = _check(make_site, "appointment", text).one("out-of-range")
    assert "工作日数" in problem["message"] and "1 至 60" in problem["hint"]


def test_fiscal_year_of_5000_digits(make_site, valid_items):
    text = valid_items["budget"].replace("fiscal_year: 2024", f"fiscal_year: {HUGE}")
    problem = _check(make_site, "budget", text).one("out-of-range")
    assert problem["line"] == 4 and "预算年度" in problem["message"] and "1949 至 2100" in problem["hint"]


@pytest.mark.parametrize("amount", ["1e30", "1.0e+30", "-1e16", f"{MAX_AMOUNT + 1}"])
def test_budget_amounts_are_bounded(make_site, valid_items, amount):
    text = valid_items["budget"].replace("reception: 3.2", f"reception: {amount}")
    problem = _check(make_site, "budget", text).one("out-of-range")
    assert problem["line"] == _line_of(text, "three_public")
    assert "公务接待费" in problem["message"] and f"{-MAX_AMOUNT} 至 {MAX_AMOUNT}" in problem["hint"]


@pytest.mark.parametrize(
    "amount, code",
    [(".nan", "invalid-value"), ("NaN", "out-of-range"), ("Infinity", "out-of-range"), ("1.1234567", "invalid-value")],
)
def test_fee_amounts_must_be_finite_with_few_places(make_site, valid_items, amount, code):
    text = valid_items["fee"].replace("amount: 80", f"amount: {amount}")
    problem = _check(make_site, "fee", text).one(code)
    assert problem["line"] == _line_of(text, "amount:") and "金额" in problem["message"]
