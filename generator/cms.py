"""The web editor at `/admin/`: Decap CMS, self-hosted, configured from the models.

When `site_config.yml` has a `cms:` section, a build writes `admin/index.html` (the page,
`theme/admin/index.html`), `admin/config.yml` (generated here) and Decap's own bundle,
copied from the npm package pinned in `tools/decap/` (`make` installs it): nothing is
loaded from another host. The configuration has one folder collection per category
(`content/<key>`), with the fields of the category's type read from its model through
`model/introspect.py` — Chinese labels, a widget by kind of value (date, select with
Chinese labels, number, Markdown, nested object and list) — so the editor can never offer
a field that `gongkai check` would refuse.

The editor commits files without `index_no`: numbers are issued in the repository by
`gongkai number` (and the version recorded by `gongkai publish`) after the editor's merge
request is merged (README, “网页编辑器”). `publish_mode: editorial_workflow` makes every
draft a branch and a merge request, which CI checks.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.config import CmsBackend, walk_categories
from generator.model import introspect
from generator.model.base import Status
from generator.model.registry import TYPES

ADMIN_DIR = "admin"
TEMPLATE = Path(__file__).parent / "theme" / "admin" / "index.html"
# The npm package's bundle (`make` runs `npm ci --prefix tools/decap`); GONGKAI_DECAP_DIR
# names another copy of `decap-cms/dist` (an installed gongkai has no tools/ folder).
BUNDLE_DIR = Path(__file__).resolve().parents[1] / "tools" / "decap" / "node_modules" / "decap-cms" / "dist"
MEDIA_FOLDER = "content/attachments"
PUBLIC_FOLDER = "attachments"
SKIP = {"index_no"}  # numbered in the repository by `gongkai number`, never by the editor
LONG_TEXT = {"summary", "resume", "reason", "note", "a", "description", "standard", "basis", "result"}
MARKDOWN = {"body", "notes"}
FILES = {"file", "form"}  # an attachment, a blank form: uploaded into content/attachments/
ROW_DEPTH = 3  # budget rows nest rows (类 → 款 → 项): the editor offers three levels
DATE_FORMAT = "YYYY-MM-DD"


class EditorMissing(ValueError):
    """The Decap CMS bundle is not installed: the build stops with this message."""


def bundle_dir() -> Path:
    return Path(os.environ.get("GONGKAI_DECAP_DIR") or BUNDLE_DIR)


def bundle_files() -> list[Path]:
    """The files of Decap's bundle a page needs: the main script, the chunks it loads
    (`NNN.decap-cms.js`), its WebAssembly and licence — no source maps, no second build."""
    folder = bundle_dir()
    main = folder / "decap-cms.js"
    if not main.is_file():
        raise EditorMissing(
            f"site_config.yml 启用了网页编辑器（cms），但找不到 Decap CMS 的程序文件 {main}："
            "在 gongkai 的文件夹中运行 make（或 npm ci --prefix tools/decap），或用环境变量 GONGKAI_DECAP_DIR 指定 decap-cms/dist"
        )
    keep = [p for p in folder.iterdir() if p.is_file() and (p.name.endswith("decap-cms.js") or p.suffix == ".wasm")]
    keep += [p for p in (folder / "decap-cms.js.LICENSE.txt",) if p.is_file()]
    return sorted(keep)


def write_admin(config, output) -> None:
    """Write `/admin/` through `output` (`write(rel, text)`, `copy(rel, source)`) when the
    site enables the editor; nothing otherwise."""
    if config.model.cms is None:
        return
    files = bundle_files()
    page = TEMPLATE.read_text(encoding="utf-8").replace("{{ site_name }}", _escape(config.model.site.name))
    output.write(f"{ADMIN_DIR}/index.html", page)
    output.write(f"{ADMIN_DIR}/config.yml", admin_config_yaml(config))
    for path in files:
        output.copy(f"{ADMIN_DIR}/{path.name}", path)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --------------------------------------------------------------------------- config.yml


def admin_config_yaml(config) -> str:
    head = "# 由 gongkai build 从 site_config.yml 和内容模型生成，请勿手改。\n"
    return head + yaml.safe_dump(admin_config(config), allow_unicode=True, sort_keys=False, width=1000)


def admin_config(config) -> dict:
    """Decap's `config.yml` as a mapping (deterministic: categories in config order)."""
    cms = config.model.cms
    result = {
        "locale": "zh_Hans",
        "backend": backend(cms),
        "publish_mode": "editorial_workflow",
        "media_folder": MEDIA_FOLDER,
        "public_folder": PUBLIC_FOLDER,
        "site_url": config.model.site.url,
        "display_url": config.model.site.url,
        "show_preview_links": False,
        "search": False,
    }
    if cms.local_backend and cms.backend is not CmsBackend.local:
        result["local_backend"] = {"url": cms.local_url, "allowed_hosts": ["localhost", "127.0.0.1"]}
    result["collections"] = [collection(category) for category in walk_categories(config.model.categories)]
    return result


def backend(cms) -> dict:
    """The `backend:` of Decap for the configured kind (local: the proxy of decap-server)."""
    if cms.backend is CmsBackend.local:
        return {"name": "proxy", "proxy_url": cms.local_url, "branch": cms.branch}
    found = {"name": cms.backend.value, "repo": cms.repo, "branch": cms.branch}
    for key in ("base_url", "api_root", "app_id"):
        if getattr(cms, key):
            found[key] = getattr(cms, key)
    if cms.backend is not CmsBackend.github and cms.app_id:
        found["auth_type"] = "pkce"  # GitLab and Gitea: no secret in the page
    return found


def admin_policy(config) -> str | None:
    """The Content-Security-Policy of `/admin/` (csp.py), None when there is no editor."""
    from generator import csp

    return csp.admin_policy(connect_sources(config.model.cms)) if config.model.cms is not None else None


def connect_sources(cms) -> list[str]:
    """The hosts the admin page talks to (its CSP `connect-src`): the backend's API and
    the local decap-server for previews."""
    sources = []
    if cms.backend is CmsBackend.github:
        sources.append(_origin(cms.api_root or "https://api.github.com"))
    elif cms.backend is CmsBackend.gitlab:
        sources.append(_origin(cms.api_root or "https://gitlab.com/api/v4"))
    elif cms.backend is CmsBackend.gitea and cms.api_root:
        sources.append(_origin(cms.api_root))
    if cms.base_url:
        sources.append(_origin(cms.base_url))
    if cms.backend is CmsBackend.local or cms.local_backend:
        sources.append(_origin(cms.local_url))
    return list(dict.fromkeys(sources))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def collection(category) -> dict:
    """One folder collection: a category's folder, its type's fields."""
    ctype = TYPES[category.type]
    md = ctype.suffix == ".md"
    return {
        "name": category.key,
        "label": category.title,
        "label_singular": category.title,
        "description": category.description or ctype.about,
        "folder": f"content/{category.key}",
        "create": True,
        "extension": "md" if md else "yml",
        "format": "frontmatter" if md else "yml",
        # ASCII names a URL carries unencoded: the date and time of creation, in a year folder
        # (as `gongkai new` writes them); the title is in the file.
        "slug": "{{year}}-{{month}}-{{day}}-{{hour}}{{minute}}{{second}}",
        "path": "{{year}}/{{slug}}",
        "summary": "{{title}}（{{published}}）",
        "sortable_fields": ["published", "title"],
        "fields": fields(ctype.model),
    }


def fields(model: type[BaseModel], depth: int = 0, optional: bool = False) -> list[dict]:
    """The Decap fields of `model`; `optional`: inside a group that may be left out (撤销,
    审核 …), where nothing is required (Decap would refuse to save an item without them),
    and `gongkai check` holds a group that is given to its required fields."""
    found = []
    for name, info in model.model_fields.items():
        if name in SKIP:
            continue
        found.append(widget(name, info, model, depth, optional))
    return found


def widget(name: str, info: FieldInfo, owner: type[BaseModel], depth: int, optional: bool = False) -> dict:
    """A Decap field for one model field: label in Chinese, widget by kind of value."""
    field = {"label": info.title or name, "name": name}
    if info.description and info.description != info.title:
        field["hint"] = info.description
    if optional or not info.is_required():
        field["required"] = False
    field.update(_value_widget(name, info.annotation, info, owner, depth, optional or not info.is_required()))
    if not info.is_required() and info.default not in (None, [], "") and info.default_factory is None:
        field.setdefault("default", introspect.json_value(info.default))
    if name == "status":
        field["default"] = Status.published.value  # the merge request is the draft; merged means published
    return field


def _value_widget(name: str, annotation, info: FieldInfo | None, owner, depth: int, optional: bool = False) -> dict:
    kind = introspect.kind(annotation)
    bounds = introspect.constraints(info, annotation)
    if kind == "list":
        nested, _ = introspect.nested_model(annotation)
        if nested is not None:
            if nested is owner:  # a budget row's children: rows again, to ROW_DEPTH levels
                if depth + 1 >= ROW_DEPTH:
                    return {"widget": "hidden", "default": []}
            # `default: []`: else Decap starts the list with one item made of its fields' defaults
            rows = fields(nested, depth + (nested is owner))
            return {"widget": "list", "collapsed": False, "default": [], "fields": rows}
        inner = introspect.list_item(annotation)
        item = {"label": info.title if info else name, "name": name, **_value_widget(name, inner, None, owner, depth)}
        return {"widget": "list", "field": item}
    if kind == "enum":
        enum = introspect.strip(annotation)
        options = [{"label": getattr(m, "label", m.value), "value": m.value} for m in enum]
        return {"widget": "select", "options": options}
    if kind == "model":
        optional = info is not None and not info.is_required()
        members = fields(introspect.strip(annotation), depth, optional)
        return {"widget": "object", "collapsed": optional, "fields": members}
    if kind == "date":
        if optional:  # Decap's date picker fills in today, or writes `""` when told not to: text
            return {"widget": "string", "pattern": [r"^\d{4}-\d{2}-\d{2}$", "日期写作 YYYY-MM-DD，如 2024-05-06"]}
        # `default: ""`: the editor picks the date (Decap would fill in today's)
        return {"widget": "datetime", "format": DATE_FORMAT, "date_format": DATE_FORMAT, "time_format": False,
                "default": ""}  # fmt: skip
    if kind == "month":
        return {"widget": "string", "pattern": [r"^\d{4}-(0[1-9]|1[0-2])$", "年月写作 YYYY-MM，如 2024-05"]}
    if kind == "bool":
        return {"widget": "boolean"}
    if kind in ("int", "number"):
        found = {"widget": "number", "value_type": "int" if kind == "int" else "float"}
        for key, word in (("ge", "min"), ("le", "max")):
            if key in bounds:
                found[word] = introspect.json_value(bounds[key])
        return found
    if name in FILES:
        return {"widget": "file", "media_library": {"max_file_size": 50_000_000}}
    if name in MARKDOWN:
        return {"widget": "markdown"}
    if name in LONG_TEXT:
        return {"widget": "text"}
    found = {"widget": "string"}
    if "pattern" in bounds:
        found["pattern"] = [bounds["pattern"], f"格式：{bounds['pattern']}"]
    return found
