"""Domain checks: for each, a passing case and a failing case with its line, column and code.

Line numbers are written out by hand from the file texts below, so a shifted position is
a failure. Every file starts with its index number so that only the problem under test
is reported.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import chinese_calendar
import pytest

from generator.model.capabilities import Window
from helpers import ORG, VALID_ITEMS, dedent, item_path, make_config, num, with_index

N1, N2, N3 = num(2024, 1), num(2024, 2), num(2024, 3)


def article(number: str = N1, published: str = "2024-02-01", extra: str = "") -> str:
    return f"index_no: {number}\ntitle: 通知\npublished: {published}\n{extra}"


# ------------------------------------------------------------------ every type is valid


@pytest.mark.parametrize("ctype", sorted(VALID_ITEMS))
def test_valid_item_of_every_type_passes(make_site, ctype):
    site = make_site({item_path(ctype): with_index(VALID_ITEMS[ctype], N1)})
    result = site.check()
    assert result.problems == []
    assert result.code == 0


# ------------------------------------------------------------------ index numbers


def test_index_format(make_site):
    site = make_site({"content/notices/a.yml": "title: 通知\npublished: 2024-02-01\nindex_no: 2024-01\n"}, register=False)
    result = site.check()
    problem = result.one("index-format")
    assert (problem["line"], problem["col"]) == (3, 11)
    assert problem["path"] == "content/notices/a.yml"
    assert "{org}/{year}-{seq:05d}" in problem["message"]
    assert f"{ORG}/2024-00012" in problem["hint"]  # an example of the right form
    assert result.code == 1


def test_index_number_in_site_pattern_passes(make_site):
    result = make_site({"content/notices/a.yml": article()}).check()
    assert result.problems == [] and result.code == 0


def test_index_org(make_site):
    other = "11441700007280420Y/2024-00001"
    site = make_site({"content/notices/a.yml": article(other)})
    result = site.check()
    assert result.at("index-org") == (1, 11)
    assert "11441700007280420Y" in result.one("index-org")["message"]
    assert result.codes() == {"index-org"}


def test_index_year(make_site):
    site = make_site({"content/notices/a.yml": article(num(2023, 5), published="2024-01-02")})
    result = site.check()
    assert result.at("index-year") == (1, 11)
    assert "2023" in result.one("index-year")["message"] and "2024-01-02" in result.one("index-year")["message"]


def test_index_yearmonth_and_category_code(make_site):
    config = make_config(pattern="{org}-{category_code}-{yearmonth}-{seq:04d}")
    files = {
        "content/notices/good.yml": article(f"{ORG}-01-202402-0001", published="2024-02-01"),
        "content/notices/month.yml": article(f"{ORG}-01-202403-0002", published="2024-02-01"),
        "content/notices/code.yml": article(f"{ORG}-02-202402-0003", published="2024-02-01"),
    }
    result = make_site(files, config=config).check()
    assert result.of("index-year", "content/notices/good.yml") == []
    assert result.of("index-category", "content/notices/good.yml") == []
    assert result.one("index-year", "content/notices/month.yml")["line"] == 1
    assert "202403" in result.one("index-year", "content/notices/month.yml")["message"]
    problem = result.one("index-category", "content/notices/code.yml")
    assert (problem["line"], problem["col"]) == (1, 11)
    assert "“02”" in problem["message"] and "“01”" in problem["message"]


def test_index_duplicate_names_both_files(make_site):
    files = {
        "content/notices/a.yml": article(N1),
        "content/notices/b.yml": "title: 复制来的通知\npublished: 2024-02-02\nindex_no: " + N1 + "\n",
    }
    site = make_site(files, register=False)
    site.register({N1: "content/notices/a.yml"})
    result = site.check()
    in_a = result.one("index-duplicate", "content/notices/a.yml")
    in_b = result.one("index-duplicate", "content/notices/b.yml")
    assert (in_a["line"], in_a["col"]) == (1, 11)
    assert (in_b["line"], in_b["col"]) == (3, 11)
    assert "content/notices/b.yml" in in_a["message"]
    assert "content/notices/a.yml" in in_b["message"]
    assert "删除 index_no" in in_b["hint"]
    assert result.code == 1


def test_index_missing_yml_and_md(make_site):
    files = {
        "content/notices/a.yml": "# 注释\ntitle: 通知\npublished: 2024-02-01\n",
        "content/notices/b.md": "---\ntitle: 通知\npublished: 2024-02-01\n---\n正文\n",
    }
    result = make_site(files).check()
    assert result.at("index-missing", "content/notices/a.yml") == (2, 1)
    assert result.at("index-missing", "content/notices/b.md") == (2, 1)
    assert "gongkai number" in result.one("index-missing", "content/notices/a.yml")["hint"]
    assert result.code == 1


def test_draft_needs_no_index_number(make_site):
    result = make_site({"content/notices/a.yml": "title: 草稿\npublished: 2024-02-01\n状态: 草稿\n"}).check()
    assert result.problems == [] and result.code == 0


def test_index_changed_against_registry(make_site):
    site = make_site({"content/notices/a.yml": article(N2)}, register=False)
    site.register({N1: "content/notices/a.yml"})
    result = site.check()
    problem = result.one("index-changed")
    assert (problem["line"], problem["col"]) == (1, 11)
    assert N1 in problem["message"] and N2 in problem["message"]
    assert f"index_no: {N1}" in problem["hint"]
    assert result.code == 1


def test_index_removed_against_registry(make_site):
    site = make_site({"content/notices/a.yml": "title: 通知\npublished: 2024-02-01\n"}, register=False)
    site.register({N1: "content/notices/a.yml"})
    result = site.check()
    problem = result.one("index-changed")
    assert problem["line"] == 1
    assert N1 in problem["message"] and "删除" in problem["message"]
    assert f"index_no: {N1}" in problem["hint"]


def test_index_registry_matches_passes(make_site):
    site = make_site({"content/notices/a.yml": article(N1)}, register=False)
    site.register({N1: "content/notices/a.yml", N2: "content/notices/deleted.yml"})  # a deleted file's line stays
    result = site.check()
    assert result.problems == [] and result.code == 0


def test_index_conflict_in_registry(make_site):
    files = {"content/notices/a.yml": article(N1), "content/notices/b.yml": article(N2)}
    site = make_site(files, register=False)
    site.write(
        "content/.registry",
        f"# header\n{N1}\tcontent/notices/a.yml\n{N2}\tcontent/notices/b.yml\n{N1}\tcontent/notices/c.yml\n",
    )
    result = site.check()
    problem = result.one("index-conflict")
    assert problem["path"] == "content/.registry"
    assert problem["line"] == 4  # the second line that gives N1 out
    assert "content/notices/a.yml" in problem["message"] and "content/notices/c.yml" in problem["message"]
    assert result.code == 1


def test_registry_with_merge_markers(make_site):
    site = make_site({"content/notices/a.yml": article(N1)}, register=False)
    site.write("content/.registry", f"{N1}\tcontent/notices/a.yml\n<<<<<<< HEAD\n{N2}\tx\n=======\n")
    result = site.check()
    problem = result.one("registry-invalid")
    assert (problem["path"], problem["line"]) == ("content/.registry", 2)


def test_registry_not_utf8(make_site):
    site = make_site({"content/notices/a.yml": article(N1)}, register=False)
    site.write("content/.registry", f"{N1}\tcontent/notices/a.yml\n".encode() + "登记\n".encode("gbk"))
    result = site.check()
    assert result.at("registry-invalid") == (2, 1)


def test_index_unregistered_is_a_warning(make_site):
    site = make_site({"content/notices/a.yml": article(N1)}, register=False)
    result = site.check()
    problem = result.one("index-unregistered")
    assert problem["level"] == "warning"
    assert (problem["line"], problem["col"]) == (1, 11)
    assert result.code == 0
    assert site.check("--strict").code == 1


# ------------------------------------------------------------------ organization.code


@pytest.mark.parametrize("code", ["11330100002482066D", "11441700007280420Y", "000014349", "014416330"])
def test_org_code_valid(make_site, code):
    result = make_site({}, config=make_config(code=code)).check()
    assert result.problems == [] and result.code == 0


@pytest.mark.parametrize(
    "code, words",
    [
        ("11330100002482066E", "校验位应为“D”"),
        ("11330100002482O66D", "“O”"),
        ("1I330100002482066D", "“I”"),
        ("11330100002482066Z", "“Z”"),
        ("113301000024S2066D", "“S”"),
        ("11330100V02482066D", "“V”"),
        ("1133010000248206", "长度为 16"),
        ("000014348", "校验位应为“9”"),
        ("00001434", "长度为 8"),
    ],
)
def test_org_code_invalid(make_site, code, words):
    result = make_site({}, config=make_config(code=code)).check()
    problem = result.one("org-code")
    assert problem["path"] == "site_config.yml"
    assert (problem["line"], problem["col"]) == (6, 9)
    assert words in problem["message"]
    assert result.code == 2  # the configuration is unusable


# ------------------------------------------------------------------ dates


def test_invalid_date(make_site):
    result = make_site({"content/notices/a.yml": article(published="2024-02-30")}).check()
    problem = result.one("invalid-date")
    assert (problem["line"], problem["col"]) == (3, 12)
    assert "2024-02-30" in problem["message"] and "发布日期" in problem["message"]
    assert "YYYY-MM-DD" in problem["hint"]


def test_invalid_date_chinese_key(make_site):
    text = f"索引号: {N1}\n标题: 通知\n发布日期: 2024-02-01\n成文日期: 2024-13-01\n"
    result = make_site({"content/notices/a.yml": text}).check()
    assert result.at("invalid-date") == (4, 7)


def test_leap_day_is_a_date(make_site):
    result = make_site({"content/notices/a.yml": article(published="2024-02-29")}).check()
    assert result.problems == []


def test_date_order(make_site):
    result = make_site({"content/notices/a.yml": article(extra="written: 2024-02-05\n")}).check()
    problem = result.one("date-order")
    assert (problem["line"], problem["col"]) == (4, 10)
    assert "2024-02-05" in problem["message"] and "2024-02-01" in problem["message"]
    ok = make_site({"content/notices/a.yml": article(extra="written: 2024-02-01\n")}).check()
    assert ok.problems == []


def test_revision_date(make_site):
    extra = dedent(
        """
        revisions:
          - {date: 2024-03-01, note: 更正附件}
          - date: 2024-01-15
            note: 早于发布
        """
    )
    result = make_site({"content/notices/a.yml": article(extra=extra)}).check()
    problem = result.one("revision-date")
    assert (problem["line"], problem["col"]) == (6, 11)
    assert "2024-01-15" in problem["message"]


def test_withdrawn_date(make_site):
    bad = article(extra="withdrawn: {date: 2024-01-31, reason: 内容有误}\n")
    problem = make_site({"content/notices/a.yml": bad}).check().one("withdrawn-date")
    assert (problem["line"], problem["col"]) == (4, 19)
    good = article(extra="withdrawn: {date: 2024-02-01, reason: 内容有误}\n")
    assert make_site({"content/notices/a.yml": good}).check().problems == []


def test_publish_late_warning_after_20_working_days(make_site):
    # March 2024 has no holiday: 2024-03-29 is the 21st working day from 2024-03-01 (both
    # included), i.e. 20 working days late; 2024-04-01 is 21 working days late.
    assert len(chinese_calendar.get_workdays(dt.date(2024, 3, 1), dt.date(2024, 3, 29))) == 21
    assert len(chinese_calendar.get_workdays(dt.date(2024, 3, 1), dt.date(2024, 4, 1))) == 22
    in_time = article(published="2024-03-29", extra="written: 2024-03-01\n")
    assert make_site({"content/notices/a.yml": in_time}).check().problems == []
    late = article(published="2024-04-01", extra="written: 2024-03-01\n")
    result = make_site({"content/notices/a.yml": late}).check()
    problem = result.one("publish-late")
    assert problem["level"] == "warning"
    assert (problem["line"], problem["col"]) == (3, 12)
    assert "21 个工作日" in problem["message"]
    assert result.code == 0


# ------------------------------------------------------------------ budgets

BUDGET = dedent(
    """
    index_no: {n}
    title: 2024年部门预算
    published: 2024-02-01
    fiscal_year: 2024
    stage: 预算
    tables:
      - name: 收支总表
        income:
          - {{item: 财政拨款收入, amount: {income}}}
        expenditure:
          - {{item: 一般公共服务支出, amount: 1200.50}}
      - name: 一般公共预算支出表
        rows:
          - code: "201"
            item: 一般公共服务支出
            amount: {class_}
            children:
              - code: "20103"
                item: 政府办公厅（室）及相关机构事务
                amount: 800.00
                children:
                  - {{code: "2010301", item: 行政运行, amount: 700.00}}
                  - {{code: "2010302", item: 一般行政管理事务, amount: {leaf}}}
    three_public:
      overseas: 0
      vehicle_purchase: 0
      vehicle_operation: 12.5
      reception: 3.2
      total: {total}
    """
)


def budget(income="1200.50", class_="800.00", leaf="100.00", total="15.7") -> str:
    return BUDGET.format(n=N1, income=income, class_=class_, leaf=leaf, total=total)


def test_budget_consistent_passes(make_site):
    result = make_site({"content/budgets/2024.yml": budget()}).check()
    assert result.problems == [] and result.code == 0


def test_budget_within_tolerance_passes(make_site):
    # 700.00 + 99.99 = 799.99 against 800.00: off by exactly 0.01
    result = make_site({"content/budgets/2024.yml": budget(leaf="99.99", income="1200.51", total="15.71")}).check()
    assert result.problems == []


def test_budget_sum_at_the_nested_level(make_site):
    result = make_site({"content/budgets/2024.yml": budget(leaf="99.98")}).check()
    problem = result.one("budget-sum")
    assert (problem["line"], problem["col"]) == (20, 21)
    message = problem["message"]
    assert "一般公共预算支出表" in message and "20103" in message
    assert "800.00" in message and "799.98" in message and "万元" in message


def test_budget_sum_at_the_top_level(make_site):
    result = make_site({"content/budgets/2024.yml": budget(class_="810.00")}).check()
    problem = result.one("budget-sum")
    assert (problem["line"], problem["col"]) == (16, 17)
    assert "201 一般公共服务支出" in problem["message"] and "810.00" in problem["message"]


def test_budget_balance(make_site):
    result = make_site({"content/budgets/2024.yml": budget(income="1200.00")}).check()
    problem = result.one("budget-balance")
    assert (problem["line"], problem["col"]) == (11, 7)
    assert "收支总表" in problem["message"]
    assert "1200.00" in problem["message"] and "1200.50" in problem["message"]


def test_budget_three_public(make_site):
    result = make_site({"content/budgets/2024.yml": budget(total="15.8")}).check()
    problem = result.one("budget-three-public")
    assert (problem["line"], problem["col"]) == (29, 10)
    assert "15.8" in problem["message"] and "15.7" in problem["message"]


def test_budget_amount_not_a_number(make_site):
    result = make_site({"content/budgets/2024.yml": budget(leaf="100元")}).check()
    problem = result.one("invalid-value")
    assert (problem["line"], problem["col"]) == (23, 59)
    assert "“100元”" in problem["message"] and "金额" in problem["message"]


def test_budget_amounts_are_exact_decimals(make_site):
    site = make_site({"content/budgets/2024.yml": budget()})
    loaded, problems = site.load()
    (entry,) = loaded.entries
    assert entry.tables[0].income[0].amount == Decimal("1200.50")
    assert str(entry.tables[0].income[0].amount) == "1200.50"
    assert entry.stage.value == "budget" and entry.stage.label == "预算"


# ------------------------------------------------------------------ appointments

APPOINTMENT = dedent(
    """
    index_no: {n}
    title: 干部任前公示
    published: 2024-09-27
    notice:
      start: {start}
      {days}
    persons:
      - name: 张某某
        birth: {birth}
        proposed_post: 青山县某某局局长
    """
)


def appointment(start="2024-09-27", days="working_days: 5", birth="1982-05") -> str:
    return APPOINTMENT.format(n=N1, start=start, days=days, birth=birth)


def test_holiday_facts_used_below():
    # 国庆 2024: 10-01..10-07 off; Sunday 09-29 and Saturday 10-12 are make-up working days.
    assert chinese_calendar.is_workday(dt.date(2024, 9, 29))
    assert not chinese_calendar.is_workday(dt.date(2024, 10, 7))
    workdays = chinese_calendar.get_workdays(dt.date(2024, 9, 27), dt.date(2024, 10, 10))
    assert workdays[:5] == [dt.date(2024, 9, 27), dt.date(2024, 9, 29), dt.date(2024, 9, 30), dt.date(2024, 10, 8), dt.date(2024, 10, 9)]


def test_notice_end_computed_over_national_day(make_site):
    site = make_site({"content/appointments/a.yml": appointment()})
    assert site.check().problems == []
    loaded, _ = site.load()
    (entry,) = loaded.entries
    assert entry.ctype.window(entry.model).end == dt.date(2024, 10, 9)
    assert entry.model.notice.end is None  # derived into the window: the checks leave the model as written


def test_notice_make_up_sunday_counts(make_site):
    site = make_site({"content/appointments/a.yml": appointment(start="2024-09-29")})
    loaded, problems = site.load()
    assert list(problems) == []
    # 09-29 (make-up Sunday), 09-30, 10-08, 10-09, 10-10
    entry = loaded.entries[0]
    assert entry.ctype.window(entry.model) == Window(dt.date(2024, 9, 29), dt.date(2024, 10, 10), 5)


def test_notice_end_over_holiday_passes(make_site):
    # 09-27 → 10-09 holds five working days only because Sunday 09-29 is a working day
    result = make_site({"content/appointments/a.yml": appointment(days="end: 2024-10-09")}).check()
    assert result.problems == []


def test_notice_too_short_by_end_date(make_site):
    result = make_site({"content/appointments/a.yml": appointment(days="end: 2024-10-08")}).check()
    problem = result.one("notice-too-short")
    assert (problem["line"], problem["col"]) == (6, 8)
    assert "4 个工作日" in problem["message"]
    assert "2024-10-09" in problem["hint"]


def test_notice_too_short_by_working_days(make_site):
    result = make_site({"content/appointments/a.yml": appointment(days="working_days: 4")}).check()
    assert result.at("notice-too-short") == (6, 17)


def test_notice_order(make_site):
    result = make_site({"content/appointments/a.yml": appointment(days="end: 2024-09-20")}).check()
    problem = result.one("notice-order")
    assert (problem["line"], problem["col"]) == (6, 8)
    assert "2024-09-20" in problem["message"] and "2024-09-27" in problem["message"]


def test_notice_days_disagree_with_end(make_site):
    text = appointment(days="end: 2024-10-09\n  working_days: 6")
    result = make_site({"content/appointments/a.yml": text}).check()
    assert result.at("notice-days") == (7, 17)


def test_calendar_unknown_year(make_site):
    from generator.model.base import latest_date
    from generator.workdays import known_years

    year = known_years()[1] + 1  # the first year the calendar does not know, within the dates allowed
    if year > latest_date().year:
        pytest.skip(f"chinese-calendar knows every year up to {latest_date().year}")
    result = make_site({"content/appointments/a.yml": appointment(start=f"{year}-06-02")}).check()
    problem = result.one("calendar-unknown-year")
    assert (problem["line"], problem["col"]) == (5, 10)
    assert str(year) in problem["message"]
    assert "chinese-calendar" in problem["hint"]


def test_month_format_for_birth(make_site):
    result = make_site({"content/appointments/a.yml": appointment(birth="1982-05-12")}).check()
    problem = result.one("month-format")
    assert (problem["line"], problem["col"]) == (9, 12)
    assert "出生年月" in problem["message"] and "YYYY-MM" in problem["message"]


# ------------------------------------------------------------------ procedures

PROCEDURE = dedent(
    """
    index_no: {n}
    title: 政府信息公开申请
    published: 2024-03-01
    service:
      kind: 依申请公开
      legal_basis: [《中华人民共和国政府信息公开条例》]
      conditions: [公民、法人或者其他组织]
      materials:
        - name: 申请表
          copies: 1
          form: attachments/forms/apply.pdf
      steps:
        - {{name: 受理, days: 1}}
        - {{name: 审查, days: {review}}}
        - {{name: 答复, days: 5}}
      legal_days: 20
      promised_days: {promised}
      fee: {fee}
      location: 县政务服务中心
      hours: 工作日 9:00-17:00
      phone: 0571-00000000
    """
)


def procedure(review="10", promised="15", fee="不收费") -> str:
    return PROCEDURE.format(n=N1, review=review, promised=promised, fee=fee)


FORM = {"content/attachments/forms/apply.pdf": b"%PDF-1.4\n"}
FEE_ITEM = with_index(VALID_ITEMS["fee"], N2)


def test_procedure_passes(make_site):
    result = make_site({"content/guides/a.yml": procedure(), **FORM}).check()
    assert result.problems == [] and result.code == 0


def test_procedure_days(make_site):
    result = make_site({"content/guides/a.yml": procedure(promised="25"), **FORM}).check()
    problem = result.one("procedure-days")
    assert (problem["line"], problem["col"]) == (17, 18)
    assert "25" in problem["message"] and "20" in problem["message"]


def test_procedure_steps_warning(make_site):
    result = make_site({"content/guides/a.yml": procedure(review="20"), **FORM}).check()
    problem = result.one("procedure-steps")
    assert problem["level"] == "warning"
    assert (problem["line"], problem["col"]) == (13, 5)
    assert "26" in problem["message"]
    assert result.code == 0


def test_procedure_fee_number_that_does_not_exist(make_site):
    result = make_site({"content/guides/a.yml": procedure(fee=num(2024, 99)), **FORM}).check()
    problem = result.one("procedure-fee")
    assert (problem["line"], problem["col"]) == (18, 8)
    assert num(2024, 99) in problem["message"]


def test_procedure_fee_number_of_a_non_fee_item(make_site):
    files = {"content/guides/a.yml": procedure(fee=N2), "content/notices/n.yml": article(N2), **FORM}
    problem = make_site(files).check().one("procedure-fee")
    assert (problem["line"], problem["col"]) == (18, 8)
    assert "不是收费条目" in problem["message"] and "通知" in problem["message"]


def test_procedure_fee_number_resolves(make_site):
    files = {"content/guides/a.yml": procedure(fee=N2), "content/fees/f.yml": FEE_ITEM, **FORM}
    site = make_site(files)
    assert site.check().problems == []
    loaded, _ = site.load()
    guide = next(e for e in loaded.entries if e.type == "procedure")
    assert guide.links["fee_item"].rel == "content/fees/f.yml"


def test_procedure_form_attachment_missing(make_site):
    result = make_site({"content/guides/a.yml": procedure()}).check()
    problem = result.one("attachment-missing")
    assert (problem["line"], problem["col"]) == (11, 13)
    assert "attachments/forms/apply.pdf" in problem["message"]


# ------------------------------------------------------------------ attachments


def with_attachment(ref: str) -> str:
    return article(extra=f"attachments:\n  - file: {ref}\n    title: 申请表\n")


def test_attachment_present_passes(make_site):
    site = make_site({"content/notices/a.yml": with_attachment("attachments/2024/apply.pdf"), "content/attachments/2024/apply.pdf": b"%PDF"})
    assert site.check().problems == []
    loaded, _ = site.load()
    assert loaded.entries[0].files["attachments/2024/apply.pdf"] == (site.path / "content/attachments/2024/apply.pdf").resolve()


def test_attachment_missing_suggests_close_name(make_site):
    site = make_site({"content/notices/a.yml": with_attachment("attachments/2024/aply.pdf"), "content/attachments/2024/apply.pdf": b"%PDF"})
    problem = site.check().one("attachment-missing")
    assert (problem["line"], problem["col"]) == (5, 11)
    assert "attachments/2024/apply.pdf" in problem["hint"]


@pytest.mark.parametrize(
    "ref, words",
    [
        ("../site_config.yml", "“..”"),
        ("attachments/../../site_config.yml", "“..”"),
        ("/etc/passwd", "绝对路径"),
        ("C:/Windows/win.ini", "绝对路径"),
        ("docs/apply.pdf", "不在 attachments/ 下"),
        ("evil.pdf", "不在 attachments/ 下"),
    ],
)
def test_attachment_path_outside(make_site, ref, words):
    site = make_site({"content/notices/a.yml": with_attachment(ref), "content/docs/apply.pdf": b"%PDF"})
    problem = site.check().one("attachment-path")
    assert (problem["line"], problem["col"]) == (5, 11)
    assert words in problem["message"]


def test_attachment_symlink_pointing_outside(make_site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    site = make_site({"content/notices/a.yml": with_attachment("attachments/evil.pdf")})
    (site.path / "content/attachments").mkdir()
    os.symlink(secret, site.path / "content/attachments/evil.pdf")
    problem = site.check().one("attachment-path")
    assert (problem["line"], problem["col"]) == (5, 11)
    assert "之外" in problem["message"]


def test_attachment_symlink_inside_passes(make_site):
    site = make_site({"content/notices/a.yml": with_attachment("attachments/link.pdf"), "content/attachments/real.pdf": b"%PDF"})
    os.symlink(site.path / "content/attachments/real.pdf", site.path / "content/attachments/link.pdf")
    assert site.check().problems == []


def test_attachment_url(make_site):
    result = make_site({"content/notices/a.yml": with_attachment("https://example.com/a.pdf")}).check()
    assert result.at("attachment-url") == (5, 11)


# ------------------------------------------------------------------ folders


def test_unknown_folder_did_you_mean(make_site):
    site = make_site({"content/notice/a.yml": article(), "content/notices/b.yml": article(N2)})
    result = site.check()
    problem = result.one("unknown-folder")
    assert problem["path"] == "content/notice"
    assert problem["line"] == 0
    assert "是不是“notices”" in problem["hint"]
    assert result.code == 1


def test_unknown_folder_without_close_match_lists_categories(make_site):
    problem = make_site({"content/xyz/a.yml": article()}).check().one("unknown-folder")
    assert "notices" in problem["hint"] and "guides" in problem["hint"]


def test_pages_and_attachments_folders_are_not_categories(make_site):
    site = make_site({"content/pages/guide.md": "---\ntitle: 信息公开指南\n---\n# 指南\n", "content/attachments/a.pdf": b"%PDF", "content/notices/a.yml": article()})
    assert site.check().problems == []


def test_stray_file_warning_and_misplaced_file(make_site):
    files = {"content/notices/a.yml": article(), "content/notices/photo.jpg": b"\xff\xd8", "content/b.yml": article(N2)}
    result = make_site(files).check()
    assert result.one("stray-file")["level"] == "warning"
    assert result.one("misplaced-file")["path"] == "content/b.yml"


def test_subfolder_of_a_nested_category(make_site):
    categories = dedent(
        """
        categories:
          - key: finance
            title: 财政预决算
            type: budget
            children:
              - key: budgets
                title: 部门预算
                type: budget
        """
    )
    site = make_site({"content/finance/budgets/2024/a.yml": budget()}, config=make_config(categories=categories))
    assert site.check().problems == []
    loaded, _ = site.load()
    assert loaded.entries[0].category.key == "budgets"
    assert loaded.entries[0].url == "budgets/2024/a/"  # the section's own key, then the folders below it


def test_symlink_loop_in_a_category_folder(make_site):
    site = make_site({"content/notices/a.yml": article()})
    os.symlink("..", site.path / "content/notices/loop")
    result = site.check()
    problem = result.one("symlink-loop")
    assert problem["path"] == "content/notices/loop" and problem["level"] == "warning"
    assert result.codes() == {"symlink-loop"}  # a.yml is read once, not once per level of the loop
    assert result.code == 0
