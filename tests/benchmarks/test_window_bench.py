"""Speed of one step of the debugger window including the repaint it causes.

Not part of the default test run. Run with ``pytest tests/benchmarks/test_window_bench.py -s``
or as a script, ``python tests/benchmarks/test_window_bench.py``. Each timing is one
``SessionModel.step`` (every view updates on ``changed``) followed by the event processing
that paints what changed; the median over a few passes is printed and checked against the
targets: within one frame at 60 Hz (16 ms) on a 2-3-3-1 network and under 100 ms on a 784-64-10 network.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from backprop_gui.core.datasets import Dataset  # noqa: E402
from backprop_gui.core.network import build_network  # noqa: E402
from backprop_gui.core.session import Session  # noqa: E402
from backprop_gui.ui.window.app import application, create_window  # noqa: E402

STEPS = 60
WARM_UP = 5


def session_for(sizes: list[int], activations: list[str], loss: str) -> Session:
    """A session over ``sizes`` (inputs first) with 32 random samples as rows."""
    rng = np.random.default_rng(0)
    network = build_network(sizes[0], sizes[1:], activations, loss=loss, seed=1)
    inputs = rng.uniform(-1, 1, size=(32, sizes[0]))
    targets = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=32)] if sizes[-1] > 1 else rng.uniform(size=(32, 1))
    name = "-".join(map(str, sizes))
    return Session(name, network, Dataset(inputs, targets))


def median_step_ms(session: Session, size: tuple[int, int] = (1366, 768)) -> float:
    """The median time in ms of one step plus a full repaint of a shown window over ``session``."""
    app = application()
    QSettings().clear()
    with tempfile.TemporaryDirectory() as autosaves:
        return _median_step_ms(app, create_window(session, autosave_dir=autosaves), size)


def _median_step_ms(app, window, size: tuple[int, int]) -> float:
    window.resize(*size)
    window.show()
    app.processEvents()
    times = []
    try:
        for i in range(WARM_UP + STEPS):
            start = time.perf_counter()
            window.model.step()
            app.processEvents()
            if i >= WARM_UP:
                times.append(time.perf_counter() - start)
    finally:
        window.session_controller.mark_unmodified()  # close without the unsaved-changes question
        window.close()
        window.deleteLater()
        app.processEvents()
    return 1000 * statistics.median(times)


@pytest.fixture(autouse=True)
def private_settings(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))


def test_small_network_step_and_repaint_within_a_frame():
    ms = median_step_ms(session_for([2, 3, 3, 1], ["sigmoid", "sigmoid", "sigmoid"], "half_squared_error"))
    print(f"\n2-3-3-1: median step + repaint {ms:.1f} ms")
    assert ms < 16


def test_wide_network_step_and_repaint_under_100_ms():
    ms = median_step_ms(session_for([784, 64, 10], ["relu", "softmax"], "cross_entropy"))
    print(f"\n784-64-10: median step + repaint {ms:.1f} ms")
    assert ms < 100


if __name__ == "__main__":
    import tempfile

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    for sizes, activations, loss in (
        ([2, 3, 3, 1], ["sigmoid", "sigmoid", "sigmoid"], "half_squared_error"),
        ([784, 64, 10], ["relu", "softmax"], "cross_entropy"),
    ):
        ms = median_step_ms(session_for(sizes, activations, loss))
        print(f"{'-'.join(map(str, sizes))}: median step + repaint {ms:.1f} ms")
