"""The decision map's grid evaluation equals the core's forward pass at each cell centre."""

import numpy as np
import pytest

from backprop_gui.core import decision
from backprop_gui.core.backprop import forward
from backprop_gui.core.decision import Plane, class_map, evaluate_grid, grid_points, plane_around, target_classes
from backprop_gui.core.network import Layer, Network, build_network

from helpers import forward_widths


def test_grid_values_equal_forward_at_the_cell_centres():
    network = build_network(2, [3, 2], ["tanh", "softmax"], loss="cross_entropy", seed=4)
    plane = Plane(-1.0, 3.0, 0.0, 2.0)
    outputs = evaluate_grid(network, plane, 8)
    assert outputs.shape == (2, 8, 8)
    row, col = 5, 2  # x_2 rising with the row, x_1 with the column
    x = np.array([[-1.0 + 4.0 * (col + 0.5) / 8], [0.0 + 2.0 * (row + 0.5) / 8]])
    _, a = forward(network, x)
    np.testing.assert_allclose(outputs[:, row, col], a[2][:, 0], rtol=0, atol=1e-15)
    assert class_map(outputs)[row, col] == int(np.argmax(a[2][:, 0]))


def test_plane_holds_every_sample_with_a_margin():
    inputs = np.array([[0.0, 5.0], [2.0, 5.0]])
    plane = plane_around(inputs, margin=0.1)
    assert plane.x_min == pytest.approx(-0.2) and plane.x_max == pytest.approx(2.2)
    assert plane.y_min < 5.0 < plane.y_max  # a zero span still gets an area
    assert grid_points(plane, 4).shape == (2, 16)


def test_bad_shapes_are_refused_with_a_message():
    with pytest.raises(ValueError, match="n_0 = 3"):
        evaluate_grid(build_network(3, [1], ["sigmoid"]), Plane(0, 1, 0, 1), 4)
    with pytest.raises(ValueError, match="2 inputs"):
        plane_around(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="resolution"):
        grid_points(Plane(0, 1, 0, 1), 1)


def test_target_classes_from_one_or_several_outputs():
    np.testing.assert_array_equal(target_classes(np.array([[0.0], [1.0], [0.9]])), [0, 1, 1])
    np.testing.assert_array_equal(target_classes(np.array([[0, 1, 0], [1, 0, 0.0]])), [1, 0])


def test_a_wide_network_is_mapped_in_chunks_within_the_memory_budget(monkeypatch):
    network = build_network(2, [3000, 1], ["tanh", "sigmoid"], seed=1)
    plane = Plane(-1.0, 1.0, -1.0, 1.0)
    widest = forward_widths(monkeypatch)
    monkeypatch.setattr(decision, "MEMORY_BUDGET", 8 * 2**20)
    outputs = decision.evaluate_grid(network, plane, 60)
    assert len(widest) > 1 and max(widest) * 3 * 8 * 3000 <= 8 * 2**20  # z, a, a^{l-1} of the widest layer
    _, a = forward(network, grid_points(plane, 60))
    np.testing.assert_array_equal(outputs, a[2].reshape(1, 60, 60))


@pytest.mark.parametrize("sizes", [(2_499_999, 1), (1, 3_000_000), (20_000, 1)])
def test_a_network_too_large_to_map_is_refused_before_allocating(sizes):
    n_1, n_2 = sizes
    layers = [  # read-only views of one zero: the sizes alone decide
        Layer(np.broadcast_to(0.0, (n_1, 2)), np.broadcast_to(0.0, (n_1,)), "tanh"),
        Layer(np.broadcast_to(0.0, (n_2, n_1)), np.broadcast_to(0.0, (n_2,)), "sigmoid"),
    ]
    network = Network(2, layers)
    if sizes == (20_000, 1):  # 60k parameters: mapped, a few hundred points at a time
        assert 100 < decision.map_chunk(network, 120 * 120) < 14_400
        return
    with pytest.raises(decision.MapTooLarge, match="too large for a map of 14,400 points"):
        decision.map_chunk(network, 120 * 120)
