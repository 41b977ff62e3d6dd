"""Message boxes show text from files and paths literally, never as HTML.

A session name, a file path or a line of a hostile file can hold markup (``<img src=…>``, a
link); in a box left in Qt's automatic text format it would render. ``PlainTextMessages``,
installed on the main window, turns every message box opened over the window into plain text
just before it first shows — static helpers such as ``QMessageBox.critical`` included. The
boxes the program opens itself are made with ``message_box`` (or ``critical``, ``warning``,
``information`` and ``question``), plain from the start whatever their parent: a dialog, or
no window at all.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QWidget

Button = QMessageBox.StandardButton


def make_plain(box: QMessageBox) -> None:
    """Show ``box``'s text and informative text as plain text."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    # Qt has no accessor for the informative text's label: it is the box's own child of that name.
    for label in box.findChildren(QLabel, "qt_msgbox_informativelabel"):
        label.setTextFormat(Qt.TextFormat.PlainText)


def message_box(
    icon: QMessageBox.Icon, title: str, text: str, parent: QWidget | None, buttons: Button = Button.Ok
) -> QMessageBox:
    """A message box over ``parent`` showing ``text`` as plain text (not yet shown)."""
    box = QMessageBox(icon, title, text, buttons, parent)
    make_plain(box)
    return box


def _ask(
    icon: QMessageBox.Icon, parent: QWidget | None, title: str, text: str, buttons: Button, default: Button
) -> Button:
    box = message_box(icon, title, text, parent, buttons)
    if default != Button.NoButton:
        box.setDefaultButton(default)
    return Button(box.exec())


def critical(parent: QWidget | None, title: str, text: str) -> None:
    """A modal error box showing ``text`` literally."""
    _ask(QMessageBox.Icon.Critical, parent, title, text, Button.Ok, Button.NoButton)


def warning(parent: QWidget | None, title: str, text: str) -> None:
    """A modal warning box showing ``text`` literally."""
    _ask(QMessageBox.Icon.Warning, parent, title, text, Button.Ok, Button.NoButton)


def information(parent: QWidget | None, title: str, text: str) -> None:
    """A modal information box showing ``text`` literally."""
    _ask(QMessageBox.Icon.Information, parent, title, text, Button.Ok, Button.NoButton)


def question(
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: Button = Button.Yes | Button.No,
    default: Button = Button.NoButton,
) -> Button:
    """A modal question showing ``text`` literally; the button pressed."""
    return _ask(QMessageBox.Icon.Question, parent, title, text, buttons, default)


def text_input(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """Ask for one line of text under ``label`` (shown literally); None if cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    # Qt has no accessor for the dialog's label: it is the dialog's own child.
    for child in dialog.findChildren(QLabel):
        child.setTextFormat(Qt.TextFormat.PlainText)
    return dialog.textValue() if dialog.exec() == QInputDialog.DialogCode.Accepted else None


class PlainTextMessages(QObject):
    """Makes plain every message box that becomes a child of the watched window in Qt's automatic
    text format. A box that asks for rich text itself (the About box) keeps it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.ChildPolished:
            box = event.child()  # type: ignore[attr-defined]
            if isinstance(box, QMessageBox) and box.textFormat() == Qt.TextFormat.AutoText:
                make_plain(box)
        return False
