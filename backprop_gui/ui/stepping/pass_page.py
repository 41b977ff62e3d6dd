"""The text page the formula, worked-solution and chain-rule views share: its document font is scaled
from the widget's, it renders again when the font or the palette changes, and ``PASS_CHANGES`` names
the model changes that move what a page of the pass shows."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTextBrowser

from backprop_gui.core.debugger_state import DISPLAY, Field

PASS_CHANGES = frozenset({Field.PASS, Field.NETWORK, Field.SELECTION, Field.SESSION, *DISPLAY})


class PassPage(QTextBrowser):
    """A page of the pass in rich text; a subclass renders it in ``refresh`` and calls ``_apply_font``
    once it is built. Its document font is ``FONT_SCALE`` × the widget's, at least ``MIN_POINT_SIZE``
    points, so sub- and superscripts stay legible."""

    FONT_SCALE = 1.15
    MIN_POINT_SIZE = 10.0

    def refresh(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_font()
            self.refresh()
        elif event.type() == QEvent.Type.PaletteChange:
            self.refresh()

    def _apply_font(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(self.MIN_POINT_SIZE, font.pointSizeF() * self.FONT_SCALE))
        self.document().setDefaultFont(font)
