"""The decision map: for 2-D inputs, the network's output over the input plane with the samples on top.

One output is drawn on a blue–white–red scale; several outputs as the arg-max class (in the
class colours of the data view) or one chosen output a_j^L. The numbers come from
``core.decision.evaluate_grid`` (``backprop.forward``); the map redraws whenever the weights
change, which during training is the controller's throttled rate. Given a ``SampleTarget``, the
map also edits the data by hand (``sample_editor``): clicks add and remove samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.decision import MapTooLarge, Plane, class_map, evaluate_grid, map_levels, plane_around
from backprop_gui.core.formatting import format_number, subscript
from backprop_gui.ui.common.colors import map_colormap
from backprop_gui.ui.common.plot_theme import FollowPalette, ink, style_plot, veil
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import ShownRefresh
from backprop_gui.ui.training.data_view import CLASS_COLORS, TEST_FILL, draw_samples, drawn_rows, sample_brushes
from backprop_gui.ui.training.sample_editor import SampleEditor, SampleTarget

RESOLUTION = 120
ARGMAX = -1  # the combo's data for "class (arg-max)"
COLORMAP = map_colormap()


def class_lut(classes: int) -> np.ndarray:
    """Pale class colours for the arg-max image, (classes, 3) uint8."""
    colors = np.array([CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(classes)], dtype=float)
    return (255 - 0.45 * (255 - colors)).astype(np.uint8)


class SmoothImage(pg.ImageItem):
    """An image drawn scaled with bilinear filtering: the map's 120 × 120 cells blend into each other
    rather than show as steps (a class border as a staircase), however large the plot."""

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        super().paint(painter, *args)


class DecisionMap(QWidget):
    """Heat map of a^L over the (x_1, x_2) plane around the session's samples."""

    def __init__(self, model: SessionModel, samples: SampleTarget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.plane: Plane | None = None
        self.outputs: np.ndarray | None = None  # a^L over the grid, (n_L, R, R)
        self.shown: np.ndarray | None = None  # what the image shows, (R, R)
        self._key: tuple = ()
        self._drawn: list[np.ndarray] = []  # the parameters the map was computed from
        self._hold_plane = False  # the next data change keeps the plane if the samples still fit in it
        self._deferring = False  # see ``deferred``
        self._redraw_later = QTimer(self, singleShot=True, interval=0)
        self._redraw_later.timeout.connect(self.redraw)
        self._shown = ShownRefresh(self, self._draw)  # tabbed away, closed or hidden: drawn once seen

        self.choice = QComboBox()
        self.choice.setToolTip("What the colours show")
        header = QHBoxLayout()
        header.setContentsMargins(4, 2, 4, 0)
        header.addWidget(QLabel("Show"))
        header.addWidget(self.choice)
        header.addStretch(1)

        self.plot = pg.PlotWidget()
        # The value under the mouse, over the plot's top left corner.
        self.readout = QLabel(self.plot)
        self.readout.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.readout.hide()
        self.editor = SampleEditor(model, samples, self.plot) if samples is not None else None
        if self.editor is not None:
            header.addWidget(self.editor)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.setLabel("bottom", "x<sub>1</sub>")
        item.setLabel("left", "x<sub>2</sub>")
        self.image = SmoothImage(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen(255, 255, 255, 230, width=1.5))
        self.plot.addItem(self.scatter)
        self.test_scatter = pg.ScatterPlotItem(size=9, brush=TEST_FILL)  # test samples: hollow, ringed in their colour
        self.plot.addItem(self.test_scatter)
        self.colorbar = pg.ColorBarItem(colorMap=COLORMAP, interactive=False, width=12)
        item.layout.addItem(self.colorbar, 2, 5)
        FollowPalette(self.plot, self._restyle)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.message)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        self.choice.currentIndexChanged.connect(lambda _: self.redraw())
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.plot.viewport().installEventFilter(self)
        model.changed.connect(self._model_changed)
        self._reset()

    @property
    def available(self) -> bool:
        """True when the network and data have 2 inputs, so there is a plane to draw."""
        s = self.model.session
        return s.network.raw_input_size == 2 and s.data.inputs.shape[1] == 2

    def _reset(self) -> None:
        """A new session, network shape or data: rebuild the choices, the plane and the samples."""
        s = self.model.session
        self._key = self._layout_key()
        if not self.available:
            self.message.setText(f"The decision map needs 2 inputs; this network has n₀ = {s.network.input_size}.")
            self.stack.setCurrentWidget(self.message)
            self.outputs = self.shown = None
            if self.editor is not None:
                self.editor.hide()
            return
        self.stack.setCurrentWidget(self.plot)
        if self.editor is not None:
            self.editor.show()
        outputs = s.network.layers[-1].size
        self.choice.blockSignals(True)
        previous = self.choice.currentData()
        self.choice.clear()
        if outputs > 1:
            self.choice.addItem("class (arg-max of aᴸ)", ARGMAX)
        for j in range(outputs):
            self.choice.addItem(f"output a{subscript(j + 1)}ᴸ", j)
        self.choice.setCurrentIndex(max(0, self.choice.findData(previous)))
        self.choice.blockSignals(False)
        held, self._hold_plane = self._hold_plane and self.plane is not None, False
        if not (held and self.plane is not None and self.plane.contains(s.data.inputs)):
            self.plane = plane_around(s.data.inputs)
        self._draw_samples()
        p = self.plane
        self.plot.setRange(xRange=(p.x_min, p.x_max), yRange=(p.y_min, p.y_max), padding=0)
        self.redraw()

    def _draw_samples(self) -> None:
        """The samples over the map: training samples filled, test samples hollow (ringed in their colour)."""
        data = self.model.session.data
        rows = drawn_rows(len(data))
        draw_samples(self.scatter, self.test_scatter, data, data.inputs[rows], sample_brushes(data.targets[rows]))

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Within the block, a redraw is put off to an event-loop turn of its own: training redraws the
        graph and this map for the same snapshot, and one after the other neither keeps the loop long."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False

    def _restyle(self) -> None:
        """Paper and ink for the plot's palette (light or dark); the readout over it alike."""
        item = self.plot.getPlotItem()
        style_plot(self.plot, item.getAxis("bottom"), item.getAxis("left"), self.colorbar.axis)
        palette = self.plot.palette()
        back = veil(palette)
        self.readout.setStyleSheet(
            f"background: rgba({back.red()}, {back.green()}, {back.blue()}, {back.alpha()}); "
            f"color: {ink(palette).name()}; padding: 1px 3px"
        )

    def redraw(self) -> None:
        """Evaluate the network over the plane and show the chosen output: now if the map is on screen,
        else once it is (not while its dock is closed or tabbed away)."""
        if self.available and self.plane is not None:
            self._shown.request()

    def _draw(self) -> None:
        if not self.available or self.plane is None:  # (changed since it was asked for)
            return
        if self._deferring:
            self._redraw_later.start()
            return
        network = self.model.session.network
        self._drawn = self._parameters()
        try:
            self.outputs = evaluate_grid(network, self.plane, RESOLUTION)
        except MapTooLarge as error:
            self.message.setText(f"No decision map: {error}.")
            self.stack.setCurrentWidget(self.message)
            self.outputs = self.shown = None
            return
        self.stack.setCurrentWidget(self.plot)
        chosen = self.choice.currentData()
        if chosen == ARGMAX:
            self.shown = class_map(self.outputs)
            classes = self.outputs.shape[0]
            self.colorbar.hide()
            self.image.setLookupTable(class_lut(classes))
            self.image.setImage(self.shown.astype(float), levels=(0, classes), autoLevels=False)
        else:
            self.shown = self.outputs[chosen or 0]
            lo, hi = map_levels(network.layers[-1].activation, self.shown)
            self.image.setImage(
                np.nan_to_num(self.shown, nan=lo, posinf=hi, neginf=lo), levels=(lo, hi), autoLevels=False
            )
            self.image.setColorMap(COLORMAP)
            if self.colorbar.levels() != (lo, hi):  # (setting the same levels redraws the colour bar's axis)
                self.colorbar.setLevels((lo, hi))
            self.colorbar.show()
        p = self.plane
        self.image.setRect(QRectF(p.x_min, p.y_min, p.width, p.height))  # after setImage, which sizes it

    def hold_plane(self) -> None:
        """The next data change edits the samples by hand: keep the plane (so the map does not jump
        under the mouse) as long as every sample is still inside it."""
        self._hold_plane = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The mouse left the plot: the readout goes."""
        if event.type() == QEvent.Type.Leave:
            self.readout.hide()
        return False

    def _model_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK):
            if event.field == Field.SESSION or self._layout_key() != self._key:
                self._reset()
            else:
                self.redraw()
        elif event.field == Field.PASS and not self._drawn_from_current_parameters():
            self.redraw()  # an Update (or stepping it back) changed the weights

    def _parameters(self) -> list[np.ndarray]:
        """The parameter arrays the network holds now. The core replaces them on every change and
        never writes into them, so the very same arrays mean the same map."""
        return [array for layer in self.model.session.network.layers for array in (layer.weights, layer.biases)]

    def _drawn_from_current_parameters(self) -> bool:
        now = self._parameters()
        return len(now) == len(self._drawn) and all(a is b for a, b in zip(now, self._drawn, strict=True))

    def _layout_key(self) -> tuple:
        """What the choices, plane and samples depend on: the data and the network's ends."""
        s = self.model.session
        data, network = s.data, s.network
        return (
            (id(data), data.inputs.shape, data.test_fraction, data.split_seed)
            + (network.input_size, network.features, network.layers[-1].size)
        )  # fmt: skip

    def _hover(self, pos) -> None:
        if self.shown is None or self.outputs is None or self.plane is None:
            return
        point = self.plot.getPlotItem().getViewBox().mapSceneToView(pos)
        p = self.plane
        col = int((point.x() - p.x_min) / p.width * RESOLUTION)
        row = int((point.y() - p.y_min) / p.height * RESOLUTION)
        if not (0 <= row < RESOLUTION and 0 <= col < RESOLUTION):
            self.readout.clear()
            self.readout.hide()
            return
        values = ", ".join(
            f"a{subscript(j + 1)}ᴸ = {format_number(v, 4)}" for j, v in enumerate(self.outputs[:, row, col])
        )
        self.readout.setText(f"x = ({format_number(point.x(), 3)}, {format_number(point.y(), 3)}): {values}")
        corner = self.plot.getPlotItem().getViewBox().sceneBoundingRect().topLeft()
        self.readout.setMaximumWidth(max(80, self.plot.width() - int(corner.x()) - 4))
        self.readout.adjustSize()
        self.readout.move(int(corner.x()) + 2, int(corner.y()) + 2)
        self.readout.show()
