"""The New Session dialog: a data set, the layers (size and activation), loss, initialisation, seed, η.

The data set fixes the input size n_0 and the output size n_L; the user chooses the
hidden layers in between. ``session()`` builds the Session after the dialog is accepted.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.datasets import GENERATORS, MAX_SAMPLES, Dataset, DatasetError, generate
from backprop_gui.core.editing import MAX_LAYER_SIZE
from backprop_gui.core.features import RAW_INPUT_SIZE, check_features
from backprop_gui.core.formatting import counted
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import build_network
from backprop_gui.core.notes import caret_plain
from backprop_gui.core.session import Session
from backprop_gui.core.training import MAX_EPOCHS, MAX_LEARNING_RATE, MIN_LEARNING_RATE, TrainingSettings
from backprop_gui.ui.common.number_boxes import LogSpinBox, NumberBox, param_box
from backprop_gui.ui.sessions.edit_dialogs import activation_combo, as_sentence, init_combo, seed_box
from backprop_gui.ui.sessions.feature_list import FeatureList

KEEP_DATA = "__current__"
PARAM_LABELS = {"samples": "Samples N:", "noise": "Noise:", "seed": "Data seed:", "classes": "Classes:"}
HIDDEN_ACTIVATIONS = [name for name, act in ACTIVATIONS.items() if not act.output_only]


def _form(parent: QWidget | None = None) -> QFormLayout:
    """A form whose number fields keep their natural width (only wide fields grow)."""
    form = QFormLayout(parent)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    return form


class NewSessionDialog(QDialog):
    """Build a new session. ``current`` (optional) is the open session's data, offered to keep."""

    def __init__(self, current: Dataset | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Session")
        self._current = current
        self._session: Session | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(12)

        top = _form()
        self.name = QLineEdit("Untitled")
        self.name.setObjectName("name")
        top.addRow("Name:", self.name)
        layout.addLayout(top)

        layout.addWidget(self._data_group())
        layout.addWidget(self._network_group())
        layout.addWidget(self._training_group())

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self._add_row(1, "sigmoid", output=True)
        self.add_hidden_layer()
        self._data_changed()

    # --- data -------------------------------------------------------------------------

    def _data_group(self) -> QGroupBox:
        group = QGroupBox("Data set")
        form = _form(group)
        self.data = QComboBox()
        self.data.setObjectName("data")
        if self._current is not None:
            n = len(self._current)
            self.data.addItem(f"Keep the current data ({counted(n, 'sample')})", KEEP_DATA)
        for name, generator in GENERATORS.items():
            self.data.addItem(f"{name} — {generator.description}", name)
        self.data.currentIndexChanged.connect(self._data_changed)
        form.addRow("Data:", self.data)
        self.data_settings = QWidget()
        self.data_form = _form(self.data_settings)
        self.data_form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.data_settings)
        self.sizes_label = QLabel()
        self.sizes_label.setEnabled(False)
        form.addRow(self.sizes_label)
        return group

    def _data_changed(self) -> None:
        while self.data_form.rowCount():
            self.data_form.removeRow(0)
        self._params: dict[str, NumberBox] = {}
        key = self.data.currentData()
        if key != KEEP_DATA:
            for param in GENERATORS[key].params:
                box = param_box(param, param.default)
                box.valueChanged.connect(self._sizes_changed)
                self._params[param.name] = box
                self.data_form.addRow(PARAM_LABELS.get(param.name, param.name.capitalize() + ":"), box)
        if hasattr(self, "layers"):
            self._sizes_changed()
            self._suggest_output()

    def data_settings_values(self) -> dict[str, Any]:
        return {name: box.value() for name, box in self._params.items()}

    def io_sizes(self) -> tuple[int, int]:
        """(n_0, n_L) the chosen data needs."""
        key = self.data.currentData()
        if key == KEEP_DATA and self._current is not None:
            return self._current.input_size, self._current.target_size
        generator = GENERATORS[key]
        return generator.input_size, generator.target_size(self.data_settings_values())

    # --- network ----------------------------------------------------------------------

    def _network_group(self) -> QGroupBox:
        group = QGroupBox("Network")
        box = QVBoxLayout(group)
        self.input_label = QLabel()
        box.addWidget(self.input_label)
        self.features = FeatureList()
        self.features.itemChanged.connect(self._sizes_changed)
        box.addWidget(self.features)
        self.layers = QTableWidget(0, 2)
        self.layers.setObjectName("layers")
        self.layers.setHorizontalHeaderLabels(["Neurons nₗ", "Activation fₗ"])
        header = self.layers.horizontalHeader()
        header.setHighlightSections(False)  # a bold title, wider than it was sized for, was cut: "Neurons n"
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.layers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.layers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.layers.setMinimumHeight(120)
        box.addWidget(self.layers)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add Hidden Layer")
        self.add_button.clicked.connect(self.add_hidden_layer)
        self.remove_button = QPushButton("Remove Hidden Layer")
        self.remove_button.clicked.connect(self.remove_hidden_layer)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        form = _form()
        self.loss = QComboBox()
        for name, loss in LOSSES.items():
            self.loss.addItem(f"{name}    {caret_plain(loss.formula)}", name)
        form.addRow("Loss C:", self.loss)
        self.init = init_combo()
        form.addRow("Initialisation:", self.init)
        self.seed = seed_box()
        form.addRow("Weight seed:", self.seed)
        box.addLayout(form)
        return group

    def _add_row(self, size: int, activation: str, output: bool = False, row: int | None = None) -> None:
        row = self.layers.rowCount() if row is None else row
        self.layers.insertRow(row)
        spin = QSpinBox()
        spin.setRange(1, MAX_LAYER_SIZE)
        spin.setValue(size)
        spin.setEnabled(not output)
        if output:
            spin.setToolTip("The output layer has one neuron per target of the data")
        combo = activation_combo(None if output else HIDDEN_ACTIVATIONS)
        combo.setCurrentIndex(max(0, combo.findData(activation)))
        self.layers.setCellWidget(row, 0, spin)
        self.layers.setCellWidget(row, 1, combo)
        self._renumber()

    def _renumber(self) -> None:
        last = self.layers.rowCount() - 1
        for row in range(self.layers.rowCount()):
            kind = "output" if row == last else "hidden"
            self.layers.setVerticalHeaderItem(row, QTableWidgetItem(f"Layer {row + 1} ({kind})"))
        self.remove_button.setEnabled(last > 0)

    def add_hidden_layer(self) -> None:
        """Insert a hidden layer after the selected one (or before the output layer)."""
        selected = self.layers.currentRow()
        last = self.layers.rowCount() - 1
        row = selected + 1 if 0 <= selected < last else last
        self._add_row(3, "sigmoid", row=row)
        self.layers.selectRow(row)

    def remove_hidden_layer(self) -> None:
        """Remove the selected hidden layer (or the last one)."""
        last = self.layers.rowCount() - 1
        if last == 0:
            return
        selected = self.layers.currentRow()
        self.layers.removeRow(selected if 0 <= selected < last else last - 1)
        self._renumber()

    def _size_box(self, row: int) -> QSpinBox:
        return cast(QSpinBox, self.layers.cellWidget(row, 0))

    def _activation_box(self, row: int) -> QComboBox:
        return cast(QComboBox, self.layers.cellWidget(row, 1))

    def layer_specs(self) -> list[tuple[int, str]]:
        """(n_l, f_l) for l = 1..L as the table shows them."""
        return [
            (self._size_box(row).value(), self._activation_box(row).currentData())
            for row in range(self.layers.rowCount())
        ]

    def _sizes_changed(self) -> None:
        self.error.hide()
        try:
            n_in, n_out = self.io_sizes()
        except (DatasetError, KeyError):
            return
        self.features.setEnabled(n_in == RAW_INPUT_SIZE)
        features = self.chosen_features()
        if features is None:
            self.input_label.setText(f"Input layer: n₀ = {n_in} (from the data set)")
        else:
            self.input_label.setText(f"Input layer: n₀ = {len(features)} features of the data's x₁, x₂")
        self._size_box(self.layers.rowCount() - 1).setValue(n_out)
        self.sizes_label.setText(f"{counted(n_in, 'input')} x and {counted(n_out, 'target')} t per sample")

    def chosen_features(self) -> tuple[str, ...] | None:
        """The input features checked (None: the raw inputs, also when the data is not 2-D)."""
        return self.features.features() if self.features.isEnabled() else None

    def _suggest_output(self) -> None:
        """A fitting output activation and loss for the data: linear for regression, softmax for classes."""
        key = self.data.currentData()
        if key == KEEP_DATA:
            return
        generator = GENERATORS[key]
        _, n_out = self.io_sizes()
        if not generator.classification:
            activation, loss = "linear", "half_squared_error"
        elif n_out > 1:
            activation, loss = "softmax", "cross_entropy"
        else:
            activation, loss = "sigmoid", "half_squared_error"
        combo = self._activation_box(self.layers.rowCount() - 1)
        combo.setCurrentIndex(combo.findData(activation))
        self.loss.setCurrentIndex(self.loss.findData(loss))

    # --- training ---------------------------------------------------------------------

    def _training_group(self) -> QGroupBox:
        group = QGroupBox("Training")
        form = _form(group)
        defaults = TrainingSettings()
        self.learning_rate = LogSpinBox(MIN_LEARNING_RATE, MAX_LEARNING_RATE)
        self.learning_rate.setValue(defaults.learning_rate)
        form.addRow("Learning rate η:", self.learning_rate)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, MAX_SAMPLES)
        self.batch_size.setValue(defaults.batch_size)
        self.batch_size.setToolTip("Samples per SGD step when training (the stepper always shows one sample)")
        form.addRow("Minibatch size:", self.batch_size)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, MAX_EPOCHS)
        self.epochs.setValue(defaults.epochs)
        form.addRow("Epochs per run:", self.epochs)
        return group

    # --- result -----------------------------------------------------------------------

    def build(self) -> Session:
        """The session the fields describe; ValueError (or DatasetError) names what is wrong."""
        name = self.name.text().strip()
        if not name:
            raise ValueError("give the session a name")
        key = self.data.currentData()
        data = (
            self._current
            if key == KEEP_DATA and self._current is not None
            else generate(key, **self.data_settings_values())
        )
        specs = self.layer_specs()
        features = self.chosen_features()
        if features is not None:
            check_features(features)
        network = build_network(
            data.input_size if features is None else len(features),
            [size for size, _ in specs],
            [activation for _, activation in specs],
            loss=self.loss.currentData(),
            init=self.init.currentData(),
            seed=self.seed.value(),
            features=features,
        )
        training = TrainingSettings(
            learning_rate=self.learning_rate.value(),
            batch_size=self.batch_size.value(),
            epochs=self.epochs.value(),
            seed=self.seed.value(),
        )
        training.validate()
        return Session(name, network, data, training)

    def accept(self) -> None:
        try:
            self._session = self.build()
        except ValueError as error:  # DatasetError is a ValueError
            self.error.setText(as_sentence(str(error)))
            self.error.show()
            return
        super().accept()

    def session(self) -> Session | None:
        """The new session once the dialog was accepted, else None."""
        return self._session
