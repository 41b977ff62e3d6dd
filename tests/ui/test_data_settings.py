"""The Data dock's settings of the data itself: the generator's noise (a new draw, one undoable edit)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.presets import load_example
from backprop_gui.core.sample_edits import with_samples

from window_helpers import open_window, press_undo

pytestmark = pytest.mark.usefixtures("private_places")


def type_into(qtbot, box, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_the_noise_draws_the_data_again_and_undo_puts_the_old_draw_back(qtbot):
    window = open_window(qtbot, load_example("moons"))
    model, view = window.model, window.training_controller.data_view
    old = model.session.data
    assert view.noise.isEnabled() and view.noise.value() == pytest.approx(0.1)
    type_into(qtbot, view.noise, "0.3")
    data = model.session.data
    assert data.generator == {**old.generator, "noise": 0.3}
    assert len(data) == len(old) and data.validation_fraction == old.validation_fraction
    assert not np.array_equal(data.inputs, old.inputs)
    np.testing.assert_array_equal(data.targets, old.targets)  # the same labels, drawn with more noise
    assert window.session_controller.actions["undo"].text() == "Undo set the moons noise = 0.3"
    press_undo(qtbot, window)
    assert model.session.data is old and view.noise.value() == pytest.approx(0.1)
    press_undo(qtbot, window, redo=True)
    assert model.session.data is data and view.noise.value() == pytest.approx(0.3)


def test_the_noise_is_disabled_for_data_without_a_noisy_generator(qtbot):
    window = open_window(qtbot, load_example("moons"))
    view, data = window.training_controller.data_view, window.model.session.data
    window.training_controller.edit_samples(with_samples(data, [[0.0, 0.0]], [[1.0]]), "add a sample")
    assert not view.noise.isEnabled() and "samples edited by hand" in view.noise.toolTip()
    press_undo(qtbot, window)
    assert view.noise.isEnabled()
    xor = open_window(qtbot, load_example("xor")).training_controller.data_view
    assert not xor.noise.isEnabled() and "xor has no noise" in xor.noise.toolTip()
