"""Phase one (`generator/load/site.py`) fills the data of `generator/site.py`."""

import json

from generator.paths import site_path

from helpers import VALID_ITEMS, item_path, num, with_index


def test_an_entry_carries_the_record_as_written_not_what_checks_derive(make_site):
    """The canonical record is a field of the entry, taken when the file was validated:
    the end date computed from working days is in the type's window, not the model or the record."""
    site = make_site({item_path("appointment"): with_index(VALID_ITEMS["appointment"], num(2024, 1))})
    loaded, problems = site.load()
    entry = loaded.entries[0]
    assert entry.model.notice.end is None and entry.ctype.window(entry.model).end is not None  # checks never mutate
    record = json.loads(entry.record)
    assert record["notice"] == {"start": "2024-06-03", "working_days": 5}
    assert "_gk_record" not in vars(entry)


def test_the_record_from_the_cache_is_the_record_read(make_site):
    files = {item_path(t): with_index(text, num(2024, i + 1)) for i, (t, text) in enumerate(VALID_ITEMS.items())}
    site = make_site(files)
    fresh, _ = site.load()
    cached, _ = site.load()
    assert all(e.memo is not None for e in cached.entries)
    assert [(e.rel, e.record) for e in cached.entries] == [(e.rel, e.record) for e in fresh.entries]


def test_site_path_is_one_rule():
    """Attachments, the sitemap and templates publish a reference at one place."""
    for reference in ("attachments/a.pdf", "./attachments/a.pdf", "content/attachments/a.pdf", " attachments\\a.pdf ",
                      "/attachments/a.pdf", "attachments/./a.pdf"):
        assert site_path(reference) == "attachments/a.pdf", reference
    assert site_path("attachments/.well-known/x.pdf") == "attachments/.well-known/x.pdf"  # no dot eaten


def test_the_template_filter_uses_the_same_rule():
    from generator.render.filters import site_path as filter_site_path

    assert filter_site_path(None) == ""
    assert filter_site_path("./content/attachments/b c.pdf") == site_path("./content/attachments/b c.pdf")


def test_reading_validating_and_loading_report_one_shape_of_problem(tmp_path):
    """Problems of a file before it has a path (read, normalise, validate) are `Found`;
    `Problems.report` files them at their line."""
    from generator.load.read import read_model
    from generator.model.registry import TYPES
    from generator.problems import Found, Problems

    bad_yaml, unknown_key = tmp_path / "a.yml", tmp_path / "b.yml"
    bad_yaml.write_text("title: [\n", encoding="utf-8")
    unknown_key.write_text("title: 通知\npublishd: 2024-01-02\n", encoding="utf-8")
    problems = Problems()
    for path in (bad_yaml, unknown_key):
        model, _, found = read_model(path, tmp_path, TYPES["article"])
        assert model is None and found and all(isinstance(f, Found) for f in found)
        problems.report(path.name, found)
    by_code = {(p.path, p.code): p for p in problems}
    assert by_code[("b.yml", "unknown-key")].line == 2
    assert "是不是" in by_code[("b.yml", "unknown-key")].hint
    assert any(path == "a.yml" and p.line >= 1 for (path, _), p in by_code.items())


def test_unsafe_markup_of_a_free_page_is_reported_at_its_line(make_site):
    """The sanitiser strips it from the page (mkdocs_site.py): the editor learns where."""
    site = make_site({
        "content/pages/about.md": "---\ntitle: 关于本站\n---\n介绍。\n\n<script>alert(1)</script>\n",
        "content/pages/guide.md": "---\ntitle: 指南\n---\n[点击](javascript:alert(1))\n",
        "content/pages/fine.md": "---\ntitle: 安全\n---\n只有文字。\n",
    })  # fmt: skip
    result = site.check()
    found = {(p["path"], p["line"], p["col"]) for p in result.of("unsafe-html")}
    assert found == {("content/pages/about.md", 6, 1), ("content/pages/guide.md", 4, 4)}  # at "]("
    assert result.code == 0  # a warning: the build strips it
    assert site.check("--strict").code != 0
