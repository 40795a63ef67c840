"""The publication register: `gongkai publish`, the checks that hold content to it, the
public hash chain, and the page seal (record + fingerprint) that `gongkai verify` reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import VALID_ITEMS, SiteDir, item_path, num, with_index

from generator import register
from generator.verify import verify_chain

N1, N2, N3 = num(2024, 1), num(2024, 2), num(2024, 3)
A = "content/notices/a.md"
B = "content/notices/b.md"
C = "content/notices/c.md"


def article(number: str, title: str = "关于春节放假的通知", published: str = "2024-02-01", body: str = "春节放假安排如下。", extra: str = "") -> str:
    return f"---\nindex_no: {number}\ntitle: {title}\npublished: {published}\n{extra}---\n\n{body}\n"


def lines(site: SiteDir) -> list[list[str]]:
    text = site.read("content/.register").decode("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def published_site(make_site, files: dict[str, str]) -> SiteDir:
    site = make_site(files)
    result = site.run("publish")
    assert result.code == 0, result.err
    return site


# ------------------------------------------------------------------ publish


def test_publish_records_every_published_item_but_not_drafts(make_site):
    site = make_site({A: article(N1), B: article(N2, "第二个通知", "2024-03-05"), C: "---\ntitle: 草稿\npublished: 2024-02-01\nstatus: draft\n---\n草稿正文\n"})
    result = site.run("publish")
    assert result.code == 0
    assert "已登记 2 个版本" in result.err
    loaded, _ = site.load()
    by_index = loaded.by_index()
    assert lines(site) == [
        [N1, "1", "2024-02-01", register.content_hash(by_index[N1]), "0", "-", A],
        [N2, "1", "2024-03-05", register.content_hash(by_index[N2]), "0", "-", B],
    ]
    assert all(line[3].startswith("sha256:") and len(line[3]) == 71 for line in lines(site))
    assert site.check().code == 0


def test_publish_is_idempotent(make_site):
    site = published_site(make_site, {A: article(N1)})
    before = (site.path / "content/.register").stat().st_mtime_ns, site.read("content/.register")
    result = site.run("publish")
    assert result.code == 0 and result.out == "" and "无变化" in result.err
    assert ((site.path / "content/.register").stat().st_mtime_ns, site.read("content/.register")) == before


def test_publish_refuses_while_check_has_errors(make_site):
    site = make_site({A: article(N1, extra="written: 2024-03-01\n")})  # written after published: date-order
    result = site.run("publish")
    assert result.code == 1
    assert "未登记" in result.err
    assert not (site.path / "content/.register").exists()


def test_publish_check_lists_what_is_missing_without_writing(make_site):
    site = make_site({A: article(N1)})
    result = site.run("publish", "--check")
    assert result.code == 1 and N1 in result.out
    assert not (site.path / "content/.register").exists()


# ------------------------------------------------------------------ changes need a revision


def test_edit_without_revision_fails_naming_the_file(make_site):
    site = published_site(make_site, {A: article(N1), B: article(N2)})
    site.write(A, article(N1, body="春节放假安排如下:"))  # one character
    result = site.check()
    assert result.code == 1
    problem = result.one("register-changed")
    assert problem["path"] == A and problem["level"] == "error"
    assert N1 in problem["message"] and "revisions" in problem["hint"]
    assert result.of("register-changed", B) == []


def test_edit_with_revision_passes_and_publish_appends_a_version(make_site):
    site = published_site(make_site, {A: article(N1)})
    site.write(A, article(N1, body="春节放假安排如下（已更正）。", extra="revisions:\n  - {date: 2024-02-03, note: 更正放假日期}\n"))
    assert site.check().problems == []
    assert site.run("publish").code == 0
    rows = lines(site)
    assert [row[:3] + row[4:] for row in rows] == [[N1, "1", "2024-02-01", "0", "-", A], [N1, "2", "2024-02-03", "1", "-", A]]
    assert rows[0][3] != rows[1][3]
    assert site.check().problems == []
    # a second edit needs yet another revision: the first one is already on record
    site.write(A, article(N1, body="又改了。", extra="revisions:\n  - {date: 2024-02-03, note: 更正放假日期}\n"))
    assert site.check().one("register-changed", A)


def test_same_day_revision_is_accepted(make_site):
    site = published_site(make_site, {A: article(N1)})
    site.write(A, article(N1, body="更正。", extra="revisions:\n  - {date: 2024-02-01, note: 当天更正错字}\n"))
    assert site.check().problems == []


def test_removing_a_revision_on_record_fails(make_site):
    site = published_site(make_site, {A: article(N1, extra="revisions:\n  - {date: 2024-02-10, note: 一改}\n  - {date: 2024-02-11, note: 二改}\n")})
    site.write(A, article(N1, body="改。", extra="revisions:\n  - {date: 2024-02-12, note: 三改}\n"))
    assert "被删除" in site.check().one("register-changed", A)["message"]
    # replacing a revision on record is no new record either
    site.write(A, article(N1, body="改。", extra="revisions:\n  - {date: 2024-02-10, note: 一改}\n  - {date: 2024-02-12, note: 三改}\n"))
    assert "没有新的修订记录" in site.check().one("register-changed", A)["message"]


def test_revision_dated_before_the_last_version_fails(make_site):
    site = published_site(make_site, {A: article(N1, extra="revisions:\n  - {date: 2024-02-10, note: 一改}\n")})
    site.write(A, article(N1, body="二改。", extra="revisions:\n  - {date: 2024-02-10, note: 一改}\n  - {date: 2024-02-05, note: 二改}\n"))
    result = site.check()
    problem = result.one("register-changed", A)
    assert "2024-02-05" in problem["message"] and "2024-02-10" in problem["message"]
    assert problem["line"] == 7  # the date of the revision in question


def test_withdrawal_is_a_recorded_change(make_site):
    site = published_site(make_site, {A: article(N1)})
    site.write(A, article(N1, extra="withdrawn: {date: 2024-05-01, reason: 政策已调整}\n"))
    assert site.check().problems == []
    site.run("publish")
    assert lines(site)[-1][:3] + lines(site)[-1][4:6] == [N1, "2", "2024-05-01", "0", "2024-05-01"]
    # withdrawn on record: a later change needs a revision again
    site.write(A, article(N1, extra="withdrawn: {date: 2024-05-01, reason: 政策已调整，另行发布}\n"))
    assert site.check().one("register-changed", A)


def test_reformatting_is_not_a_change(make_site):
    yml = "content/notices/a.yml"
    site = published_site(make_site, {yml: "index_no: " + N1 + "\ntitle: 通知\npublished: 2024-02-01\nkeywords: [放假, 春节]\nbody: 正文。\n"})
    rewritten = "\ufeff# 注释\r\n正文: 正文。\r\n主题词: [放假, 春节]\r\n发布日期: 2024-02-01\r\n标题: '通知'   # 标题\r\n索引号: " + N1 + "\r\n有效性: 有效\r\n"
    site.write(yml, rewritten)
    assert site.check().problems == []
    assert site.run("publish").err.strip() == "登记簿无变化"


# ------------------------------------------------------------------ delete, renumber, move


def test_deleting_a_published_item_fails(make_site):
    site = published_site(make_site, {A: article(N1), B: article(N2)})
    (site.path / B).unlink()
    result = site.check()
    assert result.code == 1
    problem = result.one("register-deleted")
    assert problem["path"] == "content/.register"
    assert problem["line"] == 5  # three header lines, then N1, then N2
    assert N2 in problem["message"] and B in problem["message"]
    assert "withdrawn" in problem["hint"] and B in problem["hint"]


def test_turning_a_published_item_back_into_a_draft_fails(make_site):
    site = published_site(make_site, {A: article(N1)})
    site.write(A, article(N1, extra="status: draft\n"))
    problem = site.check().one("register-deleted", A)
    assert problem["line"] == 5 and "withdrawn" in problem["hint"]


def test_renumbering_fails(make_site):
    site = published_site(make_site, {A: article(N1)})
    site.write(A, article(N3))
    result = site.check()
    problem = result.one("register-renumbered", A)
    assert (problem["line"], problem["col"]) == (2, 11)
    assert N1 in problem["message"] and N3 in problem["message"]
    assert result.of("register-deleted") == []


def test_moving_a_file_is_fine_and_the_next_version_records_the_new_path(make_site):
    site = published_site(make_site, {A: article(N1)})
    moved = "content/notices/2024/a.md"
    site.write(moved, site.read(A))
    (site.path / A).unlink()
    site.register({N1: moved})  # content/.registry (index numbers) follows the move
    assert site.check().problems == []
    assert "无变化" in site.run("publish").err
    site.write(moved, article(N1, body="修订。", extra="revisions:\n  - {date: 2024-03-01, note: 修订}\n"))
    site.run("publish")
    assert [row[6] for row in lines(site)] == [A, moved]


def test_appointment_hash_ignores_values_computed_by_checks(make_site):
    site = published_site(make_site, {item_path("appointment"): with_index(VALID_ITEMS["appointment"], N1)})
    loaded, _ = site.load()
    entry = loaded.entries[0]
    assert entry.ctype.window(entry.model).end is not None  # derived from the working days …
    record = json.loads(register.record_json(entry))
    assert record["notice"] == {"start": "2024-06-03", "working_days": 5}  # … but the record is as written
    assert entry.model.notice.end is None  # checks derive values into the window, never into the model
    assert site.check().problems == []


# ------------------------------------------------------------------ the register file itself


def test_damaged_register_lines_are_reported(make_site):
    site = published_site(make_site, {A: article(N1)})
    text = site.read("content/.register").decode()
    site.write("content/.register", text + "junk line\n")
    problem = site.check().one("register-invalid")
    assert problem["path"] == "content/.register" and problem["line"] == 5
    site.write("content/.register", text + "<<<<<<< HEAD\n")
    assert "合并冲突" in site.check().one("register-invalid")["message"]


def test_a_deleted_version_line_is_reported(make_site):
    site = published_site(make_site, {A: article(N1)})
    site.write(A, article(N1, body="改。", extra="revisions:\n  - {date: 2024-02-03, note: 改}\n"))
    site.run("publish")
    text = site.read("content/.register").decode().splitlines(keepends=True)
    site.write("content/.register", "".join(line for line in text if line.split("\t")[1:2] != ["1"]))
    assert "缺少第 1 版" in site.check().one("register-invalid")["message"]


def test_two_different_lines_for_one_version_conflict(make_site):
    site = published_site(make_site, {A: article(N1)})
    text = site.read("content/.register").decode()
    other = text.splitlines()[-1].split("\t")
    other[3] = "sha256:" + "1" * 64
    site.write("content/.register", text + "\t".join(other) + "\n")
    problem = site.check().one("register-conflict")
    assert problem["line"] == 5 and N1 in problem["message"]


# ------------------------------------------------------------------ two branches, union merge


def branch(base: SiteDir, name: str, capsys) -> SiteDir:
    path = base.path.parent / name
    shutil.copytree(base.path, path)
    return SiteDir(path, capsys)


def test_union_of_two_branches_checks_and_chains(make_site, capsys):
    main = published_site(make_site, {A: article(N1)})
    left, right = branch(main, "left", capsys), branch(main, "right", capsys)
    left.write(B, article(N2, "左边的通知", "2024-03-01"))
    left.register()
    assert left.run("publish").code == 0
    right.write(C, article(N3, "右边的通知", "2024-02-15"))
    right.write(A, article(N1, body="右边修订。", extra="revisions:\n  - {date: 2024-02-20, note: 右边修订}\n"))
    right.register()
    assert right.run("publish").code == 0
    # what git's merge=union does, at worst: both files' lines, duplicates included
    merged_lines = sorted(left.read("content/.register").decode().splitlines(keepends=True) + right.read("content/.register").decode().splitlines(keepends=True))
    main.write("content/.register", "".join(merged_lines))
    for rel, source in ((B, left), (C, right), (A, right)):
        main.write(rel, source.read(rel))
    main.register()
    assert main.check().problems == []
    assert "无变化" in main.run("publish").err
    loaded, _ = main.load()
    data = json.loads(register.public_register(loaded))
    assert verify_chain(data) == []
    assert [(e["index_no"], e["version"], e["date"]) for e in data["entries"]] == [
        (N1, 1, "2024-02-01"), (N3, 1, "2024-02-15"), (N1, 2, "2024-02-20"), (N2, 1, "2024-03-01"),
    ]  # fmt: skip
    assert data["count"] == 4 and data["head"] == data["entries"][-1]["hash"]


# ------------------------------------------------------------------ the public register


def test_public_register_is_a_hash_chain(make_site):
    site = published_site(make_site, {A: article(N1), B: article(N2, published="2024-01-10")})
    loaded, _ = site.load()
    raw = register.public_register(loaded)
    assert raw == register.public_register(loaded)  # deterministic
    data = json.loads(raw)
    assert data["format"] == register.FORMAT and data["site"] == "https://www.example.gov.cn/"
    first, second = data["entries"]
    assert (first["index_no"], second["index_no"]) == (N2, N1)  # by date
    assert first["prev"] == register.GENESIS and second["prev"] == first["hash"]
    assert first["url"] == "notices/b/" and second["url"] == "notices/a/"
    expected = register.sha256(json.dumps([first["hash"], N1, 1, "2024-02-01", second["content_hash"]], ensure_ascii=False, separators=(",", ":")))
    assert second["hash"] == expected == data["head"]
    assert second["content_hash"] == register.content_hash(loaded.by_index()[N1])
    assert verify_chain(data) == []


def test_chain_verification_fails_when_a_middle_entry_is_altered(make_site):
    files = {f"content/notices/n{i}.md": article(num(2024, i), f"通知{i}", f"2024-02-0{i}") for i in range(1, 5)}
    site = published_site(make_site, files)
    loaded, _ = site.load()
    data = json.loads(register.public_register(loaded))
    assert verify_chain(data) == []
    data["entries"][1]["content_hash"] = "sha256:" + "0" * 64
    found = verify_chain(data)
    assert found and found[0].startswith("第 2 条") and "hash" in found[0]
    # recomputing that one link's hash does not help: the next link no longer follows
    data["entries"][1]["hash"] = register.link_hash(data["entries"][1]["prev"], num(2024, 2), 1, "2024-02-02", "sha256:" + "0" * 64)
    found = verify_chain(data)
    assert any(p.startswith("第 3 条") and "prev" in p for p in found)


def test_public_register_holds_only_recorded_versions(make_site):
    """The public chain is what `gongkai publish` recorded, never a version it did not."""
    site = make_site({A: article(N1)})
    loaded, _ = site.load()
    assert json.loads(register.public_register(loaded))["entries"] == []
    site.run("publish")
    loaded, _ = site.load()
    data = json.loads(register.public_register(loaded))
    assert [(e["index_no"], e["version"]) for e in data["entries"]] == [(N1, 1)]


# ------------------------------------------------------------------ page seal


def test_seal_and_extract_round_trip(make_site):
    body = "正文含有 </script><script>alert(1)</script> 和 & 符号。"
    site = make_site({A: article(N1, body=body)})
    loaded, _ = site.load()
    entry = loaded.entries[0]
    fragment = "<article><h1>关于春节放假的通知</h1><p>正文</p></article>"
    head, marked = register.seal(entry, fragment)
    page = f"<!doctype html><html><head><title>t</title>{head}</head><body><main>{marked}</main></body></html>"
    assert page.count("</script>") == 1  # the body cannot close the record element
    record, fingerprint, got = register.extract(page)
    assert got == fragment
    assert fingerprint == register.page_fingerprint(fragment)
    assert json.loads(record)["body"] == body
    assert register.record_hash(record) == register.content_hash(entry)
    assert register.extract("<html><body>nothing</body></html>") == (None, None, None)


def test_extract_accepts_other_attribute_orders():
    page = "<meta content='sha256:ab' name=gk-content-hash><script id=\"gk-record\" type=\"application/json\">{}</script><!--gk-body-start-->x<!--gk-body-end-->"
    assert register.extract(page) == ("{}", "sha256:ab", "x")


@pytest.mark.parametrize("ctype", sorted(VALID_ITEMS))
def test_every_type_publishes_and_checks(make_site, ctype):
    site = published_site(make_site, {item_path(ctype): with_index(VALID_ITEMS[ctype], N1)})
    assert site.check().problems == []
    assert len(lines(site)) == 1


def test_register_header_documents_the_columns(make_site):
    site = published_site(make_site, {A: article(N1)})
    header = site.read("content/.register").decode().splitlines()[:3]
    assert header[2] == "# index_no<TAB>version<TAB>date<TAB>content_hash<TAB>revisions<TAB>withdrawn<TAB>path"


DEMO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (DEMO / "site_config.yml").is_file(), reason="demo site not present")
def test_demo_site_publishes_and_still_checks(tmp_path, capsys):
    copy = SiteDir(tmp_path / "demo", capsys)
    shutil.copytree(DEMO / "content", copy.path / "content")
    shutil.copy(DEMO / "site_config.yml", copy.path / "site_config.yml")
    shutil.copytree(DEMO / "assets", copy.path / "assets")  # site.logo
    (copy.path / "content/.register").unlink(missing_ok=True)
    result = copy.run("publish")
    assert result.code == 0, result.err
    loaded, _ = copy.load()
    published = [e for e in loaded.entries if not e.is_draft]
    assert len(lines(copy)) == len(published) > 50
    assert copy.check().problems == []
    assert verify_chain(json.loads(register.public_register(loaded))) == []
