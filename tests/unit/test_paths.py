"""Files that leave the site, one page per source, safe names and index numbers (issue 11).

Every link and hard link here is a real one, made in tmp_path: a secret file outside the
site folder stands for /etc/passwd or the CI's environment.
"""

from __future__ import annotations

import os

import pytest

from helpers import ORG, dedent, make_config, num

N1, N2 = num(2024, 1), num(2024, 2)
SECRET = b"CI_TOKEN=do-not-publish\n"
ABOUT = "---\ntitle: 关于\n---\n关于\n"
UNNUMBERED = "title: a\npublished: 2024-02-01\n"


def article(number: str = N1, extra: str = "") -> str:
    return f"index_no: {number}\ntitle: 通知\npublished: 2024-02-01\n{extra}"


@pytest.fixture
def outside(tmp_path):
    """A folder beside the site folder, holding a secret."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yml").write_bytes(SECRET)
    (folder / "secret.md").write_text("---\ntitle: 秘密\n---\n秘密\n", encoding="utf-8")
    (folder / "a.yml").write_text("title: 外面\npublished: 2024-02-01\n", encoding="utf-8")
    return folder


# ------------------------------------------------------------------ links out of the site


def test_attachments_folder_linked_to_root_is_refused(make_site):
    site = make_site({"content/notices/a.yml": article(extra="attachments:\n  - file: attachments/etc/passwd\n")})
    os.symlink("/", site.path / "content/attachments")
    result = site.check()
    assert result.one("symlink-outside")["path"] == "content/attachments"
    problem = result.one("attachment-path")
    assert problem["path"] == "content/notices/a.yml" and "之外" in problem["message"]
    assert result.code == 1


def test_attachment_through_a_linked_subfolder_is_refused(make_site, outside):
    site = make_site({"content/notices/a.yml": article(extra="attachments:\n  - file: attachments/x/secret.yml\n")})
    (site.path / "content/attachments").mkdir()
    os.symlink(outside, site.path / "content/attachments/x")
    assert site.check().one("attachment-path")["line"] == 5


@pytest.mark.parametrize("link", ["content/notices", "content/notices/2024", "content/notices/b.yml"])
def test_content_linked_outside_is_refused_and_not_read(make_site, outside, link):
    site = make_site({"content/notices/a.yml": article()} if link != "content/notices" else {})
    target = outside if not link.endswith(".yml") else outside / "a.yml"
    os.symlink(target, site.path / link)
    result = site.check()
    problem = result.one("symlink-outside")
    assert problem["path"] == link and problem["level"] == "error"
    assert str(target) in problem["message"]
    loaded, _ = site.load()
    assert all(not e.source.resolve().is_relative_to(outside) for e in loaded.entries)


def test_number_never_writes_through_a_link_out_of_the_site(make_site, outside):
    site = make_site({"content/notices/a.yml": "title: a\npublished: 2024-02-01\n"}, register=False)
    os.symlink(outside / "a.yml", site.path / "content/notices/b.yml")
    before = (outside / "a.yml").read_bytes()
    result = site.run("number")
    assert result.code == 1
    assert (outside / "a.yml").read_bytes() == before
    assert os.path.islink(site.path / "content/notices/b.yml")
    assert site.read("content/notices/a.yml").startswith(b"index_no: ")
    assert b"b.yml" not in site.read("content/.registry")


def test_free_page_linked_outside_is_refused(make_site, outside):
    site = make_site({"content/notices/a.yml": article(), "content/pages/about.md": ABOUT})
    os.symlink(outside / "secret.md", site.path / "content/pages/secret.md")
    os.symlink(outside, site.path / "content/pages/more")
    result = site.check()
    assert {p["path"] for p in result.of("symlink-outside")} == {"content/pages/secret.md", "content/pages/more"}
    loaded, _ = site.load()
    assert [p.slug for p in loaded.pages] == ["about"]


def test_content_folder_linked_outside_is_refused(make_site, outside):
    site = make_site({}, register=False)
    (site.path / "content").rmdir()
    (outside / "notices").mkdir()
    (outside / "notices/a.yml").write_text(article(), encoding="utf-8")
    os.symlink(outside, site.path / "content")
    result = site.check()
    assert result.one("symlink-outside")["path"] == "content"


def test_links_that_stay_inside_the_site_are_allowed(make_site):
    site = make_site({"archive/2024/a.yml": article(), "content/pages/about.md": ABOUT})
    site.register({N1: "content/notices/2024/a.yml"})
    (site.path / "content/notices").mkdir()
    os.symlink(site.path / "archive/2024", site.path / "content/notices/2024")
    os.symlink("about.md", site.path / "content/pages/guide.md")
    result = site.check()
    assert result.problems == [] and result.code == 0
    loaded, _ = site.load()
    assert [e.url for e in loaded.entries] == ["notices/2024/a/"]


# ------------------------------------------------------------------ hard links


def test_hard_linked_item_and_attachment_are_refused(make_site, outside):
    site = make_site({"content/notices/b.yml": article(N2, extra="attachments:\n  - file: attachments/s.pdf\n")})
    (site.path / "content/attachments").mkdir()
    os.link(outside / "a.yml", site.path / "content/notices/a.yml")
    os.link(outside / "secret.yml", site.path / "content/attachments/s.pdf")
    result = site.check()
    found = {(p["path"], p["line"]) for p in result.of("hard-link")}
    assert found == {("content/notices/a.yml", 0), ("content/notices/b.yml", 5)}
    assert "cp" in result.one("hard-link", "content/notices/a.yml")["hint"]


# ------------------------------------------------------------------ file names


@pytest.mark.parametrize("name", [
    "a?b.yml", "a#b.yml", "100%.yml", "a\nb.yml", "a\\b.yml", 'a"b.yml', "a'b.yml", "a<b>.yml",
    " a.yml", "a.yml ", "a\x01.yml",
    "a b.yml", "关于\u3000通知.yml", "a[1].yml", "a|b.yml", "a\u200bb.yml",
])
def test_names_a_url_cannot_carry_are_refused(make_site, name):
    site = make_site({"content/notices/ok.yml": article(), f"content/notices/{name}": article(N2)})
    result = site.check()
    problem = result.one("file-name")
    assert problem["level"] == "error" and "\n" not in problem["message"]
    assert [e.rel for e in site.load()[0].entries] == ["content/notices/ok.yml"]


def test_folder_with_a_bad_name_is_refused(make_site):
    result = make_site({"content/notices/ok.yml": article(), "content/notices/a#b/x.yml": article(N2)}).check()
    assert result.one("file-name")["path"] == "content/notices/a#b"


def test_hidden_files_are_skipped_with_a_warning(make_site):
    hidden = {"content/notices/.old.yml": article(N2), "content/.drafts/x.yml": "x: 1\n", "content/pages/.x.md": "x"}
    known = {"content/notices/.gitkeep": "", "content/.gitattributes": ""}
    result = make_site({"content/notices/ok.yml": article(), **hidden, **known}).check()
    assert {p["path"] for p in result.of("hidden-file")} == {
        "content/notices/.old.yml", "content/.drafts", "content/pages/.x.md"
    }
    assert all(p["level"] == "warning" for p in result.problems) and result.code == 0


@pytest.mark.parametrize(
    "ref", ["attachments/a#b.pdf", "attachments/1%.pdf", "attachments/.env", "attachments/申 请.pdf"]
)
def test_attachment_names_a_url_cannot_carry_are_refused(make_site, ref):
    item = article(extra=f"attachments:\n  - file: \"{ref}\"\n")
    site = make_site({"content/notices/a.yml": item, f"content/{ref}": b"%PDF"})
    assert site.check().at("file-name") == (5, 11)


# ------------------------------------------------------------------ one page per source


def test_item_beside_another_of_the_same_name(make_site):
    files = {"content/notices/x.yml": article(), "content/notices/x.md": f"---\n{article(N2)}---\n正文\n"}
    result = make_site(files).check()
    assert {p["path"] for p in result.of("path-collision")} == {"content/notices/x.yml", "content/notices/x.md"}
    assert "notices/x/" in result.one("path-collision", "content/notices/x.md")["message"]
    assert "content/notices/x.yml" in result.one("path-collision", "content/notices/x.md")["message"]


def test_item_in_a_folder_named_like_its_category(make_site):
    result = make_site({"content/notices/x.yml": article(), "content/notices/2024/notices/x.yml": article(N2)}).check()
    assert len(result.of("path-collision")) == 2


def test_child_category_reached_through_its_parent(make_site):
    categories = dedent(
        """
        categories:
          - key: notices
            title: 通知公告
            type: article
            children:
              - key: urgent
                title: 紧急通知
                type: article
        """
    )
    files = {"content/urgent/x.yml": article(), "content/notices/urgent/x.yml": article(N2, "status: draft\n")}
    result = make_site(files, config=make_config(categories=categories)).check()
    assert {p["path"] for p in result.of("path-collision")} == set(files)


def test_names_differing_only_in_case(make_site):
    result = make_site({"content/notices/Report.yml": article(), "content/notices/report.yml": article(N2)}).check()
    problem = result.one("path-collision", "content/notices/report.yml")
    assert "大小写" in problem["message"] and "content/notices/Report.yml" in problem["message"]


def test_item_in_the_place_of_a_list_page(make_site):
    files = {"content/notices/page/2.yml": article(), "content/notices/Page/3.md": f"---\n{article(N2)}---\n"}
    result = make_site(files).check()
    assert {p["path"] for p in result.of("path-collision")} == set(files)


def test_attachments_differing_only_in_case(make_site):
    refs = "attachments:\n  - file: attachments/A.pdf\n  - file: attachments/a.pdf\n"
    pdfs = {"content/attachments/A.pdf": b"%PDF-1", "content/attachments/a.pdf": b"%PDF-2"}
    result = make_site({"content/notices/x.yml": article(extra=refs), **pdfs}).check()
    assert {p["path"] for p in result.of("path-collision")} == set(pdfs)


def test_free_pages_made_into_the_same_page(make_site):
    files = {
        "content/pages/guide.md": ABOUT,
        "content/pages/guide/index.md": ABOUT,
        "content/pages/Guide/README.md": ABOUT,
    }
    result = make_site({"content/notices/a.yml": article(), **files}).check()
    assert {p["path"] for p in result.of("path-collision")} == set(files)
    assert "pages/guide/" in result.one("path-collision", "content/pages/guide/index.md")["message"]


def test_distinct_items_do_not_collide(make_site):
    files = {"content/notices/x.yml": article(), "content/notices/2024/x.yml": article(N2)}
    result = make_site({**files, "content/notices/page.yml": article(num(2024, 3))}).check()
    assert "path-collision" not in result.codes()


# ------------------------------------------------------------------ free pages' front matter


@pytest.mark.parametrize(
    "front, code, line",
    [
        ("title: 关于\ntemplate: 404.html\n", "unknown-key", 3),
        ("title: 关于\ntempalte: x\n", "unknown-key", 3),
        ("order: 1\n", "missing-field", 2),
        ("title: 关于\norder: 第一\n", "invalid-value", 3),
        ("title: ''\n", "invalid-value", 2),
    ],
)
def test_free_page_front_matter_is_validated(make_site, front, code, line):
    site = make_site({"content/notices/a.yml": article(), "content/pages/about.md": f"---\n{front}---\n正文\n"})
    result = site.check()
    problem = result.one(code)
    assert (problem["path"], problem["line"]) == ("content/pages/about.md", line)
    assert result.code == 1
    assert site.load()[0].pages == []


def test_free_page_unknown_key_suggests_the_right_one(make_site):
    result = make_site({"content/pages/about.md": "---\ntitel: 关于\n---\n正文\n"}).check()
    assert "title" in result.one("unknown-key")["hint"] + result.one("unknown-key")["message"]


def test_free_page_with_chinese_keys(make_site):
    page = "---\n标题: 关于本站\n排序: 2\n---\n正文\n"
    site = make_site({"content/notices/a.yml": article(), "content/pages/about.md": page})
    assert site.check().problems == []
    page = site.load()[0].pages[0]
    assert (page.title, page.order, page.url) == ("关于本站", 2, "pages/about/")


# ------------------------------------------------------------------ index number patterns and numbers


@pytest.mark.parametrize(
    "pattern",
    ["../{seq}", "{org}/../{year}-{seq}", "{org}/./{seq}", "{org}?{seq}", "{org}/{year}#{seq}", "{org} {seq}",
     "{org}/{seq:010d}"],
)
def test_unsafe_pattern_is_refused(make_site, pattern):
    site = make_site({"content/notices/a.yml": UNNUMBERED}, config=make_config(pattern=pattern))
    result = site.check()
    assert result.one("index-pattern")["path"] == "site_config.yml"
    assert result.code == 2
    assert site.run("number").code == 2
    assert not list(site.path.parent.glob("*.yml"))  # nothing written beside the site


def test_unsafe_category_code_and_org_are_refused(make_site):
    config = make_config(pattern="{org}/{category_code}/{seq}").replace('code: "01"', 'code: ".."')
    assert make_site({}, config=config).check().code == 2
    config = make_config().replace("index_number:\n", "index_number:\n  org: ..\n")
    assert make_site({}, config=config).check().one("index-pattern")["line"] == 10


@pytest.mark.parametrize(
    "number",
    [
        f"{ORG}/𝟤𝟢𝟤𝟦-00001",  # mathematical digits
        f"{ORG}/２０２４-00001",  # full-width
        f"{ORG}/٢٠٢٤-00001",  # Arabic-Indic
        f"{ORG}/2024-０００01",
        f"{ORG}/2024-000001",  # a leading zero beside the width
        f"{ORG}/2024-1234567890",  # ten digits
        f"{ORG}/../2024-00001",
    ],
)
def test_look_alike_and_unsafe_numbers_are_refused(make_site, number):
    site = make_site({"content/notices/a.yml": f"index_no: \"{number}\"\ntitle: a\npublished: 2024-02-01\n"})
    assert site.check().at("index-format") == (1, 11)


def test_numbers_beyond_the_width_without_leading_zero_pass(make_site):
    assert make_site({"content/notices/a.yml": article(f"{ORG}/2024-123456")}).check().problems == []


def test_numbers_differing_only_in_case_are_duplicates(make_site):
    site = make_site({"content/notices/a.yml": article(N1), "content/notices/b.yml": article(N1.lower())})
    result = site.check()
    assert {p["path"] for p in result.of("index-duplicate")} == {"content/notices/a.yml", "content/notices/b.yml"}
    assert "大小写" in result.one("index-duplicate", "content/notices/b.yml")["message"]


# ------------------------------------------------------------------ `gongkai number`: all files or none


def test_huge_integer_elsewhere_does_not_crash_number(make_site):
    huge = "9" * 5000
    files = {"content/notices/a.yml": UNNUMBERED,
             "content/notices/b.yml": f"title: b\npublished: 2024-02-02\nsummary: {huge}\n"}
    site = make_site(files, register=False)
    result = site.run("number")
    assert "Traceback" not in result.err and result.code == 0
    registry = site.read("content/.registry").decode()
    for rel in files:
        assert site.read(rel).startswith(b"index_no: ") and rel in registry, rel


def test_number_writes_all_files_or_none(make_site):
    long_name = "长" * 83 + ".yml"  # 252 bytes: the temporary file beside it cannot be made
    files = {"content/notices/a.yml": UNNUMBERED, f"content/notices/{long_name}": "title: b\npublished: 2024-02-02\n"}
    site = make_site(files, register=False)
    before = site.snapshot()
    result = site.run("number")
    assert result.code == 1
    problem = [line for line in result.out.splitlines() + result.err.splitlines() if "[number-write]" in line]
    assert problem and long_name in problem[0]
    assert site.snapshot() == before  # a.yml, written first, has its old bytes back; no registry
    assert not [p for p in (site.path / "content/notices").iterdir() if p.name.startswith(".")]


def test_new_never_writes_through_a_link_out_of_the_site(make_site, outside):
    site = make_site({})
    os.symlink(outside, site.path / "content/notices")
    before = sorted(p.name for p in outside.rglob("*"))
    result = site.run("new", "notices", "春节放假通知")
    assert result.code == 1 and "[symlink-outside]" in result.err
    assert sorted(p.name for p in outside.rglob("*")) == before
