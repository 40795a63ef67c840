"""An office's own look without a fork: `site.logo`, `site.favicon`, `site.color`, the
stylesheets of the site folder's `assets/` and its `overrides/` templates.

- `site.logo` (a picture in the site folder) is shown in the header and, unless
  `site.favicon` names another, used as the favicon.
- `site.color` is the primary colour (header, links, buttons): white text on it and it on
  white must reach WCAG AA (4.5:1); a colour that does not is refused with a darker one
  of the same hue that does (`check_color`).
- The site folder's `assets/` is copied to `assets/site/` of the output and each of its
  `*.css` (sorted by path) is linked after the theme's stylesheets, so it wins.
- `overrides/` in the site folder is laid over gongkai's mkdocs-material overrides (a file
  there replaces ours of the same name; Material's own partials can be overridden too).
  Inline scripts in them are allowed by their hash like the theme's (csp.py): they are the
  office's templates, not editors' content.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from generator.paths import leaves, site_root

ASSETS, OVERRIDES = "assets", "overrides"
OUTPUT_ASSETS = "assets/site"  # where the site folder's assets/ goes in the output
PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico")
AA = 4.5
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = _HEX.fullmatch(colour.strip()).group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of `colour` (#rrggbb or #rgb) against white."""
    return 1.05 / (_luminance(_rgb(colour)) + 0.05)


def darker_passing(colour: str) -> str:
    """The same hue darkened, step by step, until white text on it reaches AA."""
    r, g, b = _rgb(colour)
    for step in range(101):
        scale = 1 - step / 100
        candidate = "#{:02x}{:02x}{:02x}".format(round(r * scale), round(g * scale), round(b * scale))
        if contrast_with_white(candidate) >= AA:
            return candidate
    return "#000000"


def check_color(value: str) -> str:
    """`site.color`, normalised to #rrggbb; ValueError (Chinese) for a value that is not
    a colour or fails AA with white."""
    value = value.strip()
    if not _HEX.fullmatch(value):
        raise ValueError(f"“{value}”不是颜色：写成 # 加 6 位十六进制数，如 \"#1F5A96\"（加引号）")
    normal = "#{:02x}{:02x}{:02x}".format(*_rgb(value))
    ratio = contrast_with_white(normal)
    if ratio < AA:
        raise ValueError(
            f"主色 {value} 与白色文字的对比度只有 {ratio:.2f}:1，低于无障碍要求的 4.5:1；"
            f"可改用同色调的 {darker_passing(normal)}"
        )
    return normal


def check_file(value: str, what: str) -> str:
    """`site.logo` / `site.favicon`: a picture, by a relative path inside the site folder."""
    path = value.strip().replace("\\", "/")
    if not path or path.startswith("/") or ".." in path.split("/") or ":" in path:
        raise ValueError(f"{what}“{value}”应写站点文件夹中的相对路径，如 assets/logo.png")
    if not path.lower().endswith(PICTURES):
        raise ValueError(f"{what}“{value}”应是图片：{'、'.join(PICTURES)}")
    return path


def missing_files(site_dir: Path, info) -> list[tuple[str, str]]:
    """(field, message) for each of `site.logo` / `site.favicon` that is not a file inside
    the site folder."""
    found = []
    root = site_root(site_dir)
    for name, label in (("logo", "标志"), ("favicon", "网站图标")):
        value = getattr(info, name, None)
        if value is None:
            continue
        path = site_dir / value
        if not path.is_file():
            found.append((name, f"{label}文件“{value}”不存在（相对于站点文件夹）"))
        elif leaves(path, root):
            found.append((name, f"{label}文件“{value}”经由链接指向站点文件夹之外"))
    return found


def site_files(site_dir: Path, info=None) -> list[Path]:
    """The files of the site folder's assets/ and overrides/ (sorted), and with `info`
    (site_config's `site`) its logo and favicon: they shape every page."""
    files = [site_dir / v for v in (getattr(info, "logo", None), getattr(info, "favicon", None)) if v]
    files = [p for p in files if p.is_file() and not leaves(p, site_root(site_dir))]
    for folder in (ASSETS, OVERRIDES):
        base = site_dir / folder
        if base.is_dir() and not leaves(base, site_root(site_dir)):
            files += sorted(p for p in base.rglob("*") if p.is_file() and not leaves(p, site_root(site_dir)))
    return files


def _asset_url(value: str) -> str:
    """Where a site file ends up in the output (relative to the docs folder)."""
    if value.startswith(ASSETS + "/"):
        return f"{OUTPUT_ASSETS}/{value[len(ASSETS) + 1:]}"
    return f"{OUTPUT_ASSETS}/{Path(value).name}"


def prepare(site_dir: Path, info, docs_dir: Path) -> dict:
    """Copy the site's look into mkdocs's docs folder; returns what mkdocs_config adds:
    {"extra_css": [...], "logo": url | None, "favicon": url | None}."""
    root = site_root(site_dir)
    out = docs_dir / OUTPUT_ASSETS
    css = []
    if info.color:
        css.append(f"{OUTPUT_ASSETS}/gongkai-color.css")
        rule = "; ".join(f"--md-{name}: {info.color}" for name in (
            "primary-fg-color", "primary-fg-color--light", "primary-fg-color--dark", "typeset-a-color", "accent-fg-color",
        ))  # fmt: skip
        out.mkdir(parents=True, exist_ok=True)
        (out / "gongkai-color.css").write_text(f"/* site.color */\n[data-md-color-primary] {{ {rule}; }}\n", encoding="utf-8")
    for path in site_files(site_dir):
        if path.is_relative_to(site_dir / ASSETS):
            rel = path.relative_to(site_dir / ASSETS).as_posix()
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / rel)
            if path.suffix.lower() == ".css":
                css.append(f"{OUTPUT_ASSETS}/{rel}")
    urls = {}
    for name in ("logo", "favicon"):
        value = getattr(info, name, None)
        if value is None or leaves(site_dir / value, root):
            urls[name] = None
            continue
        urls[name] = _asset_url(value)
        target = docs_dir / urls[name]
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site_dir / value, target)
    return {"extra_css": css, "logo": urls["logo"], "favicon": urls["favicon"] or urls["logo"]}


def overrides(site_dir: Path, ours: Path, work_dir: Path) -> Path:
    """mkdocs-material's custom_dir: ours, with the site folder's overrides/ laid over it
    (in a copy in `work_dir`); ours alone when the site has none."""
    theirs = [p for p in site_files(site_dir) if p.is_relative_to(site_dir / OVERRIDES)]
    if not theirs:
        return ours
    merged = work_dir / "overrides"
    shutil.copytree(ours, merged, dirs_exist_ok=True)
    for path in theirs:
        target = merged / path.relative_to(site_dir / OVERRIDES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return merged


def template_problem(exc):
    """A `Problem` for a template error of the site's overrides/ (a Jinja error while
    mkdocs renders): the file under overrides/, its line, in Chinese."""
    from generator.problems import Problem

    name = str(getattr(exc, "filename", None) or getattr(exc, "name", None) or "")
    parts = Path(name).parts
    rel = OVERRIDES + "/" + "/".join(parts[len(parts) - parts[::-1].index(OVERRIDES):]) if OVERRIDES in parts else OVERRIDES + "/"
    line = getattr(exc, "lineno", None) or 1
    detail = getattr(exc, "message", None) or str(exc)
    return Problem(
        rel, line, 1, "error", "override-template",
        f"自定义模板 {rel} 有错误，未生成网站：{detail}",
        "检查这一行的 {{ }} 和 {% %} 是否成对；或暂时移走 overrides/ 中的这个文件",
    )  # fmt: skip
