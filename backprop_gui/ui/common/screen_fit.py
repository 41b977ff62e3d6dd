"""Keeping windows and dialogs on their screen: never larger than it, never partly off it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget


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
    """Fits every dialog of ``window`` to its screen as it shows (installed by ``fit_dialogs_on_screen``).

    The window's own dialogs, and theirs, are caught before they show, through the child events of
    the window and of each dialog; a dialog opened over a panel inside the window is caught when it
    takes the keyboard focus. Watching these rather than every event of the application keeps the
    window's own work (each paint, timer and layout) free of a call into Python.

    ``found`` gives each dialog opened over the window as it is caught (again at times): before it shows,
    or as it takes the keyboard. Presentation mode gives it the large text then.
    """

    found = Signal(QDialog)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.ChildPolished:
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QDialog):
                child.installEventFilter(self)  # once: installing again only moves it to the front
                self.found.emit(child)
        elif kind == QEvent.Type.Show and isinstance(watched, QDialog) and watched.isWindow():
            fit_on_screen(watched)
        return False

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        dialog = new.window() if new is not None else None
        if isinstance(dialog, QDialog) and dialog.isVisible():
            fit_on_screen(dialog)
            dialog.installEventFilter(self)  # its own dialogs, and its later shows
            if _opened_over(self.window, dialog):
                self.found.emit(dialog)


def _opened_over(window: QWidget, dialog: QWidget) -> bool:
    """Whether ``dialog`` was opened over ``window``: one of its parents, at any depth, is ``window``."""
    parent = dialog.parentWidget()
    while parent is not None and parent is not window:
        parent = parent.parentWidget()
    return parent is window


def fit_dialogs_on_screen(window: QWidget) -> DialogsOnScreen:
    """``DialogsOnScreen`` of ``window``, installed once however often it is called."""
    found = window.findChild(DialogsOnScreen, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return found if found is not None else DialogsOnScreen(window)
