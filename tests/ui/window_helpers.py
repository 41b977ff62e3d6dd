"""Helpers shared by the UI tests: the full window shown and active (or filling one of the test
screens), the session features on a bare QMainWindow, message boxes answered when they show,
unsaved changes forgotten."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QScreen, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu, QMessageBox

from backprop_gui.core.session import Session
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.sessions.controller import SessionController, install_session_features
from backprop_gui.ui.window.app import create_window
from backprop_gui.ui.window.main_window import MainWindow


def open_window(qtbot, session: Session, file_path: str | None = None) -> MainWindow:
    """The full window over ``session`` (from ``file_path``, if given), 1366×768, shown and active."""
    window = create_window(session, file_path=file_path)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def screen_named(name: str) -> QScreen:
    """The offscreen test screen ``name`` ("1024x768", …; see tests/screens.json), or a skip."""
    screen = next((s for s in QGuiApplication.screens() if s.name() == name), None)
    if screen is None:
        pytest.skip(f"the offscreen test screens are not configured (no screen {name}; see tests/screens.json)")
    return screen


def window_on_screen(qtbot, session: Session, name: str) -> MainWindow:
    """The full window over ``session`` filling test screen ``name``, shown, its layout arranged."""
    screen = screen_named(name)
    window = create_window(session)
    qtbot.addWidget(window)
    window.setScreen(screen)
    window.setGeometry(screen.availableGeometry())
    with qtbot.waitExposed(window):
        window.show()
    qtbot.waitUntil(lambda: window.layout_controller.ready)
    return window


def when_modal(handle: Callable[[QDialog], object], kind: type[QDialog] = QDialog) -> None:
    """Call ``handle`` with the next modal dialog of ``kind`` once it shows (it must close it)."""

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, kind):
            QTimer.singleShot(10, look)
            return
        handle(box)

    QTimer.singleShot(0, look)


def bare_session_window(
    tmp_path, session: Session, window: QMainWindow | None = None, file_menu: QMenu | None = None
) -> SessionController:
    """The session features installed on ``window`` (default a new, empty QMainWindow) with their items
    in ``file_menu`` (default a new File menu) and a new Edit menu, their settings in
    ``tmp_path``/settings.ini, autosaves in ``tmp_path``/autosave and no restore offer."""
    window = window or QMainWindow()
    file_menu = file_menu or window.menuBar().addMenu("&File")
    edit_menu = window.menuBar().addMenu("&Edit")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return install_session_features(
        window, SessionModel(session), file_menu, edit_menu,
        settings=settings, autosave_dir=str(tmp_path / "autosave"), offer_restore=False,
    )  # fmt: skip


def discard_changes(controller: SessionController) -> None:
    """So that closing the window at the end of a test does not ask about unsaved changes."""
    controller.mark_unmodified()


def answer_box(button: str | QMessageBox.StandardButton, formats: list[Qt.TextFormat] | None = None) -> list[str]:
    """Click ``button`` (a standard button, or the text of one, "&" ignored) in the next message box
    once it shows; the list receives the box's text and informative text, joined by a newline, and
    ``formats`` (if given) the box's text format."""
    seen: list[str] = []

    def click(box: QMessageBox) -> None:
        seen.append(f"{box.text()}\n{box.informativeText()}")
        if formats is not None:
            formats.append(box.textFormat())
        if isinstance(button, str):
            next(b for b in box.buttons() if b.text().replace("&", "") == button).click()
        else:
            box.button(button).click()

    when_modal(click, QMessageBox)
    return seen


def shown_formula(window: MainWindow) -> str:
    """The formula panel's text with runs of white space made single spaces."""
    return " ".join(window.formula_view.toPlainText().split())


def press_undo(qtbot, window: MainWindow, redo: bool = False) -> None:
    """Ctrl+Z, or Ctrl+Shift+Z with ``redo``, on the graph of ``window``, made active again first
    (as a user would after closing a dialog or leaving a spin box)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view = window.network_view
    view.setFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier
    if redo:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view, Qt.Key.Key_Z, modifiers)


def document_text_px(document: QTextDocument) -> list[tuple[str, float, bool]]:
    """Every piece of text of ``document`` as (text, size in pixels, whether it is a sub- or superscript);
    the size is that of the piece's font, as the document resolves it (relative sizes included)."""
    pieces = []
    dpi = QGuiApplication.primaryScreen().logicalDotsPerInchY()
    block = document.begin()
    scripts = (QTextCharFormat.VerticalAlignment.AlignSubScript, QTextCharFormat.VerticalAlignment.AlignSuperScript)
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            font = fmt.font()
            px = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * dpi / 72
            if fragment.text().strip():
                pieces.append((fragment.text(), px, fmt.verticalAlignment() in scripts))
            it += 1
        block = block.next()
    return pieces


class EventCounter(QObject):
    """Counts the events of type ``kind`` that reach the objects it is installed on (``count``)."""

    def __init__(self, kind: QEvent.Type) -> None:
        super().__init__()
        self.kind = kind
        self.count = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        self.count += event.type() == self.kind
        return False
