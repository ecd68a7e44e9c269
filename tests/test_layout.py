"""The package's layout tells the pipeline: imports only go down the stage order."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "geomap"

STAGES = (
    # shared vocabulary: no I/O, imported by every stage
    {"errors", "schema", "dates", "text", "actors", "provinces", "layers", "progress",
     "words", "fields", "collector"},
    {"sources"},
    {"config"},
    {"load"},
    {"validate"},
    {"join", "places"},
    {"summarise"},
    {"render"},
    {"export"},
    {"pipeline"},
    {"cli", "__init__", "__main__"},
)
"""Each module's rank is the first part of its name below ``geomap``."""


@cache
def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name below ``geomap`` (found once: the
    import checks ask for every ``from`` statement; callers only read it)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def _rank(module: str) -> int:
    """The stage a module belongs to."""
    head = module.split(".")[0]
    for rank, names in enumerate(STAGES):
        if head in names:
            return rank
    msg = f"geomap.{module} belongs to no stage of the layout"
    raise AssertionError(msg)


def _imports(module: str, path: Path) -> set[str]:
    """Modules of geomap that *module* imports, at any depth of the file."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            elif node.module and node.module.startswith("geomap"):
                name = node.module.removeprefix("geomap").lstrip(".")
            else:
                continue
            modules = _modules()
            for alias in node.names:  # "from geomap import join" imports a module
                sub = f"{name}.{alias.name}" if name else alias.name
                found.add(sub if sub in modules else (name or "__init__"))
        elif isinstance(node, ast.Import):
            found |= {alias.name.removeprefix("geomap.") for alias in node.names
                      if alias.name.startswith("geomap.")}
    return found


def test_every_module_belongs_to_a_stage() -> None:
    for module in _modules():
        _rank(module)


def test_no_stage_imports_a_later_stage() -> None:
    backwards = []
    for module, path in _modules().items():
        for imported in _imports(module, path):
            if _rank(imported) > _rank(module):
                backwards.append(f"{module} -> {imported}")
    assert backwards == []


def test_the_import_graph_has_no_cycle() -> None:
    modules = _modules()
    graph = {name: {i for i in _imports(name, path) if i in modules and i != name}
             for name, path in modules.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_modules_stay_small_and_the_pipeline_reads_as_a_list() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines())
             for name, path in _modules().items()}
    assert {name: n for name, n in sizes.items() if n > 400} == {}
    assert sizes["pipeline"] < 150


def _readme_tree() -> str:
    """The tree drawn in the README's Layout section."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout\n", 1)[1]
    return section.split("```\n", 2)[1]


def test_readme_layout_names_every_part_of_the_package() -> None:
    """Every module and subpackage at the top of geomap/ and of render/ is in the
    README's tree, and every name ending in .py or / there is in the package."""
    tree = _readme_tree()
    named = set(re.findall(r"(?<![\w./])([a-z_][a-z0-9_]*(?:\.py|/))", tree))
    parts = {path.name + ("/" if path.is_dir() else "")
             for folder in (PACKAGE, PACKAGE / "render") for path in folder.iterdir()
             if path.suffix == ".py" or (path / "__init__.py").exists()}
    assert parts - named == set(), "missing from the README's layout"
    outside = {"geomap/", "shapes/", "tests/", "benchmarks/"}
    known = parts | {p.name + "/" for p in PACKAGE.rglob("*") if p.is_dir()}
    assert named - known - outside == set(), "in the README's layout, not the package"
