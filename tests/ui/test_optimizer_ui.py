"""The update rule in the window: the Training dock's optimizer controls (undoable), Train ▸ Reset
Optimizer State, the optimizer state in the Values dock and the optimizer's equations at Update."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.optimizers import OptimizerState
from backprop_gui.core.presets import load_example
from backprop_gui.ui.training.controller import FINISHED

from window_helpers import open_window, press_undo

pytestmark = pytest.mark.usefixtures("private_places")
TIMEOUT = 30_000


def choose(qtbot, combo, text: str) -> None:
    """Pick ``text`` from ``combo``'s list, as a click in its open popup does."""
    index = combo.findText(text)
    assert index >= 0, text
    combo.showPopup()
    combo.view().setCurrentIndex(combo.model().index(index, 0))
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    assert combo.currentIndex() == index


def test_choosing_adam_shows_its_settings_and_is_undoable(qtbot) -> None:
    window = open_window(qtbot, load_example("xor"))
    model, box = window.model, window.training_controller.panel.update_rule
    assert box.optimizer.currentText() == "SGD" and not box.form.isRowVisible(box.beta1)
    choose(qtbot, box.optimizer, "Adam")
    rule = model.session.training.rule
    assert rule.optimizer.name == "adam" and model.stepper.rule == rule
    assert box.form.isRowVisible(box.beta1) and box.form.isRowVisible(box.beta2) and box.form.isRowVisible(box.epsilon)
    assert not box.form.isRowVisible(box.momentum)
    assert window.session_controller.actions["undo"].text() == "Undo set optimizer adam"
    choose(qtbot, box.penalty, "L2: + (λ/2)‖w‖²")
    assert model.session.training.rule.regularization.kind == "l2" and box.form.isRowVisible(box.strength)
    press_undo(qtbot, window)
    assert model.session.training.rule.regularization.kind == "none" and not box.form.isRowVisible(box.strength)
    press_undo(qtbot, window)
    assert model.session.training.rule.optimizer.name == "sgd" and box.optimizer.currentText() == "SGD"
    press_undo(qtbot, window, redo=True)
    assert box.optimizer.currentText() == "Adam" and model.stepper.rule.optimizer.name == "adam"


def test_a_bad_value_is_refused_with_a_message_and_the_controls_go_back(qtbot, monkeypatch) -> None:
    window = open_window(qtbot, load_example("xor"))
    controller = window.training_controller
    box = controller.panel.update_rule
    choose(qtbot, box.optimizer, "SGD with momentum")
    box.momentum.setValue(0.0)
    box.nesterov.setChecked(True)  # Nesterov needs μ > 0
    assert not controller.model.session.training.rule.optimizer.nesterov
    assert "Nesterov momentum needs a momentum μ above 0" in controller.last_message
    assert not box.nesterov.isChecked()


def test_values_dock_shows_the_state_and_reset_forgets_it(qtbot) -> None:
    window = open_window(qtbot, load_example("xor"))
    model, controller = window.model, window.training_controller
    choose(qtbot, controller.panel.update_rule.optimizer, "Adam")
    controller.train_one_epoch()
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=TIMEOUT)
    state = model.session.optimizer_state
    assert state.name == "adam" and state.t == 4
    panel = window.values_panel
    panel.tabs.setCurrentIndex(2)
    m_table = next(
        t for t in panel.tables if getattr(t.table_model(), "symbol", "") == "m" and t.table_model().layer == 2
    )
    shown = m_table.table_model().data(m_table.table_model().index(0, 0))
    assert shown == model.format(state.buffers["m"][6])  # w^2 follows the 2×2 w^1 and 2 biases of layer 1
    action = controller.actions["reset_optimizer"]
    assert action in window.menus["Train"].actions()
    action.trigger()
    assert model.session.optimizer_state.same(OptimizerState())
    assert m_table.table_model().data(m_table.table_model().index(0, 0)) == model.format(0.0)
    press_undo(qtbot, window)
    assert model.session.optimizer_state.t == 4


def test_formula_panel_at_update_shows_the_optimizer_equations(qtbot) -> None:
    window = open_window(qtbot, load_example("xor"))
    model = window.model
    choose(qtbot, window.training_controller.panel.update_rule.optimizer, "Adam")
    model.set_selection(Selection(2, 0, 1))
    window.activateWindow()
    model.run_to_end()
    text = window.formula_view.toPlainText()
    for title in ("First moment", "Second moment", "Corrected first moment", "Weight update (Adam)"):
        assert title in text
    assert "m̂" in text and "β1" in text
    state = model.session.optimizer_state
    assert state.t == 1
    window.network_view.setFocus()
    qtbot.keyClick(window.network_view, Qt.Key.Key_Left)  # step back over Update: the state goes back
    assert not model.stepper.at_end and state.t == 0
