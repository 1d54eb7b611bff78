"""The package's layout: which room may import which, no import circle, pure kernels.

Each room (a top-level module or subpackage of ``coverage``) declares once, here, the rooms
it may import; the test reads every ``import`` statement of the package (also those inside
functions) and fails on any other. Rooms are listed bottom-up, and a room may only name
rooms listed before it, so the declaration itself cannot hold a circle. Within a room,
modules may import each other, but never in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coverage"

BOTTOM = {"errors", "settings", "validity", "summaries", "memory", "i18n"}

ROOMS: dict[str, set[str]] = {
    # the bottom: plain values, no phusong imports but each other's
    "errors": set(),
    "settings": set(),
    "validity": set(),
    "summaries": set(),
    # the messages in Vietnamese and English (the library's errors too)
    "i18n": {"errors"},
    # estimates of memory and disk, refused before allocating
    "memory": {"errors", "settings", "i18n"},
    "crs": {"errors", "i18n"},
    "grid": {"errors", "crs", "summaries", "i18n"},
    "names": {"errors", "i18n"},
    "operators": {"errors", "names", "i18n"},
    "datasets": {"errors", "i18n"},
    # plain georeferenced arrays
    "terrain": BOTTOM | {"crs", "grid"},
    # pure kernels: arrays in, arrays out
    "physics": {"errors", "settings", "validity", "i18n"},
    "radial": BOTTOM | {"crs", "grid", "terrain", "physics"},
    # people on the grid, per-commune fractions of cells
    "zonal": BOTTOM | {"crs", "grid"},
    "population": BOTTOM | {"crs", "grid", "zonal"},
    # every read and write
    "io": BOTTOM | {"crs", "grid", "names", "operators", "terrain", "zonal", "population", "i18n"},
    # composing them
    "model": BOTTOM | {"crs", "grid", "terrain", "physics", "radial", "io", "i18n"},
    "site_rasters": BOTTOM | {"crs", "grid", "terrain", "radial", "model", "io"},
    "measured_error": BOTTOM | {"crs", "grid", "terrain", "physics", "radial", "io", "model"},
    "calibration": BOTTOM
    | {"crs", "grid", "terrain", "physics", "radial", "io", "model", "measured_error"},
    "gaps": BOTTOM | {"crs", "grid", "names", "terrain", "model", "population", "zonal"},
    "analysis": BOTTOM
    | {"crs", "grid", "names", "terrain", "io", "model", "population", "zonal", "gaps"},
    # which sites to build: candidates, coverage sets, selection, backhaul, sharing
    "planning": BOTTOM
    | {
        "crs",
        "grid",
        "names",
        "operators",
        "terrain",
        "physics",
        "radial",
        "io",
        "zonal",
        "population",
        "model",
        "gaps",
        "analysis",
        "i18n",
    },
    # a country on Dask: tiles of the grid, each reading its DEM window, summed per commune
    "cluster": BOTTOM
    | {"crs", "grid", "names", "terrain", "io", "model", "population", "zonal", "gaps", "i18n"}
    | {"analysis"},
    # for people
    "render": BOTTOM | {"crs", "grid", "names", "terrain", "io", "model", "gaps", "i18n"},
    "report": BOTTOM
    | {
        "crs",
        "grid",
        "names",
        "terrain",
        "io",
        "model",
        "gaps",
        "analysis",
        "render",
        "datasets",
        "i18n",
    }
    | {"physics", "zonal", "measured_error"},
    "demo": BOTTOM
    | {
        "datasets",
        "names",
        "terrain",
        "io",
        "model",
        "analysis",
        "render",
        "planning",
        "report",
        "i18n",
    },
    "cli": set(),  # on top: may import any room; nobody imports it (checked below)
}

PURE = {"physics", "radial"}
"""Rooms of pure array kernels: no files, no tables, no maps, no command line."""

FORBIDDEN_IN_PURE = {"rasterio", "geopandas", "pandas", "folium", "branca", "click", "tqdm"}


def _modules() -> dict[str, Path]:
    """Dotted name (``coverage.radial.plan``) of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement of ``path``, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from coverage import operators` imports a module
            names.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if f"{node.module}.{alias.name}" in MODULES
            )
    return names


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "coverage" else None


def _internal(module: str) -> set[str]:
    """The package's modules that ``module`` imports (a package counts as its __init__)."""
    return {
        name
        for name in _imports(MODULES[module])
        if name in MODULES and name != "coverage" and name != module
    }


def test_the_declaration_is_bottom_up_and_names_only_real_rooms() -> None:
    seen: set[str] = set()
    for room, allowed in ROOMS.items():
        assert allowed <= seen, f"{room} may import rooms declared after it: {allowed - seen}"
        seen.add(room)
    rooms_on_disk = {_room(m) for m in MODULES} - {None, "__main__"}
    assert rooms_on_disk == set(ROOMS), (
        f"rooms without a declaration: {rooms_on_disk - set(ROOMS)}; "
        f"declared rooms that do not exist: {set(ROOMS) - rooms_on_disk}"
    )


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m)))
def test_each_room_imports_only_what_it_declares(module: str) -> None:
    room = _room(module)
    assert room is not None
    if room == "cli":
        return
    for name in _internal(module):
        other = _room(name)
        assert other == room or other in ROOMS[room], (
            f"{module} imports {name}: room {room!r} may import only {sorted(ROOMS[room])}"
        )


def test_nobody_imports_the_command_line() -> None:
    importers = [m for m in MODULES if _room(m) != "cli" and "coverage.cli" in _internal(m)]
    assert not importers


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m) in PURE))
def test_pure_kernels_touch_no_files_tables_or_maps(module: str) -> None:
    used = {name.split(".")[0] for name in _imports(MODULES[module])}
    assert not used & FORBIDDEN_IN_PURE, f"{module} imports {sorted(used & FORBIDDEN_IN_PURE)}"


def test_no_import_circle_between_modules() -> None:
    graph = {module: _internal(module) for module in MODULES if _room(module)}
    # a package's __init__ is imported by each of its modules: not a dependency of note
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                circle = stack[stack.index(target) :] + [target]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_a_circle_would_be_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The circle check is not vacuous: two modules importing each other are caught."""
    fake = {"coverage.a": {"coverage.b"}, "coverage.b": {"coverage.a"}}
    monkeypatch.setattr(f"{__name__}.MODULES", {**MODULES, **dict.fromkeys(fake, Path())})
    monkeypatch.setattr(f"{__name__}._internal", lambda module: fake.get(module, set()))
    with pytest.raises(AssertionError, match="import circle"):
        test_no_import_circle_between_modules()
