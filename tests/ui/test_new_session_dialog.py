"""The New Session dialog: the data fixes n_0 and n_L, hidden layers are added and removed, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from backprop_gui.core.datasets import generate
from backprop_gui.ui.sessions.new_session_dialog import KEEP_DATA, NewSessionDialog


@pytest.fixture
def dialog(qtbot) -> NewSessionDialog:
    dialog = NewSessionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def create(dialog: NewSessionDialog, qtbot) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def choose(dialog: NewSessionDialog, data: str) -> None:
    dialog.data.setCurrentIndex(dialog.data.findData(data))


def test_defaults_make_a_2_3_1_network_on_xor(dialog, qtbot) -> None:
    assert dialog.layer_specs() == [(3, "sigmoid"), (1, "sigmoid")]
    assert "n₀ = 2" in dialog.input_label.text()
    headers = [dialog.layers.horizontalHeaderItem(i).text() for i in range(2)]
    assert headers == ["Neurons nₗ", "Activation fₗ"]  # the course's names, as every other view writes them
    header = dialog.layers.horizontalHeader()
    dialog.layers.setCurrentCell(0, 0)  # a highlighted (bold) title had been cut to "Neurons n"
    assert not header.highlightSections()
    assert header.sectionSize(0) >= header.fontMetrics().horizontalAdvance(headers[0])
    losses = [dialog.loss.itemText(i) for i in range(dialog.loss.count())]
    assert "half_squared_error    C = ½ Σⱼ (aⱼᴸ − tⱼ)²" in losses and not any("^" in text for text in losses)
    create(dialog, qtbot)
    session = dialog.session()
    assert not dialog.isVisible() and session is not None
    assert session.name == "Untitled" and session.network.sizes == [2, 3, 1]
    assert session.data.generator == {"name": "xor"} and len(session.data) == 4


def test_a_three_class_data_set_gets_a_softmax_output(dialog, qtbot) -> None:
    choose(dialog, "blobs")
    assert dialog.layer_specs()[-1] == (3, "softmax") and dialog.loss.currentData() == "cross_entropy"
    dialog._params["samples"].setValue(30)
    dialog._params["classes"].setValue(4)
    assert dialog.layer_specs()[-1][0] == 4
    create(dialog, qtbot)
    session = dialog.session()
    assert session.network.sizes == [2, 3, 4] and len(session.data) == 30
    assert session.data.targets.shape == (30, 4)


def test_regression_gets_a_linear_output(dialog, qtbot) -> None:
    choose(dialog, "sine")
    assert "n₀ = 1" in dialog.input_label.text()
    assert dialog.layer_specs()[-1] == (1, "linear")
    create(dialog, qtbot)
    assert dialog.session().network.sizes == [1, 3, 1]


def test_hidden_layers_are_added_and_removed_with_the_buttons(dialog, qtbot) -> None:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.layers.cellWidget(1, 0).setValue(5)
    dialog.layers.cellWidget(1, 1).setCurrentIndex(dialog.layers.cellWidget(1, 1).findData("relu"))
    assert dialog.layer_specs() == [(3, "sigmoid"), (5, "relu"), (1, "sigmoid")]
    assert dialog.layers.verticalHeaderItem(2).text() == "Layer 3 (output)"
    hidden = [dialog.layers.cellWidget(0, 1).itemData(i) for i in range(dialog.layers.cellWidget(0, 1).count())]
    assert "softmax" not in hidden  # softmax cannot be chosen for a hidden layer
    dialog.seed.setValue(4)
    dialog.init.setCurrentIndex(dialog.init.findData("he"))
    create(dialog, qtbot)
    network = dialog.session().network
    assert network.sizes == [2, 3, 5, 1] and network.layer(2).activation == "relu"
    dialog2 = NewSessionDialog()
    qtbot.addWidget(dialog2)
    qtbot.mouseClick(dialog2.remove_button, Qt.MouseButton.LeftButton)
    assert dialog2.layer_specs() == [(1, "sigmoid")] and not dialog2.remove_button.isEnabled()


def test_the_same_seed_gives_the_same_weights(qtbot) -> None:
    weights = []
    for _ in range(2):
        dialog = NewSessionDialog()
        qtbot.addWidget(dialog)
        dialog.seed.setValue(12)
        dialog.accept()
        weights.append(dialog.session().network.layer(1).weights)
    assert np.array_equal(weights[0], weights[1])


def test_an_empty_name_is_refused_in_place(dialog, qtbot) -> None:
    dialog.name.clear()
    create(dialog, qtbot)
    assert dialog.isVisible() and dialog.session() is None
    assert dialog.error.isVisible() and dialog.error.text() == "Give the session a name."


def test_the_current_data_can_be_kept(qtbot) -> None:
    current = generate("blobs", samples=12, classes=3)
    dialog = NewSessionDialog(current)
    qtbot.addWidget(dialog)
    assert dialog.data.currentData() == KEEP_DATA and "12 samples" in dialog.data.currentText()
    assert dialog.layer_specs()[-1][0] == 3
    dialog.learning_rate.setValue(0.1)
    dialog.accept()
    session = dialog.session()
    assert session.data is current and session.training.learning_rate == 0.1
