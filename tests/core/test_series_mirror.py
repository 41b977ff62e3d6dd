"""SeriesMirror: a list's entries as an array, brought up to date by what was appended."""

import math

import numpy as np
import pytest

from backprop_gui.core.series_mirror import SeriesMirror


def test_it_follows_appends_without_copying_the_whole_list_again():
    values = [0.5, 0.25]
    mirror = SeriesMirror()
    np.testing.assert_array_equal(mirror.of(values), [0.5, 0.25])
    values += [0.125] * 100
    np.testing.assert_array_equal(mirror.of(values), values)
    values[0] = 99.0  # an entry already copied, changed in place (the history never does this)
    assert mirror.of(values)[0] == 0.5  # proof that only the appended entries were read


@pytest.mark.parametrize(
    "change",
    [
        lambda v: (v.pop(), v.append(7.0)),  # a step taken back and another taken: the last entry differs
        lambda v: (v.clear(), v.extend([1.0, 2.0])),  # cleared and refilled: shorter
        lambda v: (v.__delitem__(slice(1, None)), v.extend([5.0, 2.0, 3.0, 4.0])),  # the middle differs, the last not
    ],
)
def test_it_starts_again_when_the_list_changed_before_its_end(change):
    values = [0.0, 1.0, 2.0, 3.0]
    mirror = SeriesMirror()
    mirror.of(values)
    change(values)
    np.testing.assert_array_equal(mirror.of(values), values)


def test_another_list_nan_and_integer_series():
    mirror = SeriesMirror()
    mirror.of([1.0, 2.0])
    np.testing.assert_array_equal(mirror.of([3.0]), [3.0])  # another list object
    with_nan = [1.0, math.nan]
    first = mirror.of(with_nan).copy()
    with_nan.append(2.0)
    again = mirror.of(with_nan)
    assert np.isnan(first[1]) and np.isnan(again[1]) and again[2] == 2.0
    ends = SeriesMirror(np.int64).of([4, 8, 12])
    assert ends.dtype == np.int64 and list(ends) == [4, 8, 12]
    assert len(SeriesMirror().of([])) == 0
