"""Render every theme template with real items (validated models in entries, as the build
has them) and check the HTML."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace as NS

import jinja2
import pytest
from markupsafe import Markup

from generator.config import Category
from generator.load.cache import FileMemo
from generator.model.base import Status, Validity
from generator.model.capabilities import Window
from generator.model.registry import TYPES
from generator.register import canonical_record
from generator.render import templates
from generator.render.filters import amount, filesize, filetype, percent
from generator.render.items import prepare
from generator.render.pages import catalogue_html
from generator.site import Entry, Section

THEME = Path(__file__).resolve().parents[2] / "generator" / "theme"


# ---------------------------------------------------------------------------
# a small HTML parser: tree-less, but enough to find elements, text and attributes


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children: list = []

    def text(self) -> str:
        out = []
        for child in self.children:
            out.append(child if isinstance(child, str) else child.text())
        return "".join(out)

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        result = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            ok = True
            for key, value in attrs.items():
                key = key.rstrip("_").replace("_", "-")
                if key == "class":
                    if value not in node.attrs.get("class", "").split():
                        ok = False
                elif node.attrs.get(key) != value:
                    ok = False
            if ok:
                result.append(node)
        return result

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None


class TreeBuilder(HTMLParser):
    """Builds a tree and checks that every element is closed in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.current = self.root
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.errors.append(f"</{tag}> closes <{self.current.tag}>")
            node = self.current
            while node is not None and node.tag != tag:
                node = node.parent
            if node is None:
                return
            self.current = node
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert not builder.errors, builder.errors
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    return builder.root


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_common(html: str) -> Node:
    """Checks every fragment must pass."""
    assert "None" not in html
    assert "Undefined" not in html
    assert "<script" not in html
    assert " style=" not in html
    root = parse(html)
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), f"duplicate ids: {ids}"
    for table in root.find_all("table"):
        assert table.find("caption") is not None, "table without caption"
    # headings in order: no level skipped
    levels = [int(n.tag[1]) for n in root.iter() if re.fullmatch(r"h[1-6]", n.tag)]
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"heading levels skip: {levels}"
    for link in root.find_all("a"):
        assert link.attrs.get("href"), "link without href"
    # no external resources
    for node in root.iter():
        for attr in ("src",):
            if attr in node.attrs:
                assert not re.match(r"^(https?:)?//", node.attrs[attr])
    return root


# ---------------------------------------------------------------------------
# items as the build has them: real models of each type in real entries


VALID, REPEALED, EXPIRED = Validity.valid, Validity.repealed, Validity.expired
DRAFT = Status.draft
ATTACHMENT_SIZES = {"attachments/2024/plan.pdf": 12_595}  # the others do not exist: no size shown
FILES: dict[str, Path] = {}  # attachment reference → its file (written once per module)


@pytest.fixture(scope="module", autouse=True)
def attachment_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    for ref, size in ATTACHMENT_SIZES.items():
        path = root / ref
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
        FILES[ref] = path


def category(key, title, type_):
    return Section(Category(key=key, title=title, type=type_, code="01"))


def make_item(type_, cat, slug, title, published, **fields):
    """An entry of a validated model of `type_`, its Markdown rendered as the build does."""
    ctype = TYPES[type_]
    model = ctype.model.model_validate({"title": title, "published": published, **fields})
    entry = Entry(
        model, ctype, cat, rel=f"content/{cat.key}/{slug}{ctype.suffix}", url=f"{cat.key}/{slug}/",
        record=canonical_record(model), publisher_name=model.publisher or "青山县人民政府办公室",
        files={ref: FILES[ref] for ref in (a.file for a in model.attachments) if ref in FILES},
    )  # fmt: skip
    prepare(entry)
    return entry


NOTICES = category("notices", "通知公告", "article")


def full_article(**over):
    fields = dict(
        index_no="11330100002482066D/2024-00012",
        written=dt.date(2024, 5, 6),
        topic="综合政务\\其他",
        doc_no="青政办发〔2024〕12号",
        validity=VALID,
        keywords=["政务公开", "通知"],
        summary="关于做好2024年政务公开工作的通知。",
        attachments=[
            {"file": "attachments/2024/plan.pdf", "title": "工作要点"},
            {"file": "attachments/2024/table.xlsx"},
        ],
        revisions=[{"date": dt.date(2024, 5, 10), "note": "更正附件二的表格"}],
        body="各乡镇人民政府：\n\n现将有关事项通知如下。",
    )
    fields.update(over)
    title = fields.pop("title", "关于做好2024年政务公开工作的通知")
    return make_item("article", NOTICES, "2024-gongkai", title, dt.date(2024, 5, 8), **fields)


def empty_article(**over):
    return make_item("article", NOTICES, "bare", "仅有标题的通知", dt.date(2023, 1, 3), **over)


DUTIES = category("duties", "机构职能", "duty")


def duty_item():
    return make_item(
        "duty",
        DUTIES,
        "office",
        "县政府办公室机构职能",
        dt.date(2024, 1, 2),
        index_no="11330100002482066D/2024-00001",
        organization=dict(
            name="青山县人民政府办公室", leader="陈某某", address="青山县人民路1号", phone="0571-00000000"
        ),
        duties=["负责县政府会议的组织工作", "督促检查县政府各部门工作"],
        departments=[
            dict(name="秘书科", head="王某", phone="0571-00000002", duties=["负责文电处理", "负责会务"]),
            dict(name="督查科", duties=["负责督查"]),
        ],
    )


FEES = category("fees", "行政事业性收费", "fee")


def fee_item(**over):
    fields = dict(
        index_no="11330100002482066D/2024-00002",
        department="县自然资源和规划局",
        items=[
            dict(
                name="不动产登记费",
                standard="住宅类每件80元",
                amount=Decimal("80"),
                unit="元/件",
                basis="发改价格规〔2016〕2559号",
                management="缴入国库",
                level="中央",
            ),
            dict(
                name="证书工本费", amount=Decimal("10"), unit="元/本", basis="财税〔2016〕79号", management="缴入国库"
            ),
        ],
    )
    fields.update(over)
    return make_item("fee", FEES, "register", "不动产登记收费", dt.date(2024, 2, 1), **fields)


PROCEDURES = category("services", "办事指南", "procedure")


def procedure_item(fee_link=None, **service_over):
    service = dict(
        code="11330100002482066D-XK-0001",
        kind="行政许可",
        legal_basis=["《中华人民共和国行政许可法》第二十九条"],
        conditions=["申请人为本县户籍居民", "材料齐全"],
        materials=[
            dict(name="申请表", copies=1, original=True, form="attachments/forms/apply.docx"),
            dict(name="身份证", copies=1, original=False),
        ],
        steps=[dict(name="受理", actor="窗口", days=1), dict(name="审查", actor="业务科室", days=3),
               dict(name="决定", actor="分管领导", days=1)],
        legal_days=20,
        promised_days=0,
        fee="不收费",
        location="县政务服务中心二楼12号窗口",
        hours="工作日 9:00-17:00",
        phone="0571-00000003",
        complaint_phone="12345",
        visits=1,
        online_url="https://zwfw.example.gov.cn/apply/1",
        faq=[dict(q="可以委托办理吗？", a="可以，需提供委托书。")],
    )
    service.update(service_over)
    entry = make_item(
        "procedure", PROCEDURES, "permit", "某某许可办事指南", dt.date(2024, 3, 1),
        index_no="11330100002482066D/2024-00003", service=service,
    )  # fmt: skip
    if fee_link is not None:
        entry.links["fee_item"] = fee_link  # as the procedure check links it
    return entry


BUDGETS = category("budgets", "财政预决算", "budget")


def budget_item(**over):
    fields = dict(
        index_no="11330100002482066D/2024-00004",
        fiscal_year=2024,
        stage="budget",
        unit="万元",
        tables=[
            dict(
                name="收支总表",
                income=[dict(item="财政拨款收入", amount=Decimal("1200.50"))],
                expenditure=[
                    dict(item="一般公共服务支出", amount=Decimal("800.00")),
                    dict(item="社会保障和就业支出", amount=Decimal("400.50")),
                ],
            ),
            dict(
                name="一般公共预算支出表",
                rows=[
                    dict(
                        code="201",
                        item="一般公共服务支出",
                        amount=Decimal("800.00"),
                        children=[
                            dict(
                                code="20103",
                                item="政府办公厅（室）及相关机构事务",
                                amount=Decimal("800.00"),
                                children=[dict(code="2010301", item="行政运行", amount=Decimal("800.00"))],
                            )
                        ],
                    ),
                    dict(code="208", item="社会保障和就业支出", amount=Decimal("400.50")),
                ],
            ),
            dict(name="政府性基金预算财政拨款收入支出表"),
        ],
        three_public=dict(overseas=Decimal("0"), vehicle_purchase=Decimal("0"), vehicle_operation=Decimal("12.5"),
                          reception=Decimal("3.2"), total=Decimal("15.7")),
        notes="本单位2024年收入预算1200.50万元。",
    )
    fields.update(over)
    return make_item("budget", BUDGETS, "2024-budget", "2024年部门预算", dt.date(2024, 2, 20), **fields)


APPOINTMENTS = category("appointments", "干部任前公示", "appointment")


def appointment_item(**over):
    fields = dict(
        index_no="11330100002482066D/2024-00005",
        notice=dict(start=dt.date(2024, 6, 3), working_days=5),
        persons=[
            dict(name="张某某", gender="男", ethnicity="汉族", birth="1982-05", party="中共党员",
                 education="大学，管理学硕士", work_start="2004-07", current_post="青山县某某局副局长",
                 proposed_post="青山县某某局局长", resume="2004.07 参加工作\n2018.03 任副局长"),
            dict(name="李某", gender="女", birth="1985-03", current_post="某某乡副乡长", proposed_post="某某乡乡长"),
        ],
        feedback=dict(phone="12380", address="青山县人民路1号", postcode="311000", email="zzb@qingshan.gov.cn"),
    )
    fields.update(over)
    return make_item("appointment", APPOINTMENTS, "2024-06", "2024年6月干部任前公示", dt.date(2024, 6, 3), **fields)


def window_ctx(entry, today=dt.date(2024, 6, 5)) -> dict:
    """What the build adds for a type with a time window (render/items.py)."""
    window = entry.ctype.window(entry.model)
    return {"window": window, "window_status": window.status(today)}


REPORTS = category("reports", "工作计划与总结", "work_report")


def work_report_item(plans=None):
    if plans is None:
        plans = [
            dict(
                task="完成政府信息公开年报", target="5月31日前发布", owner="秘书科", result="5月28日发布", status="done"
            ),
            dict(task="更新办事指南", target="全部更新", owner="审批科", result="完成一半", status="partial"),
            dict(task="整理档案", status="carried_over"),
            dict(task="网站改版", target="上线", owner="信息科", result="未启动", status="not_done"),
        ]
    return make_item(
        "work_report", REPORTS, "2024-05", "2024年5月工作计划与总结", dt.date(2024, 6, 1), period="2024-05", plans=plans
    )


# ---------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module", params=["zh", "en"])
def env_any(request):
    strings = templates.load_strings(THEME, request.param)
    return templates.make_env(THEME, strings)


@pytest.fixture(scope="module")
def env():
    return templates.make_env(THEME, templates.load_strings(THEME, "zh"))


def render(env, item, **ctx):
    return templates.render_item(env, item, ctx)


def catalogue_cells(root):
    table = root.find("table", class_="gk-catalogue")
    return {squash(th.text()): squash(td.text()) for th, td in _pairs(table)}


def cell_rows(node):
    """The text of every cell, row by row."""
    return [[squash(c.text()) for c in row.children if isinstance(c, Node) and c.tag in ("th", "td")]
            for row in node.find_all("tr")]


def _pairs(table):
    for row in table.find_all("tr"):
        cells = [c for c in row.children if isinstance(c, Node)]
        for th, td in zip(cells[::2], cells[1::2]):
            assert th.tag == "th" and td.tag == "td"
            yield th, td


# ---------------------------------------------------------------------------
# strings and environment


def test_strings_have_same_keys():
    def flat(d, prefix=""):
        keys = set()
        for k, v in d.items():
            keys |= flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
        return keys

    zh = flat(templates.load_strings(THEME, "zh"))
    en = flat(templates.load_strings(THEME, "en"))
    assert zh == en
    forbidden = set(dir(dict))
    assert not {k.rsplit(".", 1)[-1] for k in zh} & forbidden


def test_unknown_language_and_type():
    with pytest.raises(ValueError):
        templates.load_strings(THEME, "fr")
    env = templates.make_env(THEME, templates.load_strings(THEME, "zh"))
    with pytest.raises(ValueError):
        templates.render_item(env, NS(type="../../etc"), {})


def test_env_settings(env):
    assert env.autoescape is True or callable(env.autoescape)
    assert env.undefined is jinja2.StrictUndefined
    assert env.trim_blocks and env.lstrip_blocks
    assert "t" in env.globals and "date" in env.filters and "budget_chart" in env.globals


def test_filters():
    assert env_filters_date() == "2024-05-06"
    assert amount(Decimal("1200.5")) == "1,200.50"
    assert amount(Decimal("-0.001")) == "0.00"
    assert amount(None) == ""
    assert filesize(12_595) == "12.3 KB"
    assert filesize(512) == "512 B"
    assert filesize(5 * 1024 * 1024) == "5.0 MB"
    assert filetype("attachments/a/b.docx") == "DOCX"
    assert filetype("README") == ""
    assert percent(Decimal(2) / Decimal(3)) == "66.7%"
    assert percent(Decimal("0.75")) == "75%"
    window = Window(dt.date(2024, 6, 3), dt.date(2024, 6, 7))  # the one rule of an open period (gongkai.js: the same)
    assert [window.status(dt.date(2024, 6, d)) for d in (2, 3, 7, 8)] == ["upcoming", "open", "open", "closed"]


def env_filters_date():
    from generator.render.filters import date

    assert date(None) == ""
    return date(dt.date(2024, 5, 6))


# ---------------------------------------------------------------------------
# item templates


def test_article_full(env):
    html = render(env, full_article())
    root = check_common(html)
    assert squash(root.find("h1").text()) == "关于做好2024年政务公开工作的通知"
    cells = catalogue_cells(root)
    assert cells == {
        "索引号": "11330100002482066D/2024-00012",
        "主题分类": "综合政务\\其他",
        "发布机构": "青山县人民政府办公室",
        "成文日期": "2024-05-06",
        "标题": "关于做好2024年政务公开工作的通知",
        "发文字号": "青政办发〔2024〕12号",
        "发布日期": "2024-05-08",
        "有效性": "有效",
        "主题词": "政务公开、通知",
    }
    # gov.cn layout: 4 columns, title spanning
    table = root.find("table", class_="gk-catalogue")
    rows = table.find_all("tr")
    assert [squash(r.find("th").text()) for r in rows][:3] == ["索引号", "发布机构", "标题"]
    assert rows[2].find("td").attrs["colspan"] == "3"
    for row in rows:
        width = sum(int(c.attrs.get("colspan", 1)) for c in row.children if isinstance(c, Node))
        assert width == 4
    assert "各乡镇人民政府" in root.find("div", class_="gk-body").text()
    assert "内容概述" in html and "关于做好2024年政务公开工作的通知。" in html
    attachments = root.find("section", class_="gk-attachments")
    links = attachments.find_all("a")
    assert links[0].attrs["href"] == "/attachments/2024/plan.pdf"
    assert squash(links[0].text()) == "工作要点"
    assert squash(links[1].text()) == "table.xlsx"
    meta = [squash(s.text()) for s in attachments.find_all("span", class_="gk-file-meta")]
    assert meta == ["（PDF，12.3 KB）", "（XLSX）"]
    revisions = root.find("section", class_="gk-revisions")
    assert "2024-05-10" in revisions.text() and "更正附件二的表格" in revisions.text()
    assert root.find(class_="gk-banner") is None


def test_article_empty_fields_hidden(env_any):
    html = render(env_any, empty_article())
    root = check_common(html)
    cells = catalogue_cells(root)
    # only title, publisher, date and validity (always set: 有效 by default) remain
    assert len(cells) == 4
    assert not root.find_all("section")
    assert root.find("div", class_="gk-body") is None
    # a lone cell spans the rest of the row
    for row in root.find("table", class_="gk-catalogue").find_all("tr"):
        width = sum(int(c.attrs.get("colspan", 1)) for c in row.children if isinstance(c, Node))
        assert width == 4


def test_article_draft_withdrawn_repealed(env):
    item = full_article(status=DRAFT, validity=REPEALED,
                        withdrawn=dict(date=dt.date(2024, 7, 1), reason="内容有误"))
    root = check_common(render(env, item))
    assert "草稿" in root.find("p", class_="gk-banner--draft").text()
    withdrawn = root.find("div", class_="gk-banner--withdrawn")
    assert "已撤销" in withdrawn.text() and "2024-07-01" in withdrawn.text() and "内容有误" in withdrawn.text()
    assert "已废止" in root.find("p", class_="gk-banner--repealed").text()
    mark = root.find("span", class_="gk-validity--repealed")
    assert squash(mark.text()) == "废止"
    assert "gk-item--withdrawn" in root.find("div", class_="gk-item").attrs["class"]


def test_article_expired_english(env_any):
    html = render(env_any, full_article(validity=EXPIRED))
    root = check_common(html)
    assert root.find("p", class_="gk-banner--expired") is not None
    assert root.find("span", class_="gk-validity--expired") is not None


def test_autoescape(env):
    item = full_article(title="<script>alert(1)</script>", summary="a & b <i>")
    html = render(env, item)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "a &amp; b &lt;i&gt;" in html


def test_duty(env_any):
    html = render(env_any, duty_item())
    root = check_common(html)
    card = root.find("dl", class_="gk-card")
    assert "青山县人民政府办公室" in card.text() and "陈某某" in card.text()
    assert "办公时间" not in card.text() and "Office hours" not in card.text()  # hours is None
    assert root.find("a", href="tel:057100000000") is not None
    duties = root.find("section", class_="gk-duties").find("ol")
    assert [squash(li.text()) for li in duties.find_all("li")] == [
        "负责县政府会议的组织工作",
        "督促检查县政府各部门工作",
    ]
    table = root.find("table", class_="gk-table--departments")
    assert len(table.find("thead").find_all("th")) == 4
    rows = table.find("tbody").find_all("tr")
    assert squash(rows[0].find("th").text()) == "秘书科"
    assert "负责会务" in rows[0].text()
    assert cell_rows(table)[2] == ["督查科", "", "", "负责督查"]


def test_fee(env):
    root = check_common(render(env, fee_item()))
    assert "县自然资源和规划局" in root.find("dl").text()
    table = root.find("table", class_="gk-table--fees")
    heads = [squash(th.text()) for th in table.find("thead").find_all("th")]
    # 备注 is empty everywhere: its column is hidden
    assert heads == ["项目名称", "收费标准", "收费依据", "资金管理方式", "设立级次"]
    rows = table.find("tbody").find_all("tr")
    assert "住宅类每件80元" in rows[0].text() and "发改价格规〔2016〕2559号" in rows[0].text()
    assert "10.00 元/本" in squash(rows[1].text())


def test_fee_without_department(env):
    root = check_common(render(env, fee_item(department=None)))
    assert "执收单位" not in root.text()
    assert root.find("table", class_="gk-table--fees") is not None


PROCEDURE_ORDER = ["基本信息", "设定依据", "申请条件", "申请材料", "办理流程", "办理信息", "常见问题"]


def test_procedure(env):
    html = render(env, procedure_item())
    root = check_common(html)
    headings = [squash(h.text()) for h in root.find_all("h2")]
    assert headings[: len(PROCEDURE_ORDER)] == PROCEDURE_ORDER
    text = squash(root.text())
    for value in [
        "某某许可办事指南",
        "11330100002482066D-XK-0001",
        "行政许可",
        "《中华人民共和国行政许可法》第二十九条",
        "申请人为本县户籍居民",
        "县政务服务中心二楼12号窗口",
        "工作日 9:00-17:00",
        "0571-00000003",
        "12345",
        "不收费",
        "20 个工作日",
        "即办件",
        "1 次",
        "可以委托办理吗？",
        "可以，需提供委托书。",
    ]:
        assert value in text, value
    handling = [squash(dt_.text()) for dt_ in root.find("section", class_="gk-handling").find_all("dt")]
    assert handling == [
        "法定时限",
        "承诺时限",
        "收费",
        "办理地点",
        "办理时间",
        "咨询电话",
        "投诉电话",
        "到现场次数",
        "网上办理",
    ]
    materials = root.find("table", class_="gk-table--materials")
    download = materials.find("a", class_="gk-download")
    assert download.attrs["href"] == "/attachments/forms/apply.docx"
    assert "原件" in materials.text() and "复印件" in materials.text()
    flow = root.find("section", class_="gk-flow")
    svg = flow.find("svg")
    assert svg.attrs["role"] == "img"
    steps = [squash(li.text()) for li in flow.find("ol", class_="gk-steps").find_all("li")]
    assert steps[0] == "受理 办理主体：窗口 时限 1 个工作日"
    assert len(steps) == 3
    assert root.find("details").find("summary") is not None
    assert root.find("a", class_="gk-online").attrs["href"] == "https://zwfw.example.gov.cn/apply/1"


def test_procedure_fee_item_link_and_missing_extras(env_any):
    materials = [dict(name="申请表", form="attachments/forms/apply.docx")]  # copies and original unknown
    item = procedure_item(fee_link=fee_item(), fee="11330100002482066D/2024-00002", materials=materials)
    html = render(env_any, item)
    root = check_common(html)
    link = root.find("section", class_="gk-handling").find("a", href="/fees/register/")
    assert link is not None and squash(link.text()) == "不动产登记收费"
    item = procedure_item(materials=materials, faq=[], online_url=None, visits=None, complaint_phone=None)
    root = check_common(render(env_any, item))
    assert root.find("section", class_="gk-handling").find("a", href="/fees/register/") is None
    assert root.find("details") is None and root.find("a", class_="gk-online") is None
    assert "apply.docx" in root.find("table", class_="gk-table--materials").text()


def test_budget(env):
    html = render(env, budget_item())
    root = check_common(html)
    meta = squash(root.find("dl", class_="gk-budget-meta").text())
    assert "2024 年度" in meta and "预算" in meta and "万元" in meta
    tables = root.find_all("table", class_="gk-table--budget")
    captions = [squash(t.find("caption").text()) for t in tables]
    assert captions == ["收支总表：收入", "收支总表：支出", "一般公共预算支出表", "“三公”经费"]
    # amount header carries the unit; amounts formatted
    assert squash(tables[1].find("thead").find_all("th")[-1].text()) == "金额（万元）"
    assert "1,200.50" in tables[0].text()
    # expenditure total computed
    assert cell_rows(tables[1].find("tfoot")) == [["合计", "1,200.50"]]
    # nested rows indented by level
    rows = tables[2].find("tbody").find_all("tr")
    assert [r.attrs["data-level"] for r in rows] == ["0", "1", "2", "0"]
    assert "gk-level-2" in rows[2].attrs["class"]
    assert squash(rows[1].find("td").text()) == "20103"
    # empty table published with an explanation
    assert "本表无数据" in root.text()
    # chart: first table with rows, with a text alternative
    figure = root.find("figure", class_="gk-figure--chart")
    assert figure.find("svg").attrs["role"] == "img"
    alt = [squash(li.text()) for li in figure.find("ul").find_all("li")]
    assert alt == ["一般公共服务支出：800.00 万元", "社会保障和就业支出：400.50 万元"]
    # three public
    assert cell_rows(tables[3]) == [
        ["项目", "金额（万元）"],
        ["因公出国（境）费", "0.00"],
        ["公务用车购置及运行费", "12.50"],
        ["其中：公务用车购置费", "0.00"],
        ["公务用车运行费", "12.50"],
        ["公务接待费", "3.20"],
        ["合计", "15.70"],
    ]
    assert "本单位2024年收入预算1200.50万元" in root.find("section", class_="gk-notes").text()


def test_budget_minimal(env_any):
    item = budget_item(tables=[dict(name="收支总表", expenditure=[dict(item="支出", amount=Decimal("1"))])],
                       three_public=None, notes=None, unit="", stage="final")
    root = check_common(render(env_any, item))
    assert root.find("section", class_="gk-three-public") is None
    assert root.find("section", class_="gk-notes") is None
    # the chart falls back to the expenditure side
    assert root.find("figure", class_="gk-figure--chart") is not None


@pytest.mark.parametrize("status,zh", [("upcoming", "未开始"), ("open", "公示中"), ("closed", "已结束")])
def test_appointment(env, status, zh):
    today = {"upcoming": dt.date(2024, 6, 2), "open": dt.date(2024, 6, 7), "closed": dt.date(2024, 6, 8)}[status]
    item = appointment_item()
    html = render(env, item, **window_ctx(item, today))
    root = check_common(html)
    p = root.find("p", class_="gk-notice-status")
    assert p.attrs["data-start"] == "2024-06-03" and p.attrs["data-end"] == "2024-06-07"
    assert squash(p.find("span", class_="gk-notice-status__value").text()) == zh
    assert p.attrs["data-label-open"] == "公示中"
    notice = squash(root.find("section", class_="gk-notice").text())
    assert "2024-06-03 至 2024-06-07" in notice and "5 个工作日" in notice
    table = root.find("table", class_="gk-table--persons")
    heads = [squash(th.text()) for th in table.find("thead").find_all("th")]
    assert heads == [
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
    rows = table.find("tbody").find_all("tr")
    assert "青山县某某局局长" in rows[0].text()
    assert "1985-03" in rows[1].text()
    feedback = root.find("section", class_="gk-feedback")
    assert "如对公示对象有异议" in feedback.text()
    assert root.find("a", href="mailto:zzb@qingshan.gov.cn") is not None
    assert "12380" in feedback.text() and "311000" in feedback.text()


def test_appointment_requires_status_and_uses_default_feedback(env):
    with pytest.raises(jinja2.UndefinedError):
        render(env, appointment_item())
    item = appointment_item(feedback=None, notice=dict(start=dt.date(2024, 6, 3), end=dt.date(2024, 6, 7)))
    html = render(env, item, **window_ctx(item), feedback={"phone": "0571-00000001", "email": "yj@qingshan.gov.cn"})
    root = check_common(html)
    feedback = root.find("section", class_="gk-feedback")
    assert "0571-00000001" in feedback.text() and "地址" not in feedback.text()
    assert "5 个工作日" in root.find("section", class_="gk-notice").text()  # derived from the end date
    html = render(env, item, **window_ctx(item))
    assert parse(html).find("section", class_="gk-feedback") is None


def test_work_report(env_any):
    root = check_common(render(env_any, work_report_item()))
    meter = root.find("meter")
    assert meter.attrs["value"] == "1" and meter.attrs["max"] == "4"
    assert "25%" in root.find("section", class_="gk-completion").text()
    badges = [b.attrs["class"] for b in root.find_all("span", class_="gk-badge")]
    assert badges == ["gk-badge gk-badge--plan-done", "gk-badge gk-badge--plan-partial",
                      "gk-badge gk-badge--plan-carried_over", "gk-badge gk-badge--plan-not_done"]
    assert "2024-05" in root.find("dl").text()


def test_work_report_zh(env):
    root = check_common(render(env, work_report_item()))
    assert "已完成 1 项，共 4 项，完成率 25%" in squash(root.text())
    root = check_common(render(env, work_report_item(plans=[dict(task="整理档案")])))  # no status known
    assert root.find("meter").attrs["value"] == "0" and "已完成 0 项，共 1 项" in squash(root.text())


@pytest.mark.parametrize(
    "make",
    [full_article, empty_article, duty_item, fee_item, procedure_item, budget_item, appointment_item, work_report_item],
)
def test_every_type_both_languages(env_any, make):
    item = make()
    html = render(env_any, item, **(window_ctx(item) if item.ctype.window else {}), base="../../")
    check_common(html)
    assert 'href="/' not in html.replace('href="/"', "")  # base applied


# ---------------------------------------------------------------------------
# lists and pages


def some_items():
    a = full_article()
    b = empty_article(validity=REPEALED, index_no="11330100002482066D/2023-00001")
    c = duty_item()
    return [a, c, b]


def test_items_list(env_any):
    html = templates.render_fragment(env_any, "lists/items.html", {"items": some_items()})
    root = check_common(html)
    rows = root.find("tbody").find_all("tr")
    assert len(rows) == 3
    assert rows[0].find("a").attrs["href"] == "/notices/2024-gongkai/"
    assert "gk-row--repealed" in rows[2].attrs["class"]
    assert rows[2].find("span", class_="gk-validity--repealed") is not None
    assert rows[0].find("span", class_="gk-validity") is None  # valid is not marked
    html = templates.render_fragment(env_any, "lists/items.html", {"items": []})
    assert parse(html).find("p", class_="gk-empty") is not None


def test_year_groups(env):
    html = templates.render_fragment(env, "lists/year_groups.html", {"items": some_items()})
    root = check_common(html)
    headings = [squash(h.text()) for h in root.find_all("h2")]
    assert headings == ["2024 年（共 2 条）", "2023 年（共 1 条）"]
    assert len(root.find_all("table")) == 2


@pytest.mark.parametrize("number,count,expected", [
    (1, 1, []),
    (1, 3, ["1", "2", "3", "下一页"]),
    (5, 10, ["上一页", "1", "…", "3", "4", "5", "6", "7", "…", "10", "下一页"]),
    (10, 10, ["上一页", "1", "…", "8", "9", "10"]),
])
def test_pagination(env, number, count, expected):
    urls = ["notices/"] + [f"notices/page/{n}/" for n in range(2, count + 1)]
    page = NS(number=number, count=count, urls=urls,
              prev_url=urls[number - 2] if number > 1 else None,
              next_url=urls[number] if number < count else None)
    html = templates.render_fragment(env, "lists/pagination.html", {"page": page})
    root = check_common(html)
    assert [squash(li.text()) for li in root.find_all("li")] == expected
    if count > 1:
        current = root.find("a", aria_current="page")
        assert squash(current.text()) == str(number)


def test_home(env_any):
    notice = appointment_item()
    ctx = {
        "site": NS(name="青山县人民政府办公室", description="青山县人民政府办公室政府信息公开"),
        "categories": [
            {"category": NOTICES, "items": [full_article()] * 7},
            NS(category=DUTIES, items=[]),
        ],
        "open_now": [{"item": notice, "window": notice.ctype.window(notice.model)}],
        "feeds": [{"title": "RSS", "href": "feed.xml", "type": "application/rss+xml"}],
    }
    root = check_common(templates.render_fragment(env_any, "pages/home.html", ctx))
    assert squash(root.find("h1").text()) == "青山县人民政府办公室"
    sections = root.find_all("section", class_="gk-home__category")
    assert len(sections[0].find("ul").find_all("li")) == 5
    assert sections[1].find("p", class_="gk-empty") is not None
    notices = root.find("section", class_="gk-home__open--appointment")
    assert "2024-06-07" in notices.text()
    assert root.find("a", href="/catalogue/") is not None and root.find("a", href="/feed.xml") is not None


def test_catalogue(env_any):
    items = some_items()
    root = check_common(catalogue_html(None, env_any, items))  # a row per item (pages/catalogue_row.html)
    form = root.find("form", class_="gk-filters")
    assert "hidden" in form.attrs
    assert {s.attrs["data-gk-filter"] for s in form.find_all("select")} == {"category", "year", "topic", "publisher"}
    for select in form.find_all("select"):
        assert root.find("label", for_=select.attrs["id"]) is not None
    rows = root.find("tbody").find_all("tr")
    assert len(rows) == 3
    assert rows[0].attrs["data-category"] == "notices" and rows[0].attrs["data-year"] == "2024"
    assert rows[0].attrs["data-topic"] == "综合政务\\其他"
    assert rows[0].attrs["data-publisher"] == "青山县人民政府办公室"
    assert len(rows[0].find_all("td")) == 7
    assert len(root.find("thead").find_all("th")) == 7


# ---------------------------------------------------------------------------
# mkdocs-material overrides (theme/overrides/main.html)


def build_mkdocs_site(tmp_path, lang="zh"):
    import yaml
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    (docs / "assets").mkdir(parents=True)
    for asset in (THEME / "assets").iterdir():
        (docs / "assets" / asset.name).write_bytes(asset.read_bytes())
    (docs / "about").mkdir()
    (docs / "about" / "index.md").write_text("# 关于本站\n", encoding="utf-8")
    (docs / "shell.md").write_text("---\ngk_shell: true\ntitle: 通知公告\n---\n<!-- gk:content -->\n", encoding="utf-8")
    (docs / "generated.md").write_text(
        '---\ngk_generated: true\ntitle: "@@GK-TITLE@@"\ngk_head: "<!--GK-HEAD-->"\n---\n<!--GK-CONTENT-->\n',
        encoding="utf-8",
    )
    (docs / "index.md").write_text(
        "---\n"
        + yaml.safe_dump({
            "gk_meta": {
                "SiteName": "青山县人民政府办公室", "SiteDomain": "www.qingshan.gov.cn", "SiteIDCode": "3301000001",
                "ColumnName": "通知公告", "ColumnType": None, "ArticleTitle": '关于"测试"<的>通知',
                "PubDate": "2024-05-08", "Keywords": ["政务公开", "通知"], "Description": "",
            },
            "gk_feeds": [{"title": "通知公告", "href": "feeds/notices.xml", "type": "application/rss+xml"}],
            "gk_draft": True,
        }, allow_unicode=True)
        + "---\n# 首页\n",
        encoding="utf-8",
    )
    config = {
        "site_name": "青山县人民政府办公室",
        "site_url": "https://www.qingshan.gov.cn/",
        "docs_dir": str(docs),
        "site_dir": str(tmp_path / "site"),
        "theme": {"name": "material", "custom_dir": str(THEME / "overrides"), "language": lang, "font": False},
        "extra_css": ["assets/gongkai.css"],
        "extra_javascript": ["assets/gongkai.js"],
        "extra": {
            "generator": False,
            "gongkai": {
                "identity": {"sponsor": "青山县人民政府办公室", "site_code": "3301000001",
                             "icp": "浙ICP备00000000号", "public_security": "浙公网安备33010000000000号"},
                "organization": {"name": "青山县人民政府办公室", "address": "青山县人民路1号", "postcode": "311000",
                                 "phone": "0571-00000000", "email": "gk@qingshan.gov.cn"},
                "strings": templates.load_strings(THEME, lang),
            },
        },
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    build(load_config(str(tmp_path / "mkdocs.yml")))
    home, about = tmp_path / "site" / "index.html", tmp_path / "site" / "about" / "index.html"
    return home.read_text(encoding="utf-8"), about.read_text(encoding="utf-8")


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_mkdocs_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    home, about = build_mkdocs_site(tmp_path)
    metas = dict(re.findall(r'<meta name="([A-Z]\w+)" content="([^"]*)"', home))
    assert metas == {
        "SiteName": "青山县人民政府办公室", "SiteDomain": "www.qingshan.gov.cn", "SiteIDCode": "3301000001",
        "ColumnName": "通知公告", "ArticleTitle": "关于&#34;测试&#34;&lt;的&gt;通知", "PubDate": "2024-05-08",
        "Keywords": "政务公开,通知",
    }
    assert re.search(
        r'<link rel="alternate feed" type="application/rss\+xml" title="通知公告" href="feeds/notices.xml">', home
    )
    assert 'class="gk-banner gk-banner--draft"' in home and "gk-banner" not in about

    footer = home[home.index('<footer class="md-footer gk-footer">'):]
    for text in ("主办单位：", "青山县人民政府办公室", "联系地址：", "青山县人民路1号（邮编：311000）", "0571-00000000",
                 'href="mailto:gk@qingshan.gov.cn"', "网站标识码：", "3301000001",
                 '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">浙ICP备00000000号</a>',
                 'href="https://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33010000000000"',
                 'href="pages/about/"', "无障碍"):
        assert text in footer, text
    # no resource from another host: fonts off, assets local
    for page in (home, about):
        for tag, url in re.findall(r"<(link|script|img)\b[^>]*?(?:href|src)=\"([^\"]+)\"", page):
            if tag == "link" and ('rel="canonical"' in page and url.startswith("https://www.qingshan.gov.cn/")):
                continue
            assert not re.match(r"^(https?:)?//", url), (tag, url)
        assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
    assert 'href="assets/gongkai.css"' in home and 'src="assets/gongkai.js"' in home
    shell = (tmp_path / "site" / "shell" / "index.html").read_text(encoding="utf-8")
    article = shell[shell.index('<article class="md-content__inner md-typeset">'):shell.index("</article>")]
    assert "<!-- gk:content -->" in article and "<h1" not in article
    assert "<h1" in about
    generated = (tmp_path / "site" / "generated" / "index.html").read_text(encoding="utf-8")
    head = generated[: generated.index("</head>")]
    assert head.count("<!--GK-HEAD-->") == 1
    assert "<title>@@GK-TITLE@@ - 青山县人民政府办公室</title>" in head
    assert 'rel="canonical"' not in head and 'name="description"' not in head  # gongkai's head brings them
    article = generated[generated.index('<article class="md-content__inner md-typeset">'):generated.index("</article>")]
    assert article.count("<!--GK-CONTENT-->") == 1 and "<h1" not in article


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_mkdocs_footer_english(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    home, _ = build_mkdocs_site(tmp_path, lang="en")
    footer = home[home.index('<footer class="md-footer gk-footer">'):]
    assert "Sponsor: " in footer and "(postcode 311000)" in footer and "：" not in footer


# ---------------------------------------------------------------------------
# assets


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_css_status_colours_meet_wcag_aa():
    css = (THEME / "assets" / "gongkai.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--(gk-[\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [(name, name + "-bg") for name in ("gk-green", "gk-amber", "gk-red", "gk-blue", "gk-grey")]
    for fg, bg in pairs:
        assert contrast(variables[fg], variables[bg]) >= 4.5, (fg, bg)
    # white text on the repealed / expired marks and on the current page number
    assert contrast("#ffffff", variables["gk-red"]) >= 4.5
    assert contrast("#ffffff", "#605e5c") >= 4.5
    assert contrast("#ffffff", variables["gk-accent"]) >= 4.5
    # every rule with colour and background uses the pairs above
    for rule in re.findall(r"\{([^}]*)\}", css):
        colour = re.search(r"(?<![-\w])color:\s*var\(--(gk-[\w-]+)\)", rule)
        background = re.search(r"background:\s*var\(--(gk-[\w-]+)\)", rule)
        if colour and background:
            assert contrast(variables[colour.group(1)], variables[background.group(1)]) >= 4.5, rule


def test_css_basics():
    css = (THEME / "assets" / "gongkai.css").read_text(encoding="utf-8")
    assert (
        '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
        in css
    )
    assert "@media print" in css and "attr(href)" in css and "break-inside: avoid" in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)  # nothing from another host
    assert "@import" not in css and "@font-face" not in css
    assert css.count("{") == css.count("}")


NODE_CHECK = r"""
const fs = require("fs");
const listeners = {};
global.window = { addEventListener: (n, f) => { listeners[n] = f; }, setTimeout: setTimeout };
global.document = {
  readyState: "complete",
  documentElement: { lang: "zh" },
  querySelectorAll: () => [],
  querySelector: () => null,
  addEventListener: () => {},
};
eval(fs.readFileSync(process.argv[1], "utf8"));
const g = window.gongkai;
const out = [
  g.noticeStatus("2024-06-03", "2024-06-07", "2024-06-02"),
  g.noticeStatus("2024-06-03", "2024-06-07", "2024-06-03"),
  g.noticeStatus("2024-06-03", "2024-06-07", "2024-06-07"),
  g.noticeStatus("2024-06-03", "2024-06-07", "2024-06-08"),
  /^\d{4}-\d{2}-\d{2}$/.test(g.todayIn("Asia/Shanghai")),
];
console.log(JSON.stringify(out));
"""


def test_js_notice_status_rule():
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    script = THEME / "assets" / "gongkai.js"
    subprocess.run([node, "--check", str(script)], check=True)
    result = subprocess.run([node, "-e", NODE_CHECK, str(script)], check=True, capture_output=True, text=True)
    assert json.loads(result.stdout) == ["upcoming", "open", "open", "closed", True]
    source = script.read_text(encoding="utf-8")
    assert "http" not in source.replace("https://", "")  # no remote fetch
    assert "innerHTML" not in source and "eval(" not in source
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    assert not re.search(r"\bimport\s*\(", code), (
        "import() belongs in gongkai-import.js (older browsers must still parse gongkai.js)"
    )
    importer = (THEME / "assets" / "gongkai-import.js").read_text(encoding="utf-8")
    assert "window.gongkaiImport = function (url) { return import(url); };" in importer


def test_pagefind_attributes(env):
    root = check_common(render(env, full_article()))
    body = root.find("div", class_="gk-item")
    assert "data-pagefind-body" in body.attrs
    assert root.find("h1").attrs["data-pagefind-meta"] == "title"
    # the catalogue header is not indexed text: excerpts come from the content
    assert "data-pagefind-ignore" in root.find("table", class_="gk-catalogue").attrs
    data = root.find("div", class_="gk-search-data")
    assert "hidden" in data.attrs
    meta = {
        n.attrs["data-pagefind-meta"].split("[")[0]: n.attrs["data-value"]
        for n in data.find_all()
        if "data-pagefind-meta" in n.attrs
    }
    filters = {
        n.attrs["data-pagefind-filter"].split("[")[0]: n.attrs["data-value"]
        for n in data.find_all()
        if "data-pagefind-filter" in n.attrs
    }
    # names are shown by Pagefind's UI: they come from t.search_keys
    assert meta == {"索引号": "11330100002482066D/2024-00012", "发布日期": "2024-05-08", "类别": "通知公告"}
    assert filters == {
        "类别": "通知公告",
        "年份": "2024",
        "主题分类": "综合政务\\其他",
        "发布机构": "青山县人民政府办公室",
        "信息类型": "文件",
        "有效性": "有效",
    }
    for hidden in (full_article(status=DRAFT), full_article(withdrawn=dict(date=dt.date(2024, 7, 1), reason="错"))):
        html = render(env, hidden)
        assert "data-pagefind" not in html


def test_budget_table_note_and_procedure_form_path(env):
    tables = budget_item().model.model_dump()["tables"]
    tables[2]["note"] = "本单位无政府性基金预算财政拨款收支。"
    tables[1]["note"] = "按功能分类列示。"
    item = budget_item(tables=tables)
    root = check_common(render(env, item))
    notes = [squash(p.text()) for p in root.find_all("p", class_="gk-table-note")]
    assert notes == ["按功能分类列示。", "本单位无政府性基金预算财政拨款收支。"]
    assert "本表无数据" not in root.text()
    form = "content/attachments/forms/申请表.docx"
    item = procedure_item(materials=[dict(name="申请表", copies=1, original=True, form=form)])
    root = check_common(render(env, item, base="../../"))
    link = root.find("a", class_="gk-download")
    assert link.attrs["href"] == "../../attachments/forms/申请表.docx"


def test_lead_pages_have_their_strings(env_any):
    """pages/category, subscribe, data and search (written by the lead) find every UI string."""
    feed = NS(title="通知公告 (RSS)", url="feeds/notices.rss.xml", kind="rss", mime="application/rss+xml")
    section = NS(key="notices", title="通知公告", description="本机关发布的通知", url="notices/", children=[], trail=[])
    section.trail = [NS(title="政务公开", url="gk/"), section]
    page = {
        "number": 2,
        "count": 3,
        "urls": ["notices/", "notices/page/2/", "notices/page/3/"],
        "prev_url": "notices/",
        "next_url": "notices/page/3/",
    }
    items = some_items()
    ctx = {
        "section": section,
        "items": items,
        "page": page,
        "year_counts": {2024: 60, 2023: 40},
        "total": 100,
        "feeds": [feed],
        "base": "../../",
    }
    check_common(templates.render_fragment(env_any, "pages/category.html", ctx))
    check_common(
        templates.render_fragment(
            env_any,
            "pages/subscribe.html",
            {"groups": [{"section": None, "feeds": [feed]}, {"section": section, "feeds": [feed]}]},
        )
    )
    dataset = NS(
        path="data/catalogue.json",
        title="信息公开目录",
        description="全部条目",
        records=3,
        data=b"[]",
        schema_path=None,
    )
    check_common(
        templates.render_fragment(env_any, "pages/data.html", {"datasets": [dataset], "sitemap": "sitemap.xml"})
    )
    check_common(
        templates.render_fragment(
            env_any,
            "pages/search.html",
            {"org": "11330100002482066D", "bundles": ["pagefind/2024/", "pagefind/2020-2023/"]},
        )
    )


def test_catalogue_rows_are_rendered_once_per_version(env_any):
    """An update renders the rows of the items it changed, not the whole catalogue."""
    items = some_items()
    for number, item in enumerate(items):
        item.memo = FileMemo((0, 0, 0, number), item.type, None, head=f"head-{number}".encode())
    rows: dict = {}
    first = catalogue_html(None, env_any, items, rows)
    assert len(rows) == len(items)
    stale = next(iter(rows))
    rows[stale] = Markup('<tr data-category="kept"><td>kept</td></tr>\n')
    assert "kept" in catalogue_html(None, env_any, items, rows), "an unchanged item's row is taken as it was"
    items[0].memo.head = b"edited"
    again = catalogue_html(None, env_any, items, dict.fromkeys(rows, Markup("<tr><td>old</td></tr>\n")))
    assert again.count("<td>old</td>") == len(items) - 1 and first.count("<tr") == again.count("<tr")
