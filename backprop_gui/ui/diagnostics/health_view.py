"""The layer-health plot: the size of δ^l or ∂C/∂w^l of every layer over training, on a log scale.

One labelled curve per layer, per step (decimated by the core's ``HealthRecorder``, which in the
window measures one training step in ``HEALTH_MEASURE_EVERY``) or per epoch. Vanishing gradients
show as the early layers' curves lying decades below the later ones; exploding gradients as
curves climbing off the top. The recorder may be written by a training thread: the view polls
its ``version`` a few times a second and redraws when it moved.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from backprop_gui.core.formatting import counted
from backprop_gui.core.health import HealthRecorder
from backprop_gui.ui.common.plot_theme import FollowPalette, style_legend, style_plot, veil
from backprop_gui.ui.common.shown import is_shown

REFRESH_MS = 200
# The view of an empty plot (axes in log10 for y): whole decades, not the crowded minor ticks of 1…10.
EMPTY_STEPS, EMPTY_DECADES = (0, 100), (-4, 0)
# Okabe–Ito: distinguishable with every common colour-vision deficiency.
LAYER_COLOURS = ((0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (230, 159, 0))
QUANTITIES = (
    ("δ", "RMS of δˡ over the layer's neurons and the batch's samples"),
    ("∂C/∂w", "RMS of ∂C/∂wˡ over the layer's weights"),
)


def layer_pen(l: int) -> pg.QtGui.QPen:
    """Layer ``l``'s pen: a colour of its own, dashed after the sixth layer."""
    style = Qt.PenStyle.SolidLine if l <= len(LAYER_COLOURS) else Qt.PenStyle.DashLine
    return pg.mkPen(LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)], width=2, style=style)


class HealthView(QWidget):
    """Per-layer gradient size over training, from a ``HealthRecorder``."""

    def __init__(self, recorder: HealthRecorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quantity = QComboBox()
        for name, tip in QUANTITIES:
            self.quantity.addItem(f"size of {name}ˡ", name)
            self.quantity.setItemData(self.quantity.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.scale = QComboBox()
        self.scale.addItem("per step", False)
        self.scale.addItem("per epoch", True)
        self.note = QLabel()
        self.note.setWordWrap(True)

        self.plot = pg.PlotWidget()
        self.plot.setLogMode(y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        FollowPalette(self.plot, self._restyle)
        self.curves: list[pg.PlotDataItem] = []

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Show"))
        controls.addWidget(self.quantity)
        controls.addWidget(self.scale)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)

        self.quantity.currentIndexChanged.connect(self.refresh)
        self.scale.currentIndexChanged.connect(self.refresh)
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        self.recorder = recorder
        self._drawn = -1
        self._empty = True  # the plot showed no points when last drawn
        self.set_recorder(recorder)

    def set_recorder(self, recorder: HealthRecorder) -> None:
        """Show ``recorder`` (a new session brings one of its own depth)."""
        self.recorder = recorder
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves = []
        for l in range(1, recorder.depth + 1):
            curve = self.plot.plot([], [], pen=layer_pen(l), name=f"layer {l}", connect="finite")
            self.curves.append(curve)
        self.refresh()

    def _restyle(self) -> None:
        """Paper, ink and the legend's veil for the plot's palette (light or dark)."""
        style_plot(self.plot, self.plot.getAxis("bottom"), self.plot.getAxis("left"))
        style_legend(self.legend, self.plot.palette())
        self.legend.setBrush(pg.mkBrush(veil(self.plot.palette(), 210)))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._poll()

    def _poll(self) -> None:
        if self.recorder.version != self._drawn and is_shown(self):  # not while closed or tabbed away
            self.refresh()

    def refresh(self) -> None:
        """Redraw every layer's curve from the recorder."""
        self._drawn = self.recorder.version
        per_epoch = bool(self.scale.currentData())
        x, delta, grad_w = self.recorder.snapshot(per_epoch)
        sizes = delta if self.quantity.currentData() == "δ" else grad_w
        name, k = self.quantity.currentData(), self.recorder.measure_every
        self.plot.setLabel("bottom", "epoch" if per_epoch else "step")
        self.plot.setLabel("left", f"RMS of {name}<sup>l</sup> (log scale)")
        for l, curve in enumerate(self.curves, start=1):
            y = sizes[:, l - 1] if len(x) else np.empty(0)
            curve.setData(x, np.where(y > 0, y, np.nan))  # a size of exactly 0 has no place on a log axis
        was_empty, self._empty = self._empty, not len(x)
        if self._empty:
            self.plot.setRange(xRange=EMPTY_STEPS, yRange=EMPTY_DECADES, padding=0)
            self.note.setText("Train the network to see how large each layer's gradients are, step by step.")
            return
        if was_empty:  # the first points: the view follows the data again
            self.plot.enableAutoRange()
        if per_epoch:
            measured = "" if k == 1 else f" (of the steps measured, one in {k})"
            self.note.setText(f"{name}ˡ of each layer: the RMS over each of {counted(len(x), 'epoch')}{measured}.")
        else:
            stride, last = self.recorder.steps_per_point, int(x[-1])
            if k == 1:
                every = "every step" if stride == 1 else f"each point is the RMS of {stride} steps"
                self.note.setText(f"{name}ˡ of each layer over {counted(last, 'step')} ({every}).")
            else:
                each = "each a point" if stride == 1 else f"each point the RMS of {stride} of them"
                self.note.setText(f"{name}ˡ of each layer up to step {last:,} (one step in {k} measured, {each}).")
