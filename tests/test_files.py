"""Failed writes leave nothing under a final name and say so (issue 12, item 2): write errors
injected mid-file, a really full disk, a folder in the way, SIGTERM during the demo."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from affine import Affine
from click.testing import CliRunner

from coverage.cli import main
from coverage.errors import OutputExistsError, OutputWriteError
from coverage.io import rasters
from coverage.io.files import atomic_folder, atomic_output, check_output
from coverage.io.rasters import write_geotiff

TRANSFORM = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 2_500_000.0)


def _entries(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _disk_full(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_write_error_mid_file_leaves_no_file_and_names_it(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with (
        pytest.raises(OutputWriteError, match=r"out\.csv: No space left on device"),
        atomic_output(out) as tmp,
        tmp.open("w") as handle,
    ):
        handle.write("site,power\n")
        _disk_full()
    assert _entries(tmp_path) == []


def test_write_error_in_the_third_raster_leaves_no_coverage_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = rasters.GeoTiffWriter.write_bands

    def failing(self: rasters.GeoTiffWriter, *args: object, **kwargs: object) -> None:
        calls.append(1)
        real(self, *args, **kwargs)
        if len(calls) == 3:
            _disk_full()

    monkeypatch.setattr(rasters.GeoTiffWriter, "write_bands", failing)
    out = tmp_path / "coverage"
    with (
        pytest.raises(OutputWriteError, match=str(out)),
        atomic_folder(out, names=["a.tif", "b.tif", "c.tif"]) as staging,
    ):
        for name in ("a.tif", "b.tif", "c.tif"):
            ones = np.ones((4, 4), "uint8")
            write_geotiff(staging / name, ones, transform=TRANSFORM, crs="EPSG:32648")
    assert _entries(tmp_path) == []  # neither the folder nor a hidden staging folder


def test_folder_output_into_an_existing_folder_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError), atomic_folder(out, names=["notes.txt"]):
        pass
    with atomic_folder(out, names=["a.txt"]) as staging:
        (staging / "a.txt").write_text("new")
    assert _entries(tmp_path) == ["maps", "maps/a.txt", "maps/notes.txt"]


def test_output_naming_a_folder_or_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputWriteError, match="is a folder"):
        check_output(tmp_path / "taken", overwrite=True)
    with (
        pytest.raises(OutputWriteError, match="is a file"),
        atomic_folder(tmp_path / "plain", names=[], overwrite=True),
    ):
        pass


def test_unwritable_destination_is_an_output_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("tempfile.mkstemp", read_only)
    with (
        pytest.raises(OutputWriteError, match="Permission denied"),
        atomic_output(tmp_path / "x.tif"),
    ):
        pass


@pytest.fixture
def full_disk(tmp_path: Path) -> object:
    """A 200 kB tmpfs: a real full disk (needs root; skipped elsewhere)."""
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tiny tmpfs here (needs root): full disk not simulated")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_predict_on_a_full_disk_exits_non_zero_and_leaves_nothing(full_disk: Path) -> None:
    from coverage.datasets import get_path

    out = full_disk / "power.tif"
    args = ["predict", "--dem", str(get_path("laocai_terrain")), "--site", "103.9,22.3"]
    result = CliRunner().invoke(main, [*args, "--radius", "30000", "--out", str(out)])
    assert result.exit_code != 0
    assert "power.tif" in result.output and "Traceback" not in result.output
    assert _entries(full_disk) == []


def _interrupted_demo(tmp_path: Path, number: int, *extra: str) -> tuple[int, str]:
    """Exit code and stderr of ``phusong demo`` sent signal ``number`` once it writes."""
    out = tmp_path / "maps"
    command = "from coverage.cli import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", command, "demo", "--out", str(out), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(tmp_path.iterdir()):
        time.sleep(0.05)  # the staging folder appears once the run starts writing
    time.sleep(0.5)
    process.send_signal(number)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the demo finished before the signal arrived")
    return process.returncode, stderr


def test_sigterm_during_demo_leaves_no_partial_output(tmp_path: Path) -> None:
    code, stderr = _interrupted_demo(tmp_path, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM, stderr
    assert _entries(tmp_path) == []


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("vi", "Lỗi: đã dừng (Ctrl-C): không tệp kết quả nào bị ghi dở"),
        ("en", "Error: interrupted (Ctrl-C): no output was left half-written"),
    ],
)
def test_ctrl_c_during_demo_says_so_in_one_line_and_leaves_nothing(
    tmp_path: Path, lang: str, line: str
) -> None:
    code, stderr = _interrupted_demo(tmp_path, signal.SIGINT, "--lang", lang)
    assert code == 128 + signal.SIGINT, stderr
    assert stderr.strip().splitlines()[-1].startswith(line), stderr
    assert "Traceback" not in stderr and "Aborted!" not in stderr
    assert _entries(tmp_path) == []
