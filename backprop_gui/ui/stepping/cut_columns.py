"""Covers for a table's columns cut by its left or right edge.

A table scrolled sideways to the columns a phase computed shows the column before them cut by its
left edge, and numbers drawn right-aligned lose their first digits there: 0.09953 showed as "09953",
and 0.6048 as "048", another number. Each cover hides the part of a column its edge cuts and shows
"…" in each row instead, in the row's own colours, so that no part of a number reads as a whole one.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QStyle, QTableView, QWidget

ELLIPSIS = "…"


class _Cover(QWidget):
    """The part of ``table``'s viewport over a cut column: each row's background, a "…" and the grid."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table.viewport())
        self.table = table
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # clicks reach the cells below
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        table, painter = self.table, QPainter(self)
        palette, Role = table.palette(), QPalette.ColorRole
        painter.fillRect(self.rect(), palette.color(Role.Base))  # under the last row too
        grid = table.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, None, table)
        chosen, rows = table.selectionModel(), table.model().rowCount()
        first, last = max(0, table.rowAt(0)), table.rowAt(self.height() - 1)
        for row in range(first, rows if last < 0 else last + 1):
            rect = QRect(0, table.rowViewportPosition(row), self.width(), table.rowHeight(row))
            selected = chosen is not None and chosen.isRowSelected(row)
            striped = table.alternatingRowColors() and row % 2
            background = Role.Highlight if selected else Role.AlternateBase if striped else Role.Base
            painter.fillRect(rect, palette.color(background))
            painter.setPen(palette.color(Role.HighlightedText if selected else Role.PlaceholderText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, ELLIPSIS)
            if table.showGrid():
                painter.setPen(QColor.fromRgba(grid & 0xFFFFFFFF))
                painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.end()


class CutColumnCovers(QObject):
    """Keeps a cover over the column ``table``'s left edge cuts and one over the column its right
    edge cuts, placed again as the table scrolls, its columns resize or its viewport does."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.left, self.right = _Cover(table), _Cover(table)
        table.horizontalScrollBar().valueChanged.connect(self.place)
        table.horizontalHeader().sectionResized.connect(self.place)
        table.verticalScrollBar().valueChanged.connect(self._repaint)  # its rows moved under it
        table.selectionModel().selectionChanged.connect(self._repaint)  # a row chosen or no longer
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def _repaint(self) -> None:
        for cover in (self.left, self.right):
            if cover.isVisible():
                cover.update()

    def place(self) -> None:
        """Cover what each edge cuts of a column, or nothing where no column is cut."""
        table = self.table
        width, height = table.viewport().width(), table.viewport().height()
        first, last = table.columnAt(0), table.columnAt(width - 1)
        cut_left = 0
        if first >= 0 and table.columnViewportPosition(first) < 0:
            cut_left = table.columnViewportPosition(first) + table.columnWidth(first)
        cut_right = 0
        if last >= 0 and table.columnViewportPosition(last) + table.columnWidth(last) > width:
            cut_right = width - table.columnViewportPosition(last)
        if first == last and first >= 0:  # one column wider than the view: it is not cut to another number
            cut_left = cut_right = 0
        left, right = QRect(0, 0, cut_left, height), QRect(width - cut_right, 0, cut_right, height)
        for cover, rect in ((self.left, left), (self.right, right)):
            if rect.width() <= 0:
                cover.hide()
            elif cover.isHidden() or cover.geometry() != rect:  # (moved or resized, it repaints itself)
                cover.setGeometry(rect)
                cover.show()
                cover.raise_()
