"""The wheel works for a user: built from the sdist, installed in a fresh virtual environment.

``python -m build`` builds the sdist, then the wheel from it, so both carry the demo data.

Nothing here may see the checkout: the environment lives in a temporary folder, every
command runs from another one, with ``PYTHONPATH`` cleared (the kernel and ``python -c``
run isolated, ``-I``), and the notebook is a copy. Dependencies come from the package
index through pip's cache; only when the index cannot be reached are these tests skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import rasterio
from test_notebooks import NOTEBOOK_DIR, NOTEBOOKS, check_ran_clean, execute_notebook

from coverage import datasets

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
#: What pip says when it cannot reach the package index (the only reason to skip).
OFFLINE = re.compile(
    r"from versions: none|Failed to establish a new connection|"
    r"Temporary failure in name resolution|Network is unreachable"
)
DEMO_OUTPUTS = [
    "laocai_demo.html",
    "laocai_gaps.xlsx",
    "laocai_gaps.csv",
    "laocai_gaps.geojson",
    "laocai_proposals.xlsx",
    "laocai_report.html",
    "laocai_coverage/best_power_dbm.tif",
    "laocai_coverage/serving_site.tif",
    "laocai_coverage/operators_covering.tif",
    "laocai_coverage/validity.tif",
    "laocai_coverage/layers.csv",
]


def _outside_env(venv: Path | None = None) -> dict[str, str]:
    """This process's environment without anything that could lead Python to the checkout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    }
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(command: list[str], *, what: str, cwd: Path, venv: Path | None = None) -> str:
    """Run ``command``; its stdout, or a failure (a skip when the index is out of reach)."""
    done = subprocess.run(
        command, cwd=cwd, env=_outside_env(venv), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if OFFLINE.search(output):
            pytest.skip(
                f"cannot {what}: the package index is out of reach (offline?); these tests "
                "need it (CI has it)"
            )
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{output[-6000:]}")
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built by ``python -m build`` from the sdist it builds first."""
    out = tmp_path_factory.mktemp("dist")
    _run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        what="build the sdist and the wheel",
        cwd=out,
    )
    assert len(list(out.glob("phusong-*.tar.gz"))) == 1
    (built,) = out.glob("phusong-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the checkout, with the wheel and ipykernel."""
    folder = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(folder)], what="venv", cwd=folder)
    (kernel,) = [
        r for r in PYPROJECT["project"]["optional-dependencies"]["test"] if "ipykernel" in r
    ]
    _run(
        # this environment's pip installs into the new one (--python); --no-compile skips
        # byte-compiling every dependency up front (modules compile on first import)
        [sys.executable, "-m", "pip", "--python", str(folder / "bin" / "python"), "install",
         "--quiet", "--no-compile", str(wheel), kernel],
        what="install the wheel and its dependencies",
        cwd=folder,
    )  # fmt: skip
    return folder


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder outside the checkout."""
    assert not tmp_path.is_relative_to(REPO)
    return tmp_path


def test_every_subpackage_ships() -> None:
    """pyproject.toml lists each package of coverage/ and maps data/communes/ into it."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "coverage").rglob("__init__.py")
    }
    assert set(setuptools["packages"]) == on_disk | {datasets.DATA_PACKAGE}
    assert setuptools["package-dir"] == {datasets.DATA_PACKAGE: "data/communes"}
    assert (REPO / "data" / "communes" / "__init__.py").is_file()


@pytest.mark.slow
def test_wheel_holds_the_demo_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    folder = datasets.DATA_PACKAGE.replace(".", "/")
    for name in datasets.available():
        assert f"{folder}/{datasets.get_path(name).name}" in names, name
    assert f"{folder}/README.md" in names
    assert not [n for n in names if n.startswith(("data/", "tests/", "notebooks/"))]


@pytest.mark.slow
def test_demo_runs_from_the_wheel(venv: Path, elsewhere: Path) -> None:
    out = elsewhere / "demo"
    _run([str(venv / "bin" / "phusong"), "demo", "--out", str(out)], what="demo", cwd=elsewhere)
    missing = [name for name in DEMO_OUTPUTS if not (out / name).is_file()]
    assert not missing, f"phusong demo did not write {missing}"
    with rasterio.open(out / "laocai_coverage" / "best_power_dbm.tif") as src:
        assert src.crs.to_epsg() == 32648 and src.count >= 1


def _phusong(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``phusong`` with ``args``, no language chosen by the environment."""
    env = _outside_env(venv)
    for variable in ("PHUSONG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        env.pop(variable, None)
    return subprocess.run(
        [str(venv / "bin" / "phusong"), *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_the_wheel_speaks_both_languages(wheel: Path, venv: Path, elsewhere: Path) -> None:
    """The catalogues ship in the wheel: help and errors in Vietnamese, and in English."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for lang in ("vi", "en"):
        for part in ("cli", "errors", "map", "report", "tables"):
            assert f"coverage/i18n/messages/{lang}/{part}.po" in names
    vietnamese = _phusong(venv, elsewhere, "gaps", "--help", "--lang", "vi")
    assert vietnamese.returncode == 0, vietnamese.stderr
    # cli.po's help of the command, and click's own words translated
    assert "Danh sách vùng lõm sóng xếp hạng theo từng nhà mạng" in vietnamese.stdout
    assert vietnamese.stdout.startswith("Cách dùng: phusong gaps")
    english = _phusong(venv, elsewhere, "gaps", "--help", "--lang", "en")
    assert "Ranked gap lists per operator" in english.stdout
    (elsewhere / "towers.csv").write_bytes(b"")  # errors.po: a library error, one line
    refused = {
        lang: _phusong(venv, elsewhere, "info", "towers.csv", "--lang", lang)
        for lang in ("vi", "en")
    }
    assert refused["vi"].returncode == refused["en"].returncode == 2
    assert refused["vi"].stderr.strip() == (
        "Lỗi: tệp đầu vào towers.csv trống (0 byte); hãy xuất lại tệp."
    )
    assert refused["en"].stderr.strip() == (
        "Error: input file towers.csv is empty (0 bytes); re-export it."
    )
    missing = _phusong(venv, elsewhere, "info", "nowhere.csv", "--lang", "vi")
    assert missing.returncode == 2 and "Đường dẫn 'nowhere.csv' không tồn tại" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and "Traceback" not in missing.stderr


@pytest.mark.slow
def test_datasets_read_from_the_wheel(venv: Path, elsewhere: Path) -> None:
    script = (
        "import json, coverage\n"
        "demo = coverage.datasets.laocai_demo()\n"
        "communes = coverage.read_communes(demo.communes, province='Lào Cai')\n"
        "towers = coverage.read_towers(demo.towers)\n"
        "terrain = coverage.open_terrain(demo.terrain)\n"
        "print(json.dumps({'package': coverage.__file__,"
        " 'data': str(coverage.datasets.data_dir()), 'communes': len(communes),"
        " 'towers': len(towers), 'terrain_crs': terrain.crs.to_epsg()}))\n"
    )
    python = str(venv / "bin" / "python")
    output = _run([python, "-I", "-c", script], what="read the demo", cwd=elsewhere, venv=venv)
    found = json.loads(output)
    site_packages = Path(found["package"]).parent.parent
    assert site_packages.is_relative_to(venv) and site_packages.name == "site-packages"
    assert Path(found["data"]) == site_packages / "coverage" / "demo_data"
    assert found["communes"] == 99 and found["towers"] > 200 and found["terrain_crs"] == 32648


@pytest.fixture(scope="module")
def wheel_kernel(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JUPYTER_PATH with a kernel running the fresh venv's Python, outside the checkout."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    kernel = jupyter / "kernels" / "phusong-wheel"
    kernel.mkdir(parents=True)
    spec = {
        "argv": [str(venv / "bin" / "python"), "-I", "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "phusong from the wheel",
        "language": "python",
    }  # fmt: skip
    (kernel / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return jupyter


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_notebook_runs_from_the_wheel(
    name: str, venv: Path, elsewhere: Path, wheel_kernel: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat

    monkeypatch.setenv("JUPYTER_PATH", str(wheel_kernel))
    path = shutil.copy(NOTEBOOK_DIR / name, elsewhere)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell("import coverage\nprint(coverage.datasets.data_dir())")
    )
    execute_notebook(notebook, elsewhere, kernel_name="phusong-wheel")
    check_ran_clean(notebook)
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    if name == "01_quickstart.ipynb":
        assert "99 communes" in printed
    assert printed.splitlines()[-1].startswith(str(venv))  # the demo files of the wheel
