"""An update of the demo site reuses what did not change of the open data, the feeds and
the sitemap (each entry's records are kept in the build state by what they are made of),
and is byte for byte what a fresh build writes — also when what changed is not in the
entry's file: the 年报's figures computed from the request log, or the site's address in
site_config.yml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from buildkit import publish, run_build, tree_bytes
from helpers import DEMO_REQUEST, copy_demo, retitle_demo_notice

OLD_TITLE = "青山县人民政府办公室关于做好2022年春节假期有关工作的通知"
NEW_TITLE = "青山县人民政府办公室关于做好2022年春节假期值班工作的通知"


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    return copy_demo(tmp_path / "demo")


def _build(site: Path, out: Path, *args: str) -> str:
    done = run_build(site, out, *args)
    assert done.returncode == 0, f"gongkai build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stderr


def _published(out: Path) -> dict[str, bytes]:
    """The open data, feeds, sitemap and robots.txt of a built site."""
    files = tree_bytes(out)
    return {
        rel: data for rel, data in files.items()
        if rel.startswith(("data/", "feeds/")) or rel in ("sitemap.xml", "robots.txt", "catalogue/index.html")
    }  # fmt: skip


def _same_as_fresh(site: Path, out: Path, fresh: Path) -> dict[str, bytes]:
    _build(site, fresh, "--fresh")
    updated, expected = _published(out), _published(fresh)
    assert sorted(updated) == sorted(expected)
    assert [rel for rel in expected if updated[rel] != expected[rel]] == []
    return updated


def _report(files: dict[str, bytes], year: int) -> dict:
    (report,) = [r for r in json.loads(files["data/annual-reports.json"]) if r["year"] == year]
    return report


def test_an_update_of_a_title_and_of_computed_figures_equals_a_fresh_build(demo_copy, tmp_path):
    out = tmp_path / "out" / "site"
    _build(demo_copy, out)
    before = _published(out)
    retitle_demo_notice(demo_copy, OLD_TITLE, NEW_TITLE)  # the head of one notice …
    # … and the figures of the 2024 年报, computed from the request log: its file is unchanged
    log = demo_copy / "records/requests/2024.yml"
    log.write_text(log.read_text(encoding="utf-8") + DEMO_REQUEST, encoding="utf-8")
    publish(demo_copy)
    assert "更新了有变化的文件" in _build(demo_copy, out)
    after = _same_as_fresh(demo_copy, out, tmp_path / "fresh" / "site")
    catalogue = json.loads(after["data/catalogue.json"])
    assert [r["updated"] for r in catalogue if r["title"] == NEW_TITLE] == ["2024-10-01"]
    assert OLD_TITLE not in after["data/catalogue.csv"].decode("utf-8-sig")
    assert all(NEW_TITLE.encode() in after[f"feeds/notices.{kind}.xml"] for kind in ("atom", "rss"))
    old, new = _report(before, 2024), _report(after, 2024)
    assert new["requests"] != old["requests"]  # the figures changed though the report's file did not
    assert new["title"] == old["title"]


def test_a_new_site_address_leaves_no_old_address_in_the_data_feeds_or_sitemap(demo_copy, tmp_path):
    out = tmp_path / "out" / "site"
    _build(demo_copy, out)
    config = demo_copy / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    assert "  url: https://www.qingshan.gov.cn/\n" in text
    new = text.replace("  url: https://www.qingshan.gov.cn/\n", "  url: https://gk.qingshan.gov.cn/xxgk/\n")
    config.write_text(new, encoding="utf-8")
    _build(demo_copy, out)
    after = _same_as_fresh(demo_copy, out, tmp_path / "fresh" / "site")
    addresses = []  # every address the data, the feeds and the sitemap give
    for rel, data in after.items():
        if rel.endswith(".json"):
            addresses += _addresses(json.loads(data))
        elif rel.endswith(".xml"):
            root = etree.fromstring(data)
            addresses += [e.get("href") for e in root.iter() if e.get("href")]
            addresses += [
                e.text for e in root.iter() if etree.QName(e).localname in ("id", "guid", "loc", "link") and e.text
            ]
        elif rel == "robots.txt":
            addresses.append(data.decode().rsplit("Sitemap: ", 1)[1].strip())
    absolute = [a for a in addresses if "://" in a]  # the register's records name site-relative URLs
    assert len(absolute) > 100
    assert [a for a in absolute if not a.startswith("https://gk.qingshan.gov.cn/xxgk/")] == []


def _addresses(value) -> list[str]:
    """The values of the address fields (url, permalink, $id) anywhere in a JSON document."""
    if isinstance(value, list):
        return [a for v in value for a in _addresses(v)]
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in ("url", "permalink", "$id") and isinstance(v, str)]
        return found + [a for v in value.values() for a in _addresses(v)]
    return []
