"""Open data: the catalogue as JSON and CSV, per-type datasets, their JSON Schemas,
`sitemap.xml` and `robots.txt`.

Records are pydantic models, so each JSON file and the JSON Schema published beside it
come from one definition and cannot disagree. CSV files are UTF-8 with a BOM so that
Excel opens Chinese text correctly; their header row carries the Chinese labels. A cell
that a spreadsheet would run as a formula is neutralised (`cell`). Every URL written
(records, sitemap) is percent-encoded (`encode_url`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from urllib.parse import quote
from xml.sax.saxutils import escape

from pydantic import BaseModel, Field, TypeAdapter

from generator.render.pages import permalink_url
from generator.site import Entry, Site


class CatalogueRecord(BaseModel):
    index_no: str | None = Field(None, title="索引号")
    title: str = Field(title="标题")
    category: str = Field(title="栏目键")
    category_title: str = Field(title="栏目")
    type: str = Field(title="类型")
    topic: str | None = Field(None, title="主题分类")
    publisher: str = Field(title="发布机构")
    written: dt.date | None = Field(None, title="成文日期")
    published: dt.date = Field(title="发布日期")
    updated: dt.date = Field(title="更新日期")
    doc_no: str | None = Field(None, title="发文字号")
    validity: str = Field(title="有效性")
    keywords: list[str] = Field(default_factory=list, title="主题词")
    summary: str | None = Field(None, title="内容概述")
    url: str = Field(title="网址")
    permalink: str | None = Field(None, title="永久链接")


class FeeRecord(BaseModel):
    index_no: str | None = Field(None, title="索引号")
    title: str = Field(title="收费目录标题")
    department: str | None = Field(None, title="执收单位")
    name: str = Field(title="项目名称")
    standard: str | None = Field(None, title="收费标准")
    amount: Decimal | None = Field(None, title="金额")
    unit: str | None = Field(None, title="计量单位")
    basis: str | None = Field(None, title="收费依据")
    management: str | None = Field(None, title="资金管理方式")
    level: str | None = Field(None, title="设立级次")
    note: str | None = Field(None, title="备注")
    url: str = Field(title="网址")


class RowRecord(BaseModel):
    code: str | None = Field(None, title="科目编码")
    item: str = Field(title="项目")
    amount: Decimal = Field(title="金额")
    children: list["RowRecord"] = Field(default_factory=list, title="明细")


class TableRecord(BaseModel):
    name: str = Field(title="表名")
    income: list[RowRecord] = Field(default_factory=list, title="收入")
    expenditure: list[RowRecord] = Field(default_factory=list, title="支出")
    rows: list[RowRecord] = Field(default_factory=list, title="行")
    note: str | None = Field(None, title="说明")


class BudgetRecord(BaseModel):
    index_no: str | None = Field(None, title="索引号")
    title: str = Field(title="标题")
    publisher: str = Field(title="发布机构")
    fiscal_year: int = Field(title="预算年度")
    stage: str = Field(title="类别")
    unit: str = Field(title="单位")
    published: dt.date = Field(title="发布日期")
    tables: list[TableRecord] = Field(default_factory=list, title="表格")
    three_public: dict[str, Decimal | None] | None = Field(None, title="“三公”经费")
    url: str = Field(title="网址")


class ProcedureRecord(BaseModel):
    index_no: str | None = Field(None, title="索引号")
    title: str = Field(title="事项名称")
    publisher: str = Field(title="发布机构")
    published: dt.date = Field(title="发布日期")
    service: dict = Field(title="事项")
    url: str = Field(title="网址")


@dataclass(frozen=True)
class Dataset:
    path: str  # site-relative
    title: str
    description: str
    records: int
    data: bytes
    schema_path: str | None = None
    schema: bytes | None = None


URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # reserved characters and escapes stay; the rest is encoded


def encode_url(url: str) -> str:
    """A URL as an address may be written (RFC 3986): Chinese file names and spaces
    percent-encoded as UTF-8 (`通知/` → `%E9%80%9A%E7%9F%A5/`), escapes already there
    kept, so encoding twice changes nothing."""
    return quote(url, safe=URL_SAFE)


def _absolute(site: Site, url: str) -> str:
    return encode_url(site.config.site.url + url)


def catalogue_records(site: Site, listed: list[Entry]) -> list[CatalogueRecord]:
    return [
        CatalogueRecord(
            index_no=e.model.index_no,
            title=e.model.title,
            category=e.category.key,
            category_title=e.category.title,
            type=e.type,
            topic=e.model.topic,
            publisher=e.publisher_name,
            written=e.model.written,
            published=e.model.published,
            updated=e.updated,
            doc_no=e.model.doc_no,
            validity=e.model.validity.value,
            keywords=list(e.model.keywords),
            summary=e.model.summary,
            url=_absolute(site, e.url),
            permalink=_absolute(site, permalink_url(e.model.index_no)) if e.model.index_no else None,
        )
        for e in listed
    ]


def _rows(rows) -> list[RowRecord]:
    """Copied from validated budget rows, so not validated again (0.3 s per 500 budgets)."""
    return [RowRecord.model_construct(code=r.code, item=r.item, amount=r.amount, children=_rows(r.children)) for r in rows]


def budget_records(site: Site, listed: list[Entry]) -> list[BudgetRecord]:
    records = []
    for e in listed:
        if e.type != "budget":
            continue
        m = e.model
        records.append(
            BudgetRecord(
                index_no=m.index_no,
                title=m.title,
                publisher=e.publisher_name,
                fiscal_year=m.fiscal_year,
                stage=m.stage.value,
                unit=m.unit,
                published=m.published,
                tables=[TableRecord(name=t.name, income=_rows(t.income), expenditure=_rows(t.expenditure), rows=_rows(t.rows), note=t.note) for t in m.tables],
                three_public=m.three_public.model_dump() if m.three_public else None,
                url=_absolute(site, e.url),
            )
        )
    return records


def fee_records(site: Site, listed: list[Entry]) -> list[FeeRecord]:
    return [
        FeeRecord(index_no=e.model.index_no, title=e.model.title, department=e.model.department, url=_absolute(site, e.url), **row.model_dump())
        for e in listed
        if e.type == "fee"
        for row in e.model.items
    ]


def procedure_records(site: Site, listed: list[Entry]) -> list[ProcedureRecord]:
    return [
        ProcedureRecord(
            index_no=e.model.index_no,
            title=e.model.title,
            publisher=e.publisher_name,
            published=e.model.published,
            service=e.model.service.model_dump(mode="json"),
            url=_absolute(site, e.url),
        )
        for e in listed
        if e.type == "procedure"
    ]


@lru_cache(maxsize=None)
def _adapter(model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(list[model])


def _json(records: list[BaseModel]) -> bytes:
    """The records as indented JSON (pydantic's serializer: the bytes `json.dumps(...,
    ensure_ascii=False, indent=1)` gives, ten times faster at 10,000 records)."""
    if not records:
        return b"[]\n"
    return _adapter(type(records[0])).dump_json(records, indent=1) + b"\n"


def _schema(model: type[BaseModel], title: str, site: Site, path: str) -> bytes:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _absolute(site, path),
        "title": title,
        "type": "array",
        "items": model.model_json_schema(ref_template="#/$defs/{model}"),
    }
    defs = schema["items"].pop("$defs", None)
    if defs:
        schema["$defs"] = defs
    return (json.dumps(schema, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what a spreadsheet may run as a formula
_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")


def cell(value) -> str:
    """One CSV cell as text. A text starting like a formula (`=HYPERLINK(…)`, `+1`, `@SUM`,
    a tab or CR) gets a leading `'`, so Excel and LibreOffice show it instead of running
    it (OWASP CSV injection). A plain number (`-12.50`) is no formula and stays a number."""
    if value is None:
        return ""
    text = "；".join(value) if isinstance(value, list) else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv(model: type[BaseModel], records: list[BaseModel]) -> bytes:
    fields = list(model.model_fields)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([model.model_fields[f].title or f for f in fields])
    for data in _adapter(model).dump_python(records, mode="json"):
        writer.writerow([cell(data[f]) for f in fields])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")


class AnnualReportRecord(BaseModel):
    """A 年报's tables as published (counts only: nothing of the request log but its counts)."""

    index_no: str | None = Field(None, title="索引号")
    title: str = Field(title="标题")
    year: int = Field(title="报告年度")
    published: dt.date = Field(title="发布日期")
    proactive: dict[str, dict[str, int] | int | Decimal | None] = Field(title="二、主动公开政府信息情况")
    requests: dict[str, dict[str, int]] = Field(title="三、收到和处理政府信息公开申请情况（行 → 申请人 → 件数）")
    reviews: dict[str, dict[str, int]] = Field(title="四、行政复议、行政诉讼情况")
    url: str = Field(title="网址")


def annual_report_records(site: Site, listed: list[Entry]) -> list[AnnualReportRecord]:
    from generator.annual import compute
    from generator.model.annual_report import AnnualReport

    records = []
    for e in listed:
        if isinstance(e.model, AnnualReport):
            t = compute(e.model, site)
            records.append(AnnualReportRecord(
                index_no=e.model.index_no, title=e.model.title, year=e.model.year, published=e.model.published,
                proactive=t.proactive, requests=t.requests, reviews=t.reviews, url=_absolute(site, e.url),
            ))  # fmt: skip
    return records


def datasets(site: Site, listed: list[Entry]) -> list[Dataset]:
    """Every open-data file, computed in memory (the 数据开放 page lists them)."""
    catalogue = catalogue_records(site, listed)
    fees, budgets, procedures = fee_records(site, listed), budget_records(site, listed), procedure_records(site, listed)
    out = [
        Dataset("data/catalogue.json", "政府信息公开目录（JSON）", "全部已发布条目的目录信息", len(catalogue), _json(catalogue), "data/catalogue.schema.json", _schema(CatalogueRecord, "政府信息公开目录", site, "data/catalogue.schema.json")),
        Dataset("data/catalogue.csv", "政府信息公开目录（CSV）", "同上，UTF-8 编码（带 BOM），可用 Excel 打开", len(catalogue), _csv(CatalogueRecord, catalogue)),
        Dataset("data/fees.csv", "行政事业性收费目录（CSV）", "每个收费项目一行", len(fees), _csv(FeeRecord, fees)),
        Dataset("data/budgets.json", "预算、决算（JSON）", "各预决算表格，科目逐级嵌套", len(budgets), _json(budgets), "data/budgets.schema.json", _schema(BudgetRecord, "预算、决算", site, "data/budgets.schema.json")),
        Dataset("data/procedures.json", "办事指南（JSON）", "各办事事项的全部要素", len(procedures), _json(procedures), "data/procedures.schema.json", _schema(ProcedureRecord, "办事指南", site, "data/procedures.schema.json")),
    ]
    reports = annual_report_records(site, listed)
    if reports:
        out.append(Dataset(
            "data/annual-reports.json", "政府信息公开工作年度报告（JSON）", "各年报第二、三、四部分的表格（2021 年格式）",
            len(reports), _json(reports), "data/annual-reports.schema.json",
            _schema(AnnualReportRecord, "政府信息公开工作年度报告", site, "data/annual-reports.schema.json"),
        ))  # fmt: skip
    return out


def sitemap(site: Site, urls: list[tuple[str, dt.date | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in urls:
        loc = escape(_absolute(site, url))
        lines.append(f"  <url><loc>{loc}</loc>" + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\nDisallow: /i/\nSitemap: {_absolute(site, 'sitemap.xml')}\n".encode("utf-8")
