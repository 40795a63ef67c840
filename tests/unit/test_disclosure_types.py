"""征求意见, 政府采购, 留言答复 (issue 17): each check with a passing case and its broken
cases at their lines; the working days of a reply; the statistics, computed here by hand.

Line numbers are written out from the file texts below."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from generator.workdays import workdays_taken

from helpers import num

N1, N2, N3 = num(2024, 1), num(2024, 2), num(2024, 3)


def consultation(period="{start: 2024-10-08, end: 2024-11-07}", report="") -> str:
    return (
        f"---\nindex_no: {N1}\ntitle: 征求意见\npublished: 2024-10-08\n"  # lines 2-4
        f"period: {period}\n"  # line 5
        "channels: {email: yj@example.gov.cn}\n"  # line 6
        f"{report}---\n\n起草说明。\n"
    )


REPORT = (
    "feedback_report:\n"  # line 7
    "  date: {date}\n"  # line 8
    "  received: {received}\n"  # line 9
    "  adopted: 9\n"  # line 10
    "  partly_adopted: 4\n"  # line 11
    "  not_adopted: 10\n"  # line 12
)


def report(date="2024-11-20", received=23) -> str:
    return REPORT.format(date=date, received=received)


def test_consultation_valid_with_report(make_site):
    result = make_site({"content/consultations/a.md": consultation(report=report())}).check()
    assert result.problems == [] and result.code == 0


def test_consultation_end_before_start(make_site):
    result = make_site({"content/consultations/a.md": consultation("{start: 2024-10-08, end: 2024-10-01}")}).check()
    problem = result.one("consultation-order")
    assert problem["line"] == 5 and problem["level"] == "error"
    assert "2024-10-01" in problem["message"] and "早于" in problem["message"]


def test_consultation_under_30_days_is_a_warning(make_site):
    result = make_site({"content/consultations/a.md": consultation("{start: 2024-10-08, end: 2024-11-05}")}).check()
    problem = result.one("consultation-short")
    assert problem["line"] == 5 and problem["level"] == "warning"
    assert "29 日" in problem["message"] and "2024-11-06" in problem["hint"]
    assert result.code == 0
    # 30 days, both ends included: no warning
    ok = make_site({"content/consultations/a.md": consultation("{start: 2024-10-08, end: 2024-11-06}")}).check()
    assert ok.problems == []


def test_consultation_counts_must_add_up_naming_the_lines(make_site):
    result = make_site({"content/consultations/a.md": consultation(report=report(received=25))}).check()
    problem = result.one("consultation-counts")
    assert (problem["line"], problem["level"]) == (9, "error")
    assert "25" in problem["message"] and "= 23" in problem["message"]
    for line in (9, 10, 11, 12):
        assert f"第 {line} 行" in problem["message"]


def test_consultation_report_before_or_on_the_end_is_an_error(make_site):
    for date in ("2024-11-01", "2024-11-07"):
        result = make_site({"content/consultations/a.md": consultation(report=report(date=date))}).check()
        problem = result.one("consultation-report-early")
        assert (problem["line"], problem["level"]) == (8, "error")
        assert date in problem["message"]


AWARD = "{supplier: 某公司, amount: 98.50, date: 2024-05-20}"


def procurement(method="公开招标", stage="result", budget="120.00", result=AWARD, extra="") -> str:
    text = (
        f"index_no: {N1}\ntitle: 采购结果\npublished: 2024-05-24\n"  # lines 1-3
        "project:\n"  # line 4
        "  name: 物业管理服务\n"  # line 5
        f"  method: {method}\n"  # line 6
        "  category: 服务\n"  # line 7
        f"  budget: {budget}\n"  # line 8
        f"  stage: {stage}\n"  # line 9
        f"{extra}"
    )
    return text + (f"result: {result}\n" if result else "")


def test_procurement_valid(make_site):
    result = make_site({"content/procurement/a.yml": procurement()}).check()
    assert result.problems == []


def test_procurement_amount_above_budget_at_the_amount(make_site):
    text = procurement(result=None) + "result:\n  supplier: 某公司\n  amount: 120.01\n  date: 2024-05-20\n"
    result = make_site({"content/procurement/a.yml": text}).check()
    problem = result.one("procurement-over-budget")
    assert problem["line"] == 12 and "120.01" in problem["message"] and "120.00" in problem["message"]


def test_procurement_single_source_needs_a_reason(make_site):
    result = make_site({"content/procurement/a.yml": procurement(method="单一来源")}).check()
    assert result.at("procurement-single-source")[0] == 6
    fixed = procurement(method="single_source", extra="  single_source_reason: 原供应商掌握核心技术\n")
    assert make_site({"content/procurement/a.yml": fixed}).check().problems == []


def test_procurement_result_required_for_result_and_contract(make_site):
    for stage in ("result", "合同公告"):
        result = make_site({"content/procurement/a.yml": procurement(stage=stage, result=None)}).check()
        assert result.at("procurement-result-missing")[0] == 9
    assert make_site({"content/procurement/a.yml": procurement(stage="采购公告", result=None)}).check().problems == []


def test_procurement_award_date_after_publication(make_site):
    text = procurement(result="{supplier: 某公司, amount: 98.50, date: 2024-06-01}")
    result = make_site({"content/procurement/a.yml": text}).check()
    assert result.at("procurement-dates")[0] == 10


def test_procurement_unknown_method_is_refused_in_chinese(make_site):
    result = make_site({"content/procurement/a.yml": procurement(method="拍卖")}).check()
    assert result.code == 1 and any(p["line"] == 6 and "公开招标" in p["message"] + p["hint"] for p in result.errors())


def letter(received="2024-05-06", replied="2024-05-10", published="2024-05-13") -> str:
    return (
        f"index_no: {N1}\ntitle: 留言答复\npublished: {published}\n"  # lines 1-3
        "letter:\n"  # line 4
        f"  received: {received}\n"  # line 5
        "  channel: 12345热线\n"  # line 6
        "  question: 请问怎样预约？\n"  # line 7
        "reply:\n"  # line 8
        f"  date: {replied}\n"  # line 9
        "  unit: 县卫生健康局\n"  # line 10
        "  text: 可以电话预约。\n"  # line 11
    )


def test_letter_working_days_start_the_day_after_receipt_and_skip_holidays():
    # Friday 2024-09-27 → Wednesday 2024-10-09: 9-28 (Sat, off), 9-29 (Sun, make-up day: on),
    # 9-30, 10-1…10-7 (National Day: off), 10-8, 10-9 → 4 working days
    assert workdays_taken(dt.date(2024, 9, 27), dt.date(2024, 10, 9)) == 4
    assert workdays_taken(dt.date(2024, 5, 6), dt.date(2024, 5, 6)) == 0  # answered the same day
    assert workdays_taken(dt.date(2024, 5, 6), dt.date(2024, 5, 7)) == 1
    assert workdays_taken(dt.date(2024, 5, 7), dt.date(2024, 5, 6)) is None


def test_letter_valid(make_site):
    assert make_site({"content/letters/a.yml": letter()}).check().problems == []


def test_letter_reply_before_receipt(make_site):
    result = make_site({"content/letters/a.yml": letter(replied="2024-05-05")}).check()
    problem = result.one("letter-order")
    assert problem["line"] == 9 and "2024-05-05" in problem["message"]


def test_letter_late_reply_warns_with_the_site_limit(make_site):
    # 2024-09-27 → 2024-10-11: 9-29, 9-30, 10-8, 10-9, 10-10, 10-11 = 6 working days > 5
    text = letter(received="2024-09-27", replied="2024-10-11", published="2024-10-12")
    result = make_site({"content/letters/a.yml": text}).check()
    problem = result.one("letter-late")
    assert (problem["line"], problem["level"]) == (9, "warning") and "6 个工作日" in problem["message"]
    # letters.reply_days in site_config moves the limit
    from helpers import make_config

    site = make_site({"content/letters/a.yml": text}, config=make_config() + "letters:\n  reply_days: 6\n")
    assert site.check().problems == []


def test_letter_reply_days_must_be_a_number_of_days(make_site):
    from helpers import make_config

    config = make_config() + "letters:\n  答复时限: 0\n"
    site = make_site({"content/letters/a.yml": letter()}, config=config)
    problem = site.check().one("out-of-range")
    line = config.splitlines().index("  答复时限: 0") + 1  # the last line of the config
    assert (problem["path"], problem["line"]) == ("site_config.yml", line) and "答复时限" in problem["message"]


def test_letter_question_and_reply_are_scanned_like_bodies(make_site):
    text = letter().replace("请问怎样预约？", "请回电 13812345678")
    text = text.replace("可以电话预约。", "\"联系 **138 1234 5679**\"")
    result = make_site({"content/letters/a.yml": text}).check()
    lines = sorted(p["line"] for p in result.of("privacy-mobile"))
    assert lines == [7, 11]


def test_statistics_against_hand_computed_numbers(make_site):
    """Procurement: per year totals, savings (budget − award) / budget; letters: average,
    median, share within the limit — all computed by hand here."""
    from generator.model import letter as letter_model
    from generator.model import procurement as proc

    files = {
        "content/procurement/a.yml": procurement(budget="100", result="{supplier: 甲, amount: 80, date: 2024-05-20}"),
        "content/procurement/b.yml": procurement(
            method="询价", budget="50", result="{supplier: 乙, amount: 45.5, date: 2024-05-21}"
        ).replace(N1, N2),
        "content/procurement/c.yml": procurement(stage="采购公告", result=None).replace(N1, N3),
        "content/letters/a.yml": letter().replace(N1, num(2024, 4)),  # 4 days
        "content/letters/b.yml": letter("2024-09-27", "2024-10-11", "2024-10-12").replace(N1, num(2024, 5)),  # 6
        "content/letters/c.yml": letter("2024-05-06", "2024-05-07").replace(N1, num(2024, 6)),  # 1
    }
    site, _ = make_site(files).load()
    by = {}
    for e in site.entries:
        by.setdefault(e.category.key, []).append(e)
    (year,) = proc.category_stats(by["procurement"], site)
    assert year["year"] == 2024
    total = year["total"]
    assert (total["count"], total["budget"], total["award"]) == (2, Decimal(150), Decimal("125.5"))
    assert year["total"]["rate"] == (Decimal(150) - Decimal("125.5")) / Decimal(150)
    methods = {r["label"]: (r["count"], r["award"]) for r in year["by_method"]}
    assert methods == {"公开招标": (1, Decimal(80)), "询价": (1, Decimal("45.5"))}
    assert [r["label"] for r in year["by_category"]] == ["服务"]
    (ly,) = letter_model.category_stats(by["letters"], site)
    assert (ly["count"], ly["average"], ly["median"], ly["within"]) == (3, (4 + 6 + 1) / 3, 4, 2 / 3)

