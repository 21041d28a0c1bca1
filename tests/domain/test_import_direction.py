"""Arrows point one way: domain ← ports ← services ← runtime ← functions, adapters → ports and
domain, and nothing that ships imports the local tooling (`carepay_local`, its own workspace
member). No import cycles, in what ships or in the local tooling.

`spreadsheets` (reading and writing file formats, no I/O) sits beside the domain: services and
adapters may use it, and it uses only the domain.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "carepay" / "src" / "carepay"
FUNCTIONS = ROOT / "functions"
LOCAL = ROOT / "local" / "src" / "carepay_local"
# What each layer may import from carepay (its own layer always).
MAY_IMPORT = {
    "domain": {"domain"},
    "spreadsheets": {"domain", "spreadsheets"},
    "ports": {"domain", "ports"},
    "services": {"domain", "spreadsheets", "ports", "services"},
    "adapters": {"domain", "spreadsheets", "ports", "adapters"},
    "runtime": {"domain", "spreadsheets", "ports", "services", "adapters", "runtime", "settings"},
    "settings": {"settings"},
    "functions": {"domain", "spreadsheets", "ports", "services", "adapters", "runtime", "settings"},
}


def layer_of(module: str) -> str:
    return module.split(".")[1] if module.startswith("carepay.") else module.split(".")[0]


def module_name(path: Path) -> str:
    if path.is_relative_to(FUNCTIONS):
        return f"functions.{path.parent.name}"
    parts = path.relative_to(LOCAL.parent if path.is_relative_to(LOCAL) else PACKAGE.parent)
    names = parts.with_suffix("").parts
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def carepay_imports(path: Path, modules: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every carepay module the file imports, wherever the import is (a function's too);
    `from package import name` imports the submodule `package.name` when that is one of
    `modules`."""
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            within = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name if name in modules else node.module for name in within]
        yield from (name for name in names if name.startswith(("carepay.", "carepay_local")))


def shipped_files() -> list[Path]:
    package = [path for path in PACKAGE.rglob("*.py") if path != PACKAGE / "__init__.py"]
    return sorted(package) + sorted(FUNCTIONS.glob("*/app.py"))


def graph(files: list[Path] | None = None) -> dict[str, set[str]]:
    files = files or shipped_files()
    modules = frozenset(module_name(path) for path in files)
    return {module_name(path): set(carepay_imports(path, modules)) for path in files}


def test_each_layer_imports_only_the_layers_beneath_it() -> None:
    wrong = {
        module: sorted(m for m in imported if layer_of(m) not in MAY_IMPORT[layer_of(module)])
        for module, imported in graph().items()
    }
    assert {module: found for module, found in wrong.items() if found} == {}
    assert {layer_of(module) for module in wrong} == set(MAY_IMPORT)  # every layer was seen


def test_nothing_that_ships_imports_the_local_tooling() -> None:
    offenders = {
        module: sorted(m for m in imported if m.startswith("carepay_local"))
        for module, imported in graph().items()
    }
    assert not (PACKAGE / "local").exists()  # the tooling lives in its own member, not the layer
    assert {module: found for module, found in offenders.items() if found} == {}


def test_there_are_no_import_cycles() -> None:
    edges = graph(shipped_files() + sorted(LOCAL.rglob("*.py")))
    assert any(module.startswith("carepay_local.") for module in edges)

    def cycle_from(start: str) -> list[str]:
        path, seen = [start], set()
        stack = [iter(sorted(edges.get(start, ())))]  # each module on `path`: what it imports
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                path.pop()
                continue
            if step == start:
                return [*path, step]
            if step in edges and step not in seen:
                seen.add(step)
                path.append(step)
                stack.append(iter(sorted(edges[step])))
        return []

    cycles = [cycle for module in sorted(edges) if (cycle := cycle_from(module))]
    assert cycles == []
