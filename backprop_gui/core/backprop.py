"""One forward and backward pass — the only copy of backprop's arithmetic.

A batch of B samples is a matrix of columns: ``x`` has shape ``(n_0, B)``, ``t`` shape
``(n_L, B)``. Per layer l (1-based, as in the course):

    z^l = w^l a^{l-1} + b^l            a^l = f_l(z^l)
    δ^L = ∂C/∂a^L ⊙ f'(z^L)            δ^l = (w^{l+1})ᵀ δ^{l+1} ⊙ f'(z^l)
    ∂C/∂w^l = mean over the batch of δ^l (a^{l-1})ᵀ     ∂C/∂b^l = mean of δ^l

Both the stepper and the trainer call ``run_pass``; nothing else computes these numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import Network

Array = np.ndarray


@dataclass(slots=True)  # read-only by convention: not frozen, since that makes every pass slower to build
class PassResult:
    """Every number of one pass. Dicts are keyed by layer l; ``a[0]`` is the input x (= ``x``).

    ``raw``: the samples' raw inputs ``(raw_input_size, B)``, which are ``x`` itself unless the
    network has features (then x = a^0 are the features of ``raw``);
    ``z[l], a[l], delta[l]``: ``(n_l, B)``; ``grad_w[l]``: ``(n_l, n_{l-1})``;
    ``grad_b[l]``: ``(n_l,)`` (zeros for a bias-free layer); ``losses``: ``(B,)``;
    ``loss``: their mean; ``grad_a``: ∂C/∂a^L of each sample, ``(n_L, B)``.
    """

    x: Array
    t: Array
    z: dict[int, Array]
    a: dict[int, Array]
    losses: Array
    loss: float
    grad_a: Array
    delta: dict[int, Array]
    grad_w: dict[int, Array]
    grad_b: dict[int, Array]
    raw: Array


def forward(network: Network, x: Array) -> tuple[dict[int, Array], dict[int, Array]]:
    """z^l and a^l for l = 1..L, and a^0, for a batch of raw inputs as columns ``x``
    (raw_input_size, B): a^0 = x, or the network's features of x."""
    z: dict[int, Array] = {}
    a: dict[int, Array] = {0: network.input_layer(x)}
    for l, layer in enumerate(network.layers, start=1):
        z[l] = layer.weights @ a[l - 1] + layer.biases[:, None]
        a[l] = ACTIVATIONS[layer.activation].f(z[l])
    return z, a


def output_delta(network: Network, z_out: Array, a_out: Array, t: Array) -> tuple[Array, Array, Array]:
    """(C per sample (B,), ∂C/∂a^L, δ^L) for the output layer.

    Softmax with cross-entropy and sigmoid with binary cross-entropy use their exact
    simplified forms (δ^L = a^L Σ_j t_j − t and a^L − t), which stay finite at a = 0 or 1.
    """
    loss = LOSSES[network.loss]
    activation = network.layers[-1].activation
    losses = loss.value(a_out, t)
    grad_a = loss.gradient(a_out, t)
    if activation == "softmax" and network.loss == "cross_entropy":
        delta = a_out * t.sum(axis=0, keepdims=True) - t
    elif activation == "sigmoid" and network.loss == "binary_cross_entropy":
        delta = a_out - t
    else:
        delta = ACTIVATIONS[activation].vjp(z_out, a_out, grad_a)
    return losses, grad_a, delta


def run_pass(network: Network, x: Array, t: Array) -> PassResult:
    """The full forward and backward pass of the batch of raw inputs ``x`` (raw_input_size, B) with
    targets ``t`` (n_L, B)."""
    z, a = forward(network, x)
    L = network.depth
    losses, grad_a, delta_out = output_delta(network, z[L], a[L], t)
    batch = x.shape[1]
    delta: dict[int, Array] = {L: delta_out}
    grad_w: dict[int, Array] = {}
    grad_b: dict[int, Array] = {}
    for l in range(L, 0, -1):
        layer = network.layers[l - 1]
        if l < L:
            upstream = network.layers[l].weights.T @ delta[l + 1]
            delta[l] = ACTIVATIONS[layer.activation].vjp(z[l], a[l], upstream)
        if batch == 1:  # the mean over one sample is that sample's value
            grad_w[l] = delta[l] @ a[l - 1].T
            grad_b[l] = delta[l][:, 0] if layer.has_bias else np.zeros(layer.size)
        else:
            share = delta[l] / batch  # each sample's share of the mean
            grad_w[l] = share @ a[l - 1].T
            grad_b[l] = share.sum(axis=1) if layer.has_bias else np.zeros(layer.size)
    return PassResult(a[0], t, z, a, losses, float(losses.sum()) / batch, grad_a, delta, grad_w, grad_b, x)


def updated_parameters(
    network: Network, result: PassResult, learning_rate: float
) -> tuple[dict[int, Array], dict[int, Array]]:
    """New (w^l, b^l) by SGD, w ← w − η ∂C/∂w, b ← b − η ∂C/∂b; the network is not changed."""
    weights, biases = {}, {}
    for l, layer in enumerate(network.layers, start=1):
        weights[l] = _minus(layer.weights, learning_rate, result.grad_w[l])
        biases[l] = _minus(layer.biases, learning_rate, result.grad_b[l]) if layer.has_bias else layer.biases
    return weights, biases


def _minus(value: Array, rate: float, gradient: Array) -> Array:
    """value − rate × gradient, in a new array (one, not two: a layer of 784 × 128 weights is 800 kB)."""
    out: Array = rate * gradient
    np.subtract(value, out, out=out)
    return out


def set_parameters(network: Network, weights: dict[int, Array], biases: dict[int, Array]) -> None:
    """Put ``weights[l]`` and ``biases[l]`` into layer l, for every l."""
    for l, layer in enumerate(network.layers, start=1):
        layer.weights = weights[l]
        layer.biases = biases[l]


def square_sum(arrays: Iterable[np.ndarray]) -> float:
    """Σ x² over every entry of ``arrays`` (one BLAS call each): NaN or +inf when an entry is not
    finite, or when the sum overflows (``all_finite`` tells the two apart)."""
    total = 0.0
    for a in arrays:
        total += np.vdot(a, a)
    return float(total)


# Below this, w·a + b cannot overflow: each partial sum is at most Σ|w||a| + |b|, and float64 reaches 1.8e308.
SAFE_SIZE = 1e300


def weighted_input_bound(network: Network, parameter_squares: float, input_norm: float, batch: int) -> float:
    """An upper bound on every ‖z^l‖ of a pass of ``network`` over ``batch`` samples whose columns of a^0
    have norms at most ``input_norm``, when Σθ² over all of its parameters is at most ``parameter_squares``
    (norms over all entries): ‖z^l‖ ≤ ‖w^l‖ ‖a^{l−1}‖ + ‖b^l‖ √B, with ‖w^l‖, ‖b^l‖ ≤ √Σθ², and ‖a^l‖ at
    most what the layer's activation allows (``Activation.size_bound``). NaN if an input is."""
    theta, root = math.sqrt(parameter_squares), math.sqrt(batch)
    size_a, largest = input_norm * root, 0.0
    for layer in network.layers:
        size_z = theta * (size_a + root)
        largest = max(largest, size_z) if size_z == size_z else size_z  # NaN stays
        size_a = ACTIVATIONS[layer.activation].size_bound(size_z, layer.size * batch)
    return largest


def safe_parameter_squares(network: Network, input_norm: float, batch: int) -> float:
    """The largest Σθ² (to a few parts in a million) for which ``weighted_input_bound`` stays below
    ``SAFE_SIZE``: a network whose parameters' squares sum to no more computes every z^l finite from
    finite inputs of norm ≤ ``input_norm``, in batches of at most ``batch``. 0 when none does (an
    input is not finite)."""

    def safe(log_squares: float) -> bool:
        return weighted_input_bound(network, math.pow(10.0, log_squares), input_norm, batch) < SAFE_SIZE

    low, high = -300.0, 300.0  # log10 of Σθ²; the bound grows with it
    if not safe(low):
        return 0.0
    if safe(high):
        return math.pow(10.0, high)
    while high - low > 1e-6:
        middle = (low + high) / 2
        low, high = (middle, high) if safe(middle) else (low, middle)
    return math.pow(10.0, low)


def all_finite(arrays: Iterable[np.ndarray]) -> bool:
    """Whether no array holds a NaN or ±inf. (Σ x² is finite only when every x is, and one BLAS call
    computes it; when it overflows although every x is finite, the exact test settles it.)"""
    return all(math.isfinite(np.vdot(a, a)) or np.isfinite(a).all() for a in arrays)


def first_non_finite(result: PassResult) -> tuple[str, int] | None:
    """(quantity, layer) of the first NaN or ±inf met in pass order, or None if all is finite."""
    arrays = (*result.z.values(), *result.a.values(), result.losses, *result.delta.values(), *result.grad_w.values())
    if all_finite((*arrays, *result.grad_b.values())):
        return None
    for l in sorted(result.z):
        if not np.all(np.isfinite(result.z[l])):
            return "z", l
        if not np.all(np.isfinite(result.a[l])):
            return "a", l
    if not np.all(np.isfinite(result.losses)):
        return "loss", len(result.z)
    for l in sorted(result.delta, reverse=True):
        if not np.all(np.isfinite(result.delta[l])):
            return "delta", l
        if not (np.all(np.isfinite(result.grad_w[l])) and np.all(np.isfinite(result.grad_b[l]))):
            return "gradient", l
    return None
