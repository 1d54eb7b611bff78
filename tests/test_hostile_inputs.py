"""Arbitrary bytes, tables and option values meet only phusong's own errors (issue 12).

Every reader given any bytes under any of its suffixes either reads them or raises a
:class:`CoverageError`; every number option given any float is taken or refused as a
click usage error. Never another exception (a traceback for the user).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from coverage.cli import main
from coverage.errors import CoverageError
from coverage.io.communes import read_communes
from coverage.io.dem import open_native_dem
from coverage.io.describe import describe
from coverage.io.terrain import open_terrain
from coverage.io.towers import read_towers

READERS = {
    "terrain": (open_terrain, (".tif", ".hgt", ".hgt.zip")),
    "native dem": (open_native_dem, (".tif", ".hgt")),
    "towers": (read_towers, (".csv", ".xlsx", ".geojson")),
    "communes": (read_communes, (".geojson", ".gpkg", ".zip")),
    "info": (describe, (".tif", ".csv", ".geojson", ".xlsx")),
}
BOUNDED = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _read_or_own_error(reader: object, path: Path) -> None:
    with warnings.catch_warnings(), contextlib.suppress(CoverageError):
        warnings.simplefilter("ignore")  # advice about what was read is not the point here
        reader(path)  # type: ignore[operator]


@pytest.mark.parametrize("name", list(READERS))
@BOUNDED
@given(data=st.binary(min_size=1, max_size=2048), pick=st.integers(0, 3))
def test_readers_meet_arbitrary_bytes_with_their_own_errors(
    tmp_path: Path, name: str, data: bytes, pick: int
) -> None:
    reader, suffixes = READERS[name]
    path = tmp_path / f"N22E103{suffixes[pick % len(suffixes)]}"
    path.write_bytes(data)
    _read_or_own_error(reader, path)


CELLS = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.sampled_from(["", "=1+1", "103,5", "22.5N", "1e400", "-32768", "Viettel", "4G"]),
)
HEADERS = st.lists(
    st.sampled_from(["site_id", "operator", "lon", "lat", "Kinh độ", "Vĩ độ", "x", "y",
                     "technology", "frequency_mhz", "eirp_dbm", "antenna_height_m", ""]),
    min_size=1, max_size=6, unique=True,
)  # fmt: skip


@BOUNDED
@given(header=HEADERS, rows=st.lists(st.lists(CELLS, min_size=6, max_size=6), max_size=5))
def test_tower_reader_meets_arbitrary_tables_with_its_own_errors(
    tmp_path: Path, header: list[str], rows: list[list[object]]
) -> None:
    path = tmp_path / "towers.csv"
    lines = [",".join(header)] + [
        ",".join(f'"{str(v).replace(chr(34), "")}"' for v in row[: len(header)]) for row in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _read_or_own_error(read_towers, path)


NUMBER_OPTIONS = ["--height", "--rx-height", "--radius", "--k-factor", "--resolution",
                  "--frequency", "--eirp"]  # fmt: skip


@BOUNDED
@given(
    option=st.sampled_from(NUMBER_OPTIONS),
    value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8)),
)
def test_number_options_take_or_refuse_any_value(
    tmp_path: Path, option: str, value: object
) -> None:
    text = repr(value) if isinstance(value, float) and math.isfinite(value) else str(value)
    args = ["predict", "--dem", str(tmp_path), "--site", "103.9,22.3", option, text,
            "--out", str(tmp_path / "x.tif")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    # an empty folder as DEM: a value the option takes ends in the DEM's own error (exit 2)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit | click.exceptions.Exit | type(None))
    assert "a bug in phusong" not in result.output and "Traceback" not in result.output
