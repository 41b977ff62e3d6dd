"""Keeping windows and dialogs on their screen: never larger than it, never partly off it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

DIALOGS_FILTER = "dialogs_on_screen"  # the application's property once ``DialogsOnScreen`` is installed


def fit_on_screen(widget: QWidget) -> None:
    """Shrink ``widget`` to its screen's available area if it is larger, and move it inside
    (a top-level window or dialog; its frame counts). A dialog belongs on its parent's screen."""
    parent = widget.parentWidget()
    screen = (parent.window().screen() if parent is not None else widget.screen()) or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    frame, inner = widget.frameGeometry(), widget.geometry()
    extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
    width = min(inner.width(), area.width() - extra_w)
    height = min(inner.height(), area.height() - extra_h)
    if (width, height) != (inner.width(), inner.height()):
        widget.resize(width, height)
    box = QRect(frame.topLeft(), widget.frameGeometry().size())
    left = min(max(box.left(), area.left()), area.right() + 1 - box.width())
    top = min(max(box.top(), area.top()), area.bottom() + 1 - box.height())
    if (left, top) != (box.left(), box.top()):
        widget.move(left, top)


class DialogsOnScreen(QObject):
    """Installed on the application by ``fit_dialogs_on_screen``: every dialog, as it shows, fits its screen."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog) and watched.isWindow():
            fit_on_screen(watched)
        return False


def fit_dialogs_on_screen(app: QCoreApplication) -> None:
    """Install ``DialogsOnScreen`` on ``app``, once however often it is called."""
    if not app.property(DIALOGS_FILTER):
        app.installEventFilter(DialogsOnScreen(app))
        app.setProperty(DIALOGS_FILTER, True)
