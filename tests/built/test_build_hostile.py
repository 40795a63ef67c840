"""Hostile and awkward input in the public output (issues 11, 12): spreadsheet formulas in
every CSV we write, markup in summaries and feeds, Chinese file names in every URL, and
Markdown bodies — images from other hosts, `//host` URLs, names imitating our banners,
links to attachments, items and free pages resolved to files of the build.

One small site is built once (in a subprocess, as an editor runs `gongkai build`)."""

from __future__ import annotations

import csv
import io
import json
import time
from urllib.parse import unquote

import pytest
from lxml import etree
from lxml import html as lxml_html

from buildkit import Built, build_or_fail, parse_html, publish, run_build
from helpers import CONFIG, dedent, num

BASE = "https://www.example.gov.cn/"
FORMULAS = ["=HYPERLINK(\"http://evil.example/\",\"点击\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1", "=1+2"]
# (a leading CR cannot reach a cell any more: the loader refuses control characters, also as
# YAML escapes; the CSV writer's own rule for it is held by tests/unit)
SUMMARY = '摘要<script>alert(1)</script><img src=x onerror="alert(2)"><b>加粗</b> &amp; 5 < 6'
CHINESE_FILE = "content/notices/2024/关于春节放假的通知.md"
CHINESE_URL = "notices/2024/关于春节放假的通知/"


def q(text: str) -> str:
    """`text` as a YAML double-quoted string (JSON's form is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def files() -> dict[str, str]:
    title, keyword, plus, minus = q(FORMULAS[0]), q(FORMULAS[3]), q(FORMULAS[1]), q(FORMULAS[2])
    return {
        "content/attachments/forms/申请表.pdf": "%PDF-1.4 test",
        "content/attachments/2024/map.png": "png",
        "content/notices/2024/formula.md": dedent(
            f"""
            ---
            index_no: {num(2024, 1)}
            title: {title}
            published: 2024-03-01
            keywords: [{keyword}, 防汛]
            summary: '{SUMMARY}'
            ---
            见[申请表](attachments/forms/申请表.pdf#page=2)、[春节通知](notices/2024/关于春节放假的通知.md)、
            [同一通知]({num(2024, 2)})与[指南](pages/guide.md)。

            ![地图](attachments/2024/map.png) ![像素](https://tracker.example/p.gif) ![像素二](//tracker.example/q.gif)

            [外站](//evil.example/login) [政府网](https://www.gov.cn/)

            <div class="gk-banner gk-banner--withdrawn note" id="gk-main">已撤销</div>
            """
        ),
        CHINESE_FILE: dedent(
            f"""
            ---
            index_no: {num(2024, 2)}
            title: 关于春节放假的通知
            published: 2024-02-01
            ---
            <b>正文</b>开头 <script>alert(3)</script> 放假安排如下。
            """
        ),
        "content/fees/hostile.yml": dedent(
            f"""
            index_no: {num(2024, 3)}
            title: 收费目录
            published: 2024-03-02
            items:
              - name: {keyword}
                standard: {plus}
                amount: -5
                basis: {minus}
                note: {q(FORMULAS[4])}
              - name: 普通项目
                standard: {q(FORMULAS[5])}
            """
        ),
        "content/pages/guide.md": dedent(
            """
            ---
            title: 信息公开指南
            ---
            下载[申请表](attachments/forms/申请表.pdf)，参见[春节通知](notices/2024/关于春节放假的通知.md)。

            ![外站图](https://tracker.example/r.gif)
            """
        ),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Built:
    site = tmp_path_factory.mktemp("hostile") / "site"
    for rel, text in {"site_config.yml": CONFIG, **files()}.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    registry = [(num(2024, 1), "content/notices/2024/formula.md"), (num(2024, 2), CHINESE_FILE)]
    registry.append((num(2024, 3), "content/fees/hostile.yml"))
    (site / "content/.registry").write_text("".join(f"{n}\t{p}\n" for n, p in registry), encoding="utf-8")
    publish(site)
    out = build_or_fail(site, tmp_path_factory.mktemp("hostile-out") / "site")
    return Built(out, BASE, "", "")


def test_a_hostile_body_is_refused_by_build_in_seconds(tmp_path):
    """160,000 nested `>` took 283 s to sanitise; `gongkai build` now refuses the item with
    a Chinese error at its line, in about the time the command takes to start."""
    site = tmp_path / "site"
    body = "---\ntitle: 通知\npublished: 2024-02-01\nstatus: draft\n---\n" + ">" * 160_000 + " 深\n"
    for rel, text in {"site_config.yml": CONFIG, "content/notices/deep.md": body}.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    start = time.perf_counter()
    done = run_build(site, tmp_path / "out", timeout=60)
    assert time.perf_counter() - start < 15
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "content/notices/deep.md:6:102: error: 正文中的引用（>）或列表嵌套超过 100 层" in done.stdout + done.stderr


def csv_rows(built: Built, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(built.file(f"data/{name}").read_bytes().decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------------------
# spreadsheet formulas (OWASP CSV injection)


def test_no_csv_cell_starts_like_a_formula(hostile):
    for name in ("catalogue.csv", "fees.csv"):
        for row in csv_rows(hostile, name)[1:]:
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (name, value)
                assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit(), (name, value)


def test_formula_cells_are_quoted_and_keep_their_text(hostile):
    catalogue = {row[0]: row for row in csv_rows(hostile, "catalogue.csv")[1:]}
    assert catalogue[num(2024, 1)][1] == "'" + FORMULAS[0]
    assert catalogue[num(2024, 1)][12] == f"'{FORMULAS[3]}；防汛"
    fees = csv_rows(hostile, "fees.csv")[1:]
    assert fees[0][3:8] == ["'" + FORMULAS[3], "'" + FORMULAS[1], "-5", "", "'" + FORMULAS[2]]
    assert fees[0][10] == "'=1+1" and fees[1][4] == "'=1+2", "stripped like every field, then quoted"


def test_json_keeps_the_text_as_written(hostile):
    records = json.loads(hostile.file("data/catalogue.json").read_text(encoding="utf-8"))
    assert {r["title"] for r in records} >= {FORMULAS[0]}


# ---------------------------------------------------------------------------
# URLs: percent-encoded everywhere we write one


def _encoded(url: str) -> bool:
    return url.isascii() and " " not in url


def test_sitemap_urls_are_percent_encoded(hostile):
    root = etree.parse(str(hostile.file("sitemap.xml"))).getroot()
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert all(_encoded(u) for u in locs), locs
    assert BASE + CHINESE_URL in [unquote(u) for u in locs]


def test_feed_and_catalogue_urls_are_percent_encoded(hostile):
    rss = etree.parse(str(hostile.file("feeds/all.rss.xml"))).getroot()
    links = [e.text for e in rss.iter("link")] + [e.text for e in rss.iter("guid")]
    atom = etree.parse(str(hostile.file("feeds/all.atom.xml"))).getroot()
    links += [e.get("href") for e in atom.iter("{http://www.w3.org/2005/Atom}link")]
    links += [e.text for e in atom.iter("{http://www.w3.org/2005/Atom}id")]
    assert all(_encoded(u) for u in links), links
    assert BASE + CHINESE_URL in [unquote(u) for u in links]
    records = json.loads(hostile.file("data/catalogue.json").read_text(encoding="utf-8"))
    urls = [r["url"] for r in records] + [row[14] for row in csv_rows(hostile, "catalogue.csv")[1:]]
    assert all(_encoded(u) for u in urls) and BASE + CHINESE_URL in [unquote(u) for u in urls]


# ---------------------------------------------------------------------------
# feeds carry text, never live markup


def test_rss_description_is_text_that_renders_no_element(hostile):
    rss = etree.parse(str(hostile.file("feeds/all.rss.xml"))).getroot()
    descriptions = {i.findtext("guid"): i.findtext("description") for i in rss.iter("item")}
    for text in descriptions.values():
        # a reader renders the description as HTML: it must hold no element at all
        fragment = lxml_html.fragment_fromstring(text, create_parent="div")
        assert [e.tag for e in fragment.iter()] == ["div"], text
    first = descriptions[f"{BASE}i/{num(2024, 1)}/"]
    summary = lxml_html.fragment_fromstring(first, create_parent="div").text_content()
    assert "摘要" in summary and "加粗" in summary and "& 5 < 6" in summary and "alert" not in summary
    body = lxml_html.fragment_fromstring(descriptions[f"{BASE}i/{num(2024, 2)}/"], create_parent="div").text_content()
    assert "正文开头" in body and "alert" not in body


def test_atom_summary_is_plain_text(hostile):
    atom = etree.parse(str(hostile.file("feeds/all.atom.xml"))).getroot()
    for summary in atom.iter("{http://www.w3.org/2005/Atom}summary"):
        assert summary.get("type") in (None, "text")
        assert "<" not in summary.text.replace("5 < 6", "") and "alert" not in summary.text


# ---------------------------------------------------------------------------
# bodies


def body_of(built: Built, url: str):
    page = parse_html(built.file(f"{url}index.html").read_bytes())
    return page.xpath("//*[contains(@class,'gk-body')]")[0]


def test_body_links_reach_attachments_items_and_pages(hostile):
    url = "notices/2024/formula/"
    hrefs = body_of(hostile, url).xpath(".//a/@href")
    targets = [hostile.resolve(url, h) for h in hrefs if hostile.resolve(url, h) is not None]
    assert targets == ["attachments/forms/申请表.pdf", CHINESE_URL, CHINESE_URL, "pages/guide/"]
    for target in targets:
        assert hostile.exists(target), target
    assert any(h.endswith("#page=2") for h in hrefs), "the fragment stays"
    assert all(h.isascii() for h in hrefs)


def test_images_only_from_the_site(hostile):
    sources = body_of(hostile, "notices/2024/formula/").xpath(".//img/@src")
    assert sources == ["../../../attachments/2024/map.png"]
    assert hostile.exists("attachments/2024/map.png")
    page = hostile.file("notices/2024/formula/index.html").read_text(encoding="utf-8")
    body = etree.tostring(body_of(hostile, "notices/2024/formula/"), encoding="unicode")
    assert "tracker.example" not in body and "evil.example" not in body
    assert "https://www.gov.cn/" in body, "links to other sites stay"
    assert "//tracker.example" not in page.split("gk-record")[0]


def test_body_cannot_imitate_a_banner(hostile):
    body = body_of(hostile, "notices/2024/formula/")
    assert "已撤销" in body.text_content()
    inside = [e for e in body.iter() if e is not body]
    names = [n for e in inside for n in (e.get("class") or "").split() + [e.get("id") or ""] if n]
    assert names == ["note"], "the editor's own class stays; the theme's names go"
    assert body.xpath(".//div[@class='note']")


def test_free_page_links_and_images(hostile):
    page = parse_html(hostile.file("pages/guide/index.html").read_bytes())
    content = page.xpath("//article")[0]
    hrefs = [hostile.resolve("pages/guide/", h) for h in content.xpath(".//p//a/@href")]
    assert hrefs == ["attachments/forms/申请表.pdf", CHINESE_URL]
    assert all(hostile.exists(h) for h in hrefs)
    assert not content.xpath(".//img[contains(@src,'tracker')]")
