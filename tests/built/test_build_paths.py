"""Nothing from outside the site folder reaches a build (issue 11): links out of the site,
hard links and a hand-edited index-number pattern with `../` stop the build before any
file is written; links that stay inside the site are published like any file."""

from __future__ import annotations

import os

from conftest import SYNTHETIC_CATEGORIES, TINY_NOTICE, write_site

from buildkit import build_or_fail, publish, run_build
from helpers import make_config, num

SECRET = b"AWS_SECRET_ACCESS_KEY=never-published-4711\n"


def every_byte(root):
    """All bytes of every file under `root` (links not followed), for a search."""
    found = b""
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                with open(path, "rb") as handle:
                    found += handle.read()
    return found


def notice_with_attachment(ref: str) -> str:
    field = f"attachments:\n  - file: {ref}\n    title: 附件\n"
    return TINY_NOTICE.replace("published: 2024-02-01\n", "published: 2024-02-01\n" + field)


def test_links_and_hard_links_out_of_the_site_publish_nothing(tmp_path):
    outside = tmp_path / "outside"
    (outside / "etc").mkdir(parents=True)
    (outside / "etc/passwd").write_bytes(SECRET)
    (outside / "environ.pdf").write_bytes(SECRET)
    files = {"content/notices/a.md": notice_with_attachment("attachments/etc/passwd")}
    site = write_site(tmp_path / "site", files, make_config(categories=SYNTHETIC_CATEGORIES), record=False)
    os.symlink(outside, site.path / "content/attachments")  # `attachments -> /` in small
    os.link(outside / "environ.pdf", site.path / "content/notices/environ.yml")
    out = tmp_path / "out"
    done = run_build(site.path, out)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "[symlink-outside]" in done.stderr and "[hard-link]" in done.stderr and "[attachment-path]" in done.stderr
    assert not out.exists() or SECRET not in every_byte(out)
    assert SECRET not in every_byte(site.path / ".gongkai-cache")  # nor in what gongkai keeps


def test_pattern_climbing_out_of_the_output_is_refused(tmp_path):
    config = make_config(pattern="../../{org}/{year}-{seq:05d}", categories=SYNTHETIC_CATEGORIES)
    site = write_site(tmp_path / "site", {"content/notices/a.md": TINY_NOTICE}, config, record=False)
    done = run_build(site.path, tmp_path / "deep/out")
    assert done.returncode == 2 and "[index-pattern]" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_links_inside_the_site_are_published(tmp_path):
    files = {"shared/2024/a.md": TINY_NOTICE, "content/attachments/forms/form-v2.pdf": b"%PDF-1.4 form\n"}
    site = write_site(tmp_path / "site", files, make_config(categories=SYNTHETIC_CATEGORIES))
    second = notice_with_attachment("attachments/form.pdf").replace(num(2024, 1), num(2024, 2))
    site.write("content/notices/b.md", second)
    site.register({num(2024, 1): "content/notices/2024/a.md", num(2024, 2): "content/notices/b.md"})
    os.symlink(site.path / "shared/2024", site.path / "content/notices/2024")
    os.symlink("forms/form-v2.pdf", site.path / "content/attachments/form.pdf")  # the current version
    publish(site.path)
    out = build_or_fail(site.path, tmp_path / "out")
    assert (out / "notices/2024/a/index.html").is_file()
    assert (out / "attachments/form.pdf").read_bytes() == b"%PDF-1.4 form\n"
    assert not (out / "attachments/form.pdf").is_symlink()
