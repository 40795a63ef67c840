"""Shared fixtures: throw-away sites in tmp_path (helpers in tests/helpers.py).

`make_site({"content/notices/a.yml": "..."})` writes a minimal valid site_config.yml plus
the given files and returns a `SiteDir`. Its `run(...)` calls `generator.cli.main` in
process (fast, output captured); `check()` runs `gongkai check --format json` and parses
the problems. `helpers.run_cli(...)` runs the installed command in a subprocess, for the
tests that must see exactly what an editor sees (no tracebacks).

`make test` runs the suite in one worker per CPU (pytest-xdist, `-n auto --dist
loadfile`: a file's tests stay together, with its module fixtures). The files are handed
out longest first, by the seconds tests/durations.json gives them (`make durations`
refreshes it after a run; a file it does not know counts as the median), so that no
long file starts last while the other worker idles. What the run's
processes share lives in one folder (`shared()`), made by the process that started the
run and removed by it at the end: the summary lines of `report` and the 10,000-item site
of the browser tests, built once for all workers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import durations  # noqa: E402
from helpers import CONFIG, SHARED, VALID_ITEMS, SiteDir, shared  # noqa: E402


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests of a module's parametrized fixtures
def pytest_collection_modifyitems(items):
    durations.longest_first(items)


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


# ---------------------------------------------------------------------------
# what the processes of one run share (one, or one per worker with pytest-xdist)

def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the process that started the run (workers inherit)
        os.environ[SHARED] = tempfile.mkdtemp(prefix="gongkai-tests-")


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput"):
        return
    sections: dict[str, list[str]] = {}
    for path in sorted(shared().glob("report-*.jsonl")):
        for text in path.read_text(encoding="utf-8").splitlines():
            section, line = json.loads(text)
            sections.setdefault(section, []).append(line)
    for section, lines in sections.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)


def pytest_unconfigure(config):
    if hasattr(config, "workerinput") or SHARED not in os.environ:
        return
    folder = shared()
    for pid_file in folder.glob("*/pid"):  # a background build nobody waited for (tests/browser)
        if not (pid_file.parent / "exit").exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    shutil.rmtree(folder, ignore_errors=True)
