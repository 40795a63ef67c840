"""`gongkai verify`: a built site checked against its own publication register, from a
folder and over HTTP (a local server on 127.0.0.1). The fixture writes small item pages
itself with `generator.register.seal` (tests/unit/test_verify_build.py verifies real builds)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from html import escape
from pathlib import Path

import pytest

from generator import register, signing
from generator.cli import main
from generator.render.markdown import render

from helpers import QuietServer, num

N1, N2, N3 = num(2024, 1), num(2024, 2), num(2024, 3)


def article(number: str, title: str, published: str, body: str, extra: str = "") -> str:
    return f"---\nindex_no: {number}\ntitle: {title}\npublished: {published}\n{extra}---\n\n{body}\n"


def write_built_site(site, out: Path, signer=None) -> None:
    """What the build does: data/register.json, its head and one sealed page per item."""
    loaded, problems = site.load()
    assert not problems.has_errors(), problems.sorted()
    (out / "data").mkdir(parents=True)
    chain = register.public_register(loaded)
    (out / register.PUBLIC_PATH).write_bytes(chain)
    attachments = signing.attachments_file({})
    (out / signing.ATTACHMENTS_PATH).write_bytes(attachments)
    (out / signing.HEAD_PATH).write_bytes(signing.head_file(loaded.config.site.url, chain, signer, attachments))
    site_url = loaded.config.site.url
    catalogue = [{"index_no": e.model.index_no, "title": e.model.title, "url": site_url + e.url}
                 for e in loaded.published()]
    (out / "data/catalogue.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    for entry in loaded.published():
        withdrawn = f"<p>已撤销：{escape(entry.model.withdrawn.reason)}</p>" if entry.model.withdrawn else ""
        fragment = f"<article><h1>{escape(entry.model.title)}</h1>{render(entry.model.body).html}{withdrawn}</article>"
        head, body = register.seal(entry, fragment)
        page = out / entry.url / "index.html"
        page.parent.mkdir(parents=True)
        title = f"<title>{escape(entry.model.title)} - 青山</title>"
        page.write_text(
            f"<!doctype html><html><head><meta charset=utf-8>{title}{head}</head>"
            f"<body><header>青山</header>{body}<footer>备案</footer></body></html>", encoding="utf-8"
        )


@pytest.fixture
def built(make_site, tmp_path):
    site = make_site(
        {
            "content/notices/a.md": article(N1, "关于春节放假的通知", "2024-02-01", "春节放假安排如下。"),
            "content/notices/b.md": article(
                N2, "关于 <script> 与 & 的说明", "2024-02-05", "正文 </script> 不会截断记录。"
            ),
            "content/notices/2024/c.md": article(
                N3, "已撤销的通知", "2024-02-07", "原文。", "withdrawn: {date: 2024-03-01, reason: 政策调整}\n"
            ),
        }
    )
    assert site.run("publish").code == 0
    site.write(
        "content/notices/a.md",
        article(
            N1,
            "关于春节放假的通知",
            "2024-02-01",
            "春节放假安排如下（更正）。",
            "revisions:\n  - {date: 2024-02-02, note: 更正}\n",
        ),
    )
    assert site.run("publish").code == 0
    out = tmp_path / "out"
    write_built_site(site, out)
    return out


def verify(capsys, target: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["verify", target, "--timeout", "5"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def change_one_character(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    start = html.index(register.BODY_START)
    at = html.index("春节放假安排如下", start)
    page.write_text(html[:at] + "夏" + html[at + 1 :], encoding="utf-8")


# ------------------------------------------------------------------ folder


def test_verify_passes_on_a_fresh_build(built, capsys):
    code, out, err = verify(capsys, str(built))
    assert code == 0, out + err
    assert out.count("\n") == 1 and out.startswith("校验通过：4 个登记版本，3 个条目页面")
    assert err.startswith("本站未配置签名密钥")  # a site without a key says so
    data = json.loads((built / "data/register.json").read_text(encoding="utf-8"))
    assert data["head"] in out


def test_verify_fails_on_a_one_character_change(built, capsys):
    change_one_character(built / "notices/a/index.html")
    code, out, err = verify(capsys, str(built))
    assert code == 1
    problems = out.strip().splitlines()
    assert len(problems) == 2 and all(p.startswith("notices/a/index.html: ") for p in problems)
    assert "指纹" in problems[0] and "与内容记录不符" in problems[1]  # the digest, and the text the record gives


def test_verify_fails_when_the_embedded_record_differs(built, capsys):
    page = built / "notices/b/index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html.replace("不会截断记录", "不会截断纪录", 1), encoding="utf-8"
    )  # in the record only: the fragment is escaped text
    code, out, _ = verify(capsys, str(built))
    assert code == 1
    assert out.startswith("notices/b/index.html: 内容记录的哈希") and N2 in out


def test_verify_fails_when_the_register_is_altered(built, capsys):
    path = built / "data/register.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"][1]["date"] = "2024-02-03"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = verify(capsys, str(built))
    assert code == 1
    assert out.startswith("data/register.json: 第 2 条")


def test_verify_fails_when_a_page_is_missing_or_unsealed(built, capsys):
    (built / "notices/2024/c/index.html").unlink()
    (built / "notices/a/index.html").write_text("<html><body>重新生成的页面</body></html>", encoding="utf-8")
    code, out, _ = verify(capsys, str(built))
    assert code == 1
    assert "notices/2024/c/index.html: 无法读取条目" in out
    assert "notices/a/index.html: 页面中没有内容记录" in out


def test_verify_rejects_page_urls_outside_the_site(built, capsys):
    path = built / "data/register.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        entry["url"] = "../../etc/" if entry["index_no"] == N1 else entry["url"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = verify(capsys, str(built))
    assert code == 1 and "没有有效的页面地址" in out


def test_unusable_input_exits_2(built, tmp_path, capsys):
    assert verify(capsys, str(tmp_path / "nowhere"))[0] == 2
    assert verify(capsys, "ftp://127.0.0.1/site/")[0] == 2
    (built / "data/register.json").unlink()
    code, _, err = verify(capsys, str(built))
    assert code == 2 and "data/register.json" in err
    (built / "data/register.json").write_text("{not json", encoding="utf-8")
    assert verify(capsys, str(built))[0] == 2


# ------------------------------------------------------------------ over HTTP


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(built):
    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(built)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", built
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_verify_over_http_passes_then_fails_on_a_one_character_change(served, capsys):
    url, folder = served
    code, out, err = verify(capsys, url)
    assert code == 0, out + err
    assert out.startswith("校验通过：4 个登记版本，3 个条目页面")
    change_one_character(folder / "notices/a/index.html")
    code, out, _ = verify(capsys, url.rstrip("/"))  # without the trailing slash too
    assert code == 1
    assert out.startswith(f"{url}notices/a/index.html: ") and "指纹" in out


def test_verify_over_http_reports_a_missing_page(served, capsys):
    url, folder = served
    (folder / "notices/b/index.html").unlink()
    code, out, _ = verify(capsys, url)
    assert code == 1 and f"{url}notices/b/index.html: 无法读取条目 {N2} 的页面（HTTP 404）" in out


def test_unreachable_site_exits_2(capsys):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = verify(capsys, f"http://127.0.0.1:{port}/")
    assert code == 2 and "无法读取" in err
