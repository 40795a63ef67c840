"""Inline SVG charts: well-formed, accessible, deterministic, data present."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace as NS

from generator.render.svg import budget_chart, flowchart, text_width

SVG = "{http://www.w3.org/2000/svg}"

ROWS = [
    ("一般公共服务支出", Decimal("800.00")),
    ("教育支出", Decimal("1234567.5")),
    ("社会保障和就业支出", Decimal("400.5")),
    ("政府办公厅（室）及相关机构事务之外的一个非常非常长的支出功能分类科目名称", Decimal("0")),
]

STEPS = [("受理", "窗口", 1), ("审查", "业务科室", 3), ("决定", "分管领导", 0), ("送达", None, None)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def check_accessible(root: ET.Element) -> tuple[str, str]:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    # no script, no external resource, no style attribute, no web font
    for el in root.iter():
        assert not el.tag.endswith("script") and not el.tag.endswith("style")
        assert el.tag not in (f"{SVG}image", f"{SVG}foreignObject", f"{SVG}use")
        assert "style" not in el.attrib
        for name, value in el.attrib.items():
            assert not name.startswith("on")
            assert "url(" not in value and "http" not in value.replace("http://www.w3.org", "")
    return title.text, desc.text


def test_budget_chart_labels_values_and_accessibility():
    svg = budget_chart(ROWS, "万元", "一般公共预算支出表")
    root = parse(svg)
    title, desc = check_accessible(root)
    assert title == "一般公共预算支出表"
    shown = texts(root)
    for label in ("一般公共服务支出", "教育支出", "社会保障和就业支出"):
        assert label in shown
    for value in ("800.00 万元", "1,234,567.50 万元", "400.50 万元", "0.00 万元"):
        assert value in shown
        assert value in desc
    # the long label is shortened on screen but complete in desc and in a <title>
    long_label = ROWS[3][0]
    assert long_label not in shown
    assert any(t.endswith("…") for t in shown)
    assert long_label in desc
    assert long_label in [t.text for t in root.iter(f"{SVG}title")]
    assert desc.startswith("横向条形图，共4项，单位：万元。")


def test_budget_chart_bars_scale_and_fit():
    root = parse(budget_chart(ROWS, "万元", "t"))
    width = float(root.get("viewBox").split()[2])
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 4
    widths = [float(b.get("width")) for b in bars]
    assert widths[1] == max(widths)  # the largest amount has the longest bar
    assert widths[3] == 0
    assert abs(widths[0] / widths[1] - float(Decimal(800) / Decimal("1234567.5"))) < 0.01
    # every value text ends inside the viewBox
    for t in root.iter(f"{SVG}text"):
        x = float(t.get("x"))
        assert x + text_width(t.text, float(t.get("font-size"))) <= width + 0.5


def test_budget_chart_deterministic_and_escaped():
    a = budget_chart(ROWS, "万元", "表")
    b = budget_chart(list(ROWS), "万元", "表")
    assert a == b
    assert budget_chart(ROWS, "元", "表") != a
    ids = re.findall(r'id="([^"]+)"', str(a))
    assert ids and all(i.startswith("gk-chart-") for i in ids)
    evil = budget_chart([("<b>&x</b>", Decimal(1))], "万元", 'a"<t>')
    root = parse(evil)
    assert "<b>&x</b>" in texts(root)
    assert root.find(f"{SVG}title").text == 'a"<t>'


def test_budget_chart_empty_and_english():
    root = parse(budget_chart([], "万元", "空表"))
    check_accessible(root)
    assert "无数据" in texts(root)
    root = parse(budget_chart(ROWS[:1], "10,000 yuan", "Table", lang="en"))
    _, desc = check_accessible(root)
    assert desc.startswith("Horizontal bar chart of 1 items")
    assert "800.00 10,000 yuan" in texts(root)


def test_flowchart_boxes_and_arrows():
    svg = flowchart(STEPS)
    root = parse(svg)
    title, desc = check_accessible(root)
    assert title == "办理流程图"
    shown = texts(root)
    for expected in ("第1步 受理", "办理主体：窗口", "时限 1 个工作日", "第2步 审查", "办理主体：业务科室",
                     "时限 3 个工作日", "第3步 决定", "即时办结", "第4步 送达"):
        assert expected in shown, expected
    assert len(list(root.iter(f"{SVG}rect"))) == 4
    assert len(list(root.iter(f"{SVG}polygon"))) == 3  # arrows between boxes
    assert "1. 受理（窗口，时限 1 个工作日）" in desc
    assert "4. 送达" in desc and "办理流程共4个环节" in desc


def test_flowchart_vertical_and_fits_phone_width():
    root = parse(flowchart(STEPS))
    width = float(root.get("viewBox").split()[2])
    assert width <= 360  # scales to a 375 px phone without shrinking text much
    rects = list(root.iter(f"{SVG}rect"))
    ys = [float(r.get("y")) for r in rects]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one box under the other
    for r in rects:
        assert float(r.get("x")) >= 0 and float(r.get("x")) + float(r.get("width")) <= width
    for t in root.iter(f"{SVG}text"):
        w = text_width(t.text, float(t.get("font-size")))
        x = float(t.get("x"))
        assert x - w / 2 >= 0 and x + w / 2 <= width


def test_flowchart_long_names_wrap_and_objects():
    long_name = "对申请材料进行实质审查并组织现场核查及专家评审"
    steps = [NS(name=long_name, actor="业务科室", days=Decimal("15")), NS(name="决定", actor=None, days=None)]
    root = parse(flowchart(steps))
    shown = texts(root)
    first_box = next(root.iter(f"{SVG}g"))
    bold = [t.text for t in first_box.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert len(bold) >= 2  # the name wraps onto two lines or more
    assert "".join(bold) == "第1步 " + long_name
    assert "时限 15 个工作日" in shown
    rect = first_box.find(f"{SVG}rect")
    last_y = max(float(t.get("y")) for t in first_box.iter(f"{SVG}text"))
    assert last_y < float(rect.get("y")) + float(rect.get("height"))  # text inside its box


def test_flowchart_deterministic_and_empty():
    assert flowchart(STEPS) == flowchart(list(STEPS))
    assert flowchart(STEPS) != flowchart(STEPS[:2])
    root = parse(flowchart([]))
    check_accessible(root)
    root = parse(flowchart(STEPS[:1], lang="en"))
    _, desc = check_accessible(root)
    assert "Step 1: 受理" in texts(root) and "Time limit: 1 working days" in texts(root)
    assert desc.startswith("The procedure has 1 steps")
