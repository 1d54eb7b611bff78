"""`phusong demo` on its embedded data: complete outputs, and no warning about its own data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from coverage.demo import COVERAGE_FOLDER, KMZ, OUTPUTS, REPORT

WARNING_WORDS = ("WARNING", "Warning", "CẢNH BÁO", "Cảnh báo")


def test_demo_prints_no_warning_about_its_own_data(tmp_path: Path) -> None:
    """Towers with every radio field, a DEM a radius beyond every site and candidate, a
    population raster: nothing to warn about (issue 12, item 11)."""
    out = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-c", "from coverage.cli import main; main()", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    # the demo speaks Vietnamese: a warning would be framed "CẢNH BÁO" (English: "WARNING")
    assert [line for line in lines if any(w in line for w in WARNING_WORDS)] == []
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, COVERAGE_FOLDER, REPORT, KMZ])
    # still honest: the synthetic population is named on the map and in the report
    page = (out / OUTPUTS[0]).read_text(encoding="utf-8")
    assert "dân số là dữ liệu TỔNG HỢP" in page
    with zipfile.ZipFile(out / KMZ) as kmz:
        assert "dân số là dữ liệu TỔNG HỢP" in kmz.read("doc.kml").decode("utf-8")
