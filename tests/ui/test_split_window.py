"""A train/test split in the window: the stepper walks the training samples only, training in the
worker process measures the test set each epoch, and its snapshots land on training samples."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow

from backprop_gui.core.datasets import generate
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.core.training import Trainer, TrainingSettings
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.controller import FINISHED, install_training

TIMEOUT = 30_000  # ms


def split_session() -> Session:
    data = generate("moons", samples=30)
    data.test_fraction, data.split_seed = 0.3, 2
    network = build_network(2, [3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=1)
    return Session("split", network, data, TrainingSettings(learning_rate=0.5, batch_size=3, seed=4))


def test_next_sample_walks_the_training_samples_only(qtbot):
    model = SessionModel(split_session())
    train, test = model.session.data.split()
    assert model.stepper.batch_count == len(train) == 21
    seen = []
    for _ in range(len(train)):
        seen.append(int(model.stepper.sample_indices[0]))
        model.next_sample()
    assert seen == train.tolist() and not set(seen) & set(test.tolist())


def test_a_run_in_the_window_measures_the_test_set_and_lands_on_a_training_sample(qtbot):
    session = split_session()
    model = SessionModel(session)
    window = QMainWindow()
    window.setCentralWidget(QLabel("the debugger"))
    controller = install_training(window, model, window.menuBar().addMenu("&Train"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        qtbot.mouseClick(controller.panel.buttons["one_epoch"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)
    finally:
        controller.stop()
    h = session.history
    assert session.epoch == 1 and h.steps == 7  # 21 training samples in minibatches of 3
    headless = split_session()
    Trainer(headless.network, headless.data, headless.training, headless.history).train(1)
    assert h.test_losses == headless.history.test_losses and h.test_accuracies == headless.history.test_accuracies
    assert h.train_accuracies == headless.history.train_accuracies and len(h.train_accuracies) == 1
    train, _ = session.data.split()
    assert int(model.stepper.sample_indices[0]) in train.tolist()
    assert controller.panel.figures["Epoch"].text().endswith("of 7")
