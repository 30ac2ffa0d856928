"""The packages' modules import one another without a circle.

A circle works only while its modules happen to be imported in one order (or
one of them imports the other inside a function); split by job, each module
imports only what it builds on. The check reads the source, imports inside
functions included, so it fails before any import order does.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("events", "projections")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project's modules that `path` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` imports the module; `from module import name` the module.
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle in `graph`, as the modules along it, or None."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                return path[path.index(other):] + [other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_cycle_finder_finds_a_circle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_module_of_events_or_projections_imports_itself_through_others():
    modules = project_modules()
    graph = {name: imported(path, modules) - {name} for name, path in modules.items()}
    assert graph["projections.rebuild"] >= {"projections.rebuild_helper"}  # the reader sees real edges
    assert cycle(graph) is None


@pytest.mark.parametrize("module", ["projections.live", "projections.rebuild", "projections.rebuild_helper"])
def test_each_runner_module_imports_first_in_a_fresh_interpreter(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, check=True)


def test_the_command_mixins_are_typed_by_what_they_need_not_silenced():
    """Each command mixin names what it calls on the application (events/commands.py
    `Host`) instead of silencing the type checker line by line."""
    mixins = sorted((ROOT / "events").glob("*_commands.py"))
    assert mixins
    for path in mixins:
        source = path.read_text()
        assert "type: ignore" not in source, path.name
        assert "(CommandMixin):" in source, path.name
