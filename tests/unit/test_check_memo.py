"""The memo of a whole `gongkai check` (generator/load/checkmemo.py): an unchanged site is
answered with the problems of the last check, without loading a model; a change to
anything the check read is checked again.

Whether a check was replayed is seen on disk: each run starts without the content cache
(`content.pickle`), which a check that loads the files writes again and a replayed one
never touches.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import pickle
import subprocess
import sys
import time

import pytest

from generator.load import cache as cache_module
from generator.load import checkmemo

from helpers import CONFIG, num

N1, N2 = num(2024, 1), num(2024, 2)
ITEM = "index_no: {n}\ntitle: {t}\npublished: 2024-03-01\nbody: |\n  {body}\n"
ATTACHED = ITEM + "attachments:\n  - file: {file}\n"
PHONE = "联系人手机 13800138000。"


@pytest.fixture
def trusted(monkeypatch):
    """Trust files written a moment ago (the racy-file guards would not record them)."""
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))
    monkeypatch.setattr(checkmemo, "RACY_NS", -(10**12))


def site_of(make_site, extra: dict | None = None):
    return make_site({
        "content/notices/a.yml": ITEM.format(n=N1, t="停水通知", body="明日停水。"),
        "content/notices/b.yml": ITEM.format(n=N2, t="联系方式", body=PHONE),  # a warning
        "content/pages/about.md": "---\ntitle: 关于\n---\n关于本站。\n",
        **(extra or {}),
    })  # fmt: skip


def check(site, *args: str):
    """`gongkai check --format json`, and whether it was replayed."""
    content = site.path / ".gongkai-cache" / "content.pickle"
    content.unlink(missing_ok=True)
    result = site.check(*args)
    return result, not content.exists()


def after(site, rel: str, data: str | bytes):
    """Write `rel`, then check."""
    site.write(rel, data)
    return check(site)


def attaching(make_site, ref: str, files: dict | None = None):
    """The site with item a naming the attachment `ref`."""
    return site_of(make_site, {
        "content/notices/a.yml": ATTACHED.format(n=N1, t="表", body="见附件。", file=ref), **(files or {})
    })  # fmt: skip


def codes(result) -> list[tuple[str, str]]:
    return sorted((p["path"], p["code"]) for p in result.problems)


def test_an_unchanged_site_is_replayed_without_loading_a_model(make_site, trusted):
    site = site_of(make_site, {"content/notices/c.yml": "title: [\n"})  # an error too
    first, replayed = check(site)
    assert not replayed and first.code == 1
    assert ("content/notices/b.yml", "privacy-mobile") in codes(first)
    again, replayed = check(site)
    assert replayed
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    text_first = site.run("check")
    text_again = site.run("check")  # the text form, its summary and exit code too
    assert (text_again.code, text_again.out, text_again.err) == (text_first.code, text_first.out, text_first.err)


def test_a_clean_site_replays_its_count(make_site, trusted):
    site = make_site({"content/notices/a.yml": ITEM.format(n=N1, t="停水通知", body="明日停水。")})
    first = site.run("check")
    second = site.run("check")
    assert first.code == second.code == 0
    assert second.err == first.err == "检查通过：1 个条目\n"


@pytest.mark.parametrize("change", ["bytes", "new", "deleted"])
def test_a_changed_content_file_is_checked_again(make_site, trusted, change):
    site = site_of(make_site)
    first, _ = check(site)
    if change == "bytes":
        site.write("content/notices/a.yml", ITEM.format(n=N1, t="停水通知", body="明日停水。" + PHONE))
    elif change == "new":
        site.write("content/notices/new.yml", "title: [\n")
    else:
        (site.path / "content/notices/b.yml").unlink()
    second, replayed = check(site)
    assert not replayed
    now = codes(second)
    if change == "bytes":
        assert ("content/notices/a.yml", "privacy-mobile") in now
    elif change == "new":
        assert any(path == "content/notices/new.yml" for path, _code in now)
    else:
        assert not any(path == "content/notices/b.yml" for path, _code in now)
    assert now != codes(first)
    third, replayed = check(site)  # and the new result is what is replayed next
    assert replayed and third.out == second.out


def test_a_changed_free_page_is_checked_again(make_site, trusted):
    site = site_of(make_site)
    check(site)
    second, replayed = after(site, "content/pages/about.md", "---\ntitle: 关于\n---\n<script>alert(1)</script>\n")
    assert not replayed and ("content/pages/about.md", "unsafe-html") in codes(second)


def test_a_changed_site_config_is_checked_again(make_site, trusted):
    site = attaching(make_site, "attachments/map.svg", {"content/attachments/map.svg": "<svg/>"})
    first, _ = check(site)
    assert ("content/notices/a.yml", "attachment-type") in codes(first)
    second, replayed = after(site, "site_config.yml", CONFIG + "attachments:\n  allow_types: [svg]\n")
    assert not replayed and ("content/notices/a.yml", "attachment-type") not in codes(second)


def test_a_changed_attachment_is_checked_again(make_site, trusted):
    site = attaching(make_site, "attachments/form.pdf")
    first, _ = check(site)
    assert ("content/notices/a.yml", "attachment-missing") in codes(first)
    second, replayed = after(site, "content/attachments/form.pdf", b"%PDF-1.4\n")
    assert not replayed and ("content/notices/a.yml", "attachment-missing") not in codes(second)
    assert check(site)[1]
    os.link(site.path / "content/attachments/form.pdf", site.path / "form-copy.pdf")  # a second name: refused
    third, replayed = check(site)
    assert not replayed and ("content/notices/a.yml", "hard-link") in codes(third)


def test_a_close_name_added_under_attachments_changes_the_hint(make_site, trusted):
    site = attaching(make_site, "attachments/2024/form.pdf", {"content/attachments/2024/other.txt": "x"})
    first, _ = check(site)
    second, replayed = after(site, "content/attachments/2024/from.pdf", b"%PDF-1.4\n")  # a folder below: listed
    assert not replayed
    hint = second.one("attachment-missing")["hint"]
    assert "from.pdf" in hint and hint != first.one("attachment-missing")["hint"]


def test_a_changed_registry_or_register_is_checked_again(make_site, trusted):
    site = site_of(make_site)
    first, _ = check(site)
    assert "index-unregistered" not in {code for _path, code in codes(first)}
    site.register({N1: "content/notices/a.yml"})  # b's line gone
    second, replayed = check(site)
    assert not replayed and ("content/notices/b.yml", "index-unregistered") in codes(second)
    third, replayed = after(site, "content/.register", "这不是登记行\n")
    assert not replayed and any(path == "content/.register" for path, _code in codes(third))


def test_a_new_request_log_file_is_checked_again(make_site, trusted):
    site = site_of(make_site)
    check(site)
    second, replayed = after(site, "records/requests/2024.yml", "- no: [\n")
    assert not replayed and any(path == "records/requests/2024.yml" for path, _code in codes(second))
    assert check(site)[1]
    third, replayed = after(site, "records/requests/2024.yml", "[]\n")  # the same file, other bytes
    assert not replayed and not any(path.startswith("records/") for path, _code in codes(third))


def test_a_new_day_is_checked_again(make_site, trusted, monkeypatch):
    site = site_of(make_site)
    first, _ = check(site)
    assert check(site)[1]

    class Tomorrow(dt.date):
        @classmethod
        def today(cls):
            return dt.date.today() + dt.timedelta(days=1)

    class Clock:  # checkmemo's view of the datetime module, a day later
        date = Tomorrow
        datetime = dt.datetime

    monkeypatch.setattr(checkmemo, "dt", Clock)
    second, replayed = check(site)
    assert not replayed and second.out == first.out
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # a build day of its own
    assert not check(site)[1]


def test_a_damaged_memo_is_ignored(make_site, trusted):
    site = site_of(make_site)
    first, _ = check(site)
    memo = site.path / ".gongkai-cache" / checkmemo.FILE
    for damage in (memo.read_bytes()[:100], b"not a pickle", pickle.dumps({"problems": []})):
        memo.write_bytes(damage)
        again, replayed = check(site)
        assert not replayed and again.out == first.out
    assert check(site)[1]  # and a good one was written again


def test_a_memo_of_another_shape_is_not_replayed(make_site, trusted, levels):
    site = site_of(make_site)
    first, _ = check(site)
    path = site.path / ".gongkai-cache" / checkmemo.FILE
    memo = pickle.loads(path.read_bytes())
    for name, value in (("names", 5), ("stamps", "x"), ("other", [1]), ("key", None)):
        changed = pickle.loads(path.read_bytes())
        setattr(changed.seen, name, value)
        path.write_bytes(pickle.dumps(changed))
        again, _ = check(site)
        assert levels[-1] == "key" and again.out == first.out  # the content files are as they were
        path.write_bytes(pickle.dumps(memo))
    assert check(site)[1] and levels[-1] == "seen"


def test_fresh_does_not_replay(make_site, trusted, monkeypatch):
    site = site_of(make_site)
    first, _ = check(site)
    loaded: list[str] = []  # --fresh writes no content cache: the files it loads are counted
    from generator.load import site as load_module

    def counted(path, *args, **kwargs):
        loaded.append(path.name)
        return original(path, *args, **kwargs)

    original = load_module.load_entry
    monkeypatch.setattr(load_module, "load_entry", counted)
    again = site.check("--fresh")
    assert sorted(loaded) == ["a.yml", "b.yml"] and again.out == first.out
    loaded.clear()
    assert site.check().out == first.out and loaded == []  # replayed


def test_no_memo_of_files_written_a_moment_ago(make_site):
    site = site_of(make_site)  # every file was just written: a second write could keep its stamp
    check(site)
    assert not (site.path / ".gongkai-cache" / checkmemo.FILE).exists()
    assert not check(site)[1]


def test_the_memo_holds_what_the_checks_read(make_site, trusted):
    site = attaching(make_site, "attachments/form.pdf", {"content/attachments/form.pdf": b"%PDF-1.4\n"})
    check(site)
    with (site.path / ".gongkai-cache" / checkmemo.FILE).open("rb") as handle:
        memo = pickle.load(handle)
    noted = {os.path.relpath(path, site.path) for path in memo.noted}
    assert {"content/.registry", "content/.register", "records/requests", "content/attachments/form.pdf"} <= noted


def test_a_replayed_check_builds_no_validator_and_imports_no_check(make_site, trusted):
    """Validators are built on first use (model/base.py defer_build) and the checks and
    readers imported where used (load/site.py): a replayed check, which validates and
    checks no item, pays for neither."""
    site = site_of(make_site)
    check(site)
    (site.path / ".gongkai-cache" / "content.pickle").unlink()
    script = (
        "import sys; from generator.cli import main; from generator.model.registry import TYPES\n"
        f"code = main(['check', '-s', {str(site.path)!r}])\n"
        "print(code, [t.name for t in TYPES.values() if t.model.__pydantic_complete__])\n"
        "print([m for m in sys.modules if m.startswith('generator.checks')])"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-2:] == ["1 []", "[]"], done.stderr  # exit 1: b's privacy-mobile error
    assert not (site.path / ".gongkai-cache" / "content.pickle").exists()  # replayed


# ---------------------------------------------------------------- replayed before the configuration is read


@pytest.fixture
def levels(monkeypatch):
    """Which replay answered each check: "seen" (before the configuration is read,
    `replay_seen`), "key" (after the discovery, `replay`) or None (checked)."""
    answered: list[str | None] = []
    seen, keyed = checkmemo.replay_seen, checkmemo.replay

    def replay_seen(site_dir):
        memo = seen(site_dir)
        answered.append("seen" if memo is not None else None)
        return memo

    def replay(site_dir, current):
        memo = keyed(site_dir, current)
        answered[-1] = "key" if memo is not None else None
        return memo

    monkeypatch.setattr(checkmemo, "replay_seen", replay_seen)
    monkeypatch.setattr(checkmemo, "replay", replay)
    return answered


LIGHT = (  # what a replayed check has no need of
    "pydantic", "yaml", "generator.config", "generator.model.registry", "generator.model.base", "generator.load.site",
    "generator.register", "generator.numbering", "generator.site", "generator.checks",
)  # fmt: skip


def test_a_replayed_check_imports_no_configuration_model_type_or_check(make_site, trusted):
    site = site_of(make_site)
    first, _ = check(site)
    script = (
        "import sys; from generator.cli import main\n"
        f"code = main(['check', '-s', {str(site.path)!r}, '--format', 'json'])\n"
        f"print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic' or m in {LIGHT!r}))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "1 []", done.stderr  # exit 1: b's privacy-mobile error
    assert done.stdout.splitlines()[:-1] == first.out.splitlines()  # the same report


def test_the_replay_before_the_configuration_says_what_a_full_check_says(make_site, trusted, levels):
    """Text, json and github forms, and their exit codes, as a full check (`--fresh`)
    and the replay after the discovery give them; the configuration's and the
    discovery's problems included (a stray file, a hidden one)."""
    strays = {"content/notices/notes.txt": "x", "content/notices/.x.yml": "x"}
    site = site_of(make_site, {"content/notices/c.yml": "title: [\n", **strays})
    for form in ("text", "json", "github"):
        full = site.run("check", "--format", form, "--fresh")
        seen = site.run("check", "--format", form)
        assert levels[-1] == "seen"
        assert (seen.code, seen.out, seen.err) == (full.code, full.out, full.err)
        (site.path / "content/notices/notes.txt").touch()  # a stray file changed: no content file did
        os.utime(site.path / "content/notices/notes.txt", (1, 1))
        keyed = site.run("check", "--format", form)
        assert levels[-1] == "key"
        assert (keyed.code, keyed.out, keyed.err) == (full.code, full.out, full.err)
    assert {"stray-file", "hidden-file", "privacy-mobile"} <= {code for _path, code in codes(site.check())}
    assert levels[-1] == "seen"  # the replay after the discovery recorded what the discovery saw


def test_a_clean_site_replays_its_count_before_the_configuration(make_site, trusted, levels):
    site = make_site({"content/notices/a.yml": ITEM.format(n=N1, t="停水通知", body="明日停水。")})
    first, second = site.run("check"), site.run("check")
    assert levels == [None, "seen"]
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert (first.code, first.out, first.err) == (0, "", "检查通过：1 个条目\n")


def test_a_config_change_that_says_the_same_is_checked_again(make_site, trusted, levels):
    site = site_of(make_site)
    first, _ = check(site)
    second, replayed = after(site, "site_config.yml", CONFIG + "# 一行注释\n")  # other bytes, the same model
    assert not replayed and levels[-1] is None and second.out == first.out
    assert check(site)[1] and levels[-1] == "seen"


def test_a_new_gongkai_version_is_checked_again(make_site, trusted, levels, monkeypatch):
    site = site_of(make_site)
    first, _ = check(site)
    assert check(site)[1] and levels[-1] == "seen"
    monkeypatch.setattr(cache_module, "__version__", "99.0")  # `code_stamps`: the replay's key and the content salt
    second, replayed = check(site)
    assert not replayed and levels[-1] is None and second.out == first.out


def test_a_new_day_is_checked_again_before_the_configuration(make_site, trusted, levels, monkeypatch):
    site = site_of(make_site)
    check(site)
    monkeypatch.setattr(checkmemo, "days", lambda zone: (dt.date.today() + dt.timedelta(days=1), None, ""))
    assert not check(site)[1] and levels[-1] is None


def test_a_content_file_given_a_second_name_is_refused_again(make_site, trusted, levels):
    site = site_of(make_site)
    check(site)
    os.link(site.path / "content/notices/a.yml", site.path / "a-copy.yml")  # its ctime changes, its folder does not
    second, replayed = check(site)
    assert not replayed and levels[-1] is None
    assert ("content/notices/a.yml", "hard-link") in codes(second)


def test_a_link_that_now_leads_out_of_the_site_is_seen(make_site, trusted, levels, tmp_path_factory):
    """content/notices/c.yml links to kept/c.yml in the site; kept/ then moves out of
    the site and a link to it takes its place: c.yml's stamp and its folder stay the
    same, only where it leads changed."""
    site = site_of(make_site, {"kept/c.yml": ITEM.format(n=num(2024, 3), t="共享", body="共享。")})
    (site.path / "content/notices/c.yml").symlink_to("../../kept/c.yml")
    site.register()
    first, _ = check(site)
    assert not any(code == "symlink-outside" for _path, code in codes(first))
    assert check(site)[1] and levels[-1] == "seen"
    outside = tmp_path_factory.mktemp("outside") / "kept"
    os.rename(site.path / "kept", outside)
    (site.path / "kept").symlink_to(outside)
    second, replayed = check(site)
    assert levels[-1] is None
    assert ("content/notices/c.yml", "symlink-outside") in codes(second)


def test_a_logo_removed_is_seen(make_site, trusted, levels):
    url = "  url: https://www.example.gov.cn/\n"
    config = CONFIG.replace(url, url + "  logo: assets/logo.png\n")
    files = {"content/notices/a.yml": ITEM.format(n=N1, t="停水通知", body="明日停水。"), "assets/logo.png": b"\x89PNG"}
    site = make_site(files, config)
    assert site.check().code == 0 and site.check().code == 0 and levels[-1] == "seen"
    (site.path / "assets/logo.png").unlink()
    gone = site.check()
    assert levels[-1] is None and gone.code == 2 and gone.one("config-file-missing")


def test_the_names_the_replay_spells_out_are_the_ones_of_their_modules():
    """checkmemo.py and history.py name files themselves instead of importing the modules
    that own the names (they import pydantic and yaml)."""
    from generator import config, history, numbering, register

    assert checkmemo.CONFIG_FILE == config.CONFIG_FILE
    assert (history.REGISTER_FILE, history.REGISTRY_FILE) == (register.REGISTER_FILE, numbering.REGISTRY_FILE)


# ---------------------------------------------------------------- a replay says what a full check says


def same_as_fresh(site, *args: str):
    """The replayed check's (code, out, err), asserted equal to a full check's (`--fresh`)
    in each format, with and without --strict; the replay runs first."""
    for form in ("text", "json", "github"):
        for strict in ((), ("--strict",)):
            replayed = site.run("check", "--format", form, *strict, *args)
            full = site.run("check", "--format", form, *strict, "--fresh", *args)
            assert (replayed.code, replayed.out, replayed.err) == (full.code, full.out, full.err), (form, strict)


def test_a_config_edited_during_the_check_and_restored_is_checked_again(make_site, trusted, monkeypatch):
    """site_config.yml saved while a check runs (after its digest was taken, before it was
    read), then the old bytes restored: the memo holds the problems of the bytes read,
    not of the digest's."""
    site = attaching(make_site, "attachments/map.svg", {"content/attachments/map.svg": "<svg/>"})
    original = (site.path / "site_config.yml").read_bytes()
    from generator.load import site as load_module

    load_config = load_module.load_config

    def edited(site_dir, problems):  # the editor saves while the check runs
        site.write("site_config.yml", CONFIG + "attachments:\n  allow_types: [svg]\n")
        return load_config(site_dir, problems)

    monkeypatch.setattr(load_module, "load_config", edited)
    during, _ = check(site)
    assert ("content/notices/a.yml", "attachment-type") not in codes(during)  # svg allowed by what was read
    monkeypatch.setattr(load_module, "load_config", load_config)
    site.write("site_config.yml", original)  # restored
    again, _ = check(site)
    assert ("content/notices/a.yml", "attachment-type") in codes(again)
    same_as_fresh(site)


@pytest.mark.parametrize("where,name,value", [
    ("seen", "problems", None), ("seen", "problems", [1]), ("memo", "problems", None), ("memo", "problems", ("x",)),
    ("memo", "entries", "3"), ("memo", "entries", None), ("memo", "noted", {5: (None, None, "")}),
])  # fmt: skip
def test_a_memo_whose_problems_or_count_have_another_shape_is_not_replayed(make_site, trusted, levels, where, name, value):  # noqa: E501
    """Checked (or replayed after the discovery, which takes nothing of `seen`), not
    replayed into a traceback or a count that is no number."""
    site = site_of(make_site)
    check(site)
    path = site.path / ".gongkai-cache" / checkmemo.FILE
    memo = pickle.loads(path.read_bytes())
    setattr(memo.seen if where == "seen" else memo, name, value)
    path.write_bytes(pickle.dumps(memo))
    again = site.run("check")
    assert levels[-1] == ("key" if where == "seen" else None) and again.code == 1
    path.write_bytes(pickle.dumps(memo))
    same_as_fresh(site)


def test_a_link_under_attachments_that_now_leads_nowhere_changes_the_hint(make_site, trusted):
    """content/attachments/2024/from.pdf links to kept/from.pdf: offered as “是不是…？”
    while it leads to a file; kept/from.pdf removed, its folder under attachments/ is as
    it was, and the hint is another."""
    files = {"content/attachments/2024/other.txt": "x", "kept/from.pdf": b"%PDF-1.4\n"}
    site = attaching(make_site, "attachments/2024/form.pdf", files)
    (site.path / "content/attachments/2024/from.pdf").symlink_to("../../../kept/from.pdf")
    first, _ = check(site)
    assert "from.pdf" in first.one("attachment-missing")["hint"]
    (site.path / "kept/from.pdf").unlink()
    same_as_fresh(site)
    assert "other.txt" in site.check().one("attachment-missing")["hint"]


HELPERS = {"annotated_types", "typing_extensions", "typing_inspection", "_cffi_backend"}  # pydantic's, cmarkgfm's


def test_every_library_a_check_imports_is_in_the_keys(make_site, trusted):
    """A library upgraded (new files) is a new check: each one a full check imports (its
    parsers decide the problems) is named in load/cache.py's LIBRARIES, besides pydantic's typing helpers."""
    site = site_of(make_site)
    script = (
        "import sys, sysconfig; from generator.cli import main\n"
        f"main(['check', '-s', {str(site.path)!r}, '--fresh'])\n"
        "lib = sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']\n"
        "print(sorted({m.split('.')[0] for m, mod in list(sys.modules.items())"
        " if (getattr(mod, '__file__', None) or '').startswith(lib)}))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    imported = {name for name in ast.literal_eval(done.stdout.splitlines()[-1]) if not name.startswith("_")} - HELPERS
    assert imported and imported <= set(cache_module.LIBRARIES), done.stderr
    libraries = checkmemo.seen_key(site.path)[1][3]  # the replay's key names each, as the content salt does
    assert [name for name, _origin, _stamp in libraries] == list(cache_module.LIBRARIES)


@pytest.mark.parametrize("library", ["yaml", "cmarkgfm", "nh3"])
def test_a_library_upgraded_is_checked_again(make_site, trusted, levels, monkeypatch, tmp_path, library):
    """Its module's file is another one (a new version): neither replay answers, nor the
    content cache (a check without --fresh says what a full one says)."""
    from importlib.machinery import ModuleSpec
    from importlib.util import find_spec

    site = site_of(make_site)
    check(site)
    assert check(site)[1] and levels[-1] == "seen"
    other = tmp_path / "__init__.py"
    other.write_text("")

    def upgraded(name, *args):
        return ModuleSpec(name, None, origin=str(other)) if name == library else find_spec(name, *args)

    before = cache_module.content_salt(site.path)
    for module in (checkmemo, cache_module):
        monkeypatch.setattr(module, "find_spec", upgraded, raising=False)
    assert cache_module.content_salt(site.path) != before  # the content cache's salt (and the replay's key)
    assert not check(site)[1] and levels[-1] is None
    same_as_fresh(site)


def moved_out(site, rel: str, outside) -> None:
    """The folder `rel` moved out of the site, a link to it in its place: every file
    below keeps its stamp, and a link through it its own, only where they lead changed."""
    os.rename(site.path / rel, outside)
    (site.path / rel).symlink_to(outside)


def test_a_register_whose_link_now_leads_out_of_the_site_is_seen(make_site, trusted, levels, tmp_path_factory):
    """content/.registry links to kept/registry in the site (allowed), then kept/ moves
    out: the registry is refused, a replay must not say otherwise."""
    site = site_of(make_site)
    (site.path / "kept").mkdir()
    os.rename(site.path / "content/.registry", site.path / "kept/registry")
    (site.path / "content/.registry").symlink_to("../kept/registry")
    first, _ = check(site)
    assert not any(path == "content/.registry" for path, _code in codes(first))
    assert check(site)[1] and levels[-1] == "seen"
    moved_out(site, "kept", tmp_path_factory.mktemp("outside") / "kept")
    second, replayed = check(site)
    assert not replayed and levels[-1] is None
    assert any(path == "content/.registry" for path, _code in codes(second))
    same_as_fresh(site)


def test_an_attachment_whose_link_now_leads_out_of_the_site_is_seen(make_site, trusted, levels, tmp_path_factory):
    site = attaching(make_site, "attachments/form.pdf", {"content/attachments/real/form.pdf": b"%PDF-1.4\n"})
    (site.path / "content/attachments/form.pdf").symlink_to("real/form.pdf")
    first, _ = check(site)
    assert ("content/notices/a.yml", "attachment-path") not in codes(first)
    moved_out(site, "content/attachments/real", tmp_path_factory.mktemp("outside") / "real")
    second, replayed = check(site)
    assert not replayed and levels[-1] is None
    assert ("content/notices/a.yml", "attachment-path") in codes(second)
    same_as_fresh(site)


def test_no_memo_when_gongkai_code_was_written_a_moment_ago(make_site, trusted, monkeypatch):
    """A source of gongkai saved just before (or while) the check ran, after it was
    imported: its stamp in the key may be of bytes the check did not run (the racy rule,
    as for the site's files; `trusted` moves its limit past every file written here)."""
    site = site_of(make_site)
    code = checkmemo.code_stamps
    racy = time.time_ns() - checkmemo.RACY_NS + 60 * 10**9  # past the limit of `trusted`

    def fresh_source():
        version, python, sources, libraries = code()
        folder, name, size, _mtime = sources[0]
        return (version, python, ((folder, name, size, racy), *sources[1:]), libraries)

    monkeypatch.setattr(checkmemo, "code_stamps", fresh_source)
    check(site)
    assert not (site.path / ".gongkai-cache" / checkmemo.FILE).exists()
    monkeypatch.setattr(checkmemo, "code_stamps", code)
    check(site)
    assert (site.path / ".gongkai-cache" / checkmemo.FILE).exists()
