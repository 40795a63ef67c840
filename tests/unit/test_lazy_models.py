"""An entry from the content cache keeps its model pickled until something asks for it
(site.Entry.model); what the whole-site stages ask of every entry comes from its `Facts`,
taken from the model when the file was read. A load from the cache must answer exactly
as a load that read every file, and unpickle only the models its checks need."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.load import cache as cache_module
from generator.load.site import load_site
from generator.problems import Problems
from generator.site import facts_of

from helpers import copy_demo, num

ASKED = {"procedure", "annual_report"}  # a type check that asks the site; figures computed from it


@pytest.fixture(autouse=True)
def trusted(monkeypatch):
    """Trust files written a moment ago (the racy-file guard would re-read them)."""
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))


def _load(site_dir: Path, cache: bool = True):
    problems = Problems()
    site = load_site(site_dir, problems, cache=cache)
    assert site is not None
    return site, sorted(problems.items)


def _answers(entry) -> tuple:
    """What the stages ask of an entry, from its facts (properties of site.Entry)."""
    return (entry.index_no, entry.published, entry.is_draft, entry.is_withdrawn, entry.updated, entry.year,
            entry.public, entry.publisher_name)  # fmt: skip


def _from_model(entry, organisation: str) -> tuple:
    model = entry.model
    public = not model.is_draft and model.withdrawn is None
    return (model.index_no, model.published, model.is_draft, model.withdrawn is not None,
            max([model.published] + [r.date for r in model.revisions]),
            model.published.year, public, model.publisher or organisation)  # fmt: skip


def test_a_cached_load_answers_as_a_fresh_one_and_unpickles_only_what_its_checks_need(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    fresh, fresh_problems = _load(demo, cache=False)
    _load(demo)  # fills the content cache
    cached, cached_problems = _load(demo)
    assert cached_problems == fresh_problems
    assert [e.rel for e in cached.entries] == [e.rel for e in fresh.entries]

    unpickled = {e.rel for e in cached.entries if e.loaded is not None}
    counted = {e.rel for e in cached.entries if getattr(e.category.config, "counts_as", None)}  # in a 年报's figures
    assert {e.ctype.name for e in cached.entries if e.rel in unpickled - counted} <= ASKED
    assert len(unpickled) < len(cached.entries) / 4  # the demo has every type; most never unpickled
    organisation = cached.config.organization.name
    answers = [_answers(e) for e in cached.entries]  # before any model is asked for
    assert {e.rel for e in cached.entries if e.loaded is not None} == unpickled
    assert answers == [_answers(e) for e in fresh.entries] == [_from_model(e, organisation) for e in fresh.entries]
    for entry, same in zip(cached.entries, fresh.entries, strict=True):
        assert entry.facts == facts_of(same.model, same.ctype)
        assert entry.model == same.model and entry.blob is None  # unpickled on demand, the blob let go
        assert entry.text_links == same.text_links and entry.files == same.files


def _budget(income: str) -> str:
    return f"""index_no: {num(2024, 1)}
title: 2024年部门预算
published: 2024-03-01
fiscal_year: 2024
stage: budget
unit: 万元
tables:
  - name: 收支总表
    income:
      - {{item: 一般公共预算拨款收入, amount: {income}}}
    expenditure:
      - {{code: "201", item: 一般公共服务支出, amount: 1200.50}}
"""


def test_a_type_check_that_reads_only_its_file_is_replayed_without_the_model(make_site):
    site = make_site({"content/budgets/2024.yml": _budget("1200.00")})
    first, first_problems = _load(site.path)
    assert [p.code for p in first_problems if p.level == "error"] == ["budget-balance"]
    second, second_problems = _load(site.path)
    assert second_problems == first_problems
    assert second.entries[0].loaded is None  # its check's problems came from the memo
    site.write("content/budgets/2024.yml", _budget("1200.50"))
    third, third_problems = _load(site.path)
    assert not [p for p in third_problems if p.code == "budget-balance"]


def test_a_link_in_a_cached_entry_is_resolved_every_load(make_site):
    """An entry whose text has a link: its facts say so, and the link is resolved against
    the site as it is now (the target's file moved: the link is broken)."""
    linking = f"---\nindex_no: {num(2024, 2)}\ntitle: 转发通知\npublished: 2024-03-02\n---\n见[通知](notices/a.md)。\n"
    site = make_site({
        "content/notices/a.md": f"---\nindex_no: {num(2024, 1)}\ntitle: 通知\npublished: 2024-03-01\n---\n正文。\n",
        "content/notices/b.md": linking,
    })  # fmt: skip
    first, first_problems = _load(site.path)
    assert not [p for p in first_problems if p.code == "link-missing"]
    cached, _ = _load(site.path)
    by_rel = {e.rel: e for e in cached.entries}
    assert by_rel["content/notices/b.md"].facts.links and not by_rel["content/notices/a.md"].facts.links
    assert by_rel["content/notices/b.md"].text_links == {"notices/a.md": "notices/a/"}
    (site.path / "content/notices/a.md").rename(site.path / "content/notices/c.md")
    _, moved = _load(site.path)
    assert [p.code for p in moved if p.path == "content/notices/b.md"] == ["link-missing"]


def test_numbering_a_cached_entry_changes_what_its_facts_say(make_site):
    """`gongkai number` writes a number into the file and the model: an entry from the
    cache answers with the new number, as its model does."""
    from generator.checks import make_pattern
    from generator.numbering import assign

    site = make_site({"content/notices/a.md": "---\ntitle: 通知\npublished: 2024-03-01\n---\n正文。\n"})
    _load(site.path)
    loaded, _ = _load(site.path)
    entry = loaded.entries[0]
    assert entry.loaded is None and entry.index_no is None
    [(numbered, number)] = assign(loaded, make_pattern(loaded, Problems()))
    assert numbered is entry and entry.index_no == entry.model.index_no == number


def test_a_full_builds_open_data_unpickles_every_model_at_once(tmp_path):
    """`unpickle_models` (build.py `data`, full builds): every model unpickled, equal to
    one read from its file, and the cycle collector on again after (or off, as it was)."""
    import gc

    from generator.site import unpickle_models

    demo = copy_demo(tmp_path / "demo")
    fresh, _ = _load(demo, cache=False)
    _load(demo)
    cached, _ = _load(demo)
    assert any(e.loaded is None for e in cached.entries)
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            unpickle_models(cached.entries)
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
    assert all(e.loaded is not None and e.blob is None for e in cached.entries)
    assert [e.model for e in cached.entries] == [e.model for e in fresh.entries]
