"""The window's event loop while it autosaves a long run, idle and busy.

Not part of the default test run. Run with ``pytest tests/benchmarks/test_autosave_bench.py -s``
or as a script. The full window from ``create_window`` holds xor after a long run: ``STEPS`` step
losses and an epoch every four steps (minutes of training). A 10 ms timer measures the event
loop's lateness while ``autosave_now`` writes the autosave (on the autosave's thread), from the
request until the file is written. Beside it, for comparison in the same run, what the window's
thread was stopped for when it encoded the autosave itself: the session's document and its JSON.

Target (both machines): the largest lateness while the autosave writes is under 30 ms, the
lateness p99 target of the responsiveness work, and a quarter or less of the encoding it replaced.
"""

from __future__ import annotations

import os
import time
from array import array

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import session_to_dict
from backprop_gui.ui.sessions.autosave import encode
from backprop_gui.ui.window.app import application

from machine_load import MODES, machine, median, table
from real_window import private_settings, shown_window

STEPS = 3_000_000
REPEATS = 3
TICK_MS = 10
TARGET_MS = 30.0


def long_run() -> Session:
    """xor after ``STEPS`` steps of training: every step's loss, an epoch every four steps."""
    session = load_example("xor")
    rng = np.random.default_rng(0)
    session.history.step_losses = array("d", rng.uniform(0.01, 0.3, STEPS).tobytes())
    session.history.epoch_losses = list(rng.uniform(0.01, 0.3, STEPS // 4))
    session.history.epoch_ends = list(range(4, STEPS + 1, 4))
    return session


def lateness_while_autosaving(window) -> tuple[float, float]:
    """(largest lateness of a ``TICK_MS`` timer in ms, seconds until written) for one autosave."""
    controller = window.session_controller
    controller.autosave.remove()
    late: list[float] = []
    clock, timer, loop = QElapsedTimer(), QTimer(), QEventLoop()
    timer.setInterval(TICK_MS)

    def tick() -> None:
        late.append(max(0.0, clock.restart() - TICK_MS))
        if controller.autosave.wait(0):
            loop.quit()

    timer.timeout.connect(tick)
    start = time.perf_counter()
    clock.start()
    timer.start()
    controller.autosave_now()
    loop.exec()
    timer.stop()
    assert os.path.exists(controller.autosave.path)
    return max(late), time.perf_counter() - start


def encoding_on_the_window_thread(window) -> float:
    """ms that encoding the autosave at once (as the window used to, on its thread) takes."""
    start = time.perf_counter()
    encode(session_to_dict(window.model.snapshot()), None)
    return 1000 * (time.perf_counter() - start)


def autosave_figures(repeats: int = REPEATS) -> dict[str, dict[str, list[float]]]:
    rows = ("largest lateness while writing", "encoding at once (replaced)", "until written")
    figures: dict[str, dict[str, list[float]]] = {row: {mode: [] for mode in MODES} for row in rows}
    with private_settings() as autosaves, shown_window(long_run(), autosaves) as window:
        window.session_controller._changed_outside = True  # the run is not saved
        application().processEvents()
        for _ in range(repeats):
            for mode in MODES:
                with machine(mode):
                    late, seconds = lateness_while_autosaving(window)
                    figures[rows[0]][mode].append(late)
                    figures[rows[2]][mode].append(1000 * seconds)
                    figures[rows[1]][mode].append(encoding_on_the_window_thread(window))
    print(table(f"autosave of xor after {STEPS:,} steps, full window 1366×768", figures, "ms"))
    return figures


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, list[float]]]:
    return autosave_figures()


@pytest.mark.parametrize("mode", MODES)
def test_the_window_keeps_its_pace_while_it_autosaves(figures, mode: str) -> None:
    late = median(figures["largest lateness while writing"][mode])
    assert late < TARGET_MS
    assert late <= median(figures["encoding at once (replaced)"][mode]) / 4


if __name__ == "__main__":
    autosave_figures()
