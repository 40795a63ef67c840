"""The qr_svg filter: a QR code as inline SVG, made at build time for printed notices."""

from __future__ import annotations

import re

import pytest
import zxingcpp
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


def _raster(svg: str, scale: int = 4) -> memoryview:
    """The SVG of qr_svg as a grey bitmap: its path is horizontal runs (`M x y.5`, `m dx
    dy`, `h n`) of dark modules in a viewBox that includes the quiet zone."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    dark = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", re.search(r' d="([^"]+)"', svg).group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            run = float(a)
            for column in range(int(x), int(x + run)):
                dark[int(y)][column] = True
            x += run
    pixels = bytearray()
    for row in dark:
        line = b"".join(b"\x00" * scale if cell else b"\xff" * scale for cell in row)
        pixels += line * scale
    return memoryview(bytes(pixels)).cast("B", shape=[size * scale, size * scale])


@pytest.mark.parametrize("url", [URL, "https://www.qingshan.gov.cn/", URL + "?" + "x" * 120, "https://政府.example/公示/2024/"])
def test_qr_codes_decode_to_their_url(url):
    """Read back by zxing-cpp, as a phone would read the printed notice."""
    found = zxingcpp.read_barcodes(_raster(qr_svg(url)))
    assert [code.text for code in found] == [url]
