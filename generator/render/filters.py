"""Jinja filters and helpers of the gongkai theme.

Every filter turns ``None`` (an optional field left out) into ``""`` so that templates
never print "None". Filters that build markup return :class:`markupsafe.Markup`;
everything else returns plain ``str`` and is escaped by autoescaping.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from jinja2 import Undefined, pass_context
from markupsafe import Markup, escape

from generator import paths
from generator.workdays import workdays_taken

# ---------------------------------------------------------------------------
# dates


def date(value: Any) -> str:
    """``date(2024, 5, 6)`` → ``2024-05-06``; ``None`` → ``""``; strings pass through."""
    if value is None or value == "":
        return ""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def month(value: Any) -> str:
    """A month (``date``, ``"2024-05"``, ``(2024, 5)``) → ``2024-05``."""
    if value is None or value == "":
        return ""
    if isinstance(value, _dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, tuple) and len(value) == 2:
        return f"{int(value[0]):04d}-{int(value[1]):02d}"
    return str(value)


def time_tag(value: Any, text: str | None = None) -> Markup:
    """``<time datetime="2024-05-06">2024-05-06</time>``; ``""`` for ``None``."""
    iso = date(value)
    if not iso:
        return Markup("")
    # what Markup(…).format(iso, text) gives, without str.format's parser (every item page
    # shows several dates): both values escaped, Markup ones left as they are
    shown = escape(iso) if text is None else escape(text)
    return Markup(f'<time datetime="{escape(iso)}">{shown}</time>')


# ---------------------------------------------------------------------------
# numbers


def _to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def amount(value: Any, places: int = 2) -> str:
    """``Decimal('1200.5')`` → ``1,200.50`` (half-up rounding, thousands separators)."""
    number = _to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    return f"{rounded:,.{places}f}"


def number(value: Any) -> str:
    """An integer-ish count (days, copies, visits) without decimals; ``None`` → ``""``."""
    if value is None or value == "":
        return ""
    d = _to_decimal(value)
    if d is not None and d == d.to_integral_value():
        return str(int(d))
    return str(value)


def filesize(value: Any) -> str:
    """Bytes → ``512 B``, ``12.3 KB``, ``4.0 MB``, ``1.2 GB`` (binary multiples)."""
    if value is None or value == "":
        return ""
    size = float(value)
    if size < 1024:
        return f"{int(size)} B"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if size < 1024 or unit == "TB":
            break
    rounded = Decimal(str(size)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded} {unit}"


def filetype(value: Any) -> str:
    """``attachments/a/b.docx`` → ``DOCX``; no extension → ``""``."""
    if value is None:
        return ""
    suffix = PurePosixPath(str(value).replace("\\", "/").split("?")[0]).suffix
    return suffix[1:].upper() if suffix else ""


def percent(value: Any) -> str:
    """A fraction → percent text: ``0.75`` → ``75%``, ``2/3`` → ``66.7%``."""
    if value is None:
        return ""
    d = _to_decimal(value)
    if d is None:
        return ""
    pct = (d * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{pct:f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text}%"


def total(rows: Iterable[Any] | None, attribute: str = "amount") -> Decimal | None:
    """Sum of ``row.<attribute>`` over rows, skipping ``None``; ``None`` if nothing to add."""
    values = [_to_decimal(_get(row, attribute)) for row in (rows or [])]
    values = [v for v in values if v is not None]
    if not values:
        return None
    return sum(values, Decimal(0))


def sum_present(*values: Any) -> Decimal | None:
    """Sum of the given values that are not ``None``; ``None`` if all are ``None``."""
    present = [v for v in (_to_decimal(x) for x in values) if v is not None]
    return sum(present, Decimal(0)) if present else None


# ---------------------------------------------------------------------------
# enums and objects


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def enum_value(value: Any) -> str:
    """The English value of an enum member (``Validity.repealed`` → ``repealed``)."""
    if value is None:
        return ""
    inner = getattr(value, "value", value)
    return str(inner)


def label(value: Any) -> str:
    """Chinese label of an enum member, or the value itself for plain text."""
    if value is None:
        return ""
    lab = getattr(value, "label", None)
    if lab is not None and not callable(lab):
        return str(lab)
    return enum_value(value)


def enum_text(value: Any, names: dict | None) -> str:
    """UI text of an enum member: ``names[value]`` (from the strings file), else its label."""
    if value is None:
        return ""
    key = enum_value(value)
    if names and key in names:
        return str(names[key])
    return label(value)


def plan_stats(plans: Iterable[Any] | None) -> dict:
    """Counts of a work report's plans: ``{total, done, rate, by_status}``.

    ``rate`` is ``done / total`` as a ``Decimal`` (``None`` when there are no plans).
    """
    plans = list(plans or [])
    by_status: dict[str, int] = {}
    for plan in plans:
        key = enum_value(_get(plan, "status"))
        by_status[key] = by_status.get(key, 0) + 1
    done = by_status.get("done", 0)
    rate = (Decimal(done) / Decimal(len(plans))) if plans else None
    return {"total": len(plans), "done": done, "rate": rate, "by_status": by_status}


def chart_rows(rows: Iterable[Any] | None) -> list[tuple[str, Decimal]]:
    """Top-level ``(item, amount)`` pairs of budget rows with an amount, for svg.budget_chart.
    A single total row (支出合计) is charted by its children, one bar being no chart."""
    rows = list(rows or [])
    while len(rows) == 1 and _get(rows[0], "children"):
        rows = list(_get(rows[0], "children"))
    out = []
    for row in rows:
        value = _to_decimal(_get(row, "amount"))
        name = _get(row, "item")
        if value is not None and name:
            out.append((str(name), value))
    return out


def chart_source(tables: Iterable[Any] | None) -> dict | None:
    """Which budget table the chart shows: the first one whose ``rows`` have amounts,
    else the first ``expenditure`` side with amounts.

    Returns ``{"index": i, "side": "rows"|"expenditure", "rows": [(label, amount)…]}``
    or ``None`` when no table has any amount.
    """
    tables = list(tables or [])
    for side in ("rows", "expenditure"):
        for i, table in enumerate(tables):
            rows = chart_rows(_get(table, side))
            if rows:
                return {"index": i, "side": side, "rows": rows}
    return None


# ---------------------------------------------------------------------------
# text and links


def fmt(template: Any, **values: Any) -> Markup:
    """``t.x | fmt(date=...)``: fill ``{name}`` placeholders of a UI string.

    The string and plain values are escaped; ``Markup`` values (e.g. from ``time_tag``)
    are inserted as they are.
    """
    return escape(str(template)).format(**values)


_PHONE = re.compile(r"^\+?[\d\s\-()]{3,}$")


def tel_href(value: Any) -> str:
    """``tel:`` URL for a value that is only a phone number, else ``""``."""
    if value is None:
        return ""
    text = str(value).strip()
    if not _PHONE.match(text):
        return ""
    return "tel:" + re.sub(r"[^\d+]", "", text)


def digits(value: Any) -> str:
    """Only the ASCII digits of a value: ``浙公网安备33010002000001号`` → ``33010002000001``."""
    if value is None:
        return ""
    return re.sub(r"[^0-9]", "", str(value))


_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#|\?)")


@pass_context
def href(context: Any, url: Any) -> str:
    """A link to a site-relative URL (``notices/a/``) from the page being rendered.

    Prefixes the context variable ``base`` (default ``/``, set per page by the lead,
    e.g. ``../../``); absolute URLs, root-relative paths and fragments pass through.
    """
    if url is None:
        return ""
    text = str(url)
    if _ABSOLUTE.match(text):
        return text
    base = context.get("base", "/")
    if base is None or base == "":
        return text
    base = str(base)
    if not base.endswith("/"):
        base += "/"
    return base + text


def field(obj: Any, name: str) -> Any:
    """``obj.name`` or ``obj[name]``, ``None`` when absent (for optional, loosely shaped
    context such as the site's default feedback channel)."""
    if obj is None or isinstance(obj, Undefined):
        return None
    return _get(obj, name)


def feedback_mailto(email: Any, subject: str, index_no: Any, title: Any) -> str:
    """``mailto:`` to the feedback address, its subject (``{index_no}`` and ``{title}`` of
    the UI string filled in) percent-encoded as UTF-8, so that a title with spaces, ``&``
    or ``?`` reaches the mail program whole; ``""`` without an address."""
    if not email:
        return ""
    text = str(subject).replace("{index_no}", str(index_no or "")).replace("{title}", str(title or ""))
    return f"mailto:{quote(str(email), safe='@.+-_')}?subject={quote(text.strip(), safe='')}"


def feedback_link(template: Any, index_no: Any, title: Any) -> str:
    """The feedback platform's address with ``{index_no}`` and ``{title}`` filled in,
    percent-encoded; ``""`` without a template. Only these two names are replaced."""
    if not template:
        return ""
    text = str(template)
    for name, value in (("index_no", index_no), ("title", title)):
        text = text.replace("{" + name + "}", quote(str(value or ""), safe=""))
    return text


def site_path(value: Any) -> str:
    """Where a file under ``content/`` is published: ``content/attachments/x.pdf`` and
    ``./attachments/x.pdf`` → ``attachments/x.pdf`` (site-relative)."""
    return "" if value is None else paths.site_path(str(value))


def filename(value: Any) -> str:
    """The last path component: ``attachments/forms/apply.docx`` → ``apply.docx``."""
    if value is None:
        return ""
    return PurePosixPath(str(value).replace("\\", "/")).name


# Any of the eight QR masks is valid (ISO/IEC 18004); scoring all eight to pick the
# "best" costs 4 ms a code in pure Python (2 s of CPU for the 公示 of a 10,000-item site),
# a fixed one 1 ms. tests/unit/test_qr.py decodes the codes with zxing-cpp.
QR_MASK = 4


def qr_svg(url: Any, title: str = "") -> Markup:
    """A QR code of ``url`` as inline SVG markup, made at build time (segno, no script,
    no image file): black modules on a transparent ground, size set by CSS (``.gk-qr``).
    ``title`` names it for assistive technology. ``None`` or ``""`` → ``""``."""
    if url is None or str(url).strip() == "":
        return Markup("")
    import segno

    code = segno.make(str(url).strip(), error="m", micro=False, mask=QR_MASK)
    svg = code.svg_inline(scale=1, omitsize=True, svgclass="gk-qr", lineclass=None, title=str(title) if title else None)
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def is_present(value: Any) -> bool:
    """Test: a value worth showing (not ``None``, not an empty string/list/dict).

    An undefined value is an error (a misspelt attribute), not an empty one; use
    ``is defined`` for attributes that may legitimately be missing.
    """
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, (list, tuple, dict, set)):
        return len(value) > 0
    return True


def catalogue_rows(fields: Iterable[tuple[str, Any, Any]]) -> Markup:
    """The rows of an item's catalogue table (`item/base.html`) from ``(key, label,
    value)`` triples: those whose value is present, two label/value pairs a row, a lone
    pair spanning the row. Python, not a Jinja macro: every item page has this table."""
    shown = [field for field in fields if is_present(field[2])]
    out = []
    for start in range(0, len(shown), 2):
        pair = shown[start : start + 2]
        span = ' colspan="3"' if len(pair) == 1 else ""
        out.append("<tr>\n")
        for key, name, value in pair:
            key = escape(key)
            out.append(f'<th id="gk-cat-{key}">{escape(name)}</th>\n')
            out.append(f'<td headers="gk-cat-{key}"{span}>{escape(value)}</td>\n')
        out.append("</tr>\n")
    return Markup("".join(out))


FILTERS = {
    "workdays_after": workdays_taken,
    "feedback_mailto": feedback_mailto,
    "feedback_link": feedback_link,
    "date": date,
    "month": month,
    "time_tag": time_tag,
    "amount": amount,
    "number": number,
    "filesize": filesize,
    "filetype": filetype,
    "percent": percent,
    "total": total,
    "enum_value": enum_value,
    "label": label,
    "enum_text": enum_text,
    "plan_stats": plan_stats,
    "chart_rows": chart_rows,
    "chart_source": chart_source,
    "fmt": fmt,
    "tel_href": tel_href,
    "digits": digits,
    "href": href,
    "filename": filename,
    "site_path": site_path,
    "field": field,
    "qr_svg": qr_svg,
}

TESTS = {
    "present": is_present,
}

GLOBALS = {
    "sum_present": sum_present,
    "catalogue_rows": catalogue_rows,
}
