"""Spin boxes keep file values exactly: a noise of 0.0005 or a validation fraction of 0.125 is
shown as it is and saved unchanged, and a seed up to 2⁶⁴ − 1 can be opened, typed and stepped."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.datasets import generate
from backprop_gui.core.network import MAX_SEED
from backprop_gui.core.optimizers import OptimizerSettings, Schedule, UpdateRule
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import load_session, save_session
from backprop_gui.ui.common.number_boxes import ExactSpinBox, LogSpinBox, SeedBox, number_text
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.data_view import GenerateDialog

from window_helpers import open_window


def typed(qtbot, box, text: str) -> None:
    """Select all of ``box``'s text, type ``text`` and press Enter, as a user does."""
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


@pytest.mark.parametrize("value", [0.0005, 0.125, 1e-05, 0.1 + 0.2, 0.123456789012345, 0.0])
def test_an_exact_box_shows_and_keeps_every_value(qtbot, value):
    box = ExactSpinBox(0.0, 1.0)
    qtbot.addWidget(box)
    box.setValue(value)
    assert box.value() == value and float(box.text()) == value
    assert box.text() == number_text(value) and len(box.text()) <= 19


def test_typing_and_stepping_an_exact_box_keep_the_digits_given(qtbot):
    box = ExactSpinBox(0.0, 1.0)
    qtbot.addWidget(box)
    box.show()
    typed(qtbot, box, "0.0005")
    assert box.value() == 0.0005 and box.text() == "0.0005"
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.value() == 0.0105 and box.text() == "0.0105"  # not 0.010499999999999999
    box.setValue(0.1)
    box.setSingleStep(0.05)
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.text() == "0.15"


@pytest.mark.parametrize("low, high, value", [(0.0, 1.0, 0.125), (0.0, 0.99, 0.25), (0.0, 1e308, 0.0625)])
def test_an_exact_box_at_its_size_hint_shows_a_value_of_five_characters_or_more(qtbot, low, high, value):
    box = ExactSpinBox(low, high)
    qtbot.addWidget(box)
    box.setValue(value)
    box.resize(box.minimumSizeHint())
    box.show()
    qtbot.waitExposed(box)
    assert box.lineEdit().fontMetrics().horizontalAdvance(box.text()) <= box.lineEdit().width()


def test_a_log_box_steps_through_round_values(qtbot):
    box = LogSpinBox(1e-6, 1e6)
    qtbot.addWidget(box)
    box.show()
    box.setValue(2e-05)
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.text() == "5e-05"
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.text() == "1e-05"


def test_the_generator_dialog_shows_a_file_noise_exactly_and_keeps_it(qtbot):
    session = load_example("moons")
    session.data = generate("moons", samples=40, noise=0.0005, seed=3)
    session.data.validation_fraction = 0.125
    model = SessionModel(session)
    dialog = GenerateDialog(model)
    qtbot.addWidget(dialog)
    assert dialog.fields["noise"].text() == "0.0005" and dialog.validation.text() == "0.125"
    dialog.fields["samples"].setValue(50)
    dialog.accept()
    data = dialog.result_data
    assert data.generator["noise"] == 0.0005 and data.validation_fraction == 0.125


def test_file_values_in_the_training_dock_are_shown_exactly_and_saved_unchanged(qtbot, tmp_path):
    session = load_example("moons")
    session.data.validation_fraction = 0.125
    rule = UpdateRule(OptimizerSettings("adam", beta1=0.95555, beta2=0.999999, epsilon=1.5e-13))
    session.training.rule = replace(rule, schedule=Schedule("step", 3_000_000, 1e-05), clip_norm=2.5e7)
    path = tmp_path / "s.json"
    save_session(session, path)
    window = open_window(qtbot, load_session(path), str(path))
    panel = window.training_controller.panel
    boxes = panel.update_rule
    assert panel.validation.text() == "0.125"
    assert (boxes.beta1.text(), boxes.beta2.text(), boxes.epsilon.text()) == ("0.95555", "0.999999", "1.5e-13")
    assert (boxes.gamma.text(), boxes.clip_norm.text(), boxes.step_size.value()) == ("1e-05", "25000000", 3_000_000)
    panel.epochs.setValue(panel.epochs.value() + 1)  # other settings change; these are not touched
    boxes.penalty.setCurrentIndex(boxes.penalty.findData("l2"))
    assert window.session_controller.save_as(str(path))
    saved = load_session(path)
    assert saved.data.validation_fraction == 0.125
    assert saved.training.rule.optimizer == rule.optimizer
    assert saved.training.rule.schedule == Schedule("step", 3_000_000, 1e-05) and saved.training.rule.clip_norm == 2.5e7


def test_a_seed_box_types_and_steps_up_to_the_largest_seed(qtbot):
    box = SeedBox()
    qtbot.addWidget(box)
    box.show()
    seen: list[int] = []
    box.valueChanged.connect(seen.append)
    typed(qtbot, box, str(MAX_SEED - 1))
    assert box.value() == MAX_SEED - 1 and seen == [MAX_SEED - 1]
    qtbot.keyClick(box, Qt.Key.Key_Up)
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.value() == MAX_SEED and box.text() == str(MAX_SEED) and seen[-1] == MAX_SEED
    assert not box.stepEnabled() & SeedBox.StepEnabledFlag.StepUpEnabled
    typed(qtbot, box, str(MAX_SEED + 1))  # beyond the range: put back
    assert box.value() == MAX_SEED and box.text() == str(MAX_SEED)
    typed(qtbot, box, "12x")  # the x is refused as typed
    assert box.value() == 12
    box.setValue(0)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.value() == 0 and box.text() == "0"


def test_a_file_seed_beyond_32_bits_opens_and_the_dock_changes_it(qtbot, tmp_path):
    session = load_example("moons")
    session.training.seed = 3_000_000_000
    path = tmp_path / "s.json"
    save_session(session, path)
    window = open_window(qtbot, load_session(path), str(path))
    box = window.training_controller.panel.seed
    assert box.text() == "3000000000"
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert window.session_controller.session.training.seed == 3_000_000_001
    typed(qtbot, box, str(MAX_SEED))
    assert window.session_controller.session.training.seed == MAX_SEED
    assert window.session_controller.save_as(str(path)) and load_session(path).training.seed == MAX_SEED
