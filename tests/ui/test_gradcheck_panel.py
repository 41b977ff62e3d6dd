"""The gradient-check panel shows exactly core.gradcheck's numbers, sortable and coloured."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.gradcheck import gradient_check
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.diagnostics.gradcheck_panel import COLUMN, COLUMNS, SORT_ROLE, GradcheckPanel, verdict


@pytest.fixture
def model():
    network = build_network(2, [3, 2], ["tanh", "sigmoid"], seed=5)
    data = Dataset(np.array([[0.5, -1.0], [1.0, 2.0], [0.0, 0.3]]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    return SessionModel(Session("test", network, data))


@pytest.fixture
def panel(qtbot, model):
    widget = GradcheckPanel(model)
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    return widget


VALUES = ("backprop", "numerical", "relative", "absolute")  # the columns of numbers


def cell(panel, row, column, role=Qt.ItemDataRole.DisplayRole):
    return panel.proxy.data(panel.proxy.index(row, column), role)


def test_the_table_holds_core_gradcheck_numbers_for_the_current_sample(qtbot, panel, model):
    model.select_sample(1)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)

    rows = model.stepper.sample_indices
    expected = gradient_check(model.session.network.copy(), model.stepper.inputs[rows].T, model.stepper.targets[rows].T)
    assert panel.proxy.rowCount() == len(expected.checks) == 3 * 2 + 3 + 2 * 3 + 2
    shown = {
        cell(panel, r, 0, Qt.ItemDataRole.ToolTipRole): tuple(cell(panel, r, COLUMN[c], SORT_ROLE) for c in VALUES)
        for r in range(17)
    }
    for check in expected.checks:
        assert shown[check.name] == pytest.approx(
            (check.backprop, check.numerical, check.relative_error, check.absolute_error), rel=0, abs=1e-15
        )
    assert "sample 2" in panel.summary.text()
    assert "backprop agrees with finite differences" in panel.summary.text()


def test_backprop_column_is_the_gradient_the_stepper_shows_even_after_the_update(qtbot, panel, model):
    model.run_to_end()  # the network now holds the updated weights
    panel.run()
    grad = model.stepper.record.grad_w[1]
    names = [cell(panel, r, 0) for r in range(panel.proxy.rowCount())]
    row = names.index("w₂₁¹")
    assert cell(panel, row, 1, SORT_ROLE) == grad[1, 0]
    assert cell(panel, row, 1) == model.format(grad[1, 0])


def test_sorting_by_relative_error_puts_the_worst_first(qtbot, panel):
    panel.run()
    header = panel.view.horizontalHeader()
    panel.view.sortByColumn(COLUMN["relative"], Qt.SortOrder.DescendingOrder)
    errors = [cell(panel, r, COLUMN["relative"], SORT_ROLE) for r in range(panel.proxy.rowCount())]
    assert errors == sorted(errors, reverse=True)
    assert header.sortIndicatorSection() == COLUMN["relative"]
    panel.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [cell(panel, r, 0) for r in range(4)] == ["w₁₁¹", "w₁₂¹", "w₂₁¹", "w₂₂¹"]


def test_relative_error_is_coloured_and_named(qtbot, panel):
    panel.run()
    assert verdict(1e-9) == 0 and verdict(1e-6) == 1 and verdict(1e-2) == 2
    for r in range(panel.proxy.rowCount()):
        v = verdict(cell(panel, r, COLUMN["relative"], SORT_ROLE))
        assert cell(panel, r, COLUMN["verdict"]) == ("agrees", "doubtful", "disagrees")[v]
        colour = ("#c8ebc8", "#fae1a0", "#f5b4af")[v]
        assert cell(panel, r, COLUMN["relative"], Qt.ItemDataRole.BackgroundRole).name() == colour


def test_a_wrong_gradient_shows_red_and_says_so(qtbot, panel, monkeypatch):
    import backprop_gui.ui.diagnostics.gradcheck_panel as module
    from backprop_gui.core.gradcheck import GradientCheck, ParameterCheck

    def broken(network, x, t):
        good = gradient_check(network, x, t).checks
        bad = ParameterCheck("w", 2, 1, 0, good[0].backprop + 0.5, good[0].numerical)
        return GradientCheck([*good, bad])

    monkeypatch.setattr(module, "gradient_check", broken)
    panel.run()
    assert "disagree" in panel.summary.text()
    panel.view.sortByColumn(COLUMN["verdict"], Qt.SortOrder.DescendingOrder)
    assert cell(panel, 0, COLUMN["verdict"]) == "disagrees" and cell(panel, 0, 0) == "w₂₁²"


def test_an_overflowing_pass_fails_the_check_and_says_why(qtbot, panel, model):
    for layer in model.session.network.layers:
        layer.activation = "linear"
        layer.weights[:] = 1e200  # the pass overflows: the gradients are NaN or infinite
    panel.run()
    assert "the check fails" in panel.summary.text() and "NaN or infinite" in panel.summary.text()
    assert "agrees" not in panel.summary.text()


def test_results_are_marked_out_of_date_when_the_pass_changes(qtbot, panel, model):
    panel.run()
    model.next_sample()
    assert "earlier pass" in panel.summary.text()
    model.previous_sample()
    panel.run()
    assert "earlier pass" not in panel.summary.text()


def test_precision_changes_the_digits_shown(qtbot, panel, model):
    panel.run()
    before = cell(panel, 0, 1)
    model.set_precision(7)
    assert len(cell(panel, 0, 1)) > len(before)


@pytest.mark.usefixtures("private_places")
@pytest.mark.parametrize("screen", ["1024x768", "1366x768"])
def test_on_a_projector_or_a_laptop_the_check_shows_every_column_without_scrolling_sideways(qtbot, screen):
    from backprop_gui.core.presets import default_session

    from window_helpers import window_on_screen

    window = window_on_screen(qtbot, default_session(), screen)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.diagnostics_controller.gradcheck_panel
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 3 and panel.view.isVisible())
    qtbot.waitUntil(lambda: panel.view.viewport().width() > 400)  # the dock's first size, as far as the window allows
    view, header = panel.view, panel.view.horizontalHeader()
    visible = view.viewport().width()
    for name in COLUMNS:
        right = header.sectionViewportPosition(COLUMN[name]) + header.sectionSize(COLUMN[name])
        assert right <= visible, f"the {name} column ends at {right} px, past the table's {visible} px"
    assert view.horizontalScrollBar().value() == 0


@pytest.mark.usefixtures("private_places")
def test_presenting_the_names_and_numbers_are_as_large_as_the_rest_and_every_column_shows(qtbot):
    from PySide6.QtGui import QFont, QFontMetrics

    from backprop_gui.core.presets import default_session

    from window_helpers import window_on_screen

    window = window_on_screen(qtbot, default_session(), "1024x768")
    qtbot.keyClick(window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.presentation.active)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.diagnostics_controller.gradcheck_panel
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 3 and panel.view.isVisible())
    view, header = panel.view, panel.view.horizontalHeader()
    size = view.font().pointSizeF()
    assert size > 1.4 * QFont().pointSizeF()  # presenting's large text
    role = Qt.ItemDataRole.FontRole
    fonts = {name: QFont(cell(panel, 0, COLUMN[name], role)).resolve(view.font()) for name in VALUES}
    assert all(font.pointSizeF() == size for font in fonts.values()), {n: f.pointSizeF() for n, f in fonts.items()}
    name = QFont(cell(panel, 0, COLUMN["parameter"], role)).resolve(view.font())
    assert name.pointSizeF() == pytest.approx(1.25 * size)
    assert view.rowHeight(0) > QFontMetrics(name).height()
    qtbot.waitUntil(lambda: view.viewport().width() > 400)
    for column in COLUMNS:
        right = header.sectionViewportPosition(COLUMN[column]) + header.sectionSize(COLUMN[column])
        assert right <= view.viewport().width(), f"the {column} column ends at {right} px"
