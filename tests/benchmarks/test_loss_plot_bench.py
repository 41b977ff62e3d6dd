"""Benchmarks of training in the window (outside the default run: `pytest tests/benchmarks -s`).

(a) the event loop's lateness, measured by a 10 ms timer, while a 2-8-8-1 network trains on
two moons; (b) the training throughput with the window and plot live against headless
training of the same work in the same process; (c) loss-plot redraws while the history
grows to 1,000,000 steps, with the memory they use.

Timings need a quiet machine: other processes competing for the cores delay the event loop.
"""

from __future__ import annotations

import time
import tracemalloc
from array import array

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow

from backprop_gui.core.datasets import generate
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.core.training import Trainer
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.controller import FINISHED, install_training
from backprop_gui.ui.training.loss_plot import LossPlot

EPOCHS = 150  # of 200 moons: 30,000 per-sample steps


def moons_session() -> Session:
    network = build_network(2, [8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    session = Session("moons", network, generate("moons", samples=200, noise=0.1))
    session.training.learning_rate = 0.1
    session.training.epochs = EPOCHS
    return session


def test_gui_training_keeps_the_event_loop_on_time_and_most_of_the_speed(qtbot):
    headless = moons_session()
    start = time.perf_counter()
    Trainer(headless.network, headless.data, headless.training).train(EPOCHS)
    headless_rate = EPOCHS * 200 / (time.perf_counter() - start)

    session = moons_session()
    model = SessionModel(session)
    window = QMainWindow()
    window.setCentralWidget(QLabel("the debugger"))
    controller = install_training(window, model)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(300)  # the first paint of every dock is not part of training

    lateness: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer(interval=10)

    def tick() -> None:
        lateness.append(max(0.0, clock.restart() - 10.0))

    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    loop = QEventLoop()  # the application's own kind of event loop (qtbot's waits poll differently)
    controller.state_changed.connect(lambda state: state == FINISHED and loop.quit())
    QTimer.singleShot(120_000, loop.quit)
    start = time.perf_counter()
    controller.continue_training()
    loop.exec()
    gui_rate = EPOCHS * 200 / (time.perf_counter() - start)
    ticker.stop()
    p99 = float(np.percentile(lateness, 99))
    print(
        f"\nheadless {headless_rate:,.0f} steps/s · in the window {gui_rate:,.0f} steps/s "
        f"({gui_rate / headless_rate:.0%}) · event-loop lateness p99 {p99:.1f} ms over {len(lateness)} ticks"
    )
    controller.stop()
    assert session.history.steps == EPOCHS * 200
    assert p99 < 50
    assert gui_rate >= 0.5 * headless_rate


def test_redrawing_a_million_steps_stays_fast_and_bounded(qtbot):
    model = SessionModel(load_example("xor"))
    plot = LossPlot(model)
    qtbot.addWidget(plot)
    plot.resize(1200, 500)
    plot.show()
    qtbot.waitExposed(plot)
    history = model.session.history
    rng = np.random.default_rng(0)
    batch = 10_000
    times: list[float] = []
    for b in range(100):
        losses = np.exp(-np.arange(b * batch, (b + 1) * batch) / 2e5) + 0.05 * rng.random(batch)
        history.step_losses.extend(array("d", losses))
        history.epoch_ends.append(history.steps)
        history.epoch_losses.append(float(losses.mean()))
        start = time.perf_counter()
        plot.refresh()
        plot.plot.grab()  # paint it
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(5):
        plot.refresh()
        plot.plot.grab()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    drawn = len(plot.step_curve.getData()[0])
    median, p99 = float(np.median(times)), float(np.percentile(times, 99))
    print(
        f"\n1,000,000 steps: redraw median {median:.1f} ms, p99 {p99:.1f} ms, last {times[-1]:.1f} ms; "
        f"{drawn:,} points drawn; extra memory at peak during a redraw {peak / 2**20:.1f} MiB "
        f"(the history itself is {history.steps * 8 / 2**20:.1f} MiB)"
    )
    assert history.steps == 1_000_000
    assert drawn <= 2 * 1200 + 2
    assert times[-1] < 30 and median < 30
    assert peak < 8 * 2**20  # redraws never copy the whole history
