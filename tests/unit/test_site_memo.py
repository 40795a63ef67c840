"""The memo of the whole-site checks (generator/sitememo.py): what they derive from
content/.register, content/.registry and each record's hash is kept between runs, filed
under the bytes it came from. A check that takes it finds the same problems — codes,
lines, messages, order — as one that derives everything again, whatever changed in
between; a build writes the same register.json."""

from __future__ import annotations

import json
import os

import pytest

from generator import build, register, sitememo
from generator.checks import index_numbers
from generator.load import cache as cache_module

from helpers import CATEGORIES, ORG, SiteDir, make_config, num

N1, N2, N3 = num(2024, 1), num(2024, 2), num(2024, 3)
A, B, C = "content/notices/a.md", "content/notices/b.md", "content/notices/c.md"
MEMO = ".gongkai-cache/sitememo.pickle"
REVISION = "revisions:\n  - {date: 2024-03-01, note: 修订}\n"


def article(number: str, body: str = "春节放假安排如下。", extra: str = "") -> str:
    return f"---\nindex_no: {number}\ntitle: 关于春节放假的通知\npublished: 2024-02-01\n{extra}---\n\n{body}\n"


def new_process() -> None:
    """Forget what this process keeps, as a new `gongkai` run starts without it."""
    sitememo._OPEN.clear()
    sitememo._HASHES.clear()
    register._record_sha.cache_clear()
    cache_module._ONCE.clear()
    sitememo._SALT = None  # a new process takes the stamps of its code anew


def problems_of(site: SiteDir) -> tuple[list, bytes | None]:
    """The problems of phase one, in order, and the bytes of data/register.json."""
    loaded, problems = site.load()
    try:
        chain = register.public_register(loaded)
    except register.RegisterError:
        chain = None
    sitememo.save(site.path)  # as a build does after it
    return list(problems.items), chain


def fresh(site: SiteDir) -> tuple[list, bytes | None]:
    """Without any memo: everything derived again."""
    new_process()
    (site.path / MEMO).unlink(missing_ok=True)
    found = problems_of(site)
    new_process()
    (site.path / MEMO).unlink(missing_ok=True)
    return found


def all_ways(site: SiteDir) -> tuple[list, bytes | None]:
    """The problems (and register.json) with the memo of the site's last state in a new
    process, with the memo of this state in a new process and in the same one (`serve`),
    each the same as without a memo."""
    new_process()
    after_change = problems_of(site)  # the memo of the state before
    new_process()
    kept = problems_of(site)  # the memo this state wrote
    same_process = problems_of(site)
    expected = fresh(site)
    assert after_change == expected
    assert kept == expected
    assert same_process == expected
    problems_of(site)  # leave the memo of this state for the next step
    return expected


def codes(found) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in found[0]]


@pytest.fixture
def published(make_site) -> SiteDir:
    site = make_site({A: article(N1), B: article(N2), C: article(N3)})
    assert site.run("publish").code == 0
    assert all_ways(site)[0] == []
    assert (site.path / MEMO).is_file()
    return site


def test_an_edit_with_and_without_a_revision(published):
    published.write(A, article(N1, body="改过的正文。"))
    assert codes(all_ways(published)) == [(A, "register-changed")]
    published.write(A, article(N1, body="改过的正文。", extra=REVISION))
    assert codes(all_ways(published)) == []
    assert published.run("publish").code == 0
    assert codes(all_ways(published)) == []


def test_a_renumbering(published):
    published.write(A, article(num(2024, 9)))
    found = codes(all_ways(published))
    assert (A, "register-renumbered") in found and (A, "index-changed") in found


def test_a_deletion_and_a_draft(published):
    (published.path / B).unlink()
    assert codes(all_ways(published)) == [("content/.register", "register-deleted")]
    published.write(C, article(N3, extra="status: draft\n"))
    assert (C, "register-deleted") in codes(all_ways(published))


def test_edits_to_the_register(published):
    text = published.read("content/.register").decode()
    rows = text.splitlines(keepends=True)
    head, body = rows[:3], rows[3:]
    conflict = body[0].replace("\t1\t", "\t1\t").replace(body[0].split("\t")[3], "sha256:" + "1" * 64)
    published.write("content/.register", "".join(head + body + [conflict]))
    assert ("content/.register", "register-conflict") in codes(all_ways(published))
    second = body[1].split("\t")
    second[1] = "2"  # version 2 without a version 1
    published.write("content/.register", "".join(head + [body[0], "\t".join(second), body[2]]))
    assert ("content/.register", "register-invalid") in codes(all_ways(published))
    published.write("content/.register", text + "junk line\n")
    found = all_ways(published)
    assert codes(found) == [("content/.register", "register-invalid")] and found[1] is None
    published.write("content/.register", text)
    assert codes(all_ways(published)) == []


def test_edits_to_the_registry(published):
    published.register({N1: A, N2: B})  # N3 not issued
    assert codes(all_ways(published)) == [(C, "index-unregistered")]
    published.write("content/.registry", f"{N1}\t{A}\n{N2}\t{B}\n{N3}\t{C}\n{N3}\t{A}\n")
    assert codes(all_ways(published)) == [("content/.registry", "index-conflict")]
    published.write("content/.registry", f"{N1}\t{A}\n{N2}\t{B}\n{num(2024, 9)}\t{C}\n{num(2024, 8)}\t{C}\n")
    assert codes(all_ways(published)) == [(C, "index-unregistered"), (C, "index-changed")]
    published.write("content/.registry", b"\xff\xfe")
    assert codes(all_ways(published)) == [("content/.registry", "registry-invalid")]
    published.register()
    assert codes(all_ways(published)) == []


def test_the_same_size_and_time_with_other_bytes_is_not_the_memo(published):
    """Filed under the bytes, not the stamp: a register rewritten in the same clock tick
    with as many bytes is read again."""
    path = published.path / "content/.register"
    st = path.stat()
    text = path.read_bytes()
    digest = text.split(b"\t")[3]
    path.write_bytes(text.replace(digest, digest[:-1] + (b"0" if digest[-1:] != b"0" else b"1"), 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert (A, "register-changed") in codes(all_ways(published))


def test_a_kept_run_neither_parses_the_registers_nor_hashes_the_records(published, monkeypatch):
    """What a new run takes from the memo: were any of it derived again, this would fail."""
    expected = fresh(published)
    problems_of(published)  # the memo
    new_process()

    def refused(*args):
        raise AssertionError("derived again")

    monkeypatch.setattr(register, "_parse_register", refused)
    monkeypatch.setattr(index_numbers, "parse_registry", refused)
    monkeypatch.setattr(register, "_record_sha", refused)
    assert problems_of(published) == expected


@pytest.mark.parametrize("damage", ["truncated", "other-code"])
def test_a_memo_that_does_not_fit_is_not_used(published, monkeypatch, damage):
    expected = fresh(published)
    problems_of(published)
    new_process()
    if damage == "truncated":
        path = published.path / MEMO
        path.write_bytes(path.read_bytes()[:100])
    else:  # another gongkai: the memo of a changed check is never replayed
        salt = sitememo._salt()
        monkeypatch.setattr(sitememo, "_salt", lambda: (*salt, "other"))
    calls = []
    parse = register._parse_register
    monkeypatch.setattr(register, "_parse_register", lambda data: calls.append(1) or parse(data))
    assert problems_of(published) == expected
    assert calls  # derived again


def test_a_new_version_anywhere_in_the_chain(published):
    """The chain is taken from the last one only as far as both record the same versions:
    a version dated before the others' changes every hash after it."""
    published.write("content/notices/d.md", article(num(2024, 4)).replace("2024-02-01", "2024-01-15"))
    published.register()
    assert published.run("publish").code == 0
    first = all_ways(published)
    published.write(B, article(N2, body="改过的正文。", extra=REVISION))
    assert published.run("publish").code == 0
    second = all_ways(published)
    assert first[0] == second[0] == []
    assert first[1] != second[1]


def _chain_json(entries: list) -> bytes:
    return json.dumps({"format": register.FORMAT, "entries": entries}, ensure_ascii=False).encode()


def _link(number: str, version: int = 1, date: str = "2024-02-01", digest: str = "sha256:" + "a" * 64) -> dict:
    return {"index_no": number, "version": version, "date": date, "content_hash": digest, "url": None}


def _outcome(out, new: bytes, site_dir) -> list[str] | None:
    try:
        build.published_chain(out, new, site_dir)
    except build.ChainBroken as exc:
        return exc.problems
    finally:
        if site_dir is not None:
            sitememo.save(site_dir)  # as a build does after it
    return None


PUBLISHED = [_link(N1), _link(N2), _link(N3)]


@pytest.mark.parametrize(
    "old, new, refused",
    [
        (PUBLISHED, PUBLISHED, False),
        (PUBLISHED, [*PUBLISHED, _link(N1, 2, "2024-03-01")], False),  # extended at the end
        (PUBLISHED, [_link(num(2024, 9), 1, "2024-01-01"), *PUBLISHED], False),  # a version dated before the others
        (PUBLISHED, PUBLISHED[:2], True),  # one dropped
        (PUBLISHED, [PUBLISHED[0], _link(N2, digest="sha256:" + "b" * 64), PUBLISHED[2]], True),  # one changed
        (PUBLISHED, [PUBLISHED[1], PUBLISHED[0], PUBLISHED[2]], True),  # the order changed
        (PUBLISHED, [*PUBLISHED, _link(N3, digest="sha256:" + "b" * 64)], False),  # a version twice in the new
        (
            [*PUBLISHED, _link(N3, digest="sha256:" + "b" * 64)],
            [*PUBLISHED, _link(N3, digest="sha256:" + "b" * 64)],
            True,
        ),
        ([*PUBLISHED, "not an entry", {"index_no": N1}], PUBLISHED, True),
        ({"not": "a chain"}, PUBLISHED, False),
        ("{damaged", PUBLISHED, True),
    ],
)
def test_the_published_chain_is_held_the_same_with_the_memo(tmp_path, old, new, refused):
    """A build keeps what the published register.json records (build.published_chain):
    with the memo, and its shortcut for a chain that begins with the published one, the
    same verdict and the same messages as `verify.consistency` alone."""
    out, site_dir = tmp_path / "out", tmp_path / "site"
    (out / "data").mkdir(parents=True)
    old_bytes = (
        old.encode()
        if isinstance(old, str)
        else _chain_json(old)
        if isinstance(old, list)
        else json.dumps(old).encode()
    )
    (out / register.PUBLIC_PATH).write_bytes(old_bytes)
    new_bytes = _chain_json(new)
    new_process()
    alone = _outcome(out, new_bytes, None)
    first = _outcome(out, new_bytes, site_dir)  # the memo records both
    new_process()
    kept = _outcome(out, new_bytes, site_dir)
    assert alone == first == kept
    assert (alone is not None) == refused


NEWS = CATEGORIES + '  - key: news\n    title: 工作动态\n    type: article\n    code: "12"\n'


def test_the_index_number_checks_of_each_entry(make_site):
    """An entry the index checks found nothing in is not checked again while its record,
    the pattern and its category's code stay: the same problems when any of them changes."""
    X = "content/news/x.md"
    site = make_site({A: article(N1), X: article(N2)}, config=make_config(categories=NEWS))
    assert all_ways(site)[0] == []
    site.write(A, article(N1.replace("2024", "2023")))  # another year than its date's
    assert (A, "index-year") in codes(all_ways(site))
    site.write(A, article(N1))
    assert codes(all_ways(site)) == []
    site.write("site_config.yml", make_config(pattern="{org}-{category_code}-{year}-{seq:04d}", categories=NEWS))
    assert (A, "index-format") in codes(all_ways(site))  # another pattern
    site.write(A, article(f"{ORG}-01-2024-0001"))
    site.write(X, article(f"{ORG}-01-2024-0002"))  # the category code of notices, in news
    site.register()
    assert codes(all_ways(site)) == [(X, "index-category")]
    moved = "content/notices/x.md"  # the same record in the category whose code it has
    site.write(moved, site.read(X))
    (site.path / X).unlink()
    site.register()
    assert codes(all_ways(site)) == []
    site.write(
        "site_config.yml",
        make_config(pattern="{org}-{category_code}-{year}-{seq:04d}", categories=NEWS.replace('"01"', '"13"')),
    )
    assert codes(all_ways(site)) == [(A, "index-category"), (moved, "index-category")]  # notices' code changed


def test_the_unrecorded_versions_in_the_order_of_their_numbers_and_paths(make_site):
    """What `publish` would add (and `build` refuses) is listed by (index number, path),
    whatever the order of the files; a number held by two files gives both."""
    files = {A: article(N3), B: article(N1), C: article(N2), "content/notices/d.md": article(N1)}
    site = make_site(files)
    loaded, _ = site.load()
    found = [(v.index_no, v.version, v.path) for _entry, v in register.unrecorded(loaded)]
    assert found == [(N1, 1, B), (N1, 1, "content/notices/d.md"), (N2, 1, C), (N3, 1, A)]
    assert [entry.rel for entry, _v in register.unrecorded(loaded)] == ["content/notices/d.md"] * 2 + [C, A]


def test_fresh_takes_nothing_the_memo_keeps(published, monkeypatch):
    """`gongkai check --fresh` derives everything again, and writes the memo anew: the
    next check takes it."""
    from generator.cli import main

    expected = fresh(published)
    problems_of(published)  # the memo
    new_process()
    calls = []
    parse = register._parse_register
    monkeypatch.setattr(register, "_parse_register", lambda data: calls.append(1) or parse(data))
    assert main(["check", "-s", str(published.path), "--fresh"]) == 0
    assert calls, "the register was not parsed again"
    new_process()
    calls.clear()
    loaded, problems = published.load()
    assert not calls  # the memo --fresh wrote
    assert list(problems.items) == expected[0]


def _code_copy(tmp_path, monkeypatch):
    """A copy of gongkai's modules whose stamps stand for the code on disk."""
    import shutil

    root = tmp_path / "code"
    shutil.copytree(sitememo._PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "theme", "templates"))
    monkeypatch.setattr(sitememo, "_PACKAGE", root)
    new_process()
    return root


def _touch(path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_every_module_that_derives_a_kept_value_is_in_the_salt(tmp_path, monkeypatch):
    """build.py derives what is kept of the published register.json (`_entries`): a
    changed build.py must not replay it."""
    root = _code_copy(tmp_path, monkeypatch)
    before = sitememo._salt()
    _touch(root / "build.py")
    assert sitememo._salt() != before


def test_a_memo_is_filed_under_the_code_that_derived_it(published, tmp_path, monkeypatch):
    """`gongkai serve` runs the code it imported; gongkai changed on disk meanwhile (a
    `git checkout`, an editable install updated) must not file the old code's values
    under the new code's salt: the next run, with the new code, would replay them."""
    root = _code_copy(tmp_path, monkeypatch)
    problems_of(published)  # the memo of the code as imported
    _touch(root / "register.py")  # gongkai changed on disk while serve runs
    problems_of(published)  # serve's next rebuild: still the old code
    left = published.read(MEMO)  # what serve left for the next run
    new_process()  # a new run, with the new code: a new check of the register
    old = register._problems
    monkeypatch.setattr(register, "_problems", lambda by_index: [*old(by_index), (1, "register-new", "新检查", "")])
    expected = fresh(published)
    assert ("content/.register", "register-new") in codes(expected)
    published.write(MEMO, left)
    assert problems_of(published) == expected


@pytest.mark.parametrize("shape", ["value-not-a-pair", "digest-not-bytes", "hash-not-text", "key-not-bytes"])
def test_a_memo_of_another_shape_is_not_used(published, shape):
    """A memo that unpickles, with this code's salt, but whose parts are not what this
    code writes (damaged, or written by hand) is ignored as one that cannot be read: no
    crash, and no value taken from it."""
    import pickle

    expected = fresh(published)
    problems_of(published)
    new_process()
    path = published.path / MEMO
    salt, derived, hashes = pickle.loads(path.read_bytes())
    if shape == "value-not-a-pair":
        derived = {kind: 5 for kind in derived}
    elif shape == "digest-not-bytes":
        derived = {kind: (list(key), value) for kind, (key, value) in derived.items()}
    elif shape == "hash-not-text":
        hashes = {fp: 0 for fp in hashes}
    else:
        hashes = {fp.hex(): value for fp, value in hashes.items()}
        hashes[next(iter(hashes))] = None
    path.write_bytes(pickle.dumps((salt, derived, hashes)))
    try:
        assert problems_of(published) == expected
    finally:
        new_process()  # nothing of it for the next test


def test_what_stands_in_for_a_hash_of_the_chain_is_as_hard_to_collide(published):
    """The memo gives a record's content hash (sha256) by the record's fingerprint, and
    what it derived from a register by the digest of its bytes: with 128 bits, two
    records (two registers) made to collide (2**64 work) would let a changed record pass
    as the published one, check and build alike. Both are 256 bits."""
    loaded, _problems = published.load()
    assert all(len(entry.memo.fingerprint) >= 32 for entry in loaded.entries)
    assert len(sitememo.digest(published.read("content/.register"))) >= 32


def _verdict(site: SiteDir, out) -> tuple[list[str] | None, bytes]:
    """What a build's first step says of the published register.json in `out`."""
    loaded, _problems = site.load()
    new = register.public_register(loaded)
    try:
        return _outcome(out, new, site.path), new
    finally:
        sitememo.save(site.path)


@pytest.mark.parametrize(
    "rewrite, refused",
    [
        ("truncated", True),  # the last line gone
        ("rehashed", True),  # a published version's hash rewritten
        ("conflict", True),  # a second, other version 1 (sorts before the published one)
        ("emptied", True),
        ("reordered", False),  # the same lines in another order: the same chain
        ("inserted", False),  # a version dated before the others, in the middle of the file
    ],
)
def test_a_build_holds_the_published_history_with_and_without_the_memo(published, tmp_path, rewrite, refused):
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    loaded, _problems = published.load()
    (out / register.PUBLIC_PATH).write_bytes(register.public_register(loaded))
    sitememo.save(published.path)
    text = published.read("content/.register").decode()
    rows = text.splitlines(keepends=True)
    head, body = rows[:3], rows[3:]
    fields = body[1].split("\t")
    if rewrite == "truncated":
        body = body[:-1]
    elif rewrite == "rehashed":
        body[1] = "\t".join([*fields[:3], "sha256:" + "1" * 64, *fields[4:]])
    elif rewrite == "conflict":
        body.append("\t".join([*fields[:3], "sha256:" + "0" * 64, *fields[4:]]))
    elif rewrite == "emptied":
        head, body = [], []
    elif rewrite == "reordered":
        body = body[::-1]
    else:
        body.insert(1, "\t".join([num(2024, 7), fields[1], "2024-01-01", *fields[3:]]))
    published.write("content/.register", "".join(head + body))
    new_process()
    after_change = _verdict(published, out)  # the memo of the published state
    new_process()
    kept = _verdict(published, out)
    same_process = _verdict(published, out)
    new_process()
    (published.path / MEMO).unlink()
    alone = _verdict(published, out)
    assert after_change == kept == same_process == alone
    assert (alone[0] is not None) == refused
