"""The window's theme: System, Light or Dark, in View ▸ Theme, saved in the settings, and
``backprop-gui --theme dark`` for one run.

Light and Dark use the Fusion style with Qt's colour scheme (``QStyleHints.setColorScheme``);
where the platform does not follow the request (a bare X server, offscreen) the matching
Fusion palette is set directly, so both themes look the same everywhere. System gives the
platform's own style and palette back. Fusion, wherever it is used, gets flat scroll bars
(``ui.common.scroll_bars``).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QStyleFactory

from backprop_gui.ui.common.actions import ActionId, ActionSpec, make_action
from backprop_gui.ui.common.scroll_bars import with_flat_scroll_bars

THEMES = ("system", "light", "dark")
SETTINGS_KEY = "view/theme"
SCHEMES = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
DARK = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#eeeeee",
    QPalette.ColorRole.Base: "#1e1e1e",
    QPalette.ColorRole.AlternateBase: "#2f2f2f",
    QPalette.ColorRole.Text: "#eeeeee",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#eeeeee",
    QPalette.ColorRole.Highlight: "#3d7dd8",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#a8a8a8",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a",
    QPalette.ColorRole.ToolTipText: "#eeeeee",
    QPalette.ColorRole.Light: "#505050",
    QPalette.ColorRole.Midlight: "#404040",
    QPalette.ColorRole.Mid: "#5a5a5a",
    QPalette.ColorRole.Dark: "#202020",
    QPalette.ColorRole.Shadow: "#101010",
    QPalette.ColorRole.Link: "#7fb2ff",
}
_native_style: str | None = None  # the platform's own style, for "system"
_current = "system"


def dark_palette() -> QPalette:
    """Fusion's dark palette: light grey on dark grey, a blue accent, muted disabled text."""
    palette = QPalette()
    for role, name in DARK.items():
        palette.setColor(role, QColor(name))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def apply_theme(name: str) -> None:
    """Give the running application theme ``name`` (one of THEMES). ValueError names a wrong one."""
    if name not in THEMES:
        raise ValueError(f"theme: must be one of {', '.join(THEMES)}, got {name!r}")
    global _native_style, _current
    _current = name
    app = QApplication.instance()
    assert isinstance(app, QApplication), "a theme needs the QApplication"
    if _native_style is None:
        _native_style = app.style().name()
    hints = QGuiApplication.styleHints()
    if name == "system":
        hints.unsetColorScheme()
        app.setStyle(with_flat_scroll_bars(QStyleFactory.create(_native_style) or QStyleFactory.create("Fusion")))
        app.setPalette(app.style().standardPalette())
        return
    app.setStyle(with_flat_scroll_bars(QStyleFactory.create("Fusion")))
    hints.setColorScheme(SCHEMES[name])
    if hints.colorScheme() == SCHEMES[name]:
        app.setPalette(app.style().standardPalette())
    else:  # the platform ignores the request: set the palette it would have given
        app.setPalette(dark_palette() if name == "dark" else QApplication.style().standardPalette())


def current_theme() -> str:
    """The theme applied last ("system" until one is)."""
    return _current


def saved_theme() -> str:
    """The theme chosen in View ▸ Theme last time ("system" at first)."""
    name = QSettings().value(SETTINGS_KEY, "system")
    return name if name in THEMES else "system"


def install_theme_menu(window: QMainWindow, view_menu: QMenu) -> dict[str, QAction]:
    """Theme in ``view_menu``: System, Light, Dark; choosing one applies it and saves it in the settings."""
    menu = view_menu.addMenu("&Theme")
    group = QActionGroup(menu)
    actions: dict[str, QAction] = {}
    for name in THEMES:
        tip = "The platform's own colours" if name == "system" else f"{name.title()} colours (Fusion style)"
        action = make_action(window, ActionSpec(ActionId.THEME, f"&{name.title()}", tip=tip, checkable=True),
                             partial(_choose, name))  # fmt: skip
        action.setChecked(name == current_theme())
        group.addAction(action)
        menu.addAction(action)
        actions[name] = action
    return actions


def _choose(name: str) -> None:
    apply_theme(name)
    QSettings().setValue(SETTINGS_KEY, name)
