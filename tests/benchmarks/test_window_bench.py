"""Speed of one step of the full debugger window including the repaint it causes, idle and busy.

Not part of the default test run. Run with ``pytest tests/benchmarks/test_window_bench.py -s``
or as a script, ``python tests/benchmarks/test_window_bench.py [--profile]`` (with cProfile's
costliest calls too). Each timing is one ``SessionModel.step`` (every view updates on
``changed``) followed by the event processing that paints what changed, in the full window from
``create_window`` at 1366×768. Each repeat
takes the median over ``STEPS`` steps; repeats alternate an idle machine and a busy one (a
background process spinning one core), and the median of the repeats is printed side by side
and checked against the targets on the idle machine: under 8 ms on a 2-3-3-1 network and
under 40 ms on a 784-64-10 network.

Each network is measured as the window first opens (the Step layout: edge labels on, the
formula panel beside the Worked Solution, the Chain Rule in a tab behind it) and with the Chain
Rule dock beside the Worked Solution, so that both render on every step. For reference (not a
target) it also prints what repainting the whole window, and the graph alone, costs with nothing
changed: the floor under a step whose changes reach every part of the window; where a step's
time goes, view by view (``view_costs``); and how much of it is Qt's own code, which no change to
ours can make faster (``print_profile``).
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time
from contextlib import ExitStack

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.edge_labels import EdgeLabelMode
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.ui.common.shown import is_shown
from backprop_gui.ui.window.app import application

from machine_load import MODES, machine, median, table
from real_window import private_settings, settle, shown_window
from view_costs import step_costs, timed_views

STEPS = 40
WARM_UP = 5
REPEATS = 3
PROFILED_BLOCKS, BLOCK_STEPS = 8, 10  # ``print_profile``: blocks of steps, each run plain and profiled
NETWORKS = {
    "2-3-3-1": ([2, 3, 3, 1], ["sigmoid", "sigmoid", "sigmoid"], "half_squared_error"),
    "784-64-10": ([784, 64, 10], ["relu", "softmax"], "cross_entropy"),
}
TARGETS_MS = {"2-3-3-1": 8.0, "784-64-10": 40.0}  # on the idle machine
VIEWS = ("", " + chain rule")  # as opened; with the Chain Rule dock beside the Worked Solution


def session_for(sizes: list[int], activations: list[str], loss: str) -> Session:
    """A session over ``sizes`` (inputs first) with 32 random samples as rows."""
    rng = np.random.default_rng(0)
    network = build_network(sizes[0], sizes[1:], activations, loss=loss, seed=1)
    inputs = rng.uniform(-1, 1, size=(32, sizes[0]))
    targets = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=32)] if sizes[-1] > 1 else rng.uniform(size=(32, 1))
    name = "-".join(map(str, sizes))
    return Session(name, network, Dataset(inputs, targets))


def step(window, times: int) -> None:
    """Step the shown ``window`` ``times`` times, each step with the repaint it causes."""
    app = application()
    for _ in range(times):
        window.model.step()
        app.processEvents()


def median_step_ms(window, steps: int = STEPS) -> tuple[float, float]:
    """The median time in ms of one step plus the repaint it causes in the shown ``window``: wall
    time, and the processor time this process used (which other processes on the machine do not
    stretch)."""
    app = application()
    times, cpu = [], []
    for i in range(WARM_UP + steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        window.model.step()
        app.processEvents()
        if i >= WARM_UP:
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return 1000 * statistics.median(times), 1000 * statistics.median(cpu)


def repaint_ms(widget, repeats: int = STEPS) -> float:
    """The median processor time in ms of repainting all of ``widget`` at once with nothing changed:
    what painting it costs whatever a step changed (the floor under a step that touches it all)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        widget.repaint()
        times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


def show_chain_rule(window, beside: bool) -> None:
    """Put the Chain Rule dock beside the Worked Solution (both render), or back in a tab behind it."""
    worked, chain = window.docks["worked"], window.docks["chain"]
    if beside:  # the bottom row: formula, worked solution, chain rule
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, chain, Qt.Orientation.Horizontal)
    else:
        window.tabifyDockWidget(worked, chain)
        worked.raise_()
    chain.show()
    settle(application(), 0.2)
    assert is_shown(worked.widget()) and is_shown(chain.widget()) == beside


def step_and_repaint_figures(repeats: int = REPEATS) -> dict[str, dict[str, list[float]]]:
    """``figures[network + view][mode]``: each repeat's median step + repaint in ms, the modes interleaved."""
    rows = [name + view for name in NETWORKS for view in VIEWS]
    figures: dict[str, dict[str, list[float]]] = {row: {mode: [] for mode in MODES} for row in rows}
    processor: dict[str, dict[str, list[float]]] = {row: {mode: [] for mode in MODES} for row in rows}
    floors: dict[str, dict[str, list[float]]] = {
        f"{name}: {part}": {mode: [] for mode in MODES} for name in NETWORKS for part in ("window", "graph")
    }
    with ExitStack() as stack:
        autosaves = stack.enter_context(private_settings())
        windows = {name: stack.enter_context(shown_window(session_for(*n), autosaves)) for name, n in NETWORKS.items()}
        for window in windows.values():
            assert window.model.state.edge_label_mode == EdgeLabelMode.AUTO
        for _ in range(repeats):
            for mode in MODES:
                with machine(mode):
                    for name, window in windows.items():
                        for view in VIEWS:
                            show_chain_rule(window, beside=bool(view))
                            wall, cpu = median_step_ms(window)
                            figures[name + view][mode].append(wall)
                            processor[name + view][mode].append(cpu)
                        floors[f"{name}: window"][mode].append(repaint_ms(window))
                        floors[f"{name}: graph"][mode].append(repaint_ms(window.network_view.viewport()))
    print(table("median step + repaint, full window 1366×768", figures, "ms"))
    print(table("the same, processor time of the window's process", processor, "ms"))
    print(table("for reference, not a target: repainting all of it with nothing changed (processor)", floors, "ms"))
    return figures


def print_view_costs(network: str = "2-3-3-1") -> dict[str, float]:
    """Print where a step's time goes, view by view, in a window over ``network`` as it first opens
    (idle machine; not a target): each view's refresh and paint, and the rest."""
    with private_settings() as autosaves, timed_views() as spent:
        with shown_window(session_for(*NETWORKS[network]), autosaves) as window:
            step(window, WARM_UP)
            costs = step_costs(window, application().processEvents, spent, 2 * STEPS)
    print(f"\nwhere a step's time goes, {network} as the window opens (median ms per step, idle; not a target)")
    for key, ms in costs.items():
        print(f"  {key:<46}{ms:>8.2f}ms")
    return costs


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, list[float]]]:
    found = step_and_repaint_figures()
    print_view_costs()
    print_profile()
    return found


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("network", list(NETWORKS))
def test_step_and_repaint_within_target(figures, network: str, view: str) -> None:
    assert median(figures[network + view]["idle"]) < TARGETS_MS[network]


def qt_ms(stats: pstats.Stats, steps: int) -> float:
    """The ms per step that ``stats`` spent in Qt's own code: Qt's methods called from Python, the
    event loop (painting and layout, less the Python overrides it calls) and the Qt base-class
    methods that overrides call through ``super()`` (which cProfile names ``<function Class.method>``)."""
    qt = 0.0
    for (file, _line, name), (_calls, _primitive, own, _cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if file == "~" and ("'PySide6." in name or "processEvents" in name or name.startswith("<function ")):
            qt += own
    return 1000 * qt / steps


def print_profile(network: str = "2-3-3-1", lines: int = 0) -> tuple[float, float]:
    """Print how much of a step of a window over ``network`` (as it first opens) is Qt's own code,
    and with ``lines``, cProfile's costliest calls (by cumulative time): below the views' own
    methods, what they spend it on. Blocks of steps with and without the profiler alternate, so
    that both see the machine alike. Returns the mean ms of a step (unprofiled) and Qt's ms in it."""
    profile, plain = cProfile.Profile(), []
    with private_settings() as autosaves, shown_window(session_for(*NETWORKS[network]), autosaves) as window:
        step(window, WARM_UP)
        for _ in range(PROFILED_BLOCKS):
            for _ in range(BLOCK_STEPS):
                start = time.perf_counter()
                step(window, 1)
                plain.append(time.perf_counter() - start)
            with profile:
                step(window, BLOCK_STEPS)
    stats = pstats.Stats(profile)
    step_ms, qt = 1000 * statistics.mean(plain), qt_ms(stats, PROFILED_BLOCKS * BLOCK_STEPS)
    print(f"\n{network}: a step takes {step_ms:.2f} ms on average, of which {qt:.2f} ms in Qt's own code (text")
    print("layout, painting, widget layout; measured under cProfile, which slows Python far more) and the rest ours")
    if lines:
        print(f"\ncProfile of {PROFILED_BLOCKS * BLOCK_STEPS} steps of {network}, as the window opens:")
        stats.sort_stats("cumulative").print_stats(lines)
    return step_ms, qt


if __name__ == "__main__":
    step_and_repaint_figures()
    print_view_costs()
    print_profile(lines=40 if "--profile" in sys.argv else 0)
