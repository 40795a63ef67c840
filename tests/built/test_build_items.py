"""Item pages (issue 3): the catalogue header of every item exactly as in its source file,
and each type's own view, compared with the values the editor wrote."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from buildkit import (
    BUILD_DAY,
    DEMO_SITE,
    Source,
    amount_text,
    article,
    by_class,
    dl_pairs,
    flatten_rows,
    header_cells,
    one,
    table_rows,
    text,
)

SOURCE = Source(DEMO_SITE)
PAGES = [i for i in SOURCE.items if i.published_page]
of_type = lambda kind: [i for i in PAGES if SOURCE.categories[i.category].type == kind]  # noqa: E731
ids = lambda i: i.rel.removeprefix("content/")  # noqa: E731

PLAN_STATUS = {"done": "已完成", "partial": "部分完成", "not_done": "未完成", "carried_over": "转下期"}
PLAN_VALUE = {**{v: k for k, v in PLAN_STATUS.items()}, **{k: k for k in PLAN_STATUS}}


def item_view(built, item):
    return one(by_class(article(built.page(item.url)), "gk-item", "div"), "gk-item")


def catalogue_header(view) -> dict[str, str]:
    table = one(by_class(view, "gk-catalogue", "table"), "catalogue header")
    pairs = {}
    for th in table.xpath(".//th"):
        td = th.xpath("following-sibling::td[1]")[0]
        assert th.get("id") and td.get("headers") == th.get("id"), "header cells are associated"
        pairs[text(th)] = text(td)
    return pairs


def section(view, heading: str):
    """The <section> whose <h2> reads `heading`."""
    return one(
        [s for s in view.xpath(".//section") if text(s.xpath("./h2")[0] if s.xpath("./h2") else None) == heading],
        f"section {heading}",
    )


# ---------------------------------------------------------------------------
# every item: the catalogue header


@pytest.mark.parametrize("item", PAGES, ids=ids)
def test_catalogue_header_shows_the_source_values(demo, item):
    expected = {
        "标题": item.title,
        "发布机构": SOURCE.publisher(item),
        "发布日期": item.published,
        "有效性": item.validity_label,
    }
    optional = {
        "索引号": item.index_no,
        "主题分类": item.topic,
        "成文日期": item.written,
        "发文字号": item.doc_no,
        "主题词": "、".join(item.keywords),
    }
    expected.update({k: v for k, v in optional.items() if v})
    view = item_view(demo, item)
    assert catalogue_header(view) == expected
    assert text(one(by_class(view, "gk-title", "h1"), "<h1 class=gk-title>")) == item.title
    if item.index_no:
        assert view.get("data-index-no") == item.index_no
    dates = {
        th: view.xpath(f".//td[@headers='gk-cat-{key}']/time/@datetime")
        for th, key in (("发布日期", "published"), ("成文日期", "written"))
    }
    assert dates["发布日期"] == [item.published]
    assert dates["成文日期"] == ([item.written] if item.written else [])


@pytest.mark.parametrize("item", [i for i in PAGES if i.summary], ids=ids)
def test_summary_is_shown(demo, item):
    assert text(section(item_view(demo, item), "内容概述").xpath("./p")[0]) == " ".join(item.summary.split())


@pytest.mark.parametrize("item", [i for i in PAGES if i.revisions], ids=ids)
def test_revisions_are_listed_on_the_item(demo, item):
    table = one(by_class(section(item_view(demo, item), "修订记录"), "gk-table--revisions", "table"))
    assert header_cells(table) == ["修订日期", "修订说明"]
    assert table_rows(table) == [[r["date"].isoformat(), " ".join(str(r["note"]).split())] for r in item.revisions]


# ---------------------------------------------------------------------------
# article


def paragraphs(markdown: str) -> list[str]:
    """The paragraphs of a simple Markdown body, emphasis marks removed."""
    return [" ".join(p.replace("**", "").split()) for p in markdown.split("\n\n") if p.strip()]


def test_article_body_is_rendered(demo):
    item = SOURCE.by_rel("content/notices/2024/2024-03-15-spring-fire-safety.md")
    body = one(by_class(item_view(demo, item), "gk-body", "div"))
    assert [text(p) for p in body.xpath("./p")] == paragraphs(item.body)


def test_markdown_structures_survive(demo):
    """Headings, bold text and tables of a body come through (nothing escaped as text)."""
    item = SOURCE.by_rel("content/policies/2022-06-24-gonggong-ziyuan-jiaoyi.md")
    body = one(by_class(item_view(demo, item), "gk-body", "div"))
    assert "**" not in text(body)
    assert body.xpath(".//strong") and "第一条" in text(body.xpath(".//strong")[0])


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value, unit = size / 1024, "KB"
    if value >= 1024:
        value, unit = value / 1024, "MB"
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} {unit}"


@pytest.mark.parametrize("item", [i for i in PAGES if i.get("attachments")], ids=ids)
def test_attachments_with_size_and_type(demo, item):
    block = section(item_view(demo, item), "附件")
    entries = block.xpath("./ol/li")
    assert len(entries) == len(item.get("attachments"))
    for li, attachment in zip(entries, item.get("attachments")):
        link = one(li.xpath("./a"))
        source_file = DEMO_SITE / "content" / attachment["file"]
        assert text(link) == (attachment.get("title") or source_file.name)
        target = demo.resolve(item.url, link.get("href"))
        assert target == attachment["file"], "published at attachments/… like in content/"
        assert demo.file(target).read_bytes() == source_file.read_bytes()
        kind = source_file.suffix.lstrip(".").upper()
        assert text(one(by_class(li, "gk-file-meta", "span"))) == f"（{kind}，{size_text(source_file.stat().st_size)}）"


# ---------------------------------------------------------------------------
# duty


@pytest.mark.parametrize("item", of_type("duty"), ids=ids)
def test_duty_organisation_card_duties_and_departments(demo, item):
    view = item_view(demo, item)
    org = item.get("organization")
    card = dl_pairs(one(section(view, "机构概况").xpath(".//dl")))
    labels = {"name": "机构名称", "leader": "负责人", "address": "办公地址", "phone": "联系电话", "hours": "办公时间"}
    assert card == {labels[k]: str(v) for k, v in org.items() if k in labels and v}
    duties = item.get("duties")
    assert [text(li) for li in section(view, "主要职责").xpath("./ol/li")] == duties
    departments = item.get("departments")
    table = one(by_class(section(view, "内设机构"), "gk-table--departments", "table"))
    columns = ["机构名称"] + [
        label
        for key, label in (("head", "负责人"), ("phone", "联系电话"), ("duties", "职责"))
        if any(d.get(key) for d in departments)
    ]
    assert header_cells(table) == columns
    rows = table.xpath("./tbody/tr")
    assert len(rows) == len(departments)
    for tr, dept in zip(rows, departments):
        cells = tr.xpath("./th|./td")
        assert text(cells[0]) == dept["name"]
        values = dict(zip(columns, cells))
        if "负责人" in values:
            assert text(values["负责人"]) == (dept.get("head") or "")
        if "联系电话" in values:
            assert text(values["联系电话"]) == str(dept.get("phone") or "")
        if "职责" in values:
            listed = [text(li) for li in values["职责"].xpath(".//li")] or (
                [text(values["职责"])] if text(values["职责"]) else []
            )
            assert listed == list(dept.get("duties") or [])


# ---------------------------------------------------------------------------
# fee


@pytest.mark.parametrize("item", of_type("fee"), ids=ids)
def test_fee_table_columns_and_rows(demo, item):
    view = item_view(demo, item)
    fees = item.get("items")
    department = item.get("department")
    if department:
        assert dl_pairs(by_class(view, "gk-dl", "dl")[0])["执收单位"] == department
    table = one(by_class(section(view, "收费项目"), "gk-table--fees", "table"))
    optional = [
        (key, label)
        for key, label in (("management", "资金管理方式"), ("level", "设立级次"), ("note", "备注"))
        if any(f.get(key) for f in fees)
    ]
    assert header_cells(table) == ["项目名称", "收费标准", "收费依据"] + [label for _, label in optional]
    expected = []
    for fee in fees:
        standard = fee.get("standard") or (
            f"{amount_text(fee['amount'])} {fee.get('unit', '')}".strip() if fee.get("amount") is not None else ""
        )
        expected.append(
            [fee["name"], standard, fee.get("basis") or ""] + [str(fee.get(key) or "") for key, _ in optional]
        )
    assert table_rows(table) == expected


# ---------------------------------------------------------------------------
# procedure

PROCEDURE_ORDER = ["基本信息", "设定依据", "申请条件", "申请材料", "办理流程", "办理信息", "常见问题"]
INSPECTED = ["事项名称", "设定依据", "申请条件", "申请材料", "办理地点", "办理时间", "咨询电话", "办理流程"]


@pytest.mark.parametrize("item", of_type("procedure"), ids=ids)
def test_procedure_elements_in_order(demo, item):
    view = item_view(demo, item)
    content = one(by_class(view, "gk-content", "div"))
    headings = [text(h) for h in content.xpath("./section/h2")]
    assert headings == [h for h in PROCEDURE_ORDER if h in headings], "conventional order"
    service = item.get("service")
    present = {
        "设定依据": service.get("legal_basis"),
        "申请条件": service.get("conditions"),
        "申请材料": service.get("materials"),
        "办理流程": service.get("steps"),
        "常见问题": service.get("faq"),
    }
    assert headings == ["基本信息"] + [h for h in PROCEDURE_ORDER[1:5] if present[h]] + ["办理信息"] + (
        ["常见问题"] if present["常见问题"] else []
    )
    basic = dl_pairs(section(view, "基本信息").xpath(".//dl")[0])
    handling = dl_pairs(section(view, "办理信息").xpath(".//dl")[0])
    shown = set(basic) | set(handling) | set(headings)
    assert set(INSPECTED) <= shown, f"missing key elements: {set(INSPECTED) - shown}"
    assert basic["事项名称"] == item.title
    assert basic["事项类型"] == service["kind"]
    if service.get("code"):
        assert basic["事项编码"] == service["code"]
    days = lambda n: "即办件" if n == 0 else f"{n} 个工作日"  # noqa: E731
    expected = {
        "法定时限": days(service["legal_days"]) if service.get("legal_days") is not None else None,
        "承诺时限": days(service["promised_days"]) if service.get("promised_days") is not None else None,
        "收费": service.get("fee"),
        "办理地点": service.get("location"),
        "办理时间": service.get("hours"),
        "咨询电话": service.get("phone"),
        "投诉电话": service.get("complaint_phone"),
        "到现场次数": f"{service['visits']} 次" if service.get("visits") is not None else None,
        "网上办理": "在线办理入口" if service.get("online_url") else None,
    }
    assert handling == {k: str(v) for k, v in expected.items() if v is not None}
    if service.get("legal_basis"):
        assert [text(li) for li in section(view, "设定依据").xpath(".//li")] == service["legal_basis"]
    if service.get("conditions"):
        assert [text(li) for li in section(view, "申请条件").xpath(".//li")] == service["conditions"]
    if service.get("faq"):
        assert [text(s) for s in section(view, "常见问题").xpath(".//summary")] == [qa["q"] for qa in service["faq"]]


@pytest.mark.parametrize("item", of_type("procedure"), ids=ids)
def test_procedure_materials_and_forms(demo, item):
    materials = item.get("service")["materials"]
    table = one(by_class(section(item_view(demo, item), "申请材料"), "gk-table--materials", "table"))
    rows = table.xpath("./tbody/tr")
    assert [text(tr.xpath("./th")[0]) for tr in rows] == [m["name"] for m in materials]
    assert [text(tr.xpath("./td")[0]) for tr in rows] == [str(n) for n in range(1, len(materials) + 1)]
    columns = header_cells(table)
    for tr, material in zip(rows, materials):
        cells = dict(zip(columns, tr.xpath("./th|./td")))
        if "份数" in cells:
            assert text(cells["份数"]) == str(material.get("copies", ""))
        if "原件/复印件" in cells and material.get("original") is not None:
            assert text(cells["原件/复印件"]) == ("原件" if material["original"] else "复印件")
        if material.get("form"):
            link = one(cells["表格下载"].xpath(".//a"), "form link")
            target = demo.resolve(item.url, link.get("href"))
            assert target == material["form"]
            assert demo.file(target).read_bytes() == (DEMO_SITE / "content" / material["form"]).read_bytes()


def test_demo_has_a_form_to_download(demo):
    item = SOURCE.by_rel("content/guides/yishenqing-gongkai.yml")
    link = one(by_class(item_view(demo, item), "gk-download", "a"))
    assert demo.resolve(item.url, link.get("href")) == "attachments/forms/qingshan-gkxx-sqb.pdf"
    assert demo.exists("attachments/forms/qingshan-gkxx-sqb.pdf")
    assert "政府信息公开申请表" in text(link), "the link names its material for screen readers"


@pytest.mark.parametrize("item", of_type("procedure"), ids=ids)
def test_procedure_flowchart_has_a_text_alternative(demo, item):
    steps = item.get("service")["steps"]
    flow = section(item_view(demo, item), "办理流程")
    svg = one(flow.xpath(".//figure//svg"), "flowchart <svg>")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby"), svg.get("aria-describedby")
    assert text(one(svg.xpath(f".//title[@id='{title_id}']"))) == "办理流程"
    description = text(one(svg.xpath(f".//desc[@id='{desc_id}']")))
    assert f"共{len(steps)}个环节" in description
    for n, step in enumerate(steps, 1):
        assert f"{n}. {step['name']}" in description
    listed = flow.xpath("./ol[contains(@class,'gk-steps')]/li")
    assert [text(li.xpath("./strong")[0]) for li in listed] == [s["name"] for s in steps]
    for li, step in zip(listed, steps):
        if step.get("days") is not None:
            assert (f"时限 {step['days']} 个工作日" if step["days"] else "即时办结") in text(li)


def test_procedure_fee_given_by_index_number_links_the_fee_item(synthetic, synthetic_source):
    guide = synthetic_source.by_rel("content/guides/dengji.yml")
    fee = synthetic_source.by_rel("content/fees/budongchan.yml")
    assert guide.get("service")["fee"] == fee.index_no
    view = item_view(synthetic, guide)
    handling = section(view, "办理信息")
    row = one([r for r in handling.xpath(".//div[dt]") if text(r.xpath("./dt")[0]) == "收费"])
    link = one(row.xpath("./dd/a"), "link to the fee item")
    assert synthetic.resolve(guide.url, link.get("href")) == fee.url == "fees/budongchan/"
    assert text(link) == fee.title
    assert synthetic.exists(fee.url)


# ---------------------------------------------------------------------------
# budget


@pytest.mark.parametrize("item", of_type("budget"), ids=ids)
def test_budget_tables_with_nested_rows(demo, item):
    view = item_view(demo, item)
    unit = item.get("unit") or "万元"
    meta = dl_pairs(by_class(view, "gk-budget-meta", "dl")[0])
    assert meta == {
        "预算年度": f"{item.get('fiscal_year')} 年度",
        "类别": {"budget": "预算", "final": "决算"}[item.get("stage")],
        "单位": unit,
    }
    for table_source in item.get("tables"):
        block = section(view, table_source["name"])
        sides = [
            (side, label) for side, label in (("income", "收入"), ("expenditure", "支出")) if table_source.get(side)
        ]
        if table_source.get("rows"):
            sides.append(("rows", None))
        tables = block.xpath(".//table")
        assert len(tables) == len(sides)
        for table, (side, label) in zip(tables, sides):
            if label:
                assert text(table.xpath("./caption")[0]) == f"{table_source['name']}：{label}"
            header = table.xpath("./thead/tr/th")
            assert text(header[-1]) == f"金额（{unit}）" and "gk-num" in header[-1].get("class")
            rows = table.xpath("./tbody/tr")
            shown = []
            for tr in rows:
                amount_cell = one(tr.xpath("./td[contains(@class,'gk-num')]"), "amount cell")
                code = tr.xpath("./td[contains(@class,'gk-code')]")
                shown.append(
                    (
                        int(tr.get("data-level")),
                        text(code[0]) if code else None,
                        text(tr.xpath("./th")[0]),
                        text(amount_cell),
                    )
                )
            expected = flatten_rows(table_source[side])
            has_codes = bool(table.xpath("./thead//th[contains(@class,'gk-code')]"))
            assert shown == [(lvl, code if has_codes else None, name, amount) for lvl, code, name, amount in expected]
            total = sum(Decimal(str(r["amount"])) for r in table_source[side])
            assert text(table.xpath("./tfoot//td[contains(@class,'gk-num')]")[0]) == amount_text(total)


def test_budget_nesting_is_visible(demo):
    item = SOURCE.by_rel("content/budgets/2024-bumen-yusuan.yml")
    block = section(item_view(demo, item), "部门支出预算总表")
    levels = {(text(tr.xpath("./th")[0]), tr.get("data-level"), tr.get("class")) for tr in block.xpath(".//tbody/tr")}
    assert ("支出合计", "0", "gk-budget-row gk-level-0") in levels
    assert ("基本支出", "1", "gk-budget-row gk-level-1") in levels
    assert ("人员经费", "2", "gk-budget-row gk-level-2") in levels


def test_amounts_are_right_aligned(demo):
    css = demo.file("assets/gongkai.css").read_text(encoding="utf-8")
    rules = {selector.strip(): body for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}
    assert any(
        ".gk-num" in selector.split(",")[-1]
        and "text-align: right" in body.replace("text-align:right", "text-align: right")
        for selector, body in rules.items()
    )


THREE_PUBLIC = ["因公出国（境）费", "公务用车购置及运行费", "其中：公务用车购置费", "公务用车运行费", "公务接待费"]


@pytest.mark.parametrize("item", [i for i in of_type("budget") if i.get("three_public")], ids=ids)
def test_three_public_breakdown(demo, item):
    tp = {k: Decimal(str(v)) for k, v in item.get("three_public").items() if v is not None}
    table = one(by_class(section(item_view(demo, item), "“三公”经费"), "gk-table--three-public", "table"))
    vehicle = tp["vehicle_purchase"] + tp["vehicle_operation"]
    expected = (
        [THREE_PUBLIC[0], amount_text(tp["overseas"])],
        [THREE_PUBLIC[1], amount_text(vehicle)],
        [THREE_PUBLIC[2], amount_text(tp["vehicle_purchase"])],
        [THREE_PUBLIC[3], amount_text(tp["vehicle_operation"])],
        [THREE_PUBLIC[4], amount_text(tp["reception"])],
    )
    assert table_rows(table) == list(expected)
    assert [text(c) for c in table.xpath("./tfoot/tr/*")] == ["合计", amount_text(tp["total"])]
    assert tp["total"] == tp["overseas"] + vehicle + tp["reception"]


@pytest.mark.parametrize("item", of_type("budget"), ids=ids)
def test_budget_chart_has_a_text_alternative(demo, item):
    view = item_view(demo, item)
    figure = one(by_class(view, "gk-figure--chart", "figure"), "chart")
    svg = one(figure.xpath(".//svg"))
    assert svg.get("role") == "img"
    title = text(one(svg.xpath(f".//title[@id='{svg.get('aria-labelledby')}']")))
    description = text(one(svg.xpath(f".//desc[@id='{svg.get('aria-describedby')}']")))
    assert title in [t["name"] for t in item.get("tables")]
    assert f"单位：{item.get('unit') or '万元'}" in description
    data = [text(li) for li in figure.xpath(".//ul[contains(@class,'gk-chart-data')]/li")]
    assert data, "the chart's values are also a list"
    for entry in data:
        label, _, value = entry.partition("：")
        assert f"{label}：{value}" in description


# ---------------------------------------------------------------------------
# appointment

SEPTEMBER = "content/appointments/2024-09-27-renqian-gongshi.yml"
PERSON_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth",
    "party",
    "education",
    "work_start",
    "current_post",
    "proposed_post",
    "resume",
]


@pytest.mark.parametrize("item", of_type("appointment"), ids=ids)
def test_appointment_period_and_status_at_build_time(demo, item):
    notice = item.get("notice")
    start = notice["start"]
    view = item_view(demo, item)
    status = one(by_class(view, "gk-notice-status", "p"), "notice status")
    end = dt.date.fromisoformat(status.get("data-end"))
    assert status.get("data-start") == start.isoformat()
    if notice.get("end"):
        assert end == notice["end"]
    if item.rel == SEPTEMBER:
        assert end == dt.date(2024, 10, 9), "5 working days from 2024-09-27: 9-27, 9-29 (make-up day), 9-30, 10-8, 10-9"
    assert (end - start).days >= 4
    expected = "未开始" if start > BUILD_DAY else ("公示中" if end >= BUILD_DAY else "已结束")
    assert text(one(by_class(status, "gk-notice-status__value", "span"))) == expected
    assert (
        f"gk-notice-status--{ {'未开始': 'upcoming', '公示中': 'open', '已结束': 'closed'}[expected] }"
        in status.get("class")
    )
    assert (status.get("data-label-open"), status.get("data-label-closed")) == ("公示中", "已结束")
    period = dl_pairs(section(view, "公示期").xpath(".//dl")[0])
    assert period["公示时间"] == f"{start.isoformat()} 至 {end.isoformat()}"
    if notice.get("working_days"):
        assert period["公示天数"] == f"{notice['working_days']} 个工作日"


def test_the_september_notice_is_open_on_the_build_day(demo):
    status = one(by_class(item_view(demo, SOURCE.by_rel(SEPTEMBER)), "gk-notice-status", "p"))
    assert (status.get("data-start"), status.get("data-end")) == ("2024-09-27", "2024-10-09")
    assert text(status) == "公示状态：公示中"


@pytest.mark.parametrize("item", of_type("appointment"), ids=ids)
def test_appointment_persons(demo, item):
    table = one(by_class(section(item_view(demo, item), "公示对象"), "gk-table--persons", "table"))
    assert header_cells(table) == [
        "姓名",
        "性别",
        "民族",
        "出生年月",
        "政治面貌",
        "学历学位",
        "参加工作时间",
        "现任职务",
        "拟任职务",
        "简历",
    ]
    assert table_rows(table) == [
        [" ".join(str(p.get(f, "") or "").split()) for f in PERSON_FIELDS] for p in item.get("persons")
    ]


def test_appointment_feedback_channels(demo):
    item = SOURCE.by_rel(SEPTEMBER)
    block = section(item_view(demo, item), "反映渠道")
    feedback = item.get("feedback")
    assert dl_pairs(block.xpath(".//dl")[0]) == {
        "电话": feedback["phone"],
        "地址": feedback["address"],
        "邮编": feedback["postcode"],
        "电子邮箱": feedback["email"],
    }
    assert "2024-09-27 至 2024-10-09" in text(block.xpath("./p")[0])


# ---------------------------------------------------------------------------
# work report


@pytest.mark.parametrize("item", of_type("work_report"), ids=ids)
def test_work_report_plans_against_results(demo, item):
    plans = item.get("plans")
    view = item_view(demo, item)
    assert dl_pairs(by_class(view, "gk-dl", "dl")[0])["期间"] == str(item.get("period"))
    table = one(by_class(section(view, "工作计划"), "gk-table--plans", "table"))
    assert header_cells(table) == ["序号", "工作任务", "目标", "责任部门", "完成情况", "状态"]
    expected = [
        [
            str(n),
            p["task"],
            p.get("target", ""),
            p.get("owner", ""),
            p.get("result", ""),
            PLAN_STATUS[PLAN_VALUE[p["status"]]],
        ]
        for n, p in enumerate(plans, 1)
    ]
    assert table_rows(table) == expected
    badges = [tr.xpath(".//span[contains(@class,'gk-badge')]")[0].get("class") for tr in table.xpath("./tbody/tr")]
    assert badges == [f"gk-badge gk-badge--plan-{PLAN_VALUE[p['status']]}" for p in plans]
    done = sum(PLAN_VALUE[p["status"]] == "done" for p in plans)
    rate = (Decimal(done) * 100 / len(plans)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    rate_text = f"{rate:f}".removesuffix(".0") + "%"
    completion = section(view, "完成情况")
    assert text(completion.xpath("./p")[0]) == f"已完成 {done} 项，共 {len(plans)} 项，完成率 {rate_text}"
    meter = one(completion.xpath(".//meter"))
    assert (meter.get("value"), meter.get("max")) == (str(done), str(len(plans)))


def test_demo_covers_every_plan_status(demo_source):
    statuses = {PLAN_VALUE[p["status"]] for i in demo_source.items if i.get("plans") for p in i.get("plans")}
    assert statuses == set(PLAN_STATUS)

