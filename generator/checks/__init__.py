"""Domain checks across fields and items. Each type's own checks live beside its model
(`generator/model/<type>.py`); this package runs them all, in a fixed order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator import register, sitememo
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
    leaves = None
    if not entry.is_draft and entry.doc is not None:  # the texts both scans need, in one walk
        leaves = privacy.texts(entry, also=prompts.STARTS)
    privacy.check(entry, ctx, leaves)
    markup.check(entry, ctx)
    prompts.check(entry, ctx, leaves)
    if memo is not None:
        memo.check_problems = ctx.problems.items[first:]


def run_checks(site: Site, problems: Problems) -> Context:
    ctx = Context(site, problems, make_pattern(site, problems))
    index_numbers.check_site(site, ctx)  # builds ctx.index, which later checks resolve against
    requests_of(site, problems)  # the private request log (records/requests/), checked once per load
    for entry in site.entries:
        check_entry(entry, ctx)
    links.check_site(site, ctx)  # after every entry is numbered and its attachments resolved
    register.check_site(site, ctx)
    privacy.check_pages(site, problems)
    markup.check_pages(site, problems)
    sitememo.save(site.site_dir, [e.memo.fingerprint for e in site.entries if e.memo and e.memo.fingerprint])
    site.checked = ctx  # the index and resolved attachments, for `recheck` (a preview's quick page)
    return ctx


def check_entry(entry, ctx: Context) -> None:
    """The checks of one entry against the site as `ctx` knows it: its attachments, its
    type's own checks (cross-references), its figures, the single-file checks."""
    for i, file in enumerate(entry.facts.attachments):
        ctx.check_file(entry, ("attachments", i, "file"), file)
    if entry.ctype.check:
        type_check(entry, ctx)
    if entry.ctype.computed:  # figures from the whole site: computed once, kept for the build
        entry.computed = entry.ctype.computed(entry.model, ctx.site, EntryReport(entry, ctx))
    file_checks(entry, ctx)


def type_check(entry, ctx: Context) -> None:
    """The type's own check of an entry. One that asked nothing of the site (no other
    entry, no attachment, no index number pattern: `EntryReport.asked`) read only the
    entry's file and site_config.yml, as the single-file checks do: its problems are kept
    in the memo and replayed while the file is unchanged, and the model of an entry from
    the content cache is not unpickled for it."""
    memo = entry.memo
    if memo is not None and memo.type_problems is not None:
        ctx.problems.extend(memo.type_problems)
        return
    first = len(ctx.problems)
    report = EntryReport(entry, ctx)
    entry.ctype.check(entry.model, report)
    if memo is not None and not report.asked:
        memo.type_problems = ctx.problems.items[first:]


def recheck(entry, checked: Context, problems: Problems) -> None:
    """Check `entry`, a new reading of its file, against the site the last full check
    saw (`checked`): what `run_checks` checks of one entry — its own checks, its index
    number, its links, its register line — without reading any other file. What only the
    whole site can show (a number another file took, the figures of a report) is left to
    the full check, which the caller runs next: an entry whose number changed, or of a
    type with figures, is not for `recheck`."""
    ctx = Context(checked.site, problems, checked.pattern, checked.index)
    index_numbers.check_entry(entry, ctx)
    check_entry(entry, ctx)
    links.check_entry(links.Resolver(checked.site, ctx), entry, ctx)
    register.check_entry(entry, ctx)
