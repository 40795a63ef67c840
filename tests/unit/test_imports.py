"""The layers of generator/ import one way only: no module imports, directly or through
others, a module that imports it back. `TYPE_CHECKING` imports and imports inside
functions count too: a cycle a function hides still ties the layers together."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "generator"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, modules: set[str]) -> set[str]:
    """The generator modules `path` imports anywhere in it (a name imported from a
    package that is itself a module counts as that module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imported(path, set(files)) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, …, a], or None (depth-first search, colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_search_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_type_checking_and_function_imports():
    graph = import_graph()
    assert "generator.config" in graph["generator.site"]
    assert graph["generator.model.procedure"]  # its imports are under TYPE_CHECKING


def test_generator_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_a_build_starts_without_the_libraries_only_some_builds_use():
    """Every `gongkai build` imports the build's modules; an update that writes no feed,
    verifies nothing over HTTP and renders nothing with mkdocs must not pay for feedgen
    and lxml, urllib.request (with ssl and http.client: `xml.sax.saxutils` imports it)
    or mkdocs (~0.1 s of the update's start-up)."""
    import subprocess
    import sys

    heavy = ("feedgen", "lxml", "urllib.request", "ssl", "http.client", "mkdocs", "material")
    code = (
        "import sys, generator.cli, generator.build, generator.load.site, generator.checks, generator.verify;"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
