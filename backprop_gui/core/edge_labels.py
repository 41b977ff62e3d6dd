"""What the graph writes on its edges, chosen by phase the way the neurons' values are.

View ▸ Edge Labels offers four modes:

- ``AUTO``: w_jk^l going forward and at Loss; from Backward l on, ∂C/∂w_jk^l on every layer
  computed so far (layer l and those above it), the weights below; "old → new" at Update.
- ``WEIGHTS``: w_jk^l throughout ("old → new" at Update, where the weights change).
- ``GRADIENTS``: ∂C/∂w_jk^l wherever it is known.
- ``OFF``: no labels.

Every number is the stepper's; a label whose number is not known yet is not written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from backprop_gui.core.stepper import Phase, Quantity, Stepper

Array = np.ndarray


class EdgeLabelMode(StrEnum):
    AUTO = "auto"
    WEIGHTS = "weights"
    GRADIENTS = "gradients"
    OFF = "off"


EDGE_LABEL_MODE_NAMES = {
    EdgeLabelMode.AUTO: "Auto",
    EdgeLabelMode.WEIGHTS: "Weights",
    EdgeLabelMode.GRADIENTS: "Gradients",
    EdgeLabelMode.OFF: "Off",
}


class EdgeLabelKind(StrEnum):
    WEIGHT = "weight"  # w_jk^l
    GRADIENT = "gradient"  # ∂C/∂w_jk^l
    UPDATE = "update"  # old w_jk^l → new w_jk^l


@dataclass(frozen=True)
class LayerLabels:
    """The labels of layer l's edges: ``values`` holds one (n_l, n_{l-1}) array per number of a label
    ((w,), (∂C/∂w,) or (old w, new w)); ``known`` (bool, same shape) which edges have a label;
    ``quantity`` the stepper quantity whose numbers may be held back until revealed (None for w)."""

    kind: EdgeLabelKind
    values: tuple[Array, ...]
    known: Array
    quantity: Quantity | None

    def numbers(self, j: int, k: int) -> tuple[float, ...]:
        """The numbers of the label of w_jk^l (0-based j, k)."""
        return tuple(float(v[j, k]) for v in self.values)

    def text(self, j: int, k: int, fmt: Callable[[float], str]) -> str:
        """The label of w_jk^l as people read it: "0.01", "2.081" or "0.01 → −1.03"."""
        return " → ".join(fmt(v) for v in self.numbers(j, k))


def layer_kinds(stepper: Stepper, mode: EdgeLabelMode) -> dict[int, EdgeLabelKind | None]:
    """Per layer l = 1..L, what its edges' labels show now in ``mode`` (None: no labels)."""
    depth = stepper.network.depth
    current = stepper.current
    at_update = current is not None and current.phase is Phase.UPDATE
    if mode is EdgeLabelMode.OFF:
        return dict.fromkeys(range(1, depth + 1))
    if mode is EdgeLabelMode.GRADIENTS:
        return dict.fromkeys(range(1, depth + 1), EdgeLabelKind.GRADIENT)
    if at_update:
        return dict.fromkeys(range(1, depth + 1), EdgeLabelKind.UPDATE)
    if mode is EdgeLabelMode.WEIGHTS or current is None or current.phase is not Phase.BACKWARD:
        return dict.fromkeys(range(1, depth + 1), EdgeLabelKind.WEIGHT)
    return {l: EdgeLabelKind.GRADIENT if l >= current.layer else EdgeLabelKind.WEIGHT for l in range(1, depth + 1)}


def edge_labels(stepper: Stepper, mode: EdgeLabelMode) -> dict[int, LayerLabels]:
    """The labels of every layer that has some in ``mode``, keyed by layer l."""
    out: dict[int, LayerLabels] = {}
    for l, kind in layer_kinds(stepper, mode).items():
        if kind is None:
            continue
        old = stepper.weights_before(l)[0]
        if kind is EdgeLabelKind.WEIGHT:
            out[l] = LayerLabels(kind, (old,), np.ones(old.shape, dtype=bool), None)
        elif kind is EdgeLabelKind.GRADIENT:
            grads = stepper.value(Quantity.GRAD_WEIGHTS, l)
            known = np.broadcast_to(grads.known[:, None], old.shape)
            out[l] = LayerLabels(kind, (grads.values,), known, Quantity.GRAD_WEIGHTS)
        else:
            new = stepper.value(Quantity.NEW_WEIGHTS, l)
            known = np.broadcast_to(new.known[:, None], old.shape)
            out[l] = LayerLabels(kind, (old, new.values), known, Quantity.NEW_WEIGHTS)
    return out
