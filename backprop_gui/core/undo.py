"""The undo history of a session without Qt: edits done in order, undone and redone exactly.

It follows QUndoStack's rules, which the window uses (each of its commands calls an edit's
``do``/``undo``), so that undo and redo can be tested headless:

- ``push`` does a checked edit and drops every edit undone before it (no redo after a new edit);
- an edit merges into the one before it when ``Edit.merge`` says so (a run of note typing),
  unless the stack is clean there; a merged edit that ``changes_nothing`` leaves the history;
- the clean index marks the state last saved: ``is_clean`` until an edit is done or undone.
"""

from __future__ import annotations

from backprop_gui.core.editing import Edit
from backprop_gui.core.session import Session


class UndoStack:
    """The edits done on ``session``; ``edits[:index]`` are in effect, the rest were undone."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.edits: list[Edit] = []
        self.index = 0
        self._clean: int | None = 0  # None: the saved state was dropped from the history

    def push(self, edit: Edit) -> None:
        """Do ``edit`` (ValueError naming what is wrong, and nothing changed, if it cannot be made)."""
        edit.do(self.session)
        del self.edits[self.index :]
        if self._clean is not None and self._clean > self.index:
            self._clean = None
        previous = self.edits[-1] if self.edits and self._clean != self.index else None
        if previous is not None and previous.merge(edit):
            if previous.changes_nothing:
                self.edits.pop()
        else:
            self.edits.append(edit)
        self.index = len(self.edits)

    def undo(self) -> None:
        """Take the last edit in effect back (nothing if there is none)."""
        if self.can_undo:
            self.index -= 1
            self.edits[self.index].undo(self.session)

    def redo(self) -> None:
        """Do the first undone edit again (nothing if there is none)."""
        if self.can_redo:
            self.edits[self.index].do(self.session)
            self.index += 1

    @property
    def can_undo(self) -> bool:
        return self.index > 0

    @property
    def can_redo(self) -> bool:
        return self.index < len(self.edits)

    @property
    def undo_text(self) -> str:
        """What Undo would take back ("set w_12^2 = 0.5"), or "" when nothing."""
        return self.edits[self.index - 1].text if self.can_undo else ""

    @property
    def redo_text(self) -> str:
        """What Redo would do again, or "" when nothing."""
        return self.edits[self.index].text if self.can_redo else ""

    @property
    def is_clean(self) -> bool:
        """True while the session stands where ``set_clean`` last marked it (saved, or opened)."""
        return self._clean == self.index

    def set_clean(self) -> None:
        """Mark the session as it stands as saved."""
        self._clean = self.index

    def clear(self) -> None:
        """Forget every edit (a new session was opened); the state now is clean."""
        self.edits.clear()
        self.index = 0
        self._clean = 0
