"""Open data: the catalogue as JSON and CSV, per-type datasets, their JSON Schemas,
`sitemap.xml` and `robots.txt`.

Records are pydantic models, so each JSON file and the JSON Schema published beside it
come from one definition and cannot disagree. A type's datasets are declared with the
type (`ContentType.datasets`) and their records are made from its model. CSV files are
UTF-8 with a BOM so that Excel opens Chinese text correctly; their header row carries the
Chinese labels. A cell that a spreadsheet would run as a formula is neutralised (`cell`).
Every URL written (records, sitemap) is percent-encoded (`encode_url`).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, Field, TypeAdapter, create_model
from pydantic.fields import FieldInfo

from generator.model.capabilities import Dataset as TypeDataset
from generator.model.registry import TYPES, ContentType
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


def catalogue_record(site: Site, e: Entry) -> CatalogueRecord:
    """An entry's row of the catalogue."""
    return CatalogueRecord(
        index_no=e.index_no,
        title=e.model.title,
        category=e.category.key,
        category_title=e.category.title,
        type=e.type,
        topic=e.model.topic,
        publisher=e.publisher_name,
        written=e.model.written,
        published=e.published,
        updated=e.updated,
        doc_no=e.model.doc_no,
        validity=e.model.validity.value,
        keywords=list(e.model.keywords),
        summary=e.model.summary,
        url=_absolute(site, e.url),
        permalink=_absolute(site, permalink_url(e.index_no)) if e.index_no else None,
    )


@cache
def record_model(ctype: ContentType, spec: TypeDataset) -> type[BaseModel]:
    """The record of a type's dataset, made from the type's model: the item fields the
    dataset names (their types, bounds and Chinese titles), then the fields of a row when
    there is one record per row, then the address. Nothing is declared twice."""
    item = ctype.model.model_fields
    fields: dict = {}
    for name in spec.fields:
        info = item[name]
        title = spec.title_label if name == "title" and spec.title_label else info.title
        if name == "publisher":  # the organisation's name, filled in when the item has none
            fields[name] = (str, Field(title=title))
        else:
            fields[name] = _copy(info, title)
    for group in spec.nested:  # a group's fields spread into the record, optional when the group is
        info = item[group]
        optional = not info.is_required()
        for name, sub in _group_model(info.annotation).model_fields.items():
            annotation, field_info = _copy(sub, sub.title)
            if optional:
                annotation, field_info = annotation | None, Field(None, title=sub.title, description=sub.description)
            fields[name] = (annotation, field_info)
    if spec.rows:
        row_model = _inner(ctype.model.model_fields[spec.rows].annotation)
        fields.update({name: _copy(info, info.title) for name, info in row_model.model_fields.items()})
    if spec.enum_labels:  # choices as their Chinese labels: text in the record
        fields = {name: _labelled(*value) for name, value in fields.items()}
    if spec.computed is not None:  # figures computed from the whole site (entry.computed)
        fields.update({name: _copy(info, info.title) for name, info in spec.computed.model_fields.items()})
    fields["url"] = (str, Field(title="网址"))
    return create_model(f"{_camel(ctype.name)}{_camel(spec.stem)}Record", **fields)


def _copy(info: FieldInfo, title: str | None) -> tuple:
    """A field of a record as the model has it (type, bounds, default), with its title."""
    default = ... if info.is_required() else info.get_default(call_default_factory=True)
    return (info.rebuild_annotation(), Field(default, title=title, description=info.description))


def _group_model(annotation) -> type[BaseModel]:
    """`Group | None` → Group."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    (group,) = [a for a in typing.get_args(annotation) if a is not type(None)]
    return group


def _is_enum(annotation) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    return any(isinstance(a, type) and issubclass(a, Enum) for a in args)


def _labelled(annotation, info: FieldInfo) -> tuple:
    """An enum field as text (its label); other fields unchanged."""
    if not _is_enum(annotation):
        return (annotation, info)
    optional = type(None) in typing.get_args(annotation)
    return (str | None if optional else str, info)


def _value(value, labels: bool):
    return value.label if labels and isinstance(value, Enum) and hasattr(value, "label") else value


def _inner(annotation):
    """`list[X]` → X."""
    (inner,) = typing.get_args(annotation)
    return inner


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def type_records(site: Site, e: Entry, ctype: ContentType, spec: TypeDataset) -> list[BaseModel]:
    """An entry's records of one of its type's datasets (one per row when the dataset
    has a record per row). Values are the validated models' own, so they are not
    validated again (0.3 s per 500 budgets)."""
    model = record_model(ctype, spec)
    values = {name: e.publisher_name if name == "publisher" else getattr(e.model, name) for name in spec.fields}
    for group in spec.nested:
        data = getattr(e.model, group)
        group_model = _group_model(ctype.model.model_fields[group].annotation)
        values.update({name: getattr(data, name) if data is not None else None for name in group_model.model_fields})
    if spec.enum_labels:
        values = {name: _value(value, True) for name, value in values.items()}
    if spec.computed is not None:
        values.update({name: (e.computed or {}).get(name) for name in spec.computed.model_fields})
    url = _absolute(site, e.url)
    if spec.rows:
        return [model.model_construct(**values, **dict(row), url=url) for row in getattr(e.model, spec.rows)]
    return [model.model_construct(**values, url=url)]


@cache
def _adapter(model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(list[model])


@cache
def _one(model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(model)


def _json_part(model: type[BaseModel], records: list[BaseModel]) -> bytes:
    """Records as they stand in a JSON file's list: each indented one more level than
    alone (a JSON text holds no raw line break, so every line gets one space)."""
    one = _one(model)
    return b",\n".join(b" " + one.dump_json(record, indent=1).replace(b"\n", b"\n ") for record in records)


def _json(parts: list[bytes]) -> bytes:
    """A JSON file of records from their parts (`_json_part`): the bytes pydantic's
    serializer writes for the whole list with `indent=1` (`json.dumps(..., ensure_ascii=False,
    indent=1)`'s), joined from parts an update mostly reuses."""
    parts = [part for part in parts if part]
    return b"[\n" + b",\n".join(parts) + b"\n]\n" if parts else b"[]\n"


@cache  # the same for every build of a site: made once per process (`gongkai serve`)
def _schema(model: type[BaseModel], title: str, site_url: str, path: str) -> bytes:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": encode_url(site_url + path),
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


def _csv_part(model: type[BaseModel], records: list[BaseModel]) -> bytes:
    """Records as lines of a CSV file (UTF-8)."""
    fields = list(model.model_fields)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for data in _adapter(model).dump_python(records, mode="json"):
        writer.writerow([cell(data[f]) for f in fields])
    return buffer.getvalue().encode("utf-8")


def _csv(model: type[BaseModel], parts: list[bytes]) -> bytes:
    """A CSV file: the BOM, a header row of the Chinese titles, then the records' lines."""
    buffer = io.StringIO(newline="")
    header = [info.title or name for name, info in model.model_fields.items()]
    csv.writer(buffer, lineterminator="\r\n").writerow(header)
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8") + b"".join(parts)


# One entry's records of one dataset, rendered: (how many, their JSON (`_json_part`, empty
# when the dataset has no JSON file), their CSV lines (`_csv_part`, empty when it has no CSV
# file)). An update joins them again instead of making 10,000 records; build.py keeps them
# in the build state, where a plain tuple pickles four times faster than an object.
Rendered = tuple[int, bytes, bytes]


def row_key(name: str, e: Entry, computed: bool = False) -> tuple | None:
    """What an entry's records of dataset `name` are made of, besides what the global key
    of the build covers (site_config.yml: the site URL, the organisation, the categories):
    its URL, its file as read without the body (`memo.head`: every field a record takes,
    the revisions that give `updated`), and the figures its type computes from the whole
    site when the dataset has them. None when the entry did not come through the cache."""
    if e.memo is None:
        return None
    return (name, e.url, e.memo.head, repr(e.computed) if computed else None)


def _rendered(
    listed: list[Entry], name: str, model, make, formats, known: dict, made: dict, computed: bool = False
) -> list[Rendered]:
    """Each entry's `Rendered` records of one dataset: `known[key]` when there, else made
    now by `make(entry)`; every one with a key goes into `made`."""
    out = []
    for e in listed:
        key = row_key(name, e, computed)
        rendered = known.get(key) if key is not None else None
        if rendered is None:
            records = make(e)
            rendered = (
                len(records),
                _json_part(model, records) if "json" in formats else b"",
                _csv_part(model, records) if "csv" in formats and records else b"",
            )
        if key is not None:
            made[key] = rendered
        out.append(rendered)
    return out


def datasets(site: Site, listed: list[Entry], rows: dict | None = None) -> list[Dataset]:
    """Every open-data file, computed in memory (the 数据开放 page lists them). `rows`
    holds the last build's records of each entry and dataset, rendered (`Rendered`, by
    `row_key`): an update renders the changed entries' records, not 10,000; it is
    replaced by this build's."""
    known, made = rows if rows is not None else {}, {}
    catalogue = _rendered(
        listed, "catalogue", CatalogueRecord, lambda e: [catalogue_record(site, e)], ("json", "csv"), known, made
    )
    count, base = len(catalogue), site.config.site.url
    out = [
        Dataset(
            "data/catalogue.json", "政府信息公开目录（JSON）", "全部已发布条目的目录信息", count,
            _json([part for _, part, _ in catalogue]),
            "data/catalogue.schema.json", _schema(CatalogueRecord, "政府信息公开目录", base, "data/catalogue.schema.json"),
        ),
        Dataset(
            "data/catalogue.csv", "政府信息公开目录（CSV）", "同上，UTF-8 编码（带 BOM），可用 Excel 打开", count,
            _csv(CatalogueRecord, [part for _, _, part in catalogue]),
        ),
    ]  # fmt: skip
    of_type: dict[str, list[Entry]] = {}  # one pass, not one per type
    for e in listed:
        of_type.setdefault(e.type, []).append(e)
    for ctype in TYPES.values():  # each type's own datasets, declared with the type
        members = of_type.get(ctype.name, [])
        for spec in ctype.datasets:
            model = record_model(ctype, spec)
            rendered = _rendered(
                members, f"{ctype.name}:{spec.stem}", model,
                lambda e, ctype=ctype, spec=spec: type_records(site, e, ctype, spec),
                spec.formats, known, made, computed=spec.computed is not None,
            )  # fmt: skip
            records = sum(count for count, _, _ in rendered)
            for fmt in spec.formats:
                path, title = f"data/{spec.stem}.{fmt}", f"{spec.title}（{fmt.upper()}）"
                if fmt == "csv":
                    data = _csv(model, [part for _, _, part in rendered])
                    out.append(Dataset(path, title, spec.description, records, data))
                else:
                    schema_path = f"data/{spec.stem}.schema.json"
                    schema = _schema(model, spec.title, base, schema_path)
                    data = _json([part for _, part, _ in rendered])
                    out.append(Dataset(path, title, spec.description, records, data, schema_path, schema))
    if rows is not None:
        rows.clear()
        rows.update(made)
    return out


def sitemap(site: Site, urls: list[tuple[str, dt.date | None]], lines: dict | None = None) -> bytes:
    """The sitemap of `urls` (site-relative, with the date of their last change). `lines`
    holds the last build's line of each (URL, date as text) — the site URL is in the
    build's global key —: reused (percent-encoding 10,000 addresses is most of the work),
    and replaced by this build's. Keys of text pickle faster than dates (build state)."""
    known, made = lines if lines is not None else {}, {}
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in urls:
        key = (url, lastmod.isoformat() if lastmod else "")
        line = made[key] = known.get(key) or _sitemap_line(site, *key)
        out.append(line)
    out.append("</urlset>")
    if lines is not None:
        lines.clear()
        lines.update(made)
    return ("\n".join(out) + "\n").encode("utf-8")


def _sitemap_line(site: Site, url: str, lastmod: str) -> str:
    loc = html.escape(_absolute(site, url), quote=False)  # &, <, > (xml.sax.saxutils would load urllib.request)
    return f"  <url><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"


def robots(site: Site) -> bytes:
    """Rules under the path the site is served at (`https://host/gk/` → `/gk/i/`)."""
    path = urlsplit(site.config.site.url).path or "/"
    return f"User-agent: *\nAllow: {path}\nDisallow: {path}i/\nSitemap: {_absolute(site, 'sitemap.xml')}\n".encode()
