"""Two solvers of the maximal covering problem on one coverage matrix.

The problem (maximal covering location, Church & ReVelle 1974; budgeted maximum coverage,
Khuller, Moss & Naor 1999): demand rows ``i`` with weights ``w_i`` (people), candidate
columns ``j`` with costs ``c_j``, and a 0/1 matrix ``A`` (``A_ij = 1``: candidate ``j``
covers row ``i``). Choose candidates ``x_j in {0, 1}`` to

    maximise   sum_i w_i y_i
    subject to y_i <= sum_j A_ij x_j      (a row counts once one chosen site covers it)
               sum_j x_j <= p             (at most p sites, when given)
               sum_j c_j x_j <= B         (at most B money, when given)
               x_j = 1 for locked j       (sites already decided)
               0 <= y_i <= 1

``y`` may stay continuous: for integral ``x`` the optimum puts every ``y_i`` at
``min(1, sum_j A_ij x_j)``, which is 0 or 1.

* :func:`greedy_cover`: lazy greedy, CELF (Leskovec et al. 2007, "Cost-effective outbreak
  detection in networks", KDD), with the data-dependent bound of their Theorem 4 (from
  Minoux 1978): for a submodular objective and any set ``S``,
  ``OPT <= f(S) + sum of the p largest marginal gains over S`` (cardinality), or the
  fractional knapsack of the gains (budget). Coverage is submodular, so the bound holds;
  the greedy set reaches at least ``(1 - 1/e) OPT`` under a cardinality constraint
  (Nemhauser, Wolsey & Fisher 1978). Under a budget, the cost-benefit greedy is compared
  with the best single affordable site (Khuller et al. 1999).
* :func:`exact_cover`: the integer programme above, solved by HiGHS
  (Huangfu & Hall 2018) through :func:`scipy.optimize.milp`, with a time limit and a
  relative gap; the gap HiGHS proves is reported.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from coverage.errors import PlanningError
from coverage.i18n import message

__all__ = ["Selection", "exact_cover", "greedy_cover"]


@dataclass(frozen=True)
class Selection:
    """Sites chosen by a solver, in the order they add people, and how good that is.

    Attributes
    ----------
    chosen
        Column positions, locked sites first, then by decreasing marginal gain.
    gains
        People each chosen site adds at its step (same order as ``chosen``).
    objective
        People covered by the chosen sites (``gains.sum()``).
    upper_bound
        A proven upper bound on the optimum: Minoux/Leskovec for the greedy, HiGHS's
        dual bound for the integer programme.
    solver
        ``"greedy"`` or ``"ilp"``.
    status
        What the solver said (``"optimal"``, ``"time limit"``...).
    seconds
        Wall time of the solve.
    """

    chosen: np.ndarray
    gains: np.ndarray
    objective: float
    upper_bound: float
    solver: str
    status: str
    seconds: float = 0.0
    details: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Proven relative gap ``(bound - objective) / bound`` (0: optimal), 0-1."""
        if self.upper_bound <= 0:
            return 0.0
        return max(0.0, (self.upper_bound - self.objective) / self.upper_bound)

    def statement(self) -> str:
        """The quality statement in words, e.g. ``"at most 1.2 % below the optimum"``."""
        name = message(
            "errors.planning.solver_greedy"
            if self.solver == "greedy"
            else "errors.planning.solver_ilp"
        )
        return message(
            "errors.planning.solver_statement",
            solver=name,
            people=f"{self.objective:,.0f}",
            gap=f"{100 * self.gap:.2f}",
            bound=f"{self.upper_bound:,.0f}",
            status=self.status,
            seconds=f"{self.seconds:.2f}",
        )


def _checked(
    matrix: sp.sparray | sp.spmatrix,
    weights: np.ndarray,
    costs: np.ndarray | None,
    locked: Sequence[int] | None,
    sites: int | None,
    budget: float | None,
) -> tuple[sp.csc_array, np.ndarray, np.ndarray, np.ndarray]:
    csc = sp.csc_array(matrix, dtype=np.float64)
    n_rows, n_cols = csc.shape
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n_rows,):
        raise PlanningError(
            message("errors.planning.solver_weights_count", n_weights=len(w), n_rows=n_rows)
        )
    if (w < 0).any() or not np.isfinite(w).all():
        raise PlanningError(message("errors.planning.solver_weights_values"))
    c = np.ones(n_cols) if costs is None else np.asarray(costs, dtype=np.float64)
    if c.shape != (n_cols,) or (c < 0).any() or not np.isfinite(c).all():
        raise PlanningError(message("errors.planning.solver_costs", n_cols=n_cols))
    fixed = np.unique(np.asarray(list(locked or []), dtype=np.int64))
    if len(fixed) and (fixed.min() < 0 or fixed.max() >= n_cols):
        raise PlanningError(message("errors.planning.solver_locked_range", last=n_cols - 1))
    if sites is None and budget is None:
        raise PlanningError(message("errors.planning.solver_no_size"))
    if sites is not None and sites < len(fixed):
        raise PlanningError(
            message("errors.planning.solver_locked_count", n_fixed=len(fixed), sites=sites)
        )
    if budget is not None and c[fixed].sum() > budget * (1 + 1e-12):
        raise PlanningError(
            message("errors.planning.solver_locked_budget", cost=format(c[fixed].sum(), ",.0f"))
        )
    csc.sum_duplicates()
    csc.data[:] = 1.0
    return csc, w, c, fixed


def _column_gains(csc: sp.csc_array, open_weight: np.ndarray) -> np.ndarray:
    """People each column would add: ``A.T @ open_weight``."""
    return np.asarray(csc.T @ open_weight).ravel()


def _knapsack_bound(gains: np.ndarray, costs: np.ndarray, budget: float) -> float:
    """Fractional knapsack of the gains (Dantzig): an upper bound on any affordable set."""
    free = costs <= 0
    total = float(gains[free].sum())
    order = np.argsort(-gains[~free] / costs[~free], kind="stable")
    g, c = gains[~free][order], costs[~free][order]
    spent = np.cumsum(c)
    whole = spent <= budget
    total += float(g[whole].sum())
    if not whole.all():
        k = int(np.argmin(whole))
        left = budget - (spent[k - 1] if k else 0.0)
        total += float(g[k] * left / c[k])
    return total


def _bound(
    gains: np.ndarray, costs: np.ndarray, sites_left: int | None, budget_left: float | None
) -> float:
    """Minoux/Leskovec bound on what any further sites can add."""
    positive = np.clip(gains, 0.0, None)
    bounds = []
    if sites_left is not None:
        k = max(0, min(sites_left, len(positive)))
        bounds.append(float(np.sort(positive)[::-1][:k].sum()))
    if budget_left is not None:
        bounds.append(_knapsack_bound(positive, costs, max(0.0, budget_left)))
    return min(bounds)


def _ordered(csc: sp.csc_array, w: np.ndarray, chosen: Sequence[int], first: int = 0):
    """Chosen columns ordered greedily by marginal gain (locked ``first`` kept in front)."""
    open_weight = w.copy()
    order: list[int] = []
    gains: list[float] = []
    rest = list(chosen[first:])
    for j in chosen[:first]:
        rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        order.append(int(j))
        gains.append(float(open_weight[rows].sum()))
        open_weight[rows] = 0.0
    while rest:
        values = [open_weight[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]].sum() for j in rest]
        best = int(np.argmax(values))
        j = rest.pop(best)
        rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        order.append(int(j))
        gains.append(float(open_weight[rows].sum()))
        open_weight[rows] = 0.0
    return np.asarray(order, dtype=np.int64), np.asarray(gains, dtype=np.float64)


def greedy_cover(
    matrix: sp.sparray | sp.spmatrix,
    weights: np.ndarray,
    *,
    sites: int | None = None,
    budget: float | None = None,
    costs: np.ndarray | None = None,
    locked: Sequence[int] | None = None,
) -> Selection:
    """Lazy greedy (CELF) maximal covering with its data-dependent optimality bound.

    Parameters
    ----------
    matrix
        Demand rows x candidate columns, nonzero where the candidate covers the row.
    weights
        People per demand row.
    sites
        Most sites chosen (locked ones included).
    budget
        Most money spent (locked ones included); needs ``costs``.
    costs
        Cost per candidate (default 1 each).
    locked
        Column positions chosen whatever they add.

    Returns
    -------
    Selection
        ``upper_bound`` is the smallest, over the greedy's steps, of
        ``f(S) + sum of the best remaining marginal gains`` (Leskovec et al. 2007, Thm 4).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> a = sp.csc_array(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]]))
    >>> pick = greedy_cover(a, np.array([5.0, 1.0, 4.0, 2.0]), sites=2)
    >>> pick.chosen.tolist(), pick.objective, pick.upper_bound
    ([0, 1], 10.0, 11.0)
    """
    started = time.perf_counter()
    csc, w, c, fixed = _checked(matrix, weights, costs, locked, sites, budget)
    n_cols = csc.shape[1]
    open_weight = w.copy()
    chosen: list[int] = []
    gains: list[float] = []
    spent = 0.0

    def take(j: int) -> None:
        nonlocal spent
        rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        gains.append(float(open_weight[rows].sum()))
        open_weight[rows] = 0.0
        chosen.append(j)
        spent += float(c[j])

    for j in fixed:
        take(int(j))
    covered = float(sum(gains))
    best_bound = math.inf

    def left() -> tuple[int | None, float | None]:
        return (
            None if sites is None else sites - len(chosen),
            None if budget is None else budget - spent,
        )

    # an optimum T holds the locked sites, so |T - S| <= sites - locked and
    # cost(T - S) <= budget - cost(locked): Leskovec et al. 2007, Theorem 4
    free_sites = None if sites is None else sites - len(fixed)
    free_budget = None if budget is None else budget - float(c[fixed].sum())

    def refresh_bound() -> None:
        nonlocal best_bound
        marginal = _column_gains(csc, open_weight)
        marginal[chosen] = 0.0
        best_bound = min(best_bound, sum(gains) + _bound(marginal, c, free_sites, free_budget))

    refresh_bound()
    use_ratio = budget is not None and costs is not None
    start_gains = _column_gains(csc, open_weight)

    def key(gain: float, j: int) -> float:
        return gain / max(c[j], 1e-12) if use_ratio else gain

    fixed_set = set(map(int, fixed))
    heap = [(-key(start_gains[j], j), j, 0) for j in range(n_cols) if j not in fixed_set]
    heapq.heapify(heap)
    step = 0
    while heap:
        s_left, b_left = left()
        if s_left is not None and s_left <= 0:
            break
        negative, j, stamp = heapq.heappop(heap)
        if b_left is not None and c[j] > b_left + 1e-9:
            continue  # never affordable again: budgets only shrink
        if stamp != step:
            rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
            heapq.heappush(heap, (-key(float(open_weight[rows].sum()), j), j, step))
            continue
        if -negative <= 0:
            break
        take(j)
        step += 1
        refresh_bound()
    objective = float(sum(gains))
    if use_ratio and budget is not None:
        # Khuller et al. 1999: the best single affordable site may beat the ratio greedy
        affordable = [
            j for j in range(n_cols) if c[fixed].sum() + c[j] <= budget and j not in fixed_set
        ]
        base = w.copy()
        for j in fixed:
            base[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]] = 0.0
        if affordable and (sites is None or sites > len(fixed)):
            single = _column_gains(csc, base)
            j = max(affordable, key=lambda k: single[k])
            if covered + single[j] > objective:
                chosen = [*map(int, fixed), j]
                order, g = _ordered(csc, w, chosen, first=len(fixed))
                chosen, gains, objective = list(order), list(g), float(g.sum())
    return Selection(
        chosen=np.asarray(chosen, dtype=np.int64),
        gains=np.asarray(gains, dtype=np.float64),
        objective=objective,
        upper_bound=max(best_bound, objective),
        solver="greedy",
        status=message("errors.planning.solver_done"),
        seconds=time.perf_counter() - started,
    )


def exact_cover(
    matrix: sp.sparray | sp.spmatrix,
    weights: np.ndarray,
    *,
    sites: int | None = None,
    budget: float | None = None,
    costs: np.ndarray | None = None,
    locked: Sequence[int] | None = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-4,
) -> Selection:
    """The maximal covering integer programme (Church & ReVelle 1974) solved by HiGHS.

    Same parameters as :func:`greedy_cover`, plus HiGHS's ``time_limit_s`` and
    ``mip_rel_gap`` (stop once the proven relative gap is below it). The returned
    ``upper_bound`` is HiGHS's dual bound, so :attr:`Selection.gap` is the gap it proved.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> a = sp.csc_array(np.array([[1, 0, 1], [1, 1, 0], [0, 1, 0], [0, 0, 1]]))
    >>> pick = exact_cover(a, np.array([5.0, 1.0, 4.0, 3.0]), sites=2)
    >>> sorted(pick.chosen.tolist()), pick.objective, pick.gap
    ([1, 2], 13.0, 0.0)
    """
    started = time.perf_counter()
    csc, w, c, fixed = _checked(matrix, weights, costs, locked, sites, budget)
    n_rows, n_cols = csc.shape
    if n_cols == 0 or n_rows == 0:
        order, gains = _ordered(csc, w, list(map(int, fixed)), first=len(fixed))
        return Selection(order, gains, float(gains.sum()), float(gains.sum()), "ilp", "empty")
    # variables: x (n_cols, binary) then y (n_rows, continuous 0..1); minimise -w.y
    objective = np.concatenate([np.zeros(n_cols), -w])
    cover = sp.hstack([-csc.tocsr(), sp.eye_array(n_rows, format="csr")], format="csr")
    constraints = [LinearConstraint(cover, -np.inf, 0.0)]
    if sites is not None:
        row = np.concatenate([np.ones(n_cols), np.zeros(n_rows)])
        constraints.append(LinearConstraint(row[None, :], -np.inf, sites))
    if budget is not None:
        row = np.concatenate([c, np.zeros(n_rows)])
        constraints.append(LinearConstraint(row[None, :], -np.inf, budget))
    lower = np.zeros(n_cols + n_rows)
    lower[fixed] = 1.0
    integrality = np.concatenate([np.ones(n_cols), np.zeros(n_rows)])
    result = milp(
        objective,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(lower, np.ones(n_cols + n_rows)),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": float(mip_rel_gap)},
    )
    # the greedy's sites are a solution, and its bound a proof, that HiGHS may not beat
    # within the time limit: report the better solution and the tighter of the two bounds
    greedy = greedy_cover(matrix, weights, sites=sites, budget=budget, costs=costs, locked=locked)
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else np.inf
    nodes = {"mip_node_count": float(getattr(result, "mip_node_count", 0) or 0)}
    if result.x is not None:
        picked = np.flatnonzero(result.x[:n_cols] > 0.5)
        fixed_set = set(map(int, fixed))
        rest = [int(j) for j in picked if j not in fixed_set]
        order, gains = _ordered(csc, w, [*map(int, fixed), *rest], first=len(fixed))
    if result.x is None or float(gains.sum()) < greedy.objective:
        found = message(
            "errors.planning.solver_no_integer"
            if result.x is None
            else "errors.planning.solver_worse_than_greedy"
        )
        return Selection(
            greedy.chosen, greedy.gains, greedy.objective,
            max(min(bound, greedy.upper_bound), greedy.objective), "ilp",
            message("errors.planning.solver_fallback", found=found, reason=result.message),
            time.perf_counter() - started, nodes,
        )  # fmt: skip
    status = (
        message("errors.planning.solver_optimal") if result.status == 0 else str(result.message)
    )
    return Selection(
        chosen=order,
        gains=gains,
        objective=float(gains.sum()),
        upper_bound=max(min(bound, greedy.upper_bound), float(gains.sum())),
        solver="ilp",
        status=status,
        seconds=time.perf_counter() - started,
        details=nodes,
    )
