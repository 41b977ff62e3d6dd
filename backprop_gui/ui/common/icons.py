"""Toolbar icons: the package's SVG files, drawn in the palette's text colour so they suit light and dark."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

SIZES = (16, 20, 24, 32, 48, 64, 96)
ICON_PROPERTY = "icon_name"  # an action's icon drawn by ``icon``: the name to draw it again by


@cache
def svg_source(name: str) -> str:
    """The text of ``resources/icons/<name>.svg``; FileNotFoundError names a missing icon."""
    return files("backprop_gui.resources").joinpath("icons", f"{name}.svg").read_text(encoding="utf-8")


def _pixmap(source: str, color: QColor, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(source.replace("currentColor", color.name()).encode()))
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def icon(name: str, palette: QPalette | None = None) -> QIcon:
    """The icon ``name``, its strokes in ``palette``'s text colour (greyed when disabled)."""
    palette = palette or QGuiApplication.palette()
    source = svg_source(name)
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen else 1.0
    result = QIcon()
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    for size in SIZES:
        result.addPixmap(_pixmap(source, normal, size, ratio), QIcon.Mode.Normal)
        result.addPixmap(_pixmap(source, disabled, size, ratio), QIcon.Mode.Disabled)
    return result


def app_icon() -> QIcon:
    """The application's own icon (fixed colours)."""
    source = svg_source("app")
    result = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        result.addPixmap(_pixmap(source, QColor("black"), size, 1.0))
    return result


class IconRecolorer(QObject):
    """Keeps the icons of ``actions()`` (those that carry ``ICON_PROPERTY``) in ``window``'s palette's
    text colour when the palette changes (a theme switch, presentation mode's high-contrast palette)."""

    def __init__(self, window: QWidget, actions: Callable[[], Iterable[QAction]]) -> None:
        super().__init__(window)
        self.window = window
        self.actions = actions
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for action in self.actions():
                name = action.property(ICON_PROPERTY)
                if name:
                    action.setIcon(icon(name, self.window.palette()))
        return False
