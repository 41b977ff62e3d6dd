"""The network: shapes, initialisation from a seed, and every validation error."""

from __future__ import annotations

import json

import numpy as np
import pytest

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.editing import SetActivation, SetLoss
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import (
    INIT_SCHEMES,
    MAX_PARAMETERS,
    PROBABILITY_OUTPUTS,
    Layer,
    Network,
    build_network,
    initial_weights,
    output_conflict,
    reinitialise,
)
from backprop_gui.core.session_format import SessionError, loads

from helpers import session_of


def _network() -> Network:
    return build_network(3, [4, 2], ["tanh", "softmax"], loss="cross_entropy", seed=1)


def test_shapes_follow_the_course_notation() -> None:
    network = _network()
    assert network.sizes == [3, 4, 2]
    assert network.depth == 2
    assert network.layer(1).weights.shape == (4, 3)  # w^1 is n_1 × n_0
    assert network.layer(2).weights.shape == (2, 4)
    assert network.layer(2).biases.shape == (2,)
    assert network.num_parameters == 4 * 3 + 4 + 2 * 4 + 2
    assert all(p.dtype == np.float64 for p in network.parameters())


def test_layer_is_counted_from_one() -> None:
    network = _network()
    assert network.layer(1) is network.layers[0]
    for bad in (0, 3):
        with pytest.raises(IndexError, match=rf"layer {bad} does not exist \(layers are 1..2\)"):
            network.layer(bad)


def test_bias_free_layers_have_no_bias_parameter() -> None:
    network = build_network(2, [3, 1], ["relu", "linear"], has_bias=[False, True])
    assert network.num_parameters == 6 + 3 + 1
    assert [p.shape for p in network.parameters()] == [(3, 2), (1, 3), (1,)]


def test_copy_is_independent() -> None:
    network = _network()
    clone = network.copy()
    clone.layer(1).weights[0, 0] += 1.0
    clone.layer(2).biases[0] += 1.0
    assert network.layer(1).weights[0, 0] != clone.layer(1).weights[0, 0]
    assert network.layer(2).biases[0] == 0.0


@pytest.mark.parametrize("scheme", INIT_SCHEMES)
def test_initialisation_is_reproducible_from_the_seed(scheme: str) -> None:
    first = initial_weights(5, 4, scheme, np.random.default_rng(7))
    again = initial_weights(5, 4, scheme, np.random.default_rng(7))
    other = initial_weights(5, 4, scheme, np.random.default_rng(8))
    assert first.shape == (5, 4)
    np.testing.assert_array_equal(first, again)
    if scheme != "zeros":
        assert not np.array_equal(first, other)


def test_initialisation_scales() -> None:
    rng = np.random.default_rng(0)
    limit = np.sqrt(6.0 / (300 + 200))
    xavier = initial_weights(300, 200, "xavier", rng)
    assert np.abs(xavier).max() <= limit and np.abs(xavier).max() > 0.95 * limit
    he = initial_weights(300, 200, "he", rng)
    assert he.std() == pytest.approx(np.sqrt(2.0 / 200), rel=0.02)
    uniform = initial_weights(300, 200, "uniform", rng)
    assert -1.0 <= uniform.min() < -0.99 and 0.99 < uniform.max() <= 1.0
    assert not initial_weights(3, 2, "zeros", rng).any()
    with pytest.raises(ValueError, match="unknown initialisation 'glorot'"):
        initial_weights(3, 2, "glorot", rng)


def test_build_and_reinitialise_are_reproducible() -> None:
    a = build_network(2, [3, 1], ["sigmoid", "sigmoid"], init="he", seed=5)
    b = build_network(2, [3, 1], ["sigmoid", "sigmoid"], init="he", seed=5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)
    a.layer(1).biases[:] = 1.0
    reinitialise(a, "he", 5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_build_network_refuses_mismatched_lists() -> None:
    with pytest.raises(ValueError, match="2 layer sizes but 1 activations"):
        build_network(2, [3, 1], ["sigmoid"])


def _valid() -> Network:
    return Network(
        2,
        [
            Layer(np.ones((3, 2)), np.zeros(3), "relu"),
            Layer(np.ones((1, 3)), np.zeros(1), "sigmoid"),
        ],
    )


def _change(what: str) -> Network:
    network = _valid()
    first, second = network.layers
    if what == "input_size":
        network.input_size = 0
    elif what == "no_layers":
        network.layers = []
    elif what == "loss":
        network.loss = "hinge"
    elif what == "activation":
        second.activation = "swish"
    elif what == "softmax_hidden":
        first.activation = "softmax"
    elif what == "weights_columns":
        second.weights = np.ones((1, 2))
    elif what == "weights_ndim":
        first.weights = np.ones(6)
    elif what == "weights_flat_no_biases":
        first.weights, first.biases = np.ones(6), np.zeros(0)
    elif what == "weights_scalar":
        first.weights = np.array(1.0)
    elif what == "weights_3d":
        first.weights = np.ones((3, 2, 1))
    elif what == "weights_empty":
        first.weights = np.ones((0, 2))
    elif what == "biases":
        first.biases = np.zeros(2)
    elif what == "weights_nan":
        second.weights[0, 1] = np.nan
    elif what == "biases_inf":
        first.biases[2] = -np.inf
    elif what == "bias_free_nonzero":
        first.has_bias = False
        first.biases[1] = 0.5
    return network


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("input_size", "input_size: must be at least 1, got 0"),
        ("no_layers", "layers: a network needs at least one layer"),
        ("loss", "loss: unknown loss 'hinge' (known: half_squared_error"),
        ("activation", "layers[1].activation: unknown activation 'swish' (known: sigmoid"),
        ("softmax_hidden", "layers[0].activation: softmax is only allowed on the output layer"),
        ("weights_columns", "layers[1].weights: expected 1×3 (n_2 rows of n_1 = 3 numbers), got 1×2"),
        ("weights_ndim", "layers[0].weights: expected 3×2 (n_1 rows of n_0 = 2 numbers), got a flat list of 6"),
        (
            "weights_flat_no_biases",
            "layers[0].weights: expected n_1×2 with n_1 ≥ 1 (n_1 rows of n_0 = 2 numbers), got a flat list of 6",
        ),
        ("weights_scalar", "layers[0].weights: expected 3×2 (n_1 rows of n_0 = 2 numbers), got a single number"),
        ("weights_3d", "layers[0].weights: expected 3×2 (n_1 rows of n_0 = 2 numbers), got 3×2×1"),
        ("weights_empty", "layers[0].weights: expected 3×2 (n_1 rows of n_0 = 2 numbers), got 0×2"),
        ("biases", "layers[0].biases: expected 3 values, got 2"),
        ("weights_nan", "layers[1].weights: contains a NaN or infinite value"),
        ("biases_inf", "layers[0].biases: contains a NaN or infinite value"),
        ("bias_free_nonzero", "layers[0].biases: must be all zeros when the layer has no bias"),
    ],
)
def test_validate_names_what_is_wrong(what: str, message: str) -> None:
    _valid().validate()
    with pytest.raises(ValueError) as error:
        _change(what).validate()
    assert str(error.value).startswith(message)


def test_validate_refuses_absurd_sizes() -> None:
    network = _valid()
    # a 1 × 10_000_001 weight matrix is never allocated: a zero-stride view stands in for it
    huge = np.lib.stride_tricks.as_strided(np.zeros(1), shape=(1, MAX_PARAMETERS + 1), strides=(0, 0))
    network.input_size = MAX_PARAMETERS + 1
    network.layers = [Layer(huge, np.zeros(1), "linear")]
    with pytest.raises(ValueError, match=r"layers: 10,000,002 parameters is more than the 10,000,000 allowed"):
        network.validate()


# --- the cross-entropies need probabilities from the output layer ---------------------------

NOT_PROBABILITIES = ["linear", "tanh", "relu", "leaky_relu", "softplus"]


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("output", NOT_PROBABILITIES)
def test_validate_refuses_a_cross_entropy_without_probabilities(loss: str, output: str) -> None:
    network = _valid()
    network.loss, network.layers[-1].activation = loss, output
    with pytest.raises(ValueError) as error:
        network.validate()
    assert str(error.value) == (
        f"loss: {loss} needs probabilities from the output layer "
        f"({' or '.join(PROBABILITY_OUTPUTS[loss])}), but layer 2 is {output}"
    )


def test_every_loss_output_pair_is_either_accepted_or_named() -> None:
    accepted = set()
    for loss in LOSSES:
        for output in ACTIVATIONS:
            network = build_network(2, [3, 2], ["tanh", "sigmoid"], loss=loss, seed=0)
            network.layers[-1].activation = output
            if output_conflict(loss, output) is None:
                network.validate()
                accepted.add((loss, output))
            else:
                with pytest.raises(ValueError, match=f"^loss: {loss} needs probabilities"):
                    network.validate()
    assert {output for loss, output in accepted if "cross_entropy" in loss} == {"softmax", "sigmoid"}
    assert {
        (loss, output) for loss in ("half_squared_error", "mean_squared_error") for output in ACTIVATIONS
    } <= accepted


def test_build_network_refuses_cross_entropy_on_a_linear_output() -> None:
    with pytest.raises(
        ValueError, match=r"^loss: cross_entropy needs .*\(softmax or sigmoid\), but layer 2 is linear$"
    ):
        build_network(2, [3, 2], ["tanh", "linear"], loss="cross_entropy")


def test_edits_refuse_a_loss_and_output_that_do_not_fit() -> None:
    network = build_network(2, [3, 1], ["tanh", "linear"])
    with pytest.raises(ValueError) as error:
        SetLoss("binary_cross_entropy").do(session_of(network))
    assert str(error.value) == (
        "binary_cross_entropy needs probabilities from the output layer (sigmoid or softmax), "
        "but layer 2 is linear: change its activation first"
    )
    assert network.loss == "half_squared_error"
    SetActivation(2, "sigmoid").do(session_of(network))
    SetLoss("binary_cross_entropy").do(session_of(network))
    with pytest.raises(ValueError) as error:
        SetActivation(2, "relu").do(session_of(network))
    assert str(error.value) == (
        "the loss binary_cross_entropy needs probabilities from the output layer (sigmoid or softmax), "
        "not relu: change the loss first"
    )
    assert network.layer(2).activation == "sigmoid"
    SetActivation(1, "relu").do(session_of(network))  # hidden layers are free
    network.validate()


def test_a_session_file_with_cross_entropy_on_a_linear_output_is_refused() -> None:
    document = {
        "format": "backprop-gui-session",
        "version": 1,
        "network": {"input_size": 2, "loss": "cross_entropy", "layers": [{"size": 2, "activation": "linear"}]},
        "data": {"inputs": [[0.0, 1.0]], "targets": [[1.0, 0.0]]},
    }
    with pytest.raises(SessionError, match=r"^network\.loss: cross_entropy needs .*, but layer 1 is linear$"):
        loads(json.dumps(document))
