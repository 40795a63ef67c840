"""Helpers shared by the tests: sample configuration and items, a site folder wrapper,
and ways to run the command line (in process, or as a subprocess)."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ORG = "11330100002482066D"

CATEGORIES = """\
categories:
  - key: notices
    title: 通知公告
    type: article
    code: "01"
  - key: duties
    title: 机构职能
    type: duty
    code: "02"
  - key: fees
    title: 行政事业性收费
    type: fee
    code: "03"
  - key: guides
    title: 办事指南
    type: procedure
    code: "04"
  - key: budgets
    title: 财政预决算
    type: budget
    code: "05"
  - key: appointments
    title: 任前公示
    type: appointment
    code: "06"
  - key: reports
    title: 工作计划与总结
    type: work_report
    code: "07"
  - key: consultations
    title: 征求意见
    type: consultation
    code: "08"
  - key: procurement
    title: 政府采购
    type: procurement
    code: "09"
  - key: letters
    title: 留言答复
    type: letter
    code: "10"
  - key: annual
    title: 政府信息公开工作年度报告
    type: annual_report
    code: "11"
"""


def make_config(pattern: str = "{org}/{year}-{seq:05d}", code: str = ORG, categories: str = CATEGORIES) -> str:
    return (
        "site:\n"
        "  name: 测试县人民政府办公室\n"
        "  url: https://www.example.gov.cn/\n"
        "organization:\n"
        "  name: 测试县人民政府办公室\n"
        f"  code: {code}\n"
        "identity:\n"
        "  sponsor: 测试县人民政府办公室\n"
        "index_number:\n"
        f'  pattern: "{pattern}"\n' + categories
    )


CONFIG = make_config()

# Every type's category key in CONFIG.
CATEGORY_OF = {
    "article": "notices",
    "duty": "duties",
    "fee": "fees",
    "procedure": "guides",
    "budget": "budgets",
    "appointment": "appointments",
    "work_report": "reports",
    "consultation": "consultations",
    "procurement": "procurement",
    "letter": "letters",
    "annual_report": "annual",
}


def num(year: int, seq: int, org: str = ORG) -> str:
    """An index number in the default pattern."""
    return f"{org}/{year}-{seq:05d}"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


_INDEX_LINE = re.compile(r"^(?:\ufeff)?[ ]*(?:index_no|索引号)\s*:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def problems(self) -> list[dict]:
        return json.loads(self.out)

    def codes(self) -> set[str]:
        return {p["code"] for p in self.problems}

    def of(self, code: str, path: str | None = None) -> list[dict]:
        return [p for p in self.problems if p["code"] == code and (path is None or p["path"] == path)]

    def one(self, code: str, path: str | None = None) -> dict:
        found = self.of(code, path)
        assert len(found) == 1, f"expected one {code} problem, got {found}\nall: {self.problems}"
        return found[0]

    def at(self, code: str, path: str | None = None) -> tuple[int, int]:
        problem = self.one(code, path)
        return problem["line"], problem["col"]

    def errors(self) -> list[dict]:
        return [p for p in self.problems if p["level"] == "error"]


class SiteDir:
    def __init__(self, path: Path, capsys):
        self.path = path
        self._capsys = capsys

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        return target

    def read(self, rel: str) -> bytes:
        return (self.path / rel).read_bytes()

    def register(self, records: dict[str, str] | None = None) -> None:
        """Write content/.registry: exactly `records` ({number: path}) when given, else
        one line for every `index_no:` written in content/."""
        if records is None:
            records = {}
            for file in sorted((self.path / "content").rglob("*")):
                if file.suffix in (".yml", ".md") and file.is_file():
                    match = _INDEX_LINE.search(file.read_bytes().decode("utf-8", "replace"))
                    if match:
                        records.setdefault(match.group(1), file.relative_to(self.path).as_posix())
        lines = "".join(f"{number}\t{path}\n" for number, path in sorted(records.items()))
        self.write("content/.registry", lines)

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the site but gongkai's caches."""
        files = sorted(p for p in self.path.rglob("*") if p.is_file() and ".gongkai-cache" not in p.parts)
        return {p.relative_to(self.path).as_posix(): p.read_bytes() for p in files}

    def run(self, command: str, *args: str) -> Result:
        from generator.cli import main

        self._capsys.readouterr()
        code = main([command, "-s", str(self.path), *args])
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def check(self, *args: str) -> Result:
        return self.run("check", "--format", "json", *args)

    def load(self):
        """The `Site` after phase one, and its problems (for what the JSON does not show)."""
        from generator.load.site import load_site
        from generator.problems import Problems

        problems = Problems()
        return load_site(self.path, problems), problems


def gongkai_command() -> list[str]:
    script = Path(sys.executable).with_name("gongkai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "generator"]


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        gongkai_command() + list(args), cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )


def start_cli(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    """Start without waiting, to run several subprocesses side by side."""
    return subprocess.Popen(
        gongkai_command() + list(args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
    )


VALID_ITEMS = {
    "article": dedent(
        """
        ---
        title: 关于春节放假的通知
        published: 2024-02-01
        有效性: 有效
        ---

        春节放假安排如下。
        """
    ),
    "duty": dedent(
        """
        title: 机构职能
        published: 2024-01-02
        organization:
          name: 测试县人民政府办公室
          leader: 陈某某
        duties:
          - 负责文电、会务、机要
        departments:
          - {name: 秘书科, head: 王某, duties: [负责文电]}
        """
    ),
    "fee": dedent(
        """
        title: 不动产登记收费
        published: 2024-01-03
        department: 县自然资源和规划局
        items:
          - name: 不动产登记费
            standard: 住宅类每件80元
            amount: 80
            unit: 元/件
        """
    ),
    "procedure": dedent(
        """
        title: 政府信息公开申请
        published: 2024-03-01
        service:
          kind: 依申请公开
          legal_basis: [《中华人民共和国政府信息公开条例》]
          conditions: [公民、法人或者其他组织]
          materials:
            - {name: 申请表, copies: 1, original: 是}
          steps:
            - {name: 受理, days: 1}
            - {name: 答复, days: 15}
          legal_days: 20
          promised_days: 15
          fee: 不收费
          location: 县政务服务中心
          hours: 工作日 9:00-17:00
          phone: 0571-00000000
        """
    ),
    "budget": dedent(
        """
        title: 2024年部门预算
        published: 2024-02-01
        fiscal_year: 2024
        stage: 预算
        tables:
          - name: 收支总表
            income:
              - {item: 财政拨款收入, amount: 1200.50}
            expenditure:
              - {item: 一般公共服务支出, amount: 1200.50}
        three_public: {overseas: 0, vehicle_purchase: 0, vehicle_operation: 12.5, reception: 3.2, total: 15.7}
        """
    ),
    "appointment": dedent(
        """
        title: 干部任前公示
        published: 2024-06-03
        notice: {start: 2024-06-03, working_days: 5}
        persons:
          - {name: 张某某, gender: 男, birth: 1982-05, proposed_post: 青山县某某局局长}
        """
    ),
    "work_report": dedent(
        """
        title: 2024年5月工作计划与总结
        published: 2024-06-03
        period: 2024-05
        plans:
          - {task: 完成政府信息公开年报, status: 已完成}
        """
    ),
    "consultation": dedent(
        """
        ---
        title: 关于公开征求某某办法意见的公告
        published: 2024-10-08
        period: {start: 2024-10-08, end: 2024-11-07}
        channels: {email: yj@example.gov.cn, address: 测试县人民路1号}
        ---

        起草说明。
        """
    ),
    "procurement": dedent(
        """
        title: 物业管理服务项目中标结果公告
        published: 2024-05-24
        project:
          code: CG-2024-015
          name: 物业管理服务
          method: 公开招标
          category: 服务
          budget: 120.00
          stage: result
        result: {supplier: 测试物业服务有限公司, amount: 98.50, date: 2024-05-20}
        """
    ),
    "letter": dedent(
        """
        title: 关于疫苗接种预约的留言答复
        published: 2024-05-13
        letter: {received: 2024-05-06, channel: 网站, question: 请问怎样预约？}
        reply: {date: 2024-05-10, unit: 测试县卫生健康局, text: 可以电话预约。}
        """
    ),
    "annual_report": dedent(
        """
        ---
        title: 2023年政府信息公开工作年度报告
        published: 2024-01-20
        year: 2023
        proactive: {licensing: 12, fees_collected: 1.5}
        reviews:
          review: {upheld: 1}
        problems: 个别答复超过法定期限。
        ---
        2023年，本机关依法做好政府信息公开工作。
        """
    ),
}


def with_index(text: str, number: str) -> str:
    """`text` with `index_no: number` as its first field (after `---` in a .md file)."""
    if text.startswith("---\n"):
        return f"---\nindex_no: {number}\n" + text[4:]
    return f"index_no: {number}\n" + text


def item_path(ctype: str, name: str = "item") -> str:
    """Where a file of `ctype` goes in CONFIG's site."""
    from generator.model.registry import TYPES

    return f"content/{CATEGORY_OF[ctype]}/{name}{TYPES[ctype].suffix}"


DEMO_NOTICE = "content/notices/2022/2022-01-24-chunjie-jiaqi-gongzuo.md"  # a notice of the demo site
DEMO_REQUEST = """- no: 2024-901
  received: 2024-05-08
  channel: online
  applicant: natural
  subject: 申请公开本县2023年公共厕所改造项目清单
  replied: 2024-05-15
  outcome: disclosed
"""  # one more request in the demo's 2024 log: the figures of its 2024 年报 change


def copy_demo(target: Path) -> Path:
    """A copy of the demo site (the repository's site_config.yml, content, assets and the
    request log the 年报 count) at `target`."""
    demo = Path(__file__).resolve().parents[1]
    target.mkdir(parents=True)
    shutil.copy(demo / "site_config.yml", target)
    for folder in ("content", "assets", "records"):
        shutil.copytree(demo / folder, target / folder)
    return target


def retitle_demo_notice(site: Path, old: str, new: str) -> None:
    """Correct the title of DEMO_NOTICE as gongkai wants it: with a revision entry."""
    notice = site / DEMO_NOTICE
    head, body = notice.read_text(encoding="utf-8").replace(old, new, 1).split("\n---\n", 1)
    notice.write_text(head + "\nrevisions:\n  - date: 2024-10-01\n    note: 更正标题\n---\n" + body, encoding="utf-8")


# ---------------------------------------------------------------------------
# what the processes of one run share (tests/conftest.py makes and removes the folder)

SHARED = "GONGKAI_TESTS_SHARED"  # the folder, handed to the workers in their environment


def shared() -> Path:
    return Path(os.environ[SHARED])


def report_line(section: str, line: str) -> None:
    """A line for the summary printed at the end of the run (measured figures, findings)."""
    print(f"[{section}] {line}")
    with (shared() / f"report-{os.getpid()}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps([section, line], ensure_ascii=False) + "\n")


class QuietServer(http.server.ThreadingHTTPServer):
    """The static file servers of the tests: a browser that drops a connection in the
    middle of a response (a cancelled fetch, a page left) is not an error of the test,
    and its traceback would only clutter the run's output."""

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)
