"""A field of the status bar that a step can rewrite without laying the window out again."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class StatusField(QWidget):
    """One line of plain text; with ``elide``, cut with "…" at the right when the bar is short of room.

    A QLabel lays out its status bar, and with it the whole window, whenever its text changes. This
    field only repaints itself: its width grows to the widest text it has shown, so the bar is laid
    out again only when a text needs more room than any before (a new font starts afresh). It fills
    its own background, so a new text repaints the field alone, not the status bar and window behind.
    """

    def __init__(self, tip: str, elide: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._room = 0  # px: the widest text shown since the font was set
        self.elide = elide
        self.setToolTip(tip)
        self.setContentsMargins(8, 0, 8, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(True)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name)
        if text == self._text:
            return
        self._text = text
        self.setAccessibleName(text)
        if (width := self._width(text)) > self._room:
            self._room = width
            self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        m = self.contentsMargins()
        return QSize(self._room + m.left() + m.right(), math.ceil(QFontMetricsF(self.font()).height()) + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = self.sizeHint()
        if self.elide:
            m = self.contentsMargins()
            hint.setWidth(m.left() + m.right() + self._width("Phase …"))
        return hint

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._room = self._width(self._text)
            self.updateGeometry()

    def paintEvent(self, _event: QEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        room = self.contentsRect()
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, room.width())
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(room, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)

    def _width(self, text: str) -> int:
        return math.ceil(QFontMetricsF(self.font()).horizontalAdvance(text))
