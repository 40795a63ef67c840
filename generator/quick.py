"""A preview's quick pages: the page of an edited item, rendered the moment its file is
saved, before the full rebuild that follows it (`gongkai serve`, serve.py).

A full rebuild of a large site takes seconds even as an update (every list, feed and
dataset that shows the item, the cross-file checks of every entry). The editor looks at
the item. So the preview first reads the saved file again, checks it as the full check
would check that one entry against the site it last saw (checks/__init__.py `recheck`:
its own checks, number, links, register line), and renders its page (and permanent
link) with the shells, templates and day of the last build (`BuildResult.item_job`),
replacing the files in the preview folder atomically. The browser reloads; the full
rebuild then runs as always and reloads it again with the lists, data and search.

Nothing is quick about a change the entry alone cannot show: a file with any problem, a
new or deleted file, a changed index number or draft status, a type whose figures come
from the whole site (年报), a change outside content/ (the configuration or the theme
change the shells): those wait for the full rebuild, which reports and renders them.
"""

from __future__ import annotations

from pathlib import Path

from generator.checks import recheck
from generator.load.site import load_entry
from generator.numbering import atomic_write
from generator.problems import Problems
from generator.render.items import ItemJob, permalink, render_page

QUICK_MOST = 20  # changed files; more at once (a checkout, a search and replace) is a full rebuild's work


def quick_pages(job: ItemJob | None, changed: set[Path]) -> list[str]:
    """Render the pages of the changed item files into the preview; returns their URLs,
    nothing when no page can be rendered before the full rebuild."""
    if job is None or job.site.checked is None or not changed or len(changed) > QUICK_MOST:
        return []
    site = job.site
    root, content = site.site_dir.resolve(), site.content_dir.resolve()
    changed = {path.resolve() for path in changed}
    if any(content not in path.parents for path in changed):
        return []  # the configuration or the theme: every shell may change
    by_rel = {entry.rel: entry for entry in site.entries}
    urls = []
    for path in sorted(changed):
        old = by_rel.get(path.relative_to(root).as_posix())
        if old is None or old.source is None or old.ctype.computed is not None or not path.is_file():
            continue  # new, deleted, or with figures from the whole site: the full rebuild's
        problems = Problems()
        entry = load_entry(old.source, old.category, site, problems)
        if entry is None or problems.has_errors() or (entry.model.index_no, entry.is_draft) != (
            old.model.index_no, old.is_draft,
        ):  # fmt: skip
            continue
        recheck(entry, site.checked, problems)
        if problems.has_errors():
            continue
        page, _ = render_page(job, entry)
        atomic_write(job.out_dir / f"{entry.url}index.html", page.encode("utf-8"))
        link = permalink(site, entry)
        if link is not None:
            atomic_write(job.out_dir / link[0], link[1].encode("utf-8"))
        urls.append(entry.url)
    return urls
