"""The command line: trace, train, gradcheck, examples, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from backprop_gui.cli import main
from backprop_gui.core.backprop import run_pass
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.session_format import dumps, load_session, save_session


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(err: str, *parts: str) -> None:
    assert err.count("\n") == 1 and err.startswith("backprop-gui: ")
    assert "Traceback" not in err
    for part in parts:
        assert part in err


@pytest.fixture
def xor_file(tmp_path):
    path = tmp_path / "xor.json"
    save_session(load_example("xor"), path)
    return path


def test_examples_lists_every_example_with_its_description(capsys):
    status, out, _ = run(capsys, "examples")
    assert status == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == example_names()
    assert "XOR solved by a 2-2-1 sigmoid network" in out


def test_trace_json_is_the_pass_with_layers_from_1(capsys, xor_file):
    status, out, _ = run(capsys, "trace", str(xor_file), "--sample", "2")
    assert status == 0
    trace = json.loads(out)
    assert list(trace) == ["input", "target", "output", "loss", "layers"]
    session = load_session(xor_file)
    result = run_pass(session.network, session.data.inputs[2][:, None], session.data.targets[2][:, None])
    assert trace["input"] == [1.0, 0.0] and trace["target"] == [1.0]
    assert trace["loss"] == result.loss
    assert trace["output"] == result.a[2][:, 0].tolist()
    assert [layer["layer"] for layer in trace["layers"]] == [1, 2]
    first = trace["layers"][0]
    assert list(first) == ["layer", "z", "a", "delta", "grad_weights", "grad_biases"]
    assert first["z"] == result.z[1][:, 0].tolist() and first["delta"] == result.delta[1][:, 0].tolist()
    assert np.array(first["grad_weights"]).tobytes() == result.grad_w[1].tobytes()
    assert first["grad_biases"] == result.grad_b[1].tolist()


def test_trace_of_a_layer_without_bias_has_no_bias_gradient(capsys):
    status, out, _ = run(capsys, "trace", "--example", "course_simple")
    layers = json.loads(out)["layers"]
    assert status == 0 and layers[0]["grad_biases"] is None and layers[1]["grad_biases"] is not None


def test_trace_text_uses_the_course_notation(capsys):
    status, out, _ = run(capsys, "trace", "--example", "course_simple", "--text")
    assert status == 0
    for expected in ("x_1 = 3", "t_1 = 1", "z_1^1 = 0.03", "a_1^2 = 0.2405", "C = 0.2884", "δ_1^2 = −0.1387"):
        assert expected in out
    assert "∂C/∂w_11^1 = 2.081" in out and "∂C/∂b_1^2 = −0.1387" in out
    assert "∂C/∂b_1^1" not in out and "Backward 1 (no bias)" in out
    assert out.index("Forward 1") < out.index("Loss") < out.index("Backward 2") < out.index("Backward 1")


def test_trace_text_digits_and_two_digit_indices(capsys, tmp_path):
    session = load_example("sine_regression")
    path = tmp_path / "s.json"
    save_session(session, path)
    status, out, _ = run(capsys, "trace", str(path), "--text", "--digits", "6")
    assert status == 0 and "z_10^1 = " in out and "∂C/∂w_1,10^2 = " in out
    assert run(capsys, "trace", str(path), "--text", "--digits", "1")[0] == 2


def test_trace_sample_out_of_range(capsys, xor_file):
    status, _, err = run(capsys, "trace", str(xor_file), "--sample", "4")
    assert status == 2
    assert_one_line_error(err, str(xor_file), "sample 4 does not exist (the data set has 4 samples, 0..3)")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "the file is empty"),
        ("{not json", "not valid JSON"),
        ('{"format": "backprop-gui-session", "version": 9}', "newer version of backprop-gui (version 9)"),
    ],
)
@pytest.mark.parametrize("command", ["trace", "gradcheck", "train"])
def test_bad_files_exit_2_with_one_line(capsys, tmp_path, content, problem, command):
    path = tmp_path / "bad.json"
    path.write_text(content)
    extra = ["--out", str(tmp_path / "out.json")] if command == "train" else []
    status, out, err = run(capsys, command, str(path), *extra)
    assert status == 2 and out == ""
    assert_one_line_error(err, str(path), problem)
    assert not (tmp_path / "out.json").exists()


def test_missing_file_and_unknown_example(capsys, tmp_path):
    status, _, err = run(capsys, "trace", str(tmp_path / "gone.json"))
    assert status == 2
    assert_one_line_error(err, "gone.json: no such file")
    status, _, err = run(capsys, "gradcheck", "--example", "nope")
    assert status == 2
    assert_one_line_error(err, "unknown example 'nope'")


def test_file_and_example_together_or_neither(capsys, xor_file):
    assert_one_line_error(run(capsys, "trace")[2], "give a session FILE or --example NAME")
    assert run(capsys, "trace", str(xor_file), "--example", "xor")[0] == 2
    assert run(capsys, str(xor_file), "--example", "xor")[0] == 2


def test_bad_arguments_exit_2(capsys):
    status, _, err = run(capsys, "train", "--example", "xor")
    assert status == 2 and "--out" in err
    assert run(capsys, "trace", "--sample", "x", "--example", "xor")[0] == 2


def test_train_prints_epochs_and_writes_out_leaving_file_untouched(capsys, tmp_path, xor_file):
    before = xor_file.read_bytes()
    out = tmp_path / "trained.json"
    status, text, _ = run(capsys, "train", str(xor_file), "--epochs", "3", "--learning-rate", "1.5", "--out", str(out))
    assert status == 0
    lines = text.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [["epoch", "1"], ["epoch", "2"], ["epoch", "3"]]
    assert "mean loss" in lines[0] and lines[-1] == f"wrote {out}"
    assert xor_file.read_bytes() == before
    trained = load_session(out)
    assert trained.epoch == 3 and trained.batch == 0 and trained.history.steps == 12
    assert trained.training.learning_rate == 1.5
    assert len(trained.history.epoch_losses) == 3
    mean = float(lines[2].split()[-1])
    assert mean == pytest.approx(trained.history.epoch_losses[-1], rel=1e-5)


def test_train_in_two_runs_equals_one_run(capsys, tmp_path, xor_file):
    once, half, twice = tmp_path / "once.json", tmp_path / "half.json", tmp_path / "twice.json"
    assert run(capsys, "train", str(xor_file), "--epochs", "4", "--out", str(once))[0] == 0
    assert run(capsys, "train", str(xor_file), "--epochs", "2", "--out", str(half))[0] == 0
    assert run(capsys, "train", str(half), "--epochs", "2", "--out", str(twice))[0] == 0
    one, two = json.loads(once.read_text()), json.loads(twice.read_text())
    assert (one["training"].pop("epochs"), two["training"].pop("epochs")) == (4, 2)
    assert one == two and one["progress"] == {"epoch": 4, "batch": 0}


def test_train_in_place_and_validation_loss(capsys, tmp_path):
    path = tmp_path / "moons.json"
    session = load_example("moons")
    session.training.epochs = 1
    path.write_text(dumps(session))
    status, text, _ = run(capsys, "train", str(path), "--out", str(path), "--batch-size", "16")
    assert status == 0 and "validation loss" in text
    assert load_session(path).history.steps == 10


def test_train_divergence_exits_1_and_keeps_the_last_finite_weights(capsys, tmp_path):
    out = tmp_path / "out.json"
    status, _, err = run(capsys, "train", "--example", "sine_regression", "--learning-rate", "1e5", "--out", str(out))
    assert status == 1
    assert "training diverged at step" in err and "Traceback" not in err
    trained = load_session(out)
    assert all(np.all(np.isfinite(layer.weights)) for layer in trained.network.layers)


@pytest.mark.parametrize(
    ("option", "problem"),
    [(["--learning-rate", "-1"], "training.learning_rate"), (["--epochs", "0"], "training.epochs")],
)
def test_train_bad_settings_exit_2(capsys, tmp_path, option, problem):
    status, _, err = run(capsys, "train", "--example", "xor", *option, "--out", str(tmp_path / "o.json"))
    assert status == 2
    assert_one_line_error(err, "example xor", problem)


def test_train_out_in_a_missing_folder(capsys, tmp_path):
    status, _, err = run(capsys, "train", "--example", "xor", "--out", str(tmp_path / "no" / "o.json"))
    assert status == 2
    assert_one_line_error(err, "does not exist")


def test_gradcheck_passes_and_fails(capsys, tmp_path):
    status, out, _ = run(capsys, "gradcheck", "--example", "blobs_softmax", "--sample", "3")
    assert status == 0 and "max absolute error" in out and "max relative error" in out and "OK" in out
    kink = load_example("course_simple")
    kink.network.layer(1).weights[0, 0] = 0.0  # ReLU exactly at z = 0: f' is 0, the finite difference is not
    path = tmp_path / "kink.json"
    save_session(kink, path)
    status, out, _ = run(capsys, "gradcheck", str(path))
    assert status == 1 and "FAILED" in out and "w_11^1" in out


def test_no_subcommand_opens_the_window(monkeypatch):
    app = pytest.importorskip("backprop_gui.ui.window.app")
    calls = []
    monkeypatch.setattr(app, "run", lambda path, example, theme: calls.append((path, example, theme)) or 0)
    assert main(["some.json"]) == 0
    assert main(["--example", "xor", "--theme", "dark"]) == 0
    assert main([]) == 0
    assert calls == [("some.json", None, None), (None, "xor", "dark"), (None, None, None)]
    assert main(["--theme", "purple"]) == 2


def test_python_dash_m_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "backprop_gui", "trace", "--example", "nope"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("backprop-gui: unknown example 'nope'")
