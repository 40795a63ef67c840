"""Print, checked on paper: Chromium prints to PDF (A4) and the PDF is read back with
pdftotext (Debian's poppler-utils, installed by `make test`) or, without it, pypdf.

Every page prints its content only (no navigation, search, header controls or footer),
the catalogue header and tables in full, rows never split, the address after each link.
An appointment (任前公示) prints as a notice for a board: one or two A4 pages, a large
title, the dates, the feedback channels, the page's address and its QR code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from browserkit import missing

APPOINTMENT_URL = "https://www.qingshan.gov.cn/appointments/2024-09-27-renqian-gongshi/"
A4 = (595, 842)  # points


def read_pdf(path: Path) -> tuple[int, str]:
    """(number of pages, text) of a PDF."""
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
        assert size and abs(float(size.group(1)) - A4[0]) < 3 and abs(float(size.group(2)) - A4[1]) < 3, info
        text = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        return pages, text
    try:
        from pypdf import PdfReader
    except ImportError:
        missing(
            "pdftotext (poppler-utils) or pypdf is needed to read PDFs", "apt-get install poppler-utils; make test does"
        )
    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def print_pdf(page, path: Path) -> tuple[int, str]:
    page.pdf(path=str(path), format="A4")
    return read_pdf(path)


@pytest.fixture
def printed(new_page, visit, artifacts):
    """printed(page type) → (page, pages, text); the PDF is kept in test-artifacts/pdf/."""

    def go(name: str, **options) -> tuple[object, int, str]:
        page = visit(new_page(1280, 900, **options), name)
        (artifacts / "pdf").mkdir(exist_ok=True)
        pages, text = print_pdf(page, artifacts / "pdf" / f"{name}.pdf")
        return page, pages, text

    return go


def test_appointment_prints_as_a_notice_for_a_board(printed):
    page, pages, text = printed("appointment")
    assert 1 <= pages <= 2, pages
    body = flat(text)
    for expected in ("青山县县管领导干部任前公示（2024年9月）", "2024-09-27", "2024-10-09", "12380",
                     "12380@qingshan.gov.cn", "反映渠道", "李晓燕", "陈卫国", APPOINTMENT_URL):  # fmt: skip
        assert flat(expected) in body, expected
    # no screen chrome on paper, and no notice status that would go stale on a board
    for absent in ("站内搜索", "高对比度", "跳到正文", "主办单位", "网站标识码", "公示状态", "公示中"):
        assert absent not in body, absent


def test_appointment_print_layout(new_page, visit):
    page = visit(new_page(1280, 900), "appointment")
    qr = page.locator(".gk-notice-print .gk-qr")
    assert qr.count() == 1 and not qr.is_visible()  # print only
    page.emulate_media(media="print")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert 100 <= box["width"] <= 160 and abs(box["width"] - box["height"]) < 1  # about 32 mm
    title_size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.gk-item--appointment .gk-title')).fontSize)"
    )
    body_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.gk-body p')).fontSize)")
    assert title_size >= 2 * body_size, (title_size, body_size)
    assert page.locator(".gk-notice-print__url").inner_text().endswith(APPOINTMENT_URL)
    # the QR code holds exactly the page's address (the same code segno makes for it)
    from generator.render.filters import qr_svg

    expected = re.search(r' d="([^"]+)"', str(qr_svg(APPOINTMENT_URL))).group(1)
    assert qr.locator("path").get_attribute("d") == expected


def test_print_shows_content_only(new_page, visit):
    page = visit(new_page(1280, 900), "article")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.md-header', '.md-sidebar--primary', '.md-footer', '.gk-display', '.gk-header-search',
                  '.gk-skip', '.md-top', '.gk-breadcrumbs', '.gk-search-data']
            .filter(s => document.querySelector(s))
            .filter(s => getComputedStyle(document.querySelector(s)).display !== 'none')"""
    )
    assert not hidden
    # the catalogue header in full: every row, no horizontal clipping
    catalogue = page.locator("table.gk-catalogue")
    assert catalogue.is_visible()
    width = page.evaluate("document.querySelector('.md-content').getBoundingClientRect().width")
    assert catalogue.bounding_box()["width"] <= width + 1
    # table rows never split across pages; headings stay with what follows
    assert page.evaluate("getComputedStyle(document.querySelector('table.gk-catalogue tr')).breakInside") == "avoid"
    assert page.evaluate("getComputedStyle(document.querySelector('h2')).breakAfter") == "avoid"


def test_link_addresses_are_printed_after_links(new_page, visit):
    page = visit(new_page(1280, 900), "budget")  # attachment links, a tel: and a mailto: link
    page.emulate_media(media="print")
    links = page.evaluate(
        """() => Array.from(document.querySelectorAll('.md-content a[href]')).map(a => ({
            href: a.getAttribute('href'), abs: a.href, text: a.textContent.trim(), mark: a.getAttribute('data-gk-href'),
            after: getComputedStyle(a, '::after').content}))"""
    )
    attachments = [a for a in links if "attachments/" in a["href"]]
    assert attachments
    for a in attachments:  # the absolute address, not the relative href
        assert a["mark"] == a["abs"] and a["abs"] in a["after"] and a["after"].startswith('" ('), a
    for a in links:
        if a["href"].startswith(("tel:", "mailto:", "#")):
            assert a["after"] in ("none", "normal"), a
    # in text, a link whose text is its address gets no second copy
    page.evaluate("""() => { const a = document.createElement('a');
                            a.href = 'https://www.gov.cn/'; a.textContent = 'https://www.gov.cn/';
                            a.id = 'gk-test-link'; document.querySelector('.gk-content').appendChild(a);
                            window.gongkai.init(); }""")
    assert page.evaluate("getComputedStyle(document.getElementById('gk-test-link'), '::after').content") in (
        "none",
        "normal",
    )


def test_long_tables_print_in_full(printed):
    _, pages, text = printed("catalogue")
    body = flat(text)
    assert pages >= 2
    # every row of the 信息公开目录, every column (the screen scrolls it sideways)
    numbers = set(re.findall(r"11330100002482066D/\d{4}-\d{5}", body))
    assert len(numbers) >= 60, len(numbers)
    for column in ("索引号", "标题", "发布日期", "类别"):
        assert column in body
    assert "筛选" not in body and "重置" not in body  # the filter form is screen-only


def test_article_prints_catalogue_header_and_body(printed):
    page, pages, text = printed("article")
    body = flat(text)
    number = page.locator(".gk-item").get_attribute("data-index-no")
    title = page.locator("h1.gk-title").inner_text()
    for expected in ("索引号", number, "发布机构", "成文日期", "发布日期", "有效性", flat(title)):
        assert flat(expected) in body, expected
    assert pages >= 1 and "站内搜索" not in body and "高对比度" not in body
