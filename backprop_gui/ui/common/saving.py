"""Writing a file all or nothing, through QSaveFile: sessions, autosaves and exports.

On Linux Qt writes into an unnamed temporary file (``O_TMPFILE``) and links it in place only on
``commit``, so a save killed midway leaves nothing behind beside the file. Where the file system
cannot do that, Qt falls back to a named ``NAME.XXXXXX`` beside it; such a name carries no
process id, so a leftover cannot be told from another instance's save in progress, or from a
user's own file such as ``NAME.backup``, and is left alone rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext

from PySide6.QtCore import QIODevice, QSaveFile


def save_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through QSaveFile (all or nothing; a symbolic link is written
    through to its target); OSError says why it failed, and the file on disk is then untouched."""
    save_pieces(path, (data,))


def save_pieces(
    path: str,
    pieces: Iterable[bytes],
    wanted: Callable[[], bool] = lambda: True,
    guard: AbstractContextManager[object] | None = None,
) -> bool:
    """``save_bytes`` of the bytes ``pieces`` gives, written as they come. ``wanted()`` is asked before
    each piece and, holding ``guard``, before the file is put in place: once it says no, the file on
    disk is left untouched and False is returned."""
    file = QSaveFile(path)
    if not file.open(QIODevice.OpenModeFlag.WriteOnly):
        raise OSError(file.errorString())
    for piece in pieces:
        if not wanted():
            file.cancelWriting()
            return False
        if file.write(piece) != len(piece):
            reason = file.errorString()
            file.cancelWriting()
            raise OSError(reason)
    with guard if guard is not None else nullcontext():
        if not wanted():
            file.cancelWriting()
            return False
        if not file.commit():
            raise OSError(file.errorString())
    return True
