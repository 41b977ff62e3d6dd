"""Test loss and accuracy per epoch, the confusion matrix: equal to a direct count, kept in the
history and the file, sent by the training worker."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from backprop_gui.core.datasets import Dataset, generate
from backprop_gui.core.export import history_csv
from backprop_gui.core.metrics import accuracy, class_count, classifies, confusion_matrix, evaluate, outputs
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import dumps, loads
from backprop_gui.core.training import Trainer, TrainingSettings
from backprop_gui.core.training_worker import RunRequest, RunWatch, TrainingWorker, append_history

from helpers import error_of, until_final


def blobs_session(test_fraction: float = 0.3) -> Session:
    data = generate("blobs", samples=60, noise=1.2, classes=3)
    data.test_fraction, data.split_seed = test_fraction, 5
    network = build_network(2, [4, 3], ["tanh", "softmax"], "cross_entropy", seed=3)
    return Session("blobs", network, data, TrainingSettings(learning_rate=0.3, batch_size=4, seed=2))


def moons_session(test_fraction: float = 0.25) -> Session:
    data = generate("moons", samples=50, noise=0.3)
    data.test_fraction, data.split_seed = test_fraction, 1
    network = build_network(2, [3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=4)
    return Session("moons", network, data, TrainingSettings(learning_rate=0.5, batch_size=5, seed=1))


def direct_counts(session: Session, rows: np.ndarray) -> tuple[float, np.ndarray]:
    """(accuracy, confusion matrix) counted sample by sample, without the batched pass."""
    network, data = session.network, session.data
    classes = class_count(network)
    counts = np.zeros((classes, classes), dtype=int)
    for row in rows:
        out = outputs(network, data.inputs[row : row + 1])[0]
        t = data.targets[row]
        if len(out) == 1:
            true, predicted = int(t[0] >= 0.5), int(out[0] >= 0.5)
        else:
            true, predicted = int(np.argmax(t)), int(np.argmax(out))
        counts[true, predicted] += 1
    return np.trace(counts) / len(rows), counts


@pytest.mark.parametrize("make", [blobs_session, moons_session])
def test_accuracy_and_the_confusion_matrix_equal_a_direct_count(make):
    session = make()
    Trainer(session.network, session.data, session.training).train(3)
    for rows in session.data.split():
        expected_accuracy, expected_counts = direct_counts(session, rows)
        matrix = confusion_matrix(session.network, session.data, rows)
        assert np.array_equal(matrix, expected_counts) and matrix.sum() == len(rows)
        assert accuracy(session.network, session.data, rows) == expected_accuracy
        assert 0 < expected_accuracy < 1  # neither trivial
        evaluation = evaluate(session.network, session.data, rows, classification=True)
        assert evaluation.accuracy == expected_accuracy


def test_what_counts_as_classification():
    assert classifies(blobs_session().network, blobs_session().data)
    assert classifies(moons_session().network, moons_session().data)
    sine = generate("sine")
    assert not classifies(build_network(1, [3, 1], ["tanh", "linear"]), sine)
    assert not classifies(build_network(1, [3, 1], ["tanh", "sigmoid"]), sine)  # targets are not classes
    soft = Dataset(np.zeros((2, 2)), np.array([[0.2, 0.8], [1.0, 0.0]]))
    assert not classifies(build_network(2, [2], ["softmax"], "cross_entropy"), soft)


def test_each_epoch_records_test_loss_and_accuracy_on_both_sets():
    session = blobs_session()
    trainer = Trainer(session.network, session.data, session.training, session.history)
    train, test = session.data.split()
    for epoch in range(1, 4):
        trainer.train(1)
        h = session.history
        assert len(h.test_losses) == len(h.train_accuracies) == len(h.test_accuracies) == epoch
        assert h.test_accuracies[-1] == direct_counts(session, test)[0]
        assert h.train_accuracies[-1] == direct_counts(session, train)[0]
        expected_loss = evaluate(session.network, session.data, test, classification=False).loss
        assert h.test_losses[-1] == expected_loss
    assert h.measured_from(h.test_losses) == 1


def test_regression_records_only_the_test_loss_and_no_split_records_nothing():
    data = generate("sine")
    data.test_fraction = 0.25
    network = build_network(1, [4, 1], ["tanh", "linear"])
    history = Trainer(network, data, TrainingSettings(batch_size=8)).history
    trainer = Trainer(network, data, TrainingSettings(batch_size=8), history)
    trainer.train(2)
    assert len(history.test_losses) == 2 and not history.train_accuracies and not history.test_accuracies
    data.test_fraction = 0.0
    trainer = Trainer(network, data, TrainingSettings(batch_size=8), history)
    trainer.train(1)  # the split is gone: its measurements would no longer line up with the epochs
    assert not history.test_losses and len(history.epoch_losses) == 3


def test_an_epoch_stepped_back_takes_its_measurements_with_it():
    session = moons_session()
    trainer = Trainer(session.network, session.data, session.training, session.history)
    trainer.train(2)
    trainer.unrecord_step()
    h = session.history
    assert len(h.epoch_losses) == len(h.test_losses) == len(h.test_accuracies) == len(h.train_accuracies) == 1


def test_measurements_survive_save_and_open():
    session = blobs_session()
    Trainer(session.network, session.data, session.training, session.history).train(4)
    document = json.loads(dumps(session))
    assert len(document["history"]["test_accuracies"]) == 4
    loaded = loads(dumps(session))
    for key in ("test_losses", "train_accuracies", "test_accuracies"):
        assert getattr(loaded.history, key) == getattr(session.history, key)
    plain = moons_session(0.0)
    Trainer(plain.network, plain.data, plain.training, plain.history).train(1)
    assert "test_losses" not in json.loads(dumps(plain))["history"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"test_accuracies": [0.5, 1.5], "train_accuracies": [0.5, 0.5]},
            "history.test_accuracies[1]: an accuracy is a share in [0, 1], got 1.5",
        ),
        ({"test_losses": [0.1] * 3}, "history.test_losses: more values (3) than epochs (2)"),
        ({"train_accuracies": [0.5]}, "both sets, but it holds 1 and history.test_accuracies 2"),
        ({"test_losses": [0.1]}, "history.test_accuracies: more values than history.test_losses"),
    ],
)
def test_bad_measurements_in_a_file_are_named(change, message):
    session = blobs_session()
    Trainer(session.network, session.data, session.training, session.history).train(2)
    document = json.loads(dumps(session))
    document["history"].update(change)
    assert message in error_of(document)


def test_the_training_worker_sends_the_measurements_as_headless_training_makes_them():
    session = moons_session()
    worker = TrainingWorker()
    try:
        request = RunRequest(
            0, session.network.copy(), session.data, 0.0, session.training, session.history,
            0, 0, 5, 0.0, RunWatch(), test_fraction=session.data.test_fraction, split_seed=session.data.split_seed,
        )  # fmt: skip
        data = Dataset(session.data.inputs, session.data.targets)  # the split travels in the request alone
        worker.start(request, data)
        snapshots = until_final(worker)
    finally:
        worker.close()
    assert snapshots[-1].final and snapshots[-1].error is None
    for snapshot in snapshots:
        append_history(session.history, snapshot.history)
    headless = moons_session()
    Trainer(headless.network, headless.data, headless.training, headless.history).train(5)
    for key in ("epoch_losses", "test_losses", "train_accuracies", "test_accuracies"):
        assert getattr(session.history, key) == getattr(headless.history, key), key
    assert len(session.history.test_accuracies) == 5


def test_the_history_csv_puts_each_measurement_at_its_epoch():
    session = moons_session(0.0)
    Trainer(session.network, session.data, session.training, session.history).train(1)
    session.data.test_fraction = 0.25
    Trainer(session.network, session.data, session.training, session.history, epoch=1).train(2)
    h = session.history
    assert len(h.test_losses) == 2 and h.measured_from(h.test_losses) == 2
    table = list(csv.DictReader(io.StringIO(history_csv(h))))
    ends = [row for row in table if row["epoch_mean_loss"]]
    assert [row["test_loss"] for row in ends] == ["", repr(h.test_losses[0]), repr(h.test_losses[1])]
    assert [row["train_accuracy"] for row in ends][1:] == [repr(v) for v in h.train_accuracies]
    assert [row["test_accuracy"] for row in ends][1:] == [repr(v) for v in h.test_accuracies]
    assert all(row["test_loss"] == "" for row in table if not row["epoch_mean_loss"])
