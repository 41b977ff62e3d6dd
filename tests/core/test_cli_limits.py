"""Hostile command lines: one-line errors, options at their limits written and read back,
gradient checks that overflow, divergence naming the layer."""

from __future__ import annotations

import os
import warnings

import pytest

from backprop_gui.cli import main
from backprop_gui.core.datasets import MAX_SAMPLES
from backprop_gui.core.network import MAX_SEED
from backprop_gui.core.optimizers import MAX_STEP_SIZE
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import load_session, save_session
from backprop_gui.core.training import MAX_LEARNING_RATE, MIN_LEARNING_RATE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line(err: str, *parts: str) -> None:
    assert err.count("\n") == 1 and err.startswith("backprop-gui: ") and "usage:" not in err, err
    assert "Traceback" not in err
    for part in parts:
        assert part in err, err


@pytest.mark.parametrize(
    ("argv", "part"),
    [
        (["train", "--example", "xor"], "--out"),
        (["trace", "--sample", "x", "--example", "xor"], "--sample"),
        (["gradcheck", "--bogus"], "--bogus"),
        (["--bogus"], "--bogus"),
        (["a.json", "b.json"], "b.json"),
        (["train", "--example", "xor", "--epochs", "1e3", "--out", "o.json"], "--epochs"),
        (["export", "--example", "xor", "--scale", "big"], "--scale"),
    ],
)
def test_argparse_errors_are_one_line_and_exit_2(capsys, argv, part):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert_one_line(err, part)


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--seed", str(MAX_SEED + 1), "training.seed: must be in 0..18,446,744,073,709,551,615"),
        ("--seed", str(2**65), "training.seed"),
        ("--step-size", str(MAX_STEP_SIZE + 1), "training.schedule.step_size: must be in 1..2,147,483,647"),
        ("--seed", "-1", "training.seed"),
        ("--batch-size", str(MAX_SAMPLES + 1), "training.batch_size: must be in 1..1,000,000"),
        ("--batch-size", "0", "training.batch_size"),
        ("--learning-rate", "1e-7", "training.learning_rate"),
        ("--learning-rate", "2e6", "training.learning_rate"),
        ("--learning-rate", "nan", "training.learning_rate"),
        ("--epochs", "1000001", "training.epochs"),
    ],
)
def test_options_beyond_their_limits_exit_2_before_training(capsys, tmp_path, option, value, problem):
    out = tmp_path / "o.json"
    status, text, err = run(capsys, "train", "--example", "xor", option, value, "--out", str(out))
    assert status == 2 and text == "" and not out.exists()
    assert_one_line(err, problem)


@pytest.mark.parametrize(
    ("option", "value", "field", "expected"),
    [
        ("--seed", str(MAX_SEED), "seed", MAX_SEED),
        ("--seed", "0", "seed", 0),
        ("--seed", "3000000000", "seed", 3_000_000_000),
        ("--batch-size", str(MAX_SAMPLES), "batch_size", MAX_SAMPLES),
        ("--batch-size", "1", "batch_size", 1),
        ("--learning-rate", str(MIN_LEARNING_RATE), "learning_rate", MIN_LEARNING_RATE),
        ("--learning-rate", str(MAX_LEARNING_RATE), "learning_rate", MAX_LEARNING_RATE),
    ],
)
def test_every_option_at_its_limit_writes_a_file_that_reads_back(capsys, tmp_path, option, value, field, expected):
    out = tmp_path / "o.json"
    status, _, err = run(capsys, "train", "--example", "xor", "--epochs", "1", option, value, "--out", str(out))
    assert status in (0, 1), err  # η = 10⁶ may diverge: OUT is written all the same
    assert getattr(load_session(out).training, field) == expected


def _overflowing(tmp_path):
    session = load_example("sine_regression")
    for layer in session.network.layers:
        layer.weights[:] = 1e200
    path = tmp_path / "overflow.json"
    save_session(session, path)
    return path


def test_gradcheck_fails_with_a_reason_when_the_errors_are_nan(capsys, tmp_path):
    path = _overflowing(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning may escape
        status, out, err = run(capsys, "gradcheck", str(path))
    assert status == 1 and err == ""
    assert "FAILED" in out and "NaN or infinite" in out and "OK" not in out and "nan" not in out


def test_a_diverging_loss_names_its_layer(capsys, tmp_path):
    out = tmp_path / "o.json"
    status, _, err = run(capsys, "train", "--example", "sine_regression", "--learning-rate", "1e5", "--out", str(out))
    assert status == 1
    assert_one_line(err, "training diverged at step", "the loss C of output layer 2")


@pytest.mark.parametrize("kind", ["empty", "folder", "fifo", "missing folder"])
def test_a_bad_out_is_refused_before_training(capsys, tmp_path, kind):
    out = {"empty": "", "folder": str(tmp_path), "fifo": str(tmp_path / "p"), "missing folder": str(tmp_path / "n/o")}
    if kind == "fifo":
        os.mkfifo(out[kind])
    status, text, err = run(capsys, "train", "--example", "xor", "--out", out[kind])
    assert status == 2 and "epoch" not in text  # no training happened
    assert_one_line(err, "--out")
    status, _, err = run(capsys, "export", "--example", "xor", "--csv", out[kind])
    assert status == 2
    assert_one_line(err, "--csv")


@pytest.mark.parametrize("kind", ["fifo", "folder"])
@pytest.mark.parametrize("command", ["trace", "train", "gradcheck", "export"])
def test_special_files_are_refused_and_a_fifo_never_hangs(capsys, tmp_path, kind, command):
    path = tmp_path / "special.json"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: reading it would wait for ever
    else:
        path.mkdir()
    extra = {"train": ["--out", str(tmp_path / "o.json")], "export": ["--csv", str(tmp_path / "o.csv")]}
    status, _, err = run(capsys, command, str(path), *extra.get(command, []))
    assert status == 2
    assert_one_line(err, str(path), "not a regular file" if kind == "fifo" else "is a folder")


def test_a_fifo_as_weights_archive_is_refused_without_hanging(capsys, tmp_path):
    weights = tmp_path / "w.npz"
    os.mkfifo(weights)
    status, _, err = run(capsys, "import-npz", str(weights), "--example", "xor", "--out", str(tmp_path / "o.json"))
    assert status == 2
    assert_one_line(err, str(weights), "not a regular file")
