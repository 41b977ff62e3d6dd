"""Gradient check: central finite differences against backprop, for every weight and bias."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from backprop_gui.core.backprop import run_pass
from backprop_gui.core.network import Network

EPSILON = 1e-6
# A central difference of C is only accurate to about 1e-16·|C| / ε ≈ 1e-10·|C|, so gradients
# smaller than MIN_SCALE·max(1, |C|) are judged relative to that scale rather than to themselves.
MIN_SCALE = 1e-3


@dataclass(frozen=True)
class ParameterCheck:
    """One parameter: ``kind`` "w" or "b", layer l (1..L), j, k (k = 0 for a bias).

    ``scale`` is the smallest magnitude the relative error divides by.
    """

    kind: str
    layer: int
    j: int
    k: int
    backprop: float
    numerical: float
    scale: float = 1e-12

    @property
    def absolute_error(self) -> float:
        return abs(self.backprop - self.numerical)

    @property
    def relative_error(self) -> float:
        return self.absolute_error / max(abs(self.backprop), abs(self.numerical), self.scale)

    @property
    def name(self) -> str:
        """The course's name, 1-based: ``w_12^2`` or ``b_1^2`` (``w_10,2^2`` once an index has two digits)."""
        if self.kind == "w":
            sep = "," if max(self.j, self.k) >= 9 else ""
            return f"w_{self.j + 1}{sep}{self.k + 1}^{self.layer}"
        return f"b_{self.j + 1}^{self.layer}"


@dataclass(frozen=True)
class GradientCheck:
    checks: list[ParameterCheck]

    @property
    def first_non_finite(self) -> ParameterCheck | None:
        """The first parameter whose backprop gradient or finite difference is NaN or ±inf (the pass
        or a nudged pass overflows): no error can be measured there, so the check fails."""
        return next((c for c in self.checks if not math.isfinite(c.backprop + c.numerical)), None)

    @property
    def max_absolute_error(self) -> float:
        """The largest |backprop − numerical|; NaN when any gradient is not finite."""
        return math.nan if self.first_non_finite else max((c.absolute_error for c in self.checks), default=0.0)

    @property
    def max_relative_error(self) -> float:
        """The largest relative error; NaN when any gradient is not finite."""
        return math.nan if self.first_non_finite else max((c.relative_error for c in self.checks), default=0.0)

    def passes(self, tolerance: float) -> bool:
        """Every gradient finite and every relative error within ``tolerance``."""
        return self.first_non_finite is None and self.max_relative_error <= tolerance


def gradient_check(network: Network, x: np.ndarray, t: np.ndarray, epsilon: float = EPSILON) -> GradientCheck:
    """Compare ∂C/∂w and ∂C/∂b from backprop with (C(p + ε) − C(p − ε)) / 2ε.

    ``x`` (n_0, B) and ``t`` (n_L, B) are a batch of columns; C is the batch's mean loss.
    The network is left exactly as it was. Overflows give NaN/±inf gradients (no warnings):
    ``GradientCheck.first_non_finite`` names the first.
    """
    with np.errstate(all="ignore"):
        return _check(network, x, t, epsilon)


def _check(network: Network, x: np.ndarray, t: np.ndarray, epsilon: float) -> GradientCheck:
    result = run_pass(network, x, t)
    scale = MIN_SCALE * max(1.0, abs(result.loss))
    checks = []
    for l, layer in enumerate(network.layers, start=1):
        arrays = [("w", layer.weights, result.grad_w[l])]
        if layer.has_bias:
            arrays.append(("b", layer.biases, result.grad_b[l]))
        for kind, param, grad in arrays:
            for index in np.ndindex(param.shape):
                original = param[index]
                param[index] = original + epsilon
                plus = run_pass(network, x, t).loss
                param[index] = original - epsilon
                minus = run_pass(network, x, t).loss
                param[index] = original
                j, k = (index + (0,))[:2]
                numerical = (plus - minus) / (2 * epsilon)
                checks.append(ParameterCheck(kind, l, j, k, float(grad[index]), numerical, scale))
    return GradientCheck(checks)
