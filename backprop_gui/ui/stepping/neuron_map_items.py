"""Neurons as maps (View ▸ Neurons Show ▸ Maps): every drawn hidden and output neuron of the graph is
filled with the map of its a_j^l over the input plane (``core.neuron_maps``), in the decision map's
colours, with the current sample marked; hovering a neuron shows its map larger beside it.

``NeuronMapLayer`` keeps the maps of one ``NetworkView``: the view tells it when it built its items,
placed them, refreshed them and which neuron is hovered. The maps are recomputed when the weights,
the data or the neurons drawn change, at most every ``MIN_INTERVAL`` seconds (training redraws the
graph often) and in an event-loop turn of their own; for a wide network the grid is coarser
(``core.neuron_maps.map_resolution``), so a recomputation stays about a millisecond's arithmetic and
the event loop never waits on it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from backprop_gui.core.decision import MapTooLarge, Plane, plane_around
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import Sym
from backprop_gui.core.neuron_maps import NeuronMaps, map_resolution, neuron_maps
from backprop_gui.core.session import NeuronValue, Session
from backprop_gui.ui.common.colors import map_lookup_table
from backprop_gui.ui.common.rich_text import sym_html
from backprop_gui.ui.common.session_model import SessionModel

# Of the data's span on each side: with the plane filling a neuron's square, the data's corners then
# fall inside its circle (a margin of (√2 − 1)/2 ≈ 0.21 puts them on it).
MAP_MARGIN = 0.25
MIN_INTERVAL = 0.1  # seconds between two recomputations of the maps
POPUP_SIZE = 168  # pixels: the side of the larger map shown on hover
POPUP_GAP = 10  # pixels between the hovered neuron and its larger map


def maps_unavailable(session: Session) -> str | None:
    """Why the graph cannot draw ``session``'s neurons as maps, or None when it can."""
    network, inputs = session.network, session.data.inputs
    if network.raw_input_size != 2 or inputs.ndim != 2 or inputs.shape[1] != 2:
        return (
            f"Maps need a network with 2 inputs (x₁, x₂) to draw over a plane; this one has n₀ = {network.input_size}"
        )
    return None


def map_image(values: np.ndarray, levels: tuple[float, float]) -> QImage:
    """The map ``values`` (R, R), row 0 at x_2's low end, as an R×R image with x_2 rising upwards, coloured
    on the decision map's scale from ``levels[0]`` to ``levels[1]`` (NaN and −inf as the low end, +inf
    the high end)."""
    lo, hi = levels
    table = map_lookup_table()
    scaled = (np.nan_to_num(values, nan=lo, posinf=hi, neginf=lo) - lo) * ((len(table) - 1) / (hi - lo))
    rgb = np.ascontiguousarray(table[np.clip(np.rint(scaled), 0, len(table) - 1).astype(np.intp)][::-1])
    rows, columns = values.shape
    return QImage(rgb.data, columns, rows, 3 * columns, QImage.Format.Format_RGB888).copy()


def unit_position(plane: Plane, sample: np.ndarray) -> QPointF:
    """Where the raw input ``sample`` (x_1, x_2) lies in ``plane``, as fractions of its width and height."""
    return QPointF((float(sample[0]) - plane.x_min) / plane.width, (float(sample[1]) - plane.y_min) / plane.height)


def _draw_marker(painter: QPainter, rect: QRectF, marker: QPointF, radius: float) -> None:
    """The current sample at ``marker`` (``unit_position``) of the map drawn in ``rect`` (x_2 rising
    upwards): a white dot ringed in black, readable on every colour of the scale."""
    point = QPointF(rect.left() + marker.x() * rect.width(), rect.bottom() - marker.y() * rect.height())
    painter.setPen(QPen(QColor(Qt.GlobalColor.black), max(1.0, radius / 3)))
    painter.setBrush(QColor(Qt.GlobalColor.white))
    painter.drawEllipse(point, radius, radius)


class NeuronMapItem(QGraphicsItem):
    """The map drawn over its parent neuron's circle (and its number inside), clipped to the circle."""

    def __init__(self, neuron: QGraphicsEllipseItem) -> None:
        super().__init__(neuron)
        self.neuron = neuron
        self.rect = QRectF(neuron.rect())  # the circle's, in the neuron's coordinates
        self.values: np.ndarray | None = None  # the map shown, (R, R), as ``NeuronMaps.of`` gives it
        self.image = QImage()
        self.marker: QPointF | None = None  # the current sample, as ``unit_position`` gives it
        self.setZValue(1)  # above the number inside the circle
        self.setAcceptHoverEvents(False)

    def set_map(self, values: np.ndarray, image: QImage, marker: QPointF | None) -> None:
        self.values, self.image, self.marker = values, image, marker
        self.update()

    def set_marker(self, marker: QPointF | None) -> None:
        if marker != self.marker:
            self.marker = marker
            self.update()

    def place(self) -> None:
        """Follow the neuron's circle after the view placed and sized it."""
        if self.neuron.rect() != self.rect:
            self.prepareGeometryChange()
            self.rect = QRectF(self.neuron.rect())

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self.rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        rect = self.rect
        circle = QPainterPath()
        circle.addEllipse(rect)
        painter.save()
        painter.setClipPath(circle)
        painter.drawImage(rect, self.image)
        painter.restore()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self.neuron.pen())
        painter.drawEllipse(rect)
        if self.marker is not None:
            _draw_marker(painter, rect, self.marker, max(2.0, rect.width() * 0.07))


class MapPopup(QGraphicsRectItem):
    """The larger map of the hovered neuron, at a fixed size on screen beside it: a^l_j over x_1, x_2."""

    PAD = 6.0

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(10)
        self.setAcceptHoverEvents(False)
        self.key: tuple[int, int] | None = None
        self.image = QImage()
        self.marker: QPointF | None = None  # as NeuronMapItem.marker
        self.title = QGraphicsTextItem(self)
        self.ranges = QGraphicsTextItem(self)
        self.hide()

    def show_map(self, key: tuple[int, int], title_html: str, ranges_html: str, image: QImage) -> None:
        self.key, self.image = key, image
        self.title.setHtml(title_html)
        self.ranges.setHtml(ranges_html)
        width = max(POPUP_SIZE, self.ranges.boundingRect().width()) + 2 * self.PAD
        title, ranges = self.title.boundingRect().height(), self.ranges.boundingRect().height()
        self.prepareGeometryChange()
        self.setRect(QRectF(0, 0, width, title + POPUP_SIZE + ranges + 2 * self.PAD))
        self.title.setPos(self.PAD, self.PAD / 2)
        self.ranges.setPos(self.PAD, self.PAD + title + POPUP_SIZE)
        self.update()

    def map_rect(self) -> QRectF:
        """Where the map is drawn, in the popup's (pixel) coordinates."""
        box = self.rect()
        return QRectF(
            (box.width() - POPUP_SIZE) / 2, self.PAD / 2 + self.title.boundingRect().height(), POPUP_SIZE, POPUP_SIZE
        )

    def restyle(self, palette: QPalette) -> None:
        self.setBrush(palette.color(QPalette.ColorRole.Base))
        self.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        for text in (self.title, self.ranges):
            text.setDefaultTextColor(palette.color(QPalette.ColorRole.Text))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setPen(self.pen())
        painter.setBrush(self.brush())
        painter.drawRoundedRect(self.rect(), 4, 4)
        square = self.map_rect()
        painter.drawImage(square, self.image)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(square)
        if self.marker is not None:
            _draw_marker(painter, square, self.marker, 4.0)


class NeuronMapLayer(QObject):
    """The neuron maps of ``view`` (a ``NetworkView``) while ``model``'s neurons show Maps."""

    recomputed = Signal()  # the maps (and their colour ranges, ``maps.levels``) were computed anew

    def __init__(self, view: QGraphicsView, model: SessionModel) -> None:
        super().__init__(view)
        self.view = view
        self.model = model
        self.maps: NeuronMaps | None = None  # the maps drawn
        self.items: dict[tuple[int, int], NeuronMapItem] = {}  # by drawn neuron (l, j), layers 1..L
        self.popup = MapPopup()
        self.computed_at = -np.inf  # time.perf_counter() of the last recomputation
        self.compute_seconds = 0.0  # what it took
        self._neurons: Mapping[tuple[int, int], QGraphicsEllipseItem] = {}
        self._drawn_from: list[object] = []  # the arrays the maps were computed from (held, so ids stay unique)
        self._hovered: tuple[int, int] | None = None
        self._later = QTimer(self, singleShot=True)
        self._later.timeout.connect(self._catch_up)

    @property
    def active(self) -> bool:
        """Whether neurons show maps now: the Maps mode is chosen and the session has a 2-D input plane."""
        return self.model.neuron_value == NeuronValue.MAPS and maps_unavailable(self.model.session) is None

    def attach(self, neurons: Mapping[tuple[int, int], QGraphicsEllipseItem]) -> None:
        """The view built new neuron items ``neurons`` by (l, j) (the old ones and their maps are gone)."""
        self._neurons = neurons
        self.items = {}
        self.maps = None
        self._drawn_from = []
        self._hovered = None
        self.popup = MapPopup()
        self.view.scene().addItem(self.popup)
        self.popup.restyle(self.view.palette())

    def refresh(self) -> None:
        """Show the maps of the weights now, or none when the mode is off; mark the current sample.

        Out-of-date maps are recomputed at most every MIN_INTERVAL seconds, in an event-loop turn of
        their own (the view that changed paints first); only the first maps are computed at once."""
        if not self.active:
            for item in self.items.values():
                item.hide()
            self.popup.hide()
            return
        sources = self._sources()
        if self.maps is None or not _same_sources(sources, self._drawn_from):
            wait = self.computed_at + MIN_INTERVAL - time.perf_counter()
            if self.maps is None and wait <= 0:
                self._recompute(sources)
            elif not self._later.isActive():
                self._later.start(max(0, round(wait * 1000)))
        self._show()

    def _catch_up(self) -> None:
        """The timer: recompute the maps if they are still wanted and out of date."""
        if self.active:
            sources = self._sources()
            if self.maps is None or not _same_sources(sources, self._drawn_from):
                self._recompute(sources)
            self._show()

    def place(self) -> None:
        """The view placed and sized its neurons: the maps follow, the larger map closes."""
        for item in self.items.values():
            item.place()
        self.popup.hide()

    def hover(self, key: tuple[int, int] | None) -> None:
        """The mouse is over neuron ``key`` (l, j), or over no neuron: show its larger map, or none."""
        self._hovered = key
        self._show_popup()

    def restyle(self) -> None:
        self.popup.restyle(self.view.palette())

    # --- inside ---------------------------------------------------------------------

    def _sources(self) -> list[object]:
        """What the maps depend on: every parameter array, the data's inputs and which neurons are drawn.
        The core replaces these arrays on every change and never writes into them."""
        session = self.model.session
        arrays: list[object] = [array for layer in session.network.layers for array in (layer.weights, layer.biases)]
        return [*arrays, session.data.inputs, tuple(self._neurons)]

    def _recompute(self, sources: list[object]) -> None:
        start = time.perf_counter()
        session = self.model.session
        drawn: dict[int, list[int]] = {}
        for l, j in self._neurons:
            if l >= 1:
                drawn.setdefault(l, []).append(j)
        try:
            self.maps = neuron_maps(
                session.network, plane_around(session.data.inputs, MAP_MARGIN), map_resolution(session.network), drawn
            )
        except MapTooLarge:
            self.maps = None  # the neurons keep their plain colours
        self._drawn_from = sources
        self.computed_at = time.perf_counter()
        self.compute_seconds = self.computed_at - start
        for key in list(self.items):
            if key not in self._neurons:
                del self.items[key]
        if self.maps is None:
            for item in self.items.values():
                item.hide()
            self.recomputed.emit()
            return
        for (l, j), neuron in self._neurons.items():
            if l < 1:
                continue
            if (l, j) not in self.items:
                self.items[(l, j)] = NeuronMapItem(neuron)
            item = self.items[(l, j)]
            item.place()
            values = self.maps.of(l, j)
            item.set_map(values, map_image(values, self.maps.levels[l]), None)
        self.recomputed.emit()

    def _marker(self) -> QPointF | None:
        """The current sample's raw input (its data row's) in the maps' unit square, or None when there is none."""
        if self.maps is None:
            return None
        rows, inputs = self.model.stepper.sample_indices, self.model.session.data.inputs
        if not len(rows) or not 0 <= rows[0] < len(inputs):
            return None
        return unit_position(self.maps.plane, inputs[rows[0]])

    def _show(self) -> None:
        marker = self._marker()
        for item in self.items.values():
            item.set_marker(marker)
            item.setVisible(self.maps is not None)
        self._show_popup()

    def _show_popup(self) -> None:
        key, maps, popup = self._hovered, self.maps, self.popup
        item = self.items.get(key) if key is not None else None
        if key is None or item is None or maps is None or not self.active or item.values is None:
            popup.hide()
            return
        l, j = key
        activation = self.model.session.network.layer(l).activation
        title = f"{sym_html(Sym('a', str(j + 1), str(l)))} ({activation}) over the input plane"
        p, fmt = maps.plane, self.model.format
        lo, hi = maps.levels[l]
        ranges = (
            f"<small>{sym_html(Sym('x', '1'))} {fmt(p.x_min)} … {fmt(p.x_max)}, "
            f"{sym_html(Sym('x', '2'))} {fmt(p.y_min)} … {fmt(p.y_max)}<br>"
            f"colours {format_number(lo, 3)} (blue) … {format_number(hi, 3)} (red), "
            f"{maps.resolution}×{maps.resolution} grid</small>"
        )
        popup.show_map(key, title, ranges, item.image)
        popup.marker = item.marker
        neuron = item.neuron
        reach = (neuron.rect().width() / 2 + 4) * self.view.transform().m11()  # the circle and its rings, in pixels
        centre = self.view.mapFromScene(neuron.scenePos())
        right = centre.x() + reach + POPUP_GAP + popup.rect().width() <= self.view.viewport().width()
        x = reach + POPUP_GAP if right else -(reach + POPUP_GAP + popup.rect().width())
        top = min(
            max(-popup.rect().height() / 2, -centre.y()),
            self.view.viewport().height() - centre.y() - popup.rect().height(),
        )
        popup.setPos(neuron.scenePos())
        popup.setTransform(popup.transform().fromTranslate(x, top))
        popup.show()


def _same_sources(now: list[object], drawn: list[object]) -> bool:
    return len(now) == len(drawn) and all(
        a is b or (type(a) is tuple and a == b) for a, b in zip(now, drawn, strict=True)
    )
