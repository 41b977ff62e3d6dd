"""The input features a network can take of its raw 2-D input (x₁, x₂), as a checkable list: the
New Session dialog and Edit ▸ Input Features share it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from backprop_gui.core.features import FEATURES, RAW_INPUT_SIZE, feature_text

RAW_INPUTS = FEATURES[:RAW_INPUT_SIZE]  # x1, x2: the raw inputs themselves


class FeatureList(QListWidget):
    """The seven features, each checkable and shown by its formula ("x₁²"), in ``FEATURES`` order."""

    def __init__(self, chosen: tuple[str, ...] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("features")
        for name in FEATURES:
            item = QListWidgetItem(feature_text(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            self.addItem(item)
        self.set_features(chosen)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(True)
        self.setToolTip("The network's inputs a⁰: functions of the raw inputs x₁, x₂ (n₀ is their number)")
        self.setMaximumHeight(3 * self.fontMetrics().height())  # two rows of check boxes

    def set_features(self, chosen: tuple[str, ...] | None) -> None:
        """Check ``chosen`` (None: the raw inputs x1, x2)."""
        names = RAW_INPUTS if chosen is None else chosen
        for row in range(self.count()):
            item = self.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def features(self) -> tuple[str, ...] | None:
        """The checked features in ``FEATURES`` order; None when they are just the raw inputs x1, x2
        (so that a file without features stays one). An empty tuple when none is checked."""
        names = tuple(
            self.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        )
        return None if names == RAW_INPUTS else names
