"""The chain rule in factors: path sums equal backprop's gradients, and the rows say what they should."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from backprop_gui.core import chain
from backprop_gui.core.backprop import run_pass
from backprop_gui.core.chain import chain_rule, path_sum
from backprop_gui.core.network import Network
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.stepper import Stepper

from helpers import random_problems


def _weights(network: Network) -> dict[int, np.ndarray]:
    return {l: layer.weights for l, layer in enumerate(network.layers, start=1)}


def _close(rule: chain.ChainRule) -> bool:
    """Path sum and backprop agree to 1e-12 relative to the sum's scale: the |value| itself, or the sum of
    the paths' |products| where they cancel (their rounding errors are relative to that, in any order)."""
    scale = max(abs(rule.backprop), rule.magnitude, 1e-300)
    return abs(rule.total - rule.backprop) <= 1e-12 * scale


def _every_target(network: Network):
    for l, layer in enumerate(network.layers, start=1):
        for j in range(layer.size):
            yield "delta", l, j, None
            if layer.has_bias:
                yield "bias", l, j, None
            for k in range(layer.weights.shape[1]):
                yield "weight", l, j, k


def test_the_course_network_has_one_path_per_gradient_with_the_homework_numbers():
    session = load_example("course_simple")
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, session.training.learning_rate)
    assert chain_rule(stepper, "weight", 1, 0, 0) is None  # not known before Backward 1
    stepper.run_to_end()
    rule = chain_rule(stepper, "weight", 1, 0, 0)
    assert rule.path_count == 1 and rule.rest_count == 0
    assert [f.text for f in rule.paths[0].factors] == ["∂C/∂a_1^2", "f′(z_1^2)", "w_11^2", "f′(z_1^1)", "x_1"]
    assert [round(f.value, 4) for f in rule.paths[0].factors] == [-0.7595, 0.1827, -5.0, 1.0, 3.0]
    assert rule.total == pytest.approx(2.0809, abs=1e-4) and rule.backprop == pytest.approx(2.0809, abs=1e-4)
    assert chain_rule(stepper, "weight", 2, 0, 0).total == pytest.approx(-0.004162, abs=1e-6)
    bias = chain_rule(stepper, "bias", 2, 0)
    assert bias.total == pytest.approx(-0.1387, abs=1e-4) and bias.paths[0].factors[-1].value == 1.0
    assert "One path only" in rule.factoring


@pytest.mark.parametrize("name", example_names())
def test_every_gradient_of_every_example_is_its_path_sum(name):
    session = load_example(name)
    network = session.network
    for sample in range(min(3, len(session.data.inputs))):
        x, t = session.data.inputs[sample][:, None], session.data.targets[sample][:, None]
        record = run_pass(network, x, t)
        for kind, l, j, k in _every_target(network):
            rule = path_sum(network, record, _weights(network), kind, l, j, k)
            assert rule.enumerated
            assert _close(rule), (name, sample, kind, l, j, k, rule.total, rule.backprop)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems(depths=(2, 4), max_width=4))
def test_path_sums_equal_backprop_on_random_networks(problem):
    network, x, t = problem
    record = run_pass(network, x, t)
    for kind, l, j, k in _every_target(network):
        rule = path_sum(network, record, _weights(network), kind, l, j, k)
        assert _close(rule), (kind, l, j, k, rule.total, rule.backprop)


@settings(max_examples=25, deadline=None)
@given(random_problems(depths=(2, 4), max_width=4))
def test_the_rows_are_the_largest_paths_and_the_rest_adds_up(problem):
    network, x, t = problem
    record = run_pass(network, x, t)
    everything = path_sum(network, record, _weights(network), "weight", 1, 0, 0, shown=10**6)
    assert len(everything.paths) == everything.path_count and everything.rest_count == 0
    products = np.array([path.product for path in everything.paths])
    assert np.sum(products) == pytest.approx(everything.total, rel=1e-12, abs=1e-300)
    for path in everything.paths:
        assert np.prod([f.value for f in path.factors]) == pytest.approx(path.product, rel=1e-12, abs=1e-300)
    top = path_sum(network, record, _weights(network), "weight", 1, 0, 0)
    assert len(top.paths) == min(chain.SHOWN_PATHS, top.path_count)
    sizes = [abs(path.product) for path in top.paths]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes == pytest.approx(sorted(np.abs(products), reverse=True)[: len(sizes)], rel=1e-12)
    assert top.rest_count == top.path_count - len(top.paths)
    assert top.rest_sum + sum(path.product for path in top.paths) == pytest.approx(top.total, rel=1e-9, abs=1e-15)


def test_softmax_outputs_couple_every_output_neuron():
    session = load_example("blobs_softmax")
    network = session.network
    x, t = session.data.inputs[0][:, None], session.data.targets[0][:, None]
    record = run_pass(network, x, t)
    n = network.sizes
    rule = path_sum(network, record, _weights(network), "weight", 1, 0, 0, shown=10**6)
    assert rule.path_count == n[2] * n[2]  # an output i whose z_i^L it feeds, and an output m of a_m^L
    assert {path.output for path in rule.paths} == set(range(n[2]))
    assert any(path.output != path.neurons[-1] for path in rule.paths)
    assert "∂a_" in rule.paths[0].factors[1].text and _close(rule)


def test_a_path_knows_the_edges_it_crosses():
    session = load_example("xor")
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, session.training.learning_rate)
    stepper.run_to_end()
    rule = chain_rule(stepper, "weight", 1, 1, 0)
    path = rule.paths[0]
    assert path.start == 1 and path.neurons[0] == 1
    assert path.edges() == [(2, path.neurons[1], 1)]


def test_a_minibatch_gradient_is_the_mean_of_each_samples_paths():
    session = load_example("xor")
    network = session.network
    x, t = session.data.inputs.T, session.data.targets.T
    record = run_pass(network, x, t)
    rule = path_sum(network, record, _weights(network), "weight", 1, 0, 1, shown=10**6)
    assert rule.path_count == 4 * network.sizes[2]  # one path per sample: through the one output
    assert {path.sample for path in rule.paths} == {0, 1, 2, 3}
    assert all(path.factors[0].text == "1/4" for path in rule.paths)
    assert _close(rule)


def test_beyond_the_enumeration_limit_the_sum_is_grouped_and_still_exact(monkeypatch):
    session = load_example("moons")
    network = session.network
    x, t = session.data.inputs[0][:, None], session.data.targets[0][:, None]
    record = run_pass(network, x, t)
    monkeypatch.setattr(chain, "ENUMERATION_LIMIT", 0)
    rule = path_sum(network, record, _weights(network), "weight", 1, 0, 0)
    assert not rule.enumerated and _close(rule)
    monkeypatch.setattr(chain, "ENUMERATION_LIMIT", 10**9)
    enumerated = path_sum(network, record, _weights(network), "weight", 1, 0, 0)
    assert enumerated.enumerated and enumerated.magnitude == pytest.approx(rule.magnitude, rel=1e-12)


def test_bad_targets_are_named():
    session = load_example("course_simple")
    record = run_pass(session.network, session.data.inputs[:1].T, session.data.targets[:1].T)
    weights = _weights(session.network)
    with pytest.raises(ValueError, match="unknown chain-rule target"):
        path_sum(session.network, record, weights, "gradient", 1, 0)
    with pytest.raises(ValueError, match="neuron 5 of layer 1 does not exist"):
        path_sum(session.network, record, weights, "delta", 1, 4)
    with pytest.raises(ValueError, match="no weight from neuron 3 of layer 0"):
        path_sum(session.network, record, weights, "weight", 1, 0, 2)
    session.network.layers[0].has_bias = False
    with pytest.raises(ValueError, match="layer 1 has no bias"):
        path_sum(session.network, record, weights, "bias", 1, 0)
