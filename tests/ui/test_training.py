"""Training in the window: start, pause, step, continue and stop, driven by shortcuts and buttons."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox

from backprop_gui.core.breakpoints import BreakpointHit, BreakpointSettings
from backprop_gui.core.datasets import generate
from backprop_gui.core.health import HealthRecorder
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Quantity
from backprop_gui.core.training import Trainer
from backprop_gui.core.training_worker import RunWatch
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training import controller as training_controller
from backprop_gui.ui.training.controller import DIVERGED, FINISHED, PAUSED, TRAINING, budget_wait, install_training

from window_helpers import open_window, press_undo

TIMEOUT = 30_000  # ms: generous, for slow CI machines


def make_window(qtbot, session: Session):
    model = SessionModel(session)
    window = QMainWindow()
    window.setCentralWidget(QLabel("the debugger"))
    controller = install_training(window, model, window.menuBar().addMenu("&Train"))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window, model, controller


@pytest.fixture
def xor(qtbot):
    window, model, controller = make_window(qtbot, load_example("xor"))
    yield window, model, controller
    controller.stop()


def test_f5_trains_in_the_background_and_shift_f5_pauses(qtbot, xor):
    window, model, controller = xor
    model.session.training.epochs = 100_000
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert controller.running and controller.state == TRAINING
    assert controller.actions["train"].isChecked()
    qtbot.waitUntil(lambda: model.session.history.steps > 200, timeout=TIMEOUT)
    qtbot.keyClick(window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert not controller.running and controller.state == PAUSED
    history = model.session.history
    # the plot follows and draws the whole history; the last point is the last step
    xs, ys = controller.loss_plot.step_curve.getData()
    assert xs[-1] == history.steps and ys[-1] == pytest.approx(np.log10(history.step_losses[-1]))  # log scale
    # the session is a clean training state: retraining from scratch headless gives the same weights
    again = load_example("xor")
    replay = Trainer(again.network, again.data, again.training, again.history)
    replay.train(10**6, lambda: again.history.steps >= history.steps)
    for mine, theirs in zip(model.session.network.layers, again.network.layers, strict=True):
        np.testing.assert_array_equal(mine.weights, theirs.weights)
    # the stepper now shows the sample the trainer trains next, from those weights
    trainer = Trainer(model.session.network, model.session.data, model.session.training, history,
                      model.session.epoch, model.session.batch)  # fmt: skip
    assert model.stepper.batch == trainer.next_samples()[0]
    assert model.stepper.position == 0


def test_f5_toggles_and_continue_resumes_the_same_run(qtbot, xor):
    window, model, controller = xor
    model.session.training.epochs = 50_000
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: model.session.history.steps > 100, timeout=TIMEOUT)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert controller.state == PAUSED
    paused_at = model.session.history.steps
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert controller.running and controller._target_epoch == 50_000
    qtbot.waitUntil(lambda: model.session.history.steps > paused_at + 100, timeout=TIMEOUT)
    controller.pause()


def test_stepping_key_pauses_training_and_the_update_joins_the_history(qtbot, xor):
    window, model, controller = xor
    model.session.training.epochs = 100_000
    controller.continue_training()
    qtbot.waitUntil(lambda: model.session.history.steps > 50, timeout=TIMEOUT)
    model.step()  # what the window's F10 does
    assert controller.state == PAUSED and model.stepper.position == 1
    session = model.session
    steps, batch = session.history.steps, session.batch
    w_before = session.network.layer(1).weights.copy()
    model.run_to_end()  # through Update
    assert session.history.steps == steps + 1
    assert session.history.step_losses[-1] == model.stepper.record.loss
    assert session.batch == (batch + 1) % 4
    np.testing.assert_array_equal(session.network.layer(1).weights, model.stepper.value(Quantity.NEW_WEIGHTS, 1).values)
    model.step_back()  # Update taken back: so is the step
    assert session.history.steps == steps and session.batch == batch
    np.testing.assert_array_equal(session.network.layer(1).weights, w_before)
    model.run_to_end()
    assert session.history.steps == steps + 1
    # continue trains on from the stepped state
    controller.continue_training()
    qtbot.waitUntil(lambda: session.history.steps > steps + 50, timeout=TIMEOUT)
    controller.pause()
    assert session.history.steps > steps + 1


def test_an_update_that_ends_an_epoch_closes_it_and_stepping_back_reopens_it(qtbot, xor):
    window, model, controller = xor
    session = model.session
    for _ in range(4):  # XOR: 4 samples, one epoch
        model.run_to_end()
        model.step()
    assert session.epoch == 1 and session.batch == 0
    assert len(session.history.epoch_losses) == 1
    assert session.history.epoch_losses[0] == pytest.approx(np.mean(session.history.step_losses))
    model.step_back()  # back to the end of the 4th pass: nothing changes
    assert session.epoch == 1
    model.step_back()  # Update of the 4th pass taken back
    assert session.epoch == 0 and session.batch == 3 and not session.history.epoch_losses


def test_one_epoch_button_trains_exactly_one_epoch(qtbot, xor):
    window, model, controller = xor
    qtbot.mouseClick(controller.panel.buttons["one_epoch"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)
    session = model.session
    assert session.epoch == 1 and session.history.steps == 4 and session.batch == 0
    xs, ys = controller.loss_plot.epoch_curve.getData()
    assert list(xs) == [4.0] and ys[0] == pytest.approx(np.log10(session.history.epoch_losses[0]))
    assert controller.panel.figures["Step"].text() == "4"


def test_xor_reaches_a_small_loss_within_a_bounded_number_of_epochs(qtbot, xor):
    window, model, controller = xor
    model.session.training.epochs = 600
    qtbot.mouseClick(controller.panel.buttons["train"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)
    losses = model.session.history.epoch_losses
    assert len(losses) == 600
    assert min(losses) < 0.01
    assert "finished" in controller.last_message


def test_changing_eta_mid_run_takes_effect_and_is_marked(qtbot, xor):
    window, model, controller = xor
    model.session.training.epochs = 100_000
    controller.continue_training()
    qtbot.waitUntil(lambda: model.session.history.steps > 100, timeout=TIMEOUT)
    controller.panel.learning_rate.setValue(0.1)
    assert model.session.training.learning_rate == 0.1
    qtbot.waitUntil(lambda: bool(model.session.history.rate_changes), timeout=TIMEOUT)
    controller.pause()
    (step, rate), *_ = model.session.history.rate_changes
    assert rate == 0.1 and 100 < step <= model.session.history.steps
    marks = controller.loss_plot._rate_marks
    assert len(marks) == 1 and marks[0].value() == step + 0.5
    assert "η = 0.1" in marks[0].label.toPlainText()


def test_divergence_stops_with_a_message_naming_step_and_layer(qtbot):
    network = build_network(2, [3, 1], ["linear", "linear"], seed=2)
    session = Session("diverges", network, generate("moons", samples=40))
    session.training.learning_rate = 1e5
    session.training.epochs = 1000
    window, model, controller = make_window(qtbot, session)
    try:
        controller.continue_training()
        qtbot.waitUntil(lambda: controller.state == DIVERGED, timeout=TIMEOUT)
        boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "training_message"]
        assert boxes and boxes[0].isVisible()
        text = boxes[0].text()
        assert "diverged at step" in text and ("layer" in text or "loss" in text)
        step = int(text.split("step ")[1].split(":")[0])
        assert model.session.history.steps == step - 1  # every finite step is kept
        for layer in model.session.network.layers:
            assert np.all(np.isfinite(layer.weights)) and np.all(np.isfinite(layer.biases))
        assert controller.loss_plot.step_curve.getData()[0][-1] == step - 1
        boxes[0].close()
    finally:
        controller.stop()


def test_reset_history_asks_first_and_clears_the_plot(qtbot, xor, monkeypatch):
    window, model, controller = xor
    controller.train_one_epoch()
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)
    monkeypatch.setattr(plain_messages, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    controller.actions["reset"].trigger()
    assert model.session.history.steps == 4
    monkeypatch.setattr(plain_messages, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    controller.actions["reset"].trigger()
    assert model.session.history.steps == 0 and model.session.epoch == 0
    xs, _ = controller.loss_plot.step_curve.getData()
    assert xs is None or len(xs) == 0


def test_a_new_session_stops_training_and_the_run_does_not_touch_it(qtbot, xor):
    window, model, controller = xor
    model.session.training.epochs = 100_000
    controller.continue_training()
    qtbot.waitUntil(lambda: model.session.history.steps > 10, timeout=TIMEOUT)
    fresh = load_example("xor")
    model.set_session(fresh)
    assert not controller.running
    qtbot.wait(100)
    assert fresh.history.steps == 0


def test_slow_speed_applies_every_step_to_the_view(qtbot, xor):
    window, model, controller = xor
    controller.panel.speed.setValue(60)  # about 30 ms a step
    controller.continue_training()
    qtbot.waitUntil(lambda: model.session.history.steps >= 3, timeout=TIMEOUT)
    controller.pause()
    assert controller.panel.speed_label.text().startswith("≤")
    assert model.session.history.steps < 200


def test_settings_are_range_checked_and_stored(qtbot, xor):
    window, model, controller = xor
    panel = controller.panel
    panel.learning_rate.setValue(1e9)
    assert model.session.training.learning_rate == 1e6
    panel.learning_rate.setValue(0.5)
    panel.learning_rate.stepBy(1)
    assert model.session.training.learning_rate == 1.0
    panel.learning_rate.stepBy(-2)
    assert model.session.training.learning_rate == 0.2
    panel.batch_size.setValue(99)
    assert model.session.training.batch_size == 4  # at most the number of samples
    panel.seed.setValue(7)
    panel.shuffle.setChecked(False)
    panel.validation.setValue(0.25)
    assert model.session.training.seed == 7 and not model.session.training.shuffle
    assert model.session.data.validation_fraction == 0.25


def test_a_watched_breakpoint_stops_the_run_and_is_heard_with_the_state_it_left(qtbot, xor):
    window, model, controller = xor
    model.session.training.epochs = 1000
    health = HealthRecorder(model.session.network.depth)
    watch = RunWatch(BreakpointSettings(loss_below=True, loss_target=10.0, loss_scope="step"), health)
    controller.watch_source = lambda: watch
    with qtbot.waitSignal(controller.run_ended, timeout=TIMEOUT) as ended:
        controller.continue_training()
    error, trainer = ended.args
    assert isinstance(error, BreakpointHit) and error.hit.step == 1
    assert trainer.history.steps == 1 and trainer.network is model.session.network
    assert controller.state == PAUSED and model.session.history.steps == 1
    assert "Loss below target" in controller.last_message
    assert list(health.snapshot()[0]) == [1.0]  # the run's layer health, recorded in the training process


# --- settings through the window's undo stack ---------------------------------------------------


@pytest.mark.usefixtures("private_places")
def test_typed_eta_is_undone_and_redone_with_the_keys(qtbot):
    window = open_window(qtbot, load_example("xor"))
    model, panel = window.model, window.training_controller.panel
    old = model.session.training.learning_rate
    box = panel.learning_rate
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0.1")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert model.session.training.learning_rate == 0.1 and model.stepper.learning_rate == 0.1
    assert window.session_controller.actions["undo"].text() == "Undo set η = 0.1"
    assert window.isWindowModified()
    press_undo(qtbot, window)
    assert model.session.training.learning_rate == old and box.value() == old
    assert model.stepper.learning_rate == old
    assert not window.isWindowModified()
    press_undo(qtbot, window, redo=True)
    assert model.session.training.learning_rate == 0.1 and box.text() == "0.1"


@pytest.mark.usefixtures("private_places")
def test_eta_changed_after_training_is_marked_and_the_mark_goes_with_undo(qtbot):
    window = open_window(qtbot, load_example("xor"))
    model, controller = window.model, window.training_controller
    controller.train_one_epoch()
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)
    window.layout_controller.set_layout(LayoutName.TRAIN)  # the loss plot on screen: it redraws only then
    controller.panel.learning_rate.setValue(0.2)
    assert model.session.history.rate_changes == [(4, 0.2)] and len(controller.loss_plot._rate_marks) == 1
    press_undo(qtbot, window)
    assert model.session.history.rate_changes == [] and controller.loss_plot._rate_marks == []
    press_undo(qtbot, window, redo=True)
    assert model.session.history.rate_changes == [(4, 0.2)]


@pytest.mark.usefixtures("private_places")
def test_the_loss_plot_does_no_work_while_hidden_and_catches_up_when_shown(qtbot):
    window = open_window(qtbot, load_example("xor"))
    controller = window.training_controller
    assert not controller.docks["loss"].isVisible()  # the Step layout: no loss plot
    controller.train_one_epoch()
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)
    curve = controller.loss_plot.step_curve
    assert curve.xData is None or len(curve.xData) == 0  # nothing drawn while nobody could see it
    window.layout_controller.set_layout(LayoutName.TRAIN)
    qtbot.waitUntil(lambda: curve.xData is not None and len(curve.xData) == 4, timeout=TIMEOUT)
    assert list(curve.xData) == [1, 2, 3, 4]


@pytest.mark.usefixtures("private_places")
def test_shuffle_seed_and_validation_are_undoable_one_by_one(qtbot):
    window = open_window(qtbot, load_example("xor"))
    model, panel = window.model, window.training_controller.panel
    training = model.session.training
    qtbot.mouseClick(panel.shuffle, Qt.MouseButton.LeftButton)
    assert model.session.training.shuffle is not training.shuffle
    undo_text = window.session_controller.actions["undo"].text()
    assert undo_text == f"Undo turn shuffling {'off' if training.shuffle else 'on'}"
    panel.seed.setValue(9)
    panel.validation.setValue(0.25)
    assert window.session_controller.actions["undo"].text() == "Undo set validation fraction = 0.25"
    press_undo(qtbot, window)
    assert model.session.data.validation_fraction == 0.0 and panel.validation.value() == 0.0
    press_undo(qtbot, window)
    assert model.session.training.seed == training.seed and panel.seed.value() == training.seed
    press_undo(qtbot, window)
    assert model.session.training == training and panel.shuffle.isChecked() == training.shuffle
    assert not window.isWindowModified()
    for _ in range(3):
        press_undo(qtbot, window, redo=True)
    assert (model.session.training.seed, model.session.data.validation_fraction) == (9, 0.25)


@pytest.mark.usefixtures("private_places")
def test_undo_during_training_pauses_it_first(qtbot):
    window = open_window(qtbot, load_example("xor"))
    model, controller = window.model, window.training_controller
    old = model.session.training.epochs
    controller.panel.epochs.setValue(100_000)
    controller.continue_training()
    qtbot.waitUntil(lambda: model.session.history.steps > 10, timeout=TIMEOUT)
    press_undo(qtbot, window)
    assert controller.state == PAUSED and model.session.training.epochs == old
    assert controller.panel.epochs.value() == old


def test_budget_wait_keeps_the_window_within_its_share_of_a_processor():
    assert budget_wait(0.012, 0.1, 0.12) == 0.0  # 12 ms of drawing in 100 ms: on budget, at once
    assert budget_wait(0.024, 0.1, 0.12) == pytest.approx(0.1)  # twice that: wait as long again
    assert budget_wait(0.0, 0.0, 0.12) == 0.0


def test_a_window_over_its_drawing_budget_gets_fewer_snapshots(qtbot, xor, monkeypatch):
    window, model, controller = xor
    model.session.training.epochs = 100_000
    drawn = []
    controller.progressed.connect(lambda: drawn.append(model.session.history.steps))
    controller.continue_training()
    qtbot.wait(1500)
    generous = len(drawn)
    monkeypatch.setattr(training_controller, "DRAW_BUDGET", 0.0005)  # any drawing is far over it
    drawn.clear()
    qtbot.wait(1500)
    starved = len(drawn)
    steps = model.session.history.steps
    controller.pause()  # the final snapshot brings the steps trained meanwhile
    assert generous >= 6 and starved <= generous / 3, (generous, starved)
    assert model.session.history.steps > steps
