"""The build day of a long `gongkai serve`: every build of one process takes its own day."""

from __future__ import annotations

import datetime as dt
import os
import types

import generator.build
from generator.build import build
from helpers import num, with_index


# ------------------------------------------------------------------ the build day of a long preview

APPOINTMENT = """\
title: 干部任前公示
published: 2024-06-03
notice: {start: 2024-06-03, working_days: 5}
persons:
  - {name: 张某某, gender: 男, birth: 1982-05, proposed_post: 青山县某某局局长}
"""


def _clock(monkeypatch, day: dt.date) -> None:
    """Make `generator.build` see `day` at noon as now (the preview's clock)."""

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz)

    monkeypatch.setattr(generator.build, "dt", types.SimpleNamespace(date=dt.date, time=dt.time, datetime=Clock))


def test_each_build_of_a_process_takes_its_own_day(make_site, monkeypatch, tmp_path):
    """`gongkai serve` rebuilds in one process: after midnight the 公示 status must follow
    the new day (SOURCE_DATE_EPOCH is set only around mkdocs, never left behind)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    site_dir = make_site({"content/appointments/a.yml": with_index(APPOINTMENT, num(2024, 1))})
    out = tmp_path / "out"
    statuses = []
    for day in (dt.date(2024, 6, 4), dt.date(2024, 6, 20)):
        _clock(monkeypatch, day)
        site, problems = site_dir.load()
        assert not problems.has_errors(), list(problems)
        build(site, out, drafts=True, jobs=1, index=False)
        (entry,) = site.entries
        page = (out / entry.url / "index.html").read_text(encoding="utf-8")
        statuses.append(page.split("gk-notice-status__value\">", 1)[1].split("<", 1)[0])
    assert statuses == ["公示中", "已结束"]
    assert "SOURCE_DATE_EPOCH" not in os.environ
