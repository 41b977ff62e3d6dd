"""Where a step's time goes in the full window: each view's own refresh and paint, timed around the
view's methods, and what is left (the core's step, the smaller widgets, layouts, Qt's painting of
plain widgets). Not a target: a map for whoever makes a step faster next.

The views' methods are wrapped before the window is made (its signals hold the methods they were
connected to), so ``timed_views`` must be entered before ``create_window``.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent

from backprop_gui.ui.stepping.chain_view import ChainRuleView
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.network_view import NetworkView
from backprop_gui.ui.stepping.phase_bar import PhaseBar, PhaseButton
from backprop_gui.ui.stepping.values_panel import ValuesPanel, ValueTable
from backprop_gui.ui.stepping.worked_view import WorkedSolutionView

# view: {"refresh": (class, method), "paint": (class, method)}; a paint method that takes every
# event of the viewport (``viewportEvent``) is timed only for the paint events
VIEWS: dict[str, dict[str, tuple[type, str]]] = {
    "graph": {"refresh": (NetworkView, "_refresh"), "paint": (NetworkView, "viewportEvent")},
    "formula": {"refresh": (FormulaView, "refresh"), "paint": (FormulaView, "paintEvent")},
    "worked solution": {"refresh": (WorkedSolutionView, "refresh"), "paint": (WorkedSolutionView, "paintEvent")},
    "chain rule": {"refresh": (ChainRuleView, "refresh"), "paint": (ChainRuleView, "paintEvent")},
    "values": {"refresh": (ValuesPanel, "_on_changed"), "paint": (ValueTable, "viewportEvent")},
    "phase bar": {"refresh": (PhaseBar, "_on_changed"), "paint": (PhaseButton, "paintEvent")},
}


@contextmanager
def timed_views() -> Iterator[dict[str, float]]:
    """Within it, ``spent[f"{view}: refresh"]`` and ``spent[f"{view}: paint"]`` add up the seconds
    each view's methods take (a viewport's events only while they paint)."""
    spent: dict[str, float] = defaultdict(float)
    originals: list[tuple[type, str, object]] = []
    for view, parts in VIEWS.items():
        for part, (cls, method) in parts.items():
            originals.append((cls, method, cls.__dict__.get(method)))
            setattr(cls, method, _timed(getattr(cls, method), f"{view}: {part}", spent, paints_only=part == "paint"))
    try:
        yield spent
    finally:
        for cls, method, original in originals:
            if original is None:
                delattr(cls, method)  # inherited from Qt's class again
            else:
                setattr(cls, method, original)


def _timed(method: Callable, key: str, spent: dict[str, float], paints_only: bool) -> Callable:
    def timed(self, *args):
        if paints_only and args and getattr(args[0], "type", lambda: None)() != QEvent.Type.Paint:
            return method(self, *args)
        start = time.perf_counter()
        try:
            return method(self, *args)
        finally:
            spent[key] += time.perf_counter() - start

    return timed


def step_costs(window, process_events: Callable[[], None], spent: dict[str, float], steps: int) -> dict[str, float]:
    """The median ms per step of each view's refresh and paint over ``steps`` steps of ``window``
    (made within ``timed_views``, whose ``spent`` this is), the whole step, and the rest."""
    per_step: dict[str, list[float]] = defaultdict(list)
    for _ in range(steps):
        spent.clear()
        start = time.perf_counter()
        window.model.step()
        process_events()
        whole = time.perf_counter() - start
        for view, parts in VIEWS.items():
            for part in parts:
                per_step[f"{view}: {part}"].append(spent.get(f"{view}: {part}", 0.0))
        per_step["the whole step"].append(whole)
        per_step["the rest (core, other widgets, layouts)"].append(whole - sum(spent.values()))
    return {key: 1000 * statistics.median(values) for key, values in per_step.items()}
