"""The phase machine: walks one sample (or minibatch) through backprop like a debugger.

A pass is the sequence of phases

    Forward 1 → … → Forward L → Loss → Backward L → … → Backward 1 → Update

The cursor is ``position``, the number of phases completed (0 = only the input is
known), and ``revealed``, how many neurons of the next phase are already shown when it
is stepped into neuron by neuron. Every number of the pass is computed once, by
``backprop.run_pass``, when the pass starts; the cursor only decides which of them are
known. ``value`` never hands out a number that is not known yet.

Every move pushes the state it left onto a history, so ``step_back`` undoes any move
exactly, Update included (which puts the old weights and the optimiser's old state back).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

import numpy as np

from backprop_gui.core.backprop import PassResult, run_pass, set_parameters
from backprop_gui.core.network import Network
from backprop_gui.core.optimizers import OptimizerState, Update, UpdateRule, compute_update, parameter_layout

Array = np.ndarray
HISTORY_LIMIT = 10_000


class Phase(Enum):
    FORWARD = "forward"
    LOSS = "loss"
    BACKWARD = "backward"
    UPDATE = "update"


class Quantity(StrEnum):
    """What a value is, in the course's names."""

    INPUT = "x"  # a^0, (n_0, B)
    TARGET = "t"  # (n_L, B)
    WEIGHTED_INPUT = "z"  # z^l, (n_l, B)
    ACTIVATION = "a"  # a^l, (n_l, B)
    LOSS = "C"  # C per sample, (B,)
    OUTPUT_GRADIENT = "dC/da"  # ∂C/∂a^L, (n_L, B)
    DELTA = "delta"  # δ^l, (n_l, B)
    GRAD_WEIGHTS = "dC/dw"  # ∂C/∂w^l, (n_l, n_{l-1})
    GRAD_BIASES = "dC/db"  # ∂C/∂b^l, (n_l,)
    NEW_WEIGHTS = "w_new"  # w^l after Update, (n_l, n_{l-1})
    NEW_BIASES = "b_new"  # b^l after Update, (n_l,)
    OPTIMIZER_M = "m"  # the optimiser's m of w^l after Update (Adam's first moment), (n_l, n_{l-1})
    OPTIMIZER_V = "v"  # its v of w^l after Update (velocity, or mean square of ∂C/∂w), (n_l, n_{l-1})


@dataclass(frozen=True)
class PhaseStep:
    """One entry of the phase bar: a phase and, for Forward/Backward, its layer (1..L)."""

    phase: Phase
    layer: int = 0

    @property
    def label(self) -> str:
        if self.phase in (Phase.FORWARD, Phase.BACKWARD):
            return f"{self.phase.name.capitalize()} {self.layer}"
        return self.phase.name.capitalize()


@dataclass(frozen=True)
class Revealed:
    """A value and which of its neurons (rows) are known; ``values`` of unknown rows are NaN."""

    values: Array
    known: Array  # bool, one per row (neuron)


@dataclass(frozen=True)
class _State:
    batch: int
    position: int
    revealed: int
    record: PassResult
    old: tuple[dict[int, Array], dict[int, Array]]
    new: tuple[dict[int, Array], dict[int, Array]]
    old_state: OptimizerState
    update: Update


def phase_sequence(depth: int) -> list[PhaseStep]:
    """Forward 1..L, Loss, Backward L..1, Update for a network of ``depth`` L layers."""
    return (
        [PhaseStep(Phase.FORWARD, l) for l in range(1, depth + 1)]
        + [PhaseStep(Phase.LOSS)]
        + [PhaseStep(Phase.BACKWARD, l) for l in range(depth, 0, -1)]
        + [PhaseStep(Phase.UPDATE)]
    )


def batch_holding(samples: Array, row: int, batch_size: int = 1) -> int:
    """The batch of a stepper walking ``samples`` (ascending rows) that holds data row ``row``; for a
    row it does not walk (a test sample), the batch of the next row it walks (the first after the last)."""
    return int(np.searchsorted(samples, row)) % len(samples) // batch_size


class Stepper:
    """Steps a network through passes over ``inputs`` (N, n_0) with ``targets`` (N, n_L).

    The stepper walks the rows ``samples`` (ascending; all N when None, else e.g. the training
    rows of a train/test split), grouped in batches of ``batch_size`` in that order; batch ``i``
    holds ``samples[i·B … i·B + B − 1]``. The stepper changes the network's parameters and the
    ``optimizer_state`` holder only at Update (and puts them back when Update is stepped
    back); ``rule`` is the update rule (plain SGD unless given), η its base learning rate.
    """

    def __init__(
        self,
        network: Network,
        inputs: Array,
        targets: Array,
        learning_rate: float,
        batch_size: int = 1,
        batch: int = 0,
        rule: UpdateRule | None = None,
        optimizer_state: OptimizerState | None = None,
        samples: Array | None = None,
    ) -> None:
        self.network = network
        self.rule = rule if rule is not None else UpdateRule()
        self.optimizer_state = optimizer_state if optimizer_state is not None else OptimizerState()
        self.inputs = np.asarray(inputs, dtype=float)
        self.targets = np.asarray(targets, dtype=float)
        if not len(self.inputs):
            raise ValueError("the data set has no samples: the stepper needs at least one")
        if len(self.targets) != len(self.inputs):
            raise ValueError(f"the data set has {len(self.inputs)} inputs but {len(self.targets)} targets")
        self.samples = np.arange(len(self.inputs)) if samples is None else np.asarray(samples, dtype=int)
        if not len(self.samples):
            raise ValueError("the stepper needs at least one sample to walk")
        if self.samples[0] < 0 or self.samples[-1] >= len(self.inputs) or np.any(np.diff(self.samples) <= 0):
            raise ValueError(f"the samples to walk must be ascending rows of the data (0..{len(self.inputs) - 1})")
        self.learning_rate = float(learning_rate)
        self.batch_size = max(1, min(int(batch_size), len(self.samples)))
        self.phases = phase_sequence(network.depth)
        self._history: list[_State] = []
        self._state = self._new_pass(batch % self.batch_count)
        self._values: tuple[_State | None, dict[tuple[Quantity, int], Revealed]] = (None, {})  # value's, per state

    # --- where we are -------------------------------------------------------------

    @property
    def batch_count(self) -> int:
        return -(-len(self.samples) // self.batch_size)

    @property
    def batch(self) -> int:
        """Index of the current batch (the sample's index when the batch size is 1)."""
        return self._state.batch

    @property
    def sample_indices(self) -> Array:
        """The data rows of the current batch."""
        start = self._state.batch * self.batch_size
        return self.samples[start : start + self.batch_size]

    @property
    def position(self) -> int:
        """Number of phases completed in this pass, 0..len(phases)."""
        return self._state.position

    @property
    def revealed(self) -> int:
        """Neurons of ``phases[position]`` shown so far by step into (0 if none)."""
        return self._state.revealed

    @property
    def version_key(self) -> object:
        """One object that stays the same exactly while what the stepper shows does (a cache key:
        compare with ``is``); every move, new pass or restart gives a new one."""
        return self._state

    @property
    def record(self) -> PassResult:
        """Every number of the current pass, known or not: for the trace and tests only."""
        return self._state.record

    @property
    def current(self) -> PhaseStep | None:
        """The phase being shown: the one in progress, else the last completed, else None."""
        if self.revealed:
            return self.phases[self.position]
        return self.phases[self.position - 1] if self.position else None

    @property
    def next_phase(self) -> PhaseStep | None:
        return self.phases[self.position] if self.position < len(self.phases) else None

    @property
    def at_end(self) -> bool:
        return self.position == len(self.phases)

    @property
    def can_step_back(self) -> bool:
        return bool(self._history)

    def neuron_count(self, step: PhaseStep) -> int:
        """How many single-neuron steps ``step`` has (1 for Loss and Update)."""
        if step.phase in (Phase.FORWARD, Phase.BACKWARD):
            return self.network.layer(step.layer).size
        return 1

    def done(self, step: PhaseStep) -> int:
        """How many neurons of ``step`` are known: 0, a part, or all of them."""
        index = self.phases.index(step)
        if index < self.position:
            return self.neuron_count(step)
        return self.revealed if index == self.position else 0

    # --- moves --------------------------------------------------------------------

    def step(self) -> None:
        """Complete the next phase; at the end of a pass, start the next batch's pass."""
        if self.at_end:
            self._move(self._new_pass((self.batch + 1) % self.batch_count))
        else:
            self._move(self._at(self.position + 1, 0))

    def step_into(self) -> None:
        """Show the next single neuron of the phase (a whole phase for Loss and Update)."""
        step = self.next_phase
        if step is None:
            self.step()
        elif self.revealed + 1 >= self.neuron_count(step):
            self._move(self._at(self.position + 1, 0))
        else:
            self._move(self._at(self.position, self.revealed + 1))

    def finish_phase(self) -> None:
        """Step out: complete the phase in progress (or the next one if none is)."""
        self.step()

    def run_to_end(self) -> None:
        """Complete every phase of this pass, Update included."""
        if not self.at_end:
            self._move(self._at(len(self.phases), 0))

    def run_to(self, index: int) -> None:
        """Go forward or back in this pass until ``phases[index]`` is the last phase completed."""
        if not 0 <= index < len(self.phases):
            raise IndexError(f"phase {index} does not exist (0..{len(self.phases) - 1})")
        if self.position != index + 1 or self.revealed:
            self._move(self._at(index + 1, 0))

    def step_back(self) -> None:
        """Undo the last move exactly. Does nothing when there is nothing to undo."""
        if self._history:
            self._restore(self._history.pop())

    def reset_pass(self) -> None:
        """Back to the start of this pass: nothing computed, the weights as before Update."""
        if self.position or self.revealed:
            self._move(self._at(0, 0))

    def select_batch(self, batch: int) -> None:
        """Start a fresh pass on batch ``batch`` (the sample, with batch size 1)."""
        if not 0 <= batch < self.batch_count:
            raise IndexError(f"sample {batch} does not exist (0..{self.batch_count - 1})")
        if batch != self.batch or self.position or self.revealed:
            self._move(self._new_pass(batch))

    def next_batch(self) -> None:
        self.select_batch((self.batch + 1) % self.batch_count)

    def previous_batch(self) -> None:
        self.select_batch((self.batch - 1) % self.batch_count)

    def restore(
        self,
        batch: int,
        position: int,
        revealed: int = 0,
        before_update: tuple[dict[int, Array], dict[int, Array]] | None = None,
        state_before: OptimizerState | None = None,
    ) -> None:
        """Stand at a saved place (a reopened session) with an empty history: the pass on
        ``batch`` is computed from ``before_update`` (w^l, b^l by layer, as it started) and
        ``state_before`` (the optimiser's state as it started) where given, else from the network
        and state as they are; at Update the network and state then hold the updated ones."""
        if not 0 <= batch < self.batch_count:
            raise IndexError(f"sample {batch} does not exist (0..{self.batch_count - 1})")
        if not 0 <= position <= len(self.phases):
            raise IndexError(f"position {position} does not exist (0..{len(self.phases)})")
        step = self.phases[position] if position < len(self.phases) else None
        if revealed and (step is None or not 0 < revealed < self.neuron_count(step)):
            raise ValueError(f"cannot show {revealed} neurons of the phase after position {position}")
        if before_update is not None:
            set_parameters(self.network, *before_update)
        if state_before is not None:
            self.optimizer_state.assign(state_before)
        self._history.clear()
        self._state = self._new_pass(batch)
        self._restore(self._at(position, revealed))

    def restart(self) -> None:
        """Recompute the pass from the network as it is now (after an edit); history is cleared."""
        self._history.clear()
        self._state = self._new_pass(self.batch)

    # --- values -------------------------------------------------------------------

    def known(self, quantity: Quantity, layer: int = 0) -> Array:
        """Which neurons (rows) of ``quantity`` in ``layer`` are known now: bool array."""
        rows = self._rows(quantity, layer)
        q = Quantity(quantity)
        if q in (Quantity.INPUT, Quantity.TARGET):
            return np.ones(rows, dtype=bool)
        if q in (Quantity.LOSS, Quantity.OUTPUT_GRADIENT):
            return np.full(rows, self.position > self.network.depth)
        if q in (Quantity.NEW_WEIGHTS, Quantity.NEW_BIASES):
            return np.full(rows, self.at_end)
        if q in (Quantity.OPTIMIZER_M, Quantity.OPTIMIZER_V):
            return np.full(rows, self.at_end and str(q) in self.rule.optimizer.rule.buffers)
        if q in (Quantity.WEIGHTED_INPUT, Quantity.ACTIVATION):
            done = self.done(PhaseStep(Phase.FORWARD, layer))
            softmax = self.network.layer(layer).activation == "softmax"
            if q is Quantity.ACTIVATION and softmax and done < rows:
                done = 0  # a softmax output needs every z_j^L first
        else:
            done = self.done(PhaseStep(Phase.BACKWARD, layer))
            if q is Quantity.GRAD_BIASES and not self.network.layer(layer).has_bias:
                done = 0
        return np.arange(rows) < done

    def value(self, quantity: Quantity, layer: int = 0) -> Revealed:
        """``quantity`` of ``layer`` with its known rows; unknown rows hold NaN, never a number.

        The arrays are read-only: each is kept until the stepper moves, as the views ask for the same
        values many times per step."""
        if self._values[0] is not self._state:
            self._values = (self._state, {})
        key = (quantity, layer)
        found = self._values[1].get(key)
        if found is None:
            known = self.known(quantity, layer)
            values = np.array(self._raw(Quantity(quantity), layer), dtype=float, copy=True)
            values[~known] = np.nan
            values.flags.writeable = known.flags.writeable = False
            found = self._values[1][key] = Revealed(values, known)
        return found

    @property
    def update(self) -> Update:
        """The Update of this pass, known or not (its numbers are shown only at Update)."""
        return self._state.update

    @property
    def state_before(self) -> OptimizerState:
        """The optimiser's state as this pass started (the state at Update is ``update.state``)."""
        return self._state.old_state

    def weights_before(self, layer: int) -> tuple[Array, Array]:
        """(w^l, b^l) as they were when this pass started (the old values at Update)."""
        old_w, old_b = self._state.old
        return old_w[layer], old_b[layer]

    def weights_after(self, layer: int) -> tuple[Array, Array]:
        """(w^l, b^l) as Update of this pass makes them, known yet or not: for scales, never to show."""
        new_w, new_b = self._state.new
        return new_w[layer], new_b[layer]

    # --- internals ----------------------------------------------------------------

    def _rows(self, quantity: Quantity, layer: int) -> int:
        q = Quantity(quantity)
        if q is Quantity.INPUT:
            return self.network.input_size
        if q is Quantity.LOSS:
            return 1
        if q in (Quantity.TARGET, Quantity.OUTPUT_GRADIENT):
            return self.network.layers[-1].size
        return self.network.layer(layer).size

    def _raw(self, q: Quantity, layer: int) -> Array:
        r = self._state.record
        new_w, new_b = self._state.new
        table = {
            Quantity.INPUT: lambda: r.x,
            Quantity.TARGET: lambda: r.t,
            Quantity.WEIGHTED_INPUT: lambda: r.z[layer],
            Quantity.ACTIVATION: lambda: r.a[layer],
            Quantity.LOSS: lambda: r.losses[None, :],
            Quantity.OUTPUT_GRADIENT: lambda: r.grad_a,
            Quantity.DELTA: lambda: r.delta[layer],
            Quantity.GRAD_WEIGHTS: lambda: r.grad_w[layer],
            Quantity.GRAD_BIASES: lambda: r.grad_b[layer],
            Quantity.NEW_WEIGHTS: lambda: new_w[layer],
            Quantity.NEW_BIASES: lambda: new_b[layer],
            Quantity.OPTIMIZER_M: lambda: self.buffer_after_update("m", layer),
            Quantity.OPTIMIZER_V: lambda: self.buffer_after_update("v", layer),
        }
        return table[q]()

    def buffer_after_update(self, key: str, layer: int) -> Array:
        """The optimiser's buffer ``key`` ("m", "v") of w^l after this pass's Update, known or not
        (zeros if it has none): for grading and tests only, as ``record``."""
        update = self._state.update
        buffer = update.state.buffers.get(key)
        if buffer is None:
            return np.zeros_like(self._state.old[0][layer])
        return parameter_layout(self.network).split(buffer)[0][layer]

    def _new_pass(self, batch: int) -> _State:
        start = batch * self.batch_size
        rows = self.samples[start : start + self.batch_size]
        x, t = self.inputs[rows].T.copy(), self.targets[rows].T.copy()
        network = self.network
        old = (
            {l: layer.weights for l, layer in enumerate(network.layers, start=1)},
            {l: layer.biases for l, layer in enumerate(network.layers, start=1)},
        )
        old_state = self.optimizer_state.copy()
        # Huge weights overflow to ±inf and NaN: those are shown as such, not warned about
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            record = run_pass(network, x, t)
            update = compute_update(network, record, self.learning_rate, self.rule, old_state)
        return _State(batch, 0, 0, record, old, (update.weights, update.biases), old_state, update)

    def _at(self, position: int, revealed: int) -> _State:
        s = self._state
        return _State(s.batch, position, revealed, s.record, s.old, s.new, s.old_state, s.update)

    def _move(self, state: _State) -> None:
        self._history.append(self._state)
        if len(self._history) > HISTORY_LIMIT:
            del self._history[0]
        self._restore(state)

    def _restore(self, state: _State) -> None:
        self._state = state
        updated = state.position == len(self.phases)
        set_parameters(self.network, *(state.new if updated else state.old))
        self.optimizer_state.assign(state.update.state if updated else state.old_state)
