"""Reading and writing files safely.

Reading takes regular files only, and never more than a stated number of bytes: a device such
as ``/dev/zero`` is refused rather than read without end, and a FIFO is refused rather than
waited on. Writing is atomic — a crash at any moment leaves either the old file or the new one
whole — writes through a symbolic link to its target, refuses folders, devices and pipes, and
clears temporary files that killed writers left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from pathlib import Path
from typing import BinaryIO


class FileRefused(ValueError):
    """A file that is not read: not a regular file, or larger than the limit. The message
    says which, without the path (the caller names the file)."""


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (following symbolic links), at most ``limit``.

    Raises FileRefused for a folder, device, pipe or socket, or a file larger than ``limit``
    (checked from its size first, and again while reading); OSError when it cannot be read.
    """
    with open_regular_file(path) as file:
        size = os.fstat(file.fileno()).st_size
        if size > limit:
            raise FileRefused(too_large(size, limit))
        data = file.read(size + 1)  # a buffer of the file's size, not of the limit
        if len(data) > size:  # it grew since: read on, up to the limit
            data += file.read(limit + 1 - len(data))
    if len(data) > limit:
        raise FileRefused(too_large(len(data), limit))
    return data


def open_regular_file(path: str | os.PathLike[str]) -> BinaryIO:
    """The regular file at ``path`` opened for reading in binary; FileRefused for anything else."""
    _refuse_special(os.stat(path).st_mode, "read")
    # O_NONBLOCK: a FIFO swapped in after the check opens at once instead of waiting for a writer.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    file = os.fdopen(descriptor, "rb")
    try:
        _refuse_special(os.fstat(descriptor).st_mode, "read")
    except FileRefused:
        file.close()
        raise
    return file


def too_large(size: int, limit: int) -> str:
    """The message for a file of ``size`` bytes over the ``limit``."""
    return f"the file is {size / 2**20:,.0f} MiB; files larger than {limit / 2**20:,.0f} MiB are refused"


def _refuse_special(mode: int, verb: str) -> None:
    if stat.S_ISDIR(mode):
        raise FileRefused("is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise FileRefused(f"is a device, pipe or socket, not a regular file; refusing to {verb} it")


def writable_target(path: str | os.PathLike[str]) -> Path:
    """The file that writing to ``path`` replaces: the target of a symbolic link (written through),
    else ``path``. Raises OSError naming what is wrong — an empty name, a missing folder, or a
    folder, device, pipe or socket at the path — before anything is written."""
    if not os.fspath(path):
        raise OSError(errno.ENOENT, "no file name given", "")
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise OSError(errno.ENOENT, f"the folder {Path(path).parent} does not exist", os.fspath(path))
    with contextlib.suppress(FileNotFoundError):
        mode = target.stat().st_mode
        if stat.S_ISDIR(mode):
            raise OSError(errno.EISDIR, "is a folder, not a file", os.fspath(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "is a device, pipe or socket, not a regular file", os.fspath(path))
    return target


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one whole:
    a temporary file beside it, flushed to disk, then renamed over it. A symbolic link is written
    through to its target; anything but a regular file there is refused (see ``writable_target``)."""
    path = writable_target(path)
    _remove_stale_temporaries(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _remove_stale_temporaries(path: Path) -> None:
    """Delete ``.NAME.<pid>.<hex>.tmp`` files beside ``path`` whose writing process is gone."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[0-9a-f]{{8}}\.tmp")
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            match = pattern.fullmatch(entry.name)
            if match and not _process_alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # elsewhere os.kill(pid, 0) is no harmless probe
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or no way to tell: leave its file alone
    return True


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see ``write_atomic``). A lone surrogate, which
    UTF-8 cannot hold, is written as its escape (``\\ud800``) rather than failing the export."""
    write_atomic(Path(path), text.encode("utf-8", errors="backslashreplace"))
