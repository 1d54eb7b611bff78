"""Maps of huge tower lists: plain dots beyond TOWER_MARKER_LIMIT, said on the map (issue 12.4)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from test_render import X0, XSS, Y0, build_scenario

from coverage.render.layers import TOWER_MARKER_LIMIT, TowerLayer, TowerPointLayer, tower_layers
from coverage.render.map import coverage_map, save_map

N_TOWERS = 100_000
MAX_MAP_BYTES = 12_000_000
"""A 100,000-tower map was 171 MB with per-marker HTML; dots in compact columns: under 12 MB."""


def _many_towers(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    names = np.array(["Viettel", "VinaPhone", "MobiFone"])
    return gpd.GeoDataFrame(
        {
            "site_id": [f"T{i:06d}" for i in range(n - 1)] + [XSS],
            "operator": names[rng.integers(0, 3, n)],
            "technology": np.array(["2G", "4G"])[rng.integers(0, 2, n)],
            "azimuth_deg": rng.uniform(0, 360, n),
            "beamwidth_deg": 65.0,
        },
        geometry=gpd.points_from_xy(X0 + 6000 * rng.random(n), Y0 - 6000 * rng.random(n)),
        crs="EPSG:32648",
    )


def test_100000_towers_make_a_small_map_that_says_they_are_dots(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    scenario = build_scenario(60)
    towers = _many_towers(N_TOWERS)
    with caplog.at_level(logging.WARNING, logger="coverage"):
        m = coverage_map(scenario["communes"], scenario["result"], towers=towers, offline=True)
    path = save_map(m, tmp_path / "map.html", offline=True)
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < MAX_MAP_BYTES
    note = "100,000 towers: drawn as plain dots (more than 2,000), without sector wedges"
    assert note in text and any(note in r.getMessage() for r in caplog.records)
    assert "phusong-note" in text
    assert (
        "L.markerClusterGroup" not in text
        and "phusong-tower-wrap" not in text.split("</style>")[-1]
    )
    assert "<img src=x onerror" not in text  # the hostile site id stays text
    assert re.search(r'"id":\["T000000","T000001"', text)


def test_few_towers_keep_their_markers_and_wedges() -> None:
    towers = _many_towers(TOWER_MARKER_LIMIT)
    markers, sectors = tower_layers(towers, {"Viettel": "#e31a1c"})
    assert isinstance(markers, TowerLayer) and sectors is not None
    assert len(markers.data) == TOWER_MARKER_LIMIT
    dots, none = tower_layers(_many_towers(TOWER_MARKER_LIMIT + 1), {"Viettel": "#e31a1c"})
    assert isinstance(dots, TowerPointLayer) and none is None
    assert len(dots.data["lat"]) == TOWER_MARKER_LIMIT + 1
    assert dots.data["colours"][dots.data["ops"].index("Viettel")] == "#e31a1c"
