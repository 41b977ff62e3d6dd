"""The Debug menu on a bare QMainWindow: F9 breakpoints, continue, the conditions dialog,
training hits landing in the stepper, and the gradient-check, health and quiz docks."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from backprop_gui.core.breakpoints import BreakpointHit, BreakpointSettings, Condition
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Field, Selection
from backprop_gui.core.network import Layer, Network, build_network
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Phase, PhaseStep
from backprop_gui.core.training import Divergence, Trainer, TrainingSettings
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.diagnostics.breakpoint_dialog import BreakpointDialog
from backprop_gui.ui.diagnostics.controller import HEALTH_MEASURE_EVERY, install_diagnostics


def relu_session() -> Session:
    """Inputs are positive and neuron 2 of layer 1 has weights (−1, −1): it never fires."""
    network = Network(
        2,
        [
            Layer(np.array([[1.0, 1.0], [-1.0, -1.0], [0.5, -0.2]]), np.zeros(3), "relu"),
            Layer(np.array([[0.1, 0.1, 0.1]]), np.zeros(1), "linear"),
        ],
    )
    inputs = np.array([[1.0, 2.0], [0.5, 0.5], [2.0, 0.1], [1.0, 1.0]])
    targets = np.array([[0.0], [1.0], [0.0], [1.0]])
    return Session("relu", network, Dataset(inputs, targets), TrainingSettings(learning_rate=0.01, shuffle=False))


@pytest.fixture
def window(qtbot):
    win = QMainWindow()
    model = SessionModel(relu_session())
    win.model = model
    win.menus = {"Debug": win.menuBar().addMenu("&Debug")}
    win.controller = install_diagnostics(win, model, win.menus["Debug"])
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    return win


def session_trainer(model: SessionModel) -> Trainer:
    s = model.session
    return Trainer(s.network, s.data, s.training, s.history, s.epoch, s.batch)


def train_until_stopped(controller, model, epochs=3):
    """What the training process does: watch, train, apply the weights, report how it ended."""
    trainer = session_trainer(model)
    controller.run_watch().attach(trainer)
    error = None
    try:
        trainer.train(epochs)
    except (BreakpointHit, Divergence) as caught:
        error = caught
    model.session.epoch, model.session.batch = trainer.epoch, trainer.batch
    model.network_changed()
    return controller.training_stopped(error, trainer), trainer


def test_the_debug_menu_lists_every_action_with_its_shortcut(window):
    menu = window.menus["Debug"]
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Toggle Breakpoint",
        "Continue to Breakpoint",
        "Breakpoint Conditions…",
        "Gradient Check",
        "Layer Health",
        "Quiz Mode",
        "Hint",
    ]
    assert window.controller.actions[ActionId.TOGGLE_BREAKPOINT].shortcut().toString() == "F9"
    assert window.menuBar().actions()[-1].text() == "&Debug"


def test_f9_toggles_a_breakpoint_on_the_next_phase(qtbot, window):
    controller, model = window.controller, window.model
    model.run_to(1)  # Forward 1, 2 done: Loss next
    with qtbot.waitSignal(model.changed, check_params_cb=lambda event: event.field == Field.BREAKPOINTS):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    assert controller.phase_breakpoints == {2}
    assert window.statusBar().currentMessage().startswith("Breakpoint set on Loss")
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert controller.phase_breakpoints == set()
    assert window.statusBar().currentMessage() == "Breakpoint removed from Loss"


def test_continue_runs_to_the_next_breakpoint_then_into_the_next_pass(qtbot, window):
    controller, model = window.controller, window.model
    controller.toggle_breakpoint(3)  # Backward 2
    qtbot.keyClick(window, Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    assert model.stepper.position == 4 and model.stepper.current == PhaseStep(Phase.BACKWARD, 2)
    assert model.stepper.batch == 0
    qtbot.keyClick(window, Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    assert model.stepper.batch == 1 and model.stepper.position == 4


def test_continue_without_breakpoints_says_how_to_set_one(window):
    window.controller.continue_to_breakpoint()
    assert window.model.stepper.position == 0
    assert "F9" in window.statusBar().currentMessage()


def test_a_dead_relu_hit_stops_training_and_lands_on_the_neuron(qtbot, window):
    controller, model = window.controller, window.model
    controller.set_settings(BreakpointSettings(dead_relu=True))
    hits = []
    controller.hit.connect(hits.append)
    hit, trainer = train_until_stopped(controller, model)

    assert hit is not None and hits == [hit]
    assert hit.condition is Condition.DEAD_RELU and hit.step == 4
    assert model.session.history.steps == 4
    assert model.selection == Selection(1, 1)
    assert model.stepper.current == PhaseStep(Phase.FORWARD, 1)
    assert model.stepper.batch == hit.sample == 0  # the next sample of the next epoch
    assert window.statusBar().currentMessage() == "Dead ReLU neuron: neuron 2 of layer 1 at step 4"
    box = controller.message_box
    assert box is not None and box.isVisible() and not box.isModal()
    assert box.text().startswith("Dead ReLU neuron at step 4 in neuron 2 of layer 1: a_2^1 = 0 for all 4 samples")
    assert "The stepper shows Forward 1 of sample 1" in box.informativeText()


def test_a_phase_breakpoint_stops_training_at_that_phase_of_the_next_sample(window):
    controller, model = window.controller, window.model
    controller.toggle_breakpoint(4)  # Backward 1
    hit, _ = train_until_stopped(controller, model)
    assert hit.condition is Condition.PHASE and hit.step == 1
    assert model.stepper.batch == 1 and model.stepper.current == PhaseStep(Phase.BACKWARD, 1)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_a_divergence_is_shown_as_a_nan_breakpoint(window):
    controller, model = window.controller, window.model
    model.session.data.inputs[2] = [1e308, 1e308]
    hit, _ = train_until_stopped(controller, model)
    assert hit.condition is Condition.NON_FINITE and hit.step == 3
    assert model.stepper.batch == 2 and model.selection == Selection(1, 0)
    assert "NaN or infinite" in controller.message_box.text()


def test_a_divergence_is_left_to_the_runner_when_the_nan_condition_is_off(window):
    controller, model = window.controller, window.model
    controller.set_settings(BreakpointSettings(non_finite=False))
    model.session.data.inputs[2] = [1e308, 1e308]
    with np.errstate(all="ignore"):
        hit, _ = train_until_stopped(controller, model)
    assert hit is None and controller.message_box is None


def test_training_feeds_the_layer_health_view(qtbot, window):
    controller, model = window.controller, window.model
    train_until_stopped(controller, model, epochs=2)
    controller.actions["health"].trigger()
    assert controller.docks["health"].isVisible()
    steps, _, _ = controller.recorder.snapshot()  # one step of each epoch of 4 (one in HEALTH_MEASURE_EVERY)
    assert controller.recorder.measure_every == HEALTH_MEASURE_EVERY == 4
    assert len(steps) == 2 and 1 <= steps[0] <= 4 < steps[1] <= 8
    assert f"up to step {int(steps[1])} (one step in 4 measured" in controller.health_view.note.text()


def test_the_step_that_hits_is_in_the_health_record(window):
    controller, model = window.controller, window.model
    controller.set_settings(BreakpointSettings(dead_relu=True))
    hit, _ = train_until_stopped(controller, model)
    assert controller.recorder.snapshot()[0][-1] == hit.step == 4


def test_gradient_check_action_opens_the_dock_and_checks_the_current_sample(qtbot, window):
    controller = window.controller
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert controller.docks["gradcheck"].isVisible()
    assert controller.gradcheck_panel.proxy.rowCount() == 3 * 2 + 3 + 3 + 1


def test_quiz_mode_opens_the_quiz_and_asks(qtbot, window):
    controller = window.controller
    assert not controller.actions["hint"].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert controller.actions["quiz"].isChecked() and controller.docks["quiz"].isVisible()
    assert "Forward 1: predict" in controller.quiz_panel.question.text()
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert controller.quiz_panel.hint.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert not controller.quiz_panel.active and not controller.actions["hint"].isEnabled()


def test_a_new_session_forgets_phase_breakpoints_and_starts_a_new_health_record(window):
    controller, model = window.controller, window.model
    controller.toggle_breakpoint(0)
    network = build_network(1, [2, 2, 1], ["tanh", "tanh", "linear"])
    model.set_session(Session("deeper", network, Dataset(np.ones((2, 1)), np.ones((2, 1)))))
    assert controller.phase_breakpoints == set()
    assert controller.recorder.depth == 3 and len(controller.health_view.curves) == 3


def test_conditions_dialog_names_a_bad_threshold_and_returns_the_settings(qtbot):
    phases = [PhaseStep(Phase.FORWARD, 1), PhaseStep(Phase.LOSS), PhaseStep(Phase.BACKWARD, 1)]
    dialog = BreakpointDialog(BreakpointSettings(phases={1}), phases, has_relu=False)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert dialog.phase_list.item(1).checkState() == Qt.CheckState.Checked
    assert not dialog.vanishing_threshold.isEnabled()
    dialog.vanishing.setChecked(True)
    dialog.vanishing_threshold.clear()
    qtbot.keyClicks(dialog.vanishing_threshold, "tiny")
    assert not ok.isEnabled()
    assert dialog.error.text().startswith("Vanishing threshold: “tiny” is not a number")
    dialog.vanishing_threshold.setText("1e−8")
    dialog.exploding.setChecked(True)
    dialog.exploding_threshold.setText("-5")
    assert "Exploding threshold: must be a positive number" in dialog.error.text()
    dialog.exploding_threshold.setText("250")
    dialog.loss_below.setChecked(True)
    dialog.loss_scope.setCurrentIndex(1)
    dialog.phase_list.item(2).setCheckState(Qt.CheckState.Checked)
    assert ok.isEnabled()
    settings = dialog.result_settings()
    assert settings.phases == {1, 2}
    assert settings.vanishing and settings.vanishing_threshold == pytest.approx(1e-8)
    assert settings.exploding_threshold == 250.0 and settings.loss_scope == "step"
    assert "no ReLU layer" in dialog.dead_relu.toolTip()
