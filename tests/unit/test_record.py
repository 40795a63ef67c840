"""Issue 13, a record anyone can verify: only recorded versions are built, the registers
only grow (against a real git repository), a build extends what it published, and the
chain head is signed (generator/history.py, generator/signing.py, generator/build.py)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from generator import register, signing
from generator.cli import main
from generator.init import TEMPLATES as INIT

from helpers import CONFIG, num

N1, N2, N3 = num(2024, 1), num(2024, 2), num(2024, 3)
A, B, C = "content/notices/a.md", "content/notices/b.md", "content/notices/c.md"


def article(
    number: str | None, title: str, published: str = "2024-02-01", body: str = "正文。", extra: str = ""
) -> str:
    index = f"index_no: {number}\n" if number else ""
    return f"---\n{index}title: {title}\npublished: {published}\n{extra}---\n\n{body}\n"


def git(site, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=site.path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def repo(make_site, monkeypatch):
    """A site in a real git repository: two items published and committed."""
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "测试")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "test@example.org")
    site = make_site({A: article(N1, "第一个通知"), B: article(N2, "第二个通知", "2024-02-03")})
    site.write(".gitattributes", "content/.registry merge=union\ncontent/.register merge=union\n")
    site.write(".gitignore", (INIT / "gitignore").read_text(encoding="utf-8"))  # as `gongkai init` writes it
    assert site.run("publish").code == 0
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "publish")
    return site


def build(site, out: Path, *args: str):
    return site.run("build", "-o", str(out), *args)


# ------------------------------------------------------------------ 1. only recorded versions


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_build_refuses_unrecorded_versions_and_names_each_item(make_site, tmp_path):
    site = make_site({A: article(N1, "第一个通知"), B: article(N2, "第二个通知", "2024-02-03")})
    result = build(site, tmp_path / "out")
    assert result.code == 1
    assert "[register-unrecorded]" in result.out + result.err
    for rel, number in ((A, N1), (B, N2)):
        assert f"{rel}:2:11: error: 条目 {number} 的当前内容（新条目）尚未登记" in result.err
    assert "gongkai publish" in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_a_silent_edit_after_publish_is_refused_too(make_site, tmp_path):
    """No register line for the item, then an edit: still not recorded, still refused."""
    site = make_site({A: article(N1, "第一个通知")})
    assert site.run("publish").code == 0
    site.write("content/.register", register.REGISTER_HEADER)  # the register emptied
    site.write(A, article(N1, "第一个通知", body="每件60元。"))
    result = build(site, tmp_path / "out")
    assert result.code == 1 and f"条目 {N1}" in result.err


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_preview_builds_unrecorded_versions_with_a_banner_and_no_register(make_site, tmp_path):
    site = make_site({A: article(N1, "第一个通知")})
    out = tmp_path / "preview"
    result = build(site, out, "--preview")
    assert result.code == 0, result.err
    page = (out / "notices/a/index.html").read_text(encoding="utf-8")
    assert "此版本尚未登记发布" in page
    assert not (out / register.PUBLIC_PATH).exists() and not (out / signing.HEAD_PATH).exists()


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_a_recorded_build_has_no_banner_and_verifies(make_site, tmp_path, capsys):
    site = make_site({A: article(N1, "第一个通知")})
    assert site.run("publish").code == 0
    out = tmp_path / "out"
    assert build(site, out).code == 0
    assert "此版本尚未登记发布" not in (out / "notices/a/index.html").read_text(encoding="utf-8")
    assert [e["index_no"] for e in json.loads((out / register.PUBLIC_PATH).read_bytes())["entries"]] == [N1]
    assert main(["verify", str(out)]) == 0
    assert "本站未配置签名密钥" in capsys.readouterr().err
    data_page = (out / "data/index.html").read_text(encoding="utf-8")
    assert "gongkai verify https://www.example.gov.cn/" in data_page and "本站尚未配置签名密钥" in data_page
    assert "核验不能证明什么" in data_page
    assert "已发布的网站" in build(site, out, "--preview").err  # a preview never replaces the published register


# ------------------------------------------------------------------ 2. the registers only grow


def test_a_removed_register_line_is_an_error_naming_line_and_commit(repo):
    commit = git(repo, "rev-parse", "--short", "HEAD")
    text = repo.read("content/.register").decode("utf-8")
    removed = next(line for line in text.splitlines() if line.startswith(N2))
    repo.write("content/.register", text.replace(removed + "\n", ""))
    problem = repo.check().one("register-removed", "content/.register")
    assert problem["level"] == "error"
    assert commit in problem["message"] and removed in problem["message"]
    assert problem["line"] == text.splitlines().index(removed) + 1


def test_registers_equal_to_the_commit_are_not_compared_line_by_line(repo, monkeypatch):
    from generator import history

    compared: list[str] = []
    lines = history._lines
    monkeypatch.setattr(history, "_lines", lambda text: compared.append(text) or lines(text))
    assert repo.check().code == 0 and compared == []  # both registers as committed: nothing to look for
    text = repo.read("content/.register").decode("utf-8")
    repo.write("content/.register", text.replace(text.splitlines()[-1] + "\n", ""))
    assert repo.check().of("register-removed") and compared


def test_a_replayed_check_still_compares_the_registers_with_git(repo, monkeypatch):
    from generator.load import cache, checkmemo

    for module in (cache, checkmemo):  # trust files written a moment ago: the check is replayed
        monkeypatch.setattr(module, "RACY_NS", -(10**12))
    first, again = repo.check(), repo.check()
    assert (repo.path / ".gongkai-cache" / checkmemo.FILE).is_file() and again.out == first.out
    assert repo.check("--since", "no-such-branch").one("register-history")["level"] == "error"


def test_a_replaced_hash_and_a_removed_registry_line_are_errors(repo):
    text = repo.read("content/.register").decode("utf-8")
    line = next(x for x in text.splitlines() if x.startswith(N1))
    old_hash = line.split("\t")[3]
    repo.write("content/.register", text.replace(old_hash, "sha256:" + "1" * 64))
    registry = repo.read("content/.registry").decode("utf-8")
    repo.write("content/.registry", "".join(x + "\n" for x in registry.splitlines() if not x.startswith(N2)))
    codes = repo.check().codes()
    assert {"register-removed", "registry-removed"} <= codes


def test_since_compares_with_another_ref_and_says_when_it_cannot(repo):
    git(repo, "checkout", "-qb", "work")
    text = repo.read("content/.register").decode("utf-8")
    repo.write("content/.register", "".join(x + "\n" for x in text.splitlines() if not x.startswith(N2)))
    git(repo, "commit", "-qam", "drop a line")
    assert repo.check().codes().isdisjoint({"register-removed"})  # HEAD itself dropped it
    assert repo.check("--since", "main").one("register-removed")["line"] > 0
    assert "没有这个提交" in repo.check("--since", "no-such-branch").one("register-history")["message"]


def test_a_union_merge_of_two_branches_stays_valid(repo):
    git(repo, "checkout", "-qb", "left")
    repo.write(C, article(N3, "左边的通知", "2024-03-01"))
    repo.register()
    assert repo.run("publish").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "left")
    git(repo, "checkout", "-q", "main")
    n4 = num(2024, 4)
    repo.write("content/notices/d.md", article(n4, "右边的通知", "2024-03-02"))
    repo.write("content/.registry", repo.read("content/.registry").decode() + f"{n4}\tcontent/notices/d.md\n")
    assert repo.run("publish").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "right")
    git(repo, "merge", "-q", "--no-edit", "left")
    result = repo.check()
    assert result.errors() == [], result.problems
    lines = [line for line in repo.read("content/.register").decode().splitlines() if not line.startswith("#")]
    assert {line.split("\t")[0] for line in lines} == {N1, N2, N3, n4}


def test_a_number_is_never_issued_again_after_its_lines_were_deleted(repo):
    """Delete the last item and its lines, commit: `gongkai number` still skips it."""
    (repo.path / B).unlink()
    for name in ("content/.register", "content/.registry"):
        text = repo.read(name).decode("utf-8")
        repo.write(name, "".join(x + "\n" for x in text.splitlines() if not x.startswith(N2)))
    git(repo, "commit", "-qam", "delete")
    repo.write(C, article(None, "新的通知", "2024-04-01"))
    result = repo.run("number")
    assert result.code == 0, result.err
    assert result.out.split("\t")[0] == N3  # not N2: history knows it


def test_number_skips_numbers_of_the_published_chain(make_site, tmp_path):
    site = make_site({C: article(None, "新的通知", "2024-04-01")})
    chain = {"entries": [{"index_no": N1}, {"index_no": N2}]}
    (site.path / "site/data").mkdir(parents=True)
    (site.path / "site" / register.PUBLIC_PATH).write_text(json.dumps(chain), encoding="utf-8")
    assert site.run("number").out.split("\t")[0] == N3


# ------------------------------------------------------------------ 3. a build extends what it published


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_a_build_that_drops_or_changes_a_published_entry_is_refused(make_site, tmp_path, capsys):
    site = make_site({A: article(N1, "第一个通知"), B: article(N2, "第二个通知", "2024-02-03")})
    assert site.run("publish").code == 0
    out = tmp_path / "out"
    assert build(site, out).code == 0
    published = tmp_path / "published"
    shutil.copytree(out, published)
    before = (out / register.PUBLIC_PATH).read_bytes()

    # without git: the item and its lines deleted; check passes, the build does not
    (site.path / B).unlink()
    text = site.read("content/.register").decode("utf-8")
    site.write("content/.register", "".join(x + "\n" for x in text.splitlines() if not x.startswith(N2)))
    for args in ((), ("--fresh",)):
        result = build(site, out, *args)
        assert result.code == 1
        assert f"{N2} 第 1 版" in result.err and "不见了" in result.err
        assert (out / register.PUBLIC_PATH).read_bytes() == before

    # a silent edit with its register line rewritten to match: check passes, the build does not
    site.write(B, article(N2, "第二个通知", "2024-02-03", body="每件60元。"))
    loaded, _ = site.load()
    old_hash = next(x for x in text.splitlines() if x.startswith(N2)).split("\t")[3]
    site.write("content/.register", text.replace(old_hash, register.content_hash(loaded.by_index()[N2])))
    assert site.check().errors() == []
    result = build(site, out)
    assert result.code == 1 and "被改动了" in result.err

    # a consistent extension is accepted, and verify --extends agrees
    site.write("content/.register", text)
    site.write(B, article(N2, "第二个通知", "2024-02-03"))
    site.write(C, article(N3, "第三个通知", "2024-01-05"))  # back-dated: sorts before the others
    site.register()
    assert site.run("publish").code == 0
    assert build(site, out).code == 0
    capsys.readouterr()
    assert main(["verify", str(out), "--extends", str(published)]) == 0
    assert "新增 1 条" in capsys.readouterr().out
    assert main(["verify", str(published), "--extends", str(out)]) == 1  # the old one does not extend the new
    assert "不见了" in capsys.readouterr().out


# ------------------------------------------------------------------ 5. a signed head


def test_keys_new_writes_a_private_key_outside_the_site_only(make_site, tmp_path, capsys):
    site = make_site({})
    assert main(["keys", "new", "-s", str(site.path), "--out", str(site.path / "key")]) == 2
    assert "站点文件夹" in capsys.readouterr().err and not (site.path / "key").exists()
    key = tmp_path / "keys" / "gongkai.key"
    assert main(["keys", "new", "-s", str(site.path), "--out", str(key)]) == 0
    captured = capsys.readouterr()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    public = captured.out.split("public_key: ")[1].split()[0]
    assert f"fingerprint: {signing.fingerprint(public)}" in captured.out
    assert signing.find_signer(site.path, public, str(key)).public_key == public
    assert main(["keys", "new", "-s", str(site.path), "--out", str(key)]) == 2  # never overwritten


def signed_site(make_site, tmp_path, monkeypatch):
    """A published site whose config names a public key; its private key in the environment."""
    seed, public = signing.new_key()
    site = make_site({A: article(N1, "第一个通知")}, config=CONFIG + f"signing:\n  public_key: {public}\n")
    assert site.run("publish").code == 0
    monkeypatch.setenv(signing.ENV_KEY, seed)
    return site, public


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_the_signed_head_verifies_and_names_its_key_and_a_wrong_key_fails(make_site, tmp_path, monkeypatch, capsys):
    site, public = signed_site(make_site, tmp_path, monkeypatch)
    out = tmp_path / "out"
    assert build(site, out).code == 0, "built"
    head = json.loads((out / signing.HEAD_PATH).read_bytes())
    assert head["key"]["fingerprint"] == signing.fingerprint(public) and head["signature"]
    data_page = (out / "data/index.html").read_text(encoding="utf-8")  # 6. the citizen's page names the key
    assert "如何核验本站公开的信息" in data_page and signing.fingerprint(public) in data_page and public in data_page
    capsys.readouterr()
    assert main(["verify", str(out), "--key", signing.fingerprint(public)]) == 0
    assert f"链头签名有效：密钥 {signing.fingerprint(public)}" in capsys.readouterr().err

    _, other = signing.new_key()
    assert main(["verify", str(out), "--key", other]) == 1
    assert "不是要求的" in capsys.readouterr().out

    # a head re-signed by another key over a recomputed chain: the signature names the wrong key
    forged_seed, forged_public = signing.new_key()
    signer = signing.Signer(signing.load_private(forged_seed), forged_public, "test")
    chain = (out / register.PUBLIC_PATH).read_bytes()
    (out / signing.HEAD_PATH).write_bytes(signing.head_file("https://www.example.gov.cn/", chain, signer))
    assert main(["verify", str(out), "--key", public]) == 1
    capsys.readouterr()

    # a signature that does not match the head
    head["count"] = 2
    (out / signing.HEAD_PATH).write_text(json.dumps(head), encoding="utf-8")
    assert main(["verify", str(out)]) == 1
    assert "签名不符" in capsys.readouterr().out


@pytest.mark.build  # builds a site: not in `make test-fast`
def test_a_configured_key_without_its_private_key_warns_and_strict_refuses(make_site, tmp_path, monkeypatch):
    site, public = signed_site(make_site, tmp_path, monkeypatch)
    monkeypatch.delenv(signing.ENV_KEY)
    result = build(site, tmp_path / "out", "--strict")
    assert result.code == 1 and "[signing-key-missing]" in result.err
    monkeypatch.setenv(signing.ENV_KEY, signing.new_key()[0])  # a private key of another pair
    result = build(site, tmp_path / "out")
    assert result.code == 1 and "[signing-key]" in result.err and "不是一对" in result.err
    assert os.environ[signing.ENV_KEY] not in result.err + result.out  # the secret is never printed
