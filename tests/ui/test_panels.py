"""The value tables: the stepper's numbers at the chosen precision, unknown cells empty, selection both ways."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.formatting import format_number
from backprop_gui.core.presets import load_example
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import is_shown
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.values_panel import (
    Caption,
    MatrixTableModel,
    NeuronTableModel,
    ValuesPanel,
    full_precision,
)
from backprop_gui.ui.window.app import create_window

from window_helpers import open_window

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
KEY = Qt.Key


@pytest.fixture
def panel(qtbot):
    model = SessionModel(load_example("xor"))
    widget = ValuesPanel(model)
    qtbot.addWidget(widget)
    widget.resize(500, 700)
    widget.show()
    return widget


def column_texts(table_model, column: int) -> list[str]:
    return [table_model.data(table_model.index(row, column), DISPLAY) for row in range(table_model.rowCount())]


def test_tabs_are_sample_and_each_layer(panel):
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == ["Sample", "Layer 1", "Layer 2"]
    neurons = panel.table_for(1, 0).table_model()
    headers = [neurons.headerData(c, Qt.Orientation.Horizontal) for c in range(neurons.columnCount())]
    assert headers == ["z¹", "a¹", "δ¹", "∂C/∂b¹", "b¹"]
    weights = panel.table_for(2, 1).table_model()
    assert weights.headerData(0, Qt.Orientation.Horizontal) == "k = 1"
    assert weights.headerData(0, Qt.Orientation.Vertical) == "j = 1"


def test_unknown_cells_are_empty_and_known_ones_match_the_stepper(panel):
    model = panel.model
    panel.tabs.setCurrentIndex(1)
    neurons = panel.table_for(1, 0).table_model()
    assert column_texts(neurons, 0) == ["", ""]
    model.step_into()
    z = model.stepper.value(Quantity.WEIGHTED_INPUT, 1).values[:, 0]
    assert column_texts(neurons, 0) == [model.format(z[0]), ""]
    model.step_into()
    z = model.stepper.value(Quantity.WEIGHTED_INPUT, 1).values[:, 0]
    assert column_texts(neurons, 0) == [model.format(z[0]), model.format(z[1])]
    assert column_texts(neurons, 2) == ["", ""]  # δ not before Backward 1


def test_tooltips_give_full_precision_in_course_notation(panel):
    model = panel.model
    model.step()
    panel.tabs.setCurrentIndex(1)
    neurons = panel.table_for(1, 0).table_model()
    a = model.stepper.value(Quantity.ACTIVATION, 1).values[1, 0]
    tip = neurons.data(neurons.index(1, 1), Qt.ItemDataRole.ToolTipRole)
    assert tip == f"<i>a</i><sub>2</sub><sup>1</sup> = {full_precision(a)}"
    delta_tip = neurons.data(neurons.index(1, 2), Qt.ItemDataRole.ToolTipRole)
    assert "not yet known — computed in Backward 1" in delta_tip


def test_update_shows_old_and_new_weights(panel):
    model = panel.model
    model.select_sample(1)
    model.run_to_end()
    panel.tabs.setCurrentIndex(2)
    weights = panel.table_for(2, 1).table_model()
    old_w, _ = model.stepper.weights_before(2)
    new_w = model.stepper.value(Quantity.NEW_WEIGHTS, 2).values
    assert weights.data(weights.index(0, 1), DISPLAY) == f"{model.format(old_w[0, 1])} → {model.format(new_w[0, 1])}"
    model.step_back()
    assert weights.data(weights.index(0, 1), DISPLAY) == model.format(old_w[0, 1])


def test_sample_page_shows_input_target_output_and_loss(panel):
    model = panel.model
    inputs, outputs = panel.table_for(0, 0).table_model(), panel.table_for(0, 1).table_model()
    x = model.session.data.inputs[0]
    assert column_texts(inputs, 0) == [model.format(v) for v in x]
    assert column_texts(outputs, 0) == [""] and column_texts(outputs, 2) == [""]
    assert column_texts(outputs, 1) == [model.format(model.session.data.targets[0, 0])]
    assert "not yet known" in panel.loss_label.text()
    model.run_to(model.stepper.phases.index(model.stepper.phases[model.session.network.depth]))
    loss = float(model.stepper.value(Quantity.LOSS).values[0, 0])
    assert model.format(loss) in panel.loss_label.text()


def test_precision_changes_digits(panel):
    model = panel.model
    model.step()
    panel.tabs.setCurrentIndex(1)
    neurons = panel.table_for(1, 0).table_model()
    a = model.stepper.value(Quantity.ACTIVATION, 1).values[0, 0]
    model.set_precision(2)
    assert column_texts(neurons, 1)[0] == model.format(a) == f"{a:.2g}".replace("-", "−")
    model.set_precision(8)
    assert column_texts(neurons, 1)[0] == f"{a:.8g}".replace("-", "−")


def test_clicking_a_cell_selects_the_neuron_or_edge(panel, qtbot):
    panel.tabs.setCurrentIndex(1)
    neurons = panel.table_for(1, 0)
    qtbot.mouseClick(
        neurons.viewport(), Qt.MouseButton.LeftButton, pos=neurons.visualRect(neurons.model().index(1, 2)).center()
    )
    assert panel.model.selection == Selection(1, 1)
    gradients = panel.table_for(1, 2)
    qtbot.mouseClick(
        gradients.viewport(),
        Qt.MouseButton.LeftButton,
        pos=gradients.visualRect(gradients.model().index(0, 1)).center(),
    )
    assert panel.model.selection == Selection(1, 0, 1)
    assert panel.tabs.currentIndex() == 1  # a click in a table does not move to another tab


def test_model_selection_selects_the_cell_and_its_tab(panel):
    panel.model.set_selection(Selection(2, 0, 1))
    assert panel.tabs.currentIndex() == 2
    for position in (1, 2):
        table = panel.table_for(2, position)
        assert table.currentIndex().row() == 0 and table.currentIndex().column() == 1
    panel.model.set_selection(Selection(0, 1))
    assert panel.tabs.currentIndex() == 0
    assert panel.table_for(0, 0).currentIndex().row() == 1
    assert not panel.table_for(2, 1).selectionModel().hasSelection()


def test_architecture_change_rebuilds_the_tabs(panel):
    session = load_example("course_simple")
    panel.model.set_session(session)
    assert panel.tabs.count() == 3
    neurons = panel.table_for(1, 0).table_model()
    assert isinstance(neurons, NeuronTableModel)
    assert neurons.columnCount() == 3  # layer 1 has no bias: z, a, δ only
    assert isinstance(panel.table_for(1, 1).table_model(), MatrixTableModel)


def test_full_precision_round_trips():
    for value in (0.1, -1 / 3, 1e-300, 12345.678):
        assert float(full_precision(value).replace("−", "-")) == value
    assert full_precision(float("nan")) == "NaN"
    assert np.isfinite(float(full_precision(2.5)))


def test_double_clicking_a_weight_or_bias_asks_to_edit_it_and_other_cells_do_not(panel, qtbot):
    requested: list[Selection] = []
    panel.model.edit_requested.connect(requested.append)
    panel.tabs.setCurrentIndex(2)
    neurons, weights, gradients = (panel.table_for(2, i) for i in range(3))

    def double_click(table, row: int, column: int) -> None:
        centre = table.visualRect(table.model().index(row, column)).center()
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)

    double_click(weights, 0, 1)
    bias_column = [neurons.model().headerData(c, Qt.Orientation.Horizontal) for c in range(5)].index("b²")
    double_click(neurons, 0, bias_column)
    double_click(neurons, 0, 0)  # z: computed, not a parameter
    double_click(gradients, 0, 1)  # ∂C/∂w: computed
    assert requested == [Selection(2, 0, 1), Selection(2, 0)]
    tip = weights.model().data(weights.model().index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert "Double-click to edit" in tip
    assert "Double-click" not in gradients.model().data(gradients.model().index(0, 1), Qt.ItemDataRole.ToolTipRole)


# --- numbers on request: what the formula panel holds back shows as "?" until R ----------------


@pytest.fixture
def window(qtbot, tmp_path):
    """The full window over xor (2-2-1), with QSettings in a temporary folder."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings().clear()
    window = create_window(load_example("xor"))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def press(qtbot, window, key) -> None:
    qtbot.keyClick(QWidget.keyboardGrabber() or window, key)


def show_tab(qtbot, panel: ValuesPanel, page: int) -> None:
    bar = panel.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(page).center())
    assert panel.tabs.currentIndex() == page


def formatted(model: SessionModel, values) -> list[str]:
    return [model.format(float(v)) for v in np.ravel(values)]


def matrix_texts(table_model) -> list[str]:
    return [
        table_model.data(table_model.index(j, k), DISPLAY)
        for j in range(table_model.rowCount())
        for k in range(table_model.columnCount())
    ]


def first_sample(model: SessionModel, quantity: Quantity, layer: int = 0) -> np.ndarray:
    """The first sample's column of ``quantity`` (gradients and updates are one vector per pass)."""
    values = model.stepper.value(quantity, layer).values
    return values[:, 0] if values.ndim == 2 else values


def test_ask_first_holds_back_each_forward_phase_and_the_loss_until_r(qtbot, window):
    model, panel = window.model, window.values_panel
    window.action(ActionId.ASK_FIRST).trigger()
    show_tab(qtbot, panel, 1)
    neurons = panel.table_for(1, 0).table_model()
    press(qtbot, window, KEY.Key_F10)  # Forward 1: z^1 and a^1 are new
    assert column_texts(neurons, 0) == column_texts(neurons, 1) == ["?", "?"]
    assert column_texts(neurons, 2) == ["", ""]  # δ^1: still unknown, not held back
    a = first_sample(model, Quantity.ACTIVATION, 1)
    tip = neurons.data(neurons.index(0, 1), TOOLTIP)
    assert "? — not revealed yet (press R)" in tip and full_precision(a[0]) not in tip
    assert isinstance(neurons.data(neurons.index(0, 1), FOREGROUND), QColor)  # muted
    weights = panel.table_for(1, 1).table_model()
    assert matrix_texts(weights) == formatted(model, model.stepper.weights_before(1)[0])  # known from the start

    press(qtbot, window, KEY.Key_R)
    assert column_texts(neurons, 0) == formatted(model, first_sample(model, Quantity.WEIGHTED_INPUT, 1))
    assert column_texts(neurons, 1) == formatted(model, a)
    assert neurons.data(neurons.index(0, 1), FOREGROUND) is None
    assert neurons.data(neurons.index(0, 1), TOOLTIP).endswith(full_precision(a[0]))

    press(qtbot, window, KEY.Key_F10)  # Forward 2: a^2 = y is new; layer 1 stays shown
    assert column_texts(neurons, 1) == formatted(model, a)
    show_tab(qtbot, panel, 0)
    inputs, outputs = panel.table_for(0, 0).table_model(), panel.table_for(0, 1).table_model()
    assert column_texts(inputs, 0) == formatted(model, model.session.data.inputs[0])  # x: never held back
    assert column_texts(outputs, 0) == ["?"]
    assert column_texts(outputs, 1) == formatted(model, model.session.data.targets[0])  # t: never held back
    press(qtbot, window, KEY.Key_R)
    assert column_texts(outputs, 0) == formatted(model, first_sample(model, Quantity.ACTIVATION, 2))

    press(qtbot, window, KEY.Key_F10)  # Loss: C and ∂C/∂a^L are new
    loss = model.format(float(model.stepper.value(Quantity.LOSS).values[0, 0]))
    assert "?" in panel.loss_label.text() and loss not in panel.loss_label.text()
    assert "not revealed yet (press R)" in panel.loss_label.toolTip()
    assert column_texts(outputs, 2) == ["?"]
    assert column_texts(outputs, 0) == formatted(model, first_sample(model, Quantity.ACTIVATION, 2))
    press(qtbot, window, KEY.Key_R)
    assert loss in panel.loss_label.text() and "?" not in panel.loss_label.text()
    assert column_texts(outputs, 2) == formatted(model, first_sample(model, Quantity.OUTPUT_GRADIENT))


def test_ask_first_holds_back_gradients_and_the_new_weights_until_r(qtbot, window):
    model, panel = window.model, window.values_panel
    window.action(ActionId.ASK_FIRST).trigger()
    show_tab(qtbot, panel, 2)
    neurons, weights, gradients = (panel.table_for(2, i).table_model() for i in range(3))
    for _ in range(4):
        press(qtbot, window, KEY.Key_F10)  # Forward 1, Forward 2, Loss, Backward 2
    delta = first_sample(model, Quantity.DELTA, 2)
    assert column_texts(neurons, 2) == column_texts(neurons, 3) == ["?"]  # δ^2 and ∂C/∂b^2
    assert column_texts(neurons, 1) == formatted(model, first_sample(model, Quantity.ACTIVATION, 2))
    assert matrix_texts(gradients) == ["?", "?"]
    press(qtbot, window, KEY.Key_R)
    assert column_texts(neurons, 2) == formatted(model, delta)
    assert column_texts(neurons, 3) == formatted(model, first_sample(model, Quantity.GRAD_BIASES, 2))
    assert matrix_texts(gradients) == formatted(model, model.stepper.value(Quantity.GRAD_WEIGHTS, 2).values)

    press(qtbot, window, KEY.Key_F10)  # Backward 1
    press(qtbot, window, KEY.Key_F10)  # Update: the new w and b wait
    assert model.stepper.at_end
    show_tab(qtbot, panel, 2)  # the panel followed Backward 1 to layer 1's tab
    old_w, old_b = model.stepper.weights_before(2)
    assert matrix_texts(weights) == [f"{old} → ?" for old in formatted(model, old_w)]
    assert column_texts(neurons, 4) == [f"{formatted(model, old_b)[0]} → ?"]
    assert column_texts(neurons, 2) == formatted(model, delta)  # an earlier phase stays shown
    tip = weights.data(weights.index(0, 1), TOOLTIP)
    assert full_precision(old_w[0, 1]) in tip and "? — not revealed yet (press R)</i> after Update" in tip
    press(qtbot, window, KEY.Key_R)
    new_w = formatted(model, model.stepper.value(Quantity.NEW_WEIGHTS, 2).values)
    assert matrix_texts(weights) == [f"{old} → {new}" for old, new in zip(formatted(model, old_w), new_w, strict=True)]
    new_b = formatted(model, model.stepper.value(Quantity.NEW_BIASES, 2).values)
    assert column_texts(neurons, 4) == [f"{formatted(model, old_b)[0]} → {new_b[0]}"]

    press(qtbot, window, KEY.Key_F10)  # the next sample's start: only x and t are known, nothing waits
    press(qtbot, window, KEY.Key_F10)  # its Forward 1 asks again
    show_tab(qtbot, panel, 1)
    assert column_texts(panel.table_for(1, 0).table_model(), 1) == ["?", "?"]


def test_presentation_mode_holds_back_in_the_tables_and_leaving_it_shows_the_numbers(qtbot, window):
    model, panel = window.model, window.values_panel
    press(qtbot, window, KEY.Key_F7)
    window.docks["values"].toggleViewAction().trigger()  # the lecturer shows the tables anyway
    assert panel.isVisible()
    show_tab(qtbot, panel, 1)
    neurons = panel.table_for(1, 0).table_model()
    press(qtbot, window, KEY.Key_F10)
    assert column_texts(neurons, 1) == ["?", "?"]
    press(qtbot, window, KEY.Key_F7)  # numbers on request ends with presentation mode
    assert column_texts(neurons, 1) == formatted(model, first_sample(model, Quantity.ACTIVATION, 1))


@pytest.fixture
def asking(qtbot, panel):
    """A formula panel with numbers on request, followed by ``panel``."""
    formula = FormulaView(panel.model)
    qtbot.addWidget(formula)
    formula.reveal_shortcut = "R"
    panel.follow_reveal(formula)
    formula.set_ask_first(True)
    return formula


def test_pages_not_shown_catch_up_with_a_reveal_and_a_partial_step_waits_too(panel, asking):
    model = panel.model
    panel.tabs.setCurrentIndex(1)
    neurons = panel.table_for(1, 0).table_model()
    model.step_into()  # z_1^1, a_1^1 only
    assert column_texts(neurons, 0) == ["?", ""]
    panel.tabs.setCurrentIndex(0)
    asking.reveal()  # while another tab is shown
    panel.tabs.setCurrentIndex(1)
    assert column_texts(neurons, 0) == [model.format(first_sample(model, Quantity.WEIGHTED_INPUT, 1)[0]), ""]
    model.step_into()  # z_2^1: the phase's numbers wait again
    assert column_texts(neurons, 0) == ["?", "?"]
    asking.set_ask_first(False)
    assert column_texts(neurons, 0) == formatted(model, first_sample(model, Quantity.WEIGHTED_INPUT, 1))


def test_follow_reveal_hides_what_is_already_computed_at_once(qtbot, panel):
    model = panel.model
    model.step()
    panel.tabs.setCurrentIndex(1)
    formula = FormulaView(model)
    qtbot.addWidget(formula)
    formula.set_ask_first(True)
    panel.follow_reveal(formula)
    neurons = panel.table_for(1, 0).table_model()
    assert column_texts(neurons, 1) == ["?", "?"]
    assert neurons.data(neurons.index(0, 1), TOOLTIP).endswith("? — not revealed yet</i>")  # no key to name
    model.set_session(load_example("course_simple"))  # rebuilt tables keep following
    model.step()
    assert column_texts(panel.table_for(1, 0).table_model(), 1) == ["?"] * model.session.network.sizes[1]


def test_the_values_follow_the_phase_to_the_layer_just_computed(qtbot, window):
    model, panel = window.model, window.values_panel
    show_tab(qtbot, panel, 0)
    # Forward 1, Forward 2, Loss, Backward 2, Backward 1, Update (stays), the next sample's Start
    expected = [1, 2, 0, 2, 1, 1, 0]
    for tab in expected:
        press(qtbot, window, KEY.Key_F10)
        assert panel.tabs.currentIndex() == tab, model.stepper.current
    assert model.stepper.current is None and panel.sample_label.text().startswith("Sample 2 of")
    show_tab(qtbot, panel, 2)
    qtbot.keyClick(window, KEY.Key_F10, Qt.KeyboardModifier.ControlModifier)  # run to Update: it stays
    qtbot.keyClick(window, KEY.Key_F10, Qt.KeyboardModifier.ShiftModifier)  # back to this Start: it stays
    assert model.stepper.current is None and panel.tabs.currentIndex() == 2


def test_a_step_repaints_only_the_tables_whose_cells_change(panel):
    """Forward 1 fills the neurons of layer 1; its weights and weight gradients read as before, so they
    are not told to repaint, until Update (old → new) and the next sample's pass change them."""
    model = panel.model
    tables = {name: panel.table_for(1, position).table_model() for position, name in enumerate(("z", "w", "dw"))}
    told: dict[str, int] = dict.fromkeys(tables, 0)
    for name, table in tables.items():
        table.dataChanged.connect(lambda *_args, name=name: told.__setitem__(name, told[name] + 1))
    model.step()  # Forward 1
    assert told == {"z": 1, "w": 0, "dw": 0}
    assert column_texts(tables["z"], 0) == formatted(model, first_sample(model, Quantity.WEIGHTED_INPUT, 1))
    while not model.stepper.at_end:
        model.step()
    assert panel.tabs.currentIndex() == 1  # Backward 1 showed layer 1, and Update stays there
    assert told["w"] == 1 and told["dw"] == 1  # the weights' Update; ∂C/∂w¹ at Backward 1
    assert "→" in column_texts(tables["w"], 0)[0]


def test_a_step_that_raises_a_tab_reads_its_tables_once_and_leaves_the_others(panel, monkeypatch):
    read: list[tuple[int, int]] = []
    for page in range(panel.tabs.count()):
        for position, table in enumerate(panel._pages[page]):
            model = table.table_model()
            refresh = model.refresh
            monkeypatch.setattr(model, "refresh", lambda r=refresh, p=page, i=position: read.append((p, i)) or r())
    for page in (1, 2, 0, 2, 1):  # Forward 1, Forward 2, Loss, Backward 2, Backward 1
        read.clear()
        panel.model.step()
        assert panel.tabs.currentIndex() == page
        assert sorted(read) == [(page, i) for i in range(len(panel._pages[page]))]


def assert_numbers_fit(panel):
    """Every number of every table, bold (the widest), fits its column and row, in the table's font."""
    from PySide6.QtGui import QFontMetrics

    from backprop_gui.ui.common.rich_text import number_font

    for page in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(page)
        for table in panel._pages[page]:
            metrics = QFontMetrics(number_font(bold=True).resolve(table.font()))
            model = table.table_model()
            assert not model.rowCount() or table.rowHeight(0) > metrics.height(), page
            for column in range(model.columnCount()):
                widest = max(map(metrics.horizontalAdvance, model.column_texts(column)), default=0)
                assert table.columnWidth(column) >= widest + 16, (page, column)


def test_every_number_fits_its_column_through_a_pass(panel):
    for _ in range(len(panel.model.stepper.phases) + 1):
        panel.model.step()
        assert_numbers_fit(panel)


def test_numbers_grow_with_the_panels_font_and_still_fit(panel, qtbot):
    """Presenting sets a larger font on the window: the tables' numbers, rows and columns follow it
    (their font had been the application's, drawn small under large headers)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontMetrics

    from backprop_gui.ui.common.rich_text import number_font

    for _ in range(4):
        panel.model.step()
    table = panel._pages[1][0]
    small_row, small_width = table.rowHeight(0), table.columnWidth(0)
    large = QFont(panel.font())
    large.setPointSizeF(2 * panel.font().pointSizeF())
    panel.setFont(large)
    qtbot.wait(10)
    assert table.font().pointSizeF() == large.pointSizeF()
    cell = table.table_model().index(0, 0)
    drawn = QFont(table.table_model().data(cell, Qt.ItemDataRole.FontRole)).resolve(table.font())
    assert drawn.pointSizeF() == large.pointSizeF()  # the delegate resolves the cell's font the same way
    assert QFontMetrics(number_font().resolve(table.font())).height() > 1.6 * QFontMetrics(number_font()).height()
    assert table.rowHeight(0) > 1.6 * small_row and table.columnWidth(0) > small_width
    assert_numbers_fit(panel)


def test_raising_a_tab_lays_out_only_the_panel(qtbot):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    class Requests(QObject):
        count = 0

        def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
            self.count += event.type() == QEvent.Type.LayoutRequest
            return False

    holder = QWidget()
    qtbot.addWidget(holder)
    panel = ValuesPanel(SessionModel(load_example("xor")))
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(panel)
    holder.resize(500, 700)
    holder.show()
    qtbot.waitExposed(holder)
    assert panel.tabs.geometry() == panel.rect() and panel.minimumSizeHint() == panel.tabs.minimumSizeHint()
    QApplication.processEvents()  # what showing it asked for
    requests = Requests()
    holder.installEventFilter(requests)
    for page in (1, 2, 0, 1):
        panel.tabs.setCurrentIndex(page)
        QApplication.processEvents()
    assert requests.count == 0  # the window around it is not laid out again
    holder.resize(420, 640)
    qtbot.waitUntil(lambda: panel.tabs.geometry() == panel.rect() and panel.width() == 420)


def test_row_headers_name_inputs_in_course_notation(qtbot):
    """Data labels that only repeat x_k or t_j are left out; input features read a₃⁰ = x₁², not caret form."""
    panel = ValuesPanel(SessionModel(load_example("xor")))
    qtbot.addWidget(panel)
    inputs, outputs = panel.table_for(0, 0).model(), panel.table_for(0, 1).model()
    assert [inputs.headerData(k, Qt.Orientation.Vertical, DISPLAY) for k in range(2)] == ["1", "2"]
    assert outputs.headerData(0, Qt.Orientation.Vertical, DISPLAY) == "1"
    spirals = ValuesPanel(SessionModel(load_example("spirals_features")))
    qtbot.addWidget(spirals)
    features = spirals.table_for(0, 0).model()
    headers = [features.headerData(k, Qt.Orientation.Vertical, DISPLAY) for k in range(features.rowCount())]
    assert "3  a₃⁰ = x₁·x₂" in headers and not any("^" in h or "_" in h for h in headers)


def test_a_caption_keeps_the_height_of_its_text_and_font_as_they_change(qtbot):
    """A caption remembers its height at each width: never a height of a text or font it no longer has."""
    text = "<b>Weights</b> <i>w</i><sub>jk</sub><sup>1</sup>: row j, column k, from neuron k of inputs x to neuron j"
    caption, label = Caption(text), QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    for widget in (caption, label):
        qtbot.addWidget(widget)

    def heights() -> list[tuple[int, int]]:
        return [(caption.heightForWidth(w), label.heightForWidth(w)) for w in (60, 200, 800, 200, 60)]

    first = heights()
    assert all(ours == theirs for ours, theirs in first) and first[0][0] > first[2][0]  # it wraps
    for widget in (caption, label):
        widget.setText("<b>Loss</b> C")
    shorter = heights()
    assert all(ours == theirs for ours, theirs in shorter) and shorter[0][0] < first[0][0]
    font = QFont(caption.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    for widget in (caption, label):
        widget.setFont(font)
    larger = heights()
    assert all(ours == theirs for ours, theirs in larger) and larger[0][0] > shorter[0][0]


def test_a_long_data_label_is_cut_short_in_the_row_header_and_whole_in_its_tooltip(qtbot):
    name = "the distance from the sepal's base to its tip in centimetres"
    session = load_example("xor")
    session.data.input_labels = [name, "b"]
    panel = ValuesPanel(SessionModel(session))
    qtbot.addWidget(panel)
    inputs = panel.table_for(0, 0).table_model()  # the Sample tab's inputs x
    vertical = Qt.Orientation.Vertical
    assert inputs.headerData(0, vertical) == "1  the distance…centimetres"  # the numbers beside it stay in view
    assert inputs.headerData(0, vertical, TOOLTIP) == name
    assert inputs.headerData(1, vertical) == "2  b" and inputs.headerData(1, vertical, TOOLTIP) is None


@pytest.mark.usefixtures("private_places")
@pytest.mark.parametrize("away", ["tabbed", "closed"])
def test_the_values_panel_does_no_work_out_of_sight_and_catches_up_when_seen(qtbot, away):
    """Tabbed behind the Note, or closed, the panel neither follows the phase nor fills its tables; seen
    again it shows the layer just computed, numbers in place."""
    window = open_window(qtbot, load_example("course_simple"))
    values, panel = window.docks["values"], window.docks["values"].widget()
    assert is_shown(panel) and panel.tabs.currentIndex() == 0
    if away == "tabbed":
        window.docks["note"].raise_()
    else:
        values.close()
    qtbot.waitUntil(lambda: not is_shown(panel))
    neurons = panel.table_for(1, 0).table_model()
    z = neurons.index(0, 0)
    for _ in range(2):  # Forward 1, Forward 2
        qtbot.keyClick(window, KEY.Key_F10)
    assert panel.tabs.currentIndex() == 0  # it did not follow the phase
    assert not neurons.data(z)  # nor draw the layer it did not show
    if away == "tabbed":
        values.raise_()
    else:
        values.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: panel.tabs.currentIndex() == 2)  # the layer just computed
    assert is_shown(panel)
    qtbot.mouseClick(panel.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=panel.tabs.tabBar().tabRect(1).center())
    z1 = window.model.stepper.value(Quantity.WEIGHTED_INPUT, 1).values[0, 0]
    assert neurons.data(z) == format_number(float(z1), window.model.precision)


def test_columns_not_yet_fitted_leave_no_room_for_a_scroll_bar(qtbot):
    """A tab not shown yet has its columns at Qt's default widths, wider than a narrow dock. Resized as
    it first showed (at 1024×768), a table took that for columns that scroll sideways and kept a scroll
    bar's height under its rows, an empty band, after its columns fitted their numbers."""
    panel = ValuesPanel(SessionModel(load_example("course_simple")))
    qtbot.addWidget(panel)
    panel.resize(270, 500)
    panel.show()
    table = panel.table_for(1, 0)  # Layer 1's neurons, on a tab not shown yet
    assert not table.fitted() and table.scrolls_sideways()

    def no_band() -> bool:
        rows = table.model().rowCount() * table.verticalHeader().defaultSectionSize()
        return table.height() == rows + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()

    table.fit_height()  # as a resize does
    assert no_band()
    panel.tabs.setCurrentIndex(1)
    assert table.fitted() and not table.scrolls_sideways() and no_band()
