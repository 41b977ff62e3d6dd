"""Neurons as maps: every hidden and output neuron's a_j^l over a grid of the 2-D input plane.

One batched forward pass over the grid (``core.decision.grid_activations``, chunked within its
memory budget) gives every map at once. The grid is finer for small networks and coarser for wide
ones (``map_resolution``), so that recomputing the maps as the weights change stays about a
millisecond's arithmetic; for an elided layer only the neurons drawn need be kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from backprop_gui.core.decision import Plane, grid_activations, map_levels
from backprop_gui.core.network import Network

MAX_RESOLUTION = 64  # cells along each axis of the input plane
MIN_RESOLUTION = 8
MAP_WORK = 4_000_000  # multiply-adds per recomputation that choose a resolution below MAX_RESOLUTION


@dataclass(frozen=True)
class NeuronMaps:
    """a_j^l over ``plane`` on a ``resolution × resolution`` grid for the neurons ``neurons[l]``
    (0-based j) of layers l = 1..L. ``values[l]`` has shape (len(neurons[l]), R, R); ``[m, i, c]`` is
    neuron ``neurons[l][m]`` at row i (x_2 rising) and column c (x_1 rising). ``levels[l]`` is the
    layer's colour scale (low, high), as the decision map chooses it."""

    plane: Plane
    resolution: int
    neurons: dict[int, tuple[int, ...]]
    values: dict[int, np.ndarray]
    levels: dict[int, tuple[float, float]]

    def of(self, l: int, j: int) -> np.ndarray:
        """The map of a_j^l (0-based j), shape (R, R); KeyError if it was not computed."""
        if j not in self.neurons.get(l, ()):
            raise KeyError(f"no map of neuron {j + 1} of layer {l}")
        values: np.ndarray = self.values[l][self.neurons[l].index(j)]
        return values


def map_resolution(network: Network) -> int:
    """The grid's cells per axis for ``network``: MAX_RESOLUTION while a pass over it costs at most
    MAP_WORK multiply-adds, fewer (down to MIN_RESOLUTION) for wider networks."""
    parameters = sum(layer.weights.size + layer.biases.size for layer in network.layers)
    fitting = int(np.sqrt(MAP_WORK / max(1, parameters)))
    return max(MIN_RESOLUTION, min(MAX_RESOLUTION, fitting))


def neuron_maps(
    network: Network, plane: Plane, resolution: int, neurons: Mapping[int, Sequence[int]] | None = None
) -> NeuronMaps:
    """The maps of a_j^l for the neurons ``neurons[l]`` (0-based, default: every neuron of layers 1..L).

    Raises ValueError when the network does not have 2 inputs or a layer or neuron does not exist,
    and ``core.decision.MapTooLarge`` when the network is too large to map in the memory budget.
    """
    sizes = network.sizes
    chosen = {l: tuple(range(sizes[l])) for l in range(1, network.depth + 1)} if neurons is None else neurons
    kept: dict[int, tuple[int, ...]] = {}
    for l, js in chosen.items():
        if not 1 <= l <= network.depth:
            raise ValueError(f"neuron maps: layer {l} does not exist (layers are 1..{network.depth})")
        bad = [j for j in js if not 0 <= j < sizes[l]]
        if bad:
            raise ValueError(f"neuron maps: layer {l} has no neuron {bad[0] + 1} (it has {sizes[l]})")
        kept[l] = tuple(int(j) for j in js)
    values = grid_activations(network, plane, resolution, {l: np.array(js, dtype=int) for l, js in kept.items()})
    levels = {l: map_levels(network.layer(l).activation, values[l]) for l in kept}
    return NeuronMaps(plane, resolution, kept, values, levels)
