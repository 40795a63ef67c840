"""征求意见, 政府采购, 留言答复 in the built demo site (issue 17), built on 2024-10-08:
live status, the home page block, category statistics recomputed here from the content
files with PyYAML and chinese_calendar only, the open dataset, and the feedback channel
on every item page."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from statistics import median
from urllib.parse import parse_qs, unquote, urlsplit

import chinese_calendar

from buildkit import BUILD_DAY, DEMO_SITE, Source, article, by_class, one, table_rows, text

SOURCE = Source(DEMO_SITE)
BASE = SOURCE.base_url


def of_type(name: str) -> list:
    return [i for i in SOURCE.listed() if SOURCE.categories[i.category].type == name]


def status_of(demo, item) -> str:
    node = one(by_class(article(demo.page(item.url)), "gk-notice-status", "p"))
    return text(one(by_class(node, "gk-notice-status__value")))


def test_consultation_status_at_build_time(demo):
    assert dt.date(2024, 10, 8) == BUILD_DAY
    statuses = {}
    for item in of_type("consultation"):
        start, end = (dt.date.fromisoformat(str(item.get("period")[k])) for k in ("start", "end"))
        if start > BUILD_DAY:
            expected = "未开始"
        elif end >= BUILD_DAY:
            expected = f"征求意见中（剩 {(end - BUILD_DAY).days + 1} 天）"
        else:
            expected = "已截止"
        statuses[item.url] = (status_of(demo, item), expected)
    assert all(shown == expected for shown, expected in statuses.values()), statuses
    assert {e for _, e in statuses.values()} >= {"未开始", "征求意见中（剩 31 天）"}


def test_home_lists_the_open_consultations(demo):
    section = one(by_class(article(demo.page("")), "gk-home__open--consultation", "section"))
    assert text(one(section.xpath("./h2"))) == "正在征求意见"
    urls = [demo.resolve("", a.get("href")) for a in section.xpath("./ul/li/a")]
    expected = [
        i.url for i in of_type("consultation")
        if str(i.get("period")["start"]) <= BUILD_DAY.isoformat() <= str(i.get("period")["end"])
    ]  # fmt: skip
    assert urls == expected and expected


def test_consultation_report_chart_and_summary(demo):
    item = next(i for i in of_type("consultation") if i.get("feedback_report"))
    page = article(demo.page(item.url))
    report = one(by_class(page, "gk-consult-report", "section"))
    svg = one(report.xpath(".//svg"))
    source = item.get("feedback_report")
    for key, name in (("adopted", "采纳"), ("partly_adopted", "部分采纳"), ("not_adopted", "未采纳")):
        assert f"{name}：{source[key]} 条" in text(svg)
    assert source["summary"].split("\n")[0].strip() in text(report)


# The enum labels, written out here (the content files may use either form)
METHODS = {"open_tender": "公开招标", "invited_tender": "邀请招标", "competitive_negotiation": "竞争性谈判",
           "competitive_consultation": "竞争性磋商", "inquiry": "询价", "single_source": "单一来源",
           "framework": "框架协议", "other": "其他"}  # fmt: skip
CATEGORIES = {"goods": "货物", "works": "工程", "services": "服务"}


def label(value: str, labels: dict) -> str:
    return labels.get(value, value)


def test_procurement_statistics_recomputed_from_the_files(demo):
    rows_by_year: dict[int, list] = {}
    for item in of_type("procurement"):
        result, project = item.get("result"), item.get("project")
        if result:
            rows_by_year.setdefault(dt.date.fromisoformat(str(result["date"])).year, []).append((project, result))
    assert rows_by_year
    page = article(demo.page("procurement/"))
    for year, rows in rows_by_year.items():
        table = one(page.xpath(f".//table[@data-year='{year}']"))
        foot = [[text(c) for c in tr.xpath("./th|./td")] for tr in table.xpath("./tfoot/tr")]
        shown = {r[0]: r[1:] for r in table_rows(table) + foot if len(r) == 5}
        budget = sum(Decimal(str(p["budget"])) for p, _ in rows)
        award = sum(Decimal(str(r["amount"])) for _, r in rows)
        rate = ((budget - award) / budget * 100).quantize(Decimal("0.1"))
        assert shown["合计"] == [str(len(rows)), f"{budget:,.2f}", f"{award:,.2f}", f"{rate}%".replace(".0%", "%")]
        for labels, key in ((METHODS, "method"), (CATEGORIES, "category")):
            for name in {label(p[key], labels) for p, _ in rows}:
                group = [(p, r) for p, r in rows if label(p[key], labels) == name]
                b = sum(Decimal(str(p["budget"])) for p, _ in group)
                a = sum(Decimal(str(r["amount"])) for _, r in group)
                assert shown[name][:3] == [str(len(group)), f"{b:,.2f}", f"{a:,.2f}"], name


def test_procurement_open_data(demo):
    records = json.loads(demo.file("data/procurement.json").read_text(encoding="utf-8"))
    items = of_type("procurement")
    assert {r["index_no"] for r in records} == {i.index_no for i in items}
    for item in items:
        record = next(r for r in records if r["index_no"] == item.index_no)
        project, result = item.get("project"), item.get("result")
        assert record["method"] == label(project["method"], METHODS)
        assert Decimal(str(record["budget"])) == Decimal(str(project["budget"]))
        assert Decimal(str(record["amount"])) == Decimal(str(result["amount"]))
        assert record["url"] == BASE + item.url
    csv = demo.file("data/procurement.csv").read_bytes()
    assert csv.startswith("\ufeff".encode()) and csv.decode("utf-8-sig").count("\r\n") == len(items) + 1


def workdays_after(start: dt.date, end: dt.date) -> int:
    """Independent count with chinese_calendar: the day after `start` through `end`."""
    days = (end - start).days
    return sum(chinese_calendar.is_workday(start + dt.timedelta(days=n)) for n in range(1, days + 1))


def test_letter_statistics_recomputed_from_the_files(demo):
    limit = SOURCE.config.get("letters", {}).get("reply_days", 5)
    years: dict[int, list[int]] = {}
    for item in of_type("letter"):
        received = dt.date.fromisoformat(str(item.get("letter")["received"]))
        replied = dt.date.fromisoformat(str(item.get("reply")["date"]))
        days = workdays_after(received, replied)
        years.setdefault(replied.year, []).append(days)
        shown = text(article(demo.page(item.url))).replace(" ", "").replace("个工作日", " 个工作日")
        assert f"答复用时{days} 个工作日" in shown
    table = one(by_class(article(demo.page("letters/")), "gk-stats--letter", "section")).xpath(".//table")[0]
    shown = {int(r[0]): r[1:] for r in table_rows(table) if r and r[0].isdigit()}
    assert set(shown) == set(years)
    for year, days in years.items():
        share = Decimal(sum(d <= limit for d in days) * 100) / len(days)
        assert shown[year][0] == str(len(days))
        assert Decimal(shown[year][1]) == (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
        assert Decimal(shown[year][2]) == Decimal(str(median(days))).quantize(Decimal("0.1"))
        assert shown[year][3] == f"{share.quantize(Decimal('0.1'))}%".replace(".0%", "%")


def test_a_letter_across_the_national_day_holiday(demo):
    """2024-09-27 → 2024-10-09: 31 calendar days would be 12 days; 4 working days."""
    item = next(i for i in of_type("letter") if str(i.get("letter")["received"]) == "2024-09-27")
    assert "4 个工作日" in text(article(demo.page(item.url)))


def test_feedback_channel_on_every_item_page(demo):
    feedback = SOURCE.config["feedback"]
    pages = [i for i in SOURCE.items if i.published_page]
    assert len(pages) > 50
    for item in pages:
        sections = by_class(article(demo.page(item.url)), "gk-item-feedback", "section")
        if item.withdrawn:
            assert sections == [], item.rel
            continue
        section = one(sections, item.rel)
        assert text(one(section.xpath("./h2"))) == "对本信息有疑问或发现错误"
        mail = urlsplit(one(by_class(section, "gk-item-feedback__email", "a")).get("href"))
        assert (mail.scheme, unquote(mail.path)) == ("mailto", feedback["email"])
        subject = parse_qs(mail.query)["subject"][0]
        assert subject == f"意见反馈：{item.index_no} {item.title}", item.rel
        assert feedback["phone"] in text(section)
        link = urlsplit(one(by_class(section, "gk-item-feedback__url", "a")).get("href"))
        query = parse_qs(link.query)
        assert (query["index_no"], query["title"]) == ([item.index_no], [item.title]), item.rel
