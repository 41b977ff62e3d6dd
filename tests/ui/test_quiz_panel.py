"""The quiz panel: type a prediction, press Enter, read right or wrong, see the phase revealed."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.quiz import QuizSettings, expected
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.diagnostics.quiz_panel import QuizPanel, QuizSettingsDialog

from window_helpers import open_window


@pytest.fixture
def model():
    network = build_network(2, [2, 1], ["sigmoid", "sigmoid"], seed=3)
    data = Dataset(np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([[1.0], [0.0]]))
    return SessionModel(Session("quiz", network, data))


@pytest.fixture
def panel(qtbot, model):
    widget = QuizPanel(model)
    qtbot.addWidget(widget)
    widget.resize(420, 360)
    widget.show()
    widget.set_active(True)
    return widget


def answer(qtbot, panel, text):
    panel.answer.clear()
    qtbot.keyClicks(panel.answer, text)
    qtbot.keyClick(panel.answer, Qt.Key.Key_Return)


def shown(value, digits=4):
    return f"{value:.{digits}g}".replace("-", "−")


def test_a_right_answer_is_said_in_words_and_counted(qtbot, panel, model):
    assert "Forward 1: predict" in panel.question.text() and "<sub>1</sub><sup>1</sup>" in panel.question.text()
    z = expected(model.stepper, panel.current)
    answer(qtbot, panel, shown(z))
    assert panel.feedback.isVisible()
    assert panel.feedback.text().startswith("✓ Right: ")
    assert "#2e8b3a" in panel.feedback.styleSheet()
    assert panel.score_label.text() == "Score: 1 of 1 right (100 %)"
    assert model.stepper.position == 0  # a^1_1 is still to come in this phase
    assert panel.current.quantity is Quantity.ACTIVATION


def test_a_wrong_answer_names_the_true_value_and_the_phase_is_revealed_after_the_last_question(qtbot, panel, model):
    z = expected(model.stepper, panel.current)
    answer(qtbot, panel, shown(z + 1))
    text = panel.feedback.text()
    assert text.startswith("✗ Wrong: you said ") and f"= {shown(z)}" in text
    assert "#c0392b" in panel.feedback.styleSheet()
    a = expected(model.stepper, panel.current)
    assert np.isnan(model.stepper.value(Quantity.ACTIVATION, 1).values[0, 0])  # not shown before the answer
    answer(qtbot, panel, shown(a, 6).replace(".", ","))  # a decimal comma is fine
    assert panel.feedback.text().startswith("✓ Right")
    assert model.stepper.position == 1  # Forward 1 revealed
    assert model.stepper.value(Quantity.ACTIVATION, 1).values[0, 0] == a
    assert panel.score_label.text() == "Score: 1 of 2 right (50 %)"
    assert "Forward 2" in panel.question.text()


def test_tolerance_setting_decides(qtbot, panel, model):
    panel.set_settings(QuizSettings(tolerance_mode="absolute", tolerance=0.1))
    assert panel.rule.text() == "An answer counts as right within ±0.1."
    z = expected(model.stepper, panel.current)
    answer(qtbot, panel, shown(z + 0.09))
    assert panel.feedback.text().startswith("✓ Right")
    answer(qtbot, panel, shown(expected(model.stepper, panel.current) - 0.2))
    assert panel.feedback.text().startswith("✗ Wrong")


def test_something_not_a_number_is_explained_and_not_counted(qtbot, panel):
    answer(qtbot, panel, "zero point five")
    assert "is not a number" in panel.feedback.text()
    assert panel.score_label.text() == "Score: no answers yet"


def test_the_hint_shows_the_general_formula_without_numbers(qtbot, panel, model):
    qtbot.mouseClick(panel.hint_button, Qt.MouseButton.LeftButton)
    assert panel.hint.isVisible()
    text = panel.hint.text()
    assert "Σ" in text and "<i>w</i>" in text
    assert shown(expected(model.stepper, panel.current)) not in text


def test_the_quiz_follows_the_selection_and_marks_what_it_asks(qtbot, panel, model):
    model.set_selection(Selection(1, 1))
    assert panel.current.j == 1
    model.run_to(2)  # Loss done: Backward 2 next
    model.set_selection(Selection(2, 0, 1))
    assert panel.current.quantity is Quantity.GRAD_WEIGHTS and (panel.current.j, panel.current.k) == (0, 1)
    model.run_to(3)  # Backward 1 next: the edge is in layer 2, so the quiz asks about neuron 1 of layer 1
    assert model.selection == Selection(1, 0)
    assert panel.current.quantity is Quantity.DELTA


def test_skip_counts_as_not_right_and_the_end_of_a_pass_says_so(qtbot, panel, model):
    model.run_to(len(model.stepper.phases) - 2)
    assert panel.reveal_button.text() == "Skip"
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    assert model.stepper.at_end
    assert "This pass is complete" in panel.question.text()
    assert not panel.answer.isEnabled() and panel.reveal_button.text() == "Next pass"
    assert (panel.score.asked, panel.score.skipped) == (0, 1)
    assert panel.score_label.text() == "Score: 0 of 1 right (0 %), 1 skipped"


def test_the_step_key_asks_first_then_skips(qtbot, panel, model):
    panel.step_pressed()
    assert model.stepper.position == 0 and panel.current.quantity is Quantity.WEIGHTED_INPUT
    assert "Enter" in panel.feedback.text() and "F10" in panel.feedback.text() and panel.feedback.isVisible()
    panel.step_pressed()
    assert panel.score.skipped == 1 and panel.current.quantity is Quantity.ACTIVATION
    assert model.stepper.position == 0
    panel.step_pressed()
    answer(qtbot, panel, "0.5")  # Enter answers instead of the second F10
    assert panel.score.asked == 1 and model.stepper.position == 1
    panel.set_active(False)
    panel.step_pressed()
    assert model.stepper.position == 2  # no quiz: the key just steps


def test_feedback_stays_with_the_revealed_phase_and_is_cleared_when_the_stepper_moves_on(qtbot, panel, model):
    answer(qtbot, panel, "0")
    answer(qtbot, panel, "0")
    assert model.stepper.position == 1 and panel.feedback.isVisible()
    assert panel.feedback.text().startswith("✗ Wrong")
    model.step_back()
    assert not panel.feedback.isVisible()


def test_off_means_no_questions(qtbot, panel):
    panel.set_active(False)
    assert panel.current is None and panel.question.text() == "Quiz mode is off."


def test_settings_dialog_round_trip_and_refuses_a_bad_distance(qtbot):
    dialog = QuizSettingsDialog(QuizSettings())
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.checks["z"].setChecked(False)
    dialog.mode_buttons["relative"].setChecked(True)
    dialog.tolerance.setText("abc")
    assert not ok.isEnabled() and "Distance:" in dialog.error.text()
    dialog.tolerance.setText("0,05")
    assert ok.isEnabled()
    settings = dialog.result_settings()
    assert settings.tolerance_mode == "relative" and settings.tolerance == 0.05
    assert Quantity.WEIGHTED_INPUT not in settings.quantities and Quantity.ACTIVATION in settings.quantities
    for box in dialog.checks.values():
        box.setChecked(False)
    assert not ok.isEnabled() and "at least one" in dialog.error.text()


@pytest.fixture
def quiz_window(qtbot):
    window = open_window(qtbot, load_example("course_simple"))
    window.diagnostics_controller.set_quiz_mode(True)
    return window


@pytest.mark.usefixtures("private_places")
def test_f10_in_the_window_asks_then_an_answer_shows_the_formula_with_numbers(qtbot, quiz_window):
    window, panel = quiz_window, quiz_window.diagnostics_controller.quiz_panel
    window.formula_view.set_ask_first(True)  # as in presentation mode: numbers wait for R
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert window.model.stepper.position == 0 and "again to skip" in panel.feedback.text()
    for _ in range(2):
        value = expected(window.model.stepper, panel.current)
        answer(qtbot, panel, shown(value, 8))
    assert window.model.stepper.position == 1
    assert not window.formula_view.reveal_pending
    assert "computed in Forward 1" not in window.formula_view.toPlainText()
    assert shown(value) in window.formula_view.toPlainText()


@pytest.mark.usefixtures("private_places")
def test_a_long_hint_does_not_grow_the_window(qtbot, quiz_window):
    window = quiz_window
    window.resize(1366, 740)
    height = window.height()
    for _ in range(3):
        window.diagnostics_controller.show_hint()
        qtbot.wait(10)
    assert window.height() <= height
