"""The only module that knows mkdocs: it renders the site shell with mkdocs-material.

gongkai hands mkdocs a small generated project: the home page, one page per category,
the catalogue, the free pages of `content/pages/` and the feed list. Items never enter
mkdocs (nor its navigation): each category page comes back as a `Shell` that the item
pages are filled into. Editors never write `mkdocs.yml`; it is generated here from
`site_config.yml`. Swapping the renderer means replacing this module.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import yaml
from markupsafe import Markup
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin

from generator import csp, look
from generator.render import THEME_DIR, markdown
from generator.render.shell import CONTENT, HEAD, TITLE, Shell

_TAG = re.compile(r"<[^>]*>")


@dataclass
class PageSpec:
    """One page for mkdocs. `html` is injected as the content; None renders `source`."""

    src: str  # docs-relative source, e.g. "notices/index.md"
    title: str
    head: str = ""  # extra <head> HTML (meta tags, canonical, feeds); already escaped
    html: str | None = None
    source: str = ""  # Markdown of a free page
    shell: bool = False  # capture the rendered page as a shell, with markers
    meta: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        path = self.src.removesuffix(".md")
        if path == "index":
            return ""
        return path.removesuffix("/index") + "/"


class GongkaiPlugin(BasePlugin):
    """Injects pre-rendered content and captures shells; sanitises free pages; turns on
    autoescaping in mkdocs's Jinja environment, so that every string of the site's
    configuration and front matter (site name, nav and page titles …) is escaped in
    every template, Material's included. HTML that gongkai made (content, head tags) is
    handed over as `Markup`."""

    def __init__(self, pages: dict[str, PageSpec], head_for_free_page):
        super().__init__()
        self.specs = pages
        self.head_for_free_page = head_for_free_page
        self.shells: dict[str, Shell] = {}
        self.removed: dict[str, tuple[str, ...]] = {}
        self.template_dirs: list[Path] = []  # the renderer's template folders, ours first

    def on_env(self, env, config, files):
        env.autoescape = True  # mkdocs leaves it off; templates compile after this event
        self.template_dirs = [Path(folder) for folder in config.theme.dirs]
        return env

    def on_page_markdown(self, source, page, config, files):
        spec = self.specs.get(page.file.src_uri)
        if spec is None:
            return source
        page.meta.update(spec.meta)
        if spec.shell:
            page.meta["title"] = TITLE
            page.meta["gk_head"] = HEAD
        else:
            if not page.is_homepage:  # Material titles the home page with the site name alone
                page.meta.setdefault("title", spec.title)
            page.meta["gk_head"] = spec.head
        page.meta["gk_generated"] = spec.html is not None
        return "" if spec.html is not None else source

    def on_page_content(self, html, page, config, files):
        spec = self.specs.get(page.file.src_uri)
        if not list(page.toc):  # no table of contents: its empty column goes to the content
            page.meta["hide"] = [*page.meta.get("hide", ()), "toc"]
        if spec is not None and spec.shell:
            return Markup(CONTENT)
        if spec is not None and spec.html is not None:
            return Markup(spec.html)
        self.removed[page.file.src_uri] = markdown.find_dangerous(page.markdown or "")
        if not page.meta.get("gk_head"):
            page.meta["gk_head"] = self.head_for_free_page(page)
        _plain_toc(page.toc)
        return Markup(markdown.sanitize(html))

    def on_post_page(self, output, page, config):
        spec = self.specs.get(page.file.src_uri)
        if spec is not None and spec.shell:
            self.shells[spec.url] = Shell(output, spec.url)
        return output


def _plain_toc(items) -> None:
    """Table-of-contents titles are HTML from the Markdown (tags stripped by a regular
    expression, so not always); make them text, which the templates escape."""
    for item in items:
        item.title = unescape(_TAG.sub("", item.title))
        _plain_toc(item.children)


def mkdocs_config(site, docs_dir: Path, out_dir: Path, nav: list, strings: dict, site_head: str = "", own: dict | None = None, custom_dir: Path | None = None) -> dict:
    """`own`: the office's look (look.prepare): its stylesheets after ours, logo, favicon;
    `custom_dir`: our overrides with the site's laid over them (look.overrides)."""
    cfg = site.config
    language = cfg.site.language
    own = own or {"extra_css": [], "logo": None, "favicon": None}
    look_theme = {name: own[name] for name in ("logo", "favicon") if own[name]}
    return {
        "site_name": cfg.site.name,
        "site_url": cfg.site.url,
        "site_description": cfg.site.description,
        "docs_dir": str(docs_dir),
        "site_dir": str(out_dir),
        "use_directory_urls": True,
        "nav": nav,
        "theme": {
            "name": "material",
            "custom_dir": str(custom_dir or THEME_DIR / "overrides"),
            **look_theme,
            "language": language,
            "font": False,  # no Google Fonts: a system Chinese font stack in gongkai.css
            "palette": {"scheme": "default", "primary": "custom", "accent": "custom"},
            "features": ["navigation.indexes", "navigation.top"],
        },
        "plugins": [],  # Material's lunr search stays off; Pagefind indexes the built site
        "markdown_extensions": ["tables", "attr_list", "admonition", {"toc": {"permalink": False}}],
        "extra_css": ["assets/gongkai.css", *own["extra_css"]],  # the office's stylesheets win
        "extra_javascript": ["assets/gongkai.js"],
        "extra": {
            "scope": csp.THEME_CONSTANTS["config"]["extra"]["scope"],  # constant: one CSP hash, every page
            "generator": False,
            "gongkai": {
                "identity": cfg.identity.model_dump(),
                "organization": cfg.organization.model_dump(),
                "site": cfg.site.model_dump(),
                "strings": strings,
                "site_head": site_head,  # <head> tags of pages with no page of their own (404)
            },
        },
        "validation": {
            "nav": {"omitted_files": "ignore", "not_found": "warn", "absolute_links": "ignore"},
            "links": {"not_found": "ignore", "absolute_links": "ignore", "unrecognized_links": "ignore", "anchors": "ignore"},
        },
    }


def render_site(site, specs: list[PageSpec], nav: list, strings: dict, work_dir: Path, out_dir: Path, head_for_free_page, site_head: str = "") -> GongkaiPlugin:
    """Run mkdocs over the generated project. Returns the plugin holding the shells."""
    docs_dir = work_dir / "docs"
    for spec in specs:
        path = docs_dir / spec.src
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec.source if spec.html is None else f"# {spec.title}\n", encoding="utf-8")
    assets = docs_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for asset in sorted((THEME_DIR / "assets").glob("*")):
        if asset.is_file():
            (assets / asset.name).write_bytes(asset.read_bytes())
    own = look.prepare(site.site_dir, site.config.site, docs_dir)
    custom_dir = look.overrides(site.site_dir, THEME_DIR / "overrides", work_dir)
    settings = mkdocs_config(site, docs_dir, out_dir, nav, strings, site_head, own, custom_dir)
    config_file = work_dir / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plugin = GongkaiPlugin({spec.src: spec for spec in specs}, head_for_free_page)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    config = load_config(str(config_file))
    config.plugins["gongkai"] = plugin
    config.plugins.run_event("startup", command="build", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.run_event("shutdown")
    _localise_bundle(out_dir)
    return plugin


def _localise_bundle(out_dir: Path) -> None:
    """Material's bundle would fetch a ResizeObserver polyfill and mermaid from unpkg.com
    (old browsers; `.mermaid` blocks). A government site loads nothing from another
    host: point those URLs at the site itself, where they are absent, so the features
    degrade instead of calling out."""
    for bundle in (out_dir / "assets" / "javascripts").glob("bundle.*.min.js"):
        text = bundle.read_text(encoding="utf-8")
        if "https://unpkg.com/" in text:
            bundle.write_text(text.replace("https://unpkg.com/", "./assets/unavailable/"), encoding="utf-8")
