"""Layouts that reflow to a narrow dock (the Training dock on a 1024-px projector) instead of
growing wider than it: a grid of equal cells with as many columns as fit, and forms whose labels
go above their fields when a row does not fit."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLayout, QLayoutItem, QWidget

COMBO_CHARACTERS = 10  # a combo box in a reflowing form is at least this many characters wide


class FlowGrid(QLayout):
    """Equal-width cells, left to right then top to bottom, in as many columns as the width holds
    (each cell at least as wide as the widest item's size hint), up to ``columns``."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if columns < 1:
            raise ValueError(f"a flow grid needs at least one column, got {columns}")
        self.columns = columns
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout's item list -------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # --- geometry --------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _cell(self) -> QSize:
        """The size of one cell: the largest size hint of the shown items."""
        cell = QSize(0, 0)
        for item in self._shown():
            cell = cell.expandedTo(item.sizeHint())
        return cell

    def _spacing(self) -> int:
        spacing = self.spacing()
        return spacing if spacing >= 0 else 4

    def columns_for(self, width: int) -> int:
        """How many columns fit ``width`` px (margins included)."""
        shown = len(self._shown())
        if shown == 0:
            return 1
        margins = self.contentsMargins()
        inner = width - margins.left() - margins.right()
        fit = (inner + self._spacing()) // max(1, self._cell().width() + self._spacing())
        return max(1, min(self.columns, shown, fit))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        shown = len(self._shown())
        margins = self.contentsMargins()
        rows = -(-shown // self.columns_for(width))
        return rows * self._cell().height() + max(0, rows - 1) * self._spacing() + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        cell, spacing, margins = self._cell(), self._spacing(), self.contentsMargins()
        columns = max(1, min(self.columns, len(self._shown())))
        width = columns * cell.width() + (columns - 1) * spacing + margins.left() + margins.right()
        return QSize(width, self.heightForWidth(width))

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt's name)
        margins = self.contentsMargins()
        width = self._cell().width() + margins.left() + margins.right()
        return QSize(width, self._cell().height() + margins.top() + margins.bottom())

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt's name)
        return Qt.Orientation.Horizontal

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt's name)
        super().setGeometry(rect)
        inner = rect.marginsRemoved(self.contentsMargins())
        columns, spacing, height = self.columns_for(rect.width()), self._spacing(), self._cell().height()
        width = (inner.width() - (columns - 1) * spacing) / columns
        for i, item in enumerate(self._shown()):
            row, column = divmod(i, columns)
            left = inner.left() + round(column * (width + spacing))
            right = inner.left() + round(column * (width + spacing) + width)
            item.setGeometry(QRect(QPoint(left, inner.top() + row * (height + spacing)), QSize(right - left, height)))


def reflowing_form(parent: QWidget | None = None) -> QFormLayout:
    """A form whose fields grow to the width and whose labels go above their fields when a row does
    not fit; add its combo boxes with ``narrow_combos`` so their longest item sets no minimum width."""
    form = QFormLayout(parent)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def narrow_combos(*combos: QComboBox) -> None:
    """Let ``combos`` be narrower than their longest item (it shows in full in the open list)."""
    for combo in combos:
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(COMBO_CHARACTERS)
