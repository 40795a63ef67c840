"""The floor of gongkai's search stage: Pagefind alone over the search sources of a build.

    python benchmarks/pagefind_alone.py SOURCES OUT [--jobs N]

SOURCES is `<site>/.gongkai-cache/output-<hash>/search/` of an earlier `gongkai build`:
one folder of search source pages per shard. Runs the Pagefind binary gongkai uses
(`generator.search.pagefind_command()`), one process per shard, N at a time (default:
as many as a build runs, CPUs + 1), each writing its index to OUT/<shard>/. Nothing else
happens: no rendering, no hashing, no cache, so a build's search stage cannot be faster.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.search import pagefind_command  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1, help="processes at a time")
    a = ap.parse_args()
    shards = sorted(p for p in a.sources.iterdir() if p.is_dir())
    if not shards:
        sys.exit(f"no search sources in {a.sources}: build the site first")
    shutil.rmtree(a.out, ignore_errors=True)
    command, pending, running, failed = pagefind_command(), list(shards), [], []
    start = time.perf_counter()
    while pending or running:
        while pending and len(running) < a.jobs:
            shard = pending.pop(0)
            args = [*command, "--site", shard, "--output-path", a.out / shard.name, "--silent"]
            running.append((shard.name, subprocess.Popen([str(x) for x in args]).pid))
        pid, status = os.wait()  # whichever ends first frees its slot
        name = next(n for n, p in running if p == pid)
        running.remove((name, pid))
        if os.waitstatus_to_exitcode(status):
            failed.append(name)
    if failed:
        sys.exit(f"pagefind failed on {', '.join(failed)}")
    print(json.dumps({"phases": {"pagefind": round(time.perf_counter() - start, 3), "shards": len(shards)}}))


if __name__ == "__main__":
    main()
