"""One BLAS thread for the window and for its training process.

Both do small matrix products (one minibatch's pass; a grid of some thousand points for a map), which
a second BLAS thread hardly speeds up. OpenBLAS's extra threads also keep spinning for a while after
each product, on the core that the other process trains on: with two of them, drawing a decision map
in the window slowed training in the other process to half its speed. So each process asks for one.

A process started inside ``one_thread_environment`` reads the limit from its environment when it loads
numpy; a process that loaded numpy already (the window's) sets it with ``limit_loaded_blas``. A limit
the user set in the environment is kept in both cases.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

# What the BLAS libraries numpy may be built with read at load time (OpenBLAS, MKL, BLIS, Accelerate).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
# OpenBLAS's setter, under the names its builds give it (numpy's wheels: the scipy-openblas one).
_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


@contextmanager
def one_thread_environment() -> Iterator[None]:
    """Inside the block the environment asks for one BLAS thread (where the user set no limit), so that
    processes started in it use one; the environment is as before afterwards."""
    added = [name for name in THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def openblas_libraries() -> list[Path]:
    """The OpenBLAS libraries this process has loaded (Linux), or else those shipped inside numpy's wheel."""
    maps = Path("/proc/self/maps")
    if maps.exists():
        found = {line.split(maxsplit=5)[-1].strip() for line in maps.read_text().splitlines() if "openblas" in line}
        return sorted(Path(path) for path in found if path.startswith("/"))
    package = Path(np.__file__).parent
    folders = (package.parent / "numpy.libs", package / ".dylibs")  # as the Windows and macOS wheels ship it
    return sorted(path for folder in folders if folder.is_dir() for path in folder.iterdir() if "openblas" in path.name)


def limit_loaded_blas(threads: int = 1) -> bool:
    """Set the loaded OpenBLAS to ``threads`` threads, unless ``OPENBLAS_NUM_THREADS`` was set by the
    user. True when a library took the limit; False for other BLAS libraries (their defaults stay)."""
    if "OPENBLAS_NUM_THREADS" in os.environ:
        return False
    limited = False
    for path in openblas_libraries():
        try:
            library = ctypes.CDLL(str(path))  # the one loaded already: the same handle
        except OSError:
            continue
        setter = next((getattr(library, name) for name in _SETTERS if hasattr(library, name)), None)
        if setter is not None:
            setter.argtypes = [ctypes.c_int]
            setter(threads)
            limited = True
    return limited
