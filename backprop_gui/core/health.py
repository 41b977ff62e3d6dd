"""Layer health: how large δ^l and ∂C/∂w^l of each layer are over training.

The size of an array is its RMS, √(mean of the squares of its entries): for δ^l over every
neuron and sample of the step's batch, for ∂C/∂w^l over every weight of the layer. RMS does
not grow with the layer's width, so layers of different sizes compare on one plot, and
vanishing or exploding gradients show as curves sinking or rising by decades.

Memory is bounded: every epoch is kept (one row per epoch), and the per-step series is
decimated — when ``capacity`` points are stored, neighbours merge in pairs (RMS of the two)
and each point then stands for twice as many steps.

Recording runs after every training step, so it does the least it can there: one BLAS call per
array for its mean square, appended to a flat buffer. Folding those into the figures (epoch rows,
the decimated series) is batched, a few numpy calls for many steps, whenever the figures are read
or sent or ``FOLD_STEPS`` steps are waiting. An epoch's end only marks where it ended among the
waiting steps: a data set of four samples ends an epoch every fourth step, and closing each at once
cost training a quarter of its speed. (Keeping each step's arrays to fold them later saved no time:
held arrays keep numpy from reusing their memory for the next step's, which costs as much.)

Even so, squaring 2L arrays costs a small network a sixth of its step. A recorder made with
``measure_every`` k > 1 measures one step in k while it watches a trainer: each epoch's steps in
blocks of k, one step of each block, at a place that depends only on the block (so the measured
samples vary even when the data are not shuffled), and an epoch's last step when none of the
epoch was measured (a run that started after its block's pick): every epoch has its row, the RMS
over its measured steps, and each point of the series stands for measured steps.
"""

from __future__ import annotations

import math
import threading
from array import array
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from backprop_gui.core.backprop import PassResult
from backprop_gui.core.training import Trainer, TrainerHook

Array = np.ndarray
FOLD_STEPS = 512  # steps whose mean squares wait at most before they are folded into the figures


def mean_square(values: Array) -> float:
    """Mean of values²; 0 for an empty array. (One BLAS call: it runs after every training step.)"""
    return float(np.vdot(values, values)) / values.size if values.size else 0.0


def rms(values: Array) -> float:
    """√(mean of values²); 0 for an empty array."""
    return math.sqrt(mean_square(values))


def layer_sizes(result: PassResult) -> tuple[Array, Array]:
    """(RMS of δ^l, RMS of ∂C/∂w^l) for l = 1..L, each of shape (L,)."""
    layers = sorted(result.delta)
    return (
        np.array([rms(result.delta[l]) for l in layers]),
        np.array([rms(result.grad_w[l]) for l in layers]),
    )


@dataclass
class HealthChanges:
    """What a copy of a ``HealthRecorder`` needs to catch up with it (``HealthRecorder.changes_since``):
    the epoch rows from ``first_epoch`` on, (n, 2, L), the whole per-step series, n ≤ capacity, and
    the step recorded last."""

    first_epoch: int
    epoch_rows: Array
    steps: Array
    squares: Array
    stride: int
    pending: Array
    pending_steps: int
    epoch_sum: Array
    epoch_steps: int
    last_step: int


class HealthRecorder:
    """Per-layer RMS of δ^l and ∂C/∂w^l, per step (decimated) and per epoch (in full).

    ``record`` may run on a training thread while a view reads ``snapshot`` on another.
    """

    def __init__(self, depth: int, capacity: int = 2048, measure_every: int = 1) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity: must be an even number of at least 2, got {capacity}")
        if measure_every < 1:
            raise ValueError(f"measure_every: must be at least 1, got {measure_every}")
        self.depth = depth
        self._layers = range(1, depth + 1)
        self.capacity = capacity
        self.measure_every = measure_every  # a watched trainer's steps measured: one in this many
        self.version = 0  # grows with every change, so a view knows when to redraw
        self._lock = threading.Lock()
        self._hook = TrainerHook()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._steps = np.zeros(self.capacity)
            self._squares = np.zeros((2, self.capacity, self.depth))  # mean squares: δ, ∂C/∂w
            self._count = 0
            self._stride = 1  # steps per stored point
            self._pending = np.zeros((2, self.depth))
            self._pending_steps = 0
            self._epochs = np.zeros((64, 2, self.depth))  # one row per epoch (RMS δ, ∂C/∂w), room to grow
            self._epoch_count = 0
            self._epoch_sum = np.zeros((2, self.depth))
            self._epoch_steps = 0
            self._waiting, self._waiting_steps = array("d"), array("q")  # steps not folded yet (``record``)
            self._epoch_marks: list[int] = []  # how many of the waiting steps there were at each epoch's end
            self._last_step = 0  # the step recorded last (0: none)
            self.version += 1

    def __getstate__(self) -> dict[str, Any]:
        """What pickling sends (to a training process): the figures, without the lock or the hook."""
        with self._lock:
            self._fold()
            state = {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_hook")}
            state["_epochs"] = self._epochs[: self._epoch_count].copy()  # (not the room to grow)
            return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._hook = TrainerHook()

    def changes_since(self, epochs: int) -> HealthChanges:
        """What a copy that holds the first ``epochs`` epoch rows needs to catch up (``apply``): the
        epoch rows after those, and the per-step series (at most ``capacity`` points). Its size does
        not grow with the epochs trained, so a training process can send it at every snapshot."""
        with self._lock:
            self._fold()
            n = self._count
            return HealthChanges(
                epochs, self._epochs[epochs : self._epoch_count].copy(), self._steps[:n].copy(),
                self._squares[:, :n].copy(), self._stride, self._pending.copy(), self._pending_steps,
                self._epoch_sum.copy(), self._epoch_steps, self._last_step,
            )  # fmt: skip

    def apply(self, changes: HealthChanges) -> None:
        """Catch up with the recorder ``changes`` came from (``changes_since``)."""
        with self._lock:
            n = len(changes.steps)
            self._steps[:n], self._squares[:, :n], self._count = changes.steps, changes.squares, n
            self._stride, self._pending, self._pending_steps = changes.stride, changes.pending, changes.pending_steps
            self._add_epochs(changes.first_epoch, changes.epoch_rows)
            self._epoch_sum, self._epoch_steps = changes.epoch_sum, changes.epoch_steps
            self._last_step = changes.last_step
            self._waiting, self._waiting_steps, self._epoch_marks = array("d"), array("q"), []
            self.version += 1

    @property
    def epochs(self) -> int:
        """Epoch rows recorded."""
        with self._lock:
            self._fold()
            return self._epoch_count

    def _add_epochs(self, first: int, rows: Array) -> None:
        """Put ``rows`` (n, 2, L) at epoch ``first`` on (under the lock); what followed is dropped."""
        end = first + len(rows)
        if end > len(self._epochs):
            grown = np.zeros((max(end, 2 * len(self._epochs)), 2, self.depth))
            grown[:first] = self._epochs[:first]
            self._epochs = grown
        self._epochs[first:end] = rows
        self._epoch_count = end

    def record(self, result: PassResult, step: int, ends_epoch: bool = False) -> None:
        """Add the sizes of one training step ``step`` (1-based): the mean squares of its δ^l and
        ∂C/∂w^l, folded into the figures later (``_fold``); ``ends_epoch``: the step was its epoch's
        last (as ``end_epoch`` after it, under one lock)."""
        with self._lock:
            waiting = self._waiting
            for arrays in (result.delta, result.grad_w):
                waiting.extend([mean_square(arrays[l]) for l in self._layers])
            self._waiting_steps.append(step)
            self._last_step = step
            if ends_epoch:
                self._epoch_marks.append(len(self._waiting_steps))
            if len(self._waiting_steps) >= FOLD_STEPS:
                self._fold()
            self.version += 1

    def _fold(self) -> None:
        """Add the waiting steps' mean squares to the figures (under the lock)."""
        waiting, steps = self._waiting, self._waiting_steps
        if not steps:
            if self._epoch_marks:
                self._close_epochs(np.empty((0, 2, self.depth)))
            return
        self._waiting, self._waiting_steps = array("d"), array("q")
        rows = np.frombuffer(waiting, dtype=float).reshape(len(steps), 2, self.depth)  # per step: δ^l, ∂C/∂w^l
        self._close_epochs(rows)
        start = 0
        while start < len(rows):  # into points of ``_stride`` steps each
            stride, free = self._stride, self.capacity - self._count
            whole = min((len(rows) - start) // stride, free) if not self._pending_steps else 0
            if whole:  # whole points at once
                end = start + whole * stride
                points = rows[start:end].reshape(whole, stride, 2, self.depth).mean(axis=1)
                self._steps[self._count : self._count + whole] = steps[start + stride - 1 : end : stride]
                self._squares[:, self._count : self._count + whole] = points.transpose(1, 0, 2)
                self._count += whole
                if self._count == self.capacity:
                    self._halve()
                start = end
                continue
            end = min(len(rows), start + self._stride - self._pending_steps)
            self._pending += rows[start:end].sum(axis=0)
            self._pending_steps += end - start
            if self._pending_steps == self._stride:
                self._steps[self._count] = steps[end - 1]
                self._squares[:, self._count] = self._pending / self._pending_steps
                self._count += 1
                self._pending[:] = 0
                self._pending_steps = 0
                if self._count == self.capacity:
                    self._halve()
            start = end

    def end_epoch(self) -> None:
        """Close the epoch: its row is the RMS over all of its steps (an epoch of none has no row)."""
        with self._lock:
            self._epoch_marks.append(len(self._waiting_steps))
            if len(self._epoch_marks) >= FOLD_STEPS:
                self._fold()
            self.version += 1

    def _close_epochs(self, rows: Array) -> None:
        """Add the kept steps' mean squares ``rows`` (n, 2, L) to the epochs: each mark closes the epoch
        open there (with what it had before this fold), and the steps after the last one stay open."""
        marks, self._epoch_marks = self._epoch_marks, []
        if not marks:
            self._epoch_sum = self._epoch_sum + rows.sum(axis=0)
            self._epoch_steps += len(rows)
            return
        starts = np.array([0, *marks[:-1]])
        counts = np.array(marks) - starts
        sums = np.zeros((len(marks), 2, self.depth))
        filled = counts > 0
        if filled.any():  # the sum of each closed epoch's steps, each added in one run
            sums[filled] = np.add.reduceat(rows[: marks[-1]], starts[filled], axis=0)
        sums[0] += self._epoch_sum
        counts[0] += self._epoch_steps
        closed = counts > 0
        self._add_epochs(self._epoch_count, np.sqrt(sums[closed] / counts[closed][:, None, None]))
        self._epoch_sum, self._epoch_steps = rows[marks[-1] :].sum(axis=0), len(rows) - marks[-1]

    def _halve(self) -> None:
        half = self.capacity // 2
        self._steps[:half] = self._steps[1 : self.capacity : 2]
        self._squares[:, :half] = (self._squares[:, 0::2] + self._squares[:, 1::2]) / 2
        self._count = half
        self._stride *= 2

    def snapshot(self, per_epoch: bool = False) -> tuple[Array, Array, Array]:
        """(x, RMS δ (n, L), RMS ∂C/∂w (n, L)): x is the last step each point covers, or the
        1-based epoch number when ``per_epoch``. Copies, safe to keep."""
        with self._lock:
            self._fold()
            if per_epoch:
                rows = self._epochs[: self._epoch_count]
                return np.arange(1.0, len(rows) + 1), rows[:, 0].copy(), rows[:, 1].copy()
            sizes = np.sqrt(self._squares[:, : self._count])
            return self._steps[: self._count].copy(), sizes[0].copy(), sizes[1].copy()

    @property
    def steps_per_point(self) -> int:
        with self._lock:
            self._fold()
            return self._stride

    # --- attaching to a trainer --------------------------------------------------

    def attach(self, trainer: Trainer) -> None:
        """Watch ``trainer`` through its observer hook: record the steps it takes that the recorder
        measures (``measured``; every one when ``measure_every`` is 1), and each epoch's end."""
        if self.measure_every == 1:
            self._hook.attach(trainer, partial(self.measure, trainer))
            return
        first = pick = last = 0  # the block of steps the last step was in: its first, measured and last step

        def observer(result: PassResult, step: int) -> None:
            nonlocal first, pick, last
            batch = trainer.batch  # 0: the step ended its epoch
            if not first <= step <= last:
                count = trainer.batches_per_epoch
                first, pick, last = self._block(step, batch or count, count)
            if step == pick or (not batch and self._last_step <= step - trainer.batches_per_epoch):
                self.record(result, step, not batch)  # (the second: none of the epoch was measured)
            elif not batch:
                self.end_epoch()

        self._hook.attach(trainer, observer)

    def measure(self, trainer: Trainer, result: PassResult, step: int) -> None:
        """Record step ``step`` of ``trainer`` (its pass ``result``), whether or not it is one the recorder
        measures (the step a breakpoint stops a run on is always measured)."""
        self.record(result, step, trainer.batch == 0)

    def measured(self, step: int, place: int, count: int) -> bool:
        """Whether training step ``step``, the ``place``-th (1-based) of an epoch of ``count``, is one the
        recorder measures: the one its block of ``measure_every`` steps picks. The pick depends only on
        the block (its first step and its length), so it is the same on every run and in every process."""
        return self._block(step, place, count)[1] == step

    def _block(self, step: int, place: int, count: int) -> tuple[int, int, int]:
        """(first, measured, last) training step of the block ``step`` is in, the ``place``-th (1-based)
        step of an epoch of ``count``: the epoch's steps in blocks of ``measure_every``, the last perhaps
        shorter."""
        k = self.measure_every
        start = (place - 1) // k * k  # the block's first place, 0-based
        length = max(1, min(k, count - start))
        first = step - place + 1 + start
        return first, first + hash((first, length)) % length, first + length - 1

    def detach(self) -> None:
        """Stop watching the trainer attached last (if any)."""
        self._hook.detach()
