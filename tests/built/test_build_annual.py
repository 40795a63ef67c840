"""The demo's 2024 年报: every computed cell against an independent count, and nothing of
the private request log anywhere in the output (search fragments decompressed)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re

import yaml

from buildkit import DEMO_SITE, validate_schema

REPORT = "reports-2021-format/2025-01-20-2024-niandu-baogao/"


def _cells(demo) -> dict[str, str]:
    html = demo.file(REPORT).read_text(encoding="utf-8")
    return dict(re.findall(r'data-cell="([^"]+)">([^<]*)<', html))


def _log() -> list[dict]:
    rows = []
    for path in sorted((DEMO_SITE / "records" / "requests").glob("*.yml")):
        rows += yaml.safe_load(path.read_text(encoding="utf-8"))  # PyYAML: `no` is read as False
    return rows


def test_request_table_cell_by_cell(demo):
    cells = _cells(demo)
    # Worked out by hand from records/requests/: 2024 received five (natural 2, research,
    # public_interest, legal_service); 2023-002 (business) carried in; 2024-005 carried out.
    expected = {
        "new": {"natural": 2, "research": 1, "public_interest": 1, "legal_service": 1, "total": 5},
        "carried_in": {"business": 1, "total": 1},
        "disclosed": {"research": 1, "total": 1},
        "partly": {"business": 1, "total": 1},
        "refused": {"natural": 1, "total": 1},
        "refused.third_party": {"natural": 1, "total": 1},
        "unavailable": {"natural": 1, "total": 1},
        "unavailable.not_held": {"natural": 1, "total": 1},
        "not_processed": {"public_interest": 1, "total": 1},
        "not_processed.repeat": {"public_interest": 1, "total": 1},
        "total": {"natural": 2, "business": 1, "research": 1, "public_interest": 1, "total": 5},
        "carried_out": {"legal_service": 1, "total": 1},
    }
    request_cells = {k: v for k, v in cells.items() if "/" in k}
    assert len(request_cells) == 29 * 7  # 2 + 6 results + 19 reasons + 总计 + 结转, × 7 columns
    for key, value in request_cells.items():
        row, column = key.split("/")
        assert int(value) == expected.get(row, {}).get(column, 0), key


def test_proactive_and_reviews(demo):
    cells = _cells(demo)
    # Policies (counts_as normative), counted from the source files independently.
    issued = repealed = in_force = 0
    for path in sorted((DEMO_SITE / "content" / "policies").glob("*.md")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        get = lambda *keys, meta=meta: next((meta[k] for k in keys if k in meta), None)  # noqa: E731
        made = get("written", "成文日期") or get("published", "发布日期")
        since = get("validity_since", "有效性变更日期")
        ended = get("validity", "有效性") not in (None, "valid", "有效")
        issued += made.year == 2024
        repealed += bool(ended and since and since.year == 2024)
        in_force += made <= dt.date(2024, 12, 31) and not (ended and (since is None or since <= dt.date(2024, 12, 31)))
    assert (issued, repealed) == (5, 2)
    assert cells["normative.issued"] == str(issued)
    assert cells["normative.repealed"] == str(repealed)
    assert cells["normative.in_force"] == str(in_force)
    assert [cells[f"rules.{n}"] for n in ("issued", "repealed", "in_force")] == ["0", "0", "0"]
    assert (cells["licensing"], cells["penalty"], cells["enforcement"], cells["fees_collected"]) == ("120", "35", "2", "12.50")
    assert cells["review.upheld"] == "1" and cells["review.total"] == "1"
    assert cells["litigation_direct.total"] == "0" and cells["litigation_after_review.total"] == "0"


def test_sections_in_order(demo):
    html = demo.file(REPORT).read_text(encoding="utf-8")
    heads = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    places = [html.index(h) for h in heads]
    assert places == sorted(places)


def test_no_request_text_anywhere(demo):
    secrets = set()
    for request in _log():
        secrets.add(str(request.get("subject") or request.get("申请内容")))
        secrets.add(str(request.get(False) or request.get("no")))
    assert len(secrets) == 14
    # the site, and the source pages gongkai gave Pagefind (kept beside the content cache)
    search_sources = list((DEMO_SITE / ".gongkai-cache").glob("output-*/search"))
    assert search_sources and any(p.is_file() for folder in search_sources for p in folder.rglob("*"))
    files = [*demo.root.rglob("*"), *(p for folder in search_sources for p in folder.rglob("*"))]
    for path in files:
        if not path.is_file():
            continue
        data = path.read_bytes()
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
        for secret in secrets:
            assert secret.encode() not in data, (path, secret)
        assert b"records/requests" not in data, path


def test_open_data_has_the_tables(demo):
    data = json.loads(demo.file("data/annual-reports.json").read_text(encoding="utf-8"))
    schema = json.loads(demo.file("data/annual-reports.schema.json").read_text(encoding="utf-8"))
    assert validate_schema(data, schema) == []
    (report,) = [r for r in data if r["year"] == 2024]
    cells = _cells(demo)
    for key, value in cells.items():
        if "/" in key:
            row, column = key.split("/")
            assert report["requests"][row][column] == int(value), key
    assert report["proactive"]["normative"] == {n: int(cells[f"normative.{n}"]) for n in ("issued", "repealed", "in_force")}
    assert report["reviews"]["review"]["total"] == 1
    text = json.dumps(data, ensure_ascii=False)
    assert all(secret not in text for secret in ("2024-003", "消防验收"))
