"""The plots' colours from the palette, so that they follow the theme like the rest of the window.

Paper is the palette's base (white in a light theme, the window's dark base in a dark one) and ink
is nearly its text colour: #222 on white, light grey on a dark base, both far above the 4.5:1
contrast WCAG asks of text. ``FollowPalette`` restyles a plot now and whenever its palette changes
(a theme chosen, presentation mode's high-contrast palette).
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from backprop_gui.ui.common.colors import mix

INK = 0.87  # of the way from paper to text: #222222 on white


def paper(palette: QPalette) -> QColor:
    """The plot's background."""
    return palette.color(QPalette.ColorRole.Base)


def ink(palette: QPalette) -> QColor:
    """Axes, ticks, names and legend text on ``paper``."""
    return mix(paper(palette), palette.color(QPalette.ColorRole.Text), INK)


def veil(palette: QPalette, alpha: int = 215) -> QColor:
    """``paper``, partly see-through: behind a label drawn over a plot (a legend, a readout)."""
    color = QColor(paper(palette))
    color.setAlpha(alpha)
    return color


def style_plot(plot: pg.PlotWidget, *axes: pg.AxisItem) -> None:
    """Paper behind ``plot`` and ink on ``axes`` — line, ticks, numbers and name — with the numbers as
    they are (no automatic SI scale such as "x₂ (x0.001)" beside the name)."""
    palette = plot.palette()
    plot.setBackground(paper(palette))
    color = ink(palette).name()
    for axis in axes:
        axis.enableAutoSIPrefix(False)
        axis.setPen(color)
        axis.setTextPen(color)
        axis.labelStyle["color"] = color
        axis._updateLabel()


def style_legend(legend: pg.LegendItem, palette: QPalette) -> None:
    """Ink on ``legend``'s names, those it lists now and those added later."""
    color = ink(palette).name()
    legend.setLabelTextColor(color)
    for _sample, label in legend.items:
        label.setText(label.text, color=color)


class FollowPalette(QObject):
    """Calls ``restyle()`` now and whenever ``widget``'s palette changes."""

    def __init__(self, widget: QWidget, restyle: Callable[[], None]) -> None:
        super().__init__(widget)
        self._restyle = restyle
        widget.installEventFilter(self)
        restyle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()
        return False
