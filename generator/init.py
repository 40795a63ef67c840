"""`gongkai init DIR`: start the site of another office.

Writes a site that passes `gongkai check --strict` and builds with no broken link:
`site_config.yml` (every section, commented in Chinese; categories from a preset), the
free pages the footer links to (政府信息公开指南, 关于本站), the git files (`.gitignore`,
`.gitattributes` with `merge=union` for the registers, `.editorconfig`), a pre-commit
hook and CI templates for GitHub, GitLab and Gitea/Forgejo. The templates are package
data in `generator/templates/init/`. The answers (name, organisation code, address) are
checked before anything is written; a non-empty folder is refused unless `force`, and
an existing file is never overwritten (`add_file`, also for other commands that add a
file to a site, e.g. an editor's settings).
"""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from generator import __version__, orgcode
from generator.config import _SITE_URL, SiteConfigModel

TEMPLATES = Path(__file__).parent / "templates" / "init"

# (key, title, type, code, description, children). Types that do not exist yet are left
# out of the presets: 政府采购, 征求意见 and 留言答复 (no procurement, consultation or letter
# type), and 年报 is an `article` until an annual_report type exists.
PRESETS: dict[str, list[tuple]] = {
    "standard": [
        ("duties", "机构职能", "duty", "01", "本机关的职能、内设机构、负责人、办公地址、办公时间和联系方式", ()),
        ("policies", "政策文件", "article", "02", "本机关制发的行政规范性文件和其他政策文件，标注有效性", ()),
        ("plans", "规划计划", "article", "03", "国民经济和社会发展规划、专项规划、区域规划及相关政策", ()),
        ("notices", "通知公告", "article", "04", "本机关发布的通知、公告和通告", ()),
        ("guides", "办事指南", "procedure", "05", "政务服务事项的依据、条件、材料、流程和时限", ()),
        ("fees", "收费项目", "fee", "06", "行政事业性收费项目、收费标准和收费依据", ()),
        ("finance", "财政预决算", "budget", "07", "本部门预算、决算及“三公”经费", (
            ("budgets", "部门预算", "budget", "08", "经批准的本部门年度预算", ()),
            ("finals", "部门决算", "budget", "09", "经批准的本部门年度决算", ()),
        )),
        ("personnel", "人事信息", "appointment", "10", "干部任前公示等人事信息", ()),
        ("work-plans", "工作计划与总结", "work_report", "11", "每月的工作计划与完成情况", ()),
        ("annual-reports", "政府信息公开年报", "article", "12", "本机关政府信息公开工作年度报告", ()),
    ],
    "minimal": [
        ("notices", "通知公告", "article", "01", "本机关发布的通知、公告和通告", ()),
        ("policies", "政策文件", "article", "02", "本机关制发的行政规范性文件和其他政策文件", ()),
        ("guides", "办事指南", "procedure", "03", "政务服务事项的依据、条件、材料、流程和时限", ()),
        ("annual-reports", "政府信息公开年报", "article", "04", "本机关政府信息公开工作年度报告", ()),
    ],
}

# template (under TEMPLATES) → file in the new site
FILES = {
    "site_config.yml": "site_config.yml",
    "pages/guide.md": "content/pages/gongkai-zhinan.md",
    "pages/about.md": "content/pages/about.md",
    "gitignore": ".gitignore",
    "gitattributes": ".gitattributes",
    "editorconfig": ".editorconfig",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "ci/github.yml": ".github/workflows/gongkai.yml",
    "ci/gitlab-ci.yml": ".gitlab-ci.yml",
    "ci/gitea.yml": ".gitea/workflows/gongkai.yml",
}


class InitError(ValueError):
    """An answer that cannot start a site (shown in Chinese, nothing written)."""


@dataclass
class Answers:
    name: str
    org_code: str
    url: str
    preset: str = "standard"
    zh: bool = False  # Chinese keys in site_config.yml


def check_name(value: str) -> str:
    value = value.strip()
    if not value or "\n" in value:
        raise InitError("机关名称不能为空，如 临江市民政局")
    return value


def check_org_code(value: str) -> str:
    problem = orgcode.explain(value)
    if problem:
        raise InitError(f"机构代码“{value.strip()}”无效：{problem}（GB 32100 / GB 11714）")
    return value.strip().upper()


def check_url(value: str) -> str:
    value = value.strip()
    if not _SITE_URL.fullmatch(value):
        raise InitError(f"“{value}”不是完整网址：应为 http:// 或 https:// 加域名（可带路径），如 https://www.example.gov.cn/")
    return value if value.endswith("/") else value + "/"


def check_preset(value: str) -> str:
    value = value.strip()
    if value not in PRESETS:
        raise InitError(f"没有预设“{value}”，可选：{'、'.join(PRESETS)}")
    return value


def checked(answers: Answers) -> Answers:
    """The answers, normalised; InitError for the first one that is wrong."""
    return Answers(
        check_name(answers.name), check_org_code(answers.org_code), check_url(answers.url),
        check_preset(answers.preset), answers.zh,
    )  # fmt: skip


def ask(answers: Answers, read=input, write=print) -> Answers:
    """Ask for every answer in Chinese, each with its default in [brackets]; a wrong
    answer is explained and asked again."""
    questions = [
        ("name", "机关名称", check_name),
        ("org_code", "统一社会信用代码（18 位）或组织机构代码（9 位）", check_org_code),
        ("url", "网站地址，如 https://www.example.gov.cn/", check_url),
        ("preset", f"栏目预设（{' 或 '.join(PRESETS)}）", check_preset),
    ]
    values = dict(vars(answers))
    for field, prompt, check in questions:
        while True:
            default = values.get(field) or ""
            reply = read(f"{prompt} [{default}]：").strip() or default
            try:
                values[field] = check(reply)
                break
            except InitError as exc:
                write(f"  {exc}")
    return Answers(**values)


def _yaml(value: str) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def _categories(preset: str) -> str:
    def lines(entries, indent: str) -> list[str]:
        out = []
        for key, title, ctype, code, description, children in entries:
            out += [f"{indent}- key: {key}", f"{indent}  title: {title}", f"{indent}  type: {ctype}"]
            out += [f"{indent}  code: {_yaml(code)}", f"{indent}  description: {description}"]
            if children:
                out += [f"{indent}  children:"] + lines(children, indent + "    ")
            out.append("")
        return out

    return "\n".join(lines(PRESETS[preset], "  "))


def _walk(entries):
    for entry in entries:
        yield entry
        yield from _walk(entry[5])


def render(answers: Answers) -> dict[str, str]:
    """{path in the new site: text} of every file `gongkai init` writes."""
    titles = "、".join(title for _, title, *_ in _walk(PRESETS[answers.preset]))
    values = {
        "NAME": answers.name,
        "ORG_CODE": _yaml(answers.org_code),
        "URL": answers.url,
        "CATEGORIES": _categories(answers.preset),
        "TITLES": titles,
        "CONTACT": f"如对本网站或政府信息公开工作有意见和建议，请与{answers.name}联系。",
        "REQUIREMENT": f"gongkai=={__version__}",
    }
    files = {}
    for template, target in FILES.items():
        text = (TEMPLATES / template).read_text(encoding="utf-8")
        for name, value in values.items():
            text = text.replace(f"%%{name}%%", value)
        files[target] = text
    if answers.zh:
        files["site_config.yml"] = chinese_keys(files["site_config.yml"], SiteConfigModel)
    return files


def _submodel(annotation) -> type[BaseModel] | None:
    """The model inside `Model`, `Model | None` or `list[Model]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def chinese_keys(text: str, model: type[BaseModel]) -> str:
    """`text` (YAML written by us: one key per line, two-space indents, comments kept)
    with every key, commented-out ones too, replaced by its Chinese label (the field's
    `title`, the name the loader accepts in its place)."""
    import re

    line_re = re.compile(r"^(?P<lead>\s*(?:#\s?)?\s*)(?P<dash>- )?(?P<key>[a-z_]+):(?P<rest>.*)$")
    stack: list[tuple[int, type[BaseModel]]] = [(-1, model)]
    out = []
    for line in text.splitlines():
        match = line_re.match(line)
        if not match:
            out.append(line)
            continue
        lead = match.group("lead")
        indent = len(lead) - (2 if "#" in lead else 0) + (2 if match.group("dash") else 0)  # "# key:" as "key:"
        while len(stack) > 1 and stack[-1][0] >= indent:
            stack.pop()
        fields = stack[-1][1].model_fields
        key = match.group("key")
        if key not in fields:
            out.append(line)
            continue
        inner = _submodel(fields[key].annotation)
        if inner is not None:
            stack.append((indent, inner))
        label = fields[key].title or key
        out.append(f"{match.group('lead')}{match.group('dash') or ''}{label}:{match.group('rest')}")
    return "\n".join(out) + "\n"


def add_file(site_dir: Path, rel: str, text: str) -> bool:
    """Write `text` to `site_dir/rel` unless that file exists: never overwrites. True
    when written. For `gongkai init` and any command that adds a file to a site."""
    path = site_dir / rel
    if path.exists() or path.is_symlink():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": never replaces a file
        handle.write(text)
    return True


def init(site_dir: Path, answers: Answers, force: bool = False) -> tuple[list[str], list[str]]:
    """Write a new site into `site_dir`: (files written, files kept because they exist).
    InitError, before anything is written, for a wrong answer or a non-empty folder
    without `force`."""
    answers = checked(answers)
    if site_dir.exists() and not site_dir.is_dir():
        raise InitError(f"{site_dir} 是文件，不是文件夹")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not force:
        raise InitError(f"文件夹 {site_dir} 不是空的：加 --force 在其中补写缺少的文件（已有的文件不会被覆盖）")
    written, kept = [], []
    for rel, text in render(answers).items():
        (written if add_file(site_dir, rel, text) else kept).append(rel)
    for rel, text in editor_files(site_dir).items():  # completion and checks in VS Code
        (written if add_file(site_dir, rel, text) else kept).append(rel)
    return written, kept


def editor_files(site_dir: Path) -> dict[str, str]:
    """The authoring JSON Schemas (`schemas/`) and `.vscode/settings.json` mapping each
    content folder to its type's schema, for the site just written (schema.py)."""
    import json

    from generator import schema
    from generator.config import load_config
    from generator.problems import Problems

    config = load_config(site_dir, Problems())
    if config is None:  # cannot happen for what `render` wrote; never a reason to fail init
        return {}
    files = {f"{schema.SCHEMA_DIR}/{name}": schema.dumps(value) for name, value in schema.all_schemas().items()}
    files[".vscode/settings.json"] = json.dumps(schema.vscode_settings(config), ensure_ascii=False, indent=2) + "\n"
    return files
