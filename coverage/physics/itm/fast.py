"""ITM 1.2.2's profile analysis rearranged for speed: same algorithm, other arithmetic order.

:mod:`coverage.physics.itm.p2p` computes the horizons, the least-squares fits and
Delta h of a profile [Algorithm, secs. 46, 47, 53: dlthx, hzns, zlsq1]; with
``fast=False`` in NTIA's order of operations (the reference), with ``fast=True`` (what
the area kernels run) with the fits, sums and resampling below. The same quantities cost most of a
point-to-point prediction on long profiles, and NTIA's loops are bound by the latency of
one chain of additions or of two divisions per sample. Here they are computed from the
same samples with

- Delta h's resampling with each sample's position computed on its own, not walked;
- sums over a window (the path's mean elevation, the fits' sums, the moments of Delta h's
  residuals) in four independent accumulators;
- Delta h's detrending by ``fit + j * slope`` instead of a running sum.

Each differs from the reference by rounding only (about 1e-13 relative): the tests
compare the two on thousands of random profiles to 0.01 dB
(``tests/test_itm_fast.py``). The horizon search is NTIA's own in both: its
distances, accumulated step by step, decide where ITM's fits start, and a division-free
search (tried) was slower on mountain profiles, its branches unpredictable.

Examples
--------
>>> import numpy as np
>>> z = np.array([100.0, 120.0, 180.0, 150.0, 110.0])
>>> window_sum(z, 1, 4)
450.0
>>> samples = np.empty(DELTA_H_SAMPLES)
>>> resample_window(z, 100.0, 0.0, 400.0, samples)   # (n_s, p10)
(35, 4)
"""

from __future__ import annotations

import math

import numpy as np

from coverage.physics.itm.core import dim, jit

__all__ = [
    "DELTA_H_SAMPLES",
    "fit_window",
    "least_squares_fit",
    "resample_window",
    "window_moments",
    "window_sum",
]

DELTA_H_SAMPLES = 245
"""Most samples of ITM's Delta h resampling: 10 x 25 - 5 [Algorithm, sec. 46]."""


@jit
def window_sum(z: np.ndarray, start: int, stop: int) -> float:
    """Sum of ``z[start:stop]`` in four interleaved accumulators."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    i = start
    while i + 3 < stop:
        s0 += z[i]
        s1 += z[i + 1]
        s2 += z[i + 2]
        s3 += z[i + 3]
        i += 4
    while i < stop:
        s0 += z[i]
        i += 1
    return (s0 + s1) + (s2 + s3)


@jit
def window_moments(z: np.ndarray, count: int) -> tuple[float, float]:
    """Sum and sum of squares of ``z[:count]``, four accumulators each."""
    s0 = 0.0
    s1 = 0.0
    q0 = 0.0
    q1 = 0.0
    i = 0
    while i + 1 < count:
        a = z[i]
        b = z[i + 1]
        s0 += a
        s1 += b
        q0 += a * a
        q1 += b * b
        i += 2
    if i < count:
        s0 += z[i]
        q0 += z[i] * z[i]
    return s0 + s1, q0 + q1


@jit
def fit_window(n: int, step: float, d_start: float, d_end: float) -> tuple[int, int]:
    """First and last sample of ITM's least-squares window [Algorithm, sec. 53: zlsq1]."""
    i_start = int(dim(d_start / step, 0.0))
    i_end = n - int(dim(n, d_end / step))
    if i_end <= i_start:
        i_start = int(dim(i_start, 1.0))
        i_end = n - int(dim(n, i_end + 1.0))
    return i_start, i_end


@jit
def least_squares_fit(
    z: np.ndarray, n: int, step: float, d_start: float, d_end: float, fast: bool = True
) -> tuple[float, float]:
    """ITM's ``zlsq1``: the line fitted to ``z[i_start..i_end]``, valued at both profile ends.

    ``n`` is the number of intervals (``z`` has at least ``n + 1`` samples); the end
    samples of the window carry half weight, as in ITM [Algorithm, sec. 53]. ``fast``:
    the sums in four accumulators; False: NTIA's single running sum (the reference).
    """
    i_start, i_end = fit_window(n, step, d_start, d_end)
    x_length = float(i_end - i_start)
    mid = -0.5 * x_length
    mid_end = i_end + mid
    # sum_y: z, ends halved; scaled: z * (i - centre), ends halved
    y0 = 0.5 * (z[i_start] + z[i_end])
    w0 = 0.5 * (z[i_start] - z[i_end]) * mid
    y1 = 0.0
    w1 = 0.0
    y2 = 0.0
    w2 = 0.0
    y3 = 0.0
    w3 = 0.0
    i = i_start + 1
    m = mid + 1.0
    if fast:
        while i + 3 < i_end:
            y0 += z[i]
            w0 += z[i] * m
            y1 += z[i + 1]
            w1 += z[i + 1] * (m + 1.0)
            y2 += z[i + 2]
            w2 += z[i + 2] * (m + 2.0)
            y3 += z[i + 3]
            w3 += z[i + 3] * (m + 3.0)
            i += 4
            m += 4.0
    while i < i_end:
        y0 += z[i]
        w0 += z[i] * m
        i += 1
        m += 1.0
    sum_y = ((y0 + y1) + (y2 + y3)) / x_length
    scaled = ((w0 + w1) + (w2 + w3)) * 12.0 / ((x_length * x_length + 2.0) * x_length)
    return sum_y - scaled * mid_end, sum_y + scaled * (n - mid_end)


@jit
def resample_window(
    z: np.ndarray,
    step_m: float,
    d_start_m: float,
    d_end_m: float,
    samples: np.ndarray,
    fast: bool = True,
) -> tuple[int, int]:
    """Delta h's resampling of the window [Algorithm, sec. 46: dlthx].

    Writes the ``n_s`` equally spaced samples into ``samples`` and returns ``(n_s, p10)``
    (``p10``: the rank of the deciles); ``(0, 0)`` when the window is under two steps.
    Sample ``j`` stands ``x_start + j * x_step`` steps out, interpolated linearly
    between the two profile samples around it. NTIA (``fast=False``) walks a fractional
    offset along the profile, a chain of dependent additions; ``fast`` computes each
    position on its own. The interpolation is continuous, so positions a rounding apart
    give elevations a rounding apart.
    """
    n = z.shape[0] - 1
    x_start = d_start_m / step_m
    x_end = d_end_m / step_m
    if x_end - x_start < 2.0:
        return 0, 0
    p10 = int(0.1 * (x_end - x_start + 8.0))
    p10 = min(max(4, p10), 25)
    n_s = 10 * p10 - 5
    x_step = (x_end - x_start) / float(n_s - 1)
    i = int(x_start)
    if fast:
        for j in range(n_s):
            position = x_start + j * x_step
            upper = min(max(int(math.ceil(position)), i + 1), n)
            samples[j] = z[upper] + (z[upper] - z[upper - 1]) * (position - upper)
        return n_s, p10
    x_frac = x_start - (i + 1.0)
    for j in range(n_s):
        while x_frac > 0.0 and (i + 1) < n:
            x_frac -= 1.0
            i += 1
        samples[j] = z[i + 1] + (z[i + 1] - z[i]) * x_frac
        x_frac += x_step
    return n_s, p10
