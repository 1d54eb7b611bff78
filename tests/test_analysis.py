"""analyse(): the whole job in one call, and its summaries."""

from __future__ import annotations

import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal

from coverage.analysis import Analysis, analyse
from coverage.errors import CruderMethodWarning
from coverage.gaps import NO_OPERATOR, commune_coverage, gap_polygons
from coverage.io.communes import read_communes
from coverage.io.terrain import open_terrain
from coverage.io.towers import read_towers
from coverage.population import population_from_communes


@pytest.fixture(scope="module")
def run(small_scenario: dict) -> Analysis:
    communes = read_communes(small_scenario["communes"])
    towers = read_towers(small_scenario["towers"])
    terrain = open_terrain(small_scenario["dem"])
    with pytest.warns(CruderMethodWarning, match="spread evenly over each commune"):
        return analyse(communes, towers, terrain, population_column="dan_so", radius_m=4000)


def test_people_are_conserved_per_commune(run: Analysis) -> None:
    table = run.communes
    np.testing.assert_allclose(table["population"], [4000, 3000, 5000, 9000], rtol=0.005)
    for key in ("any", "viettel", "mobifone", "viettel_4g"):
        total = table[f"covered_population_{key}"] + table[f"uncovered_population_{key}"]
        np.testing.assert_allclose(total, table["population"], rtol=1e-9)


def test_gaps_per_operator_and_nobody(run: Analysis) -> None:
    assert set(run.gaps["operator"]) == {NO_OPERATOR, "Viettel", "MobiFone"}
    nobody = run.gaps[run.gaps["operator"] == NO_OPERATOR]
    assert nobody["rank"].tolist() == list(range(1, len(nobody) + 1))
    assert nobody["people"].is_monotonic_decreasing
    # people in "no operator" gaps (scattered rows too) equal the uncovered people of the communes
    assert nobody["people"].sum() == pytest.approx(
        run.communes["uncovered_population_any"].sum(), rel=1e-9
    )
    assert run.gaps.crs == run.result.crs


def test_summary_lists_operators_not_layers(run: Analysis) -> None:
    summary = run.summary()
    assert summary["operator"].tolist() == ["any operator", "MobiFone", "Viettel"]
    any_row = summary.iloc[0]
    assert any_row["uncovered_population"] <= summary["uncovered_population"].min()
    assert 0 <= any_row["uncovered_share"] <= 1
    page = run._repr_html_()
    assert "any operator" in page and "MobiFone" in page


def test_figures_prepared_once_equal_the_plain_calls(small_scenario: dict) -> None:
    """analyse() projects and rasterises the communes once: the figures do not change."""
    communes = read_communes(small_scenario["communes"])
    towers = read_towers(small_scenario["towers"])
    terrain = open_terrain(small_scenario["dem"])
    previous = communes.to_crs("EPSG:4326").assign(commune_id=["a", "b", "c", "d"])
    with pytest.warns(CruderMethodWarning):
        run = analyse(
            communes,
            towers,
            terrain,
            population_column="dan_so",
            radius_m=4000,
            previous_communes=previous,
        )
    people = population_from_communes(communes, "dan_so", grid=run.result.grid)
    np.testing.assert_array_equal(run.population.people, people.people)
    table = commune_coverage(communes, run.result, population=people)
    assert_geodataframe_equal(run.communes, table)
    for operator in (None, "MobiFone", "Viettel"):
        plain = gap_polygons(
            run.result,
            communes=communes,
            population=people,
            terrain=terrain,
            operator=operator,
            previous_communes=previous,
        )
        label = NO_OPERATOR if operator is None else operator
        prepared = run.gaps[run.gaps["operator"] == label].reset_index(drop=True)
        assert len(plain) and plain["previous_commune_id"].notna().all()
        assert_geodataframe_equal(prepared, plain)
        assert run.gaps.attrs["dropped"][label] == plain.attrs["dropped"]


def test_a_dem_tagged_synthetic_marks_every_gap_and_commune_row(
    small_scenario: dict, tmp_path
) -> None:
    import shutil

    import rasterio

    from coverage.analysis import SYNTHETIC_COLUMN
    from coverage.io.gaplists import write_gap_list

    dem = shutil.copy(small_scenario["dem"], tmp_path / "dem.tif")
    with rasterio.open(dem, "r+") as dst:
        dst.update_tags(synthetic="yes")
    terrain = open_terrain(dem)
    assert terrain.synthetic and not open_terrain(small_scenario["dem"]).synthetic
    communes = read_communes(small_scenario["communes"])
    towers = read_towers(small_scenario["towers"])
    with pytest.warns(CruderMethodWarning):
        tagged = analyse(communes, towers, terrain, population_column="dan_so", radius_m=4000)
    for table in (tagged.gaps, tagged.communes):
        assert (table[SYNTHETIC_COLUMN] == "terrain").all()
    assert tagged.synthetic_inputs == ["terrain"]
    csv = write_gap_list(tagged.gaps, tagged.communes, tmp_path / "gaps.csv")
    assert csv.read_text(encoding="utf-8-sig").splitlines()[1].count(",terrain,") == 1

    # a population raster tagged synthetic is named too, and in Vietnamese lists translated
    with rasterio.open(dem) as src:
        profile = src.profile | {"dtype": "float32", "nodata": -1.0, "count": 1}
        shape = src.shape
    people = tmp_path / "people.tif"
    with rasterio.open(people, "w", **profile) as dst:
        dst.write(np.full(shape, 2.0, np.float32), 1)
        dst.update_tags(synthetic="yes")
    both = analyse(communes, towers, terrain, population=people, radius_m=4000)
    assert both.synthetic_inputs == ["terrain", "population"]
    assert (both.gaps[SYNTHETIC_COLUMN] == "terrain, population").all()
    vi = write_gap_list(both.gaps, both.communes, tmp_path / "gaps_vi.csv", lang="vi")
    assert vi.read_text(encoding="utf-8-sig").splitlines()[1].count('"địa hình, dân số"') == 1


def test_each_operator_list_speaks_the_callers_language(
    small_scenario: dict, caplog: pytest.LogCaptureFixture
) -> None:
    """The operators' lists are built on threads: each keeps the caller's language."""
    import logging

    from coverage.i18n import language

    communes = read_communes(small_scenario["communes"])
    towers = read_towers(small_scenario["towers"])
    terrain = open_terrain(small_scenario["dem"])
    people = population_from_communes(communes, column="dan_so", grid=terrain.grid)
    with language("vi"), caplog.at_level(logging.INFO, logger="coverage.gaps.pieces"):
        analyse(communes, towers, terrain, population=people, radius_m=4000)
    lines = [r.getMessage() for r in caplog.records if r.name == "coverage.gaps.pieces"]
    assert len(lines) == 3  # nobody, Viettel, MobiFone
    assert all(line.startswith("vùng lõm sóng ") for line in lines), lines
