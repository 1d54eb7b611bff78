"""Site selection against PySAL spopt's maximal covering model on the same coverage matrix.

Demand cells and candidates are random points in a square; a candidate covers the cells
within its own random radius (a stand-in for the model's coverage sets, so that both
solvers get exactly the same matrix). phusong's lazy greedy and HiGHS integer programme
run on it, and ``spopt.locate.MCLP.from_cost_matrix`` with its own solver set-up (PuLP's
CBC, time limit 60 s). Sizes: 10,000 x 1,000 and 100,000 x 5,000 (spopt needs the dense
cost matrix there: 4 GB of float64; it is reported, not run). Printed: objectives, times
and the time ratio against spopt.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from coverage.planning.matrix import merge_rows
from coverage.planning.solvers import exact_cover, greedy_cover

SITES = 20
TIME_LIMIT_S = 60.0


def _instance(n_demand: int, n_candidates: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    demand = rng.random((n_demand, 2)) * 100_000.0
    sites = rng.random((n_candidates, 2)) * 100_000.0
    radius = rng.uniform(2_000.0, 6_000.0, n_candidates)
    tree = cKDTree(demand)
    rows, cols = [], []
    for j, (point, r) in enumerate(zip(sites, radius, strict=True)):
        hit = tree.query_ball_point(point, r)
        rows.extend(hit)
        cols.extend([j] * len(hit))
    matrix = sp.csc_array((np.ones(len(rows)), (rows, cols)), shape=(n_demand, n_candidates))
    weights = rng.integers(1, 100, n_demand).astype(float)
    return matrix, weights


def _spopt(matrix: sp.csc_array, weights: np.ndarray) -> tuple[float, float, str]:
    import pulp
    from spopt.locate import MCLP

    cost = np.where(matrix.toarray() > 0, 0.0, 2.0)
    started = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, weights, service_radius=1.0, p_facilities=SITES)
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=TIME_LIMIT_S))
    seconds = time.perf_counter() - started
    chosen = [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]
    covered = np.asarray(matrix[:, chosen].sum(axis=1)).ravel() > 0
    return float(weights[covered].sum()), seconds, pulp.LpStatus[model.problem.status]


def main() -> None:
    for n_demand, n_candidates in ((10_000, 1_000), (100_000, 5_000)):
        matrix, weights = _instance(n_demand, n_candidates)
        started = time.perf_counter()
        merged, w, _ = merge_rows(matrix, weights)
        merge_s = time.perf_counter() - started
        print(f"{n_demand:,} demand x {n_candidates:,} candidates, {matrix.nnz:,} nonzeros; "
              f"merged to {merged.shape[0]:,} rows in {merge_s:.2f} s")  # fmt: skip
        greedy = greedy_cover(merged, w, sites=SITES)
        print(f"  greedy: {greedy.statement()}")
        exact = exact_cover(merged, w, sites=SITES, time_limit_s=TIME_LIMIT_S, mip_rel_gap=0.01)
        print(f"  ilp:    {exact.statement()}")
        if n_demand * n_candidates > 50_000_000:
            gb = n_demand * n_candidates * 8 / 1e9
            print(f"  spopt MCLP: not run: from_cost_matrix needs a dense {gb:.0f} GB cost matrix")
            continue
        objective, seconds, status = _spopt(matrix, weights)
        print(f"  spopt MCLP (PuLP CBC): {objective:,.0f} people, {status}, {seconds:.2f} s")
        print(f"  ratio spopt / greedy time: {seconds / greedy.seconds:.1f}x; "
              f"spopt / ilp time (merge included): {seconds / (exact.seconds + merge_s):.1f}x; "
              f"same objective as ilp: {abs(objective - exact.objective) < 0.5}")  # fmt: skip


if __name__ == "__main__":
    main()
