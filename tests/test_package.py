"""The package as a whole: import layering, the numba probe guard, style."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coverage"

# Lower layers may never import higher ones (see STYLE.md: imports flow downward only).
LAYERS = {
    "errors": 0,
    "validity": 0,
    "settings": 0,
    "crs": 1,
    "grid": 1,
    "summaries": 0,
    "names": 1,
    "operators": 1,
    "io": 2,
    "dem": 2,
    "terrain": 2,
    "population": 2,
    "zonal": 2,
    "datasets": 2,
    "physics": 3,
    "radial": 4,
    "model": 5,
    "analysis": 6,
    "demo": 8,
    "gaps": 6,
    "planning": 6,
    "render": 7,
    "cli": 9,
}
PURE = {
    "physics",
    "radial",
    "model",
    "gaps",
    "planning",
}


def _module_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _top(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_imports_flow_downward(path: Path) -> None:
    me = _top(path)
    if me == "__init__" or me not in LAYERS:
        return
    for name in _module_imports(path):
        if name.startswith("coverage."):
            other = name.split(".")[1]
            assert LAYERS.get(other, 0) <= LAYERS[me], f"{path.name} imports higher layer {name}"
        if me in PURE:
            assert name.split(".")[0] not in {"folium", "click", "branca"}, f"{path.name}: {name}"


def test_every_module_has_a_layer() -> None:
    unknown = {_top(p) for p in PACKAGE.rglob("*.py")} - set(LAYERS) - {"__init__", "__main__"}
    assert not unknown, f"add these modules to LAYERS in {Path(__file__).name}: {unknown}"


@pytest.mark.parametrize("first", ["numba", "coverage"])
def test_numba_works_whichever_is_imported_first(first: str) -> None:
    other = "coverage" if first == "numba" else "numba"
    code = (
        f"import {first}, {other}, numba.misc.coverage_support as s\n"
        "assert not s.coverage_available\n"
        "print(numba.njit(lambda x: x + 1)(41))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "42"


def test_ruff_is_clean() -> None:
    root = PACKAGE.parent
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment (pip install -e '.[dev]')")
    dirs = [d for d in ("coverage", "tests", "benchmarks", "scripts") if (root / d).exists()]
    result = subprocess.run([str(ruff), "check", *dirs], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean(tmp_path: Path) -> None:
    root = PACKAGE.parent
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists():
        pytest.skip("mypy is not installed in this environment (pip install -e '.[dev]')")
    command = [str(mypy), "--cache-dir", str(tmp_path / "cache"), "coverage"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
