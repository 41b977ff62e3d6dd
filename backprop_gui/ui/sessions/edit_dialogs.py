"""Small dialogs that each build one network edit, check it, and refuse bad input in place.

A dialog never changes the network: ``edit()`` returns the checked ``core.editing.Edit``
after the dialog is accepted, and the caller pushes it as an undoable command. OK is
refused with a message under the fields, naming what is wrong, while the input is bad.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.editing import (
    MAX_LAYER_SIZE,
    AddLayer,
    Edit,
    Reinitialise,
    SetActivation,
    SetFeatures,
    SetLoss,
    SetParameter,
    parse_value,
)
from backprop_gui.core.formatting import counted
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import INIT_SCHEMES, Network
from backprop_gui.core.notes import caret_html, caret_plain
from backprop_gui.core.session import Session
from backprop_gui.ui.common.number_boxes import SeedBox
from backprop_gui.ui.sessions.feature_list import FeatureList

INIT_LABELS = {  # n_in, n_out: the number of inputs and of outputs of the layer (fan-in, fan-out)
    "xavier": "Xavier (uniform, ±√(6 / (nᵢₙ + nₒᵤₜ)))",
    "he": "He (normal, σ = √(2 / nᵢₙ))",
    "uniform": "Uniform in [−1, 1]",
    "zeros": "All zeros",
}


_NAMES = {*ACTIVATIONS, *LOSSES, *INIT_SCHEMES}


def as_sentence(message: str) -> str:
    """``message`` as a sentence: a capital first letter (unless it starts with a name such as
    softmax or w_12^2, which keep their spelling) and a full stop."""
    message = message.strip()
    first = message.split(maxsplit=1)[0] if message else ""
    if first.isalpha() and first.lower() not in _NAMES:
        message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def symbol_html(base: str, sub: str = "", sup: str = "") -> str:
    """``base`` with true sub- and superscripts, every part escaped: w<sub>12</sub><sup>2</sup>."""
    text = f"<i>{html.escape(base)}</i>"
    if sub:
        text += f"<sub>{html.escape(sub)}</sub>"
    if sup:
        text += f"<sup>{html.escape(sup)}</sup>"
    return text


def parameter_html(layer: int, j: int, k: int | None) -> str:
    """w_jk^l or b_j^l (0-based j, k) as rich text."""
    if k is None:
        return symbol_html("b", str(j + 1), str(layer))
    sep = "," if j >= 9 or k >= 9 else ""
    return symbol_html("w", f"{j + 1}{sep}{k + 1}", str(layer))


def full_precision(value: float) -> str:
    """The shortest text that reads back as exactly ``value``, with a true minus sign."""
    return repr(float(value)).replace("-", "−")


def layer_label(network: Network, l: int) -> str:
    """ "Layer 2 — hidden, 3 neurons, tanh"."""
    layer = network.layer(l)
    kind = "output" if l == network.depth else "hidden"
    neurons = counted(layer.size, "neuron")
    return f"Layer {l} — {kind}, {neurons}, {layer.activation}"


def activation_combo(names: list[str] | None = None) -> QComboBox:
    """Activations by name, each with its formula as a tooltip; the name is the item's data."""
    combo = QComboBox()
    for name in names or list(ACTIVATIONS):
        combo.addItem(f"{name}    {ACTIVATIONS[name].formula}", name)
        combo.setItemData(combo.count() - 1, ACTIVATIONS[name].formula, Qt.ItemDataRole.ToolTipRole)
    return combo


def init_combo(current: str = "xavier") -> QComboBox:
    combo = QComboBox()
    for scheme in INIT_SCHEMES:
        combo.addItem(INIT_LABELS.get(scheme, scheme), scheme)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def seed_box(value: int = 0) -> SeedBox:
    box = SeedBox(value)
    box.setToolTip("The same scheme and seed always draw the same weights")
    return box


class EditDialog(QDialog):
    """A form, a line for the reason an input is refused, and OK / Cancel.

    Subclasses add rows to ``self.form`` and implement ``build()``; OK calls ``build()``
    and ``check`` on the network, and stays open showing the message if either refuses.
    """

    def __init__(self, session: Session, title: str, intro: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.session = session
        self.network = session.network
        self._edit: Edit | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        if intro:
            label = QLabel(caret_html(intro))  # w^l with a real superscript
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        layout.addLayout(self.form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def build(self) -> Edit:
        """The edit the fields describe; ValueError names what is wrong with them."""
        raise NotImplementedError

    def edit(self) -> Edit | None:
        """The checked edit once the dialog was accepted, else None."""
        return self._edit

    def show_error(self, message: str) -> None:
        self.error.setText(as_sentence(message))
        self.error.show()

    def clear_error(self) -> None:
        self.error.hide()

    def accept(self) -> None:
        try:
            edit = self.build()
            edit.check(self.session)
        except ValueError as error:
            self.show_error(str(error))
            return
        self._edit = edit
        super().accept()


class ParameterDialog(EditDialog):
    """Set one weight w_jk^l (``k`` given) or bias b_j^l (``k`` None); j, k 0-based."""

    def __init__(self, session: Session, layer: int, j: int, k: int | None, parent: QWidget | None = None) -> None:
        what = "weight" if k is not None else "bias"
        super().__init__(session, f"Set {what}", parent=parent)
        self.layer, self.j, self.k = layer, j, k
        target = self.network.layer(layer)
        current = float(target.biases[j] if k is None else target.weights[j, k])
        # x-large: about 1.4 times the dialog's text, whatever its size (presenting sets a larger one)
        name = QLabel(f'<span style="font-size:x-large">{parameter_html(layer, j, k)}</span>')
        name.setTextFormat(Qt.TextFormat.RichText)
        name.setObjectName("parameter")
        self.form.addRow("Parameter:", name)
        self.form.addRow("Current value:", QLabel(full_precision(current)))
        self.value = QLineEdit(full_precision(current))
        self.value.setObjectName("value")
        self.value.selectAll()
        self.value.setToolTip("A finite number, e.g. 0.5, −2, 1e-3")
        self.value.textEdited.connect(self.clear_error)
        self.form.addRow("New value:", self.value)
        note = QLabel("The pass restarts at Forward 1 for the same sample. Undo with Ctrl+Z.")
        note.setWordWrap(True)
        note.setEnabled(False)
        self.form.addRow(note)

    def build(self) -> Edit:
        return SetParameter(self.layer, self.j, self.k, parse_value(self.value.text()))


class ActivationDialog(EditDialog):
    """Choose a layer and the activation f_l it should use."""

    def __init__(self, session: Session, layer: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(session, "Change activation", parent=parent)
        self.layers = QComboBox()
        for l in range(1, self.network.depth + 1):
            self.layers.addItem(layer_label(self.network, l), l)
        self.layers.setCurrentIndex(max(0, min(layer, self.network.depth) - 1))
        self.form.addRow("Layer:", self.layers)
        self.activation = activation_combo()
        self.form.addRow("Activation f:", self.activation)
        self.layers.currentIndexChanged.connect(self._show_current)
        self.activation.currentIndexChanged.connect(self.clear_error)
        self._show_current()

    def _show_current(self) -> None:
        current = self.network.layer(self.layers.currentData()).activation
        self.activation.setCurrentIndex(self.activation.findData(current))
        self.clear_error()

    def build(self) -> Edit:
        return SetActivation(self.layers.currentData(), self.activation.currentData())


class LossDialog(EditDialog):
    """Choose the loss C."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, "Change loss", parent=parent)
        self.loss = QComboBox()
        for name, loss in LOSSES.items():
            self.loss.addItem(f"{name}    {caret_plain(loss.formula)}", name)
        self.loss.setCurrentIndex(self.loss.findData(self.network.loss))
        self.form.addRow("Loss C:", self.loss)

    def build(self) -> Edit:
        return SetLoss(self.loss.currentData())


class AddLayerDialog(EditDialog):
    """Insert a hidden layer: where, how many neurons, its activation, and how to draw the new weights."""

    def __init__(self, session: Session, position: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(
            session,
            "Add hidden layer",
            "The new layer's weights, and those of the layer after it, are drawn anew.",
            parent,
        )
        self.position = QComboBox()
        for l in range(1, self.network.depth + 1):
            before = "the input layer" if l == 1 else f"layer {l - 1}"
            self.position.addItem(f"As layer {l}, between {before} and layer {l} (now layer {l + 1})", l)
        self.position.setCurrentIndex(max(0, min(position, self.network.depth) - 1))
        self.form.addRow("Position:", self.position)
        self.neurons = QSpinBox()
        self.neurons.setRange(1, MAX_LAYER_SIZE)
        self.neurons.setValue(3)
        self.neurons.setSuffix(" neurons")
        self.form.addRow("Size nₗ:", self.neurons)
        self.activation = activation_combo([name for name, act in ACTIVATIONS.items() if not act.output_only])
        self.activation.setCurrentIndex(self.activation.findData("sigmoid"))
        self.form.addRow("Activation f:", self.activation)
        self.init = init_combo()
        self.form.addRow("Initialisation:", self.init)
        self.seed = seed_box()
        self.form.addRow("Seed:", self.seed)

    def build(self) -> Edit:
        return AddLayer(
            self.position.currentData(),
            self.neurons.value(),
            self.activation.currentData(),
            self.init.currentData(),
            self.seed.value(),
        )


class ReinitialiseDialog(EditDialog):
    """Choose a scheme and a seed to draw every weight anew (biases become 0)."""

    def __init__(self, session: Session, init: str = "xavier", seed: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(
            session,
            "Re-initialise weights",
            "Every weight w^l is drawn anew and every bias b^l is set to 0. Undo brings the old values back.",
            parent,
        )
        self.init = init_combo(init)
        self.form.addRow("Scheme:", self.init)
        self.seed = seed_box(seed)
        self.form.addRow("Seed:", self.seed)

    def build(self) -> Edit:
        return Reinitialise(self.init.currentData(), self.seed.value())


class FeaturesDialog(EditDialog):
    """Choose the network's inputs a^0: features of each sample's raw input (x₁, x₂)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            session,
            "Input features",
            "The network's inputs a⁰ are these functions of each sample's raw input (x₁, x₂); n₀ is their "
            "number. A feature kept keeps its weights in w¹, a new one's are drawn anew.",
            parent,
        )
        self.features = FeatureList(self.network.features)
        self.features.itemChanged.connect(self.clear_error)
        self.form.addRow("Features:", self.features)
        self.seed = seed_box(session.training.seed)
        self.form.addRow("Weight seed:", self.seed)

    def build(self) -> Edit:
        return SetFeatures(self.features.features(), seed=self.seed.value())
