"""Progress of long work (`build`, `check`, `number`, `publish` on large sites).

One stage at a time, as a context manager; the work counts what it finished:

    with progress.stage("items", size=len(site.entries)):
        ...
        progress.expect(len(todo))   # items this stage will do (fork_map says it itself)
        progress.advance(100)        # 100 of them done

Two ways of showing it, decided by where the messages go:

- a terminal (stderr is a TTY and `CI` is not set): a live line of the stage's name,
  items done/total and the rate (tqdm), drawn by a thread twice a second once the stage
  has run for half a second (a short stage shows nothing), and cleared when it ends;
- otherwise (CI, a log file, a pipe): one line per stage when it ends, only for a large
  site (`size` ≥ LARGE items), e.g. `生成条目页 10000/10000 用时 12.3 秒`; nothing for a
  small one, whose output stays as it was.

`advance` only adds to a counter: it costs nothing in a loop of 100,000 items. tqdm is
imported only when a live line is drawn (start-up time of a one-item update).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

LARGE = 1000  # items: a smaller site's stages print no line (outside a terminal)
DELAY = 0.5  # seconds a stage runs before its live line appears
TICK = 0.5  # seconds between two draws of the live line

# The stages' names as the editor reads them (build.py `Build.stage` and the commands).
NAMES = {
    "read": "读取文件",
    "load": "载入条目",
    "check": "检查内容",
    "items": "生成条目页",
    "data": "开放数据",
    "render": "页面框架",
    "pages": "首页和目录页",
    "lists": "栏目列表",
    "links": "附件",
    "publish": "订阅、登记和网站地图",
    "search": "搜索索引",
    "commit": "替换网站",
    "number": "编号",
    "register": "登记版本",
}

# Held while the live line is drawn, and by `fork_map` while it forks: a worker must not
# be forked in the middle of a write to stderr (it would inherit its lock, taken).
DRAWING = threading.Lock()


def live(stream=None) -> bool:
    """A live display: `stream` (stderr) is a terminal and this is not a CI run."""
    stream = stream or sys.stderr
    ci = os.environ.get("CI", "").strip().lower()
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        terminal = False
    return terminal and ci in ("", "0", "false", "no")


class Stage:
    """One stage being shown: its name, the items expected and done, its start."""

    def __init__(self, name: str, total: int, size: int, stream, counted: bool = False):
        self.name = NAMES.get(name, name)
        self.total, self.done, self.size = total, 0, size
        self.counted = counted  # its work is its items: none (all cached), no line
        self.stream = stream
        self.started = time.perf_counter()
        self._stop = threading.Event()
        self._bar = None  # the tqdm line, once drawn
        self._thread: threading.Thread | None = None

    def start_live(self) -> None:
        self._thread = threading.Thread(target=self._tick, name="gongkai-progress", daemon=True)
        self._thread.start()

    def _tick(self) -> None:
        """Draw the line after DELAY, then every TICK, until the stage ends."""
        if self._stop.wait(DELAY):
            return
        while True:
            with DRAWING:
                if self._stop.is_set():
                    return
                self._draw()
            if self._stop.wait(TICK):
                return

    def _draw(self) -> None:
        if self._bar is None:
            from tqdm import tqdm  # only when a line is shown: start-up time counts

            self._bar = tqdm(
                total=self.total or None,
                desc=self.name,
                unit="项",
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
                mininterval=0,
                miniters=0,
                smoothing=0,
                delay=DELAY,
            )  # the delay: not drawn before its start is set below
            # time and rate from the stage's start (smoothing 0: the average rate since then)
            self._bar.start_t = self._bar.last_print_t = self._bar._time() - (time.perf_counter() - self.started)
        self._bar.total = self.total or None
        self._bar.bar_format = None if self.total else "{desc} 用时 {elapsed}"  # nothing counted: the time
        if self.done > self._bar.n:
            self._bar.update(self.done - self._bar.n)
        else:
            self._bar.refresh()  # the elapsed time still moves
            self._bar.last_print_t = self._bar._time()  # drawn: `close` clears the line

    def end(self, failed: bool) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            if self._bar is not None:
                self._bar.close()  # leave=False: the line is cleared
            return
        if failed or self.size < LARGE or (self.counted and not self.total):
            return
        seconds = time.perf_counter() - self.started
        counted = f" {self.done}/{self.total}" if self.total else ""
        self.stream.write(f"{self.name}{counted} 用时 {seconds:.1f} 秒\n")
        self.stream.flush()


_STACK: list[Stage] = []  # the stages running (innermost last)


@contextmanager
def stage(name: str, total: int = 0, size: int | None = None, counted: bool = False, stream=None) -> Iterator[Stage]:
    """Show stage `name` (a key of NAMES, or a Chinese name) while the block runs.
    `total`: items it will do (more may be announced by `expect`); `size`: the size of
    the site, which decides whether a line is printed outside a terminal (default `total`);
    `counted`: a stage that only counts items prints no line when it had none to do.
    A stage inside another is counted but not shown: the outer one is."""
    stream = stream or sys.stderr
    current = Stage(name, total, total if size is None else size, stream, counted)
    if not _STACK and live(stream):
        current.start_live()
    elif _STACK:
        current.size = 0  # nested: no line of its own
    _STACK.append(current)
    failed = True
    try:
        yield current
        failed = False
    finally:
        _STACK.remove(current)
        current.end(failed)


def expect(count: int) -> None:
    """`count` more items for the current stage to do (no stage: nothing)."""
    if _STACK:
        _STACK[-1].total += count


def advance(count: int = 1) -> None:
    """`count` items of the current stage done (no stage: nothing)."""
    if _STACK:
        _STACK[-1].done += count
