"""SetFeatures: the network's inputs become features of the raw (x1, x2); w^1 keeps the columns of
features kept, and undo puts everything back exactly."""

import numpy as np
import pytest

from backprop_gui.core.backprop import run_pass
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.editing import SetFeatures
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session


def test_features_resize_the_input_layer_and_keep_the_raw_inputs_columns():
    session = load_example("xor")
    first = session.network.layer(1).weights.copy()
    edit = SetFeatures(("x1", "x2", "x1*x2", "sin(x1)"), seed=3)
    edit.do(session)
    network = session.network
    assert network.features == ("x1", "x2", "x1*x2", "sin(x1)") and network.input_size == 4
    assert network.layer(1).weights.shape == (first.shape[0], 4)
    np.testing.assert_array_equal(network.layer(1).weights[:, :2], first)
    network.validate()
    x = session.data.inputs[3:4].T
    result = run_pass(network, x, session.data.targets[3:4].T)
    np.testing.assert_allclose(result.x[:, 0], [x[0, 0], x[1, 0], x[0, 0] * x[1, 0], np.sin(x[0, 0])])
    edit.undo(session)
    assert session.network.features is None and session.network.input_size == 2
    np.testing.assert_array_equal(session.network.layer(1).weights, first)


def test_a_feature_kept_keeps_its_column_when_others_go():
    session = load_example("xor")
    SetFeatures(("x1^2", "x2", "sin(x2)"), seed=1).do(session)
    columns = session.network.layer(1).weights.copy()
    SetFeatures(("x2", "sin(x2)")).do(session)
    np.testing.assert_array_equal(session.network.layer(1).weights, columns[:, 1:])
    SetFeatures(None).do(session)
    assert session.network.features is None and session.network.layer(1).weights.shape[1] == 2
    np.testing.assert_array_equal(session.network.layer(1).weights[:, 1], columns[:, 1])


@pytest.mark.parametrize(
    ("features", "message"),
    [((), "at least one feature"), (("x1", "x3"), "unknown feature 'x3'"), (("x1", "x1"), "chosen twice")],
)
def test_bad_feature_lists_are_refused(features, message):
    session = load_example("xor")
    with pytest.raises(ValueError, match=message):
        SetFeatures(features).check(session)


def test_features_need_two_raw_inputs():
    network = build_network(3, [2, 1], ["tanh", "sigmoid"])
    session = Session("three", network, Dataset(np.zeros((2, 3)), np.zeros((2, 1))))
    with pytest.raises(ValueError, match="2 raw inputs .* the data has 3"):
        SetFeatures(("x1", "sin(x1)")).check(session)
