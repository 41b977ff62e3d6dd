"""A session: the network, its data, training settings and history, and where the window stood.

These are plain data; ``core.session_format`` reads and writes them as JSON files.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.compare import Reference
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Network
from backprop_gui.core.optimizers import OptimizerState
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.core.training import LossHistory, TrainingSettings


class NeuronValue(StrEnum):
    """What the graph fills neurons with: the current phase's value, always one quantity, or (for 2-D
    inputs) each neuron's map of a_j^l over the input plane."""

    AUTO = "auto"
    Z = "z"
    A = "a"
    DELTA = "delta"
    MAPS = "maps"


class EdgeMode(StrEnum):
    """What the graph's edges show: w_jk^l, or ∂C/∂w_jk^l where known."""

    WEIGHTS = "weights"
    GRADIENTS = "gradients"


NEURON_VALUES = tuple(NeuronValue)
EDGE_MODES = tuple(EdgeMode)
# What the window calls each choice (View ▸ Neurons Show, View ▸ Edges Show).
NEURON_VALUE_NAMES = {
    NeuronValue.AUTO: "Auto (the phase's value)",
    NeuronValue.Z: "Weighted input z",
    NeuronValue.A: "Activation a",
    NeuronValue.DELTA: "Error δ",
    NeuronValue.MAPS: "Maps of a over the input plane",
}
EDGE_MODE_NAMES = {EdgeMode.WEIGHTS: "Weights w", EdgeMode.GRADIENTS: "Gradients ∂C/∂w"}
Parameters = tuple[dict[int, np.ndarray], dict[int, np.ndarray]]  # ({l: w^l}, {l: b^l}), l = 1..L


@dataclass
class StepperPosition:
    """Where the stepper stands: ``sample`` (0-based), ``position`` (phases completed) and
    ``revealed`` (neurons of the next phase shown), as ``core.stepper.Stepper`` counts them.
    ``before_update`` holds (w^l, b^l) as the pass started; it is given exactly when the pass
    is at Update, where the network holds the new weights (and ``state_before`` then holds the
    optimiser's state as the pass started, None for a fresh one)."""

    sample: int = 0
    position: int = 0
    revealed: int = 0
    before_update: Parameters | None = None
    state_before: OptimizerState | None = None


@dataclass
class SessionView:
    """What the window showed, as saved with the session. None means "not stated in the file":
    the window keeps its own setting. ``selection`` is (layer, j, k) with 0-based j, k (k None
    for a neuron; layer 0 is the inputs)."""

    position: StepperPosition | None = None
    selection: tuple[int, int, int | None] | None = None
    precision: int | None = None
    neuron_value: str | None = None
    edge_mode: str | None = None
    presentation: bool | None = None
    quiz_mode: bool | None = None
    breakpoints: BreakpointSettings | None = None
    quiz: QuizSettings | None = None


@dataclass
class Session:
    """Everything a session file holds. ``epoch`` and ``batch`` are how far training got
    (completed epochs, next minibatch of the current epoch), so training resumes exactly.
    ``description`` is one line (shown in lists of examples); ``note`` is free text.
    ``view`` is where the window stood when the file was saved (None: at the start).
    ``optimizer_state`` is the optimiser's memory (velocities, moments, t), shared with the
    stepper and the trainer that work on the session. ``references`` are earlier runs kept to
    compare the loss curves with (at most ``compare.MAX_REFERENCES``)."""

    name: str
    network: Network
    data: Dataset
    training: TrainingSettings = field(default_factory=TrainingSettings)
    note: str = ""
    history: LossHistory = field(default_factory=LossHistory)
    epoch: int = 0
    batch: int = 0
    description: str = ""
    view: SessionView | None = None
    optimizer_state: OptimizerState = field(default_factory=OptimizerState)
    references: list[Reference] = field(default_factory=list)

    def detached(self) -> Session:
        """A copy to write on another thread while this one goes on changing: its own network,
        history, optimiser state, view and compared runs' curves; the data set is shared (a data
        edit puts a new one in place, never changes it)."""
        return replace(
            self,
            network=self.network.copy(),
            history=self.history.copy(),
            view=copy.deepcopy(self.view),
            optimizer_state=self.optimizer_state.copy(),
            references=[
                replace(r, train_losses=r.train_losses[:], test_losses=r.test_losses[:]) for r in self.references
            ],
        )
