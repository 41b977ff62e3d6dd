"""Edits as QUndoCommands: the one adapter between ``core.editing`` and the window's QUndoStack.

A command holds no logic of its own: redo and undo call the edit's ``do`` and ``undo``
through ``SessionModel.run_edit``, which pauses a running trainer first and tells the views
after, so the pass restarts from the edited session and no stale number is ever shown.
Merging is the edit's to decide (``Edit.merge``: a run of note typing is one step).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from backprop_gui.core.editing import Edit
from backprop_gui.ui.common.session_model import SessionModel

_MERGEABLE = 1  # one id for every command: QUndoStack then asks ``mergeWith``, which asks the edits


class EditCommand(QUndoCommand):
    """Do ``edit`` on the model's session on redo and take it back on undo; ``notify`` runs after
    each change. The edit must have passed ``edit.check`` before it is pushed."""

    def __init__(self, model: SessionModel, edit: Edit, notify: Callable[[], None]) -> None:
        super().__init__(edit.text)
        self.model = model
        self.edit = edit
        self._notify = notify

    def redo(self) -> None:
        self.model.run_edit(self.edit, self._notify)

    def undo(self) -> None:
        self.model.run_edit(self.edit, self._notify, undo=True)

    def id(self) -> int:
        return _MERGEABLE

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, EditCommand) or not self.edit.merge(other.edit):
            return False
        self.setObsolete(self.edit.changes_nothing)
        return True
