"""One BLAS thread for the window and its training process, unless the user set a limit."""

from __future__ import annotations

import ctypes
import os

import pytest

from backprop_gui.core.blas_threads import (
    THREAD_VARIABLES,
    limit_loaded_blas,
    one_thread_environment,
    openblas_libraries,
)

GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads64_",
           "openblas_get_num_threads")  # fmt: skip


def openblas_thread_count() -> tuple[ctypes.CDLL, int]:
    """The OpenBLAS numpy loaded and its thread count now (the test is skipped without one)."""
    for path in openblas_libraries():
        library = ctypes.CDLL(str(path))
        getter = next((getattr(library, name) for name in GETTERS if hasattr(library, name)), None)
        if getter is not None:
            return library, getter()
    pytest.skip("numpy runs on another BLAS than OpenBLAS here")


def test_the_environment_asks_for_one_thread_inside_the_block_only(monkeypatch):
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # the user's limit stays
    with one_thread_environment():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "3"
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "3"


def test_the_loaded_openblas_takes_one_thread_unless_the_user_set_a_limit(monkeypatch):
    library, before = openblas_thread_count()
    setter = next(getattr(library, n.replace("get", "set")) for n in GETTERS if hasattr(library, n))
    try:
        setter(2)
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
        assert not limit_loaded_blas(1)
        assert openblas_thread_count()[1] == 2
        monkeypatch.delenv("OPENBLAS_NUM_THREADS")
        assert limit_loaded_blas(1)
        assert openblas_thread_count()[1] == 1
    finally:
        setter(before)
