"""The only module that knows mkdocs: it renders the site shell with mkdocs-material.

gongkai hands mkdocs a small generated project (`render_pages`): the navigation, the
pages whose content gongkai fills in (home, catalogue, subscribe, data, search) with a
marker in place of their content, one page per category and the free pages of
`content/pages/`. Items never enter mkdocs (nor its navigation): each category page
comes back as a `Shell` that the item pages are filled into. Editors never write
`mkdocs.yml`; it is generated here from `site_config.yml`. Swapping the renderer means
replacing this module (and `generator/theme/overrides/`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
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
from generator.render.head import HeadInfo, build_head
from generator.render.pages import site_feeds
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
    links: dict = field(default_factory=dict)  # a free page's resolved links (checks/links.py)

    @property
    def url(self) -> str:
        path = self.src.removesuffix(".md")
        if path == "index":
            return ""
        return path.removesuffix("/index") + "/"


# The pages gongkai fills: their file, their title in the theme's strings (`nav`) with the
# Chinese default, and their column name in the head tags (always Chinese: aggregators).
FILLED_PAGES = {
    "index.html": (None, "", ""),  # the site's name
    "catalogue/index.html": ("catalogue", "信息公开目录", "信息公开目录"),
    "subscribe/index.html": ("subscribe", "订阅", "订阅"),
    "data/index.html": ("data", "数据开放", "数据开放"),
    "search/index.html": ("search", "站内搜索", "站内搜索"),
}


def render_pages(site, strings: dict, filled: list[str], work: Path, adopt: Callable[[Path], list[Path]]) -> dict:
    """Render the site renderer's pages in `work`: the shells of the categories, the free
    pages, and the `filled` pages (of FILLED_PAGES) with a content marker. `adopt` takes
    the rendered folder into the build's output and returns the files it took. Returns
    what a later update reuses without running mkdocs: `files` (taken), `pages` (each
    filled page with its marker), `shells` (category URL → HTML) and `hashes` (the CSP
    hashes of the theme's inline scripts)."""
    nav_t = strings.get("nav", {})
    feeds = site_feeds(site, strings)

    def head(url: str, column: str) -> str:
        return build_head(site, HeadInfo(url=url, description=site.config.site.description, column=column, feeds=feeds))

    def free_head(page) -> str:  # a free page mkdocs renders from Markdown
        return head(page.url.lstrip("/"), page.title or "")

    specs = []
    for rel in filled:
        key, default, column = FILLED_PAGES[rel]
        title = nav_t.get(key, default) if key else site.config.site.name
        url = rel.removesuffix("index.html")
        column = column or site.config.site.name
        specs.append(PageSpec(rel.removesuffix(".html") + ".md", title, head(url, column), CONTENT))
    specs += [PageSpec(f"{s.key}/index.md", s.title, shell=True) for s in site.sections.values()]
    specs += [PageSpec(f"pages/{page.slug}.md", page.title, source=page.source, links=page.links) for page in site.pages]
    not_found = strings.get("not_found", {}).get("heading", "页面不存在")
    site_head = build_head(site, HeadInfo(url="", column=not_found, feeds=feeds, noindex=True, canonical=False))
    rendered = work / "mkdocs-site"
    plugin = render_site(site, specs, navigation(site, strings), strings, work, rendered, free_head, site_head)
    pages = {}
    for rel in filled:
        page = rendered / rel
        pages[rel] = page.read_text(encoding="utf-8")
        if pages[rel].count(CONTENT) != 1:
            raise ValueError(f"the page {rel} lost its content marker: check theme/overrides/main.html")
        page.unlink()
    taken = adopt(rendered)
    return {
        "files": [path.relative_to(rendered).as_posix() for path in taken],
        "pages": pages,
        "shells": {url: shell.html for url, shell in plugin.shells.items()},
        "hashes": csp.theme_script_hashes(plugin.template_dirs + [THEME_DIR / "gongkai"]),  # not the pages'.
    }


def navigation(site, strings: dict) -> list:
    """mkdocs's `nav`: home, catalogue, the category tree, the free pages, search,
    subscribe and data."""
    nav_t = strings.get("nav", {})

    def section_nav(section):
        if not section.children:
            return {section.title: f"{section.key}/index.md"}
        return {section.title: [f"{section.key}/index.md"] + [section_nav(c) for c in section.children]}

    nav = [{nav_t.get("home", "首页"): "index.md"}, {nav_t.get("catalogue", "信息公开目录"): "catalogue/index.md"}]
    nav += [section_nav(s) for s in site.roots]
    nav += [{page.title: f"pages/{page.slug}.md"} for page in site.pages]
    nav.append({nav_t.get("search", "站内搜索"): "search/index.md"})
    nav.append({nav_t.get("subscribe", "订阅"): "subscribe/index.md"})
    nav.append({nav_t.get("data", "数据开放"): "data/index.md"})
    return nav


class GongkaiPlugin(BasePlugin):
    """Injects pre-rendered content and captures shells; sanitises free pages (what it
    takes out was reported when they were loaded: load/site.py); turns on
    autoescaping in mkdocs's Jinja environment, so that every string of the site's
    configuration and front matter (site name, nav and page titles …) is escaped in
    every template, Material's included. HTML that gongkai made (content, head tags) is
    handed over as `Markup`."""

    def __init__(self, pages: dict[str, PageSpec], head_for_free_page):
        super().__init__()
        self.specs = pages
        self.head_for_free_page = head_for_free_page
        self.shells: dict[str, Shell] = {}
        self.template_dirs: list[Path] = []  # the renderer's template folders, ours first

    def on_env(self, env, config, files):
        env.autoescape = True  # mkdocs leaves it off; templates compile after this event
        self.template_dirs = [Path(folder) for folder in config.theme.dirs]
        return env

    def on_page_markdown(self, source, page, config, files):
        spec = self.specs.get(page.file.src_uri)
        if spec is None:
            return source
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
        if not page.meta.get("gk_head"):
            page.meta["gk_head"] = self.head_for_free_page(page)
        _plain_toc(page.toc)
        links = spec.links if spec is not None else None
        return Markup(markdown.sanitize(html, links, "../" * spec.url.count("/") if spec is not None else ""))

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
            "links": {
                "not_found": "ignore", "absolute_links": "ignore", "unrecognized_links": "ignore", "anchors": "ignore",
            },
        },
    }


def render_site(
    site, specs: list[PageSpec], nav: list, strings: dict, work_dir: Path, out_dir: Path, head_for_free_page,
    site_head: str = "",
) -> GongkaiPlugin:  # fmt: skip
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
