"""End to end: the demo site, built, verifies; one character changed in one item page
fails verification naming that page; so does every other change a reader would see (a
body re-hashed consistently, the head, the shell around the body, an extra item page, the
catalogue)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from generator import register
from generator.build import build
from generator.cli import main
from generator.load.site import load_site
from generator.problems import Problems

pytestmark = pytest.mark.build  # every test here builds a site: not in `make test-fast`

REPO = Path(__file__).resolve().parents[2]
PAGE = "notices/2024/2024-03-15-spring-fire-safety/index.html"


def test_fresh_build_verifies_and_a_changed_character_does_not(tmp_path, capsys):
    site = load_site(REPO, Problems())
    out = tmp_path / "site"
    build(site, out, index=False)
    assert main(["verify", str(out)]) == 0
    assert "校验通过" in capsys.readouterr().out

    tampered = tmp_path / "tampered"
    shutil.copytree(out, tampered)
    page = tampered / PAGE
    html = page.read_text(encoding="utf-8")
    start = html.index("<!--gk-body-start-->")
    at = html.index("森林", start)
    page.write_text(html[:at] + "树" + html[at + 1 :], encoding="utf-8")
    assert main(["verify", str(tampered)]) == 1
    captured = capsys.readouterr()
    assert PAGE in captured.out + captured.err


# ------------------------------------------------------------------ pages bound to their records

FEE_PAGE = "fees/xinxi-chulifei/index.html"
POLICY_PAGE = "policies/2022-03-16-zhengwu-gongkai-guifan/index.html"


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    build(load_site(REPO, Problems()), out, index=False)
    return out


def tampered(demo_build: Path, tmp_path: Path, change) -> tuple[int, str]:
    """Verify a copy of the demo build after `change(copy)`: (exit code, stdout)."""
    copy = tmp_path / "copy"
    shutil.copytree(demo_build, copy)
    change(copy)
    from generator import verify

    out = io.StringIO()
    return verify.main(str(copy), out=out, err=io.StringIO()), out.getvalue()


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_consistent_rehash_of_the_body_fails(demo_build, tmp_path):
    """每件100元 → 60元 in the body, the page fingerprint computed again: the record says 100."""

    def change(root):
        page = root / FEE_PAGE
        html = page.read_text(encoding="utf-8")
        _, fingerprint, fragment = register.extract(html)
        forged = fragment.replace("每件100元", "每件60元")
        assert forged != fragment
        forged_page = html.replace(fragment, forged).replace(fingerprint, register.page_fingerprint(forged))
        page.write_text(forged_page, encoding="utf-8")

    code, out = tampered(demo_build, tmp_path, change)
    assert code == 1
    assert out.splitlines() == [f"{FEE_PAGE}: 页面正文与内容记录不符：记录中的 standard“每件100元”不在页面上（页面文字在生成后被改动过）"]


def test_a_changed_head_fails(demo_build, tmp_path):
    for old, new, expected in (
        ("</head>", '<meta http-equiv="refresh" content="0;url=https://evil.example/"></head>', "http-equiv"),
        ("</head>", '<script src="https://evil.example/x.js"></script></head>', "指向其他网站"),
        ("<title>", "<title>已撤销：", "<title>"),
    ):
        code, out = tampered(demo_build, tmp_path / expected, lambda root: rewrite(root / PAGE, old, new))
        assert code == 1 and out.startswith(f"{PAGE}: ") and expected in out, out


def test_a_fake_notice_after_the_body_fails(demo_build, tmp_path):
    notice = register.BODY_END + "<p>本文件已撤销</p>"
    code, out = tampered(demo_build, tmp_path, lambda root: rewrite(root / POLICY_PAGE, register.BODY_END, notice))
    assert code == 1 and out.startswith(f"{POLICY_PAGE}: 正文之外的部分") and "政策文件" in out


def test_a_forged_extra_item_page_fails(demo_build, tmp_path):
    def change(root):
        fake = root / "notices/2024/fake/index.html"
        fake.parent.mkdir()
        fake.write_bytes((root / PAGE).read_bytes())

    code, out = tampered(demo_build, tmp_path, change)
    assert code == 1 and out.splitlines() == ["notices/2024/fake/index.html: 条目页面不在发布登记中（多出来的页面）"]


def test_a_replaced_attachment_fails(demo_build, tmp_path):
    listed = json.loads((demo_build / "data/attachments.json").read_text(encoding="utf-8"))
    rel = "attachments/forms/qingshan-gkxx-sqb.pdf"
    assert rel in listed
    code, out = tampered(demo_build, tmp_path, lambda root: (root / rel).write_bytes(b"%PDF-1.4 forged"))
    assert code == 1 and out.startswith(f"{rel}: 附件内容与附件清单不符") and "被替换过" in out

    def relist(root):  # the list re-hashed too: the head (signed, when the site has a key) no longer matches
        (root / rel).write_bytes(b"%PDF-1.4 forged")
        listed[rel] = "sha256:" + hashlib.sha256(b"%PDF-1.4 forged").hexdigest()
        (root / "data/attachments.json").write_text(json.dumps(listed), encoding="utf-8")

    code, out = tampered(demo_build, tmp_path / "relisted", relist)
    assert code == 1 and "附件清单与链头记录的摘要" in out


def test_a_retitled_link_on_a_list_page_fails(demo_build, tmp_path):
    target = PAGE.removesuffix("index.html")
    link = f'<a href="../{target}">'

    def change(root):
        page = root / "notices/index.html"
        text = page.read_text(encoding="utf-8")
        start = text.index(link) + len(link)
        page.write_text(text[:start] + "关于撤销森林防火紧要期的通告" + text[text.index("</a>", start) :], encoding="utf-8")

    code, out = tampered(demo_build, tmp_path, change)
    assert code == 1
    assert out.startswith(f"notices/index.html: 指向 {target} 的链接显示“关于撤销森林防火紧要期的通告”，条目记录的标题为")


def test_an_edited_catalogue_fails(demo_build, tmp_path):
    def change(root):
        path = root / "data/catalogue.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        records[0]["url"] = "https://evil.example/"
        records[1]["title"] = "伪造的标题"
        records.append({"index_no": "11330100002482066D/2099-00001", "title": "伪造的条目"})
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")

    code, out = tampered(demo_build, tmp_path, change)
    assert code == 1
    assert "https://evil.example/" in out and "11330100002482066D/2099-00001）不在发布登记中" in out
    assert "的标题为“伪造的标题”，条目记录的标题为" in out
