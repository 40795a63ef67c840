"""The request log (依申请公开登记): `records/requests/<year>.yml`, private, never published.

One model per request, its checks and its deadline (条例第三十三条) beside it. The log is
read by `generator/load/records.py`; only the 年报's counts (generator/annual.py) and the
audit (generator/audit.py) use it. Nothing here is ever rendered, indexed or exported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import Field

from generator.model.base import Amount, Date, Schema, Visible, ZhEnum, label

REPLY_DAYS = 20  # working days to reply (条例第三十三条第二款)
MAX_EXTENSION = 20  # at most 20 more working days with an extension


class Channel(ZhEnum):
    in_person = ("in_person", "当面")
    mail = ("mail", "邮寄")
    online = ("online", "网络")
    fax = ("fax", "传真")
    email = ("email", "电子邮件")
    other = ("other", "其他")


class Applicant(ZhEnum):
    """The columns of the 2021 format's section 三, in its order."""

    natural = ("natural", "自然人")
    business = ("business", "商业企业")
    research = ("research", "科研机构")
    public_interest = ("public_interest", "社会公益组织")
    legal_service = ("legal_service", "法律服务机构")
    other = ("other", "其他")


class Outcome(ZhEnum):
    disclosed = ("disclosed", "予以公开")
    partly = ("partly", "部分公开")
    refused = ("refused", "不予公开")
    unavailable = ("unavailable", "无法提供")
    not_processed = ("not_processed", "不予处理")
    other = ("other", "其他处理")


class Reason(ZhEnum):
    """The sub-rows of the 2021 format, grouped by outcome in `REASONS`."""

    state_secret = ("state_secret", "属于国家秘密")
    law = ("law", "其他法律行政法规禁止公开")
    safety = ("safety", "危及“三安全一稳定”")
    third_party = ("third_party", "保护第三方合法权益")
    internal = ("internal", "属于三类内部事务信息")
    process = ("process", "属于四类过程性信息")
    enforcement = ("enforcement", "属于行政执法案卷")
    query = ("query", "属于行政查询事项")
    not_held = ("not_held", "本机关不掌握相关政府信息")
    needs_making = ("needs_making", "没有现成信息需要另行制作")
    unclear = ("unclear", "补正后申请内容仍不明确")
    petition = ("petition", "信访举报投诉类申请")
    repeat = ("repeat", "重复申请")
    publication = ("publication", "要求提供公开出版物")
    excessive = ("excessive", "无正当理由大量反复申请")
    confirm = ("confirm", "要求行政机关确认或重新出具已获取信息")
    no_correction = ("no_correction", "申请人无正当理由逾期不补正")
    no_fee = ("no_fee", "申请人逾期未按收费通知要求缴纳费用")
    other = ("other", "其他")


R = Reason
REASONS: dict[Outcome, tuple[Reason, ...]] = {
    Outcome.refused: (R.state_secret, R.law, R.safety, R.third_party, R.internal, R.process, R.enforcement, R.query),
    Outcome.unavailable: (R.not_held, R.needs_making, R.unclear),
    Outcome.not_processed: (R.petition, R.repeat, R.publication, R.excessive, R.confirm),
    Outcome.other: (R.no_correction, R.no_fee, R.other),
}


class Correction(Schema):
    requested: Date = label("通知补正日期", "通知申请人补正的日期 YYYY-MM-DD")
    received: Date | None = label("收到补正日期", "收到补正后申请的日期；20 个工作日从次日重新计算", None)


class Extension(Schema):
    date: Date = label("告知日期", "告知申请人延期答复的日期 YYYY-MM-DD")
    days: int = label("延长工作日", f"延长的工作日数，不超过 {MAX_EXTENSION}", ge=1, le=MAX_EXTENSION)


class Request(Schema):
    no: Visible = label("申请编号", "申请编号，在全部登记中唯一，如 2024-001")
    received: Date = label("收到申请日期", "收到申请的日期 YYYY-MM-DD")
    channel: Channel = label("申请方式", Channel.choices(), Channel.other)
    applicant: Applicant = label("申请人", Applicant.choices())
    subject: str = label("申请内容", "申请内容摘要（不公开）", "")
    correction: Correction | None = label("补正", "补正：requested 通知补正日期, received 收到补正日期", None)
    extension: Extension | None = label("延期答复", "延期：date 告知日期, days 延长工作日", None)
    replied: Date | None = label("答复日期", "答复日期；未写表示仍在办理", None)
    outcome: Outcome | None = label("办理结果", Outcome.choices(), None)
    reason: Reason | None = label("理由", "不予公开、无法提供、不予处理、其他处理时必填，取 2021 年报格式的行", None)
    fee: Amount | None = label("信息处理费", "信息处理费（元）", None, ge=0)
    note: str | None = label("备注", "内部备注（不公开）", None)


class RequestLog(Schema):
    """The file: a list of requests (the loader wraps the list under `requests`)."""

    requests: list[Request] = Field(default_factory=list, title="申请登记", description="依申请公开登记")


def start_of_count(request: Request) -> dt.date:
    """The day whose next day starts the 20 working days: receipt, or receipt of the
    corrected request when a correction was asked (and received)."""
    if request.correction is not None and request.correction.received is not None:
        return request.correction.received
    return request.received


def due_date(request: Request) -> dt.date:
    """The last day to reply: 20 working days counted from the day after the start, plus the
    extension's days when it was notified by the original due date. Raises
    `workdays.UnknownYear` for a year without a known holiday calendar."""
    from generator.workdays import nth_workday

    first = start_of_count(request) + dt.timedelta(days=1)
    due = nth_workday(first, REPLY_DAYS)
    ext = request.extension
    if ext is not None and ext.date <= due:
        due = nth_workday(due + dt.timedelta(days=1), ext.days)
    return due


@dataclass(frozen=True)
class Logged:
    """A request as read, with where it stands: the file and the position of its fields."""

    request: Request
    rel: str
    index: int
    doc: object  # RawDocument

    def pos(self, *field: str | int) -> tuple[int, int]:
        return self.doc.pos(("requests", self.index) + field)


def check(logged: list[Logged], problems) -> None:
    """Checks across the fields of each request and across the whole log (unique `no`)."""
    seen: dict[str, Logged] = {}
    for item in logged:
        r, rel = item.request, item.rel
        first = seen.setdefault(r.no, item)
        if first is not item:
            problems.error(
                rel, item.pos("no"), "request-duplicate",
                f"申请编号“{r.no}”重复（{first.rel} 第 {first.pos('no')[0]} 行已用过）", "每个申请的编号必须唯一",
            )  # fmt: skip
        _check_reason(item, problems)
        _check_dates(item, problems)


def _check_reason(item: Logged, problems) -> None:
    r, rel = item.request, item.rel
    if r.replied is not None and r.outcome is None:
        problems.error(rel, item.pos("replied"), "request-outcome", f"申请 {r.no} 已答复但没有写办理结果（outcome）",
                       f"可选：{Outcome.choices()}")  # fmt: skip
    if r.outcome is not None and r.replied is None:
        problems.error(rel, item.pos("outcome"), "request-outcome", f"申请 {r.no} 写了办理结果却没有答复日期（replied）",
                       "补上答复日期 YYYY-MM-DD")  # fmt: skip
    allowed = REASONS.get(r.outcome) if r.outcome is not None else None
    if allowed and r.reason is None:
        problems.error(
            rel, item.pos("outcome"), "request-reason",
            f"申请 {r.no} 的办理结果为“{r.outcome.label}”，必须写理由（reason）",
            "可选：" + " | ".join(f"{x.value}（{x.label}）" for x in allowed),
        )  # fmt: skip
    elif r.reason is not None and (not allowed or r.reason not in allowed):
        shown = r.outcome.label if r.outcome is not None else "未写"
        hint = "可选：" + " | ".join(f"{x.value}（{x.label}）" for x in allowed) if allowed else "这种办理结果不写理由"
        problems.error(rel, item.pos("reason"), "request-reason",
                       f"申请 {r.no} 的理由“{r.reason.label}”不属于办理结果“{shown}”", hint)  # fmt: skip


def _check_dates(item: Logged, problems) -> None:
    r, rel = item.request, item.rel
    c = r.correction
    if c is not None:
        if c.requested < r.received:
            problems.error(rel, item.pos("correction", "requested"), "request-dates",
                           f"申请 {r.no} 的通知补正日期 {c.requested} 早于收到申请日期 {r.received}", "补正只能在收到申请之后通知")
        if c.received is not None and c.received < c.requested:
            problems.error(rel, item.pos("correction", "received"), "request-dates",
                           f"申请 {r.no} 的收到补正日期 {c.received} 早于通知补正日期 {c.requested}", "核对两个日期")
    if r.extension is not None and r.extension.date < r.received:
        problems.error(rel, item.pos("extension", "date"), "request-dates",
                       f"申请 {r.no} 的延期告知日期 {r.extension.date} 早于收到申请日期 {r.received}", "核对日期")
    if r.replied is not None and r.replied < r.received:
        problems.error(rel, item.pos("replied"), "request-dates",
                       f"申请 {r.no} 的答复日期 {r.replied} 早于收到申请日期 {r.received}", "核对日期")
