"""The value tables: the stepper's numbers at the chosen precision, unknown cells empty, selection both ways."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.presets import load_example
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.panels import MatrixTableModel, NeuronTableModel, ValuesPanel, full_precision
from backprop_gui.ui.session_model import Selection, SessionModel

DISPLAY = Qt.ItemDataRole.DisplayRole


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
