"""The cheaper ways an item page is made (render/items.py, filters.py, markdown.py) give
what the slower ones gave: catalogue rows as the Jinja macro rendered them, time tags as
Markup.format made them, sanitised bodies with each call's own links, files written anew
(never through a hard link) with one mkdir per folder, head tags kept per site and depth
as they were made per page."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from html import escape
from types import SimpleNamespace
from urllib.parse import urlsplit

import jinja2
import pytest
from markupsafe import Markup

from generator.render import filters, head, markdown
from generator.render.items import _put

# The macro item/base.html used before catalogue_rows (filters.py), as it was written.
MACRO = """{% macro catalogue_rows(fields) %}
{% for pair in fields | batch(2) %}
<tr>
{% for key, name, value in pair %}
<th id="gk-cat-{{ key }}">{{ name }}</th>
<td headers="gk-cat-{{ key }}"{% if pair | length == 1 %} colspan="3"{% endif %}>{{ value }}</td>
{% endfor %}
</tr>
{% endfor %}
{% endmacro %}
{{ catalogue_rows(fields | selectattr(2, 'present') | list) }}
"""

FIELDS = [
    ("index_no", "索引号", "11330100002482066D/2024-00001"),
    ("topic", "主题分类", ""),
    ("publisher", "发布机构", "青山县<人民政府>办公室 & 财政局"),
    ("written", "成文日期", Markup('<time datetime="2024-05-06">2024-05-06</time>')),
    ("doc_no", "文号", None),
    ("keywords", '关键词"', "防汛，抗旱"),
    ("validity", "有效性", "  "),
]


@pytest.mark.parametrize("count", range(len(FIELDS) + 1))
def test_catalogue_rows_are_the_macros_rows(count):
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.tests.update(filters.TESTS)
    for fields in (FIELDS[:count], FIELDS[len(FIELDS) - count :]):
        expected = env.from_string(MACRO).render(fields=fields)
        template = env.from_string("{{ catalogue_rows(fields) }}\n")
        rendered = template.render(fields=fields, catalogue_rows=filters.catalogue_rows)
        assert rendered == expected
        assert isinstance(filters.catalogue_rows(fields), Markup)


def test_catalogue_rows_refuse_an_undefined_value():
    with pytest.raises(jinja2.UndefinedError):
        filters.catalogue_rows([("topic", "主题分类", jinja2.StrictUndefined(name="topic"))])


@pytest.mark.parametrize(
    "value, text",
    [(dt.date(2024, 5, 6), None), (dt.datetime(2024, 5, 6, 8, 30), None), ("2024-05<06>", None),
     (dt.date(2024, 5, 6), "5月6日 <b>"), (dt.date(2024, 5, 6), Markup("<b>6</b>")), ("x&y", 7)],
)  # fmt: skip
def test_time_tags_are_what_markup_format_made(value, text):
    iso = filters.date(value)
    expected = Markup('<time datetime="{0}">{1}</time>').format(iso, text if text is not None else iso)
    assert filters.time_tag(value, text) == expected
    assert isinstance(filters.time_tag(value, text), Markup)


def test_each_sanitize_call_rewrites_with_its_own_links_in_every_thread():
    html = '<p><a href="attachments/a.pdf#p2">a</a> <a href="notices/b.md">b</a> <span class="gk-x ok">c</span></p>'
    results, errors = {}, []

    def work(number: int) -> None:
        links = {"attachments/a.pdf": f"attachments/{number}.pdf", "notices/b.md": f"notices/{number}/"}
        base = "../" * (number % 4)
        try:
            for _ in range(200):
                out = markdown.sanitize(html, links, base)
                assert out == markdown.sanitize(html, links, base)
            results[number] = out
        except AssertionError as exc:  # pragma: no cover - only when calls mix their links
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for number, out in results.items():
        base = "../" * (number % 4)
        assert f'href="{base}attachments/{number}.pdf#p2"' in out and f'href="{base}notices/{number}/"' in out
        assert 'class="ok"' in out
    # a call without links after them: nothing of theirs is left behind
    plain = markdown.sanitize(html)
    assert 'href="attachments/a.pdf#p2"' in plain and 'href="notices/b.md"' in plain


@pytest.mark.parametrize(
    "text",
    ["", "  \n", "# 标题\n\n正文 https://example.org/a 与 [附件](attachments/a.pdf)。\n",
     "<script>alert(1)</script><img src=//evil.example/x.png> <a href='javascript:x'>x</a>",
     ">" * 150 + " 太深", "<div>" * 120],
)  # fmt: skip
def test_render_html_is_the_html_of_render(text):
    links = {"attachments/a.pdf": "attachments/a.pdf"}
    assert markdown.render_html(text, links, "../../") == markdown.render(text, links, "../../").html


def test_put_writes_anew_never_through_and_makes_each_folder_once(tmp_path, monkeypatch):
    root = tmp_path / "site"
    made: set[str] = set()
    mkdirs = []
    real_mkdir = os.mkdir
    monkeypatch.setattr(os, "mkdir", lambda path, *a, **k: (mkdirs.append(str(path)), real_mkdir(path, *a, **k))[1])
    for name in ("index.html", "a.html", "b.html"):
        _put(str(root), f"notices/2024/x/{name}", f"页 {name}", made)
    assert sorted(mkdirs) == sorted(set(mkdirs)), "a folder was made twice"
    assert (root / "notices/2024/x/a.html").read_text(encoding="utf-8") == "页 a.html"
    umask = os.umask(0)
    os.umask(umask)
    assert (root / "notices/2024/x/a.html").stat().st_mode & 0o777 == 0o666 & ~umask  # as open(…, "wb")
    # the spare's files are hard links of the live site's: a new page replaces the link
    live = tmp_path / "live.html"
    live.write_text("旧", encoding="utf-8")
    os.unlink(root / "notices/2024/x/index.html")
    os.link(live, root / "notices/2024/x/index.html")
    rel, digest = _put(str(root), "notices/2024/x/index.html", "新", set())
    assert (root / rel).read_text(encoding="utf-8") == "新" and live.read_text(encoding="utf-8") == "旧"
    assert digest == _put(str(tmp_path / "other"), rel, "新", set())[1]


def test_a_folder_beside_a_made_one_costs_one_mkdir_and_a_removed_parent_is_made_again(tmp_path, monkeypatch):
    root = str(tmp_path / "site")
    made: set[str] = set()
    _put(root, "notices/2024/a/index.html", "甲", made)
    calls = []
    real_mkdir, real_stat = os.mkdir, os.stat

    def noting(name, real):
        return lambda path, *a, **k: (calls.append((name, str(path))), real(path, *a, **k))[1]

    monkeypatch.setattr(os, "mkdir", noting("mkdir", real_mkdir))
    monkeypatch.setattr(os, "stat", noting("stat", real_stat))
    _put(root, "notices/2024/b/index.html", "乙", made)
    assert calls == [("mkdir", f"{root}/notices/2024/b")]  # its parent is known: no look at it first
    monkeypatch.setattr(os, "mkdir", real_mkdir)
    monkeypatch.setattr(os, "stat", real_stat)
    # the parent removed since (between builds, or by someone else): made again
    shutil.rmtree(tmp_path / "site" / "notices")
    _put(root, "notices/2024/c/index.html", "丙", made)
    assert (tmp_path / "site/notices/2024/c/index.html").read_text(encoding="utf-8") == "丙"
    # a folder that is there already (an update into the spare) is fine; a file in its place is not
    _put(root, "notices/2024/d/index.html", "丁", set())
    _put(root, "notices/2024/d/index.html", "丁2", made | {f"{root}/notices/2024"})
    assert (tmp_path / "site/notices/2024/d/index.html").read_text(encoding="utf-8") == "丁2"
    (tmp_path / "site/notices/2024/e").write_text("", encoding="utf-8")
    with pytest.raises(FileExistsError):
        _put(root, "notices/2024/e/index.html", "戊", made)


def _head_as_it_was(site, info: head.HeadInfo) -> str:
    """build_head before its per-site tags and feed links were kept (render/head.py)."""
    cfg = site.config
    base_url = cfg.site.url
    depth_prefix = "../" * info.url.count("/")
    description = " ".join((info.description or cfg.site.description or cfg.site.name).split())[:200]
    tags = [
        head._meta("description", description),
        f'<link rel="canonical" href="{escape(base_url + info.url, quote=True)}">' if info.canonical else "",
        head._meta("SiteName", cfg.site.name),
        head._meta("SiteDomain", urlsplit(base_url).hostname or ""),
        head._meta("SiteIDCode", cfg.identity.site_code or ""),
        head._meta("ColumnName", info.column),
        head._meta("ColumnDescription", info.column_description),
        head._meta("ColumnType", info.column_type or info.column),
        head._meta("ArticleTitle", info.article_title),
        head._meta("PubDate", info.pub_date),
        head._meta("ContentSource", info.source),
        head._meta("Keywords", ",".join(info.keywords)),
        head._meta("Description", description if info.article_title else ""),
        '<meta name="robots" content="noindex">' if info.noindex else "",
    ]
    for feed in info.feeds:
        title, href = escape(feed.title, quote=True), escape(depth_prefix + feed.url, quote=True)
        tags.append(f'<link rel="alternate feed" type="{feed.mime}" title="{title}" href="{href}">')
    return "\n    ".join(tag for tag in tags if tag)


def _site(name: str, url: str, code: str | None, description: str = "") -> SimpleNamespace:
    return SimpleNamespace(
        config=SimpleNamespace(site=SimpleNamespace(name=name, url=url, description=description),
                               identity=SimpleNamespace(site_code=code))
    )  # fmt: skip


def test_head_tags_kept_per_site_and_depth_are_the_ones_made_each_time():
    feeds = [head.Feed("青山 (RSS)", "feeds/all.rss.xml", "rss"),
             head.Feed('栏目"<a>" (Atom)', "feeds/n.atom.xml", "atom")]  # fmt: skip
    sites = [_site("青山县人民政府", "https://www.qs.gov.cn/", "3301000001"),
             _site("临溪镇 & <人民政府>", "https://lx.example.org:8443/gk/", None, "镇政府信息公开"),
             _site("青山县人民政府", "https://other.gov.cn/", "")]  # fmt: skip
    infos = [
        head.HeadInfo("notices/2024/a/", "摘要  \n 一", "通知公告", "文章", "说明", "标题<b>", "2024-05-06", "办公室",
                      ["防汛", "抗旱"], feeds),
        head.HeadInfo("notices/2024/b/c/", feeds=feeds[:1], noindex=True),
        head.HeadInfo("404.html", canonical=False),
        head.HeadInfo("", feeds=feeds),
    ]  # fmt: skip
    for _round in range(2):  # the second from what the first kept
        for site in sites:
            for info in infos:
                assert head.build_head(site, info) == _head_as_it_was(site, info)


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("", ""),
        ("\n", "\n"),
        ("正文\n\n```\n代码\n```\n", None),
        ("    缩进\n`x`\n", None),
        ("无链接 htt p://a ", None),
        ("`https://a`\n", None),  # in a code span: left as it is
        ("http://a.example/x。\n", "<http://a.example/x>。\n"),
        ("见 https://a.example/b.html, 或 http://c.example。", "见 <https://a.example/b.html>, 或 <http://c.example>。"),
    ],
)
def test_autolink_without_a_url_gives_the_text_back(text, linked):
    """A body without a bare URL comes back as it is (the same object: no pass over its
    lines); one with a URL is linked as before."""
    found = markdown.autolink(text)
    assert found == (text if linked is None else linked)
    if "http" not in text:
        assert found is text
