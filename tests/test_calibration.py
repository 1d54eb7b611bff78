"""Calibration: the fit recovers known terms, folds are blocked, files apply to one model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine

from coverage.calibration import (
    blocked_folds,
    calibrate,
    calibrate_points,
    fit_terms,
    read_calibration,
    summary_lines,
)
from coverage.errors import CalibrationError, SchemaError
from coverage.io.measurements import measurement_sites, measurements_from_frame, read_measurements
from coverage.io.rasters import write_coverage
from coverage.io.towers import towers_from_frame
from coverage.measured_error import accuracy, matched_points
from coverage.model import predict
from coverage.terrain import Terrain

OFFSET, SLOPE, NOISE = -6.0, 9.0, 4.0


@pytest.fixture(scope="module")
def towers():
    return towers_from_frame(pd.DataFrame({
        "site_id": ["A", "B"], "operator": ["Viettel", "Viettel"], "lon": [103.90, 103.96],
        "lat": [22.50, 22.52], "technology": ["4G", "4G"], "frequency_mhz": [1800, 1800],
        "eirp_dbm": [60, 60], "antenna_height_m": [30, 35], "beamwidth_deg": [360, 360],
        "tilt_deg": [0, 0],
    }))  # fmt: skip


@pytest.fixture(scope="module")
def synthetic(towers):
    """Points whose measured loss is the engine's hata plus a known offset, slope and noise."""
    rng = np.random.default_rng(3)
    n = 1500
    frame = pd.DataFrame({
        "lon": rng.uniform(103.86, 104.0, n), "lat": rng.uniform(22.46, 22.56, n),
        "operator": "Viettel", "technology": "LTE", "loss_db": 100.0,
    })  # fmt: skip
    points = measurements_from_frame(frame)
    truth = matched_points(points, towers, model="hata")
    d_km = truth["distance_m"].to_numpy() / 1000.0
    noise = rng.normal(0, NOISE, n)
    points["loss_db"] = truth["predicted_loss_db"] + OFFSET + SLOPE * np.log10(d_km) + noise
    return points


def test_the_fit_recovers_a_known_offset_and_slope_within_their_standard_errors(
    synthetic, towers
) -> None:
    calibration = calibrate(synthetic, towers, model="hata", block_m=1000.0)
    (terms,) = calibration.terms
    assert abs(terms.offset_db - OFFSET) < 3 * terms.offset_se_db
    assert abs(terms.slope_db_per_decade - SLOPE) < 3 * terms.slope_se_db_per_decade
    assert 0.05 < terms.offset_se_db < 0.5 and 0.1 < terms.slope_se_db_per_decade < 1.0
    # out-of-fold error is the noise, no better
    assert NOISE * 0.95 < calibration.rmse_after_cv_db < NOISE * 1.1
    assert calibration.rmse_before_db > calibration.rmse_after_cv_db + 0.5


def test_the_huber_fit_shrugs_off_wild_points() -> None:
    rng = np.random.default_rng(0)
    d = rng.uniform(100, 5000, 400)
    error = 3.0 + 20.0 * np.log10(d / 1000) + rng.normal(0, 2, 400)
    error[:20] += 60.0  # a tunnel
    terms, se = fit_terms(d, error)
    assert abs(terms[0] - 3.0) < 0.6 and abs(terms[1] - 20.0) < 1.5


def test_blocked_folds_never_share_a_block() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 8000, 5000), rng.uniform(0, 6000, 5000)
    fold, block = blocked_folds(x, y, block_m=700.0, folds=5, seed=2)
    per_block = pd.Series(fold).groupby(block).nunique()
    assert (per_block == 1).all() and len(per_block) > 50
    assert sorted(set(fold)) == [0, 1, 2, 3, 4]
    # and each block is one square of 700 m
    assert (pd.Series(np.floor(x / 700)).groupby(block).nunique() == 1).all()


def test_a_calibration_round_trips_and_is_refused_by_another_model(synthetic, towers, tmp_path):
    calibration = calibrate(synthetic, towers, model="hata")
    path = calibration.save(tmp_path / "cal.json")
    again = read_calibration(path)
    assert again.to_dict() == calibration.to_dict()
    assert again.to_dict()["phusong_version"] and again.folds["block_m"] == 1000.0
    with pytest.raises(CalibrationError, match=r"cal.json calibrates the 'hata' model.*'fspl'"):
        accuracy(synthetic, towers, models=["fspl"], calibration=again)
    calibrated = accuracy(synthetic, towers, models=["hata"], calibration=again)
    assert calibrated.ranking()["rmse_db"].iloc[0] < NOISE * 1.05


def test_predict_adds_the_calibration_to_each_site_and_records_it(synthetic, towers, tmp_path):
    calibration = calibrate(synthetic, towers, model="hata")
    (terms,) = calibration.terms
    terrain = Terrain.from_array(np.zeros((300, 320)), transform=Affine(60, 0, 380_000, 0, -60,
                                 2_497_000), crs="EPSG:32648")  # fmt: skip
    plain = predict(towers, terrain, model="hata", radius_m=5000)
    tuned = predict(towers, terrain, model="hata", radius_m=5000, calibration=calibration)
    assert tuned.parameters["calibration"] == calibration.describe()
    saved = read_calibration(calibration.save(tmp_path / "drive.json"))
    tuned = predict(towers, terrain, model="hata", radius_m=5000, calibration=saved)
    written = write_coverage(tuned, tmp_path / "tuned")
    for path in (p for p in written if p.suffix == ".tif"):
        with rasterio.open(path) as dataset:
            tag = dataset.tags()["calibration"]
        assert tag.startswith("drive.json: hata; ") and f"{terms.offset_db:+.2f} dB" in tag
    assert "drive.json: hata" in (tmp_path / "tuned" / "layers.csv").read_text(encoding="utf-8")
    with rasterio.open(write_coverage(plain, tmp_path / "plain")[0]) as dataset:
        assert "calibration" not in dataset.tags()
    local = towers.to_crs(terrain.crs)
    row, col = (int(round(v)) for v in terrain.rowcol(local.geometry.x[0] + 2000.0,
                                                        local.geometry.y[0]))  # fmt: skip
    expected = terms.offset_db + terms.slope_db_per_decade * np.log10(2.0)
    shift = float(plain.best_power_dbm[0, row, col] - tuned.best_power_dbm[0, row, col])
    assert shift == pytest.approx(expected, abs=0.3)  # 2 km east of A (cell centre)


def test_points_far_from_any_site_of_their_operator_name_the_row(towers) -> None:
    frame = pd.DataFrame({"lon": [103.91, 105.5], "lat": [22.5, 22.5], "operator": "Viettel",
                          "loss_db": [110.0, 120.0]})  # fmt: skip
    points = measurements_from_frame(frame, source="measurement file far.csv")
    with pytest.raises(SchemaError, match=r"far.csv: 1 point\(s\) have no site.*row 3"):
        matched_points(points, towers, model="fspl")
    other = measurements_from_frame(frame.iloc[:1].assign(operator="MobiFone"), source="m.csv")
    with pytest.raises(SchemaError, match=r"m.csv: 1 point\(s\).*row 2"):
        matched_points(other, towers, model="fspl")


@pytest.fixture(scope="module")
def recife(measurements_dir):
    points = read_measurements(measurements_dir / "recife_gsm1800.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # beamwidth and operator from the documented defaults
        return points, measurement_sites(points)


def test_recife_calibration_under_blocked_cross_validation(recife) -> None:
    # The target is <= 8 dB; offset + slope on the engine's Hata reaches 11.6 dB
    # with 500 m blocks (the plain log-distance fit is 10.6 dB in-sample, README): the
    # target is not met, and this test pins the figure so that a change shows.
    points, sites = recife
    calibration = calibrate(points, sites, model="hata", block_m=500.0)
    assert calibration.rmse_before_db == pytest.approx(14.42, abs=0.1)
    assert calibration.rmse_after_cv_db == pytest.approx(11.65, abs=0.15)
    assert calibration.flat_terrain


def test_recife_loss_does_not_follow_the_file_s_own_antenna_pattern(measurements_dir) -> None:
    # If PLreal held the sector pattern, regressing it on log-distance and the file's own
    # pattern attenuation (attHor, attVer) would give pattern coefficients near 1 dB/dB.
    # They are 0.18 and -0.27: the measured loss is compared as isotropic path loss.
    data = pd.read_csv(measurements_dir / "recife_gsm1800.csv")
    x = np.c_[np.ones(len(data)), np.log10(data["dist"]), data["attHor"], data["attVer"]]
    coefficients = np.linalg.lstsq(x, data["PLreal"], rcond=None)[0]
    assert coefficients[2:] == pytest.approx([0.18, -0.27], abs=0.02)


def test_recife_calibration_of_isotropic_path_loss(recife) -> None:
    # Without the pattern, untuned Hata is 12.5 dB (the 12.6 dB), and offset +
    # slope under 500 m blocked CV 11.4 dB: still above the 8 dB target (see the report).
    points, sites = recife
    calibration = calibrate(points, sites, model="hata", block_m=500.0, antenna_pattern=False)
    assert calibration.rmse_before_db == pytest.approx(12.54, abs=0.1)
    assert calibration.rmse_after_cv_db == pytest.approx(11.39, abs=0.15)
    assert not calibration.antenna_pattern
    assert "isotropic" in "\n".join(summary_lines(calibration))


def test_covenant_error_table_for_every_model(measurements_dir) -> None:
    points = read_measurements(measurements_dir / "covenant_1800.csv")
    # the transmitter per the README: 6.67503 N, 3.162861 E, 30 m above ground
    site = towers_from_frame(pd.DataFrame({
        "site_id": ["TX"], "operator": ["unknown"], "lat": [6.67503], "lon": [3.162861],
        "antenna_height_m": [30], "technology": ["4G"], "frequency_mhz": [1800],
        "eirp_dbm": [60], "beamwidth_deg": [360], "tilt_deg": [0],
    }))  # fmt: skip
    report = accuracy(points, site)
    ranking = report.ranking()
    assert list(ranking["model"])[0] == "hata" and len(ranking) == 4
    assert ranking["n"].tolist() == [3616] * 4
    calibration = calibrate_points(report.points[report.points["model"] == "hata"],
                                   block_m=200.0, buffer_m=50.0)  # fmt: skip
    assert calibration.rmse_after_cv_db < calibration.rmse_before_db
