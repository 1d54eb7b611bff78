"""The package as a whole: the numba probe guard, style (layering: tests/test_layout.py)."""

from __future__ import annotations

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
