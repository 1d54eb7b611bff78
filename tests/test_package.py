"""The package as a whole: the numba probe guard, style (layering: tests/test_layout.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coverage"


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


def _exports_and_typed_names() -> tuple[dict[str, str], dict[str, str]]:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    exports: dict[str, str] = {}
    typed: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "_EXPORTS":
            exports = eval(compile(ast.Expression(node.value), "_EXPORTS", "eval"))  # literals only
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.body:
                assert isinstance(child, ast.ImportFrom) and child.module
                for alias in child.names:
                    assert alias.asname == alias.name, "re-export as itself: `name as name`"
                    typed[alias.name] = child.module
    return exports, typed


def test_type_checkers_see_every_public_name_where_it_lives() -> None:
    """The TYPE_CHECKING imports name exactly _EXPORTS, from the same modules."""
    exports, typed = _exports_and_typed_names()
    for name in ("datasets", "settings"):  # exported as modules
        assert typed.pop(name) == "coverage" and exports.pop(name) == f"coverage.{name}"
    assert typed == exports


def test_every_error_and_warning_is_public() -> None:
    import coverage
    import coverage.errors as errors

    for name in errors.__all__:
        assert getattr(coverage, name) is getattr(errors, name)


def test_mypy_sees_the_public_api_typed(tmp_path: Path) -> None:
    """`coverage.predict` is a function to mypy, not `object` (the lazy __getattr__)."""
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists():
        pytest.skip("mypy is not installed in this environment (pip install -e '.[dev]')")
    probe = tmp_path / "probe.py"
    probe.write_text("import coverage\nreveal_type(coverage.predict)\nreveal_type(coverage.Grid)\n")
    command = [str(mypy), "--cache-dir", str(tmp_path / "cache"), str(probe)]
    result = subprocess.run(command, cwd=PACKAGE.parent, capture_output=True, text=True)
    assert 'Revealed type is "def (towers' in result.stdout, result.stdout
    assert "-> coverage.model.result.CoverageResult" in result.stdout
    assert "-> coverage.grid.Grid" in result.stdout


def test_no_public_name_is_shadowed_by_a_submodule() -> None:
    """Importing coverage.X sets the attribute X on the package: X must not be a public name."""
    exports, _ = _exports_and_typed_names()
    submodules = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.parent.name for p in PACKAGE.glob("*/__init__.py")
    }
    assert not (set(exports) - {"datasets", "settings"}) & submodules
