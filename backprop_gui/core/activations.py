"""Activation functions f and their derivatives f', by name.

Every function works on arrays of weighted inputs ``z`` of shape ``(n_l, B)``: one column
per sample. ``derivative(z, a)`` returns f'(z) elementwise (``a = f(z)`` is passed so the
cheap forms such as σ(z)(1 − σ(z)) can use it). Softmax is not elementwise: it has no
``derivative`` and back-propagates through its Jacobian with ``vjp``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.01


# exp of a very negative number rounds to 0 — the correctly rounded result, not an error —
# so underflow is silenced where it can happen; overflow never can.
@np.errstate(under="ignore")
def _sigmoid(z: Array) -> Array:
    # exp of a non-positive number never overflows, so this is stable for any |z|.
    e = np.exp(-np.abs(z))
    a: Array = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return a


@np.errstate(under="ignore")
def _softplus(z: Array) -> Array:
    a: Array = np.logaddexp(0.0, z)
    return a


@np.errstate(under="ignore")
def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    a: Array = e / e.sum(axis=0, keepdims=True)
    return a


@dataclass(frozen=True)
class Activation:
    """One activation: its name, f, f', a one-line formula for people (Unicode scripts, no carets) and
    ``size_bound(norm, count)``, an upper bound on ‖f(z)‖ for any ``count`` weighted inputs z with
    ‖z‖ ≤ ``norm`` (Euclidean norms over all the entries)."""

    name: str
    f: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None
    formula: str
    size_bound: Callable[[float, int], float]
    output_only: bool = False

    def vjp(self, z: Array, a: Array, grad_a: Array) -> Array:
        """δ = (∂a/∂z)ᵀ · ∂C/∂a, column by column. Shapes ``(n, B)``."""
        delta: Array
        if self.derivative is not None:
            delta = grad_a * self.derivative(z, a)
        else:  # softmax: ∂a_j/∂z_i = a_j (1[i=j] − a_i), so δ_i = a_i (g_i − Σ_j a_j g_j)
            delta = a * (grad_a - np.sum(a * grad_a, axis=0, keepdims=True))
        return delta


def _at_most_one(norm: float, count: int) -> float:
    """|f(z)| ≤ 1 for every entry (σ, tanh, softmax)."""
    return math.sqrt(count)


def _at_most_z(norm: float, count: int) -> float:
    """|f(z)| ≤ |z| for every entry (ReLU, leaky ReLU, linear)."""
    return norm


def _softplus_bound(norm: float, count: int) -> float:
    """log(1 + eᶻ) ≤ |z| + log 2 for every entry."""
    return norm + math.log(2) * math.sqrt(count)


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a), "σ(z) = 1 / (1 + e⁻ᶻ)", _at_most_one),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, "tanh(z)", _at_most_one),
        Activation(
            "relu",
            lambda z: np.maximum(z, 0.0),
            lambda z, a: (z > 0).astype(float),
            "max(0, z)",
            _at_most_z,
        ),
        Activation(
            "leaky_relu",
            lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
            f"z if z > 0 else {LEAKY_SLOPE}·z",
            _at_most_z,
        ),
        Activation("linear", lambda z: z.astype(float, copy=True), lambda z, a: np.ones_like(z), "z", _at_most_z),
        Activation("softplus", _softplus, lambda z, a: _sigmoid(z), "log(1 + eᶻ)", _softplus_bound),
        Activation("softmax", _softmax, None, "exp(zⱼ) / Σₖ exp(zₖ)", _at_most_one, output_only=True),
    )
}


def get_activation(name: str) -> Activation:
    """The activation called ``name``; KeyError lists the known names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r} (known: {', '.join(ACTIVATIONS)})") from None
