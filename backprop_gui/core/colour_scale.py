"""Colour scales that mean the same across phases: the ±limit a quantity's colours span.

The graph colours each value on a diverging scale from −limit to +limit. Where the limit
comes from is the user's choice (View ▸ Colour Scale):

- ``PASS`` (default): one symmetric scale per quantity for the whole pass, from every value the
  pass computes (known yet or not), rounded up to 1, 2 or 5 × 10^k — so a colour means the same
  number from Start to Update, and a sigmoid output of 0.5 is not drawn fully saturated.
- ``PHASE``: the largest value known so far (rescales as the pass goes on).
- ``FIXED``: ±v for a value v the user sets.

The quantities are a (with x = a^0), z and δ for neurons; w (before and after Update) and
∂C/∂w for edges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from backprop_gui.core.stepper import Quantity, Stepper

Array = np.ndarray


class ScaleMode(StrEnum):
    PASS = "pass"
    PHASE = "phase"
    FIXED = "fixed"


SCALE_MODE_NAMES = {ScaleMode.PASS: "Per pass", ScaleMode.PHASE: "Per phase", ScaleMode.FIXED: "Fixed ±v"}
SCALED = (
    Quantity.ACTIVATION,
    Quantity.WEIGHTED_INPUT,
    Quantity.DELTA,
    Quantity.GRAD_WEIGHTS,
    Quantity.NEW_WEIGHTS,  # the edges' weights, before and after Update
)


def symmetric_limit(values: Array) -> float:
    """The largest finite |value| in ``values`` (any shape), or 1.0 if there is none or it is 0."""
    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size else 0.0
    return limit if limit > 0 else 1.0


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ ``value`` (> 0): 0.24 → 0.5, 3 → 5, 7 → 10."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power


def pass_values(stepper: Stepper, quantity: Quantity) -> Array:
    """Every value of ``quantity`` in the stepper's pass, known yet or not, flattened.

    ``ACTIVATION`` includes the inputs x; ``NEW_WEIGHTS`` stands for the edges' weights and holds
    the weights before and after Update; the rest are every layer's values.
    """
    record = stepper.record
    L = stepper.network.depth
    layers = range(1, L + 1)
    if quantity is Quantity.ACTIVATION:
        parts = [record.x] + [record.a[l] for l in layers]
    elif quantity is Quantity.WEIGHTED_INPUT:
        parts = [record.z[l] for l in layers]
    elif quantity is Quantity.DELTA:
        parts = [record.delta[l] for l in layers]
    elif quantity is Quantity.GRAD_WEIGHTS:
        parts = [record.grad_w[l] for l in layers]
    elif quantity is Quantity.NEW_WEIGHTS:
        parts = [stepper.weights_before(l)[0] for l in layers] + [stepper.weights_after(l)[0] for l in layers]
    else:
        raise ValueError(f"no colour scale for {quantity.value} (scaled: {', '.join(q.value for q in SCALED)})")
    return np.concatenate([np.ravel(p) for p in parts])


def pass_limit(stepper: Stepper, quantity: Quantity) -> float:
    """The ``PASS`` limit of ``quantity``: ``nice_ceiling`` of every value of the stepper's pass. It
    is the same at every step of a pass, so the last few passes' limits are kept (by their record)."""
    record = stepper.record
    for kept_record, kept_quantity, kept in _pass_limits:
        if kept_record is record and kept_quantity is quantity:
            return kept
    with np.errstate(invalid="ignore"):
        limit = nice_ceiling(symmetric_limit(pass_values(stepper, quantity)))
    _pass_limits.append((record, quantity, limit))
    del _pass_limits[:-KEPT_LIMITS]
    return limit


KEPT_LIMITS = 2 * len(SCALED)  # two passes' limits of every quantity
_pass_limits: list[tuple[object, Quantity, float]] = []


@dataclass(frozen=True)
class ColourScale:
    """How the ±limit of a quantity's colours is chosen: ``mode`` and, for ``FIXED``, ``fixed`` = v > 0."""

    mode: ScaleMode = ScaleMode.PASS
    fixed: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.fixed) and self.fixed > 0):
            raise ValueError(f"the fixed colour scale ±v needs a positive v, got {self.fixed}")

    def limit(self, stepper: Stepper, quantity: Quantity, shown: Array) -> float:
        """The limit for ``quantity``; ``shown`` are the values drawn now (NaN where unknown), used
        by ``PHASE``."""
        if self.mode is ScaleMode.FIXED:
            return self.fixed
        if self.mode is ScaleMode.PHASE:
            return symmetric_limit(np.asarray(shown, dtype=float))
        return pass_limit(stepper, quantity)

    @property
    def name(self) -> str:
        """What the legend calls it: "per pass", "per phase", "fixed ±0.5"."""
        if self.mode is ScaleMode.FIXED:
            return f"fixed ±{self.fixed:g}"
        return SCALE_MODE_NAMES[self.mode].lower()
