"""`gongkai audit`: what an inspector would find, before they do.

Runs on a loaded site (all of `gongkai check`'s problems included) and adds the duties of
the year: requests answered late or overdue (条例第三十三条), last year's 年报 missing after
31 January (第四十九条), empty columns (空白栏目) and columns not updated within their
`update_within`. Request problems name the request's `no` and dates only, never its text.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from generator.annual import requests_of
from generator.model.requests import due_date
from generator.problems import Problems
from generator.workdays import UnknownYear

if TYPE_CHECKING:
    from generator.site import Site

REPORT_DUE = (1, 31)  # 年报 published by 31 January of the next year


def audit(site: "Site", problems: Problems, today: dt.date, year: int | None = None) -> None:
    """Add the audit's problems; `year` limits the request checks to requests received then."""
    _requests(site, problems, today, year)
    _annual_report(site, problems, today)
    _columns(site, problems, today)


def _requests(site: "Site", problems: Problems, today: dt.date, year: int | None) -> None:
    for item in requests_of(site, problems):
        r = item.request
        if year is not None and r.received.year != year:
            continue
        try:
            due = due_date(r)
        except UnknownYear as exc:
            problems.warning(item.rel, item.pos("received"), "calendar-unknown-year",
                             f"申请 {r.no}：{exc.year} 年的节假日安排未知，无法计算答复期限", "升级 chinese-calendar")
            continue
        if r.replied is not None and r.replied > due:
            problems.error(item.rel, item.pos("replied"), "request-late",
                           f"申请 {r.no} 逾期答复：答复日期 {r.replied}，答复期限 {due}",
                           "20 个工作日自收到申请（或补正）次日起算；延期须在期限内告知")  # fmt: skip
        elif r.replied is None and today > due:
            problems.error(item.rel, item.pos("no"), "request-overdue",
                           f"申请 {r.no} 已超过答复期限仍未答复：收到 {r.received}，答复期限 {due}",
                           "尽快答复并记录答复日期（replied）")  # fmt: skip


def _annual_report(site: "Site", problems: Problems, today: dt.date) -> None:
    last = today.year - 1
    if today <= dt.date(today.year, *REPORT_DUE):
        return
    reports = [e for e in site.entries if e.listed and getattr(e.model, "year", None) == last
               and e.ctype.computed is not None]  # fmt: skip
    if not reports:
        problems.error("content", None, "annual-report-missing",
                       f"{today.year} 年 1 月 31 日已过，尚未发布 {last} 年政府信息公开工作年度报告",
                       "用 gongkai new <年报栏目> 生成年报，填写后发布（条例第四十九条）")  # fmt: skip


def _columns(site: "Site", problems: Problems, today: dt.date) -> None:
    for section in site.sections.values():
        entries = [e for s in section.descendants() for e in site.entries if e.category is s and e.listed]
        if not entries:
            problems.error("site_config.yml", None, "empty-column", f"空白栏目：“{section.title}”（{section.key}）没有任何已发布条目",
                           "发布内容，或从 site_config.yml 中删去这个栏目")  # fmt: skip
            continue
        within = section.config.update_within
        newest = max(e.updated for e in entries)
        if within is not None and (today - newest).days > within:
            problems.warning("site_config.yml", None, "column-stale",
                             f"栏目“{section.title}”超过 {within} 天未更新（最近更新 {newest}）",
                             "按更新周期发布新内容")  # fmt: skip
