"""Session files: open, save, autosave, recent files, undoable edits, their dialogs, New Session, notes."""
