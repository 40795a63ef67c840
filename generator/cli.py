"""The `gongkai` command. Each subcommand runs the pipeline stages in the order below.

    check    load → validate → check                        (print problems)
    number   load → validate → number                       (edit files in place)
    new      write a template file for a category
    build    load → validate → check → render → index → publish
    serve    build with drafts into a temporary folder and preview it
    publish  load → validate → check → append new versions to content/.register
    verify   check a built site (folder or URL) against its data/register.json
    schema   write the authoring JSON Schemas (editor completion for the YAML files)
    keys     make the Ed25519 key pair that signs the chain head
    init     start a new office's site (config, categories, pages, git and CI files)
    docs     print the content model (docs/content-model.md)

Exit codes: 0 clean (warnings allowed), 1 content errors, 2 usage, unreadable config, or a
fault of the output (a full disk, a read-only folder, another build writing it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import threading
from difflib import get_close_matches
from pathlib import Path

from generator import __version__
from generator.output import LOCK_WAIT
from generator.problems import FORMATTERS, SHOWN_PER_CODE, Problems, format_text, summary

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2

# argparse's own messages (Python 3.11–3.13), in Chinese: (pattern, replacement).
_ARGPARSE_ZH = [
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1（用 -h 查看可用的选项）"),
    (r"one of the arguments (.*) is required", r"必须给出其中一个参数：\1"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)", r"参数 \1：没有 \2 这一项（可选：\3）"),
    (r"argument (.*?): invalid (\w+) value: (.*)", r"参数 \1：\3 不是有效的值（应为 \2）"),
    (r"argument (.*?): expected one argument", r"参数 \1 后面要写一个值"),
    (r"argument (.*?): expected at least one argument", r"参数 \1 后面至少要写一个值"),
    (r"argument (.*?): not allowed with argument (.*)", r"参数 \1 不能与 \2 同时使用"),
    (r"argument (.*?): ignored explicit argument (.*)", r"参数 \1 不接受值 \2"),
    (r"ambiguous option: (.*?) could match (.*)", r"选项 \1 不明确，可能是：\2"),
]
_TYPES_ZH = {"int": "整数", "float": "数字"}


class _ChineseHelp(argparse.HelpFormatter):
    """Usage and headings in Chinese."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage, headings, help and error messages in Chinese; an error
    names the command, says what is wrong and exits with 2 (never a traceback)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _ChineseHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助后退出")

    def format_help(self) -> str:
        return re.sub(r"^(\s*)(参数|选项|命令):$", r"\1\2：", super().format_help(), flags=re.M)

    def error(self, message: str):
        for pattern, replacement in _ARGPARSE_ZH:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        for english, chinese in _TYPES_ZH.items():
            message = message.replace(f"（应为 {english}）", f"（应为{chinese}）")
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：错误：{message}\n")


def _site_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-s", "--site", type=Path, default=Path("."), metavar="DIR", help="站点文件夹（含 site_config.yml），默认当前文件夹")


def _fresh_arg(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--fresh", action="store_true", help=f"不用 .gongkai-cache/ 中的缓存，{what}")


def _all_arg(parser: argparse.ArgumentParser) -> None:
    help_text = f"列出全部问题（文本格式默认每种问题只列前 {SHOWN_PER_CODE} 条，其余计数）"
    parser.add_argument("--all", action="store_true", help=help_text)


def _verbose_arg(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help=what)


def _since_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="REF", help="另与此 git 提交或分支比较登记簿（如 CI 中的目标分支）")


def _report(problems: Problems, fmt: str = "text", strict: bool = False, stream=None, every: bool = False):
    """Print the problems in `fmt`, in one write. The text form shows the first
    SHOWN_PER_CODE of each code and counts the rest, unless `every` (`--all`); the
    machine formats (json, github, gitlab) are always complete."""
    stream = stream or sys.stdout
    ordered = problems.sorted()
    if ordered or fmt in ("json", "gitlab"):  # a report file even when there is nothing to say
        per_code = None if every or fmt != "text" else SHOWN_PER_CODE
        text = format_text(ordered, strict, per_code) if fmt == "text" else FORMATTERS[fmt](ordered, strict)
        stream.write(text + "\n")
    if fmt == "text" and ordered:
        print(summary(problems, strict), file=sys.stderr)


def _site_dir(args, problems: Problems) -> Path | None:
    """The site folder of `-s`: a folder, or the site_config.yml inside it."""
    site_dir = args.site.resolve()
    if site_dir.is_dir():
        return site_dir  # the configuration's module (pydantic) is not imported for it
    from generator.config import CONFIG_FILE

    if site_dir.is_file() and site_dir.name == CONFIG_FILE:
        return site_dir.parent  # `-s site/site_config.yml` names its folder
    if site_dir.is_file():
        problems.error(str(args.site), None, "site-missing", f"{args.site} 是文件，不是站点文件夹", f"-s 后写含有 {CONFIG_FILE} 的文件夹")
        return None
    if not site_dir.is_dir():
        problems.error(str(args.site), None, "site-missing", f"站点文件夹 {args.site} 不存在", f"-s 后写含有 {CONFIG_FILE} 的文件夹")
        return None
    return site_dir


def _load(args, problems: Problems, check: bool = False):
    """The site of `-s`, loaded (None: unusable), its registers compared with git. With
    `check`, only the number of its entries: the last check may be replayed (`_checked`)."""
    site_dir = _site_dir(args, problems)
    if site_dir is None:
        return None
    compared = _Compared(site_dir, getattr(args, "since", None))  # git runs while the site loads
    fresh = getattr(args, "fresh", False)
    if fresh:
        from generator import sitememo

        sitememo.forget(site_dir)  # what the whole-site checks keep, too
    if check:
        site = _checked(site_dir, problems, fresh)
    else:
        from generator.load.site import load_site

        site = load_site(site_dir, problems, cache=not fresh)
    compared.join()
    if site is not None:  # an unusable configuration: nothing was compared before either
        problems.extend(compared.result())
    return site


def _checked(site_dir: Path, problems: Problems, fresh: bool) -> int | None:
    """`gongkai check`'s number of entries (None: an unusable configuration). When
    nothing it read changed, the last check is replayed before the configuration, the
    models and the checks are imported (load/checkmemo.py `replay_seen`); otherwise
    `check_site`, which may still replay after the discovery, or checks and records."""
    if not fresh:
        from generator.load import checkmemo

        memo = checkmemo.replay_seen(site_dir)
        if memo is not None:
            problems.extend(memo.seen.problems)  # the configuration's and the discovery's
            problems.extend(memo.problems)
            return memo.entries
    from generator.load.site import check_site

    return check_site(site_dir, problems, cache=not fresh)


class _Compared(threading.Thread):
    """`history.compare` (the registers only grow: their lines in git's HEAD are still
    there), in a thread: it waits on git processes, which take no CPU from the load."""

    def __init__(self, site_dir: Path, since: str | None):
        super().__init__(daemon=True)
        self.site_dir, self.since = site_dir, since
        self.problems, self.error = Problems(), None
        self.start()

    def run(self) -> None:
        try:
            from generator import history

            history.compare(self.site_dir, self.problems, self.since)
        except BaseException as exc:  # raised where the comparison used to run
            self.error = exc

    def result(self) -> list:
        self.join()
        if self.error is not None:
            raise self.error
        return self.problems.items


def cmd_check(args) -> int:
    problems = Problems()
    entries = _load(args, problems, check=True)
    _report(problems, args.format, args.strict, every=args.all)
    if entries is None:
        return EXIT_USAGE
    if problems.has_errors(args.strict):
        return EXIT_CONTENT
    if args.format == "text":
        print(f"检查通过：{entries} 个条目" + (f"，{len(problems)} 个警告" if len(problems) else ""), file=sys.stderr)
    return EXIT_OK


def cmd_number(args) -> int:
    from generator.checks import make_pattern
    from generator.numbering import RegistryError, assign

    problems = Problems()
    site = _load(args, problems)
    if site is None:
        _report(problems, every=args.all)
        return EXIT_USAGE
    pattern = make_pattern(site, problems)
    if pattern is None:
        _report(problems, every=args.all)
        return EXIT_USAGE
    try:
        from generator import progress
        from generator.history import known_numbers

        with progress.stage("number", size=len(site.entries)):
            done = assign(site, pattern, dry_run=args.check, problems=problems, known=known_numbers(site.site_dir))
    except RegistryError as exc:
        problems.error("content/.registry", (exc.line, 1), "registry-invalid", str(exc))
        _report(problems, every=args.all)
        return EXIT_CONTENT
    if args.check:
        missing = lambda pair: f"{pair[0].rel}:{pair[0].doc.pos(())[0]}:1: error: 缺少索引号（将编为 {pair[1]}） [index-missing]"
        _listed(done, args.verbose, "个条目缺少索引号", missing)  # the line of a file costs a parse: shown ones only
        return EXIT_CONTENT if done else EXIT_OK
    _listed(done, args.verbose, "个条目已编号", lambda pair: f"{pair[1]}\t{pair[0].rel}")
    not_written = [
        p for p in problems
        if p.code in ("index-insert", "number-write") or (p.code, p.path) == ("index-format", "content/.registry")
    ]  # fmt: skip
    if not_written:
        print(FORMATTERS["text"](not_written), file=sys.stderr)
    loaded = {e.rel for e in site.entries}  # a domain error (say budget-sum) does not stop numbering
    unreadable = {p.path for p in problems if p.level == "error" and p.path.startswith("content/") and p.path not in loaded and p.code not in ("index-missing", "index-conflict", "registry-invalid")}
    unreadable |= {p.path for p in not_written}
    print(f"已编号 {len(done)} 个条目" + (f"；{len(unreadable)} 个文件有错误未能编号，请先运行 gongkai check" if unreadable else ""), file=sys.stderr)
    return EXIT_CONTENT if unreadable else EXIT_OK


def cmd_new(args) -> int:
    from generator import scaffold, schema
    from generator.config import load_config
    from generator.load.site import build_sections
    from generator.model.registry import TYPES
    from generator.paths import leaves, site_root

    problems = Problems()
    site_dir = _site_dir(args, problems)
    config = load_config(site_dir, problems) if site_dir else None
    if config is None:
        _report(problems)
        return EXIT_USAGE
    sections, _ = build_sections(config)
    by_title = {s.title: s for s in sections.values()}
    section = sections.get(args.category) or by_title.get(args.category.strip())
    if section is None:
        close = get_close_matches(args.category, [*sections, *by_title], n=1, cutoff=0.5)
        hint = f"是不是 {close[0]}？" if close else ""
        names = "、".join(f"{key}（{section.title}）" for key, section in sections.items())
        print(f"gongkai new: 没有栏目“{args.category}”。{hint}可用栏目：{names}", file=sys.stderr)
        return EXIT_USAGE
    title = args.title.strip()
    if not title:
        print("gongkai new: 标题不能为空", file=sys.stderr)
        return EXIT_USAGE
    ctype = TYPES[section.type]
    today = dt.date.today()
    folder = config.content_dir / "/".join(s.key for s in section.trail[-1:])
    path = scaffold.new_path(folder, ctype, title, today, from_title=args.name_from_title)
    if leaves(path, site_root(config.site_dir)):  # never write through a link out of the site
        rel = path.relative_to(config.site_dir).as_posix()
        problems.error(rel, None, "symlink-outside", f"“{rel}”经由链接指向站点文件夹之外，未写入", "删除这个链接，在站点文件夹中建立真实的文件夹")
        _report(problems, stream=sys.stderr)
        return EXIT_CONTENT
    path.parent.mkdir(parents=True, exist_ok=True)
    text = scaffold.render(ctype, title, zh=args.zh, today=today)
    if ctype.scaffold is not None:  # figures only the site knows (ContentType.scaffold)
        from generator.load.site import load_site

        text = ctype.scaffold(load_site(config.site_dir, Problems()), text, today)
    modeline = schema.modeline(path, config.site_dir, ctype.name)  # completion in VS Code (.yml only)
    path.write_text(f"{modeline}\n{text}" if modeline else text, encoding="utf-8")
    print(path.relative_to(config.site_dir).as_posix())
    print("已生成草稿（status: draft）：填好“（填写…）”提示后把状态改为 published", file=sys.stderr)
    return EXIT_OK


def cmd_build(args) -> int:
    import time

    import jinja2

    from generator import faults, look, servers
    from generator.build import ChainBroken, OutputError, build, cpu_times
    from generator.search import SearchError

    started, cpu_started = time.perf_counter(), cpu_times()
    problems = Problems()
    site = _load(args, problems)
    if site is None:
        _report(problems, stream=sys.stderr, every=args.all)
        return EXIT_USAGE
    if problems.has_errors(args.strict):
        _report(problems, strict=args.strict, stream=sys.stderr, every=args.all)
        print("内容有错误，未生成网站；上一次生成的网站保持不变。", file=sys.stderr)
        return EXIT_CONTENT
    signer = None if args.preview else _record_problems(site, problems)
    if problems.has_errors(args.strict):
        _report(problems, strict=args.strict, stream=sys.stderr, every=args.all)
        print("未生成网站；上一次生成的网站保持不变。", file=sys.stderr)
        return EXIT_CONTENT
    _report(problems, stream=sys.stderr, every=args.all)
    out = (args.output or site.site_dir / "site").resolve()
    server_dir = (args.server_config or servers.default_folder(out)).resolve()
    if args.server_config and server_dir.is_relative_to(out):
        print(f"gongkai build: 服务器配置不能写进网站文件夹 {out}：--server-config 请选网站之外的文件夹", file=sys.stderr)
        return EXIT_USAGE
    try:
        options = dict(drafts=args.drafts, jobs=args.jobs, fresh=args.fresh, wait=args.wait, preview=args.preview)
        result = build(site, out, signer=signer, headers_in_site=args.headers_in_site, **options)
        servers.write(server_dir, result.policy, site.config.site.url, result.admin_policy)
    except OutputError as exc:
        print(f"gongkai build: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ChainBroken as exc:
        for line in exc.problems:
            print(f"{out / 'data/register.json'}: {line}", file=sys.stderr)
        print("gongkai build: 新的发布登记没有完整包含此文件夹中已发布的登记（已发布的版本不能删除或改动），未生成网站", file=sys.stderr)
        return EXIT_CONTENT
    except (OSError, faults.OutputBusy) as exc:  # the machine, not the content: never a traceback
        is_busy = isinstance(exc, faults.OutputBusy)
        fault = faults.problem_of_busy(exc, site.site_dir) if is_busy else faults.problem_of(exc, site.site_dir, out)
        _report(Problems([fault]), stream=sys.stderr)
        return EXIT_USAGE
    except SearchError as exc:
        print(f"gongkai build: {exc}（上一次生成的网站保持不变）", file=sys.stderr)
        return EXIT_CONTENT
    except jinja2.TemplateError as exc:  # a template of the site's overrides/ (look.py)
        _report(Problems([look.template_problem(exc)]), stream=sys.stderr)
        return EXIT_CONTENT
    seconds = time.perf_counter() - started
    if args.profile:
        _print_profile(result, seconds, cpu_started, cpu_times())
    counts = "，".join(f"{site.sections[k].title} {n}" for k, n in result.per_category.items())
    how = f"更新了有变化的文件（重新生成 {result.rendered} 个条目页）" if result.update else "完整生成"
    print(f"已生成 {out}：{result.pages} 个页面，{how}，用时 {seconds:.1f} 秒", file=sys.stderr)
    print(f"各栏目条目数：{counts}", file=sys.stderr)
    print(f"服务器配置（nginx.conf、Caddyfile、_headers）已写入 {server_dir}", file=sys.stderr)
    return EXIT_OK


def _print_profile(result, seconds: float, cpu_started, cpu_ended) -> None:
    """`gongkai build --profile`: each stage's wall time and CPU time (of gongkai, of its
    worker processes and Pagefind: children count once they ended), then the same as one
    JSON line for benchmarks/run.py. load+check is what came before the first stage."""
    import json

    used = [sum(c[i] for c in result.cpu) for i in (0, 1)]
    rows = [("load+check", seconds - sum(t for _, t in result.timings),
             *(cpu_ended[i] - cpu_started[i] - used[i] for i in (0, 1)))]
    rows += [(name, spent, *cpu) for (name, spent), cpu in zip(result.timings, result.cpu)]
    print(f"{'阶段':<10}{'用时':>8}  {'CPU（本进程）':>8}  {'CPU（子进程）':>8}", file=sys.stderr)
    for name, wall, own, children in rows:
        print(f"{name:<12}{wall:8.2f} s{own:8.2f} s{children:8.2f} s", file=sys.stderr)
    profile = [{"stage": n, "wall": round(w, 3), "cpu": round(o, 3), "cpu_children": round(c, 3)}
               for n, w, o, c in rows]
    print(json.dumps({"profile": profile}, ensure_ascii=False), file=sys.stderr)


def _record_problems(site, problems: Problems):
    """Before a real build: every published item's current version must be in
    content/.register (`register-unrecorded`), and the signing key must be usable.
    Returns the signer (None for a site without a key)."""
    from generator import register, signing

    try:
        missing = register.unrecorded(site)
    except register.RegisterError:
        missing = []  # the register checks have reported it
    for entry, version in missing:
        what = "新条目" if version.version == 1 else f"第 {version.version} 版"
        problems.error(
            entry.rel, entry.doc.pos(("index_no",)) if entry.doc else None, "register-unrecorded",
            f"条目 {version.index_no} 的当前内容（{what}）尚未登记，不能发布到网站",
            "运行 gongkai publish 登记后提交，再生成；只想预览请用 gongkai build --preview 或 gongkai serve",
        )  # fmt: skip
    config = site.config.signing
    if config is None:
        return None
    try:
        signing.fingerprint(config.public_key)
        if config.fingerprint and config.fingerprint != signing.fingerprint(config.public_key):
            raise signing.SigningError(f"signing.fingerprint 应为 {signing.fingerprint(config.public_key)}")
        signer = signing.find_signer(site.site_dir, config.public_key, config.private_key_file)
    except signing.SigningError as exc:
        hint = "用 gongkai keys new 生成密钥对，公钥写入 signing.public_key"
        problems.error("site_config.yml", None, "signing-key", f"签名密钥不可用：{exc}", hint)
        return None
    if signer is None:
        problems.warning(
            "site_config.yml", None, "signing-key-missing",
            "配置了签名公钥（signing.public_key），但找不到私钥：这次生成的链头没有签名",
            f"设置环境变量 {signing.ENV_KEY}（CI 密钥），或把 signing.private_key_file 指向站点文件夹之外的私钥文件",
        )  # fmt: skip
    return signer


def cmd_keys(args) -> int:
    from generator import signing

    out = args.out.expanduser().resolve()
    site_dir = args.site.resolve()
    from generator.history import in_work_tree

    existing = next(p for p in [out.parent, *out.parent.parents] if p.exists())
    if signing.inside(out, site_dir) or in_work_tree(existing):
        print(f"gongkai keys: 私钥不能放在站点文件夹或仓库中（{args.out}）：请选站点文件夹之外的路径", file=sys.stderr)
        return EXIT_USAGE
    if out.exists():
        print(f"gongkai keys: {args.out} 已存在，不会覆盖", file=sys.stderr)
        return EXIT_USAGE
    seed, public = signing.new_key()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        signing.write_private(out, seed)
    except OSError as exc:
        print(f"gongkai keys: 无法写入 {args.out}：{exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"私钥已写入 {out}（仅本人可读，0600）；请妥善保管，不要提交到仓库。", file=sys.stderr)
    print(f"CI 中可把文件内容存为密钥，作为环境变量 {signing.ENV_KEY} 提供。", file=sys.stderr)
    print(f"公钥：{public}\n指纹：{signing.fingerprint(public)}\n在 site_config.yml 中加入：", file=sys.stderr)
    print(f"signing:\n  public_key: {public}\n  fingerprint: {signing.fingerprint(public)}\n  private_key_file: {out}")
    return EXIT_OK


def cmd_serve(args) -> int:
    from generator.serve import serve

    problems = Problems()
    site_dir = _site_dir(args, problems)
    if site_dir is None:
        _report(problems, stream=sys.stderr)
        return EXIT_USAGE
    return serve(site_dir, args.host, args.port, tuple(args.allow_host))


def cmd_publish(args) -> int:
    from generator import register

    problems = Problems()
    site = _load(args, problems)
    if site is None:
        _report(problems, stream=sys.stderr, every=args.all)
        return EXIT_USAGE
    if problems.has_errors():
        _report(problems, stream=sys.stderr, every=args.all)
        print("内容有错误，未登记；请先修正 gongkai check 报告的错误。", file=sys.stderr)
        return EXIT_CONTENT
    try:
        from generator import progress

        with progress.stage("register", size=len(site.entries)):
            added = register.publish(site, dry_run=args.check)
    except register.RegisterError as exc:
        problems.error(register.REGISTER_PATH, (exc.line, 1), "register-invalid", str(exc))
        _report(problems, stream=sys.stderr, every=args.all)
        return EXIT_CONTENT
    _listed(added, args.verbose, "个版本", lambda v: f"{v.index_no}\t第 {v.version} 版\t{v.date}\t{v.path}")
    if args.check:
        print(f"有 {len(added)} 个版本尚未登记{_kinds(added)}" if added else "登记簿已是最新", file=sys.stderr)
        return EXIT_CONTENT if added else EXIT_OK
    done = f"已登记 {len(added)} 个版本到 {register.REGISTER_PATH}{_kinds(added)}"
    print(done if added else "登记簿无变化", file=sys.stderr)
    return EXIT_OK


SHOWN_LINES = 10  # `publish` and `number` name this many versions or items; -v names them all


def _listed(items: list, verbose: bool, what: str, line) -> None:
    """Print `line(item)` for the first SHOWN_LINES of `items` (all with `verbose`) in one
    write, and count the rest on stderr: 100,000 versions are summarised, not listed."""
    shown = items if verbose else items[:SHOWN_LINES]
    if shown:
        sys.stdout.write("".join(f"{line(item)}\n" for item in shown))
    if len(items) > len(shown):
        print(f"……另有 {len(items) - len(shown)} {what}未列出；用 -v 查看全部", file=sys.stderr)


def _kinds(added) -> str:
    """`（新发布 N、修订 M、撤回 K）`: the versions by kind (a withdrawal is a version
    that carries its withdrawal date; a revision any later version)."""
    counts = {"新发布": 0, "修订": 0, "撤回": 0}
    for version in added:
        counts["撤回" if version.withdrawn else "新发布" if version.version == 1 else "修订"] += 1
    return "（" + "、".join(f"{kind} {n}" for kind, n in counts.items() if n) + "）"


def cmd_verify(args) -> int:
    from generator import verify

    return verify.main(args.target, timeout=args.timeout, extends=args.extends, key=args.key)


def cmd_docs(args) -> int:
    from generator.docs import content_model_markdown

    text = content_model_markdown()
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"无法写入 {args.output}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"已写入 {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_audit(args) -> int:
    from generator.audit import audit
    from generator.build import build_date

    problems = Problems()
    site = _load(args, problems)
    if site is None:
        _report(problems, args.format, every=args.all)
        return EXIT_USAGE
    today = build_date(site)
    audit(site, problems, today, args.year)
    _report(problems, args.format, every=args.all)
    if args.output is not None:
        from generator.audit import refused_report_dir, write_html

        refusal = refused_report_dir(site, args.output)
        if refusal:
            print(f"gongkai audit: 不能把报告写到 {args.output}：{refusal}（报告含申请编号，不能进入网站或内容）", file=sys.stderr)
            return EXIT_USAGE
        try:
            print(f"已写入 {write_html(problems, args.output, today)}", file=sys.stderr)
        except OSError as exc:
            print(f"gongkai audit: 无法写入 {args.output}：{exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_CONTENT if problems.has_errors() else EXIT_OK


def cmd_init(args) -> int:
    from generator import init

    answers = init.Answers(args.name or "", args.org_code or "", args.url or "", args.preset, args.zh)
    try:
        if not (args.name and args.org_code and args.url):  # ask for what the flags did not give
            if not sys.stdin.isatty() and not args.interactive:
                raise init.InitError("缺少 --name、--org-code 或 --url（不在终端中运行时不能逐项询问）")
            answers = init.ask(answers, write=lambda text: print(text, file=sys.stderr))
        written, kept = init.init(args.dir, answers, force=args.force)
    except init.InitError as exc:
        print(f"gongkai init：{exc}；未写入任何文件", file=sys.stderr)
        return EXIT_USAGE
    except EOFError:
        print("gongkai init：输入已结束，未写入任何文件", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"gongkai init：无法写入 {exc.filename or args.dir}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    for rel in written:
        print(rel)
    for rel in kept:
        print(f"已存在，未覆盖：{rel}", file=sys.stderr)
    print(f"已在 {args.dir} 建立站点：运行 gongkai check -s {args.dir}，再用 gongkai new 添加条目", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args) -> int:
    from generator.schema import write_schemas

    try:
        written = write_schemas(args.output)
    except OSError as exc:
        print(f"无法写入 {args.output}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"已写入 {len(written)} 个 JSON Schema 到 {args.output}", file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="gongkai", description="政府信息公开静态网站生成器")
    parser.add_argument("--version", action="version", version=f"gongkai {__version__}", help="显示版本号后退出")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令", help="gongkai 命令 -h 查看各命令的说明")

    init = sub.add_parser("init", help="在新文件夹中建立一个站点（配置、栏目、说明页、CI 模板）")
    init.add_argument("dir", type=Path, metavar="文件夹", help="新站点的文件夹（不存在则新建）")
    init.add_argument("--name", help="机关名称，如 临江市民政局")
    init.add_argument("--org-code", help="统一社会信用代码（18 位）或组织机构代码（9 位）")
    init.add_argument("--url", help="网站地址，如 https://mzj.linjiang.gov.cn/")
    init.add_argument("--preset", default="standard", choices=["standard", "minimal"], help="栏目预设：standard（常用栏目，默认）或 minimal（少量栏目）")
    init.add_argument("--zh", action="store_true", help="site_config.yml 使用中文字段名")
    init.add_argument("--force", action="store_true", help="文件夹不空时也写入（已有的文件不会被覆盖）")
    init.add_argument("--interactive", action="store_true", help="逐项询问（在终端中运行且缺少参数时默认如此）")
    init.set_defaults(func=cmd_init)

    check = sub.add_parser("check", help="检查 site_config.yml 和 content/ 下的全部内容")
    _site_arg(check)
    check.add_argument("--strict", action="store_true", help="把警告也当作错误")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="输出格式：text（默认）、json、github（GitHub 注释）、gitlab（GitLab 代码质量报告）")
    _fresh_arg(check, "重新读取每个文件")
    _all_arg(check)
    _since_arg(check)
    check.set_defaults(func=cmd_check)

    number = sub.add_parser("number", help="为缺少索引号的已发布条目生成索引号")
    _site_arg(number)
    number.add_argument("--check", action="store_true", help="只报告缺少索引号的条目，不修改文件")
    _verbose_arg(number, "列出每个编号的条目（默认只列前几个和总数）")
    _all_arg(number)
    number.set_defaults(func=cmd_number)

    new = sub.add_parser("new", help="按栏目类型生成一个新条目文件")
    _site_arg(new)
    new.add_argument("category", metavar="栏目", help="栏目键或栏目名称，如 notices 或 通知公告")
    new.add_argument("title", metavar="标题", help="条目标题，如 \"关于2025年春节放假的通知\"")
    new.add_argument("--zh", action="store_true", help="使用中文字段名")
    new.add_argument("--name-from-title", action="store_true", help="文件名取自标题（可含中文）；默认为日期加英文字母或序号")
    new.set_defaults(func=cmd_new)

    build = sub.add_parser("build", help="检查内容并生成静态网站")
    _site_arg(build)
    build.add_argument("-o", "--output", type=Path, metavar="OUT", help="输出文件夹，默认为 站点文件夹/site")
    build.add_argument("--drafts", action="store_true", help="包含草稿（仅用于预览）")
    build.add_argument("--strict", action="store_true", help="有警告也不生成")
    build.add_argument("--profile", action="store_true", help="显示各阶段用时和 CPU 时间（末行为 JSON）")
    _all_arg(build)
    build.add_argument("-j", "--jobs", type=int, default=None, help="并行进程数，默认为 CPU 核数")
    _fresh_arg(build, "重新读取每个文件、重新生成每个页面和搜索索引（也用于修复被改动的线上文件）")
    wait_help = f"另一个构建正在写入同一输出文件夹时最多等待的秒数，默认 {LOCK_WAIT:g}；0 表示不等待"
    build.add_argument("--wait", type=float, default=LOCK_WAIT, metavar="SECONDS", help=wait_help)
    _since_arg(build)
    build.add_argument("--preview", action="store_true", help="预览：未登记的版本也生成（加“预览”横幅），不写 data/register.json")
    build.add_argument(
        "--server-config", type=Path, metavar="DIR",
        help="把 nginx、Caddy 配置和 _headers 写到此文件夹；默认写在输出文件夹旁的 OUT-server/（不在网站中）",
    )  # fmt: skip
    build.add_argument("--headers-in-site", action="store_true", help="另把 _headers 放进网站根目录（供读取它的托管平台）")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="本地预览（含草稿，修改后自动刷新）")
    _site_arg(serve)
    serve.add_argument("--host", default="127.0.0.1", help="监听的地址，默认 127.0.0.1（只有本机可访问）")
    serve.add_argument("--port", type=int, default=8000, help="端口，默认 8000")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME", help="另外接受的主机名（Host 请求头），可多次使用")
    serve.set_defaults(func=cmd_serve)

    publish = sub.add_parser("publish", help="把已发布条目的新版本登记到 content/.register（提交前运行）")
    _site_arg(publish)
    publish.add_argument("--check", action="store_true", help="只列出尚未登记的版本，不修改文件")
    _verbose_arg(publish, "列出每个登记的版本（默认只列前几个和各类数目）")
    _all_arg(publish)
    publish.set_defaults(func=cmd_publish)

    verify = sub.add_parser("verify", help="校验已生成的网站（文件夹或网址）与其发布登记是否一致")
    verify.add_argument("target", metavar="PATH-OR-URL", help="gongkai build 的输出文件夹，或网站地址 https://…")
    verify.add_argument("--timeout", type=float, default=15.0, help="每次网络请求的超时秒数，默认 15")
    verify.add_argument("--extends", metavar="OLD", help="上次保存的网站（文件夹或网址）：新的登记必须完整包含它的登记")
    verify.add_argument("--key", help="要求链头由此公钥（base64）或指纹签名")
    verify.set_defaults(func=cmd_verify)

    audit = sub.add_parser("audit", help="检查法定义务：逾期答复、年报、空白栏目、更新周期")
    _site_arg(audit)
    audit.add_argument("--year", type=int, metavar="Y", help="只检查该年收到的申请")
    audit.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="输出格式：text（默认）、json、github")
    _all_arg(audit)
    audit.add_argument("-o", "--output", type=Path, metavar="DIR", help="另写一份 HTML 报告到此文件夹（不能在网站或 content/ 之内）")
    audit.set_defaults(func=cmd_audit)

    docs = sub.add_parser("docs", help="输出内容模型说明（每种类型的每个字段，由模型生成的 Markdown）")
    docs.add_argument("-o", "--output", type=Path, metavar="FILE", help="写入文件，如 docs/content-model.md；默认输出到屏幕")
    docs.set_defaults(func=cmd_docs)

    schema = sub.add_parser("schema", help="输出编写用的 JSON Schema（每种类型一个，另有 site_config），供编辑器补全和检查")
    schema.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="写入的文件夹，如 schemas")
    schema.set_defaults(func=cmd_schema)

    keys = sub.add_parser("keys", help="签名密钥：gongkai keys new --out 站点外的路径")
    keys.add_argument("action", choices=["new"], help="new：生成 Ed25519 密钥对")
    _site_arg(keys)
    keys.add_argument("--out", type=Path, required=True, metavar="PATH", help="私钥文件（必须在站点文件夹之外）")
    keys.set_defaults(func=cmd_keys)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> None:
    """The console script: `main`, then leave without tearing down the interpreter.

    A build holds every entry of the site in memory; freeing them one by one at exit
    takes longer than a small site's whole update. Output is flushed first; nothing of
    gongkai's needs to run at exit (background deletes are separate processes)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)
