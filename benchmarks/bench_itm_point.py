"""Per-receiver-point cost of the ITM point-to-point kernel, against itmlogic.

Profiles are Lào Cai-like: 20 km at 30 m spacing (668 samples), ridges of several
hundred metres over a 100-1,500 m base. Three figures, all on the same profiles in the
same run:

- ours, full profile: :func:`coverage.physics.itm.p2p.itm_p2p_point` called from numba code on the
  whole 20 km profile (the cost of one receiver 20 km out);
- ours, along a radial: every sample of a radial is a receiver with its own profile
  ``radial[: k + 1]``, as the coverage engine calls it (mean profile length 10 km);
- itmlogic (pure Python port of ITM 1.2.2, the named peer) on the full profiles.

Target: at most 0.02 ms per point for ours. REFERENCES.md lists crc-covlib's ITM at
about 0.14 ms and itmlogic at about 1.4 ms per point on a 2-core machine.

Run ``python -m benchmarks.bench_itm_point`` (or ``python -m benchmarks`` for all).
"""

from __future__ import annotations

import cmath
import math
import time

import numba
import numpy as np

from coverage.physics.itm.p2p import itm_p2p_point

STEP_M = 30.0
N_SAMPLES = 668  # 20 km at 30 m
# h_tx, h_rx, MHz, vertical, average ground, N_0, continental subtropical, mdvar, medians
KERNEL_ARGS = (30.0, 1.5, 900.0, 1, 15.0, 0.005, 301.0, 2, 12, 50.0, 50.0, 50.0)


def mountain_profiles(count: int, *, seed: int = 2024) -> list[np.ndarray]:
    """Synthetic Lào Cai-like 20 km profiles: Gaussian ridges plus a rough random walk.

    The last two samples are equal (a receiver on a level last interval) so that
    itmlogic's off-by-one read of the receiver's ground elevation does not matter.
    """
    rng = np.random.default_rng(seed)
    x = np.arange(N_SAMPLES) * STEP_M
    profiles = []
    for _ in range(count):
        elevations = np.full(N_SAMPLES, rng.uniform(100.0, 1500.0))
        for _ in range(rng.integers(2, 7)):
            centre, width = rng.uniform(0.0, x[-1]), rng.uniform(400.0, 4000.0)
            elevations += rng.uniform(-300.0, 900.0) * np.exp(-(((x - centre) / width) ** 2))
        elevations += np.cumsum(rng.normal(0.0, 5.0, N_SAMPLES))
        elevations[-1] = elevations[-2]
        profiles.append(elevations)
    return profiles


@numba.njit(cache=True)
def _full_profile_losses(profiles: np.ndarray, repeats: int) -> np.ndarray:
    losses = np.empty(profiles.shape[0])
    for _ in range(repeats):
        for p in range(profiles.shape[0]):
            losses[p] = itm_p2p_point(
                profiles[p], STEP_M, 30.0, 1.5, 900.0, 1, 15.0, 0.005, 301.0, 2, 12,
                50.0, 50.0, 50.0,
            )[0]  # fmt: skip
    return losses


@numba.njit(cache=True)
def _radial_losses(profiles: np.ndarray) -> np.ndarray:
    losses = np.empty((profiles.shape[0], profiles.shape[1]))
    for p in range(profiles.shape[0]):
        losses[p, 0] = np.nan
        for k in range(1, profiles.shape[1]):
            losses[p, k] = itm_p2p_point(
                profiles[p, : k + 1], STEP_M, 30.0, 1.5, 900.0, 1, 15.0, 0.005, 301.0, 2,
                12, 50.0, 50.0, 50.0,
            )[0]  # fmt: skip
    return losses


def itmlogic_loss(elevations: np.ndarray, step_m: float) -> float:
    """itmlogic (ITM 1.2.2 port) with :data:`KERNEL_ARGS`, driven like its qkpfl script."""
    from itmlogic.misc.qerfi import qerfi
    from itmlogic.preparatory_subroutines.qlrpfl import qlrpfl
    from itmlogic.statistics.avar import avar

    h_tx, h_rx, f_mhz, pol, eps, sgm, n0, climate, mdvar, t_pct, l_pct, s_pct = KERNEL_ARGS
    n = elevations.size - 1
    p10 = int(0.1 * n)
    n_s = n0 * math.exp(-float(np.mean(elevations[p10 : n - p10 + 1])) / 9460.0)
    wave_number = f_mhz / 47.7
    permittivity = complex(eps, 376.62 * sgm / wave_number)
    ground = cmath.sqrt(permittivity - 1) / (permittivity if pol else 1)
    prop = {
        "eps": eps, "sgm": sgm, "ipol": pol, "fmhz": f_mhz, "hg": [h_tx, h_rx],
        "klim": climate, "ens0": n0, "pfl": [n, step_m, *(float(z) for z in elevations)],
        "lvar": 5, "gma": 157e-9, "kwx": 0, "wn": wave_number, "ens": n_s,
        "gme": 157e-9 * (1 - 0.04665 * math.exp(n_s / 179.3)), "zgnd": ground,
        "klimx": climate, "mdvarx": mdvar,
    }  # fmt: skip
    prop = qlrpfl(prop)
    z_t, z_l, z_s = qerfi([t_pct / 100, l_pct / 100, s_pct / 100])
    attenuation_db, _ = avar(z_t, z_l, z_s, prop)
    return 8.685890 * math.log(2 * wave_number * prop["dist"]) + attenuation_db


def main(*, n_profiles: int = 24, repeats: int = 200) -> dict[str, float]:
    """Time both implementations on the same profiles; print and return ms per point."""
    profiles = np.ascontiguousarray(mountain_profiles(n_profiles))

    started = time.perf_counter()
    _full_profile_losses(profiles[:1], 1)  # compile, or load from numba's cache
    _radial_losses(profiles[:1, :8])
    warmup_s = time.perf_counter() - started

    started = time.perf_counter()
    ours = _full_profile_losses(profiles, repeats)
    ours_full_ms = (time.perf_counter() - started) * 1e3 / (n_profiles * repeats)

    started = time.perf_counter()
    _radial_losses(profiles)
    ours_radial_ms = (time.perf_counter() - started) * 1e3 / (n_profiles * (N_SAMPLES - 1))

    results = {"ours_full_ms": ours_full_ms, "ours_radial_ms": ours_radial_ms}
    try:
        import itmlogic  # noqa: F401
    except ImportError:
        print("itmlogic is not installed: peer timing skipped (pip install itmlogic)")
        theirs = None
    else:
        itmlogic_loss(profiles[0], STEP_M)
        started = time.perf_counter()
        theirs = np.array([itmlogic_loss(profile, STEP_M) for profile in profiles])
        results["itmlogic_ms"] = (time.perf_counter() - started) * 1e3 / n_profiles
        results["ratio"] = results["itmlogic_ms"] / ours_full_ms
        results["max_difference_db"] = float(np.max(np.abs(ours - theirs)))

    print(f"ITM point-to-point, {n_profiles} mountain profiles of 20 km at 30 m")
    print(f"  numba compile or cache load: {warmup_s:.2f} s (once per process)")
    print(f"  ours, 20 km profile:   {ours_full_ms:.4f} ms/point (target <= 0.02)")
    print(f"  ours, along a radial:  {ours_radial_ms:.4f} ms/point")
    if theirs is not None:
        print(f"  itmlogic, 20 km:       {results['itmlogic_ms']:.4f} ms/point")
        print(f"  ratio itmlogic / ours: {results['ratio']:.0f}x")
        print(f"  largest loss difference: {results['max_difference_db']:.3f} dB")
    print("  (REFERENCES.md: crc-covlib ~0.14 ms/point, itmlogic ~1.4 ms/point)")
    return results


if __name__ == "__main__":
    main()
