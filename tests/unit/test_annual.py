"""The request log's problems at their lines, deadlines, the 年报's contradictions, audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.cli import main
from generator.load.records import load_requests
from generator.model.requests import Request, due_date
from generator.problems import Problems

from helpers import copy_demo

DEMO = Path(__file__).resolve().parents[2]


def _log(tmp_path: Path, text: str) -> list:
    folder = tmp_path / "records" / "requests"
    folder.mkdir(parents=True)
    (folder / "2024.yml").write_text(text, encoding="utf-8")
    problems = Problems()
    load_requests(tmp_path, problems)
    return [(p.line, p.code, p.message) for p in problems]


def test_refused_without_reason_and_bad_enum_at_their_lines(tmp_path):
    found = _log(tmp_path, "- no: A1\n  received: 2024-03-04\n  applicant: 路人\n"
                           "- no: A2\n  received: 2024-03-04\n  applicant: natural\n  收到日期: 2024-03-05\n")
    assert (3, "invalid-choice") in [(line, code) for line, code, _ in found]
    assert any(line == 7 and code == "unknown-key" for line, code, _ in found)
    found = _log(tmp_path / "b", "- no: A2\n  received: 2024-03-04\n  applicant: 自然人\n  replied: 2024-03-08\n  outcome: 不予公开\n"
                                 "- no: A2\n  received: 2024-03-04\n  applicant: natural\n")
    assert any(line == 5 and code == "request-reason" and "A2" in msg for line, code, msg in found)
    assert any(line == 6 and code == "request-duplicate" for line, code, _ in found)


def test_reason_must_fit_outcome_and_dates_in_order(tmp_path):
    found = _log(tmp_path, "- no: B1\n  received: 2024-03-04\n  applicant: natural\n  replied: 2024-03-08\n"
                           "  outcome: refused\n  reason: not_held\n"
                           "  correction: {requested: 2024-03-06, received: 2024-03-05}\n  extension: {date: 2024-03-05, days: 21}\n")
    codes = {(line, code) for line, code, _ in found}
    assert (8, "out-of-range") in codes
    found = _log(tmp_path / "x", "- no: B1\n  received: 2024-03-04\n  applicant: natural\n  replied: 2024-03-08\n"
                                 "  outcome: refused\n  reason: not_held\n  correction: {requested: 2024-03-06, received: 2024-03-05}\n")
    codes = {(line, code) for line, code, _ in found}
    assert (6, "request-reason") in codes and (7, "request-dates") in codes


def test_due_date_counts_working_days_corrections_and_extensions():
    base = {"no": "1", "applicant": "natural"}
    # Received Fri 2024-09-27: the National Day week (10-01..07 off, 09-29 and 10-12 worked).
    assert due_date(Request(**base, received=dt.date(2024, 9, 27))) == dt.date(2024, 10, 30)
    corrected = Request(**base, received=dt.date(2024, 3, 4), correction={"requested": "2024-03-06", "received": "2024-03-11"})
    assert due_date(corrected) == dt.date(2024, 4, 9)
    late_notice = Request(**base, received=dt.date(2024, 3, 4), extension={"date": "2024-04-02", "days": 20})
    in_time = Request(**base, received=dt.date(2024, 3, 4), extension={"date": "2024-03-20", "days": 20})
    assert due_date(late_notice) == dt.date(2024, 4, 1)
    assert due_date(in_time) == dt.date(2024, 4, 29)  # Qingming off, Sun 04-28 worked


def test_audit_names_the_late_request_and_exits_1(capsys):
    assert main(["audit", "-s", str(DEMO)]) == 1
    out = capsys.readouterr().out
    assert "2024-003 逾期答复：答复日期 2024-07-15，答复期限 2024-07-02" in out and "[request-late]" in out


def test_contradicting_figure_is_a_warning_at_its_line(tmp_path, capsys):
    site = tmp_path / "site"
    copy_demo(site)  # the demo site only: a whole checkout can hold gigabytes (benchmarks/.cache)
    report = site / "content/reports-2021-format/2025-01-20-2024-niandu-baogao.md"
    text = report.read_text(encoding="utf-8").replace("proactive:\n", "proactive:\n  normative: {issued: 9}\n")
    report.write_text(text, encoding="utf-8")
    main(["check", "-s", str(site), "--fresh"])
    out = capsys.readouterr().out
    line = text.split("\n").index("  normative: {issued: 9}") + 1
    assert f"2025-01-20-2024-niandu-baogao.md:{line}:" in out
    assert "写的是 9，按内容计算是 5" in out and "[annual-figure]" in out


def test_new_report_carries_the_computed_figures_as_comments(tmp_path, monkeypatch, capsys):
    import types

    import generator.cli

    class Frozen(dt.date):
        @classmethod
        def today(cls):
            return dt.date(2025, 1, 10)

    monkeypatch.setattr(generator.cli, "dt", types.SimpleNamespace(date=Frozen))
    site = tmp_path / "site"
    copy_demo(site)  # the demo site only: a whole checkout can hold gigabytes (benchmarks/.cache)
    assert main(["new", "-s", str(site), "reports-2021-format", "2024年年报"]) == 0
    text = (site / capsys.readouterr().out.strip()).read_text(encoding="utf-8")
    assert "\nyear: 2024" in text
    assert "#   行政规范性文件：本年制发 5，本年废止 2" in text
    assert "#   申请：本年新收 5，上年结转 1，办理结果总计 5，结转下年度 1" in text


def test_audit_late_publication_empty_columns_missing_report_and_html(make_site, tmp_path):
    site = make_site({
        "content/notices/late.md": "---\ntitle: 通知\npublished: 2024-03-01\nwritten: 2024-01-02\n---\n正文\n",
        "content/notices/ok.md": "---\ntitle: 通知二\npublished: 2024-01-10\nwritten: 2024-01-02\n---\n正文\n",
    })
    result = site.run("audit", "--format", "json", "-o", str(tmp_path / "report"))
    assert result.code == 1
    found = json.loads(result.out)
    late = [p for p in found if p["code"] == "published-late"]
    assert [p["path"] for p in late] == ["content/notices/late.md"] and "（2024-01-30）" in late[0]["message"]
    empty = {p["message"] for p in found if p["code"] == "empty-column"}
    assert any("“任前公示”（appointments）" in m for m in empty) and not any("（notices）" in m for m in empty)
    assert [p["code"] for p in found].count("annual-report-missing") == 1
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "content/notices/late.md" in html and "<script" not in html
    refused = site.run("audit", "-o", str(site.path / "content" / "audit"))
    assert refused.code == 2 and "不能把报告写到" in refused.err and not (site.path / "content" / "audit").exists()


def test_audit_warns_of_a_column_older_than_update_within(make_site):
    from helpers import make_config

    config = make_config(categories="categories:\n  - key: notices\n    title: 通知公告\n    type: article\n"
                                    "    更新周期: 30\n    counts_as: 行政规范性文件\n")
    site = make_site({"content/notices/a.md": "---\ntitle: 通知\npublished: 2024-01-10\n---\n正文\n"}, config=config)
    found = json.loads(site.run("audit", "--format", "json").out)
    stale = [p for p in found if p["code"] == "column-stale"]
    assert len(stale) == 1 and "“通知公告”超过 30 天未更新（最近更新 2024-01-10）" in stale[0]["message"]
    bad = make_config(categories="categories:\n  - key: notices\n    title: 通知公告\n    type: article\n    counts_as: 文件\n")
    site.write("site_config.yml", bad)
    result = site.check()
    assert result.code == 2 and "invalid-choice" in result.out and "normative（行政规范性文件）" in result.out


def test_an_unreadable_log_folder_is_a_problem_not_a_traceback(tmp_path, monkeypatch):
    import errno
    import os

    folder = tmp_path / "records" / "requests"
    folder.mkdir(parents=True)
    (folder / "2024.yml").write_text("- no: 1\n  received: 2024-03-04\n  applicant: natural\n", encoding="utf-8")
    folder.chmod(0)
    try:
        if os.access(folder, os.R_OK):  # root reads anything: the listing fails as it would for others
            def refuse(self):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))

            monkeypatch.setattr(Path, "iterdir", refuse)
        problems = Problems()
        assert load_requests(tmp_path, problems) == []
        assert [(p.path, p.code) for p in problems] == [("records/requests", "file-unreadable")]
    finally:
        folder.chmod(0o755)


def test_a_log_that_is_not_a_list_is_reported_at_its_line(tmp_path):
    found = _log(tmp_path, "no: 1\nreceived: 2024-03-04\n")
    assert found[0][:2] == (1, "not-a-list")
