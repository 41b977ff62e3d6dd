"""Edits of a network and of a session: each one changes what it says, refuses bad input, and reverts bit for bit."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_gui.core.datasets import Dataset, DatasetError, generate
from backprop_gui.core.editing import (
    AddLayer,
    AddNeuron,
    Edit,
    Reinitialise,
    RemoveLayer,
    RemoveNeuron,
    SetActivation,
    SetData,
    SetLoss,
    SetParameter,
    SetTrainingSetting,
    ToggleBias,
    bias_name,
    parse_value,
    weight_name,
)
from backprop_gui.core.network import Network, build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session

from helpers import session_of, snapshot


def make(sizes=(3, 2), input_size=2, seed=1) -> Network:
    net = build_network(input_size, list(sizes), ["tanh"] * (len(sizes) - 1) + ["sigmoid"], seed=seed)
    for i, layer in enumerate(net.layers):
        layer.biases = np.linspace(-1, 1, layer.size) + i  # non-zero, so bias edits show
    return net


def applied(network: Network, edit: Edit) -> tuple:
    """Apply, check revert restores exactly, re-apply, check it equals the first apply."""
    before = snapshot(network)
    edit.do(session_of(network))
    after = snapshot(network)
    network.validate()
    edit.undo(session_of(network))
    assert snapshot(network) == before
    edit.do(session_of(network))
    assert snapshot(network) == after
    return after


def test_set_weight_and_bias() -> None:
    net = make()
    applied(net, SetParameter(2, 0, 1, 0.5))
    assert net.layer(2).weights[0, 1] == 0.5
    applied(net, SetParameter(1, 2, None, -3.25))
    assert net.layer(1).biases[2] == -3.25


def test_set_parameter_does_not_write_into_the_old_array() -> None:
    net = make()
    old = net.layer(1).weights
    copy = old.copy()
    SetParameter(1, 0, 0, 9.0).do(session_of(net))
    assert np.array_equal(old, copy) and net.layer(1).weights is not old


def test_edit_texts_use_course_names() -> None:
    assert SetParameter(2, 0, 1, 0.5).text == "set w_12^2 = 0.5"
    assert SetParameter(1, 1, None, -2.0).text == "set b_2^1 = −2"
    assert weight_name(3, 9, 0) == "w_10,1^3"
    assert bias_name(1, 0) == "b_1^1"
    assert RemoveNeuron(1, 0).text == "remove neuron 1 of layer 1"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (SetParameter(3, 0, 0, 1.0), "layer 3 does not exist"),
        (SetParameter(1, 5, 0, 1.0), "layer 1 has no neuron 6"),
        (SetParameter(2, 0, 7, 1.0), "layer 1 has no neuron 8"),
        (SetParameter(1, 0, 0, math.nan), "must be a finite number"),
        (SetParameter(1, 0, 0, math.inf), "must be a finite number"),
        (SetActivation(1, "softmax"), "softmax is only allowed on the output layer (layer 2); layer 1 is a hidden"),
        (SetActivation(1, "swish"), "unknown activation 'swish'"),
        (SetLoss("hinge"), "unknown loss 'hinge'"),
        (AddNeuron(2), "layer 2 is the output layer"),
        (RemoveNeuron(2, 0), "layer 2 is the output layer"),
        (RemoveNeuron(1, 3), "layer 1 has no neuron 4"),
        (RemoveLayer(2), "layer 2 is the output layer"),
        (AddLayer(1, 0), "at least 1 neuron"),
        (AddLayer(1, 3, "softmax"), "only allowed on the output layer"),
        (AddLayer(3, 3), "inserted as layer 1..2"),
        (AddLayer(1, 10_000), "at most 4096 neurons"),
        (Reinitialise("gaussian", 0), "unknown initialisation 'gaussian'"),
        (Reinitialise("he", -1), "seed must be a whole number"),
    ],
)
def test_invalid_edits_are_refused_and_change_nothing(edit: Edit, message: str) -> None:
    net = make()
    before = snapshot(net)
    with pytest.raises(ValueError) as info:
        edit.do(session_of(net))
    assert message in str(info.value)
    assert snapshot(net) == before


def test_bias_of_a_bias_free_layer_cannot_be_set() -> None:
    net = make()
    ToggleBias(1).do(session_of(net))
    with pytest.raises(ValueError, match="layer 1 has no bias"):
        SetParameter(1, 0, None, 1.0).do(session_of(net))


def test_the_only_neuron_cannot_be_removed() -> None:
    net = make(sizes=(1, 1))
    with pytest.raises(ValueError, match="only neuron of layer 1"):
        RemoveNeuron(1, 0).do(session_of(net))


def test_parameter_budget_is_enforced() -> None:
    net = make(sizes=(4000, 1), input_size=2000)
    with pytest.raises(ValueError, match="parameters, more than the 10,000,000 allowed"):
        AddLayer(2, 4000).do(session_of(net))


def test_remove_neuron_removes_its_row_bias_and_column() -> None:
    net = make(sizes=(3, 2))
    w1, b1, w2 = net.layer(1).weights.copy(), net.layer(1).biases.copy(), net.layer(2).weights.copy()
    applied(net, RemoveNeuron(1, 1))
    assert np.array_equal(net.layer(1).weights, w1[[0, 2]])
    assert np.array_equal(net.layer(1).biases, b1[[0, 2]])
    assert np.array_equal(net.layer(2).weights, w2[:, [0, 2]])


def test_add_neuron_grows_both_weight_matrices_and_keeps_the_old_ones() -> None:
    net = make(sizes=(3, 2))
    w1, w2 = net.layer(1).weights.copy(), net.layer(2).weights.copy()
    applied(net, AddNeuron(1, "he", 5))
    assert net.layer(1).weights.shape == (4, 2) and net.layer(2).weights.shape == (2, 4)
    assert np.array_equal(net.layer(1).weights[:3], w1) and np.array_equal(net.layer(2).weights[:, :3], w2)
    assert net.layer(1).biases[3] == 0.0


def test_add_and_remove_layer_change_the_depth() -> None:
    net = make(sizes=(3, 2))
    applied(net, AddLayer(2, 5, "relu", "he", 3))
    assert net.sizes == [2, 3, 5, 2] and net.layer(2).activation == "relu"
    applied(net, RemoveLayer(1))
    assert net.sizes == [2, 5, 2]


def test_toggle_bias_switches_off_to_zeros_and_back() -> None:
    net = make()
    applied(net, ToggleBias(1))
    assert not net.layer(1).has_bias and not np.any(net.layer(1).biases)
    applied(net, ToggleBias(1))
    assert net.layer(1).has_bias


def test_reinitialise_is_reproducible_from_the_seed() -> None:
    a, b = make(), make(seed=99)
    Reinitialise("uniform", 7).do(session_of(a))
    Reinitialise("uniform", 7).do(session_of(b))
    assert snapshot(a) == snapshot(b)
    applied(make(), Reinitialise("he", 3))


def test_set_activation_and_loss() -> None:
    net = make()
    applied(net, SetActivation(2, "softmax"))
    applied(net, SetLoss("cross_entropy"))
    assert net.layer(2).activation == "softmax" and net.loss == "cross_entropy"


@pytest.mark.parametrize(
    ("text", "value"), [("0.5", 0.5), ("−2", -2.0), ("-0,25", -0.25), (" 1e-3 ", 1e-3), ("+7", 7.0)]
)
def test_parse_value_accepts_numbers(text: str, value: float) -> None:
    assert parse_value(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "enter a number"), ("abc", "'abc' is not a number"), ("nan", "finite"), ("-inf", "finite"), ("1,2,3", "not")],
)
def test_parse_value_refuses_non_numbers(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_value(text)


# --- property: any sequence of valid edits undoes exactly ----------------------------


def _edit_from(draw, net: Network) -> Edit:
    depth = net.depth
    layer = draw(st.integers(1, depth))
    hidden = draw(st.integers(1, max(1, depth - 1)))
    kind = draw(st.sampled_from(["weight", "bias", "act", "loss", "add_n", "rm_n", "add_l", "rm_l", "bias_t", "init"]))
    target = net.layer(layer)
    value = draw(st.floats(-1e6, 1e6, allow_nan=False))
    seed = draw(st.integers(0, 2**32))
    if kind == "weight":
        j, k = draw(st.integers(0, target.size - 1)), draw(st.integers(0, target.weights.shape[1] - 1))
        return SetParameter(layer, j, k, value)
    if kind == "bias":
        return SetParameter(layer, draw(st.integers(0, target.size - 1)), None, value)
    if kind == "act":
        return SetActivation(layer, draw(st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "linear"])))
    if kind == "loss":
        return SetLoss(draw(st.sampled_from(["half_squared_error", "mean_squared_error", "cross_entropy"])))
    if kind == "add_n":
        return AddNeuron(hidden, draw(st.sampled_from(["xavier", "he", "uniform", "zeros"])), seed)
    if kind == "rm_n":
        return RemoveNeuron(hidden, draw(st.integers(0, net.layer(hidden).size - 1)))
    if kind == "add_l":
        return AddLayer(draw(st.integers(1, depth)), draw(st.integers(1, 6)), "tanh", "he", seed)
    if kind == "rm_l":
        return RemoveLayer(hidden, "uniform", seed)
    if kind == "bias_t":
        return ToggleBias(layer)
    return Reinitialise(draw(st.sampled_from(["xavier", "he", "uniform", "zeros"])), seed)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_edit_sequence_undoes_and_redoes_exactly(data) -> None:
    sizes = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    net = make(sizes=tuple(sizes), input_size=data.draw(st.integers(1, 4)), seed=data.draw(st.integers(0, 100)))
    done: list[tuple[Edit, tuple, tuple]] = []
    for _ in range(data.draw(st.integers(1, 8))):
        edit = _edit_from(data.draw, net)
        before = snapshot(net)
        try:
            edit.do(session_of(net))
        except ValueError:
            assert snapshot(net) == before
            continue
        net.validate()
        done.append((edit, before, snapshot(net)))
    for edit, before, _ in reversed(done):
        edit.undo(session_of(net))
        assert snapshot(net) == before
    for edit, _, after in done:
        edit.do(session_of(net))
        assert snapshot(net) == after


# --- session edits: training settings and data ----------------------------------------


def session_state(session: Session) -> tuple:
    """Everything a session edit may touch, bit for bit."""
    data = session.data
    return (
        session.training,
        session.batch,
        list(session.history.rate_changes),
        id(data),
        data.validation_fraction,
        data.test_fraction,
        data.split_seed,
        snapshot(session.network),
    )


def session_applied(session: Session, edit: Edit) -> tuple:
    """Apply, check revert restores exactly, re-apply, check it equals the first apply."""
    before = session_state(session)
    edit.do(session)
    after = session_state(session)
    session.network.validate()
    edit.undo(session)
    assert session_state(session) == before
    edit.do(session)
    assert session_state(session) == after
    return after


def trained_xor() -> Session:
    session = load_example("xor")
    session.history.step_losses.extend([0.3, 0.2, 0.1])
    session.batch = 3
    return session


def test_set_learning_rate_is_marked_at_the_step_it_takes_effect_from() -> None:
    session = trained_xor()
    edit = SetTrainingSetting("learning_rate", 0.1)
    assert edit.text == "set η = 0.1"
    session_applied(session, edit)
    assert session.training.learning_rate == 0.1 and session.history.rate_changes == [(3, 0.1)]
    assert session.batch == 3  # η does not change the order of an epoch
    again = SetTrainingSetting("learning_rate", 0.2)
    session_applied(session, again)
    assert session.history.rate_changes == [(3, 0.2)]  # two changes at one step: the last one counts
    again.undo(session)
    assert session.history.rate_changes == [(3, 0.1)]


def test_set_learning_rate_before_any_step_marks_nothing() -> None:
    session = load_example("xor")
    session_applied(session, SetTrainingSetting("learning_rate", 2.0))
    assert session.training.learning_rate == 2.0 and session.history.rate_changes == []


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("batch_size", 2, "set batch size = 2"),
        ("epochs", 50, "set epochs per run = 50"),
        ("shuffle", False, "turn shuffling off"),
        ("seed", 7, "set seed = 7"),
        ("validation_fraction", 0.25, "set validation fraction = 0.25"),
        ("test_fraction", 0.5, "set test fraction = 0.5"),
        ("split_seed", 9, "set split seed = 9"),
    ],
)
def test_set_each_training_setting(name: str, value, text: str) -> None:
    session = trained_xor()
    edit = SetTrainingSetting(name, value)
    assert edit.text == text
    session_applied(session, edit)
    assert edit.current(session) == value
    assert session.batch == (3 if name == "epochs" else 0)  # the others start the epoch afresh


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("learning_rate", 0.0, "training.learning_rate: must be in 1e-06..1e+06"),
        ("learning_rate", math.nan, "η must be a finite number"),
        ("batch_size", 0, "training.batch_size: must be in 1..1,000,000"),
        ("batch_size", 2.5, "batch size must be a whole number"),
        ("epochs", True, "epochs per run must be a number"),
        ("seed", -1, "training.seed: must be in 0..18,446,744,073,709,551,615"),
        ("shuffle", 1, "shuffle must be on or off"),
        ("validation_fraction", 0.95, "must be in 0..0.9"),
        ("test_fraction", 1.0, "data.test_fraction: must be in 0 (included) to 1 (excluded), got 1.0"),
        ("split_seed", 2**64, "data.split_seed: must be in 0..18,446,744,073,709,551,615"),
        ("split_seed", 1.5, "split seed must be a whole number"),
        ("momentum", 0.9, "unknown training setting 'momentum'"),
    ],
)
def test_bad_training_settings_are_refused_naming_the_setting(name: str, value, message: str) -> None:
    session = trained_xor()
    before = session_state(session)
    with pytest.raises(ValueError, match=re.escape(message)):
        SetTrainingSetting(name, value).do(session)
    assert session_state(session) == before


def test_set_data_that_fits_replaces_it_and_starts_the_epoch_afresh() -> None:
    session = trained_xor()
    moons = generate("moons", samples=30)
    edit = SetData(moons)
    assert edit.text == "load data set moons"
    session_applied(session, edit)
    assert session.data is moons and session.batch == 0


def test_set_data_that_does_not_fit_is_refused_unless_fitted() -> None:
    session = trained_xor()
    blobs = generate("blobs", samples=30, classes=3)
    before = session_state(session)
    with pytest.raises(DatasetError, match="n_L = 1"):
        SetData(blobs).do(session)
    assert session_state(session) == before
    network = session.network
    second = network.layer(1).weights
    session_applied(session, SetData(blobs, fit=True, seed=4))
    assert session.network is network and network.sizes == [2, 2, 3]
    assert network.layer(1).weights is second  # n_0 fits: layer 1 is kept
    np.testing.assert_array_equal(network.layer(2).biases, np.zeros(3))


def test_set_data_fits_the_input_layer_and_names_imported_data() -> None:
    session = trained_xor()
    rng = np.random.default_rng(0)
    wide = Dataset(rng.normal(size=(5, 3)), rng.integers(0, 2, size=(5, 1)).astype(float))
    edit = SetData(wide, fit=True)
    assert edit.text == "import data (5 samples)"
    output = session.network.layer(2).weights
    session_applied(session, edit)
    assert session.network.sizes == [3, 2, 1] and session.network.layer(2).weights is output


def test_set_data_wider_than_a_layer_may_be_is_refused() -> None:
    session = trained_xor()
    huge = Dataset(np.zeros((2, 5000)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="at most 4096 neurons, got 5000"):
        SetData(huge, fit=True).do(session)
    assert session.network.sizes == [2, 2, 1]
