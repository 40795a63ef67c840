"""Inline SVG charts of the gongkai theme.

Pure functions: same input, same bytes. No script, no external font or stylesheet,
only presentation attributes (no ``style`` attributes, so a strict CSP can forbid
inline styles). Every chart has ``role="img"``, a ``<title>`` and a ``<desc>`` that
carries all of its data as text; templates also print an HTML text alternative next
to it. The ``viewBox`` is narrow and the width is 100 %, so charts scale down to a
375 px phone and text stays readable.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup

from generator.render.filters import amount as _amount
from generator.render.filters import number as _number

FONT_STACK = (
    "'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',"
    "'Source Han Sans SC',sans-serif"
)
INK = "#1a1a1a"
BAR = "#1f5fa8"  # 6.6:1 on white (graphics need 3:1)
BOX_FILL = "#eef4fb"
BOX_STROKE = "#1f5fa8"

_TEXT = {
    "zh": {
        "chart_desc": "横向条形图，共{n}项，单位：{unit}。",
        "item": "{label}：{value}",
        "sep": "；",
        "flow_title": "办理流程图",
        "flow_desc": "办理流程共{n}个环节：",
        "step": "第{i}步 {name}",
        "actor": "办理主体：{actor}",
        "days": "时限 {days} 个工作日",
        "days_zero": "即时办结",
        "empty": "无数据",
    },
    "en": {
        "chart_desc": "Horizontal bar chart of {n} items, unit: {unit}. ",
        "item": "{label}: {value}",
        "sep": "; ",
        "flow_title": "Procedure flowchart",
        "flow_desc": "The procedure has {n} steps: ",
        "step": "Step {i}: {name}",
        "actor": "By: {actor}",
        "days": "Time limit: {days} working days",
        "days_zero": "Same day",
        "empty": "No data",
    },
}


def _strings(lang: str) -> dict:
    return _TEXT.get(lang, _TEXT["zh"])


def _esc(text: Any) -> str:
    """&, <, > and " escaped (as xml.sax.saxutils would, which loads urllib.request)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _n(value: float) -> str:
    """A coordinate with at most 2 decimals, no trailing zeros (deterministic)."""
    d = Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{d:f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _char_em(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "il.,:;'|!() ":
        return 0.3
    if ch.isupper() or ch in "mwMW%@":
        return 0.75
    return 0.56


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font ``size`` (no font metrics at build time)."""
    return sum(_char_em(ch) for ch in text) * size


def _truncate(text: str, size: float, max_width: float) -> str:
    if text_width(text, size) <= max_width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > max_width:
            break
        out += ch
    return out + "…"


def _wrap(text: str, size: float, max_width: float, max_lines: int = 3) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (CJK text breaks anywhere)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and text_width(current + ch, size) > max_width:
            lines.append(current)
            current = ch.lstrip() if ch == " " else ch
        else:
            current += ch
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        rest = "".join(lines[max_lines - 1 :])
        lines = lines[: max_lines - 1] + [_truncate(rest, size, max_width)]
    return lines or [""]


def _svg_id(kind: str, payload: str) -> str:
    return f"gk-{kind}-" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]


def _open_svg(svg_id: str, width: float, height: float, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'width="100%" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{svg_id}-t" aria-describedby="{svg_id}-d" '
        f'font-family="{FONT_STACK}">'
    )


def _get(obj: Any, name: str, index: int) -> Any:
    if isinstance(obj, (tuple, list)):
        return obj[index] if len(obj) > index else None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


# ---------------------------------------------------------------------------
# budget chart


def budget_chart(
    rows: Sequence[tuple[str, Decimal]],
    unit: str,
    title: str,
    lang: str = "zh",
    places: int = 2,
) -> Markup:
    """Horizontal bar chart of ``(label, amount)`` rows (amounts with ``places`` decimals:
    0 for counts, such as the comments on a draft).

    Each row is a label line with its bar below and the amount (``1,200.50 万元``) after
    the bar. Bars scale to the largest positive amount; zero and negative amounts get no
    bar but keep their value text.
    """
    s = _strings(lang)
    unit = unit or ""
    data = [(str(label), Decimal(str(value))) for label, value in rows]
    values = [f"{_amount(v, places)} {unit}".strip() for _, v in data]
    payload = repr((title, unit, [(lab, str(v)) for lab, v in data], lang))
    svg_id = _svg_id("chart", payload)

    width = 360.0
    pad = 8.0
    label_size = 14.0
    value_size = 13.0
    bar_h = 16.0
    row_h = label_size + 4 + bar_h + 12
    avail = width - 2 * pad

    desc = s["chart_desc"].format(n=len(data), unit=unit) + s["sep"].join(
        s["item"].format(label=lab, value=val) for (lab, _), val in zip(data, values)
    )
    height = pad * 2 + max(len(data), 1) * row_h
    parts = [_open_svg(svg_id, width, height, "gk-chart gk-chart--bar")]
    parts.append(f'<title id="{svg_id}-t">{_esc(title)}</title>')
    parts.append(f'<desc id="{svg_id}-d">{_esc(desc)}</desc>')

    if not data:
        parts.append(
            f'<text x="{_n(width / 2)}" y="{_n(height / 2 + 5)}" text-anchor="middle" '
            f'font-size="{_n(label_size)}" fill="{INK}">{_esc(s["empty"])}</text>'
        )
        parts.append("</svg>")
        return Markup("".join(parts))

    max_value = max((v for _, v in data), default=Decimal(0))
    max_text = max(text_width(val, value_size) for val in values)
    max_bar = max(avail - max_text - 6, avail * 0.3)

    for i, ((lab, value), val_text) in enumerate(zip(data, values)):
        top = pad + i * row_h
        label_y = top + label_size
        bar_y = label_y + 4
        bar_w = max(float(value / max_value) * max_bar, 1.0) if max_value > 0 and value > 0 else 0.0
        shown = _truncate(lab, label_size, avail)
        parts.append('<g class="gk-chart__row">')
        if shown != lab:
            parts.append(f"<title>{_esc(lab)}</title>")
        parts.append(
            f'<text x="{_n(pad)}" y="{_n(label_y)}" font-size="{_n(label_size)}" '
            f'fill="{INK}">{_esc(shown)}</text>'
        )
        parts.append(
            f'<rect x="{_n(pad)}" y="{_n(bar_y)}" width="{_n(bar_w)}" height="{_n(bar_h)}" '
            f'fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{_n(pad + bar_w + 6)}" y="{_n(bar_y + bar_h - 3)}" '
            f'font-size="{_n(value_size)}" fill="{INK}">{_esc(val_text)}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------------------
# procedure flowchart


def _days_text(days: Any, s: dict) -> str:
    if days is None or days == "":
        return ""
    if Decimal(str(days)) == 0:
        return s["days_zero"]
    return s["days"].format(days=_number(days))


def _paren(parts: list[str], lang: str) -> str:
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if lang == "zh":
        return "（" + "，".join(parts) + "）"
    return " (" + ", ".join(parts) + ")"


def flowchart(steps: Iterable[Any], lang: str = "zh", title: str | None = None) -> Markup:
    """Vertical flowchart of a procedure: one box per step, arrows between boxes.

    ``steps`` are ``(name, actor, days)`` tuples or objects with ``.name``, ``.actor``
    and ``.days``; ``actor`` and ``days`` may be ``None``. Each box shows the step
    number and name, the actor and ``时限 N 个工作日`` (``即时办结`` for 0).
    """
    s = _strings(lang)
    norm = []
    for step in steps or []:
        name = _get(step, "name", 0)
        actor = _get(step, "actor", 1)
        days = _get(step, "days", 2)
        norm.append(("" if name is None else str(name), "" if actor is None else str(actor), days))
    title = title or s["flow_title"]
    payload = repr((title, [(a, b, str(c)) for a, b, c in norm], lang))
    svg_id = _svg_id("flow", payload)

    width = 320.0
    pad = 8.0
    box_w = width - 2 * pad
    inner_w = box_w - 24
    name_size, name_lh = 15.0, 20.0
    small_size, small_lh = 13.0, 18.0
    gap = 30.0

    desc_steps = []
    boxes = []
    y = pad
    for i, (name, actor, days) in enumerate(norm, start=1):
        head = s["step"].format(i=i, name=name)
        name_lines = _wrap(head, name_size, inner_w)
        extra = []
        if actor:
            extra += _wrap(s["actor"].format(actor=actor), small_size, inner_w, 2)
        days_text = _days_text(days, s)
        if days_text:
            extra.append(days_text)
        box_h = 12 + len(name_lines) * name_lh + len(extra) * small_lh + 8
        boxes.append((y, box_h, name_lines, extra))
        y += box_h + gap
        desc_steps.append(f"{i}. {name}" + _paren([actor, days_text], lang))
    height = (y - gap + pad) if norm else pad * 2 + 24
    sep = "；" if lang == "zh" else "; "
    desc = s["flow_desc"].format(n=len(norm)) + sep.join(desc_steps)

    parts = [_open_svg(svg_id, width, height, "gk-chart gk-chart--flow")]
    parts.append(f'<title id="{svg_id}-t">{_esc(title)}</title>')
    parts.append(f'<desc id="{svg_id}-d">{_esc(desc)}</desc>')
    if not norm:
        parts.append(
            f'<text x="{_n(width / 2)}" y="{_n(pad + 17)}" text-anchor="middle" '
            f'font-size="{_n(small_size)}" fill="{INK}">{_esc(s["empty"])}</text></svg>'
        )
        return Markup("".join(parts))

    cx = width / 2
    for index, (top, box_h, name_lines, extra) in enumerate(boxes):
        parts.append('<g class="gk-flow__step">')
        parts.append(
            f'<rect x="{_n(pad)}" y="{_n(top)}" width="{_n(box_w)}" height="{_n(box_h)}" '
            f'rx="6" ry="6" fill="{BOX_FILL}" stroke="{BOX_STROKE}" stroke-width="1.5"/>'
        )
        ty = top + 12 + name_size - 2
        for line in name_lines:
            parts.append(
                f'<text x="{_n(cx)}" y="{_n(ty)}" text-anchor="middle" font-size="{_n(name_size)}" '
                f'font-weight="bold" fill="{INK}">{_esc(line)}</text>'
            )
            ty += name_lh
        ty = ty - name_lh + small_lh + 1
        for line in extra:
            parts.append(
                f'<text x="{_n(cx)}" y="{_n(ty)}" text-anchor="middle" font-size="{_n(small_size)}" '
                f'fill="{INK}">{_esc(line)}</text>'
            )
            ty += small_lh
        parts.append("</g>")
        if index + 1 < len(boxes):
            y1 = top + box_h
            y2 = y1 + gap
            parts.append(
                f'<line x1="{_n(cx)}" y1="{_n(y1 + 2)}" x2="{_n(cx)}" y2="{_n(y2 - 9)}" '
                f'stroke="{BOX_STROKE}" stroke-width="2"/>'
            )
            parts.append(
                f'<polygon points="{_n(cx - 6)},{_n(y2 - 10)} {_n(cx + 6)},{_n(y2 - 10)} '
                f'{_n(cx)},{_n(y2 - 2)}" fill="{BOX_STROKE}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


SVG_FUNCTIONS = {
    "budget_chart": budget_chart,
    "flowchart": flowchart,
}
