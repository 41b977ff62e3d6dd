"""Network edits as QUndoCommands: one command per edit, undone and redone exactly.

The arithmetic of an edit lives in ``core.editing``; a command only applies or reverts it
on the session's network and tells the model, so the pass restarts at Forward 1 for the
same sample and no stale number is ever shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from backprop_gui.core.editing import Edit, SessionEdit
from backprop_gui.ui.common.session_model import SessionModel


class EditCommand(QUndoCommand):
    """Apply ``edit`` to the model's network on redo and revert it on undo.

    Before each change the model's ``about_to_move`` is emitted, so a running trainer pauses
    and hands its weights over first; after it ``notify`` is called (default:
    ``model.network_changed``). The edit must have passed ``edit.check`` before it is pushed.
    """

    def __init__(self, model: SessionModel, edit: Edit, notify: Callable[[], None] | None = None) -> None:
        super().__init__(edit.text)
        self.model = model
        self.edit = edit
        self.network = model.session.network
        self._notify = notify or model.network_changed

    def redo(self) -> None:
        self.model.about_to_move.emit()
        self.edit.apply(self.network)
        self._notify()

    def undo(self) -> None:
        self.model.about_to_move.emit()
        self.edit.revert(self.network)
        self._notify()


class SessionEditCommand(QUndoCommand):
    """Apply ``edit`` (a training setting, the data) to the model's session on redo and revert it on undo.

    As with ``EditCommand``, ``about_to_move`` is emitted before each change and ``notify`` called
    after it. The edit must have passed ``edit.check`` before it is pushed.
    """

    def __init__(self, model: SessionModel, edit: SessionEdit, notify: Callable[[], None]) -> None:
        super().__init__(edit.text)
        self.model = model
        self.edit = edit
        self.session = model.session
        self._notify = notify

    def redo(self) -> None:
        self.model.about_to_move.emit()
        self.edit.apply(self.session)
        self._notify()

    def undo(self) -> None:
        self.model.about_to_move.emit()
        self.edit.revert(self.session)
        self._notify()
