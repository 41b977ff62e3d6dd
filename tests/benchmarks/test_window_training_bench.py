"""Training in the full window, idle and busy: the event loop's lateness and the training speed.

Not part of the default test run. Run with ``pytest tests/benchmarks/test_window_training_bench.py -s``
or as a script. The full window from ``create_window`` (1366×768, first-start layout: the live loss
plot and the decision map showing) trains with F5's action while a 10 ms timer measures how late the
event loop runs: a 2-8-8-1 network on two moons, and the xor example (2-2-1, an epoch every four
steps), each in a window of its own. Headless ``Trainer.step`` on the same session
in the same process is the yardstick for the speed: measured before and after each run in the
window, whose speed is compared with the mean of the two (the machine's own speed drifts). Repeats
alternate an idle machine and a busy one (a background process spinning one core); the medians of
the repeats are printed side by side.
Each repeat trains twice in the window, with the neurons drawn as numbers (View ▸ Neurons Show ▸ Auto)
and as maps over the input plane (▸ Maps: 16 maps of 64×64 cells, recomputed from the training
snapshots at most every 100 ms); for the maps, how often and how long they were recomputed is printed.
The share of a processor the window's process used while it trained is printed too: on the busy
machine, what the window uses the training process cannot.

Targets, on the busy machine, with and without maps: lateness p99 < 30 ms and the window's training
speed at least 80% of headless.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

from backprop_gui.core.datasets import generate
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import NeuronValue, Session
from backprop_gui.core.training import MAX_EPOCHS, Trainer
from backprop_gui.ui.window.app import application
from backprop_gui.ui.window.main_window import MainWindow

from machine_load import MODES, machine, median, table
from real_window import private_settings, settle, shown_window

SECONDS = 3.0  # of training measured per repeat, each way
REPEATS = 3
TICK_MS = 10
CASES = {"numbers": NeuronValue.AUTO, "maps": NeuronValue.MAPS}


def moons_session() -> Session:
    network = build_network(2, [8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    session = Session("moons", network, generate("moons", samples=200, noise=0.1))
    session.training.learning_rate = 0.1
    session.training.epochs = MAX_EPOCHS
    return session


def xor_session() -> Session:
    session = load_example("xor")
    session.training.epochs = MAX_EPOCHS
    return session


SESSIONS = {"moons": moons_session, "xor": xor_session}


def headless_rate(session: Session, seconds: float = SECONDS) -> float:
    """Steps per second of ``Trainer.step`` on a copy of ``session``, for ``seconds``."""
    trainer = Trainer(session.network.copy(), session.data, session.training)
    start = time.perf_counter()
    end = start + seconds
    trainer.train(MAX_EPOCHS, lambda: time.perf_counter() >= end)
    return trainer.history.steps / (time.perf_counter() - start)


def window_run(window: MainWindow, seconds: float = SECONDS) -> tuple[float, float, int, float, float]:
    """(steps per second, event-loop lateness p99 in ms, neuron-map recomputations, the longest in ms, the
    share of a processor the window's process used) of training in ``window`` for ``seconds`` (after a
    short start, which is not measured), paused at the end."""
    controller, history = window.training_controller, window.model.session.history
    controller.continue_training()
    settle(application(), 0.3)
    lateness: list[float] = []
    recomputed: list[float] = []  # how long each recomputation of the neuron maps took, in s
    maps = window.network_view.maps
    recompute = maps._recompute

    def timed_recompute(sources: list[object]) -> None:
        start = time.perf_counter()
        recompute(sources)
        recomputed.append(time.perf_counter() - start)

    maps._recompute = timed_recompute  # for this run only
    clock = QElapsedTimer()
    ticker = QTimer(interval=TICK_MS)
    ticker.timeout.connect(lambda: lateness.append(max(0.0, clock.restart() - TICK_MS)))
    loop = QEventLoop()  # the application's own kind of event loop (qtbot's waits poll differently)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    steps, start, start_cpu = history.steps, time.perf_counter(), time.process_time()
    clock.start()
    ticker.start()
    loop.exec()
    ticker.stop()
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    controller.pause()
    del maps._recompute  # the method again
    rate = (history.steps - steps) / wall
    return rate, float(np.percentile(lateness, 99)), len(recomputed), 1000 * max(recomputed, default=0.0), cpu / wall


def training_figures(session: str = "moons", repeats: int = REPEATS) -> dict[str, dict[str, list[float]]]:
    """``figures[what][mode]`` training ``session`` (a key of ``SESSIONS``): each repeat's headless speed
    and, per case (numbers, maps), the window's speed, its ratio to headless, the lateness p99, the
    maps' recomputations per second and longest, and the share of a processor the window's process used
    (on a busy machine, what it uses the training process cannot)."""
    measured = (
        "window steps/s", "window ÷ headless", "lateness p99", "map recomputations/s", "longest map",
        "window's processor",
    )  # fmt: skip
    names = ["headless steps/s"] + [f"{name} ({case})" for name in measured for case in CASES]
    figures: dict[str, dict[str, list[float]]] = {name: {mode: [] for mode in MODES} for name in names}
    with private_settings() as autosaves, shown_window(SESSIONS[session](), autosaves) as window:
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
                    for case, neuron_value in CASES.items():
                        window.model.set_neuron_value(neuron_value)
                        rate, p99, maps, longest, share = window_run(window)
                        after = headless_rate(window.model.session)  # the window's run between two headless ones
                        figures["headless steps/s"][mode].append((headless + after) / 2)
                        values = (rate, 2 * rate / (headless + after), p99, maps / SECONDS, longest, share)
                        headless = after
                        for name, value in zip(measured, values, strict=True):
                            figures[f"{name} ({case})"][mode].append(value)
    title = f"training {session} ({window_title(session)}), full window 1366×768"
    print(table(title, {name: figures[name] for name in names if "steps/s" in name}, "/s"))
    print(table("", {name: figures[name] for name in names if "÷" in name or "processor" in name}, "×"))
    print(table("", {name: figures[name] for name in names if "lateness" in name or "longest" in name}, "ms"))
    print(table("", {name: figures[name] for name in names if "recomputations" in name}, "/s"))
    return figures


def window_title(name: str) -> str:
    return "-".join(map(str, SESSIONS[name]().network.sizes))


@pytest.fixture(scope="module", params=list(SESSIONS))
def figures(request) -> dict[str, dict[str, list[float]]]:
    return training_figures(request.param)


@pytest.mark.parametrize("case", CASES)
def test_event_loop_stays_on_time_on_a_busy_machine(figures, case: str) -> None:
    assert median(figures[f"lateness p99 ({case})"]["busy"]) < 30


@pytest.mark.parametrize("case", CASES)
def test_window_trains_at_most_of_headless_speed_on_a_busy_machine(figures, case: str) -> None:
    assert median(figures[f"window ÷ headless ({case})"]["busy"]) >= 0.8


def test_maps_are_recomputed_during_training_at_most_every_100_ms(figures) -> None:
    rates = figures["map recomputations/s (maps)"]["idle"] + figures["map recomputations/s (maps)"]["busy"]
    assert 0 < min(rates) and max(rates) <= 10.5


if __name__ == "__main__":
    for session_name in SESSIONS:
        training_figures(session_name)
