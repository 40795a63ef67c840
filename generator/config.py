"""`site_config.yml`: the site's identity, organisation, footer, numbering and categories."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from generator import orgcode
from generator.load.aliases import normalize
from generator.load.documents import LoadProblem, load_document
from generator.model.base import Invalid, Schema, ZhEnum, label
from generator.model.registry import TYPES
from generator.model.validate import validate
from generator.problems import Problems

CONFIG_FILE = "site_config.yml"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# http(s)://host[:port][/path]: a host of letters, digits, "-" and "."; a path of
# unreserved characters and percent escapes.
_SITE_URL = re.compile(
    r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
    r"(?:/(?:[A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})*)?"
)
RESERVED_KEYS = {
    "pages", "attachments", "i", "data", "assets", "search", "catalogue", "feeds", "subscribe", "pagefind", "admin",
}  # fmt: skip


class SiteInfo(Schema):
    name: str = label("名称", "网站名称")
    url: str = label("网址", "网站根地址，如 https://www.example.gov.cn/")
    language: str = label("语言", "zh 或 en", "zh", pattern="^(zh|en)$")
    timezone: str = label("时区", "如 Asia/Shanghai", "Asia/Shanghai")
    description: str = label("简介", "网站简介", "")
    logo: str | None = label("标志", "站点文件夹中的标志图片，显示在页头，也作网站图标，如 assets/logo.png", None)
    favicon: str | None = label("网站图标", "站点文件夹中的网站图标（默认用标志）", None)
    color: str | None = label("主色", "页头、链接和按钮的颜色，如 \"#1F5A96\"；与白色文字的对比度须达 4.5:1", None)

    @field_validator("logo", "favicon")
    @classmethod
    def _picture(cls, value: str | None, info) -> str | None:
        from generator import look

        return None if value is None else look.check_file(value, "标志" if info.field_name == "logo" else "网站图标")

    @field_validator("color")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        from generator import look

        return None if value is None else look.check_color(value)

    @field_validator("url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        # The address reaches robots.txt, the sitemap, feeds and canonical links verbatim:
        # scheme, host, optional port and path, nothing after it (no query, fragment,
        # space, newline or quote).
        if not _SITE_URL.fullmatch(value):
            raise ValueError(
                f"“{value.strip()[:60]}”不是完整网址：应为 http:// 或 https:// 加域名（可带端口和路径），"
                "其后不能有空格、换行、引号、“?”或“#”，如 https://www.example.gov.cn/"
            )
        return value if value.endswith("/") else value + "/"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知时区“{value}”，如 Asia/Shanghai") from None
        return value


class Organization(Schema):
    name: str = label("名称", "目录维护机关名称")
    code: str = label("代码", "统一社会信用代码（18 位）或组织机构代码（9 位）")
    address: str | None = label("地址", "办公地址", None)
    postcode: str | None = label("邮编", "邮政编码", None)
    phone: str | None = label("电话", "联系电话", None)
    email: str | None = label("电子邮箱", "电子邮箱", None)
    hours: str | None = label("办公时间", "办公时间", None)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        problem = orgcode.explain(value)
        if problem:
            raise Invalid("org-code", f"机构代码无效：{problem}")
        return value.upper()


class Identity(Schema):
    sponsor: str = label("主办单位", "主办单位")
    organizer: str | None = label("承办单位", "承办单位", None)
    site_code: str | None = label("网站标识码", "10 位网站标识码", None, pattern=r"^[0-9A-Za-z]{10}$")
    icp: str | None = label("ICP备案号", "如 浙ICP备00000000号", None)
    public_security: str | None = label("公安备案号", "如 浙公网安备33010000000000号", None)


class IndexNumber(Schema):
    pattern: str = label("格式", "占位符 org, year, yearmonth, category_code, seq", "{org}/{year}-{seq:05d}")
    org: str | None = label("前段码", "默认为 organization.code", None)

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        from generator.numbering import IndexPattern, PatternError

        try:
            IndexPattern(value, "ORG")
        except PatternError as exc:
            raise Invalid("index-pattern", str(exc)) from None
        return value

    @field_validator("org")
    @classmethod
    def _org(cls, value: str | None) -> str | None:
        if value is not None and (not re.fullmatch(r"[0-9A-Za-z._-]+", value) or not value.strip(".")):
            raise Invalid("index-pattern", "前段码只能用字母、数字和 . _ -（不能只有“.”），不能为空，不能含有“/”或空格")
        return value


class Channel(Schema):
    phone: str | None = label("电话", "电话", None)
    email: str | None = label("电子邮箱", "电子邮箱", None)
    address: str | None = label("地址", "地址", None)
    url: str | None = label(
        "网址", "在线提交意见的网址（如互动交流平台），可用占位符 {index_no} 索引号、{title} 标题", None,
        pattern=r"^https?://[^\s\"'<>]+$",
    )  # fmt: skip


class Letters(Schema):
    reply_days: int = label("答复时限", "留言答复时限（工作日），超过时检查给出警告", 5, ge=1, le=60)


class CountsAs(ZhEnum):
    """年报 section 二: which row the items of a category are counted in."""

    normative = ("normative", "行政规范性文件")
    rules = ("rules", "规章")


class Category(Schema):
    key: str = label("键", "文件夹名与网址段，小写字母、数字、- 或 _")
    title: str = label("标题", "栏目名称")
    type: str = label("类型", ", ".join(TYPES))
    code: str | None = label("代码", "用于索引号的 {category_code}：字母、数字、- 或 _", None, pattern=r"^[0-9A-Za-z_-]+$")
    description: str = label("简介", "栏目简介", "")
    children: list[Category] = label("子栏目", "子栏目", [])
    counts_as: CountsAs | None = label("年报统计口径", "normative 行政规范性文件 | rules 规章：本栏目条目计入年报第二部分", None)
    update_within: int | None = label("更新周期", "天数：最新条目早于此天数时 gongkai audit 提出警告", None, ge=1, le=3660)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError("栏目键只能用小写字母、数字、- 和 _，如 notices")
        if value in RESERVED_KEYS:
            raise ValueError(f"“{value}”是保留名称，请换一个栏目键")
        return value

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in TYPES:
            raise ValueError(f"未知类型“{value}”，可选：{', '.join(TYPES)}")
        return value


class Attachments(Schema):
    allow_types: list[str] = label(
        "允许类型", "在默认允许的附件类型之外再允许的扩展名，如 [svg]；网页和脚本会在本站域名下运行，慎用", []
    )

    @field_validator("allow_types")
    @classmethod
    def _extensions(cls, value: list[str]) -> list[str]:
        names = [v.strip().lstrip(".").lower() for v in value]
        for name in names:
            if not re.fullmatch(r"[a-z0-9]+", name):
                raise ValueError(f"“{name}”不是扩展名：只写字母和数字，如 svg")
        return names


class Signing(Schema):
    """The key that signs the chain head (generator/signing.py); the private key is never here."""

    public_key: str = label("公钥", "Ed25519 公钥（base64），由 gongkai keys new 生成")
    private_key_file: str | None = label("私钥文件", "站点文件夹之外的私钥文件路径；或用环境变量 GONGKAI_SIGNING_KEY", None)
    fingerprint: str | None = label("指纹", "公钥指纹（仅供显示，由公钥算出）", None)


class CmsBackend(ZhEnum):
    github = ("github", "GitHub")
    gitlab = ("gitlab", "GitLab")
    gitea = ("gitea", "Gitea")
    local = ("local", "本地")


class Cms(Schema):
    """The web editor at /admin/ (Decap CMS, generator/cms.py): where it commits."""

    backend: CmsBackend = label("后端", "github | gitlab | gitea | local（本地，decap-server，仅用于预览和测试）")
    repo: str | None = label(
        "仓库", "owner/name，如 qingshan/gongkai-site（local 时不填）", None, pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$"
    )
    branch: str = label("分支", "内容所在的分支", "main", pattern=r"^[A-Za-z0-9_./-]+$")
    base_url: str | None = label("认证地址", "OAuth 认证服务的地址（GitHub 需自备，如 https://auth.example.gov.cn）", None)
    api_root: str | None = label("API 地址", "自建 GitLab / Gitea 的 API 地址，如 https://git.example.gov.cn/api/v1", None)
    app_id: str | None = label("应用 ID", "GitLab / Gitea 中为编辑器注册的 OAuth 应用 ID", None)
    local_url: str = label("本地后端地址", "decap-server 的地址（本机）", "http://localhost:8081/api/v1")
    local_backend: bool = label("本地预览", "在本机打开 /admin/ 时改用 decap-server（npx decap-server）", True)

    @field_validator("base_url", "api_root", "local_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _SITE_URL.fullmatch(value):
            raise ValueError(f"“{value.strip()[:60]}”不是完整网址：应为 http:// 或 https:// 加域名（可带端口和路径）")
        return value

    @model_validator(mode="after")
    def _repo_needed(self):
        if self.backend is not CmsBackend.local and not self.repo:
            raise ValueError(f"后端为 {self.backend.value} 时要写 repo（仓库，如 owner/name）")
        return self


class SiteConfigModel(Schema):
    site: SiteInfo = label("网站", "网站名称、网址、语言、时区")
    organization: Organization = label("机关", "维护信息公开目录的机关")
    identity: Identity = label("网站标识", "页脚：主办单位、网站标识码、ICP 备案号、公安备案号")
    index_number: IndexNumber = Field(default_factory=IndexNumber, title="索引号", description="索引号的格式")
    feedback: Channel | None = label("意见反馈", "对任一条目提意见、报错的默认渠道", None)
    categories: list[Category] = label("栏目", "栏目列表；栏目可用 children 嵌套", min_length=1)
    require_review: bool = label("需要审核", "发布前必须填写 review", False)
    own_domains: list[str] = label("本站域名", "隐私检查时视为本机关的邮箱域名", [])
    attachments: Attachments = Field(default_factory=Attachments, title="附件", description="附件设置：allow_types 额外允许的类型")
    signing: Signing | None = label("签名", "发布登记链头的签名密钥", None)
    letters: Letters = Field(default_factory=Letters, title="留言答复", description="留言答复设置：reply_days 答复时限（工作日）")
    cms: Cms | None = label("网页编辑器", "在 /admin/ 提供网页编辑器（Decap CMS）：backend 后端, repo 仓库, branch 分支", None)


def walk_categories(categories: list[Category], parent: Category | None = None):
    for category in categories:
        yield category
        yield from walk_categories(category.children, category)


@dataclass
class SiteConfig:
    """The validated configuration and where it came from."""

    site_dir: Path
    model: SiteConfigModel

    @cached_property
    def content_dir(self) -> Path:
        return self.site_dir / "content"

    @property
    def org_prefix(self) -> str:
        return self.model.index_number.org or self.model.organization.code

    def __getattr__(self, name):
        return getattr(self.model, name)


def load_config(site_dir: Path, problems: Problems) -> SiteConfig | None:
    """Read and validate site_config.yml; None (with problems) when it is unusable."""
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        problems.error(CONFIG_FILE, None, "config-missing", f"找不到 {CONFIG_FILE}", "用 -s 指定站点文件夹，或在站点文件夹中运行")
        return None
    try:
        doc = load_document(path, site_dir)
    except LoadProblem as exc:
        hint = exc.hint
        if exc.code == "empty-file":  # the hint for an item file (gongkai new …) does not apply here
            hint = f"{CONFIG_FILE} 至少要写 site、organization、identity 和 categories 四部分；可从示例站点复制一份再改"
        problems.error(CONFIG_FILE, (exc.line, exc.col), exc.code, f"{CONFIG_FILE}：{exc.message}", hint)
        return None
    for problem in normalize(doc, SiteConfigModel):
        problems.error(CONFIG_FILE, problem.pos, "config-" + problem.code, problem.message, problem.hint)
    model, errors = validate(doc, SiteConfigModel)
    for problem in errors:
        code = problem.code if problem.code not in ("invalid-value", "missing-field") else "config-" + problem.code
        problems.error(CONFIG_FILE, problem.pos, code, problem.message, problem.hint)
    if model is not None:
        _unique_keys(model, doc, problems)
        from generator import look

        for name, message in look.missing_files(site_dir, model.site):  # site.logo, site.favicon
            problems.error(CONFIG_FILE, doc.pos(("site", name)), "config-file-missing", message, "把图片放进站点文件夹（如 assets/），写它的相对路径")
    if model is None or problems.has_errors():
        return None
    return SiteConfig(site_dir=site_dir, model=model)


def named_files(config: SiteConfig) -> list[Path]:
    """The files besides site_config.yml whose state `load_config` reports on: the logo
    and the favicon (`look.missing_files`). A check is replayed (load/checkmemo.py) only
    while they are as they were."""
    info = config.model.site
    return [config.site_dir / value for value in (info.logo, info.favicon) if value is not None]


def _unique_keys(model: SiteConfigModel, doc, problems: Problems) -> None:
    """Category keys name folders and URLs: each once in the whole tree (reported at the line)."""
    seen: dict[str, int] = {}

    def walk(categories: list[Category], path: tuple) -> None:
        for i, category in enumerate(categories):
            pos = doc.pos(path + (i, "key"))
            if category.key in seen:
                problems.error(
                    CONFIG_FILE, pos, "config-invalid-value", f"栏目键“{category.key}”重复（第 {seen[category.key]} 行已用过）", "每个栏目的键必须不同"
                )
            seen.setdefault(category.key, pos[0])
            walk(category.children, path + (i, "children"))

    walk(model.categories, ("categories",))
