"""Peer: the same items as a minimal Hugo site, then a Pagefind index.

    python benchmarks/peers/hugo_pagefind.py SITE OUT [--src DIR]

Writes the Hugo project to DIR (default OUT-src): one content file per item (title,
date, metadata table, body or structured fields), minimal layouts (baseof, single,
list; `data-pagefind-body` on item pages only), Hugo's defaults otherwise (RSS and
sitemap on). Then runs `hugo` (needs the `hugo` binary, Debian package `hugo`) and
Pagefind over OUT: the binary gongkai itself runs (`generator.search.pagefind_command()`,
extended: Chinese word segmentation), so both sides index with the same version.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))
from common import load_site, report, run  # noqa: E402

from generator.search import pagefind_command  # noqa: E402  (the binary gongkai runs: same version)

LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>
{{ end }}</ul>{{ end }}
""",
}


def write_project(site: Path, src: Path) -> None:
    config, items = load_site(site)
    content = src / "content"
    for key, title in ((c["key"], c["title"]) for c in config["categories"]):
        (content / key).mkdir(parents=True)
        front = f"title: {json.dumps(title, ensure_ascii=False)}\n"
        (content / key / "_index.md").write_text(f"---\n{front}---\n", encoding="utf-8")
    for it in items:
        page = content / f"{it.slug}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        front = f"title: {json.dumps(it.title, ensure_ascii=False)}\ndate: {it.published}\n"
        page.write_text(f"---\n{front}---\n\n{it.markdown}", encoding="utf-8")
    for name, text in LAYOUTS.items():
        (src / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (src / "layouts" / name).write_text(text, encoding="utf-8")
    s = config["site"]
    (src / "config.toml").write_text(
        f'baseURL = "{s["url"]}"\nlanguageCode = "zh-cn"\ntitle = "{s["name"]}"\n'
        'hasCJKLanguage = true\n', encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--src", type=Path, help="project folder (default OUT-src)")
    a = ap.parse_args()
    if not shutil.which("hugo"):
        sys.exit("hugo not found: apt-get install -y hugo")
    src = a.src or a.out.with_name(a.out.name + "-src")
    for d in (src, a.out):
        shutil.rmtree(d, ignore_errors=True)
    t = time.perf_counter()
    write_project(a.site, src)
    phases = {"convert": time.perf_counter() - t}
    phases["hugo"] = run(["hugo", "--source", src, "--destination", a.out.resolve()])
    phases["pagefind"] = run([*pagefind_command(), "--site", a.out.resolve()])
    report(phases)


if __name__ == "__main__":
    main()
