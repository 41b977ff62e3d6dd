"""A numpy copy of a list that grows at its end, kept up to date by copying only what was appended.

A training history keeps its per-epoch series (mean losses, epoch ends) as lists, one entry per
epoch: hundreds of thousands after a minute of a four-sample data set. A plot redrawn several times
a second cannot convert them whole each time (10 ms at 200,000 entries, growing without bound), so
it reads them through a ``SeriesMirror``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Array = np.ndarray


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)  # NaN counts as itself


class SeriesMirror:
    """``of(values)`` is ``np.asarray(values, dtype)``, costing only the entries appended since the
    last call. It starts again from the whole list when that is another list, has shrunk, or differs
    from the copy at its last or middle entry already copied (entries taken back and others added)."""

    def __init__(self, dtype: type = float) -> None:
        self._dtype = dtype
        self._source: Sequence[float] | None = None
        self._data: Array = np.empty(0, dtype=dtype)  # room to grow; the first ``_count`` entries are the copy
        self._count = 0

    def of(self, values: Sequence[float]) -> Array:
        """The entries of ``values`` as a 1-D array (a view: valid until the next call)."""
        n, done = len(values), self._count
        if values is not self._source or n < done or (done and not self._agrees(values)):
            self._source, self._count = values, 0
            done = 0
        if n > len(self._data):
            grown: Array = np.empty(max(n, 2 * len(self._data), 64), dtype=self._dtype)
            grown[:done] = self._data[:done]
            self._data = grown
        if n > done:
            self._data[done:n] = values[done:n]
            self._count = n
        return self._data[:n]

    def _agrees(self, values: Sequence[float]) -> bool:
        last, middle = self._count - 1, (self._count - 1) // 2
        return _same(values[last], self._data[last]) and _same(values[middle], self._data[middle])
