"""What a content type can declare besides its model: the capabilities that the rest of
the generator iterates over instead of asking for a type by name.

- `Window`: the time window of an item (公示期, 征求意见期): its page shows a live status,
  depends on the day of the build, is listed on the home page while open, and the browser
  refreshes the status from its own clock (`gongkai.js`, from data attributes).
- `Dataset`: an open-data file of a type (data/fees.csv …), derived from the type's model:
  its fields, their Chinese titles and the JSON Schema come from the model itself (and,
  for figures computed from the whole site, from the model of those figures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

STATUSES = ("upcoming", "open", "closed", "reported")


@dataclass(frozen=True)
class Window:
    """A period from `start` to `end`, both days included. `end` is None when it cannot be
    known (a working-day count in a year the holiday calendar does not know): `check`
    reports that, and the period counts as open from its start."""

    start: dt.date
    end: dt.date | None
    working_days: int | None = None  # its length in working days, when the type counts them
    reported: dt.date | None = None  # the day a report on it came out (征求意见: 已反馈)

    def status(self, today: dt.date) -> str:
        """`upcoming`, `open` or `closed` on `today`: the one rule of an open period;
        `reported` from the day of its report on."""
        if self.reported is not None and today >= self.reported:
            return "reported"
        if today < self.start:
            return "upcoming"
        return "open" if self.end is None or today <= self.end else "closed"


@dataclass(frozen=True)
class Dataset:
    """An open-data file of a type: one record per listed item, or per element of its list
    field `rows` (a fee item's 收费项目). A record holds the item's `fields` (plus the
    fields of each row) and its address; `title` names the field `title` in the file
    (收费目录标题 …) where the item's title is not the record's name."""

    stem: str  # data/<stem>.json, data/<stem>.csv
    title: str  # shown on the 数据开放 page and in the JSON Schema
    description: str
    fields: tuple[str, ...]  # item fields; `publisher` is the publishing organisation's name
    rows: str | None = None
    formats: tuple[str, ...] = ("json",)  # json (with its schema), csv
    title_label: str = ""
    nested: tuple[str, ...] = ()  # item fields holding a group (project, result): its fields spread into the record
    enum_labels: bool = False  # choices written as their Chinese labels (公开招标) rather than keys
    # A pydantic model of figures the type computes (ContentType.computed): its fields
    # follow `fields` in each record, their values taken from `entry.computed`.
    computed: type | None = None
