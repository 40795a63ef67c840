"""The list pages of the public site (issue 3): home, category pages with their years and
pagination, nested categories, the 信息公开目录, permanent links and free pages."""

from __future__ import annotations

import pytest

from buildkit import BUILD_DAY, DEMO_SITE, Source, article, by_class, header_cells, meta, one, table_rows, text

SOURCE = Source(DEMO_SITE)
SEPTEMBER_NOTICE = "content/appointments/2024-09-27-renqian-gongshi.yml"


def list_rows(built, url: str) -> list[tuple[str, str, str]]:
    """(item URL, index number, date) of every row of a category page's item tables."""
    rows = []
    for table in by_class(article(built.page(url)), "gk-table--items", "table"):
        for tr in table.xpath("./tbody/tr"):
            link = one(tr.xpath("./td[contains(@class,'gk-col-title')]/a"), "title link")
            number = text(one(tr.xpath("./td[contains(@class,'gk-col-index')]")))
            date = one(tr.xpath(".//time/@datetime"), "<time>")
            rows.append((built.resolve(url, link.get("href")), number, date))
    return rows


def expected_rows(items) -> list[tuple[str, str, str]]:
    return [(i.url, i.index_no or "", i.published) for i in items]


# ---------------------------------------------------------------------------
# home


def test_home_names_the_site(demo):
    home = demo.page("")
    assert text(one(article(home).xpath(".//h1"))) == SOURCE.config["site"]["name"] == "青山县人民政府办公室"


def test_home_shows_each_top_category_with_its_latest_items_newest_first(demo):
    page = article(demo.page(""))
    sections = by_class(page, "gk-home__category", "section")
    assert [text(one(s.xpath("./h2"))) for s in sections] == [SOURCE.categories[k].title for k in SOURCE.roots]
    for key, section in zip(SOURCE.roots, sections):
        heading_link = one(section.xpath("./h2/a"))
        assert demo.resolve("", heading_link.get("href")) == f"{key}/"
        shown = [
            (demo.resolve("", li.xpath("./a")[0].get("href")), one(li.xpath(".//time/@datetime")))
            for li in section.xpath("./ul/li")
        ]
        expected = [(i.url, i.published) for i in SOURCE.listed(key)[:5]]
        assert shown == expected, f"home, {key}"
        dates = [d for _, d in shown]
        assert dates == sorted(dates, reverse=True)
        for url, _ in shown:
            assert demo.exists(url), url


def test_home_nested_category_includes_its_children(demo):
    """财政预决算 has no items of its own: the home page shows its children's."""
    section = [
        s
        for s in by_class(article(demo.page("")), "gk-home__category", "section")
        if text(s.xpath("./h2")[0]) == "财政预决算"
    ][0]
    urls = [demo.resolve("", li.xpath("./a")[0].get("href")) for li in section.xpath("./ul/li")]
    assert urls == [
        "finals/2023-bumen-juesuan/",
        "budgets/2024-bumen-yusuan/",
        "finals/2022-bumen-juesuan/",
        "budgets/2023-bumen-yusuan/",
    ]


def test_home_lists_the_notices_in_their_notice_period_with_end_dates(demo):
    assert BUILD_DAY.isoformat() == "2024-10-08"
    section = one(by_class(article(demo.page("")), "gk-home__open--appointment", "section"), "open notices section")
    assert text(one(section.xpath("./h2"))) == "正在公示"
    items = section.xpath("./ul/li")
    notice = SOURCE.by_rel(SEPTEMBER_NOTICE)
    assert [demo.resolve("", li.xpath("./a")[0].get("href")) for li in items] == [notice.url]
    assert text(items[0].xpath("./a")[0]) == notice.title
    assert items[0].xpath(".//time/@datetime") == ["2024-09-27", "2024-10-09"]
    assert "公示期：2024-09-27 至 2024-10-09" in text(items[0])


def test_home_links_the_catalogue_and_the_feeds(demo):
    page = article(demo.page(""))
    catalogue = one(by_class(page, "gk-home__catalogue", "a"))
    assert demo.resolve("", catalogue.get("href")) == "catalogue/"
    feeds = {demo.resolve("", a.get("href")): a.get("type") for a in by_class(page, "gk-home__feed", "a")}
    assert feeds == {"feeds/all.rss.xml": "application/rss+xml", "feeds/all.atom.xml": "application/atom+xml"}
    for url in feeds:
        assert demo.exists(url)


# ---------------------------------------------------------------------------
# category pages


@pytest.mark.parametrize("key", list(SOURCE.categories))
def test_category_page_lists_its_items_newest_first(demo, key):
    assert list_rows(demo, f"{key}/") == expected_rows(SOURCE.listed(key))
    for url, _, _ in list_rows(demo, f"{key}/"):
        assert demo.exists(url), url


@pytest.mark.parametrize("key", list(SOURCE.categories))
def test_category_page_groups_by_year_with_counts(demo, key):
    page = article(demo.page(f"{key}/"))
    items = SOURCE.listed(key)
    counts: dict[int, int] = {}
    for item in items:
        counts[int(item.published[:4])] = counts.get(int(item.published[:4]), 0) + 1
    headings = [text(h) for h in by_class(page, "gk-year__heading", "h2")]
    assert headings == [f"{year} 年（共 {n} 条）" for year, n in sorted(counts.items(), reverse=True)]
    assert text(one(by_class(page, "gk-category__meta", "p"))).startswith(f"共 {len(items)} 条")
    assert text(one(page.xpath(".//h1"))) == SOURCE.categories[key].title
    assert not by_class(page, "gk-pagination", "nav"), "fewer than 50 items: no pagination"


def test_category_description_is_shown(demo):
    lead = one(by_class(article(demo.page("notices/")), "gk-lead", "p"))
    assert text(lead) == SOURCE.categories["notices"].description


def test_nested_category_lists_its_children_items_and_links_them(demo):
    page = article(demo.page("finance/"))
    rows = list_rows(demo, "finance/")
    assert rows == expected_rows(SOURCE.listed("finance"))
    assert {url.split("/")[0] for url, _, _ in rows} == {"budgets", "finals"}
    assert len(rows) == len(SOURCE.listed("budgets")) + len(SOURCE.listed("finals")) == 4
    children = one(by_class(page, "gk-subcategories", "nav"))
    links = [(demo.resolve("finance/", a.get("href")), text(a)) for a in children.xpath(".//a")]
    assert links == [("budgets/", "部门预算"), ("finals/", "部门决算")]


def test_child_category_has_breadcrumbs_to_its_parent(demo):
    crumbs = one(by_class(article(demo.page("budgets/")), "gk-breadcrumbs", "nav"))
    links = [(demo.resolve("budgets/", a.get("href")), text(a)) for a in crumbs.xpath(".//a")]
    assert links == [("finance/", "财政预决算")]
    assert text(one(crumbs.xpath(".//*[@aria-current='page']"))) == "部门预算"


def test_repealed_and_expired_documents_are_marked_in_lists(demo):
    rows = {}
    for tr in [
        tr
        for table in by_class(article(demo.page("policies/")), "gk-table--items", "table")
        for tr in table.xpath("./tbody/tr")
    ]:
        link = tr.xpath(".//td[contains(@class,'gk-col-title')]/a")[0]
        rows[demo.resolve("policies/", link.get("href"))] = tr
    for item in SOURCE.listed("policies"):
        tr = rows[item.url]
        marks = [text(s) for s in by_class(tr, "gk-validity", "span")]
        if item.validity_value == "valid":
            assert marks == [] and "gk-row--" not in (tr.get("class") or "")
        else:
            assert marks == [item.validity_label], item.rel
            assert f"gk-row--{item.validity_value}" in tr.get("class")
    assert {i.validity_value for i in SOURCE.listed("policies")} >= {"valid", "repealed", "expired"}


# ---------------------------------------------------------------------------
# pagination (synthetic site: 120 notices, 60 + 40 + 20 over three years)

PAGES = ["notices/", "notices/page/2/", "notices/page/3/"]


def test_pagination_splits_the_category_into_pages_of_50(synthetic, synthetic_source):
    expected = expected_rows(synthetic_source.listed("notices"))
    assert len(expected) == 120
    shown = [list_rows(synthetic, url) for url in PAGES]
    assert [len(rows) for rows in shown] == [50, 50, 20]
    assert [row for rows in shown for row in rows] == expected
    assert not synthetic.exists("notices/page/4/")
    assert not synthetic.exists("notices/page/1/"), "page 1 is the category page itself"


@pytest.mark.parametrize("number", [1, 2, 3])
def test_pagination_links(synthetic, number):
    url = PAGES[number - 1]
    nav = one(by_class(article(synthetic.page(url)), "gk-pagination", "nav"), "pagination")
    prev = [synthetic.resolve(url, a.get("href")) for a in nav.xpath(".//a[@rel='prev']")]
    nxt = [synthetic.resolve(url, a.get("href")) for a in nav.xpath(".//a[@rel='next']")]
    assert prev == ([PAGES[number - 2]] if number > 1 else [])
    assert nxt == ([PAGES[number]] if number < 3 else [])
    numbered = {text(a): synthetic.resolve(url, a.get("href")) for a in nav.xpath(".//a[not(@rel)]")}
    assert numbered == {"1": PAGES[0], "2": PAGES[1], "3": PAGES[2]}
    current = one(nav.xpath(".//a[@aria-current='page']"))
    assert text(current) == str(number)
    assert text(one(by_class(nav, "gk-pagination__status", "p"))) == f"第 {number} 页，共 3 页"
    for target in prev + nxt + list(numbered.values()):
        assert synthetic.exists(target)


def test_paginated_pages_count_years_over_the_whole_category(synthetic):
    headings = lambda url: [text(h) for h in by_class(article(synthetic.page(url)), "gk-year__heading", "h2")]  # noqa: E731
    assert headings("notices/") == ["2024 年（共 60 条）"]
    assert headings("notices/page/2/") == ["2024 年（共 60 条）", "2023 年（共 40 条）"]
    assert headings("notices/page/3/") == ["2022 年（共 20 条）"]
    for url in PAGES:
        assert text(one(by_class(article(synthetic.page(url)), "gk-category__meta", "p"))).startswith("共 120 条")


def test_later_pages_have_their_own_title_and_canonical_link(synthetic):
    page = synthetic.page("notices/page/2/")
    assert text(one(article(page).xpath(".//h1"))) == "通知公告（第 2 页）"
    assert page.xpath("//link[@rel='canonical']/@href") == [synthetic.base_url + "notices/page/2/"]
    assert "通知公告（第 2 页）" in text(one(page.xpath("//title")))


# ---------------------------------------------------------------------------
# 信息公开目录


def test_catalogue_lists_every_published_item_as_a_plain_table(demo):
    page = article(demo.page("catalogue/"))
    table = one(by_class(page, "gk-table--catalogue", "table"), "catalogue table")
    assert header_cells(table) == ["索引号", "标题", "主题分类", "发布机构", "发布日期", "有效性", "类别"]
    expected = [
        [
            i.index_no or "",
            i.title,
            i.topic or "",
            SOURCE.publisher(i),
            i.published,
            i.validity_label,
            SOURCE.categories[i.category].title,
        ]
        for i in SOURCE.listed()
    ]
    assert table_rows(table) == expected
    links = [demo.resolve("catalogue/", tr.xpath("./td[2]/a")[0].get("href")) for tr in table.xpath("./tbody/tr")]
    assert links == [i.url for i in SOURCE.listed()]
    assert all(demo.exists(url) for url in links)
    assert text(one(by_class(page, "gk-catalogue-count", "p"))) == f"共 {len(expected)} 条"


def test_catalogue_filters_wait_for_the_script(demo):
    """Without JavaScript the page is the plain table: the filter form starts hidden."""
    form = one(by_class(article(demo.page("catalogue/")), "gk-filters", "form"))
    assert form.get("hidden") is not None


# ---------------------------------------------------------------------------
# permanent links /i/<index number>/


@pytest.mark.parametrize("item", [i for i in SOURCE.items if i.published_page and i.index_no], ids=lambda i: i.index_no)
def test_permanent_link_redirects_to_the_item(demo, item):
    url = f"i/{item.index_no}/"
    assert demo.file(url) == demo.root / "i" / item.index_no.split("/")[0] / item.index_no.split("/")[1] / "index.html"
    page = demo.page(url)
    refresh = one(page.xpath("//meta[@http-equiv='refresh']/@content"), "meta refresh")
    delay, _, target = refresh.partition(";")
    assert delay.strip() == "0"
    target = target.strip()
    assert target.lower().startswith("url=")
    assert demo.resolve(url, target[4:]) == item.url
    assert demo.exists(item.url)
    assert page.xpath("//link[@rel='canonical']/@href") == [demo.base_url + item.url]
    assert [demo.resolve(url, a.get("href")) for a in page.xpath("//body//a")] == [item.url]
    assert meta(page, "robots") == "noindex"


def test_permanent_link_example_from_the_issue(demo):
    item = SOURCE.by_index("11330100002482066D/2024-00012")
    assert (demo.root / "i/11330100002482066D/2024-00012/index.html").is_file()
    target = (
        demo.page("i/11330100002482066D/2024-00012/")
        .xpath("//meta[@http-equiv='refresh']/@content")[0]
        .split("url=")[1]
    )
    assert demo.resolve("i/11330100002482066D/2024-00012/", target) == item.url


# ---------------------------------------------------------------------------
# free pages


@pytest.mark.parametrize("slug,title", SOURCE.free_pages())
def test_free_page_is_built_and_in_the_navigation(demo, slug, title):
    url = f"pages/{slug}/"
    assert text(one(article(demo.page(url)).xpath(".//h1"))) == title
    for where in ("", "notices/2024/2024-03-15-spring-fire-safety/", "catalogue/"):
        nav = demo.page(where).xpath("//nav[contains(@class,'md-nav--primary')]")[0]
        targets = {demo.resolve(where, a.get("href")): text(a) for a in nav.xpath(".//a[@href]")}
        assert targets.get(url) == title, f"{url} not in the navigation of {where or 'home'}"


def test_navigation_links_every_category_and_service_page(demo):
    nav = demo.page("").xpath("//nav[contains(@class,'md-nav--primary')]")[0]
    targets = {demo.resolve("", a.get("href")) for a in nav.xpath(".//a[@href]")}
    assert {f"{k}/" for k in SOURCE.categories} <= targets
    assert {"catalogue/", "search/", "subscribe/", "data/"} <= targets


# ---------------------------------------------------------------------------
# links


def broken_links(built, inside_bodies: bool) -> list[str]:
    """Links of every page that stay on the site but name no file of the build: those
    of the Markdown bodies (`.gk-body`) or all the others."""
    broken = []
    in_body = "ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' gk-body ')]"
    for url in built.content_pages():
        page = built.page(url)
        for element in page.xpath("//a[@href] | //link[@href] | //script[@src] | //img[@src] | //source[@src]"):
            if bool(element.xpath(in_body)) != inside_bodies:
                continue
            ref = element.get("href") if element.get("href") is not None else element.get("src")
            if ref.startswith(("#", "mailto:", "tel:", "data:")):
                continue
            target = built.resolve(url, ref)
            if target is not None and not built.exists(target.split("?")[0]):
                broken.append(f"{url or '/'}: {ref[:120]}")
    return broken


def test_every_internal_link_resolves(demo):
    """Every href/src of the theme, navigation, lists and item views that stays on the
    site names a file of the build."""
    broken = broken_links(demo, inside_bodies=False)
    assert not broken, "broken links:\n" + "\n".join(broken[:50])


def test_links_in_markdown_bodies_resolve(demo):
    broken = broken_links(demo, inside_bodies=True)
    assert not broken, "broken links in bodies:\n" + "\n".join(broken[:50])


def test_autolink_in_chinese_text_stops_at_fullwidth_punctuation(demo):
    """The annual reports' '网站（https://www.qingshan.gov.cn/）下载': the link is the URL only."""
    page = demo.page("annual-reports/2024-01-26-2023-niandu-baogao/")
    hrefs = [a.get("href") for a in page.xpath("//*[contains(@class,'gk-body')]//a[starts-with(@href, 'https://www.qingshan.gov.cn')]")]
    assert hrefs == ["https://www.qingshan.gov.cn/"]


def test_column_meta_of_category_pages(demo):
    for key, category in SOURCE.categories.items():
        page = demo.page(f"{key}/")
        assert meta(page, "ColumnName") == category.title
        if category.description:
            assert meta(page, "ColumnDescription") == category.description
