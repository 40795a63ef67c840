"""The 年报's figures computed from the site: section 二 from the items of categories with
`counts_as`, section 三 from the private request log, the totals of section 四.

Only counts leave this module: no request's number, date or text is ever returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from generator.model.base import Validity
from generator.model.requests import REASONS, Applicant, Logged, Outcome
from generator.problems import Problems

_LOG: list = [None, []]  # [site, requests]: the log of the last site loaded (`serve` loads again and again)


def requests_of(site: Any, problems: Problems | None = None) -> list[Logged]:
    """The request log of the site, read (and checked, reporting into `problems`) once."""
    from generator.load.records import load_requests

    if _LOG[0] is not site:
        _LOG[:] = [site, load_requests(site.site_dir, problems if problems is not None else Problems())]
    return _LOG[1]


# Section 三's rows in the 2021 format: (key, label, level). Keys are `outcome` or `outcome.reason`.
_OUTCOME_ROWS = {
    Outcome.disclosed: "（一）予以公开",
    Outcome.partly: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    Outcome.refused: "（三）不予公开",
    Outcome.unavailable: "（四）无法提供",
    Outcome.not_processed: "（五）不予处理",
    Outcome.other: "（六）其他处理",
}
_REASON_LABELS = {
    "no_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "no_fee": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
}


def request_rows() -> list[tuple[str, str]]:
    """(key, label) of every row of section 三, in the format's order."""
    rows = [("new", "一、本年新收政府信息公开申请数量"), ("carried_in", "二、上年结转政府信息公开申请数量")]
    for outcome, text in _OUTCOME_ROWS.items():
        rows.append((outcome.value, text))
        for n, reason in enumerate(REASONS.get(outcome, ()), start=1):
            rows.append((f"{outcome.value}.{reason.value}", f"{n}.{_REASON_LABELS.get(reason.value, reason.label)}"))
    rows += [("total", "（七）总计"), ("carried_out", "四、结转下年度继续办理")]
    return rows


COLUMNS = [a.value for a in Applicant] + ["total"]


def request_table(logged: list[Logged], year: int) -> dict[str, dict[str, int]]:
    """Row key → column (applicant or `total`) → count, by the contract's definitions."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table = {key: dict.fromkeys(COLUMNS, 0) for key, _ in request_rows()}

    def add(row: str, applicant: Applicant) -> None:
        table[row][applicant.value] += 1
        table[row]["total"] += 1

    for item in logged:
        r = item.request
        if start <= r.received <= end:
            add("new", r.applicant)
        if r.received < start and (r.replied is None or r.replied >= start):
            add("carried_in", r.applicant)
        if r.replied is not None and start <= r.replied <= end and r.outcome is not None:
            add(r.outcome.value, r.applicant)
            if r.reason is not None and r.outcome in REASONS:
                add(f"{r.outcome.value}.{r.reason.value}", r.applicant)
            add("total", r.applicant)
        if r.received <= end and (r.replied is None or r.replied > end):
            add("carried_out", r.applicant)
    return table


def in_year(day: dt.date | None, year: int) -> bool:
    return day is not None and day.year == year


def document_counts(entries: list, year: int) -> dict[str, int]:
    """本年制发 (成文日期, else 发布日期, in the year), 本年废止 (有效性变更日期 in the year, the
    item 废止 or 失效), 现行有效 at the year's end."""
    end = dt.date(year, 12, 31)
    issued = repealed = in_force = 0
    for entry in entries:
        model = entry.model
        made = model.written or model.published
        ended = model.validity is not Validity.valid
        since = model.validity_since
        issued += made.year == year
        repealed += ended and in_year(since, year)
        in_force += made <= end and not (ended and (since is None or since <= end))
    return {"issued": issued, "repealed": repealed, "in_force": in_force}


@dataclass
class Tables:
    year: int
    proactive: dict  # rules/normative → {issued, repealed, in_force}; licensing … fees_collected
    requests: dict  # row → column → count
    reviews: dict  # review/litigation_* → {upheld, corrected, other, pending, total}
    contradictions: list = field(default_factory=list)  # (loc, written, computed)
    names: dict = field(default_factory=dict)  # loc → Chinese name of the figure
    unbalanced: list = field(default_factory=list)  # (column label, new + carried in, total + carried out)

    def as_dict(self) -> dict:
        return {"year": self.year, "proactive": self.proactive, "requests": self.requests, "reviews": self.reviews,
                "request_rows": request_rows(), "columns": COLUMNS}  # fmt: skip


def counted_entries(site: Any, kind: str) -> list:
    """The public items (neither drafts nor withdrawn) of the categories whose `counts_as` is `kind`."""
    keys = {s.key for s in site.sections.values() if getattr(s.config, "counts_as", None) == kind}
    return [e for e in site.entries if e.category.key in keys and e.public]


_RESULTS = ("upheld", "corrected", "other", "pending")  # model/annual_report.py Results
_NAMES = {"rules": "规章", "normative": "行政规范性文件"}
_COUNT_NAMES = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数"}


def compute(report, site: Any) -> Tables:
    """The tables of an `AnnualReport` (model/annual_report.py) for the site as loaded."""
    year = report.year
    proactive, reviews = report.proactive, report.reviews
    tables = Tables(year, {}, request_table(requests_of(site), year), {})
    for kind in ("rules", "normative"):
        counts = document_counts(counted_entries(site, kind), year)
        written = getattr(proactive, kind, None)
        shown = {}
        for name, value in counts.items():
            given = getattr(written, name, None)
            shown[name] = value if given is None else given
            if given is not None and given != value:
                loc = ("proactive", kind, name)
                tables.contradictions.append((loc, given, value))
                tables.names[loc] = f"{_NAMES[kind]} {_COUNT_NAMES[name]}"
        tables.proactive[kind] = shown
    for name in ("licensing", "penalty", "enforcement", "fees_collected"):
        tables.proactive[name] = getattr(proactive, name, None)
    for name in ("review", "litigation_direct", "litigation_after_review"):
        results = getattr(reviews, name, None)
        counts = results.model_dump() if results is not None else dict.fromkeys(_RESULTS, 0)
        tables.reviews[name] = {**counts, "total": sum(counts.values())}
    labels = dict(zip(COLUMNS, [a.label for a in Applicant] + ["总计"]))
    for column in COLUMNS:
        rows = tables.requests
        left = rows["new"][column] + rows["carried_in"][column]
        right = rows["total"][column] + rows["carried_out"][column]
        if left != right:
            tables.unbalanced.append((labels[column], left, right))
    return tables
