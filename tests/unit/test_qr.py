"""The qr_svg filter: a QR code as inline SVG, made at build time for printed notices."""

from __future__ import annotations

import re

from markupsafe import Markup

from generator.render.filters import FILTERS, qr_svg

URL = "https://www.qingshan.gov.cn/appointments/2024-09-27-renqian-gongshi/"


def test_qr_svg_is_inline_markup():
    svg = qr_svg(URL, "扫码查看 <本公示> & 反映")
    assert isinstance(svg, Markup) and FILTERS["qr_svg"] is qr_svg
    assert svg.startswith('<svg role="img" focusable="false" ') and svg.endswith("</svg>")
    assert 'class="gk-qr"' in svg and "viewBox=" in svg
    assert not re.search(r'\s(width|height)="', svg)  # sized by CSS
    assert "<title>扫码查看 &lt;本公示&gt; &amp; 反映</title>" in svg
    assert "<?xml" not in svg and "<script" not in svg and "xmlns" not in svg


def test_qr_svg_is_deterministic_and_depends_on_the_url():
    assert qr_svg(URL) == qr_svg(URL)
    assert qr_svg(URL) != qr_svg(URL.replace("2024", "2023"))
    assert "<title>" not in qr_svg(URL)


def test_qr_svg_of_nothing_is_empty():
    assert qr_svg(None) == "" and qr_svg("") == "" and qr_svg("  ") == ""
