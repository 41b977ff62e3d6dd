"""Edits of the runs a session compares (Train ▸ Compare), each exactly reversible.

``KeepReference`` keeps the current run's loss curves as a reference (``core.compare``) and, given
the parameters the run started from, puts the network back to them with a fresh history, epoch
count and optimiser state, so that the next run trains from the same starting weights.
``ClearReferences`` forgets every reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from backprop_gui.core.compare import Reference, check_references
from backprop_gui.core.editing import Edit
from backprop_gui.core.network import Network
from backprop_gui.core.optimizers import OptimizerState
from backprop_gui.core.training import LossHistory

if TYPE_CHECKING:
    from backprop_gui.core.session import Session

# The parameters of a network, layer by layer: (w^l, b^l), shapes (n_l, n_{l-1}) and (n_l,).
Parameters = list[tuple[np.ndarray, np.ndarray]]


def parameters_of(network: Network) -> Parameters:
    """``network``'s (w^l, b^l) for l = 1..L; the very arrays (the core never writes into them)."""
    return [(layer.weights, layer.biases) for layer in network.layers]


def fits(parameters: Parameters, network: Network) -> bool:
    """True when ``parameters`` have the shapes of ``network``'s w^l and b^l, layer by layer."""
    return len(parameters) == network.depth and all(
        w.shape == layer.weights.shape and b.shape == layer.biases.shape
        for (w, b), layer in zip(parameters, network.layers, strict=True)
    )


@dataclass
class KeepReference(Edit):
    """Keep ``reference`` (appended to ``session.references``); with ``start``, also restart: the
    weights and biases go back to ``start``, and the loss history, the epoch count and the
    optimiser's state start afresh."""

    reference: Reference
    start: Parameters | None = None
    _old: tuple[Parameters, LossHistory, int, int, OptimizerState] | None = field(
        default=None, init=False, repr=False
    )  # parameters, history, epoch, batch, optimiser state

    @property
    def text(self) -> str:
        again = " and start again from its starting weights" if self.start is not None else ""
        return f"keep {self.reference.name} for comparison{again}"

    def check(self, session: Session) -> None:
        check_references([*session.references, self.reference])
        if self.start is not None and not fits(self.start, session.network):
            raise ValueError(
                "the starting weights do not fit the network: its layers have changed since the run started"
            )

    def _do(self, session: Session) -> None:
        session.references.append(self.reference)
        if self.start is None:
            return
        network = session.network
        self._old = (
            parameters_of(network),
            session.history,
            session.epoch,
            session.batch,
            session.optimizer_state.copy(),
        )
        for layer, (weights, biases) in zip(network.layers, self.start, strict=True):
            layer.weights, layer.biases = weights, biases
        session.history = LossHistory()
        session.epoch = session.batch = 0
        session.optimizer_state.reset()

    def undo(self, session: Session) -> None:
        session.references.remove(self.reference)
        if self._old is None:
            return
        parameters, session.history, session.epoch, session.batch, state = self._old
        for layer, (weights, biases) in zip(session.network.layers, parameters, strict=True):
            layer.weights, layer.biases = weights, biases
        session.optimizer_state.assign(state)


@dataclass
class ClearReferences(Edit):
    """Forget every reference the session keeps for comparison."""

    pauses_training: ClassVar[bool] = False  # the network, the training and the data stay as they are
    _old: list[Reference] = field(default_factory=list, init=False, repr=False)

    @property
    def text(self) -> str:
        return "clear the compared runs"

    def check(self, session: Session) -> None:
        if not session.references:
            raise ValueError("there are no compared runs to clear")

    def _do(self, session: Session) -> None:
        self._old = list(session.references)
        session.references.clear()

    def undo(self, session: Session) -> None:
        session.references[:] = self._old
