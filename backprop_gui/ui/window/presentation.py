"""Presentation (lecture) mode: readable from the back of a lecture hall, and a blank screen.

Turning it on sets every text of the window — menus, toolbar, status bar, dock titles, the graph,
the phase bar, the formula panel, the plots and the dialogs opened meanwhile — to one base size
derived from the screen (``core.layouts.presentation_font_px``: its height and DPI), draws thicker
edges and outlines, switches the window to a high-contrast palette of its own (light, or dark while
the theme is dark), hides every dock but the formula panel and the loss plot (and their title bars:
their tabs, beside them, or their contents name them), asks before showing new numbers in the
formula panel, and goes full screen. Turning it off restores exactly what was there before: dock
layout, geometry, window state, palette, fonts, title bars, tabs and the formula option.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QScreen,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDockWidget,
    QHeaderView,
    QMainWindow,
    QTabWidget,
    QToolBar,
    QWidget,
)
from shiboken6 import isValid

from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.layouts import MIN_PRESENT_PX, REFERENCE_DPI, presentation_font_px
from backprop_gui.ui.common.colors import is_dark
from backprop_gui.ui.common.docks import dock_tab_bars, docks_in
from backprop_gui.ui.common.screen_fit import fit_dialogs_on_screen, fit_on_screen
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import is_shown
from backprop_gui.ui.common.window_menus import menu_tree
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.network_view import NetworkView
from backprop_gui.ui.stepping.phase_bar import PhaseBar

LINE_SCALE = 2.0  # edges, outlines and halos in the graph
ICON_SCALE = 1.4  # toolbar icons, as a multiple of the base text size
INDICATOR_SCALE = 0.8  # check boxes' boxes, as a multiple of the base text size
TAB_SLACK = 8  # px the bottom row's tabs leave spare down its side, else they go under it
FORMULA_SHARE = 0.25  # of the screen's height, for the formula panel
GRAPH_SHARE = 0.5  # of the window's height, at least, for the graph …
GRAPH_MARGIN = 8  # … and this many pixels more, so that rounding never takes it below
FORMULA_LINES = 8  # plain lines of room for the formula panel, where the graph can spare them: the phase's
# heading and its equation whole, in four lines with sub- and superscripts; the graph gets the rest …
FORMULA_LEAST = 4  # … and at least this many where the graph needs the room to keep its text size
FORMULA_WIDTH = 0.6  # of the screen's width, for the formula panel beside the loss plot
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
KEPT_DOCKS = ("formula", "loss")  # the keys of the docks that stay visible: the formula panel and the loss plot


LIGHT_COLORS = {  # black on white
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
DARK_COLORS = {  # white on black
    QPalette.ColorRole.Window: "#000000",
    QPalette.ColorRole.WindowText: "#ffffff",
    QPalette.ColorRole.Base: "#000000",
    QPalette.ColorRole.AlternateBase: "#1a1a1a",
    QPalette.ColorRole.Text: "#ffffff",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Button: "#1c1c1c",
    QPalette.ColorRole.ButtonText: "#ffffff",
    QPalette.ColorRole.Highlight: "#1f5fbf",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#c4c4c4",
    QPalette.ColorRole.ToolTipBase: "#1c1c1c",
    QPalette.ColorRole.ToolTipText: "#ffffff",
    QPalette.ColorRole.Light: "#5a5a5a",
    QPalette.ColorRole.Midlight: "#3a3a3a",
    QPalette.ColorRole.Mid: "#6a6a6a",
    QPalette.ColorRole.Dark: "#0a0a0a",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Link: "#8ab8ff",
}


def presentation_palette(dark: bool = False) -> QPalette:
    """A high-contrast palette: black on white, a deep blue accent, dark greys for muted text; or,
    ``dark``, white on black, a lighter blue accent, light greys for muted text."""
    palette = QPalette()
    colors = DARK_COLORS if dark else LIGHT_COLORS
    for role, name in colors.items():
        palette.setColor(role, QColor(name))
    disabled = "#8a8a8a"  # 3.4:1 on white, 6:1 on black: readable, and plainly not enabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return palette


def sized_font(font: QFont, points: float) -> QFont:
    """``font`` at ``points`` points."""
    result = QFont(font)
    result.setPointSizeF(points)
    return result


def least_points(screen: QScreen | None) -> float:
    """The smallest text presentation mode draws (``MIN_PRESENT_PX``) in points of ``screen``'s logical DPI."""
    dpi = screen.logicalDotsPerInchY() if screen is not None else REFERENCE_DPI
    return MIN_PRESENT_PX * 72 / dpi


def base_points(screen: QScreen | None) -> float:
    """The presentation base text size on ``screen`` in points (of the screen's logical DPI)."""
    height = screen.geometry().height() if screen is not None else 768
    dpi = screen.logicalDotsPerInchY() if screen is not None else REFERENCE_DPI
    return presentation_font_px(height, dpi) * 72 / dpi


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
    points: float = 0.0  # the large text's size
    ask_first: bool = False
    line_scale: float = 1.0
    least_text_points: float = 0.0
    icon_sizes: dict[QToolBar, QSize] = field(default_factory=dict)
    title_bars: dict[QDockWidget, QWidget | None] = field(default_factory=dict)  # None: the dock's own
    tab_position: QTabWidget.TabPosition = QTabWidget.TabPosition.South  # of the bottom docks' tabs
    style_sheets: dict[QCheckBox, str] = field(default_factory=dict)  # the check boxes' own, before


class PresentationMode(QObject):
    """Presentation mode of ``window``, on while ``model``'s state says so: ``active``, ``set_active``,
    ``toggle``; ``toggled`` once the window has changed.

    ``docks`` (by key, "formula" among them) and ``toolbars`` are the window's, held by reference:
    docks and toolbars added to them later are presented too.

    ``blank()`` covers the screen (only while active); any key or click uncovers it.
    """

    toggled = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        model: SessionModel,
        network_view: NetworkView,
        phase_bar: PhaseBar,
        formula_view: FormulaView,
        docks: Mapping[str, QDockWidget],
        toolbars: Sequence[QToolBar],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.network_view = network_view
        self.phase_bar = phase_bar
        self.formula_view = formula_view
        self.docks = docks
        self.toolbars = toolbars
        self.overlay = BlankOverlay(window)
        self._saved: _Saved | None = None
        self._tabs_timer = QTimer(self)  # places the tabs once Qt has placed the docks
        self._tabs_timer.setSingleShot(True)
        self._tabs_timer.timeout.connect(self.place_tabs)
        window.installEventFilter(self)
        fit_dialogs_on_screen(window).found.connect(self._present_dialog)  # (each dialog, before it shows)
        self.model = model
        model.changed.connect(self._on_changed)

    @property
    def active(self) -> bool:
        return self.model.state.presentation

    @property
    def blanked(self) -> bool:
        return self.overlay.isVisible()

    def toggle(self) -> None:
        self.set_active(not self.active)

    def set_active(self, on: bool) -> None:
        self.model.state.set_presentation(on)

    def _on_changed(self, event: Event) -> None:
        if event.field != Field.PRESENTATION or bool(event.value) == (self._saved is not None):
            return
        if event.value:
            self._enter()
        else:
            self._leave()
        self.toggled.emit(event.value)

    def blank(self) -> None:
        """Cover the window in black (presentation mode only); the next key or click uncovers it."""
        if self.active and not self.blanked:
            self.overlay.cover()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """A theme chosen while presenting: the high-contrast palette follows it, light or dark. A dock
        shown, hidden or tabbed while presenting: its tabs are placed again (``place_tabs``)."""
        if watched is self.window and event.type() == QEvent.Type.ApplicationPaletteChange and self.active:
            dark = is_dark(QGuiApplication.palette())
            if dark != is_dark(self.window.palette()):
                self.window.setPalette(presentation_palette(dark))
        if watched is self.window and event.type() == QEvent.Type.LayoutRequest and self._saved is not None:
            self._tabs_timer.start()  # a dock shown, hidden or tabbed: once Qt has placed them
        return False

    def place_tabs(self) -> None:
        """The bottom row's tabs beside its panels, where their height is the text's, while every title
        fits down the row's side at the large size; else under the panels, where they fit across (three
        titles down a 1024×768 projector's row had read "For…", "L…", "Gradient c…")."""
        w = self.window
        if self._saved is None:
            return
        docks = docks_in(w, BOTTOM, self.docks.values())
        titles = {d.windowTitle() for d in docks}
        docks = [d for d in docks if is_shown(d)]
        bars = [
            b
            for b in dock_tab_bars(w)
            if b.isVisible() and b.count() > 1 and all(b.tabText(i) in titles for i in range(b.count()))
        ]
        if not bars or not docks:  # (none in sight: the window blanked)
            return
        row = w.statusBar().geometry().top() - min(d.geometry().top() for d in docks)  # tabs beside or under
        length = max(
            sum(max(b.tabSizeHint(i).width(), b.tabSizeHint(i).height()) for i in range(b.count())) for b in bars
        )
        # TAB_SLACK to spare: titles that fit the row exactly, as measured, may still be elided
        side = QTabWidget.TabPosition.West if length + TAB_SLACK <= row else QTabWidget.TabPosition.South
        if w.tabPosition(BOTTOM) != side:
            w.setTabPosition(BOTTOM, side)

    # --- on and off ---------------------------------------------------------------------

    def _font_widgets(self) -> list[QWidget]:
        """The window and the widgets that keep a font of their own (menus are windows of their own)."""
        w = self.window
        widgets: list[QWidget] = [w, self.network_view, self.phase_bar, self.formula_view, w.statusBar()]
        loss = self.docks.get("loss")
        widgets += [loss.widget()] if loss is not None else []  # the loss plot keeps a font of its own
        return widgets + menu_tree(w)  # every menu: each popup is a window of its own

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
            least_text_points=self.network_view.least_text_points,
            icon_sizes={bar: bar.iconSize() for bar in self.toolbars},
            title_bars={dock: dock.titleBarWidget() for key, dock in self.docks.items() if key in KEPT_DOCKS},
            tab_position=w.tabPosition(BOTTOM),
        )
        w.setPalette(presentation_palette(dark=is_dark(w.palette())))
        points = self._saved.points = base_points(w.screen())
        for widget in fonts:
            widget.setFont(sized_font(widget.font(), points))
        self.network_view.set_line_scale(LINE_SCALE)
        self.network_view.set_least_text_points(least_points(w.screen()))  # numbers shrink to fit, not below that
        self.formula_view.set_ask_first(True)
        self._scale_check_boxes(w)
        for dialog in w.findChildren(QDialog):
            self._present_dialog(dialog)
        icon = round(QFontMetricsF(w.font()).height() * ICON_SCALE)
        for bar in self._saved.icon_sizes:
            bar.setIconSize(QSize(icon, icon))
        formula = self.docks["formula"]
        for key, dock in self.docks.items():
            if key not in KEPT_DOCKS:
                dock.hide()
        for dock in self._saved.title_bars:
            dock.setTitleBarWidget(QWidget(dock))  # an empty one: no title bar
        w.setTabPosition(BOTTOM, QTabWidget.TabPosition.West)  # tabs beside the panels: their height is the text's
        formula.show()
        w.showFullScreen()
        screen = w.screen()
        height = screen.geometry().height() if screen is not None else w.height()
        width = screen.geometry().width() if screen is not None else w.width()
        w.resizeDocks([formula], [round(FORMULA_SHARE * height)], Qt.Orientation.Vertical)
        beside = [d for d in self.docks.values() if d is not formula and d.isVisible() and not d.isFloating()]
        if beside:  # the formula panel first: the loss plot shares the row
            rest = round((1 - FORMULA_WIDTH) * width / len(beside))
            w.resizeDocks(
                [formula, *beside], [round(FORMULA_WIDTH * width), *[rest] * len(beside)], Qt.Orientation.Horizontal
            )
        self.keep_graph_share()
        QTimer.singleShot(0, self, self.keep_graph_share)  # again once the window is full screen

    def _scale_check_boxes(self, root: QWidget) -> None:
        """The boxes of ``root``'s check boxes as large as its text: the style draws them 13 px at any font."""
        saved = self._saved
        assert saved is not None
        box = round(QFontMetricsF(root.font()).height() * INDICATOR_SCALE)
        for check in root.findChildren(QCheckBox):
            if check not in saved.style_sheets:
                saved.style_sheets[check] = check.styleSheet()
                check.setStyleSheet(f"QCheckBox::indicator {{ width: {box}px; height: {box}px; }}")

    def _present_dialog(self, dialog: QDialog) -> None:
        """Give ``dialog`` the large text (and check boxes) until presentation mode ends: a dialog is a
        window of its own, and Qt passes it no font from the window (F1's list of keys, F2's edit of a
        weight, a question had stayed at the desktop size on the projector)."""
        saved = self._saved
        if saved is None or dialog in saved.fonts:
            return
        ratio = saved.points / QFontInfo(dialog.font()).pointSizeF()  # (a font set in pixels has no point size)
        headers = dialog.findChildren(QHeaderView)  # (a table's headers keep a font of their own)
        for widget in (dialog, *headers):
            saved.fonts[widget] = QFont(widget.font()) if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont) else None
            widget.setFont(sized_font(widget.font(), saved.points))
        if dialog.testAttribute(Qt.WidgetAttribute.WA_Resized):  # a size of its own: as much larger as its text
            dialog.resize(round(dialog.width() * ratio), round(dialog.height() * ratio))  # (fitted to the screen)
        self._scale_check_boxes(dialog)

    def keep_graph_share(self) -> None:
        """Give the graph at least GRAPH_SHARE of the window's height, the formula panel FORMULA_LINES
        lines where the graph can spare them, and the graph the rest; then, if the graph had to be
        scaled down (its text smaller), as much more as it needs, down to FORMULA_LEAST lines."""
        w = self.window
        formula = self.docks["formula"]
        if not self.active or not formula.isVisible():
            self.network_view.reset_zoom()
            return
        self._settle()
        line = QFontMetricsF(self.formula_view.font()).lineSpacing()
        spare = self.network_view.height() - round(GRAPH_SHARE * w.height()) - GRAPH_MARGIN
        wanted = round(FORMULA_LINES * line) - self.formula_view.viewport().height()
        self._resize_formula(spare if spare < 0 else min(spare, wanted))
        scale = self.network_view.graph_layout.scale
        if scale < 1:
            needed = math.ceil(self.network_view.height() * (1 / scale - 1)) + 2
            least = round(FORMULA_LEAST * line) - self.formula_view.viewport().height()
            self._resize_formula(-max(0, min(needed, -least)))
        self.network_view.reset_zoom()

    def _resize_formula(self, change: int) -> None:
        """Make the formula panel ``change`` pixels taller (shorter, if negative)."""
        if not change:
            return
        w, formula, bar = self.window, self.docks["formula"], self.window.statusBar()
        # Qt sizes the bottom row as a whole: the formula panel with the tab bar under it, if tabbed
        row = (bar.geometry().top() if bar.isVisible() else w.height()) - formula.geometry().top()
        w.resizeDocks([formula], [row + change], Qt.Orientation.Vertical)
        self._settle()

    def _settle(self) -> None:
        """Let the window's layout place its docks and central widget now (the graph lays itself out)."""
        layout = self.window.layout()
        if layout is not None:
            layout.activate()

    def _leave(self) -> None:
        w = self.window
        saved = self._saved
        assert saved is not None
        self.overlay.uncover()
        self._saved = None
        w.setWindowState(saved.window_state)
        w.restoreGeometry(saved.geometry)
        fit_on_screen(w)
        QTimer.singleShot(0, w, lambda: fit_on_screen(w))  # again once the window manager has placed it
        w.setPalette(saved.palette if saved.palette is not None else QPalette())
        for widget, font in saved.fonts.items():
            if isValid(widget):  # (a dialog closed while presenting may be gone)
                widget.setFont(font if font is not None else QFont())  # an empty font inherits again
        for check, sheet in saved.style_sheets.items():
            if isValid(check):
                check.setStyleSheet(sheet)
        self.network_view.set_line_scale(saved.line_scale)
        self.network_view.set_least_text_points(saved.least_text_points)
        self.formula_view.set_ask_first(saved.ask_first)
        for bar, size in saved.icon_sizes.items():
            bar.setIconSize(size)
        for dock, title_bar in saved.title_bars.items():
            dock.setTitleBarWidget(title_bar)  # type: ignore[arg-type]  # None gives the dock its own title bar
        w.setTabPosition(BOTTOM, saved.tab_position)
        w.restoreState(saved.state)
        self.network_view.reset_zoom()
