"""The solvers against brute force on small random instances."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

from coverage.errors import PlanningError
from coverage.planning.matrix import merge_rows
from coverage.planning.solvers import exact_cover, greedy_cover


def _brute(a: np.ndarray, w: np.ndarray, k: int, locked=(), costs=None, budget=None) -> float:
    best = 0.0
    n = a.shape[1]
    for size in range(k + 1):
        for subset in itertools.combinations(range(n), size):
            if not set(locked) <= set(subset):
                continue
            if budget is not None and costs[list(subset)].sum() > budget + 1e-9:
                continue
            covered = a[:, list(subset)].any(axis=1) if subset else np.zeros(len(w), bool)
            best = max(best, float(w[covered].sum()))
    return best


instances = st.tuples(
    st.integers(1, 12), st.integers(1, 7), st.integers(1, 4), st.integers(0, 2**31 - 1)
)


def _instance(rows: int, cols: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((rows, cols)) < 0.35, rng.integers(0, 50, rows).astype(float)


@settings(max_examples=60, deadline=None)
@given(instances)
def test_integer_programme_equals_brute_force(case):
    rows, cols, k, seed = case
    a, w = _instance(rows, cols, seed)
    pick = exact_cover(sp.csc_array(a.astype(float)), w, sites=k, mip_rel_gap=0.0)
    assert len(pick.chosen) <= k
    assert pick.objective == pytest.approx(_brute(a, w, k))
    assert pick.gap == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(instances)
def test_greedy_reaches_its_guarantee_and_its_bound_holds(case):
    rows, cols, k, seed = case
    a, w = _instance(rows, cols, seed)
    best = _brute(a, w, k)
    pick = greedy_cover(sp.csc_array(a.astype(float)), w, sites=k)
    assert pick.objective >= (1 - 1 / math.e) * best - 1e-9
    assert pick.upper_bound >= best - 1e-9
    assert pick.objective <= best + 1e-9


@settings(max_examples=40, deadline=None)
@given(instances)
def test_budgeted_solvers_against_brute_force(case):
    rows, cols, k, seed = case
    a, w = _instance(rows, cols, seed)
    costs = np.random.default_rng(seed + 1).integers(1, 4, cols).astype(float)
    budget = float(k + 1)
    best = _brute(a, w, cols, costs=costs, budget=budget)
    exact = exact_cover(sp.csc_array(a.astype(float)), w, budget=budget, costs=costs,
                        mip_rel_gap=0.0)  # fmt: skip
    assert exact.objective == pytest.approx(best)
    assert costs[exact.chosen].sum() <= budget
    greedy = greedy_cover(sp.csc_array(a.astype(float)), w, budget=budget, costs=costs)
    assert costs[greedy.chosen].sum() <= budget
    assert greedy.upper_bound >= best - 1e-9


@pytest.mark.parametrize("solve", [greedy_cover, exact_cover])
def test_locked_sites_are_kept(solve):
    a = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    w = np.array([10.0, 10.0, 1.0, 2.0])
    pick = solve(sp.csc_array(a), w, sites=2, locked=[1])
    assert pick.chosen[0] == 1
    assert set(pick.chosen.tolist()) == {0, 1}
    assert pick.objective == pytest.approx(21.0)
    assert pick.objective == pytest.approx(_brute(a > 0, w, 2, locked=[1]))


def test_bad_calls_are_clear():
    a = sp.csc_array(np.ones((2, 2)))
    with pytest.raises(PlanningError, match="number of sites"):
        greedy_cover(a, np.ones(2))
    with pytest.raises(PlanningError, match="locked"):
        greedy_cover(a, np.ones(2), sites=1, locked=[0, 1])
    with pytest.raises(PlanningError, match="weights"):
        exact_cover(a, np.ones(3), sites=1)


def test_merged_rows_keep_the_people_and_the_optimum():
    a, w = _instance(40, 6, 7)
    merged, weights, group = merge_rows(sp.csr_array(a.astype(float)), w)
    assert weights.sum() == pytest.approx(w[a.any(axis=1)].sum())
    assert (group[~a.any(axis=1)] == -1).all()
    for k in (1, 2, 3):
        assert exact_cover(merged, weights, sites=k, mip_rel_gap=0).objective == pytest.approx(
            _brute(a, w, k)
        )


def test_the_ilp_stopped_early_is_never_worse_than_greedy_and_its_bound_holds() -> None:
    """Out of time, the exact solver keeps the better of its and greedy's sites, and the
    tighter of the two proven bounds (both valid: the bound stays above the optimum)."""
    rng = np.random.default_rng(11)
    matrix = sp.csc_array((rng.random((3_000, 60)) < 0.04).astype(np.int8))
    weights = rng.integers(1, 500, 3_000).astype(float)
    greedy = greedy_cover(matrix, weights, sites=6)
    rushed = exact_cover(matrix, weights, sites=6, time_limit_s=0.01)
    assert rushed.objective >= greedy.objective
    assert rushed.upper_bound <= greedy.upper_bound
    full = exact_cover(matrix, weights, sites=6, time_limit_s=60.0)
    assert rushed.upper_bound >= full.objective - 1e-6
