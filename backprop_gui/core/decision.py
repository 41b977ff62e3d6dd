"""The decision map: the network's output (or any neuron's a_j^l) over a grid of the 2-D input plane,
via ``backprop.forward``.

The grid is evaluated a chunk of points at a time so that the pass's z^l and a^l never take more
than ``MEMORY_BUDGET`` bytes; a network too large to map in that budget or in reasonable time
raises ``MapTooLarge`` naming the sizes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from backprop_gui.core.backprop import forward
from backprop_gui.core.network import Network

MAX_RESOLUTION = 1000
MEMORY_BUDGET = 64 * 2**20  # bytes of z^l, a^l and a^L held at once
MAX_MULTIPLY_ADDS = 2 * 10**9  # about a second of arithmetic: a larger map would freeze the window
BOUNDED_LEVELS = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}


class MapTooLarge(ValueError):
    """The network is too large to map within the memory budget or in reasonable time."""


@dataclass(frozen=True)
class Plane:
    """The rectangle ``[x_min, x_max] × [y_min, y_max]`` of the (x_1, x_2) input plane."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float

    @property
    def width(self) -> float:
        return self.x_max - self.x_min

    @property
    def height(self) -> float:
        return self.y_max - self.y_min

    def contains(self, inputs: np.ndarray) -> bool:
        """True when every sample of ``inputs`` (N, 2) lies inside the plane."""
        x, y = inputs[:, 0], inputs[:, 1]
        return bool(np.all((x >= self.x_min) & (x <= self.x_max) & (y >= self.y_min) & (y <= self.y_max)))


def plane_around(inputs: np.ndarray, margin: float = 0.15) -> Plane:
    """A plane holding every sample of ``inputs`` (N, 2) with ``margin`` of its span added on each side."""
    if inputs.ndim != 2 or inputs.shape[1] != 2:
        raise ValueError(f"the decision map needs 2 inputs per sample, got shape {inputs.shape}")
    if len(inputs) == 0:
        return Plane(-1.0, 1.0, -1.0, 1.0)
    lo, hi = inputs.min(axis=0), inputs.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    lo, hi = lo - margin * span, hi + margin * span
    return Plane(float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def grid_points(plane: Plane, resolution: int) -> np.ndarray:
    """The centres of a ``resolution × resolution`` grid over ``plane`` as columns, shape (2, R²).

    Column ``i * R + j`` is the cell in row i (x_2 rising) and column j (x_1 rising).
    """
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution must be in 2..{MAX_RESOLUTION}, got {resolution}")
    dx, dy = plane.width / resolution, plane.height / resolution
    xs = plane.x_min + dx * (np.arange(resolution) + 0.5)
    ys = plane.y_min + dy * (np.arange(resolution) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    return np.vstack([gx.ravel(), gy.ravel()])


def evaluate_grid(network: Network, plane: Plane, resolution: int) -> np.ndarray:
    """a^L over the grid: shape (n_L, R, R), ``[j, i, c]`` = output j at row i (x_2), column c (x_1).

    Cells where the output overflows hold NaN or ±inf; no warning is raised for them.
    Raises MapTooLarge (before allocating) when ``map_chunk`` does.
    """
    outputs = grid_activations(network, plane, resolution, {network.depth: np.arange(network.layers[-1].size)})
    return outputs[network.depth]


def grid_activations(
    network: Network, plane: Plane, resolution: int, neurons: Mapping[int, np.ndarray]
) -> dict[int, np.ndarray]:
    """a_j^l over the grid for the neurons j in ``neurons[l]`` (0-based indices) of each layer l given:
    ``{l: (len(neurons[l]), R, R)}``, ``[m, i, c]`` = neuron ``neurons[l][m]`` at row i (x_2), column c (x_1).

    One batched ``backprop.forward`` per chunk of grid points (``map_chunk``). Cells that overflow hold
    NaN or ±inf, without a warning. Raises MapTooLarge (before allocating) when ``map_chunk`` does.
    """
    if network.raw_input_size != 2:
        raise ValueError(
            f"a map of the input plane needs a network with 2 inputs, this one has n_0 = {network.input_size}"
        )
    points = grid_points(plane, resolution)
    count = points.shape[1]
    chunk = map_chunk(network, count, sum(len(js) for js in neurons.values()))
    kept = {l: np.empty((len(js), count)) for l, js in neurons.items()}
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: non-finite cells, shown as such
        for start in range(0, count, chunk):
            _, a = forward(network, points[:, start : start + chunk])
            for l, js in neurons.items():
                kept[l][:, start : start + chunk] = a[l][js]
    return {l: values.reshape(-1, resolution, resolution) for l, values in kept.items()}


def map_chunk(network: Network, points: int, kept: int | None = None) -> int:
    """How many of ``points`` grid points to pass at once within ``MEMORY_BUDGET``: per point the pass
    holds z^l and a^l of every layer and one temporary, and the result keeps ``kept`` numbers (default n_L). Raises
    MapTooLarge when even one point, the result itself, or the arithmetic is beyond the budget."""
    sizes = network.sizes
    kept = sizes[-1] if kept is None else kept
    parameters = sum(layer.weights.size + layer.biases.size for layer in network.layers)
    output_bytes = 8 * kept * points
    per_point = 8 * (2 * sum(sizes[1:]) + max(sizes))  # z^l, a^l of layers 1..L and a temporary w^l a^{l-1}
    if parameters * points > MAX_MULTIPLY_ADDS or output_bytes + per_point > MEMORY_BUDGET:
        raise MapTooLarge(
            f"this network ({parameters:,} parameters, widest layer {max(sizes):,} neurons) is too large for "
            f"a map of {points:,} points"
        )
    return max(1, (MEMORY_BUDGET - output_bytes) // per_point)


def map_levels(activation: str, values: np.ndarray) -> tuple[float, float]:
    """The colour scale's (low, high) for a map of a^l of a layer with ``activation``: the activation's
    range where it is bounded (sigmoid, softmax 0..1, tanh −1..1), else that of the finite ``values``."""
    if activation in BOUNDED_LEVELS:
        return BOUNDED_LEVELS[activation]
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return (lo - 0.5, hi + 0.5) if hi <= lo else (lo, hi)


def class_map(outputs: np.ndarray) -> np.ndarray:
    """The arg-max output index (0-based) of each cell of ``outputs`` (n_L, R, R), shape (R, R)."""
    classes: np.ndarray = np.argmax(outputs, axis=0)
    return classes


def is_classification(targets: np.ndarray) -> bool:
    """True when ``targets`` (N, n_L) are classes: one 0/1 column, or one-hot rows."""
    if targets.shape[1] == 1:
        return bool(np.all((targets == 0) | (targets == 1)))
    return bool(np.all((targets == 0) | (targets == 1)) and np.all(targets.sum(axis=1) == 1))


def target_classes(targets: np.ndarray) -> np.ndarray:
    """A class per sample from ``targets`` (N, n_L): the arg-max for several outputs, t ≥ 0.5 for one."""
    if targets.shape[1] == 1:
        return (targets[:, 0] >= 0.5).astype(int)
    classes: np.ndarray = np.argmax(targets, axis=1)
    return classes
