"""Training in the full window, idle and busy: the event loop's lateness and the training speed.

Not part of the default test run. Run with ``pytest tests/benchmarks/test_window_training_bench.py -s``
or as a script. The full window from ``create_window`` (1366×768, first-start layout: the live loss
plot and the decision map showing) trains a 2-8-8-1 network on two moons with F5's action while a
10 ms timer measures how late the event loop runs. Headless ``Trainer.step`` on the same session
in the same process is the yardstick for the speed. Repeats alternate an idle machine and a busy
one (a background process spinning one core); the medians of the repeats are printed side by side.

Targets, on the busy machine: lateness p99 < 30 ms and the window's training speed at least 80%
of headless.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

from backprop_gui.core.datasets import generate
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.core.training import MAX_EPOCHS, Trainer
from backprop_gui.ui.window.app import application
from backprop_gui.ui.window.main_window import MainWindow

from machine_load import MODES, machine, median, table
from real_window import private_settings, settle, shown_window

SECONDS = 3.0  # of training measured per repeat, each way
REPEATS = 3
TICK_MS = 10


def moons_session() -> Session:
    network = build_network(2, [8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    session = Session("moons", network, generate("moons", samples=200, noise=0.1))
    session.training.learning_rate = 0.1
    session.training.epochs = MAX_EPOCHS
    return session


def headless_rate(session: Session, seconds: float = SECONDS) -> float:
    """Steps per second of ``Trainer.step`` on a copy of ``session``, for ``seconds``."""
    trainer = Trainer(session.network.copy(), session.data, session.training)
    start = time.perf_counter()
    end = start + seconds
    trainer.train(MAX_EPOCHS, lambda: time.perf_counter() >= end)
    return trainer.history.steps / (time.perf_counter() - start)


def window_run(window: MainWindow, seconds: float = SECONDS) -> tuple[float, float]:
    """(steps per second, event-loop lateness p99 in ms) of training in ``window`` for ``seconds``
    (after a short start, which is not measured), paused at the end."""
    controller, history = window.training_controller, window.model.session.history
    controller.continue_training()
    settle(application(), 0.3)
    lateness: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer(interval=TICK_MS)
    ticker.timeout.connect(lambda: lateness.append(max(0.0, clock.restart() - TICK_MS)))
    loop = QEventLoop()  # the application's own kind of event loop (qtbot's waits poll differently)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    steps, start = history.steps, time.perf_counter()
    clock.start()
    ticker.start()
    loop.exec()
    ticker.stop()
    controller.pause()
    rate = (history.steps - steps) / (time.perf_counter() - start)
    return rate, float(np.percentile(lateness, 99))


def training_figures(repeats: int = REPEATS) -> dict[str, dict[str, list[float]]]:
    """``figures[what][mode]``: each repeat's headless and window speed, their ratio and the lateness p99."""
    names = ("headless steps/s", "window steps/s", "window ÷ headless", "lateness p99")
    figures: dict[str, dict[str, list[float]]] = {name: {mode: [] for mode in MODES} for name in names}
    with private_settings() as autosaves, shown_window(moons_session(), autosaves) as window:
        window.layout_controller.set_layout(LayoutName.TRAIN)  # as F5 does: the loss plot and decision map in view
        application().processEvents()
        docks = window.training_controller.docks
        assert docks["loss"].isVisible() and docks["decision"].isVisible()
        assert not docks["decision"].visibleRegion().isEmpty()  # in front of its tab group
        window_run(window, 1.0)  # warm up: whatever starts on the first run
        for _ in range(repeats):
            for mode in MODES:
                with machine(mode):
                    headless = headless_rate(window.model.session)
                    rate, p99 = window_run(window)
                for name, value in zip(names, (headless, rate, rate / headless, p99), strict=True):
                    figures[name][mode].append(value)
    rows = {name: figures[name] for name in names[:2]}
    print(table("training moons 2-8-8-1, full window 1366×768", rows, "/s"))
    print(table("", {names[2]: figures[names[2]]}, "×"))
    print(table("", {names[3]: figures[names[3]]}, "ms"))
    return figures


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, list[float]]]:
    return training_figures()


def test_event_loop_stays_on_time_on_a_busy_machine(figures) -> None:
    assert median(figures["lateness p99"]["busy"]) < 30


def test_window_trains_at_most_of_headless_speed_on_a_busy_machine(figures) -> None:
    assert median(figures["window ÷ headless"]["busy"]) >= 0.8


if __name__ == "__main__":
    training_figures()
