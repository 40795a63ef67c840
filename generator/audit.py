"""`gongkai audit`: what an inspector would find, before they do.

Runs on a loaded site (all of `gongkai check`'s problems included) and adds the duties of
the year: requests answered late or overdue (条例第三十三条), last year's 年报 missing after
31 January (第四十九条), empty columns (空白栏目) and columns not updated within their
`update_within`. Request problems name the request's `no` and dates only, never its text.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from generator.annual import requests_of
from generator.model.requests import due_date
from generator.problems import Problems
from generator.workdays import UnknownYear, nth_workday

if TYPE_CHECKING:
    from generator.site import Site

REPORT_DUE = (1, 31)  # 年报 published by 31 January of the next year
PUBLISH_DAYS = 20  # working days from 成文日期 to publication (条例第二十六条)


def audit(site: Site, problems: Problems, today: dt.date, year: int | None = None) -> None:
    """Add the audit's problems; `year` limits the request checks to requests received then."""
    _requests(site, problems, today, year)
    _annual_report(site, problems, today)
    _columns(site, problems, today)
    _published_late(site, problems)


def _requests(site: Site, problems: Problems, today: dt.date, year: int | None) -> None:
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


def _published_late(site: Site, problems: Problems) -> None:
    """条例第二十六条: an item is published within 20 working days of being made (成文日期)."""
    for entry in site.entries:
        written, published = entry.model.written, entry.model.published
        if not entry.public or written is None or published <= written:
            continue
        try:
            limit = nth_workday(written + dt.timedelta(days=1), PUBLISH_DAYS)
        except UnknownYear:
            continue  # reported by the checks that need the calendar
        if published > limit:
            problems.warning(entry.rel, entry.doc.pos(("published",)), "published-late",
                             f"发布日期 {published} 晚于成文日期 {written} 后 {PUBLISH_DAYS} 个工作日（{limit}）",
                             "条例第二十六条：主动公开的信息应自形成之日起 20 个工作日内公开")  # fmt: skip


def _annual_report(site: Site, problems: Problems, today: dt.date) -> None:
    last = today.year - 1
    if today <= dt.date(today.year, *REPORT_DUE):
        return
    reports = [e for e in site.entries if e.public and getattr(e.model, "year", None) == last
               and e.ctype.computed is not None]  # fmt: skip
    if not reports:
        problems.error("content", None, "annual-report-missing",
                       f"{today.year} 年 1 月 31 日已过，尚未发布 {last} 年政府信息公开工作年度报告",
                       "用 gongkai new <年报栏目> 生成年报，填写后发布（条例第四十九条）")  # fmt: skip


def _columns(site: Site, problems: Problems, today: dt.date) -> None:
    for section in site.sections.values():
        entries = [e for s in section.descendants() for e in site.entries if e.category is s and e.public]
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


def refused_report_dir(site: Site, out: Path) -> str | None:
    """Why `-o DIR` may not take the HTML report: never into content, the private records or
    a built site (the report names requests), else None."""
    from generator.load.records import REQUESTS_DIR
    from generator.output import MARKER

    out = out.resolve()
    for folder in (site.content_dir, site.site_dir / REQUESTS_DIR.split("/")[0]):
        if out.is_relative_to(folder.resolve()):
            return f"{out} 在 {folder.name}/ 之内"
    for folder in (out, *out.parents):
        if (folder / MARKER).is_file():
            return f"{out} 在生成的网站 {folder} 之内"
    return None


def write_html(problems: Problems, out: Path, today: dt.date) -> Path:
    """A self-contained HTML page of the findings (no script, no request to another host)."""
    rows = "\n".join(
        f"<tr class=\"{p.level}\"><td>{'错误' if p.level == 'error' else '警告'}</td><td>{escape(p.path)}"
        f"{f':{p.line}' if p.line else ''}</td><td>{escape(p.message)}<br><small>{escape(p.hint)}</small></td>"
        f"<td><code>{escape(p.code)}</code></td></tr>"
        for p in problems.sorted()
    )
    errors = sum(p.level == "error" for p in problems)
    page = (
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>政务公开自查报告</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #999;padding:.3em .5em;vertical-align:top}.error td:first-child{color:#b00}</style>"
        f"<h1>政务公开自查报告（{today}）</h1><p>{errors} 个错误，{len(problems) - errors} 个警告</p>"
        "<table><thead><tr><th>级别</th><th>位置</th><th>问题</th><th>代码</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></html>\n"
    )
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    target.write_text(page, encoding="utf-8")
    return target
