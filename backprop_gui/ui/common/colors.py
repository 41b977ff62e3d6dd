"""Colours for the graph: a diverging blue–white–red scale symmetric around 0, and its legend.

Values are coloured relative to a ``limit`` (the largest known |value| of the quantity
shown): −limit is deep blue, 0 is near-white, +limit is deep red. Values not known yet
are drawn with a grey hatched brush and never get a colour of their own.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QLinearGradient,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextDocument,
)
from PySide6.QtWidgets import QWidget

MAP_COLORMAP = "CET-D1"  # blue–white–red: the decision map's and the neuron maps' colour scale


@cache
def map_colormap() -> pg.ColorMap:
    """The maps' colour scale, from low (blue) through the middle (white) to high (red)."""
    return pg.colormap.get(MAP_COLORMAP)


@cache
def map_stops() -> tuple[tuple[float, QColor], ...]:
    """The maps' colour scale as gradient stops: (position 0..1 from low to high, colour), 17 of them."""
    table = map_lookup_table()
    return tuple((i / 16, QColor(*(int(c) for c in table[min(255, i * 16)]))) for i in range(17))


@cache
def map_lookup_table() -> np.ndarray:
    """The maps' colour scale as 256 colours, (256, 3) uint8, low to high."""
    table: np.ndarray = map_colormap().getLookupTable(nPts=256, alpha=False)
    return table


# ColorBrewer RdBu, from −1 (blue) through 0 (near-white) to +1 (red).
_STOPS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (-1.0, (33, 102, 172)),
    (-0.5, (146, 197, 222)),
    (0.0, (247, 247, 247)),
    (0.5, (244, 165, 130)),
    (1.0, (178, 24, 43)),
)
DIVERGING_STOPS = tuple(((t + 1) / 2, QColor(*rgb)) for t, rgb in _STOPS)  # as gradient stops, 0..1
POSITIVE = QColor(178, 24, 43)
NEGATIVE = QColor(33, 102, 172)


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` is a dark theme (its base colour is dark)."""
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


def mix(base: QColor, other: QColor, amount: float) -> QColor:
    """The colour ``amount`` (0..1) of the way from ``base`` to ``other`` (opaque)."""
    channels = zip(
        (base.redF(), base.greenF(), base.blueF()), (other.redF(), other.greenF(), other.blueF()), strict=True
    )
    return QColor.fromRgbF(*(b + amount * (o - b) for b, o in channels))


def diverging_color(value: float, limit: float) -> QColor:
    """The colour of ``value`` on the blue–white–red scale from −``limit`` to +``limit``."""
    t = max(-1.0, min(1.0, value / limit)) if limit > 0 and math.isfinite(value) else 0.0
    for (t0, c0), (t1, c1) in zip(_STOPS, _STOPS[1:], strict=False):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return QColor(*(round(a + f * (b - a)) for a, b in zip(c0, c1, strict=True)))
    return QColor(*_STOPS[-1][1])


def sign_color(value: float, alpha: int = 255) -> QColor:
    """Red for a positive ``value``, blue for a negative one (and 0)."""
    color = QColor(POSITIVE if value > 0 else NEGATIVE)
    color.setAlpha(alpha)
    return color


def text_color_on(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill``."""
    luminance = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF()
    return QColor(Qt.GlobalColor.black) if luminance > 0.45 else QColor(Qt.GlobalColor.white)


def unknown_color(palette: QPalette) -> QColor:
    """The flat grey of "not yet known" (edges), suited to ``palette``."""
    return QColor(110, 110, 110) if is_dark(palette) else QColor(175, 175, 175)


def unknown_brush(palette: QPalette) -> QBrush:
    """A grey, diagonally hatched brush for values that are not known yet."""
    dark = is_dark(palette)
    pixmap = QPixmap(8, 8)
    pixmap.fill(QColor(72, 72, 72) if dark else QColor(222, 222, 222))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(118, 118, 118) if dark else QColor(168, 168, 168), 1.2))
    painter.drawLine(QPointF(-1, 9), QPointF(9, -1))
    painter.drawLine(QPointF(-1, 1), QPointF(1, -1))
    painter.drawLine(QPointF(7, 9), QPointF(9, 7))
    painter.end()
    return QBrush(pixmap)


class ColorLegend(QWidget):
    """A small overlay: the colour bar from −limit to +limit, what the neurons and edges show.

    ``set_scale(title_html, limit_text)`` sets the quantity (rich text, already escaped)
    and the number printed at the ends of the bar; ``edges_html`` describes the edges. Another
    scale (the neuron maps') gives its own texts at the bar's ends and its own colours.
    ``set_compact(True)`` shrinks it to one line (the quantity, then the bar), for small views.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.title_html = ""
        self.limit_text = ""
        self.edges_html = ""
        self.ends: tuple[str, str, str] | None = None  # the bar's texts (low, middle, high), else −limit, 0, +limit
        self.stops = DIVERGING_STOPS
        self.compact = False
        self._doc = QTextDocument()
        self._doc.setDocumentMargin(0)
        self._doc_made_for: tuple = ()  # what ``_doc`` holds: (html, font, text colour)

    def set_scale(
        self,
        title_html: str,
        limit_text: str,
        edges_html: str,
        ends: tuple[str, str, str] | None = None,
        stops: tuple[tuple[float, QColor], ...] = DIVERGING_STOPS,
    ) -> None:
        """Show ``title_html`` over a blue–white–red bar labelled −``limit_text`` … 0 … +``limit_text``,
        or labelled ``ends`` (low, middle, high) in the colours ``stops`` ((position 0..1, colour), …)."""
        now = (title_html, limit_text, edges_html, ends, stops)
        if now != (self.title_html, self.limit_text, self.edges_html, self.ends, self.stops):
            self.title_html, self.limit_text, self.edges_html, self.ends, self.stops = now
            self.resize(self.sizeHint())
            self.update()

    def end_texts(self) -> tuple[str, str, str]:
        """The texts under the bar's low end, middle and high end."""
        return self.ends or (f"−{self.limit_text}", "0", f"+{self.limit_text}")

    def set_compact(self, on: bool) -> None:
        """One line (``on``: the quantity and the bar) or the full legend."""
        if on != self.compact:
            self.compact = on
            self.resize(self.sizeHint())
            self.update()

    def plain_text(self) -> str:
        """What the legend says, as plain text (for tests and accessibility)."""
        return self._text().toPlainText()

    def _text(self) -> QTextDocument:
        """The legend's text laid out, parsed again only when it, the font or the colours changed (a
        repaint of the graph under the legend repaints the legend too)."""
        color = self.palette().color(QPalette.ColorRole.Text).name()
        made_for = (self._html(), self.font().key(), color)
        if made_for != self._doc_made_for:
            self._doc_made_for = made_for
            self._doc.setDefaultFont(self.font())
            self._doc.setDefaultStyleSheet(f"body {{ color: {color}; }}")
            self._doc.setHtml(f"<body>{made_for[0]}</body>")
            self._doc.setTextWidth(-1)
        return self._doc

    def _html(self) -> str:
        return self.title_html if self.compact else f"{self.title_html}<br>{self.edges_html}"

    def _compact_bar_width(self, fm: QFontMetricsF) -> float:
        low, _, high = self.end_texts()
        return fm.horizontalAdvance(low) + fm.horizontalAdvance(high) + 70

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        fm = QFontMetricsF(self.font())
        text = self._text().size()
        if self.compact:
            width = text.width() + 12 + self._compact_bar_width(fm) + 20
            return QSize(round(width), round(max(text.height(), fm.height()) + 12))
        bar = sum(fm.horizontalAdvance(end) for end in self.end_texts()) + 40
        width = max(text.width(), bar + fm.horizontalAdvance("not yet known") + 46, 200)
        return QSize(round(width + 20), round(text.height() + fm.height() * 2 + 24))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(palette.color(QPalette.ColorRole.Base))
        background.setAlpha(225)
        frame = QColor(palette.color(QPalette.ColorRole.Text))
        frame.setAlpha(60)
        painter.setPen(QPen(frame, 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)

        fm = QFontMetricsF(self.font())
        text = self._text()
        painter.save()
        painter.translate(10, 6 if self.compact else 8)
        text.drawContents(painter)
        painter.restore()
        if self.compact:
            self._paint_compact_bar(painter, fm, frame)
            painter.end()
            return

        top = 8 + text.size().height() + 6
        unknown_w = fm.horizontalAdvance("not yet known") + 26
        bar = QRectF(10, top, self.width() - 30 - unknown_w, fm.height() * 0.8)
        _draw_scale_bar(painter, bar, frame, self.stops)
        swatch = QRectF(bar.right() + 10, top, fm.height() * 0.8, fm.height() * 0.8)
        painter.setBrush(unknown_brush(palette))
        painter.drawRect(swatch)

        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.setFont(QFont(self.font()))
        baseline = bar.bottom() + fm.ascent() + 3
        low, middle, high = self.end_texts()
        painter.drawText(QPointF(bar.left(), baseline), low)
        painter.drawText(QPointF(bar.center().x() - fm.horizontalAdvance(middle) / 2, baseline), middle)
        painter.drawText(QPointF(bar.right() - fm.horizontalAdvance(high), baseline), high)
        painter.drawText(QPointF(swatch.right() + 5, swatch.center().y() + fm.ascent() / 2 - 1), "not yet known")
        painter.end()

    def _paint_compact_bar(self, painter: QPainter, fm: QFontMetricsF, frame: QColor) -> None:
        """The one-line form: −limit, the colour bar, +limit, after the quantity's name."""
        low, _, high = self.end_texts()
        left = 10 + self._text().idealWidth() + 12
        baseline = self.height() / 2 + fm.ascent() / 2 - 2
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.setFont(QFont(self.font()))
        painter.drawText(QPointF(left, baseline), low)
        bar = QRectF(
            left + fm.horizontalAdvance(low) + 6, self.height() / 2 - fm.height() * 0.35, 50, fm.height() * 0.7
        )
        _draw_scale_bar(painter, bar, frame, self.stops)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.drawText(QPointF(bar.right() + 6, baseline), high)


def _draw_scale_bar(painter: QPainter, bar: QRectF, frame: QColor, stops: tuple[tuple[float, QColor], ...]) -> None:
    """The colour scale ``stops`` from low (left) to high (right) in ``bar``, outlined in ``frame``."""
    gradient = QLinearGradient(bar.topLeft(), bar.topRight())
    for position, color in stops:
        gradient.setColorAt(position, color)
    painter.setPen(QPen(frame, 1))
    painter.setBrush(QBrush(gradient))
    painter.drawRect(bar)
