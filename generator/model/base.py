"""Building blocks of the content schema: labelled fields, bilingual enums, common fields.

The Chinese label of every field is its pydantic `title`; the one-line explanation used
by `gongkai new` is its `description`. That is the single alias table: the loader, the
templates of `gongkai new --zh` and the docs all read it from the models.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# The 22 top-level 主题分类 of the national catalogue (gov.cn).
TOPICS = (
    "国务院组织机构", "综合政务", "国民经济管理、国有资产监管", "财政、金融、审计", "国土资源、能源",
    "农业、林业、水利", "工业、交通", "商贸、海关、旅游", "市场监管、安全生产监管", "城乡建设、环境保护",
    "科技、教育", "文化、广电、新闻出版", "卫生、体育", "人口与计划生育、妇女儿童工作", "劳动、人事、监察",
    "公安、安全、司法", "民政、扶贫、救灾", "民族、宗教", "对外事务", "港澳台侨工作", "国防", "其他",
)  # fmt: skip


class Invalid(ValueError):
    """A value error with its own stable problem code (e.g. `topic`, `org-code`) and hint."""

    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code = code
        self.hint = hint


def label(zh: str, description: str = "", default: Any = ..., *, aliases: tuple[str, ...] = (), example: Any = None, **kwargs) -> Any:
    """A field with its Chinese label (accepted as a key alias) and a one-line description.

    `example` is the value `gongkai new` writes for an optional field."""
    extra = {k: v for k, v in (("aliases", list(aliases)), ("example", example)) if v} or None
    return Field(default, title=zh, description=description, json_schema_extra=extra, **kwargs)


class ZhEnum(str, Enum):  # noqa: UP042 — its own __new__ (value, Chinese label); StrEnum adds nothing
    """A string enum whose members also accept their Chinese label as input."""

    def __new__(cls, value: str, zh: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = zh  # type: ignore[attr-defined]
        return member

    @classmethod
    def _missing_(cls, value: object):
        if isinstance(value, str):
            text = value.strip()
            for member in cls:
                if text in (member.label, member.value):  # type: ignore[attr-defined]
                    return member
        return None

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> str:
        return " | ".join(f"{m.value}（{m.label}）" for m in cls)  # type: ignore[attr-defined]


class Validity(ZhEnum):
    valid = ("valid", "有效")
    repealed = ("repealed", "废止")
    expired = ("expired", "失效")


class Status(ZhEnum):
    published = ("published", "已发布")
    draft = ("draft", "草稿")


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise Invalid("month-format", "应为 YYYY-MM 格式的年月，如 1982-05")
    return value


def _words(value: Any) -> Any:
    """`主题词: 政务公开 年报` or `政务公开、年报` → a list of words."""
    if isinstance(value, str):
        return [w for w in re.split(r"[\s,，、;；]+", value) if w]
    return value


_YES = {"是": True, "否": False, "有": True, "无": False}


def _yes_no(value: Any) -> Any:
    return _YES.get(value.strip(), value) if isinstance(value, str) else value


def _text_list(value: Any) -> Any:
    """A single paragraph where a list was expected becomes a one-element list."""
    return [value] if isinstance(value, str) else value


# Dates: from the founding of the PRC to the end of the year after next. Anything outside is
# a slip (9999, 2204 for 2024), and a publication date outside it would issue a permanent
# index number for that year. The bound moves with the year (the content cache's salt has it).
EARLIEST_DATE = dt.date(1949, 10, 1)
FUTURE_YEARS = 2


def latest_date() -> dt.date:
    return dt.date(dt.date.today().year + FUTURE_YEARS, 12, 31)


def _sane_date(value: dt.date) -> dt.date:
    latest = latest_date()
    if not EARLIEST_DATE <= value <= latest:
        raise Invalid(
            "date-range",
            f"{value} 超出允许的日期范围 {EARLIEST_DATE} 至 {latest}",
            "日期应在中华人民共和国成立之后、不晚于后年年底；超出的多半是笔误"
            "（发布日期决定索引号的年份，一经编号永久占用）",
        )
    return value


# Amounts (元 or 万元): a thousand trillion is beyond any public budget, and keeps every sum
# and rounding of the build within Decimal's 28 digits (1e30 made `quantize` fail).
MAX_AMOUNT = Decimal(10**15)
AMOUNT_PLACES = 6

# Working days of a time limit (法定时限, 承诺时限, a step): four years is beyond any law.
MAX_WORKING_DAYS = 1000

# Characters that show nothing: zero-width spaces and joiners, marks, word joiner, BOM …
_INVISIBLE = re.compile("[\\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff\u3164]+")


def _visible(value: str) -> str:
    if value and not _INVISIBLE.sub("", value):
        raise Invalid("invisible-text", "只有不可见的字符（如零宽空格），页面上会是空白", "写上看得见的文字")
    return value


_SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def _link(value: str | None) -> str | None:
    """Only web, mail and phone links, or a site-relative address: never `javascript:`, `data:` …"""
    if value is None:
        return value
    probe = re.sub(r"[\x00-\x20\x7f]+", "", value)  # browsers drop these inside a scheme (`java\tscript:`)
    scheme = _SCHEME.match(probe)
    if scheme and scheme.group(1).lower() not in _SAFE_SCHEMES:
        raise Invalid(
            "unsafe-url",
            f"链接以“{scheme.group(1)}:”开头，不能用作网页上的链接",
            "只能写 http:// 或 https:// 开头的网址、mailto:、tel:，或本站以 / 开头的地址",
        )
    return value


Month = Annotated[str, AfterValidator(_month)]
Words = Annotated[list[str], BeforeValidator(_words)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
TextList = Annotated[list[str], BeforeValidator(_text_list)]
Date = Annotated[dt.date, AfterValidator(_sane_date)]
Amount = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=AMOUNT_PLACES, allow_inf_nan=False)]
Visible = Annotated[str, AfterValidator(_visible)]  # a title or name: not blank, not only invisible marks
Link = Annotated[str, AfterValidator(_link)]
WorkingDays = Annotated[int, Field(ge=0, le=MAX_WORKING_DAYS)]


class Schema(BaseModel):
    """Base of every content mapping: unknown keys are errors, numbers may stand for text."""

    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        validate_default=False,
        use_enum_values=False,
        arbitrary_types_allowed=False,
        defer_build=True,  # validators built on first use: a check replayed (load/checkmemo.py) uses none
    )


class Attachment(Schema):
    file: str = label("文件", "附件路径，如 attachments/2024/apply.pdf")
    title: Visible | None = label("标题", "附件名称", None)


class Revision(Schema):
    date: Date = label("日期", "修订日期 YYYY-MM-DD")
    note: str = label("说明", "修改了什么、为什么")


class Withdrawal(Schema):
    date: Date = label("日期", "撤销日期 YYYY-MM-DD")
    reason: str = label("原因", "撤销原因，会显示在页面上")


class Review(Schema):
    by: str = label("审核人", "审核人姓名或职务")
    date: Date = label("日期", "审核日期 YYYY-MM-DD")


def _topic(value: str | None) -> str | None:
    if value is None:
        return value
    first = value.split("\\")[0].strip()
    if first not in TOPICS:
        from difflib import get_close_matches

        close = get_close_matches(first, TOPICS, n=1, cutoff=0.3)
        suggestion = f"，是不是“{close[0]}”？" if close else "。"
        raise Invalid("topic", f"“{first}”不是国家政府信息公开目录的 22 个主题分类之一{suggestion}")
    return value


class Item(Schema):
    """Fields every disclosure item has, whatever its type."""

    index_no: str | None = label("索引号", "由 gongkai number 自动生成，生成后不得修改", None)
    title: Visible = label("标题", "标题", min_length=1)
    published: Date = label("发布日期", "发布日期 YYYY-MM-DD")
    written: Date | None = label("成文日期", "成文日期 YYYY-MM-DD", None)
    publisher: str | None = label("发布机构", "发布机构，默认为本机关", None)
    topic: Annotated[str | None, AfterValidator(_topic)] = label("主题分类", "22 个主题分类之一，或“一级\\二级”", None)
    doc_no: str | None = label("发文字号", "如 青政办发〔2024〕12号", None)
    validity: Validity = label("有效性", "有效 | 废止 | 失效", Validity.valid)
    validity_since: Date | None = label("有效性变更日期", "废止或失效的日期 YYYY-MM-DD（年报统计本年废止件数）", None)
    keywords: Words = label("主题词", "主题词列表", [])
    summary: str | None = label("内容概述", "一段话概述，用于列表、订阅和搜索结果", None)
    attachments: list[Attachment] = label("附件", "附件列表：file 文件, title 标题", [])
    status: Status = label("状态", "published 已发布 | draft 草稿", Status.published)
    revisions: list[Revision] = label("修订记录", "发布后的每次修改：date 日期, note 说明", [])
    withdrawn: Withdrawal | None = label("撤销", "撤销时填写：date 日期, reason 原因", None)
    review: Review | None = label("审核", "审核信息：by 审核人, date 日期", None)
    allow_personal_data: list[str] = label("允许公开的个人信息", "依法可以公开的个人信息所在字段", [])
    body: str | None = label("正文", "正文（Markdown）", None)

    @property
    def is_draft(self) -> bool:
        return self.status is Status.draft

    @model_validator(mode="after")
    def _blank_strings_are_absent(self):
        for name in ("written", "publisher", "doc_no", "summary"):
            if getattr(self, name) == "":
                setattr(self, name, None)
        return self
