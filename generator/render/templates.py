"""The theme's Jinja environment: item content fragments, list and page fragments.

Item pages are not rendered by mkdocs: each item's content fragment is rendered here
(``render_item``) and placed into a page shell that mkdocs-material produces once per
category. The fragments live in ``theme/gongkai/``; UI strings in
``theme/strings/<lang>.yml``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import yaml

from generator.load.cache import read_once
from generator.model.registry import LANGUAGES, TYPES
from generator.render import filters, svg


def load_strings(theme_dir: Path, lang: str) -> dict:
    """UI strings of ``lang`` from ``theme/strings/<lang>.yml`` (nested dict): read once a
    process while the file is unchanged (`read_once`; a copy, the caller may add to it)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown UI language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    path = Path(theme_dir) / "strings" / f"{lang}.yml"
    data = read_once(path, _read_strings)
    if data is None:
        raise FileNotFoundError(path)
    return copy.deepcopy(data)


def _read_strings(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of UI strings")
    return data


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Compiled templates, kept in memory for the process and in the site's cache folder
    for the next run (compiling the theme costs ~0.3 s a build). Jinja checks each
    against its template's source, so an edited template or override is compiled again."""

    memory: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.memory.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
            if bucket.code is not None:
                return
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.memory[bucket.key] = bucket.bytecode_to_string()
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a read-only site folder: kept in memory only


def make_env(theme_dir: Path, strings: dict, base: str = "/", cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of the theme.

    ``strings`` becomes the global ``t``. ``base`` is the default prefix of site-relative
    links (``item.url`` …); a render call may override it with a ``base`` variable.
    ``cache_dir``: where compiled templates are kept between runs (`_Compiled`).
    """
    env = jinja2.Environment(
        bytecode_cache=_Compiled(str(cache_dir)) if cache_dir is not None else None,
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
