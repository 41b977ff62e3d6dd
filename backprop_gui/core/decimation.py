"""Peak-preserving min/max decimation: draw a million points as a few thousand.

A series is cut into equal buckets of consecutive points; each bucket keeps its lowest
and its highest point, in the order they occur, so spikes and dips survive at any zoom.
"""

from __future__ import annotations

import numpy as np


def minmax_indices(y: np.ndarray, buckets: int) -> np.ndarray:
    """Indices into ``y`` (shape (n,)) of at most ``2 * buckets + 2`` points: each bucket's min and
    max in order, and the first and last point. All indices when the series already fits."""
    n = len(y)
    buckets = max(1, int(buckets))
    if n <= 2 * buckets:
        return np.arange(n)
    size = -(-n // buckets)  # points per bucket
    full = n // size
    starts = np.arange(full) * size
    block = y[: full * size].reshape(full, size)
    lo = starts + np.argmin(block, axis=1)
    hi = starts + np.argmax(block, axis=1)
    if full * size < n:  # a shorter last bucket
        tail = y[full * size :]
        lo = np.append(lo, full * size + np.argmin(tail))
        hi = np.append(hi, full * size + np.argmax(tail))
    index = np.stack([np.minimum(lo, hi), np.maximum(lo, hi)], axis=1).ravel()
    return np.concatenate([[0], index, [n - 1]])  # the line always reaches both ends


def minmax_decimate(x: np.ndarray, y: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """The points of ``(x, y)`` (both shape (n,)) that ``minmax_indices`` keeps, as fresh arrays."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of one length, got {x.shape} and {y.shape}")
    index = minmax_indices(y, buckets)
    return x[index], y[index]


def decimate_range(y: np.ndarray, first: int, last: int, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Decimate the points ``first..last`` (inclusive, 0-based, clipped to the data) of a series
    whose x is its index + 1 (steps counted from 1), keeping one point either side so the
    line runs to the edges of the view. Allocates only the result, never a copy of ``y``."""
    n = len(y)
    if n == 0:
        return np.empty(0), np.empty(0)
    first = max(0, min(int(first) - 1, n - 1))
    last = max(first, min(int(last) + 1, n - 1))
    index = first + minmax_indices(y[first : last + 1], buckets)
    return (index + 1).astype(float), np.asarray(y, dtype=float)[index]
