"""`gongkai serve`: build with drafts into a temporary folder, serve it on localhost and
rebuild when content, configuration or theme change (the page reloads by itself).

Drafts are shown with the 草稿 banner. Content errors are printed and the last good
preview stays up, so an editor can fix a file and watch the page come back.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from generator.build import build
from generator.config import CONFIG_FILE
from generator.problems import Problems, format_text
from generator.render import THEME_DIR
from generator.site import load_site


def rebuild(site_dir: Path, out: Path) -> bool:
    problems = Problems()
    site = load_site(site_dir, problems)
    if problems.items:
        print(format_text(problems.sorted()), file=sys.stderr)
    if site is None or problems.has_errors():
        print("内容有错误：预览保持上一次的结果。", file=sys.stderr)
        return False
    result = build(site, out, drafts=True, jobs=1, preview=True)
    print(f"预览已更新：{result.pages} 个页面", file=sys.stderr)
    return True


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    from mkdocs.livereload import LiveReloadServer

    root = Path(tempfile.mkdtemp(prefix="gongkai-serve-"))
    out = root / "site"
    try:
        if not rebuild(site_dir, out):
            return 1
        server = LiveReloadServer(builder=lambda: rebuild(site_dir, out), host=host, port=port, root=str(out))
        server.watch(str(site_dir / "content"))
        server.watch(str(site_dir / CONFIG_FILE), recursive=False)
        server.watch(str(THEME_DIR))
        print(f"预览地址：http://{host}:{port}/  （Ctrl+C 停止）", file=sys.stderr)
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0
