"""Input features: their values, the pass fed with them, their gradients, the file, the trace and the scripts."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from backprop_gui.core.backprop import run_pass
from backprop_gui.core.datasets import Dataset, DatasetError, check_fits, generate
from backprop_gui.core.decision import Plane, evaluate_grid, grid_points
from backprop_gui.core.features import FEATURES, check_features, feature_matrix, formula
from backprop_gui.core.gradcheck import gradient_check
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.scripts import numpy_script, torch_script
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import dumps, loads
from backprop_gui.core.stepper import Quantity, Stepper
from backprop_gui.core.trace import trace_dict, trace_text
from backprop_gui.core.training import Trainer, TrainingSettings

from helpers import error_of

RAW = np.array([[0.5, -2.0], [-1.25, 3.0]])


def feature_session(features: tuple[str, ...] = FEATURES, seed: int = 1) -> Session:
    network = build_network(len(features), [3, 1], ["tanh", "sigmoid"], seed=seed, features=features)
    network.layers[0].biases = np.array([0.1, -0.2, 0.3])
    rng = np.random.default_rng(seed)
    data = Dataset(rng.normal(size=(6, 2)), rng.integers(0, 2, (6, 1)).astype(float))
    return Session("features", network, data, TrainingSettings(learning_rate=0.5))


def test_the_names_their_order_and_formulas():
    assert FEATURES == ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    assert [formula(name) for name in FEATURES] == ["x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x1", [0.5, -1.25]),
        ("x2", [-2.0, 3.0]),
        ("x1^2", [0.25, 1.5625]),
        ("x2^2", [4.0, 9.0]),
        ("x1*x2", [-1.0, -3.75]),
        ("sin(x1)", [np.sin(0.5), np.sin(-1.25)]),
        ("sin(x2)", [np.sin(-2.0), np.sin(3.0)]),
    ],
)
def test_each_feature_value(name, expected):
    assert feature_matrix(RAW, (name,))[:, 0].tolist() == expected


def test_feature_matrix_has_one_column_per_feature_in_the_order_given():
    values = feature_matrix(RAW, ("sin(x2)", "x1", "x1*x2"))
    assert values.shape == (2, 3)
    assert values[1].tolist() == [np.sin(3.0), -1.25, -3.75]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ((), "features: choose at least one feature"),
        (("x1", "x3"), "features[1]: unknown feature 'x3' (known: x1, x2, x1^2"),
        (("x1^2", "x2", "x1^2"), "features[2]: feature 'x1^2' is chosen twice"),
    ],
)
def test_bad_feature_lists_are_named(names, message):
    with pytest.raises(ValueError) as caught:
        check_features(names)
    assert str(caught.value).startswith(message)


def test_the_pass_feeds_the_features_as_a0_and_keeps_the_raw_input():
    session = feature_session()
    x = session.data.inputs[:2].T
    result = run_pass(session.network, x, session.data.targets[:2].T)
    assert np.array_equal(result.x, feature_matrix(session.data.inputs[:2], FEATURES).T)
    assert result.a[0] is result.x and np.array_equal(result.raw, x)
    w, b = session.network.layers[0].weights, session.network.layers[0].biases
    assert np.allclose(result.z[1], w @ result.x + b[:, None], rtol=1e-15)


def test_with_features_the_first_layers_gradient_matches_finite_differences():
    session = feature_session()
    x, t = session.data.inputs[:3].T, session.data.targets[:3].T
    check = gradient_check(session.network, x, t)
    first = [c for c in check.checks if c.layer == 1 and c.kind == "w"]
    assert len(first) == 3 * len(FEATURES)
    assert max(c.relative_error for c in first) < 1e-7
    assert check.passes(1e-7)
    # by hand: ∂C/∂w_jk^1 = mean over the batch of δ_j^1 a_k^0, with a_k^0 the k-th feature
    result = run_pass(session.network, x, t)
    assert np.allclose(result.grad_w[1], result.delta[1] @ feature_matrix(x.T, FEATURES) / 3, rtol=1e-12)


def test_the_stepper_shows_the_features_as_the_input():
    session = feature_session(("x1^2", "x2^2"))
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, 0.5, batch=2)
    shown = stepper.value(Quantity.INPUT).values[:, 0]
    assert shown.tolist() == (session.data.inputs[2] ** 2).tolist()


def test_the_decision_map_feeds_features_of_the_grid_points():
    session = feature_session(("x1*x2", "sin(x1)"))
    plane = Plane(-1.0, 2.0, -3.0, 1.0)
    outputs = evaluate_grid(session.network, plane, 5)
    points = grid_points(plane, 5)
    expected = run_pass(session.network, points, np.zeros((1, 25))).a[2]
    assert np.array_equal(outputs.reshape(1, -1), expected)


def test_circles_become_separable_without_a_hidden_layer_with_squared_features():
    data = generate("circles", samples=100, noise=0.02)
    network = build_network(2, [1], ["sigmoid"], "binary_cross_entropy", features=("x1^2", "x2^2"))
    trainer = Trainer(network, data, TrainingSettings(learning_rate=2.0, batch_size=10, epochs=1))
    trainer.train(150)
    predicted = run_pass(network, data.inputs.T, data.targets.T).a[1][0] >= 0.5
    assert np.mean(predicted == (data.targets[:, 0] >= 0.5)) == 1.0


def test_features_need_two_raw_inputs():
    network = build_network(2, [1], ["linear"], features=("x1", "x1^2"))
    with pytest.raises(DatasetError, match=r"features \(x1, x1\^2\) need 2 raw inputs, x1 and x2"):
        check_fits(generate("sine"), network)
    check_fits(generate("xor"), network)
    with pytest.raises(ValueError, match=r"input_size: must equal the number of features \(2\), got 3"):
        build_network(3, [1], ["linear"], features=("x1", "x1^2"))


# --- the file ---------------------------------------------------------------------------------


def test_features_round_trip_through_the_file():
    session = feature_session(("x1", "x2", "x1*x2", "sin(x2)"))
    text = dumps(session)
    document = json.loads(text)
    assert document["network"]["features"] == ["x1", "x2", "x1*x2", "sin(x2)"]
    assert document["network"]["input_size"] == 4
    assert len(document["data"]["inputs"][0]) == 2  # the raw values
    loaded = loads(text)
    assert loaded.network.features == ("x1", "x2", "x1*x2", "sin(x2)")
    assert np.array_equal(loaded.data.inputs, session.data.inputs)
    assert dumps(loaded) == text


def test_an_old_file_loads_and_saves_unchanged():
    for name in ("xor", "course_simple", "spirals_adam"):
        session = load_example(name)
        assert session.network.features is None
        text = dumps(session)
        assert "features" not in json.loads(text)["network"] and dumps(loads(text)) == text


def feature_document() -> dict:
    return json.loads(dumps(feature_session(("x1^2", "x2^2"))))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["network"].update(features=["x1", "cos(x1)"]), "network.features[1]: unknown feature 'cos(x1)'"),
        (lambda d: d["network"].update(features=["x2", "x2"]), "network.features[1]: feature 'x2' is chosen twice"),
        (lambda d: d["network"].update(features="x1"), "network.features: expected a list"),
        (lambda d: d["network"].update(features=[1, 2]), "network.features[0]: expected a string"),
        (
            lambda d: d["network"].update(features=["x1", "x2", "x1*x2"]),
            "network.input_size: must equal the number of network.features (3), got 2",
        ),
        (lambda d: d["data"].update(inputs=[[1.0, 2.0, 3.0]] * 6), "data.inputs: expected N×2 (a row of the 2 raw"),
        (
            lambda d: d.update(data={"generator": {"name": "sine"}}),
            "data: the data has 1 input per sample but the network's features (x1^2, x2^2) need 2 raw inputs",
        ),
    ],
)
def test_bad_features_in_a_file_are_named(change, message):
    document = feature_document()
    change(document)
    assert message in error_of(document)


# --- the trace and the scripts ----------------------------------------------------------------


def test_the_trace_shows_the_features_as_x_and_the_raw_input():
    session = feature_session(("x1", "x1^2", "sin(x2)"))
    x, t = session.data.inputs[4][:, None], session.data.targets[4][:, None]
    result = run_pass(session.network, x, t)
    trace = trace_dict(session.network, result)
    x1, x2 = session.data.inputs[4]
    assert trace["input"] == [x1, x1 * x1, np.sin(x2)]
    assert trace["raw_input"] == [x1, x2]
    text = trace_text(session, 4, result)
    assert "Raw input\n  x1 = " in text and "Input (features)\n  x_1 = x1" in text and "x_2 = x1²" in text
    plain = load_example("xor")
    plain_result = run_pass(plain.network, plain.data.inputs[:1].T, plain.data.targets[:1].T)
    assert "raw_input" not in trace_dict(plain.network, plain_result)


def test_the_numpy_script_computes_the_features_and_passes_its_check(tmp_path):
    session = feature_session()
    path = tmp_path / "pass.py"
    path.write_text(numpy_script(session, 3), encoding="utf-8")
    assert "X = [x1, x2, x1 * x1, x2 * x2, x1 * x2, math.sin(x1), math.sin(x2)]" in path.read_text("utf-8")
    done = subprocess.run([sys.executable, str(path), "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    x, t = session.data.inputs[3][:, None], session.data.targets[3][:, None]
    assert done.stdout.rpartition("\n\ncheck: ")[0] == trace_text(session, 3, run_pass(session.network, x, t))


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed")
def test_the_torch_script_computes_the_features_and_passes_its_check(tmp_path):
    session = feature_session()
    path = tmp_path / "pass.py"
    path.write_text(torch_script(session, 2), encoding="utf-8")
    done = subprocess.run([sys.executable, str(path), "--check"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agree with backprop-gui's to 1e-9 relative" in done.stdout
