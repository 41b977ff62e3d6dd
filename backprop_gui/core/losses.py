"""Loss functions C(a^L, t) and their gradients ∂C/∂a^L, by name.

Outputs ``a`` and targets ``t`` have shape ``(n_L, B)``: one column per sample.
``value`` returns the loss of each sample, shape ``(B,)``; a minibatch's loss is the
mean of those. ``gradient`` returns ∂C/∂a^L of each sample's own loss, shape ``(n_L, B)``.
Logarithms are taken of outputs clipped to the smallest positive float, so an output of
exactly 0 or 1 gives a large but finite loss, never −inf or NaN. That clipping only catches
rounding: a network refuses a cross-entropy after an output layer that does not give
probabilities (``network.PROBABILITY_OUTPUTS``), where it would make the gradients wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

_TINY = np.finfo(float).tiny


def _safe(x: Array) -> Array:
    safe: Array = np.maximum(x, _TINY)
    return safe


def _binary_cross_entropy_gradient(a: Array, t: Array) -> Array:
    """∂C/∂a = −t/a + (1 − t)/(1 − a), written (a − t) / (a(1 − a)) where a(1 − a) > 0: the same
    number, without the cancellation of the two terms when a is near t (which cost the path sums of
    the chain rule digits: δ^L is then small against each term). At a = 0 or 1, the terms as written."""
    spread = a * (1 - a)
    inside = spread > 0
    gradient: Array = np.where(inside, (a - t) / np.where(inside, spread, 1.0), -t / _safe(a) + (1 - t) / _safe(1 - a))
    return gradient


@dataclass(frozen=True)
class Loss:
    """One loss: its name, C per sample, ∂C/∂a^L and its formula for people."""

    name: str
    value: Callable[[Array, Array], Array]
    gradient: Callable[[Array, Array], Array]
    formula: str


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "half_squared_error",
            lambda a, t: 0.5 * ((a - t) ** 2).sum(axis=0),
            lambda a, t: a - t,
            "C = ½ Σ_j (a_j^L − t_j)²",
        ),
        Loss(
            "mean_squared_error",
            lambda a, t: ((a - t) ** 2).mean(axis=0),
            lambda a, t: 2.0 * (a - t) / a.shape[0],
            "C = (1/n_L) Σ_j (a_j^L − t_j)²",
        ),
        Loss(
            "cross_entropy",
            lambda a, t: -(t * np.log(_safe(a))).sum(axis=0),
            lambda a, t: -t / _safe(a),
            "C = −Σ_j t_j log a_j^L",
        ),
        Loss(
            "binary_cross_entropy",
            lambda a, t: -(t * np.log(_safe(a)) + (1 - t) * np.log(_safe(1 - a))).sum(axis=0),
            _binary_cross_entropy_gradient,
            "C = −Σ_j [t_j log a_j^L + (1 − t_j) log(1 − a_j^L)]",
        ),
    )
}


def get_loss(name: str) -> Loss:
    """The loss called ``name``; KeyError lists the known names."""
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r} (known: {', '.join(LOSSES)})") from None
