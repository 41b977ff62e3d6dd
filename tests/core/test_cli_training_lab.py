"""The command line and the training lab: input features, a train/test split, test loss and accuracy."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from backprop_gui.cli import main
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import load_session, save_session
from backprop_gui.core.training import Trainer


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_train_prints_test_loss_and_both_accuracies_with_a_split(capsys, tmp_path):
    out = tmp_path / "moons.json"
    options = ("--test-fraction", "0.25", "--split-seed", "3", "--epochs", "3", "--out", str(out))
    status, text, _ = run(capsys, "train", "--example", "moons", *options)
    assert status == 0
    lines = [line for line in text.splitlines() if line.startswith("epoch ")]
    assert len(lines) == 3
    trained = load_session(out)
    assert (trained.data.test_fraction, trained.data.split_seed) == (0.25, 3)
    h = trained.history
    for line, loss, train, test in zip(lines, h.test_losses, h.train_accuracies, h.test_accuracies, strict=True):
        fields = dict(re.findall(r"(test_loss|train_acc|test_acc) (\S+)", line))
        assert float(fields["test_loss"]) == pytest.approx(loss, rel=1e-5)
        assert float(fields["train_acc"]) == pytest.approx(train, abs=5e-5)
        assert float(fields["test_acc"]) == pytest.approx(test, abs=5e-5)
    # the same as training headless with that split
    session = load_example("moons")
    session.data.test_fraction, session.data.split_seed = 0.25, 3
    Trainer(session.network, session.data, session.training, session.history).train(3)
    assert session.history.test_accuracies == h.test_accuracies


def test_train_prints_only_the_test_loss_for_regression_and_nothing_without_a_split(capsys, tmp_path):
    out = str(tmp_path / "sine.json")
    status, text, _ = run(capsys, "train", "--example", "sine_regression", "--test-fraction", "0.2", "--out", out)
    assert status == 0 and "test_loss" in text and "acc" not in text
    status, text, _ = run(capsys, "train", "--example", "moons", "--out", out)
    assert status == 0 and "test_loss" not in text and "acc" not in text


def test_train_with_features_writes_them_and_a_fresh_first_layer(capsys, tmp_path):
    out = tmp_path / "circles.json"
    status, _, _ = run(capsys, "train", "--example", "moons", "--features", "x1, x2, x1^2, sin(x2)", "--out", str(out))
    assert status == 0
    document = json.loads(out.read_text())
    assert document["network"]["features"] == ["x1", "x2", "x1^2", "sin(x2)"]
    assert document["network"]["input_size"] == 4
    trained = load_session(out)
    assert trained.network.layers[0].weights.shape == (trained.network.layers[0].size, 4)
    back = tmp_path / "raw.json"
    assert run(capsys, "train", str(out), "--features", "none", "--out", str(back))[0] == 0
    again = load_session(back)
    assert again.network.features is None and again.network.input_size == 2


def test_features_keep_the_network_when_they_do_not_change(capsys, tmp_path):
    start = tmp_path / "start.json"
    session = load_example("xor")
    save_session(session, start)
    out = tmp_path / "out.json"
    assert run(capsys, "train", str(start), "--features", "x1,x2", "--epochs", "1", "--out", str(out))[0] == 0
    first = load_session(out).network.layers[0]
    assert load_session(out).network.features == ("x1", "x2")
    assert first.weights.shape == session.network.layers[0].weights.shape
    assert not np.array_equal(first.weights, session.network.layers[0].weights)  # trained, new draw or not


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--features", "x1,cos(x1)"], "--features[1]: unknown feature 'cos(x1)'"),
        (["--features", "x1,x1"], "--features[1]: feature 'x1' is chosen twice"),
        (["--test-fraction", "1"], "data.test_fraction: must be in 0 (included) to 1 (excluded), got 1.0"),
        (["--split-seed", "-2"], "data.split_seed: must be in 0..18,446,744,073,709,551,615, got -2"),
    ],
)
def test_bad_lab_options_exit_2_naming_them(capsys, tmp_path, options, message):
    status, _, err = run(capsys, "train", "--example", "moons", *options, "--out", str(tmp_path / "o.json"))
    assert status == 2 and message in err and err.count("\n") == 1


def test_features_need_two_raw_inputs(capsys, tmp_path):
    options = ("--features", "x1", "--out", str(tmp_path / "o.json"))
    status, _, err = run(capsys, "train", "--example", "sine_regression", *options)
    assert status == 2 and "--features: features need 2 raw inputs (x1, x2), the data has 1" in err


def test_the_trace_of_a_session_with_features(capsys, tmp_path):
    out = tmp_path / "f.json"
    assert run(capsys, "train", "--example", "xor", "--features", "x1*x2,x1", "--out", str(out))[0] == 0
    status, text, _ = run(capsys, "trace", str(out), "--sample", "3")
    trace = json.loads(text)
    assert status == 0 and trace["raw_input"] == [1.0, 1.0] and trace["input"] == [1.0, 1.0]
    status, text, _ = run(capsys, "trace", str(out), "--sample", "2", "--text")
    assert "Raw input\n  x1 = 1    x2 = 0" in text and "x_1 = x1·x2    = 0" in text


def test_a_new_split_in_the_middle_of_an_epoch_is_refused_naming_the_file_once(capsys, tmp_path):
    session = load_example("moons")
    Trainer(session.network, session.data, session.training, session.history).step()
    session.batch = 1  # stopped after the first minibatch of an epoch
    path = tmp_path / "mid.json"
    save_session(session, path)
    status, _, err = run(capsys, "train", str(path), "--test-fraction", "0.25", "--out", str(tmp_path / "o.json"))
    assert status == 2 and "cannot change the train/test split in the middle of an epoch" in err
    assert err.count(str(path)) == 1 and err.count("\n") == 1
