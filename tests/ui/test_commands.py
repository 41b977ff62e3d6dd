"""Edit commands on a QUndoStack restore the network exactly, and the edit dialogs refuse bad input in place."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from backprop_gui.core.datasets import generate
from backprop_gui.core.debugger_state import Field
from backprop_gui.core.editing import (
    AddLayer,
    AddNeuron,
    Edit,
    Reinitialise,
    RemoveLayer,
    RemoveNeuron,
    SetActivation,
    SetLoss,
    SetParameter,
    ToggleBias,
)
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.sessions.commands import EditCommand
from backprop_gui.ui.sessions.edit_dialogs import (
    ActivationDialog,
    AddLayerDialog,
    EditDialog,
    LossDialog,
    ParameterDialog,
    ReinitialiseDialog,
)

from helpers import snapshot


@pytest.fixture
def model() -> SessionModel:
    network = build_network(2, [3, 2, 1], ["tanh", "relu", "sigmoid"], seed=4)
    for layer in network.layers:
        layer.biases = np.linspace(0.1, 0.9, layer.size)
    return SessionModel(Session("edits", network, generate("xor")))


EDITS = [
    SetParameter(2, 1, 2, 0.5),
    SetParameter(1, 0, None, -1.25),
    SetActivation(3, "tanh"),
    SetLoss("mean_squared_error"),
    ToggleBias(2),
    Reinitialise("he", 11),
    AddNeuron(1, "uniform", 2),
    RemoveNeuron(2, 0),
    AddLayer(2, 4, "leaky_relu", "xavier", 5),
    RemoveLayer(1, "he", 1),
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.text)
def test_each_command_undoes_and_redoes_bit_for_bit(model: SessionModel, edit: Edit) -> None:
    stack = QUndoStack()
    model.select_sample(2)
    model.step()
    before = snapshot(model.session.network)
    seen: list[Field] = []
    model.changed.connect(lambda event: seen.append(event.field))
    stack.push(EditCommand(model, edit, model.network_changed))
    after = snapshot(model.session.network)
    assert after != before
    assert seen == [Field.NETWORK]
    assert model.stepper.position == 0 and model.stepper.batch == 2  # the pass restarts, same sample
    assert model.stepper.network is model.session.network
    assert stack.undoText() == edit.text
    stack.undo()
    assert snapshot(model.session.network) == before
    stack.redo()
    assert snapshot(model.session.network) == after
    stack.undo()
    assert snapshot(model.session.network) == before


def test_a_chain_of_commands_undoes_back_to_the_start(model: SessionModel) -> None:
    stack = QUndoStack()
    states = [snapshot(model.session.network)]
    for edit in [AddNeuron(1), SetParameter(2, 0, 3, 2.0), AddLayer(1, 2), RemoveNeuron(2, 1), ToggleBias(3)]:
        stack.push(EditCommand(model, edit, model.network_changed))
        states.append(snapshot(model.session.network))
    for state in reversed(states[:-1]):
        stack.undo()
        assert snapshot(model.session.network) == state
    for state in states[1:]:
        stack.redo()
        assert snapshot(model.session.network) == state


def test_after_an_edit_no_stale_value_is_revealed(model: SessionModel) -> None:
    model.run_to_end()
    EditCommand(model, SetParameter(1, 0, 0, 3.0), model.network_changed).redo()
    from backprop_gui.core.stepper import Quantity

    assert not model.stepper.value(Quantity.ACTIVATION, 1).known.any()
    assert not model.stepper.value(Quantity.DELTA, 1).known.any()


# --- dialogs --------------------------------------------------------------------------


def press_ok(dialog: EditDialog, qtbot) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def open_dialog(dialog: EditDialog, qtbot) -> EditDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.parametrize(
    ("typed", "message"),
    [("abc", "'abc' is not a number"), ("nan", "finite"), ("", "Enter a number"), ("1e999", "finite")],
)
def test_parameter_dialog_refuses_bad_values_in_place(model, qtbot, typed: str, message: str) -> None:
    dialog = open_dialog(ParameterDialog(model.session, 2, 0, 1), qtbot)
    before = snapshot(model.session.network)
    dialog.value.clear()
    qtbot.keyClicks(dialog.value, typed)
    press_ok(dialog, qtbot)
    assert dialog.isVisible() and dialog.edit() is None
    assert dialog.error.isVisible() and message in dialog.error.text()
    assert snapshot(model.session.network) == before
    qtbot.keyClicks(dialog.value, "x")  # typing again clears the message
    assert not dialog.error.isVisible()


def test_parameter_dialogs_name_is_larger_than_its_text_at_any_size(model, qtbot) -> None:
    """The weight's name is drawn about 1.4 times the dialog's text: relative to the dialog's font, so
    presenting (which gives dialogs a larger font) enlarges it too (a fixed 1.4 × 9 pt had stayed
    smaller than the 15-pt text around it)."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QLabel

    dialog = open_dialog(ParameterDialog(model.session, 2, 0, 1), qtbot)
    name = dialog.findChild(QLabel, "parameter")
    plain = QLabel("w", dialog)
    heights = []
    for points in (9.0, 15.0):
        font = QFont(dialog.font())
        font.setPointSizeF(points)
        dialog.setFont(font)
        heights.append((name.sizeHint().height(), plain.sizeHint().height()))
    for named, text in heights:
        assert 1.25 * text <= named <= 1.7 * text
    assert heights[1][0] >= 1.5 * heights[0][0]


def test_parameter_dialog_shows_the_value_and_builds_the_edit(model, qtbot) -> None:
    w = model.session.network.layer(2).weights[0, 1]
    dialog = open_dialog(ParameterDialog(model.session, 2, 0, 1), qtbot)
    assert dialog.value.text() == repr(float(w)).replace("-", "−")
    dialog.value.setText("−0,5")  # pasted: a true minus and a decimal comma
    press_ok(dialog, qtbot)
    assert not dialog.isVisible()
    edit = dialog.edit()
    assert isinstance(edit, SetParameter) and edit.value == -0.5 and edit.text == "set w_12^2 = −0.5"


def test_activation_dialog_refuses_softmax_on_a_hidden_layer(model, qtbot) -> None:
    dialog = open_dialog(ActivationDialog(model.session, 1), qtbot)
    assert dialog.activation.currentData() == "tanh"
    dialog.activation.setCurrentIndex(dialog.activation.findData("softmax"))
    press_ok(dialog, qtbot)
    assert dialog.isVisible() and "softmax is only allowed on the output layer" in dialog.error.text()
    dialog.layers.setCurrentIndex(2)  # the output layer
    assert not dialog.error.isVisible()
    assert dialog.activation.currentData() == "sigmoid"
    dialog.activation.setCurrentIndex(dialog.activation.findData("softmax"))
    press_ok(dialog, qtbot)
    assert dialog.edit() == SetActivation(3, "softmax")


def test_add_layer_dialog_offers_only_hidden_activations(model, qtbot) -> None:
    dialog = open_dialog(AddLayerDialog(model.session, 2), qtbot)
    names = [dialog.activation.itemData(i) for i in range(dialog.activation.count())]
    assert "softmax" not in names and "relu" in names
    assert dialog.neurons.minimum() == 1  # a layer of size 0 cannot even be typed
    dialog.neurons.setValue(5)
    dialog.seed.setValue(9)
    press_ok(dialog, qtbot)
    assert dialog.edit() == AddLayer(2, 5, "sigmoid", "xavier", 9)


def test_loss_and_reinitialise_dialogs(model, qtbot) -> None:
    loss = open_dialog(LossDialog(model.session), qtbot)
    assert loss.loss.currentData() == model.session.network.loss
    loss.loss.setCurrentIndex(loss.loss.findData("cross_entropy"))
    press_ok(loss, qtbot)
    assert loss.edit() == SetLoss("cross_entropy")
    init = open_dialog(ReinitialiseDialog(model.session, "he", 3), qtbot)
    assert init.init.currentData() == "he" and init.seed.value() == 3
    intro = init.findChild(QLabel).text()  # the course's notation, with real scripts
    assert "weight w<sup>l</sup>" in intro and "bias b<sup>l</sup>" in intro and "^" not in intro
    press_ok(init, qtbot)
    assert init.edit() == Reinitialise("he", 3)
