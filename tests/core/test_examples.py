"""The built-in examples: each loads, steps, traces and round-trips, and shows what its note says."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from backprop_gui.core.backprop import run_pass
from backprop_gui.core.presets import EXAMPLE_ORDER, default_session, example_names, list_examples, load_example
from backprop_gui.core.session_format import SessionError, dumps, loads
from backprop_gui.core.stepper import Quantity, Stepper
from backprop_gui.core.training import Trainer, mean_loss

REQUIRED = {
    "course_simple",
    "xor",
    "xor_unsolvable",
    "blobs_softmax",
    "moons",
    "sigmoid_saturation",
    "dead_relu",
    "sine_regression",
}


def test_every_example_ships_in_the_package_and_is_listed():
    shipped = {f.name for f in (resources.files("backprop_gui.resources") / "examples").iterdir()}
    assert {f"{name}.json" for name in REQUIRED} <= shipped
    assert example_names()[: len(EXAMPLE_ORDER)] == list(EXAMPLE_ORDER)
    listed = dict(list_examples())
    assert set(listed) == {name.removesuffix(".json") for name in shipped if name.endswith(".json")}
    for description in listed.values():
        assert description and "\n" not in description and len(description) < 100


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_example_loads_steps_traces_and_round_trips(name):
    session = load_example(name)
    assert session.note and session.description and session.name
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, session.training.learning_rate)
    stepper.run_to_end()
    for l in range(1, session.network.depth + 1):
        assert stepper.value(Quantity.DELTA, l).known.all()
        assert np.all(np.isfinite(stepper.value(Quantity.GRAD_WEIGHTS, l).values))
    assert np.isfinite(stepper.value(Quantity.LOSS).values).all()
    text = dumps(session)
    assert dumps(loads(text)) == text


def test_unknown_example_names_the_known_ones():
    with pytest.raises(SessionError, match=r"unknown example 'nope' \(known: course_simple, xor"):
        load_example("nope")


def test_default_session_is_the_course_network_with_its_numbers():
    session = default_session()
    network = session.network
    assert network.sizes == [1, 1, 1] and network.loss == "half_squared_error"
    assert [layer.activation for layer in network.layers] == ["relu", "sigmoid"]
    assert not network.layer(1).has_bias and network.layer(1).weights.tolist() == [[0.01]]
    assert network.layer(2).weights.tolist() == [[-5.0]] and network.layer(2).biases.tolist() == [-1.0]
    assert session.data.inputs.tolist() == [[3.0]] and session.data.targets.tolist() == [[1.0]]
    assert session.training.learning_rate == 0.5
    result = run_pass(network, session.data.inputs.T, session.data.targets.T)
    a2 = 1 / (1 + np.exp(1.15))
    assert result.z[2][0, 0] == pytest.approx(-1.15)
    assert result.loss == pytest.approx(0.5 * (a2 - 1) ** 2)
    assert result.delta[1][0, 0] == pytest.approx(-5 * (a2 - 1) * a2 * (1 - a2))


def test_xor_is_solved_within_its_epochs():
    session = load_example("xor")
    Trainer(session.network, session.data, session.training).train(session.training.epochs)
    assert mean_loss(session.network, session.data.inputs, session.data.targets) < 0.01


def test_xor_with_one_hidden_neuron_is_not():
    session = load_example("xor_unsolvable")
    Trainer(session.network, session.data, session.training).train(session.training.epochs)
    assert mean_loss(session.network, session.data.inputs, session.data.targets) > 0.05


def test_the_dead_relu_never_moves():
    session = load_example("dead_relu")
    before = session.network.layer(1).weights.copy(), session.network.layer(1).biases.copy()
    Trainer(session.network, session.data, session.training).train(5)
    after = session.network.layer(1)
    assert after.weights[1] == before[0][1] and after.biases[1] == before[1][1]
    assert after.weights[0] != before[0][0]


def test_sigmoid_saturation_makes_delta_vanish():
    session = load_example("sigmoid_saturation")
    result = run_pass(session.network, session.data.inputs.T, session.data.targets.T)
    assert abs(result.delta[1][0, 0]) < 1e-6 * abs(result.delta[3][0, 0])


def test_blobs_softmax_with_cross_entropy_has_delta_equal_to_a_minus_t():
    session = load_example("blobs_softmax")
    x, t = session.data.inputs[:5].T, session.data.targets[:5].T
    result = run_pass(session.network, x, t)
    assert session.network.layers[-1].activation == "softmax" and session.network.loss == "cross_entropy"
    assert np.allclose(result.delta[2], result.a[2] - t)


def test_moons_has_a_validation_split():
    session = load_example("moons")
    assert session.data.validation_fraction == 0.2
    trainer = Trainer(session.network, session.data, session.training)
    assert len(trainer.validation_indices) == 40
