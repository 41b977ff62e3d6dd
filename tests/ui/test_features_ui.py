"""Input features in the window: chosen in the New Session dialog and with Edit ▸ Input Features (an
undoable edit resizing the input layer), drawn as the input layer with their formulas."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.editing import SetFeatures
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import NeuronValue
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.sessions.new_session_dialog import NewSessionDialog

from window_helpers import open_window


def check(features_list, names: set[str]) -> None:
    for row in range(features_list.count()):
        item = features_list.item(row)
        wanted = item.data(Qt.ItemDataRole.UserRole) in names
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)


def test_the_new_session_dialog_builds_a_network_on_the_chosen_features(qtbot):
    dialog = NewSessionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.data.setCurrentIndex(dialog.data.findData("spirals"))
    assert dialog.features.isEnabled() and dialog.chosen_features() is None
    assert [dialog.features.item(r).text() for r in range(dialog.features.count())][2:5] == ["x₁²", "x₂²", "x₁·x₂"]
    check(dialog.features, {"x1", "x2", "x1*x2", "sin(x1)", "sin(x2)"})
    assert "n₀ = 5" in dialog.input_label.text()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    session = dialog.session()
    assert session is not None
    assert session.network.features == ("x1", "x2", "x1*x2", "sin(x1)", "sin(x2)")
    assert session.network.sizes[0] == 5 and session.data.inputs.shape[1] == 2


def test_no_feature_chosen_is_refused_and_one_dimensional_data_takes_none(qtbot):
    dialog = NewSessionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    check(dialog.features, set())
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.session() is None and "at least one feature" in dialog.error.text()
    dialog.data.setCurrentIndex(dialog.data.findData("sine"))
    assert not dialog.features.isEnabled() and dialog.chosen_features() is None


def test_input_features_are_an_undoable_edit_drawn_with_their_formulas(qtbot):
    window = open_window(qtbot, load_example("xor"))
    controller = window.session_controller
    assert controller.actions["input_features"].isEnabled()
    before = window.model.session.network.layer(1).weights.copy()
    assert controller.push(SetFeatures(("x1", "x2", "x1^2", "sin(x2)")))
    view = window.network_view
    assert window.model.session.network.sizes[0] == 4
    assert view.label_text(0, 2) == "a30 = x1²" and view.label_text(0, 3) == "a40 = sin x2"
    tip = view.tooltip_text(Selection(0, 2))
    assert "feature" in tip and "a<sub>3</sub><sup>0</sup>" in tip
    x1 = window.model.session.data.inputs[window.model.stepper.sample_indices[0], 0]
    assert window.model.stepper.value(Quantity.INPUT).values[2, 0] == x1 * x1
    controller.undo_stack.undo()
    assert window.model.session.network.features is None and window.model.session.network.sizes[0] == 2
    np.testing.assert_array_equal(window.model.session.network.layer(1).weights, before)
    assert view.label_text(0, 1).endswith("2")


def test_maps_work_over_the_raw_plane_with_features(qtbot):
    window = open_window(qtbot, load_example("xor"))
    window.session_controller.push(SetFeatures(("x1", "x2", "x1*x2")))
    assert window.action(ActionId.NEURON_VALUE, "maps").isEnabled()
    window.model.set_neuron_value(NeuronValue.MAPS)
    assert set(window.network_view.maps.items) == {(1, 0), (1, 1), (2, 0)}


def test_the_train_layout_keeps_the_decision_map_with_features(qtbot, private_places):
    window = open_window(qtbot, load_example("xor"))
    window.session_controller.push(SetFeatures(("x1", "x2", "x1*x2", "sin(x1)")))
    window.layout_controller.set_layout(LayoutName.TRAIN)
    decision = window.training_controller.docks["decision"]
    assert decision.isVisible() and window.training_controller.decision_map.available
