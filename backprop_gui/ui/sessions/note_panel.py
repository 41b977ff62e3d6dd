"""The Note panel: the session's note (lecture notes, an exercise), shown as rich text and editable.

The note is Markdown with inline math between ``$…$`` (``core.notes``); the panel shows it
rendered, and the Edit button (or a double-click) turns it into a plain-text editor. Edits are
``SetNote`` edits pushed through the session model, undoable in the window (a run of typing is
one "edit note" step), so they mark the session modified and Ctrl+Z takes them back. An empty
note opens in the editor, with a muted hint instead of a blank box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.editing import SetNote
from backprop_gui.core.notes import render_note
from backprop_gui.ui.common.session_model import SessionModel

HINT = (
    "No note for this session.\n\n"
    "Type here to add lecture notes, an exercise or a reminder; the note is saved with the session "
    "and shown when it opens. Markdown works (# heading, - list, *emphasis*), and math between "
    "dollar signs: $z^l = w^l a^{l-1} + b^l$, $\\delta$, $\\sum_k$."
)
EMPTY_STYLE = "QPlainTextEdit { background: palette(window); }"


class NotePanel(QWidget):
    """The note of ``model``'s session, rendered, with an editor behind the Edit button;
    edits go through ``model.push_edit``. An empty note opens in the editor, with a hint."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(HINT)
        self.editor.setTabChangesFocus(True)
        self.editor.setUndoRedoEnabled(False)  # the window's Edit ▸ Undo takes note edits back
        self.editor.setToolTip("The session's note: Markdown with math between $…$, saved with the session")
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setToolTip("The session's note; double-click or press Edit to change it")
        self.view.viewport().installEventFilter(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.editor)
        self.edit_button = QPushButton("Edit")
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip("Edit the note as text (Markdown, math between $…$)")
        self.edit_button.toggled.connect(self.set_editing)
        self.syntax = QLabel("Markdown · math between $…$")
        self.syntax.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        bar = QHBoxLayout()
        bar.addWidget(self.syntax, 1)
        bar.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self._showing = False
        self.editor.textChanged.connect(self._typed)
        model.changed.connect(self._model_changed)
        self.refresh()
        self.set_editing(not model.session.note)

    @property
    def editing(self) -> bool:
        return self.pages.currentWidget() is self.editor

    def set_editing(self, on: bool) -> None:
        """Show the editor (``on``) or the rendered note."""
        if self.edit_button.isChecked() != on:
            self.edit_button.setChecked(on)  # comes back here through toggled
            return
        self.edit_button.setText("Done" if on else "Edit")
        self.pages.setCurrentWidget(self.editor if on else self.view)
        self.syntax.setVisible(on)
        if on:
            self.editor.moveCursor(QTextCursor.MoveOperation.End)
        if on and self.isVisible():
            self.editor.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.view.viewport() and event.type() == event.Type.MouseButtonDblClick:
            self.set_editing(True)
            return True
        return super().eventFilter(watched, event)

    @property
    def text(self) -> str:
        return self.editor.toPlainText()

    def refresh(self) -> None:
        """Show the model's note (keeping the cursor where it was if the text is unchanged)."""
        note = self.model.session.note
        if note != self.editor.toPlainText():
            self._showing = True
            try:
                cursor = self.editor.textCursor().position()
                self.editor.setPlainText(note)
                position = min(cursor, len(note))
                text_cursor = self.editor.textCursor()
                text_cursor.setPosition(position)
                self.editor.setTextCursor(text_cursor)
            finally:
                self._showing = False
        self.view.setHtml(render_note(note))
        self._style()

    def _style(self) -> None:
        self.editor.setStyleSheet(EMPTY_STYLE if not self.editor.toPlainText() else "")

    def _typed(self) -> None:
        if self._showing:
            return
        new, old = self.editor.toPlainText(), self.model.session.note
        if new == old:
            return
        self.model.push_edit(SetNote(new), self.model.state.note_changed)
        self._style()

    def _model_changed(self, event: Event) -> None:
        if event.field == Field.NOTE:
            self.refresh()
        elif event.field == Field.SESSION:
            self.refresh()
            self.set_editing(not self.model.session.note)


def install_note_panel(window: QMainWindow, model: SessionModel) -> tuple[NotePanel, QDockWidget]:
    """Add the "Note" dock to ``window`` (right side; its toggle is the window's to place).

    The dock shows itself whenever a session with a note opens, and starts hidden otherwise.
    """
    panel = NotePanel(model)
    dock = QDockWidget("Note", window)
    dock.setObjectName("noteDock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)

    def session_opened(event: Event) -> None:
        if event.field == Field.SESSION and model.session.note:
            dock.show()
            dock.raise_()

    model.changed.connect(session_opened)
    dock.setVisible(bool(model.session.note))
    return panel, dock
