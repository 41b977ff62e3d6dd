"""Message boxes show text from files and paths literally, never as HTML.

A session name, a file path or a line of a hostile file can hold markup (``<img src=…>``, a
link); in a box left in Qt's automatic text format it would render. ``PlainTextMessages``,
installed on the main window, turns every message box opened over the window into plain text
just before it first shows — static helpers such as ``QMessageBox.critical`` included.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def make_plain(box: QMessageBox) -> None:
    """Show ``box``'s text and informative text as plain text."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    for label in box.findChildren(QLabel, "qt_msgbox_informativelabel"):
        label.setTextFormat(Qt.TextFormat.PlainText)


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
