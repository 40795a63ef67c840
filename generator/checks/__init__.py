"""Domain checks across fields and items. Each type's own checks live beside its model
(`generator/model/<type>.py`); this package runs them all, in a fixed order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator import register
from generator.checks import dates, index_numbers, markup, privacy
from generator.checks.context import Context
from generator.numbering import IndexPattern, PatternError
from generator.problems import Problems

if TYPE_CHECKING:
    from generator.site import Site


def make_pattern(site: "Site", problems: Problems) -> IndexPattern | None:
    try:
        return IndexPattern(site.config.index_number.pattern, site.config.org_prefix)
    except PatternError as exc:
        problems.error("site_config.yml", None, "index-pattern", str(exc))
        return None


def run_checks(site: "Site", problems: Problems) -> Context:
    register.snapshot(site)  # the records as written, before any check fills in derived values
    ctx = Context(site, problems, make_pattern(site, problems))
    index_numbers.check_site(site, ctx)  # builds ctx.index, which later checks resolve against
    for entry in site.entries:
        dates.check(entry, ctx)
        for i, attachment in enumerate(entry.model.attachments):
            ctx.check_file(entry, ("attachments", i, "file"), attachment.file)
        if entry.ctype.check:
            entry.ctype.check(entry, ctx)
        privacy.check(entry, ctx)
        markup.check(entry, ctx)
    register.check_site(site, ctx)
    privacy.check_pages(site, problems)
    return ctx
