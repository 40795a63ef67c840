"""`gongkai number` at scale (issue 19): a site without a registry warns on every file
(`index-unregistered`); pointing at the number must not parse each file again, and must
point exactly where parsing would."""

from __future__ import annotations

import pytest

from generator.checks.index_numbers import LOC, number_pos

from helpers import num

N = num(2024, 7)
FORMS = {
    "plain.yml": f"title: 通知\nindex_no: {N}\npublished: 2024-02-01\n",
    "first.yml": f"index_no: {N}\ntitle: 通知\npublished: 2024-02-01\n",
    "double-quoted.yml": f'title: 通知\nindex_no: "{N}"\npublished: 2024-02-01\n',
    "single-quoted.yml": f"title: 通知\nindex_no: '{N}'\npublished: 2024-02-01\n",
    "comment.yml": f"title: 通知\nindex_no: {N}   # 自动生成\npublished: 2024-02-01\n",
    "spaces.yml": f"title: 通知\nindex_no:     {N}\npublished: 2024-02-01\n",
    "chinese.yml": f"标题: 通知\n索引号: {N}\n发布日期: 2024-02-01\n",
    "crlf.yml": f"title: 通知\r\nindex_no: {N}\r\npublished: 2024-02-01\r\n",
    "bom.yml": f"\ufeffindex_no: {N}\ntitle: 通知\npublished: 2024-02-01\n",
    "front.md": f"---\ntitle: 通知\nindex_no: {N}\npublished: 2024-02-01\n---\n\nindex_no: 正文里的一行\n",
    "block.yml": f"title: 通知\nindex_no: >-\n  {N}\npublished: 2024-02-01\n",  # parsed
    "flow.yml": f"{{title: 通知, index_no: {N}, published: 2024-02-01}}\n",  # parsed
    "quoted-key.yml": f'title: 通知\n"index_no": {N}\npublished: 2024-02-01\n',
}
PARSED = {"block.yml", "flow.yml"}  # not the one-line form: found by parsing the file


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_number_is_found_where_parsing_finds_it(make_site, name):
    site = make_site({f"content/notices/{name}": FORMS[name]}, register=False)
    fresh = site.check("--fresh").one("index-unregistered")
    cached = site.check().one("index-unregistered")  # from the content cache: no positions held
    assert (cached["line"], cached["col"]) == (fresh["line"], fresh["col"])
    loaded, _ = site.load()
    entry = loaded.entries[0]
    entry.doc = None  # as it comes from the cache, before any check wanted a line
    found = number_pos(entry)
    assert (entry.raw is None) == (name not in PARSED)  # only the unusual forms are parsed
    assert found == entry.doc.pos(LOC)  # doc: the file parsed again


def test_a_site_without_a_registry_is_registered_without_parsing_again(make_site, monkeypatch):
    files = {
        f"content/notices/a{day}.yml": f"index_no: {num(2024, day)}\ntitle: 通知\npublished: 2024-02-01\n"
        for day in range(1, 6)
    }
    site = make_site(files, register=False)
    assert site.run("check").code == 0  # fills the content cache
    from generator import site as site_module

    parsed = []  # the files an entry parses again for the line of a field (Entry.doc)
    real = site_module.read_document
    monkeypatch.setattr(site_module, "read_document", lambda *args, **kw: parsed.append(args[0]) or real(*args, **kw))
    result = site.run("number")
    assert result.code == 0 and "已编号 0 个条目" in result.err
    assert parsed == []  # five warnings, no file parsed again
    registry = site.read("content/.registry").decode()
    assert all(
        f"{number}\t{path}" in registry
        for path, number in ((f"content/notices/a{d}.yml", num(2024, d)) for d in range(1, 6))
    )
