"""Presentation (lecture) mode: readable from the back of a lecture hall, and a blank screen.

Turning it on enlarges the fonts of the graph, the phase bar and the formula panel, draws
thicker edges and outlines, switches the window to a high-contrast light palette of its own,
hides every dock but the formula panel and the loss plot, asks before showing new numbers
in the formula panel, and goes full screen. Turning it off restores exactly what was there
before: dock layout, geometry, window state, palette, fonts and the formula option.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar, QWidget

from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.network_view import NetworkView
from backprop_gui.ui.stepping.phase_bar import PhaseBar
from backprop_gui.ui.training.loss_plot import LossPlot

FONT_SCALE = 2.0  # the graph, the phase bar and the formula panel
STATUS_FONT_SCALE = 1.5  # the status bar (phase, sample, loss, η) and the loss plot
LINE_SCALE = 2.0  # edges, outlines and halos in the graph
ICON_SCALE = 1.5  # the debugger toolbar
FORMULA_SHARE = 0.3  # of the screen's height, for the formula panel
FORMULA_WIDTH = 0.6  # of the screen's width, for the formula panel beside the loss plot
KEPT_DOCKS = ("formulaDock", "loss_plot", "dock_loss")  # object names of the docks that stay visible
LOSS_PLOT = "loss_plot"  # the object name of the loss plot: the dock holding it stays visible too


def presentation_palette() -> QPalette:
    """A high-contrast light palette: black on white, a deep blue accent, dark greys for muted text."""
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#ffffff",
        QPalette.ColorRole.WindowText: "#000000",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#eeeeee",
        QPalette.ColorRole.Text: "#000000",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Button: "#f2f2f2",
        QPalette.ColorRole.ButtonText: "#000000",
        QPalette.ColorRole.Highlight: "#0046ad",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#4a4a4a",
        QPalette.ColorRole.ToolTipBase: "#ffffe8",
        QPalette.ColorRole.ToolTipText: "#000000",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#e0e0e0",
        QPalette.ColorRole.Mid: "#808080",
        QPalette.ColorRole.Dark: "#404040",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Link: "#0046ad",
    }
    for role, name in colors.items():
        palette.setColor(role, QColor(name))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8a8a8a"))
    return palette


def scaled_font(font: QFont, factor: float) -> QFont:
    """``font`` at ``factor`` times its point size."""
    result = QFont(font)
    result.setPointSizeF(font.pointSizeF() * factor)
    return result


class BlankOverlay(QWidget):
    """A black cover over the whole window, like slide software's "B": any key or click removes it.

    While shown it takes the keyboard, so the key that removes it does nothing else (a presenter
    clicker's PageDown uncovers the screen without stepping).
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("blankOverlay")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self._focus_before: QWidget | None = None
        parent.installEventFilter(self)
        self.hide()

    def cover(self) -> None:
        self._focus_before = self.window().focusWidget()
        self.setGeometry(self.window().rect())
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.grabKeyboard()

    def uncover(self) -> None:
        if self.isVisible():
            self.releaseKeyboard()
            self.hide()
            if self._focus_before is not None:
                self._focus_before.setFocus(Qt.FocusReason.OtherFocusReason)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:  # every key comes here, none triggers an action
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() not in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
            self.uncover()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self.uncover()
        event.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if isinstance(watched, QWidget) and watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(watched.rect())
        return False


@dataclass
class _Saved:
    """What presentation mode changed, to put back exactly."""

    geometry: QByteArray
    state: QByteArray
    window_state: Qt.WindowState
    palette: QPalette | None  # None: the window inherited the application's palette
    fonts: dict[QWidget, QFont | None] = field(default_factory=dict)  # None: the widget inherited its font
    ask_first: bool = False
    line_scale: float = 1.0
    icon_size: QSize = field(default_factory=QSize)


class PresentationMode(QObject):
    """Presentation mode of ``window``: ``active``, ``set_active``, ``toggle``; ``toggled`` on every change.

    ``blank()`` covers the screen (only while active); any key or click uncovers it.
    """

    toggled = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        network_view: NetworkView,
        phase_bar: PhaseBar,
        formula_view: FormulaView,
        formula_dock: QDockWidget,
        toolbar: QToolBar,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.network_view = network_view
        self.phase_bar = phase_bar
        self.formula_view = formula_view
        self.formula_dock = formula_dock
        self.toolbar = toolbar
        self.overlay = BlankOverlay(window)
        self._saved: _Saved | None = None

    @property
    def active(self) -> bool:
        return self._saved is not None

    @property
    def blanked(self) -> bool:
        return self.overlay.isVisible()

    def toggle(self) -> None:
        self.set_active(not self.active)

    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        if on:
            self._enter()
        else:
            self._leave()
        self.toggled.emit(on)

    def blank(self) -> None:
        """Cover the window in black (presentation mode only); the next key or click uncovers it."""
        if self.active and not self.blanked:
            self.overlay.cover()

    # --- on and off ---------------------------------------------------------------------

    def _font_widgets(self) -> dict[QWidget, float]:
        w = self.window
        widgets = {self.network_view: FONT_SCALE, self.phase_bar: FONT_SCALE, self.formula_view: FONT_SCALE,
                   w.statusBar(): STATUS_FONT_SCALE}  # fmt: skip
        widgets.update({plot: STATUS_FONT_SCALE for plot in w.findChildren(LossPlot)})
        return widgets

    def _enter(self) -> None:
        w = self.window
        fonts = self._font_widgets()
        self._saved = _Saved(
            geometry=w.saveGeometry(),
            state=w.saveState(),
            window_state=w.windowState(),
            palette=QPalette(w.palette()) if w.testAttribute(Qt.WidgetAttribute.WA_SetPalette) else None,
            fonts={x: QFont(x.font()) if x.testAttribute(Qt.WidgetAttribute.WA_SetFont) else None for x in fonts},
            ask_first=self.formula_view.ask_first,
            line_scale=self.network_view.line_scale,
            icon_size=self.toolbar.iconSize(),
        )
        w.setPalette(presentation_palette())
        for widget, factor in fonts.items():
            shown = self.network_view.item_font() if widget is self.network_view else widget.font()
            widget.setFont(scaled_font(shown, factor))
        self.network_view.set_line_scale(LINE_SCALE)
        self.formula_view.set_ask_first(True)
        self.toolbar.setIconSize(self._saved.icon_size * ICON_SCALE)
        formula = self.formula_dock
        for dock in w.findChildren(QDockWidget):
            if dock.objectName() not in KEPT_DOCKS and dock.findChild(QWidget, LOSS_PLOT) is None:
                dock.hide()
        formula.show()
        w.showFullScreen()
        screen = w.screen()
        height = screen.geometry().height() if screen is not None else w.height()
        width = screen.geometry().width() if screen is not None else w.width()
        w.resizeDocks([formula], [round(FORMULA_SHARE * height)], Qt.Orientation.Vertical)
        beside = [d for d in w.findChildren(QDockWidget) if d is not formula and d.isVisible() and not d.isFloating()]
        if beside:  # the formula panel first: the loss plot shares the row
            rest = round((1 - FORMULA_WIDTH) * width / len(beside))
            w.resizeDocks(
                [formula, *beside], [round(FORMULA_WIDTH * width), *[rest] * len(beside)], Qt.Orientation.Horizontal
            )
        self.network_view.reset_zoom()

    def _leave(self) -> None:
        w = self.window
        saved = self._saved
        assert saved is not None
        self.overlay.uncover()
        self._saved = None
        w.setWindowState(saved.window_state)
        w.restoreGeometry(saved.geometry)
        w.setPalette(saved.palette if saved.palette is not None else QPalette())
        for widget, font in saved.fonts.items():
            widget.setFont(font if font is not None else QFont())  # an empty font inherits again
        self.network_view.set_line_scale(saved.line_scale)
        self.formula_view.set_ask_first(saved.ask_first)
        self.toolbar.setIconSize(saved.icon_size)
        w.restoreState(saved.state)
        self.network_view.reset_zoom()
