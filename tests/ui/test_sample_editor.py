"""Editing the data by hand on the decision map: real clicks add, Shift-add, brush and remove samples,
each one undoable, saved with the session and used by the next training run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from backprop_gui.core.datasets import generate
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.sample_edits import BRUSH_RADIUS, BRUSH_SAMPLES
from backprop_gui.core.session import Session
from backprop_gui.ui.training.controller import TRAINING
from backprop_gui.ui.window.layouts import LayoutName

from window_helpers import open_window, press_undo

pytestmark = pytest.mark.usefixtures("private_places")
TIMEOUT = 30_000


def train_layout(qtbot, session: Session):
    """The full window over ``session`` in the Train layout, with the decision map in view."""
    window = open_window(qtbot, session)
    window.layout_controller.set_layout(LayoutName.TRAIN)
    decision = window.training_controller.decision_map
    qtbot.waitUntil(lambda: decision.isVisible() and decision.plot.isVisible())
    return window, decision


def pixel(decision, x1: float, x2: float) -> QPoint:
    """Where (x1, x2) is drawn in the map's plot widget."""
    box = decision.plot.getPlotItem().getViewBox()
    return decision.plot.mapFromScene(box.mapViewToScene(QPointF(x1, x2)))


def click(qtbot, decision, x1: float, x2: float, button=Qt.MouseButton.LeftButton, modifier=None) -> None:
    modifier = modifier or Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(decision.plot.viewport(), button, modifier, pixel(decision, x1, x2))


def test_a_click_adds_a_sample_of_the_chosen_class_and_shift_click_one_of_the_next(qtbot):
    window, decision = train_layout(qtbot, load_example("xor"))
    editor, data = decision.editor, window.model.session.data
    assert [editor.classes.itemText(i) for i in range(editor.classes.count())] == ["t = 0", "t = 1"]
    editor.classes.setCurrentIndex(1)
    click(qtbot, decision, 0.5, 0.5)
    added = window.model.session.data
    assert len(added) == len(data) + 1 and added.generator is None
    assert added.inputs[-1] == pytest.approx([0.5, 0.5], abs=0.02) and added.targets[-1] == [1.0]
    undo = window.session_controller.actions["undo"].text()  # "Undo add a sample (t = 1) at (0.498, 0.503)"
    assert undo.startswith("Undo add a sample (t = 1) at (")
    assert [float(v) for v in undo.split("(")[-1].rstrip(")").split(", ")] == pytest.approx([0.5, 0.5], abs=0.02)
    assert len(decision.scatter.data) == len(added)  # the map draws it
    click(qtbot, decision, 0.2, 0.8, modifier=Qt.KeyboardModifier.ShiftModifier)
    assert window.model.session.data.targets[-1] == [0.0]  # the class after t = 1 is t = 0 again
    assert editor.classes.currentIndex() == 1  # the choice stays
    assert window.isWindowModified()


def test_one_hot_classes_are_offered_by_name_and_added_as_one_hot_rows(qtbot):
    network = build_network(2, [4, 3], ["tanh", "softmax"], loss="cross_entropy", seed=3)
    window, decision = train_layout(qtbot, Session("blobs", network, generate("blobs")))
    editor = decision.editor
    assert editor.classes.count() == 3 and editor.classes.itemText(2) == "class 3"
    editor.classes.setCurrentIndex(2)
    click(qtbot, decision, 0.0, 0.0, modifier=Qt.KeyboardModifier.ShiftModifier)
    assert list(window.model.session.data.targets[-1]) == [1.0, 0.0, 0.0]  # after class 3 comes class 1


def test_the_brush_adds_a_small_cluster_as_one_edit(qtbot):
    window, decision = train_layout(qtbot, load_example("xor"))
    before = len(window.model.session.data)
    qtbot.mouseClick(decision.editor.brush, Qt.MouseButton.LeftButton)
    assert decision.editor.brush.isChecked()
    click(qtbot, decision, 0.3, 0.6)
    data = window.model.session.data
    assert len(data) == before + BRUSH_SAMPLES
    (x_lo, x_hi), (y_lo, y_hi) = decision.plot.getPlotItem().getViewBox().viewRange()
    spread = np.abs(data.inputs[before:] - [0.3, 0.6]) / [x_hi - x_lo, y_hi - y_lo]
    assert np.all(spread <= BRUSH_RADIUS + 0.01) and len(np.unique(data.inputs[before:], axis=0)) == BRUSH_SAMPLES
    press_undo(qtbot, window)
    assert len(window.model.session.data) == before  # the whole cluster is one edit


def test_right_click_removes_the_nearest_sample_and_undo_redo_put_it_back(qtbot):
    window, decision = train_layout(qtbot, load_example("xor"))
    model = window.model
    original = model.session.data
    x = original.inputs[2]
    click(qtbot, decision, x[0] + 0.01, x[1] - 0.01, button=Qt.MouseButton.RightButton)
    removed = model.session.data
    assert len(removed) == len(original) - 1
    assert not any(np.array_equal(row, x) for row in removed.inputs)
    assert window.session_controller.actions["undo"].text() == "Undo remove sample 3 at (1, 0)"
    click(qtbot, decision, 0.5, 0.5, button=Qt.MouseButton.RightButton)  # nothing within reach
    assert model.session.data is removed and "No sample near" in window.statusBar().currentMessage()
    press_undo(qtbot, window)
    assert model.session.data is original and len(decision.scatter.data) == len(original)
    press_undo(qtbot, window, redo=True)
    assert model.session.data is removed


def test_the_plane_stays_put_while_samples_are_edited(qtbot):
    window, decision = train_layout(qtbot, load_example("xor"))
    plane = decision.plane
    click(qtbot, decision, plane.x_min + 0.02 * plane.width, plane.y_max - 0.02 * plane.height)
    assert decision.plane == plane  # a sample near the edge does not rescale the map under the mouse
    press_undo(qtbot, window)
    assert decision.plane == plane


def test_hand_edited_samples_are_saved_and_reopened(qtbot, tmp_path):
    window, decision = train_layout(qtbot, load_example("xor"))
    decision.editor.classes.setCurrentIndex(1)
    click(qtbot, decision, 0.25, 0.75)
    click(qtbot, decision, 1.0, 1.0, button=Qt.MouseButton.RightButton)
    data = window.model.session.data
    path = str(tmp_path / "edited.json")
    assert window.session_controller.save_as(path)
    saved = json.loads(open(path, encoding="utf-8").read())["data"]
    assert "generator" not in saved
    again, decision_again = train_layout(qtbot, load_example("moons"))
    again.session_controller.open_file(path)
    reopened = again.model.session.data
    np.testing.assert_array_equal(reopened.inputs, data.inputs)
    np.testing.assert_array_equal(reopened.targets, data.targets)
    assert len(decision_again.scatter.data) == len(data)


def test_training_goes_on_with_the_edited_samples(qtbot):
    window, decision = train_layout(qtbot, load_example("xor"))
    model, controller = window.model, window.training_controller
    controller.panel.epochs.setValue(100_000)
    controller.continue_training()
    qtbot.waitUntil(lambda: model.session.history.steps > 20, timeout=TIMEOUT)
    decision.editor.classes.setCurrentIndex(0)
    click(qtbot, decision, 0.5, 0.5)
    assert len(model.session.data) == 5
    assert controller.running and controller.state == TRAINING  # paused for the edit, then went on
    assert controller.worker._sent_data[0] is model.session.data.inputs  # the run trains on the new samples
    edited_at = model.session.history.steps
    qtbot.waitUntil(lambda: model.session.history.steps > edited_at + 20, timeout=TIMEOUT)
    controller.pause()
    # from the edit on, an epoch is 5 steps (per-sample SGD over 4 + 1 samples), starting at the edit
    ends = [edited_at] + [end for end in model.session.history.epoch_ends if end > edited_at]
    assert len(ends) > 3 and set(np.diff(ends)) == {5}
