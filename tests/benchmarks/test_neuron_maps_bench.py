"""Speed of the neuron maps (``core.neuron_maps``): every neuron's a_j^l over the input plane.

Not part of the default test run. Run with ``pytest tests/benchmarks/test_neuron_maps_bench.py -s``
or as a script. Target: the maps of a 2-8-8-1 network on a 64×64 grid are recomputed in at most
5 ms (median of interleaved repeats, core only). Printed beside it, for scale: the decision map's
output-only grid of the same size, and a wide 2-100-100-1 network at the resolution
``map_resolution`` chooses for it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from backprop_gui.core.decision import evaluate_grid, plane_around
from backprop_gui.core.network import build_network
from backprop_gui.core.neuron_maps import map_resolution, neuron_maps

REPEATS = 201
TARGET_MS = 5.0


def median_ms(contenders: dict[str, Callable[[], object]], repeats: int = REPEATS) -> dict[str, float]:
    """Each contender's median time in ms, timed in interleaved repeats."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) * 1e3)
    return {name: statistics.median(values) for name, values in times.items()}


def figures() -> dict[str, float]:
    rng = np.random.default_rng(0)
    plane = plane_around(rng.uniform(-1, 1, size=(200, 2)))
    small = build_network(2, [8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=1)
    wide = build_network(2, [100, 100, 1], ["tanh", "tanh", "sigmoid"], seed=1)
    wide_resolution = map_resolution(wide)
    medians = median_ms(
        {
            "2-8-8-1 maps, 64×64": lambda: neuron_maps(small, plane, 64),
            "2-8-8-1 decision map, 64×64": lambda: evaluate_grid(small, plane, 64),
            f"2-100-100-1 maps, {wide_resolution}×{wide_resolution}": lambda: neuron_maps(wide, plane, wide_resolution),
        }
    )
    for name, ms in medians.items():
        print(f"  {name:<34}{ms:8.3f} ms (median)")
    return medians


def test_maps_of_a_small_network_are_recomputed_within_target() -> None:
    medians = figures()
    assert medians["2-8-8-1 maps, 64×64"] <= TARGET_MS


if __name__ == "__main__":
    figures()
