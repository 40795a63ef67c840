"""Shared fixtures: throw-away sites in tmp_path (helpers in tests/helpers.py).

`make_site({"content/notices/a.yml": "..."})` writes a minimal valid site_config.yml plus
the given files and returns a `SiteDir`. Its `run(...)` calls `generator.cli.main` in
process (fast, output captured); `check()` runs `gongkai check --format json` and parses
the problems. `helpers.run_cli(...)` runs the installed command in a subprocess, for the
tests that must see exactly what an editor sees (no tracebacks).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import CONFIG, VALID_ITEMS, SiteDir  # noqa: E402


@pytest.fixture
def make_site(tmp_path, capsys):
    """make_site(files, config=CONFIG, register=True) → SiteDir.

    With `register`, every `index_no:` written is entered into content/.registry, so a
    valid file produces no index-unregistered warning."""

    def factory(files: dict[str, str | bytes] | None = None, config: str | bytes = CONFIG, register: bool = True) -> SiteDir:
        site = SiteDir(tmp_path / "site", capsys)
        site.path.mkdir(exist_ok=True)
        if config is not None:
            site.write("site_config.yml", config)
        (site.path / "content").mkdir(exist_ok=True)
        for rel, content in (files or {}).items():
            site.write(rel, content)
        if register:
            site.register()
        return site

    return factory


@pytest.fixture
def valid_items() -> dict[str, str]:
    """One valid file per type (without index_no), keyed by type."""
    return dict(VALID_ITEMS)




@pytest.fixture(params=["libyaml", "python"])
def yaml_loader(request, monkeypatch):
    """Run a test with libyaml's parser (PyYAML built with it), then with PyYAML's pure-Python
    one: they word problems differently and have different limits of their own."""
    import yaml

    from generator.load import yamlnodes

    if request.param == "libyaml":
        if not yaml.__with_libyaml__:
            pytest.skip("PyYAML without libyaml")
        monkeypatch.setattr(yamlnodes, "_Loader", yaml.CSafeLoader)
        monkeypatch.setattr(yamlnodes, "_Parser", yaml.cyaml.CParser)  # the events of the second way
    else:
        monkeypatch.setattr(yamlnodes, "_Loader", yaml.SafeLoader)
        monkeypatch.setattr(yamlnodes, "_Parser", yaml.SafeLoader)
    return request.param
