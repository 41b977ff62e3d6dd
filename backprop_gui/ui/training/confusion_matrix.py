"""Train ▸ Confusion Matrix: how the network classifies the training or the test set, as counts.

Row i counts the samples whose target t is class i, column j those the network puts in class j
(the arg-max of aᴸ; for one output, aᴸ ≥ 0.5 is the class t = 1), as ``core.metrics`` decides.
The table follows the weights while the dialog is open.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.formatting import counted, percent
from backprop_gui.core.metrics import classifies, confusion_matrix
from backprop_gui.core.training import data_split
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.sample_editor import class_name

SETS = {"train": "Training set", "test": "Test set"}
RIGHT, WRONG = QColor(44, 160, 44), QColor(214, 39, 40)  # the tints of the diagonal and the rest


class ConfusionDialog(QDialog):
    """The confusion matrix of the session's network on the set chosen in ``choice``."""

    def __init__(self, model: SessionModel, progressed: SignalInstance, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confusion matrix")
        self.setObjectName("confusion_matrix")
        self.model = model
        self.choice = QComboBox()
        for key, text in SETS.items():
            self.choice.addItem(text, key)
        self.choice.setToolTip("The samples counted: those trained on, or the test samples held out")
        self.explanation = QLabel(
            "Rows: the true class (from t). Columns: the class the network predicts "
            "(the arg-max of aᴸ; for one output, aᴸ ≥ 0.5 is t = 1)."
        )
        self.explanation.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # the matrix fills the dialog
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(QLabel("Samples"))
        top.addWidget(self.choice, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.explanation)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.resize(440, 340)
        self.choice.currentIndexChanged.connect(lambda _: self.refresh())
        progressed.connect(self.refresh)
        model.changed.connect(self._model_changed)

    def show_set(self, key: str) -> None:
        """Show the "train" or "test" set's matrix."""
        self.choice.setCurrentIndex(self.choice.findData(key))
        self.refresh()

    def refresh(self) -> None:
        """Count again from the network's weights now (skipped while the dialog is hidden)."""
        if not self.isVisible():
            return
        session = self.model.session
        network, data = session.network, session.data
        if not classifies(network, data):
            self._empty(
                "No confusion matrix: the network does not classify this data (it needs a sigmoid or "
                "softmax output layer and targets that are classes)."
            )
            return
        split = data_split(data, session.training.seed)
        key = self.choice.currentData()
        rows = split.test if key == "test" else split.train
        if not len(rows):
            self._empty("No test set: set a test fraction in the Data dock to hold samples out of training.")
            return
        counts = confusion_matrix(network, data, rows)
        classes = len(counts)
        names = [class_name(data, c) for c in range(classes)]
        self.table.setRowCount(classes)
        self.table.setColumnCount(classes)
        self.table.setHorizontalHeaderLabels([f"predicted {name}" for name in names])
        self.table.setVerticalHeaderLabels([f"true {name}" for name in names])
        totals = np.maximum(counts.sum(axis=1), 1)
        for i in range(classes):
            for j in range(classes):
                item = QTableWidgetItem(f"{counts[i, j]:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                tint = QColor(RIGHT if i == j else WRONG)
                tint.setAlpha(int(30 + 150 * counts[i, j] / totals[i]) if counts[i, j] else 0)
                item.setBackground(tint)
                item.setToolTip(f"{counted(int(counts[i, j]), 'sample')} of {names[i]} predicted as {names[j]}")
                self.table.setItem(i, j, item)
        right = int(np.trace(counts))
        total = int(counts.sum())
        self.table.show()
        self.summary.setText(
            f"{SETS[key]}: {counted(total, 'sample')}, {right:,} classified right — accuracy {percent(right / total)}"
        )

    def _empty(self, text: str) -> None:
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.table.hide()
        self.summary.setText(text)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def _model_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK):
            self.refresh()
