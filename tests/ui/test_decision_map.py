"""The decision map shows the core's forward pass over the input plane, and follows the weights."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from backprop_gui.core.backprop import forward
from backprop_gui.core.datasets import generate
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import is_shown
from backprop_gui.ui.training.decision_map import ARGMAX, RESOLUTION, DecisionMap

from window_helpers import open_window


def shown(qtbot, session: Session) -> DecisionMap:
    widget = DecisionMap(SessionModel(session))
    qtbot.addWidget(widget)
    widget.resize(500, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell_input(widget: DecisionMap, row: int, col: int) -> np.ndarray:
    p = widget.plane
    return np.array([[p.x_min + p.width * (col + 0.5) / RESOLUTION], [p.y_min + p.height * (row + 0.5) / RESOLUTION]])


def test_values_equal_the_core_forward_pass(qtbot):
    widget = shown(qtbot, load_example("xor"))
    network = widget.model.session.network
    for row, col in [(0, 0), (17, 99), (RESOLUTION - 1, 3)]:
        _, a = forward(network, cell_input(widget, row, col))
        assert widget.shown[row, col] == pytest.approx(a[network.depth][0, 0], abs=1e-15)
    assert widget.choice.count() == 1 and widget.choice.currentText() == "output a₁ᴸ"
    assert widget.colorbar.isVisible()
    assert len(widget.scatter.data) == 4


def test_several_outputs_show_the_argmax_class_or_a_chosen_output(qtbot):
    network = build_network(2, [4, 3], ["tanh", "softmax"], loss="cross_entropy", seed=3)
    widget = shown(qtbot, Session("blobs", network, generate("blobs")))
    assert widget.choice.currentData() == ARGMAX
    _, a = forward(network, cell_input(widget, 60, 20))
    assert widget.shown[60, 20] == int(np.argmax(a[2][:, 0]))
    assert not widget.colorbar.isVisible()
    widget.choice.setCurrentIndex(widget.choice.findData(2))
    assert widget.shown[60, 20] == pytest.approx(a[2][2, 0])


def test_the_map_follows_the_weights(qtbot):
    widget = shown(qtbot, load_example("xor"))
    before = widget.shown.copy()
    model = widget.model
    model.run_to_end()  # the stepper's Update changes the weights
    assert not np.array_equal(widget.shown, before)
    layer = model.session.network.layer(2)
    layer.biases = layer.biases + 3.0
    model.network_changed()
    _, a = forward(model.session.network, cell_input(widget, 5, 5))
    assert widget.shown[5, 5] == pytest.approx(a[2][0, 0])


def test_steps_that_leave_the_weights_alone_do_not_recompute_the_map(qtbot, monkeypatch):
    widget = shown(qtbot, load_example("xor"))
    computed = []
    draw = widget.redraw

    def counted() -> None:
        computed.append(widget.model.stepper.position)
        draw()

    monkeypatch.setattr(widget, "redraw", counted)
    model = widget.model
    for _ in model.stepper.phases[:-1]:
        model.step()  # Forward 1 … Backward 1: the weights are those the map was drawn from
    assert computed == []
    model.step()  # Update replaces the weights
    model.step_back()  # and stepping it back puts the old ones back
    assert computed == [len(model.stepper.phases), len(model.stepper.phases) - 1]


def test_hover_reads_the_outputs(qtbot):
    widget = shown(qtbot, load_example("xor"))
    view = widget.plot.getPlotItem().getViewBox()
    from PySide6.QtCore import QPointF

    widget._hover(view.mapViewToScene(QPointF(0.5, 0.5)))
    assert widget.readout.text().startswith("x = (0.5") and "a₁ᴸ = " in widget.readout.text()


def test_one_input_shows_why_there_is_no_map(qtbot):
    widget = shown(qtbot, load_example("sine_regression"))
    assert widget.stack.currentWidget() is widget.message
    assert "n₀ = 1" in widget.message.text()


def test_a_network_too_large_to_map_shows_why_and_the_map_returns_when_it_fits(qtbot, monkeypatch):
    from backprop_gui.core import decision

    monkeypatch.setattr(decision, "MAX_MULTIPLY_ADDS", 1000)  # xor's 9 parameters × 14,400 points is more
    widget = shown(qtbot, load_example("xor"))
    assert widget.stack.currentWidget() is widget.message and widget.outputs is None
    assert "too large for a map of 14,400 points" in widget.message.text()
    monkeypatch.setattr(decision, "MAX_MULTIPLY_ADDS", 10**9)
    widget.redraw()
    assert widget.stack.currentWidget() is widget.plot and widget.outputs is not None


def test_small_inputs_read_as_plain_numbers_without_an_si_scale(qtbot):
    """Inputs within ±0.002: the axes' names stay "x₁" and "x₂", not "x₂ (x0.001)"."""
    session = load_example("xor")
    session.data = replace(session.data, inputs=session.data.inputs * 0.002)
    widget = shown(qtbot, session)
    item = widget.plot.getPlotItem()
    names = [item.getAxis(side).labelString() for side in ("bottom", "left")]
    assert names and all("x0.001" not in name and "(" not in name for name in names), names


def test_the_class_map_blends_at_class_borders_rather_than_in_steps(qtbot):
    widget = shown(qtbot, load_example("blobs_softmax"))
    widget.choice.setCurrentIndex(widget.choice.findData(ARGMAX))
    scale = 4  # each of the map's cells 4 × 4 px, as in a plot 480 px wide
    image = QImage(scale * RESOLUTION, scale * RESOLUTION, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.scale(scale, scale)
    widget.image.paint(painter)  # in its own coordinates: one unit a cell
    painter.end()
    pixels = image.constBits().tobytes()
    colours = {pixels[i : i + 3] for i in range(0, len(pixels), 4)}
    classes = widget.outputs.shape[0]
    assert len(colours) > 2 * classes  # shades between the classes' colours, not only theirs


@pytest.mark.usefixtures("private_places")
def test_the_map_behind_the_data_tab_waits_until_its_tab_is_raised(qtbot):
    """In the Train layout the map shares a tab with the data: behind it the map is not computed when the
    weights change (an evaluation over the whole grid per change), and raised it shows the new weights'."""
    window = open_window(qtbot, load_example("xor"))
    window.layout_controller.set_layout(LayoutName.TRAIN)
    widget = window.training_controller.decision_map
    qtbot.waitUntil(lambda: is_shown(widget) and widget.outputs is not None)
    drawn = widget.outputs
    window.docks["data"].raise_()
    qtbot.waitUntil(lambda: not is_shown(widget))
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)  # run to the end: Update
    assert window.model.stepper.at_end
    assert widget.outputs is drawn  # not computed out of sight
    window.docks["decision"].raise_()
    qtbot.waitUntil(lambda: widget.outputs is not drawn)
    _, a = forward(window.model.session.network, cell_input(widget, 17, 99))
    assert widget.shown[17, 99] == pytest.approx(a[2][0, 0], abs=1e-15)
