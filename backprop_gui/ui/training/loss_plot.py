"""The live loss plot: C per step (thin), the mean per epoch (bold), validation and test loss per
epoch, and for classification the accuracy on the training and test sets (in %, on the right axis).
Runs kept for comparison (Train ▸ Compare) are drawn too: each one's mean C per epoch dashed and its
test C dotted, in its own colour, epoch e at the step where the current settings end epoch e.

It draws the session's ``LossHistory`` (read on the GUI thread only). A million steps stay
smooth because only a min/max-decimated copy of the visible range is drawn — about two
points per pixel column — and every redraw updates the same items with ``setData``. The axes
keep their labels apart: whole steps only, and on the log-scale loss axis 1-2-5 ticks per
decade (or plain ticks within a narrow range) thinned to the axis's height. A short history
is drawn with a dot per point, so even a single step shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF, QPalette, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from backprop_gui.core.compare import RunSettings, describe_differences
from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.decimation import decimate_range, minmax_decimate
from backprop_gui.core.formatting import counted, format_number, percent
from backprop_gui.core.series_mirror import SeriesMirror
from backprop_gui.core.training import LossHistory, batches_per_epoch
from backprop_gui.ui.common.colors import is_dark, mix
from backprop_gui.ui.common.plot_theme import FollowPalette, ink, paper, style_legend, style_plot, veil
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import ShownRefresh

HEADER_SPACING = 8  # px between the summary, the log-scale box and the Follow button
LOG_FLOOR = 1e-300  # losses of exactly 0 are drawn here on a log axis
# Each series' colour on light paper and on dark paper (lighter there, to keep its contrast), width, style.
SERIES = {
    "step": (((90, 140, 210, 140), (85, 125, 185, 160)), 1, Qt.PenStyle.SolidLine),
    "epoch": (((20, 60, 150), (150, 200, 255)), 3, Qt.PenStyle.SolidLine),
    "validation": (((215, 100, 20), (245, 150, 60)), 2, Qt.PenStyle.DashLine),
    "test": (((200, 30, 60), (250, 105, 125)), 2, Qt.PenStyle.SolidLine),
    "training accuracy": (((30, 130, 60), (95, 205, 125)), 2, Qt.PenStyle.DotLine),
    "test accuracy": (((30, 130, 60), (95, 205, 125)), 2, Qt.PenStyle.SolidLine),
    "rate": (((150, 40, 150), (215, 135, 215)), 1, Qt.PenStyle.DashDotLine),
}
# The compared runs' colours, none a current curve's: on light paper, and lighter on dark.
REFERENCE_COLORS = (
    ((110, 110, 110), (120, 60, 170), (20, 140, 140), (190, 80, 160)),
    ((165, 165, 165), (185, 140, 235), (70, 200, 200), (235, 135, 210)),
)
# The curves the legend lists only while they have points (keys of SERIES), with their names there.
OPTIONAL = {"validation": "validation C", "test": "test C", "training accuracy": "training accuracy",
            "test accuracy": "test accuracy"}  # fmt: skip
MIRRORED = ("epoch_losses", "validation_losses", "test_losses", "train_accuracies", "test_accuracies")
FEW_POINTS = 40  # a series with at most this many points gets a dot per point
MIN_LOG_RANGE = 0.05  # decades: the least the log axis spans (±6 %), so a flat loss keeps short labels
LABEL_SPACING = 2.2  # tick labels on the loss axis at least this many text lines apart
# From this many steps on, a view following the data pads its range to round bounds (``round_bounds``):
# its axes are laid out again only when the data outgrows them, not at every snapshot of a run.
FRAMED_FROM = 100
ROUND_MULTIPLES = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # × 10^k: steps 20–25 % apart
COMPACT_LINES = 10  # a plot fewer text lines high than this (a projector's short dock) keeps only its
# left and bottom ticks: no epoch axis, axis names or legend above the curves
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def epoch_of_step(epoch_ends: Sequence[float] | np.ndarray, step: int) -> int:
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


def tick_label(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, plainly between 0.001 and 10⁴, else as m·10ⁿ."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < 4:
        return f"{value:.{max(0, digits - 1 - exponent)}f}"
    mantissa, power = f"{value:.{digits - 1}e}".split("e")
    ten = "10" + str(int(power)).translate(_SUPERSCRIPT)
    return ten if mantissa == "1" else f"{mantissa}·{ten}"


def tick_labels(values: list[float]) -> list[str]:
    """Labels for tick ``values`` with the fewest digits (1 to 8) that tell every one apart."""
    for digits in range(1, 9):
        labels = [tick_label(v, digits) for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def _nice(mantissa: int, exponent: int) -> float:
    """mantissa × 10^exponent without rounding error (0.3, not 0.30000000000000004)."""
    return float(f"{mantissa}e{exponent}")


def log_ticks(lo: float, hi: float, room: int) -> list[float]:
    """Between 10^lo and 10^hi, the densest set of at most ``room`` (≥ 2) tick values of
    1…9, 1-2-5, 1-3 or 1 per decade, or every 2nd, 5th, 10th… decade; within a range too narrow
    for two such ticks, evenly spaced 1-2-5 steps instead."""
    room = max(2, room)
    first, last = math.floor(lo), math.ceil(hi)

    def inside(values: list[float]) -> list[float]:
        return [v for v in values if lo - 1e-9 <= math.log10(v) <= hi + 1e-9]

    ticks: list[float] = []
    for mantissas in ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 5), (1, 3), (1,)):
        ticks = inside([_nice(m, e) for e in range(first, last + 1) for m in mantissas])
        if len(ticks) < 2:
            return linear_ticks(10**lo, 10**hi, room)  # narrower than these ticks' spacing
        if len(ticks) <= room:
            return ticks
    stride = 1
    while True:  # every 2nd, 5th, 10th, 20th … decade; never fewer than two ticks
        stride = nice_stride(2 * stride, 1) if stride > 1 else 2
        thinner = inside([_nice(1, e) for e in range(first, last + 1) if e % stride == 0])
        if len(thinner) < 2:
            return ticks
        ticks = thinner
        if len(ticks) <= room:
            return ticks


def linear_ticks(lo: float, hi: float, room: int) -> list[float]:
    """Evenly spaced values m × 10^e (m = 1, 2, 5) between ``lo`` and ``hi``: as many as fit in ``room``,
    and at least two (one more than ``room`` if no spacing gives two to ``room``)."""
    if not hi > lo:
        return [lo]
    top = math.floor(math.log10(hi - lo))
    ticks: list[float] = [lo, hi]
    for exponent in range(top - 2, top + 1):
        for m in (1, 2, 5):
            step = _nice(m, exponent)
            start, stop = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
            values = [float(f"{i * step:.12g}") for i in range(start, stop + 1)]
            if len(values) <= room:
                return values if len(values) >= 2 else ticks
            ticks = values
    return ticks


class LossAxis(pg.AxisItem):
    """The left axis: in log mode, ticks from ``log_ticks`` spaced at least ``LABEL_SPACING`` lines apart."""

    def __init__(self) -> None:
        super().__init__("left")

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803 (pyqtgraph's names)
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = sorted((minVal, maxVal))
        line = QFontMetricsF(self.style["tickFont"] or QFont()).height()
        values = log_ticks(lo, hi, int(size / (LABEL_SPACING * line)))
        return [(None, [math.log10(v) for v in values])]

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return tick_labels([10.0**v * scale for v in values])


class StepAxis(pg.AxisItem):
    """The bottom axis: ticks at whole steps only."""

    def __init__(self) -> None:
        super().__init__("bottom")

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803 (pyqtgraph's names)
        one = self.scale  # one step, in the axis's (SI-scaled) units
        levels = [(spacing, offset) for spacing, offset in super().tickSpacing(minVal, maxVal, size) if spacing >= one]
        return levels or [(one, 0.0)]


class EpochAxis(pg.AxisItem):
    """The top axis: a tick at each epoch boundary (thinned to fit), labelled with the epoch number.
    ``set_ends`` draws it again only when its ticks change: a run adds epochs at every redraw, a new
    tick far more rarely."""

    def __init__(self) -> None:
        super().__init__("top")
        self.ends = np.empty(0)
        self._asked: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the range and length ticks were last made for
        self._drawn: tuple[int, bytes, bytes] | None = None  # those ticks (a copy: ``ends`` may be a view)

    def set_ends(self, ends: np.ndarray) -> None:
        """Take the steps at which the epochs end (increasing)."""
        self.ends = ends
        if _tick_key(*_epoch_ticks(ends, *self._asked)) != self._drawn:
            self.picture = None
            self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803 (pyqtgraph's names)
        self._asked = (minVal, maxVal, size)
        ticks = _epoch_ticks(self.ends, minVal, maxVal, size)
        self._drawn = _tick_key(*ticks)
        stride, _epochs, steps = ticks
        return [(float(stride), steps.tolist())] if len(steps) else []

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [str(int(np.searchsorted(self.ends, v)) + 1) for v in values]


def _epoch_ticks(ends: np.ndarray, first: float, last: float, size: float) -> tuple[int, np.ndarray, np.ndarray]:
    """(stride, epochs, steps) of the top axis over the steps ``first`` to ``last`` and ``size`` pixels:
    every stride-th epoch (1-based) that ends in the range, and the step it ends at. Costs as many
    operations as there are ticks, not epochs."""
    lo, hi = np.searchsorted(ends, [first, last])
    if hi <= lo:
        return 0, np.empty(0, np.int64), np.empty(0)
    stride = nice_stride(int(hi - lo), max(1, int(size / 45)))
    epochs = np.arange(-(-(lo + 1) // stride) * stride, hi + 1, stride)  # the multiples of stride in lo+1..hi
    return stride, epochs, ends[epochs - 1]


def _tick_key(stride: int, epochs: np.ndarray, steps: np.ndarray) -> tuple[int, bytes, bytes]:
    return stride, epochs.tobytes(), steps.tobytes()


class FramedViewBox(pg.ViewBox):
    """A view box whose auto-range can be given bounds, ``frame`` ((x0, x1), (y0, y1)) in view
    coordinates, instead of those of its items (None: its items')."""

    def __init__(self) -> None:
        super().__init__()
        self.frame: tuple[tuple[float, float], tuple[float, float]] | None = None

    def childrenBounds(self, frac=None, orthoRange=(None, None), items=None) -> list:  # noqa: N802, N803
        if self.frame is not None and items is None:
            return [list(self.frame[0]), list(self.frame[1])]
        return super().childrenBounds(frac, orthoRange, items)


class RowLegend(pg.LegendItem):
    """The legend in a band above the plot, never over a curve: its entries fill rows of as many
    columns as fit ``room`` (pixels); ``resized`` tells the band its height."""

    def __init__(self, resized, **kwargs) -> None:
        super().__init__(frame=False, **kwargs)
        self.room = 600.0
        self.resized = resized

    def entry_widths(self) -> list[float]:
        """Each entry's width in pixels: its line sample, its name and the spacing after them."""
        return [sample.boundingRect().width() + label.minimumWidth() + 12 for sample, label in self.items]

    def updateSize(self) -> None:  # noqa: N802 (pyqtgraph's name)
        widths = self.entry_widths()
        columns = max(1, len(widths))
        while columns > 1 and sum(max(widths[j::columns]) for j in range(columns)) > self.room:
            columns -= 1
        if columns != self.columnCount:
            self.setColumnCount(columns)  # lays the entries out again and comes back here
            return
        super().updateSize()
        self.resized()


class LossPlot(QWidget):
    """Loss against step for ``model.session.history``; call ``request_refresh()`` when the history grew
    (it redraws only while on screen) or ``refresh()`` to redraw now."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._rate_marks: list[pg.InfiniteLine] = []
        self._rate_key: tuple = ()
        self._listed: list[tuple[pg.PlotDataItem, str]] = []  # what the legend lists, in its order
        self._reference_curves: list[pg.PlotDataItem] = []
        self._reference_entries: list[tuple[pg.PlotDataItem, str]] = []  # the compared runs' legend entries
        self._reference_key: tuple = ()
        self._now_label = "mean C per epoch"
        # The history's per-epoch series as arrays, copying only the epochs added since the last redraw.
        self._mirrors = {name: SeriesMirror() for name in ("epoch_ends", *MIRRORED)}

        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setWordWrap(True)  # a long summary wraps rather than widen a narrow dock
        self.log_y = QCheckBox("Log scale")
        self.log_y.setToolTip("Show the loss C on a logarithmic axis")
        self.log_y.setChecked(True)
        self.follow = QPushButton("Follow")
        self.follow.setToolTip("Zoom to all the data and keep following new steps")
        header = QHBoxLayout()
        header.setContentsMargins(4, 2, 4, 0)
        header.setSpacing(HEADER_SPACING)  # (a nested layout takes its parent's 2 px: "Log scale" ran into "Follow")
        header.addWidget(self.readout, 1)
        header.addWidget(self.log_y)
        header.addWidget(self.follow)

        self.epoch_axis = EpochAxis()
        axes = {"top": self.epoch_axis, "left": LossAxis(), "bottom": StepAxis()}
        self.plot = pg.PlotWidget(viewBox=FramedViewBox(), axisItems=axes)
        self.plot.setObjectName("loss_plot")
        item = self.plot.getPlotItem()
        item.showAxis("top")
        item.setLabel("bottom", "step")
        item.setLabel("left", "loss C")
        item.setLabel("top", "epoch")
        item.setLogMode(y=True)
        self.view = item.getViewBox()
        self.view.setLimits(minYRange=MIN_LOG_RANGE)
        item.setMenuEnabled(False)
        self.legend = RowLegend(self._fit_legend, colCount=8)
        self.legend.setParentItem(item)
        self.legend.anchor(itemPos=(0.5, 0), parentPos=(0.5, 0), offset=(0, 2))
        self.step_curve = item.plot()
        self.epoch_curve = item.plot()
        self.validation_curve = item.plot()
        self.test_curve = item.plot()
        # Accuracy (%) in a second view sharing the x axis, scaled by the right axis.
        self.accuracy_view = pg.ViewBox(enableMouse=False)
        self.accuracy_view.setXLink(self.view)
        self.accuracy_view.setYRange(0, 100, padding=0.02)
        item.scene().addItem(self.accuracy_view)
        accuracy_axis = item.getAxis("right")
        accuracy_axis.linkToView(self.accuracy_view)
        accuracy_axis.setLogMode(False)  # the loss axis's log scale is not the accuracy's
        self.train_accuracy_curve = pg.PlotDataItem()
        self.test_accuracy_curve = pg.PlotDataItem()
        for curve in (self.train_accuracy_curve, self.test_accuracy_curve):
            self.accuracy_view.addItem(curve)
        self.view.sigResized.connect(self._place_accuracy_view)
        self.crosshair = pg.InfiniteLine(angle=90, movable=False)
        self.crosshair.setVisible(False)
        item.addItem(self.crosshair, ignoreBounds=True)
        self._series = {
            "step": self.step_curve,
            "epoch": self.epoch_curve,
            "validation": self.validation_curve,
            "test": self.test_curve,
            "training accuracy": self.train_accuracy_curve,
            "test accuracy": self.test_accuracy_curve,
        }

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
        self._shown = ShownRefresh(self, self.refresh)
        FollowPalette(self.plot, self._restyle)  # (sets the font too)
        self.refresh()

    # --- public ----------------------------------------------------------------------

    @property
    def following(self) -> bool:
        """True while the view auto-ranges to all the data (the user has not zoomed or panned)."""
        return all(self.view.autoRangeEnabled())

    def request_refresh(self) -> None:
        """The history grew: redraw now if the plot is on screen, else once it is."""
        self._shown.request()

    def follow_data(self) -> None:
        self.view.enableAutoRange()
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the session's history (the visible range, decimated to the plot's width)."""
        history = self.model.session.history
        buckets = max(64, int(self.view.width()) or 600)
        x0, x1 = (0.0, float(history.steps)) if self.following else self.view.viewRange()[0]
        self._draw_steps(history, x0, x1, buckets)
        ends = self._mirrors["epoch_ends"].of(history.epoch_ends)
        self.epoch_axis.set_ends(ends)
        self._draw_series(self.epoch_curve, ends, self._series_of(history, "epoch_losses"), x0, x1, buckets)
        self._draw_series(self.validation_curve, ends, self._series_of(history, "validation_losses"), x0, x1, buckets)
        self._draw_measured(history, ends, x0, x1, buckets)
        self._draw_references()
        self._list_in_legend()
        self._draw_rate_marks(history)
        self._frame_following(history)
        for view in (self.view, self.accuracy_view):
            view.prepareForPaint()  # range and matrix now: changed during the paint, they would paint it twice
        self._update_follow_button()
        if not self.crosshair.isVisible():
            self._show_readout(self._summary(history))

    # --- drawing -----------------------------------------------------------------------

    def _draw_steps(self, history: LossHistory, x0: float, x1: float, buckets: int) -> None:
        if history.steps == 0:
            self.step_curve.setData([], [])
            if self.following and not self.model.session.references:  # an empty plot still shows sensible axes
                y_range = (-4.4, 0.4) if self.log_y.isChecked() else (0.0, 1.0)  # ticks clear of the ends
                self.view.setRange(xRange=(0, 100), yRange=y_range, padding=0, disableAutoRange=False)
            return
        early = np.frombuffer(history.early_steps, dtype=np.int64)  # a decimated curve of the steps before
        if not history.step_losses and not len(early):  # every step's own loss was dropped: the epoch means remain
            self.step_curve.setData([], [])
            return
        losses, first = np.frombuffer(history.step_losses, dtype=float), history.dropped
        xs, ys = decimate_range(losses, math.floor(x0) - 1 - first, math.ceil(x1) - 1 - first, buckets)
        del losses  # release the buffer so the history can grow
        xs += first
        if len(early) and x0 <= early[-1]:
            lo, hi = np.searchsorted(early, [x0, x1])
            shown = slice(max(0, lo - 1), min(len(early), hi + 1))  # one point either side reaches the edges
            xs = np.concatenate([early[shown].astype(float), xs])
            ys = np.concatenate([np.frombuffer(history.early_losses)[shown], ys])
        self.step_curve.setData(xs, self._for_axis(ys))
        self._dots(self.step_curve, history.steps)
        if self.following and (history.steps == 1 or ys.min() == ys.max()):
            self._frame_flat(history.steps, float(ys[0]))

    def _frame_following(self, history: LossHistory) -> None:
        """While the view follows a run, its auto-range takes round bounds around every loss curve
        (``round_bounds``), so that it changes, and the axes are laid out again, only now and then."""
        curves = (self.step_curve, self.epoch_curve, self.validation_curve, self.test_curve, *self._reference_curves)
        drawn = [(c.xData, c.yData) for c in curves if c.xData is not None and len(c.xData)]
        frame = None
        if self.following and history.steps >= FRAMED_FROM and drawn:
            xs, ys = (np.concatenate(parts) for parts in zip(*drawn, strict=True))
            ys = ys[np.isfinite(ys)]
            log = self.log_y.isChecked()
            xr, (y0, y1) = round_bounds(float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max()), log)
            frame = (xr, (math.log10(y0), math.log10(y1)) if log else (y0, y1))
        if frame != self.view.frame:
            self.view.frame = frame
            self.view.updateAutoRange()

    def _frame_flat(self, steps: int, loss: float) -> None:
        """Frame a single step or a flat loss, which auto-range alone would centre in the old span."""
        if self.log_y.isChecked():
            centre = math.log10(max(loss, LOG_FLOOR))
            y_range = (centre - 2 * MIN_LOG_RANGE, centre + 2 * MIN_LOG_RANGE)
        else:
            pad = abs(loss) * 0.1 or 1.0
            y_range = (loss - pad, loss + pad)
        x_range = (0.5, 1.5) if steps == 1 else None
        self.view.setRange(xRange=x_range, yRange=y_range, padding=0, disableAutoRange=False)

    def _draw_measured(self, history: LossHistory, ends: np.ndarray, x0: float, x1: float, buckets: int) -> None:
        """The test loss and the accuracies, kept for the last epochs (``LossHistory.measured_from``);
        the right axis shows while there are accuracies."""
        series = (
            (self.test_curve, "test_losses", 1.0),
            (self.train_accuracy_curve, "train_accuracies", 100.0),
            (self.test_accuracy_curve, "test_accuracies", 100.0),
        )
        for curve, name, scale in series:
            values = getattr(history, name)
            first = history.measured_from(values) - 1
            shown = self._series_of(history, name)
            self._draw_series(
                curve, ends[first:], scale * shown if scale != 1.0 else shown, x0, x1, buckets, scale == 1.0
            )
        item = self.plot.getPlotItem()
        if bool(history.train_accuracies) != item.getAxis("right").isVisible():
            item.showAxis("right", bool(history.train_accuracies))
            item.setLabel("right", "accuracy %")
            self._apply_font()

    def _draw_references(self) -> None:
        """The compared runs' curves (redrawn when they or the steps per epoch change), and the current
        run's legend entry naming how it differs from the first of them."""
        session = self.model.session
        references = session.references
        per_epoch = batches_per_epoch(session.data, session.training.batch_size)
        key = (tuple(map(id, references)), per_epoch, self.log_y.isChecked(), is_dark(self.plot.palette()))
        if key != self._reference_key:
            self._reference_key = key
            item = self.plot.getPlotItem()
            for curve in self._reference_curves:
                item.removeItem(curve)
            self._reference_curves, self._reference_entries = [], []
            colors = REFERENCE_COLORS[is_dark(self.plot.palette())]
            for i, reference in enumerate(references):
                color = colors[i % len(colors)]
                name = f"{reference.name}: {reference.label}" if reference.label else reference.name
                for values, style, listed in (
                    (reference.train_losses, Qt.PenStyle.DashLine, True),
                    (reference.test_losses, Qt.PenStyle.DotLine, False),
                ):
                    epochs = np.arange(len(reference.train_losses) - len(values), len(reference.train_losses)) + 1
                    curve = item.plot(
                        epochs * per_epoch, self._for_axis(np.asarray(values, dtype=float)),
                        pen=pg.mkPen(color, width=2, style=style),
                    )  # fmt: skip
                    curve.setToolTip(f"{name} ({'test C' if style == Qt.PenStyle.DotLine else 'mean C'} per epoch)")
                    self._dots(curve, len(values))
                    if listed:
                        self._reference_entries.append((curve, name))
                    self._reference_curves.append(curve)
        baseline = references[0].settings if references else None
        self._now_label = "mean C per epoch"
        if baseline is not None:  # beside "run 2: η 0.5 → 2", the run's own mean C is named by what differs too
            self._now_label = f"now: {describe_differences(baseline, RunSettings.of(session))}"

    def _list_in_legend(self) -> None:
        """The legend lists, in this order, the current run's curves that have points (C per step and
        its mean per epoch always), then the compared runs; it is made again only when that changes."""
        entries = [(self.step_curve, "C per step"), (self.epoch_curve, self._now_label)]
        for series, name in OPTIONAL.items():
            curve = self._series[series]
            if curve.xData is not None and len(curve.xData):
                entries.append((curve, name))
        entries += self._reference_entries
        if entries != self._listed:  # the same curves (compared as objects) under the same names
            self.legend.clear()
            for curve, name in entries:
                self.legend.addItem(curve, name)
            self._listed = entries

    def _place_accuracy_view(self) -> None:
        self.accuracy_view.setGeometry(self.view.sceneBoundingRect())
        self.accuracy_view.linkedViewChanged(self.view, self.accuracy_view.XAxis)

    def _series_of(self, history: LossHistory, name: str) -> np.ndarray:
        """History series ``name`` (one of ``MIRRORED``) as an array."""
        return self._mirrors[name].of(getattr(history, name))

    def _draw_series(
        self, curve: pg.PlotDataItem, ends: np.ndarray, values: np.ndarray, x0, x1, buckets, loss: bool = True
    ) -> None:
        """``values`` at the epochs ending at ``ends``, decimated to the range [x0, x1]; ``loss``: a
        loss, drawn on the loss axis (else a value drawn as it is)."""
        n = min(len(values), len(ends))
        if n == 0:
            curve.setData([], [])
            return
        x, y = ends[:n], values[:n]
        lo, hi = np.searchsorted(x, [x0, x1])
        lo, hi = max(0, lo - 1), min(n, hi + 1)
        xs, ys = minmax_decimate(x[lo:hi], y[lo:hi], buckets)
        curve.setData(xs, self._for_axis(ys) if loss else ys)
        self._dots(curve, n)

    @staticmethod
    def _dots(curve: pg.PlotDataItem, count: int) -> None:
        """A dot per point for a series of at most ``FEW_POINTS`` points (a single point has no line)."""
        symbol = "o" if count <= FEW_POINTS else None
        if curve.opts["symbol"] != symbol:
            pen = curve.opts["pen"]
            curve.setSymbol(symbol)
            curve.setSymbolSize(6)
            curve.setSymbolPen(None)
            curve.setSymbolBrush(pg.mkPen(pen).color())

    def _for_axis(self, ys: np.ndarray) -> np.ndarray:
        return np.maximum(ys, LOG_FLOOR) if self.log_y.isChecked() else ys

    def _draw_rate_marks(self, history: LossHistory) -> None:
        key = tuple(history.rate_changes)
        if key == self._rate_key:
            return
        self._rate_key = key
        for mark in self._rate_marks:
            self.plot.getPlotItem().removeItem(mark)
        self._rate_marks = []
        pen, fill = self._pen("rate"), veil(self.plot.palette(), 200)
        for step, rate in key:
            mark = pg.InfiniteLine(
                pos=step + 0.5,
                angle=90,
                movable=False,
                pen=pen,
                label=f"η = {rate:g}",
                labelOpts={"position": 0.92, "color": pen.color(), "fill": fill},
            )
            mark.setToolTip(f"η changed to {rate:g} after step {step:,}")
            self.plot.getPlotItem().addItem(mark, ignoreBounds=True)
            self._rate_marks.append(mark)

    def _pen(self, series: str) -> QPen:
        """The pen of ``series`` (a key of ``SERIES``) on the plot's paper."""
        colors, width, style = SERIES[series]
        return pg.mkPen(colors[is_dark(self.plot.palette())], width=width, style=style)

    def _restyle(self) -> None:
        """Paper, ink and curve colours for the plot's palette (light or dark)."""
        palette = self.plot.palette()
        item = self.plot.getPlotItem()
        style_plot(self.plot, *(item.getAxis(side) for side in ("top", "left", "bottom", "right")))
        style_legend(self.legend, palette)
        for series, curve in self._series.items():
            pen = self._pen(series)
            curve.setPen(pen)
            if curve.opts["symbol"] is not None:
                curve.setSymbolBrush(pen.color())
        self.crosshair.setPen(
            pg.mkPen(mix(paper(palette), palette.color(QPalette.ColorRole.Text), 0.6), style=Qt.PenStyle.DotLine)
        )
        self._rate_key = ()  # drawn again in the new colours
        self._draw_rate_marks(self.model.session.history)
        self._apply_font()
        self.request_refresh()  # the compared runs' curves in their colours for this paper

    # --- interaction -------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_font()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_axes()

    @property
    def compact(self) -> bool:
        """True while the plot is too short for more than its left and bottom ticks (``COMPACT_LINES``)."""
        return not self.plot.getPlotItem().getAxis("top").isVisible()

    def _fit_axes(self) -> None:
        """Show or drop the epoch axis, the axis names and the legend for the plot's height (every time:
        setting the font shows the names again)."""
        compact = self.plot.height() < COMPACT_LINES * QFontMetricsF(self.font()).height()
        item = self.plot.getPlotItem()
        item.showAxis("top", not compact)
        for side in ("bottom", "left"):
            item.getAxis(side).showLabel(not compact)
        self.legend.setVisible(not compact)
        self.legend.room = max(100.0, self.plot.width() - 16.0)
        self.legend.updateSize()

    def _fit_legend(self) -> None:
        """The band above the plot is as high as the legend's rows (none while it is hidden)."""
        shown = self.legend.isVisible() and bool(self.legend.items)
        self.plot.getPlotItem().layout.setRowFixedHeight(0, self.legend.height() + 4 if shown else 0)

    def _apply_font(self) -> None:
        """Ticks, axis names and legend follow the widget's font (presentation mode enlarges it)."""
        font = self.font()
        points = font.pointSizeF()
        item = self.plot.getPlotItem()
        for side, name in (("bottom", "step"), ("left", "loss C"), ("top", "epoch"), ("right", "accuracy %")):
            axis = item.getAxis(side)
            axis.setStyle(tickFont=font)
            axis.setLabel(name, **{"font-size": f"{points:g}pt", "color": ink(self.plot.palette()).name()})
        legend = f"{0.85 * points:.1f}pt"
        self.legend.setLabelTextSize(legend)
        for _sample, label in self.legend.items:
            label.setText(label.text, size=legend)
        self._fit_axes()

    def _set_log(self, on: bool) -> None:
        self.plot.getPlotItem().setLogMode(y=on)
        self.plot.getPlotItem().getAxis("right").setLogMode(False)
        self.view.setLimits(minYRange=MIN_LOG_RANGE if on else None)
        self.refresh()

    def _range_moved(self) -> None:
        if not self.following:
            self._pending.start()  # re-decimate the newly visible range

    def _update_follow_button(self) -> None:
        self.follow.setEnabled(not self.following)

    def _model_changed(self, event: Event) -> None:
        if event.field == Field.SESSION:
            self.request_refresh()

    def _hover(self, pos: QPointF) -> None:
        history = self.model.session.history
        inside = self.view.sceneBoundingRect().contains(pos)
        if not inside or history.steps == 0:
            self.crosshair.setVisible(False)
            self._show_readout(self._summary(history))
            return
        step = int(round(self.view.mapSceneToView(pos).x()))
        step = min(max(step, 1), history.steps)
        self.crosshair.setPos(step)
        self.crosshair.setVisible(True)
        self._show_readout(self.describe_step(step))

    def _show_readout(self, text: str) -> None:
        """Show ``text``; wrapped in a narrow dock, it breaks between its facts ("last C = 0.25"), never
        inside one: only the space after a " · " or " — " may break."""
        nbsp = "\u00a0"
        whole = (f"{nbsp}— ".join(part.replace(" ", nbsp) for part in fact.split(" — ")) for fact in text.split(" · "))
        self.readout.setText(f"{nbsp}· ".join(whole))

    def describe_step(self, step: int) -> str:
        """The read-out for step ``step`` (1-based): step, epoch, its loss, and its epoch's mean if done."""
        history = self.model.session.history
        epoch = epoch_of_step(self._mirrors["epoch_ends"].of(history.epoch_ends), step)
        loss = history.loss_of_step(step)
        shown = "not kept (older than the saved history)" if loss is None else format_number(loss, 5)
        text = f"step {step:,} · epoch {epoch:,} · C = {shown}"
        if epoch <= len(history.epoch_losses):
            text += f" · epoch mean {format_number(history.epoch_losses[epoch - 1], 5)}"
        if epoch <= len(history.validation_losses):
            text += f" · validation {format_number(history.validation_losses[epoch - 1], 5)}"
        for name, values, show in (
            ("test C", history.test_losses, lambda value: format_number(value, 5)),
            ("training accuracy", history.train_accuracies, percent),
            ("test accuracy", history.test_accuracies, percent),
        ):
            index = epoch - history.measured_from(values)
            if 0 <= index < len(values):
                value = values[index]
                text += f" · {name} {show(value)}"
        return text

    @staticmethod
    def _summary(history: LossHistory) -> str:
        if history.steps == 0:
            return "No training yet — press F5 to train"
        text = f"{counted(history.steps, 'step')} · {counted(len(history.epoch_ends), 'epoch')}"
        if history.step_losses:
            text += f" · last C = {format_number(history.step_losses[-1], 5)}"
        if history.epoch_losses:
            text += f" · last epoch mean {format_number(history.epoch_losses[-1], 5)}"
        return text


def round_up(value: float) -> float:
    """The least m·10^k at or above ``value`` (> 0), m one of ``ROUND_MULTIPLES``."""
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in ROUND_MULTIPLES if m * power >= value * (1 - 1e-12))


def round_bounds(
    x0: float, x1: float, y0: float, y1: float, log_y: bool
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Round bounds around the steps ``x0``–``x1`` (> 0) and the losses ``y0``–``y1``: x from ``x0`` to
    ``round_up(x1)``; y out to whole quarters of a decade on a log axis (y > 0), else out to multiples
    of half the power of ten under the span."""
    if log_y:
        y0, y1 = 10.0 ** (math.floor(4 * math.log10(y0)) / 4), 10.0 ** (math.ceil(4 * math.log10(y1)) / 4)
    else:
        unit = 10.0 ** math.floor(math.log10((y1 - y0) or abs(y1) or 1.0)) / 2
        y0, y1 = math.floor(y0 / unit) * unit, math.ceil(y1 / unit) * unit
    return (x0, round_up(x1)), (y0, y1)
