"""Reflowing layouts: the flow grid's columns follow the width; the Training dock fits a narrow dock
(the Train layout on a 1024×768 projector) with every update-rule row shown, without scrolling sideways."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.optimizers import OptimizerSettings, Regularization, Schedule, UpdateRule
from backprop_gui.core.presets import load_example
from backprop_gui.ui.common.reflow import FlowGrid

from window_helpers import open_window

pytestmark = pytest.mark.usefixtures("private_places")


def test_flow_grid_puts_as_many_equal_columns_as_fit(qtbot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    grid = FlowGrid(3, page)
    grid.setSpacing(4)
    buttons = [QPushButton(f"Button {i}") for i in range(5)]
    for button in buttons:
        grid.addWidget(button)
    cell = max(b.sizeHint().width() for b in buttons)
    assert grid.columns_for(3 * cell + 8) == 3
    assert grid.columns_for(3 * cell + 7) == 2
    assert grid.columns_for(cell) == 1
    assert grid.columns_for(10 * cell) == 3  # never more than asked for
    page.resize(2 * cell + 4, grid.heightForWidth(2 * cell + 4))
    page.show()
    grid.activate()
    tops = sorted({b.geometry().top() for b in buttons})
    assert len(tops) == 3  # 2 + 2 + 1
    assert {b.width() for b in buttons[:4]} == {cell}
    assert buttons[4].geometry().left() == buttons[0].geometry().left()
    with pytest.raises(ValueError, match="at least one column"):
        FlowGrid(0)


def test_training_dock_fits_a_1024_px_window_with_every_row_shown(qtbot) -> None:
    window = open_window(qtbot, load_example("xor"))
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.layout_controller.ready)
    window.layout_controller.set_layout(LayoutName.TRAIN)
    rule = UpdateRule(
        OptimizerSettings("adam"), Regularization("l2", 1e-3, True), Schedule("step", 10, 0.5), clip_norm=1.0
    )
    panel = window.training_controller.panel
    panel.update_rule.show_rule(rule)
    area = window.layout_controller.docks["training"].widget()
    qtbot.waitUntil(lambda: area.viewport().width() < 300)
    room = area.viewport().width()
    assert panel.minimumSizeHint().width() <= room
    assert panel.width() <= room
    assert not area.horizontalScrollBar().isVisible()
    buttons = panel.buttons.values()
    assert all(b.width() >= b.sizeHint().width() for b in buttons)  # no button cut
    assert all(b.geometry().right() < panel.width() for b in buttons)
