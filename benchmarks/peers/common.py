"""Shared by the peer pipelines: read a gongkai site naively and render items as Markdown.

This is what a user of a generic generator would do by hand: take the title and body,
and turn structured fields into lists and tables (every field of every type, Markdown
items' front matter too). No validation, no index numbers logic.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
META = {"index_no": "索引号", "published": "发布日期", "written": "成文日期", "publisher": "发布机构",
        "topic": "主题分类", "doc_no": "发文字号", "validity": "有效性"}
SKIP = set(META) | {"title", "body", "keywords", "summary", "status", "attachments", "revisions"}


@dataclass
class Item:
    category: str   # category key (first folder under content/)
    slug: str       # path under content/ without suffix, e.g. notices/2023/0529-000123
    title: str
    published: str
    markdown: str   # page body: metadata table + body or rendered fields


def load_site(site: Path) -> tuple[dict, list[Item]]:
    config = yaml.safe_load((site / "site_config.yml").read_text(encoding="utf-8"))
    keys = {c["key"] for c in config["categories"]}
    items = []
    for path in sorted((site / "content").rglob("*")):
        rel = path.relative_to(site / "content")
        if path.suffix not in (".md", ".yml") or rel.parts[0] not in keys:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            _, front, body = text.split("---\n", 2)
            data = yaml.load(front, Loader)
        else:
            data, body = yaml.load(text, Loader), ""
        items.append(Item(rel.parts[0], rel.with_suffix("").as_posix(), str(data["title"]),
                          str(data["published"]), render(data, body)))
    return config, items


def render(data: dict, body: str) -> str:
    meta = [f"| {label} | {data[k]} |" for k, label in META.items() if k in data]
    out = ["| 项目 | 内容 |", "|---|---|", *meta, ""]
    if data.get("summary"):
        out += [f"> {data['summary']}", ""]
    # every other field (a consultation's period and feedback, a report's tables), then the body
    out += [p for p in (fields(data, 2), body) if p]
    return "\n".join(out) + "\n"


def fields(data: dict, level: int) -> str:
    """Structured fields as Markdown: scalars as a list, lists of records as tables."""
    parts, simple = [], []
    for key, value in data.items():
        if key in SKIP:
            continue
        if isinstance(value, dict):
            parts += [f"{'#' * level} {key}", fields(value, level + 1)]
        elif records(value) and any(records(v) for r in value for k, v in r.items() if k != "children"):
            for r in value:  # records holding records (budget tables): one section each
                parts += [f"{'#' * level} {r.get('name', key)}",
                          fields({k: v for k, v in r.items() if k != "name"}, level + 1)]
        elif records(value):
            parts += [f"{'#' * level} {key}", table(list(flatten(value)))]
        elif isinstance(value, list):
            parts += [f"{'#' * level} {key}", "\n".join(f"- {x}" for x in value)]
        else:
            simple.append(f"- **{key}**: {value}")
    return "\n\n".join(p for p in ["\n".join(simple)] + parts if p)


def records(value) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def flatten(rows: list[dict], depth: int = 0):
    for row in rows:
        yield {k: ("　" * depth + str(v) if k == "item" else v) for k, v in row.items() if k != "children"}
        yield from flatten(row.get("children", []), depth + 1)


def table(rows: list[dict]) -> str:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    cell = lambda v: "；".join(map(str, v)) if isinstance(v, list) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def run(cmd: list, **kw) -> float:
    """Run a command quietly; on failure show its output and exit. Returns seconds."""
    t = time.perf_counter()
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout[-3000:]}{p.stderr[-3000:]}")
    return time.perf_counter() - t


def report(phases: dict) -> None:
    """Last stdout line, read by benchmarks/run.py."""
    print(json.dumps({"phases": {k: round(v, 3) for k, v in phases.items()}}))
