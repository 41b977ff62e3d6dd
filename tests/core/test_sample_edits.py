"""Samples added and removed by hand: new data sets in the data's own target layout, nothing changed in place."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_gui.core.datasets import Dataset, generate
from backprop_gui.core.decision import plane_around
from backprop_gui.core.editing import SetData
from backprop_gui.core.presets import load_example
from backprop_gui.core.sample_edits import (
    BRUSH_RADIUS,
    brush_cluster,
    class_count,
    class_target,
    nearest_sample,
    with_samples,
    without_sample,
)


def test_classes_follow_the_target_layout():
    xor = load_example("xor").data
    assert class_count(xor) == 2 and list(class_target(xor, 1)) == [1.0]
    blobs = generate("blobs")
    assert class_count(blobs) == blobs.target_size == 3 and list(class_target(blobs, 2)) == [0.0, 0.0, 1.0]
    regression = Dataset(np.zeros((2, 2)), np.array([[0.3], [2.0]]))
    assert class_count(regression) == 0
    with pytest.raises(ValueError, match="class 3 does not exist: the data has 2 classes"):
        class_target(xor, 2)


def test_adding_appends_without_touching_the_old_arrays_and_forgets_the_recipe():
    data = generate("moons", samples=20)
    data.validation_fraction = 0.2
    inputs = data.inputs.copy()
    more = with_samples(data, np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[1.0], [0.0]]))
    assert len(more) == 22 and more.generator is None and more.validation_fraction == 0.2
    np.testing.assert_array_equal(more.inputs[-2:], [[0.1, 0.2], [0.3, 0.4]])
    np.testing.assert_array_equal(more.targets[-2:, 0], [1.0, 0.0])
    np.testing.assert_array_equal(data.inputs, inputs)
    assert data.generator is not None
    with pytest.raises(ValueError, match="2 inputs and 1 target each"):
        with_samples(data, np.array([[0.1, 0.2, 0.3]]), np.array([[1.0]]))
    with pytest.raises(ValueError, match="finite"):
        with_samples(data, np.array([[np.nan, 0.2]]), np.array([[1.0]]))


def test_removing_takes_out_exactly_one_row_but_never_the_last():
    data = load_example("xor").data
    fewer = without_sample(data, 1)
    np.testing.assert_array_equal(fewer.inputs, np.delete(data.inputs, 1, axis=0))
    np.testing.assert_array_equal(fewer.targets, np.delete(data.targets, 1, axis=0))
    with pytest.raises(ValueError, match="sample 5 does not exist"):
        without_sample(data, 4)
    one = Dataset(np.zeros((1, 2)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="only sample"):
        without_sample(one, 0)
    with pytest.raises(ValueError, match=r"sample 2 does not exist \(the data has 1 sample\)"):
        without_sample(one, 1)


def test_the_nearest_sample_is_measured_in_the_given_units():
    inputs = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 10.0]])
    assert nearest_sample(inputs, np.array([0.1, 0.0]), np.array([1.0, 1.0])) == (0, pytest.approx(0.1))
    # with 20 y units per pixel and 1 x unit, (0, 10) is 4/20 from (0, 6) and (0, 0) is 6/20
    index, distance = nearest_sample(inputs, np.array([0.0, 6.0]), np.array([1.0, 20.0]))
    assert index == 2 and distance == pytest.approx(0.2)
    assert nearest_sample(inputs, np.array([0.6, 0.0]), np.array([1.0, 1.0]))[0] == 1


def test_a_brush_cluster_is_reproducible_and_stays_within_its_radius():
    center, extent = np.array([1.0, -2.0]), np.array([4.0, 2.0])
    points = brush_cluster(center, extent, seed=7, count=50)
    np.testing.assert_array_equal(points, brush_cluster(center, extent, seed=7, count=50))
    assert points.shape == (50, 2)
    assert np.all(np.hypot(*((points - center) / extent).T) <= BRUSH_RADIUS + 1e-12)
    assert plane_around(points).width > 0


def test_set_data_names_a_hand_edit_and_undoes_it_exactly():
    session = load_example("xor")
    old = session.data
    edit = SetData(with_samples(old, np.array([[0.5, 0.5]]), np.array([[1.0]])), label="add a sample (t = 1)")
    assert edit.text == "add a sample (t = 1)"
    edit.do(session)
    assert len(session.data) == 5
    edit.undo(session)
    assert session.data is old
    assert SetData(old).text == "load data set xor"  # without a label, the data names itself


def test_a_plane_contains_the_samples_inside_it_edges_included():
    data = generate("moons", samples=30)
    plane = plane_around(data.inputs)
    assert plane.contains(data.inputs)
    assert plane.contains(np.array([[plane.x_min, plane.y_max]]))
    assert not plane.contains(np.vstack([data.inputs, [[plane.x_max + 1e-9, 0.0]]]))
