"""The live loss plot: C per step (thin), the mean per epoch (bold), validation loss per epoch.

It draws the session's ``LossHistory`` (read on the GUI thread only). A million steps stay
smooth because only a min/max-decimated copy of the visible range is drawn — about two
points per pixel column — and every redraw updates the same items with ``setData``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from backprop_gui.core.decimation import decimate_range, minmax_decimate
from backprop_gui.core.formatting import format_number
from backprop_gui.core.training import LossHistory
from backprop_gui.ui.session_model import Change, SessionModel

LOG_FLOOR = 1e-300  # losses of exactly 0 are drawn here on a log axis
STEP_PEN = pg.mkPen((90, 140, 210, 140), width=1)
EPOCH_PEN = pg.mkPen((20, 60, 150), width=3)
VALIDATION_PEN = pg.mkPen((215, 100, 20), width=2, style=Qt.PenStyle.DashLine)
RATE_PEN = pg.mkPen((150, 40, 150), width=1, style=Qt.PenStyle.DashDotLine)


def epoch_of_step(epoch_ends: list[int], step: int) -> int:
    """The 1-based epoch that step ``step`` (1-based) belongs to."""
    return int(np.searchsorted(np.asarray(epoch_ends), step, side="left")) + 1


def nice_stride(count: int, room: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that thins ``count`` ticks to at most ``room``."""
    scale = 1
    while True:
        for m in (1, 2, 5):
            if count <= room * m * scale:
                return m * scale
        scale *= 10


class EpochAxis(pg.AxisItem):
    """The top axis: a tick at each epoch boundary (thinned to fit), labelled with the epoch number."""

    def __init__(self) -> None:
        super().__init__("top")
        self.ends = np.empty(0)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        ends = self.ends
        lo, hi = np.searchsorted(ends, [minVal, maxVal])
        count = hi - lo
        if count == 0:
            return []
        stride = nice_stride(count, max(1, int(size / 45)))
        epochs = np.arange(lo, hi) + 1
        chosen = ends[lo:hi][epochs % stride == 0]
        return [(float(stride), chosen.tolist())]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [str(int(np.searchsorted(self.ends, v)) + 1) for v in values]


class LossPlot(QWidget):
    """Loss against step for ``model.session.history``; call ``refresh()`` when the history grew."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._rate_marks: list[pg.InfiniteLine] = []
        self._rate_key: tuple = ()
        self._validation_shown = True

        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.log_y = QCheckBox("Log scale")
        self.log_y.setToolTip("Show the loss C on a logarithmic axis")
        self.log_y.setChecked(True)
        self.follow = QPushButton("Follow")
        self.follow.setToolTip("Zoom to all the data and keep following new steps")
        header = QHBoxLayout()
        header.setContentsMargins(4, 2, 4, 0)
        header.addWidget(self.readout, 1)
        header.addWidget(self.log_y)
        header.addWidget(self.follow)

        self.epoch_axis = EpochAxis()
        self.plot = pg.PlotWidget(axisItems={"top": self.epoch_axis}, background="w")
        item = self.plot.getPlotItem()
        item.showAxis("top")
        item.setLabel("bottom", "step")
        item.setLabel("left", "loss C")
        item.setLabel("top", "epoch")
        item.getAxis("left").enableAutoSIPrefix(False)
        item.setLogMode(y=True)
        item.setMenuEnabled(False)
        self.view = item.getViewBox()
        self.legend = item.addLegend(
            offset=(-8, 4), labelTextColor=(40, 40, 40), labelTextSize="8pt", brush=(255, 255, 255, 210), colCount=3
        )
        self.step_curve = item.plot(pen=STEP_PEN, name="C per step")
        self.epoch_curve = item.plot(pen=EPOCH_PEN, name="mean C per epoch")
        self.validation_curve = item.plot(pen=VALIDATION_PEN, name="validation C per epoch")
        self.crosshair = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((80, 80, 80), style=Qt.PenStyle.DotLine))
        self.crosshair.setVisible(False)
        item.addItem(self.crosshair, ignoreBounds=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)

        self._pending = QTimer(self, singleShot=True, interval=0)
        self._pending.timeout.connect(self.refresh)
        self.log_y.toggled.connect(self._set_log)
        self.follow.clicked.connect(self.follow_data)
        self.view.sigRangeChangedManually.connect(self._pending.start)
        self.view.sigXRangeChanged.connect(self._range_moved)
        self.view.sigStateChanged.connect(self._update_follow_button)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        model.changed.connect(self._model_changed)
        self.refresh()

    # --- public ----------------------------------------------------------------------

    @property
    def following(self) -> bool:
        """True while the view auto-ranges to all the data (the user has not zoomed or panned)."""
        return all(self.view.autoRangeEnabled())

    def follow_data(self) -> None:
        self.view.enableAutoRange()
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the session's history (the visible range, decimated to the plot's width)."""
        history = self.model.session.history
        buckets = max(64, int(self.view.width()) or 600)
        x0, x1 = (0.0, float(history.steps)) if self.following else self.view.viewRange()[0]
        self._draw_steps(history, x0, x1, buckets)
        ends = np.asarray(history.epoch_ends, dtype=float)
        self.epoch_axis.ends = ends
        self.epoch_axis.picture = None
        self.epoch_axis.update()
        self._draw_series(self.epoch_curve, ends, history.epoch_losses, x0, x1, buckets)
        self._draw_series(self.validation_curve, ends, history.validation_losses, x0, x1, buckets)
        self._show_validation(bool(history.validation_losses))
        self._draw_rate_marks(history)
        self._update_follow_button()
        if not self.crosshair.isVisible():
            self.readout.setText(self._summary(history))

    # --- drawing -----------------------------------------------------------------------

    def _draw_steps(self, history: LossHistory, x0: float, x1: float, buckets: int) -> None:
        if history.steps == 0:
            self.step_curve.setData([], [])
            if self.following:  # an empty plot still shows sensible axes
                y_range = (-4.0, 0.5) if self.log_y.isChecked() else (0.0, 1.0)
                self.view.setRange(xRange=(0, 100), yRange=y_range, padding=0, disableAutoRange=False)
            return
        losses = np.frombuffer(history.step_losses, dtype=float)
        xs, ys = decimate_range(losses, math.floor(x0) - 1, math.ceil(x1) - 1, buckets)
        del losses  # release the buffer so the history can grow
        self.step_curve.setData(xs, self._for_axis(ys))

    def _draw_series(self, curve: pg.PlotDataItem, ends: np.ndarray, values: list[float], x0, x1, buckets) -> None:
        n = min(len(values), len(ends))
        if n == 0:
            curve.setData([], [])
            return
        x, y = ends[:n], np.asarray(values[:n], dtype=float)
        lo, hi = np.searchsorted(x, [x0, x1])
        lo, hi = max(0, lo - 1), min(n, hi + 1)
        xs, ys = minmax_decimate(x[lo:hi], y[lo:hi], buckets)
        curve.setData(xs, self._for_axis(ys))

    def _for_axis(self, ys: np.ndarray) -> np.ndarray:
        return np.maximum(ys, LOG_FLOOR) if self.log_y.isChecked() else ys

    def _show_validation(self, shown: bool) -> None:
        if shown != self._validation_shown:
            if shown:
                self.legend.addItem(self.validation_curve, "validation C per epoch")
            else:
                self.legend.removeItem(self.validation_curve)
            self._validation_shown = shown

    def _draw_rate_marks(self, history: LossHistory) -> None:
        key = tuple(history.rate_changes)
        if key == self._rate_key:
            return
        self._rate_key = key
        for mark in self._rate_marks:
            self.plot.getPlotItem().removeItem(mark)
        self._rate_marks = []
        for step, rate in key:
            mark = pg.InfiniteLine(
                pos=step + 0.5,
                angle=90,
                movable=False,
                pen=RATE_PEN,
                label=f"η = {rate:g}",
                labelOpts={"position": 0.92, "color": (120, 30, 120), "fill": (255, 255, 255, 200)},
            )
            mark.setToolTip(f"η changed to {rate:g} after step {step:,}")
            self.plot.getPlotItem().addItem(mark, ignoreBounds=True)
            self._rate_marks.append(mark)

    # --- interaction -------------------------------------------------------------------

    def _set_log(self, on: bool) -> None:
        self.plot.getPlotItem().setLogMode(y=on)
        self.refresh()

    def _range_moved(self) -> None:
        if not self.following:
            self._pending.start()  # re-decimate the newly visible range

    def _update_follow_button(self) -> None:
        self.follow.setEnabled(not self.following)

    def _model_changed(self, what: str) -> None:
        if what == Change.SESSION:
            self.refresh()

    def _hover(self, pos: QPointF) -> None:
        history = self.model.session.history
        inside = self.view.sceneBoundingRect().contains(pos)
        if not inside or history.steps == 0:
            self.crosshair.setVisible(False)
            self.readout.setText(self._summary(history))
            return
        step = int(round(self.view.mapSceneToView(pos).x()))
        step = min(max(step, 1), history.steps)
        self.crosshair.setPos(step)
        self.crosshair.setVisible(True)
        self.readout.setText(self.describe_step(step))

    def describe_step(self, step: int) -> str:
        """The read-out for step ``step`` (1-based): step, epoch, its loss, and its epoch's mean if done."""
        history = self.model.session.history
        epoch = epoch_of_step(history.epoch_ends, step)
        text = f"step {step:,} · epoch {epoch:,} · C = {format_number(history.step_losses[step - 1], 5)}"
        if epoch <= len(history.epoch_losses):
            text += f" · epoch mean {format_number(history.epoch_losses[epoch - 1], 5)}"
        if epoch <= len(history.validation_losses):
            text += f" · validation {format_number(history.validation_losses[epoch - 1], 5)}"
        return text

    @staticmethod
    def _summary(history: LossHistory) -> str:
        if history.steps == 0:
            return "No training yet — press F5 to train"
        text = f"{history.steps:,} steps · {len(history.epoch_ends):,} epochs"
        text += f" · last C = {format_number(history.step_losses[-1], 5)}"
        if history.epoch_losses:
            text += f" · last epoch mean {format_number(history.epoch_losses[-1], 5)}"
        return text
