"""Flat scroll bars for the Fusion style: a rounded handle in a plain groove, arrows at the ends.

Fusion paints each scroll bar with gradients, about half a millisecond a bar in software; the
window's text panels and tables repaint theirs at every step as their contents change. These
draw in a tenth of that, in the palette's colours, and keep Fusion's sizes, so nothing moves.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QPainter, QPalette, QPolygonF
from PySide6.QtWidgets import (
    QAbstractSlider,
    QProxyStyle,
    QScrollBar,
    QStyle,
    QStyleOptionComplex,
    QWidget,
)

CC = QStyle.ComplexControl
SC = QStyle.SubControl


class FlatScrollBars(QProxyStyle):
    """``base`` (Fusion) with flat scroll bars; everything else as ``base`` draws it.

    A bar fills all of its rectangle, so Qt is told it is opaque: a bar that moves (a page of text
    growing at each step) repaints alone, not the dock and the panel behind it as well."""

    def polish(self, target: Any) -> None:  # a widget, a palette or the application (Qt's overloads)
        super().polish(target)
        if isinstance(target, QScrollBar):
            target.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def unpolish(self, target: Any) -> None:  # a widget or the application
        super().unpolish(target)
        if isinstance(target, QScrollBar):
            target.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def drawComplexControl(  # noqa: N802 (Qt's name)
        self, control: CC, option: QStyleOptionComplex, painter: QPainter, widget: QWidget | None = None
    ) -> None:
        if control != CC.CC_ScrollBar or widget is None:  # (a bar drawn for no widget: the base style's)
            super().drawComplexControl(control, option, painter, widget)
            return
        palette = option.palette
        enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
        painter.save()
        painter.fillRect(option.rect, palette.color(QPalette.ColorRole.Window))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        handle = self._rect(option, SC.SC_ScrollBarSlider, widget)
        scrolls = not isinstance(widget, QAbstractSlider) or widget.maximum() > widget.minimum()
        if enabled and scrolls and handle.isValid():  # (nothing to scroll: an empty groove)
            active = bool(option.activeSubControls & SC.SC_ScrollBarSlider)
            role = QPalette.ColorRole.Highlight if active else QPalette.ColorRole.Mid
            painter.setBrush(palette.color(role))
            radius = min(handle.width(), handle.height()) / 2 - 2
            painter.drawRoundedRect(handle.adjusted(2, 2, -2, -2), radius, radius)
        horizontal = option.rect.width() > option.rect.height()
        painter.setBrush(palette.color(QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled,
                                       QPalette.ColorRole.ButtonText))  # fmt: skip
        for sub, forward in ((SC.SC_ScrollBarSubLine, False), (SC.SC_ScrollBarAddLine, True)):
            button = self._rect(option, sub, widget)
            if button.isValid():
                painter.drawPolygon(_arrow(button, horizontal, forward))
        painter.restore()

    def _rect(self, option: QStyleOptionComplex, part: QStyle.SubControl, widget: QWidget) -> QRect:
        """Where the scroll bar's ``part`` is (as the base style places it)."""
        return self.subControlRect(CC.CC_ScrollBar, option, part, widget)


def _arrow(button: QRect, horizontal: bool, forward: bool) -> QPolygonF:
    """A small triangle in ``button`` pointing right/down (``forward``) or left/up."""
    centre = QPointF(button.center()) + QPointF(0.5, 0.5)
    size = max(2.0, min(button.width(), button.height()) / 4)
    tip = size if forward else -size
    if horizontal:
        points = [centre + QPointF(tip, 0), centre + QPointF(-tip, -size), centre + QPointF(-tip, size)]
    else:
        points = [centre + QPointF(0, tip), centre + QPointF(-size, -tip), centre + QPointF(size, -tip)]
    return QPolygonF(points)


def with_flat_scroll_bars(style: QStyle) -> QStyle:
    """``style`` with flat scroll bars if it is Fusion; any other style (a platform's own) as it is."""
    return FlatScrollBars(style) if style.name().lower() == "fusion" else style
