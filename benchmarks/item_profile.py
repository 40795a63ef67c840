"""Profile the per-item work of a build (`render/items.py` `_write_slice`) in one process.

    python benchmarks/item_profile.py SITE [--items 1000] [--repeat 3] [--profile] [--top 25]

SITE is a site folder whose items are all recorded (`gongkai publish`): e.g. one made by
`synth.py`, committed and published. The site is loaded and the build prepared as
`gongkai build` does (`Build`, then its `data` and `render` stages for the category
shells); then the first `--items` entries' pages, permanent links and search sources are
written `--repeat` times, each time into a new empty folder, by `_write_slice` alone
(no fork). Prints the CPU time per item of each run (process time: the machine may be
shared) and, with `--profile`, cProfile's top functions of the last run.

Run it with another checkout's code first on the path to compare two versions on the
same site and minutes: `cd /tmp && PYTHONPATH=/other/checkout python …/item_profile.py`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from generator.build import Build, Options
from generator.load.site import load_site
from generator.problems import Problems
from generator.render import items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the last run")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    problems = Problems()
    site = load_site(args.site.resolve(), problems)
    if site is None or problems.has_errors(False):
        print("the site has errors: run gongkai check", file=sys.stderr)
        return 1
    scratch = Path(tempfile.mkdtemp(prefix="item-profile-"))
    try:
        options = Options(False, 1, True, False, True, False, None)
        build = Build(site, scratch / "site", options)
        build.work = scratch / "work"
        build.work.mkdir()
        build.data()
        build.render()
        entries = build.entries[: args.items]
        print(f"{len(entries)} items from {site.site_dir} ({items.__file__})")
        for run in range(args.repeat):
            out = scratch / f"run{run}"
            job = items.ItemJob(
                site, entries, build.shells, build.env, build.strings, out / "site", build.today, out / "search",
                build.shard_of,
            )  # fmt: skip
            profile = cProfile.Profile() if args.profile and run == args.repeat - 1 else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profile is not None:
                profile.enable()
            items._write_slice(job, entries)
            if profile is not None:
                profile.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            shutil.rmtree(out)
            per_item = cpu / len(entries) * 1000, wall / len(entries) * 1000
            print(f"run {run + 1}: {per_item[0]:.3f} ms CPU per item ({per_item[1]:.3f} wall)")
            if profile is not None:
                text = io.StringIO()
                pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(args.top)
                print(text.getvalue())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
