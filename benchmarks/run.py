"""Time gongkai and peer pipelines on one synthetic site.

    python benchmarks/run.py --items 10000 [--repeat 3] [--seed 1] [--json out.json]
                             [--cases check,hugo]

The site is generated once by benchmarks/synth.py and cached in benchmarks/.cache/
(regenerated when synth.py changes); outputs go to benchmarks/.cache/out-N/. Each case
runs --repeat times in a fresh process; we record the median wall time, the peak RSS of
the largest process in its tree (os.wait4), the output size and file count, and the
size of the search index. A case is a name, a command, an optional untimed setup before
each run (default: delete the output) and what it needs; add rows by adding cases.
One table: the peers beside gongkai, a ratio column (gongkai's cold build over each
peer, with and without the peer's `convert` phase), the speed targets and whether
they are met, and in the notes the stage profile (`gongkai build --profile`: wall and
CPU of each stage).
"""
from __future__ import annotations

import argparse
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import editable, revised  # noqa: E402

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
    edited: tuple | None = None      # the article the rebuild case edits: (path, its bytes, the register's)


def settle(ctx: Ctx, limit: float = 300) -> None:
    """Wait until the folders earlier builds handed to a background delete are gone
    (`.OUT.trash-…`, generator/output.py `discard`: ~20 s of disk and CPU for a 10,000-item
    site), so that no timed run shares the machine with them."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and any(
        True for folder in (ctx.work, ctx.site, ctx.site / ".gongkai-cache", ci_site(ctx)) if folder.is_dir()
        for path in folder.iterdir() if ".trash-" in path.name
    ):  # fmt: skip
        time.sleep(0.5)


def clean(ctx: Ctx, out: Path, run: int):
    shutil.rmtree(out, ignore_errors=True)


def clean_cold(ctx: Ctx, out: Path, run: int):
    """A full build from nothing: no previous output, no cached search shards."""
    clean(ctx, out, run)
    shutil.rmtree(ctx.site / ".gongkai-cache", ignore_errors=True)


def warm_check(ctx: Ctx, out: Path, run: int):
    """A second `check` of an unchanged site: the content cache and the memo of the whole
    check (generator/load/checkmemo.py) of the first one are in place. No memo is written
    while a file is younger than two seconds: then the first check runs again."""
    for _attempt in range(3):
        subprocess.run([*ctx.gongkai, "check", "-s", ctx.site], cwd=REPO, env=ENV, capture_output=True)
        if (ctx.site / ".gongkai-cache" / "check.pickle").is_file():
            break
        time.sleep(2)
    time.sleep(1)  # a large site's content cache is written by a background child: let it finish


def edit_one_item(ctx: Ctx, out: Path, run: int):
    """Rebuild case: before the first run, build the site from nothing with this gongkai
    and correct one article once (both untimed; the first update after a full build also
    sets the spare aside, which later ones update in place); before each run,
    correct one article once more (a revision and a sentence), recorded with `gongkai
    publish` (untimed; a build publishes recorded versions only). The corrections pile
    up, as the published register only grows; `undo_edits` restores the article and
    the register after the last run."""
    def correct(times: int) -> None:
        path, original, _ = ctx.edited
        notes = [f"第{k + 1}次修改" for k in range(times)]
        path.write_bytes(revised(original, notes, f"补充说明：第{times}次修改，{time.time()}。"))
        subprocess.run([*ctx.gongkai, "publish", "-s", ctx.site], cwd=REPO, env=ENV, capture_output=True, check=True)

    if run == 0:
        clean_output(ctx, out)
        subprocess.run(gongkai_build(ctx, out), cwd=REPO, env=ENV, capture_output=True)
        time.sleep(1)  # a large site's content cache is written by a background child: let it finish
        path = editable(ctx.site)
        ctx.edited = (path, path.read_bytes(), (ctx.site / "content" / ".register").read_bytes())
        # an editor's first correction after a full build (untimed): it sets the replaced
        # site aside as the spare (generator/output.py), which every later one updates
        correct(1)
        subprocess.run(gongkai_build(ctx, out), cwd=REPO, env=ENV, capture_output=True)
    correct(run + 2)


def undo_edits(ctx: Ctx, out: Path):
    """After the rebuild case: the article and the register as they were. Its output now
    holds versions the register lacks: the next run of the case starts from nothing."""
    if ctx.edited:
        path, original, recorded = ctx.edited
        path.write_bytes(original)
        (ctx.site / "content" / ".register").write_bytes(recorded)
        ctx.edited = None


def clean_output(ctx: Ctx, out: Path):
    """An output folder and its state in the site's cache gone (a build from nothing)."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(search_sources(ctx.site, out).parent, ignore_errors=True)


def gongkai_build(ctx: Ctx, out: Path, *extra) -> list:
    return [*ctx.gongkai, "build", "-s", ctx.site, "-o", out, "--profile", *extra]


def built(ctx: Ctx) -> Path:
    """The output folder of the cold build case, built (untimed) when it is not there; its
    search sources are in the site's cache (`search_sources`)."""
    out = ctx.work / "gongkai-build"
    if not search_sources(ctx.site, out).is_dir() or not out.is_dir():
        subprocess.run(gongkai_build(ctx, out), cwd=REPO, env=ENV, capture_output=True, check=True)
    return out


def search_sources(site: Path, out: Path) -> Path:
    """`<site>/.gongkai-cache/output-<hash of the output path>/search/`, as `Output.cache`
    in generator/output.py names it."""
    digest = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:12]
    return site / ".gongkai-cache" / f"output-{digest}" / "search"


def pagefind_alone(ctx: Ctx, out: Path) -> list:
    return [PY, BENCH / "pagefind_alone.py", search_sources(ctx.site, ctx.work / "gongkai-build"), out]


def need_build(ctx: Ctx, out: Path, run: int):
    clean(ctx, out, run)
    built(ctx)


def ci_site(ctx: Ctx) -> Path:
    return ctx.work / "ci-clone"


CI_CACHED = (".gongkai-cache", "site")  # what the CI templates of `gongkai init` cache


def ci_restore(ctx: Ctx, out: Path, run: int):
    """CI with a restored cache: before the first run, a clone is built (untimed) at the
    path CI always uses; before each run, the clone is made again from the content alone
    (what `git clone` gives: no output, no cache, new mtimes) and what the CI templates
    cache — `.gongkai-cache/` and the output `site/` of the earlier build — is put back
    as CI's cache action does (new inodes, times kept)."""
    clone, saved = ci_site(ctx), ctx.work / "ci-cache"
    if run == 0 or not all((saved / name).is_dir() for name in CI_CACHED):
        fresh_clone(ctx.site, clone)
        subprocess.run([*ctx.gongkai, "build", "-s", clone], cwd=REPO, env=ENV, capture_output=True, check=True)
        time.sleep(1)  # a large site's content cache is written by a background child: let it finish
        shutil.rmtree(saved, ignore_errors=True)
        saved.mkdir(parents=True)
        for name in CI_CACHED:
            shutil.move(clone / name, saved / name)
    fresh_clone(ctx.site, clone)
    for name in CI_CACHED:
        shutil.copytree(saved / name, clone / name, symlinks=True)


def fresh_clone(site: Path, clone: Path) -> None:
    """The site's files as a fresh clone holds them: no `.gongkai-cache/`, no output."""
    shutil.rmtree(clone, ignore_errors=True)
    shutil.copytree(site, clone, ignore=shutil.ignore_patterns(".gongkai-cache"))


def warnings_site(ctx: Ctx, out: Path, run: int):
    """The site without `content/.registry`: every item's index number gives a warning
    (`index-unregistered`), printed. A copy (gongkai refuses hard links); no cache."""
    copy = ctx.work / "warnings-site"
    if run == 0 or not (copy / "site_config.yml").exists():  # anew: synth.py may have changed the site
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(ctx.site, copy, ignore=shutil.ignore_patterns(".gongkai-cache"))
        (copy / "content" / ".registry").unlink()
    shutil.rmtree(copy / ".gongkai-cache", ignore_errors=True)


@dataclass
class Case:
    name: str
    command: Callable[[Ctx, Path], list]      # (context, output folder) -> argv
    needs: str = ""                           # a gongkai sub-command, or "hugo"
    setup: Callable = clean                   # untimed, before each run
    search: str | None = None                 # sub-folder of the output with the search index
    target: str = ""                          # the speed target, judged by `judge`
    teardown: Callable | None = None          # after the last run, even a failed one


BUILD, HUGO, MKDOCS = "gongkai build", "hugo + pagefind", "mkdocs-material, no search"
CHECK, REBUILD, SERVE = "gongkai check", "gongkai rebuild (1 item edited)", "gongkai serve: save → refreshed page"
WARNINGS, CI = "gongkai check with 1 warning per item", "gongkai build in CI: fresh clone + restored cache"
PAGEFIND = "Pagefind alone (the build's search sources)"


def check_cmd(site: Callable[[Ctx], Path]):
    return lambda c, o: [*c.gongkai, "check", "-s", site(c)]


CASES = [
    Case(CHECK, check_cmd(lambda c: c.site), needs="check", setup=clean_cold, target="≤ 3 s"),
    Case("gongkai check, unchanged site (replayed)", check_cmd(lambda c: c.site), needs="check", setup=warm_check,
         target="≤ 0.5 s"),
    Case(WARNINGS, check_cmd(lambda c: c.work / "warnings-site"), needs="check", setup=warnings_site,
         target="≤ 2× gongkai check"),
    Case(BUILD, gongkai_build, needs="build", setup=clean_cold, search="pagefind",
         target="≤ 1.0× hugo + pagefind, ≤ 0.5× mkdocs"),
    Case(PAGEFIND, pagefind_alone, needs="build", setup=need_build),  # right after: its sources are there
    # scaling: one cold build per number of workers, from 1 to every CPU (added in main)
    Case(REBUILD, gongkai_build, needs="build", setup=edit_one_item, search="pagefind", target="≤ 1.0 s",
         teardown=undo_edits),
    Case(CI, lambda c, o: [*c.gongkai, "build", "-s", ci_site(c), "--profile"], needs="build", setup=ci_restore,
         target="an update, not a cold build"),
    Case(SERVE, lambda c, o: [PY, BENCH / "serve_latency.py", c.site, "--edits", "5"], needs="serve",
         target="≤ 0.5 s"),
    Case(MKDOCS, lambda c, o: [PY, BENCH / "peers" / "mkdocs_plain.py", c.site, o]),
    Case(HUGO, lambda c, o: [PY, BENCH / "peers" / "hugo_pagefind.py", c.site, o], needs="hugo",
         search="pagefind"),
]


def scaling_cases() -> list[Case]:
    """`gongkai build -j K`, cold, for K = 1 … the CPUs of this machine."""
    return [Case(f"gongkai build -j {k}", lambda c, o, k=k: gongkai_build(c, o, "-j", str(k)), needs="build",
                 setup=clean_cold) for k in range(1, (os.cpu_count() or 1) + 1)]


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


def cached_site(n: int, seed: int, cache: Path) -> Path:
    site, stamp = cache / f"site-{n}-seed{seed}", cache / f"site-{n}-seed{seed}.stamp"
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


def reports(log: str) -> dict:
    """The JSON lines a command printed: `{"phases": …}` (peers, helpers), `{"profile": …}`
    (`gongkai build --profile`), `{"measured": […]}` (times measured inside, e.g. serve)."""
    found = {}
    for line in log.splitlines():
        if line.startswith(('{"phases"', '{"profile"', '{"measured"')):
            found.update(json.loads(line))
    return found


def run_case(case: Case, ctx: Ctx, repeat: int) -> dict:
    # one output folder per case ("gongkai rebuild" starts from its own untimed full build)
    out = ctx.work / re.sub(r"[^a-z0-9]+", "-", case.name.split(" (")[0].lower()).strip("-")
    times, rss, rc, log, runs = [], 0, 0, "", []
    try:
        for i in range(repeat):
            case.setup(ctx, out, i)
            settle(ctx)
            seconds, kib, rc, log = measure(case.command(ctx, out))
            found = reports(log)
            runs.append(found)
            times += found.get("measured") or [seconds]
            rss = max(rss, kib)
            if rc:
                print(f"{case.name}: exit {rc}\n{log[-2000:]}", file=sys.stderr)
                break
    finally:
        if case.teardown:
            case.teardown(ctx, out)
    size, files = tree_size(out)
    convert = [r["phases"]["convert"] for r in runs if "convert" in r.get("phases", {})]
    profile = runs[-1].get("profile")
    return {"case": case.name, "exit": rc, "runs_s": [round(t, 3) for t in times],
            "median_s": round(statistics.median(times), 3), "peak_rss_mb": round(rss / 1024, 1),
            "output_mb": round(size / 2**20, 1) if files else None, "files": files or None,
            "search_mb": round(tree_size(out / case.search)[0] / 2**20, 1) if case.search and files else None,
            # a peer without its `convert` phase: what a user of it who has Markdown already pays
            "median_without_convert_s": round(statistics.median(t - c for t, c in zip(times, convert)), 3)
            if len(convert) == len(times) else None,
            "phases_s": runs[-1].get("phases"), "profile": profile,
            "update": "更新了有变化的文件" in log if case.needs == "build" else None,
            "target": case.target}


def judge(results: list[dict]) -> None:
    """Fill each row's `ratio` (text) and `met` (True, False or None: no target) from the
    other rows: the speed targets, at 10,000 items."""
    rows = {r["case"]: r for r in results if "median_s" in r}

    def ratio(a: dict, b: dict, key="median_s") -> float | None:
        return a["median_s"] / b[key] if b.get(key) else None

    for r in rows.values():
        name, t, met, text = r["case"], r["median_s"], None, []
        if name == BUILD:
            met = True
            for peer, limit in ((HUGO, 1.0), (MKDOCS, 0.5)):
                if peer not in rows:
                    text.append(f"{peer}: not run")
                    met = None if met is True else met
                    continue
                whole, bare = ratio(r, rows[peer]), ratio(r, rows[peer], "median_without_convert_s")
                shown = f"{whole:.2f}×" + (f" ({bare:.2f}× without convert)" if bare else "")
                text.append(f"{shown} {peer}")
                met = met if met is None else met and (bare or whole) <= limit
        elif name.startswith("gongkai build -j ") and "gongkai build -j 1" in rows:
            base = rows["gongkai build -j 1"]["median_s"]
            text.append(f"speed-up {base / t:.2f}× over -j 1")
        elif name == PAGEFIND and BUILD in rows and rows[BUILD].get("profile"):
            search = sum(s["wall"] for s in rows[BUILD]["profile"] if s["stage"] == "search")
            text.append(f"floor: {t / rows[BUILD]['median_s']:.0%} of the cold build "
                        f"(its search stage waits {search:.1f} s after the rest)")
        elif name == WARNINGS and CHECK in rows:
            met = t <= 2 * rows[CHECK]["median_s"]
            text.append(f"{ratio(r, rows[CHECK]):.2f}× clean check")
        elif name == CI:
            met = bool(r["update"])
            text.append("an update" if met else "a cold build")
            if BUILD in rows:
                text.append(f"{ratio(r, rows[BUILD]):.2f}× cold build")
        elif r["target"].startswith("≤ ") and r["target"].endswith(" s"):
            met = t <= float(r["target"][2:-2])
        r["ratio"], r["met"] = "; ".join(text), None if r["exit"] else met


def notes(r: dict) -> str:
    """Phases of peers and helpers; for builds, each stage's wall time and CPU (own + children)."""
    parts = [f"{k} {v} s" if k != "shards" else f"{v} shards" for k, v in (r["phases_s"] or {}).items()]
    if r.get("median_without_convert_s") is not None:
        parts.append(f"without convert {r['median_without_convert_s']} s")
    for s in r.get("profile") or []:
        parts.append(f"{s['stage']} {s['wall']:.2f} s (CPU {s['cpu']:.2f}+{s['cpu_children']:.2f})")
    if r.get("exit"):
        parts.insert(0, f"**exit {r['exit']}**")
    return ", ".join(parts)


def table(results: list[dict]) -> str:
    lines = ["| case | median s | target | met | ratio | runs s | peak RSS MB | output MB | files | search MB "
             "| notes |", "|---|---:|---|---|---|---|---:|---:|---:|---:|---|"]
    for r in results:
        if "skipped" in r:
            lines.append(f"| {r['case']} | | {r.get('target', '')} | | | | | | | | skipped: {r['skipped']} |")
            continue
        met = {True: "yes", False: "**no**", None: ""}[r.get("met")]
        cells = [r["median_s"], r["target"], met, r.get("ratio", ""), " / ".join(map(str, r["runs_s"])),
                 r["peak_rss_mb"], r["output_mb"], r["files"], r["search_mb"], notes(r)]
        lines.append(f"| {r['case']} | " + " | ".join("" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) at the end"


def install_note() -> str:
    return "" if shutil.which("hugo") else " (hugo missing: `make bench` installs it with apt-get where it can)"


def compiled() -> None:
    """gongkai's modules compiled to bytecode, as `pip install gongkai` leaves them (pip
    compiles a wheel's modules; the peers run from such an install). An editable checkout
    has none once its sources change, and with PYTHONDONTWRITEBYTECODE set (as on some CI
    machines) every command would compile all of them again: ~0.3 s of each timed run."""
    import compileall

    compileall.compile_dir(REPO / "generator", quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--cases", help="comma-separated case names, or substrings of them, to run")
    ap.add_argument("--cache", type=Path, default=CACHE, help="where the site and outputs go")
    a = ap.parse_args()
    a.cache.mkdir(parents=True, exist_ok=True)
    compiled()
    gongkai = find_gongkai()
    commands = {c for c in ("check", "build", "serve") if gongkai and subprocess.run(
        [*gongkai, c, "--help"], cwd=REPO, env=ENV, capture_output=True).returncode == 0}
    ctx = Ctx(cached_site(a.items, a.seed, a.cache), a.cache / f"out-{a.items}", gongkai, commands)
    ctx.work.mkdir(exist_ok=True)
    wanted = [s.strip() for s in a.cases.split(",")] if a.cases else None
    cases = CASES[:5] + scaling_cases() + CASES[5:]
    names = {c.name for c in cases}
    results = []
    for case in cases:  # a wanted name that is a case's whole name picks that case only
        if wanted and not any(w == case.name or (w not in names and w in case.name) for w in wanted):
            continue
        reason = missing(case, ctx)
        if reason:
            print(f"skip {case.name}: {reason}", file=sys.stderr)
            results.append({"case": case.name, "skipped": reason, "target": case.target})
            continue
        print(f"run  {case.name} ×{a.repeat}", file=sys.stderr)
        results.append(run_case(case, ctx, a.repeat))
    judge(results)
    head = f"{a.items} items, seed {a.seed}, {os.cpu_count()} CPUs, repeat {a.repeat}, {load_note()}"
    print(f"\n{head}{install_note()}; targets are the project's, for 10,000 items\n")
    print(table(results))
    if a.json:
        a.json.write_text(json.dumps({"items": a.items, "seed": a.seed, "repeat": a.repeat,
                                      "cpus": os.cpu_count(), "load": os.getloadavg(), "results": results},
                                     ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
