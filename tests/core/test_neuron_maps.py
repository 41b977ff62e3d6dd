"""Neurons as maps: each map's value at a grid point is the a_j^l the trace prints for that point."""

import numpy as np
import pytest

from backprop_gui.core import decision
from backprop_gui.core.backprop import forward, run_pass
from backprop_gui.core.decision import MapTooLarge, Plane, evaluate_grid, grid_points
from backprop_gui.core.network import build_network
from backprop_gui.core.neuron_maps import MAX_RESOLUTION, MIN_RESOLUTION, map_resolution, neuron_maps
from backprop_gui.core.trace import trace_dict

from helpers import forward_widths

PLANE = Plane(-1.5, 2.0, -0.5, 1.0)


def test_every_map_equals_the_traced_activation_at_the_grid_points():
    network = build_network(2, [4, 3, 2], ["tanh", "relu", "softmax"], loss="cross_entropy", seed=7)
    resolution = 6
    maps = neuron_maps(network, PLANE, resolution)
    assert maps.neurons == {1: (0, 1, 2, 3), 2: (0, 1, 2), 3: (0, 1)}
    points = grid_points(PLANE, resolution)
    for cell in (0, 7, 20, 35):
        row, col = divmod(cell, resolution)
        x = points[:, cell : cell + 1]
        trace = trace_dict(network, run_pass(network, x, np.array([[1.0], [0.0]])))
        assert trace["input"] == pytest.approx(
            [
                PLANE.x_min + (col + 0.5) * PLANE.width / resolution,
                PLANE.y_min + (row + 0.5) * PLANE.height / resolution,
            ]
        )
        for layer in trace["layers"]:
            l = layer["layer"]
            for j, a in enumerate(layer["a"]):
                assert maps.of(l, j)[row, col] == pytest.approx(a, rel=0, abs=1e-14)


def test_the_output_maps_are_the_decision_map():
    network = build_network(2, [5, 3], ["sigmoid", "sigmoid"], seed=2)
    maps = neuron_maps(network, PLANE, 10)
    np.testing.assert_array_equal(maps.values[2], evaluate_grid(network, PLANE, 10))


def test_only_the_chosen_neurons_are_kept():
    network = build_network(2, [40, 1], ["tanh", "sigmoid"], seed=3)
    everything = neuron_maps(network, PLANE, 8)
    drawn = neuron_maps(network, PLANE, 8, {1: [0, 1, 38, 39]})
    assert drawn.values[1].shape == (4, 8, 8) and 2 not in drawn.values
    np.testing.assert_array_equal(drawn.of(1, 38), everything.of(1, 38))
    with pytest.raises(KeyError, match="neuron 3 of layer 1"):
        drawn.of(1, 2)


def test_colour_levels_follow_the_decision_map():
    network = build_network(2, [3, 1], ["relu", "tanh"], seed=1)
    maps = neuron_maps(network, PLANE, 8)
    assert maps.levels[2] == (-1.0, 1.0)  # tanh's range
    assert maps.levels[1] == (float(maps.values[1].min()), float(maps.values[1].max()))


def test_a_wide_network_is_mapped_in_chunks_within_the_memory_budget(monkeypatch):
    network = build_network(2, [3000, 2], ["tanh", "sigmoid"], seed=1)
    budget = 4 * 2**20
    monkeypatch.setattr(decision, "MEMORY_BUDGET", budget)
    widths = forward_widths(monkeypatch)
    maps = neuron_maps(network, PLANE, 32, {1: [0, 2999], 2: [0, 1]})
    assert len(widths) > 1 and max(widths) * 8 * 2 * 3002 <= budget
    _, a = forward(network, grid_points(PLANE, 32))
    np.testing.assert_array_equal(maps.of(1, 2999), a[1][2999].reshape(32, 32))


def test_the_resolution_shrinks_for_wide_networks_only():
    assert map_resolution(build_network(2, [8, 8, 1], ["tanh"] * 3)) == MAX_RESOLUTION
    wide = map_resolution(build_network(2, [100, 100, 1], ["tanh"] * 3))
    assert MIN_RESOLUTION < wide < MAX_RESOLUTION
    assert map_resolution(build_network(2, [1000, 1000, 1], ["tanh"] * 3)) == MIN_RESOLUTION


def test_bad_requests_are_refused_with_a_message():
    with pytest.raises(ValueError, match="n_0 = 3"):
        neuron_maps(build_network(3, [2], ["sigmoid"]), PLANE, 4)
    network = build_network(2, [2, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="layer 3 does not exist"):
        neuron_maps(network, PLANE, 4, {3: [0]})
    with pytest.raises(ValueError, match="layer 1 has no neuron 3"):
        neuron_maps(network, PLANE, 4, {1: [2]})
    with pytest.raises(MapTooLarge, match="too large"):
        neuron_maps(network, PLANE, 4, {1: [0]} | {2: [0] * 3_000_000})
