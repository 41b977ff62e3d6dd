"""The layout matrix: the full window on each screen (1024×768 to 3840×2160 at device pixel ratio 2),
light and dark, in the Step, Train and Present layouts, over four sessions at four points of the
pass. For every combination: no visible label, button, tab or dock title has its text cut; nothing
lies outside the screen; Present gives the graph half the window's height; text is large enough;
the graph's labels and the plots' axes have a contrast of at least 4.5:1.

The screens come from the offscreen platform's configuration (``tests/screens.json``, set by the
root conftest). One window per session and screen goes through every palette, layout and step.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontInfo, QFontMetricsF, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDockWidget,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabBar,
    QToolButton,
    QWidget,
)

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.ui.common.colors import is_dark
from backprop_gui.ui.common.screen_fit import fit_on_screen
from backprop_gui.ui.stepping.network_view import EdgeLabelItem, NetworkView, NeuronItem
from backprop_gui.ui.stepping.phase_bar import PhaseButton, short_label
from backprop_gui.ui.window.app import create_window
from backprop_gui.ui.window.theme import apply_theme

from window_helpers import screen_named

pytestmark = pytest.mark.usefixtures("private_places")

SCREENS = ("1024x768", "1366x768", "1920x1080", "2560x1440", "3840x2160@2")
SESSIONS = ("course_simple", "xor", "blobs_softmax", "784-64-10")
POSITIONS = {"Start": 0, "Forward 1": 1, "Backward 1": None, "Update": None}  # None: found from the phases
MIN_CONTRAST = 4.5


def mnist_like() -> Session:
    """A 784-64-10 network on a few random "images" (the size of MNIST)."""
    rng = np.random.default_rng(0)
    network = build_network(784, [64, 10], ["relu", "softmax"], loss="cross_entropy", seed=1)
    targets = np.eye(10)[rng.integers(0, 10, 8)]
    data = Dataset(rng.random((8, 784)), targets)
    return Session("784-64-10", network, data)


def session_named(name: str) -> Session:
    return mnist_like() if name == "784-64-10" else load_example(name)


def luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def on_screen(widget: QWidget) -> bool:
    """Whether ``widget`` is shown and not scrolled or tabbed out of sight."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def text_width(widget: QWidget, text: str) -> float:
    return QFontMetricsF(widget.font()).horizontalAdvance(text.replace("&&", "\0").replace("&", "").replace("\0", "&"))


def label_problem(label: QLabel) -> str | None:
    """Why ``label``'s text does not fit its contents rectangle (None when it fits)."""
    text = QLabel.text(label)  # what it draws: an ElidedLabel's own text() is its whole text, not cut to fit
    if not text or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    room = label.contentsRect()
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        return (
            f"wrapped label {text[:40]!r}: needs {need} px high, has {label.height()}"
            if need > label.height() + 2
            else None
        )
    if label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and "<" in text and ">" in text
    ):
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        need_w, need_h = doc.idealWidth(), doc.size().height()
    else:
        bound = QFontMetricsF(label.font()).boundingRect(text)
        need_w, need_h = bound.width(), QFontMetricsF(label.font()).height()
    if need_w > room.width() + 1 or need_h > room.height() + 2:
        return f"label {text[:40]!r}: needs {need_w:.0f}×{need_h:.0f}, has {room.width()}×{room.height()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    if isinstance(button, PhaseButton):
        shown = button.shown_text()
        if button.window().width() >= 1024 and shown == short_label(button.step) and shown != button.text():
            return f"phase button {button.text()!r} abbreviated to {shown!r} at {button.window().width()} px"
        return None
    text = button.text()
    if not text:
        return None
    if isinstance(button, QToolButton) and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
        return None
    if not isinstance(button, QPushButton | QToolButton):  # check boxes, radio buttons: the style knows the indicator
        need, room = button.sizeHint().width(), button.width()
        return f"button {text!r}: needs {need} px, has {room}" if need > room else None
    room = button.contentsRect().width() - (8 if isinstance(button, QPushButton) else 2)
    need = text_width(button, text)
    return f"button {text!r}: needs {need:.0f} px, has {room}" if need > room + 1 else None


SIDEWAYS_TABS = {QTabBar.Shape.RoundedWest, QTabBar.Shape.RoundedEast, QTabBar.Shape.TriangularWest,
                 QTabBar.Shape.TriangularEast}  # fmt: skip


def tab_problems(bar: QTabBar) -> list[str]:
    problems = []
    for i in range(bar.count()):
        need = text_width(bar, bar.tabText(i))
        rect = bar.tabRect(i)
        room = rect.height() if bar.shape() in SIDEWAYS_TABS else rect.width()  # tabs beside the docks: text upright
        if need > room - 8:
            problems.append(f"tab {bar.tabText(i)!r}: needs {need:.0f} px, has {room}")
    return problems


def dock_title_problem(dock: QDockWidget) -> str | None:
    buttons = 2 * (dock.style().pixelMetric(dock.style().PixelMetric.PM_DockWidgetTitleBarButtonMargin) + 20)
    need = text_width(dock, dock.windowTitle())
    room = dock.width() - buttons - 8
    return f"dock title {dock.windowTitle()!r}: needs {need:.0f} px, has {room}" if need > room else None


def sideways_problem(area: QScrollArea) -> str | None:
    """Why the page of ``area`` (a dock's scrolling page) does not fit its width: it would scroll
    sideways or be cut at the right (None when it fits)."""
    page = area.widget()
    if page is None:
        return None
    need, room = page.minimumSizeHint().width(), area.viewport().width()
    if area.horizontalScrollBar().isVisible() or need > room + 1:
        owner = area.parentWidget()
        while owner is not None and not isinstance(owner, QDockWidget):
            owner = owner.parentWidget()
        name = owner.windowTitle() if owner is not None else type(page).__name__
        return f"{name}: its page needs {need} px wide, has {room} (scrolls sideways)"
    return None


def graph_text_problems(view: NetworkView, min_px: float | None) -> list[str]:
    """The graph's texts on screen, as drawn (their font times the view's scale): smaller than
    ``min_px`` (None: not checked), or not inside their box (a number inside its circle, a label
    inside the box the layout gave it)."""
    found: list[str] = []
    scale = view.transform().m11()
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    layout_boxes = {id(item): box for item, box in view.placed_texts()}
    for item in view.scene().items():
        if not item.isVisible():
            continue
        if isinstance(item, QGraphicsSimpleTextItem):
            font, text = item.font(), item.text()
        elif isinstance(item, QGraphicsTextItem):
            font, text = item.document().defaultFont(), item.toPlainText()
        elif isinstance(item, EdgeLabelItem):
            font, text = item.font(), item.text
        else:
            continue
        if not text.strip() or not item.sceneBoundingRect().intersects(seen):
            continue
        px = QFontInfo(font).pixelSize() * scale
        if min_px is not None and px < min_px - 0.5:
            found.append(f"graph text {text[:20]!r}: {px:.1f} px")
        neuron = item.parentItem()
        if isinstance(neuron, NeuronItem) and not neuron.beside:
            ink = QFontMetricsF(font).tightBoundingRect(text).translated(item.pos())
            ink.translate(0, QFontMetricsF(font).ascent())  # from the baseline to the item's top
            r = neuron.rect().width() / 2
            corners = (ink.topLeft(), ink.topRight(), ink.bottomLeft(), ink.bottomRight())
            if max(math.hypot(c.x(), c.y()) for c in corners) > r:
                found.append(f"number {text!r} sticks out of its circle (radius {r:.0f})")
        elif isinstance(item, EdgeLabelItem):
            plate = item.boundingRect()
            if QFontMetricsF(font).horizontalAdvance(text) > plate.width() + 0.5:
                found.append(f"edge label {text!r} wider than its plate")
        elif id(item) in layout_boxes:
            box, drawn = layout_boxes[id(item)], item.sceneBoundingRect()
            if drawn.width() > box.width + 1 or drawn.height() > box.height + 1:
                found.append(f"graph text {text[:20]!r}: {drawn.width():.0f}×{drawn.height():.0f} in a box "
                             f"of {box.width:.0f}×{box.height:.0f}")  # fmt: skip
    return found


def text_widgets(window: QWidget) -> list[QWidget]:
    kinds = (QLabel, QAbstractButton, QTabBar, QDockWidget)
    return [w for w in window.findChildren(QWidget) if isinstance(w, kinds) and on_screen(w)]


def problems(window, screen_name: str, layout: LayoutName) -> list[str]:
    """Everything wrong with what ``window`` shows now."""
    found: list[str] = []
    screen = window.screen().geometry()
    frame = window.frameGeometry()
    if not screen.adjusted(-2, -2, 2, 2).contains(frame):  # the offscreen platform invents a frame of 1-2 px
        found.append(f"window {frame.getRect()} outside the screen {screen.getRect()}")
    inside = QRect(QRect(0, 0, window.width(), window.height()))
    min_px = 20 if (screen_name, layout) == ("1024x768", LayoutName.PRESENT) else 12
    check_px = (screen_name, layout) in {("1366x768", LayoutName.STEP), ("1024x768", LayoutName.PRESENT)}
    for widget in text_widgets(window):
        rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        if (
            not isinstance(widget, QTabBar)
            and not inside.contains(rect.intersected(inside))
            or not rect.intersects(inside)
        ):
            found.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r} outside the window")
        if isinstance(widget, QLabel):
            found.append(label_problem(widget))
        elif isinstance(widget, QAbstractButton):
            found.append(button_problem(widget))
        elif isinstance(widget, QTabBar):
            found.extend(tab_problems(widget))
        else:
            found.append(dock_title_problem(widget))
        has_text = isinstance(widget, QTabBar | QDockWidget) or bool(getattr(widget, "text", lambda: "")())
        if check_px and has_text and QFontInfo(widget.font()).pixelSize() < min_px:
            name = widget.windowTitle() if isinstance(widget, QDockWidget) else getattr(widget, "text", str)()
            found.append(f"{type(widget).__name__} {str(name)[:30]!r}: {QFontInfo(widget.font()).pixelSize()} px text")
    for area in window.findChildren(QScrollArea):
        if on_screen(area):
            found.append(sideways_problem(area))
    view = window.network_view
    found.extend(graph_text_problems(view, min_px if check_px else None))  # as drawn, scaled down or not
    if layout == LayoutName.PRESENT and view.viewport().height() < 0.5 * window.height():
        found.append(f"graph {view.viewport().height()} px of a {window.height()} px window in Present")
    found.extend(contrast_problems(window))
    return [p for p in found if p]


def contrast_problems(window) -> list[str]:
    found = []
    view = window.network_view
    background = (
        view.backgroundBrush().color()
        if view.backgroundBrush().style()
        else view.palette().color(QPalette.ColorRole.Base)
    )
    for caption in view._captions:
        color = caption.defaultTextColor() if hasattr(caption, "defaultTextColor") else caption.brush().color()
        if contrast(color, background) < MIN_CONTRAST:
            found.append(f"graph caption {color.name()} on {background.name()}: {contrast(color, background):.1f}:1")
    for plot in window.findChildren(pg.PlotWidget):  # the loss plot, the decision map, …
        if not on_screen(plot):
            continue
        item = plot.getPlotItem()
        back = plot.backgroundBrush().color()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            label = axis.label.defaultTextColor()
            colors = (("ticks", axis.textPen().color()), ("line", axis.pen().color()), ("name", label))
            for name, color in colors:
                if contrast(color, back) < MIN_CONTRAST:
                    found.append(f"{plot.objectName() or 'plot'} {side} {name} {color.name()} on {back.name()}")
    return found


def steps_to(window, position: str) -> int:
    phases = [p.label for p in window.model.stepper.phases]
    return POSITIONS[position] if POSITIONS[position] is not None else phases.index(position) + 1


@pytest.mark.parametrize("screen_name", SCREENS)
@pytest.mark.parametrize("session_name", SESSIONS)
def test_every_layout_fits_the_screen(qtbot, screen_name, session_name):
    screen = screen_named(screen_name)
    window = create_window(session_named(session_name))
    qtbot.addWidget(window)
    window.setScreen(screen)
    window.setGeometry(screen.availableGeometry())
    with qtbot.waitExposed(window):
        window.show()
    fit_on_screen(window)  # now that the frame is known
    qtbot.waitUntil(lambda: window.layout_controller.ready)
    found: list[str] = []
    try:
        for theme in ("light", "dark"):
            apply_theme(theme)
            # The dark palette changes colours, not sizes: two points of the pass are enough there.
            positions = list(POSITIONS) if theme == "light" else ["Start", "Backward 1"]
            for layout in LayoutName:
                window.layout_controller.set_layout(layout)
                window.model.reset_pass()
                done = 0
                for position in positions:
                    target = steps_to(window, position)
                    while done < target:
                        window.model.step()
                        done += 1
                    QApplication.processEvents()
                    found += [f"{theme} {layout} {position}: {p}" for p in problems(window, screen_name, layout)]
                    if is_dark(window.palette()) != (theme == "dark"):  # Present's high contrast follows the theme
                        found.append(f"{theme} {layout}: the window's palette is not {theme}")
            window.layout_controller.set_layout(LayoutName.STEP)
    finally:
        apply_theme("system")
    unique = list(dict.fromkeys(found))
    assert not unique, f"{len(unique)} problems:\n" + "\n".join(unique[:30])
