"""Training: epochs of minibatches, the loss history, and a guard against divergence.

Training uses ``backprop.run_pass`` — the stepper's arithmetic — one minibatch at a time, and
``optimizers.compute_update`` — the stepper's update — after each.
The order of the samples in epoch ``e`` is drawn from ``(seed, e)`` alone, so training
can stop between any two steps and resume exactly where it was.
"""

from __future__ import annotations

import copy
import math
from array import array
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from backprop_gui.core.backprop import (
    PassResult,
    all_finite,
    first_non_finite,
    forward,
    run_pass,
    safe_parameter_squares,
    set_parameters,
    square_sum,
)
from backprop_gui.core.datasets import MAX_SAMPLES, Dataset, held_out_count
from backprop_gui.core.decimation import minmax_indices
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.metrics import accuracy, classifies, evaluate
from backprop_gui.core.network import MAX_SEED, Network
from backprop_gui.core.optimizers import OptimizerState, UpdateRule, compute_update

MIN_LEARNING_RATE = 1e-6
MAX_LEARNING_RATE = 1e6
MAX_EPOCHS = 1_000_000
# A session file keeps the losses of at most this many recent steps (more than an epoch can have,
# MAX_SAMPLES, so training resumes exactly); older steps keep their epochs' means and the curve's
# shape: the lowest and highest loss of each of MAX_EARLY_POINTS / 2 buckets of steps.
MAX_SAVED_STEPS = 2 * MAX_SAMPLES
MAX_EARLY_POINTS = 20_000


@dataclass
class TrainingSettings:
    """η, minibatch size, epochs to run, shuffling and its seed, and the rest of the update rule."""

    learning_rate: float = 0.5
    batch_size: int = 1
    epochs: int = 1
    shuffle: bool = True
    seed: int = 0
    rule: UpdateRule = UpdateRule()

    def validate(self) -> None:
        """Raise ValueError naming the first setting out of range (the ranges the file and the window share)."""
        if not (math.isfinite(self.learning_rate) and MIN_LEARNING_RATE <= self.learning_rate <= MAX_LEARNING_RATE):
            raise ValueError(
                f"training.learning_rate: must be in {MIN_LEARNING_RATE:g}..{MAX_LEARNING_RATE:g}, "
                f"got {self.learning_rate:g}"
            )
        if not 1 <= self.batch_size <= MAX_SAMPLES:
            raise ValueError(f"training.batch_size: must be in 1..{MAX_SAMPLES:,}, got {self.batch_size:,}")
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"training.epochs: must be in 1..{MAX_EPOCHS:,}, got {self.epochs:,}")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"training.seed: must be in 0..{MAX_SEED:,}, got {self.seed:,}")
        self.rule.validate()


@dataclass
class LossHistory:
    """The loss of every step, the mean of every epoch, and validation loss per epoch.

    ``epoch_ends[e]`` is the number of steps done when epoch e+1 ended;
    ``rate_changes`` lists (step, η) wherever η was changed during training.
    ``dropped`` counts the first steps whose own losses are not all kept (a long history read
    from a file, see ``MAX_SAVED_STEPS``): ``step_losses`` holds steps ``dropped + 1 … steps``;
    of the steps before, ``early_steps`` (step numbers from 1, increasing) and
    ``early_losses`` keep the lowest and highest loss of each stretch (see ``decimated``), and
    every epoch's mean is kept all the same.

    With a train/test split each epoch also measures, at its end, the ``test_losses`` and, for
    classification, ``train_accuracies`` and ``test_accuracies`` (shares in [0, 1]). These are the
    values of the last epochs (``measured_from``): of every epoch since the data got its split.
    """

    step_losses: array[float] = field(default_factory=lambda: array("d"))
    epoch_losses: list[float] = field(default_factory=list)
    validation_losses: list[float] = field(default_factory=list)
    epoch_ends: list[int] = field(default_factory=list)
    rate_changes: list[tuple[int, float]] = field(default_factory=list)
    dropped: int = 0
    early_steps: array[int] = field(default_factory=lambda: array("q"))
    early_losses: array[float] = field(default_factory=lambda: array("d"))
    test_losses: list[float] = field(default_factory=list)
    train_accuracies: list[float] = field(default_factory=list)
    test_accuracies: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Steps taken, counting those whose own losses were dropped."""
        return self.dropped + len(self.step_losses)

    def loss_of_step(self, step: int) -> float | None:
        """The loss of step ``step`` (from 1); None when it was dropped (not kept as an early point)."""
        if step > self.dropped:
            return self.step_losses[step - self.dropped - 1]
        at = bisect_left(self.early_steps, step)
        return self.early_losses[at] if at < len(self.early_steps) and self.early_steps[at] == step else None

    def decimated(self, keep: int = MAX_SAVED_STEPS) -> LossHistory:
        """This history with the losses of its last ``keep`` steps only; the steps before join the
        early points, which keep the lowest and highest loss of each of MAX_EARLY_POINTS / 2
        stretches of steps, so the curve keeps its shape. Shares the lists (and, when nothing is
        cut, everything) with ``self``."""
        losses = np.frombuffer(self.step_losses, dtype=float)
        cut = len(losses) - keep
        if cut <= 0:
            return self
        buckets = MAX_EARLY_POINTS // 2 - 1  # minmax_indices keeps at most 2 * buckets + 2 points
        older = np.unique(minmax_indices(losses[:cut], buckets))
        steps = np.concatenate([np.frombuffer(self.early_steps, dtype=np.int64), self.dropped + 1 + older])
        values = np.concatenate([np.frombuffer(self.early_losses, dtype=float), losses[older]])
        if len(steps) > MAX_EARLY_POINTS:
            index = np.unique(minmax_indices(values, buckets))
            steps, values = steps[index], values[index]
        return LossHistory(
            array("d", losses[cut:].tobytes()),
            self.epoch_losses,
            self.validation_losses,
            self.epoch_ends,
            self.rate_changes,
            self.dropped + cut,
            array("q", steps.astype(np.int64).tobytes()),
            array("d", values.tobytes()),
            self.test_losses,
            self.train_accuracies,
            self.test_accuracies,
        )

    def measured_from(self, values: list[float]) -> int:
        """The epoch (from 1) of ``values[0]``, for ``values`` one of the measurements kept for the
        last epochs (``test_losses``, ``train_accuracies``, ``test_accuracies``)."""
        return len(self.epoch_losses) - len(values) + 1

    def tail(self, steps: int) -> LossHistory:
        """What a trainer needs to go on from the end of this history: the losses of its last ``steps``
        steps (at most those kept; the current epoch's, for its mean) after ``dropped`` steps, and no
        series. A training process gets this rather than the whole history, which grows by a list entry
        an epoch (hundreds of thousands after minutes of a small data set) and would be copied whole
        at every run's start."""
        kept = min(max(0, steps), len(self.step_losses))
        return LossHistory(self.step_losses[len(self.step_losses) - kept :], dropped=self.steps - kept)

    def copy(self) -> LossHistory:
        """A copy that later appends to this history leave alone (every array and list copied)."""
        return LossHistory(**{f.name: copy.copy(getattr(self, f.name)) for f in fields(self)})

    def clear(self) -> None:
        self.dropped = 0
        self.step_losses = array("d")
        self.early_steps = array("q")
        self.early_losses = array("d")
        for series in (self.epoch_losses, self.validation_losses, self.epoch_ends, self.rate_changes):
            series.clear()
        self.clear_measurements()

    def clear_measurements(self) -> None:
        """Forget the test losses and accuracies."""
        for series in (self.test_losses, self.train_accuracies, self.test_accuracies):
            series.clear()


class Divergence(ArithmeticError):
    """Training met a NaN or ±inf; the parameters are those of the last finite step."""

    def __init__(self, step: int, quantity: str, layer: int) -> None:
        self.step, self.quantity, self.layer = step, quantity, layer
        where = f"the loss C of output layer {layer}" if quantity == "loss" else f"{quantity} of layer {layer}"
        super().__init__(
            f"training diverged at step {step}: {where} became NaN or infinite; "
            "the weights of the last finite step were kept (try a smaller learning rate η)"
        )

    def __reduce__(self) -> tuple[Any, ...]:  # pickled by its fields (it travels from a training process)
        return Divergence, (self.step, self.quantity, self.layer)


def split_validation(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training indices, validation indices) of ``n`` samples, drawn from ``seed``."""
    count = held_out_count(n, fraction)
    order = np.random.default_rng([seed, 2**31]).permutation(n)
    return np.sort(order[count:]), np.sort(order[:count])


@dataclass(frozen=True)
class DataSplit:
    """The rows of a data set by their use, each ascending: ``train`` (trained on), ``validation``
    (held out of training by the validation fraction, measured each epoch) and ``test`` (the
    data's train/test split, measured each epoch)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def data_split(data: Dataset, seed: int) -> DataSplit:
    """``data``'s rows by use: the test rows by its ``split_seed``, then the validation rows drawn
    from the rest by the training ``seed`` (as without a test split, when there is none)."""
    rest, test = data.split()
    train, validation = split_validation(len(rest), data.validation_fraction, seed)
    return DataSplit(rest[train], rest[validation], test)


def training_count(data: Dataset) -> int:
    """How many samples of ``data`` are trained on (``len(data_split(data, seed).train)``, counted
    without drawing the split)."""
    rest = len(data) - held_out_count(len(data), data.test_fraction)
    return rest - held_out_count(rest, data.validation_fraction)


def batches_per_epoch(data: Dataset, batch_size: int) -> int:
    """How many minibatches of ``batch_size`` one epoch over ``data``'s training samples takes."""
    return -(-training_count(data) // batch_size)


def mean_loss(network: Network, inputs: np.ndarray, targets: np.ndarray) -> float:
    """The mean loss of samples given as rows, ``inputs`` (N, n_0) and ``targets`` (N, n_L)."""
    _, a = forward(network, inputs.T)
    return float(LOSSES[network.loss].value(a[network.depth], targets.T).mean())


def _first_non_finite(
    result: PassResult, weights: dict[int, np.ndarray], biases: dict[int, np.ndarray]
) -> tuple[str, int]:
    """(quantity, layer) of the first NaN or ±inf in the pass, else in the updated parameters."""
    bad = first_non_finite(result)
    if bad is not None:
        return bad
    return "weights", next(l for l in weights if not all_finite((weights[l], biases[l])))


class Trainer:
    """Trains ``network`` on ``data`` by ``settings``' update rule, recording into ``history``.

    ``epoch`` counts completed epochs and ``batch`` the next minibatch within the current
    one; both are plain integers so a session can save them and resume. ``optimizer_state``
    (shared with the session when given) holds the optimiser's velocities, moments and t.

    ``observers`` are called as ``observer(result, step)`` after every successful step, once
    the step is recorded (and its epoch closed, if it was the last). An observer stops
    training by raising (e.g. ``breakpoints.BreakpointHit``): ``step`` lets it propagate and
    the trainer's state is that of a clean stop after ``step``.

    ``parameter_squares`` is Σθ² over the network's parameters as the trainer left them (+inf when
    not known: a step counted from elsewhere, or too large to sum) and ``pass_parameter_squares``
    the same for those the last step's pass used; at most ``safe_parameter_squares``, that pass
    computed every z^l finite (``backprop.weighted_input_bound``), which a watch need not check.
    """

    def __init__(
        self,
        network: Network,
        data: Dataset,
        settings: TrainingSettings,
        history: LossHistory | None = None,
        epoch: int = 0,
        batch: int = 0,
        optimizer_state: OptimizerState | None = None,
    ) -> None:
        self.network = network
        self.optimizer_state = optimizer_state if optimizer_state is not None else OptimizerState()
        self.data = data
        self.settings = settings
        self.history = history if history is not None else LossHistory()
        self.epoch = epoch
        self.batch = batch
        split = data_split(data, settings.seed)
        self.train_indices, self.validation_indices, self.test_indices = split.train, split.validation, split.test
        self.classification = classifies(network, data)
        self._epoch_start = self.history.steps - batch
        self._order: tuple[tuple[int, bool, int], np.ndarray] | None = None  # epoch_order, kept for its epoch
        self.observers: list[Callable[[PassResult, int], None]] = []
        self.parameter_squares = square_sum(p for layer in network.layers for p in (layer.weights, layer.biases))
        self.pass_parameter_squares = math.inf
        self._safe_squares: float | None = None

    @property
    def safe_parameter_squares(self) -> float:
        """The largest Σθ² with which a pass over this trainer's data computes every z^l finite
        (``backprop.safe_parameter_squares``, worked out once)."""
        if self._safe_squares is None:
            network, inputs = self.network, self.data.inputs
            norm = 0.0
            for start in range(0, len(inputs), 4096):  # a^0 (the network's features) of every row, in bounded memory
                a0 = network.input_layer(inputs[start : start + 4096].T)
                norm = float(np.maximum(norm, np.sqrt(np.max(np.sum(a0 * a0, axis=0), initial=0.0))))  # NaN stays
            # every row at once: the largest batch there can be, whatever the batch size is set to later
            self._safe_squares = safe_parameter_squares(network, norm, max(1, len(inputs)))
        return self._safe_squares

    @property
    def batches_per_epoch(self) -> int:
        return -(-len(self.train_indices) // self.settings.batch_size)

    def epoch_order(self, epoch: int) -> np.ndarray:
        """Sample indices in the order epoch ``epoch`` (0-based) visits them (the last one asked
        for is kept, so asking every step costs nothing)."""
        key = (epoch, self.settings.shuffle, self.settings.seed)
        if self._order is None or self._order[0] != key:
            order = self.train_indices
            if self.settings.shuffle:
                order = order[np.random.default_rng([self.settings.seed, epoch]).permutation(len(order))]
            self._order = (key, order)
        return self._order[1]

    def next_samples(self) -> np.ndarray:
        """The sample indices the next step will train on."""
        size = self.settings.batch_size
        return self.epoch_order(self.epoch)[self.batch * size : (self.batch + 1) * size]

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change η from the next step on, and mark the change in the history."""
        self.settings.learning_rate = float(learning_rate)
        self.history.rate_changes.append((self.history.steps, float(learning_rate)))

    def step(self) -> float:
        """Train on one minibatch and return its loss. Raises Divergence on NaN/±inf.

        numpy's overflow warnings on the way to a Divergence are the caller's to silence, once
        around its loop (``train`` and ``train_epoch`` do): per step it would cost ~3% of the time.
        """
        rows = self.next_samples()
        x, t = self.data.inputs.take(rows, axis=0).T, self.data.targets.take(rows, axis=0).T
        result = run_pass(self.network, x, t)
        step = self.history.steps + 1
        settings = self.settings
        update = compute_update(self.network, result, settings.learning_rate, settings.rule, self.optimizer_state)
        weights, biases = update.weights, update.biases
        squares = square_sum(update.arrays)
        if not (math.isfinite(result.loss) and (math.isfinite(squares) or all_finite(update.arrays))):
            raise Divergence(step, *_first_non_finite(result, weights, biases))
        self.pass_parameter_squares, self.parameter_squares = self.parameter_squares, squares
        set_parameters(self.network, weights, biases)
        self.optimizer_state.assign(update.state)
        self.history.step_losses.append(result.loss)
        self.batch += 1
        if self.batch >= self.batches_per_epoch:
            self._end_epoch()
        for observer in self.observers:
            observer(result, step)
        return result.loss

    def record_step(self, loss: float) -> None:
        """Count a step taken elsewhere (the stepper's Update) as the next training step with ``loss``."""
        self.parameter_squares = math.inf  # the parameters it left are not known here
        self.history.step_losses.append(float(loss))
        self.batch += 1
        if self.batch >= self.batches_per_epoch:
            self._end_epoch()

    def unrecord_step(self) -> None:
        """Take back the last step of the history (an Update stepped back), and the epoch it ended."""
        self.parameter_squares = math.inf
        h = self.history
        if not h.steps:
            return
        if self.batch == 0 and h.epoch_ends and h.epoch_ends[-1] == h.steps:
            h.epoch_losses.pop()
            h.epoch_ends.pop()
            if len(h.validation_losses) > len(h.epoch_losses):
                h.validation_losses.pop()
            for measured in (h.test_losses, h.train_accuracies, h.test_accuracies):
                if measured:
                    measured.pop()
            self.epoch -= 1
            self.batch = self.batches_per_epoch
        h.step_losses.pop()
        self.batch -= 1
        self._epoch_start = h.steps - self.batch

    @np.errstate(over="ignore", invalid="ignore", divide="ignore")  # a Divergence names the NaN/±inf
    def train_epoch(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Run steps until the current epoch ends (or ``should_stop()`` says so)."""
        epoch = self.epoch
        while self.epoch == epoch and not should_stop():
            self.step()

    @np.errstate(over="ignore", invalid="ignore", divide="ignore")  # a Divergence names the NaN/±inf
    def train(self, epochs: int, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Run ``epochs`` epochs, stopping between steps when ``should_stop()`` is true."""
        target = self.epoch + epochs
        while self.epoch < target and not should_stop():
            self.step()

    def _end_epoch(self) -> None:
        losses = self.history.step_losses[self._epoch_start - self.history.dropped :]
        self.history.epoch_losses.append(float(np.mean(losses)))
        self.history.epoch_ends.append(self.history.steps)
        if len(self.validation_indices):
            rows = self.validation_indices
            self.history.validation_losses.append(
                mean_loss(self.network, self.data.inputs[rows], self.data.targets[rows])
            )
        self._measure()
        self._epoch_start = self.history.steps
        self.epoch += 1
        self.batch = 0

    def _measure(self) -> None:
        """Record the test loss and, for classification, the accuracy on both sets at an epoch's end;
        an epoch without a test split forgets the measurements of an earlier split."""
        h = self.history
        if not len(self.test_indices):
            h.clear_measurements()
            return
        test = evaluate(self.network, self.data, self.test_indices, self.classification)
        h.test_losses.append(test.loss)
        if test.accuracy is not None:
            h.train_accuracies.append(accuracy(self.network, self.data, self.train_indices))
            h.test_accuracies.append(test.accuracy)


class TrainerHook:
    """At most one observer on one trainer: ``attach`` replaces the one before, ``detach`` removes it."""

    def __init__(self) -> None:
        self._trainer: Trainer | None = None
        self._observer: Callable[[PassResult, int], None] | None = None

    def attach(self, trainer: Trainer, observer: Callable[[PassResult, int], None]) -> None:
        """Have ``trainer`` call ``observer(result, step)`` after every step, instead of the observer before."""
        self.detach()
        trainer.observers.append(observer)
        self._trainer, self._observer = trainer, observer

    def detach(self) -> None:
        """Take the observer off its trainer (nothing happens when none is attached)."""
        if self._trainer is not None and self._observer in self._trainer.observers:
            self._trainer.observers.remove(self._observer)
        self._trainer = self._observer = None
