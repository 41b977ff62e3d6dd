"""Autosave files in the application's data location, and finding those a crash left behind.

Each running window writes ``session-<pid>.json`` in the autosave folder and holds
``session-<pid>.lock`` (a QLockFile) while it lives. A clean exit deletes both. An
autosave whose lock no process holds any more was left by a crash or a kill: the next
start offers to restore it. The file is an envelope around a session file's JSON:

    {"format": "backprop-gui-autosave", "version": 1, "file_path": "…" or null, "session": {…}}

It is written on a thread of its own (``write_later``), from a copy of the session, in pieces
that each hold the interpreter a millisecond or two: after minutes of training the history is
tens of MB, and encoding it at once froze the window for a third of a second every minute.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QDir, QLockFile, QObject, QStandardPaths, QTimer, Signal

from backprop_gui.core.files import read_regular_file
from backprop_gui.core.json_pieces import json_pieces
from backprop_gui.core.session_format import MAX_FILE_BYTES, SessionError, parse_json
from backprop_gui.ui.common.saving import save_pieces

AUTOSAVE_FORMAT = "backprop-gui-autosave"
AUTOSAVE_VERSION = 1
AUTOSAVE_INTERVAL_MS = 60_000
MAX_AUTOSAVE_BYTES = MAX_FILE_BYTES + 2**20  # a session file and the envelope around it
STOP_TIMEOUT = 10.0  # s a clean exit waits for a write in progress to give up
_PREFIX, _SUFFIX = "session-", ".json"


def default_directory() -> str:
    """``<AppDataLocation>/autosave``."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return os.path.join(base, "autosave")


def encode(session: dict[str, Any], file_path: str | None) -> bytes:
    """The autosave envelope around a session file's dict ``session``."""
    return b"".join(encode_pieces(session, file_path))


def encode_pieces(session: dict[str, Any], file_path: str | None) -> Iterator[bytes]:
    """``encode`` in pieces; ``session`` may hold ``Base64Text`` (``session_to_dict(…, deferred=True)``)."""
    envelope = {"format": AUTOSAVE_FORMAT, "version": AUTOSAVE_VERSION, "file_path": file_path, "session": session}
    return json_pieces(envelope)


def decode(data: bytes) -> tuple[dict[str, Any], str | None]:
    """(session dict, original file path or None) from an autosave; ValueError says what is wrong."""
    try:
        envelope = parse_json(data)  # as a session file is read: sizes counted first, duplicate keys refused
    except SessionError as error:
        raise ValueError(f"the autosave is damaged ({error})") from None
    if not isinstance(envelope, dict) or envelope.get("format") != AUTOSAVE_FORMAT:
        raise ValueError("the file is not a backprop-gui autosave")
    if envelope.get("version") != AUTOSAVE_VERSION:
        raise ValueError(f"the autosave has version {envelope.get('version')!r}, which this program cannot read")
    session, file_path = envelope.get("session"), envelope.get("file_path")
    if not isinstance(session, dict) or not (file_path is None or isinstance(file_path, str)):
        raise ValueError("the autosave is damaged (no session in it)")
    return session, file_path


@dataclass
class Orphan:
    """An autosave left by a process that ended without cleaning up; its lock is held until closed."""

    path: str
    saved_at: datetime
    lock: QLockFile

    def read(self) -> bytes:
        """The autosave's bytes; FileRefused (a ValueError) when it is not a regular file or too large."""
        return read_regular_file(self.path, MAX_AUTOSAVE_BYTES)

    def discard(self) -> None:
        """Delete the autosave and its lock."""
        _remove(self.path)
        self.close()

    def move_aside(self) -> str:
        """Rename a damaged autosave to ``….damaged`` (never offered again, kept for a look) and let it go;
        the new path."""
        damaged = self.path + ".damaged"
        try:
            os.replace(self.path, damaged)
        except OSError:
            _remove(self.path)
            damaged = ""
        self.close()
        return damaged

    def close(self) -> None:
        """Let go of it without deleting (it is offered again on the next start)."""
        if self.lock.isLocked():
            self.lock.unlock()


class Autosave(QObject):
    """This process's autosave file; ``due`` fires every ``interval_ms`` once ``start`` is called.

    ``write_later`` writes on a thread of its own; ``problem`` then says (on the window's thread)
    why a write was skipped or failed. ``remove`` and a newer ``write_later`` supersede a write in
    progress: it is cancelled, never committed over what they did."""

    due = Signal()
    problem = Signal(str)  # "Autosave skipped: …" or "Autosave failed: …"

    def __init__(
        self, directory: str | None = None, interval_ms: int = AUTOSAVE_INTERVAL_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.directory = directory or default_directory()
        self.path = os.path.join(self.directory, f"{_PREFIX}{os.getpid()}{_SUFFIX}")
        self.last_error = ""
        self._lock = QLockFile(_lock_path(self.path))
        self._lock.setStaleLockTime(0)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.due)
        self._guard = threading.Lock()  # over the three below, and every commit and removal of the file
        self._generation = 0  # grows with every write, write request and removal: older writes are cancelled
        self._writer: threading.Thread | None = None
        self._queued: tuple[Callable[[], Iterable[bytes]], int] | None = None  # asked for while one writes

    def start(self) -> None:
        self._timer.start()

    def write_later(self, pieces: Callable[[], Iterable[bytes]]) -> None:
        """Replace this process's autosave with what ``pieces()`` gives, on a thread of its own: the
        call and the writing happen there, so ``pieces`` must only read what nothing else changes (a
        ``Session.detached`` copy). Asked for while a write runs, it follows that one (the newest
        request only). A ValueError from ``pieces`` (a SessionError) skips the write; ``problem`` says why."""
        if not self._ready():
            self.problem.emit(f"Autosave failed: {self.last_error}")
            return
        with self._guard:
            self._generation += 1
            job = (pieces, self._generation)
            if self._writer is not None:
                self._queued = job
                return
            self._writer = threading.Thread(target=self._write_jobs, args=(job,), name="autosave", daemon=True)
            self._writer.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the writes asked for to end; False if one still runs after ``timeout`` seconds."""
        writer = self._writer
        if writer is not None:
            writer.join(timeout)
        return self._writer is None

    def remove(self) -> None:
        """Delete this process's autosave (the session was saved or is unchanged)."""
        with self._guard:
            self._generation += 1
            self._queued = None
            _remove(self.path)

    def close(self) -> None:
        """On a clean exit: stop, delete the autosave and release the lock."""
        self._timer.stop()
        self.remove()
        self.wait(STOP_TIMEOUT)  # the write in progress notices at its next piece
        if self._lock.isLocked():
            self._lock.unlock()

    def _ready(self) -> bool:
        """Whether the folder exists and this process holds the autosave's lock (else ``last_error``)."""
        if not QDir().mkpath(self.directory):
            self.last_error = f"cannot create the folder {self.directory}"
            return False
        if not self._lock.isLocked() and not self._lock.tryLock(0):
            self.last_error = f"cannot lock {_lock_path(self.path)}"
            return False
        return True

    def _current(self, generation: int) -> bool:
        """Whether the write of ``generation`` is still wanted (no newer write or removal came)."""
        return self._generation == generation

    def _write_jobs(self, job: tuple[Callable[[], Iterable[bytes]], int]) -> None:
        """The writer thread: the job, then each one queued meanwhile."""
        while True:
            pieces, generation = job
            try:
                save_pieces(self.path, pieces(), partial(self._current, generation), self._guard)
            except ValueError as error:  # a SessionError: NaN or infinity in the session
                self.problem.emit(f"Autosave skipped: {error}")
            except Exception as error:  # anything else too: on this thread, unreported, it would pass unseen
                self.problem.emit(f"Autosave failed: {error or type(error).__name__}")
            with self._guard:
                if self._queued is None:
                    self._writer = None
                    return
                job, self._queued = self._queued, None

    def orphans(self) -> list[Orphan]:
        """Autosaves of processes that ended without closing, newest first; each is locked for the caller."""
        if not os.path.isdir(self.directory):
            return []
        found = []
        for name in os.listdir(self.directory):
            path = os.path.join(self.directory, name)
            if not (name.startswith(_PREFIX) and name.endswith(_SUFFIX)) or path == self.path:
                continue
            lock = QLockFile(_lock_path(path))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):  # a living process holds it
                continue
            try:
                found.append(Orphan(path, datetime.fromtimestamp(os.path.getmtime(path)), lock))
            except OSError:  # another window discarded it a moment ago
                lock.unlock()
        return sorted(found, key=lambda orphan: orphan.saved_at, reverse=True)


def _lock_path(path: str) -> str:
    return path[: -len(_SUFFIX)] + ".lock"


def _remove(path: str) -> None:
    """Delete ``path`` if it is there. One that cannot be deleted (its folder is not one any more, no
    permission) is left: at worst it is offered again at the next start, rather than failing a save or
    the window's closing."""
    try:
        os.remove(path)
    except OSError:
        pass
