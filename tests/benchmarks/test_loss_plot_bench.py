"""Loss-plot redraws while the history grows to 1,000,000 steps, with the memory they use
(outside the default run: `pytest tests/benchmarks -s`). Training in the whole window is measured
in ``test_window_training_bench``."""

from __future__ import annotations

import time
import tracemalloc
from array import array

import numpy as np

from backprop_gui.core.presets import load_example
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.loss_plot import LossPlot


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


def test_redrawing_half_a_million_epochs_costs_little_more_than_a_thousand(qtbot):
    """xor's four samples make epochs of four steps: a few minutes of training hold hundreds of
    thousands of epochs, whose series a redraw must not convert whole every time (it took 22 ms at
    500,000 epochs). Two plots, one over 1,000 epochs and one over 500,000, are redrawn in turn as
    each history gains an epoch; the medians are compared."""
    plots = {}
    for epochs in (1_000, 500_000):
        model = SessionModel(load_example("xor"))
        plot = LossPlot(model)
        qtbot.addWidget(plot)
        plot.resize(1200, 500)
        plot.show()
        history = model.session.history
        losses = 0.3 * np.exp(-np.arange(4 * epochs) / (epochs + 1.0)) + 0.01
        history.step_losses = array("d", losses)
        history.epoch_ends = list(range(4, 4 * epochs + 1, 4))
        history.epoch_losses = losses.reshape(-1, 4).mean(axis=1).tolist()
        plots[epochs] = (plot, history)
    qtbot.waitExposed(plots[1_000][0])
    times: dict[int, list[float]] = {epochs: [] for epochs in plots}
    for _ in range(30):
        for epochs, (plot, history) in plots.items():
            history.step_losses.extend(array("d", [0.01] * 4))
            history.epoch_ends.append(history.steps)
            history.epoch_losses.append(0.01)
            start = time.perf_counter()
            plot.refresh()
            plot.plot.grab()
            times[epochs].append((time.perf_counter() - start) * 1000)
    small, large = (float(np.median(times[epochs])) for epochs in plots)
    print(f"\nredraw median: 1,000 epochs {small:.1f} ms, 500,000 epochs {large:.1f} ms ({large / small:.1f}×)")
    assert large < 4 * small and large < 15
