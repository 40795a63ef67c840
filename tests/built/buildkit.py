"""Helpers of the build tests: run `gongkai build`, read a built site with a real HTML
parser (lxml.html), and read the content files independently of the generator's loader,
so that the pages are compared with what the editor wrote rather than with what the
generator thinks it read."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import yaml

REPO = Path(__file__).resolve().parents[2]
DEMO_SITE = REPO  # the demo site lives at the root of the repository

# 2024-10-08 00:00 in Asia/Shanghai: the 2024-09-27 appointment notice is open that day.
BUILD_DAY = dt.date(2024, 10, 8)
SOURCE_DATE_EPOCH = str(int(dt.datetime(2024, 10, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()))


# ---------------------------------------------------------------------------
# running the command


def gongkai_command() -> list[str]:
    script = Path(sys.executable).with_name("gongkai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "generator"]


def _environment(env: dict | None) -> dict:
    environment = dict(os.environ)
    environment["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    environment.update(env or {})
    return environment


def run_build(site: Path, out: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`gongkai build -s site -o out …` in a subprocess, as an editor runs it, with the
    build day fixed by SOURCE_DATE_EPOCH."""
    return subprocess.run(
        gongkai_command() + ["build", "-s", str(site), "-o", str(out), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=_environment(env),
    )  # fmt: skip


def start_build(site: Path, out: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """The same, started without waiting."""
    return subprocess.Popen(
        gongkai_command() + ["build", "-s", str(site), "-o", str(out), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_environment(env),
    )  # fmt: skip


def publish(site: Path) -> None:
    """`gongkai publish`: `gongkai build` builds recorded versions only."""
    command = gongkai_command() + ["publish", "-s", str(site)]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"gongkai publish failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def build_or_fail(site: Path, out: Path, *args: str) -> Path:
    done = run_build(site, out, *args)
    if done.returncode != 0:
        raise AssertionError(f"gongkai build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return out


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------
# reading HTML


def parse_html(data: bytes | str):
    """A whole document parsed with lxml's HTML parser (never regular expressions)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))


def text(element) -> str:
    """The element's text with white space collapsed."""
    if element is None:
        return ""
    return " ".join(element.text_content().split())


def by_class(root, name: str, tag: str = "*") -> list:
    return root.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def one(found: list, what: str = "element"):
    assert len(found) == 1, f"expected exactly one {what}, found {len(found)}"
    return found[0]


def meta(root, name: str) -> str | None:
    found = root.xpath(f"//meta[@name='{name}']/@content")
    return found[0] if found else None


def article(root):
    """The content area of a page (mkdocs-material's <article>)."""
    return one(root.xpath("//article"), "<article>")


def table_rows(table) -> list[list[str]]:
    """The body rows of a table as lists of cell texts (th and td alike)."""
    body = table.xpath("./tbody/tr") or table.xpath(".//tr[not(ancestor::thead) and not(ancestor::tfoot)]")
    return [[text(cell) for cell in row.xpath("./th|./td")] for row in body]


def header_cells(table) -> list[str]:
    return [text(th) for th in table.xpath("./thead/tr/th")]


def dl_pairs(dl) -> dict[str, str]:
    """A <dl> of gk-dl__row divs (or bare dt/dd) as {dt text: dd text}."""
    pairs = {}
    for dt_el in dl.xpath(".//dt"):
        dd = dt_el.xpath("following-sibling::dd[1]")
        pairs[text(dt_el)] = text(dd[0]) if dd else ""
    return pairs


@dataclass
class Built:
    """A built site folder."""

    root: Path
    base_url: str
    stdout: str = ""
    stderr: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def file(self, url: str) -> Path:
        """The file serving `url` (site-relative): `x/` → x/index.html."""
        url = unquote(url)
        if url in ("", "."):
            return self.root / "index.html"
        path = self.root / url
        return path / "index.html" if url.endswith("/") or path.is_dir() else path

    def exists(self, url: str) -> bool:
        return self.file(url).is_file()

    def page(self, url: str):
        if url not in self._cache:
            path = self.file(url)
            assert path.is_file(), f"no page {url} in the build ({path})"
            self._cache[url] = parse_html(path.read_bytes())
        return self._cache[url]

    def resolve(self, from_url: str, href: str) -> str | None:
        """The site-relative URL a link on the page at `from_url` points to; None for a
        link off the site (absolute URL elsewhere, mailto:, tel: …)."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            if href.startswith(self.base_url):
                return href[len(self.base_url):].split("#")[0]
            return None
        path = parts.path
        if not path:
            return from_url
        base_dir = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
        joined = posixpath.normpath(posixpath.join("/" + base_dir, path))
        result = joined.lstrip("/")
        if result == ".":
            result = ""
        if path.endswith("/") and result and not result.endswith("/"):
            result += "/"
        if result and (self.root / unquote(result)).is_dir() and not result.endswith("/"):
            result += "/"
        return unquote(result)

    def html_pages(self) -> list[str]:
        """Every HTML file as a site-relative URL (`x/` for x/index.html)."""
        urls = []
        for path in sorted(self.root.rglob("*.html")):
            rel = path.relative_to(self.root).as_posix()
            urls.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        return urls

    def is_redirect(self, url: str) -> bool:
        return bool(self.page(url).xpath("//meta[@http-equiv='refresh']"))

    def content_pages(self) -> list[str]:
        """HTML pages a reader sees: not the /i/ redirects, not Pagefind's files, not the
        web editor (`admin/`, for the office's editors)."""
        skip = ("i/", "pagefind/", "admin/")
        return [u for u in self.html_pages() if not u.startswith(skip) and not self.is_redirect(u)]


# ---------------------------------------------------------------------------
# reading the content, independently of the generator

COMMON_ALIASES = {
    "索引号": "index_no", "标题": "title", "发布日期": "published", "成文日期": "written",
    "发布机构": "publisher", "主题分类": "topic", "发文字号": "doc_no", "有效性": "validity",
    "主题词": "keywords", "内容概述": "summary", "附件": "attachments", "状态": "status",
    "修订记录": "revisions", "撤销": "withdrawn", "正文": "body",
}  # fmt: skip
# Chinese aliases of the types' own fields (CONTENT_MODEL.md): {中文: (english, nested aliases)}
_ROW = {"科目编码": ("code", None), "项目": ("item", None), "金额": ("amount", None)}
_ROW["明细"] = ("children", _ROW)
TYPE_ALIASES = {
    "duty": {
        "机构": ("organization", {"名称": ("name", None), "负责人": ("leader", None), "办公地址": ("address", None), "联系电话": ("phone", None), "办公时间": ("hours", None)}),
        "主要职责": ("duties", None),
        "内设机构": ("departments", {"名称": ("name", None), "负责人": ("head", None), "联系电话": ("phone", None), "职责": ("duties", None)}),
    },
    "fee": {
        "执收单位": ("department", None),
        "收费项目": ("items", {"项目名称": ("name", None), "收费标准": ("standard", None), "金额": ("amount", None), "计量单位": ("unit", None),
                           "收费依据": ("basis", None), "资金管理方式": ("management", None), "设立级次": ("level", None), "备注": ("note", None)}),
    },
    "procedure": {
        "事项": ("service", {
            "事项编码": ("code", None), "事项类型": ("kind", None), "设定依据": ("legal_basis", None), "申请条件": ("conditions", None),
            "申请材料": ("materials", {"材料名称": ("name", None), "份数": ("copies", None), "是否原件": ("original", None), "表格": ("form", None)}),
            "办理流程": ("steps", {"环节名称": ("name", None), "办理主体": ("actor", None), "时限": ("days", None)}),
            "法定时限": ("legal_days", None), "承诺时限": ("promised_days", None), "收费": ("fee", None), "办理地点": ("location", None),
            "办理时间": ("hours", None), "咨询电话": ("phone", None), "投诉电话": ("complaint_phone", None), "到现场次数": ("visits", None),
            "网上办理": ("online_url", None), "常见问题": ("faq", {"问题": ("q", None), "解答": ("a", None)}),
        }),
    },
    "budget": {
        "预算年度": ("fiscal_year", None), "类别": ("stage", None), "单位": ("unit", None), "说明": ("notes", None),
        "表格": ("tables", {"表名": ("name", None), "收入": ("income", _ROW), "支出": ("expenditure", _ROW), "行": ("rows", _ROW)}),
        "“三公”经费": ("three_public", None),
    },
    "appointment": {
        "公示期": ("notice", {"开始日期": ("start", None), "工作日数": ("working_days", None), "结束日期": ("end", None)}),
        "公示对象": ("persons", {"姓名": ("name", None), "性别": ("gender", None), "民族": ("ethnicity", None), "出生年月": ("birth", None),
                             "政治面貌": ("party", None), "学历学位": ("education", None), "参加工作时间": ("work_start", None),
                             "现任职务": ("current_post", None), "拟任职务": ("proposed_post", None), "简历": ("resume", None)}),
        "反映渠道": ("feedback", {"电话": ("phone", None), "地址": ("address", None), "邮编": ("postcode", None), "电子邮箱": ("email", None)}),
    },
    "work_report": {
        "期间": ("period", None),
        "工作计划": ("plans", {"工作任务": ("task", None), "目标": ("target", None), "责任部门": ("owner", None), "完成情况": ("result", None), "状态": ("status", None)}),
    },
}  # fmt: skip
# nested keys whose English name is also used (e.g. `rows:` inside `tables:`)
for _aliases in TYPE_ALIASES.values():
    for _cn, (_en, _sub) in list(_aliases.items()):
        _aliases.setdefault(_en, (_en, _sub))
        for _k, (_e, _s) in list((_sub or {}).items()):
            _sub.setdefault(_e, (_e, _s))
_ROW.setdefault("children", ("children", _ROW))


def english(value, aliases: dict | None):
    """`value` with the Chinese keys of `aliases` (nested) renamed to English."""
    if aliases is None:
        return value
    if isinstance(value, list):
        return [english(v, aliases) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            name, sub = aliases.get(key, (key, None))
            out[name] = english(v, sub)
        return out
    return value


VALIDITY_LABEL = {"valid": "有效", "有效": "有效", "repealed": "废止", "废止": "废止", "expired": "失效", "失效": "失效"}
VALIDITY_VALUE = {"有效": "valid", "废止": "repealed", "失效": "expired"}


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


@dataclass
class SourceItem:
    rel: str  # path relative to the site folder
    category: str  # key of the folder's category
    url: str  # site-relative page URL
    data: dict  # top-level fields, common Chinese keys mapped to English
    body: str | None

    def get(self, key, default=None):
        return self.data.get(key, default)

    index_no = property(lambda self: self.data.get("index_no"))
    title = property(lambda self: self.data["title"])
    published = property(lambda self: iso(self.data["published"]))
    written = property(lambda self: iso(self.data.get("written")))
    topic = property(lambda self: self.data.get("topic"))
    doc_no = property(lambda self: self.data.get("doc_no"))
    summary = property(lambda self: self.data.get("summary"))
    keywords = property(lambda self: list(self.data.get("keywords") or []))
    revisions = property(lambda self: list(self.data.get("revisions") or []))
    withdrawn = property(lambda self: self.data.get("withdrawn"))

    @property
    def validity_label(self) -> str:
        return VALIDITY_LABEL[str(self.data.get("validity", "valid"))]

    @property
    def validity_value(self) -> str:
        return VALIDITY_VALUE[self.validity_label]

    @property
    def is_draft(self) -> bool:
        return str(self.data.get("status", "published")) in ("draft", "草稿")

    @property
    def published_page(self) -> bool:
        """Has a page in a normal build (withdrawn items keep theirs)."""
        return not self.is_draft

    @property
    def listed(self) -> bool:
        return not self.is_draft and not self.withdrawn

    @property
    def updated(self) -> str:
        return max([self.published] + [iso(r["date"]) for r in self.revisions])

    def sort_key(self):
        """Newest first; ties by index number, then path (the documented order)."""
        return (-dt.date.fromisoformat(self.published).toordinal(), self.index_no or "", self.rel)


@dataclass
class Category:
    key: str
    title: str
    type: str
    description: str | None
    parent: str | None
    children: list[str]


class Source:
    """A site folder's configuration and content, read with PyYAML only."""

    def __init__(self, site_dir: Path):
        self.dir = site_dir
        self.config = yaml.safe_load((site_dir / "site_config.yml").read_text(encoding="utf-8-sig"))
        self.categories: dict[str, Category] = {}
        self.roots: list[str] = []

        def add(entry: dict, parent: str | None) -> None:
            children = entry.get("children") or []
            self.categories[entry["key"]] = Category(entry["key"], entry["title"], entry["type"], entry.get("description"), parent, [c["key"] for c in children])
            for child in children:
                add(child, entry["key"])

        for entry in self.config["categories"]:
            add(entry, None)
            self.roots.append(entry["key"])

    @property
    def base_url(self) -> str:
        return self.config["site"]["url"]

    @property
    def org_name(self) -> str:
        return self.config["organization"]["name"]

    def descendants(self, key: str) -> list[str]:
        found = [key]
        for child in self.categories[key].children:
            found += self.descendants(child)
        return found

    @cached_property
    def items(self) -> list[SourceItem]:
        content = self.dir / "content"
        found = []
        for path in sorted(content.rglob("*")):
            rel_parts = path.relative_to(content).parts
            if not path.is_file() or path.suffix not in (".yml", ".yaml", ".md") or rel_parts[0] in ("pages", "attachments"):
                continue
            if any(part.startswith(".") for part in rel_parts):
                continue
            data, body = read_document(path)
            data = {COMMON_ALIASES.get(k, k): v for k, v in data.items()}
            data = english(data, TYPE_ALIASES.get(self.categories[rel_parts[0]].type, {}))
            if body and body.strip():
                data["body"] = body
            url = "/".join(rel_parts[:-1] + (path.stem,)) + "/"
            found.append(SourceItem(path.relative_to(self.dir).as_posix(), rel_parts[0], url, data, data.get("body")))
        return found

    def by_rel(self, rel: str) -> SourceItem:
        matches = [i for i in self.items if i.rel == rel or i.rel.endswith("/" + rel)]
        assert len(matches) == 1, f"no single source item {rel}: {[m.rel for m in matches]}"
        return matches[0]

    def by_index(self, number: str) -> SourceItem:
        return next(i for i in self.items if i.index_no == number)

    def listed(self, category: str | None = None) -> list[SourceItem]:
        """Listed items (not draft, not withdrawn) of a category and its descendants,
        newest first; every listed item without a category."""
        keys = set(self.descendants(category)) if category else None
        return sorted((i for i in self.items if i.listed and (keys is None or i.category in keys)), key=SourceItem.sort_key)

    def publisher(self, item: SourceItem) -> str:
        return item.get("publisher") or self.org_name

    def free_pages(self) -> list[tuple[str, str]]:
        """(slug, title) of every Markdown page of content/pages/."""
        pages = []
        folder = self.dir / "content" / "pages"
        for path in sorted(folder.rglob("*.md")):
            data, _ = read_document(path)
            pages.append((path.relative_to(folder).with_suffix("").as_posix(), data.get("title") or data.get("标题")))
        return pages


def read_document(path: Path) -> tuple[dict, str | None]:
    text_ = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if path.suffix == ".md":
        if text_.startswith("---\n"):
            end = text_.find("\n---", 4)
            front = text_[4:end]
            rest = text_[end + 4 :]
            return yaml.safe_load(front) or {}, rest.lstrip("\n")
        return {}, text_
    return yaml.safe_load(text_) or {}, None


def amount_text(value) -> str:
    """A source amount as the pages print it: thousands separators, two decimals."""
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"


def flatten_rows(rows, level: int = 0) -> list[tuple[int, str, str, str]]:
    """Nested budget rows of a source table, depth first: (level, code, item, amount)."""
    flat = []
    for row in rows or []:
        flat.append((level, str(row.get("code") or ""), row["item"], amount_text(row["amount"])))
        flat += flatten_rows(row.get("children"), level + 1)
    return flat


# ---------------------------------------------------------------------------
# a minimal JSON Schema check (jsonschema is not installed)


def validate_schema(instance, schema: dict, root: dict | None = None, where: str = "$") -> list[str]:
    """Errors of `instance` against the subset of JSON Schema 2020-12 pydantic emits:
    type, required, properties, additionalProperties (false), items, $ref to #/$defs,
    anyOf, enum, const, format date/date-time."""
    root = root or schema
    errors: list[str] = []
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        errors += validate_schema(instance, target, root, where)
    if "anyOf" in schema:
        options = [validate_schema(instance, option, root, where) for option in schema["anyOf"]]
        if all(options):
            errors.append(f"{where}: matches none of anyOf ({'; '.join(o[0] for o in options)})")
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{where}: {instance!r} not in {schema['enum']}")
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{where}: {instance!r} != {schema['const']!r}")
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
        }
        if not any(checks[k](instance) for k in kinds):
            return errors + [f"{where}: {instance!r} is not of type {kind}"]
    if isinstance(instance, str) and schema.get("format") == "date":
        try:
            dt.date.fromisoformat(instance)
        except ValueError:
            errors.append(f"{where}: {instance!r} is not a date")
    if isinstance(instance, str) and "pattern" in schema:
        import re

        if not re.search(schema["pattern"], instance):
            errors.append(f"{where}: {instance!r} does not match {schema['pattern']}")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                errors.append(f"{where}: missing required {key!r}")
        properties = schema.get("properties", {})
        for key, value in instance.items():
            if key in properties:
                errors += validate_schema(value, properties[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected property {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += validate_schema(value, schema["additionalProperties"], root, f"{where}.{key}")
    if isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for n, value in enumerate(instance):
            errors += validate_schema(value, schema["items"], root, f"{where}[{n}]")
    return errors
