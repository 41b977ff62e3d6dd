"""The network as a graph: neurons coloured by the current phase's values, edges by the weights.

Layer 0 (the inputs x_k) and layers 1..L are columns from left to right, placed by
``core.graph_layout`` from the sizes of the view, the legend and the texts measured here (wide
layers elided, numbers inside the circles or on plates beside them). Items are built once per
architecture; a step only touches the items whose brush, pen or text changed, with brushes and
pens shared per colour bucket, and tooltips are computed on hover. Values a formula panel holds back
(numbers on request) are shown as "?" until it reveals them. Alt+arrow keys (window actions
calling ``move_selection``) walk the selection; a double-click asks to edit a weight or bias.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPalette,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from backprop_gui.core.chain import ChainPath
from backprop_gui.core.debugger_state import DISPLAY, Event, Field, Selection
from backprop_gui.core.edge_labels import EdgeLabelKind, edge_labels, layer_kinds
from backprop_gui.core.formatting import INPUT_NAMES, TARGET_NAMES, data_label
from backprop_gui.core.formulas import focus
from backprop_gui.core.geometry import Box, Size
from backprop_gui.core.graph_layout import (
    HALO,
    LEAST_ELIDED_SHOWN,
    LEGEND_MARGIN,
    MARGIN,
    MAX_SHOWN,
    MIN_INSIDE_FONT,
    NUMBER_GAP,
    GraphLayout,
    GraphTexts,
    layout_graph,
    shown_neurons,
)
from backprop_gui.core.label_placement import Spots, edge_spots, place_edge_labels
from backprop_gui.core.phase_display import current_work, neuron_quantity
from backprop_gui.core.session import EdgeMode
from backprop_gui.core.stepper import Phase, Quantity, Stepper
from backprop_gui.ui.common.colors import (
    ColorLegend,
    diverging_color,
    map_stops,
    mix,
    sign_color,
    text_color_on,
    unknown_brush,
    unknown_color,
)
from backprop_gui.ui.common.rich_text import feature_html
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.neuron_map_items import NeuronMapLayer

Place = tuple[float, float, float]  # of an edge's label: the centre (x, y) and width of its box, in the scene
MOVES = ("up", "down", "left", "right")  # for move_selection: neuron above/below, layer left/right
HELD_TEXT = "?"  # a neuron's value held back until the formula panel reveals it
MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = 0.5, 12.0, 1.25
GLOW = QColor(255, 165, 0)  # the neurons and edges computed in the current phase
COMPACT_LEGEND_SHARE = 0.2  # of the view's height: a taller legend shrinks to one line
MIN_TEXT_POINTS = 10.0  # the graph's texts are never smaller than this
LABEL_FONT_SHARE = 0.9  # edge labels' font, of the graph's
MAPS_TITLE = "Neurons: a<sup>l</sup> over the input plane (x<sub>1</sub>, x<sub>2</sub>), ○ the sample"


def course_name(symbol: str, sub: tuple[int, ...] = (), sup: int | None = None) -> str:
    """Rich text for a course name such as z_2^1 or w_12^2; indices are 1-based as users see them.

    Indices run together (w_12) while all are single digits, else they are comma separated.
    """
    subscript = ("" if all(i < 10 for i in sub) else ",").join(str(i) for i in sub)
    text = html.escape(symbol)
    if subscript:
        text += f"<sub>{subscript}</sub>"
    if sup is not None:
        text += f"<sup>{sup}</sup>"
    return text


class PlatedTextItem(QGraphicsTextItem):
    """Rich text on a plate of the background's colour (``plate``), so that edges behind it do not run
    through its letters."""

    def __init__(self) -> None:
        super().__init__()
        self.plate = QColor()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.plate)
        painter.drawRoundedRect(self.boundingRect(), 3, 3)
        super().paint(painter, option, widget)  # type: ignore[arg-type]  # the stub wants a widget; Qt may give none


def _elision_text(size: int, ends: int) -> str:
    """The mark of a layer of ``size`` neurons drawn ``ends`` at each end: "⋮ (772 hidden)"."""
    return f"⋮ ({size - 2 * ends} hidden)"


def neighbour(selection: Selection | None, sizes: Sequence[int], move: str, start: Selection) -> Selection:
    """Where ``move`` (one of ``MOVES``) takes ``selection`` in a network of layer ``sizes`` (n_0 … n_L).

    A neuron moves to the neuron above or below it in its layer, or to the same row (or the
    nearest) of the layer to its left or right. An edge w_jk^l moves up or down among the edges
    into neuron j (k − 1, k + 1); left and right go to the neurons it joins (k of layer l − 1, j
    of layer l). Moves stop at the ends. With nothing selected, the answer is ``start``.
    """
    if move not in MOVES:
        raise ValueError(f"move must be one of {', '.join(MOVES)}, got {move!r}")
    if selection is None:
        return start
    l, j, k = selection.layer, selection.j, selection.k
    if k is not None:
        if move in ("up", "down"):
            return Selection(l, j, max(0, min(sizes[l - 1] - 1, k + (1 if move == "down" else -1))))
        return Selection(l - 1, k) if move == "left" else Selection(l, j)
    if move in ("up", "down"):
        return Selection(l, max(0, min(sizes[l] - 1, j + (1 if move == "down" else -1))))
    l = max(0, min(len(sizes) - 1, l + (1 if move == "right" else -1)))
    return Selection(l, min(j, sizes[l] - 1))


def _cached(item: QGraphicsItem) -> None:
    """Keep ``item`` drawn in a pixmap until it changes: a step repaints the parts of the view its changes
    touch, and most items there (neurons and their numbers) are as they were, so they are copied, not drawn
    again. (Not the edges: their pixmaps would be as large as the rectangles around the lines; nor the rich
    texts, which Qt leaves blank once a relayout has given them a new font.)"""
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _full(value: float) -> str:
    """Full precision: the shortest text that reads back as exactly ``value``."""
    return repr(float(value)).replace("-", "−")


def _pen_buckets(values: np.ndarray, busy: np.ndarray, dim: bool, limit: float) -> np.ndarray:
    """The pen bucket of each edge value, shape (3, n): the sign (1 positive, 0 not, −1 unknown: NaN), the
    alpha (255 computed now, else 90 while others are, else 200) and the width in tenths of a pixel."""
    unknown = np.isnan(values)
    known = np.where(unknown, 0.0, values)
    alpha = np.where(busy, 255, 90 if dim else 200)
    tenths = np.round(8 + 42 * np.abs(known) / limit + np.where(busy, 12, 0))
    buckets = np.stack([np.where(unknown, -1, known > 0), alpha, tenths]).astype(np.int64)
    buckets[1:, unknown] = 0
    return buckets


@dataclass
class _Style:
    """Palette-dependent colours shared by every item of one view."""

    text: QColor = field(default_factory=lambda: QColor(Qt.GlobalColor.black))
    outline: QColor = field(default_factory=lambda: QColor(Qt.GlobalColor.black))
    neuron_glow: QColor = field(default_factory=lambda: QColor(GLOW))  # opaque: translucent strokes are slow
    edge_glow: QColor = field(default_factory=lambda: QColor(GLOW))
    selection: QColor = field(default_factory=lambda: QColor(Qt.GlobalColor.blue))
    neutral: QBrush = field(default_factory=QBrush)
    plate: QColor = field(default_factory=QColor)
    background: QColor = field(default_factory=QColor)
    muted: QColor = field(default_factory=QColor)
    unknown: QBrush = field(default_factory=QBrush)
    unknown_edge: QColor = field(default_factory=QColor)
    line_scale: float = 1.0  # outlines, edges and halos are this many times their normal width


class NeuronItem(QGraphicsEllipseItem):
    """Neuron j of ``layer`` (a circle centred on its position) with its value as text inside."""

    def __init__(self, layer: int, j: int, style: _Style) -> None:
        super().__init__()
        self.selection = Selection(layer, j)
        self.style = style
        self.glow = False
        self.selected = False
        self.lit = False  # on the chain-rule path under the mouse
        self._marks_drawn = (False, False, False)
        self._halo = 0.0
        self.known = False
        self.beside = False  # the number is drawn beside the circle (crowded layouts), else inside
        self.brush_shown: QBrush | None = None
        self._inside_color = QColor(style.text)  # the number's colour on the circle's fill
        self.value_item = QGraphicsSimpleTextItem(self)
        self.setZValue(2)
        _cached(self)
        _cached(self.value_item)

    def value_text(self) -> str:
        """The number shown inside the circle ("" when the value is not known yet)."""
        return self.value_item.text()

    def set_geometry(self, radius: float, halo: float, beside: bool, font: QFont) -> None:
        """A circle of ``radius`` whose glow ring reaches ``halo`` beyond it; the number in ``font`` inside it
        or, with ``beside``, on a plate to its right."""
        self.prepareGeometryChange()
        self.beside = beside
        self._halo = halo
        self.setRect(QRectF(-radius, -radius, 2 * radius, 2 * radius))
        self.value_item.setFont(font)
        self._color_text()  # on the plate the number takes the text colour, inside the fill's contrast
        self._place_text()

    def show_value(self, text: str, brush: QBrush, text_color: QColor, known: bool) -> None:
        """Fill with ``brush`` and show ``text`` ("" when unknown), in ``text_color`` when inside the circle."""
        self.known = known
        if brush is not self.brush_shown:  # brushes are shared per colour: identity is equality
            self.brush_shown = brush
            self.setBrush(brush)
        self._inside_color = text_color
        self._color_text()
        if text != self.value_item.text():
            self.prepareGeometryChange()
            self.value_item.setText(text)
            self._place_text()

    def text_background(self) -> QColor:
        """The colour behind the number: the plate's (beside) or the circle's fill (inside)."""
        return self.style.plate if self.beside else self.brush().color()

    def set_marks(self, glow: bool, selected: bool, lit: bool = False) -> None:
        """Draw the current-phase halo (``glow``, or ``lit`` on a chain-rule path) and the selection ring;
        repaint only on a change."""
        if (glow, selected, lit) != self._marks_drawn:
            self.glow, self.selected, self.lit = glow, selected, lit
            self._marks_drawn = (glow, selected, lit)
            self.update()

    def halo(self) -> float:
        """How far the glow ring (and, less far, the selection ring) reaches beyond the circle."""
        return self._halo

    def ring_rect(self) -> QRectF:
        """The square around the circle and its glow ring, in item coordinates."""
        h = self.halo()
        return self.rect().adjusted(-h, -h, h, h)

    def _color_text(self) -> None:
        color = self.style.text if self.beside else self._inside_color
        if color != self.value_item.brush().color():
            self.value_item.setBrush(color)

    def _place_text(self) -> None:
        box = self.value_item.boundingRect()
        x = self.rect().right() + self.halo() + NUMBER_GAP if self.beside else -box.width() / 2
        self.value_item.setPos(x, -box.height() / 2)

    def _plate(self) -> QRectF:
        """The background behind a number drawn beside the circle."""
        return self.value_item.mapRectToParent(self.value_item.boundingRect()).adjusted(-3, -1, 3, 1)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        circle = self.ring_rect().adjusted(-1, -1, 1, 1)  # + antialiasing
        return circle.united(self._plate()) if self.beside and self.value_item.text() else circle

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        scale, unit = self.style.line_scale, self.halo() / HALO  # the glow ring: 5 units out, 7 wide, HALO in reach
        ring = self.rect().adjusted(-5 * unit, -5 * unit, 5 * unit, 5 * unit)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.glow or self.lit:
            painter.setPen(QPen(self.style.neuron_glow, 7 * unit))
            painter.drawEllipse(ring)
        painter.setPen(QPen(self.style.outline, (2.2 if self.glow else 1.2) * scale))
        painter.setBrush(self.brush())
        painter.drawEllipse(self.rect())
        if self.selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self.style.selection, 3.2 * unit))
            painter.drawEllipse(ring)
        if self.beside and self.value_item.text():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.style.plate)
            painter.drawRoundedRect(self._plate(), 3, 3)


class EdgeItem(QGraphicsLineItem):
    """The edge w_jk^layer from neuron k of layer−1 to neuron j of layer (0-based j, k)."""

    HIT_WIDTH = 10.0

    def __init__(self, layer: int, j: int, k: int, style: _Style) -> None:
        super().__init__()
        self.selection = Selection(layer, j, k)
        self.style = style
        self.glow = False
        self.selected = False
        self.lit = False  # on the chain-rule path under the mouse
        self._marks_drawn = (False, False, False)
        self.pen_key: tuple | None = None  # the bucket of the pen shown
        self._bounds: tuple[float, QRectF] | None = None  # (line scale, bounding rectangle) kept
        self._pen, self._line = self.pen(), self.line()  # kept for paint, called for every edge shown
        self.setZValue(0)

    def set_marks(self, glow: bool, selected: bool, lit: bool = False) -> None:
        """Draw the current-phase halo (``glow``, or ``lit`` on a chain-rule path) and the selection
        outline; repaint only on a change."""
        if (glow, selected, lit) != self._marks_drawn:
            self.glow, self.selected, self.lit = glow, selected, lit
            self._marks_drawn = (glow, selected, lit)
            self.setZValue(1 if glow or selected or lit else 0)
            self.update()

    def setPen(self, pen: QPen | Qt.PenStyle | QColor) -> None:  # noqa: N802 (Qt's name)
        self._bounds = None  # before Qt asks for the new bounds
        super().setPen(pen)
        self._pen = pen if isinstance(pen, QPen) else self.pen()  # (the view's pens are shared, never changed)

    def setLine(self, *line) -> None:  # noqa: N802 (Qt's name)
        self._bounds = None
        super().setLine(*line)
        self._line = self.line()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        # Computed here and kept until the pen, the line or the scale changes: QGraphicsLineItem's own
        # derives it from shape(), a costly stroke, and Qt asks for it many times per repaint.
        scale = self.style.line_scale
        if self._bounds is None or self._bounds[0] != scale:
            m = self._pen.widthF() / 2 + 9 * scale
            self._bounds = (scale, QRectF(self._line.p1(), self._line.p2()).normalized().adjusted(-m, -m, m, m))
        return self._bounds[1]  # (Qt takes a copy)

    def shape(self) -> QPainterPath:
        path = QPainterPath(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(self.HIT_WIDTH, self.pen().widthF() + 4))
        return stroker.createStroke(path)

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        line = self._line
        if self.selected or self.glow or self.lit:
            width = self._pen.widthF()
            scale = self.style.line_scale
            round_cap = (Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            if self.selected:  # a selection-coloured outline around the edge, apart from its own colour
                painter.setPen(QPen(self.style.selection, width + 9 * scale, *round_cap))
                painter.drawLine(line)
                painter.setPen(QPen(self.style.background, width + 4 * scale, *round_cap))
                painter.drawLine(line)
            else:
                painter.setPen(QPen(self.style.edge_glow, width + 5 * scale, *round_cap))
                painter.drawLine(line)
        painter.setPen(self._pen)
        painter.drawLine(line)


class EdgeLabelItem(QGraphicsItem):
    """The number on an edge: its text on a rounded plate centred on the item's position, the centre of
    the box ``core.label_placement`` reserved for it (at least as large as the plate)."""

    PAD_X, PAD_Y = 3.0, 0.5

    def __init__(self, style: _Style) -> None:
        super().__init__()
        self.style = style
        self.text = ""
        self.muted = False
        self._font = QFont()
        self._text_size = (0.0, 0.0)  # of the text and its padding
        self._reserved = 0.0  # the width of the box reserved for it: the plate is at least as wide
        self._size = QRectF()
        self.setZValue(1.5)  # above the edges, below the neurons (which it never overlaps)
        self.setAcceptHoverEvents(False)
        _cached(self)

    def set_text(self, text: str, font: QFont, muted: bool) -> None:
        if (text, muted) != (self.text, self.muted) or font != self._font:
            self.prepareGeometryChange()
            self.text, self.muted, self._font = text, muted, QFont(font)
            fm = QFontMetricsF(font)
            self._text_size = (fm.horizontalAdvance(text) + 2 * self.PAD_X, fm.height() + 2 * self.PAD_Y)
            self._resize()

    def reserve(self, width: float) -> None:
        """Draw the plate at least ``width`` wide: the box placed for the label, so that its edge, which
        passes through that box, passes through the plate."""
        if width != self._reserved:
            self.prepareGeometryChange()
            self._reserved = width
            self._resize()

    def _resize(self) -> None:
        width, height = max(self._text_size[0], self._reserved), self._text_size[1]
        self._size = QRectF(-width / 2, -height / 2, width, height)
        self.update()

    def size(self) -> tuple[float, float]:
        """The text's size with its padding (what to reserve a box for)."""
        return self._text_size

    def font(self) -> QFont:
        return QFont(self._font)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._size

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.style.plate)
        painter.drawRoundedRect(self._size, 3, 3)
        painter.setFont(self._font)
        painter.setPen(self.style.muted if self.muted else self.style.text)
        painter.drawText(self._size, Qt.AlignmentFlag.AlignCenter, self.text)


class NetworkView(QGraphicsView):
    """The graph of ``model``'s network. Click selects; wheel zooms; drag pans."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._style = _Style()
        self._zoom = 1.0
        self._least_points = MIN_TEXT_POINTS
        self._press: QPointF | None = None
        self._last = QPointF()
        self._panning = False
        self._architecture: tuple = ()
        self._shown: list[list[int]] = []
        self._rebuilding = False  # _build on a change of the shown neurons, from _relayout
        self._neurons: dict[tuple[int, int], NeuronItem] = {}
        self._edges: dict[tuple[int, int, int], EdgeItem] = {}
        self._edge_list: list[EdgeItem] = []  # the edges drawn, layer by layer, row by row
        self._layer_edges: dict[int, list[tuple[int, int, int]]] = {}  # per layer l: its drawn edges (l, j, k)
        self._edge_position: dict[tuple[int, int, int], int] = {}  # by edge (l, j, k): its place in the list
        self._edge_flat: dict[int, np.ndarray] = {}  # per layer l: where its drawn edges are in w^l, flattened
        self._edge_buckets: np.ndarray | None = None  # the pen buckets drawn (``_pen_buckets``); None: none yet
        self._glowing: set[NeuronItem | EdgeItem] = set()  # the items computed in the current phase
        self._marked: set[NeuronItem | EdgeItem] = set()  # the items drawn with a mark (glow, selection, path)
        self._labels: dict[tuple[int, int], QGraphicsTextItem] = {}
        self._captions: list[QGraphicsTextItem] = []
        self._elisions: dict[int, PlatedTextItem] = {}
        self._title: QGraphicsTextItem | None = None
        self._label_html: dict[tuple[int, int], str] = {}
        self._labels_for: tuple | None = None  # (targets, one line, precision) the labels were last set for
        self._brushes: dict[tuple[int, int, int], QBrush] = {}  # per colour of the diverging scale
        self._pens: dict[tuple, QPen] = {}  # per (sign, alpha, width bucket) or ("unknown",)
        self._reveal: FormulaView | None = None  # the panel whose held-back numbers the graph hides too
        self._pending_drawn = False  # whether the last refresh drew with numbers held back
        self._legend_room = QSize()  # the legend's largest size so far: the layout keeps its corner free
        self._one_line_labels = False  # an output's target beside its name, not below it
        self._edge_label_items: dict[tuple[int, int, int], EdgeLabelItem] = {}
        self._label_places: dict[Hashable, Place] = {}  # by edge (l, j, k), as last placed
        self._labels_shown: dict[tuple[int, int, int], Place] = {}  # drawn now, in these places
        self._places_layout: GraphLayout | None = None  # the layout they were placed in
        self._labels_held = False  # hold_label_places
        self._hovered: tuple[int, int] | None = None  # the neuron under the mouse
        self._path: set[Selection] = set()  # the neurons and edges of the chain-rule path to highlight
        self._measure = QGraphicsTextItem()  # measures the outputs' labels in both forms, off the scene
        self._layout: GraphLayout  # set by every relayout, the first in _build
        self._spots: Spots  # set with the layout

        scene = QGraphicsScene(self)
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # items move and restyle every step
        self.setScene(scene)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the window's arrow-key shortcuts stay the window's
        self.setMinimumSize(320, 240)
        self.legend = ColorLegend(self.viewport())
        self.viewport().setMouseTracking(True)  # hovering a neuron of an elided layer labels its edges
        self.maps = NeuronMapLayer(self, model)  # the neurons' maps over the input plane (Neurons Show ▸ Maps)
        self.maps.recomputed.connect(self._maps_recomputed)
        self._legend_scale: tuple[Quantity, float] | None = None  # the neurons' quantity and limit in the legend
        model.changed.connect(self._on_changed)
        self._build()

    # --- public ------------------------------------------------------------------

    def hold_label_places(self, held: bool) -> None:
        """While ``held`` (training redraws the graph several times a second), the numbers on the edges
        change in the places they had, centred there, rather than being placed afresh (which takes tens
        of milliseconds on a dense graph); once released they are placed afresh."""
        if held != self._labels_held:
            self._labels_held = held
            if not held:
                self._refresh_edge_labels()

    @contextmanager
    def drawn_directly(self) -> Iterator[None]:
        """Within it every item draws itself, not a pixmap kept of it: an SVG export keeps text as text."""
        cached = [item for item in self.scene().items() if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            yield
        finally:
            for item in cached:
                _cached(item)

    def edge_label_items(self) -> dict[tuple[int, int, int], EdgeLabelItem]:
        """The labels drawn now, by edge (layer, j, k), 0-based j and k."""
        return {key: item for key, item in self._edge_label_items.items() if item.isVisible()}

    def neuron_rects(self) -> list[QRectF]:
        """The scene rectangles of the drawn neurons, glow rings and numbers beside them included."""
        return [n.mapRectToScene(n.boundingRect()) for n in self._neurons.values()]

    def highlight_path(self, path: ChainPath | None) -> None:
        """Glow the neurons and edges of a chain-rule ``path`` (None: no path)."""
        marks: set[Selection] = set()
        if path is not None:
            marks = {Selection(path.start + d, j) for d, j in enumerate(path.neurons)}
            marks.add(Selection(self.model.stepper.network.depth, path.output))
            marks |= {Selection(l, j, k) for l, j, k in path.edges()}
        if marks != self._path:
            self._path = marks
            self._show_selection()

    @property
    def zoom(self) -> float:
        """The zoom factor on top of fitting the whole network in the view (1 = fit)."""
        return self._zoom

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter)

    def reset_zoom(self) -> None:
        self._zoom = 1.0
        self._fit()

    @property
    def line_scale(self) -> float:
        """How many times their normal width edges, outlines and halos are drawn (2 in presentation mode)."""
        return self._style.line_scale

    def set_line_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError(f"line scale must be positive, got {scale}")
        if scale != self._style.line_scale:
            for item in [*self._neurons.values(), *self._edges.values()]:
                item.prepareGeometryChange()
            self._style.line_scale = scale
            self._forget_styles()
            self._relayout()
            self._refresh()

    def follow_reveal(self, source: FormulaView) -> None:
        """Show what ``source`` holds back (``holds_back``: numbers on request) as "?", until it reveals it."""
        self._reveal = source
        source.revealChanged.connect(self._reveal_changed)
        self._refresh()

    def move_selection(self, move: str) -> None:
        """Select the neighbour of the selection in direction ``move`` (see ``neighbour``); with
        nothing selected, the neuron computed last (else input x_1). Zoomed in, the view follows."""
        stepper = self.model.stepper
        sizes = stepper.network.sizes
        selection = self.model.selection
        if selection is not None and not self._exists(selection, sizes):
            selection = None  # an edit removed it
        start = focus(stepper) or (0, 0)
        chosen = neighbour(selection, sizes, move, Selection(*start))
        self.model.set_selection(chosen)
        items = self.items_for(chosen)
        if items and self._zoom > 1.0:
            self.ensureVisible(items[0])

    def label_text(self, layer: int, j: int) -> str:
        """The plain text of the label beside input ``j`` (layer 0) or output ``j`` (layer L), "" if none."""
        item = self._labels.get((layer, j))
        return item.toPlainText() if item is not None else ""

    def items_for(self, selection: Selection) -> list[QGraphicsItem]:
        """The items drawing ``selection`` (empty when it is elided or does not exist)."""
        item: QGraphicsItem | None
        if selection.k is not None:
            item = self._edges.get((selection.layer, selection.j, selection.k))
        else:
            item = self._neurons.get((selection.layer, selection.j))
        return [item] if item is not None else []

    def tooltip_text(self, selection: Selection) -> str:
        """Rich text naming ``selection`` and every value of it at full precision, or "not yet known"."""
        if selection.k is not None:
            return self._edge_tooltip(selection.layer, selection.j, selection.k)
        return self._neuron_tooltip(selection.layer, selection.j)

    @staticmethod
    def _exists(selection: Selection, sizes: Sequence[int]) -> bool:
        if not 0 <= selection.layer < len(sizes) or not 0 <= selection.j < sizes[selection.layer]:
            return False
        return selection.k is None or (selection.layer >= 1 and 0 <= selection.k < sizes[selection.layer - 1])

    # --- building ------------------------------------------------------------------

    def _architecture_key(self) -> tuple:
        session = self.model.session
        network = session.network
        return (
            session.name,
            tuple(network.sizes),
            network.features,
            tuple(layer.activation for layer in network.layers),
            tuple(session.data.input_labels),
            tuple(session.data.target_labels),
        )

    def _build(self, shown: list[list[int]] | None = None) -> None:
        """Create every item for the current architecture (once per architecture, and again when the
        view's size changes how many neurons of a wide layer are ``shown``: per layer, the 0-based j)."""
        scene = self.scene()
        scene.clear()
        self._neurons.clear()
        self._edges.clear()
        self._edge_list.clear()
        self._layer_edges.clear()
        self._edge_position.clear()
        self._edge_flat.clear()
        self._edge_buckets = None
        self._glowing, self._marked = set(), set()
        self._labels.clear()
        self._captions.clear()
        self._elisions.clear()
        self._label_html.clear()
        self._labels_for = None
        self._edge_label_items.clear()  # scene.clear() deleted them
        self._labels_shown = {}
        self._hovered = None
        self._path = set()
        self._architecture = self._architecture_key()
        session = self.model.session
        network = session.network
        sizes = network.sizes
        depth = network.depth
        self._shown = shown or [shown_neurons(n) for n in sizes]

        self._title = self._text_item(f"<b>{html.escape(session.name)}</b>")
        for l, size in enumerate(sizes):
            if l == 0:
                caption = f"inputs {course_name('x')}" if network.features is None else "features of x"
            else:
                activation = html.escape(network.layer(l).activation)
                caption = f"layer {l} ({activation})" + (" · output" if l == depth else "")
            self._captions.append(self._text_item(caption))
            if size > MAX_SHOWN:
                ends = len(self._shown[l]) // 2
                mark = PlatedTextItem()  # over the edges fanning out behind it
                self._add_text(mark, _elision_text(size, ends))
                mark.setToolTip(f"Neurons {ends + 1}–{size - ends} of this layer are not drawn")
                self._elisions[l] = mark
            for j in self._shown[l]:
                neuron = NeuronItem(l, j, self._style)
                scene.addItem(neuron)
                self._neurons[(l, j)] = neuron
                if l in (0, depth):
                    self._labels[(l, j)] = self._text_item("")
            if l:
                for j in self._shown[l]:
                    for k in self._shown[l - 1]:
                        edge = EdgeItem(l, j, k, self._style)
                        scene.addItem(edge)
                        self._edge_position[(l, j, k)] = len(self._edge_list)
                        self._edges[(l, j, k)] = edge
                        self._edge_list.append(edge)
                        self._layer_edges.setdefault(l, []).append((l, j, k))
                rows, columns = np.array(self._shown[l]), np.array(self._shown[l - 1])
                self._edge_flat[l] = (rows[:, None] * sizes[l - 1] + columns[None, :]).ravel()
        self.maps.attach(self._neurons)
        self._restyle()
        self._update_labels()
        self._relayout()
        self._refresh()

    def _text_item(self, rich_text: str) -> QGraphicsTextItem:
        item = QGraphicsTextItem()
        self._add_text(item, rich_text)
        return item

    def _add_text(self, item: QGraphicsTextItem, rich_text: str) -> None:
        item.setHtml(rich_text)
        item.setZValue(3)
        item.setAcceptHoverEvents(False)
        self.scene().addItem(item)  # not kept in a pixmap: Qt leaves a text blank after a relayout changes its font

    def _data_label(self, labels: list[str], i: int, symbols: tuple[str, ...], whole: bool = False) -> str:
        """``core.formatting.data_label``, escaped for rich text."""
        return html.escape(data_label(labels, i, symbols, whole))

    def _input_label(self, k: int) -> str:
        """x_k, after the data set's name of the input when it says more (``petal length x₁``); for a
        network with input features, a_k^0 = its formula (a₃⁰ = x₁²)."""
        features = self.model.session.network.features
        if features is not None:
            return f"{course_name('a', (k + 1,), 0)} = {feature_html(features[k])}"
        name = self._data_label(self.model.session.data.input_labels, k, INPUT_NAMES)
        text = course_name("x", (k + 1,))
        return f'<span style="color:{self._style.muted.name()}">{name}</span>&nbsp;{text}' if name else text

    def _output_label(self, j: int, target: float, one_line: bool) -> str:
        """a_j^L (and the data set's name of the output), with the target t_j and its value below it
        (beside it, ``one_line``, when the outputs are too close for two lines)."""
        name = self._data_label(self.model.session.data.target_labels, j, TARGET_NAMES)
        text = course_name("a", (j + 1,), self.model.session.network.depth)
        if name:
            text += f'&nbsp;<span style="color:{self._style.muted.name()}">{name}</span>'
        target_text = html.escape(self.model.format(target)) if np.isfinite(target) else "—"
        target_line = f"{course_name('t', (j + 1,))} = {target_text}"
        joint = "&nbsp;&nbsp;" if one_line else "<br>"
        return f'{text}{joint}<span style="color:{self._style.muted.name()}">{target_line}</span>'

    def _update_labels(self) -> None:
        """Set the input and output labels' rich text where it changed (the target changes with the sample)."""
        targets = self._first_sample(self.model.stepper.value(Quantity.TARGET))
        wanted = (targets.tobytes(), self._one_line_labels, self.model.state.precision)
        if wanted == self._labels_for:
            return
        self._labels_for = wanted
        for (l, j), item in self._labels.items():
            text = self._input_label(j) if l == 0 else self._output_label(j, float(targets[j]), self._one_line_labels)
            if self._label_html.get((l, j)) != text:
                self._label_html[(l, j)] = text
                item.setHtml(text)

    # --- layout ----------------------------------------------------------------------

    def item_font(self) -> QFont:
        """The font of the graph's texts: the view's, at least ``MIN_TEXT_POINTS``."""
        font = QFont(self.font())
        if font.pointSizeF() < MIN_TEXT_POINTS:
            font.setPointSizeF(MIN_TEXT_POINTS)
        return font

    @property
    def least_text_points(self) -> float:
        """The smallest the numbers in the circles and on the edges may shrink to, in points."""
        return self._least_points

    def set_least_text_points(self, points: float) -> None:
        """Let no number in a circle or on an edge shrink below ``points`` (presentation mode: its base size)."""
        points = max(MIN_TEXT_POINTS, points)
        if points != self._least_points:
            self._least_points = points
            self._relayout()
            self._refresh()

    @property
    def graph_layout(self) -> GraphLayout:
        """Where everything is drawn, in scene units (see ``core.graph_layout``)."""
        return self._layout

    def _relayout(self) -> None:
        """Place every item where ``core.graph_layout`` puts it for the viewport's size, the legend's and
        the texts' sizes in the current precision and font."""
        font = self.item_font()
        for item in self._text_items():
            item.setFont(font)
        self._fit_title(font)
        self._fit_legend()
        self._legend_room = self._legend_room.expandedTo(self.legend.sizeHint())
        view = self.viewport()
        layout = layout_graph(
            self.model.session.network.sizes,
            self._measure_texts(font),
            Size(view.width(), view.height()),
            Size(self._legend_room.width(), self._legend_room.height()),
            self._style.line_scale,
            numbers_beside=self.maps.active,  # a map fills the circle: its number goes beside it
        )
        if layout.shown != self._shown and not self._rebuilding:  # a wide layer shows more or fewer neurons
            self._rebuilding = True
            try:
                self._build(layout.shown)  # lays out again, to the same layout
            finally:
                self._rebuilding = False
            return
        self._layout = layout
        self._spots = edge_spots(layout)  # what is known of the edge labels' spots, for this layout
        if layout.one_line_labels != self._one_line_labels:
            self._one_line_labels = layout.one_line_labels
            self._update_labels()
        # With maps, the inputs (which have none) keep their numbers inside circles large enough for them.
        inputs_inside = self.maps.active and layout.inside_font_share >= MIN_INSIDE_FONT
        inside_font = QFont(font)
        if layout.inside_font_share < 1 and (inputs_inside or not layout.numbers_beside):
            # (Only where numbers go inside: beside circles too small for any, the share is 0.)
            inside_font.setPointSizeF(font.pointSizeF() * layout.inside_font_share)
        for key, neuron in self._neurons.items():
            centre = layout.neurons[key]
            neuron.setPos(centre.x, centre.y)
            beside = layout.numbers_beside and not (inputs_inside and key[0] == 0)
            neuron.set_geometry(layout.radius, layout.halo, beside, font if beside else inside_font)
        for item, box in self.placed_texts():
            item.setPos(box.x, box.y)
        for edge_key, edge in self._edges.items():
            line = layout.edges[edge_key]
            edge.setLine(line.start.x, line.start.y, line.end.x, line.end.y)
        scene = layout.scene
        self.scene().setSceneRect(QRectF(scene.x, scene.y, scene.width, scene.height))
        self.maps.place()
        self._place_legend()
        self._fit()  # places the edge labels too, clear of the legend

    def placed_texts(self) -> list[tuple[QGraphicsTextItem, Box]]:
        """The graph's texts (input and output labels, captions, elision marks, the title), each with
        the box the layout gave it, in scene units."""
        layout = self._layout
        placed = [
            *zip(self._labels.values(), (layout.labels[key] for key in self._labels), strict=True),
            *zip(self._captions, layout.captions, strict=True),
            *((mark, layout.elisions[l]) for l, mark in self._elisions.items()),
        ]
        if self._title is not None:
            placed.append((self._title, layout.title))
        return placed

    def _measure_texts(self, font: QFont) -> GraphTexts:
        """The sizes of the graph's texts in ``font``, the outputs' labels both on two lines and on one."""
        metrics = QFontMetricsF(font)
        self._measure.setFont(font)

        def size(item: QGraphicsTextItem) -> Size:
            box = item.boundingRect()
            return Size(box.width(), box.height())

        def measured(rich_text: str) -> Size:
            self._measure.setHtml(rich_text)
            return size(self._measure)

        targets = self._first_sample(self.model.stepper.value(Quantity.TARGET))
        sizes = self.model.session.network.sizes
        outputs = shown_neurons(sizes[-1])  # the most shown: the layout may show fewer
        return GraphTexts(
            line=metrics.height(),
            number=metrics.horizontalAdvance(self.model.format(-0.088888888)),
            font_points=font.pointSizeF(),
            least_points=self._least_points,
            title=size(self._title) if self._title is not None else Size(0, 0),
            captions=[size(caption) for caption in self._captions],
            elisions={l: measured(_elision_text(sizes[l], LEAST_ELIDED_SHOWN)) for l in self._elisions},
            inputs={j: measured(self._input_label(j)) for j in shown_neurons(sizes[0])},
            outputs={j: measured(self._output_label(j, float(targets[j]), False)) for j in outputs},
            outputs_one_line={j: measured(self._output_label(j, float(targets[j]), True)) for j in outputs},
        )

    def _fit_title(self, font: QFont) -> None:
        """The session's name as the title, cut with "…" where it is wider than the view (whole in the
        title's tooltip): a long one ran off the view's right edge."""
        if self._title is None:
            return
        name, bold = self.model.session.name, QFont(font)
        bold.setBold(True)
        margins = 2 * self._title.document().documentMargin()
        room = self.viewport().width() - 2 * MARGIN - margins
        shown = QFontMetricsF(bold).elidedText(name, Qt.TextElideMode.ElideRight, max(room, 0.0))
        if shown != self._title.toPlainText():
            self._title.setHtml(f"<b>{html.escape(shown)}</b>")
            self._title.setToolTip(name if shown != name else "")

    def _text_items(self) -> list[QGraphicsTextItem]:
        items = [*self._labels.values(), *self._captions, *self._elisions.values()]
        return items + ([self._title] if self._title is not None else [])

    def _fit(self) -> None:
        rect = self.sceneRect()
        view = self.viewport()
        fit = min(view.width() / rect.width(), view.height() / rect.height()) if rect.width() else 1.0
        scale = fit * self._zoom
        self.setTransform(QTransform.fromScale(scale, scale))
        if self._zoom == 1.0:
            self.centerOn(rect.center())
        self._refresh_edge_labels()  # the legend and the visible part of the scene moved

    def _zoom_by(self, factor: float, anchor: QGraphicsView.ViewportAnchor) -> None:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, self._zoom * factor))
        if zoom == self._zoom:
            return
        previous = self.transformationAnchor()
        self.setTransformationAnchor(anchor)
        self.scale(zoom / self._zoom, zoom / self._zoom)
        self.setTransformationAnchor(previous)
        self._zoom = zoom
        self._refresh_edge_labels()

    def _fit_legend(self) -> None:
        """The full legend where there is room; one line when it would take over a fifth of the height."""
        compact = self.legend.compact
        self.legend.set_compact(False)
        full = self.legend.sizeHint().height()
        self.legend.set_compact(full > COMPACT_LEGEND_SHARE * self.viewport().height())
        if self.legend.compact != compact:
            self._legend_room = QSize()  # the corner the layout keeps free follows the legend's form

    def _place_legend(self) -> None:
        self.legend.resize(self.legend.sizeHint())
        margin = round(LEGEND_MARGIN)  # where the layout keeps the legend's corner free
        self.legend.move(margin, self.viewport().height() - self.legend.height() - margin)

    # --- colours ------------------------------------------------------------------

    def _restyle(self) -> None:
        """Take text, background and outline colours from the palette."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        self._style.text = text
        base = palette.color(QPalette.ColorRole.Base)
        self._style.outline = mix(base, text, 0.67)
        self._style.neuron_glow = mix(base, GLOW, 0.6)
        self._style.edge_glow = mix(base, GLOW, 0.5)
        self._style.selection = palette.color(QPalette.ColorRole.Highlight)
        self._style.neutral = QBrush(palette.color(QPalette.ColorRole.AlternateBase))
        plate = QColor(palette.color(QPalette.ColorRole.Base))
        plate.setAlpha(215)
        self._style.plate = plate
        self._style.background = palette.color(QPalette.ColorRole.Base)
        self._style.unknown = unknown_brush(palette)
        self._style.unknown_edge = unknown_color(palette)
        self.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        for item in self._text_items():
            item.setDefaultTextColor(text)
        # Muted text is mixed from the base and text colours, so it reads on any palette (a system's
        # PlaceholderText can be dark on a dark base).
        muted = mix(palette.color(QPalette.ColorRole.Base), text, 0.68)
        self._style.muted = muted
        for item in [*self._elisions.values(), *self._captions]:
            item.setDefaultTextColor(muted)
        for mark in self._elisions.values():
            mark.plate = plate
        self._label_html.clear()  # the labels' muted spans take the new colour
        self._labels_for = None
        self.maps.restyle()
        self._forget_styles()

    def _forget_styles(self) -> None:
        """Drop the cached brushes and pens, so the next refresh sets every item's afresh."""
        self._brushes.clear()
        self._pens.clear()
        for neuron in self._neurons.values():
            neuron.brush_shown = None
        for edge in self._edges.values():
            edge.pen_key = None
        self._edge_buckets = None

    def _brush(self, value: float, limit: float) -> QBrush:
        """The shared brush of ``value``'s colour on the diverging scale."""
        color = diverging_color(value, limit)
        key = (color.red(), color.green(), color.blue())
        brush = self._brushes.get(key)
        if brush is None:
            brush = self._brushes[key] = QBrush(color)
        return brush

    def _edge_pen(self, key: tuple) -> QPen:
        """The shared pen of a bucket: ("unknown",) or (positive, alpha, width in tenths of a pixel)."""
        pen = self._pens.get(key)
        if pen is None:
            scale = self._style.line_scale
            if key[0] == "unknown":
                pen = QPen(self._style.unknown_edge, 1.0 * scale)
            else:
                positive, alpha, tenths = key
                # Opaque: the sign colour pre-mixed with the background. Translucent wide antialiased
                # lines are many times slower to draw, and so are round caps (the circles hide the ends).
                color = mix(self._style.background, sign_color(1.0 if positive else -1.0), alpha / 255)
                pen = QPen(color, tenths / 10 * scale)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            self._pens[key] = pen
        return pen

    def _refresh(self) -> None:
        """Recolour and relabel every item from the stepper; items are reused, not recreated."""
        stepper = self.model.stepper
        network = stepper.network
        quantity = neuron_quantity(stepper, self.model.neuron_value)
        self._pending_drawn = self._reveal is not None and self._reveal.reveal_pending
        layers = {0: self._first_sample(stepper.value(Quantity.INPUT))}
        for l in range(1, network.depth + 1):
            layers[l] = self._first_sample(stepper.value(quantity, l))
        held = {l for l in layers if l and self._held(quantity, l)}  # drawn as "?", out of the colour scale
        scaled = [values for l, values in layers.items() if (l or quantity is Quantity.ACTIVATION) and l not in held]
        limit = self.model.state.colour_scale.limit(
            stepper, quantity, np.concatenate(scaled) if scaled else np.array([])
        )
        glow_neurons, glow_edges = current_work(stepper, self._shown)
        self._update_labels()

        for (l, j), neuron in self._neurons.items():
            value = layers[l][j]
            neuron.glow = (l, j) in glow_neurons
            if np.isnan(value):
                neuron.show_value("", self._style.unknown, self._style.text, False)
                continue
            if l in held:
                neuron.show_value(HELD_TEXT, self._style.neutral, self._style.text, False)  # plain: known, not shown
                continue
            if l == 0 and quantity is not Quantity.ACTIVATION:
                brush = self._style.neutral
            else:
                brush = self._brush(value, limit)
            neuron.show_value(self.model.format(value), brush, text_color_on(brush.color()), True)

        edge_values, edge_limit = self._edge_values(stepper)
        dim = bool(glow_edges)
        halo = stepper.revealed > 0  # a halo only around one neuron's edges
        for item in self._glowing:
            if isinstance(item, EdgeItem):  # (every neuron's glow is set above)
                item.glow = False
        self._glowing = {neuron for neuron in self._neurons.values() if neuron.glow}
        busy = np.zeros(len(self._edge_list), dtype=bool)
        busy[[self._edge_position[key] for key in glow_edges]] = True
        if halo:
            for key in glow_edges:
                self._edges[key].glow = True
                self._glowing.add(self._edges[key])
        values = [edge_values[l].ravel()[flat] for l, flat in self._edge_flat.items()]
        buckets = _pen_buckets(np.concatenate(values) if values else np.zeros(0), busy, dim, edge_limit)
        before, self._edge_buckets = self._edge_buckets, buckets
        changed = range(len(self._edge_list)) if before is None else np.flatnonzero((buckets != before).any(axis=0))
        for i in changed:  # only the edges whose pen changed
            sign, alpha, tenths = (int(b) for b in buckets[:, i])
            edge = self._edge_list[i]
            edge.pen_key = ("unknown",) if sign < 0 else (sign == 1, alpha, tenths)
            edge.setPen(self._edge_pen(edge.pen_key))
        self._update_legend(quantity, limit)
        self._show_selection()
        self._refresh_edge_labels()
        self.maps.refresh()

    @staticmethod
    def _first_sample(revealed) -> np.ndarray:
        """The first sample's column of a revealed value (NaN where unknown), shape (n,)."""
        values = revealed.values
        return values[:, 0] if values.ndim == 2 else values

    def _edge_values(self, stepper: Stepper) -> tuple[dict[int, np.ndarray], float]:
        """Per layer l, the (n_l, n_{l-1}) values the edges show (NaN where unknown), and their scale."""
        network = stepper.network
        values: dict[int, np.ndarray] = {}
        for l in range(1, network.depth + 1):
            if self.model.edge_mode == EdgeMode.GRADIENTS:
                grads = stepper.value(Quantity.GRAD_WEIGHTS, l).values
                values[l] = np.full_like(grads, np.nan) if self._held(Quantity.GRAD_WEIGHTS, l) else grads
            elif self._held(Quantity.NEW_WEIGHTS, l):
                values[l] = stepper.weights_before(l)[0]  # the update is not revealed yet
            else:
                values[l] = network.layer(l).weights
        quantity = Quantity.GRAD_WEIGHTS if self.model.edge_mode == EdgeMode.GRADIENTS else Quantity.NEW_WEIGHTS
        limit = self.model.state.colour_scale.limit(
            stepper, quantity, np.concatenate([v.ravel() for v in values.values()])
        )
        return values, limit

    def _update_legend(self, quantity: Quantity, limit: float) -> None:
        titles = {
            Quantity.ACTIVATION: "Neurons: activation a<sup>l</sup> (inputs a<sup>0</sup> = x)",
            Quantity.WEIGHTED_INPUT: "Neurons: weighted input z<sup>l</sup>",
            Quantity.DELTA: "Neurons: error δ<sup>l</sup> = ∂C/∂z<sup>l</sup>",
        }
        if self.model.edge_mode == EdgeMode.GRADIENTS:
            edges = "Edges: ∂C/∂w<sub>jk</sub><sup>l</sup> (width |∂C/∂w|, red +, blue −)"
        else:
            edges = "Edges: weight w<sub>jk</sub><sup>l</sup> (width |w|, red +, blue −)"
        edges += f"<br>Scale {html.escape(self.model.state.colour_scale.name)} · numbers: {self._label_legend()}"
        self._legend_scale = (quantity, limit)
        if self.maps.active and self.maps.maps is not None:
            title, ends = self._maps_scale()
            self.legend.set_scale(title, self.model.format(limit), edges, ends, map_stops())
        else:
            self.legend.set_scale(titles[quantity], self.model.format(limit), edges)
        if self._legend_room.expandedTo(self.legend.sizeHint()) != self._legend_room:
            self._relayout()  # a wider legend than the layout kept room for
        else:
            self._place_legend()

    def _maps_scale(self) -> tuple[str, tuple[str, str, str]]:
        """The legend's title and the texts under its colour bar while neurons show maps: the maps'
        colour range (low, middle, high), or each layer's in the title when they differ."""
        maps = self.maps.maps
        assert maps is not None, "only while the maps are drawn"
        levels = sorted(maps.levels.items())
        fmt = self.model.format
        if len({level for _, level in levels}) == 1:
            lo, hi = levels[0][1]
            return MAPS_TITLE, (fmt(lo), fmt((lo + hi) / 2), fmt(hi))
        ranges = ", ".join(f"layer {l} {html.escape(fmt(lo))} … {html.escape(fmt(hi))}" for l, (lo, hi) in levels)
        return f"{MAPS_TITLE}<br>colours from low to high: {ranges}", ("low", "", "high")

    def _maps_recomputed(self) -> None:
        """The maps changed (their colour ranges may have): the legend follows."""
        if self._legend_scale is not None:
            self._update_legend(*self._legend_scale)

    def _show_selection(self) -> None:
        """Mark the selection and the current phase's work; only items whose marks changed repaint, and only
        those marked before or to be marked now are visited."""
        selection = self.model.selection
        path = self._path
        visit = self._marked | self._glowing
        for chosen in (selection, *path):
            if chosen is not None:
                visit.update(item for item in self.items_for(chosen) if isinstance(item, NeuronItem | EdgeItem))
        self._marked = set()
        for item in visit:
            selected, lit = item.selection == selection, item.selection in path
            item.set_marks(item.glow, selected, lit)
            if item.glow or selected or lit:
                self._marked.add(item)
        hidden = set()  # layers where the selection is among the neurons not drawn
        if selection is not None and (selection.layer, selection.j) not in self._neurons:
            hidden.add(selection.layer)
        if selection is not None and selection.is_edge and (selection.layer - 1, selection.k) not in self._neurons:
            hidden.add(selection.layer - 1)
        for l, mark in self._elisions.items():
            mark.setDefaultTextColor(self._style.selection if l in hidden else self._style.muted)

    # --- numbers on the edges -----------------------------------------------------------

    def label_font(self) -> QFont:
        """The edge labels' font: the graph's, a little smaller (it grows with presentation mode), never
        below ``least_text_points``."""
        font = self.item_font()
        font.setPointSizeF(max(self._least_points, font.pointSizeF() * LABEL_FONT_SHARE))
        return font

    def _refresh_edge_labels(self) -> None:
        """Write each edge's number (``core.edge_labels``) where ``core.label_placement`` finds room:
        never over another label, a neuron, a text or the legend; the least important give way. Edges
        touching an elided layer are labelled only for the selected or hovered neuron."""
        if not self._edges:
            return
        stepper = self.model.stepper
        labels = edge_labels(stepper, self.model.state.edge_label_mode)
        selection = self.model.selection
        chosen = {(s.layer, s.j) for s in (selection,) if s is not None and not s.is_edge}
        chosen_edge: tuple[int, int | None, int | None] = (-1, None, None)
        if self._hovered is not None:
            chosen.add(self._hovered)
        current = stepper.current
        busy = current.layer if current is not None and current.phase in (Phase.FORWARD, Phase.BACKWARD) else None
        font = self.label_font()
        in_place = self._labels_held and self._places_layout is self._layout  # see hold_label_places
        requests: dict[tuple[int, int, int], tuple[float, float, float]] = {}
        if selection is not None and selection.is_edge:
            chosen_edge = (selection.layer, selection.j, selection.k)
        for l, layer in labels.items():
            elided = l in self._elisions or l - 1 in self._elisions
            if elided and not any(m in (l, l - 1) for m, _ in chosen) and chosen_edge[0] != l:
                continue  # (the usual case of a wide layer: none of its edges is labelled)
            held = layer.quantity is not None and self._held(layer.quantity, l)
            known, numbers = layer.known, layer.values[-1]
            for key in self._layer_edges[l]:
                _, j, k = key
                if not known[j, k] or (in_place and key not in self._label_places):
                    continue
                touches = (l, j) in chosen or (l - 1, k) in chosen or key == chosen_edge
                if elided and not touches:
                    continue
                item = self._edge_label_items.get(key)
                if item is None:
                    item = self._edge_label_items[key] = EdgeLabelItem(self._style)
                    item.hide()  # until placed
                    self.scene().addItem(item)
                item.set_text(HELD_TEXT if held else layer.text(j, k, self.model.format), font, held)
                size = abs(float(numbers[j, k]))
                importance = (100 if touches else 0) + (10 if l == busy else 0) + size / (1 + size)
                requests[key] = (*item.size(), importance)
        if not in_place:
            seen = _box(self.mapToScene(self.viewport().rect()))
            placed = place_edge_labels(self._layout, requests, seen, self._legend_if_moved(), self._spots)
            self._label_places = {key: (b.x + b.width / 2, b.y + b.height / 2, b.width) for key, b in placed.items()}
            self._places_layout = self._layout
        shown = {key: place for key, place in self._label_places.items() if key in requests}
        if shown == self._labels_shown:
            return  # (the usual step: the same labels in the same places, some with new numbers)
        self._labels_shown = shown
        for key, item in self._edge_label_items.items():
            place = shown.get(key)
            if place is None:
                item.hide()
            else:
                x, y, width = place
                item.setPos(x, y)
                item.reserve(width)
                item.show()

    def _label_legend(self) -> str:
        """What the numbers on the edges are now, as rich text: "∂C/∂w (layers 1–2)", "w old → new"."""
        kinds = layer_kinds(self.model.stepper, self.model.state.edge_label_mode)
        names = {
            EdgeLabelKind.WEIGHT: "w<sub>jk</sub><sup>l</sup>",
            EdgeLabelKind.GRADIENT: "∂C/∂w<sub>jk</sub><sup>l</sup>",
            EdgeLabelKind.UPDATE: "w<sub>jk</sub><sup>l</sup> old → new",
        }
        groups: dict[EdgeLabelKind, list[int]] = {}
        for l, kind in kinds.items():
            if kind is not None:
                groups.setdefault(kind, []).append(l)
        if not groups:
            return "off"
        if len(groups) == 1:
            return names[next(iter(groups))]
        parts = []
        for kind, layers in groups.items():
            span = f"layer {layers[0]}" if len(layers) == 1 else f"layers {min(layers)}–{max(layers)}"
            parts.append(f"{names[kind]} ({span})")
        return ", ".join(parts)

    def _legend_if_moved(self) -> list[Box]:
        """The legend's box in the scene when zoom or panning moved it from the corner the layout keeps free."""
        if self.legend.isHidden():  # (not isVisible: labels are placed before the window first shows)
            return []
        legend = _box(self.mapToScene(self.legend.geometry()))
        kept = self._layout.legend
        return [] if legend.inside(Box(kept.x - 1, kept.y - 1, kept.width + 2, kept.height + 2)) else [legend]

    # --- tooltips -------------------------------------------------------------------

    def _held(self, quantity: Quantity, layer: int = 0) -> bool:
        """Whether ``quantity`` of ``layer`` is known but held back until the formula panel reveals it."""
        return self._reveal is not None and self._reveal.holds_back(quantity, layer)

    def _held_text(self) -> str:
        key = self._reveal.reveal_shortcut if self._reveal is not None else ""
        return "<i>? — not revealed yet" + (f" (press {html.escape(key)})" if key else "") + "</i>"

    def _value_line(self, name: str, revealed, row: int, column: int | None = None, held: bool = False) -> str:
        values = revealed.values
        if not revealed.known[row]:
            return f"{name} = <i>not yet known</i>"
        if held:
            return f"{name} = {self._held_text()}"
        value = values[row, column] if column is not None else (values[row, 0] if values.ndim == 2 else values[row])
        return f"{name} = {_full(value)}"

    def _neuron_tooltip(self, l: int, j: int) -> str:
        stepper = self.model.stepper
        network = stepper.network
        if l == 0 and network.features is not None:
            name = course_name("a", (j + 1,), 0)
            title = f"<b>Input {j + 1}</b>: the feature {name} = {feature_html(network.features[j])} of the raw input"
            return f"{title}<br>{self._value_line(name, stepper.value(Quantity.INPUT), j)}"
        if l == 0:
            label = self._data_label(self.model.session.data.input_labels, j, INPUT_NAMES, whole=True)
            title = f"<b>Input {j + 1}</b>" + (f" ({label})" if label else "")
            lines = [title, self._value_line(course_name("x", (j + 1,)), stepper.value(Quantity.INPUT), j)]
            return "<br>".join(lines)
        layer = network.layer(l)
        n = (j + 1,)
        output = " · output" if l == network.depth else ""
        lines = [f"<b>Neuron {j + 1} of layer {l}</b> ({html.escape(layer.activation)}{output})"]
        for symbol, quantity in (("z", Quantity.WEIGHTED_INPUT), ("a", Quantity.ACTIVATION)):
            value = stepper.value(quantity, l)
            lines.append(self._value_line(course_name(symbol, n, l), value, j, held=self._held(quantity, l)))
        if l == network.depth:
            lines.append(self._value_line(course_name("t", n), stepper.value(Quantity.TARGET), j))
        delta = stepper.value(Quantity.DELTA, l)
        lines.append(self._value_line(course_name("δ", n, l), delta, j, held=self._held(Quantity.DELTA, l)))
        bias = course_name("b", n, l)
        if layer.has_bias:
            grad = stepper.value(Quantity.GRAD_BIASES, l)
            lines.append(self._value_line(f"∂C/∂{bias}", grad, j, held=self._held(Quantity.GRAD_BIASES, l)))
            before = stepper.weights_before(l)[1][j]
            lines.append(self._parameter_line(bias, layer.biases[j], before, Quantity.NEW_BIASES, l))
            lines.append(f"<i>Double-click to edit {bias}</i>")
        return "<br>".join(lines)

    def _edge_tooltip(self, l: int, j: int, k: int) -> str:
        stepper = self.model.stepper
        name = course_name("w", (j + 1, k + 1), l)
        weight, before = stepper.network.layer(l).weights[j, k], stepper.weights_before(l)[0][j, k]
        grads = stepper.value(Quantity.GRAD_WEIGHTS, l)
        lines = [
            f"<b>Edge from neuron {k + 1} of layer {l - 1} to neuron {j + 1} of layer {l}</b>",
            self._parameter_line(name, weight, before, Quantity.NEW_WEIGHTS, l),
            self._value_line(f"∂C/∂{name}", grads, j, k, self._held(Quantity.GRAD_WEIGHTS, l)),
            f"<i>Double-click to edit {name}</i>",
        ]
        return "<br>".join(lines)

    def _parameter_line(self, name: str, now: float, before: float, new: Quantity, l: int) -> str:
        """``name = value``; after Update with its value before, or "?" while the update is held back."""
        if not self.model.stepper.at_end:
            return f"{name} = {_full(now)}"
        shown = self._held_text() if self._held(new, l) else _full(now)
        return f"{name} = {shown} (was {_full(before)} before Update)"

    # --- events ---------------------------------------------------------------------

    def _reveal_changed(self, pending: bool) -> None:
        if pending != self._pending_drawn:  # a step that already redrew needs no second refresh
            self._refresh()

    def _on_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK) and self._architecture_key() != self._architecture:
            self._build()
        elif event.field == Field.SELECTION:
            self._show_selection()
            self._refresh_edge_labels()  # an elided layer labels the selected neuron's edges
        elif event.field in DISPLAY:
            self._relayout()
            self._refresh()
        elif event.field == Field.COLOUR_SCALE:
            self._forget_styles()
            self._refresh()
        elif event.field in (Field.PASS, Field.NETWORK, Field.SESSION, Field.EDGE_LABEL_MODE):
            self._refresh()  # the labels and the legend's line about them

    def _selection_at(self, pos: QPoint) -> Selection | None:
        for item in self.items(pos):
            owner = item.parentItem() or item
            if isinstance(owner, NeuronItem | EdgeItem):
                return owner.selection
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = self._last = event.position()
            self._panning = False
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            moved = event.position() - self._press
            if not self._panning and moved.manhattanLength() >= QApplication.startDragDistance():
                self._panning = True
                self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            if self._panning:
                delta = event.position() - self._last
                self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
                self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            self._last = event.position()
            event.accept()
        else:
            self._hover(self._selection_at(event.position().toPoint()))
            super().mouseMoveEvent(event)

    def _hover(self, selection: Selection | None) -> None:
        """Remember the neuron under the mouse; an elided layer labels the hovered neuron's edges."""
        hovered = (selection.layer, selection.j) if selection is not None and not selection.is_edge else None
        if hovered != self._hovered:
            self._hovered = hovered
            self.maps.hover(hovered)
            if self._elisions:
                self._refresh_edge_labels()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        self._hover(None)
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            if not self._panning:
                self.model.set_selection(self._selection_at(event.position().toPoint()))
            self._press = None
            self._panning = False
            self.viewport().unsetCursor()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A double-click on an edge or a neuron of layer 1..L asks to edit its weight or bias."""
        self.mousePressEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        selection = self._selection_at(event.position().toPoint())
        if selection is not None and selection.layer >= 1:
            self._press = None  # the release that follows neither pans nor selects again
            self.model.set_selection(selection)
            self.model.edit_requested.emit(selection)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        steps = event.angleDelta().y() / 120
        if steps:
            self._zoom_by(ZOOM_STEP**steps, QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            selection = self._selection_at(event.pos())
            if selection is None:
                QToolTip.hideText()
                return super().viewportEvent(event)
            QToolTip.showText(event.globalPos(), self.tooltip_text(selection), self.viewport())
            return True
        return super().viewportEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            if event.type() == QEvent.Type.FontChange:
                self._legend_room = QSize()  # the legend's size follows the font
            self._restyle()
            self._update_labels()
            self._relayout()
            self._refresh()


def _box(area: QRectF | QPolygonF) -> Box:
    """A scene rectangle (or the bounding box of a polygon) as a ``core.label_placement.Box``."""
    rect = area if isinstance(area, QRectF) else area.boundingRect()
    return Box(rect.x(), rect.y(), rect.width(), rect.height())
