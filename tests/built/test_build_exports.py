"""Open data (issue 4): the catalogue as JSON and CSV, fees, budgets and procedures, each
JSON file against the JSON Schema published beside it; sitemap.xml, robots.txt and the
数据开放 page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from lxml import etree

from buildkit import DEMO_SITE, Source, article, by_class, one, text, validate_schema

SOURCE = Source(DEMO_SITE)
BASE = SOURCE.base_url
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
CATALOGUE_HEADER = [
    "索引号",
    "标题",
    "栏目键",
    "栏目",
    "类型",
    "主题分类",
    "发布机构",
    "成文日期",
    "发布日期",
    "更新日期",
    "发文字号",
    "有效性",
    "主题词",
    "内容概述",
    "网址",
    "永久链接",
]
FEE_HEADER = [
    "索引号",
    "收费目录标题",
    "执收单位",
    "项目名称",
    "收费标准",
    "金额",
    "计量单位",
    "收费依据",
    "资金管理方式",
    "设立级次",
    "备注",
    "网址",
]


def load_json(built, name):
    return json.loads(built.file(f"data/{name}").read_text(encoding="utf-8"))


def load_csv(built, name) -> tuple[bytes, list[list[str]]]:
    raw = built.file(f"data/{name}").read_bytes()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def expected_catalogue_record(item) -> dict:
    category = SOURCE.categories[item.category]
    return {
        "index_no": item.index_no,
        "title": item.title,
        "category": item.category,
        "category_title": category.title,
        "type": category.type,
        "topic": item.topic,
        "publisher": SOURCE.publisher(item),
        "written": item.written,
        "published": item.published,
        "updated": item.updated,
        "doc_no": item.doc_no,
        "validity": item.validity_value,
        "keywords": item.keywords,
        "summary": item.summary,
        "url": BASE + item.url,
        "permalink": f"{BASE}i/{item.index_no}/" if item.index_no else None,
    }


# ---------------------------------------------------------------------------
# catalogue


def test_catalogue_json_holds_every_listed_item_with_its_fields(demo):
    records = load_json(demo, "catalogue.json")
    assert records == [expected_catalogue_record(i) for i in SOURCE.listed()]
    assert len(records) == len([i for i in SOURCE.items if i.listed]) > 60


def test_catalogue_csv_is_utf8_with_bom_and_round_trips(demo):
    raw, rows = load_csv(demo, "catalogue.csv")
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    assert b"\r\n" in raw
    assert rows[0] == CATALOGUE_HEADER
    expected = []
    for item in SOURCE.listed():
        record = expected_catalogue_record(item)
        expected.append(
            ["；".join(v) if isinstance(v, list) else ("" if v is None else str(v)) for v in record.values()]
        )
    assert rows[1:] == expected


def test_catalogue_csv_and_json_agree(demo):
    records = load_json(demo, "catalogue.json")
    _, rows = load_csv(demo, "catalogue.csv")
    assert [r[0] for r in rows[1:]] == [r["index_no"] or "" for r in records]
    assert [r[1] for r in rows[1:]] == [r["title"] for r in records]


# ---------------------------------------------------------------------------
# fees, budgets, procedures


def test_fees_csv_has_one_row_per_fee_item(demo):
    raw, rows = load_csv(demo, "fees.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0] == FEE_HEADER
    expected = []
    for item in SOURCE.listed():
        if SOURCE.categories[item.category].type != "fee":
            continue
        for fee in item.get("items"):
            amount = "" if fee.get("amount") is None else fee["amount"]
            values = [
                item.index_no,
                item.title,
                item.get("department"),
                fee["name"],
                fee.get("standard"),
                amount,
                fee.get("unit"),
                fee.get("basis"),
                fee.get("management"),
                fee.get("level"),
                fee.get("note"),
                BASE + item.url,
            ]
            expected.append(["" if v is None else str(v) for v in values])
    got = [row[:5] + [str(Decimal(row[5])) if row[5] else ""] + row[6:] for row in rows[1:]]
    want = [row[:5] + [str(Decimal(row[5])) if row[5] else ""] + row[6:] for row in expected]
    assert got == want
    assert len(got) == sum(len(i.get("items")) for i in SOURCE.listed() if SOURCE.categories[i.category].type == "fee")


def same_rows(exported: list[dict], source: list[dict] | None) -> bool:
    source = source or []
    if len(exported) != len(source):
        return False
    for out, src in zip(exported, source):
        if out["item"] != src["item"] or Decimal(str(out["amount"])) != Decimal(str(src["amount"])):
            return False
        if (out["code"] or None) != (str(src["code"]) if src.get("code") is not None else None):
            return False
        if not same_rows(out["children"], src.get("children")):
            return False
    return True


def test_budgets_json_has_the_nested_rows_of_the_source(demo):
    records = {r["index_no"]: r for r in load_json(demo, "budgets.json")}
    budgets = [i for i in SOURCE.listed() if SOURCE.categories[i.category].type == "budget"]
    assert set(records) == {i.index_no for i in budgets}
    for item in budgets:
        record = records[item.index_no]
        assert (record["fiscal_year"], record["stage"], record["unit"], record["published"], record["url"]) == (
            item.get("fiscal_year"), item.get("stage"), item.get("unit") or "万元", item.published, BASE + item.url,
        )  # fmt: skip
        assert [t["name"] for t in record["tables"]] == [t["name"] for t in item.get("tables")]
        for exported, source in zip(record["tables"], item.get("tables")):
            for side in ("income", "expenditure", "rows"):
                assert same_rows(exported[side], source.get(side)), f"{item.rel}: {source['name']} {side}"
        three = {k: Decimal(str(v)) for k, v in record["three_public"].items() if v is not None}
        assert three == {k: Decimal(str(v)) for k, v in item.get("three_public").items() if v is not None}
    deepest = max(len(json.dumps(r)) for r in records.values())
    assert deepest > 1000


def test_procedures_json_has_every_element_of_the_source(demo):
    records = {r["index_no"]: r for r in load_json(demo, "procedures.json")}
    guides = [i for i in SOURCE.listed() if SOURCE.categories[i.category].type == "procedure"]
    assert set(records) == {i.index_no for i in guides}
    for item in guides:
        record = records[item.index_no]
        assert (record["title"], record["publisher"], record["published"], record["url"]) == (
            item.title,
            SOURCE.publisher(item),
            item.published,
            BASE + item.url,
        )
        service, source = record["service"], item.get("service")
        for key, value in source.items():
            if key in ("materials", "steps", "faq"):
                assert [{k: v for k, v in row.items() if v is not None} for row in service[key]] == value, (
                    f"{item.rel}: {key}"
                )
            else:
                assert service[key] == (str(value) if key in ("complaint_phone", "phone", "fee") else value), (
                    f"{item.rel}: {key}"
                )
        assert all(v in (None, [], "") for k, v in service.items() if k not in source)


@pytest.mark.parametrize("name", ["catalogue", "budgets", "procedures", "procurement"])
def test_json_validates_against_its_published_schema(demo, name):
    schema = load_json(demo, f"{name}.schema.json")
    assert schema["$id"] == f"{BASE}data/{name}.schema.json"
    assert schema["type"] == "array" and schema["items"]["required"]
    data = load_json(demo, f"{name}.json")
    assert data, "a schema is only tested against data"
    errors = validate_schema(data, schema)
    assert errors == []


def test_the_schema_check_rejects_bad_data(demo):
    """validate_schema is our stand-in for jsonschema (not installed): it must fail too."""
    schema = load_json(demo, "budgets.schema.json")
    record = load_json(demo, "budgets.json")[0]
    broken = json.loads(json.dumps(record))
    del broken["tables"][0]["income"][0]["item"]
    broken["fiscal_year"] = "2024"
    broken["published"] = "24-01-01"
    errors = validate_schema([broken], schema)
    assert any("missing required 'item'" in e for e in errors)
    assert any("fiscal_year" in e for e in errors)
    assert any("published" in e and "date" in e for e in errors)


# ---------------------------------------------------------------------------
# sitemap, robots.txt


def test_sitemap_lists_the_listed_items_and_pages(demo):
    root = etree.parse(str(demo.file("sitemap.xml"))).getroot()
    entries = {
        url.findtext("s:loc", namespaces=SITEMAP): url.findtext("s:lastmod", namespaces=SITEMAP)
        for url in root.xpath("//s:url", namespaces=SITEMAP)
    }
    urls = {loc.removeprefix(BASE): lastmod for loc, lastmod in entries.items()}
    assert all(loc.startswith(BASE) for loc in entries)
    for item in SOURCE.listed():
        assert urls.get(item.url, "missing") == item.updated, item.rel
    assert {"", "catalogue/"} | {f"{k}/" for k in SOURCE.categories} | {
        f"pages/{slug}/" for slug, _ in SOURCE.free_pages()
    } <= set(urls)
    hidden = {i.url for i in SOURCE.items if not i.listed}
    assert not hidden & set(urls)
    assert all(demo.exists(url) for url in urls), "every URL of the sitemap is a page of the build"
    assert not any(url.startswith("i/") for url in urls), "no redirects in the sitemap"
    for lastmod in filter(None, urls.values()):
        dt.date.fromisoformat(lastmod)


def test_robots_txt_points_to_the_sitemap(demo):
    lines = demo.file("robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /" not in lines, "the site itself may be crawled"


# ---------------------------------------------------------------------------
# 数据开放


def test_data_page_links_every_file(demo):
    page = article(demo.page("data/"))
    hrefs = {demo.resolve("data/", a.get("href")) for a in page.xpath(".//a[@href]")}
    files = {f"data/{p.name}" for p in (demo.root / "data").iterdir() if p.name != "index.html"}
    assert files >= {
        "data/catalogue.json",
        "data/catalogue.csv",
        "data/fees.csv",
        "data/budgets.json",
        "data/procedures.json",
    }
    assert files | {"sitemap.xml", "subscribe/"} <= hrefs, f"not linked: {sorted(files - hrefs)}"
    assert all(demo.exists(h) for h in hrefs)


def test_data_page_states_record_counts(demo):
    table = one(by_class(article(demo.page("data/")), "gk-table--data", "table"))
    counts = {
        demo.resolve("data/", tr.xpath("./th/a")[0].get("href")): text(tr.xpath("./td")[1])
        for tr in table.xpath("./tbody/tr")
    }
    assert counts["data/catalogue.json"] == counts["data/catalogue.csv"] == str(len(SOURCE.listed()))
    assert counts["data/budgets.json"] == str(len(load_json(demo, "budgets.json")))
    assert counts["data/procedures.json"] == str(len(load_json(demo, "procedures.json")))
    assert counts["data/fees.csv"] == str(len(load_csv(demo, "fees.csv")[1]) - 1)
    schemas = {demo.resolve("data/", a.get("href")) for a in table.xpath(".//td/a")}
    assert counts["data/annual-reports.json"] == str(len(load_json(demo, "annual-reports.json")))
    names = ("catalogue", "budgets", "procedures", "procurement", "annual-reports")
    assert schemas == {f"data/{name}.schema.json" for name in names}
