"""Time gongkai and peer pipelines on one synthetic site.

    python benchmarks/run.py --items 10000 [--repeat 3] [--seed 1] [--json out.json]
                             [--cases check,hugo]

The site is generated once by benchmarks/synth.py and cached in benchmarks/.cache/
(regenerated when synth.py changes); outputs go to benchmarks/.cache/out-N/. Each case
runs --repeat times in a fresh process; we record the median wall time, the peak RSS of
the largest process in its tree (os.wait4), the output size and file count, and the
size of the search index. A case is a name, a command, an optional untimed setup before
each run (default: delete the output) and what it needs; add rows by adding cases.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
CACHE = BENCH / ".cache"
VENV = REPO / ".venv" / "bin"
PY = str(VENV / "python") if (VENV / "python").exists() else sys.executable
ENV = {**os.environ, "PATH": f"{VENV}{os.pathsep}{os.environ['PATH']}"}


@dataclass
class Ctx:
    site: Path
    work: Path                       # outputs: one folder per case
    gongkai: list[str] | None        # how to call the CLI, if it exists yet
    commands: set[str] = field(default_factory=set)  # its sub-commands that exist


def clean(ctx: Ctx, out: Path, run: int):
    shutil.rmtree(out, ignore_errors=True)


def clean_cold(ctx: Ctx, out: Path, run: int):
    """A full build from nothing: no previous output, no cached search shards."""
    clean(ctx, out, run)
    shutil.rmtree(ctx.site / ".gongkai-cache", ignore_errors=True)


def warm_check(ctx: Ctx, out: Path, run: int):
    """A second `check`: the content cache of the first one is in place."""
    subprocess.run([*ctx.gongkai, "check", "-s", ctx.site], cwd=REPO, env=ENV, capture_output=True)
    time.sleep(1)  # a large site's content cache is written by a background child: let it finish


def edit_one_item(ctx: Ctx, out: Path, run: int):
    """Rebuild case: before the first run, build the site with this gongkai (untimed; its
    output and state are what a rebuild starts from); before each run, change one
    article (undone after)."""
    if run == 0 or not out.exists():
        subprocess.run(gongkai_build(ctx, out), cwd=REPO, env=ENV, capture_output=True)
        time.sleep(1)  # a large site's content cache is written by a background child: let it finish
    path = min((ctx.site / "content" / "notices").rglob("*.md"))
    register = ctx.site / "content" / ".register"
    original, recorded = path.read_bytes(), register.read_bytes()
    # a correction as gongkai wants it: a revision entry, recorded by `gongkai publish`
    # (untimed; a build publishes recorded versions only)
    revision = f"revisions:\n  - {{date: {dt.date.today()}, note: 第{run + 1}次修改}}\n---\n".encode()
    edited = original.replace(b"\n---\n", b"\n" + revision, 1)
    path.write_bytes(edited + f"\n补充说明：第{run + 1}次修改，{time.time()}。\n".encode())
    subprocess.run([*ctx.gongkai, "publish", "-s", ctx.site], cwd=REPO, env=ENV, capture_output=True, check=True)

    def undo():
        path.write_bytes(original)
        register.write_bytes(recorded)

    return undo


def gongkai_build(ctx: Ctx, out: Path) -> list:
    return [*ctx.gongkai, "build", "-s", ctx.site, "-o", out]


@dataclass
class Case:
    name: str
    command: Callable[[Ctx, Path], list]      # (context, output folder) -> argv
    needs: str = ""                           # a gongkai sub-command, or "hugo"
    setup: Callable = clean                   # untimed, before each run; may return an undo
    search: str | None = None                 # sub-folder of the output with the search index


CASES = [
    Case("gongkai check", lambda c, o: [*c.gongkai, "check", "-s", c.site], needs="check", setup=clean_cold),
    Case(
        "gongkai check (content cached)",
        lambda c, o: [*c.gongkai, "check", "-s", c.site],
        needs="check",
        setup=warm_check,
    ),
    Case("gongkai build", gongkai_build, needs="build", setup=clean_cold, search="pagefind"),
    Case("gongkai rebuild (1 item edited)", gongkai_build, needs="build", setup=edit_one_item, search="pagefind"),
    Case("mkdocs-material, no search", lambda c, o: [PY, BENCH / "peers" / "mkdocs_plain.py", c.site, o]),
    Case(
        "hugo + pagefind",
        lambda c, o: [PY, BENCH / "peers" / "hugo_pagefind.py", c.site, o],
        needs="hugo",
        search="pagefind",
    ),
]


def find_gongkai() -> list[str] | None:
    if (VENV / "gongkai").exists():
        return [str(VENV / "gongkai")]
    if (REPO / "generator" / "__main__.py").exists():
        return [PY, "-m", "generator"]
    return None


def missing(case: Case, ctx: Ctx) -> str | None:
    """Why a case cannot run yet, or None."""
    if case.needs == "hugo":
        return None if shutil.which("hugo") else "hugo not installed (apt-get install -y hugo)"
    if case.needs and not ctx.gongkai:
        return "gongkai CLI not found (.venv/bin/gongkai or generator/__main__.py)"
    if case.needs and case.needs not in ctx.commands:
        return f"`gongkai {case.needs}` not implemented yet"
    return None


def cached_site(n: int, seed: int) -> Path:
    site, stamp = CACHE / f"site-{n}-seed{seed}", CACHE / f"site-{n}-seed{seed}.stamp"
    key = hashlib.sha1((BENCH / "synth.py").read_bytes()).hexdigest()
    if site.exists() and stamp.exists() and stamp.read_text() == key:
        return site
    t = time.perf_counter()
    subprocess.run([PY, BENCH / "synth.py", str(n), site, "--seed", str(seed)], check=True, env=ENV)
    # every version recorded: `gongkai build` publishes recorded versions only
    subprocess.run([PY, "-m", "generator", "publish", "-s", site], check=True, env=ENV, cwd=REPO, capture_output=True)
    print(f"synth: {n} items in {time.perf_counter() - t:.1f} s -> {site}", file=sys.stderr)
    stamp.write_text(key)
    return site


def measure(cmd: list) -> tuple[float, int, int, str]:
    """Wall seconds, peak RSS (KiB) of the largest process in the tree, exit code, output."""
    with tempfile.TemporaryFile() as log:
        t = time.perf_counter()
        p = subprocess.Popen([str(c) for c in cmd], stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=ENV)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        return seconds, usage.ru_maxrss, p.returncode, log.read().decode(errors="replace")


def tree_size(path: Path) -> tuple[int, int]:
    sizes = [f.stat().st_size for f in path.rglob("*") if f.is_file()] if path.is_dir() else []
    return sum(sizes), len(sizes)


def run_case(case: Case, ctx: Ctx, repeat: int) -> dict:
    # one output folder per case ("gongkai rebuild" starts from its own untimed full build)
    out = ctx.work / re.sub(r"[^a-z0-9]+", "-", case.name.split(" (")[0].lower()).strip("-")
    times, rss, rc, log = [], 0, 0, ""
    for i in range(repeat):
        undo = case.setup(ctx, out, i)
        try:
            seconds, kib, rc, log = measure(case.command(ctx, out))
        finally:
            if undo:
                undo()
        times.append(seconds)
        rss = max(rss, kib)
        if rc:
            print(f"{case.name}: exit {rc}\n{log[-2000:]}", file=sys.stderr)
            break
    size, files = tree_size(out)
    last = log.strip().splitlines()[-1:] or [""]
    phases = json.loads(last[0]).get("phases") if last[0].startswith('{"phases"') else None
    return {"case": case.name, "exit": rc, "runs_s": [round(t, 3) for t in times],
            "median_s": round(statistics.median(times), 3), "peak_rss_mb": round(rss / 1024, 1),
            "output_mb": round(size / 2**20, 1) if files else None, "files": files or None,
            "search_mb": round(tree_size(out / case.search)[0] / 2**20, 1) if case.search and files else None,
            "phases_s": phases}


def table(results: list[dict]) -> str:
    lines = ["| case | median s | runs s | peak RSS MB | output MB | files | search MB | notes |",
             "|---|---:|---|---:|---:|---:|---:|---|"]
    for r in results:
        if "skipped" in r:
            lines.append(f"| {r['case']} | | | | | | | skipped: {r['skipped']} |")
            continue
        note = ", ".join(f"{k} {v} s" for k, v in (r["phases_s"] or {}).items())
        if r["exit"]:
            note = f"**exit {r['exit']}** " + note
        cells = [r["median_s"], " / ".join(map(str, r["runs_s"])), r["peak_rss_mb"],
                 r["output_mb"], r["files"], r["search_mb"]]
        cells = " | ".join("" if c is None else str(c) for c in cells)
        lines.append(f"| {r['case']} | {cells} | {note} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--cases", help="comma-separated substrings of case names to run")
    a = ap.parse_args()
    CACHE.mkdir(exist_ok=True)
    gongkai = find_gongkai()
    commands = {c for c in ("check", "build") if gongkai and subprocess.run(
        [*gongkai, c, "--help"], cwd=REPO, env=ENV, capture_output=True).returncode == 0}
    ctx = Ctx(cached_site(a.items, a.seed), CACHE / f"out-{a.items}", gongkai, commands)
    wanted = [s.strip() for s in a.cases.split(",")] if a.cases else None
    results = []
    for case in CASES:
        if wanted and not any(w in case.name for w in wanted):
            continue
        reason = missing(case, ctx)
        if reason:
            print(f"skip {case.name}: {reason}", file=sys.stderr)
            results.append({"case": case.name, "skipped": reason})
            continue
        print(f"run  {case.name} ×{a.repeat}", file=sys.stderr)
        results.append(run_case(case, ctx, a.repeat))
    print(f"\n{a.items} items, seed {a.seed}, {os.cpu_count()} CPUs, repeat {a.repeat}\n")
    print(table(results))
    if a.json:
        a.json.write_text(json.dumps({"items": a.items, "seed": a.seed, "repeat": a.repeat,
                                      "cpus": os.cpu_count(), "results": results},
                                     ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
