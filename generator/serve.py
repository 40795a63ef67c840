"""`gongkai serve`: build with drafts into the site's preview folder, serve it on localhost
and rebuild when content, configuration or theme change (the page reloads by itself).

Drafts are shown with the 草稿 banner. Content errors are printed and the last good
preview stays up, so an editor can fix a file and watch the page come back; before the
first good build every page is a list of the problems, which turns into the site on the
first save that fixes them.

The preview holds drafts, so it answers only requests that name this machine (the `Host`
header: a page of another site cannot read it through DNS rebinding), refuses malformed
paths without a traceback, and lives in one folder of the site's cache,
`.gongkai-cache/preview/` (not a new temporary folder per run, which SIGTERM left behind
with the drafts in it).
"""

from __future__ import annotations

import errno
import html
import os
import signal
import sys
import threading
import time
from pathlib import Path

from generator.config import CONFIG_FILE
from generator.load.cache import CACHE_DIR
from generator.problems import Problem, Problems, format_text
from generator.render import THEME_DIR

PREVIEW_DIR = "preview"  # under .gongkai-cache/: the built preview, reused by the next run
LOCAL_NAMES = {"127.0.0.1", "localhost", "::1"}


class Preview:
    """The state of the preview: the problems of the last build while there has been no
    good one yet (then every page shows them)."""

    def __init__(self, site_dir: Path, out: Path):
        self.site_dir, self.out = site_dir, out
        self.good = False
        self.problems: list[Problem] = []
        self.lock = threading.Lock()
        self.job = None  # what rendered the last good build's item pages (quick.py)

    def quick(self, changed: set[Path]) -> bool:
        """The pages of the edited items, before the full rebuild (quick.py); True when
        any was written. Never raises: the full rebuild that follows reports."""
        from generator.quick import quick_pages

        try:
            urls = quick_pages(self.job, changed)
        except Exception as exc:  # a machine fault: the full rebuild meets it too, and says so
            print(f"gongkai serve: 未能先更新条目页：{type(exc).__name__}: {exc}", file=sys.stderr)
            return False
        if urls:
            print(f"已先更新条目页：{'、'.join('/' + url for url in urls)}（全站随后更新）", file=sys.stderr)
        return bool(urls)

    def rebuild(self) -> bool:
        """Load, check and build; print what went wrong in Chinese and never raise."""
        from generator.build import build
        from generator.load.site import load_site

        problems = Problems()
        try:
            site = load_site(self.site_dir, problems, keep=True)  # in memory between rebuilds
            if site is not None and not problems.has_errors():
                result = build(site, self.out, drafts=True, jobs=1, preview=True)
                print(f"预览已更新：{result.pages} 个页面", file=sys.stderr)
                with self.lock:
                    self.good, self.problems = True, []
                self.job = result.item_job
                return True
        except Exception as exc:  # a machine fault (disk full, Pagefind missing …): keep serving
            problems.error(
                ".", None, "serve-build", f"预览生成失败：{type(exc).__name__}: {exc}", "修正后保存任一文件即重新生成"
            )
        ordered = problems.sorted()
        if ordered:
            print(format_text(ordered), file=sys.stderr)
        print("内容有错误：" + ("预览保持上一次的结果。" if self.good else "预览页面列出了这些问题。"), file=sys.stderr)
        with self.lock:
            self.problems = [p for p in ordered if p.level == "error"] or ordered
        return False

    def problems_page(self) -> bytes | None:
        """The page listing the problems, while there has been no good build; else None."""
        with self.lock:
            if self.good:
                return None
            problems = list(self.problems)
        rows = []
        for p in problems:
            where = html.escape(f"{p.path}:{p.line}:{p.col}")
            hint = f"<br><small>提示：{html.escape(p.hint)}</small>" if p.hint else ""
            text = html.escape(f"{p.level}：{p.message} [{p.code}]")
            rows.append(f"<li><code>{where}</code> {text}{hint}</li>")
        listing = "\n".join(rows) or "<li>正在生成预览……</li>"
        page = (
            '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>预览：内容有错误</title></head>\n'
            '<body style="font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.6">\n'
            "<h1>内容有错误，还不能生成预览</h1>\n<p>修改下列文件并保存，本页会自动刷新。</p>\n"
            f"<ol>\n{listing}\n</ol>\n</body></html>\n"
        )
        return page.encode("utf-8")


def host_name(header: str) -> str:
    """The name in a `Host` header: `[::1]:8000` → `::1`, `Localhost:8000` → `localhost`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


# What changes a file: watchdog also reports files being opened and closed (the build
# reads every content file: a preview that rebuilt on those would never stop).
CHANGES = {"created", "modified", "deleted", "moved"}


def start_observer(watching: list[tuple[str, bool]], on_change):
    """Watch the folders with the system's notifications (inotify: a saved file is known
    at once, and 10,000 files cost nothing between saves); where there are none, or the
    system refuses more watches, look every half second instead."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    handler = FileSystemEventHandler()
    handler.on_any_event = on_change  # type: ignore[method-assign]
    for make in (Observer, lambda: PollingObserver(timeout=0.5)):
        observer = make()
        try:
            for path, recursive in watching:
                observer.schedule(handler, path, recursive=recursive)
            observer.start()
            return observer
        except OSError as exc:  # inotify's limits (max_user_watches, max_user_instances)
            reason = exc.strerror or exc
            print(f"gongkai serve: 不能用系统通知监视文件（{reason}），改为每半秒检查一次", file=sys.stderr)
    raise OSError("不能监视文件变化")


def make_server(preview: Preview, host: str, port: int, allowed: set[str]):
    """The live-reload server of mkdocs with the checks of a preview that holds drafts, a
    watcher that knows which files changed, and the quick pages of edited items: the
    browser reloads once they are written, and again when the full rebuild ends."""
    from mkdocs.livereload import LiveReloadServer

    class PreviewServer(LiveReloadServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.watching: list[tuple[str, bool]] = []
            self.changed: set[Path] = set()
            self.changed_lock = threading.Lock()

        def watch(self, path, func=None, *, recursive=True):
            self.watching.append((os.path.abspath(path), recursive))
            self._watched_paths[os.path.abspath(path)] = 1  # mkdocs injects its reload script when set

        def serve(self, *, open_in_browser=False):
            self.observer = start_observer(self.watching, self.on_change)
            self.serve_thread.start()
            self._build_loop()

        def on_change(self, event) -> None:
            if event.event_type not in CHANGES or (event.is_directory and event.event_type == "modified"):
                return
            paths = (event.src_path, getattr(event, "dest_path", ""))  # a move: both names changed
            with self.changed_lock:
                self.changed.update(Path(os.fsdecode(p)) for p in paths if p)
            with self._rebuild_cond:
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        def rebuild(self) -> None:
            with self.changed_lock:
                changed, self.changed = self.changed, set()
            quick = preview.quick(changed)
            if quick:
                with self._epoch_cond:  # reload the pages now
                    self._visible_epoch = self._wanted_epoch
                    self._epoch_cond.notify_all()
            # Pages are served during the rebuild (mkdocs holds requests while the epoch it
            # wants is not the visible one): a build replaces the folder's files atomically.
            preview.rebuild()
            if quick:  # and again once it ends (mkdocs makes the epoch it wants visible)
                self._wanted_epoch = max(round(time.monotonic() * 1000), self._visible_epoch + 1)

        def _serve_request(self, environ, start_response):
            name = host_name(environ.get("HTTP_HOST", ""))
            if name not in allowed:
                start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
                return [f"403：预览只接受发给本机的请求（Host: {name or '无'}）；用 --allow-host 增加名称\n".encode()]
            path = environ.get("PATH_INFO", "")
            if any(ord(c) < 0x20 or c == "\x7f" for c in path):
                start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
                return ["400：网址中有控制字符\n".encode()]
            page = None if path.startswith("/livereload/") else preview.problems_page()
            if page is not None:
                with self._epoch_cond:
                    page = self._inject_js_into_html(page, self._visible_epoch)
                headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))]
                start_response("200 OK", headers)
                return [page]
            try:
                return super()._serve_request(environ, start_response)
            except (OSError, ValueError):  # a name the file system refuses: not found
                return None
            except Exception as exc:  # a machine fault: one line in the log, no traceback
                print(f"gongkai serve: 不能读取 {path}：{type(exc).__name__}: {exc}", file=sys.stderr)
                start_response("500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")])
                return ["500：预览服务出错，详见终端\n".encode()]

    server = PreviewServer(builder=lambda: None, host=host, port=port, root=str(preview.out))
    server.builder = server.rebuild
    return server


def _stop(signum, frame):
    raise KeyboardInterrupt  # SIGTERM ends like Ctrl+C: through the `finally` below


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 8000, allow_hosts: tuple[str, ...] = ()) -> int:
    preview = Preview(site_dir, site_dir / CACHE_DIR / PREVIEW_DIR)
    allowed = LOCAL_NAMES | {host_name(h) for h in (host, *allow_hosts)}
    server = make_server(preview, host, port, allowed)
    try:
        server.server_bind()
        server.server_activate()
    except (OSError, OverflowError) as exc:  # OverflowError: a port above 65535
        server.server_close()
        if getattr(exc, "errno", None) == errno.EADDRINUSE:
            print(f"gongkai serve: 端口 {port} 已被占用；用 --port 换一个端口，如 --port {port + 1}", file=sys.stderr)
        else:
            print(
                f"gongkai serve: 不能在 {host}:{port} 上提供预览：{getattr(exc, 'strerror', None) or exc}",
                file=sys.stderr,
            )
        return 2
    server.server_bind = server.server_activate = lambda: None  # bound above; serve() would bind again
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        preview.rebuild()
        server.watch(str(site_dir / "content"))
        server.watch(str(site_dir / CONFIG_FILE), recursive=False)
        server.watch(str(THEME_DIR))
        shown = f"[{host}]" if ":" in host else host
        print(f"预览地址：http://{shown}:{port}/  （Ctrl+C 停止）", file=sys.stderr)
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
    print("预览已停止", file=sys.stderr)
    return 0
