"""Domain checks across fields and items. Each type's own checks live beside its model
(`generator/model/<type>.py`); this package runs them all, in a fixed order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator import register
from generator.annual import requests_of
from generator.checks import dates, index_numbers, links, markup, privacy, prompts
from generator.checks.context import Context
from generator.checks.protocol import EntryReport
from generator.numbering import IndexPattern, PatternError
from generator.problems import Problems

if TYPE_CHECKING:
    from generator.site import Site


def make_pattern(site: Site, problems: Problems) -> IndexPattern | None:
    try:
        return IndexPattern(site.config.index_number.pattern, site.config.org_prefix)
    except PatternError as exc:
        problems.error("site_config.yml", None, "index-pattern", str(exc))
        return None


def file_checks(entry, ctx: Context) -> None:
    """Checks that read nothing but the entry's own file: their problems are kept with it
    in the content cache and replayed while the file is unchanged."""
    memo = entry.memo
    if memo is not None and memo.check_problems is not None:
        ctx.problems.extend(memo.check_problems)
        return
    first = len(ctx.problems)
    dates.check(entry, ctx)  # the site's settings and the holiday calendar are in the cache's salt
    privacy.check(entry, ctx)
    markup.check(entry, ctx)
    prompts.check(entry, ctx)
    if memo is not None:
        memo.check_problems = ctx.problems.items[first:]


def run_checks(site: Site, problems: Problems) -> Context:
    ctx = Context(site, problems, make_pattern(site, problems))
    index_numbers.check_site(site, ctx)  # builds ctx.index, which later checks resolve against
    requests_of(site, problems)  # the private request log (records/requests/), checked once per load
    for entry in site.entries:
        for i, attachment in enumerate(entry.model.attachments):
            ctx.check_file(entry, ("attachments", i, "file"), attachment.file)
        if entry.ctype.check:
            entry.ctype.check(entry.model, EntryReport(entry, ctx))
        if entry.ctype.computed:  # figures from the whole site: computed once, kept for the build
            entry.computed = entry.ctype.computed(entry.model, site, EntryReport(entry, ctx))
        file_checks(entry, ctx)
    links.check_site(site, ctx)  # after every entry is numbered and its attachments resolved
    register.check_site(site, ctx)
    privacy.check_pages(site, problems)
    markup.check_pages(site, problems)
    return ctx
