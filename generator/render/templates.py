"""The theme's Jinja environment: item content fragments, list and page fragments.

Item pages are not rendered by mkdocs: each item's content fragment is rendered here
(``render_item``) and placed into a page shell that mkdocs-material produces once per
category. The fragments live in ``theme/gongkai/``; UI strings in
``theme/strings/<lang>.yml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import yaml

from generator.model.registry import LANGUAGES, TYPES
from generator.render import filters, svg


def load_strings(theme_dir: Path, lang: str) -> dict:
    """UI strings of ``lang`` from ``theme/strings/<lang>.yml`` (nested dict)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown UI language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    path = Path(theme_dir) / "strings" / f"{lang}.yml"
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of UI strings")
    return data


def make_env(theme_dir: Path, strings: dict, base: str = "/") -> jinja2.Environment:
    """The Jinja environment of the theme.

    ``strings`` becomes the global ``t``. ``base`` is the default prefix of site-relative
    links (``item.url`` …); a render call may override it with a ``base`` variable.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(theme_dir) / "gongkai")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        auto_reload=False,
        cache_size=-1,
    )
    env.filters.update(filters.FILTERS)
    env.filters.update(svg.SVG_FUNCTIONS)
    env.tests.update(filters.TESTS)
    env.globals.update(filters.GLOBALS)
    env.globals.update(svg.SVG_FUNCTIONS)
    env.globals["t"] = strings
    env.globals["base"] = base
    return env


def render_item(env: jinja2.Environment, item: Any, ctx: dict | None = None) -> str:
    """The content fragment of one item: its type's template (``item/<type>.html``).

    ``ctx`` adds variables (``base``, ``window`` and ``window_status`` for a type with a
    time window, ``feedback`` …).
    """
    ctype = TYPES.get(str(getattr(item.type, "value", item.type)))
    if ctype is None:
        raise ValueError(f"no template for item type {item.type!r}")
    template = env.get_template(ctype.template)
    return template.render({**(ctx or {}), "item": item})


def render_fragment(env: jinja2.Environment, name: str, ctx: dict | None = None) -> str:
    """A list or page fragment (``lists/items.html``, ``pages/home.html`` …)."""
    return env.get_template(name).render(ctx or {})
