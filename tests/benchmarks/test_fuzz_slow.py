"""The slow hostile-input run (outside the default tests): many more mutated session files, the
command line's options at their limits in real processes (FIFOs and devices with a timeout, so a
hang fails), and a history long enough to pass the saved-steps cap, written and read back.

Run with ``pytest tests/benchmarks/test_fuzz_slow.py -p no:cacheprovider``."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

from backprop_gui.core.datasets import MAX_SAMPLES
from backprop_gui.core.network import MAX_SEED
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import load_session, save_session
from backprop_gui.core.training import MAX_EPOCHS, MAX_LEARNING_RATE, MAX_SAVED_STEPS, MIN_LEARNING_RATE, Trainer
from tests.core.test_fuzz import SPECIAL_DEVICES, mutations, read


def cli(*argv: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "backprop_gui", *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def test_many_mutated_documents_end_in_a_session_or_one_session_error():
    for seed in range(20):
        for text in mutations(random.Random(seed), 1000):
            read(text)


@pytest.mark.parametrize(
    ("option", "value", "field", "expected"),
    [
        ("--epochs", str(MAX_EPOCHS), "epochs", MAX_EPOCHS),
        ("--seed", str(MAX_SEED), "seed", MAX_SEED),
        ("--batch-size", str(MAX_SAMPLES), "batch_size", MAX_SAMPLES),
        ("--learning-rate", repr(MIN_LEARNING_RATE), "learning_rate", MIN_LEARNING_RATE),
        ("--learning-rate", repr(MAX_LEARNING_RATE), "learning_rate", MAX_LEARNING_RATE),
    ],
)
def test_every_option_at_its_limit_in_a_real_process(tmp_path, option, value, field, expected):
    session = load_example("xor")
    session.training.batch_size = 4  # one step per epoch, so a million epochs are a million steps
    source, out = tmp_path / "xor.json", tmp_path / "out.json"
    save_session(session, source)
    extra = [] if option == "--epochs" else ["--epochs", "1"]
    done = cli("train", str(source), option, value, *extra, "--out", str(out))
    assert done.returncode in (0, 1), done.stderr  # η = 10⁶ may diverge; OUT is written all the same
    assert "Traceback" not in done.stderr
    trained = load_session(out)
    assert getattr(trained.training, field) == expected
    if option == "--epochs":
        assert trained.history.steps == MAX_EPOCHS and len(trained.history.epoch_losses) == MAX_EPOCHS


@pytest.mark.parametrize("command", ["trace", "gradcheck", "train", "export"])
@pytest.mark.parametrize("special", [*SPECIAL_DEVICES, "fifo"])
def test_special_files_in_a_real_process_never_hang(tmp_path, command, special):
    path = special
    if special == "fifo":
        path = str(tmp_path / "fifo.json")
        os.mkfifo(path)
    extra = {"train": ["--out", str(tmp_path / "o.json")], "export": ["--csv", str(tmp_path / "o.csv")]}
    done = cli(command, path, *extra.get(command, []), timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not a regular file" in done.stderr


def test_a_history_past_the_cap_is_written_capped_and_reads_back(tmp_path):
    session = load_example("xor")
    session.training.batch_size = 1
    trainer = Trainer(session.network, session.data, session.training, session.history)
    trainer.train(MAX_SAVED_STEPS // 4 + 10)  # 4 steps per epoch
    session.epoch, session.batch = trainer.epoch, trainer.batch
    path = tmp_path / "long.json"
    save_session(session, path)
    history = json.loads(path.read_text())["history"]
    assert history["dropped_steps"] == session.history.steps - MAX_SAVED_STEPS
    again = load_session(path)
    assert again.history.steps == session.history.steps
    assert again.history.epoch_losses == session.history.epoch_losses
    assert len(again.history.step_losses) == MAX_SAVED_STEPS
