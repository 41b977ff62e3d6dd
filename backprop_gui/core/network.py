"""The network: layer sizes, weights, biases, one activation per layer, and a loss.

Notation (the course's): layer ``l`` = 1..L has ``n_l`` neurons; ``w^l`` has shape
``(n_l, n_{l-1})`` and ``w^l[j, k]`` is ``w_jk^l``, the weight from neuron k of layer
l−1 to neuron j of layer l; ``b^l`` has shape ``(n_l,)``. ``n_0`` is the input size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.features import RAW_INPUT_SIZE, check_features, feature_columns
from backprop_gui.core.losses import LOSSES

INIT_SCHEMES = ("xavier", "he", "uniform", "zeros")
MAX_PARAMETERS = 10_000_000
MAX_SEED = 2**64 - 1  # every seed (weights, shuffling, data), as numpy's generators take them
# Losses that take log a_j^L need probabilities from the output layer: a^L in (0, 1] for
# cross-entropy, (0, 1) for binary cross-entropy. Any other output is clipped inside the log,
# and the clipping makes the gradients wrong.
PROBABILITY_OUTPUTS: dict[str, tuple[str, ...]] = {
    "cross_entropy": ("softmax", "sigmoid"),
    "binary_cross_entropy": ("sigmoid", "softmax"),
}


def output_conflict(loss: str, activation: str) -> str | None:
    """Why ``loss`` cannot follow an output layer with ``activation``, or None if it can.

    The reason reads "cross_entropy needs probabilities from the output layer (softmax or sigmoid)";
    callers add which layer and activation it was about.
    """
    allowed = PROBABILITY_OUTPUTS.get(loss, ())
    if not allowed or activation in allowed:
        return None
    return f"{loss} needs probabilities from the output layer ({' or '.join(allowed)})"


@dataclass
class Layer:
    """One layer l: ``weights`` (n_l, n_{l-1}), ``biases`` (n_l,), its activation name.

    With ``has_bias`` false the biases are fixed at 0, never updated and have no gradient.
    """

    weights: np.ndarray
    biases: np.ndarray
    activation: str = "sigmoid"
    has_bias: bool = True

    @property
    def size(self) -> int:
        return int(self.weights.shape[0])

    def copy(self) -> Layer:
        return Layer(self.weights.copy(), self.biases.copy(), self.activation, self.has_bias)


@dataclass
class Network:
    """An input size ``n_0``, layers 1..L (``layers[l - 1]`` is layer l) and a loss name.

    ``features`` (names from ``core.features.FEATURES``) makes the inputs a^0 features of the raw
    2-D input, n_0 = len(features); None: the raw inputs themselves are a^0.
    """

    input_size: int
    layers: list[Layer] = field(default_factory=list)
    loss: str = "half_squared_error"
    features: tuple[str, ...] | None = None

    @property
    def raw_input_size(self) -> int:
        """Numbers per sample the data must give: 2 (x1, x2) with features, else n_0."""
        return RAW_INPUT_SIZE if self.features is not None else self.input_size

    def input_layer(self, raw: np.ndarray) -> np.ndarray:
        """a^0 for a batch of raw inputs as columns (raw_input_size, B) → (n_0, B)."""
        return raw if self.features is None else feature_columns(raw, self.features)

    @property
    def depth(self) -> int:
        """L, the number of layers with weights."""
        return len(self.layers)

    @property
    def sizes(self) -> list[int]:
        """[n_0, n_1, …, n_L]."""
        return [self.input_size] + [layer.size for layer in self.layers]

    @property
    def num_parameters(self) -> int:
        return sum(layer.weights.size + (layer.size if layer.has_bias else 0) for layer in self.layers)

    def layer(self, l: int) -> Layer:
        """Layer ``l`` counted from 1, as users see it."""
        if not 1 <= l <= self.depth:
            raise IndexError(f"layer {l} does not exist (layers are 1..{self.depth})")
        return self.layers[l - 1]

    def copy(self) -> Network:
        return Network(self.input_size, [layer.copy() for layer in self.layers], self.loss, self.features)

    def parameters(self) -> list[np.ndarray]:
        """Every trainable array, in order w^1, b^1, w^2, … (biases of bias-free layers left out)."""
        params = []
        for layer in self.layers:
            params.append(layer.weights)
            if layer.has_bias:
                params.append(layer.biases)
        return params

    def validate(self) -> None:
        """Raise ValueError naming the first thing that is wrong with this network."""
        if self.input_size < 1:
            raise ValueError(f"input_size: must be at least 1, got {self.input_size}")
        if not self.layers:
            raise ValueError("layers: a network needs at least one layer")
        if self.loss not in LOSSES:
            raise ValueError(f"loss: unknown loss {self.loss!r} (known: {', '.join(LOSSES)})")
        if self.features is not None:
            check_features(self.features)
            if self.input_size != len(self.features):
                raise ValueError(
                    f"input_size: must equal the number of features ({len(self.features)}), got {self.input_size}"
                )
        # counted from the arrays' sizes, so that a wrongly shaped array still gets its own message below
        count = sum(layer.weights.size + (layer.biases.size if layer.has_bias else 0) for layer in self.layers)
        if count > MAX_PARAMETERS:
            raise ValueError(f"layers: {count:,} parameters is more than the {MAX_PARAMETERS:,} allowed")
        previous = self.input_size
        for i, layer in enumerate(self.layers):
            where = f"layers[{i}]"
            if layer.activation not in ACTIVATIONS:
                raise ValueError(
                    f"{where}.activation: unknown activation {layer.activation!r} (known: {', '.join(ACTIVATIONS)})"
                )
            if ACTIVATIONS[layer.activation].output_only and i != len(self.layers) - 1:
                raise ValueError(f"{where}.activation: {layer.activation} is only allowed on the output layer")
            _check_weights(layer, i + 1, previous)
            n = layer.weights.shape[0]
            if layer.biases.shape != (n,):
                got = "×".join(map(str, layer.biases.shape))
                raise ValueError(f"{where}.biases: expected {n} values, got {got}")
            if not np.all(np.isfinite(layer.weights)):
                raise ValueError(f"{where}.weights: contains a NaN or infinite value")
            if not np.all(np.isfinite(layer.biases)):
                raise ValueError(f"{where}.biases: contains a NaN or infinite value")
            if not layer.has_bias and np.any(layer.biases != 0):
                raise ValueError(f"{where}.biases: must be all zeros when the layer has no bias")
            previous = n
        output = self.layers[-1].activation
        conflict = output_conflict(self.loss, output)
        if conflict:
            raise ValueError(f"loss: {conflict}, but layer {self.depth} is {output}")


def _check_weights(layer: Layer, l: int, n_in: int) -> None:
    """Raise ValueError unless ``layer.weights`` (layer ``l``, 1-based) is an n_l × n_{l-1} matrix, n_l ≥ 1.

    n_l is taken from the weights' rows, else from the biases, to say what was expected.
    """
    weights, biases = layer.weights, layer.biases
    if weights.ndim == 2 and weights.shape[0] >= 1 and weights.shape[1] == n_in:
        return
    if weights.ndim == 2 and weights.shape[0] >= 1:
        rows = str(weights.shape[0])
    elif biases.ndim == 1 and len(biases) >= 1:
        rows = str(len(biases))
    else:
        rows = f"n_{l}"
    if weights.ndim == 1:
        got = f"a flat list of {weights.size}"
    elif weights.ndim == 0:
        got = "a single number"
    else:
        got = "×".join(map(str, weights.shape))
    shape = f"{rows}×{n_in}" if rows.isdigit() else f"{rows}×{n_in} with n_{l} ≥ 1"
    raise ValueError(f"layers[{l - 1}].weights: expected {shape} (n_{l} rows of n_{l - 1} = {n_in} numbers), got {got}")


def initial_weights(n_out: int, n_in: int, scheme: str, rng: np.random.Generator) -> np.ndarray:
    """A ``(n_out, n_in)`` weight matrix drawn by ``scheme`` (one of INIT_SCHEMES)."""
    if scheme == "xavier":
        limit = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-limit, limit, size=(n_out, n_in))
    if scheme == "he":
        return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    if scheme == "uniform":
        return rng.uniform(-1.0, 1.0, size=(n_out, n_in))
    if scheme == "zeros":
        return np.zeros((n_out, n_in))
    raise ValueError(f"unknown initialisation {scheme!r} (known: {', '.join(INIT_SCHEMES)})")


def build_network(
    input_size: int,
    sizes: list[int],
    activations: list[str],
    loss: str = "half_squared_error",
    init: str = "xavier",
    seed: int = 0,
    has_bias: list[bool] | None = None,
    features: tuple[str, ...] | None = None,
) -> Network:
    """A new network with layers of ``sizes`` and ``activations``, weights from ``init`` and ``seed``.

    Biases start at 0. With ``features`` the inputs are those features (``input_size`` must be their number).
    """
    if len(sizes) != len(activations):
        raise ValueError(f"{len(sizes)} layer sizes but {len(activations)} activations")
    has_bias = has_bias or [True] * len(sizes)
    rng = np.random.default_rng(seed)
    layers, previous = [], input_size
    for size, activation, bias in zip(sizes, activations, has_bias, strict=True):
        layers.append(Layer(initial_weights(size, previous, init, rng), np.zeros(size), activation, bias))
        previous = size
    network = Network(input_size, layers, loss, None if features is None else tuple(features))
    network.validate()
    return network


def reinitialise(network: Network, init: str, seed: int) -> None:
    """Draw all weights anew by ``init`` and ``seed`` and set the biases to 0, in place."""
    rng = np.random.default_rng(seed)
    previous = network.input_size
    for layer in network.layers:
        layer.weights = initial_weights(layer.size, previous, init, rng)
        layer.biases = np.zeros(layer.size)
        previous = layer.size
