"""`gongkai serve` as an editor runs it: a real subprocess answering HTTP on loopback
(every wait bounded, the process always ended), and the build day of a long preview."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import socket
import subprocess
import time
import types
from pathlib import Path

import pytest

import generator.build
from generator.build import build

from helpers import CONFIG, gongkai_command, num, with_index

pytestmark = pytest.mark.build  # every test here builds a site: not in `make test-fast`

BAD = "title: 通知\npublished: 2024-02-01\nwritten: <b>2024-13-01</b>\n"
GOOD = "title: 预览中的通知\npublished: 2024-02-01\nstatus: draft\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str = "/", host: str | None = None, timeout: float = 20) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}" if host is None else host})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _wait_for(port: int, predicate, timeout: float = 180) -> tuple[int, str]:
    """GET / until `predicate(status, body)` holds (the server starts, a rebuild ends)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = _get(port)
            if predicate(*last):
                return last
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.3)
    raise AssertionError(f"the preview did not answer as expected in {timeout} s: {last}")


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    (root / "content/notices").mkdir(parents=True)
    (root / "site_config.yml").write_text(CONFIG, encoding="utf-8")
    return root


@pytest.fixture
def serve(tmp_path):
    """serve(site, *args) → (process, port); every process is ended after the test."""
    started = []
    tmp = tmp_path / "tmp"
    tmp.mkdir()

    def start(site: Path, *args: str, port: int | None = None):
        port = port or _free_port()
        env = dict(os.environ, TMPDIR=str(tmp))
        env.pop("SOURCE_DATE_EPOCH", None)
        process = subprocess.Popen(
            gongkai_command() + ["serve", "-s", str(site), "--port", str(port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env,
        )  # fmt: skip
        started.append(process)
        return process, port

    start.tmp = tmp
    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    return err


def test_busy_port_is_named_with_a_way_out(site, serve):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, _ = serve(site, port=port)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"端口 {port} 已被占用" in err and "--port" in err
    assert "Traceback" not in err and "OSError" not in err


def test_preview_of_a_site_with_errors_then_fixed(site, serve):
    (site / "content/notices/a.yml").write_text(BAD, encoding="utf-8")
    process, port = serve(site)
    status, page = _wait_for(port, lambda status, body: status == 200)
    assert "内容有错误" in page
    assert "content/notices/a.yml:3:10" in page and "成文日期" in page and "[invalid-date]" in page
    assert "&lt;b&gt;2024-13-01&lt;/b&gt;" in page and "<b>2024" not in page  # escaped
    assert "livereload(" in page  # reloads by itself after the next rebuild
    assert "content/notices/a.yml:3:10" in _get(port, "/notices/")[1]  # every page lists the problems

    # requests that do not name this machine (DNS rebinding) are refused
    assert _get(port, host=f"evil.example:{port}")[0] == 403
    assert _get(port, host="")[0] == 403
    assert _get(port, host=f"localhost:{port}")[0] == 200
    assert _get(port, host=f"[::1]:{port}")[0] == 200

    (site / "content/notices/a.yml").write_text(GOOD, encoding="utf-8")
    _, home = _wait_for(port, lambda status, body: status == 200 and "内容有错误" not in body)
    assert "测试县人民政府办公室" in home and "预览中的通知" in home

    for path in ("/%00", "/a%00b/", "/%1b[31m"):
        assert _get(port, path)[0] == 400, path
    for path in ("/" + "a" * 5000, "/../../etc/passwd", "/notices/%2e%2e/%2e%2e/site_config.yml"):
        assert _get(port, path)[0] == 404, path
    err = _stop(process)
    assert "预览已停止" in err

    # SIGTERM left no temporary folder; a second run reuses the one preview cache
    process, port = serve(site)
    _wait_for(port, lambda status, body: status == 200 and "预览中的通知" in body)
    _stop(process)
    assert list(serve.tmp.iterdir()) == []
    cache = site / ".gongkai-cache"
    assert len(list(cache.glob("output-*"))) == 1


def test_a_saved_item_is_shown_before_the_full_rebuild(site, serve):
    """The watcher knows which file was saved: its page is written first (quick.py), the
    browser reloads, then the whole preview is rebuilt and reloads it again."""
    item = site / "content/notices/a.yml"
    item.write_text(GOOD, encoding="utf-8")
    process, port = serve(site)
    _wait_for(port, lambda status, body: status == 200 and "预览中的通知" in body)
    item.write_text(GOOD.replace("预览中的通知", "改过标题的通知") + "body: 保存后马上看到的正文。\n", encoding="utf-8")
    deadline = time.monotonic() + 60
    while "保存后马上看到的正文" not in _get(port, "/notices/a/")[1]:
        assert time.monotonic() < deadline, "the edit never reached the page"
        time.sleep(0.1)
    _wait_for(port, lambda status, body: "改过标题的通知" in body)  # the home page: the full rebuild's
    err = _stop(process)
    assert "已先更新条目页：/notices/a/（全站随后更新）" in err
    assert err.count("预览已更新") >= 2  # the first build, and the full rebuild after the quick page


# ------------------------------------------------------------------ the build day of a long preview

APPOINTMENT = """\
title: 干部任前公示
published: 2024-06-03
notice: {start: 2024-06-03, working_days: 5}
persons:
  - {name: 张某某, gender: 男, birth: 1982-05, proposed_post: 青山县某某局局长}
"""


def _clock(monkeypatch, day: dt.date) -> None:
    """Make `generator.build` see `day` at noon as now (the preview's clock)."""

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz)

    monkeypatch.setattr(generator.build, "dt", types.SimpleNamespace(date=dt.date, time=dt.time, datetime=Clock))


def test_each_build_of_a_process_takes_its_own_day(make_site, monkeypatch, tmp_path):
    """`gongkai serve` rebuilds in one process: after midnight the 公示 status must follow
    the new day (SOURCE_DATE_EPOCH is set only around mkdocs, never left behind)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    site_dir = make_site({"content/appointments/a.yml": with_index(APPOINTMENT, num(2024, 1))})
    out = tmp_path / "out"
    statuses = []
    for day in (dt.date(2024, 6, 4), dt.date(2024, 6, 20)):
        _clock(monkeypatch, day)
        site, problems = site_dir.load()
        assert not problems.has_errors(), list(problems)
        build(site, out, drafts=True, jobs=1, index=False)
        (entry,) = site.entries
        page = (out / entry.url / "index.html").read_text(encoding="utf-8")
        statuses.append(page.split("gk-notice-status__value\">", 1)[1].split("<", 1)[0])
    assert statuses == ["公示中", "已结束"]
    assert "SOURCE_DATE_EPOCH" not in os.environ
