"""Peer: the same items as a plain mkdocs-material project, built with `mkdocs build -q`.

    python benchmarks/peers/mkdocs_plain.py SITE OUT [--src DIR] [--auto-nav]

Writes the mkdocs project to DIR (default OUT-src): one Markdown page per item (title,
metadata table, body or structured fields as lists/tables), a home page and one index
page per category linking its items. `plugins: []` (no search), `theme: material,
font: false`. The nav lists only the home and category pages, because material puts
the whole nav in every page: with `--auto-nav` (mkdocs' default, every page in the
nav) output grows as N² and is impractical beyond a few thousand items.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from common import load_site, report, run  # noqa: E402


def write_project(site: Path, src: Path, auto_nav: bool) -> None:
    config, items = load_site(site)
    docs = src / "docs"
    titles = {c["key"]: c["title"] for c in config["categories"]}
    by_cat: dict[str, list] = {k: [] for k in titles}
    for it in items:
        page = docs / f"{it.slug}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# {it.title}\n\n{it.markdown}", encoding="utf-8")
        by_cat[it.category].append(it)
    for key, cat_items in by_cat.items():
        links = "\n".join(f"- [{it.title}]({it.slug.split('/', 1)[1]}.md) {it.published}"
                          for it in sorted(cat_items, key=lambda i: i.published, reverse=True))
        (docs / key).mkdir(parents=True, exist_ok=True)
        (docs / key / "index.md").write_text(f"# {titles[key]}\n\n{links}\n", encoding="utf-8")
    home = "\n".join(f"- [{t}]({k}/index.md)" for k, t in titles.items())
    (docs / "index.md").write_text(f"# {config['site']['name']}\n\n{home}\n", encoding="utf-8")
    mk = {"site_name": config["site"]["name"], "site_url": config["site"]["url"],
          "theme": {"name": "material", "font": False, "language": "zh"}, "plugins": []}
    if not auto_nav:
        mk["nav"] = [{"首页": "index.md"}] + [{t: f"{k}/index.md"} for k, t in titles.items()]
    (src / "mkdocs.yml").write_text(yaml.safe_dump(mk, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--src", type=Path, help="project folder (default OUT-src)")
    ap.add_argument("--auto-nav", action="store_true", help="mkdocs' default nav (all pages)")
    a = ap.parse_args()
    src = a.src or a.out.with_name(a.out.name + "-src")
    for d in (src, a.out):
        shutil.rmtree(d, ignore_errors=True)
    t = time.perf_counter()
    write_project(a.site, src, a.auto_nav)
    phases = {"convert": time.perf_counter() - t}
    phases["mkdocs"] = run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", src / "mkdocs.yml",
                            "-d", a.out.resolve()])
    report(phases)


if __name__ == "__main__":
    main()
