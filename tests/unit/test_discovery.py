"""Discovery at one stat per file (generator/load/site.py `_walk`, generator/paths.py
`refused_entry`): what the listing says is not asked again, the stamp taken is handed to
the content cache, and every refusal of `refused` holds for the entries of a listing.

Links and hard links here are real ones, made in tmp_path.
"""

from __future__ import annotations

import os
import sys
import unicodedata

import pytest

from generator.load import cache as cache_module
from generator.load import site as load_module
from generator.load.cache import stamp
from generator.load.site import build_sections, discover, load_site
from generator.paths import _SAFE_NAME, BAD_CHARS, refused, refused_entry, site_root
from generator.problems import Problems
from generator.site import Site

from helpers import num

ITEM = "index_no: {n}\ntitle: 通知\npublished: 2024-03-01\nbody: |\n  正文。\n"


def tricky(make_site, tmp_path):
    """A category folder holding every kind of entry `refused` knows."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yml").write_text("title: 秘密\n")
    site = make_site({
        "content/notices/a.yml": ITEM.format(n=num(2024, 1)),
        "content/notices/2024/b.md": f"---\nindex_no: {num(2024, 2)}\ntitle: 通知\npublished: 2024-03-01\n---\n正文\n",
        "content/notices/.hidden.yml": "x: 1\n",
        "content/notices/bad name.yml": "x: 1\n",
        "content/notices/hard.yml": ITEM.format(n=num(2024, 3)),
        "content/notices/notes.txt": "x",
    })  # fmt: skip
    folder = site.path / "content" / "notices"
    os.link(folder / "hard.yml", tmp_path / "hard-elsewhere.yml")
    os.symlink(outside / "secret.yml", folder / "out.yml")
    os.symlink(folder / "a.yml", folder / "inside.yml")
    os.symlink(folder / "gone.yml", folder / "dangling.yml")
    os.symlink(outside, folder / "outdir")
    return site, folder


def test_a_listing_entry_is_refused_exactly_as_its_path(make_site, tmp_path):
    site, folder = tricky(make_site, tmp_path)
    root = site_root(site.path)
    with os.scandir(folder) as listing:
        items = sorted(listing, key=lambda item: item.name)
    assert len(items) == 10
    for item in items:
        rel = f"content/notices/{item.name}"
        by_path, by_entry = Problems(), Problems()
        expected = refused(folder / item.name, rel, root, by_path)
        skip, st = refused_entry(item, rel, root, by_entry)
        assert skip == expected, item.name
        assert by_entry.items == by_path.items, item.name
        if not skip and not item.is_dir():  # the stat taken is the file's stamp (a link followed)
            now = stamp(folder / item.name)
            assert (st is None and now is None) or cache_module.stamp_of(st) == now, item.name


def test_discover_refuses_what_it_must_and_hands_over_each_stamp(make_site, tmp_path):
    site, folder = tricky(make_site, tmp_path)
    problems, stamps = Problems(), {}
    loaded = Site(*_config(site.path))
    found = discover(loaded, problems, stamps)
    rels = [path.relative_to(site.path).as_posix() for path, _section in found]
    assert rels == [
        "content/notices/2024/b.md", "content/notices/a.yml", "content/notices/dangling.yml",
        "content/notices/inside.yml",
    ]  # fmt: skip
    assert list(stamps) == rels
    assert all(stamps[rel] == stamp(site.path / rel) for rel in rels)
    codes = {(p.path, p.code) for p in problems}
    assert {
        ("content/notices/.hidden.yml", "hidden-file"), ("content/notices/bad name.yml", "file-name"),
        ("content/notices/hard.yml", "hard-link"), ("content/notices/out.yml", "symlink-outside"),
        ("content/notices/outdir", "symlink-outside"), ("content/notices/notes.txt", "stray-file"),
    } <= codes  # fmt: skip


def _config(site_dir):
    from generator.config import load_config

    config = load_config(site_dir, Problems())
    sections, roots = build_sections(config)
    return config, sections, roots


def test_an_unchanged_file_is_stat_ed_once(make_site, monkeypatch):
    """Discovery's stat is the stamp the content cache compares: the load takes no other."""
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))
    site = make_site({f"content/notices/{i}.yml": ITEM.format(n=num(2024, i)) for i in range(1, 6)})
    load_site(site.path, Problems())  # fills the cache
    taken: list = []
    monkeypatch.setattr(load_module, "stamp", lambda path: taken.append(path) or stamp(path))
    loaded = load_site(site.path, Problems())
    assert len(loaded.entries) == 5 and taken == []


@pytest.mark.skipif(sys.maxunicode < 0x10FFFF, reason="every code point")
def test_the_safe_name_shortcut_passes_no_character_the_rule_refuses():
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if _SAFE_NAME.fullmatch(char):
            assert not char.isspace() and char not in BAD_CHARS, hex(code)
            assert unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"), hex(code)
