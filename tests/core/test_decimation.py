"""Min/max decimation keeps every bucket's extremes, in order, and never hands out views."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from backprop_gui.core.decimation import decimate_range, minmax_decimate


def test_short_series_is_copied_unchanged():
    x, y = np.arange(5.0), np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    xd, yd = minmax_decimate(x, y, 10)
    np.testing.assert_array_equal(yd, y)
    assert not np.shares_memory(yd, y)


def test_a_single_spike_survives_a_million_points():
    y = np.zeros(1_000_000)
    y[123_457] = 9.0
    y[777_777] = -4.0
    xd, yd = minmax_decimate(np.arange(len(y), dtype=float), y, 500)
    assert len(yd) <= 1002
    assert yd.max() == 9.0 and yd.min() == -4.0
    assert xd[np.argmax(yd)] == 123_457.0
    assert np.all(np.diff(xd) >= 0)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=400), st.integers(1, 50))
def test_extremes_and_order_are_kept(values, buckets):
    y = np.array(values)
    x = np.arange(len(y), dtype=float)
    xd, yd = minmax_decimate(x, y, buckets)
    assert len(yd) <= max(len(y), 2 * buckets + 2)
    assert yd.max() == y.max() and yd.min() == y.min()
    assert np.all(np.diff(xd) >= 0)
    np.testing.assert_array_equal(yd, y[xd.astype(int)])


def test_range_counts_steps_from_one_and_reaches_the_edges():
    y = np.arange(100.0)
    xs, ys = decimate_range(y, 10, 19, 100)
    assert xs[0] == 10 and xs[-1] == 21  # one step either side of steps 11..20
    np.testing.assert_array_equal(ys, xs - 1)
    assert decimate_range(np.empty(0), 0, 10, 5)[0].size == 0
