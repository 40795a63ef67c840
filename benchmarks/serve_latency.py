"""Time from saving an item to the refreshed page in `gongkai serve`, as a browser sees it.

    python benchmarks/serve_latency.py SITE [--edits 5] [--port N]

Starts `gongkai serve` on SITE, waits until it serves, then EDITS times: appends a
sentence to one article, and acts as the page's live-reload script does (mkdocs'
livereload: long-poll `/livereload/<epoch>/<id>` until the epoch of the page is
outdated, then load the page again) until the page holds the new sentence. The time
from the write to that response is one latency. The preview then rebuilds the whole
site (lists, data, search): the time until it says so (`预览已更新`) is measured too,
and the next edit waits for it, as an editor who reads the page before saving again.
The file is restored at the end. Last stdout line: `{"measured": [seconds…], "phases":
{"first build": s, "whole preview updated (median)": s}}` for run.py.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from synth import editable, revised  # noqa: E402

EPOCH = re.compile(rb"livereload\((\d+),")


def get(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def item_page(site: Path) -> tuple[Path, str]:
    """The article the benchmarks edit and its URL path."""
    from generator.load.site import load_site
    from generator.problems import Problems

    path = editable(site)
    rel = path.relative_to(site).as_posix()
    return path, "/" + next(e.url for e in load_site(site, Problems()).entries if e.rel == rel)


def wait_for(base: str, deadline: float, server: subprocess.Popen) -> None:
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            sys.exit(f"gongkai serve ended (exit {server.returncode}) before it served")
        try:
            get(base, timeout=5)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    sys.exit("gongkai serve did not answer in time")


def refreshed(base: str, url: str, epoch: int, text: bytes, deadline: float) -> float:
    """Long-poll the reload signal, reload the page on each new epoch; the moment the page
    holds `text`."""
    while time.perf_counter() < deadline:
        newer = int(get(f"{base}/livereload/{epoch}/1"))
        if newer > epoch:
            page = get(base + url)
            if text in page:
                return time.perf_counter()
            epoch = int(EPOCH.search(page)[1])
    sys.exit("the edit never reached the page")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--port", type=int, default=0, help="default: a free one")
    a = ap.parse_args()
    path, url = item_page(a.site)
    if not a.port:  # a port free now (other programs on this machine may serve on 8000)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            a.port = probe.getsockname()[1]
    original = path.read_bytes()
    base = f"http://127.0.0.1:{a.port}"
    gongkai = [sys.executable, "-m", "generator", "serve", "-s", str(a.site), "--port", str(a.port)]
    t = time.perf_counter()
    server = subprocess.Popen(gongkai, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    built: list[float] = []  # when each full build ended (its line on stderr)
    done = threading.Condition()

    def read_log() -> None:
        for line in server.stderr:
            if line.startswith("预览已更新".encode()):
                with done:
                    built.append(time.perf_counter())
                    done.notify_all()

    threading.Thread(target=read_log, daemon=True).start()

    def builds(n: int) -> float:
        with done:
            if not done.wait_for(lambda: len(built) >= n, timeout=600):
                sys.exit("the preview did not finish rebuilding")
            return built[n - 1]

    latencies, whole = [], []
    try:
        wait_for(base, time.perf_counter() + 1200, server)
        first = builds(1) - t
        for k in range(a.edits):
            builds(k + 1)  # idle: the last edit's full rebuild ended
            page = get(base + url)
            epoch = int(EPOCH.search(page)[1])
            text = f"服务延迟测试第{k + 1}次，标记{os.getpid()}{k}。"
            edited = revised(original, ["更正"], text)
            time.sleep(0.3)  # the watcher's clock: an edit within its debounce would merge
            start = time.perf_counter()
            path.write_bytes(edited)
            latencies.append(round(refreshed(base, url, epoch, text.encode(), start + 120) - start, 3))
            whole.append(builds(k + 2) - start)
    finally:
        path.write_bytes(original)
        server.terminate()
        server.wait(30)
    phases = {"first build": round(first, 3), "whole preview updated (median)": round(statistics.median(whole), 3)}
    print(json.dumps({"measured": latencies, "phases": phases}))


if __name__ == "__main__":
    main()
